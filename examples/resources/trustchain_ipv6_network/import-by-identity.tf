# Terraform 1.12+: import by resource identity. account_id and region are optional
# and default to the provider configuration's.
import {
  to = trustchain_ipv6_network.this
  identity = {
    vpc_id = "vpc-0123456789abcdef0"
  }
}
