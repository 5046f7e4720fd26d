//! Unit tests of the plan-time rules: each at its attribute path.

use super::super::schema;
use super::*;
use serde_json::json;

fn check(v: serde_json::Value) -> Vec<(String, String)> {
    let m: LoadBalancerModel =
        tfplugin::framework::model_from_json(&schema::schema(), &v).expect("model");
    crate::resources::plan_testing::summaries_at(&validate_config(&m))
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

/// The paths of the diagnostics with `summary`.
fn at(found: &[(String, String)], summary: &str) -> Vec<String> {
    found
        .iter()
        .filter(|(s, _)| s == summary)
        .map(|(_, p)| p.clone())
        .collect()
}

fn one_listener(l: serde_json::Value) -> Vec<(String, String)> {
    check(lb(json!({}), vec![l]))
}

#[test]
fn names_are_1_to_32_letters_digits_and_inner_hyphens() {
    let name = |n: &str| {
        at(
            &check(lb(json!({"name": n}), vec![])),
            "Invalid load balancer name",
        )
    };
    for ok in ["a", "my-lb-2", &"a".repeat(32)] {
        assert!(name(ok).is_empty(), "{ok:?} is a valid name");
    }
    for bad in [
        "",
        &"a".repeat(33),
        "my_lb",
        "my.lb",
        "-lb",
        "lb-",
        "internal-lb",
    ] {
        assert_eq!(name(bad), ["name"], "{bad:?}");
    }
}

#[test]
fn subnets_come_from_subnet_ids_or_mappings_never_both() {
    let mapping = json!([{"subnet_id": "subnet-1"}]);
    let d = check(json!({"name": "tc", "subnet_mapping": mapping, "listener": []}));
    assert!(d.is_empty(), "{d:?}");
    let d = check(
        json!({"name": "tc", "subnet_ids": ["subnet-1"], "subnet_mapping": mapping, "listener": []}),
    );
    assert_eq!(
        at(&d, "Both subnet_ids and subnet_mapping"),
        ["subnet_mapping"]
    );
    let d = check(json!({"name": "tc", "subnet_mapping": [], "listener": []}));
    assert_eq!(at(&d, "No subnets"), ["subnet_ids"]);
}

#[test]
fn a_source_nat_prefix_needs_source_nat_enabled() {
    let mapping = json!([{"subnet_id": "subnet-1"},
                         {"subnet_id": "subnet-2", "source_nat_ipv6_prefix": "2600:1f18:0:1::/80"}]);
    let prefix = "Source-NAT prefix without enable_prefix_for_ipv6_source_nat";
    let d = check(json!({"name": "tc", "ip_address_type": "dualstack", "subnet_mapping": mapping}));
    assert_eq!(at(&d, prefix), ["subnet_mapping[1].source_nat_ipv6_prefix"]);
    let d = check(
        json!({"name": "tc", "ip_address_type": "dualstack", "subnet_mapping": mapping,
                         "enable_prefix_for_ipv6_source_nat": true}),
    );
    assert!(d.is_empty(), "{d:?}");
}

#[test]
fn ports_and_delays_are_checked_against_awss_ranges() {
    let mut l = listener(1, "TCP");
    l["target_port"] = json!(65535);
    l["deregistration_delay"] = json!(0);
    l["health_check"] =
        json!({"interval": 5, "timeout": 2, "healthy_threshold": 2, "unhealthy_threshold": 10});
    let mut l2 = listener(65535, "TCP");
    l2["target_port"] = json!(1);
    l2["deregistration_delay"] = json!(3600);
    l2["health_check"] =
        json!({"interval": 300, "timeout": 120, "healthy_threshold": 10, "unhealthy_threshold": 2});
    let d = check(lb(json!({}), vec![l, l2]));
    assert!(d.is_empty(), "the bounds are valid: {d:?}");

    let mut low = listener(0, "TCP");
    low["target_port"] = json!(0);
    low["deregistration_delay"] = json!(-1);
    low["health_check"] =
        json!({"interval": 4, "timeout": 1, "healthy_threshold": 1, "unhealthy_threshold": 1});
    let mut high = listener(65536, "TCP");
    high["target_port"] = json!(65536);
    high["deregistration_delay"] = json!(3601);
    high["health_check"] = json!({"interval": 301, "timeout": 121, "healthy_threshold": 11, "unhealthy_threshold": 11});
    let d = check(lb(json!({}), vec![low, high]));
    for i in 0..2 {
        for (summary, attr) in [
            ("Invalid listener port", "port"),
            ("Invalid target port", "target_port"),
            ("Invalid deregistration delay", "deregistration_delay"),
            ("Invalid health check interval", "health_check.interval"),
            ("Invalid health check timeout", "health_check.timeout"),
            (
                "Invalid healthy threshold",
                "health_check.healthy_threshold",
            ),
            (
                "Invalid unhealthy threshold",
                "health_check.unhealthy_threshold",
            ),
        ] {
            assert!(
                has(&d, summary, &format!("listener[{i}].{attr}")),
                "{summary} of listener[{i}]: {d:?}"
            );
        }
    }
}

#[test]
fn target_types_and_target_address_types() {
    let with = |k: &str, v: &str, lb_type: &str| {
        let mut l = listener(53, "TCP");
        l[k] = json!(v);
        check(lb(json!({"ip_address_type": lb_type}), vec![l]))
    };
    for ok in ["instance", "ip"] {
        assert_eq!(with("target_type", ok, "ipv4"), vec![], "{ok}");
    }
    assert_eq!(
        at(&with("target_type", "alb", "ipv4"), "Invalid target type"),
        ["listener[0].target_type"]
    );
    assert_eq!(with("target_ip_address_type", "ipv4", "ipv4"), vec![]);
    assert_eq!(with("target_ip_address_type", "ipv4", "dualstack"), vec![]);
    assert_eq!(with("target_ip_address_type", "ipv6", "dualstack"), vec![]);
    let d = with("target_ip_address_type", "dualstack", "dualstack");
    assert_eq!(
        at(&d, "Invalid target IP address type"),
        ["listener[0].target_ip_address_type"]
    );
    let d = with("target_ip_address_type", "ipv6", "ipv4");
    assert_eq!(
        at(&d, "IPv6 targets need a dualstack load balancer"),
        ["listener[0].target_ip_address_type"]
    );
}

#[test]
fn idle_timeouts_are_60_to_6000_seconds_on_tcp_flows_only() {
    let idle = |protocol: &str, t: i64| {
        let mut l = listener(53, protocol);
        l["idle_timeout"] = json!(t);
        one_listener(l)
    };
    for (p, t) in [("TCP", 60), ("TCP_UDP", 6000), ("TCP_QUIC", 350)] {
        assert_eq!(idle(p, t), vec![], "{p} {t}");
    }
    for t in [59, 6001] {
        assert_eq!(
            at(&idle("TCP", t), "Invalid idle timeout"),
            ["listener[0].idle_timeout"]
        );
    }
    for p in ["UDP", "TLS"] {
        let d = idle(p, 350);
        assert!(
            has(
                &d,
                "Idle timeout not supported for this protocol",
                "listener[0].idle_timeout"
            ),
            "{p}: {d:?}"
        );
    }
}

#[test]
fn health_check_ports_are_traffic_port_or_1_to_65535() {
    let port = |p: &str| {
        let mut l = listener(53, "TCP");
        l["health_check"] = json!({"port": p});
        at(&one_listener(l), "Invalid health check port")
    };
    for ok in ["traffic-port", "1", "8080", "65535"] {
        assert!(port(ok).is_empty(), "{ok}");
    }
    for bad in ["0", "65536", "http", ""] {
        assert_eq!(port(bad), ["listener[0].health_check.port"], "{bad:?}");
    }
}

#[test]
fn http_checks_take_a_path_from_slash_up_to_1024_characters_and_a_matcher_of_codes() {
    let hc = |v: serde_json::Value| {
        let mut l = listener(53, "TCP");
        l["health_check"] = v;
        one_listener(l)
    };
    let long = |n: usize| format!("/{}", "a".repeat(n - 1));
    for path in ["/", "/health", &long(1024)] {
        let d = hc(json!({"protocol": "HTTPS", "path": path, "matcher": "200-399"}));
        assert_eq!(d, vec![], "{}", path.len());
    }
    for path in ["health", &long(1025)] {
        let d = hc(json!({"protocol": "HTTP", "path": path}));
        assert_eq!(
            at(&d, "Invalid health check path"),
            ["listener[0].health_check.path"],
            "{}",
            path.len()
        );
    }
    for ok in ["200", "599", "200,204", "200-399", "200-200,404"] {
        assert_eq!(
            hc(json!({"protocol": "HTTP", "matcher": ok})),
            vec![],
            "{ok}"
        );
    }
    for bad in [
        "", "abc", "199", "600", "0200", "20", "300-200", "200-abc", "abc-def", "200,",
    ] {
        let d = hc(json!({"protocol": "HTTP", "matcher": bad}));
        assert_eq!(
            at(&d, "Invalid health check matcher"),
            ["listener[0].health_check.matcher"],
            "{bad:?}"
        );
    }
    let d = hc(json!({"protocol": "TCP", "matcher": "200"}));
    assert_eq!(
        at(&d, "Health check matcher on a TCP check"),
        ["listener[0].health_check.matcher"]
    );
}

#[test]
fn a_health_check_timeout_may_equal_its_interval_but_not_exceed_it() {
    let hc = |v: serde_json::Value| {
        let mut l = listener(53, "TCP");
        l["health_check"] = v;
        at(
            &one_listener(l),
            "Health check timeout longer than its interval",
        )
    };
    assert!(hc(json!({"interval": 10, "timeout": 10})).is_empty());
    assert!(hc(json!({"interval": 10, "timeout": 5})).is_empty());
    assert_eq!(
        hc(json!({"interval": 10, "timeout": 11})),
        ["listener[0].health_check.timeout"]
    );
    // Against AWS's default interval of 30 seconds.
    assert!(hc(json!({"timeout": 30})).is_empty());
    assert_eq!(
        hc(json!({"timeout": 31})),
        ["listener[0].health_check.timeout"]
    );
}

#[test]
fn udp_on_an_ipv4_load_balancer_needs_neither_ipv6_targets_nor_source_nat() {
    let mut l = listener(53, "UDP");
    l["target_ip_address_type"] = json!("ipv4");
    assert_eq!(one_listener(l), vec![]);
}
