# The addons (modules/solidity/addons) on the standby EKS cluster in the secondary region: the
# same components as addons.tf, so that a failover finds the load balancer controller,
# External Secrets, cert-manager, ArgoCD, Istio and the monitoring stack already running. The
# first apply of a new standby follows the primary's order with the standby's modules
# (README.md, "First apply"):
#   1. terraform apply -target=module.compute -target=module.compute_secondary
#   2. terraform apply -var addons_custom_resources=false
#   3. terraform apply
# Its endpoint is private too: Terraform runs where it reaches both clusters' VPCs.

# Providers for the standby cluster, authenticated like the primary's (addons.tf) through
# `aws eks get-token` in the secondary region: EKS tokens are signed for one region's STS
# endpoint, so --region must be the cluster's.
locals {
  eks_exec_secondary = {
    api_version = "client.authentication.k8s.io/v1beta1"
    command     = "aws"
    args        = ["eks", "get-token", "--cluster-name", module.compute_secondary.cluster_name, "--region", var.secondary_region, "--output", "json"]
  }
}

provider "kubernetes" {
  alias                  = "secondary"
  host                   = module.compute_secondary.cluster_endpoint
  cluster_ca_certificate = base64decode(module.compute_secondary.cluster_certificate_authority_data)

  exec {
    api_version = local.eks_exec_secondary.api_version
    command     = local.eks_exec_secondary.command
    args        = local.eks_exec_secondary.args
  }
}

provider "helm" {
  alias = "secondary"
  kubernetes = {
    host                   = module.compute_secondary.cluster_endpoint
    cluster_ca_certificate = base64decode(module.compute_secondary.cluster_certificate_authority_data)
    exec                   = local.eks_exec_secondary
  }
}

module "addons_secondary" {
  source = "../../modules/solidity/addons"
  providers = {
    aws        = aws.secondary
    helm       = helm.secondary
    kubernetes = kubernetes.secondary
  }

  # IAM roles are global: the standby's are named <name>-dr-* (standby.tf).
  name              = local.standby_name
  environment       = lookup({ prod = "production" }, var.environment, var.environment)
  cluster_name      = module.compute_secondary.cluster_name
  oidc_provider_arn = module.compute_secondary.oidc_provider_arn
  oidc_issuer_url   = module.compute_secondary.oidc_issuer_url
  vpc_id            = module.networking_secondary.vpc_id
  ebs_kms_key_arn   = module.hsm_secondary.kms_key_arns["eks"]
  route53_zone_id   = module.dns.zone_id
  acme_email        = var.acme_email
  acme_dns_zones    = [var.domain_name]
  # It grows the standby's smaller node groups after a failover.
  cluster_autoscaler_role_arn = module.security_secondary.service_account_role_arns["cluster-autoscaler"]

  # External Secrets reads, in this region, the replica of the database module's master
  # credentials secret (the primary database's master_secret_replicas), which is encrypted
  # with this region's rds key; the standby security module's secrets (solidity-<env>-dr/,
  # this region's secrets key); and Grafana's and ArgoCD's admin secrets under
  # solidity-<env>/, which the operator replicates here before the third apply (aws
  # secretsmanager replicate-secret-to-regions --add-replica-regions
  # Region=<secondary>,KmsKeyId=<this region's secrets key>).
  external_secrets_path_prefixes = ["${local.name}/", "${local.standby_name}/"]
  external_secrets_secret_arns   = [module.database.db_master_user_secret_replica_arns[var.secondary_region]]
  external_secrets_kms_key_arns  = [module.hsm_secondary.kms_key_arns["secrets"], module.hsm_secondary.kms_key_arns["rds"]]
  grafana_admin_secret_name      = "${local.name}/grafana-admin"
  argocd_admin_secret_name       = "${local.name}/argocd"

  create_custom_resources = var.addons_custom_resources

  tags = local.tags
}
