output "cluster_name" {
  description = "EKS cluster name (aws eks update-kubeconfig --name ...)."
  value       = module.compute.cluster_name
}

output "ecr_repository_urls" {
  description = "Where CI pushes each microservice image."
  value       = module.compute.ecr_repository_urls
}

output "service_account_role_arns" {
  description = "IRSA role ARNs to annotate the Kubernetes service accounts with."
  value       = module.security.service_account_role_arns
}

output "alb_target_group_arns" {
  description = "Target groups for the AWS Load Balancer Controller's TargetGroupBinding resources."
  value       = module.load_balancer.target_group_arns
}

output "db_endpoint" {
  description = "PostgreSQL endpoint."
  value       = module.database.db_endpoint
}

output "db_master_user_secret_arn" {
  description = "Secret holding the rotated master password."
  value       = module.database.db_master_user_secret_arn
}

output "redis_configuration_endpoint" {
  description = "Redis cluster-mode endpoint."
  value       = module.database.redis_configuration_endpoint
}

output "name_servers" {
  description = "Delegate the domain to these name servers."
  value       = module.dns.name_servers
}
