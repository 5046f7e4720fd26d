# The backups of the CA's cluster that are ready to restore, newest first.
data "trustchain_cloudhsm_cluster" "ca" {
  tags = {
    Name = "trustchain-ca"
  }
}

data "trustchain_cloudhsm_backups" "ready" {
  cluster_id = data.trustchain_cloudhsm_cluster.ca.cluster_id
  states     = ["READY"]
}

output "newest_ready_backup" {
  value = try(data.trustchain_cloudhsm_backups.ready.ids[0], null)
}

# A cluster restored from it (ignore_changes keeps later backups from replacing it):
#   resource "trustchain_cloudhsm_cluster" "restored" {
#     hsm_type         = "hsm2m.medium"
#     subnet_ids       = var.hsm_subnet_ids
#     source_backup_id = data.trustchain_cloudhsm_backups.ready.ids[0]
#     lifecycle {
#       ignore_changes = [source_backup_id]
#     }
#   }
