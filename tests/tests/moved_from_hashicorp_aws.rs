//! `moved` from hashicorp/aws with real Terraform against the emulator: a CloudHSM
//! cluster and an HSM made with boto3, recorded in state as hashicorp/aws 6.x records
//! them (schema version 0, the attribute set of the 6.66.0 schema, `region`
//! included), move to `trustchain_cloudhsm_cluster` and `trustchain_cloudhsm_hsm`
//! with `moved` blocks: the plan moves and changes nothing, no AWS object is made or
//! deleted, and the plan after the apply is empty. A state this provider cannot read
//! (a schema version hashicorp/aws never wrote) gets a diagnostic that names the fix.

use acceptance::{Emulator, Workspace, planned_actions, provider_block};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

struct Made {
    cluster: Value,
    hsm: Value,
    subnets: Vec<String>,
}

fn cluster_of(emu: &Emulator, id: &str) -> Value {
    emu.call(
        "cloudhsmv2",
        "describe_clusters",
        json!({"Filters": {"clusterIds": [id]}}),
    )["Clusters"][0]
        .clone()
}

fn wait_for(emu: &Emulator, id: &str, done: impl Fn(&Value) -> bool) -> Value {
    let start = Instant::now();
    loop {
        let c = cluster_of(emu, id);
        if done(&c) {
            return c;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "cluster stuck: {c}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A cluster (tagged) and one HSM, made outside Terraform as hashicorp/aws would.
fn make_with_boto3(emu: &Emulator) -> Made {
    let vpc = emu.call("ec2", "create_vpc", json!({"CidrBlock": "10.7.0.0/16"}));
    let vpc_id = vpc["Vpc"]["VpcId"].as_str().expect("vpc id").to_string();
    let mut subnets: Vec<String> = [("10.7.0.0/24", "us-east-1a"), ("10.7.1.0/24", "us-east-1b")]
        .iter()
        .map(|(cidr, az)| {
            emu.call(
                "ec2",
                "create_subnet",
                json!({"VpcId": vpc_id, "CidrBlock": cidr, "AvailabilityZone": az}),
            )["Subnet"]["SubnetId"]
                .as_str()
                .expect("subnet id")
                .to_string()
        })
        .collect();
    subnets.sort();
    let created = emu.call(
        "cloudhsmv2",
        "create_cluster",
        json!({"HsmType": "hsm2m.medium", "SubnetIds": subnets,
               "TagList": [{"Key": "Name", "Value": "legacy-ca"}]}),
    );
    let id = created["Cluster"]["ClusterId"]
        .as_str()
        .expect("cluster id")
        .to_string();
    wait_for(emu, &id, |c| c["State"] == "UNINITIALIZED");
    emu.call(
        "cloudhsmv2",
        "create_hsm",
        json!({"ClusterId": id, "AvailabilityZone": "us-east-1a"}),
    );
    let cluster = wait_for(emu, &id, |c| c["Hsms"][0]["State"] == "ACTIVE");
    let hsm = cluster["Hsms"][0].clone();
    Made {
        cluster,
        hsm,
        subnets,
    }
}

fn s(v: &Value) -> Value {
    v.as_str().map_or(json!(""), |x| json!(x))
}

/// The state file hashicorp/aws 6.x leaves after creating (or importing) them.
fn hashicorp_aws_state(m: &Made, cluster_schema_version: i64) -> String {
    let c = &m.cluster;
    let certs = &c["Certificates"];
    let tags = json!({"Name": "legacy-ca"});
    let cluster_attrs = json!({
        "cluster_certificates": [{
            "aws_hardware_certificate": s(&certs["AwsHardwareCertificate"]),
            "cluster_certificate": "",
            "cluster_csr": s(&certs["ClusterCsr"]),
            "hsm_certificate": s(&certs["HsmCertificate"]),
            "manufacturer_hardware_certificate": s(&certs["ManufacturerHardwareCertificate"]),
        }],
        "cluster_id": c["ClusterId"],
        "cluster_state": c["State"],
        "hsm_type": c["HsmType"],
        "id": c["ClusterId"],
        "mode": c["Mode"],
        "region": "us-east-1",
        "security_group_id": s(&c["SecurityGroup"]),
        "source_backup_identifier": "",
        "subnet_ids": m.subnets,
        "tags": tags,
        "tags_all": tags,
        "timeouts": null,
        "vpc_id": c["VpcId"],
    });
    let h = &m.hsm;
    let hsm_attrs = json!({
        "availability_zone": h["AvailabilityZone"],
        "cluster_id": h["ClusterId"],
        "hsm_eni_id": h["EniId"],
        "hsm_id": h["HsmId"],
        "hsm_state": h["State"],
        "id": h["HsmId"],
        "ip_address": h["EniIp"],
        "region": "us-east-1",
        "subnet_id": h["SubnetId"],
        "timeouts": null,
    });
    // SDK v2 keeps the resource's timeouts (nanoseconds) in the private bytes.
    let private = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        r#"{"e2bfb730-ecaa-11e6-8f88-34363bc7c4c0":{"create":7200000000000,"delete":7200000000000}}"#,
    );
    let resource = |ty: &str, name: &str, version: i64, attrs: Value| {
        json!({
            "mode": "managed",
            "type": ty,
            "name": name,
            "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
            "instances": [{
                "schema_version": version,
                "attributes": attrs,
                "sensitive_attributes": [],
                "identity_schema_version": 0,
                "private": private,
            }],
        })
    };
    json!({
        "version": 4,
        "terraform_version": "1.15.5",
        "serial": 3,
        "lineage": "0c1e0a52-8d1e-4a40-9a43-6d0b3c7a1f00",
        "outputs": {},
        "resources": [
            resource("aws_cloudhsm_v2_cluster", "ca", cluster_schema_version, cluster_attrs),
            resource("aws_cloudhsm_v2_hsm", "a", 0, hsm_attrs),
        ],
        "check_results": null,
    })
    .to_string()
}

fn config(emu: &Emulator, m: &Made) -> String {
    let provider = provider_block(emu).replace(
        "    trustchain = {",
        "    aws = {\n      source = \"hashicorp/aws\"\n    }\n    trustchain = {",
    );
    format!(
        r#"{provider}
provider "aws" {{
  region = "us-east-1"
}}

resource "trustchain_cloudhsm_cluster" "ca" {{
  hsm_type   = "hsm2m.medium"
  subnet_ids = {subnets}
  tags = {{
    Name = "legacy-ca"
  }}
}}

resource "trustchain_cloudhsm_hsm" "a" {{
  cluster_id        = trustchain_cloudhsm_cluster.ca.cluster_id
  availability_zone = "us-east-1a"
}}

moved {{
  from = aws_cloudhsm_v2_cluster.ca
  to   = trustchain_cloudhsm_cluster.ca
}}

moved {{
  from = aws_cloudhsm_v2_hsm.a
  to   = trustchain_cloudhsm_hsm.a
}}
"#,
        subnets = json!(m.subnets),
    )
}

#[test]
fn hashicorp_aws_cluster_and_hsm_move_without_touching_aws_and_plan_nothing() {
    let emu = Emulator::start();
    let made = make_with_boto3(&emu);
    let w = Workspace::with_schema_only_aws(&config(&emu, &made));
    w.write_file("terraform.tfstate", &hashicorp_aws_state(&made, 0));
    let creates_before =
        emu.calls("cloudhsm", "CreateCluster") + emu.calls("cloudhsm", "CreateHsm");

    let plan = w.plan_json();
    let changes = plan["resource_changes"].as_array().expect("changes");
    let moved: Vec<(String, String)> = changes
        .iter()
        .map(|c| {
            (
                c["previous_address"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                c["address"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert!(
        moved.contains(&(
            "aws_cloudhsm_v2_cluster.ca".into(),
            "trustchain_cloudhsm_cluster.ca".into()
        )) && moved.contains(&(
            "aws_cloudhsm_v2_hsm.a".into(),
            "trustchain_cloudhsm_hsm.a".into()
        )),
        "both objects move: {moved:?}"
    );
    for (address, actions) in planned_actions(&plan) {
        assert_eq!(actions, ["no-op"], "{address} only moves");
    }

    w.apply().ok();
    let state = w.state_json();
    let resources = state["values"]["root_module"]["resources"]
        .as_array()
        .expect("resources");
    let types: Vec<&str> = resources
        .iter()
        .filter_map(|r| r["type"].as_str())
        .collect();
    assert_eq!(
        types,
        ["trustchain_cloudhsm_cluster", "trustchain_cloudhsm_hsm"]
    );
    let cluster = &resources[0]["values"];
    assert_eq!(cluster["cluster_id"], made.cluster["ClusterId"]);
    assert_eq!(
        cluster["backup_retention_days"], 90,
        "filled in by the refresh"
    );
    assert_eq!(cluster["network_type"], "IPV4");
    let hsm = &resources[1]["values"];
    assert_eq!(hsm["hsm_id"], made.hsm["HsmId"]);
    assert_eq!(hsm["eni_id"], made.hsm["EniId"]);

    let (changes, run) = w.plan_has_changes();
    assert!(
        !changes,
        "the plan after the move is empty:\n{}",
        run.stdout()
    );
    assert_eq!(
        emu.calls("cloudhsm", "CreateCluster") + emu.calls("cloudhsm", "CreateHsm"),
        creates_before,
        "nothing was made"
    );
    assert_eq!(emu.calls("cloudhsm", "DeleteCluster"), 0);
    assert_eq!(emu.calls("cloudhsm", "DeleteHsm"), 0);
    assert_eq!(
        cluster_of(&emu, made.cluster["ClusterId"].as_str().expect("id"))["Hsms"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}

#[test]
fn a_source_state_this_provider_cannot_read_gets_a_diagnostic_with_the_fix() {
    let emu = Emulator::start();
    let made = make_with_boto3(&emu);
    let w = Workspace::with_schema_only_aws(&config(&emu, &made));
    // hashicorp/aws has only ever written version 0 for the cluster.
    w.write_file("terraform.tfstate", &hashicorp_aws_state(&made, 7));
    let run = w
        .terraform(&["plan", "-no-color", "-input=false", "-json"])
        .failed();
    let errors = run.error_diagnostics();
    let moved = errors
        .iter()
        .find(|d| d["summary"] == "Cannot move this resource")
        .unwrap_or_else(|| panic!("no move diagnostic in {errors:?}"));
    let detail = moved["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("schema version 7"), "{detail}");
    assert!(detail.contains("import"), "{detail}");
    assert_eq!(emu.calls("cloudhsm", "DeleteCluster"), 0);
}
