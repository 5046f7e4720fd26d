//! The documented migration of composites from hashicorp/aws, with real Terraform
//! 1.15 against the emulator. A network (a VPC, two tiers of subnets with their route
//! tables and associations, the private tier's egress-only internet gateway and its
//! `::/0` route) and a Network Load Balancer (its listener and target
//! group) made with boto3 are recorded in state as hashicorp/aws 6.x records them (the
//! attribute sets of the 6.66.0 schema, schema version 0), after the guide's first
//! step (the provider's tags added to the route tables, subnets and gateway). The guide's
//! configuration (`import` by identity for `trustchain_ipv6_network` and
//! `trustchain_quic_load_balancer`, `removed { lifecycle { destroy = false } }` for
//! every old address) is then planned and applied once: the new resources are
//! imported with no change planned (the subnets follow the provider's index scheme,
//! as the guide asks), the old addresses forgotten, nothing reaches AWS but reads (no
//! Create, Delete, Deregister, Disassociate or Replace call), the objects still exist
//! under their ids, and the next plan is empty. A subnet off the index scheme, which
//! the guide warns about, shows as an update of the imported network in the plan.

use acceptance::{Emulator, Workspace, planned_actions, provider_block, workspace_root};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::io::Read;
use std::net::Ipv6Addr;

const ZONES: [&str; 2] = ["us-east-1a", "us-east-1b"];

/// The committed hashicorp/aws 6.66.0 resource schemas.
fn aws_schemas() -> Value {
    let file = std::fs::File::open(workspace_root().join("tests/aws-schema/schema.json.gz"))
        .expect("schema.json.gz");
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .expect("gunzip");
    let all: Value = serde_json::from_str(&text).expect("schema json");
    all["resource_schemas"].clone()
}

/// An object of `block` as a state holds it: every attribute (null unless given),
/// every nested block (given ones filled the same way, others empty).
fn fill(block: &Value, given: &Value) -> Value {
    let mut out = Map::new();
    for name in block["attributes"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, _)| k)
    {
        out.insert(
            name.clone(),
            given.get(name).cloned().unwrap_or(Value::Null),
        );
    }
    for (name, nested) in block["block_types"].as_object().into_iter().flatten() {
        let single = matches!(nested["nesting_mode"].as_str(), Some("single" | "group"));
        let value = match given.get(name) {
            Some(Value::Array(items)) => {
                Value::Array(items.iter().map(|i| fill(&nested["block"], i)).collect())
            }
            Some(v) if !v.is_null() => fill(&nested["block"], v),
            _ if single => Value::Null,
            _ => json!([]),
        };
        out.insert(name.clone(), value);
    }
    for key in given.as_object().into_iter().flatten().map(|(k, _)| k) {
        assert!(out.contains_key(key), "{key} is not in the schema");
    }
    Value::Object(out)
}

/// The /64 number `n` of a /56.
fn subnet64(block56: &str, n: u128) -> String {
    let base: Ipv6Addr = block56
        .split('/')
        .next()
        .and_then(|a| a.parse().ok())
        .expect("IPv6 block");
    format!("{}/64", Ipv6Addr::from(u128::from(base) + (n << 64)))
}

struct Tier {
    name: &'static str,
    kind: &'static str,
    index: u128,
    ipv6_native: bool,
}

const TIERS: [Tier; 2] = [
    Tier {
        name: "lb",
        kind: "isolated",
        index: 0,
        ipv6_native: false,
    },
    Tier {
        name: "app",
        kind: "private",
        index: 1,
        ipv6_native: true,
    },
];

/// What boto3 made (as hashicorp/aws would have), by hashicorp/aws address.
struct Made {
    vpc: Value,
    /// The egress-only internet gateway of the private tier.
    eigw: String,
    /// tier -> route table id
    tables: BTreeMap<&'static str, String>,
    /// (tier, zone) -> (subnet, association id)
    subnets: BTreeMap<(&'static str, &'static str), (Value, String)>,
    lb: Value,
    group: Value,
    listener: Value,
}

fn tags(pairs: &[(&str, &str)]) -> Value {
    Value::Array(
        pairs
            .iter()
            .map(|(k, v)| json!({"Key": k, "Value": v}))
            .collect(),
    )
}

/// `off_scheme`: the app tier's subnet in us-east-1b takes /64 number 19 instead of
/// the scheme's 17 (tier index 1 * 16 + zone b).
fn make_with_boto3(emu: &Emulator, off_scheme: bool) -> Made {
    let vpc = emu.call(
        "ec2",
        "create_vpc",
        json!({"CidrBlock": "10.0.0.0/24", "AmazonProvidedIpv6CidrBlock": true,
               "TagSpecifications": [{"ResourceType": "vpc", "Tags": tags(&[("Name", "legacy")])}]}),
    )["Vpc"]
        .clone();
    let vpc_id = vpc["VpcId"].as_str().expect("vpc id").to_string();
    let vpc = emu.call("ec2", "describe_vpcs", json!({"VpcIds": [vpc_id]}))["Vpcs"][0].clone();
    let block = vpc["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
        .as_str()
        .expect("Amazon-provided /56")
        .to_string();
    // With the tag the guide's first step adds.
    let eigw = emu.call(
        "ec2",
        "create_egress_only_internet_gateway",
        json!({"VpcId": vpc_id, "TagSpecifications": [{"ResourceType": "egress-only-internet-gateway",
               "Tags": tags(&[("Name", "legacy-eigw"), ("trustchain:vpc-id", &vpc_id)])}]}),
    )["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
        .as_str()
        .expect("eigw id")
        .to_string();
    let mut tables = BTreeMap::new();
    let mut subnets = BTreeMap::new();
    for t in &TIERS {
        let index = t.index.to_string();
        // The guide's first step: the provider's tier tags, applied with hashicorp/aws.
        let rt = emu.call(
            "ec2",
            "create_route_table",
            json!({"VpcId": vpc_id, "TagSpecifications": [{"ResourceType": "route-table",
                   "Tags": tags(&[("Name", &format!("legacy-{}", t.name)),
                                  ("trustchain:tier", t.name),
                                  ("trustchain:tier-kind", t.kind),
                                  ("trustchain:tier-index", &index)])}]}),
        )["RouteTable"]["RouteTableId"]
            .as_str()
            .expect("route table id")
            .to_string();
        if t.kind == "private" {
            emu.call(
                "ec2",
                "create_route",
                json!({"RouteTableId": rt, "DestinationIpv6CidrBlock": "::/0",
                       "EgressOnlyInternetGatewayId": eigw}),
            );
        }
        for (z, zone) in ZONES.iter().enumerate() {
            let n = t.index * 16
                + z as u128
                + if off_scheme && t.ipv6_native && z == 1 {
                    2
                } else {
                    0
                };
            let mut req = json!({
                "VpcId": vpc_id, "AvailabilityZone": zone,
                "Ipv6CidrBlock": subnet64(&block, n),
                "TagSpecifications": [{"ResourceType": "subnet",
                    "Tags": tags(&[("Name", &format!("legacy-{}-{zone}", t.name)),
                                   ("trustchain:tier", t.name)])}],
            });
            if t.ipv6_native {
                req["Ipv6Native"] = json!(true);
            } else {
                // cidrsubnet("10.0.0.0/24", 4, n): the scheme's /28.
                req["CidrBlock"] = json!(format!("10.0.0.{}/28", n * 16));
            }
            let id = emu.call("ec2", "create_subnet", req)["Subnet"]["SubnetId"]
                .as_str()
                .expect("subnet id")
                .to_string();
            // What the aws_subnet arguments of the guide set.
            for attr in [
                json!({"AssignIpv6AddressOnCreation": {"Value": true}}),
                json!({"PrivateDnsHostnameTypeOnLaunch": "resource-name"}),
                json!({"EnableResourceNameDnsAAAARecordOnLaunch": {"Value": true}}),
            ] {
                let mut req = attr;
                req["SubnetId"] = json!(id);
                emu.call("ec2", "modify_subnet_attribute", req);
            }
            let assoc = emu.call(
                "ec2",
                "associate_route_table",
                json!({"RouteTableId": rt, "SubnetId": id}),
            )["AssociationId"]
                .as_str()
                .expect("association id")
                .to_string();
            let subnet = emu.call("ec2", "describe_subnets", json!({"SubnetIds": [id]}))["Subnets"]
                [0]
            .clone();
            subnets.insert((t.name, *zone), (subnet, assoc));
        }
        tables.insert(t.name, rt);
    }
    let lb_subnets: Vec<Value> = ZONES
        .iter()
        .map(|z| subnets[&("lb", *z)].0["SubnetId"].clone())
        .collect();
    let group = emu.call(
        "elbv2",
        "create_target_group",
        json!({"Name": "legacy-doq", "Protocol": "UDP", "Port": 8853, "VpcId": vpc_id,
               "TargetType": "ip", "HealthCheckProtocol": "TCP", "HealthCheckPort": "8443"}),
    )["TargetGroups"][0]
        .clone();
    let lb = emu.call(
        "elbv2",
        "create_load_balancer",
        json!({"Name": "legacy-doq", "Type": "network", "Scheme": "internal",
               "Subnets": lb_subnets, "Tags": [{"Key": "Service", "Value": "doq"}]}),
    )["LoadBalancers"][0]
        .clone();
    let listener = emu.call(
        "elbv2",
        "create_listener",
        json!({"LoadBalancerArn": lb["LoadBalancerArn"], "Protocol": "UDP", "Port": 8853,
               "DefaultActions": [{"Type": "forward", "TargetGroupArn": group["TargetGroupArn"]}]}),
    )["Listeners"][0]
        .clone();
    Made {
        vpc,
        eigw,
        tables,
        subnets,
        lb,
        group,
        listener,
    }
}

fn aws_tags(list: &Value) -> Value {
    Value::Object(
        list.as_array()
            .into_iter()
            .flatten()
            .map(|t| {
                (
                    t["Key"].as_str().unwrap_or_default().to_string(),
                    t["Value"].clone(),
                )
            })
            .collect(),
    )
}

/// The state hashicorp/aws 6.x leaves for the network and the load balancer.
fn hashicorp_aws_state(m: &Made) -> String {
    let schemas = aws_schemas();
    let account = "123456789012";
    let vpc_id = m.vpc["VpcId"].as_str().expect("vpc id");
    let mut resources = Vec::new();
    let mut resource = |ty: &str, name: &str, instances: Vec<(Option<&str>, Value)>| {
        let block = &schemas[ty]["block"];
        let instances: Vec<Value> = instances
            .into_iter()
            .map(|(key, attrs)| {
                let mut i = json!({
                    "schema_version": 0,
                    "attributes": fill(block, &attrs),
                    "sensitive_attributes": [],
                });
                if let Some(k) = key {
                    i["index_key"] = json!(k);
                }
                i
            })
            .collect();
        let mut r = json!({
            "mode": "managed",
            "type": ty,
            "name": name,
            "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
            "instances": instances,
        });
        if instances_have_keys(&r) {
            r["each"] = json!("map");
        }
        resources.push(r);
    };
    let vpc_tags = aws_tags(&m.vpc["Tags"]);
    let ipv6 = &m.vpc["Ipv6CidrBlockAssociationSet"][0];
    resource(
        "aws_vpc",
        "legacy",
        vec![(
            None,
            json!({
                "arn": format!("arn:aws:ec2:us-east-1:{account}:vpc/{vpc_id}"),
                "assign_generated_ipv6_cidr_block": true,
                "cidr_block": m.vpc["CidrBlock"],
                "enable_dns_hostnames": false,
                "enable_dns_support": true,
                "enable_network_address_usage_metrics": false,
                "id": vpc_id,
                "instance_tenancy": "default",
                "ipv6_association_id": ipv6["AssociationId"],
                "ipv6_cidr_block": ipv6["Ipv6CidrBlock"],
                "ipv6_cidr_block_network_border_group": "us-east-1",
                "ipv6_netmask_length": 0,
                "owner_id": m.vpc["OwnerId"],
                "region": "us-east-1",
                "tags": vpc_tags,
                "tags_all": vpc_tags,
            }),
        )],
    );
    let eigw_tags = json!({"Name": "legacy-eigw", "trustchain:vpc-id": vpc_id});
    resource(
        "aws_egress_only_internet_gateway",
        "legacy",
        vec![(
            None,
            json!({"id": m.eigw, "region": "us-east-1", "tags": eigw_tags,
                   "tags_all": eigw_tags, "vpc_id": vpc_id}),
        )],
    );
    for t in &TIERS {
        let rt = &m.tables[t.name];
        if t.kind == "private" {
            resource(
                "aws_route",
                &format!("{}_ipv6_default", t.name),
                vec![(
                    None,
                    json!({"destination_ipv6_cidr_block": "::/0", "egress_only_gateway_id": m.eigw,
                           "id": format!("r-{rt}2750132062"), "origin": "CreateRoute",
                           "region": "us-east-1", "route_table_id": rt, "state": "active"}),
                )],
            );
        }
        let rt_tags = json!({
            "Name": format!("legacy-{}", t.name),
            "trustchain:tier": t.name,
            "trustchain:tier-kind": t.kind,
            "trustchain:tier-index": t.index.to_string(),
        });
        resource(
            "aws_route_table",
            t.name,
            vec![(
                None,
                json!({
                    "arn": format!("arn:aws:ec2:us-east-1:{account}:route-table/{rt}"),
                    "id": rt,
                    "owner_id": m.vpc["OwnerId"],
                    "propagating_vgws": [],
                    "region": "us-east-1",
                    "route": [],
                    "tags": rt_tags,
                    "tags_all": rt_tags,
                    "vpc_id": vpc_id,
                }),
            )],
        );
        let mut subnets = Vec::new();
        let mut assocs = Vec::new();
        for zone in ZONES {
            let (s, assoc) = &m.subnets[&(t.name, zone)];
            let id = s["SubnetId"].as_str().expect("subnet id");
            let s_tags = aws_tags(&s["Tags"]);
            let v6 = &s["Ipv6CidrBlockAssociationSet"][0];
            subnets.push((
                Some(zone),
                json!({
                    "arn": format!("arn:aws:ec2:us-east-1:{account}:subnet/{id}"),
                    "assign_ipv6_address_on_creation": true,
                    "availability_zone": zone,
                    "availability_zone_id": s["AvailabilityZoneId"],
                    "cidr_block": s.get("CidrBlock").cloned().unwrap_or(json!("")),
                    "customer_owned_ipv4_pool": "",
                    "enable_dns64": false,
                    "enable_lni_at_device_index": 0,
                    "enable_resource_name_dns_a_record_on_launch": false,
                    "enable_resource_name_dns_aaaa_record_on_launch": true,
                    "id": id,
                    "ipv6_cidr_block": v6["Ipv6CidrBlock"],
                    "ipv6_cidr_block_association_id": v6["AssociationId"],
                    "ipv6_native": t.ipv6_native,
                    "map_customer_owned_ip_on_launch": false,
                    "map_public_ip_on_launch": false,
                    "outpost_arn": "",
                    "owner_id": m.vpc["OwnerId"],
                    "private_dns_hostname_type_on_launch": "resource-name",
                    "region": "us-east-1",
                    "tags": s_tags,
                    "tags_all": s_tags,
                    "vpc_id": vpc_id,
                }),
            ));
            assocs.push((
                Some(zone),
                json!({
                    "gateway_id": "",
                    "id": assoc,
                    "region": "us-east-1",
                    "route_table_id": rt,
                    "subnet_id": id,
                }),
            ));
        }
        resource("aws_subnet", t.name, subnets);
        resource("aws_route_table_association", t.name, assocs);
    }
    let lb = &m.lb;
    let lb_arn = lb["LoadBalancerArn"].as_str().expect("lb arn");
    let lb_tags = json!({"Service": "doq"});
    let lb_subnets: Vec<Value> = ZONES
        .iter()
        .map(|z| m.subnets[&("lb", *z)].0["SubnetId"].clone())
        .collect();
    resource(
        "aws_lb",
        "doq",
        vec![(
            None,
            json!({
                "arn": lb_arn,
                "arn_suffix": lb_arn.split_once(":loadbalancer/").map(|(_, s)| s),
                "dns_name": lb["DNSName"],
                "enable_cross_zone_load_balancing": false,
                "enable_deletion_protection": false,
                "id": lb_arn,
                "internal": true,
                "ip_address_type": "ipv4",
                "load_balancer_type": "network",
                "name": "legacy-doq",
                "region": "us-east-1",
                "security_groups": [],
                "subnets": lb_subnets,
                "tags": lb_tags,
                "tags_all": lb_tags,
                "vpc_id": vpc_id,
                "zone_id": lb["CanonicalHostedZoneId"],
                "subnet_mapping": lb_subnets.iter().map(|s| json!({"subnet_id": s})).collect::<Vec<_>>(),
            }),
        )],
    );
    let tg_arn = m.group["TargetGroupArn"].as_str().expect("tg arn");
    resource(
        "aws_lb_target_group",
        "doq",
        vec![(
            None,
            json!({
                "arn": tg_arn,
                "arn_suffix": tg_arn.split_once(":targetgroup/").map(|(_, s)| format!("targetgroup/{s}")),
                "connection_termination": true,
                "deregistration_delay": "300",
                "id": tg_arn,
                "ip_address_type": "ipv4",
                "load_balancer_arns": [lb_arn],
                "name": "legacy-doq",
                "port": 8853,
                "protocol": "UDP",
                "region": "us-east-1",
                "tags": {},
                "tags_all": {},
                "target_type": "ip",
                "vpc_id": vpc_id,
                "health_check": [{
                    "enabled": true, "healthy_threshold": 5, "interval": 30, "matcher": "",
                    "path": "", "port": "8443", "protocol": "TCP", "timeout": 10,
                    "unhealthy_threshold": 2,
                }],
            }),
        )],
    );
    let listener_arn = m.listener["ListenerArn"].as_str().expect("listener arn");
    resource(
        "aws_lb_listener",
        "doq",
        vec![(
            None,
            json!({
                "arn": listener_arn,
                "id": listener_arn,
                "load_balancer_arn": lb_arn,
                "port": 8853,
                "protocol": "UDP",
                "region": "us-east-1",
                "tags": {},
                "tags_all": {},
                "default_action": [{"order": 1, "target_group_arn": tg_arn, "type": "forward"}],
            }),
        )],
    );
    json!({
        "version": 4,
        "terraform_version": "1.15.5",
        "serial": 7,
        "lineage": "5d0f3c1e-2b7a-4c1e-9a43-6d0b3c7a1f11",
        "outputs": {},
        "resources": resources,
        "check_results": null,
    })
    .to_string()
}

fn instances_have_keys(r: &Value) -> bool {
    r["instances"]
        .as_array()
        .is_some_and(|i| i.iter().any(|x| x.get("index_key").is_some()))
}

/// The old hashicorp/aws addresses, as `removed` blocks name them.
const OLD: [&str; 12] = [
    "aws_vpc.legacy",
    "aws_egress_only_internet_gateway.legacy",
    "aws_route.app_ipv6_default",
    "aws_route_table.lb",
    "aws_route_table.app",
    "aws_subnet.lb",
    "aws_subnet.app",
    "aws_route_table_association.lb",
    "aws_route_table_association.app",
    "aws_lb.doq",
    "aws_lb_target_group.doq",
    "aws_lb_listener.doq",
];

/// The guide's placeholders, replaced by what boto3 made.
const GUIDE_VPC: &str = "vpc-0a1b2c3d4e5f60718";
const GUIDE_LB: &str = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/legacy-doq/0123456789abcdef";

/// The migration configuration of the guide (docs/guides/migrating-from-hashicorp-aws.md)
/// as it is written there, with the ids of what boto3 made and the `removed` blocks
/// its comment abbreviates.
fn migration_config(emu: &Emulator, m: &Made) -> String {
    let guide = std::fs::read_to_string(
        workspace_root().join("docs/guides/migrating-from-hashicorp-aws.md"),
    )
    .expect("the guide");
    let example = guide
        .split("```terraform\n")
        .skip(1)
        .filter_map(|block| block.split("```").next())
        .find(|block| block.contains("resource \"trustchain_ipv6_network\""))
        .expect("the guide's network and load balancer example");
    assert!(
        example.contains(GUIDE_VPC) && example.contains(GUIDE_LB),
        "{example}"
    );
    let example = example
        .replace(GUIDE_VPC, m.vpc["VpcId"].as_str().expect("vpc id"))
        .replace(GUIDE_LB, m.lb["LoadBalancerArn"].as_str().expect("lb arn"));
    let removed: String = OLD
        .iter()
        .filter(|a| !example.contains(&format!("from = {a}\n")))
        .map(|a| {
            assert!(example.contains(a), "the guide names {a}");
            format!("\nremoved {{\n  from = {a}\n  lifecycle {{\n    destroy = false\n  }}\n}}\n")
        })
        .collect();
    let provider = provider_block(emu).replace(
        "    trustchain = {",
        "    aws = {\n      source = \"hashicorp/aws\"\n    }\n    trustchain = {",
    );
    format!("{provider}\nprovider \"aws\" {{\n  region = \"us-east-1\"\n}}\n\n{example}{removed}")
}

fn exists(emu: &Emulator, m: &Made) {
    let vpc_id = m.vpc["VpcId"].as_str().expect("vpc id");
    let vpcs = emu.call("ec2", "describe_vpcs", json!({"VpcIds": [vpc_id]}));
    assert_eq!(vpcs["Vpcs"].as_array().map(Vec::len), Some(1));
    let ids: Vec<Value> = m
        .subnets
        .values()
        .map(|(s, _)| s["SubnetId"].clone())
        .collect();
    let subnets = emu.call("ec2", "describe_subnets", json!({"SubnetIds": ids}));
    assert_eq!(subnets["Subnets"].as_array().map(Vec::len), Some(4));
    let tables: Vec<&String> = m.tables.values().collect();
    let rts = emu.call(
        "ec2",
        "describe_route_tables",
        json!({"RouteTableIds": tables}),
    );
    assert_eq!(rts["RouteTables"].as_array().map(Vec::len), Some(2));
    let app = rts["RouteTables"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|rt| rt["RouteTableId"] == m.tables["app"].as_str())
        .expect("the app route table");
    assert!(
        app["Routes"].as_array().into_iter().flatten().any(|r| {
            r["DestinationIpv6CidrBlock"] == "::/0"
                && r["EgressOnlyInternetGatewayId"] == m.eigw.as_str()
        }),
        "the private tier's default route stays: {app}"
    );
    let listeners = emu.call(
        "elbv2",
        "describe_listeners",
        json!({"LoadBalancerArn": m.lb["LoadBalancerArn"]}),
    );
    assert_eq!(
        listeners["Listeners"][0]["ListenerArn"], m.listener["ListenerArn"],
        "the listener is the one hashicorp/aws made"
    );
    assert_eq!(
        listeners["Listeners"][0]["DefaultActions"][0]["TargetGroupArn"], m.group["TargetGroupArn"],
        "and forwards to the same target group"
    );
}

#[test]
fn network_and_load_balancer_move_by_import_and_removed_without_deleting_anything() {
    let emu = Emulator::start();
    let made = make_with_boto3(&emu, false);
    let w = Workspace::with_schema_only_aws(&migration_config(&emu, &made));
    w.write_file("terraform.tfstate", &hashicorp_aws_state(&made));
    // From here the request log holds only what Terraform asks.
    emu.clear_requests();

    let plan = w.plan_json();
    let changes = plan["resource_changes"].as_array().expect("changes");
    let mut forgotten: Vec<String> = changes
        .iter()
        .filter(|c| c["change"]["actions"] == json!(["forget"]))
        .filter_map(|c| c["address"].as_str().map(String::from))
        .collect();
    forgotten.sort();
    let mut expected: Vec<String> = Vec::new();
    for a in OLD {
        if a.starts_with("aws_subnet.") || a.starts_with("aws_route_table_association.") {
            expected.extend(ZONES.iter().map(|z| format!("{a}[\"{z}\"]")));
        } else {
            expected.push((*a).to_string());
        }
    }
    expected.sort();
    assert_eq!(forgotten, expected, "every old address is forgotten");
    let imported: Vec<&str> = changes
        .iter()
        .filter(|c| c["change"]["importing"].is_object())
        .filter_map(|c| c["address"].as_str())
        .collect();
    assert_eq!(
        imported,
        [
            "trustchain_ipv6_network.legacy",
            "trustchain_quic_load_balancer.doq"
        ],
        "{plan}"
    );
    let actions = planned_actions(&plan);
    for (address, a) in &actions {
        if address.starts_with("aws_") {
            assert_eq!(a, &["forget"], "{address}");
        } else {
            panic!("{address} is only imported, nothing changes: {a:?}\n{plan}");
        }
    }

    w.apply().ok();
    let state = w.state_json();
    let mut types: Vec<&str> = state["values"]["root_module"]["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .filter_map(|r| r["type"].as_str())
        .collect();
    types.sort();
    assert_eq!(
        types,
        ["trustchain_ipv6_network", "trustchain_quic_load_balancer"],
        "only the new addresses are left"
    );
    let values = |ty: &str| -> Value {
        state["values"]["root_module"]["resources"]
            .as_array()
            .and_then(|rs| rs.iter().find(|r| r["type"] == ty))
            .map(|r| r["values"].clone())
            .unwrap_or_default()
    };
    let network = values("trustchain_ipv6_network");
    for t in &TIERS {
        let ids: Vec<&Value> = network["subnets"][t.name]
            .as_array()
            .expect("tier subnets")
            .iter()
            .map(|s| &s["id"])
            .collect();
        let made_ids: Vec<&Value> = ZONES
            .iter()
            .map(|z| &made.subnets[&(t.name, *z)].0["SubnetId"])
            .collect();
        assert_eq!(ids, made_ids, "tier {} keeps its subnets", t.name);
        for s in network["subnets"][t.name].as_array().into_iter().flatten() {
            assert_eq!(s["route_table_id"], made.tables[t.name].as_str());
        }
    }
    assert_eq!(
        network["egress_only_internet_gateway_id"],
        made.eigw.as_str()
    );
    let lb = values("trustchain_quic_load_balancer");
    assert_eq!(lb["listeners"]["8853"]["arn"], made.listener["ListenerArn"]);
    assert_eq!(
        lb["listeners"]["8853"]["target_group_arn"],
        made.group["TargetGroupArn"]
    );

    let (changes, run) = w.plan_has_changes();
    assert!(
        !changes,
        "the plan after the migration is empty:\n{}",
        run.stdout()
    );

    let calls = emu.calls_by_action();
    let destructive: Vec<(&String, &u64)> = calls
        .iter()
        .filter(|(a, _)| !a.ends_with("Tags"))
        .filter(|(a, _)| {
            [
                "Delete",
                "Deregister",
                "Disassociate",
                "Replace",
                "Create",
                "Remove",
            ]
            .iter()
            .any(|p| a.starts_with(p))
        })
        .collect();
    assert!(
        destructive.is_empty(),
        "nothing made, deleted or replaced: {destructive:?}\nall calls: {calls:?}"
    );
    exists(&emu, &made);
}

/// The guide's warning: a tagged subnet whose /64 is not the scheme's shows in the
/// plan as an update of the imported network (the subnet would be made again), so it
/// is caught before anything is applied.
#[test]
fn a_subnet_off_the_index_scheme_shows_as_an_update_of_the_imported_network() {
    let emu = Emulator::start();
    let made = make_with_boto3(&emu, true);
    let w = Workspace::with_schema_only_aws(&migration_config(&emu, &made));
    w.write_file("terraform.tfstate", &hashicorp_aws_state(&made));
    emu.clear_requests();
    let plan = w.plan_json();
    let network = plan["resource_changes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["address"] == "trustchain_ipv6_network.legacy")
        .expect("the network's change");
    assert_eq!(network["change"]["actions"], json!(["update"]), "{network}");
    assert!(network["change"]["importing"].is_object());
    let off = &made.subnets[&("app", "us-east-1b")].0["SubnetId"];
    assert_eq!(network["change"]["before"]["subnets"]["app"][1]["id"], *off);
    assert_ne!(
        network["change"]["after"]["subnets"]["app"][1]["id"], *off,
        "the subnet is made again: {network}"
    );
    let calls = emu.calls_by_action();
    assert!(
        calls
            .keys()
            .all(|a| a.starts_with("Describe") || a.starts_with("Get")),
        "planning only reads: {calls:?}"
    );
}
