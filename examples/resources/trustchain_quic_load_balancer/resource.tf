# TrustChain serves DNS-over-QUIC on 8853 and STOQ on 8444. AWS makes you choose:

# The load balancers sit in dual-stack public subnets (an NLB needs an IPv4 address).
resource "trustchain_ipv6_network" "edge" {
  name               = "trustchain-edge"
  availability_zones = ["us-east-1a", "us-east-1b"]

  tier {
    name        = "public"
    kind        = "public"
    ipv6_native = false
  }
}

locals {
  public_subnet_ids = [for s in trustchain_ipv6_network.edge.subnets["public"] : s.id]
}

# QUIC mode (IPv4 clients, QUIC connection-ID routing): an ipv4 load balancer per
# QUIC service, since AWS allows one QUIC listener per load balancer.
resource "trustchain_quic_load_balancer" "doq" {
  name            = "trustchain-doq"
  subnet_ids      = local.public_subnet_ids
  ip_address_type = "ipv4"

  listener {
    port        = 8853
    protocol    = "QUIC"
    target_type = "instance"

    # NLBs check over TCP, HTTP or HTTPS only: probe the service's HTTPS endpoint.
    health_check {
      protocol = "HTTPS"
      port     = 8443
      path     = "/health"
    }
  }

  tags = {
    Service = "dns-over-quic"
  }
}

# Dualstack UDP mode (IPv6 clients): one dualstack load balancer with UDP listeners,
# IPv6 targets and a /80 per subnet for source NAT of IPv6 flows.
resource "trustchain_quic_load_balancer" "udp" {
  name                              = "trustchain-udp"
  subnet_ids                        = local.public_subnet_ids
  ip_address_type                   = "dualstack"
  enable_prefix_for_ipv6_source_nat = true
  enable_deletion_protection        = true

  listener {
    port        = 8444
    protocol    = "UDP"
    target_type = "ip" # target_ip_address_type defaults to ipv6 here

    health_check {
      protocol = "HTTPS"
      port     = 8443
      path     = "/health"
      interval = 10
    }
  }

  listener {
    port     = 8853
    protocol = "UDP"

    health_check {
      protocol = "HTTPS"
      port     = 8443
      path     = "/health"
    }
  }

  timeouts {
    create = "15m"
  }
}

output "doq_target_group_arn" {
  value = trustchain_quic_load_balancer.doq.listeners["8853"].target_group_arn
}

output "udp_dns_name" {
  value = trustchain_quic_load_balancer.udp.dns_name
}
