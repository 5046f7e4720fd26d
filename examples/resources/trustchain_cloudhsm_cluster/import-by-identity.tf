# Terraform 1.12+: import by resource identity; account_id and region default to the
# provider configuration's and are checked against it when given.
import {
  to = trustchain_cloudhsm_cluster.this
  identity = {
    cluster_id = "cluster-igklspoyj5v"
  }
}
