locals {
  name = "trustchain-${var.environment}"
  tags = {
    Project     = "trustchain"
    Environment = var.environment
  }
}

data "aws_caller_identity" "current" {
  provider = aws.primary
}

locals {
  azs = var.availability_zones
  # Bucket names are global: the account ID keeps them unique.
  storage_name = "${local.name}-${data.aws_caller_identity.current.account_id}"
}

module "hsm" {
  source = "../../modules/trustchain/hsm"
  providers = {
    aws        = aws.primary
    trustchain = trustchain.primary
  }

  name                    = local.name
  create_cloudhsm_cluster = var.enable_cloudhsm
  subnet_ids              = module.networking.hsm_subnet_ids
  hsm_availability_zones  = slice(local.azs, 0, min(var.hsm_count, length(local.azs)))
  # The service instances are the CloudHSM clients.
  client_security_group_ids = [module.security.instance_security_group_id]
  trust_anchor_pem          = var.trust_anchor_pem
  signed_cert_pem           = var.signed_cert_pem
  hsm_trust_roots_pem       = var.hsm_trust_roots_pem
}

# KMS keys in the backup region for the S3 replicas and the backup copy vault.
module "hsm_secondary" {
  source = "../../modules/trustchain/hsm"
  providers = {
    aws        = aws.secondary
    trustchain = trustchain.secondary
  }

  name                    = local.name
  create_cloudhsm_cluster = false
  kms_keys = {
    backup  = { service_principals = ["backup.amazonaws.com"] }
    storage = { service_principals = ["s3.amazonaws.com"] }
  }
}

# CloudHSM backups in the backup region: AWS never copies them across regions by itself.
# A Terraform 1.14+ action, run on demand after activation and after each HSM change:
#   terraform apply -var-file=env/prod.tfvars -invoke='action.trustchain_cloudhsm_backup_copy.hsm_to_secondary[0]'
# It copies the cluster's newest READY backup, waits for it there, tags it and keeps it
# beyond the retention policy; run again, it finds its copy and copies nothing.
action "trustchain_cloudhsm_backup_copy" "hsm_to_secondary" {
  count    = var.enable_cloudhsm ? 1 : 0
  provider = trustchain.primary

  config {
    cluster_id         = module.hsm.cluster_id
    destination_region = var.secondary_region
    never_expires      = true
    tags               = local.tags
  }
}

module "networking" {
  source = "../../modules/trustchain/networking"
  providers = {
    aws        = aws.primary
    trustchain = trustchain.primary
  }

  name               = local.name
  availability_zones = local.azs
  log_kms_key_arn    = module.hsm.kms_key_arns["logs"]
}

module "security" {
  source = "../../modules/trustchain/security"
  providers = {
    aws = aws.primary
  }

  name                     = local.name
  vpc_id                   = module.networking.vpc_id
  vpc_ipv6_cidr_block      = module.networking.ipv6_cidr_block
  vpc_ipv4_cidr_block      = module.networking.ipv4_cidr_block
  public_subnet_ids        = module.networking.public_subnet_ids
  load_balancer_subnet_ids = module.networking.load_balancer_subnet_ids
  private_subnet_ids       = module.networking.private_subnet_ids
  log_kms_key_arn          = module.hsm.kms_key_arns["logs"]
  # Account-wide singletons: one environment per account owns them.
  create_guardduty_detector = var.create_account_resources
  create_config_recorder    = var.create_account_resources
  create_cloudtrail         = var.create_account_resources
  # Real-time security event notifications (findings are account-wide too).
  notify_findings        = var.create_account_resources
  findings_sns_topic_arn = module.monitoring.sns_topic_arns["critical"]
}

module "storage" {
  source = "../../modules/trustchain/storage"
  providers = {
    aws         = aws.primary
    aws.replica = aws.secondary
  }

  name                = local.storage_name
  kms_key_arn         = module.hsm.kms_key_arns["storage"]
  replica_kms_key_arn = module.hsm_secondary.kms_key_arns["storage"]
  force_destroy       = var.environment == "dev"
}

module "dns" {
  source = "../../modules/trustchain/dns"
  providers = {
    aws = aws.primary
  }

  name                          = local.name
  domain_name                   = var.domain_name
  alb_dns_name                  = module.load_balancer.alb_dns_name
  alb_zone_id                   = module.load_balancer.alb_zone_id
  alb_arn_suffix                = module.load_balancer.alb_arn_suffix
  alb_target_group_arn_suffixes = module.load_balancer.alb_target_group_arn_suffixes
  nlb_dns_names                 = module.load_balancer.nlb_dns_names
  nlb_zone_ids                  = module.load_balancer.nlb_zone_ids
  service_nlb                   = module.load_balancer.service_nlb
  nlb_record_type               = module.load_balancer.nlb_record_type
}

module "certificates" {
  source = "../../modules/trustchain/certificates"
  providers = {
    aws = aws.primary
  }

  domain_name               = var.domain_name
  subject_alternative_names = [for host in ["api", "ca", "ct", "dns", "hypermesh", "stoq"] : "${host}.${var.domain_name}"]
  zone_id                   = module.dns.zone_id
}

module "load_balancer" {
  source = "../../modules/trustchain/load_balancer"
  providers = {
    aws        = aws.primary
    trustchain = trustchain.primary
  }

  name                       = local.name
  vpc_id                     = module.networking.vpc_id
  subnet_ids                 = module.networking.load_balancer_subnet_ids
  alb_security_group_ids     = [module.security.alb_security_group_id]
  certificate_arn            = module.certificates.certificate_arn
  web_acl_arn                = module.security.web_acl_arn
  access_logs_bucket         = module.storage.access_logs_bucket_id
  udp_service_mode           = var.udp_service_mode
  enable_deletion_protection = var.enable_deletion_protection
}

module "compute" {
  source = "../../modules/trustchain/compute"
  providers = {
    aws = aws.primary
  }

  name = local.name
  # A cluster placement group lives in one Availability Zone.
  subnet_ids         = var.placement_strategy == "cluster" ? slice(module.networking.private_subnet_ids, 0, 1) : module.networking.private_subnet_ids
  placement_strategy = var.placement_strategy
  security_group_ids = [module.security.instance_security_group_id]
  target_group_arns  = module.load_balancer.target_group_arns
  instance_type      = var.instance_type
  use_spot_instances = var.use_spot_instances
  min_size           = var.min_size
  desired_capacity   = var.min_size
  max_size           = var.max_size
  ebs_kms_key_arn    = module.hsm.kms_key_arns["ebs"]
  # The services' own data.
  bucket_arns  = values(module.storage.bucket_arns)
  kms_key_arns = [module.hsm.kms_key_arns["storage"]]
}

module "monitoring" {
  source = "../../modules/trustchain/monitoring"
  providers = {
    aws = aws.primary
  }

  name                  = local.name
  alert_email_addresses = var.alert_email_addresses
  alert_sms_numbers     = var.alert_sms_numbers
  alarm_dimensions = {
    alb_target_5xx = { LoadBalancer = module.load_balancer.alb_arn_suffix }
  }
  kms_key_arn     = module.hsm.kms_key_arns["sns"]
  log_kms_key_arn = module.hsm.kms_key_arns["logs"]
}

module "backup" {
  source = "../../modules/trustchain/backup"
  providers = {
    aws         = aws.primary
    aws.replica = aws.secondary
  }

  name                = local.name
  kms_key_arn         = module.hsm.kms_key_arns["backup"]
  replica_kms_key_arn = module.hsm_secondary.kms_key_arns["backup"]
  resource_arns       = values(module.storage.bucket_arns)
  # The 7-year retention is a legal one: prod locks the vaults in compliance mode
  # (env/prod.tfvars); the other environments use governance so they can be torn down.
  vault_lock_mode = var.backup_vault_lock_mode
}
