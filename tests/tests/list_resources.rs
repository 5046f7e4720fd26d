//! List resources with real Terraform 1.15 (`terraform query`) against the emulator:
//! CloudHSM clusters made with boto3, outside Terraform, are listed with their
//! identities and display names; the tags filter is checked by the provider over
//! more clusters than one DescribeClusters page holds (25), so the second page is
//! read; the VPC and state filters go to AWS; `limit` and `include_resource` are
//! honoured; a filter of the wrong shape gets a diagnostic with the fix. Network Load
//! Balancers, QUIC targets and IPv6 networks made with boto3 are listed too (a VPC
//! that does not fit the network's model with a warning saying why).

use acceptance::{Emulator, Workspace, provider_block};
use serde_json::{Value, json};

const TAGGED: usize = 27;

struct Fleet {
    vpc_a: String,
    tagged: Vec<String>,
    other: String,
}

fn subnets(emu: &Emulator, cidr: &str) -> (String, Vec<String>) {
    let vpc = emu.call(
        "ec2",
        "create_vpc",
        json!({"CidrBlock": format!("{cidr}.0.0/16")}),
    );
    let vpc_id = vpc["Vpc"]["VpcId"].as_str().expect("vpc id").to_string();
    let subnets = [("0", "us-east-1a"), ("1", "us-east-1b")]
        .iter()
        .map(|(n, az)| {
            emu.call(
                "ec2",
                "create_subnet",
                json!({"VpcId": vpc_id, "CidrBlock": format!("{cidr}.{n}.0/24"), "AvailabilityZone": az}),
            )["Subnet"]["SubnetId"]
                .as_str()
                .expect("subnet id")
                .to_string()
        })
        .collect();
    (vpc_id, subnets)
}

fn cluster(emu: &Emulator, subnets: &[String], tags: Value) -> String {
    emu.call(
        "cloudhsmv2",
        "create_cluster",
        json!({"HsmType": "hsm2m.medium", "SubnetIds": subnets, "TagList": tags}),
    )["Cluster"]["ClusterId"]
        .as_str()
        .expect("cluster id")
        .to_string()
}

/// 27 clusters tagged fleet=adopt in VPC a (two pages), one other in VPC b.
fn make_fleet(emu: &Emulator) -> Fleet {
    let (vpc_a, subnets_a) = subnets(emu, "10.20");
    let (_, subnets_b) = subnets(emu, "10.21");
    let tagged = (0..TAGGED)
        .map(|i| {
            cluster(
                emu,
                &subnets_a,
                json!([{"Key": "fleet", "Value": "adopt"}, {"Key": "Name", "Value": format!("ca-{i:02}")}]),
            )
        })
        .collect();
    let other = cluster(emu, &subnets_b, json!([{"Key": "fleet", "Value": "other"}]));
    Fleet {
        vpc_a,
        tagged,
        other,
    }
}

/// The `list_resource_found` events of `terraform query -json`, by list address.
fn found(run: &acceptance::Run) -> Vec<Value> {
    run.json_lines()
        .into_iter()
        .filter(|l| l["type"] == "list_resource_found")
        .filter_map(|l| {
            l.as_object().and_then(|o| {
                o.values()
                    .find(|v| v.get("display_name").is_some())
                    .cloned()
            })
        })
        .collect()
}

fn of<'a>(events: &'a [Value], address: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["address"] == address).collect()
}

#[test]
fn terraform_query_lists_clusters_made_outside_terraform_with_filters_and_paging() {
    let emu = Emulator::start();
    let fleet = make_fleet(&emu);
    // The cluster creations settle (CREATE_IN_PROGRESS -> UNINITIALIZED) before the states filter.
    std::thread::sleep(std::time::Duration::from_secs(1));
    let w = Workspace::new(&provider_block(&emu));
    w.write_file(
        "adopt.tfquery.hcl",
        &format!(
            r#"
list "trustchain_cloudhsm_cluster" "fleet" {{
  provider = trustchain
  config {{
    tags = {{
      fleet = "adopt"
    }}
  }}
}}

list "trustchain_cloudhsm_cluster" "in_vpc" {{
  provider         = trustchain
  include_resource = true
  limit            = 3
  config {{
    vpc_id = "{vpc}"
    states = ["UNINITIALIZED"]
  }}
}}

list "trustchain_cloudhsm_cluster" "all" {{
  provider = trustchain
}}
"#,
            vpc = fleet.vpc_a
        ),
    );
    // From here the request log holds only what the query asks (the fleet was made above).
    emu.clear_requests();
    let run = w.terraform(&["query", "-json", "-no-color"]).ok();
    let events = found(&run);

    let listed: std::collections::BTreeSet<String> =
        of(&events, "list.trustchain_cloudhsm_cluster.fleet")
            .iter()
            .map(|e| {
                e["identity"]["cluster_id"]
                    .as_str()
                    .expect("cluster id")
                    .to_string()
            })
            .collect();
    let expected: std::collections::BTreeSet<String> = fleet.tagged.iter().cloned().collect();
    assert_eq!(
        listed, expected,
        "every tagged cluster, over two pages, and no other"
    );
    let one = of(&events, "list.trustchain_cloudhsm_cluster.fleet")[0];
    assert_eq!(one["identity"]["region"], "us-east-1");
    assert!(
        one["display_name"]
            .as_str()
            .is_some_and(|n| n.starts_with("ca-") && n.contains("(cluster-")),
        "{one}"
    );
    assert!(
        one.get("resource_object").is_none_or(Value::is_null),
        "not asked for: {one}"
    );

    let in_vpc = of(&events, "list.trustchain_cloudhsm_cluster.in_vpc");
    assert_eq!(in_vpc.len(), 3, "the limit");
    for e in &in_vpc {
        let object = &e["resource_object"];
        assert_eq!(object["vpc_id"], fleet.vpc_a.as_str(), "{e}");
        assert_eq!(object["cluster_state"], "UNINITIALIZED");
        assert_eq!(object["hsm_type"], "hsm2m.medium");
        assert_eq!(object["tags"]["fleet"], "adopt");
    }

    let all = of(&events, "list.trustchain_cloudhsm_cluster.all");
    assert_eq!(all.len(), TAGGED + 1);
    assert!(
        all.iter()
            .any(|e| e["identity"]["cluster_id"] == fleet.other.as_str())
    );
    // The request log counts by SigV4 signing name ("cloudhsm"), every client's calls.
    assert!(emu.calls("cloudhsm", "DescribeClusters") >= 2, "paged");
    assert_eq!(
        emu.calls("cloudhsm", "CreateCluster"),
        0,
        "query made nothing"
    );
}

#[test]
fn a_filter_of_the_wrong_shape_gets_a_diagnostic_with_the_fix() {
    let emu = Emulator::start();
    let w = Workspace::new(&provider_block(&emu));
    w.write_file(
        "bad.tfquery.hcl",
        r#"
list "trustchain_cloudhsm_cluster" "bad" {
  provider = trustchain
  config {
    vpc_id = "subnet-0a1b2c3d"
    states = ["RUNNING"]
  }
}
"#,
    );
    let run = w.terraform(&["query", "-json", "-no-color"]).failed();
    let errors = run.error_diagnostics();
    let text = Value::from(errors).to_string();
    assert!(text.contains("is not a VPC id"), "{text}");
    assert!(text.contains("UNINITIALIZED"), "{text}");
}

fn wait_hsm_active(emu: &Emulator, cluster_id: &str) -> String {
    for _ in 0..300 {
        let c = &emu.call(
            "cloudhsmv2",
            "describe_clusters",
            json!({"Filters": {"clusterIds": [cluster_id]}}),
        )["Clusters"][0];
        if c["Hsms"][0]["State"] == "ACTIVE" {
            return c["Hsms"][0]["HsmId"].as_str().expect("hsm id").to_string();
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    panic!("HSM of {cluster_id} never became ACTIVE");
}

fn wait_uninitialized(emu: &Emulator, cluster_id: &str) {
    for _ in 0..300 {
        let c = &emu.call(
            "cloudhsmv2",
            "describe_clusters",
            json!({"Filters": {"clusterIds": [cluster_id]}}),
        )["Clusters"][0];
        if c["State"] == "UNINITIALIZED" {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    panic!("{cluster_id} never became UNINITIALIZED");
}

#[test]
fn terraform_query_lists_hsms_made_outside_terraform_by_cluster_and_zone() {
    let emu = Emulator::start();
    let (_, subnets) = subnets(&emu, "10.30");
    let a = cluster(&emu, &subnets, json!([{"Key": "fleet", "Value": "hsm"}]));
    let b = cluster(&emu, &subnets, json!([{"Key": "fleet", "Value": "hsm"}]));
    wait_uninitialized(&emu, &a);
    wait_uninitialized(&emu, &b);
    // One HSM each: AWS takes a second HSM only once the cluster is initialized.
    emu.call(
        "cloudhsmv2",
        "create_hsm",
        json!({"ClusterId": a, "AvailabilityZone": "us-east-1a"}),
    );
    emu.call(
        "cloudhsmv2",
        "create_hsm",
        json!({"ClusterId": b, "AvailabilityZone": "us-east-1b"}),
    );
    let hsm_a = wait_hsm_active(&emu, &a);
    let hsm_b = wait_hsm_active(&emu, &b);
    let w = Workspace::new(&provider_block(&emu));
    w.write_file(
        "hsms.tfquery.hcl",
        &format!(
            r#"
list "trustchain_cloudhsm_hsm" "of_a" {{
  provider         = trustchain
  include_resource = true
  config {{
    cluster_id = "{a}"
  }}
}}

list "trustchain_cloudhsm_hsm" "in_b" {{
  provider = trustchain
  config {{
    availability_zone = "us-east-1b"
  }}
}}

list "trustchain_cloudhsm_hsm" "all" {{
  provider = trustchain
}}
"#
        ),
    );
    let run = w.terraform(&["query", "-json", "-no-color"]).ok();
    let events = found(&run);
    let ids = |address: &str| -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = of(&events, address)
            .iter()
            .map(|e| {
                (
                    e["identity"]["cluster_id"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                    e["identity"]["hsm_id"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        ids("list.trustchain_cloudhsm_hsm.of_a"),
        [(a.clone(), hsm_a.clone())]
    );
    assert_eq!(
        ids("list.trustchain_cloudhsm_hsm.in_b"),
        [(b.clone(), hsm_b.clone())]
    );
    let mut both = vec![(a.clone(), hsm_a.clone()), (b.clone(), hsm_b)];
    both.sort();
    assert_eq!(ids("list.trustchain_cloudhsm_hsm.all"), both);
    let of_a = of(&events, "list.trustchain_cloudhsm_hsm.of_a")[0];
    assert_eq!(
        of_a["resource_object"]["availability_zone"], "us-east-1a",
        "{of_a}"
    );
    assert_eq!(of_a["resource_object"]["hsm_state"], "ACTIVE");
    assert_eq!(
        of_a["display_name"],
        format!("{hsm_a} in {a} (us-east-1a)").as_str()
    );
}

/// Every list resource example of the docs runs with `terraform query` against the
/// emulator (an empty account: nothing found, no error).
#[test]
fn every_list_resource_example_runs_with_terraform_query() {
    let emu = Emulator::start();
    let dir = acceptance::workspace_root().join("examples/list-resources");
    let mut ran = 0;
    for entry in std::fs::read_dir(&dir).expect("examples/list-resources") {
        let path = entry
            .expect("entry")
            .path()
            .join("list-resource.tfquery.hcl");
        let example = std::fs::read_to_string(&path).expect("example");
        let w = Workspace::new(&provider_block(&emu));
        w.write_file("example.tfquery.hcl", &example);
        let run = w.terraform(&["query", "-json", "-no-color"]).ok();
        assert!(run.error_diagnostics().is_empty(), "{}", path.display());
        ran += 1;
    }
    assert_eq!(ran, 5, "one example per list resource");
}

/// `terraform query -generate-config-out`: the import blocks and configuration
/// Terraform writes from what the list resources return import the cluster and its
/// HSM, and the plan after the import is empty.
#[test]
fn generated_configuration_imports_what_query_found_and_then_plans_nothing() {
    let emu = Emulator::start();
    let (_, subnets) = subnets(&emu, "10.40");
    let id = cluster(&emu, &subnets, json!([{"Key": "Name", "Value": "adopted"}]));
    wait_uninitialized(&emu, &id);
    emu.call(
        "cloudhsmv2",
        "create_hsm",
        json!({"ClusterId": id, "AvailabilityZone": "us-east-1a"}),
    );
    let hsm = wait_hsm_active(&emu, &id);
    // From here the request log holds only what Terraform asks.
    emu.clear_requests();
    let w = Workspace::new(&provider_block(&emu));
    w.write_file(
        "adopt.tfquery.hcl",
        r#"
list "trustchain_cloudhsm_cluster" "found" {
  provider         = trustchain
  include_resource = true
  config {
    tags = {
      Name = "adopted"
    }
  }
}

list "trustchain_cloudhsm_hsm" "found" {
  provider         = trustchain
  include_resource = true
}
"#,
    );
    w.terraform(&["query", "-no-color", "-generate-config-out=adopt.tf"])
        .ok();
    let generated = std::fs::read_to_string(w.path().join("adopt.tf")).expect("adopt.tf");
    assert!(
        generated.contains(&id) && generated.contains(&hsm),
        "{generated}"
    );
    let plan = w.plan_json();
    let imports: Vec<&str> = plan["resource_changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["change"]["importing"].is_object())
        .filter_map(|c| c["type"].as_str())
        .collect();
    assert_eq!(imports.len(), 2, "{generated}\n{plan}");
    for (address, actions) in acceptance::planned_actions(&plan) {
        assert_eq!(
            actions,
            ["no-op"],
            "{address} is only imported:\n{generated}"
        );
    }
    w.apply().ok();
    let (changes, run) = w.plan_has_changes();
    assert!(!changes, "{generated}\n{}", run.stdout());
    assert_eq!(emu.calls("cloudhsm", "CreateCluster"), 0);
    assert_eq!(emu.calls("cloudhsm", "CreateHsm"), 0);
}

/// A Network Load Balancer and an ALB, and targets registered in two UDP target groups
/// (one behind the NLB), all made with boto3: the NLB alone is listed (by VPC and
/// tags, with its listener when asked), the targets by target group, by load balancer
/// and all together; an ARN of the wrong kind gets a diagnostic at the filter.
#[test]
fn terraform_query_lists_load_balancers_and_targets_made_outside_terraform() {
    let emu = Emulator::start();
    let (vpc, subnets) = subnets(&emu, "10.50");
    let group = |name: &str| {
        emu.call(
            "elbv2",
            "create_target_group",
            json!({"Name": name, "Protocol": "UDP", "Port": 8853, "VpcId": vpc, "TargetType": "ip"}),
        )["TargetGroups"][0]["TargetGroupArn"]
            .as_str()
            .expect("target group arn")
            .to_string()
    };
    let (behind, apart) = (group("doq-behind"), group("doq-apart"));
    let lb = emu.call(
        "elbv2",
        "create_load_balancer",
        json!({"Name": "trustchain", "Type": "network", "Subnets": subnets,
               "Tags": [{"Key": "Service", "Value": "doq"}]}),
    )["LoadBalancers"][0]["LoadBalancerArn"]
        .as_str()
        .expect("lb arn")
        .to_string();
    emu.call(
        "elbv2",
        "create_load_balancer",
        json!({"Name": "web", "Type": "application", "Subnets": subnets,
               "Tags": [{"Key": "Service", "Value": "doq"}]}),
    );
    emu.call(
        "elbv2",
        "create_listener",
        json!({"LoadBalancerArn": lb, "Protocol": "UDP", "Port": 8853,
               "DefaultActions": [{"Type": "forward", "TargetGroupArn": behind}]}),
    );
    for (tg, ip) in [
        (&behind, "10.50.0.10"),
        (&behind, "10.50.1.10"),
        (&apart, "10.50.0.20"),
    ] {
        emu.call(
            "elbv2",
            "register_targets",
            json!({"TargetGroupArn": tg, "Targets": [{"Id": ip, "Port": 8853}]}),
        );
    }
    let w = Workspace::new(&provider_block(&emu));
    w.write_file(
        "adopt.tfquery.hcl",
        &format!(
            r#"
list "trustchain_quic_target" "of_lb" {{
  provider         = trustchain
  include_resource = true
  config {{
    load_balancer_arn = "{lb}"
  }}
}}

list "trustchain_quic_target" "apart" {{
  provider = trustchain
  config {{
    target_group_arn = "{apart}"
  }}
}}

list "trustchain_quic_target" "all" {{
  provider = trustchain
}}

list "trustchain_quic_load_balancer" "doq" {{
  provider         = trustchain
  include_resource = true
  config {{
    vpc_id = "{vpc}"
    tags = {{
      Service = "doq"
    }}
  }}
}}

list "trustchain_quic_load_balancer" "other_vpc" {{
  provider = trustchain
  config {{
    vpc_id = "vpc-0a1b2c3d4e5f60718"
  }}
}}
"#
        ),
    );
    emu.clear_requests();
    let run = w.terraform(&["query", "-json", "-no-color"]).ok();
    let events = found(&run);
    let ids = |address: &str| -> Vec<String> {
        let mut v: Vec<String> = of(&events, address)
            .iter()
            .map(|e| {
                e["identity"]["target_id"]
                    .as_str()
                    .expect("target id")
                    .to_string()
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        ids("list.trustchain_quic_target.of_lb"),
        ["10.50.0.10", "10.50.1.10"]
    );
    assert_eq!(ids("list.trustchain_quic_target.apart"), ["10.50.0.20"]);
    assert_eq!(ids("list.trustchain_quic_target.all").len(), 3);
    let one = of(&events, "list.trustchain_quic_target.of_lb")[0];
    assert_eq!(one["identity"]["target_group_arn"], behind.as_str());
    assert_eq!(one["identity"]["port"], 8853);
    assert_eq!(one["resource_object"]["target_group_arn"], behind.as_str());
    assert!(
        one["display_name"]
            .as_str()
            .is_some_and(|n| n.ends_with(":8853 in doq-behind")),
        "{one}"
    );
    assert_eq!(
        emu.calls("elasticloadbalancing", "RegisterTargets"),
        0,
        "query made nothing"
    );

    w.write_file(
        "adopt.tfquery.hcl",
        &format!(
            "list \"trustchain_quic_target\" \"bad\" {{\n  provider = trustchain\n  config {{\n    target_group_arn = \"{lb}\"\n  }}\n}}\n"
        ),
    );
    let run = w.terraform(&["query", "-no-color"]).failed();
    let text = format!("{}{}", run.stdout(), run.stderr());
    assert!(text.contains("Invalid ARN"), "{text}");
    assert!(text.contains(":targetgroup/"), "{text}");

    // What -generate-config-out writes imports the load balancer and a target, and
    // the plan after the import is empty.
    w.write_file(
        "adopt.tfquery.hcl",
        &format!(
            r#"
list "trustchain_quic_load_balancer" "doq" {{
  provider         = trustchain
  include_resource = true
  config {{
    vpc_id = "{vpc}"
  }}
}}

list "trustchain_quic_target" "apart" {{
  provider         = trustchain
  include_resource = true
  config {{
    target_group_arn = "{apart}"
  }}
}}
"#
        ),
    );
    w.terraform(&["query", "-no-color", "-generate-config-out=adopt.tf"])
        .ok();
    let generated = std::fs::read_to_string(w.path().join("adopt.tf")).expect("adopt.tf");
    let plan = w.plan_json();
    let imports = plan["resource_changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["change"]["importing"].is_object())
        .count();
    assert_eq!(imports, 2, "{generated}\n{plan}");
    for (address, actions) in acceptance::planned_actions(&plan) {
        assert_eq!(
            actions,
            ["no-op"],
            "{address} is only imported:\n{generated}"
        );
    }
    w.apply().ok();
    let (changes, run) = w.plan_has_changes();
    assert!(!changes, "{generated}\n{}", run.stdout());
}

/// VPCs made with boto3: one that fits trustchain_ipv6_network (an IPv6 block, a
/// route table and a subnet tagged as a tier) is listed with its tier; one without an
/// IPv6 block and one without a tier are left out with a warning that says why and
/// how to make them fit; the tags filter goes to AWS.
#[test]
fn terraform_query_lists_ipv6_networks_that_fit_and_says_why_others_do_not() {
    let emu = Emulator::start();
    let vpc = |cidr: &str, ipv6: bool, name: &str| {
        let v = emu.call(
            "ec2",
            "create_vpc",
            json!({"CidrBlock": cidr, "AmazonProvidedIpv6CidrBlock": ipv6,
                   "TagSpecifications": [{"ResourceType": "vpc", "Tags": [
                       {"Key": "Name", "Value": name}, {"Key": "team", "Value": "pki"}]}]}),
        );
        v["Vpc"]["VpcId"].as_str().expect("vpc id").to_string()
    };
    let fits = vpc("10.60.0.0/16", true, "adopt-me");
    let legacy = vpc("10.61.0.0/16", false, "legacy");
    let untiered = vpc("10.62.0.0/16", true, "untiered");
    let tier_tags = json!([{"Key": "trustchain:tier", "Value": "app"},
                           {"Key": "trustchain:tier-kind", "Value": "isolated"},
                           {"Key": "trustchain:tier-index", "Value": "0"}]);
    let rt = emu.call(
        "ec2",
        "create_route_table",
        json!({"VpcId": fits, "TagSpecifications": [{"ResourceType": "route-table", "Tags": tier_tags}]}),
    )["RouteTable"]["RouteTableId"]
        .as_str()
        .expect("route table")
        .to_string();
    let subnet = emu.call(
        "ec2",
        "create_subnet",
        json!({"VpcId": fits, "CidrBlock": "10.60.0.0/28", "AvailabilityZone": "us-east-1a",
               "TagSpecifications": [{"ResourceType": "subnet", "Tags": [{"Key": "trustchain:tier", "Value": "app"}]}]}),
    )["Subnet"]["SubnetId"]
        .as_str()
        .expect("subnet")
        .to_string();
    emu.call(
        "ec2",
        "associate_route_table",
        json!({"RouteTableId": rt, "SubnetId": subnet}),
    );
    let w = Workspace::new(&provider_block(&emu));
    w.write_file(
        "adopt.tfquery.hcl",
        r#"
list "trustchain_ipv6_network" "pki" {
  provider         = trustchain
  include_resource = true
  config {
    tags = {
      team = "pki"
    }
  }
}
"#,
    );
    let run = w.terraform(&["query", "-json", "-no-color"]).ok();
    let events = found(&run);
    let listed = of(&events, "list.trustchain_ipv6_network.pki");
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["identity"]["vpc_id"], fits.as_str());
    assert_eq!(
        listed[0]["display_name"],
        format!("adopt-me ({fits})").as_str()
    );
    assert_eq!(
        listed[0]["resource_object"]["tier"][0]["name"], "app",
        "{}",
        listed[0]
    );
    let out = run.stdout();
    for (vpc_id, why) in [
        (&legacy, "it has no IPv6 CIDR block"),
        (
            &untiered,
            "none of its route tables carries the trustchain:tier tag",
        ),
    ] {
        assert!(
            out.contains(&format!("{vpc_id} is not listed: {why}")),
            "no warning for {vpc_id}: {out}"
        );
    }
    assert!(!out.contains(&format!("{fits} is not listed")), "{out}");

    // What -generate-config-out writes imports the network. A VPC made by hand lacks
    // what the provider adds to a tier (a /64 per subnet, its route table settings):
    // the import plans an update in place, never a replacement; after the apply the
    // plan is empty.
    w.write_file(
        "adopt.tfquery.hcl",
        &format!(
            "list \"trustchain_ipv6_network\" \"one\" {{\n  provider         = trustchain\n  include_resource = true\n  config {{\n    vpc_id = \"{fits}\"\n  }}\n}}\n"
        ),
    );
    w.terraform(&["query", "-no-color", "-generate-config-out=adopt.tf"])
        .ok();
    let generated = std::fs::read_to_string(w.path().join("adopt.tf")).expect("adopt.tf");
    let plan = w.plan_json();
    let planned = acceptance::planned_actions(&plan);
    assert_eq!(planned.len(), 1, "{generated}\n{plan}");
    assert!(
        matches!(planned[0].1.as_slice(), [a] if a == "no-op" || a == "update"),
        "{planned:?}\n{generated}"
    );
    w.apply().ok();
    let (changes, run) = w.plan_has_changes();
    assert!(!changes, "{generated}\n{}", run.stdout());
    assert_eq!(emu.calls("ec2", "DeleteVpc"), 0);
}
