//! trustchain_ipv6_network beside hashicorp/aws: objects other tools attach to the
//! network (a gateway VPC endpoint on its route tables, transit gateway and peering
//! routes, a VPN gateway with route propagation, a security group, tags on its
//! subnets and route tables) are made behind Terraform's back with boto3, as
//! hashicorp/aws makes them; then the network changes (a zone, NAT64 on and off, a
//! tier, a zone and the tags removed or changed). Every foreign object survives each
//! change, and every plan after is empty.

use acceptance::{Emulator, StepCtx, Steps, provider_block};
use serde_json::{Value, json};

const NET: &str = "trustchain_ipv6_network.this";

fn network(emu: &Emulator, zones: &[&str], nat64: bool, data_tier: bool) -> String {
    network_tagged(emu, zones, nat64, data_tier, "test")
}

fn network_tagged(
    emu: &Emulator,
    zones: &[&str],
    nat64: bool,
    data_tier: bool,
    env: &str,
) -> String {
    let zones = zones
        .iter()
        .map(|z| format!("\"{z}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let data = if data_tier {
        r#"
  tier {
    name         = "data"
    kind         = "isolated"
    enable_dns64 = true
  }
"#
    } else {
        ""
    };
    format!(
        r#"{provider}
resource "trustchain_ipv6_network" "this" {{
  name               = "coexist"
  availability_zones = [{zones}]
  enable_nat64       = {nat64}

  tier {{
    name        = "public"
    kind        = "public"
    ipv6_native = false
    subnet_tags = {{
      "kubernetes.io/role/elb" = "1"
    }}
  }}

  tier {{
    name         = "app"
    kind         = "private"
    enable_dns64 = true
    subnet_tags = {{
      "kubernetes.io/role/internal-elb" = "1"
    }}
  }}
{data}
  tags = {{
    Environment = "{env}"
  }}
}}

output "net" {{
  value = trustchain_ipv6_network.this
}}
"#,
        provider = provider_block(emu),
    )
}

/// What the test attached, to find it again (remembered by the step list as "foreign").
#[derive(Default, serde::Serialize, serde::Deserialize)]
struct Foreign {
    vpc_id: String,
    public_rt: String,
    app_rt: String,
    tagged_subnet: String,
    vpce: String,
    tgw: String,
    pcx: String,
    vgw: String,
    sg: String,
    /// An app subnet someone associated with their own route table `own_rt`.
    moved_subnet: String,
    own_rt: String,
}

fn tier_subnets(net: &Value, tier: &str) -> Vec<Value> {
    net["subnets"][tier].as_array().cloned().unwrap_or_default()
}

fn tags_of(v: &Value) -> Vec<(String, String)> {
    v["Tags"]
        .as_array()
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

fn routes(emu: &Emulator, id: &str) -> Vec<Value> {
    emu.call(
        "ec2",
        "describe_route_tables",
        json!({"RouteTableIds": [id]}),
    )["RouteTables"][0]["Routes"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Attaches, as hashicorp/aws would: aws_vpc_endpoint (Gateway, route_table_ids),
/// aws_ec2_transit_gateway + aws_route, aws_vpc_peering_connection + aws_route,
/// aws_vpn_gateway + attachment + aws_vpn_connection(_route) +
/// aws_vpn_gateway_route_propagation, aws_security_group, aws_ec2_tag.
fn attach_foreign_objects(s: &StepCtx) {
    let mut foreign = Foreign::default();
    let f = &mut foreign;
    let net = s.output("net");
    let emu = s.emu;
    f.vpc_id = net["vpc_id"].as_str().expect("vpc id").to_string();
    f.public_rt = tier_subnets(&net, "public")[0]["route_table_id"]
        .as_str()
        .expect("public route table")
        .to_string();
    f.app_rt = tier_subnets(&net, "app")[0]["route_table_id"]
        .as_str()
        .expect("app route table")
        .to_string();
    f.tagged_subnet = tier_subnets(&net, "app")[0]["id"]
        .as_str()
        .expect("app subnet")
        .to_string();

    f.vpce = emu.call(
        "ec2",
        "create_vpc_endpoint",
        json!({"VpcId": f.vpc_id, "ServiceName": "com.amazonaws.us-east-1.s3",
               "VpcEndpointType": "Gateway", "RouteTableIds": [f.public_rt, f.app_rt]}),
    )["VpcEndpoint"]["VpcEndpointId"]
        .as_str()
        .expect("endpoint")
        .to_string();

    f.tgw =
        emu.call("ec2", "create_transit_gateway", json!({}))["TransitGateway"]["TransitGatewayId"]
            .as_str()
            .expect("transit gateway")
            .to_string();
    emu.call(
        "ec2",
        "create_route",
        json!({"RouteTableId": f.public_rt, "DestinationCidrBlock": "10.100.0.0/16",
               "TransitGatewayId": f.tgw}),
    );
    // Centralized NAT64 through the transit gateway, before the network's own.
    emu.call(
        "ec2",
        "create_route",
        json!({"RouteTableId": f.app_rt, "DestinationIpv6CidrBlock": "64:ff9b::/96",
               "TransitGatewayId": f.tgw}),
    );

    let peer = emu.call(
        "ec2",
        "create_vpc",
        json!({"CidrBlock": "172.16.0.0/16", "AmazonProvidedIpv6CidrBlock": true}),
    )["Vpc"]["VpcId"]
        .as_str()
        .expect("peer vpc")
        .to_string();
    f.pcx = emu.call(
        "ec2",
        "create_vpc_peering_connection",
        json!({"VpcId": f.vpc_id, "PeerVpcId": peer}),
    )["VpcPeeringConnection"]["VpcPeeringConnectionId"]
        .as_str()
        .expect("peering")
        .to_string();
    emu.call(
        "ec2",
        "create_route",
        json!({"RouteTableId": f.app_rt, "DestinationIpv6CidrBlock": "2001:db8:100::/48",
               "VpcPeeringConnectionId": f.pcx}),
    );

    f.vgw = emu.call("ec2", "create_vpn_gateway", json!({"Type": "ipsec.1"}))["VpnGateway"]
        ["VpnGatewayId"]
        .as_str()
        .expect("vpn gateway")
        .to_string();
    emu.call(
        "ec2",
        "attach_vpn_gateway",
        json!({"VpnGatewayId": f.vgw, "VpcId": f.vpc_id}),
    );
    let cgw = emu.call(
        "ec2",
        "create_customer_gateway",
        json!({"Type": "ipsec.1", "PublicIp": "198.51.100.7", "BgpAsn": 65000}),
    )["CustomerGateway"]["CustomerGatewayId"]
        .clone();
    let vpn = emu.call(
        "ec2",
        "create_vpn_connection",
        json!({"Type": "ipsec.1", "CustomerGatewayId": cgw, "VpnGatewayId": f.vgw,
               "Options": {"StaticRoutesOnly": true}}),
    )["VpnConnection"]["VpnConnectionId"]
        .clone();
    emu.call(
        "ec2",
        "create_vpn_connection_route",
        json!({"VpnConnectionId": vpn, "DestinationCidrBlock": "192.168.0.0/16"}),
    );
    emu.call(
        "ec2",
        "enable_vgw_route_propagation",
        json!({"GatewayId": f.vgw, "RouteTableId": f.public_rt}),
    );

    f.sg = emu.call(
        "ec2",
        "create_security_group",
        json!({"GroupName": "coexist-app", "Description": "app", "VpcId": f.vpc_id}),
    )["GroupId"]
        .as_str()
        .expect("security group")
        .to_string();

    emu.call(
        "ec2",
        "create_tags",
        json!({"Resources": [f.tagged_subnet], "Tags": [{"Key": "kubernetes.io/cluster/ca", "Value": "shared"}]}),
    );
    emu.call(
        "ec2",
        "create_tags",
        json!({"Resources": [f.app_rt], "Tags": [{"Key": "team", "Value": "net"}]}),
    );

    // aws_route_table + aws_route_table_association on one of the network's subnets
    // (the guide says not to: the network's next update takes the subnet back).
    f.own_rt = emu.call("ec2", "create_route_table", json!({"VpcId": f.vpc_id}))["RouteTable"]
        ["RouteTableId"]
        .as_str()
        .expect("route table")
        .to_string();
    f.moved_subnet = tier_subnets(&net, "app")[1]["id"]
        .as_str()
        .expect("app subnet b")
        .to_string();
    let current = emu.call(
        "ec2",
        "describe_route_tables",
        json!({"Filters": [{"Name": "association.subnet-id", "Values": [f.moved_subnet]}]}),
    );
    let association = current["RouteTables"][0]["Associations"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["SubnetId"] == f.moved_subnet.as_str())
        .map(|a| a["RouteTableAssociationId"].clone())
        .expect("association of the app subnet");
    emu.call(
        "ec2",
        "replace_route_table_association",
        json!({"AssociationId": association, "RouteTableId": f.own_rt}),
    );
    s.remember("foreign", json!(foreign));
}

/// The route table a subnet is associated with.
fn table_of(emu: &Emulator, subnet: &str) -> Value {
    emu.call(
        "ec2",
        "describe_route_tables",
        json!({"Filters": [{"Name": "association.subnet-id", "Values": [subnet]}]}),
    )["RouteTables"][0]["RouteTableId"]
        .clone()
}

fn has_route(routes: &[Value], dest_key: &str, dest: &str, target_key: &str, target: &str) -> bool {
    routes
        .iter()
        .any(|r| r[dest_key] == dest && r[target_key] == target)
}

/// Every foreign object is still there, as it was attached (three Describe calls).
fn assert_foreign_objects_survive(emu: &Emulator, f: &Foreign, when: &str) {
    let tables = emu.call(
        "ec2",
        "describe_route_tables",
        json!({"RouteTableIds": [f.public_rt, f.app_rt]}),
    );
    let table = |id: &str| {
        tables["RouteTables"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|t| t["RouteTableId"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{when}: route table {id} gone: {tables}"))
    };
    let (public_table, app_table) = (table(&f.public_rt), table(&f.app_rt));
    let routes_of = |t: &Value| t["Routes"].as_array().cloned().unwrap_or_default();
    let (public, app) = (routes_of(&public_table), routes_of(&app_table));
    for (table, rs) in [("public", &public), ("app", &app)] {
        assert!(
            rs.iter()
                .any(|r| r["GatewayId"] == f.vpce.as_str()
                    && r["DestinationPrefixListId"].is_string()),
            "{when}: gateway endpoint route gone from the {table} table: {rs:#?}"
        );
    }
    assert!(
        has_route(
            &public,
            "DestinationCidrBlock",
            "10.100.0.0/16",
            "TransitGatewayId",
            &f.tgw
        ),
        "{when}: transit gateway route gone: {public:#?}"
    );
    assert!(
        public
            .iter()
            .any(|r| r["DestinationCidrBlock"] == "192.168.0.0/16"
                && r["GatewayId"] == f.vgw.as_str()
                && r["Origin"] == "EnableVgwRoutePropagation"),
        "{when}: propagated VPN route gone: {public:#?}"
    );
    assert_eq!(
        public_table["PropagatingVgws"],
        json!([{"GatewayId": f.vgw}]),
        "{when}: route propagation disabled"
    );
    assert!(
        has_route(
            &app,
            "DestinationIpv6CidrBlock",
            "2001:db8:100::/48",
            "VpcPeeringConnectionId",
            &f.pcx
        ),
        "{when}: peering route gone: {app:#?}"
    );
    assert!(
        has_route(
            &app,
            "DestinationIpv6CidrBlock",
            "64:ff9b::/96",
            "TransitGatewayId",
            &f.tgw
        ),
        "{when}: the transit gateway's NAT64 route was replaced: {app:#?}"
    );
    let sgs = emu.call(
        "ec2",
        "describe_security_groups",
        json!({"GroupIds": [f.sg]}),
    );
    assert_eq!(
        sgs["SecurityGroups"][0]["VpcId"],
        f.vpc_id.as_str(),
        "{when}"
    );
    let subnet = emu.call(
        "ec2",
        "describe_subnets",
        json!({"SubnetIds": [f.tagged_subnet]}),
    )["Subnets"][0]
        .clone();
    assert!(
        tags_of(&subnet).contains(&("kubernetes.io/cluster/ca".into(), "shared".into())),
        "{when}: foreign subnet tag removed: {:?}",
        tags_of(&subnet)
    );
    assert!(
        tags_of(&app_table).contains(&("team".into(), "net".into())),
        "{when}: foreign route table tag removed"
    );
}

/// Removes the foreign objects that would keep the VPC from being deleted, as
/// Terraform destroys hashicorp/aws resources that depend on the network first.
fn detach_foreign_objects(emu: &Emulator, f: &Foreign) {
    emu.call(
        "ec2",
        "delete_vpc_endpoints",
        json!({"VpcEndpointIds": [f.vpce]}),
    );
    emu.call(
        "ec2",
        "detach_vpn_gateway",
        json!({"VpnGatewayId": f.vgw, "VpcId": f.vpc_id}),
    );
    emu.call(
        "ec2",
        "delete_vpc_peering_connection",
        json!({"VpcPeeringConnectionId": f.pcx}),
    );
    emu.call("ec2", "delete_security_group", json!({"GroupId": f.sg}));
    emu.call(
        "ec2",
        "delete_route_table",
        json!({"RouteTableId": f.own_rt}),
    );
}

#[test]
fn foreign_routes_tags_and_objects_survive_every_kind_of_network_update() {
    let emu = Emulator::start();
    let ab = ["us-east-1a", "us-east-1b"];
    let abc = ["us-east-1a", "us-east-1b", "us-east-1c"];
    Steps::new(&emu)
        .apply("create the network", network(&emu, &ab, false, false))
        .check(|s| {
            let net = s.output("net");
            let ids: Vec<Value> = tier_subnets(&net, "public")
                .into_iter()
                .map(|x| x["id"].clone())
                .collect();
            let subnets = s
                .emu
                .call("ec2", "describe_subnets", json!({"SubnetIds": ids}));
            for subnet in subnets["Subnets"].as_array().into_iter().flatten() {
                let tags = tags_of(subnet);
                assert!(
                    tags.contains(&("kubernetes.io/role/elb".into(), "1".into()))
                        && tags.contains(&("Environment".into(), "test".into())),
                    "subnet_tags missing on a public subnet: {tags:?}"
                );
            }
        })
        .drift(
            "attach hashicorp/aws objects behind Terraform's back",
            attach_foreign_objects,
        )
        .expect_actions(&[])
        .check(|s| {
            assert_foreign_objects_survive(
                s.emu,
                &s.recall_as::<Foreign>("foreign"),
                "after attaching",
            )
        })
        .apply("add a zone", network(&emu, &abc, false, false))
        .expect_actions(&[(NET, "update")])
        .check(|s| {
            let f: Foreign = s.recall_as("foreign");
            assert_foreign_objects_survive(s.emu, &f, "after adding a zone");
            assert_eq!(
                table_of(s.emu, &f.moved_subnet),
                f.app_rt.as_str(),
                "the update did not take the subnet back to its tier's table"
            );
        })
        .apply("turn NAT64 on", network(&emu, &abc, true, false))
        .expect_actions(&[(NET, "update")])
        .check(|s| {
            let f: Foreign = s.recall_as("foreign");
            assert_foreign_objects_survive(s.emu, &f, "after turning NAT64 on");
            let nat_routes = routes(s.emu, &f.app_rt)
                .into_iter()
                .filter(|r| r["NatGatewayId"].is_string())
                .count();
            assert_eq!(nat_routes, 0, "a NAT64 route beside the transit gateway's");
        })
        .apply("add a tier", network(&emu, &abc, true, true))
        .expect_actions(&[(NET, "update")])
        .check(|s| {
            let f: Foreign = s.recall_as("foreign");
            assert_foreign_objects_survive(s.emu, &f, "after adding a tier");
            let net = s.output("net");
            let data_rt = tier_subnets(&net, "data")[0]["route_table_id"]
                .as_str()
                .expect("data route table")
                .to_string();
            let nat = net["nat_gateway_id"].as_str().expect("NAT gateway");
            assert!(
                has_route(
                    &routes(s.emu, &data_rt),
                    "DestinationIpv6CidrBlock",
                    "64:ff9b::/96",
                    "NatGatewayId",
                    nat
                ),
                "the new DNS64 tier has no NAT64 route"
            );
        })
        .drift("remove a subnet_tags tag behind Terraform's back", |s| {
            let first = tier_subnets(&s.output("net"), "public")[0]["id"].clone();
            s.emu.call(
                "ec2",
                "delete_tags",
                json!({"Resources": [first], "Tags": [{"Key": "kubernetes.io/role/elb"}]}),
            );
        })
        .expect_actions(&[(NET, "update")])
        .apply(
            "remove a zone and change the tags",
            network_tagged(&emu, &ab, true, true, "prod"),
        )
        .expect_actions(&[(NET, "update")])
        .check(|s| {
            let f: Foreign = s.recall_as("foreign");
            assert_foreign_objects_survive(s.emu, &f, "after removing a zone and retagging");
            let table = s.emu.call(
                "ec2",
                "describe_route_tables",
                json!({"RouteTableIds": [f.app_rt]}),
            )["RouteTables"][0]
                .clone();
            assert!(
                tags_of(&table).contains(&("Environment".into(), "prod".into())),
                "the network's own tag was not changed: {:?}",
                tags_of(&table)
            );
        })
        .apply("turn NAT64 off", network(&emu, &ab, false, true))
        .expect_actions(&[(NET, "update")])
        .check(|s| {
            let f: Foreign = s.recall_as("foreign");
            assert_foreign_objects_survive(s.emu, &f, "after turning NAT64 off");
            detach_foreign_objects(s.emu, &f);
        })
        .destroy()
        .run();
}
