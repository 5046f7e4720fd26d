# adopt.tfquery.hcl: `terraform query` lists the Network Load Balancers; each filter is optional.
list "trustchain_quic_load_balancer" "doq" {
  provider         = trustchain
  include_resource = true

  config {
    vpc_id = "vpc-0a1b2c3d4e5f60718"
    tags = {
      Service = "doq"
    }
  }
}
