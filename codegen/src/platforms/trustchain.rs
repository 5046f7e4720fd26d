//! TrustChain: IPv6-only certificate authority (docs/design/seed-trustchain-infrastructure.md).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::shared::{
    ASG_SERVICE_ROLE, CertificatesSection, KmsUsers, SecurityCommon, alarm, flow_logs, kms_outputs,
    kms_vars, monitoring_module, s3_buckets, trim_float, validate_flow_logs, validate_kms_keys,
};
use super::{
    ModuleBuilder, PlatformSection, PlatformSpec, aws_provider, kms_key_var, log_retention_var,
    name_var, string_list, tags_var, trustchain_provider,
};
use crate::hcl::Hcl;
use crate::model::{Component, LeftOut, ModuleView, OperatorStep, Variable};
use crate::spec::Validator;

mod components;
mod modules;
use components::{components, left_out};
use modules::{
    backup, certificates, compute, dns, hsm, load_balancer, monitoring, networking, security,
    storage,
};

const P: &str = "trustchain";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    pub platform: PlatformSection,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    pub networking: Networking,
    pub services: BTreeMap<String, Service>,
    pub security: Security,
    pub compute: Compute,
    pub load_balancer: LoadBalancer,
    pub hsm: Hsm,
    pub storage: Storage,
    pub monitoring: Monitoring,
    pub dns: Dns,
    pub certificates: CertificatesSection,
    pub backup: super::shared::BackupSection,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Networking {
    pub ipv4_cidr: String,
    /// Secondary IPv4 block the load balancer subnets (/26 per zone) come from.
    pub load_balancer_ipv4_cidr: String,
    pub az_count: u32,
    pub enable_nat64: bool,
    /// Services that get an IPv6-only interface endpoint (AWS serves them over IPv6 through PrivateLink).
    pub interface_endpoints: Vec<String>,
    pub flow_log_retention_days: u32,
    pub flow_log_traffic_type: String,
    pub tiers: Vec<Tier>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    pub name: String,
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipv6_native: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_dns64: Option<bool>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub description: String,
    pub port: u32,
    pub protocol: String,
    pub hostname: String,
    pub health_check_path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_check_port: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Security {
    pub client_ipv6_cidr_blocks: Vec<String>,
    pub waf_rate_limit: u64,
    pub waf_managed_rule_groups: Vec<String>,
    pub waf_log_retention_days: u32,
    pub guardduty_finding_publishing_frequency: String,
    pub guardduty_features: Vec<String>,
    pub config_rules: Vec<String>,
    pub audit_log_retention_days: u32,
    pub audit_bucket_retention_days: u32,
}

impl Security {
    /// The settings the trustchain platform shares with solidity.
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Compute {
    pub instance_type: String,
    pub ami_ssm_parameter: String,
    pub min_size: u32,
    pub max_size: u32,
    pub desired_capacity: u32,
    pub root_volume_size: u32,
    pub root_volume_iops: u32,
    pub root_volume_throughput: u32,
    pub placement_strategy: String,
    pub cpu_target_utilization: u32,
    pub network_out_target_bytes: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadBalancer {
    pub ssl_policy: String,
    pub udp_service_mode: String,
    pub deregistration_delay: u32,
    pub idle_timeout: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hsm {
    pub hsm_type: String,
    pub mode: String,
    pub network_type: String,
    pub backup_retention_days: u32,
    pub hsm_count: u32,
    pub audit_log_retention_days: u32,
    pub key_rotation_period_days: u32,
    pub key_deletion_window_days: u32,
    pub kms_keys: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Storage {
    pub retention_days: u32,
    pub transition_to_ia_days: u32,
    pub transition_to_glacier_days: u32,
    pub noncurrent_version_expiration_days: u32,
    pub enable_replication: bool,
    pub buckets: Vec<String>,
    /// Buckets read only after a restore: they may move to Glacier Flexible Retrieval.
    #[serde(default)]
    pub archive_buckets: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Monitoring {
    pub log_retention_days: u32,
    pub log_groups: Vec<String>,
    pub metric_namespace: String,
    pub certificate_operation_latency_ms: u32,
    pub dns_resolution_latency_ms: u32,
    pub availability_percent: f64,
    pub certificate_operations_per_second: u32,
    pub xray_sampling_rate: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dns {
    pub record_ttl: u32,
    pub caa_issuers: Vec<String>,
    pub health_check_failure_threshold: u32,
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
            load_balancer(self),
            hsm(self),
            storage(self),
            monitoring(self),
            certificates(self),
            dns(self),
            backup(self),
        ]
    }

    fn components() -> Vec<Component> {
        components()
    }

    fn left_out() -> Vec<LeftOut> {
        left_out()
    }

    fn operator_steps() -> Vec<OperatorStep> {
        super::operator_steps::trustchain()
    }

    fn validate(&self, v: &mut Validator) {
        let n = &self.networking;
        v.ipv4_cidr("networking.ipv4_cidr", &n.ipv4_cidr, 16, 28);
        v.ipv4_cidr(
            "networking.load_balancer_ipv4_cidr",
            &n.load_balancer_ipv4_cidr,
            16,
            22,
        );
        v.check(
            !crate::spec::ipv4_cidr_contains(&n.ipv4_cidr, &n.load_balancer_ipv4_cidr)
                && !crate::spec::ipv4_cidr_contains(&n.load_balancer_ipv4_cidr, &n.ipv4_cidr),
            "networking.load_balancer_ipv4_cidr",
            format!(
                "{} overlaps ipv4_cidr {}: a secondary VPC block must not overlap the primary one",
                n.load_balancer_ipv4_cidr, n.ipv4_cidr
            ),
        );
        v.range(
            "networking.az_count",
            n.az_count.into(),
            2,
            6,
            "availability zone count",
        );
        validate_flow_logs(v, n.flow_log_retention_days, &n.flow_log_traffic_type);
        v.check(
            !n.tiers.is_empty(),
            "networking.tiers",
            "at least one tier is needed",
        );
        for (i, t) in n.tiers.iter().enumerate() {
            v.one_of(
                format!("networking.tiers[{i}].kind"),
                &t.kind,
                &["isolated", "private", "public"],
            );
            v.check(
                !t.name.is_empty()
                    && t.name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                format!("networking.tiers[{i}].name"),
                "tier names use lowercase letters, digits and underscores",
            );
        }
        for tier in ["public", "private", "hsm"] {
            v.check(
                n.tiers.iter().any(|t| t.name == tier),
                "networking.tiers",
                format!("the modules expect a tier named {tier:?}"),
            );
        }
        for (name, s) in &self.services {
            let p = format!("services.{name}");
            v.port(format!("{p}.port"), s.port);
            v.one_of(format!("{p}.protocol"), &s.protocol, &["https", "udp"]);
            if let Some(hp) = s.health_check_port {
                v.port(format!("{p}.health_check_port"), hp);
            }
            v.check(
                s.health_check_path.starts_with('/'),
                format!("{p}.health_check_path"),
                "paths start with /",
            );
        }
        let sec = &self.security;
        for (i, c) in sec.client_ipv6_cidr_blocks.iter().enumerate() {
            v.ipv6_cidr(format!("security.client_ipv6_cidr_blocks[{i}]"), c);
        }
        sec.common().validate(v);
        let c = &self.compute;
        v.check(
            c.min_size <= c.desired_capacity && c.desired_capacity <= c.max_size,
            "compute.desired_capacity",
            format!(
                "need min_size <= desired_capacity <= max_size, got {} <= {} <= {}",
                c.min_size, c.desired_capacity, c.max_size
            ),
        );
        v.range(
            "compute.root_volume_iops",
            c.root_volume_iops.into(),
            3000,
            80000,
            "gp3 IOPS",
        );
        v.range(
            "compute.root_volume_throughput",
            c.root_volume_throughput.into(),
            125,
            2000,
            "gp3 throughput (MiB/s)",
        );
        v.range(
            "compute.root_volume_size",
            c.root_volume_size.into(),
            8,
            65536,
            "root volume size (GiB)",
        );
        v.one_of(
            "compute.placement_strategy",
            &c.placement_strategy,
            &["cluster", "partition", "spread"],
        );
        v.range(
            "compute.cpu_target_utilization",
            c.cpu_target_utilization.into(),
            10,
            95,
            "CPU target",
        );
        let lb = &self.load_balancer;
        v.one_of(
            "load_balancer.udp_service_mode",
            &lb.udp_service_mode,
            &["dualstack_udp", "quic"],
        );
        v.range(
            "load_balancer.deregistration_delay",
            lb.deregistration_delay.into(),
            0,
            3600,
            "deregistration delay",
        );
        v.range(
            "load_balancer.idle_timeout",
            lb.idle_timeout.into(),
            1,
            4000,
            "ALB idle timeout",
        );
        v.check(
            lb.ssl_policy.contains("TLS13"),
            "load_balancer.ssl_policy",
            "the document requires TLS 1.3: use an ELBSecurityPolicy-TLS13-* policy",
        );
        let h = &self.hsm;
        // hsm1.medium reached end of life on December 1, 2025: CloudHSM creates no new
        // hsm1 clusters (AWS Security Blog, "How to migrate your AWS CloudHSM hsm1 cluster to
        // hsm2": "unavailable for service on December 1, 2025").
        v.one_of("hsm.hsm_type", &h.hsm_type, &["hsm2m.medium"]);
        v.one_of("hsm.mode", &h.mode, &["FIPS", "NON_FIPS"]);
        v.check(
            h.mode == "FIPS" || h.hsm_type == "hsm2m.medium",
            "hsm.mode",
            "NON_FIPS needs hsm_type hsm2m.medium",
        );
        v.one_of("hsm.network_type", &h.network_type, &["DUALSTACK", "IPV4"]);
        v.range(
            "hsm.backup_retention_days",
            h.backup_retention_days.into(),
            7,
            379,
            "CloudHSM backup retention (days)",
        );
        v.range("hsm.hsm_count", h.hsm_count.into(), 1, 28, "HSM count");
        v.log_retention("hsm.audit_log_retention_days", h.audit_log_retention_days);
        validate_kms_keys(
            v,
            &h.kms_keys,
            h.key_rotation_period_days,
            h.key_deletion_window_days,
            &["backup", "ebs", "logs", "sns", "storage"],
        );
        let s = &self.storage;
        v.range(
            "storage.retention_days",
            s.retention_days.into(),
            1,
            36500,
            "object retention (days)",
        );
        v.check(
            s.transition_to_ia_days >= 30,
            "storage.transition_to_ia_days",
            "S3 allows STANDARD_IA transitions after 30 days at the earliest",
        );
        v.check(
            s.transition_to_glacier_days >= s.transition_to_ia_days + 30
                && s.retention_days > s.transition_to_glacier_days,
            "storage.transition_to_glacier_days",
            "need transition_to_ia_days + 30 <= transition_to_glacier_days < retention_days (S3 keeps objects 30 days in STANDARD_IA before a Glacier transition)",
        );
        for b in &s.archive_buckets {
            v.check(
                s.buckets.contains(b),
                "storage.archive_buckets",
                format!("{b:?} is not one of storage.buckets"),
            );
        }
        let m = &self.monitoring;
        v.log_retention("monitoring.log_retention_days", m.log_retention_days);
        v.check(
            m.availability_percent > 0.0 && m.availability_percent <= 100.0,
            "monitoring.availability_percent",
            "availability is a percentage in (0, 100]",
        );
        v.check(
            (0.0..=1.0).contains(&m.xray_sampling_rate),
            "monitoring.xray_sampling_rate",
            "the X-Ray sampling rate is a fraction between 0 and 1",
        );
        let d = &self.dns;
        v.range(
            "dns.health_check_failure_threshold",
            d.health_check_failure_threshold.into(),
            1,
            10,
            "failure threshold",
        );
        v.range(
            "dns.record_ttl",
            d.record_ttl.into(),
            0,
            2_147_483_647,
            "TTL",
        );
        self.certificates.validate(v);
        self.backup.validate(v);
    }
}
