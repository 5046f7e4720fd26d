//! The offline two-apply ceremony on the generated module's own CloudHSM code:
//! `modules/trustchain/hsm/cloudhsm.tf` with its `variables.tf` and the outputs of
//! `outputs.tf` that name no hashicorp/aws resource, applied against the emulator.
//! Only `cloudhsm_aws.tf` (the audit log group and the client ingress rules, made by
//! hashicorp/aws, which cannot apply here) is left out: the local it gives the first
//! HSM to wait for stands in empty.
//!
//! Apply 1 without a trust anchor makes the cluster and its first HSM only, and
//! outputs the CSR; a test CA outside Terraform signs it; apply 2 with the trust
//! anchor and the signed certificate initializes the cluster and adds the other HSM.

#[allow(unused)]
mod cloudhsm_support;

use acceptance::{Emulator, Workspace, provider_block, workspace_root};
use cloudhsm_support::{Ca, describe_cluster, hsms_of};
use serde_json::json;

/// The module's CloudHSM unit, as generated.
fn module_cloudhsm_unit(emu: &Emulator) -> String {
    let dir = workspace_root().join("modules/trustchain/hsm");
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).expect("generated module file");
    // The outputs that do not name a hashicorp/aws resource, as generated.
    let outputs: String = read("outputs.tf")
        .split("\noutput ")
        .skip(1)
        .filter(|block| !block.contains("aws_"))
        .map(|block| format!("output {}\n", block.trim_end()))
        .collect();
    assert!(
        outputs.contains("output \"cluster_csr\"") && outputs.contains("output \"initialized\""),
        "{outputs}"
    );
    format!(
        "{provider}\n{cloudhsm}\n{variables}\n{outputs}\n# Stands in for cloudhsm_aws.tf (hashicorp/aws cannot apply here).\nlocals {{\n  audit_log_group = []\n}}\n",
        provider = provider_block(emu),
        cloudhsm = read("cloudhsm.tf"),
        variables = read("variables.tf"),
    )
}

/// Two IPv4 subnets in two zones, made outside Terraform.
fn subnets(emu: &Emulator) -> Vec<String> {
    let vpc = emu.call("ec2", "create_vpc", json!({"CidrBlock": "10.7.0.0/16"}));
    let vpc_id = vpc["Vpc"]["VpcId"].as_str().expect("vpc id").to_string();
    [("10.7.0.0/24", "us-east-1a"), ("10.7.1.0/24", "us-east-1b")]
        .iter()
        .map(|(cidr, az)| {
            let s = emu.call(
                "ec2",
                "create_subnet",
                json!({"VpcId": vpc_id, "CidrBlock": cidr, "AvailabilityZone": az}),
            );
            s["Subnet"]["SubnetId"]
                .as_str()
                .expect("subnet id")
                .to_string()
        })
        .collect()
}

#[test]
fn the_modules_offline_ceremony_takes_two_applies_with_the_csr_signed_between() {
    let emu = Emulator::start();
    let subnets = subnets(&emu);
    let quoted: Vec<String> = subnets.iter().map(|s| format!("\"{s}\"")).collect();
    let mut w = Workspace::new(&module_cloudhsm_unit(&emu));
    w.set_env("TF_VAR_name", "ca");
    w.set_env("TF_VAR_subnet_ids", &format!("[{}]", quoted.join(", ")));
    w.set_env("TF_VAR_network_type", "IPV4");
    w.set_env(
        "TF_VAR_hsm_availability_zones",
        r#"["us-east-1a", "us-east-1b"]"#,
    );

    // Apply 1: no trust anchor. The cluster and its first HSM only; it returns (the
    // second HSM does not wait for an initialization nobody declared).
    let started = std::time::Instant::now();
    w.apply().ok();
    eprintln!("apply 1 took {:?}", started.elapsed());
    let out = w.outputs();
    let cluster_id = out["cluster_id"]["value"]
        .as_str()
        .expect("cluster id")
        .to_string();
    assert_eq!(out["initialized"]["value"], false);
    assert_eq!(
        out["hsm_ids"]["value"].as_array().map(Vec::len),
        Some(1),
        "{out}"
    );
    let aws = describe_cluster(&emu, &cluster_id);
    assert_eq!(aws["State"], "UNINITIALIZED");
    assert_eq!(hsms_of(&aws).len(), 1, "only the first HSM: {aws}");
    let csr = out["cluster_csr"]["value"]
        .as_str()
        .expect("apply 1 outputs the cluster CSR")
        .to_string();
    assert_eq!(
        Some(csr.as_str()),
        aws["Certificates"]["ClusterCsr"].as_str(),
        "the output is the cluster's current CSR"
    );
    assert_eq!(emu.calls("cloudhsm", "InitializeCluster"), 0);
    // Apply 1 again changes nothing.
    let (changes, run) = w.plan_has_changes();
    assert!(!changes, "apply 1 is stable:\n{}", run.stdout());

    // Offline: the root CA signs the CSR, outside Terraform.
    let root = Ca::root("TrustChain Offline Root CA");
    let signed = root.sign_csr(&csr);
    assert!(signed.contains("BEGIN CERTIFICATE"));

    // Apply 2: the trust anchor and the signed certificate (and the emulator's test
    // roots, which its HSM certificates chain to).
    w.set_env("TF_VAR_trust_anchor_pem", &root.cert);
    w.set_env("TF_VAR_signed_cert_pem", &signed);
    w.set_env("TF_VAR_hsm_trust_roots_pem", &emu.cloudhsm_test_roots());
    w.apply().ok();
    let out = w.outputs();
    assert_eq!(out["initialized"]["value"], true);
    assert_eq!(
        out["hsm_ids"]["value"].as_array().map(Vec::len),
        Some(2),
        "{out}"
    );
    assert_eq!(out["cluster_state"]["value"], "INITIALIZED");
    let aws = describe_cluster(&emu, &cluster_id);
    assert_eq!(aws["State"], "INITIALIZED");
    assert_eq!(hsms_of(&aws).len(), 2, "{aws}");
    assert_eq!(
        aws["Certificates"]["ClusterCertificate"].as_str(),
        Some(signed.as_str()),
        "initialized with the certificate signed offline"
    );
    assert_eq!(emu.calls("cloudhsm", "InitializeCluster"), 1);
    assert!(
        out["cluster_csr"]["value"].is_null(),
        "no CSR once initialized"
    );
    let (changes, run) = w.plan_has_changes();
    assert!(!changes, "apply 2 is stable:\n{}", run.stdout());

    w.destroy().ok();
    assert!(
        cloudhsm_support::describe_clusters(&emu)
            .iter()
            .all(|c| c["State"] == "DELETED"),
        "clusters left"
    );
}
