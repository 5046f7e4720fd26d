# adopt.tfquery.hcl: `terraform query` lists the HSMs of one cluster.
list "trustchain_cloudhsm_hsm" "ca" {
  provider = trustchain

  config {
    cluster_id = "cluster-igklspoyj5v"
  }
}
