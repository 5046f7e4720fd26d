//! The contract: `modules/trustchain/load_balancer/quic.tf` (with its variables) as
//! generated, applied against the emulator in both modes. Only its hashicorp/aws
//! half (the ALB) is left out: that provider cannot apply here.

use super::support::{Net, assert_nothing_left};
use acceptance::{Emulator, Steps, provider_block, workspace_root};
use serde_json::json;

const UDP: &str = "trustchain_quic_load_balancer.this[\"udp\"]";

/// The module's quic.tf and variables.tf behind a provider block for the emulator,
/// with outputs of what `show` names.
fn module_quic_half(emu: &Emulator, show: &[(&str, &str)]) -> String {
    let dir = workspace_root().join("modules/trustchain/load_balancer");
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).expect("generated module file");
    let outputs: String = show
        .iter()
        .map(|(name, value)| format!("output \"{name}\" {{\n  value = {value}\n}}\n"))
        .collect();
    format!(
        "{}\n{}\n{}\n{outputs}",
        provider_block(emu),
        read("quic.tf"),
        read("variables.tf")
    )
}

fn steps<'a>(emu: &'a Emulator, net: &Net) -> Steps<'a> {
    Steps::new(emu)
        .env("TF_VAR_name", "tc")
        .env("TF_VAR_vpc_id", &net.vpc_id)
        .env("TF_VAR_subnet_ids", &net.subnet_list())
        .env("TF_VAR_alb_security_group_ids", "[]")
        .env(
            "TF_VAR_certificate_arn",
            "arn:aws:acm:us-east-1:123456789012:certificate/unused",
        )
        .env("TF_VAR_enable_deletion_protection", "false")
}

#[test]
fn the_modules_dualstack_udp_mode_applies_and_imports_exactly() {
    let emu = Emulator::start();
    let net = Net::create(&emu);
    steps(&emu, &net)
        .apply(
            "dualstack_udp mode (the default)",
            module_quic_half(&emu, &[("nlbs", "trustchain_quic_load_balancer.this")]),
        )
        .check(|s| {
            let nlbs = s.output("nlbs");
            let udp = &nlbs["udp"];
            assert_eq!(
                (
                    udp["ip_address_type"].as_str(),
                    udp["enable_prefix_for_ipv6_source_nat"].as_bool()
                ),
                (Some("dualstack"), Some(true))
            );
            let ports: Vec<i64> = udp["listener"]
                .as_array()
                .expect("listeners")
                .iter()
                .filter_map(|l| l["port"].as_i64())
                .collect();
            assert_eq!(ports, vec![8444, 8853], "listeners in port order");
            assert!(
                udp["listener"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .all(|l| l["protocol"] == "UDP" && l["target_ip_address_type"] == "ipv6"),
                "{udp}"
            );
        })
        .import(UDP)
        .by_id(|v| v["arn"].as_str().expect("arn").into())
        .destroy()
        .check(|s| assert_nothing_left(s.emu))
        .run();
}

#[test]
fn the_modules_quic_mode_applies_with_explicit_and_derived_server_ids() {
    let emu = Emulator::start();
    let net = Net::create(&emu);
    let instances = net.instances(&emu, 2);
    let targets = format!(
        r#"{{ doq-a = {{ service = "doq", target_id = "{a}", quic_server_id = "0x00000000000000aa" }}, doq-b = {{ service = "doq", target_id = "{b}" }}, stoq-a = {{ service = "stoq", target_id = "{a}" }} }}"#,
        a = instances[0],
        b = instances[1]
    );
    steps(&emu, &net)
        .env("TF_VAR_udp_service_mode", "quic")
        .env("TF_VAR_quic_targets", &targets)
        .apply(
            "quic mode: one IPv4 NLB per service",
            module_quic_half(
                &emu,
                &[
                    ("nlbs", "trustchain_quic_load_balancer.this"),
                    ("targets", "trustchain_quic_target.this"),
                ],
            ),
        )
        .check(|s| {
            let nlbs = s.output("nlbs");
            for (key, port) in [("doq", 8853), ("stoq", 8444)] {
                let lb = &nlbs[key];
                assert_eq!(lb["ip_address_type"], "ipv4");
                assert_eq!(lb["listener"][0]["protocol"], "QUIC");
                assert_eq!(lb["listener"][0]["port"], port);
            }
            let t = s.output("targets");
            assert_eq!(t["doq-a"]["quic_server_id"], "0x00000000000000aa");
            let derived = t["doq-b"]["quic_server_id"].as_str().expect("derived");
            assert!(
                derived.starts_with("0x") && derived.len() == 18,
                "{derived}"
            );
            assert_eq!(t["stoq-a"]["port"], 8444);
            let tg = nlbs["doq"]["listeners"]["8853"]["target_group_arn"].clone();
            let h = s.emu.call(
                "elbv2",
                "describe_target_health",
                json!({"TargetGroupArn": tg}),
            );
            assert_eq!(
                h["TargetHealthDescriptions"].as_array().map(Vec::len),
                Some(2)
            );
        })
        .destroy()
        .check(|s| assert_nothing_left(s.emu))
        .run();
}
