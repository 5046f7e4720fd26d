//! AWS's rules for Network Load Balancers with QUIC and UDP, checked at plan time
//! (values may be unknown: a rule is checked once the values it needs are known).
//! Each is a diagnostic at the attribute to change that says how.

use super::model::{
    HealthCheckModel, LISTENER_PROTOCOLS, ListenerModel, LoadBalancerModel, Protocol, is_http,
    known_or, known_or_copy,
};
use crate::aws::tag_rules;
use std::collections::BTreeMap;
use tfplugin::diag::Diagnostics;
use tfplugin::value::{Attr, AttributePath};

pub fn listener_path(i: usize) -> AttributePath {
    AttributePath::root().attr("listener").index(i as i64)
}

fn root(name: &str) -> AttributePath {
    AttributePath::root().attr(name)
}

/// Every check of a configuration.
pub fn validate_config(m: &LoadBalancerModel) -> Diagnostics {
    let mut d = Diagnostics::new();
    check_name(m, &mut d);
    check_subnets(m, &mut d);
    check_address_type(m, &mut d);
    let listeners: Vec<ListenerModel> = m.listener.known().cloned().unwrap_or_default();
    let mut ports: BTreeMap<i64, usize> = BTreeMap::new();
    for (i, l) in listeners.iter().enumerate() {
        if let Attr::Known(p) = l.port
            && let Some(first) = ports.insert(p, i)
        {
            d.error_at(
                listener_path(i).attr("port"),
                "Duplicate listener port",
                format!("listener[{first}] already listens on port {p}; each listener needs its own port."),
            );
        }
        check_listener(m, i, l, &mut d);
    }
    check_quic_and_udp(m, &listeners, &mut d);
    if let Attr::Known(tags) = &m.tags {
        d.extend(tag_rules::check_tags(
            &tag_rules::ELBV2,
            tag_rules::config_pairs(tags),
            &root("tags"),
            None,
        ));
    }
    d
}

fn check_name(m: &LoadBalancerModel, d: &mut Diagnostics) {
    let Attr::Known(name) = &m.name else { return };
    let ok_chars = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if name.is_empty()
        || name.len() > 32
        || !ok_chars
        || name.starts_with('-')
        || name.ends_with('-')
        || name.starts_with("internal-")
    {
        d.error_at(
            root("name"),
            "Invalid load balancer name",
            format!("{name:?}: AWS needs 1-32 letters, digits and hyphens, not starting or ending with a hyphen nor starting with \"internal-\"."),
        );
    }
}

fn check_subnets(m: &LoadBalancerModel, d: &mut Diagnostics) {
    // Whether each is given; `None` while unknown (it may turn out empty or null).
    let ids = match &m.subnet_ids {
        Attr::Known(_) => Some(true),
        Attr::Null => Some(false),
        Attr::Unknown => None,
    };
    let mappings = match &m.subnet_mapping {
        Attr::Known(v) => Some(!v.is_empty()),
        Attr::Null => Some(false),
        Attr::Unknown => None,
    };
    match (ids, mappings) {
        (Some(false), Some(false)) => d.error_at(
            root("subnet_ids"),
            "No subnets",
            "Set subnet_ids (one subnet per availability zone), or subnet_mapping blocks when the load balancer needs fixed addresses in them.",
        ),
        (Some(true), Some(true)) => d.error_at(
            root("subnet_mapping"),
            "Both subnet_ids and subnet_mapping",
            "Use subnet_ids or subnet_mapping blocks, not both: move every subnet into one of them.",
        ),
        _ => {}
    }
    let nat = m.source_nat();
    for (i, s) in m.subnet_mapping.known().into_iter().flatten().enumerate() {
        if let Attr::Known(p) = &s.source_nat_ipv6_prefix
            && nat == Some(false)
        {
            d.error_at(
                root("subnet_mapping").index(i as i64).attr("source_nat_ipv6_prefix"),
                "Source-NAT prefix without enable_prefix_for_ipv6_source_nat",
                format!("{p:?} applies only with enable_prefix_for_ipv6_source_nat = true (on a dualstack load balancer); set it or remove the prefix."),
            );
        }
    }
}

fn check_address_type(m: &LoadBalancerModel, d: &mut Diagnostics) {
    let ip = m.ip_type();
    match ip {
        Some("ipv4" | "dualstack") | None => {}
        Some("dualstack-without-public-ipv4") => d.error_at(
            root("ip_address_type"),
            "Invalid IP address type for a Network Load Balancer",
            "dualstack-without-public-ipv4 exists only for Application Load Balancers; use \"dualstack\" (IPv6 clients) or \"ipv4\".",
        ),
        Some(other) => d.error_at(
            root("ip_address_type"),
            "Invalid IP address type",
            format!("{other:?} must be \"ipv4\" or \"dualstack\"."),
        ),
    }
    if m.source_nat() == Some(true) && ip.is_some_and(|t| t != "dualstack") {
        d.error_at(
            root("enable_prefix_for_ipv6_source_nat"),
            "Source NAT prefix needs a dualstack load balancer",
            "enable_prefix_for_ipv6_source_nat translates IPv6 flows; set ip_address_type = \"dualstack\", or set enable_prefix_for_ipv6_source_nat = false.",
        );
    }
}

fn range(d: &mut Diagnostics, path: AttributePath, what: &str, v: &Attr<i64>, lo: i64, hi: i64) {
    if let Attr::Known(n) = v
        && !(lo..=hi).contains(n)
    {
        d.error_at(
            path,
            format!("Invalid {what}"),
            format!("{n} is out of range: AWS accepts {lo}-{hi}."),
        );
    }
}

fn check_listener(m: &LoadBalancerModel, i: usize, l: &ListenerModel, d: &mut Diagnostics) {
    let at = |name: &str| listener_path(i).attr(name);
    range(d, at("port"), "listener port", &l.port, 1, 65535);
    range(
        d,
        at("target_port"),
        "target port",
        &l.target_port,
        1,
        65535,
    );
    range(
        d,
        at("deregistration_delay"),
        "deregistration delay",
        &l.deregistration_delay,
        0,
        3600,
    );
    let protocol = match &l.protocol {
        Attr::Known(p) => match Protocol::parse(p) {
            Some(p) => Some(p),
            None => {
                d.error_at(
                    at("protocol"),
                    "Invalid listener protocol",
                    format!("{p:?} is not a Network Load Balancer protocol: use {LISTENER_PROTOCOLS}. HTTP and HTTPS listeners belong on an Application Load Balancer."),
                );
                None
            }
        },
        _ => None,
    };
    if let Some(t) = known_or(&l.target_type, "instance")
        && t != "instance"
        && t != "ip"
    {
        d.error_at(
            at("target_type"),
            "Invalid target type",
            format!("{t:?} must be \"instance\" or \"ip\"."),
        );
    }
    if let Attr::Known(t) = &l.target_ip_address_type {
        if t != "ipv4" && t != "ipv6" {
            d.error_at(
                at("target_ip_address_type"),
                "Invalid target IP address type",
                format!("{t:?} must be \"ipv4\" or \"ipv6\"."),
            );
        } else if t == "ipv6" && m.ip_type() == Some("ipv4") {
            d.error_at(
                at("target_ip_address_type"),
                "IPv6 targets need a dualstack load balancer",
                "AWS does not attach ipv6 target groups to an ipv4 load balancer: set ip_address_type = \"dualstack\" (not possible with QUIC), or target_ip_address_type = \"ipv4\".",
            );
        }
    }
    if let Some(p) = protocol {
        check_tls(i, l, p, d);
        if let Attr::Known(t) = &l.idle_timeout {
            if !p.has_idle_timeout() {
                d.error_at(
                    at("idle_timeout"),
                    "Idle timeout not supported for this protocol",
                    format!("AWS sets the idle timeout of TCP flows on TCP, TCP_UDP and TCP_QUIC listeners only; remove idle_timeout from this {} listener.", p.as_str()),
                );
            } else if !(60..=6000).contains(t) {
                d.error_at(
                    at("idle_timeout"),
                    "Invalid idle timeout",
                    format!("{t} is out of range: AWS accepts 60-6000 seconds."),
                );
            }
        }
    }
    if let Attr::Known(hc) = &l.health_check {
        check_health_check(i, hc, d);
    }
}

fn check_tls(i: usize, l: &ListenerModel, p: Protocol, d: &mut Diagnostics) {
    let at = |name: &str| listener_path(i).attr(name);
    if p == Protocol::Tls {
        if l.certificate_arn.is_null() {
            d.error_at(
                at("certificate_arn"),
                "TLS listener without certificate",
                "A TLS listener terminates TLS and needs the certificate it presents: set certificate_arn to an ACM (or IAM) certificate ARN, or use protocol = \"TCP\" to pass TLS through to the targets.",
            );
        }
        return;
    }
    for (name, what, v) in [
        ("certificate_arn", "A certificate", &l.certificate_arn),
        ("ssl_policy", "A security policy", &l.ssl_policy),
    ] {
        if v.is_known() {
            d.error_at(
                at(name),
                format!("{name} on a {} listener", p.as_str()),
                format!("{what} applies to TLS listeners only; remove {name}, or use protocol = \"TLS\"."),
            );
        }
    }
}

fn check_health_check(i: usize, hc: &HealthCheckModel, d: &mut Diagnostics) {
    let at = |name: &str| listener_path(i).attr("health_check").attr(name);
    let protocol = known_or(&hc.protocol, "TCP");
    if let Some(p) = protocol
        && !matches!(p, "TCP" | "HTTP" | "HTTPS")
    {
        d.error_at(
            at("protocol"),
            "Health check protocol not supported",
            format!("Network Load Balancers check targets over TCP, HTTP or HTTPS only, also for UDP and QUIC target groups; {p:?} is not one of them. Check a TCP or HTTP(S) port of the same service instead, e.g. protocol = \"HTTPS\" with its port and path."),
        );
    }
    if let Some(port) = known_or(&hc.port, "traffic-port")
        && port != "traffic-port"
        && !port.parse::<u16>().is_ok_and(|n| n >= 1)
    {
        d.error_at(
            at("port"),
            "Invalid health check port",
            format!("{port:?} must be \"traffic-port\" or a port 1-65535."),
        );
    }
    let http = protocol.map(is_http);
    for (name, v) in [("path", &hc.path), ("matcher", &hc.matcher)] {
        if http == Some(false) && v.is_known() {
            d.error_at(
                at(name),
                format!("Health check {name} on a TCP check"),
                format!("{name} applies to HTTP and HTTPS checks only; remove it, or set protocol = \"HTTPS\"."),
            );
        }
    }
    if let Attr::Known(p) = &hc.path
        && (!p.starts_with('/') || p.len() > 1024)
    {
        d.error_at(
            at("path"),
            "Invalid health check path",
            format!("{p:?} must start with \"/\" and be at most 1024 characters."),
        );
    }
    if let Attr::Known(m) = &hc.matcher
        && !valid_matcher(m)
    {
        d.error_at(
            at("matcher"),
            "Invalid health check matcher",
            format!("{m:?} must be HTTP codes or ranges within 200-599, e.g. \"200\", \"200-399\" or \"200,204\"."),
        );
    }
    range(
        d,
        at("interval"),
        "health check interval",
        &hc.interval,
        5,
        300,
    );
    range(
        d,
        at("timeout"),
        "health check timeout",
        &hc.timeout,
        2,
        120,
    );
    range(
        d,
        at("healthy_threshold"),
        "healthy threshold",
        &hc.healthy_threshold,
        2,
        10,
    );
    range(
        d,
        at("unhealthy_threshold"),
        "unhealthy threshold",
        &hc.unhealthy_threshold,
        2,
        10,
    );
    if let (Attr::Known(t), Some(iv)) = (&hc.timeout, known_or_copy(&hc.interval, 30))
        && *t > iv
    {
        d.error_at(
            at("timeout"),
            "Health check timeout longer than its interval",
            format!("timeout {t} must be at most interval {iv}: lower timeout or raise interval."),
        );
    }
}

fn valid_matcher(m: &str) -> bool {
    let code = |s: &str| s.len() == 3 && s.parse::<u16>().is_ok_and(|n| (200..=599).contains(&n));
    !m.is_empty()
        && m.split(',').all(|part| match part.split_once('-') {
            Some((a, b)) => code(a) && code(b) && a <= b,
            None => code(part),
        })
}

/// The rules that relate listeners to each other and to the load balancer.
fn check_quic_and_udp(m: &LoadBalancerModel, listeners: &[ListenerModel], d: &mut Diagnostics) {
    let ip = m.ip_type();
    let protocols: Vec<Option<Protocol>> = listeners
        .iter()
        .map(|l| l.protocol.known().and_then(|p| Protocol::parse(p)))
        .collect();
    let port = |i: usize| {
        listeners[i]
            .port
            .known()
            .map_or("?".to_string(), |p| p.to_string())
    };
    let mut first_quic: Option<usize> = None;
    let mut first_udp: Option<usize> = None;
    for (i, p) in protocols.iter().enumerate() {
        let Some(p) = *p else { continue };
        let at = listener_path(i).attr("protocol");
        if p.is_quic() {
            if ip == Some("dualstack") {
                d.error_at(
                    at.clone(),
                    "QUIC listener on a dualstack load balancer",
                    format!("AWS serves {} only on ipv4 load balancers (IPv4 clients). Either set ip_address_type = \"ipv4\", or keep dualstack for IPv6 clients and use protocol = \"UDP\" with IPv6 targets and enable_prefix_for_ipv6_source_nat = true (no QUIC connection-ID routing).", p.as_str()),
                );
            }
            if let Some(first) = first_quic {
                d.error_at(
                    at.clone(),
                    "More than one QUIC listener",
                    format!("AWS allows one QUIC or TCP_QUIC listener per Network Load Balancer, and listener[{first}] (port {}) is already one. Put this service on its own trustchain_quic_load_balancer (modules/trustchain/load_balancer does so in quic mode).", port(first)),
                );
            } else {
                first_quic = Some(i);
            }
            if let Some(u) = first_udp {
                d.error_at(
                    at.clone(),
                    "QUIC listener beside a UDP listener",
                    format!("AWS does not allow QUIC/TCP_QUIC and UDP/TCP_UDP listeners on one load balancer, and listener[{u}] (port {}) is {}. Move one of them to its own trustchain_quic_load_balancer, or use the same family for both.", port(u), protocols[u].map_or("UDP", Protocol::as_str)),
                );
            }
        }
        if p.is_udp() {
            if let Some(q) = first_quic {
                d.error_at(
                    at.clone(),
                    "QUIC listener beside a UDP listener",
                    format!("AWS does not allow UDP/TCP_UDP and QUIC/TCP_QUIC listeners on one load balancer, and listener[{q}] (port {}) is {}. Move one of them to its own trustchain_quic_load_balancer, or use the same family for both.", port(q), protocols[q].map_or("QUIC", Protocol::as_str)),
                );
            }
            first_udp = first_udp.or(Some(i));
            if ip == Some("dualstack")
                && listeners[i]
                    .target_ip_address_type
                    .known()
                    .map(String::as_str)
                    == Some("ipv4")
            {
                d.error_at(
                    listener_path(i).attr("target_ip_address_type"),
                    "UDP listener on dualstack needs IPv6 targets",
                    format!("AWS forwards {} on a dualstack load balancer only to ipv6 target groups: set target_ip_address_type = \"ipv6\" (or leave it out) and register IPv6 targets, or set ip_address_type = \"ipv4\".", p.as_str()),
                );
            }
        }
    }
    if let Some(u) = first_udp
        && ip == Some("dualstack")
        && m.source_nat() == Some(false)
    {
        d.error_at(
            root("enable_prefix_for_ipv6_source_nat"),
            "UDP listener on dualstack needs the IPv6 source-NAT prefix",
            format!("listener[{u}] (port {}) is UDP on a dualstack load balancer: AWS needs a /80 per subnet to translate IPv6 flows. Set enable_prefix_for_ipv6_source_nat = true (hashicorp/aws #40379), or ip_address_type = \"ipv4\".", port(u)),
        );
    }
    if let Some(q) = first_quic
        && m.security_group_ids().is_some_and(|g| !g.is_empty())
    {
        d.error_at(
            root("security_groups"),
            "QUIC listener on a load balancer with security groups",
            format!("AWS does not serve QUIC/TCP_QUIC listeners (listener[{q}], port {}) on load balancers with security groups: remove security_groups and filter traffic with the targets' security groups, or use UDP instead of QUIC.", port(q)),
        );
    }
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
