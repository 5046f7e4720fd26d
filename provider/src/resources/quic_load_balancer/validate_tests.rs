//! Unit tests of the plan-time rules: each at its attribute path.

use super::super::schema;
use super::*;
use serde_json::json;

fn check(v: serde_json::Value) -> Vec<(String, String)> {
    let m: LoadBalancerModel =
        tfplugin::framework::model_from_json(&schema::schema(), &v).expect("model");
    validate_config(&m)
        .iter()
        .map(|d| {
            (
                d.summary.clone(),
                d.attribute
                    .as_ref()
                    .map(|p| p.to_string())
                    .unwrap_or_default(),
            )
        })
        .collect()
}

fn listener(port: i64, protocol: &str) -> serde_json::Value {
    json!({"port": port, "protocol": protocol, "health_check": {}})
}

fn lb(extra: serde_json::Value, listeners: Vec<serde_json::Value>) -> serde_json::Value {
    let mut v = json!({"name": "tc", "subnet_ids": ["subnet-1"], "listener": listeners});
    if let (Some(m), serde_json::Value::Object(e)) = (v.as_object_mut(), extra) {
        m.extend(e);
    }
    v
}

fn has(found: &[(String, String)], summary: &str, path: &str) -> bool {
    found.iter().any(|(s, p)| s == summary && p == path)
}

#[test]
fn the_trustchain_variants_pass() {
    let quic = lb(json!({}), vec![listener(8853, "QUIC")]);
    assert_eq!(check(quic), vec![]);
    let udp = lb(
        json!({"ip_address_type": "dualstack", "enable_prefix_for_ipv6_source_nat": true}),
        vec![listener(8444, "UDP"), listener(8853, "UDP")],
    );
    assert_eq!(check(udp), vec![]);
}

#[test]
fn each_quic_rule_is_an_error_at_its_attribute() {
    let d = check(lb(
        json!({"ip_address_type": "dualstack"}),
        vec![listener(8853, "QUIC")],
    ));
    assert!(
        has(
            &d,
            "QUIC listener on a dualstack load balancer",
            "listener[0].protocol"
        ),
        "{d:?}"
    );
    let d = check(lb(
        json!({"security_groups": ["sg-1"]}),
        vec![listener(8853, "TCP_QUIC")],
    ));
    assert!(
        has(
            &d,
            "QUIC listener on a load balancer with security groups",
            "security_groups"
        ),
        "{d:?}"
    );
    let d = check(lb(
        json!({}),
        vec![listener(8853, "QUIC"), listener(8444, "TCP_QUIC")],
    ));
    assert!(
        has(&d, "More than one QUIC listener", "listener[1].protocol"),
        "{d:?}"
    );
    let d = check(lb(
        json!({}),
        vec![listener(53, "TCP_UDP"), listener(8853, "QUIC")],
    ));
    assert!(
        has(
            &d,
            "QUIC listener beside a UDP listener",
            "listener[1].protocol"
        ),
        "{d:?}"
    );
    let d = check(lb(
        json!({}),
        vec![listener(8853, "QUIC"), listener(53, "UDP")],
    ));
    assert!(
        has(
            &d,
            "QUIC listener beside a UDP listener",
            "listener[1].protocol"
        ),
        "{d:?}"
    );
}

#[test]
fn udp_on_dualstack_needs_ipv6_targets_and_source_nat() {
    let mut l = listener(8853, "UDP");
    l["target_ip_address_type"] = json!("ipv4");
    let d = check(lb(json!({"ip_address_type": "dualstack"}), vec![l]));
    assert!(
        has(
            &d,
            "UDP listener on dualstack needs IPv6 targets",
            "listener[0].target_ip_address_type"
        ),
        "{d:?}"
    );
    assert!(
        has(
            &d,
            "UDP listener on dualstack needs the IPv6 source-NAT prefix",
            "enable_prefix_for_ipv6_source_nat"
        ),
        "{d:?}"
    );
}

#[test]
fn health_checks_tls_and_ranges() {
    let mut l = listener(8853, "UDP");
    l["health_check"] = json!({"protocol": "UDP", "interval": 10, "timeout": 20});
    let d = check(lb(json!({}), vec![l, listener(853, "TLS")]));
    assert!(
        has(
            &d,
            "Health check protocol not supported",
            "listener[0].health_check.protocol"
        ),
        "{d:?}"
    );
    assert!(
        has(
            &d,
            "Health check timeout longer than its interval",
            "listener[0].health_check.timeout"
        ),
        "{d:?}"
    );
    assert!(
        has(
            &d,
            "TLS listener without certificate",
            "listener[1].certificate_arn"
        ),
        "{d:?}"
    );
    let mut tcp = listener(80, "TCP");
    tcp["health_check"] = json!({"path": "/health"});
    tcp["ssl_policy"] = json!("ELBSecurityPolicy-TLS13-1-2-2021-06");
    let mut quic = listener(8853, "QUIC");
    quic["idle_timeout"] = json!(120);
    let d = check(lb(json!({}), vec![tcp, quic]));
    assert!(
        has(
            &d,
            "Health check path on a TCP check",
            "listener[0].health_check.path"
        ),
        "{d:?}"
    );
    assert!(
        has(&d, "ssl_policy on a TCP listener", "listener[0].ssl_policy"),
        "{d:?}"
    );
    assert!(
        has(
            &d,
            "Idle timeout not supported for this protocol",
            "listener[1].idle_timeout"
        ),
        "{d:?}"
    );
}

#[test]
fn unknown_values_are_left_for_later() {
    let v = json!({"name": "tc", "subnet_ids": ["subnet-1"], "listener": [
        {"port": 8853, "health_check": {}}
    ]});
    let mut m: LoadBalancerModel =
        tfplugin::framework::model_from_json(&schema::schema(), &v).expect("model");
    m.ip_address_type = Attr::Unknown;
    if let Attr::Known(ls) = &mut m.listener {
        ls[0].protocol = Attr::Unknown;
    }
    assert!(validate_config(&m).is_empty());
}

#[test]
fn subnets_name_and_address_types() {
    let d = check(json!({"name": "-bad", "listener": [listener(1, "TCP")]}));
    assert!(has(&d, "Invalid load balancer name", "name"), "{d:?}");
    assert!(has(&d, "No subnets", "subnet_ids"), "{d:?}");
    let d = check(lb(
        json!({"ip_address_type": "dualstack-without-public-ipv4"}),
        vec![listener(1, "TCP")],
    ));
    assert!(
        has(
            &d,
            "Invalid IP address type for a Network Load Balancer",
            "ip_address_type"
        ),
        "{d:?}"
    );
    let d = check(lb(
        json!({"enable_prefix_for_ipv6_source_nat": true}),
        vec![listener(1, "TCP"), listener(1, "UDP")],
    ));
    assert!(
        has(
            &d,
            "Source NAT prefix needs a dualstack load balancer",
            "enable_prefix_for_ipv6_source_nat"
        ),
        "{d:?}"
    );
    assert!(
        has(&d, "Duplicate listener port", "listener[1].port"),
        "{d:?}"
    );
}
