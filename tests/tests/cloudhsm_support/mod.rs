//! Configurations, certificates and emulator checks for tests/tests/cloudhsm.rs.

mod configs;

pub use configs::*;

use acceptance::{Emulator, StepCtx, Workspace};
use serde_json::{Value, json};
use std::io::Read;
use std::process::Stdio;
use std::time::{Duration, Instant};

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
    let script = acceptance::workspace_root().join("tests/emulator/testca_cli.py");
    let out = std::process::Command::new(acceptance::python_bin())
        .arg(script)
        .arg(request.to_string())
        .output()
        .expect("run testca_cli.py");
    assert!(
        out.status.success(),
        "testca_cli.py: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("testca_cli.py prints JSON")
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

/// An error diagnostic with this summary pointing at a configuration line with `line`.
pub fn assert_diagnostic_at(diags: &[Value], summary: &str, line: &str) {
    let d = diags
        .iter()
        .find(|d| d["summary"] == summary)
        .unwrap_or_else(|| panic!("no {summary:?} in {diags:#?}"));
    let code = d["snippet"]["code"].as_str().unwrap_or("");
    assert!(
        code.contains(line),
        "{summary:?} points at {code:?}, expected {line:?}"
    );
}

/// No piece of either key form appears in `text`: every 24-character run of the
/// keys' base64 lines is looked for (so escaped newlines cannot hide a match),
/// except runs the certificate holds too (the public modulus is in both).
pub fn assert_no_secret(text: &str, ca: &Ca, what: &str) {
    let public: String = ca.cert.lines().collect();
    for key in [&ca.key, &ca.key_pkcs1] {
        for line in key
            .lines()
            .filter(|l| !l.starts_with("-----") && l.len() >= 24)
        {
            for start in (0..=line.len() - 24).step_by(20) {
                let piece = &line[start..start + 24];
                if public.contains(piece) {
                    continue;
                }
                if let Some(at) = text.find(piece) {
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
    }
}

pub struct Interrupted {
    pub output: String,
    pub elapsed_after_interrupt: Duration,
}

/// Runs `terraform apply` and sends it SIGINT (Ctrl-C) once `ready()` holds.
pub fn interrupt_apply_when(w: &Workspace, ready: impl Fn() -> bool) -> Interrupted {
    let mut child = w
        .command(
            &["apply", "-auto-approve", "-no-color", "-input=false"],
            &[],
        )
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start terraform apply");
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let t_out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    while !ready() {
        if Instant::now() > deadline || child.try_wait().ok().flatten().is_some() {
            let _ = child.kill();
            panic!(
                "apply never reached the point to interrupt:\n{}",
                t_out.join().unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    // Let the wait settle into its backoff before interrupting.
    std::thread::sleep(Duration::from_secs(2));
    let sent = Instant::now();
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill -INT");
    assert!(status.success(), "could not signal terraform");
    let stop_by = sent + Duration::from_secs(60);
    loop {
        if child.try_wait().ok().flatten().is_some() {
            break;
        }
        if Instant::now() > stop_by {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let elapsed_after_interrupt = sent.elapsed();
    let _ = child.wait();
    Interrupted {
        output: format!(
            "{}\n{}",
            t_out.join().unwrap_or_default(),
            t_err.join().unwrap_or_default()
        ),
        elapsed_after_interrupt,
    }
}
