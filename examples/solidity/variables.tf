variable "environment" {
  description = "Environment name: dev, staging or prod."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be dev, staging or prod."
  }
}

variable "create_account_resources" {
  description = "This environment owns the account-wide singletons: GuardDuty detector, AWS Config recorder, delivery channel and rules, the multi-region CloudTrail trail, the ECR replication configuration and the cost anomaly monitor, and the GuardDuty findings alerts. AWS allows one of each per account and region, so exactly one environment per account sets this (prod in env/); if both platforms share an account, only one of them may."
  type        = bool
}

variable "primary_region" {
  description = "Primary region (the document: us-east-1)."
  type        = string
  default     = "us-east-1"
}

variable "secondary_region" {
  description = "Secondary region for disaster recovery (the document: us-west-2)."
  type        = string
  default     = "us-west-2"
}

variable "domain_name" {
  description = "Domain of this environment; environments get their own subdomain."
  type        = string
}

variable "availability_zones" {
  description = "The three Availability Zones of the primary region, named explicitly so the layout never shifts when AWS adds a zone."
  type        = list(string)
  default     = ["us-east-1a", "us-east-1b", "us-east-1c"]
}

variable "vpc_cidr" {
  description = "VPC block (the document: 10.0.0.0/16 production, 10.1.0.0/16 staging)."
  type        = string
  default     = "10.0.0.0/16"
}

variable "public_subnet_cidrs" {
  description = "Public subnets, one per Availability Zone."
  type        = list(string)
  default     = ["10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"]
}

variable "private_subnet_cidrs" {
  description = "Private subnets, one per Availability Zone."
  type        = list(string)
  default     = ["10.0.4.0/24", "10.0.5.0/24", "10.0.6.0/24"]
}

variable "single_nat_gateway" {
  description = "One NAT gateway instead of one per zone (cheaper, for development)."
  type        = bool
  default     = false
}

variable "node_groups" {
  description = "EKS managed node groups; null keeps the module's defaults (general on-demand m5 plus spot)."
  type = map(object({
    instance_types = list(string)
    capacity_type  = string
    min_size       = number
    max_size       = number
    desired_size   = number
    disk_size      = optional(number, 100)
    taint          = optional(string)
    labels         = optional(map(string), {})
  }))
  default = null
}

variable "db_instance_class" {
  description = "RDS instance class (the document: db.r5.large to db.r5.2xlarge)."
  type        = string
  default     = "db.r5.large"
}

variable "read_replica_count" {
  description = "RDS read replicas."
  type        = number
  default     = 1
}

variable "redis_node_type" {
  description = "ElastiCache node type (the document: cache.r6g.large to cache.r6g.xlarge)."
  type        = string
  default     = "cache.r6g.large"
}

variable "redis_auth_token" {
  description = "Redis AUTH token; pass it as TF_VAR_redis_auth_token from your secret store. Ephemeral: never written to state or plan."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "alert_email_addresses" {
  description = "Who receives alerts by e-mail."
  type        = list(string)
  default     = []
}

variable "monthly_budget_usd" {
  description = "Monthly cost budget; null creates none."
  type        = number
  default     = null
}

variable "deletion_protection" {
  description = "Protect the database and ALB from deletion (off in dev)."
  type        = bool
  default     = true
}

variable "db_master_password" {
  description = "PostgreSQL master password; pass it as TF_VAR_db_master_password from your secret store (8-128 characters without /, \", @ or space). Ephemeral: sent only through write-only arguments, never written to state or plan. RDS cannot manage it itself: it creates no read replicas of an instance whose password it manages."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "secondary_availability_zones" {
  description = "The three Availability Zones of the secondary region (the standby stack)."
  type        = list(string)
  default     = ["us-west-2a", "us-west-2b", "us-west-2c"]
}

variable "secondary_vpc_cidr" {
  description = "VPC block of the standby stack; apart from the primary's so the two can be peered."
  type        = string
  default     = "10.10.0.0/16"
}

variable "secondary_public_subnet_cidrs" {
  description = "Public subnets of the standby stack, one per Availability Zone."
  type        = list(string)
  default     = ["10.10.1.0/24", "10.10.2.0/24", "10.10.3.0/24"]
}

variable "secondary_private_subnet_cidrs" {
  description = "Private subnets of the standby stack, one per Availability Zone."
  type        = list(string)
  default     = ["10.10.4.0/24", "10.10.5.0/24", "10.10.6.0/24"]
}

variable "standby_node_groups" {
  description = "Node groups of the standby EKS cluster: smaller than the primary's, grown by the cluster autoscaler (or by raising these) after a failover."
  type = map(object({
    instance_types = list(string)
    capacity_type  = string
    min_size       = number
    max_size       = number
    desired_size   = number
    disk_size      = optional(number, 100)
    taint          = optional(string)
    labels         = optional(map(string), {})
  }))
  default = {
    general = {
      instance_types = ["m5.large", "m5.xlarge", "m5.2xlarge"]
      capacity_type  = "ON_DEMAND"
      min_size       = 2
      max_size       = 9
      desired_size   = 2
    }
    spot = {
      instance_types = ["m5.large", "m5.xlarge", "m5.2xlarge"]
      capacity_type  = "SPOT"
      min_size       = 0
      max_size       = 12
      desired_size   = 0
      taint          = "spot"
    }
  }
}
