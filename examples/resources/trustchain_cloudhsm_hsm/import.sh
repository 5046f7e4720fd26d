# Import by CLUSTER_ID/HSM_ID.
terraform import trustchain_cloudhsm_hsm.a cluster-igklspoyj5v/hsm-ucskhjpuiw6

# Or, with Terraform 1.12 and later, by identity in an import block:
#   import {
#     to       = trustchain_cloudhsm_hsm.a
#     identity = { cluster_id = "cluster-igklspoyj5v", hsm_id = "hsm-ucskhjpuiw6" }
#   }
