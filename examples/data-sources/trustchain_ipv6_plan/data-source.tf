data "trustchain_ipv6_plan" "this" {
  prefix             = "2600:1f18:abcd:1200::/56"
  tiers              = ["public", "app", "data"]
  availability_zones = ["us-east-1a", "us-east-1b", "us-east-1c"]
}

# "2600:1f18:abcd:1211::/64": tier 1 (app), zone b
output "app_b" {
  value = data.trustchain_ipv6_plan.this.cidr_blocks["app"][1]
}
