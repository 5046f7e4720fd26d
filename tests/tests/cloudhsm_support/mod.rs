//! Configurations, certificates and emulator checks for tests/tests/cloudhsm.rs.

mod configs;

pub use configs::*;

use acceptance::{Emulator, StepCtx};
use serde_json::{Value, json};

pub const CLUSTER: &str = "trustchain_cloudhsm_cluster.this";
pub const HSM_A: &str = "trustchain_cloudhsm_hsm.a";
pub const HSM_B: &str = "trustchain_cloudhsm_hsm.b";
pub const INIT: &str = "trustchain_cloudhsm_cluster_initialization.this";

/// A CA made in the test with Python's `cryptography` (tests/emulator/testca_cli.py),
/// independent of the provider's own X.509 code.
pub struct Ca {
    pub cert: String,
    pub key: String,
    pub key_pkcs1: String,
}

fn testca(request: Value) -> Value {
    acceptance::testca(&request)
}

impl Ca {
    fn from(v: Value) -> Self {
        let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
        Self {
            cert: s("cert"),
            key: s("key"),
            key_pkcs1: s("key_pkcs1"),
        }
    }

    pub fn root(name: &str) -> Self {
        Self::from(testca(json!({"op": "root", "name": name})))
    }

    pub fn intermediate(name: &str, issuer: &Ca) -> Self {
        Self::from(testca(json!({
            "op": "intermediate", "name": name, "issuer": {"cert": issuer.cert, "key": issuer.key}
        })))
    }

    /// Signs a CSR as the user guide's `openssl x509 -req -CA ... -CAkey ...` does.
    pub fn sign_csr(&self, csr: &str) -> String {
        testca(
            json!({"op": "sign_csr", "csr": csr, "issuer": {"cert": self.cert, "key": self.key}}),
        )["cert"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

/// A plan of the whole configuration asks CloudHSM once (one DescribeClusters for the
/// cluster, both HSMs and the initialization, filtered by the cluster id) and never
/// describes the subnets of a cluster whose subnets did not change.
pub fn assert_refresh_is_frugal(s: &StepCtx, key: &str) {
    s.emu.clear_requests();
    s.w.terraform_env(
        &["plan", "-no-color", "-input=false"],
        &[("TF_VAR_ca_key", key)],
    )
    .ok();
    let log = s.emu.requests();
    let counts = &log["counts"]["cloudhsm"];
    assert_eq!(
        counts["DescribeClusters"], 1,
        "one DescribeClusters per refresh: {log}"
    );
    assert_eq!(
        counts.as_object().map(|m| m.len()),
        Some(1),
        "only DescribeClusters: {log}"
    );
    // The network resource describes its subnets once; the cluster adds no call.
    assert_eq!(log["counts"]["ec2"]["DescribeSubnets"], 1, "{log}");
}

pub fn sorted(mut v: Vec<u64>) -> Vec<u64> {
    v.sort();
    v
}

pub fn describe_clusters(emu: &Emulator) -> Vec<Value> {
    emu.call("cloudhsmv2", "describe_clusters", json!({}))["Clusters"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

pub fn describe_cluster(emu: &Emulator, id: &str) -> Value {
    emu.call(
        "cloudhsmv2",
        "describe_clusters",
        json!({"Filters": {"clusterIds": [id]}}),
    )["Clusters"][0]
        .clone()
}

pub fn hsms_of(cluster: &Value) -> Vec<Value> {
    cluster["Hsms"].as_array().cloned().unwrap_or_default()
}

/// The HTTP status of every CloudHSM call of `action` in the request log, in order.
pub fn statuses(emu: &Emulator, action: &str) -> Vec<u64> {
    emu.requests()["calls"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["service"] == "cloudhsm" && c["action"] == action)
        .filter_map(|c| c["status"].as_u64())
        .collect()
}

/// Nothing of the cluster is left: no cluster (or only its DELETED record), no HSM
/// network interface, no security group; its VPC gone when given. Backups stay, as
/// in AWS, where they outlive their cluster until their retention ends.
pub fn assert_cloudhsm_gone(emu: &Emulator, cluster_id: &str, vpc_id: &str) {
    let left: Vec<Value> = describe_clusters(emu)
        .into_iter()
        .filter(|c| c["State"] != "DELETED")
        .collect();
    assert!(left.is_empty(), "clusters left: {left:?}");
    let enis = emu.call("ec2", "describe_network_interfaces", json!({}));
    let hsm_enis: Vec<&Value> = enis["NetworkInterfaces"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| {
            e["Description"]
                .as_str()
                .is_some_and(|d| d.contains("CloudHSM"))
        })
        .collect();
    assert!(
        hsm_enis.is_empty(),
        "HSM network interfaces left: {hsm_enis:?}"
    );
    let groups = emu.call(
        "ec2",
        "describe_security_groups",
        json!({"Filters": [{"Name": "group-name", "Values": [format!("cloudhsm-{cluster_id}-sg")]}]}),
    );
    assert_eq!(
        groups["SecurityGroups"].as_array().map(Vec::len),
        Some(0),
        "{groups}"
    );
    if !vpc_id.is_empty() {
        let vpcs = emu.call("ec2", "describe_vpcs", json!({}));
        assert!(
            !vpcs["Vpcs"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|v| v["VpcId"] == vpc_id),
            "VPC {vpc_id} left"
        );
    }
}

pub use acceptance::assert_diagnostic_at;

/// Every 24-character run (every 20 characters) of the keys' base64 lines, except
/// runs the certificate holds too (the public modulus is in both): what a leak of
/// either key form would show, whatever escaping cuts its lines.
pub fn secret_pieces(ca: &Ca) -> Vec<String> {
    let public: String = ca.cert.lines().collect();
    let mut pieces = Vec::new();
    for key in [&ca.key, &ca.key_pkcs1] {
        for line in key
            .lines()
            .filter(|l| !l.starts_with("-----") && l.len() >= 24)
        {
            for start in (0..=line.len() - 24).step_by(20) {
                let piece = &line[start..start + 24];
                if !public.contains(piece) {
                    pieces.push(piece.to_string());
                }
            }
        }
    }
    pieces
}

/// No piece of either key form ([`secret_pieces`]) appears in `text`.
pub fn assert_no_secret(text: &str, ca: &Ca, what: &str) {
    for piece in secret_pieces(ca) {
        if let Some(at) = text.find(&piece) {
            let from = text[..at]
                .char_indices()
                .rev()
                .nth(300)
                .map_or(0, |(i, _)| i);
            panic!(
                "a piece of the CA private key is in {what}, after: {:?}",
                &text[from..at]
            );
        }
    }
}

pub use acceptance::interrupt::interrupt_apply_when;
