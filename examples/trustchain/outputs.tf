output "vpc_id" {
  description = "ID of the IPv6-only VPC."
  value       = module.networking.vpc_id
}

output "name_servers" {
  description = "Delegate the domain to these name servers."
  value       = module.dns.name_servers
}

output "service_fqdns" {
  description = "FQDN of each TrustChain service."
  value       = module.dns.service_fqdns
}

output "cloudhsm_cluster_id" {
  description = "CloudHSM cluster ID (null in environments without CloudHSM)."
  value       = module.hsm.cluster_id
}

output "cloudhsm_cluster_csr" {
  description = "Cluster CSR to sign offline with the issuing CA (then set signed_cert_pem and trust_anchor_pem)."
  value       = module.hsm.cluster_csr
}

output "alert_topics" {
  description = "SNS topics receiving alarms."
  value       = module.monitoring.sns_topic_arns
}
