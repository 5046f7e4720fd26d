# adopt.tfquery.hcl: `terraform query` lists the clusters; every filter is optional.
list "trustchain_cloudhsm_cluster" "ca" {
  provider         = trustchain
  include_resource = true

  config {
    vpc_id = "vpc-0a1b2c3d4e5f60718"
    states = ["UNINITIALIZED", "INITIALIZED", "ACTIVE"]
    tags = {
      Name = "trustchain-ca"
    }
  }
}
