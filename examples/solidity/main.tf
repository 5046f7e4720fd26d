locals {
  name = "solidity-${var.environment}"
  tags = {
    Project     = "solidity-security"
    Environment = var.environment
  }
}

data "aws_caller_identity" "current" {
  provider = aws.primary
}

locals {
  azs          = var.availability_zones
  storage_name = "${local.name}-${data.aws_caller_identity.current.account_id}"
}

module "hsm" {
  source = "../../modules/solidity/hsm"
  providers = {
    aws = aws.primary
  }

  name = local.name
}

# KMS keys in the secondary region, one per data type as in the primary: the S3 replicas, the
# backup copy vault and the standby stack (standby.tf). KMS keys are regional.
module "hsm_secondary" {
  source = "../../modules/solidity/hsm"
  providers = {
    aws = aws.secondary
  }

  name = local.name
}

module "networking" {
  source = "../../modules/solidity/networking"
  providers = {
    aws = aws.primary
  }

  name                 = local.name
  vpc_cidr             = var.vpc_cidr
  availability_zones   = local.azs
  public_subnet_cidrs  = var.public_subnet_cidrs
  private_subnet_cidrs = var.private_subnet_cidrs
  single_nat_gateway   = var.single_nat_gateway
  cluster_name         = local.name
  log_kms_key_arn      = module.hsm.kms_key_arns["logs"]
}

module "security" {
  source = "../../modules/solidity/security"
  providers = {
    aws = aws.primary
  }

  name                = local.name
  vpc_id              = module.networking.vpc_id
  vpc_cidr_block      = module.networking.vpc_cidr_block
  oidc_provider_arn   = module.compute.oidc_provider_arn
  oidc_issuer_url     = module.compute.oidc_issuer_url
  cluster_name        = module.compute.cluster_name
  log_kms_key_arn     = module.hsm.kms_key_arns["logs"]
  secrets_kms_key_arn = module.hsm.kms_key_arns["secrets"]
  # The key of the EBS volumes (compute launch template, addons gp3 StorageClass).
  ebs_kms_key_arn = module.hsm.kms_key_arns["eks"]
  # Account-wide singletons: one environment per account owns them.
  create_guardduty_detector = var.create_account_resources
  create_config_recorder    = var.create_account_resources
  create_cloudtrail         = var.create_account_resources
  # Real-time security event notifications (findings are account-wide too).
  notify_findings        = var.create_account_resources
  findings_sns_topic_arn = module.monitoring.sns_topic_arns["critical"]
}

module "compute" {
  source = "../../modules/solidity/compute"
  providers = {
    aws = aws.primary
  }

  name                   = local.name
  subnet_ids             = module.networking.private_subnet_ids
  node_subnet_ids        = module.networking.node_subnet_ids
  node_security_group_id = module.security.eks_node_security_group_id
  node_groups            = var.node_groups
  ecr_replication_region = var.secondary_region
  # One replication configuration per account: the environment owning the account's singletons.
  create_ecr_replication_configuration = var.create_account_resources
  addon_service_account_role_arns = {
    aws-ebs-csi-driver = module.security.service_account_role_arns["ebs-csi-driver"]
    aws-efs-csi-driver = module.security.service_account_role_arns["efs-csi-driver"]
  }
  eks_kms_key_arn = module.hsm.kms_key_arns["eks"]
  ebs_kms_key_arn = module.hsm.kms_key_arns["eks"]
  ecr_kms_key_arn = module.hsm.kms_key_arns["ecr"]
  log_kms_key_arn = module.hsm.kms_key_arns["logs"]
}

module "database" {
  source = "../../modules/solidity/database"
  providers = {
    aws = aws.primary
  }

  name                    = local.name
  subnet_ids              = module.networking.private_subnet_ids
  rds_security_group_id   = module.security.rds_security_group_id
  redis_security_group_id = module.security.redis_security_group_id
  instance_class          = var.db_instance_class
  replica_instance_class  = var.db_instance_class
  read_replica_count      = var.read_replica_count
  redis_node_type         = var.redis_node_type
  redis_auth_token        = var.redis_auth_token
  master_password         = var.db_master_password
  deletion_protection     = var.deletion_protection
  rds_kms_key_arn         = module.hsm.kms_key_arns["rds"]
  # The standby region's External Secrets reads the credentials from a replica of the secret.
  master_secret_replicas = { (var.secondary_region) = module.hsm_secondary.kms_key_arns["rds"] }
  redis_kms_key_arn      = module.hsm.kms_key_arns["redis"]
  log_kms_key_arn        = module.hsm.kms_key_arns["logs"]
}

module "storage" {
  source = "../../modules/solidity/storage"
  providers = {
    aws         = aws.primary
    aws.replica = aws.secondary
  }

  name                          = local.storage_name
  kms_key_arn                   = module.hsm.kms_key_arns["s3"]
  replica_kms_key_arn           = module.hsm_secondary.kms_key_arns["s3"]
  vpc_id                        = module.networking.vpc_id
  efs_subnet_ids                = module.networking.private_subnet_ids
  efs_client_security_group_ids = [module.security.eks_node_security_group_id]
  efs_kms_key_arn               = module.hsm.kms_key_arns["efs"]
  # CloudFront takes certificates from us-east-1 only: the primary region here.
  docs_domain_name     = "docs.${var.domain_name}"
  docs_certificate_arn = module.certificates.certificate_arn
  force_destroy        = var.environment == "dev"
}

module "dns" {
  source = "../../modules/solidity/dns"
  providers = {
    aws = aws.primary
  }

  domain_name = var.domain_name
  primary_alb = { dns_name = module.load_balancer.alb_dns_name, zone_id = module.load_balancer.alb_zone_id }
  # Failover pair: the standby stack's ALB (standby.tf) answers while the primary is unhealthy.
  secondary_alb = { dns_name = module.load_balancer_secondary.alb_dns_name, zone_id = module.load_balancer_secondary.alb_zone_id }
  cdn_records = {
    docs = { dns_name = module.storage.docs_distribution_domain_name, zone_id = module.storage.docs_distribution_hosted_zone_id }
  }
}

module "certificates" {
  source = "../../modules/solidity/certificates"
  providers = {
    aws = aws.primary
  }

  domain_name               = var.domain_name
  subject_alternative_names = ["*.${var.domain_name}"]
  zone_id                   = module.dns.zone_id
}

module "load_balancer" {
  source = "../../modules/solidity/load_balancer"
  providers = {
    aws = aws.primary
  }

  name                       = local.name
  vpc_id                     = module.networking.vpc_id
  subnet_ids                 = module.networking.public_subnet_ids
  security_group_ids         = [module.security.alb_security_group_id]
  certificate_arn            = module.certificates.certificate_arn
  web_acl_arn                = module.security.web_acl_arn
  access_logs_bucket         = module.storage.access_logs_bucket_id
  enable_deletion_protection = var.deletion_protection
}

module "monitoring" {
  source = "../../modules/solidity/monitoring"
  providers = {
    aws = aws.primary
  }

  name                  = local.name
  alert_email_addresses = var.alert_email_addresses
  monthly_budget_usd    = var.monthly_budget_usd
  # One AWS services anomaly monitor per account.
  create_cost_anomaly_monitor = var.create_account_resources
  kms_key_arn                 = module.hsm.kms_key_arns["sns"]
  log_kms_key_arn             = module.hsm.kms_key_arns["logs"]
  # ReplicaLag is published by replicas only: here it watches the first in-region read replica,
  # and without one the alarm is left out (on the primary it would never fire). The
  # cross-region replica's lag is alarmed in the secondary region (standby.tf).
  omit_alarms = var.read_replica_count > 0 ? [] : ["rds_replica_lag"]
  alarm_dimensions = {
    rds_cpu          = { DBInstanceIdentifier = module.database.db_instance_identifier }
    rds_free_storage = { DBInstanceIdentifier = module.database.db_instance_identifier }
    rds_replica_lag  = { DBInstanceIdentifier = try(module.database.db_replica_identifiers[0], null) }
    # ElastiCache publishes per node (CacheClusterId), never per replication group.
    redis_cpu      = { CacheClusterId = module.database.redis_member_cluster_ids[0] }
    redis_memory   = { CacheClusterId = module.database.redis_member_cluster_ids[0] }
    api_latency    = { LoadBalancer = module.load_balancer.alb_arn_suffix }
    alb_target_5xx = { LoadBalancer = module.load_balancer.alb_arn_suffix }
  }
}

module "backup" {
  source = "../../modules/solidity/backup"
  providers = {
    aws         = aws.primary
    aws.replica = aws.secondary
  }

  name                = local.name
  kms_key_arn         = module.hsm.kms_key_arns["backup"]
  replica_kms_key_arn = module.hsm_secondary.kms_key_arns["backup"]
  resource_arns       = concat([module.database.db_instance_arn, module.storage.efs_file_system_arn], values(module.storage.bucket_arns))
}
