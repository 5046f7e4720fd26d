//! trustchain_ipv6_network with real Terraform against the emulator, as step lists:
//! create, update in place without renumbering, import by id and by identity with
//! state verification, drift, destroy leaving nothing.

use acceptance::{Emulator, StepCtx, Steps, assert_diagnostic_at, provider_block};
use serde_json::{Value, json};

const NET: &str = "trustchain_ipv6_network.this";

fn network(emu: &Emulator, zones: &[&str], extra_tier: bool, dns64: bool) -> String {
    let zones = zones
        .iter()
        .map(|z| format!("\"{z}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let extra = if extra_tier {
        r#"
  tier {
    name = "data"
    kind = "isolated"
  }
"#
    } else {
        ""
    };
    format!(
        r#"{provider}
resource "trustchain_ipv6_network" "this" {{
  name               = "acc-net"
  availability_zones = [{zones}]

  tier {{
    name = "public"
    kind = "public"
  }}

  tier {{
    name         = "app"
    kind         = "private"
    enable_dns64 = {dns64}
  }}
{extra}
  tags = {{
    Environment = "test"
  }}
}}

output "subnets" {{
  value = trustchain_ipv6_network.this.subnets
}}

output "vpc_id" {{
  value = trustchain_ipv6_network.this.vpc_id
}}
"#,
        provider = provider_block(emu),
    )
}

/// (zone, id) of a tier's subnets in the `subnets` output.
fn subnet_ids(subnets: &Value, tier: &str) -> Vec<(String, String)> {
    subnets[tier]
        .as_array()
        .map(|l| {
            l.iter()
                .map(|s| {
                    (
                        s["availability_zone"].as_str().unwrap_or("").to_string(),
                        s["id"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn count(v: &Value, key: &str) -> Option<usize> {
    v[key].as_array().map(Vec::len)
}

/// Nothing of a network named `name` with VPC `vpc_id` is left in the emulator.
fn assert_network_gone(emu: &Emulator, name: &str, vpc_id: &str) {
    let vpcs = emu.call(
        "ec2",
        "describe_vpcs",
        json!({"Filters": [{"Name": "tag:Name", "Values": [name]}]}),
    );
    assert_eq!(count(&vpcs, "Vpcs"), Some(0), "VPC left: {vpcs}");
    let by_vpc = json!({"Filters": [{"Name": "vpc-id", "Values": [vpc_id]}]});
    let subnets = emu.call("ec2", "describe_subnets", by_vpc.clone());
    assert_eq!(
        count(&subnets, "Subnets"),
        Some(0),
        "subnets left: {subnets}"
    );
    let rts = emu.call("ec2", "describe_route_tables", by_vpc);
    assert_eq!(
        count(&rts, "RouteTables"),
        Some(0),
        "route tables left: {rts}"
    );
    let igws = emu.call(
        "ec2",
        "describe_internet_gateways",
        json!({"Filters": [{"Name": "tag:Name", "Values": [format!("{name}-igw")]}]}),
    );
    assert_eq!(
        count(&igws, "InternetGateways"),
        Some(0),
        "internet gateway left: {igws}"
    );
    let eigws = emu.call("ec2", "describe_egress_only_internet_gateways", json!({}));
    assert_eq!(
        count(&eigws, "EgressOnlyInternetGateways"),
        Some(0),
        "egress-only gateway left: {eigws}"
    );
    let eips = emu.call("ec2", "describe_addresses", json!({}));
    assert_eq!(
        count(&eips, "Addresses"),
        Some(0),
        "Elastic IP orphaned: {eips}"
    );
}

#[test]
fn ipv6_network_lifecycle_create_update_import_drift_destroy() {
    let emu = Emulator::start();
    Steps::new(&emu)
        .apply(
            "create",
            network(&emu, &["us-east-1a", "us-east-1b"], false, false),
        )
        .check(|s| {
            let subnets = s.output("subnets");
            s.remember("vpc_id", s.output("vpc_id").as_str().expect("vpc id"));
            let public = subnet_ids(&subnets, "public");
            assert_eq!(public.len(), 2);
            s.remember("public", json!(public));
            s.remember("app", json!(subnet_ids(&subnets, "app")));
            let app_cidrs: Vec<&str> = subnets["app"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|x| x["ipv6_cidr_block"].as_str())
                .collect();
            assert!(
                !app_cidrs.is_empty() && app_cidrs.iter().all(|c| c.ends_with("/64")),
                "{app_cidrs:?}"
            );
            let all = s.emu.call(
                "ec2",
                "describe_subnets",
                json!({"Filters": [{"Name": "vpc-id", "Values": [*s.recall_str("vpc_id")]}]}),
            );
            let list = all["Subnets"].as_array().expect("subnets");
            assert_eq!(list.len(), 4);
            assert!(
                list.iter().all(|x| x["Ipv6Native"] == true),
                "subnets are not IPv6-native: {all}"
            );
        })
        .apply(
            "add a zone and a tier, turn dns64 on",
            network(
                &emu,
                &["us-east-1a", "us-east-1b", "us-east-1c"],
                true,
                true,
            ),
        )
        .expect_actions(&[(NET, "update")])
        .check(|s| {
            let subnets = s.output("subnets");
            let public: Vec<(String, String)> = s.recall_as("public");
            let app: Vec<(String, String)> = s.recall_as("app");
            for (tier, kept) in [("public", &public), ("app", &app)] {
                for pair in kept {
                    assert!(
                        subnet_ids(&subnets, tier).contains(pair),
                        "{tier} subnet in {} was replaced",
                        pair.0
                    );
                }
            }
            assert_eq!(subnet_ids(&subnets, "data").len(), 3);
            let app_ids: Vec<String> = subnet_ids(&subnets, "app")
                .into_iter()
                .map(|(_, id)| id)
                .collect();
            let described = s
                .emu
                .call("ec2", "describe_subnets", json!({"SubnetIds": app_ids}));
            assert!(
                described["Subnets"]
                    .as_array()
                    .is_some_and(|l| l.iter().all(|x| x["EnableDns64"] == true)),
                "dns64 not enabled on the app tier: {described}"
            );
        })
        .import(NET)
        .by_id(|v| v["vpc_id"].as_str().expect("vpc id").to_string())
        .import(NET)
        .by_identity(&["vpc_id"])
        .drift(
            "delete a data subnet behind Terraform's back",
            |s: &StepCtx| {
                let (zone, id) = subnet_ids(&s.output("subnets"), "data")
                    .into_iter()
                    .next()
                    .expect("a data subnet");
                s.emu
                    .call("ec2", "delete_subnet", json!({"SubnetId": id.clone()}));
                s.remember("victim_zone", zone);
            },
        )
        .expect_actions(&[(NET, "update")])
        .check_plan(|s, plan| {
            let change = &plan["resource_changes"][0]["change"];
            let (b, a) = (&change["before"]["subnets"], &change["after"]["subnets"]);
            for tier in ["public", "app"] {
                assert_eq!(b[tier], a[tier], "tier {tier} changes in the drift plan");
            }
            let data_after = a["data"].as_array().expect("data subnets planned");
            assert_eq!(data_after.len(), 3);
            assert_eq!(
                b["data"].as_array().map(Vec::len),
                Some(2),
                "refresh did not notice the deleted subnet"
            );
            let zone = s.recall_str("victim_zone");
            assert_eq!(
                data_after
                    .iter()
                    .filter(|x| x["availability_zone"] == zone.as_str())
                    .count(),
                1
            );
            assert!(
                change["after_unknown"]["subnets"]["data"].is_array(),
                "the re-created subnet's id should be unknown"
            );
        })
        .destroy()
        .check(|s| assert_network_gone(s.emu, "acc-net", &s.recall_str("vpc_id")))
        .run();
}

/// Tears a one-zone network down behind Terraform's back, in dependency order.
fn delete_network_outside_terraform(emu: &Emulator, vpc_id: &str) {
    let by_vpc = json!({"Filters": [{"Name": "vpc-id", "Values": [vpc_id]}]});
    let subnets = emu.call("ec2", "describe_subnets", by_vpc.clone());
    for s in subnets["Subnets"].as_array().into_iter().flatten() {
        emu.call("ec2", "delete_subnet", json!({"SubnetId": s["SubnetId"]}));
    }
    let igws = emu.call(
        "ec2",
        "describe_internet_gateways",
        json!({"Filters": [{"Name": "attachment.vpc-id", "Values": [vpc_id]}]}),
    );
    for g in igws["InternetGateways"].as_array().into_iter().flatten() {
        emu.call(
            "ec2",
            "detach_internet_gateway",
            json!({"InternetGatewayId": g["InternetGatewayId"], "VpcId": vpc_id}),
        );
        emu.call(
            "ec2",
            "delete_internet_gateway",
            json!({"InternetGatewayId": g["InternetGatewayId"]}),
        );
    }
    let eigws = emu.call("ec2", "describe_egress_only_internet_gateways", json!({}));
    for g in eigws["EgressOnlyInternetGateways"]
        .as_array()
        .into_iter()
        .flatten()
    {
        emu.call(
            "ec2",
            "delete_egress_only_internet_gateway",
            json!({"EgressOnlyInternetGatewayId": g["EgressOnlyInternetGatewayId"]}),
        );
    }
    let rts = emu.call("ec2", "describe_route_tables", by_vpc);
    for rt in rts["RouteTables"].as_array().into_iter().flatten() {
        let main = rt["Associations"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x["Main"] == true));
        if !main {
            emu.call(
                "ec2",
                "delete_route_table",
                json!({"RouteTableId": rt["RouteTableId"]}),
            );
        }
    }
    emu.call("ec2", "delete_vpc", json!({"VpcId": vpc_id}));
}

#[test]
fn ipv6_network_deleted_outside_terraform_is_planned_for_creation() {
    let emu = Emulator::start();
    Steps::new(&emu)
        .apply("create", network(&emu, &["us-east-1a"], false, false))
        .check(|s| s.remember("vpc_id", s.output("vpc_id").as_str().expect("vpc")))
        .drift("delete the whole network outside Terraform", |s| {
            delete_network_outside_terraform(s.emu, &s.recall_str("vpc_id"))
        })
        .expect_actions(&[(NET, "create")])
        .destroy()
        .run();
}

#[test]
fn ipv6_network_bad_input_gets_diagnostics_at_the_attribute() {
    let emu = Emulator::start();
    let bad = format!(
        r#"{provider}
resource "trustchain_ipv6_network" "bad" {{
  name               = "bad"
  ipv4_cidr          = "10.0.0.1/24"
  ipv6_ipam_pool_id  = "ipam-pool-0123456789abcdef0"
  availability_zones = ["us-east-1a", "us-east-1z"]

  tier {{
    name = "app"
    kind = "private"
  }}

  tier {{
    name = "app"
    kind = "internal"
  }}
}}
"#,
        provider = provider_block(&emu)
    );
    Steps::new(&emu)
        .plan_fails("plan a network with five mistakes", bad)
        .errors(|diags, _| {
            assert_diagnostic_at(diags, "Invalid IPv4 CIDR", "ipv4_cidr");
            assert_diagnostic_at(diags, "IPAM pool without netmask length", "");
            assert_diagnostic_at(diags, "Duplicate tier name", "name");
            assert_diagnostic_at(diags, "Invalid tier kind", "kind");
            assert_diagnostic_at(diags, "Invalid availability zone", "availability_zones");
        })
        .run();
}

#[test]
fn ipv6_network_zone_not_in_region_is_rejected_at_plan() {
    let emu = Emulator::start();
    Steps::new(&emu)
        .plan_fails(
            "plan a zone the region lacks",
            network(&emu, &["us-east-1a", "us-east-1p"], false, false),
        )
        .errors(|diags, _| {
            let d = diags
                .iter()
                .find(|d| d["summary"] == "Availability zone not in region")
                .unwrap_or_else(|| panic!("no zone diagnostic in {diags:#?}"));
            assert!(d["detail"].as_str().unwrap_or("").contains("us-east-1p"));
        })
        .run();
}

fn nat64_network(emu: &Emulator, nat64: bool, tags: &str) -> String {
    format!(
        r#"{provider}
resource "trustchain_ipv6_network" "this" {{
  name               = "nat-net"
  availability_zones = ["us-east-1a", "us-east-1b"]
  enable_nat64       = {nat64}

  tier {{
    name        = "edge"
    kind        = "public"
    ipv6_native = false
  }}

  tier {{
    name         = "app"
    kind         = "private"
    enable_dns64 = true
  }}

  tags = {tags}
}}

output "net" {{
  value = trustchain_ipv6_network.this
}}
"#,
        provider = provider_block(emu),
    )
}

fn routes_to(emu: &Emulator, vpc_id: &str, dest: &str) -> Vec<Value> {
    let rts = emu.call(
        "ec2",
        "describe_route_tables",
        json!({"Filters": [{"Name": "vpc-id", "Values": [vpc_id]}]}),
    );
    rts["RouteTables"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|rt| rt["Routes"].as_array().cloned().unwrap_or_default())
        .filter(|r| r["DestinationIpv6CidrBlock"] == dest)
        .collect()
}

fn tag_pairs(tags: &Value) -> Vec<(String, String)> {
    tags.as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            (
                t["Key"].as_str().unwrap_or("").to_string(),
                t["Value"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// EC2 calls of one refresh-only plan, by action.
fn refresh_calls(s: &StepCtx) -> Value {
    s.emu.clear_requests();
    s.w.terraform(&["plan", "-refresh-only", "-no-color", "-input=false"])
        .ok();
    s.emu.requests()["counts"]["ec2"].clone()
}

#[test]
fn ipv6_network_nat64_and_tags_toggle_in_place() {
    let emu = Emulator::start();
    Steps::new(&emu)
        .apply(
            "create with NAT64",
            nat64_network(&emu, true, r#"{ Owner = "pki" }"#),
        )
        .check(|s| {
            let net = s.output("net");
            s.remember("vpc_id", net["vpc_id"].as_str().expect("vpc"));
            let nat_id = net["nat_gateway_id"].as_str().expect("NAT gateway id");
            // The gateway sits in the dual-stack public subnet of zone a, which has a /28.
            let edge_a = &net["subnets"]["edge"][0];
            assert_eq!(edge_a["ipv4_cidr_block"], "10.0.0.0/28");
            let nats = s.emu.call(
                "ec2",
                "describe_nat_gateways",
                json!({"NatGatewayIds": [nat_id]}),
            );
            assert_eq!(nats["NatGateways"][0]["SubnetId"], edge_a["id"]);
            let nat64_routes = routes_to(s.emu, &s.recall_str("vpc_id"), "64:ff9b::/96");
            assert_eq!(
                nat64_routes.len(),
                1,
                "one 64:ff9b::/96 route (app tier): {nat64_routes:?}"
            );
            assert_eq!(nat64_routes[0]["NatGatewayId"], nat_id);
            assert_eq!(net["tags_all"], json!({"Owner": "pki"}));
            // A refresh: one call per kind of object, the NAT gateway included (the
            // state has one), never the Elastic IPs (no attribute shows them).
            let calls = refresh_calls(s);
            let one = |a: &str| (a.to_string(), json!(1));
            let want: serde_json::Map<String, Value> = [
                "DescribeVpcs",
                "DescribeInternetGateways",
                "DescribeEgressOnlyInternetGateways",
                "DescribeRouteTables",
                "DescribeSubnets",
                "DescribeNatGateways",
            ]
            .into_iter()
            .map(one)
            .collect();
            assert_eq!(calls, Value::Object(want), "refresh with NAT64");
        })
        .apply(
            "turn NAT64 off, change a tag's value and add a tag",
            nat64_network(&emu, false, r#"{ Owner = "security", Tier = "ca" }"#),
        )
        .expect_actions(&[(NET, "update")])
        .check(|s| {
            let net = s.output("net");
            let vpc_id = s.recall_str("vpc_id");
            assert!(net["nat_gateway_id"].is_null());
            assert_eq!(net["vpc_id"], vpc_id.as_str(), "VPC replaced");
            assert!(
                routes_to(s.emu, &vpc_id, "64:ff9b::/96").is_empty(),
                "NAT64 route left behind"
            );
            let eips = s.emu.call("ec2", "describe_addresses", json!({}));
            assert_eq!(
                count(&eips, "Addresses"),
                Some(0),
                "elastic IP not released: {eips}"
            );
            let vpc = s
                .emu
                .call("ec2", "describe_vpcs", json!({"VpcIds": [vpc_id.clone()]}));
            let tags = tag_pairs(&vpc["Vpcs"][0]["Tags"]);
            assert!(tags.contains(&("Tier".into(), "ca".into())), "{tags:?}");
            // A value changed in place reaches AWS (not only new keys); the empty plan
            // after the apply (the step runner's rule) shows the read agrees.
            assert!(
                tags.contains(&("Owner".into(), "security".into())),
                "the changed Owner value did not reach the VPC: {tags:?}"
            );
            assert!(!tags.contains(&("Owner".into(), "pki".into())), "{tags:?}");
            assert_eq!(net["tags_all"], json!({"Owner": "security", "Tier": "ca"}));
            // Tag changes reach the gateways too.
            let igws = s.emu.call(
                "ec2",
                "describe_internet_gateways",
                json!({"Filters": [{"Name": "attachment.vpc-id", "Values": [vpc_id.clone()]}]}),
            );
            let igw_tags = tag_pairs(&igws["InternetGateways"][0]["Tags"]);
            assert!(
                igw_tags.contains(&("Tier".into(), "ca".into()))
                    && igw_tags.contains(&("Owner".into(), "security".into())),
                "internet gateway tags not updated: {igw_tags:?}"
            );
            // Without NAT64 a refresh makes five calls: no NAT gateway lookup.
            let calls = refresh_calls(s);
            assert_eq!(
                calls
                    .as_object()
                    .map(|m| m.values().filter_map(Value::as_u64).sum::<u64>()),
                Some(5),
                "refresh without NAT64: {calls}"
            );
            assert!(calls.get("DescribeNatGateways").is_none(), "{calls}");
        })
        .destroy()
        .check(|s| assert_network_gone(s.emu, "nat-net", &s.recall_str("vpc_id")))
        .run();
}

#[test]
fn ipv6_network_failure_half_way_leaves_state_the_next_apply_and_destroy_finish() {
    let emu = Emulator::start();
    // The NAT gateway fails after the VPC, subnets and Elastic IP exist.
    emu.inject_fault("CreateNatGateway", "UnauthorizedOperation", 1);
    Steps::new(&emu)
        .apply_fails(
            "create while CreateNatGateway is refused",
            nat64_network(&emu, true, "{}"),
        )
        .errors(|diags, _| {
            let d = diags
                .iter()
                .find(|d| d["summary"] == "AWS EC2 CreateNatGateway failed")
                .unwrap_or_else(|| panic!("no CreateNatGateway diagnostic in {diags:#?}"));
            let detail = d["detail"].as_str().unwrap_or("");
            assert!(
                detail.contains("UnauthorizedOperation: injected fault"),
                "AWS code and message missing: {detail}"
            );
            assert!(
                detail.contains("run terraform apply again"),
                "no advice on what to do: {detail}"
            );
            assert!(
                detail.contains("ec2:CreateNatGateway"),
                "the IAM action to grant is not named: {detail}"
            );
            assert!(
                !detail.contains("<?xml"),
                "raw response dumped into the diagnostic: {detail}"
            );
        })
        .check(|s| {
            let res = acceptance::steps::resource_in(&s.state(), NET)
                .unwrap_or_else(|| panic!("nothing recorded after the failure"));
            assert_eq!(
                res["tainted"], true,
                "a half-created network should be tainted: {res}"
            );
            s.remember(
                "failed_vpc",
                res["values"]["vpc_id"].as_str().expect("vpc id in state"),
            );
        })
        .apply(
            "the next apply replaces the tainted network",
            nat64_network(&emu, true, "{}"),
        )
        .check(|s| {
            let vpcs = s.emu.call("ec2", "describe_vpcs", json!({"VpcIds": []}));
            assert!(
                !vpcs["Vpcs"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|v| v["VpcId"] == s.recall_str("failed_vpc")),
                "the failed VPC was left behind"
            );
            let eips = s.emu.call("ec2", "describe_addresses", json!({}));
            assert_eq!(
                count(&eips, "Addresses"),
                Some(1),
                "orphaned or missing Elastic IPs: {eips}"
            );
        })
        .destroy()
        .check(|s| {
            assert_network_gone(s.emu, "nat-net", &s.recall_str("failed_vpc"));
        })
        .run();
}

#[test]
fn default_tags_merge_into_tags_all_through_an_assumed_role() {
    let emu = Emulator::start();
    let url = emu.url();
    let config = format!(
        r#"terraform {{
  required_providers {{
    trustchain = {{
      source = "trustchain/trustchain"
    }}
  }}
}}

provider "trustchain" {{
  region = "us-east-1"
  endpoints {{
    ec2 = "{url}"
    sts = "{url}"
  }}
  assume_role {{
    role_arn     = "arn:aws:iam::123456789012:role/ca-deployer"
    session_name = "acceptance"
    duration     = "1h"
  }}
  default_tags {{
    tags = {{
      Team        = "pki"
      Environment = "default"
    }}
  }}
}}

resource "trustchain_ipv6_network" "this" {{
  name               = "tagged-net"
  availability_zones = ["us-east-1a"]

  tier {{
    name = "app"
    kind = "private"
  }}

  tags = {{
    Environment = "test"
    Name        = "ca-network"
  }}
}}

output "tags_all" {{
  value = trustchain_ipv6_network.this.tags_all
}}

output "vpc_id" {{
  value = trustchain_ipv6_network.this.vpc_id
}}
"#
    );
    Steps::new(&emu)
        .apply("create with default_tags", config)
        .check(|s| {
            // The resource's own tags win over default_tags.
            assert_eq!(
                s.output("tags_all"),
                json!({"Environment": "test", "Name": "ca-network", "Team": "pki"})
            );
            let vpc_id = s.output("vpc_id");
            let subnets = s.emu.call(
                "ec2",
                "describe_subnets",
                json!({"Filters": [{"Name": "vpc-id", "Values": [vpc_id]}]}),
            );
            let tags = tag_pairs(&subnets["Subnets"][0]["Tags"]);
            assert!(
                tags.contains(&("Team".into(), "pki".into())),
                "default tag missing on the subnet: {tags:?}"
            );
        })
        .import(NET)
        .by_identity(&["account_id", "region", "vpc_id"])
        .destroy()
        .run();
}

/// Optional lane: Terraform 1.11 (no resource identity, which came in 1.12) creates,
/// imports by id and destroys a network; the identities the provider returns are
/// ignored there. Skipped with the reason printed when that binary is absent.
#[test]
fn older_terraform_manages_a_network_without_resource_identity() {
    let Some(bin) =
        acceptance::older_terraform("older_terraform_manages_a_network_without_resource_identity")
    else {
        return;
    };
    manage_network_without_identity(bin);
}

/// The oldest lane: Terraform 1.0 (protocol 6's first release) does the same.
#[test]
fn terraform_1_0_manages_a_network_without_resource_identity() {
    let Some(bin) =
        acceptance::terraform_1_0("terraform_1_0_manages_a_network_without_resource_identity")
    else {
        return;
    };
    manage_network_without_identity(bin);
}

fn manage_network_without_identity(bin: std::path::PathBuf) {
    let emu = Emulator::start();
    Steps::new(&emu)
        .with_terraform(bin)
        .apply("create", network(&emu, &["us-east-1a"], false, false))
        .check(|s| {
            let res = acceptance::steps::resource_in(&s.state(), NET).expect("in state");
            assert!(
                res.get("identity").is_none_or(Value::is_null),
                "Terraform before 1.12 stores no identity: {res}"
            );
            s.remember("vpc_id", s.output("vpc_id").as_str().expect("vpc"));
        })
        .import(NET)
        .by_id(|v| v["vpc_id"].as_str().expect("vpc id").to_string())
        .destroy()
        .check(|s| assert_network_gone(s.emu, "acc-net", &s.recall_str("vpc_id")))
        .run();
}
