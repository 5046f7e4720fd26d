# The backups of a cluster that are ready to restore, newest first.
data "trustchain_cloudhsm_backups" "ready" {
  cluster_id = "cluster-igklspoyj5v"
  states     = ["READY"]
}

# A cluster restored from the newest one; ignore_changes keeps later backups from
# replacing it.
resource "trustchain_cloudhsm_cluster" "restored" {
  hsm_type         = "hsm2m.medium"
  subnet_ids       = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
  source_backup_id = data.trustchain_cloudhsm_backups.ready.ids[0]

  lifecycle {
    ignore_changes = [source_backup_id]
  }
}
