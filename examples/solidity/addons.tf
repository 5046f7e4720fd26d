# In-cluster components of the document (modules/solidity/addons): Helm releases on the EKS
# cluster of module.compute. First apply of a new environment, in this order (the module's
# README says why; standby_addons.tf runs the same on the standby cluster, so step 1 targets
# both clusters):
#   1. terraform apply -target=module.compute -target=module.compute_secondary
#                                                    (the clusters the providers talk to)
#   2. terraform apply -var addons_custom_resources=false   (the charts and their CRDs)
#   3. terraform apply                               (the custom resources, Grafana, ArgoCD)
# The cluster endpoint is private (compute module): run Terraform from inside the VPC or
# through a VPN to it.

# Both providers authenticate as the caller's AWS identity through `aws eks get-token` at
# each run (an EKS access entry must admit it); no token is stored in configuration or state.
locals {
  eks_exec = {
    api_version = "client.authentication.k8s.io/v1beta1"
    command     = "aws"
    args        = ["eks", "get-token", "--cluster-name", module.compute.cluster_name, "--region", var.primary_region, "--output", "json"]
  }
}

provider "kubernetes" {
  host                   = module.compute.cluster_endpoint
  cluster_ca_certificate = base64decode(module.compute.cluster_certificate_authority_data)

  exec {
    api_version = local.eks_exec.api_version
    command     = local.eks_exec.command
    args        = local.eks_exec.args
  }
}

provider "helm" {
  kubernetes = {
    host                   = module.compute.cluster_endpoint
    cluster_ca_certificate = base64decode(module.compute.cluster_certificate_authority_data)
    exec                   = local.eks_exec
  }
}

variable "addons_custom_resources" {
  description = "Create the addons' custom resources (false only for the first apply of a new cluster, while the charts install their CRDs)."
  type        = bool
  default     = true
}

variable "acme_email" {
  description = "Contact e-mail of the Let's Encrypt account cert-manager registers."
  type        = string
  default     = "security-ops@solidity-security.example.com"
}

module "addons" {
  source = "../../modules/solidity/addons"
  providers = {
    aws        = aws.primary
    helm       = helm
    kubernetes = kubernetes
  }

  name              = local.name
  environment       = lookup({ prod = "production" }, var.environment, var.environment)
  cluster_name      = module.compute.cluster_name
  oidc_provider_arn = module.compute.oidc_provider_arn
  oidc_issuer_url   = module.compute.oidc_issuer_url
  vpc_id            = module.networking.vpc_id
  ebs_kms_key_arn   = module.hsm.kms_key_arns["eks"]
  route53_zone_id   = module.dns.zone_id
  acme_email        = var.acme_email
  acme_dns_zones    = [var.domain_name]
  # The cluster autoscaler runs on the security module's IRSA role (scales this cluster's
  # node groups only).
  cluster_autoscaler_role_arn = module.security.service_account_role_arns["cluster-autoscaler"]

  # External Secrets reads the environment's secrets under solidity-<env>/ (the security
  # module's, encrypted with the secrets key) and the database module's master credentials
  # secret, which that module encrypts with the rds key (its rds_kms_key_arn); Grafana's and
  # ArgoCD's admin secrets are created there by the operator (aws secretsmanager
  # create-secret --kms-key-id <the secrets key>) before the third apply, never by Terraform.
  external_secrets_path_prefixes = ["${local.name}/"]
  external_secrets_secret_arns   = [module.database.db_master_user_secret_arn]
  external_secrets_kms_key_arns  = [module.hsm.kms_key_arns["secrets"], module.hsm.kms_key_arns["rds"]]
  grafana_admin_secret_name      = "${local.name}/grafana-admin"
  argocd_admin_secret_name       = "${local.name}/argocd"

  create_custom_resources = var.addons_custom_resources

  tags = local.tags
}
