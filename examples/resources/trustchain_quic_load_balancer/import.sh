# Import by load balancer ARN; listeners and their target groups come with it
# (listener blocks in port order).
terraform import trustchain_quic_load_balancer.doq arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/trustchain-doq/0123456789abcdef
