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
  description = "Secret holding the master credentials (External Secrets reads it)."
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

output "standby_cluster_name" {
  description = "EKS cluster of the standby stack in the secondary region."
  value       = module.compute_secondary.cluster_name
}

output "standby_db_instance_identifier" {
  description = "Cross-region read replica in the secondary region: the instance a failover promotes."
  value       = module.database_secondary.db_instance_identifier
}

output "standby_db_endpoint" {
  description = "Endpoint of the cross-region read replica (read-only until promoted)."
  value       = module.database_secondary.db_endpoint
}

output "standby_alb_dns_name" {
  description = "ALB of the standby stack, the SECONDARY target of the Route 53 failover records."
  value       = module.load_balancer_secondary.alb_dns_name
}
