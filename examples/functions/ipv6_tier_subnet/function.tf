output "hsm_c" {
  value = provider::trustchain::ipv6_tier_subnet("2600:1f18:abcd:1200::/56", 3, "us-east-1c") # "2600:1f18:abcd:1232::/64"
}
