# adopt.tfquery.hcl: `terraform query` lists the VPCs that fit trustchain_ipv6_network
# (an IPv6 block and route tables tagged trustchain:tier) and warns about the others.
list "trustchain_ipv6_network" "all" {
  provider         = trustchain
  include_resource = true

  config {
    tags = {
      Project = "trustchain"
    }
  }
}
