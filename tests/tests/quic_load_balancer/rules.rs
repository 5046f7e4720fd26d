//! Each of AWS's QUIC/UDP rules: the plan fails with a diagnostic at the attribute
//! that names the fix, and the same configuration sent straight to the emulator
//! (boto3) is refused too, so the plan-time checks agree with the API.

use super::support::{Net, assert_diagnostic, refused, try_listener};
use acceptance::{Emulator, Steps, provider_block};
use serde_json::{Value, json};

const SUBNETS: &str = r#"["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]"#;

/// One load balancer with `attrs` (top-level lines) and `listeners` (blocks).
fn lb(emu: &Emulator, attrs: &str, listeners: &[(&str, u16, &str)]) -> String {
    let blocks: String = listeners
        .iter()
        .map(|(protocol, port, extra)| {
            format!(
                r#"
  listener {{
    port     = {port}
    protocol = "{protocol}"
{extra}
    health_check {{}}
  }}
"#
            )
        })
        .collect();
    format!(
        r#"{provider}
resource "trustchain_quic_load_balancer" "this" {{
  name       = "rules"
  subnet_ids = {SUBNETS}
{attrs}
{blocks}}}
"#,
        provider = provider_block(emu)
    )
}

fn plan_fails(emu: &Emulator, config: String, check: impl Fn(&[Value])) {
    Steps::new(emu)
        .plan_fails("plan what AWS refuses", config)
        .errors(|diags, _| check(diags))
        .run();
}

#[test]
fn quic_on_a_dualstack_load_balancer_is_refused_at_plan_and_by_aws() {
    let emu = Emulator::start();
    plan_fails(
        &emu,
        lb(
            &emu,
            r#"  ip_address_type = "dualstack""#,
            &[("QUIC", 8853, "")],
        ),
        |d| {
            assert_diagnostic(
                d,
                "QUIC listener on a dualstack load balancer",
                "protocol = \"QUIC\"",
                "set ip_address_type = \"ipv4\"",
            )
        },
    );
    let net = Net::create(&emu);
    let nlb = net.nlb(&emu, "dualstack", json!({"IpAddressType": "dualstack"}));
    let tg = net.group(&emu, "quic", "QUIC", 8853, json!({}));
    let message = refused(
        try_listener(&emu, &nlb, "QUIC", 8853, &tg, json!({})),
        "InvalidConfigurationRequest",
    );
    assert!(message.contains("dualstack"), "{message}");
}

#[test]
fn quic_on_a_load_balancer_with_security_groups_is_refused_at_plan_and_by_aws() {
    let emu = Emulator::start();
    plan_fails(
        &emu,
        lb(
            &emu,
            r#"  security_groups = ["sg-0123456789abcdef0"]"#,
            &[("QUIC", 8853, "")],
        ),
        |d| {
            assert_diagnostic(
                d,
                "QUIC listener on a load balancer with security groups",
                "security_groups",
                "remove security_groups",
            )
        },
    );
    let net = Net::create(&emu);
    let sg = emu.call(
        "ec2",
        "create_security_group",
        json!({"GroupName": "nlb", "Description": "nlb", "VpcId": net.vpc_id}),
    );
    let nlb = net.nlb(&emu, "with-sg", json!({"SecurityGroups": [sg["GroupId"]]}));
    let tg = net.group(&emu, "quic", "QUIC", 8853, json!({}));
    let message = refused(
        try_listener(&emu, &nlb, "QUIC", 8853, &tg, json!({})),
        "InvalidConfigurationRequest",
    );
    assert!(message.contains("security groups"), "{message}");
}

#[test]
fn a_second_quic_listener_is_refused_at_plan_and_by_aws() {
    let emu = Emulator::start();
    plan_fails(
        &emu,
        lb(&emu, "", &[("QUIC", 8853, ""), ("TCP_QUIC", 8444, "")]),
        |d| {
            assert_diagnostic(
                d,
                "More than one QUIC listener",
                "protocol = \"TCP_QUIC\"",
                "its own trustchain_quic_load_balancer",
            )
        },
    );
    let net = Net::create(&emu);
    let nlb = net.nlb(&emu, "two-quic", json!({}));
    let doq = net.group(&emu, "doq", "QUIC", 8853, json!({}));
    try_listener(&emu, &nlb, "QUIC", 8853, &doq, json!({})).expect("the first QUIC listener");
    let stoq = net.group(&emu, "stoq", "TCP_QUIC", 8444, json!({}));
    let message = refused(
        try_listener(&emu, &nlb, "TCP_QUIC", 8444, &stoq, json!({})),
        "InvalidConfigurationRequest",
    );
    assert!(message.contains("Only one QUIC"), "{message}");
}

#[test]
fn quic_beside_udp_is_refused_at_plan_and_by_aws() {
    let emu = Emulator::start();
    plan_fails(
        &emu,
        lb(&emu, "", &[("UDP", 53, ""), ("QUIC", 8853, "")]),
        |d| {
            assert_diagnostic(
                d,
                "QUIC listener beside a UDP listener",
                "protocol = \"QUIC\"",
                "its own trustchain_quic_load_balancer",
            )
        },
    );
    let net = Net::create(&emu);
    let nlb = net.nlb(&emu, "udp-and-quic", json!({}));
    let dns = net.group(&emu, "dns", "UDP", 53, json!({}));
    try_listener(&emu, &nlb, "UDP", 53, &dns, json!({})).expect("the UDP listener");
    let doq = net.group(&emu, "doq", "QUIC", 8853, json!({}));
    let message = refused(
        try_listener(&emu, &nlb, "QUIC", 8853, &doq, json!({})),
        "InvalidConfigurationRequest",
    );
    assert!(message.contains("UDP"), "{message}");
}

#[test]
fn health_checks_other_than_tcp_http_https_are_refused_at_plan_and_by_aws() {
    let emu = Emulator::start();
    let config = lb(&emu, "", &[("UDP", 8853, "")]).replace(
        "health_check {}",
        "health_check {\n      protocol = \"UDP\"\n    }",
    );
    plan_fails(&emu, config, |d| {
        assert_diagnostic(
            d,
            "Health check protocol not supported",
            "protocol = \"UDP\"",
            "protocol = \"HTTPS\"",
        )
    });
    let net = Net::create(&emu);
    let message = refused(
        net.try_group(
            &emu,
            "udp-checked",
            "UDP",
            8853,
            json!({"HealthCheckProtocol": "UDP"}),
        ),
        "InvalidConfigurationRequest",
    );
    assert!(message.contains("Health check protocol"), "{message}");
}

#[test]
fn udp_on_dualstack_with_ipv4_targets_is_refused_at_plan_and_by_aws() {
    let emu = Emulator::start();
    plan_fails(
        &emu,
        lb(
            &emu,
            "  ip_address_type = \"dualstack\"\n  enable_prefix_for_ipv6_source_nat = true",
            &[("UDP", 8853, "    target_ip_address_type = \"ipv4\"")],
        ),
        |d| {
            assert_diagnostic(
                d,
                "UDP listener on dualstack needs IPv6 targets",
                "target_ip_address_type",
                "target_ip_address_type = \"ipv6\"",
            )
        },
    );
    let net = Net::create(&emu);
    let nlb = net.nlb(
        &emu,
        "udp-v4",
        json!({"IpAddressType": "dualstack", "EnablePrefixForIpv6SourceNat": "on"}),
    );
    let tg = net.group(
        &emu,
        "udp-v4",
        "UDP",
        8853,
        json!({"IpAddressType": "ipv4"}),
    );
    let message = refused(
        try_listener(&emu, &nlb, "UDP", 8853, &tg, json!({})),
        "InvalidConfigurationRequest",
    );
    assert!(message.contains("ipv6"), "{message}");
}

#[test]
fn udp_on_dualstack_without_the_source_nat_prefix_is_refused_at_plan_and_by_aws() {
    let emu = Emulator::start();
    plan_fails(
        &emu,
        lb(
            &emu,
            "  ip_address_type = \"dualstack\"\n  enable_prefix_for_ipv6_source_nat = false",
            &[("UDP", 8853, "")],
        ),
        |d| {
            assert_diagnostic(
                d,
                "UDP listener on dualstack needs the IPv6 source-NAT prefix",
                "enable_prefix_for_ipv6_source_nat",
                "enable_prefix_for_ipv6_source_nat = true",
            )
        },
    );
    let net = Net::create(&emu);
    let nlb = net.nlb(&emu, "udp-no-nat", json!({"IpAddressType": "dualstack"}));
    let tg = net.group(
        &emu,
        "udp-v6",
        "UDP",
        8853,
        json!({"IpAddressType": "ipv6"}),
    );
    let message = refused(
        try_listener(&emu, &nlb, "UDP", 8853, &tg, json!({})),
        "InvalidConfigurationRequest",
    );
    assert!(
        message.contains("EnablePrefixForIpv6SourceNat"),
        "{message}"
    );
}

#[test]
fn tls_without_a_certificate_is_refused_at_plan_and_by_aws() {
    let emu = Emulator::start();
    plan_fails(&emu, lb(&emu, "", &[("TLS", 853, "")]), |d| {
        assert_diagnostic(
            d,
            "TLS listener without certificate",
            "listener {",
            "set certificate_arn",
        )
    });
    let net = Net::create(&emu);
    let nlb = net.nlb(&emu, "tls", json!({}));
    let tg = net.group(&emu, "tls", "TCP", 853, json!({}));
    let message = refused(
        try_listener(&emu, &nlb, "TLS", 853, &tg, json!({})),
        "ValidationError",
    );
    assert!(message.contains("certificate"), "{message}");
}
