# Terraform 1.12+: import by resource identity.
import {
  to = trustchain_cloudhsm_hsm.a
  identity = {
    cluster_id = "cluster-igklspoyj5v"
    hsm_id     = "hsm-ucskhjpuiw6"
  }
}
