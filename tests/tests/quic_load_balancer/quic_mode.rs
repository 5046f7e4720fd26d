//! TrustChain's QUIC mode: DNS-over-QUIC on 8853 and STOQ on 8444, each on its own
//! IPv4 NLB (AWS allows one QUIC listener per load balancer), instance targets with
//! one explicit and otherwise derived QUIC server IDs.

use super::support::{Net, assert_nothing_left, ids};
use acceptance::{Emulator, StepCtx, Steps, provider_block};
use serde_json::{Value, json};

const DOQ: &str = "trustchain_quic_load_balancer.doq";
const STOQ: &str = "trustchain_quic_load_balancer.stoq";
const EXPLICIT_ID: &str = "0x0123456789abcdef";

/// `v2` changes the DoQ health check and adds a TCP listener for its HTTPS health
/// endpoint (TCP is allowed beside QUIC).
fn config(emu: &Emulator, net: &Net, instances: &[String], v2: bool) -> String {
    let (interval, path, tcp) = if v2 {
        (
            10,
            "/ready",
            r#"
  listener {
    port     = 8443
    protocol = "TCP"

    health_check {}
  }
"#,
        )
    } else {
        (30, "/health", "")
    };
    format!(
        r#"{provider}
locals {{
  targets = {{ a = "{a}", b = "{b}" }}
}}

resource "trustchain_quic_load_balancer" "doq" {{
  name            = "tc-doq"
  subnet_ids      = {subnets}
  ip_address_type = "ipv4"
{tcp}
  listener {{
    port        = 8853
    protocol    = "QUIC"
    target_type = "instance"

    health_check {{
      protocol = "HTTPS"
      port     = 8443
      path     = "{path}"
      interval = {interval}
    }}
  }}

  tags = {{
    Service = "doq"
  }}
}}

resource "trustchain_quic_load_balancer" "stoq" {{
  name       = "tc-stoq"
  subnet_ids = {subnets}

  listener {{
    port     = 8444
    protocol = "QUIC"

    health_check {{
      protocol = "HTTPS"
      port     = "8443"
      path     = "/health"
    }}
  }}
}}

resource "trustchain_quic_target" "doq" {{
  for_each = local.targets

  target_group_arn = trustchain_quic_load_balancer.doq.listeners["8853"].target_group_arn
  target_id        = each.value
  port             = 8853
  quic_server_id   = each.key == "a" ? "{EXPLICIT_ID}" : null
}}

# Port and server ID left to the provider: the group's port, derived IDs.
resource "trustchain_quic_target" "stoq" {{
  for_each = local.targets

  target_group_arn = trustchain_quic_load_balancer.stoq.listeners["8444"].target_group_arn
  target_id        = each.value
}}

output "doq" {{
  value = trustchain_quic_load_balancer.doq
}}

output "stoq" {{
  value = trustchain_quic_load_balancer.stoq
}}

output "targets" {{
  value = merge(
    {{ for k, t in trustchain_quic_target.doq : "doq-${{k}}" => t }},
    {{ for k, t in trustchain_quic_target.stoq : "stoq-${{k}}" => t }},
  )
}}
"#,
        provider = provider_block(emu),
        subnets = net.subnet_list(),
        a = instances[0],
        b = instances[1],
    )
}

/// The registrations of a target group: (target id, port, server id).
fn registrations(s: &StepCtx, tg: &str) -> Vec<(String, i64, Option<String>)> {
    let h = s.emu.call(
        "elbv2",
        "describe_target_health",
        json!({"TargetGroupArn": tg}),
    );
    let mut out: Vec<_> = h["TargetHealthDescriptions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            let t = &d["Target"];
            (
                t["Id"].as_str().unwrap_or("").to_string(),
                t["Port"].as_i64().unwrap_or(0),
                t["QuicServerId"].as_str().map(String::from),
            )
        })
        .collect();
    out.sort();
    out
}

fn target_id(v: &Value) -> String {
    v["id"].as_str().expect("target id").to_string()
}

#[test]
fn quic_mode_two_ipv4_nlbs_with_targets_create_update_import_drift_destroy() {
    let emu = Emulator::start();
    let net = Net::create(&emu);
    let instances = net.instances(&emu, 2);
    let mut import = Steps::new(&emu)
        .apply("create", config(&emu, &net, &instances, false))
        .check(|s| {
            let doq = s.output("doq");
            let stoq = s.output("stoq");
            for lb in [&doq, &stoq] {
                assert_eq!(lb["ip_address_type"], "ipv4");
                assert!(
                    lb["dns_name"]
                        .as_str()
                        .is_some_and(|d| d.ends_with(".elb.us-east-1.amazonaws.com")),
                    "{lb}"
                );
                assert_eq!(lb["zone_id"], "Z26RNL4JYFTOTI");
                assert_eq!(lb["vpc_id"], net.vpc_id.as_str());
            }
            let (listener, tg) = ids(&doq, 8853);
            s.remember("first_listener", listener.clone());
            s.remember("first_tg", tg.clone());
            let described = s.emu.call(
                "elbv2",
                "describe_listeners",
                json!({"ListenerArns": [listener]}),
            );
            assert_eq!(described["Listeners"][0]["Protocol"], "QUIC");
            let group = s.emu.call(
                "elbv2",
                "describe_target_groups",
                json!({"TargetGroupArns": [tg.clone()]}),
            );
            let g = &group["TargetGroups"][0];
            assert_eq!(
                (
                    g["Protocol"].as_str(),
                    g["HealthCheckProtocol"].as_str(),
                    g["HealthCheckPort"].as_str(),
                    g["HealthCheckPath"].as_str()
                ),
                (Some("QUIC"), Some("HTTPS"), Some("8443"), Some("/health"))
            );
            assert_eq!(g["TargetType"], "instance");
            // Explicit and derived server IDs are what AWS registered, and unique.
            let targets = s.output("targets");
            let regs = registrations(s, &tg);
            assert_eq!(regs.len(), 2, "{regs:?}");
            let explicit = &targets["doq-a"];
            assert_eq!(explicit["quic_server_id"], EXPLICIT_ID);
            let derived = targets["doq-b"]["quic_server_id"]
                .as_str()
                .expect("derived server id");
            assert!(
                derived.len() == 18
                    && derived.starts_with("0x")
                    && derived[2..]
                        .chars()
                        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()),
                "{derived}"
            );
            assert_ne!(derived, EXPLICIT_ID);
            for (id, port, sid) in &regs {
                let which = if *id == instances[0] {
                    "doq-a"
                } else {
                    "doq-b"
                };
                assert_eq!(*port, 8853);
                assert_eq!(
                    sid.as_deref(),
                    targets[which]["quic_server_id"].as_str(),
                    "{which}"
                );
            }
            // Port defaults to the group's, and every server ID is registered.
            let (_, stoq_tg) = ids(&stoq, 8444);
            for (id, port, sid) in registrations(s, &stoq_tg) {
                let which = if id == instances[0] {
                    "stoq-a"
                } else {
                    "stoq-b"
                };
                assert_eq!(port, 8444);
                assert_eq!(targets[which]["port"], 8444);
                assert_eq!(sid.as_deref(), targets[which]["quic_server_id"].as_str());
            }
            let tags = s.emu.call(
                "elbv2",
                "describe_tags",
                json!({"ResourceArns": [doq["arn"], tg, listener]}),
            );
            for d in tags["TagDescriptions"].as_array().expect("tags") {
                assert_eq!(
                    super::support::tag_map(&d["Tags"])
                        .get("Service")
                        .map(String::as_str),
                    Some("doq"),
                    "{d}"
                );
            }
        })
        .apply(
            "change the health check and add a TCP listener",
            config(&emu, &net, &instances, true),
        )
        .expect_actions(&[(DOQ, "update")])
        .check(|s| {
            let doq = s.output("doq");
            assert_eq!(
                ids(&doq, 8853),
                (s.recall_str("first_listener"), s.recall_str("first_tg")),
                "the QUIC listener or its group was replaced"
            );
            let (tcp, tcp_tg) = ids(&doq, 8443);
            let described = s.emu.call(
                "elbv2",
                "describe_listeners",
                json!({"ListenerArns": [tcp]}),
            );
            assert_eq!(described["Listeners"][0]["Protocol"], "TCP");
            assert_eq!(doq["listener"][0]["idle_timeout"], 350);
            let group = s.emu.call(
                "elbv2",
                "describe_target_groups",
                json!({"TargetGroupArns": [s.recall_str("first_tg"), tcp_tg]}),
            );
            let groups = group["TargetGroups"].as_array().expect("groups");
            let quic = groups
                .iter()
                .find(|g| g["Protocol"] == "QUIC")
                .expect("QUIC group");
            assert_eq!(
                (
                    quic["HealthCheckIntervalSeconds"].as_i64(),
                    quic["HealthCheckPath"].as_str()
                ),
                (Some(10), Some("/ready"))
            );
            assert_eq!(
                registrations(s, &s.recall_str("first_tg")).len(),
                2,
                "targets lost in the update"
            );

            // `internal` cannot change in place (AWS keeps a load balancer's scheme):
            // the plan replaces the STOQ load balancer and says why, at `internal`.
            let internal = config(s.emu, &net, &instances, true).replace(
                "  name       = \"tc-stoq\"\n",
                "  name       = \"tc-stoq\"\n  internal   = true\n",
            );
            assert!(internal.contains("internal   = true"));
            s.w.write_main(&internal);
            let run =
                s.w.terraform(&["plan", "-json", "-no-color", "-input=false"])
                    .ok();
            let lines = run.json_lines();
            let action = lines
                .iter()
                .find(|l| l["type"] == "planned_change" && l["change"]["resource"]["addr"] == STOQ)
                .map(|l| l["change"]["action"].clone());
            assert_eq!(
                action,
                Some(json!("replace")),
                "changing internal should replace {STOQ}: {}",
                run.stdout()
            );
            let warning = lines
                .iter()
                .find(|l| {
                    l["type"] == "diagnostic"
                        && l["diagnostic"]["summary"] == "This change replaces the object"
                })
                .map(|l| l["diagnostic"].clone())
                .unwrap_or_else(|| panic!("no replacement warning in {}", run.stdout()));
            assert!(
                warning["detail"]
                    .as_str()
                    .is_some_and(|d| d.contains("cannot change the scheme")),
                "{warning}"
            );
            assert!(
                warning["snippet"]["code"]
                    .as_str()
                    .is_some_and(|c| c.contains("internal")),
                "the reason should point at internal: {warning}"
            );
            s.w.write_main(&config(s.emu, &net, &instances, true));
        })
        .import(DOQ)
        .by_id(|v| v["arn"].as_str().expect("arn").into())
        .and_import(STOQ)
        .by_id(|v| v["arn"].as_str().expect("arn").into());
    for t in ["doq[\"a\"]", "doq[\"b\"]", "stoq[\"a\"]", "stoq[\"b\"]"] {
        import = import
            .and_import(&format!("trustchain_quic_target.{t}"))
            .by_id(target_id);
    }
    import = import
        .import(DOQ)
        .by_identity(&["arn"])
        .and_import(STOQ)
        .by_identity(&["arn"]);
    for t in ["doq[\"a\"]", "doq[\"b\"]", "stoq[\"a\"]", "stoq[\"b\"]"] {
        import = import
            .and_import(&format!("trustchain_quic_target.{t}"))
            .by_identity(&["target_group_arn", "target_id", "port"]);
    }
    import
        .drift("delete the QUIC listener behind Terraform's back", |s| {
            s.emu.call(
                "elbv2",
                "delete_listener",
                json!({"ListenerArn": s.recall_str("first_listener")}),
            );
        })
        .expect_actions(&[(DOQ, "update")])
        .check_plan(|s, plan| {
            let change = plan["resource_changes"]
                .as_array()
                .and_then(|r| r.iter().find(|c| c["address"] == DOQ))
                .map(|c| c["change"].clone())
                .expect("a change of the DoQ load balancer");
            assert_eq!(
                change["after"]["listeners"]["8853"]["target_group_arn"],
                s.recall_str("first_tg"),
                "the plan should put the listener back in front of its group"
            );
            assert_eq!(change["after_unknown"]["listeners"]["8853"]["arn"], true);
        })
        .check(|s| {
            let doq = s.output("doq");
            let (listener, tg) = ids(&doq, 8853);
            assert_ne!(
                listener,
                s.recall_str("first_listener"),
                "the listener should be a new one"
            );
            assert_eq!(
                tg,
                s.recall_str("first_tg"),
                "the listener should forward to the old group"
            );
            assert_eq!(registrations(s, &tg).len(), 2);
        })
        .destroy()
        .check(|s| assert_nothing_left(s.emu))
        .run();
}
