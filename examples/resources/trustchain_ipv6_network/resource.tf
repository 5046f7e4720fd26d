# An IPv6-only network for a certificate authority: public edge (dual-stack, hosts
# NAT64), private app tier with DNS64, isolated HSM tier, across three zones.
resource "trustchain_ipv6_network" "this" {
  name               = "trustchain-prod"
  availability_zones = ["us-east-1a", "us-east-1b", "us-east-1c"]
  enable_nat64       = true

  tier {
    name        = "edge"
    kind        = "public"
    ipv6_native = false # dual-stack: the NAT64 gateway needs an IPv4 address
  }

  tier {
    name         = "app"
    kind         = "private"
    enable_dns64 = true # reach IPv4-only services through NAT64
  }

  tier {
    name = "hsm"
    kind = "isolated"
  }

  tags = {
    Service = "certificate-authority"
  }

  timeouts {
    create = "30m"
    delete = "30m"
  }
}

output "app_subnet_ids" {
  value = [for s in trustchain_ipv6_network.this.subnets["app"] : s.id]
}
