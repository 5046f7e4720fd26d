# The standby stack in the secondary region (the document's "Each region contains a complete EKS
# cluster with all microservices, RDS read replicas for disaster recovery, S3 buckets with
# cross-region replication, regional monitoring and logging"): the same modules as the primary
# with the aws.secondary provider. Route 53 fails over to its ALB when the primary's health
# check fails; README.md says how a failover is run.
#
# Its resources are named <name>-dr: IAM roles and groups are global, so two stacks of one
# environment in one account need different names.

locals {
  standby_name = "${local.name}-dr"
}

module "networking_secondary" {
  source = "../../modules/solidity/networking"
  providers = {
    aws = aws.secondary
  }

  name                 = local.standby_name
  vpc_cidr             = var.secondary_vpc_cidr
  availability_zones   = var.secondary_availability_zones
  public_subnet_cidrs  = var.secondary_public_subnet_cidrs
  private_subnet_cidrs = var.secondary_private_subnet_cidrs
  single_nat_gateway   = var.single_nat_gateway
  cluster_name         = local.standby_name
  log_kms_key_arn      = module.hsm_secondary.kms_key_arns["logs"]
}

module "security_secondary" {
  source = "../../modules/solidity/security"
  providers = {
    aws = aws.secondary
  }

  name                = local.standby_name
  vpc_id              = module.networking_secondary.vpc_id
  vpc_cidr_block      = module.networking_secondary.vpc_cidr_block
  oidc_provider_arn   = module.compute_secondary.oidc_provider_arn
  oidc_issuer_url     = module.compute_secondary.oidc_issuer_url
  cluster_name        = module.compute_secondary.cluster_name
  log_kms_key_arn     = module.hsm_secondary.kms_key_arns["logs"]
  secrets_kms_key_arn = module.hsm_secondary.kms_key_arns["secrets"]
  # The key of the EBS volumes (compute launch template, addons gp3 StorageClass).
  ebs_kms_key_arn = module.hsm_secondary.kms_key_arns["eks"]
  # GuardDuty and AWS Config are regional: the account's owner of the singletons runs them in
  # this region too. The primary's trail is multi-region and already records this one.
  create_guardduty_detector = var.create_account_resources
  create_config_recorder    = var.create_account_resources
  create_cloudtrail         = false
  # IAM and the other global resource types are recorded once, by the primary's recorder.
  config_record_global_resources = false
  notify_findings                = var.create_account_resources
  findings_sns_topic_arn         = module.monitoring_secondary.sns_topic_arns["critical"]
}

# Smaller default node groups (standby_node_groups): the cluster autoscaler grows them to the
# primary's sizes after a failover.
module "compute_secondary" {
  source = "../../modules/solidity/compute"
  providers = {
    aws = aws.secondary
  }

  name                   = local.standby_name
  subnet_ids             = module.networking_secondary.private_subnet_ids
  node_subnet_ids        = module.networking_secondary.node_subnet_ids
  node_security_group_id = module.security_secondary.eks_node_security_group_id
  node_groups            = var.standby_node_groups
  # The primary's repositories, created here with this region's key, scanning, immutability
  # and lifecycle before the registry replication (compute module) copies images into them.
  ecr_repository_prefix                = local.name
  ecr_replication_region               = null
  create_ecr_replication_configuration = false
  addon_service_account_role_arns = {
    aws-ebs-csi-driver = module.security_secondary.service_account_role_arns["ebs-csi-driver"]
    aws-efs-csi-driver = module.security_secondary.service_account_role_arns["efs-csi-driver"]
  }
  eks_kms_key_arn = module.hsm_secondary.kms_key_arns["eks"]
  ebs_kms_key_arn = module.hsm_secondary.kms_key_arns["eks"]
  ecr_kms_key_arn = module.hsm_secondary.kms_key_arns["ecr"]
  log_kms_key_arn = module.hsm_secondary.kms_key_arns["logs"]
}

# The cross-region read replica of the primary database (RPO: its replication lag, alarmed
# below), encrypted with the secondary region's rds key, and a Redis cache of its own: Redis
# holds the platform's cache (the document: "Redis caching ... cache warming"), which the
# standby warms after a failover, so it runs one shard with its Multi-AZ replica.
module "database_secondary" {
  source = "../../modules/solidity/database"
  providers = {
    aws = aws.secondary
  }

  name                          = local.standby_name
  replica_source                = { db_instance_arn = module.database.db_instance_arn }
  subnet_ids                    = module.networking_secondary.private_subnet_ids
  rds_security_group_id         = module.security_secondary.rds_security_group_id
  redis_security_group_id       = module.security_secondary.redis_security_group_id
  instance_class                = var.db_instance_class
  read_replica_count            = 0
  redis_node_type               = var.redis_node_type
  redis_num_node_groups         = 1
  redis_replicas_per_node_group = 1
  redis_auth_token              = var.redis_auth_token
  deletion_protection           = var.deletion_protection
  rds_kms_key_arn               = module.hsm_secondary.kms_key_arns["rds"]
  redis_kms_key_arn             = module.hsm_secondary.kms_key_arns["redis"]
  log_kms_key_arn               = module.hsm_secondary.kms_key_arns["logs"]
}

# ACM certificates are regional: the standby ALB needs one from the secondary region. ACM gives
# a domain the same validation record in every region, so both certificates share it.
module "certificates_secondary" {
  source = "../../modules/solidity/certificates"
  providers = {
    aws = aws.secondary
  }

  domain_name               = var.domain_name
  subject_alternative_names = ["*.${var.domain_name}"]
  zone_id                   = module.dns.zone_id
}

module "load_balancer_secondary" {
  source = "../../modules/solidity/load_balancer"
  providers = {
    aws = aws.secondary
  }

  name               = local.standby_name
  vpc_id             = module.networking_secondary.vpc_id
  subnet_ids         = module.networking_secondary.public_subnet_ids
  security_group_ids = [module.security_secondary.alb_security_group_id]
  certificate_arn    = module.certificates_secondary.certificate_arn
  web_acl_arn        = module.security_secondary.web_acl_arn
  # ALB access logs go to a bucket in the ALB's own region; the access-log bucket is the
  # storage module's, in the primary region. The standby ALB's requests are in its WAF logs.
  enable_access_logs         = false
  enable_deletion_protection = var.deletion_protection
}

# Regional monitoring: the standby's own topics (alarm actions take topics of their region),
# log groups and alarms, with the replica lag alarm on the cross-region replica.
module "monitoring_secondary" {
  source = "../../modules/solidity/monitoring"
  providers = {
    aws = aws.secondary
  }

  name                        = local.standby_name
  alert_email_addresses       = var.alert_email_addresses
  create_cost_anomaly_monitor = false
  kms_key_arn                 = module.hsm_secondary.kms_key_arns["sns"]
  log_kms_key_arn             = module.hsm_secondary.kms_key_arns["logs"]
  alarm_dimensions = {
    rds_cpu          = { DBInstanceIdentifier = module.database_secondary.db_instance_identifier }
    rds_free_storage = { DBInstanceIdentifier = module.database_secondary.db_instance_identifier }
    # ReplicaLag is published by the replica, in the replica's region: the RPO of a failover.
    rds_replica_lag = { DBInstanceIdentifier = module.database_secondary.db_instance_identifier }
    redis_cpu       = { CacheClusterId = module.database_secondary.redis_member_cluster_ids[0] }
    redis_memory    = { CacheClusterId = module.database_secondary.redis_member_cluster_ids[0] }
    api_latency     = { LoadBalancer = module.load_balancer_secondary.alb_arn_suffix }
    alb_target_5xx  = { LoadBalancer = module.load_balancer_secondary.alb_arn_suffix }
  }
}
