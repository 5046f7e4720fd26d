//! Solidity Security Platform on EKS (docs/design/seed-solidity-aws-architecture.md).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::shared::{
    BackupSection, CertificatesSection, KmsUsers, SecurityCommon, alarm, flow_logs, kms_outputs,
    kms_vars, monitoring_module, s3_buckets, validate_flow_logs, validate_kms_keys,
};
use super::{
    ModuleBuilder, PlatformSection, PlatformSpec, aws_provider, kms_key_var, log_retention_var,
    name_var, string_list, tags_var,
};
use crate::hcl::Hcl;
use crate::model::{Component, LeftOut, ModuleView, OperatorStep, Variable};
use crate::spec::{Validator, ipv4_cidr_contains};

mod components;
mod modules;
use components::{components, left_out};
use modules::{
    addons, backup, compute, database, dns, hsm, load_balancer, monitoring, networking, security,
    storage,
};

const P: &str = "solidity";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    pub platform: PlatformSection,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    pub networking: Networking,
    pub security: Security,
    pub compute: Compute,
    pub hsm: Hsm,
    pub database: Database,
    pub storage: Storage,
    pub load_balancer: LoadBalancer,
    pub monitoring: Monitoring,
    pub dns: Dns,
    pub certificates: CertificatesSection,
    pub backup: BackupSection,
    pub addons: Addons,
}

/// The in-cluster components (addons module): one Helm chart each.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Addons {
    pub app_namespaces: Vec<String>,
    pub storage_class: String,
    pub charts: BTreeMap<String, Chart>,
}

/// A Helm chart pinned to one exact version, its namespace (`<env>` replaced by the
/// environment) and the platform's values for it.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Chart {
    pub repository: String,
    pub chart: String,
    pub version: String,
    pub namespace: String,
    #[serde(default, skip_serializing)]
    pub values: serde_json::Map<String, serde_json::Value>,
}

/// The chart keys the addons templates wire, one Helm release each.
pub const ADDON_CHARTS: &[&str] = &[
    "argocd",
    "aws_load_balancer_controller",
    "cert_manager",
    "cluster_autoscaler",
    "external_secrets",
    "grafana",
    "istio_base",
    "istio_gateway",
    "istiod",
    "jaeger",
    "kiali",
    "prometheus",
    "prometheus_adapter",
];

/// An exact chart version: `1.2.3` or `v1.2.3`, no range, no wildcard.
pub fn exact_chart_version(v: &str) -> bool {
    let v = v.strip_prefix('v').unwrap_or(v);
    let parts: Vec<&str> = v.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Networking {
    pub vpc_cidr: String,
    pub public_subnet_cidrs: Vec<String>,
    pub private_subnet_cidrs: Vec<String>,
    /// Secondary block the EKS node subnets (/18 per zone) come from.
    pub node_ipv4_cidr: String,
    pub single_nat_gateway: bool,
    pub flow_log_retention_days: u32,
    pub flow_log_traffic_type: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Security {
    pub waf_rate_limit: u64,
    pub waf_managed_rule_groups: Vec<String>,
    pub waf_blocked_country_codes: Vec<String>,
    pub waf_log_retention_days: u32,
    pub guardduty_finding_publishing_frequency: String,
    pub guardduty_features: Vec<String>,
    pub config_rules: Vec<String>,
    pub audit_log_retention_days: u32,
    pub audit_bucket_retention_days: u32,
    pub secrets: Vec<String>,
    pub secret_recovery_window_days: u32,
    pub secret_rotation_days: u32,
    pub service_accounts: BTreeMap<String, ServiceAccount>,
}

impl Security {
    /// The settings the solidity platform shares with trustchain.
    pub fn common(&self) -> SecurityCommon<'_> {
        SecurityCommon {
            waf_rate_limit: self.waf_rate_limit,
            waf_managed_rule_groups: &self.waf_managed_rule_groups,
            waf_log_retention_days: self.waf_log_retention_days,
            guardduty_finding_publishing_frequency: &self.guardduty_finding_publishing_frequency,
            guardduty_features: &self.guardduty_features,
            config_rules: &self.config_rules,
            audit_log_retention_days: self.audit_log_retention_days,
            audit_bucket_retention_days: self.audit_bucket_retention_days,
        }
    }
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceAccount {
    pub namespace: String,
    pub service_account: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policy_arns: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Compute {
    pub kubernetes_version: String,
    pub endpoint_public_access: bool,
    pub cluster_log_retention_days: u32,
    pub addons: Vec<String>,
    pub ecr_repositories: Vec<String>,
    pub ecr_keep_tagged_images: u32,
    pub ecr_untagged_expiry_days: u32,
    pub ecr_replicate_to_secondary: bool,
    pub node_groups: BTreeMap<String, NodeGroup>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NodeGroup {
    pub instance_types: Vec<String>,
    pub capacity_type: String,
    pub min_size: u32,
    pub max_size: u32,
    pub desired_size: u32,
    pub disk_size: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub taint: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hsm {
    pub kms_keys: Vec<String>,
    pub key_rotation_period_days: u32,
    pub key_deletion_window_days: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Database {
    pub engine_version: String,
    pub instance_class: String,
    pub replica_instance_class: String,
    pub read_replica_count: u32,
    pub allocated_storage: u32,
    pub max_allocated_storage: u32,
    pub backup_retention_days: u32,
    pub performance_insights_retention_days: u32,
    pub monitoring_interval: u32,
    pub database_name: String,
    pub master_username: String,
    pub log_retention_days: u32,
    pub redis_engine_version: String,
    pub redis_node_type: String,
    pub redis_num_node_groups: u32,
    pub redis_replicas_per_node_group: u32,
    pub redis_snapshot_retention_days: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Storage {
    pub enable_replication: bool,
    pub noncurrent_version_expiration_days: u32,
    pub efs_throughput_mode: String,
    pub efs_transition_to_ia: String,
    /// Bucket served as the documentation site through CloudFront.
    pub docs_site_bucket: String,
    pub buckets: BTreeMap<String, Bucket>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Bucket {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<u32>,
    pub transition_to_ia_days: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transition_to_glacier_days: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadBalancer {
    pub ssl_policy: String,
    pub idle_timeout: u32,
    pub default_target: String,
    pub targets: BTreeMap<String, Target>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub port: u32,
    pub health_check_path: String,
    pub path_patterns: Vec<String>,
    pub priority: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Monitoring {
    pub log_retention_days: u32,
    pub log_groups: Vec<String>,
    pub rds_cpu_percent: u32,
    pub rds_free_storage_bytes: u64,
    pub rds_replica_lag_seconds: u32,
    pub redis_cpu_percent: u32,
    pub redis_memory_percent: u32,
    pub api_latency_p99_seconds: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dns {
    pub hostnames: Vec<String>,
    pub health_check_path: String,
}

impl PlatformSpec for Spec {
    fn platform(&self) -> &PlatformSection {
        &self.platform
    }

    fn tags(&self) -> &BTreeMap<String, String> {
        &self.tags
    }

    fn modules(&self) -> Vec<ModuleView> {
        vec![
            networking(self),
            security(self),
            compute(self),
            hsm(self),
            database(self),
            storage(self),
            load_balancer(self),
            dns(self),
            self.certificates.module(P, &self.platform.domain),
            monitoring(self),
            backup(self),
            addons(self),
        ]
    }

    fn components() -> Vec<Component> {
        components()
    }

    fn left_out() -> Vec<LeftOut> {
        left_out()
    }

    fn operator_steps() -> Vec<OperatorStep> {
        super::operator_steps::solidity()
    }

    fn validate(&self, v: &mut Validator) {
        let n = &self.networking;
        v.ipv4_cidr("networking.vpc_cidr", &n.vpc_cidr, 16, 28);
        v.ipv4_cidr("networking.node_ipv4_cidr", &n.node_ipv4_cidr, 16, 16);
        v.check(
            !ipv4_cidr_contains(&n.vpc_cidr, &n.node_ipv4_cidr)
                && !ipv4_cidr_contains(&n.node_ipv4_cidr, &n.vpc_cidr),
            "networking.node_ipv4_cidr",
            format!(
                "{} overlaps vpc_cidr {}: a secondary VPC block must not overlap the primary one",
                n.node_ipv4_cidr, n.vpc_cidr
            ),
        );
        for (key, list) in [
            ("public_subnet_cidrs", &n.public_subnet_cidrs),
            ("private_subnet_cidrs", &n.private_subnet_cidrs),
        ] {
            v.check(
                list.len() >= 2,
                format!("networking.{key}"),
                "give one subnet per Availability Zone, at least two",
            );
            for (i, c) in list.iter().enumerate() {
                let path = format!("networking.{key}[{i}]");
                if crate::spec::parse_ipv4_cidr(c).is_err() {
                    v.ipv4_cidr(path, c, 16, 28);
                } else {
                    v.check(
                        ipv4_cidr_contains(&n.vpc_cidr, c),
                        path,
                        format!("{c} is not inside the VPC block {}", n.vpc_cidr),
                    );
                }
            }
        }
        v.check(
            n.public_subnet_cidrs.len() == n.private_subnet_cidrs.len(),
            "networking.private_subnet_cidrs",
            "give as many private as public subnets (one of each per Availability Zone)",
        );
        validate_flow_logs(v, n.flow_log_retention_days, &n.flow_log_traffic_type);
        let s = &self.security;
        s.common().validate(v);
        for (i, c) in s.waf_blocked_country_codes.iter().enumerate() {
            v.check(
                c.len() == 2 && c.chars().all(|c| c.is_ascii_uppercase()),
                format!("security.waf_blocked_country_codes[{i}]"),
                "country codes are two capital letters (ISO 3166)",
            );
        }
        v.range(
            "security.secret_recovery_window_days",
            s.secret_recovery_window_days.into(),
            7,
            30,
            "secret recovery window (days)",
        );
        v.range(
            "security.secret_rotation_days",
            s.secret_rotation_days.into(),
            1,
            1000,
            "secret rotation interval (days)",
        );
        let c = &self.compute;
        v.log_retention(
            "compute.cluster_log_retention_days",
            c.cluster_log_retention_days,
        );
        v.check(
            c.kubernetes_version.split('.').count() == 2
                && c.kubernetes_version
                    .split('.')
                    .all(|p| p.parse::<u32>().is_ok()),
            "compute.kubernetes_version",
            "use a Kubernetes minor version such as 1.35",
        );
        for (name, g) in &c.node_groups {
            let p = format!("compute.node_groups.{name}");
            v.one_of(
                format!("{p}.capacity_type"),
                &g.capacity_type,
                &["ON_DEMAND", "SPOT"],
            );
            v.check(
                g.min_size <= g.desired_size && g.desired_size <= g.max_size,
                format!("{p}.desired_size"),
                "need min_size <= desired_size <= max_size",
            );
            v.check(
                g.max_size >= 1,
                format!("{p}.max_size"),
                "max_size must be at least 1",
            );
            v.range(
                format!("{p}.disk_size"),
                g.disk_size.into(),
                20,
                16384,
                "node disk size (GiB)",
            );
            v.check(
                !g.instance_types.is_empty(),
                format!("{p}.instance_types"),
                "give at least one instance type",
            );
        }
        v.range(
            "compute.ecr_untagged_expiry_days",
            c.ecr_untagged_expiry_days.into(),
            1,
            3650,
            "untagged image expiry (days)",
        );
        v.range(
            "compute.ecr_keep_tagged_images",
            c.ecr_keep_tagged_images.into(),
            1,
            10000,
            "tagged images kept",
        );
        let h = &self.hsm;
        validate_kms_keys(
            v,
            &h.kms_keys,
            h.key_rotation_period_days,
            h.key_deletion_window_days,
            &[
                "backup", "ecr", "efs", "eks", "logs", "rds", "redis", "s3", "secrets", "sns",
            ],
        );
        let d = &self.database;
        v.range(
            "database.backup_retention_days",
            d.backup_retention_days.into(),
            1,
            35,
            "RDS backup retention (days)",
        );
        v.check(
            d.performance_insights_retention_days == 7
                || d.performance_insights_retention_days == 731
                || (d.performance_insights_retention_days.is_multiple_of(31)
                    && d.performance_insights_retention_days <= 713),
            "database.performance_insights_retention_days",
            "Performance Insights keeps 7 days, a multiple of 31 days up to 713, or 731 days",
        );
        v.check(
            [0, 1, 5, 10, 15, 30, 60].contains(&d.monitoring_interval),
            "database.monitoring_interval",
            "enhanced monitoring intervals are 0, 1, 5, 10, 15, 30 or 60 seconds",
        );
        v.check(
            d.instance_class.starts_with("db."),
            "database.instance_class",
            "RDS instance classes start with db.",
        );
        v.check(
            d.redis_node_type.starts_with("cache."),
            "database.redis_node_type",
            "ElastiCache node types start with cache.",
        );
        v.range(
            "database.redis_snapshot_retention_days",
            d.redis_snapshot_retention_days.into(),
            0,
            35,
            "Redis snapshot retention (days)",
        );
        v.range(
            "database.redis_num_node_groups",
            d.redis_num_node_groups.into(),
            1,
            500,
            "Redis shards",
        );
        v.range(
            "database.redis_replicas_per_node_group",
            d.redis_replicas_per_node_group.into(),
            1,
            5,
            "Redis replicas per shard (Multi-AZ needs at least 1)",
        );
        v.range(
            "database.allocated_storage",
            d.allocated_storage.into(),
            20,
            65536,
            "RDS storage (GiB)",
        );
        v.check(
            d.max_allocated_storage >= d.allocated_storage,
            "database.max_allocated_storage",
            "max_allocated_storage must be at least allocated_storage",
        );
        v.log_retention("database.log_retention_days", d.log_retention_days);
        let st = &self.storage;
        v.one_of(
            "storage.efs_throughput_mode",
            &st.efs_throughput_mode,
            &["bursting", "elastic", "provisioned"],
        );
        v.one_of(
            "storage.efs_transition_to_ia",
            &st.efs_transition_to_ia,
            &[
                "AFTER_1_DAY",
                "AFTER_7_DAYS",
                "AFTER_14_DAYS",
                "AFTER_30_DAYS",
                "AFTER_60_DAYS",
                "AFTER_90_DAYS",
                "AFTER_180_DAYS",
                "AFTER_270_DAYS",
                "AFTER_365_DAYS",
            ],
        );
        v.check(
            st.buckets.contains_key(&st.docs_site_bucket),
            "storage.docs_site_bucket",
            "docs_site_bucket must name one of storage.buckets",
        );
        for (name, b) in &st.buckets {
            v.check(
                b.transition_to_ia_days >= 30,
                format!("storage.buckets.{name}.transition_to_ia_days"),
                "S3 allows STANDARD_IA transitions after 30 days at the earliest",
            );
            if let Some(g) = b.transition_to_glacier_days {
                v.check(
                    g >= b.transition_to_ia_days + 30,
                    format!("storage.buckets.{name}.transition_to_glacier_days"),
                    "S3 keeps objects 30 days in STANDARD_IA before a Glacier transition: at least transition_to_ia_days + 30",
                );
            }
            if let Some(r) = b.retention_days {
                v.check(
                    r > b.transition_to_ia_days.max(b.transition_to_glacier_days.unwrap_or(0)),
                    format!("storage.buckets.{name}.retention_days"),
                    "S3 expires objects only after their last transition: retention_days must come after both transitions",
                );
                v.range(
                    format!("storage.buckets.{name}.retention_days"),
                    r.into(),
                    1,
                    36500,
                    "object retention (days)",
                );
            }
        }
        let lb = &self.load_balancer;
        v.check(
            lb.targets.contains_key(&lb.default_target),
            "load_balancer.default_target",
            "default_target must name one of load_balancer.targets",
        );
        // Route 53 probes the ALB itself, so its request takes the listener rules like any
        // other: the path must reach a service at a path that service answers (its target
        // group's health check path), or the probe fails on a healthy region and the
        // failover records move traffic for nothing.
        let probe = &self.dns.health_check_path;
        let reached = lb
            .targets
            .iter()
            .filter(|(_, t)| t.path_patterns.iter().any(|p| alb_path_matches(p, probe)))
            .min_by_key(|(_, t)| t.priority)
            .map(|(n, _)| n.as_str())
            .unwrap_or(&lb.default_target);
        if let Some(t) = lb.targets.get(reached) {
            v.check(
                t.health_check_path == *probe,
                "dns.health_check_path",
                format!(
                    "Route 53 probes {probe} through the ALB, which routes it to load_balancer.targets.{reached}, whose health check path is {}: use that path (or one a rule routes to a target whose health check path it is)",
                    t.health_check_path
                ),
            );
        }
        for (name, t) in &lb.targets {
            v.port(format!("load_balancer.targets.{name}.port"), t.port);
            v.range(
                format!("load_balancer.targets.{name}.priority"),
                t.priority.into(),
                0,
                50000,
                "listener rule priority",
            );
        }
        v.range(
            "load_balancer.idle_timeout",
            lb.idle_timeout.into(),
            1,
            4000,
            "ALB idle timeout",
        );
        let m = &self.monitoring;
        v.log_retention("monitoring.log_retention_days", m.log_retention_days);
        self.certificates.validate(v);
        self.backup.validate(v);
        let a = &self.addons;
        for key in ADDON_CHARTS {
            v.check(
                a.charts.contains_key(*key),
                "addons.charts",
                format!(
                    "the addons module installs a chart named {key:?}: add [addons.charts.{key}]"
                ),
            );
        }
        for (key, c) in &a.charts {
            let p = format!("addons.charts.{key}");
            v.check(
                ADDON_CHARTS.contains(&key.as_str()),
                &p,
                format!(
                    "no addons template wires a chart named {key:?}: use one of {}",
                    ADDON_CHARTS.join(", ")
                ),
            );
            v.check(
                exact_chart_version(&c.version),
                format!("{p}.version"),
                format!("{:?} is not an exact chart version: pin one release such as 1.2.3 (no ranges, wildcards or empty versions)", c.version),
            );
            v.check(
                c.repository.starts_with("https://"),
                format!("{p}.repository"),
                "chart repositories are fetched over https://",
            );
            let ns = c.namespace.replace("<env>", "production");
            v.check(
                !ns.is_empty()
                    && ns.len() <= 63
                    && ns.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
                    && !ns.starts_with('-')
                    && !ns.ends_with('-'),
                format!("{p}.namespace"),
                "a Kubernetes namespace is a DNS label: lowercase letters, digits and hyphens, at most 63 characters",
            );
        }
        v.check(
            self.backup.continuous_retention_days == 0
                || self.backup.continuous_retention_days == d.backup_retention_days,
            "backup.continuous_retention_days",
            format!(
                "AWS Backup's continuous rule takes over RDS's automated backups: use database.backup_retention_days ({}) here, or 0",
                d.backup_retention_days
            ),
        );
    }
}

/// Whether an ALB path-pattern condition value matches a path, as the Elastic Load
/// Balancing user guide describes path conditions of listener rules: case-sensitive, `*`
/// matches zero or more characters and `?` exactly one.
fn alb_path_matches(pattern: &str, path: &str) -> bool {
    fn go(p: &[char], s: &[char]) -> bool {
        match p.split_first() {
            None => s.is_empty(),
            Some(('*', rest)) => (0..=s.len()).any(|i| go(rest, &s[i..])),
            Some(('?', rest)) => !s.is_empty() && go(rest, &s[1..]),
            Some((c, rest)) => s.first() == Some(c) && go(rest, &s[1..]),
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let s: Vec<char> = path.chars().collect();
    go(&p, &s)
}

#[cfg(test)]
mod path_tests {
    use super::alb_path_matches;

    #[test]
    fn alb_path_patterns_match_as_listener_rules_do() {
        assert!(alb_path_matches("/api/*", "/api/health"));
        assert!(alb_path_matches("/api/*", "/api/"));
        assert!(!alb_path_matches("/api/*", "/api"));
        assert!(!alb_path_matches("/api/*", "/health"));
        assert!(!alb_path_matches("/API/*", "/api/x"));
        assert!(alb_path_matches("/v?/*", "/v1/x"));
        assert!(!alb_path_matches("/v?/*", "/v10x"));
        assert!(alb_path_matches("*", "/"));
    }
}
