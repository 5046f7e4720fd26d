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
