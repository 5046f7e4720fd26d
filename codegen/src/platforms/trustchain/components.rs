//! The trustchain platform's component table (what each part of the platform document
//! became) and what was left out of the modules, with the reason.

use super::*;

pub(super) fn components() -> Vec<Component> {
    let c = Component::new;
    vec![
        c(
            "IPv6-Only Networking",
            "VPC with IPv6 CIDR, public/private subnets",
            "networking",
            "`trustchain_ipv6_network`",
        ),
        c(
            "IPv6-Only Networking",
            "Internet gateway, egress-only gateway, IPv6 route tables (multi-AZ)",
            "networking",
            "`trustchain_ipv6_network`",
        ),
        c(
            "IPv6-Only Networking",
            "Security groups (IPv6-only rules for the service ports)",
            "security",
            "`aws_security_group`, `aws_vpc_security_group_*_rule`",
        ),
        c(
            "High-Performance Compute",
            "c6g.4xlarge ARM instances, GP3 3,000 IOPS / 125 MB/s",
            "compute",
            "`aws_launch_template`",
        ),
        c(
            "High-Performance Compute",
            "Auto Scaling 2-6 instances, performance-based scaling",
            "compute",
            "`aws_autoscaling_group`, `aws_autoscaling_policy`",
        ),
        c(
            "High-Performance Compute",
            "Cluster placement group, enhanced networking (ENA is on for Graviton)",
            "compute",
            "`aws_placement_group`",
        ),
        c(
            "Load Balancing",
            "ALB for HTTPS 8443, 6962, 8445, 8446 with TLS 1.3",
            "load_balancer",
            "`aws_lb`, `aws_lb_listener`, `aws_lb_target_group`",
        ),
        c(
            "Load Balancing",
            "NLB for IPv6 UDP services 8853, 8444",
            "load_balancer",
            "`trustchain_quic_load_balancer`, `trustchain_quic_target`",
        ),
        c(
            "Load Balancing",
            "Health checks for all services",
            "load_balancer, dns",
            "target group health checks, `aws_route53_health_check`",
        ),
        c(
            "AWS CloudHSM",
            "FIPS 140-2 Level 3 cluster, HSMs in two AZs",
            "hsm",
            "`trustchain_cloudhsm_cluster`, `trustchain_cloudhsm_hsm`",
        ),
        c(
            "AWS CloudHSM",
            "Root CA / intermediate key storage (cluster initialization)",
            "hsm",
            "`trustchain_cloudhsm_cluster_initialization`",
        ),
        c(
            "AWS CloudHSM",
            "HSM audit logging",
            "hsm",
            "`aws_cloudwatch_log_group`",
        ),
        c(
            "Network Security",
            "WAF with rate limiting",
            "security",
            "`aws_wafv2_web_acl`, `aws_wafv2_web_acl_association` (load_balancer)",
        ),
        c(
            "Network Security",
            "Network ACLs",
            "security",
            "`aws_network_acl`",
        ),
        c(
            "Network Security",
            "VPC flow logs",
            "networking",
            "`aws_flow_log`",
        ),
        c(
            "Compliance",
            "GuardDuty threat detection",
            "security",
            "`aws_guardduty_detector`",
        ),
        c(
            "Security Automation",
            "Real-time security event notifications",
            "security",
            "`aws_cloudwatch_event_rule` (GuardDuty findings to SNS)",
        ),
        c(
            "Compliance",
            "Complete operational audit trails, access logging",
            "security, storage",
            "`aws_cloudtrail`, S3 access logs, ALB access logs",
        ),
        c(
            "Security Automation",
            "Automated compliance validation",
            "security",
            "`aws_config_configuration_recorder`, `aws_config_config_rule`",
        ),
        c(
            "Compliance",
            "AES-256 at rest (KMS), TLS 1.3 in transit",
            "hsm, storage, load_balancer",
            "`aws_kms_key`, SSE-KMS, `ssl_policy`",
        ),
        c(
            "Compliance",
            "7-year backup retention",
            "backup, storage",
            "`aws_backup_plan`, S3 lifecycle",
        ),
        c(
            "Storage",
            "S3 buckets: CT logs, certificates, configuration, backups",
            "storage",
            "`aws_s3_bucket` and its configuration resources",
        ),
        c(
            "Storage",
            "Cross-region replication",
            "storage",
            "`aws_s3_bucket_replication_configuration`",
        ),
        c(
            "Encryption",
            "Customer-managed KMS keys with automatic rotation",
            "hsm",
            "`aws_kms_key`, `aws_kms_alias`",
        ),
        c(
            "Monitoring",
            "CloudWatch dashboard, custom metrics",
            "monitoring",
            "`aws_cloudwatch_dashboard`",
        ),
        c(
            "Monitoring",
            "Alarms for <35 ms, <100 ms, 99.99%, 1,000 ops/s; composite alarm",
            "monitoring",
            "`aws_cloudwatch_metric_alarm`, `aws_cloudwatch_composite_alarm`",
        ),
        c(
            "Monitoring",
            "Log aggregation with retention",
            "monitoring",
            "`aws_cloudwatch_log_group`",
        ),
        c(
            "Monitoring",
            "X-Ray",
            "monitoring",
            "`aws_xray_sampling_rule`",
        ),
        c(
            "Alerting",
            "SNS e-mail and SMS alerts",
            "monitoring",
            "`aws_sns_topic`, `aws_sns_topic_subscription`",
        ),
        c(
            "Backup and DR",
            "6-hourly, daily, weekly schedules; cross-region copy",
            "backup",
            "`aws_backup_plan`, `aws_backup_vault`",
        ),
        c(
            "Backup and DR",
            "RPO 5 minutes (continuous backup), automated restore testing",
            "backup",
            "`aws_backup_plan`, `aws_backup_restore_testing_plan`",
        ),
        c(
            "Backup and DR",
            "Multi-region primary and backup region",
            "examples/trustchain",
            "provider aliases `aws.primary` / `aws.secondary`",
        ),
        c(
            "Integrations",
            "Route 53 DNS and health checks",
            "dns",
            "`aws_route53_zone`, `aws_route53_record`, `aws_route53_health_check`",
        ),
        c(
            "Integrations",
            "ACM certificates",
            "certificates",
            "`aws_acm_certificate`, `aws_acm_certificate_validation`",
        ),
        c(
            "Operations",
            "Remote state with locking",
            "examples/trustchain",
            "S3 backend with `use_lockfile = true`",
        ),
        c(
            "Operations",
            "Multi-environment dev, staging, production",
            "examples/trustchain",
            "`env/*.tfvars`",
        ),
    ]
}

pub(super) fn left_out() -> Vec<LeftOut> {
    let l = LeftOut::new;
    vec![
        l(
            "CloudHSM activation (admin password)",
            "A data-plane step (`cloudhsm-cli cluster activate`) with no AWS API; done once by an operator after apply.",
        ),
        l(
            "Keys inside CloudHSM (root CA, intermediates)",
            "Created by the CA software through PKCS#11 on the HSMs, not by AWS APIs.",
        ),
        l(
            "Failover procedures",
            "The document asks for manual failover; DNS records are plain aliases, not failover routing.",
        ),
        l(
            "Reserved instances",
            "A purchasing decision, not a resource; spot instances for development are `use_spot_instances` in compute (set in env/dev.tfvars).",
        ),
        l(
            "deploy.sh, deployment guide",
            "Replaced by the example root configuration and `terraform plan/apply` with per-environment tfvars.",
        ),
        l(
            "HyperMesh, Caesar, STOQ, Catalog integrations; CDN, EKS migration (roadmap)",
            "Application-level integrations and future work, not infrastructure described by the document.",
        ),
        l(
            "Security audit, penetration testing, SOC 2 / ISO 27001 processes",
            "Organizational processes; the modules supply the controls (encryption, logging, GuardDuty).",
        ),
    ]
}
