//! TrustChain's dualstack UDP mode: one dualstack NLB with UDP listeners for 8444
//! and 8853, IPv6 ip targets, and the IPv6 source-NAT prefix AWS requires for UDP
//! on dualstack (hashicorp/aws #40379).

use super::support::{Net, assert_nothing_left, ids};
use acceptance::{Emulator, Steps, provider_block};
use serde_json::json;
use std::collections::BTreeMap;

const LB: &str = "trustchain_quic_load_balancer.udp";

fn listener(port: u16, interval: u16) -> String {
    format!(
        r#"
  listener {{
    port        = {port}
    protocol    = "UDP"
    target_type = "ip"

    health_check {{
      protocol = "HTTPS"
      port     = 8443
      path     = "/health"
      interval = {interval}
    }}
  }}
"#
    )
}

/// `v2` changes the health check of 8444 and adds a UDP listener on 5353 in front.
fn config(emu: &Emulator, net: &Net, v2: bool) -> String {
    let listeners = if v2 {
        [listener(5353, 30), listener(8444, 10), listener(8853, 30)].concat()
    } else {
        [listener(8444, 30), listener(8853, 30)].concat()
    };
    format!(
        r#"{provider}
locals {{
  targets = {{
    "8444-a" = {{ port = 8444, ip = "{a}" }}
    "8444-b" = {{ port = 8444, ip = "{b}" }}
    "8853-a" = {{ port = 8853, ip = "{a}" }}
    "8853-b" = {{ port = 8853, ip = "{b}" }}
  }}
}}

resource "trustchain_quic_load_balancer" "udp" {{
  name                              = "tc-udp"
  subnet_ids                        = {subnets}
  ip_address_type                   = "dualstack"
  enable_prefix_for_ipv6_source_nat = true
  enable_cross_zone_load_balancing  = true
{listeners}
  tags = {{
    Service = "udp"
  }}
}}

resource "trustchain_quic_target" "this" {{
  for_each = local.targets

  target_group_arn = trustchain_quic_load_balancer.udp.listeners[tostring(each.value.port)].target_group_arn
  target_id        = each.value.ip
  port             = each.value.port
}}

output "lb" {{
  value = trustchain_quic_load_balancer.udp
}}

output "targets" {{
  value = trustchain_quic_target.this
}}
"#,
        provider = provider_block(emu),
        subnets = net.subnet_list(),
        listeners = listeners,
        a = net.v6_host(0, 0x10),
        b = net.v6_host(1, 0x10),
    )
}

const TARGETS: [&str; 4] = ["8444-a", "8444-b", "8853-a", "8853-b"];

#[test]
fn dualstack_udp_nlb_with_ipv6_targets_and_source_nat_create_update_import_drift_destroy() {
    let emu = Emulator::start();
    let net = Net::create(&emu);
    let mut steps = Steps::new(&emu)
        .apply("create", config(&emu, &net, false))
        .check(|s| {
            let lb = s.output("lb");
            let arn = lb["arn"].as_str().expect("arn");
            let d = s.emu.call(
                "elbv2",
                "describe_load_balancers",
                json!({"LoadBalancerArns": [arn]}),
            );
            let got = &d["LoadBalancers"][0];
            assert_eq!(
                (
                    got["IpAddressType"].as_str(),
                    got["EnablePrefixForIpv6SourceNat"].as_str()
                ),
                (Some("dualstack"), Some("on"))
            );
            // A /80 of each subnet's /64 for source NAT, as the state says.
            let prefixes = lb["source_nat_ipv6_prefixes"]
                .as_object()
                .expect("prefixes");
            assert_eq!(prefixes.len(), 2, "{lb}");
            for (i, subnet) in net.subnets.iter().enumerate() {
                let p = prefixes[subnet].as_str().expect("prefix");
                let net64 = net.v6[i].trim_end_matches("::/64");
                assert!(
                    p.ends_with("/80") && p.starts_with(net64),
                    "{p} is not a /80 of {}",
                    net.v6[i]
                );
            }
            let mut saved = BTreeMap::new();
            for port in [8444, 8853] {
                let (listener, tg) = ids(&lb, port);
                let g = s.emu.call(
                    "elbv2",
                    "describe_target_groups",
                    json!({"TargetGroupArns": [tg.clone()]}),
                );
                let g = &g["TargetGroups"][0];
                assert_eq!(
                    (
                        g["Protocol"].as_str(),
                        g["IpAddressType"].as_str(),
                        g["TargetType"].as_str()
                    ),
                    (Some("UDP"), Some("ipv6"), Some("ip"))
                );
                let health = s.emu.call(
                    "elbv2",
                    "describe_target_health",
                    json!({"TargetGroupArn": tg}),
                );
                let regs = health["TargetHealthDescriptions"]
                    .as_array()
                    .expect("targets");
                assert_eq!(regs.len(), 2, "{health}");
                assert!(
                    regs.iter().all(|r| r["Target"]["QuicServerId"].is_null()),
                    "UDP targets carry no server ID: {health}"
                );
                saved.insert(port, (listener, tg));
            }
            let attrs = s.emu.call(
                "elbv2",
                "describe_load_balancer_attributes",
                json!({"LoadBalancerArn": arn}),
            );
            let cross = attrs["Attributes"]
                .as_array()
                .expect("attributes")
                .iter()
                .find(|a| a["Key"] == "load_balancing.cross_zone.enabled")
                .cloned();
            assert_eq!(cross.map(|a| a["Value"].clone()), Some(json!("true")));
            let targets = s.output("targets");
            assert!(
                TARGETS
                    .iter()
                    .all(|t| targets[*t]["quic_server_id"].is_null()),
                "{targets}"
            );
            s.remember("before", json!(saved));

            // A refresh is one batched set of Describe calls per load balancer, and
            // one DescribeTargetHealth per target group, shared by its targets.
            s.emu.clear_requests();
            s.w.terraform(&["plan", "-no-color", "-input=false", "-detailed-exitcode"])
                .ok();
            let calls = s.emu.calls_by_action();
            let expected: BTreeMap<String, u64> = [
                ("GetCallerIdentity", 1),
                ("DescribeLoadBalancers", 1),
                ("DescribeLoadBalancerAttributes", 1),
                ("DescribeTags", 1),
                ("DescribeListeners", 1),
                ("DescribeTargetGroups", 1),
                ("DescribeTargetGroupAttributes", 2),
                ("DescribeTargetHealth", 2),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
            assert_eq!(calls, expected, "AWS calls of one refresh and plan");
        })
        .apply(
            "change a health check and add a listener in front",
            config(&emu, &net, true),
        )
        .expect_actions(&[(LB, "update")])
        .check(|s| {
            let lb = s.output("lb");
            let before: BTreeMap<u16, (String, String)> = s.recall_as("before");
            for (port, old) in before.iter() {
                assert_eq!(
                    &ids(&lb, *port),
                    old,
                    "listener {port} or its group was replaced"
                );
            }
            let (_, tg8444) = ids(&lb, 8444);
            let g = s.emu.call(
                "elbv2",
                "describe_target_groups",
                json!({"TargetGroupArns": [tg8444]}),
            );
            assert_eq!(g["TargetGroups"][0]["HealthCheckIntervalSeconds"], 10);
            let (listener, tg) = ids(&lb, 5353);
            let l = s.emu.call(
                "elbv2",
                "describe_listeners",
                json!({"ListenerArns": [listener]}),
            );
            assert_eq!(l["Listeners"][0]["Protocol"], "UDP");
            let g = s.emu.call(
                "elbv2",
                "describe_target_groups",
                json!({"TargetGroupArns": [tg]}),
            );
            assert_eq!(g["TargetGroups"][0]["IpAddressType"], "ipv6");
            assert_eq!(lb["listener"][0]["port"], 5353);
            assert_eq!(
                lb["listener"][0]["connection_termination"], true,
                "AWS's UDP default"
            );
        })
        .import(LB)
        .by_id(|v| v["arn"].as_str().expect("arn").into());
    for t in TARGETS {
        steps = steps
            .and_import(&format!("trustchain_quic_target.this[\"{t}\"]"))
            .by_id(|v| v["id"].as_str().expect("id").into());
    }
    steps = steps.import(LB).by_identity(&["arn"]);
    for t in TARGETS {
        steps = steps
            .and_import(&format!("trustchain_quic_target.this[\"{t}\"]"))
            .by_identity(&["target_group_arn", "target_id", "port"]);
    }
    steps
        .drift("delete the 8853 listener behind Terraform's back", |s| {
            let (listener, _) =
                s.recall_as::<BTreeMap<u16, (String, String)>>("before")[&8853].clone();
            s.emu
                .call("elbv2", "delete_listener", json!({"ListenerArn": listener}));
        })
        .expect_actions(&[(LB, "update")])
        .check(|s| {
            let lb = s.output("lb");
            let (listener, tg) = ids(&lb, 8853);
            let (old_listener, old_tg) =
                s.recall_as::<BTreeMap<u16, (String, String)>>("before")[&8853].clone();
            assert_ne!(listener, old_listener);
            assert_eq!(
                tg, old_tg,
                "the restored listener should forward to its old group"
            );
            let health = s.emu.call(
                "elbv2",
                "describe_target_health",
                json!({"TargetGroupArn": tg}),
            );
            assert_eq!(
                health["TargetHealthDescriptions"].as_array().map(Vec::len),
                Some(2)
            );
        })
        .destroy()
        .check(|s| assert_nothing_left(s.emu))
        .run();
}
