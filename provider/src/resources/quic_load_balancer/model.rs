//! The resource's typed model (what Terraform holds), its identity, the protocol
//! families AWS's rules are about, and the desired load balancer resolved from a
//! plan (every value known).

use crate::aws::tags::{ConfigTags, Tags};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::framework::Timeouts;
use tfplugin::value::Attr;

pub const TYPE_NAME: &str = "trustchain_quic_load_balancer";
/// The TLS policy of TLS listeners that name none: TLS 1.3 and 1.2 only.
pub const DEFAULT_SSL_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";
/// AWS's idle timeout of TCP flows through an NLB listener.
pub const DEFAULT_IDLE_TIMEOUT: i64 = 350;
pub const DEFAULT_DEREGISTRATION_DELAY: i64 = 300;

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct LoadBalancerModel {
    pub id: Attr<String>,
    pub arn: Attr<String>,
    pub name: Attr<String>,
    pub internal: Attr<bool>,
    pub subnet_ids: Attr<Vec<Attr<String>>>,
    pub subnet_mapping: Attr<Vec<SubnetMappingModel>>,
    pub ip_address_type: Attr<String>,
    pub enable_prefix_for_ipv6_source_nat: Attr<bool>,
    pub security_groups: Attr<Vec<Attr<String>>>,
    pub enable_cross_zone_load_balancing: Attr<bool>,
    pub enable_deletion_protection: Attr<bool>,
    pub listener: Attr<Vec<ListenerModel>>,
    pub tags: Attr<ConfigTags>,
    pub tags_all: Attr<Tags>,
    pub timeouts: Attr<Timeouts>,
    pub dns_name: Attr<String>,
    pub zone_id: Attr<String>,
    pub vpc_id: Attr<String>,
    pub listeners: Attr<BTreeMap<String, ListenerIds>>,
    pub source_nat_ipv6_prefixes: Attr<BTreeMap<String, String>>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct SubnetMappingModel {
    pub subnet_id: Attr<String>,
    pub allocation_id: Attr<String>,
    pub private_ipv4_address: Attr<String>,
    pub ipv6_address: Attr<String>,
    pub source_nat_ipv6_prefix: Attr<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct ListenerModel {
    pub port: Attr<i64>,
    pub protocol: Attr<String>,
    pub certificate_arn: Attr<String>,
    pub ssl_policy: Attr<String>,
    pub target_type: Attr<String>,
    pub target_port: Attr<i64>,
    pub target_ip_address_type: Attr<String>,
    pub deregistration_delay: Attr<i64>,
    pub connection_termination: Attr<bool>,
    pub idle_timeout: Attr<i64>,
    pub health_check: Attr<HealthCheckModel>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Default)]
pub struct HealthCheckModel {
    pub protocol: Attr<String>,
    pub port: Attr<String>,
    pub path: Attr<String>,
    pub matcher: Attr<String>,
    pub interval: Attr<i64>,
    pub timeout: Attr<i64>,
    pub healthy_threshold: Attr<i64>,
    pub unhealthy_threshold: Attr<i64>,
}

/// What one listener is in AWS: its ARN and the target group it forwards to.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct ListenerIds {
    pub arn: Attr<String>,
    pub target_group_arn: Attr<String>,
}

/// The load balancer's ARN names account, region and load balancer.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct LoadBalancerIdentity {
    pub arn: String,
}

impl LoadBalancerModel {
    pub fn identity(&self) -> Option<LoadBalancerIdentity> {
        self.arn
            .known()
            .map(|arn| LoadBalancerIdentity { arn: arn.clone() })
    }

    /// `ip_address_type` with its default; `None` while unknown.
    pub fn ip_type(&self) -> Option<&str> {
        known_or(&self.ip_address_type, "ipv4")
    }

    pub fn source_nat(&self) -> Option<bool> {
        known_or_copy(&self.enable_prefix_for_ipv6_source_nat, false)
    }

    /// Security groups: `Some(empty)` when none are configured, `None` while unknown.
    pub fn security_group_ids(&self) -> Option<Vec<String>> {
        match &self.security_groups {
            Attr::Null => Some(Vec::new()),
            Attr::Unknown => None,
            Attr::Known(v) => v.iter().map(|g| g.known().cloned()).collect(),
        }
    }
}

pub fn known_or<'a>(a: &'a Attr<String>, default: &'a str) -> Option<&'a str> {
    match a {
        Attr::Known(s) => Some(s.as_str()),
        Attr::Null => Some(default),
        Attr::Unknown => None,
    }
}

pub fn known_or_copy<T: Copy>(a: &Attr<T>, default: T) -> Option<T> {
    match a {
        Attr::Known(v) => Some(*v),
        Attr::Null => Some(default),
        Attr::Unknown => None,
    }
}

/// NLB listener (and target group) protocols.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Protocol {
    Tcp,
    Tls,
    Udp,
    TcpUdp,
    Quic,
    TcpQuic,
}

pub const LISTENER_PROTOCOLS: &str = "QUIC, TCP_QUIC, UDP, TCP_UDP, TCP or TLS";

impl Protocol {
    pub fn parse(s: &str) -> Option<Protocol> {
        Some(match s {
            "TCP" => Protocol::Tcp,
            "TLS" => Protocol::Tls,
            "UDP" => Protocol::Udp,
            "TCP_UDP" => Protocol::TcpUdp,
            "QUIC" => Protocol::Quic,
            "TCP_QUIC" => Protocol::TcpQuic,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Tls => "TLS",
            Protocol::Udp => "UDP",
            Protocol::TcpUdp => "TCP_UDP",
            Protocol::Quic => "QUIC",
            Protocol::TcpQuic => "TCP_QUIC",
        }
    }

    /// QUIC or TCP_QUIC: one per NLB, IPv4 only, no security groups, no UDP beside it.
    pub fn is_quic(self) -> bool {
        matches!(self, Protocol::Quic | Protocol::TcpQuic)
    }

    /// UDP or TCP_UDP: on a dualstack NLB they need IPv6 targets and source NAT.
    pub fn is_udp(self) -> bool {
        matches!(self, Protocol::Udp | Protocol::TcpUdp)
    }

    /// Listeners whose TCP flows have an idle timeout AWS lets you change.
    pub fn has_idle_timeout(self) -> bool {
        matches!(self, Protocol::Tcp | Protocol::TcpUdp | Protocol::TcpQuic)
    }

    /// The target group protocol behind a listener: TLS terminates at the load
    /// balancer and forwards TCP; every other protocol passes through as it is.
    pub fn target_protocol(self) -> Protocol {
        match self {
            Protocol::Tls => Protocol::Tcp,
            p => p,
        }
    }

    /// AWS turns connection termination at deregistration on by default for UDP.
    pub fn default_connection_termination(self) -> bool {
        self.is_udp()
    }
}

/// A health check with every value known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HealthCheck {
    pub protocol: String,
    pub port: String,
    pub path: Option<String>,
    pub matcher: Option<String>,
    pub interval: i64,
    pub timeout: i64,
    pub healthy: i64,
    pub unhealthy: i64,
}

impl HealthCheck {
    pub fn is_http(&self) -> bool {
        is_http(&self.protocol)
    }

    pub fn to_model(&self) -> HealthCheckModel {
        HealthCheckModel {
            protocol: Attr::Known(self.protocol.clone()),
            port: Attr::Known(self.port.clone()),
            path: self.path.clone().into(),
            matcher: self.matcher.clone().into(),
            interval: Attr::Known(self.interval),
            timeout: Attr::Known(self.timeout),
            healthy_threshold: Attr::Known(self.healthy),
            unhealthy_threshold: Attr::Known(self.unhealthy),
        }
    }
}

pub fn is_http(protocol: &str) -> bool {
    protocol == "HTTP" || protocol == "HTTPS"
}

/// AWS's NLB health check timeout default: 6 s over HTTP, 10 s otherwise.
pub fn default_health_timeout(protocol: &str) -> i64 {
    if protocol == "HTTP" { 6 } else { 10 }
}

/// The settings of a target group AWS cannot change: a change means a new group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetSpec {
    pub protocol: Protocol,
    pub port: i64,
    pub target_type: String,
    pub ip_type: String,
}

/// One listener with every value known.
#[derive(Clone, Debug, PartialEq)]
pub struct Listener {
    pub port: i64,
    pub protocol: Protocol,
    pub certificate_arn: Option<String>,
    pub ssl_policy: Option<String>,
    pub target: TargetSpec,
    pub health: HealthCheck,
    pub deregistration_delay: i64,
    pub connection_termination: bool,
    pub idle_timeout: Option<i64>,
}

/// A subnet the load balancer is in, as configured.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Mapping {
    pub subnet_id: String,
    pub allocation_id: Option<String>,
    pub private_ipv4_address: Option<String>,
    pub ipv6_address: Option<String>,
    pub source_nat_ipv6_prefix: Option<String>,
}

/// The whole desired load balancer, resolved from a planned model.
#[derive(Clone, Debug)]
pub struct Desired {
    pub name: String,
    pub internal: bool,
    /// Given as `subnet_mapping` (addresses, prefixes) rather than `subnet_ids`.
    pub mapped: bool,
    pub subnets: Vec<Mapping>,
    pub ip_type: String,
    pub source_nat: bool,
    pub security_groups: Vec<String>,
    pub cross_zone: bool,
    pub deletion_protection: bool,
    pub listeners: Vec<Listener>,
    pub tags_all: Tags,
}

fn incomplete(what: &str) -> Diagnostics {
    Diagnostic::error(
        "Incomplete load balancer plan",
        format!(
            "{what} is not known at apply time. This is a bug in the provider; please report it."
        ),
    )
    .into()
}

fn need<T: Clone>(a: &Attr<T>, what: &str) -> Result<T, Diagnostics> {
    a.known().cloned().ok_or_else(|| incomplete(what))
}

impl Desired {
    pub fn from_model(m: &LoadBalancerModel) -> Result<Desired, Diagnostics> {
        let mut subnets = Vec::new();
        // An absent list block is an empty list, not null.
        let mapped = m.subnet_mapping.known().is_some_and(|v| !v.is_empty());
        if mapped && let Attr::Known(ms) = &m.subnet_mapping {
            for s in ms {
                subnets.push(Mapping {
                    subnet_id: need(&s.subnet_id, "subnet_mapping.subnet_id")?,
                    allocation_id: s.allocation_id.known().cloned(),
                    private_ipv4_address: s.private_ipv4_address.known().cloned(),
                    ipv6_address: s.ipv6_address.known().cloned(),
                    source_nat_ipv6_prefix: s.source_nat_ipv6_prefix.known().cloned(),
                });
            }
        } else {
            for s in need(&m.subnet_ids, "subnet_ids")? {
                subnets.push(Mapping {
                    subnet_id: need(&s, "subnet_ids")?,
                    allocation_id: None,
                    private_ipv4_address: None,
                    ipv6_address: None,
                    source_nat_ipv6_prefix: None,
                });
            }
        }
        let mut listeners = Vec::new();
        for l in m.listener.known().map(Vec::as_slice).unwrap_or_default() {
            listeners.push(listener_of(l)?);
        }
        listeners.sort_by_key(|l| l.port);
        Ok(Desired {
            name: need(&m.name, "name")?,
            internal: known_or_copy(&m.internal, false).ok_or_else(|| incomplete("internal"))?,
            mapped,
            subnets,
            ip_type: m
                .ip_type()
                .ok_or_else(|| incomplete("ip_address_type"))?
                .to_string(),
            source_nat: m
                .source_nat()
                .ok_or_else(|| incomplete("enable_prefix_for_ipv6_source_nat"))?,
            security_groups: m
                .security_group_ids()
                .ok_or_else(|| incomplete("security_groups"))?,
            cross_zone: known_or_copy(&m.enable_cross_zone_load_balancing, false)
                .ok_or_else(|| incomplete("enable_cross_zone_load_balancing"))?,
            deletion_protection: known_or_copy(&m.enable_deletion_protection, false)
                .ok_or_else(|| incomplete("enable_deletion_protection"))?,
            listeners,
            tags_all: m.tags_all.known().cloned().unwrap_or_default(),
        })
    }
}

fn listener_of(l: &ListenerModel) -> Result<Listener, Diagnostics> {
    let protocol = l
        .protocol
        .known()
        .and_then(|p| Protocol::parse(p))
        .ok_or_else(|| incomplete("listener.protocol"))?;
    let port = need(&l.port, "listener.port")?;
    let hc = l.health_check.known().cloned().unwrap_or_default();
    let hc_protocol = known_or(&hc.protocol, "TCP")
        .ok_or_else(|| incomplete("health_check.protocol"))?
        .to_string();
    let health = HealthCheck {
        port: known_or(&hc.port, "traffic-port")
            .ok_or_else(|| incomplete("health_check.port"))?
            .to_string(),
        path: hc.path.known().cloned(),
        matcher: hc.matcher.known().cloned(),
        interval: known_or_copy(&hc.interval, 30).ok_or_else(|| incomplete("interval"))?,
        timeout: known_or_copy(&hc.timeout, default_health_timeout(&hc_protocol))
            .ok_or_else(|| incomplete("timeout"))?,
        healthy: known_or_copy(&hc.healthy_threshold, 5)
            .ok_or_else(|| incomplete("healthy_threshold"))?,
        unhealthy: known_or_copy(&hc.unhealthy_threshold, 2)
            .ok_or_else(|| incomplete("unhealthy_threshold"))?,
        protocol: hc_protocol,
    };
    Ok(Listener {
        port,
        protocol,
        certificate_arn: l.certificate_arn.known().cloned(),
        ssl_policy: l.ssl_policy.known().cloned(),
        target: TargetSpec {
            protocol: protocol.target_protocol(),
            port: known_or_copy(&l.target_port, port).ok_or_else(|| incomplete("target_port"))?,
            target_type: known_or(&l.target_type, "instance")
                .ok_or_else(|| incomplete("target_type"))?
                .to_string(),
            ip_type: need(&l.target_ip_address_type, "target_ip_address_type")?,
        },
        health,
        deregistration_delay: known_or_copy(&l.deregistration_delay, DEFAULT_DEREGISTRATION_DELAY)
            .ok_or_else(|| incomplete("deregistration_delay"))?,
        connection_termination: known_or_copy(
            &l.connection_termination,
            protocol.default_connection_termination(),
        )
        .ok_or_else(|| incomplete("connection_termination"))?,
        idle_timeout: l.idle_timeout.known().copied(),
    })
}

/// The name of a listener's target group: readable (`<lb>-<port>-`) and unique to
/// the settings AWS cannot change, so a replacement group can exist beside the old
/// one while the listener switches over. At most 32 characters, as AWS requires.
pub fn target_group_name(lb_name: &str, port: i64, spec: &TargetSpec) -> String {
    let digest = Sha256::digest(
        format!(
            "{lb_name}\0{port}\0{}\0{}\0{}\0{}",
            spec.protocol.as_str(),
            spec.port,
            spec.target_type,
            spec.ip_type
        )
        .as_bytes(),
    );
    let hash: String = digest[..3].iter().map(|b| format!("{b:02x}")).collect();
    let suffix = format!("-{port}-{hash}");
    let room = 32 - suffix.len();
    let prefix: String = lb_name.chars().take(room).collect();
    format!("{}{suffix}", prefix.trim_end_matches('-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(protocol: Protocol) -> TargetSpec {
        TargetSpec {
            protocol,
            port: 8853,
            target_type: "instance".into(),
            ip_type: "ipv4".into(),
        }
    }

    #[test]
    fn target_group_names_fit_aws_and_change_with_immutable_settings() {
        let a = target_group_name("trustchain-prod-doq", 8853, &spec(Protocol::Quic));
        assert!(a.starts_with("trustchain-prod-doq-8853-"), "{a}");
        assert_eq!(
            a,
            target_group_name("trustchain-prod-doq", 8853, &spec(Protocol::Quic))
        );
        assert_ne!(
            a,
            target_group_name("trustchain-prod-doq", 8853, &spec(Protocol::TcpQuic))
        );
        let long = target_group_name(&"x".repeat(32), 65535, &spec(Protocol::Udp));
        assert_eq!(long.len(), 32, "{long}");
        let hyphen = target_group_name("abcdefghijklmnopqrs-uvw", 8853, &spec(Protocol::Udp));
        assert!(!hyphen.contains("--"), "{hyphen}");
    }

    #[test]
    fn protocol_families_follow_aws() {
        assert!(Protocol::TcpQuic.is_quic() && !Protocol::TcpQuic.is_udp());
        assert!(Protocol::TcpUdp.is_udp() && Protocol::TcpUdp.has_idle_timeout());
        assert!(!Protocol::Tls.has_idle_timeout() && !Protocol::Quic.has_idle_timeout());
        assert_eq!(Protocol::Tls.target_protocol(), Protocol::Tcp);
        for p in ["QUIC", "TCP_QUIC", "UDP", "TCP_UDP", "TCP", "TLS"] {
            assert_eq!(Protocol::parse(p).map(Protocol::as_str), Some(p));
        }
        assert_eq!(Protocol::parse("HTTP"), None);
    }
}
