//! trustchain_ipv6_network with real Terraform against the emulator: create, plan
//! empty, update in place without renumbering, import, drift, destroy leaving nothing.

use acceptance::{Emulator, Workspace, planned_actions, provider_block};
use serde_json::{Value, json};

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

fn subnet_ids(outputs: &Value, tier: &str) -> Vec<(String, String)> {
    outputs["subnets"]["value"][tier]
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

fn assert_plan_empty(w: &Workspace, when: &str) {
    let (changes, run) = w.plan_has_changes();
    assert!(
        !changes,
        "plan after {when} is not empty:\n{}",
        run.stdout()
    );
}

#[test]
fn ipv6_network_lifecycle_create_update_import_drift_destroy() {
    let emu = Emulator::start();
    let w = Workspace::new(&network(&emu, &["us-east-1a", "us-east-1b"], false, false));

    // Create, then a plan right after apply shows no changes.
    w.apply().ok();
    assert_plan_empty(&w, "create");
    let out = w.outputs();
    let vpc_id = out["vpc_id"]["value"].as_str().expect("vpc id").to_string();
    let public_before = subnet_ids(&out, "public");
    let app_before = subnet_ids(&out, "app");
    assert_eq!(public_before.len(), 2);
    let app_cidrs: Vec<String> = out["subnets"]["value"]["app"]
        .as_array()
        .map(|l| {
            l.iter()
                .filter_map(|s| s["ipv6_cidr_block"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    assert!(
        app_cidrs.iter().all(|c| c.ends_with("/64")),
        "{app_cidrs:?}"
    );

    let subnets = emu.call(
        "ec2",
        "describe_subnets",
        json!({"Filters": [{"Name": "vpc-id", "Values": [vpc_id]}]}),
    );
    let all = subnets["Subnets"].as_array().expect("subnets");
    assert_eq!(all.len(), 4);
    assert!(
        all.iter().all(|s| s["Ipv6Native"] == true),
        "subnets are not IPv6-native: {subnets}"
    );

    // Add a zone and a tier, toggle dns64: updated in place, no subnet renumbered.
    w.write_main(&network(
        &emu,
        &["us-east-1a", "us-east-1b", "us-east-1c"],
        true,
        true,
    ));
    let plan = w.plan_json();
    assert_eq!(
        planned_actions(&plan),
        vec![(
            "trustchain_ipv6_network.this".to_string(),
            vec!["update".to_string()]
        )]
    );
    w.apply().ok();
    assert_plan_empty(&w, "update");
    let out = w.outputs();
    for (zone, id) in &public_before {
        assert!(
            subnet_ids(&out, "public").contains(&(zone.clone(), id.clone())),
            "public subnet in {zone} was replaced"
        );
    }
    for (zone, id) in &app_before {
        assert!(
            subnet_ids(&out, "app").contains(&(zone.clone(), id.clone())),
            "app subnet in {zone} was replaced"
        );
    }
    assert_eq!(subnet_ids(&out, "data").len(), 3);
    let app_ids: Vec<String> = subnet_ids(&out, "app")
        .into_iter()
        .map(|(_, id)| id)
        .collect();
    let described = emu.call("ec2", "describe_subnets", json!({"SubnetIds": app_ids}));
    assert!(
        described["Subnets"]
            .as_array()
            .is_some_and(|l| l.iter().all(|s| s["EnableDns64"] == true)),
        "dns64 not enabled on the app tier: {described}"
    );

    // Import into a fresh state, then plan is empty.
    let imported = Workspace::new(&network(
        &emu,
        &["us-east-1a", "us-east-1b", "us-east-1c"],
        true,
        true,
    ));
    imported
        .terraform(&[
            "import",
            "-no-color",
            "trustchain_ipv6_network.this",
            &vpc_id,
        ])
        .ok();
    assert_plan_empty(&imported, "import");

    // Delete a subnet behind Terraform's back: only that subnet is planned back.
    let (zone, victim) = subnet_ids(&out, "data")
        .into_iter()
        .next()
        .expect("a data subnet");
    emu.call("ec2", "delete_subnet", json!({"SubnetId": victim}));
    let plan = w.plan_json();
    assert_eq!(
        planned_actions(&plan),
        vec![(
            "trustchain_ipv6_network.this".to_string(),
            vec!["update".to_string()]
        )]
    );
    let change = &plan["resource_changes"][0]["change"];
    let before = &change["before"]["subnets"];
    let after = &change["after"]["subnets"];
    for tier in ["public", "app"] {
        assert_eq!(
            before[tier], after[tier],
            "tier {tier} changes in the drift plan"
        );
    }
    let data_after = after["data"].as_array().expect("data subnets planned");
    assert_eq!(data_after.len(), 3);
    assert_eq!(
        before["data"].as_array().map(Vec::len),
        Some(2),
        "refresh did not notice the deleted subnet"
    );
    let recreated: Vec<&Value> = data_after
        .iter()
        .filter(|s| s["availability_zone"] == zone.as_str())
        .collect();
    assert_eq!(recreated.len(), 1);
    assert!(
        change["after_unknown"]["subnets"]["data"].is_array(),
        "the re-created subnet's id should be unknown"
    );
    w.apply().ok();
    assert_plan_empty(&w, "drift repair");

    // Destroy: nothing of the test is left in the emulator.
    w.destroy().ok();
    let vpcs = emu.call(
        "ec2",
        "describe_vpcs",
        json!({"Filters": [{"Name": "tag:Name", "Values": ["acc-net"]}]}),
    );
    assert_eq!(
        vpcs["Vpcs"].as_array().map(Vec::len),
        Some(0),
        "VPC left: {vpcs}"
    );
    let subnets = emu.call(
        "ec2",
        "describe_subnets",
        json!({"Filters": [{"Name": "vpc-id", "Values": [vpc_id]}]}),
    );
    assert_eq!(
        subnets["Subnets"].as_array().map(Vec::len),
        Some(0),
        "subnets left: {subnets}"
    );
    let rts = emu.call(
        "ec2",
        "describe_route_tables",
        json!({"Filters": [{"Name": "vpc-id", "Values": [vpc_id]}]}),
    );
    assert_eq!(
        rts["RouteTables"].as_array().map(Vec::len),
        Some(0),
        "route tables left: {rts}"
    );
    let igws = emu.call(
        "ec2",
        "describe_internet_gateways",
        json!({"Filters": [{"Name": "tag:Name", "Values": ["acc-net-igw"]}]}),
    );
    assert_eq!(
        igws["InternetGateways"].as_array().map(Vec::len),
        Some(0),
        "internet gateway left: {igws}"
    );
    let eigws = emu.call("ec2", "describe_egress_only_internet_gateways", json!({}));
    assert_eq!(
        eigws["EgressOnlyInternetGateways"].as_array().map(Vec::len),
        Some(0),
        "egress-only gateway left: {eigws}"
    );
}

#[test]
fn ipv6_network_deleted_outside_terraform_is_planned_for_creation() {
    let emu = Emulator::start();
    let w = Workspace::new(&network(&emu, &["us-east-1a"], false, false));
    w.apply().ok();
    let vpc_id = w.outputs()["vpc_id"]["value"]
        .as_str()
        .expect("vpc")
        .to_string();
    // Tear everything down behind Terraform's back (dependency order).
    let subnets = emu.call(
        "ec2",
        "describe_subnets",
        json!({"Filters": [{"Name": "vpc-id", "Values": [vpc_id.clone()]}]}),
    );
    for s in subnets["Subnets"].as_array().into_iter().flatten() {
        emu.call("ec2", "delete_subnet", json!({"SubnetId": s["SubnetId"]}));
    }
    let igws = emu.call(
        "ec2",
        "describe_internet_gateways",
        json!({"Filters": [{"Name": "attachment.vpc-id", "Values": [vpc_id.clone()]}]}),
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
    let rts = emu.call(
        "ec2",
        "describe_route_tables",
        json!({"Filters": [{"Name": "vpc-id", "Values": [vpc_id.clone()]}]}),
    );
    for rt in rts["RouteTables"].as_array().into_iter().flatten() {
        if rt["Associations"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x["Main"] == true))
        {
            continue;
        }
        emu.call(
            "ec2",
            "delete_route_table",
            json!({"RouteTableId": rt["RouteTableId"]}),
        );
    }
    emu.call("ec2", "delete_vpc", json!({"VpcId": vpc_id}));
    let plan = w.plan_json();
    assert_eq!(
        planned_actions(&plan),
        vec![(
            "trustchain_ipv6_network.this".to_string(),
            vec!["create".to_string()]
        )]
    );
}

#[test]
fn ipv6_network_bad_input_gets_diagnostics_at_the_attribute() {
    let emu = Emulator::start();
    let w = Workspace::new(&format!(
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
    ));
    let run = w.terraform(&["plan", "-json", "-no-color"]).failed();
    let diags = run.error_diagnostics();
    let find = |summary: &str, line: &str| {
        let d = diags
            .iter()
            .find(|d| d["summary"] == summary)
            .unwrap_or_else(|| panic!("no {summary:?} in {diags:#?}"));
        let code = d["snippet"]["code"].as_str().unwrap_or("");
        assert!(
            code.contains(line),
            "{summary:?} points at {code:?}, expected {line:?}"
        );
    };
    find("Invalid IPv4 CIDR", "ipv4_cidr");
    find("IPAM pool without netmask length", "");
    find("Duplicate tier name", "name");
    find("Invalid tier kind", "kind");
    find("Invalid availability zone", "availability_zones");
}

#[test]
fn ipv6_network_zone_not_in_region_is_rejected_at_plan() {
    let emu = Emulator::start();
    let w = Workspace::new(&network(&emu, &["us-east-1a", "us-east-1p"], false, false));
    let run = w.terraform(&["plan", "-json", "-no-color"]).failed();
    let diags = run.error_diagnostics();
    let d = diags
        .iter()
        .find(|d| d["summary"] == "Availability zone not in region")
        .unwrap_or_else(|| panic!("no zone diagnostic in {diags:#?}"));
    assert!(d["detail"].as_str().unwrap_or("").contains("us-east-1p"));
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

#[test]
fn ipv6_network_nat64_and_tags_toggle_in_place() {
    let emu = Emulator::start();
    let w = Workspace::new(&nat64_network(&emu, true, r#"{ Owner = "pki" }"#));
    w.apply().ok();
    assert_plan_empty(&w, "create with NAT64");
    let net = &w.outputs()["net"]["value"];
    let vpc_id = net["vpc_id"].as_str().expect("vpc").to_string();
    let nat_id = net["nat_gateway_id"]
        .as_str()
        .expect("NAT gateway id")
        .to_string();
    // The gateway sits in the dual-stack public subnet of zone a, which has a /28.
    let edge_a = &net["subnets"]["edge"][0];
    assert_eq!(edge_a["ipv4_cidr_block"], "10.0.0.0/28");
    let nats = emu.call(
        "ec2",
        "describe_nat_gateways",
        json!({"NatGatewayIds": [nat_id]}),
    );
    assert_eq!(nats["NatGateways"][0]["SubnetId"], edge_a["id"]);
    let nat64_routes = routes_to(&emu, &vpc_id, "64:ff9b::/96");
    assert_eq!(
        nat64_routes.len(),
        1,
        "one 64:ff9b::/96 route (app tier): {nat64_routes:?}"
    );
    assert_eq!(nat64_routes[0]["NatGatewayId"], nat_id.as_str());
    assert_eq!(net["tags_all"], json!({"Owner": "pki"}));

    // Turn NAT64 off and change tags: in place; the gateway and its address go.
    w.write_main(&nat64_network(
        &emu,
        false,
        r#"{ Owner = "pki", Tier = "ca" }"#,
    ));
    let plan = w.plan_json();
    assert_eq!(
        planned_actions(&plan),
        vec![(
            "trustchain_ipv6_network.this".to_string(),
            vec!["update".to_string()]
        )]
    );
    w.apply().ok();
    assert_plan_empty(&w, "disabling NAT64");
    let net = &w.outputs()["net"]["value"];
    assert!(net["nat_gateway_id"].is_null());
    assert_eq!(net["vpc_id"], vpc_id.as_str(), "VPC replaced");
    assert!(
        routes_to(&emu, &vpc_id, "64:ff9b::/96").is_empty(),
        "NAT64 route left behind"
    );
    let eips = emu.call("ec2", "describe_addresses", json!({}));
    assert_eq!(
        eips["Addresses"].as_array().map(Vec::len),
        Some(0),
        "elastic IP not released: {eips}"
    );
    let vpc = emu.call("ec2", "describe_vpcs", json!({"VpcIds": [vpc_id.clone()]}));
    let tags: Vec<(String, String)> = vpc["Vpcs"][0]["Tags"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            (
                t["Key"].as_str().unwrap_or("").to_string(),
                t["Value"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert!(tags.contains(&("Tier".into(), "ca".into())), "{tags:?}");
    // Tag changes reach the gateways too.
    let igws = emu.call(
        "ec2",
        "describe_internet_gateways",
        json!({"Filters": [{"Name": "attachment.vpc-id", "Values": [vpc_id.clone()]}]}),
    );
    let igw_tags = &igws["InternetGateways"][0]["Tags"];
    assert!(
        igw_tags
            .as_array()
            .is_some_and(|t| t.iter().any(|x| x["Key"] == "Tier" && x["Value"] == "ca")),
        "internet gateway tags not updated: {igw_tags}"
    );

    w.destroy().ok();
}

#[test]
fn ipv6_network_failure_half_way_leaves_state_the_next_apply_and_destroy_finish() {
    let emu = Emulator::start();
    let w = Workspace::new(&nat64_network(&emu, true, "{}"));
    // The NAT gateway fails after the VPC, subnets and Elastic IP exist.
    emu.inject_fault("CreateNatGateway", "UnauthorizedOperation", 1);
    let failed = w.apply().failed();
    let err = failed.stderr();
    assert!(err.contains("AWS EC2 CreateNatGateway failed"), "{err}");
    assert!(
        err.contains("UnauthorizedOperation: injected fault"),
        "AWS code and message missing: {err}"
    );
    assert!(
        err.contains("run terraform apply again"),
        "no advice on what to do: {err}"
    );
    assert!(
        !err.contains("<?xml"),
        "raw response dumped into the diagnostic: {err}"
    );
    let state = w.state_json();
    let res = &state["values"]["root_module"]["resources"][0];
    assert_eq!(
        res["address"], "trustchain_ipv6_network.this",
        "nothing recorded after the failure: {state}"
    );
    assert_eq!(
        res["tainted"], true,
        "a half-created network should be tainted: {res}"
    );
    let vpc_id = res["values"]["vpc_id"]
        .as_str()
        .expect("vpc id in state")
        .to_string();

    // The next apply replaces the tainted network and finishes.
    w.apply().ok();
    assert_plan_empty(&w, "recovery");
    let vpcs = emu.call("ec2", "describe_vpcs", json!({"VpcIds": []}));
    assert!(
        !vpcs["Vpcs"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|v| v["VpcId"] == vpc_id.as_str()),
        "the failed VPC was left behind"
    );
    let eips = emu.call("ec2", "describe_addresses", json!({}));
    assert_eq!(
        eips["Addresses"].as_array().map(Vec::len),
        Some(1),
        "orphaned or missing Elastic IPs: {eips}"
    );

    // Destroy leaves nothing, the address included.
    w.destroy().ok();
    let eips = emu.call("ec2", "describe_addresses", json!({}));
    assert_eq!(
        eips["Addresses"].as_array().map(Vec::len),
        Some(0),
        "Elastic IP orphaned: {eips}"
    );
    let vpcs = emu.call(
        "ec2",
        "describe_vpcs",
        json!({"Filters": [{"Name": "tag:Name", "Values": ["nat-net"]}]}),
    );
    assert_eq!(
        vpcs["Vpcs"].as_array().map(Vec::len),
        Some(0),
        "VPC left: {vpcs}"
    );
}

#[test]
fn default_tags_merge_into_tags_all_through_an_assumed_role() {
    let emu = Emulator::start();
    let url = emu.url();
    let w = Workspace::new(&format!(
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
    ));
    w.apply().ok();
    assert_plan_empty(&w, "create with default_tags");
    let out = w.outputs();
    // The resource's own tags win over default_tags.
    assert_eq!(
        out["tags_all"]["value"],
        json!({"Environment": "test", "Name": "ca-network", "Team": "pki"})
    );
    let vpc_id = out["vpc_id"]["value"].as_str().expect("vpc").to_string();
    let subnets = emu.call(
        "ec2",
        "describe_subnets",
        json!({"Filters": [{"Name": "vpc-id", "Values": [vpc_id]}]}),
    );
    let tags = &subnets["Subnets"][0]["Tags"];
    assert!(
        tags.as_array()
            .is_some_and(|t| t.iter().any(|x| x["Key"] == "Team" && x["Value"] == "pki")),
        "default tag missing on the subnet: {tags}"
    );
    w.destroy().ok();
}
