# adopt.tfquery.hcl: `terraform query` lists the registered targets; each filter is optional.
list "trustchain_quic_target" "doq" {
  provider         = trustchain
  include_resource = true

  config {
    load_balancer_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/trustchain/0123456789abcdef"
  }
}
