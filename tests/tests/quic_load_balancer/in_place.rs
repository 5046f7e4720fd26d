//! Changes of the load balancer itself, in place where ELBv2 allows them: a zone's
//! subnet swapped (two SetSubnets, as AWS requires), ipv4 -> dualstack with source
//! NAT and back (the TCP listener stays; the UDP listener is made again in front of
//! an IPv6 group and back), and the warning that says why a rename replaces it.

use super::support::{Net, assert_nothing_left, ids};
use acceptance::{Emulator, StepCtx, Steps, provider_block};
use serde_json::{Value, json};

const LB: &str = "trustchain_quic_load_balancer.net";

fn config(emu: &Emulator, name: &str, subnets: &[&String], dualstack: bool) -> String {
    let list: Vec<String> = subnets.iter().map(|s| format!("\"{s}\"")).collect();
    format!(
        r#"{provider}
resource "trustchain_quic_load_balancer" "net" {{
  name                              = "{name}"
  subnet_ids                        = [{list}]
  ip_address_type                   = "{ip}"
  enable_prefix_for_ipv6_source_nat = {dualstack}

  listener {{
    port         = 8443
    protocol     = "TCP"
    idle_timeout = 120

    health_check {{}}
  }}

  listener {{
    port        = 8853
    protocol    = "UDP"
    target_type = "ip"

    health_check {{
      protocol = "HTTP"
      port     = 8080
    }}
  }}
}}

output "lb" {{
  value = trustchain_quic_load_balancer.net
}}
"#,
        provider = provider_block(emu),
        list = list.join(", "),
        ip = if dualstack { "dualstack" } else { "ipv4" },
    )
}

fn zones(s: &StepCtx) -> Vec<String> {
    let lb = s.output("lb");
    let d = s.emu.call(
        "elbv2",
        "describe_load_balancers",
        json!({"LoadBalancerArns": [lb["arn"]]}),
    );
    let mut z: Vec<String> = d["LoadBalancers"][0]["AvailabilityZones"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|z| z["SubnetId"].as_str().unwrap_or("").to_string())
        .collect();
    z.sort();
    z
}

fn group(s: &StepCtx, arn: &str) -> Value {
    let g = s.emu.call(
        "elbv2",
        "describe_target_groups",
        json!({"TargetGroupArns": [arn]}),
    );
    g["TargetGroups"][0].clone()
}

#[test]
fn subnets_address_type_and_source_nat_change_in_place_and_a_rename_says_why_it_replaces() {
    let emu = Emulator::start();
    let net = Net::create(&emu);
    let a2 = emu.call(
        "ec2",
        "create_subnet",
        json!({"VpcId": net.vpc_id, "CidrBlock": "10.0.5.0/24", "AvailabilityZone": "us-east-1a",
               "Ipv6CidrBlock": net.sixty_four(8)}),
    )["Subnet"]["SubnetId"]
        .as_str()
        .expect("subnet")
        .to_string();
    let (a1, b1) = (&net.subnets[0], &net.subnets[1]);
    Steps::new(&emu)
        .apply("create in zone a", config(&emu, "tc-net", &[a1], false))
        .check(|s| {
            assert_eq!(zones(s), vec![a1.clone()]);
            s.remember("udp", json!(ids(&s.output("lb"), 8853)));
            s.remember("tcp", json!(ids(&s.output("lb"), 8443)));
            let l = s.emu.call(
                "elbv2",
                "describe_listener_attributes",
                json!({"ListenerArn": ids(&s.output("lb"), 8443).0}),
            );
            assert_eq!(l["Attributes"][0]["Value"], "120");
        })
        .apply(
            "swap zone a's subnet and add zone b",
            config(&emu, "tc-net", &[&a2, b1], false),
        )
        .expect_actions(&[(LB, "update")])
        .check(|s| {
            let mut want = vec![a2.clone(), b1.clone()];
            want.sort();
            assert_eq!(zones(s), want);
            assert_eq!(
                ids(&s.output("lb"), 8853),
                s.recall_as::<(String, String)>("udp"),
                "listeners are untouched"
            );
        })
        .apply(
            "dualstack with source NAT",
            config(&emu, "tc-net", &[&a2, b1], true),
        )
        .expect_actions(&[(LB, "update")])
        .check(|s| {
            let lb = s.output("lb");
            let (listener, tg) = ids(&lb, 8853);
            let (old_listener, old_tg) = s.recall_as::<(String, String)>("udp");
            // No ModifyListener order satisfies AWS here: the UDP listener is made
            // again in front of a new IPv6 group; the TCP listener stays.
            assert_ne!(
                listener, old_listener,
                "the UDP listener should be made again"
            );
            assert_ne!(tg, old_tg, "an IPv6 group replaces the IPv4 one");
            assert_eq!(group(s, &tg)["IpAddressType"], "ipv6");
            let left = s.emu.try_call(
                "elbv2",
                "describe_target_groups",
                json!({"TargetGroupArns": [old_tg]}),
            );
            assert!(left.is_err(), "the IPv4 group was left behind: {left:?}");
            assert_eq!(
                lb["source_nat_ipv6_prefixes"].as_object().map(|m| m.len()),
                Some(2)
            );
            assert_eq!(
                lb["listener"][0]["target_ip_address_type"], "ipv4",
                "TCP keeps IPv4 targets"
            );
            assert_eq!(
                ids(&lb, 8443),
                s.recall_as::<(String, String)>("tcp"),
                "the TCP listener and its group stay"
            );
            s.remember("udp", json!((listener, tg)));
        })
        .apply("back to ipv4", config(&emu, "tc-net", &[&a2, b1], false))
        .expect_actions(&[(LB, "update")])
        .check(|s| {
            let lb = s.output("lb");
            let d = s.emu.call(
                "elbv2",
                "describe_load_balancers",
                json!({"LoadBalancerArns": [lb["arn"]]}),
            );
            assert_eq!(d["LoadBalancers"][0]["IpAddressType"], "ipv4");
            let (listener, tg) = ids(&lb, 8853);
            assert_ne!(listener, s.recall_as::<(String, String)>("udp").0);
            assert_eq!(group(s, &tg)["IpAddressType"], "ipv4");
            assert_eq!(lb["source_nat_ipv6_prefixes"], json!({}));

            // A rename replaces the load balancer, and the plan says why at `name`.
            s.w.write_main(&config(s.emu, "tc-renamed", &[&a2, b1], false));
            let run =
                s.w.terraform(&["plan", "-json", "-no-color", "-input=false"])
                    .ok();
            let warning = run
                .json_lines()
                .into_iter()
                .find(|l| {
                    l["type"] == "diagnostic"
                        && l["diagnostic"]["severity"] == "warning"
                        && l["diagnostic"]["summary"] == "This change replaces the object"
                })
                .unwrap_or_else(|| panic!("no replacement warning in {}", run.stdout()));
            let d = &warning["diagnostic"];
            assert!(
                d["detail"].as_str().unwrap_or("").contains("cannot rename"),
                "{d}"
            );
            assert!(
                d["snippet"]["code"].as_str().unwrap_or("").contains("name"),
                "{d}"
            );
            assert!(
                run.stdout().contains("\"action\":\"replace\""),
                "the rename is not a replacement"
            );
            s.w.write_main(&config(s.emu, "tc-net", &[&a2, b1], false));
        })
        .destroy()
        .check(|s| assert_nothing_left(s.emu))
        .run();
}
