//! trustchain_quic_target's rules: a QUIC server ID is refused for non-QUIC groups
//! (at plan time once the group exists, else at apply) and must be 0x + 16 lowercase
//! hex; the emulator refuses the same registrations.

use super::support::{Net, assert_diagnostic, assert_nothing_left, refused};
use acceptance::{Emulator, Steps, provider_block};
use serde_json::json;

const SERVER_ID: &str = "0x0123456789abcdef";

fn config(emu: &Emulator, net: &Net, target: bool) -> String {
    config_with(
        emu,
        net,
        target.then(|| format!("\"10.0.0.10\"\n  quic_server_id   = \"{SERVER_ID}\"")),
    )
}

/// The load balancer, and a target whose `target_id =` line reads `target`.
fn config_with(emu: &Emulator, net: &Net, target: Option<String>) -> String {
    let target = match target {
        Some(t) => format!(
            r#"
resource "trustchain_quic_target" "this" {{
  target_group_arn = trustchain_quic_load_balancer.udp.listeners["8853"].target_group_arn
  target_id        = {t}
}}
"#
        ),
        None => String::new(),
    };
    format!(
        r#"{provider}
resource "trustchain_quic_load_balancer" "udp" {{
  name       = "tc-udp4"
  subnet_ids = {subnets}

  listener {{
    port        = 8853
    protocol    = "UDP"
    target_type = "ip"

    health_check {{}}
  }}
}}
{target}
output "tg" {{
  value = trustchain_quic_load_balancer.udp.listeners["8853"].target_group_arn
}}
"#,
        provider = provider_block(emu),
        subnets = net.subnet_list(),
    )
}

#[test]
fn a_quic_server_id_on_a_udp_target_group_is_refused_at_plan_and_by_aws() {
    let emu = Emulator::start();
    let net = Net::create(&emu);
    Steps::new(&emu)
        .apply("create a UDP load balancer", config(&emu, &net, false))
        .check(|s| s.remember("tg", s.output("tg")))
        .plan_fails("add a target with a QUIC server ID", config(&emu, &net, true))
        .errors(|d, _| {
            assert_diagnostic(d, "QUIC server ID on a non-QUIC target group", "quic_server_id", "Remove quic_server_id")
        })
        .check(|s| {
            let message = refused(
                s.emu.try_call(
                    "elbv2",
                    "register_targets",
                    json!({"TargetGroupArn": s.recall_str("tg"), "Targets": [{"Id": "10.0.0.10", "QuicServerId": SERVER_ID}]}),
                ),
                "ValidationError",
            );
            assert!(message.contains("QUIC or TCP_QUIC"), "{message}");
        })
        .plan_fails(
            "add a target at a publicly routable address outside the VPC",
            config_with(&emu, &net, Some("\"198.51.100.7\"".into())),
        )
        .errors(|d, _| {
            assert_diagnostic(
                d,
                "IP target outside the target group's VPC",
                "target_id",
                "publicly routable",
            )
        })
        .check(|s| {
            let message = refused(
                s.emu.try_call(
                    "elbv2",
                    "register_targets",
                    json!({"TargetGroupArn": s.recall_str("tg"), "Targets": [{"Id": "198.51.100.7"}]}),
                ),
                "InvalidTarget",
            );
            assert!(message.contains("publicly routable"), "{message}");
        })
        // Terraform plans the configuration before destroying too, so the refused
        // target leaves the configuration first.
        .apply("drop the refused target", config(&emu, &net, false))
        .destroy()
        .check(|s| assert_nothing_left(s.emu))
        .run();
}

#[test]
fn a_quic_server_id_on_a_group_unknown_at_plan_is_refused_at_apply() {
    let emu = Emulator::start();
    let net = Net::create(&emu);
    Steps::new(&emu)
        .apply_fails(
            "create the group and the target at once",
            config(&emu, &net, true),
        )
        .errors(|d, _| {
            let e = d
                .iter()
                .find(|x| x["summary"] == "QUIC server ID on a non-QUIC target group")
                .unwrap_or_else(|| panic!("no server ID diagnostic in {d:#?}"));
            let detail = e["detail"].as_str().unwrap_or("");
            assert!(
                detail.contains("UDP protocol") && detail.contains("Remove quic_server_id"),
                "{detail}"
            );
        })
        .check(|s| {
            let h = s.emu.call("elbv2", "describe_target_groups", json!({}));
            let tg = h["TargetGroups"][0]["TargetGroupArn"].clone();
            let health = s.emu.call(
                "elbv2",
                "describe_target_health",
                json!({"TargetGroupArn": tg}),
            );
            assert_eq!(
                health["TargetHealthDescriptions"].as_array().map(Vec::len),
                Some(0),
                "nothing was registered"
            );
        })
        .apply("drop the refused target", config(&emu, &net, false))
        .destroy()
        .check(|s| assert_nothing_left(s.emu))
        .run();
}

#[test]
fn a_malformed_quic_server_id_is_refused_at_plan_and_by_aws() {
    let emu = Emulator::start();
    let config = format!(
        r#"{provider}
resource "trustchain_quic_target" "this" {{
  target_group_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/doq/0123456789abcdef"
  target_id        = "i-0123456789abcdef0"
  quic_server_id   = "0x0123456789ABCDEF"
}}
"#,
        provider = provider_block(&emu)
    );
    Steps::new(&emu)
        .plan_fails("plan an uppercase server ID", config)
        .errors(|d, _| {
            assert_diagnostic(
                d,
                "Invalid QUIC server ID",
                "quic_server_id",
                "16 lowercase hexadecimal digits",
            )
        })
        .run();
    let net = Net::create(&emu);
    let tg = net.group(&emu, "doq", "QUIC", 8853, json!({}));
    let register = |target: serde_json::Value| {
        emu.try_call(
            "elbv2",
            "register_targets",
            json!({"TargetGroupArn": tg, "Targets": [target]}),
        )
    };
    let message = refused(
        register(json!({"Id": "10.0.0.10", "QuicServerId": "0x0123456789ABCDEF"})),
        "ValidationError",
    );
    assert!(message.contains("lowercase"), "{message}");
    // Without one, AWS refuses QUIC targets: the provider derives one instead.
    let message = refused(register(json!({"Id": "10.0.0.10"})), "ValidationError");
    assert!(
        message.contains("QuicServerId must be specified"),
        "{message}"
    );
}
