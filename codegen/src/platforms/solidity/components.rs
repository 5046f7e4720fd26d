//! The solidity platform's component table (what each part of the platform document
//! became) and what was left out of the modules, with the reason.

use super::*;

pub(super) fn components() -> Vec<Component> {
    let c = Component::new;
    vec![
        c(
            "Compute",
            "EKS multi-AZ (3 AZs), managed node groups m5.large-m5.2xlarge",
            "compute",
            "`aws_eks_cluster`, `aws_eks_node_group`, `aws_launch_template`",
        ),
        c(
            "Compute",
            "Spot instances for non-critical workloads",
            "compute",
            "`aws_eks_node_group` (capacity_type SPOT)",
        ),
        c(
            "Compute",
            "Staging and production clusters",
            "examples/solidity",
            "`env/staging.tfvars`, `env/prod.tfvars`",
        ),
        c(
            "Compute",
            "ECR registries, image scanning, lifecycle policies, cross-region replication",
            "compute",
            "`aws_ecr_repository`, `aws_ecr_lifecycle_policy`, `aws_ecr_replication_configuration`",
        ),
        c(
            "Database",
            "RDS PostgreSQL 15 Multi-AZ, 30-day backups, KMS, Performance Insights, read replicas, db.r5",
            "database",
            "`aws_db_instance`, `aws_db_parameter_group`, `aws_db_subnet_group`",
        ),
        c(
            "Database",
            "ElastiCache Redis cluster mode, Multi-AZ failover, encryption in transit and at rest, backups",
            "database",
            "`aws_elasticache_replication_group`",
        ),
        c(
            "Storage",
            "S3: contract sources, analysis results, documentation site, replication, lifecycle, SSE-KMS",
            "storage",
            "`aws_s3_bucket` and its configuration resources",
        ),
        c(
            "Storage",
            "EFS shared storage for pods",
            "storage",
            "`aws_efs_file_system`, `aws_efs_mount_target`",
        ),
        c(
            "Storage, request flow",
            "CloudFront CDN and static website hosting for documentation",
            "storage, dns",
            "`aws_cloudfront_distribution`, `aws_cloudfront_origin_access_control`, `aws_route53_record`",
        ),
        c(
            "Networking",
            "VPC 10.0.0.0/16 (staging 10.1.0.0/16), public/private subnets in 3 AZs",
            "networking",
            "`aws_vpc`, `aws_subnet`",
        ),
        c(
            "Networking",
            "NAT gateways, internet gateway",
            "networking",
            "`aws_nat_gateway`, `aws_internet_gateway`",
        ),
        c(
            "Networking",
            "VPC flow logs, NACLs",
            "networking",
            "`aws_flow_log`, `aws_network_acl`",
        ),
        c(
            "Networking",
            "ALB: TLS termination, path-based routing, health checks",
            "load_balancer",
            "`aws_lb`, `aws_lb_listener`, `aws_lb_listener_rule`, `aws_lb_target_group`",
        ),
        c(
            "Networking",
            "WAF: OWASP Top 10, rate limiting, geographic blocking",
            "security",
            "`aws_wafv2_web_acl`",
        ),
        c(
            "Networking",
            "Route 53 DNS, health checks, failover, environment subdomains",
            "dns",
            "`aws_route53_zone`, `aws_route53_record`, `aws_route53_health_check`",
        ),
        c(
            "Security",
            "Security groups: ALB, EKS nodes, RDS, Redis, external services",
            "security",
            "`aws_security_group`, `aws_vpc_security_group_*_rule`",
        ),
        c(
            "Security",
            "IAM least privilege, IRSA, MFA enforcement",
            "security",
            "`aws_iam_role`, `aws_iam_group`, `aws_iam_group_policy`",
        ),
        c(
            "Security",
            "Secrets Manager with KMS and rotation (the RDS master password through write-only arguments into a secret replicated to the standby region)",
            "security, database",
            "`aws_secretsmanager_secret`, `aws_secretsmanager_secret_rotation`, `password_wo`, `secret_string_wo`",
        ),
        c(
            "Security",
            "KMS customer-managed keys per data type, rotation",
            "hsm",
            "`aws_kms_key`, `aws_kms_alias`",
        ),
        c(
            "Security",
            "ACM certificates, wildcard, automatic renewal",
            "certificates",
            "`aws_acm_certificate`, `aws_acm_certificate_validation`",
        ),
        c(
            "Monitoring",
            "CloudWatch metrics, alarms, log aggregation",
            "monitoring",
            "`aws_cloudwatch_metric_alarm`, `aws_cloudwatch_composite_alarm`, `aws_cloudwatch_log_group`",
        ),
        c(
            "Monitoring",
            "CloudTrail with S3 data events and CloudWatch integration",
            "security",
            "`aws_cloudtrail`",
        ),
        c(
            "Monitoring",
            "AWS Config compliance rules and inventory",
            "security",
            "`aws_config_configuration_recorder`, `aws_config_config_rule`",
        ),
        c(
            "Monitoring",
            "GuardDuty threat and malware detection, security response workflows",
            "security",
            "`aws_guardduty_detector`, `aws_guardduty_detector_feature`, `aws_cloudwatch_event_rule`",
        ),
        c(
            "Cost",
            "Budget alerts and anomaly detection",
            "monitoring",
            "`aws_budgets_budget`, `aws_ce_anomaly_monitor`",
        ),
        c(
            "Disaster recovery",
            "RDS/EFS backups, cross-region copy, RPO 5 minutes",
            "backup",
            "`aws_backup_plan`, `aws_backup_vault`, `aws_backup_selection`",
        ),
        c(
            "Scaling and performance",
            "Cluster Auto-scaler, Horizontal Pod Auto-scaler (resource metrics and custom metrics from Prometheus)",
            "addons, compute",
            "`helm_release` cluster-autoscaler on the security module's IRSA role; EKS add-on `metrics-server`; `helm_release` prometheus-adapter (custom.metrics.k8s.io)",
        ),
        c(
            "In-cluster components",
            "AWS Load Balancer Controller, External Secrets Operator (Secrets Manager), cert-manager (Let's Encrypt, Route 53 DNS-01)",
            "addons",
            "`helm_release`, IRSA `aws_iam_role` + `aws_iam_role_policy` from each controller's published policy, `ClusterSecretStore`, `ClusterIssuer`",
        ),
        c(
            "In-cluster components",
            "Istio (mTLS, ingress and egress control), Kiali",
            "addons",
            "`helm_release` (base, istiod, gateway, kiali-server), STRICT `PeerAuthentication`, REGISTRY_ONLY egress with a `ServiceEntry`",
        ),
        c(
            "In-cluster components",
            "Prometheus (persistent storage, federation), Grafana, Jaeger; ArgoCD (HA)",
            "addons",
            "`helm_release` (kube-prometheus-stack, grafana, jaeger, argo-cd), gp3 `kubernetes_storage_class_v1`, admin secrets by `ExternalSecret`",
        ),
        c(
            "Deployment",
            "Namespaces istio-system, monitoring-<env>, argocd-<env>, cert-manager-<env>, external-secrets-<env>, kube-system, security-platform, security-tools",
            "addons",
            "`kubernetes_namespace_v1`",
        ),
        c(
            "Disaster recovery",
            "Primary us-east-1, secondary us-west-2",
            "examples/solidity",
            "provider aliases `aws.primary` / `aws.secondary`",
        ),
        c(
            "Multi-region",
            "Each region: complete EKS cluster, RDS read replica for disaster recovery, S3 replicas, regional monitoring and logging",
            "examples/solidity (`standby.tf`)",
            "networking, security, compute, database (`replica_source`), certificates, load_balancer and monitoring with `aws.secondary`",
        ),
        c(
            "Multi-region",
            "Route 53 health-based routing between the regions",
            "dns",
            "`aws_route53_health_check` per region, `aws_route53_record` failover PRIMARY/SECONDARY",
        ),
    ]
}

pub(super) fn left_out() -> Vec<LeftOut> {
    let l = LeftOut::new;
    vec![
        l(
            "VPA, pod security policies",
            "Kubernetes objects of the workloads; the cluster autoscaler (addons) and metrics-server for the HPA (compute add-on) are in.",
        ),
        l(
            "Microservice deployments",
            "Application deployment, done by ArgoCD (addons module) into the namespaces the addons module creates.",
        ),
        l(
            "CloudFront caching of API responses",
            "The API answers per user and per analysis; the ALB serves it directly. CloudFront serves the static documentation site (storage module).",
        ),
        l(
            "EKS etcd backups, application state snapshots",
            "Managed EKS gives no etcd access; application state lives in RDS, Redis, S3 and EFS, which are backed up.",
        ),
        l(
            "Reserved instances, Trusted Advisor, right-sizing",
            "Purchasing and operational reviews, not resources.",
        ),
        l(
            "Cross-account access between environments",
            "Depends on the organization's account layout; each environment here is one state in one account, and IRSA covers service access.",
        ),
        l(
            "Automated remediation for AWS Config rules",
            "Remediation runs SSM automation documents chosen per finding; the module records and evaluates, operators pick remediations.",
        ),
        l(
            "SOC 2, ISO 27001, GDPR processes",
            "Organizational controls; the modules supply encryption, logging and access control.",
        ),
    ]
}
