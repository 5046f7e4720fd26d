# Import by cluster id.
terraform import trustchain_cloudhsm_cluster.this cluster-igklspoyj5v
