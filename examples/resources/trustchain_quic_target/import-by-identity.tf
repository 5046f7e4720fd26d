# Terraform 1.12+: import by resource identity.
import {
  to = trustchain_quic_target.doq["a"]
  identity = {
    target_group_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/trustchain-doq-8853-a1b2c3/0123456789abcdef"
    target_id        = "i-0123456789abcdef0"
    port             = 8853
  }
}
