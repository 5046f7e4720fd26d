# Import by cluster id.
terraform import trustchain_cloudhsm_cluster.this cluster-igklspoyj5v

# Or, with Terraform 1.12 and later, by identity in an import block:
#   import {
#     to       = trustchain_cloudhsm_cluster.this
#     identity = { cluster_id = "cluster-igklspoyj5v" }
#   }
