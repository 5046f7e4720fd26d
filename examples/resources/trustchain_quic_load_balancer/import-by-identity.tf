# Terraform 1.12+: import by resource identity, the load balancer's ARN.
import {
  to = trustchain_quic_load_balancer.doq
  identity = {
    arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/trustchain-doq/0123456789abcdef"
  }
}
