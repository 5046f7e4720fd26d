output "x" {
  value = provider::trustchain::ipv6_subnet("2600:1f18:abcd:1200::/56", 8, 3) # "2600:1f18:abcd:1203::/64"
}
