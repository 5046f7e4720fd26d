environment              = "dev"
create_account_resources = false
domain_name              = "dev.solidity-security.example.com"
vpc_cidr                 = "10.2.0.0/16"
public_subnet_cidrs      = ["10.2.1.0/24", "10.2.2.0/24", "10.2.3.0/24"]
private_subnet_cidrs     = ["10.2.4.0/24", "10.2.5.0/24", "10.2.6.0/24"]
single_nat_gateway       = true
read_replica_count       = 0
deletion_protection      = false
node_groups = {
  general = {
    instance_types = ["m5.large"]
    capacity_type  = "SPOT"
    min_size       = 1
    max_size       = 3
    desired_size   = 2
  }
}
secondary_vpc_cidr             = "10.12.0.0/16"
secondary_public_subnet_cidrs  = ["10.12.1.0/24", "10.12.2.0/24", "10.12.3.0/24"]
secondary_private_subnet_cidrs = ["10.12.4.0/24", "10.12.5.0/24", "10.12.6.0/24"]
standby_node_groups = {
  general = {
    instance_types = ["m5.large"]
    capacity_type  = "SPOT"
    min_size       = 1
    max_size       = 3
    desired_size   = 1
  }
}
