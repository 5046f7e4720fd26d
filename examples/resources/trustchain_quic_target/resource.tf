# The QUIC load balancer the targets belong to (see trustchain_quic_load_balancer).
resource "trustchain_ipv6_network" "edge" {
  name               = "trustchain-edge"
  availability_zones = ["us-east-1a", "us-east-1b"]

  tier {
    name        = "public"
    kind        = "public"
    ipv6_native = false
  }
}

resource "trustchain_quic_load_balancer" "doq" {
  name       = "trustchain-doq"
  subnet_ids = [for s in trustchain_ipv6_network.edge.subnets["public"] : s.id]

  listener {
    port     = 8853
    protocol = "QUIC"

    health_check {
      protocol = "HTTPS"
      port     = 8443
      path     = "/health"
    }
  }
}

# Targets of a QUIC listener. AWS requires a QUIC server ID per target (0x + 16
# lowercase hex digits, unique per listener) that the server puts in its connection
# IDs; leave it out and the provider derives a stable one from the target and port.
resource "trustchain_quic_target" "doq" {
  for_each = {
    a = { instance = "i-0123456789abcdef0", server_id = "0x0123456789abcdef" }
    b = { instance = "i-0123456789abcdef1", server_id = null }
  }

  target_group_arn = trustchain_quic_load_balancer.doq.listeners["8853"].target_group_arn
  target_id        = each.value.instance
  port             = 8853
  quic_server_id   = each.value.server_id
}

output "doq_server_ids" {
  value = { for k, t in trustchain_quic_target.doq : k => t.quic_server_id }
}
