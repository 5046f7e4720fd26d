//! The solidity platform's modules: one function per generated module (its variables,
//! outputs, prose and HCL), plus the component table and what was left out.

use super::*;

pub(super) fn networking(s: &Spec) -> ModuleView {
    let n = &s.networking;
    ModuleBuilder::new(P, "networking", "Network", "VPC with public and private subnets in three Availability Zones, NAT gateways, a private network ACL and VPC flow logs.")
        .prose("The VPC carries an Amazon-provided IPv6 /56 and each public subnet a /64 from it, so the dual-stack ALB can answer IPv6 clients; nothing else uses IPv6. Public subnets hold the load balancers and NAT gateways (no public IPs are assigned on launch); private subnets hold EKS nodes, RDS, ElastiCache and EFS, and reach the internet through a NAT gateway in their own Availability Zone (or one shared gateway with `single_nat_gateway`, cheaper for development). Subnets carry the Kubernetes role tags the AWS Load Balancer Controller looks for.")
        .prose("EKS's VPC CNI gives each pod an address from its node's subnet, so the /24 private subnets would cap the cluster at about 750 pods across three zones. With `create_node_subnets` (on by default) the nodes run in a /18 per zone from a secondary VPC block (`node_ipv4_cidr`, 100.64.0.0/16), routed out through the zone's NAT gateway; databases, EFS and the EKS control plane ENIs stay in the /24s.")
        .prose("The private network ACL admits traffic from inside the VPC and replies on the ephemeral ports; flow logs record all traffic into an encrypted log group; the default security group is emptied.")
        .provider(aws_provider(&[]))
        .file("main.tf", "solidity/networking/main.tf")
        .with(|b| flow_logs(b, n.flow_log_retention_days, &n.flow_log_traffic_type))
        .var(name_var(32))
        .var(tags_var())
        .var(
            Variable::new("vpc_cidr", "string", "IPv4 block of the VPC (the document: 10.0.0.0/16 production, 10.1.0.0/16 staging).")
                .default(Hcl::str(&n.vpc_cidr))
                .validate("can(cidrhost(var.vpc_cidr, 0)) && tonumber(split(\"/\", var.vpc_cidr)[1]) >= 16 && tonumber(split(\"/\", var.vpc_cidr)[1]) <= 28", "vpc_cidr must be an IPv4 CIDR between /16 and /28 (an AWS VPC limit)."),
        )
        .var(string_list("availability_zones", "Availability Zones, one per public/private subnet pair.").validate("length(var.availability_zones) >= 2", "Give at least two Availability Zones."))
        .var(
            string_list("public_subnet_cidrs", "Public subnet blocks, one per Availability Zone in order.")
                .default(Hcl::strs(&n.public_subnet_cidrs))
                .validate("alltrue([for c in var.public_subnet_cidrs : can(cidrhost(c, 0))])", "public_subnet_cidrs must be IPv4 CIDR blocks."),
        )
        .var(
            string_list("private_subnet_cidrs", "Private subnet blocks, one per Availability Zone in order.")
                .default(Hcl::strs(&n.private_subnet_cidrs))
                .validate("alltrue([for c in var.private_subnet_cidrs : can(cidrhost(c, 0))])", "private_subnet_cidrs must be IPv4 CIDR blocks.")
                .validate("length(var.private_subnet_cidrs) == length(var.public_subnet_cidrs)", "Give as many private as public subnets."),
        )
        .var(Variable::new("create_node_subnets", "bool", "Put the EKS nodes, and so their pods' VPC CNI addresses, in a /18 per zone from node_ipv4_cidr instead of the /24 private subnets (about 750 pod addresses across three zones).").default(Hcl::Bool(true)))
        .var(
            Variable::new("node_ipv4_cidr", "string", "Secondary IPv4 /16 of the VPC for the node subnets (100.64.0.0/10 space is the usual choice: reachable only inside the VPC and through the NAT gateways).")
                .default(Hcl::str(&n.node_ipv4_cidr))
                .validate("can(cidrhost(var.node_ipv4_cidr, 0)) && tonumber(split(\"/\", var.node_ipv4_cidr)[1]) == 16", "node_ipv4_cidr must be an IPv4 /16 (four /18 node subnets).")
                .validate("var.node_ipv4_cidr == null || !var.create_node_subnets || length(var.availability_zones) <= 4", "node_ipv4_cidr holds node subnets for four Availability Zones."),
        )
        .var(Variable::new("single_nat_gateway", "bool", "One NAT gateway for all Availability Zones (cheaper, not zone-redundant).").default(Hcl::Bool(n.single_nat_gateway)))
        .var(Variable::new("cluster_name", "string", "EKS cluster name for the kubernetes.io/cluster subnet tag; null leaves it off.").default_null())
        .out("vpc_id", "aws_vpc.this.id", "ID of the VPC.")
        .out("vpc_arn", "aws_vpc.this.arn", "ARN of the VPC.")
        .out("vpc_cidr_block", "aws_vpc.this.cidr_block", "IPv4 block of the VPC.")
        .out("vpc_ipv6_cidr_block", "aws_vpc.this.ipv6_cidr_block", "Amazon-provided IPv6 block of the VPC (public subnets take /64s from it).")
        .out("public_subnet_ids", "aws_subnet.public[*].id", "IDs of the public subnets.")
        .out("private_subnet_ids", "aws_subnet.private[*].id", "IDs of the private subnets.")
        .out("node_subnet_ids", "var.create_node_subnets ? aws_subnet.nodes[*].id : aws_subnet.private[*].id", "IDs of the EKS node subnets (/18 per zone from node_ipv4_cidr; the private subnets without create_node_subnets).")
        .out("node_ipv4_cidr_block", "var.create_node_subnets ? var.node_ipv4_cidr : null", "Secondary IPv4 block of the node subnets.")
        .out("private_route_table_ids", "aws_route_table.private[*].id", "IDs of the private route tables.")
        .out("nat_gateway_ids", "aws_nat_gateway.this[*].id", "IDs of the NAT gateways.")
        .out("nat_public_ips", "aws_eip.nat[*].public_ip", "Public IPs of the NAT gateways (allow-list them at third parties).")
        .finish()
}

pub(super) fn security(s: &Spec) -> ModuleView {
    let sec = &s.security;
    ModuleBuilder::new(P, "security", "Security and identity", "Security groups for ALB, EKS nodes, RDS, Redis and external services; WAF with OWASP rules, rate limit and geo blocking; GuardDuty; AWS Config; CloudTrail; IRSA roles; Secrets Manager with rotation; MFA enforcement.")
        .prose("Security groups follow the document: the ALB takes HTTP/HTTPS from the internet, EKS nodes talk among themselves and take traffic from the ALB, RDS takes PostgreSQL and Redis takes its protocol from EKS nodes only, and the external-services group fronts interface endpoints reachable from the nodes only.")
        .prose("WAF evaluates a per-address rate limit, optional geographic blocking and the AWS managed rule groups (the Common rule set covers the OWASP Top 10). GuardDuty watches EKS audit logs, runtime, RDS logins, S3 and EBS. AWS Config records every resource type and evaluates managed rules; CloudTrail logs management events and S3 data events in all regions to an encrypted, validated audit bucket and to CloudWatch Logs. GuardDuty allows one detector and AWS Config one recorder and delivery channel per account and region, and the multi-region trail records the whole account: `create_guardduty_detector`, `create_config_recorder` and `create_cloudtrail` let exactly one configuration per account own them (the examples give that to one environment).")
        .prose("IAM roles for service accounts trust the cluster's OIDC provider for one namespace/service account each. The cluster autoscaler's role gets what it acts with (it scales this cluster's node groups); the CSI drivers' roles take AWS's managed policies; other roles take managed policies (`policy_arns`) or an inline `policy_json`. The AWS Load Balancer Controller, External Secrets and cert-manager get their roles from the addons module, which deploys them in its namespaces (External Secrets reads this module's secrets and the database credentials there). Secrets Manager secrets are encrypted with the secrets KMS key and rotate through the given Lambda function; the RDS master password is rotated by sending a new one (database module, `master_password_version`). Members of the administrators group must sign in with MFA to do anything else.")
        .provider(aws_provider(&[]))
        .file("security_groups.tf", "solidity/security/security_groups.tf")
        .with(|b| sec.common().module_parts(b, Some(&sec.waf_blocked_country_codes), &["EC2_AGENT_MANAGEMENT", "EKS_ADDON_MANAGEMENT"]))
        .file("iam.tf", "solidity/security/iam.tf")
        .file("irsa_policies.tf", "solidity/security/irsa_policies.tf")
        .file("secrets.tf", "solidity/security/secrets.tf")
        .var(name_var(32))
        .var(tags_var())
        .var(Variable::new("vpc_id", "string", "ID of the VPC."))
        .var(Variable::new("vpc_cidr_block", "string", "IPv4 block of the VPC."))
        .var(Variable::new("oidc_provider_arn", "string", "ARN of the EKS cluster's IAM OIDC provider (compute output oidc_provider_arn)."))
        .var(Variable::new("oidc_issuer_url", "string", "Issuer URL of the EKS cluster's OIDC provider (compute output oidc_issuer_url)."))
        .var(Variable::new("cluster_name", "string", "Name of the EKS cluster whose node groups the cluster autoscaler may scale (compute output cluster_name); null uses name.").default_null())
        .var(
            Variable::new("service_accounts", "map(object({\n  namespace       = string\n  service_account = string\n  policy_arns     = optional(list(string), [])\n  policy_json     = optional(string)\n}))", "IAM roles for service accounts by role suffix: the Kubernetes service account that may assume it, managed policies to attach and an optional inline policy (JSON). The role named cluster-autoscaler gets what that controller needs, the role named ebs-csi-driver the use of ebs_kms_key_arn (the addons module makes the other controllers' roles).")
                .default(Hcl::from_serialize(&sec.service_accounts)),
        )
        .var(string_list("secrets", "Secrets Manager secrets to create (values are set outside Terraform).").default(Hcl::strs(&sec.secrets)))
        .var(Variable::new("secret_recovery_window_days", "number", "Days a deleted secret can still be restored.").default(Hcl::num(sec.secret_recovery_window_days)).validate("var.secret_recovery_window_days >= 7 && var.secret_recovery_window_days <= 30", "Secrets Manager recovery windows are 7 to 30 days."))
        .var(Variable::new("secret_rotation_days", "number", "Days between automatic rotations of the secrets.").default(Hcl::num(sec.secret_rotation_days)).validate("var.secret_rotation_days >= 1 && var.secret_rotation_days <= 1000", "Rotation intervals are 1 to 1000 days."))
        .var(Variable::new("rotation_lambda_arn", "string", "Lambda function that rotates the secrets; null creates the secrets without rotation.").default_null())
        .var(kms_key_var("secrets_kms_key_arn", "the Secrets Manager secrets"))
        .var(kms_key_var("ebs_kms_key_arn", "the EBS volumes the EBS CSI driver creates (the addons module's gp3 StorageClass kmsKeyId; the compute module's ebs_kms_key_arn): the ebs-csi-driver role may use it, as AmazonEBSCSIDriverPolicy does not let it"))
        .out("alb_security_group_id", "aws_security_group.this[\"alb\"].id", "Security group of the ALB.")
        .out("eks_node_security_group_id", "aws_security_group.this[\"eks_nodes\"].id", "Security group of the EKS nodes.")
        .out("rds_security_group_id", "aws_security_group.this[\"rds\"].id", "Security group of RDS PostgreSQL.")
        .out("redis_security_group_id", "aws_security_group.this[\"redis\"].id", "Security group of ElastiCache Redis.")
        .out("external_services_security_group_id", "aws_security_group.this[\"external_services\"].id", "Security group for interface endpoints of external services.")
        .out("web_acl_arn", "aws_wafv2_web_acl.this.arn", "ARN of the WAF web ACL.")
        .out("service_account_role_arns", "{ for k, r in aws_iam_role.service_account : k => r.arn }", "IRSA role ARNs by role suffix (annotate the service accounts with them).")
        .out("secret_arns", "{ for k, sec in aws_secretsmanager_secret.this : k => sec.arn }", "Secrets Manager secret ARNs by name.")
        .out("administrators_group_name", "aws_iam_group.administrators.name", "IAM group whose members must use MFA.")
        .finish()
}

pub(super) fn compute(s: &Spec) -> ModuleView {
    let c = &s.compute;
    ModuleBuilder::new(P, "compute", "EKS and container registry", "EKS cluster across three Availability Zones with managed on-demand and spot node groups, add-ons, the IRSA OIDC provider and ECR repositories with scanning, lifecycle policies and cross-region replication.")
        .prose("The cluster API endpoint is private by default, Kubernetes secrets are envelope-encrypted with the EKS KMS key, and all five control-plane log types go to an encrypted log group. Access uses EKS access entries (API authentication mode).")
        .prose("Pods take addresses from their node's subnet (EKS's VPC CNI): the nodes run in the networking module's /18 node subnets (`node_subnet_ids`), and prefix delegation (`vpc_cni_prefix_delegation`, on by default) lets each node hold /28 prefixes, up to 110 pods, instead of its secondary-IP limit. The networking add-ons (VPC CNI, kube-proxy, Pod Identity agent) are configured before the first node joins, so every node boots with the prefix-delegation pod limit.")
        .prose("Node groups come from `node_groups`: the general group runs m5.large to m5.2xlarge on demand, the spot group the same sizes on spot capacity with a `spot=true:NoSchedule` taint so only tolerant (non-critical) workloads land there. Nodes launch from a template that enforces IMDSv2 with one hop and encrypted gp3 volumes. The cluster autoscaler (in-cluster software) scales the groups between their sizes.")
        .prose("Every microservice gets a private ECR repository: immutable tags, scan on push, KMS encryption and a lifecycle policy; the registry replicates to the secondary region, where the standby's compute module creates the same repositories (`ecr_repository_prefix` = the primary's name) before any image arrives: ECR replicates into an existing repository of the same name and keeps that repository's settings, so the replicas are KMS-encrypted with the secondary region's key, immutable, in repositories with scan on push, and expire by the same lifecycle policy. The replication configuration is one per account and region and covers every repository, so `create_ecr_replication_configuration` lets one configuration per account own it.")
        .provider(aws_provider(&[]))
        .file("eks.tf", "solidity/compute/eks.tf")
        .file("node_groups.tf", "solidity/compute/node_groups.tf")
        .file("ecr.tf", "solidity/compute/ecr.tf")
        .var(name_var(32))
        .var(tags_var())
        .var(Variable::new("kubernetes_version", "string", "Kubernetes minor version of the cluster.").default(Hcl::str(&c.kubernetes_version)).validate("can(regex(\"^1\\\\.[0-9]+$\", var.kubernetes_version))", "Use a Kubernetes minor version such as 1.35."))
        .var(string_list("subnet_ids", "Private subnets for the control plane ENIs and the nodes, one per Availability Zone.").validate("length(var.subnet_ids) >= 2", "EKS needs subnets in at least two Availability Zones."))
        .var(Variable::new("node_security_group_id", "string", "Security group for the nodes (security module output eks_node_security_group_id)."))
        .var(string_list("node_subnet_ids", "Subnets for the nodes, one per zone (networking output node_subnet_ids: /18s, so pods have addresses to take); null uses subnet_ids.").default_null())
        .var(Variable::new("vpc_cni_prefix_delegation", "bool", "VPC CNI prefix delegation: each node takes /28 prefixes for its pods and runs up to 110 of them instead of its secondary-IP limit.").default(Hcl::Bool(true)))
        .var(Variable::new("endpoint_public_access", "bool", "Expose the Kubernetes API endpoint publicly (it is always reachable privately).").default(Hcl::Bool(c.endpoint_public_access)))
        .var(string_list("public_access_cidrs", "CIDR blocks allowed to reach a public API endpoint.").default(Hcl::List(Vec::new())))
        .var(
            Variable::new("node_groups", "map(object({\n  instance_types = list(string)\n  capacity_type  = string\n  min_size       = number\n  max_size       = number\n  desired_size   = number\n  disk_size      = optional(number, 100)\n  taint          = optional(string)\n  labels         = optional(map(string), {})\n}))", "Managed node groups; a taint name adds <taint>=true:NoSchedule and a matching label. null keeps the default groups.")
                .default(Hcl::from_serialize(&c.node_groups))
                .non_nullable()
                .validate("alltrue([for g in values(var.node_groups) : contains([\"ON_DEMAND\", \"SPOT\"], g.capacity_type)])", "capacity_type must be ON_DEMAND or SPOT.")
                .validate("alltrue([for g in values(var.node_groups) : g.min_size <= g.desired_size && g.desired_size <= g.max_size])", "Each node group needs min_size <= desired_size <= max_size."),
        )
        .var(string_list("addons", "EKS add-ons to install at their default version for the cluster.").default(Hcl::strs(&c.addons)))
        .var(
            Variable::new("addon_service_account_role_arns", "map(string)", "IRSA role per add-on name (the CSI drivers need one: pods cannot reach the node role through IMDS with one hop).")
                .default(Hcl::object(Vec::<(String, Hcl)>::new())),
        )
        .var(log_retention_var("cluster_log_retention_days", "EKS control-plane logs", c.cluster_log_retention_days))
        .var(string_list("ecr_repositories", "ECR repositories, one per microservice image.").default(Hcl::strs(&c.ecr_repositories)))
        .var(Variable::new("ecr_keep_tagged_images", "number", "Tagged images kept per repository; older ones expire.").default(Hcl::num(c.ecr_keep_tagged_images)).validate("var.ecr_keep_tagged_images >= 1", "Keep at least one image."))
        .var(Variable::new("ecr_untagged_expiry_days", "number", "Days before untagged images expire.").default(Hcl::num(c.ecr_untagged_expiry_days)).validate("var.ecr_untagged_expiry_days >= 1", "Use at least one day."))
        .var(Variable::new("ecr_repository_prefix", "string", "Prefix of the repository names (<prefix>/<service>); null uses name. The standby region's compute module passes the primary's name, so ECR replicates into repositories this module created with its own KMS key, scanning, immutability and lifecycle.").default_null())
        .var(Variable::new("ecr_replication_region", "string", "Region ECR replicates every repository to; null turns replication off.").default_null())
        .var(Variable::new("create_ecr_replication_configuration", "bool", "Create the registry's replication configuration. ECR keeps one per account and region and it covers every repository: exactly one configuration per account sets this.").default(Hcl::Bool(true)))
        .var(kms_key_var("eks_kms_key_arn", "Kubernetes secrets"))
        .var(kms_key_var("ebs_kms_key_arn", "node volumes"))
        .var(kms_key_var("ecr_kms_key_arn", "ECR images"))
        .var(kms_key_var("log_kms_key_arn", "the control-plane log group"))
        .out("cluster_name", "aws_eks_cluster.this.name", "Name of the EKS cluster.")
        .out("cluster_arn", "aws_eks_cluster.this.arn", "ARN of the EKS cluster.")
        .out("cluster_endpoint", "aws_eks_cluster.this.endpoint", "Kubernetes API endpoint.")
        .out("cluster_certificate_authority_data", "aws_eks_cluster.this.certificate_authority[0].data", "Base64 CA certificate of the cluster.")
        .out("cluster_security_group_id", "aws_eks_cluster.this.vpc_config[0].cluster_security_group_id", "Security group EKS created for the control plane.")
        .out("oidc_provider_arn", "aws_iam_openid_connect_provider.this.arn", "ARN of the IAM OIDC provider (IRSA).")
        .out("oidc_issuer_url", "aws_eks_cluster.this.identity[0].oidc[0].issuer", "OIDC issuer URL of the cluster.")
        .out("node_role_arn", "aws_iam_role.node.arn", "ARN of the node IAM role.")
        .out("node_group_arns", "{ for k, g in aws_eks_node_group.this : k => g.arn }", "Node group ARNs by name.")
        .out("ecr_repository_urls", "{ for k, r in aws_ecr_repository.this : k => r.repository_url }", "ECR repository URLs by service.")
        .finish()
}

pub fn kms_users_solidity() -> KmsUsers {
    vec![
        ("backup", vec!["backup.amazonaws.com"], vec![]),
        ("ecr", vec!["ecr.amazonaws.com"], vec![]),
        ("efs", vec!["elasticfilesystem.amazonaws.com"], vec![]),
        (
            "eks",
            vec!["eks.amazonaws.com"],
            vec![crate::platforms::shared::ASG_SERVICE_ROLE],
        ),
        (
            "logs",
            vec!["cloudtrail.amazonaws.com", "logs.{region}.amazonaws.com"],
            vec![],
        ),
        (
            "rds",
            vec!["monitoring.rds.amazonaws.com", "rds.amazonaws.com"],
            vec![],
        ),
        ("redis", vec!["elasticache.amazonaws.com"], vec![]),
        // CloudFront reads the KMS-encrypted documentation site through origin access control.
        (
            "s3",
            vec!["cloudfront.amazonaws.com", "s3.amazonaws.com"],
            vec![],
        ),
        ("secrets", vec!["secretsmanager.amazonaws.com"], vec![]),
        (
            "sns",
            vec![
                "budgets.amazonaws.com",
                "cloudwatch.amazonaws.com",
                "costalerts.amazonaws.com",
                "events.amazonaws.com",
                "sns.amazonaws.com",
            ],
            vec![],
        ),
    ]
}

pub(super) fn hsm(s: &Spec) -> ModuleView {
    let h = &s.hsm;
    ModuleBuilder::new(P, "hsm", "KMS keys", "Customer-managed KMS keys, one per data type (EKS secrets, RDS, Redis, S3, EFS, logs, secrets, ECR, backup, SNS), with automatic rotation.")
        .prose("The document keeps separate keys for different data types; each key's policy leaves administration to the account (IAM policies decide who may use it) and lets the AWS service that stores that data type use it, on behalf of this account only (an aws:SourceAccount condition; CloudWatch Logs by its log-group encryption context). Rotation is automatic; deletion waits out the deletion window. The platform has no CloudHSM: KMS is its key store. Roles named in `iam_role_names` (the Auto Scaling service-linked role, which launches instances with encrypted volumes) are matched by an aws:PrincipalArn condition, not named as principals: KMS refuses a key policy whose principals do not exist yet, and a fresh account has no service-linked role until its service creates it.")
        .provider(aws_provider(&[]))
        .file("main.tf", "shared/kms.tf")
        .var(name_var(32))
        .var(tags_var())
        .vars(kms_vars(&h.kms_keys, h.key_rotation_period_days, h.key_deletion_window_days, &kms_users_solidity()))
        .with(kms_outputs)
        .finish()
}

pub(super) fn database(s: &Spec) -> ModuleView {
    let d = &s.database;
    ModuleBuilder::new(P, "database", "Databases", "RDS PostgreSQL 15 Multi-AZ (db.r5) with read replicas, 30-day backups and Performance Insights; ElastiCache Redis in cluster mode, Multi-AZ, encrypted in transit and at rest.")
        .prose("PostgreSQL runs Multi-AZ with encrypted gp3 storage that grows up to `max_allocated_storage`, a master password sent through write-only arguments (an ephemeral input, never in state or plan; bump `master_password_version` to rotate it) to the instance and to a KMS-encrypted Secrets Manager secret the applications read through External Secrets, optionally replicated to other regions (`master_secret_replicas`; RDS cannot manage the password itself: it creates no read replicas of an instance whose password it manages), IAM authentication, TLS enforced through the parameter group, enhanced monitoring, Performance Insights, logs exported to CloudWatch, deletion protection and a final snapshot. Read replicas serve read-heavy workloads.")
        .prose("Redis runs in cluster mode (sharded) with a replica per shard in another Availability Zone, automatic failover, encryption at rest with the Redis KMS key and TLS required in transit, an AUTH token sent through a write-only argument (an ephemeral input, never in state or plan; bump `redis_auth_token_version` to rotate it), daily snapshots and slow logs in CloudWatch.")
        .prose("With `replica_source` (the ARN of the primary instance in another region) the instance is a cross-region read replica for the standby region: encrypted with `rds_kms_key_arn`, which must be a key of the replica's region (KMS keys are regional), Multi-AZ, with its own parameter group, subnet group and automated backups, no master credentials of its own (they replicate from the source, and RDS refuses them on a replica) and no final snapshot (RDS takes none of a read replica). The source needs automated backups (its `backup_retention_days`), the same engine and an encrypted source for an encrypted replica. Removing `replica_source` promotes it to a standalone primary (with `master_password` then: the module writes its secret and sends the password, the source's, again).")
        .prose("The instance is tagged for AWS Backup, whose continuous rule (the backup module) takes over its automated backups and sets their retention and window: the module creates them with `backup_retention_days` and leaves later changes to AWS Backup, so the two never fight.")
        .provider(aws_provider(&[]))
        .file("rds.tf", "solidity/database/rds.tf")
        .file("redis.tf", "solidity/database/redis.tf")
        .var(name_var(32))
        .var(tags_var())
        .var(string_list("subnet_ids", "Private subnets for the database subnet groups."))
        .var(Variable::new("rds_security_group_id", "string", "Security group of RDS (security module output)."))
        .var(Variable::new("redis_security_group_id", "string", "Security group of Redis (security module output)."))
        .var(Variable::new("engine_version", "string", "PostgreSQL major version.").default(Hcl::str(&d.engine_version)))
        .var(Variable::new("instance_class", "string", "Instance class of the primary (the document: db.r5.large to db.r5.2xlarge).").default(Hcl::str(&d.instance_class)).validate("startswith(var.instance_class, \"db.\")", "RDS instance classes start with db."))
        .var(Variable::new("replica_instance_class", "string", "Instance class of the read replicas.").default(Hcl::str(&d.replica_instance_class)))
        .var(Variable::new("replica_source", "object({\n  db_instance_arn = string\n})", "Primary instance in another region (its ARN): the instance becomes its cross-region read replica (the standby region), encrypted with rds_kms_key_arn, a key of this region. Engine, version, storage and credentials come from the source; null creates a primary. An object, so that whether it is set is known at plan time before the source exists.").default_null().validate("var.replica_source == null || can(regex(\"^arn:aws[a-z-]*:rds:[a-z0-9-]+:[0-9]{12}:db:\", try(var.replica_source.db_instance_arn, \"\")))", "replica_source.db_instance_arn must be the ARN of the source DB instance (arn:aws:rds:<region>:<account>:db:<id>): a cross-region replica names its source by ARN."))
        .var(Variable::new("read_replica_count", "number", "Read replicas in this region.").default(Hcl::num(d.read_replica_count)).validate("var.read_replica_count >= 0 && var.read_replica_count <= 15", "RDS allows up to 15 read replicas."))
        .var(Variable::new("allocated_storage", "number", "Initial storage in GiB.").default(Hcl::num(d.allocated_storage)).validate("var.allocated_storage >= 20", "gp3 storage starts at 20 GiB."))
        .var(Variable::new("max_allocated_storage", "number", "Upper bound for storage autoscaling in GiB.").default(Hcl::num(d.max_allocated_storage)).validate("var.max_allocated_storage >= var.allocated_storage", "max_allocated_storage must be at least allocated_storage."))
        .var(Variable::new("backup_retention_days", "number", "Days RDS keeps automated backups.").default(Hcl::num(d.backup_retention_days)).validate("var.backup_retention_days >= 1 && var.backup_retention_days <= 35", "RDS keeps automated backups 1 to 35 days."))
        .var(Variable::new("performance_insights_retention_days", "number", "Days Performance Insights keeps data.").default(Hcl::num(d.performance_insights_retention_days)).validate("var.performance_insights_retention_days == 7 || var.performance_insights_retention_days == 731 || (var.performance_insights_retention_days % 31 == 0 && var.performance_insights_retention_days <= 713)", "Use 7, a multiple of 31 up to 713, or 731 days."))
        .var(Variable::new("monitoring_interval", "number", "Seconds between enhanced monitoring samples.").default(Hcl::num(d.monitoring_interval)).validate("contains([1, 5, 10, 15, 30, 60], var.monitoring_interval)", "Use 1, 5, 10, 15, 30 or 60 seconds."))
        .var(Variable::new("database_name", "string", "Name of the initial database.").default(Hcl::str(&d.database_name)))
        .var(Variable::new("master_username", "string", "Master user name.").default(Hcl::str(&d.master_username)))
        .var(Variable::new("master_password", "string", "Master password (8-128 printable ASCII characters except /, \", @ and space). Ephemeral and sent only through write-only arguments (the instance and the module's Secrets Manager secret): never stored in state or plan. Pass it from a secret store; null only on a cross-region replica, which takes its source's.").sensitive().ephemeral().default_null().validate("var.master_password == null || (length(coalesce(var.master_password, \"-\")) >= 8 && length(coalesce(var.master_password, \"-\")) <= 128 && !can(regex(\"[/\\\"@ ]\", coalesce(var.master_password, \"-\"))))", "The master password is 8 to 128 printable ASCII characters without /, \", @ or space (RDS for PostgreSQL).").validate("var.master_password != null || var.replica_source != null", "A primary instance needs master_password (a cross-region replica, with replica_source, takes its source's)."))
        .var(Variable::new("master_password_version", "number", "Bump to send a new master_password to the instance and the secret (write-only arguments are not diffed).").default(Hcl::num(1)))
        .var(Variable::new("master_secret_replicas", "map(string)", "Regions the master credentials secret is replicated to, each with the KMS key (of that region) that encrypts the replica: the standby region's External Secrets reads it there.").default(Hcl::object(Vec::<(String, Hcl)>::new())))
        .var(log_retention_var("log_retention_days", "PostgreSQL and Redis logs", d.log_retention_days))
        .var(Variable::new("redis_engine_version", "string", "Redis engine version.").default(Hcl::str(&d.redis_engine_version)))
        .var(Variable::new("redis_node_type", "string", "Redis node type (the document: cache.r6g.large to cache.r6g.xlarge).").default(Hcl::str(&d.redis_node_type)).validate("startswith(var.redis_node_type, \"cache.\")", "ElastiCache node types start with cache."))
        .var(Variable::new("redis_num_node_groups", "number", "Shards of the Redis cluster.").default(Hcl::num(d.redis_num_node_groups)).validate("var.redis_num_node_groups >= 1 && var.redis_num_node_groups <= 500", "Use 1 to 500 shards."))
        .var(Variable::new("redis_replicas_per_node_group", "number", "Replicas per shard; Multi-AZ failover needs at least one.").default(Hcl::num(d.redis_replicas_per_node_group)).validate("var.redis_replicas_per_node_group >= 1 && var.redis_replicas_per_node_group <= 5", "Use 1 to 5 replicas per shard."))
        .var(Variable::new("redis_snapshot_retention_days", "number", "Days ElastiCache keeps daily snapshots.").default(Hcl::num(d.redis_snapshot_retention_days)).validate("var.redis_snapshot_retention_days >= 1 && var.redis_snapshot_retention_days <= 35", "ElastiCache keeps snapshots 1 to 35 days."))
        .var(Variable::new("redis_auth_token", "string", "Redis AUTH token (16-128 printable characters). Ephemeral and sent through a write-only argument: never stored in state or plan. Pass it from a secret store, never from a file in version control.").sensitive().ephemeral().validate("length(var.redis_auth_token) >= 16 && length(var.redis_auth_token) <= 128", "The AUTH token is 16 to 128 characters."))
        .var(Variable::new("redis_auth_token_version", "number", "Bump to send a new redis_auth_token (write-only arguments are not diffed).").default(Hcl::num(1)))
        .var(Variable::new("deletion_protection", "bool", "Protect the database from deletion.").default(Hcl::Bool(true)))
        .var(kms_key_var("rds_kms_key_arn", "RDS storage, Performance Insights and the master password secret"))
        .var(kms_key_var("redis_kms_key_arn", "Redis data at rest"))
        .var(kms_key_var("log_kms_key_arn", "the database log groups"))
        .out("db_instance_identifier", "aws_db_instance.this.identifier", "Identifier of the primary instance.")
        .out("db_instance_arn", "aws_db_instance.this.arn", "ARN of the primary instance (source for a cross-region replica).")
        .out("db_endpoint", "aws_db_instance.this.endpoint", "Endpoint (host:port) of the primary.")
        .out("db_replica_endpoints", "aws_db_instance.replica[*].endpoint", "Endpoints of the read replicas.")
        .out("db_replica_identifiers", "aws_db_instance.replica[*].identifier", "Identifiers of the read replicas.")
        .out("db_master_user_secret_arn", "one(aws_secretsmanager_secret.master[*].arn)", "Secrets Manager secret holding the master credentials (username, password) for External Secrets; null on a cross-region replica, whose source's secret (or its replica in this region) holds them.")
        .out("db_master_user_secret_replica_arns", "{ for r in keys(var.master_secret_replicas) : r => replace(one(aws_secretsmanager_secret.master[*].arn), \":${data.aws_region.current.region}:\", \":${r}:\") }", "ARNs of the secret's replicas by region (a replica's ARN is the primary secret's with its region).")
        .out("redis_configuration_endpoint", "aws_elasticache_replication_group.this.configuration_endpoint_address", "Cluster-mode configuration endpoint of Redis.")
        .out("redis_replication_group_id", "aws_elasticache_replication_group.this.id", "ID of the Redis replication group.")
        .out("redis_member_cluster_ids", "sort(aws_elasticache_replication_group.this.member_clusters)", "IDs of the Redis member clusters (one per node), sorted: the CacheClusterId dimension of ElastiCache's CloudWatch metrics, which are published per node and never by replication group.")
        .finish()
}

pub(super) fn storage(s: &Spec) -> ModuleView {
    let st = &s.storage;
    ModuleBuilder::new(P, "storage", "Storage", "S3 buckets for contract sources, analysis reports and the documentation site (KMS, versioning, lifecycle, cross-region replication), the CloudFront distribution serving the documentation, and EFS shared storage for pods.")
        .prose("Buckets are private, versioned, KMS-encrypted, TLS-only, log access to the access-log bucket, move objects to cheaper classes over time and replicate to the secondary region (provider alias `aws.replica`). The documentation bucket keeps its objects (no expiry) and is served by a CloudFront distribution (HTTP/2 and 3, IPv6, TLS 1.2+, HSTS and other security headers) that reads it through origin access control; the bucket policy admits only that distribution, and the `s3` KMS key of the hsm module lets CloudFront decrypt for this account (without that grant every object would answer 403).")
        .prose("EFS holds analysis workspaces and temporary files shared by pods: encrypted with the EFS KMS key, elastic throughput, idle files moved to Infrequent Access, a mount target in every private subnet reachable from the EKS nodes only, an access policy that allows mounting through the mount targets over TLS only, and backups by the backup module's plan (EFS's own automatic backups are off, so one plan owns them).")
        .provider(aws_provider(&["aws.replica"]))
        .with(|b| s3_buckets(b, Hcl::from_serialize(&st.buckets), st.noncurrent_version_expiration_days, st.enable_replication))
        .file("efs.tf", "solidity/storage/efs.tf")
        .file("docs_site.tf", "solidity/storage/docs_site.tf")
        .feature("docs_site")
        .var(name_var(40))
        .var(tags_var())
        .var(string_list("efs_subnet_ids", "Private subnets that get an EFS mount target."))
        .var(Variable::new("vpc_id", "string", "ID of the VPC (for the EFS security group)."))
        .var(string_list("efs_client_security_group_ids", "Security groups allowed to mount EFS (the EKS nodes)."))
        .var(Variable::new("efs_throughput_mode", "string", "EFS throughput mode.").default(Hcl::str(&st.efs_throughput_mode)).validate("contains([\"bursting\", \"elastic\", \"provisioned\"], var.efs_throughput_mode)", "Use bursting, elastic or provisioned."))
        .var(Variable::new("efs_transition_to_ia", "string", "When idle files move to EFS Infrequent Access.").default(Hcl::str(&st.efs_transition_to_ia)))
        .var(kms_key_var("efs_kms_key_arn", "the EFS file system"))
        .var(Variable::new("enable_docs_site", "bool", "Serve docs_site_bucket through CloudFront (the document's CDN and static documentation site).").default(Hcl::Bool(true)))
        .var(
            Variable::new("docs_site_bucket", "string", "Key of the bucket holding the documentation site.")
                .default(Hcl::str(&st.docs_site_bucket))
                .validate("contains(keys(var.buckets), var.docs_site_bucket)", "docs_site_bucket must be a key of buckets."),
        )
        .var(Variable::new("docs_domain_name", "string", "Host name of the documentation site (an alias of the distribution).").default_null())
        .var(
            Variable::new("docs_certificate_arn", "string", "ACM certificate for docs_domain_name; CloudFront only takes certificates from us-east-1.")
                .default_null()
                .validate("var.docs_certificate_arn == null || strcontains(coalesce(var.docs_certificate_arn, \"-\"), \":us-east-1:\")", "CloudFront certificates must come from ACM in us-east-1."),
        )
        .var(Variable::new("docs_web_acl_arn", "string", "WAF web ACL with CLOUDFRONT scope (created in us-east-1) for the documentation site; null attaches none.").default_null())
        .out("docs_distribution_domain_name", "one(aws_cloudfront_distribution.docs[*].domain_name)", "CloudFront domain of the documentation site (alias target).")
        .out("docs_distribution_hosted_zone_id", "one(aws_cloudfront_distribution.docs[*].hosted_zone_id)", "Route 53 zone ID of the distribution (alias records).")
        .out("efs_file_system_id", "aws_efs_file_system.this.id", "ID of the EFS file system (for the EFS CSI driver).")
        .out("efs_file_system_arn", "aws_efs_file_system.this.arn", "ARN of the EFS file system.")
        .out("efs_security_group_id", "aws_security_group.efs.id", "Security group of the EFS mount targets.")
        .finish()
}

pub(super) fn load_balancer(s: &Spec) -> ModuleView {
    let lb = &s.load_balancer;
    ModuleBuilder::new(P, "load_balancer", "Load balancing", "Internet-facing ALB with TLS termination, HTTP-to-HTTPS redirect, path-based routing to IP target groups and WAF.")
        .prose("The ALB (dual-stack) terminates TLS with the ACM wildcard certificate, redirects HTTP to HTTPS, drops invalid headers, has deletion protection and access logs, and routes by path: `/api/*` to the API service, `/ws/*` to the WebSocket notification service, everything else to the UI. Target groups use IP targets so the AWS Load Balancer Controller binds pods to them with `TargetGroupBinding` resources; the controller itself is in-cluster software.")
        .provider(aws_provider(&[]))
        .file("main.tf", "solidity/load_balancer/main.tf")
        .var(name_var(24))
        .var(tags_var())
        .var(Variable::new("vpc_id", "string", "ID of the VPC."))
        .var(string_list("subnet_ids", "Public subnets for the ALB."))
        .var(string_list("security_group_ids", "Security groups of the ALB."))
        .var(Variable::new("certificate_arn", "string", "ACM certificate of the HTTPS listener."))
        .var(Variable::new("associate_web_acl", "bool", "Associate web_acl_arn with the ALB (a switch, because the ARN is usually unknown until apply).").default(Hcl::Bool(true)))
        .var(Variable::new("web_acl_arn", "string", "WAF web ACL to associate with the ALB.").default_null())
        .var(Variable::new("enable_access_logs", "bool", "Write ALB access logs to access_logs_bucket.").default(Hcl::Bool(true)))
        .var(Variable::new("access_logs_bucket", "string", "S3 bucket (SSE-S3) receiving ALB access logs under alb/<name>/.").default_null())
        .var(Variable::new("ssl_policy", "string", "TLS policy of the HTTPS listener.").default(Hcl::str(&lb.ssl_policy)))
        .var(Variable::new("idle_timeout", "number", "Idle timeout in seconds (WebSockets stay open while traffic flows).").default(Hcl::num(lb.idle_timeout)).validate("var.idle_timeout >= 1 && var.idle_timeout <= 4000", "idle_timeout is 1-4000 seconds."))
        .var(
            Variable::new("targets", "map(object({\n  port              = number\n  health_check_path = string\n  path_patterns     = list(string)\n  priority          = number\n}))", "IP target groups by service; path_patterns route to them (rules ordered by priority), the default target takes the rest.")
                .default(Hcl::from_serialize(&lb.targets))
                .validate("alltrue([for t in values(var.targets) : t.port >= 1 && t.port <= 65535])", "Ports are 1-65535."),
        )
        .var(Variable::new("default_target", "string", "Target that receives requests no path pattern matches.").default(Hcl::str(&lb.default_target)).validate("contains(keys(var.targets), var.default_target)", "default_target must be a key of targets."))
        .var(Variable::new("enable_deletion_protection", "bool", "Protect the ALB from deletion.").default(Hcl::Bool(true)))
        .out("alb_arn", "aws_lb.this.arn", "ARN of the ALB.")
        .out("alb_arn_suffix", "aws_lb.this.arn_suffix", "ARN suffix of the ALB (CloudWatch dimension).")
        .out("alb_dns_name", "aws_lb.this.dns_name", "DNS name of the ALB.")
        .out("alb_zone_id", "aws_lb.this.zone_id", "Route 53 zone ID of the ALB.")
        .out("target_group_arns", "{ for k, tg in aws_lb_target_group.this : k => tg.arn }", "Target group ARNs by service (for TargetGroupBinding).")
        .out("https_listener_arn", "aws_lb_listener.https.arn", "ARN of the HTTPS listener.")
        .finish()
}

pub(super) fn dns(s: &Spec) -> ModuleView {
    let d = &s.dns;
    ModuleBuilder::new(P, "dns", "DNS", "Route 53 hosted zone with A/AAAA alias records, health checks and failover routing between the primary and secondary region.")
        .prose("Each host name (and the apex) points at the primary region's ALB; `cdn_records` point host names such as docs at CloudFront. When a secondary ALB is given, the records become a failover pair, each side with its own HTTPS health check: Route 53 answers with the primary while its health check passes and with the secondary while the primary's fails and the secondary's passes (the document's health-based routing across regions). Environments get their own subdomain by giving the module the environment's domain.")
        .provider(aws_provider(&[]))
        .file("main.tf", "solidity/dns/main.tf")
        .var(Variable::new("domain_name", "string", "Domain of the hosted zone.").default(Hcl::str(&s.platform.domain)))
        .var(Variable::new("create_zone", "bool", "Create the hosted zone; false looks up an existing public zone by domain_name.").default(Hcl::Bool(true)))
        .var(string_list("hostnames", "Host names under the domain pointing at the platform (the apex always does).").default(Hcl::strs(&d.hostnames)))
        .var(
            Variable::new("cdn_records", "map(object({\n  dns_name = string\n  zone_id  = string\n}))", "Host names served by CloudFront (e.g. docs), with the distribution's domain and zone ID.")
                .default(Hcl::object(Vec::<(String, Hcl)>::new())),
        )
        .var(Variable::new("primary_alb", "object({\n  dns_name = string\n  zone_id  = string\n})", "ALB of the primary region."))
        .var(Variable::new("secondary_alb", "object({\n  dns_name = string\n  zone_id  = string\n})", "ALB of the secondary region; null disables failover routing.").default_null())
        .var(Variable::new("health_check_path", "string", "Path Route 53 probes over HTTPS on each ALB (the primary and, with failover, the secondary); 2xx and 3xx answers are healthy. The ALB routes the probe by its listener rules like any request, so it must be a path the service it reaches answers: paths outside every path_patterns reach the load balancer's default target (the UI), and the default is that target's health check path.").default(Hcl::str(&d.health_check_path)))
        .var(tags_var())
        .out("zone_id", "local.zone_id", "ID of the hosted zone.")
        .out("name_servers", "one(aws_route53_zone.this[*].name_servers)", "Name servers to delegate the domain to (created zones only).")
        .out("fqdns", "sort(distinct([for r in aws_route53_record.primary : r.fqdn]))", "Names that resolve to the platform.")
        .out("primary_health_check_id", "aws_route53_health_check.primary.id", "ID of the primary region's health check.")
        .out("secondary_health_check_id", "one(aws_route53_health_check.secondary[*].id)", "ID of the secondary region's health check (null without secondary_alb).")
        .finish()
}

pub(super) fn monitoring(s: &Spec) -> ModuleView {
    let m = &s.monitoring;
    let alarms = Hcl::object([
        (
            "rds_cpu",
            alarm(
                "AWS/RDS",
                "CPUUtilization",
                "Average",
                m.rds_cpu_percent.to_string(),
                "GreaterThanThreshold",
                &format!("PostgreSQL CPU above {}%", m.rds_cpu_percent),
            ),
        ),
        (
            "rds_free_storage",
            alarm(
                "AWS/RDS",
                "FreeStorageSpace",
                "Average",
                m.rds_free_storage_bytes.to_string(),
                "LessThanThreshold",
                "PostgreSQL free storage below 10 GiB",
            ),
        ),
        (
            "rds_replica_lag",
            alarm(
                "AWS/RDS",
                "ReplicaLag",
                "Maximum",
                m.rds_replica_lag_seconds.to_string(),
                "GreaterThanThreshold",
                &format!(
                    "Read replica more than {} s behind",
                    m.rds_replica_lag_seconds
                ),
            ),
        ),
        (
            "redis_cpu",
            alarm(
                "AWS/ElastiCache",
                "EngineCPUUtilization",
                "Average",
                m.redis_cpu_percent.to_string(),
                "GreaterThanThreshold",
                &format!("Redis engine CPU above {}%", m.redis_cpu_percent),
            ),
        ),
        (
            "redis_memory",
            alarm(
                "AWS/ElastiCache",
                "DatabaseMemoryUsagePercentage",
                "Average",
                m.redis_memory_percent.to_string(),
                "GreaterThanThreshold",
                &format!("Redis memory above {}%", m.redis_memory_percent),
            ),
        ),
        (
            "api_latency",
            alarm(
                "AWS/ApplicationELB",
                "TargetResponseTime",
                "p99",
                format!("{}", m.api_latency_p99_seconds),
                "GreaterThanThreshold",
                &format!("p99 response time above {} s", m.api_latency_p99_seconds),
            ),
        ),
        (
            "alb_target_5xx",
            alarm(
                "AWS/ApplicationELB",
                "HTTPCode_Target_5XX_Count",
                "Sum",
                "10",
                "GreaterThanThreshold",
                "more than 10 5XX answers a minute from the targets behind the ALB",
            ),
        ),
    ]);
    monitoring_module(P, "Monitoring and cost alerts", "CloudWatch alarms for RDS, Redis and the ALB, a composite alarm, log groups, SNS e-mail/SMS alerts, a monthly budget and cost anomaly detection.", m.log_retention_days, &m.log_groups, alarms, None)
        .var(crate::platforms::shared::sns_publishers_var(&["budgets.amazonaws.com", "cloudwatch.amazonaws.com", "costalerts.amazonaws.com", "events.amazonaws.com"]))
        .prose("The alarms need the IDs of the resources they watch; pass them through `alarm_dimensions` (the example wires the database and load balancer outputs). The document's cost alerts are an AWS Budgets monthly budget that warns at 80% and 100% and Cost Anomaly Detection on AWS services, both notifying the warning topic. The account allows one AWS services anomaly monitor: `create_cost_anomaly_monitor` lets one configuration per account own it.")
        .file("cost.tf", "solidity/monitoring/cost.tf")
        .var(Variable::new("monthly_budget_usd", "number", "Monthly cost budget in USD; null creates no budget.").default_null())
        .var(Variable::new("cost_anomaly_threshold_usd", "number", "Absolute impact in USD above which a cost anomaly is reported.").default(Hcl::num(100)))
        .var(Variable::new("create_cost_anomaly_monitor", "bool", "Create the AWS services cost anomaly monitor and its subscription. Cost Anomaly Detection allows one such monitor per account: exactly one configuration per account sets this.").default(Hcl::Bool(true)))
        .out("budget_name", "one(aws_budgets_budget.monthly[*].name)", "Name of the monthly budget.")
        .out("cost_anomaly_monitor_arn", "one(aws_ce_anomaly_monitor.services[*].arn)", "ARN of the cost anomaly monitor (null unless create_cost_anomaly_monitor).")
        .finish()
}

pub(super) fn backup(s: &Spec) -> ModuleView {
    crate::platforms::shared::backup_module(P, &s.backup, "AWS Backup for RDS, EFS and S3: daily and weekly rules, continuous backup, cross-region copy to the secondary region.", &["EFS", "S3"])
        .prose("RDS keeps its own 30-day automated backups (database module); AWS Backup adds daily and weekly recovery points of RDS and EFS (tagged `Backup = \"true\"`), continuous backup for point-in-time restore within the document's 5-minute RPO, and copies everything to the secondary region for disaster recovery. Restore testing proves the recovery points work.")
        .finish()
}

pub(super) fn addons(s: &Spec) -> ModuleView {
    let a = &s.addons;
    let charts = Hcl::from_serialize(&a.charts);
    let values = Hcl::object(a.charts.iter().map(|(k, c)| {
        (
            k.clone(),
            Hcl::from_json(&serde_json::Value::Object(c.values.clone())),
        )
    }));
    let switch = |name: &str, what: &str| {
        Variable::new(
            &format!("enable_{name}"),
            "bool",
            &format!("Install {what}."),
        )
        .default(Hcl::Bool(true))
        .non_nullable()
    };
    let secret_name = |name: &str, what: &str| {
        Variable::new(name, "string", &format!("Name of the Secrets Manager secret External Secrets turns into {what}; it must lie under one of external_secrets_path_prefixes. Null: the Kubernetes secret is made some other way (it must exist before the release starts)."))
            .default_null()
            .validate(&format!("var.{name} == null || anytrue([for p in var.external_secrets_path_prefixes : startswith(coalesce(var.{name}, \"-\"), p)])"), &format!("{name} must start with one of external_secrets_path_prefixes, or External Secrets cannot read it."))
    };
    ModuleBuilder::new(P, "addons", "In-cluster components", "Helm releases of the document's in-cluster components (AWS Load Balancer Controller, External Secrets Operator, cert-manager, the cluster autoscaler, ArgoCD HA, Istio with STRICT mTLS and registry-only egress, Prometheus and Grafana on gp3, the Prometheus custom metrics adapter, Jaeger, Kiali) in the document's namespaces, with least-privilege IRSA roles for the controllers that call AWS.")
        .prose("Each component is one `helm_release` pinned to an exact chart version from the platform spec (`charts`, with the repository and namespace), takes the platform's values from the spec (`chart_values`), the wiring this module adds (cluster name, region, VPC, IRSA role annotations, service addresses) and optional `extra_values` YAML last; `enable_*` switches a component off. Namespaces follow the document: `istio-system`, `monitoring-<env>`, `argocd-<env>`, `cert-manager-<env>`, `external-secrets-<env>`, `kube-system` and the application namespaces `security-platform` and `security-tools` (Istio sidecar injection on).")
        .prose("The AWS Load Balancer Controller, External Secrets and cert-manager call AWS through IAM roles for service accounts trusting the cluster's OIDC provider for their one service account. Each role's policy is written from the controller's own published policy document (source and version beside each in `iam.tf`), scoped to this account, region and partition: the load balancer controller's `iam_policy.json` of v3.5.0, External Secrets' Secrets Manager read policy limited to `external_secrets_path_prefixes`, the secrets in `external_secrets_secret_arns` and decryption through Secrets Manager with `external_secrets_kms_key_arns`, and cert-manager's Route 53 DNS-01 policy limited to TXT records in `route53_zone_id` (the ClusterIssuer finds the zone by the names in `acme_dns_zones`). No policy grants a `*` action.")
        .prose("Istio runs with mesh-wide STRICT mutual TLS (a `PeerAuthentication` in `istio-system`, `mtls_mode`), outbound traffic limited to the service registry (`outbound_traffic_policy = \"REGISTRY_ONLY\"`, with `egress_hosts` admitted through a `ServiceEntry`), and traces sent to Jaeger over OTLP; Kiali reads Prometheus, Jaeger and Grafana. Prometheus (two replicas, 15 days, federation labels `cluster` and `region`) and Alertmanager keep their data on gp3 volumes of the `gp3` storage class this module creates (encrypted, with `ebs_kms_key_arn` when given), as does Grafana. The Prometheus adapter (two replicas, a disruption budget) serves the `custom.metrics.k8s.io` API from that Prometheus with the chart's default rules, so HorizontalPodAutoscalers scale on custom metrics (`type: Pods` or `Object`); metrics-server (compute module add-on) keeps serving CPU and memory. ArgoCD runs in the chart's HA layout (Redis HA, two replicas of every server).")
        .prose("No component gets a default admin password: Grafana reads its admin user from the Kubernetes secret `grafana-admin` and ArgoCD from `argocd-secret` (the chart's own is off), both made by External Secrets from the Secrets Manager secrets named in `grafana_admin_secret_name` and `argocd_admin_secret_name` (or by the operator when those are null). Nothing secret passes through Terraform.")
        .prose("First apply: the cluster, then the addons. The helm and kubernetes providers are configured from the compute module's outputs (endpoint, CA, `aws eks get-token`), which exist only once the cluster does, so a new environment applies `-target=module.compute` first. `kubernetes_manifest` resources (the PeerAuthentication, ServiceEntry, ClusterIssuer, ClusterSecretStore and ExternalSecrets) need their CRDs on the cluster at plan time, and the charts install those CRDs: apply once with `create_custom_resources = false`, then with `true`. Grafana and ArgoCD, whose admin secrets External Secrets makes, wait for that second apply (their pods would not start without the secret, and the atomic release would roll back). Later applies need neither step.")
        .provider(aws_provider(&[]))
        .provider(crate::platforms::helm_provider())
        .provider(crate::platforms::kubernetes_provider())
        .file("namespaces.tf", "solidity/addons/namespaces.tf")
        .file("iam.tf", "solidity/addons/iam.tf")
        .file("releases.tf", "solidity/addons/releases.tf")
        .file("custom_resources.tf", "solidity/addons/custom_resources.tf")
        .var(name_var(32))
        .var(tags_var())
        .var(Variable::new("environment", "string", "Environment the cluster serves (production, staging); it names the namespaces of the document (monitoring-<env>, argocd-<env>, ...).").validate("can(regex(\"^[a-z][a-z0-9-]{0,20}$\", var.environment))", "environment must be a lowercase DNS label of at most 21 characters."))
        .var(Variable::new("cluster_name", "string", "Name of the EKS cluster (compute module output cluster_name)."))
        .var(Variable::new("oidc_provider_arn", "string", "ARN of the cluster's IAM OIDC provider (compute module output oidc_provider_arn).").validate("can(regex(\"^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/\", var.oidc_provider_arn))", "oidc_provider_arn must be an IAM OIDC provider ARN."))
        .var(Variable::new("oidc_issuer_url", "string", "OIDC issuer URL of the cluster (compute module output oidc_issuer_url).").validate("startswith(var.oidc_issuer_url, \"https://\")", "oidc_issuer_url starts with https://."))
        .var(Variable::new("vpc_id", "string", "ID of the cluster's VPC (the load balancer controller's vpcId)."))
        .var(switch("aws_load_balancer_controller", "the AWS Load Balancer Controller and its IRSA role"))
        .var(switch("external_secrets", "the External Secrets Operator, its IRSA role and the ClusterSecretStore for Secrets Manager"))
        .var(switch("cert_manager", "cert-manager, its IRSA role and the Let's Encrypt DNS-01 ClusterIssuer"))
        .var(switch("cluster_autoscaler", "the cluster autoscaler (on the IRSA role cluster_autoscaler_role_arn)"))
        .var(Variable::new("cluster_autoscaler_role_arn", "string", "IRSA role of the cluster autoscaler's service account kube-system/cluster-autoscaler (security module output service_account_role_arns[\"cluster-autoscaler\"]).").default_null().validate("var.cluster_autoscaler_role_arn != null || !var.enable_cluster_autoscaler", "The cluster autoscaler needs cluster_autoscaler_role_arn (security module output service_account_role_arns[\"cluster-autoscaler\"]), or set enable_cluster_autoscaler = false."))
        .var(switch("argocd", "ArgoCD (HA)"))
        .var(switch("istio", "Istio (base, istiod, the mesh's STRICT mTLS PeerAuthentication and egress policy)"))
        .var(switch("istio_gateway", "the Istio ingress gateway (with enable_istio)"))
        .var(switch("prometheus", "kube-prometheus-stack (Prometheus, Alertmanager, exporters)"))
        .var(switch("prometheus_adapter", "the Prometheus custom metrics adapter (custom.metrics.k8s.io for HorizontalPodAutoscalers; with enable_prometheus)"))
        .var(switch("grafana", "Grafana"))
        .var(switch("jaeger", "Jaeger"))
        .var(switch("kiali", "Kiali (with enable_istio)"))
        .var(
            Variable::new("charts", "map(object({\n  repository = string\n  chart      = string\n  version    = string\n  namespace  = string\n}))", "Chart of each component: repository, chart, exact version and namespace (`<env>` becomes environment). Defaults from the platform spec.")
                .default(charts)
                .non_nullable()
                .validate("alltrue([for c in values(var.charts) : can(regex(\"^v?[0-9]+\\\\.[0-9]+\\\\.[0-9]+$\", c.version))])", "Pin every chart to an exact version such as 1.2.3 (no ranges, wildcards or empty versions).")
                .validate("alltrue([for c in values(var.charts) : startswith(c.repository, \"https://\")])", "Chart repositories are fetched over https://.")
                .validate(&format!("length(setsubtract([{}], keys(var.charts))) == 0", crate::platforms::solidity::ADDON_CHARTS.iter().map(|k| format!("\"{k}\"")).collect::<Vec<_>>().join(", ")), &format!("charts needs an entry for each of {}.", crate::platforms::solidity::ADDON_CHARTS.join(", "))),
        )
        .var(Variable::new("chart_values", "any", "The platform's values of each chart by component (from the spec); the module's wiring and extra_values go over them.").default(values).non_nullable())
        .var(
            Variable::new("extra_values", "map(string)", "YAML values added last to a component's release, by component key of charts (e.g. Jaeger's storage).")
                .default(Hcl::object(Vec::<(String, Hcl)>::new()))
                .non_nullable()
                .validate("length(setsubtract(keys(var.extra_values), keys(var.charts))) == 0", "extra_values keys must be keys of charts."),
        )
        .var(string_list("app_namespaces", "Application namespaces of the document, created with Istio sidecar injection.").default(Hcl::strs(&a.app_namespaces)).non_nullable())
        .var(Variable::new("storage_class_name", "string", "Name of the gp3 StorageClass created for Prometheus, Alertmanager and Grafana.").default(Hcl::str(&a.storage_class)))
        .var(Variable::new("ebs_kms_key_arn", "string", "KMS key that encrypts the gp3 volumes; null uses the account's EBS default key.").default_null())
        .var(Variable::new("create_custom_resources", "bool", "Create the custom resources (PeerAuthentication, ServiceEntry, ClusterIssuer, ClusterSecretStore, ExternalSecrets). Their CRDs come with the charts, and kubernetes_manifest reads them at plan time: false for the first apply of a new cluster, true afterwards.").default(Hcl::Bool(true)).non_nullable())
        .var(Variable::new("mtls_mode", "string", "Mesh-wide Istio mutual TLS mode.").default(Hcl::str("STRICT")).validate("contains([\"STRICT\", \"PERMISSIVE\"], var.mtls_mode)", "mtls_mode is STRICT or PERMISSIVE (PERMISSIVE only while migrating workloads into the mesh)."))
        .var(Variable::new("outbound_traffic_policy", "string", "Istio outbound traffic policy: REGISTRY_ONLY lets sidecars reach only services in the registry and egress_hosts.").default(Hcl::str("REGISTRY_ONLY")).validate("contains([\"REGISTRY_ONLY\", \"ALLOW_ANY\"], var.outbound_traffic_policy)", "outbound_traffic_policy is REGISTRY_ONLY or ALLOW_ANY."))
        .var(string_list("egress_hosts", "External host names the mesh may reach over TLS (port 443) under REGISTRY_ONLY, through one ServiceEntry.").default(Hcl::List(Vec::new())).non_nullable())
        .var(Variable::new("route53_zone_id", "string", "Route 53 hosted zone cert-manager answers DNS-01 challenges in (dns module output zone_id).").default_null().validate("var.route53_zone_id != null || !var.enable_cert_manager", "cert-manager needs route53_zone_id (or set enable_cert_manager = false)."))
        .var(Variable::new("acme_email", "string", "Contact e-mail of the Let's Encrypt account.").default_null().validate("var.acme_email != null || !var.enable_cert_manager", "cert-manager needs acme_email (or set enable_cert_manager = false)."))
        .var(string_list("acme_dns_zones", "DNS zones the ClusterIssuer solves DNS-01 challenges for (the domain of route53_zone_id); cert-manager finds the zone by name.").default(Hcl::List(Vec::new())).non_nullable().validate("length(var.acme_dns_zones) > 0 || !var.enable_cert_manager", "cert-manager needs acme_dns_zones (or set enable_cert_manager = false)."))
        .var(Variable::new("acme_server", "string", "ACME directory of the ClusterIssuer (Let's Encrypt production; the staging directory for tests).").default(Hcl::str("https://acme-v02.api.letsencrypt.org/directory")))
        .var(string_list("external_secrets_path_prefixes", "Secrets Manager name prefixes External Secrets may read (e.g. solidity-prod/).").default(Hcl::List(Vec::new())).non_nullable().validate("alltrue([for p in var.external_secrets_path_prefixes : length(p) > 0 && !strcontains(p, \"*\")])", "Give prefixes without wildcards; the policy adds one * after each."))
        .var(string_list("external_secrets_secret_arns", "Further secrets External Secrets may read, by ARN (e.g. the database module's master credentials secret, or its replica in this region).").default(Hcl::List(Vec::new())).non_nullable())
        .var(string_list("external_secrets_kms_key_arns", "KMS keys of those secrets; External Secrets may decrypt with them through Secrets Manager only.").default(Hcl::List(Vec::new())).non_nullable())
        .var(secret_name("grafana_admin_secret_name", "Grafana's admin secret `grafana-admin` (JSON keys admin-user and admin-password)"))
        .var(secret_name("argocd_admin_secret_name", "ArgoCD's `argocd-secret` (JSON keys admin.password (bcrypt), admin.passwordMtime and server.secretkey)"))
        .out("namespaces", "local.namespaces", "Namespace of each component (after `<env>` substitution).")
        .out("releases", "{ for r in concat(helm_release.aws_load_balancer_controller, helm_release.external_secrets, helm_release.cert_manager, helm_release.cluster_autoscaler, helm_release.argocd, helm_release.istio_base, helm_release.istiod, helm_release.istio_gateway, helm_release.prometheus, helm_release.prometheus_adapter, helm_release.grafana, helm_release.jaeger, helm_release.kiali) : r.name => { chart = r.chart, version = r.version, namespace = r.namespace } }", "Installed releases by release name: chart, version, namespace.")
        .out("irsa_role_arns", "{ for k, r in aws_iam_role.controller : k => r.arn }", "IRSA role ARNs by controller.")
        .out("cluster_issuer_name", "var.enable_cert_manager ? \"letsencrypt-dns01\" : null", "Name of the cert-manager ClusterIssuer (Let's Encrypt, Route 53 DNS-01).")
        .out("cluster_secret_store_name", "var.enable_external_secrets ? \"aws-secrets-manager\" : null", "Name of the External Secrets ClusterSecretStore for Secrets Manager.")
        .out("storage_class_name", "kubernetes_storage_class_v1.gp3.metadata[0].name", "Name of the gp3 StorageClass.")
        .finish()
}
