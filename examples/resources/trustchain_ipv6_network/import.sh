# Import by VPC id; tiers are recovered from the tags the provider writes on route
# tables and subnets (trustchain:tier, trustchain:tier-kind, trustchain:tier-index).
terraform import trustchain_ipv6_network.this vpc-0123456789abcdef0
