environment              = "staging"
create_account_resources = false
domain_name              = "staging.solidity-security.example.com"
vpc_cidr                 = "10.1.0.0/16"
public_subnet_cidrs      = ["10.1.1.0/24", "10.1.2.0/24", "10.1.3.0/24"]
private_subnet_cidrs     = ["10.1.4.0/24", "10.1.5.0/24", "10.1.6.0/24"]
db_instance_class        = "db.r5.large"
read_replica_count       = 1
