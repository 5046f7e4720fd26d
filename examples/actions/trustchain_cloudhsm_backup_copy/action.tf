# Disaster recovery: the CA cluster's newest READY backup goes to the secondary
# region after every change of the cluster, and on demand with
#   terraform apply -invoke=action.trustchain_cloudhsm_backup_copy.dr
action "trustchain_cloudhsm_backup_copy" "dr" {
  config {
    cluster_id         = trustchain_cloudhsm_cluster.ca.cluster_id
    destination_region = "us-west-2"
    never_expires      = true
    tags = {
      Purpose = "disaster-recovery"
    }
  }
}

resource "trustchain_cloudhsm_cluster" "ca" {
  hsm_type   = "hsm2m.medium"
  subnet_ids = ["subnet-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60719"]

  lifecycle {
    action_trigger {
      events  = [after_update]
      actions = [action.trustchain_cloudhsm_backup_copy.dr]
    }
  }
}
