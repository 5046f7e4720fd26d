//! The AWS emulator (moto, see tests/emulator/) as a child process on 127.0.0.1.
//!
//! The Rust side of the emulator's one launch protocol (tests/emulator/launcher.py is the
//! Python side, used by every Python caller): run `server.py`, read `READY <port>`, keep
//! its stdin open while it should live.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Emulator {
    child: Child,
    // Held open: the server exits when its stdin closes.
    _stdin: Option<ChildStdin>,
    port: u16,
}

impl Emulator {
    /// Starts a fresh emulator and waits until it listens.
    pub fn start() -> Self {
        let script = crate::workspace_root().join("tests/emulator/server.py");
        let mut child = Command::new(crate::python_bin())
            .arg(&script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start emulator");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("emulator stdout");
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut lines = BufReader::new(stdout).lines();
        let port = loop {
            assert!(Instant::now() < deadline, "emulator did not start in time");
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(p) = line.strip_prefix("READY ") {
                        break p.trim().parse::<u16>().expect("emulator port");
                    }
                }
                _ => panic!("emulator exited before it was ready"),
            }
        };
        Self {
            child,
            _stdin: stdin,
            port,
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// One request to the emulator's test controls (`/_trustchain/...`): the status
    /// code and the body.
    pub fn control(
        &self,
        method: &str,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> (u16, String) {
        use std::io::{Read, Write};
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let mut s =
            std::net::TcpStream::connect(("127.0.0.1", self.port)).expect("connect emulator");
        s.write_all(request.as_bytes())
            .expect("send control request");
        let mut reply = String::new();
        let _ = s.read_to_string(&mut reply);
        let status = reply
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let body = reply
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default();
        (status, body)
    }

    /// Makes the next `count` calls of `action` fail with `code` (see
    /// tests/emulator/controls/faults.py).
    pub fn inject_fault(&self, action: &str, code: &str, count: u32) {
        let body = serde_json::json!({"action": action, "code": code, "count": count});
        let (status, reply) = self.control("POST", "/_trustchain/faults", Some(&body));
        assert_eq!(status, 204, "fault not accepted: {reply}");
    }

    /// Sets seeded fault rates (see tests/emulator/controls/fault_rates.py), replacing any
    /// earlier ones, e.g. `json!({"seed": 7, "rates": [{"throttle": 0.05}]})`.
    pub fn set_fault_rates(&self, spec: &serde_json::Value) {
        let (status, reply) = self.control("POST", "/_trustchain/faults", Some(spec));
        assert_eq!(status, 204, "fault rates not accepted: {reply}");
    }

    /// What is armed, the rates and what was injected (`injected.by_kind`).
    pub fn faults(&self) -> serde_json::Value {
        let (status, body) = self.control("GET", "/_trustchain/faults", None);
        assert_eq!(status, 200, "faults: {body}");
        serde_json::from_str(&body).expect("faults are JSON")
    }

    /// Clears armed faults, rates and their counts.
    pub fn clear_faults(&self) {
        let (status, body) = self.control("DELETE", "/_trustchain/faults", None);
        assert!(status == 200 || status == 204, "clear faults: {body}");
    }

    /// Every live object of the managed services, by kind (tests/emulator/inventory.py;
    /// moto's default VPC and what it holds left out). Call it with the fault rates off.
    pub fn inventory(&self) -> BTreeMap<String, Vec<String>> {
        let inventory = crate::python_json("tests/emulator/inventory.py", &[&self.url()]);
        serde_json::from_value(inventory).expect("inventory JSON")
    }

    /// Counts every later request (S3 included) whose body, query or headers hold one
    /// of `needles` (tests/emulator/controls/requestlog.py); see [`Emulator::watched`].
    pub fn watch_requests(&self, needles: &[String]) {
        let body = serde_json::json!({ "needles": needles });
        let (status, reply) = self.control("POST", "/_trustchain/requests/watch", Some(&body));
        assert_eq!(status, 204, "watch not accepted: {reply}");
    }

    /// The requests that held a needle, as `{"service Action": n}`.
    pub fn watched(&self) -> BTreeMap<String, u64> {
        let (status, body) = self.control("GET", "/_trustchain/requests/watch", None);
        assert_eq!(status, 200, "watch: {body}");
        let v: serde_json::Value = serde_json::from_str(&body).expect("watch JSON");
        serde_json::from_value(v["watched"].clone()).expect("watched counts")
    }

    /// The request log: `{"total", "counts": {service: {action: n}}, "calls": [...]}`.
    pub fn requests(&self) -> serde_json::Value {
        let (status, body) = self.control("GET", "/_trustchain/requests", None);
        assert_eq!(status, 200, "request log: {body}");
        serde_json::from_str(&body).expect("request log is JSON")
    }

    /// Starts the request log from zero.
    pub fn clear_requests(&self) {
        let (status, body) = self.control("DELETE", "/_trustchain/requests", None);
        assert!(status == 200 || status == 204, "clear request log: {body}");
    }

    /// How many calls of `service` `action` the log holds. `service` is the SigV4
    /// signing name (ec2, elasticloadbalancing, sts, cloudhsm, kms, acm-pca), never a
    /// boto3 client name such as cloudhsmv2 or acmpca (which would count nothing:
    /// refused here).
    pub fn calls(&self, service: &str, action: &str) -> u64 {
        /// The services the provider calls, by the signing name their requests carry.
        const SIGNING_NAMES: [&str; 6] = [
            "ec2",
            "elasticloadbalancing",
            "sts",
            "cloudhsm",
            "kms",
            "acm-pca",
        ];
        assert!(
            SIGNING_NAMES.contains(&service),
            "calls({service:?}, ...): the request log counts by signing name: one of {SIGNING_NAMES:?}"
        );
        self.requests()["counts"][service][action]
            .as_u64()
            .unwrap_or(0)
    }

    /// Changes state-transition delays at run time (see tests/emulator/controls/delays.py),
    /// e.g. `json!({"hsm_create": 2})`.
    pub fn set_delays(&self, delays: serde_json::Value) {
        let (status, body) = self.control("POST", "/_trustchain/delays", Some(&delays));
        assert!(
            status == 200 || status == 204,
            "delays not accepted: {body}"
        );
    }

    /// The emulator's stand-ins for the AWS CloudHSM and manufacturer roots, as one
    /// PEM bundle: what a configuration passes as `hsm_trust_roots`.
    pub fn cloudhsm_test_roots(&self) -> String {
        let (status, body) = self.control("GET", "/_trustchain/cloudhsm/test-roots", None);
        assert_eq!(status, 200, "test roots: {body}");
        let v: serde_json::Value = serde_json::from_str(&body).expect("test roots are JSON");
        v["Bundle"].as_str().expect("bundle").to_string()
    }

    /// The private key (PKCS#8 PEM) of an emulated KMS key, which AWS never reveals:
    /// a test control for the leak tests of configurations that only name the key.
    pub fn kms_private_key(&self, key_id: &str) -> String {
        let body = serde_json::json!({"KeyId": key_id});
        let (status, reply) = self.control("POST", "/_trustchain/kms/private-key", Some(&body));
        assert_eq!(status, 200, "KMS private key: {reply}");
        let v: serde_json::Value = serde_json::from_str(&reply).expect("JSON");
        v["Pem"].as_str().expect("Pem").to_string()
    }

    /// While `on`, DescribeClusters serves a CSR that is not the HSM's (a swapped CSR,
    /// as an attacker on the network path would serve).
    pub fn intercept_cloudhsm_csr(&self, on: bool) {
        let body = serde_json::json!({"Enabled": on});
        let (status, reply) =
            self.control("POST", "/_trustchain/cloudhsm/intercept-csr", Some(&body));
        assert_eq!(status, 200, "intercept refused: {reply}");
    }

    /// When CreateHsm takes another HSM in a cluster that has one (#7437):
    /// "first_hsm_active", "cluster_initialized" (the default) or "cluster_active".
    pub fn set_second_hsm_rule(&self, rule: &str) {
        let body = serde_json::json!({"Rule": rule});
        let (status, reply) =
            self.control("POST", "/_trustchain/cloudhsm/second-hsm-rule", Some(&body));
        assert_eq!(status, 200, "rule refused: {reply}");
    }

    /// INITIALIZED -> ACTIVE, standing in for `cloudhsm-cli cluster activate`.
    pub fn activate_cluster(&self, cluster_id: &str) {
        let body = serde_json::json!({"ClusterId": cluster_id});
        let (status, reply) = self.control("POST", "/_trustchain/cloudhsm/activate", Some(&body));
        assert_eq!(status, 200, "activation refused: {reply}");
    }

    /// One AWS API call (boto3 operation name, JSON parameters), e.g.
    /// `call("ec2", "describe_subnets", json!({}))`; panics on API errors.
    pub fn call(
        &self,
        service: &str,
        operation: &str,
        params: serde_json::Value,
    ) -> serde_json::Value {
        self.try_call(service, operation, params)
            .unwrap_or_else(|e| panic!("{service}.{operation} failed: {e}"))
    }

    /// Like [`Emulator::call`], but AWS refusing the call is an `Err` with AWS's
    /// error code and message (to show the emulator refuses what a plan refuses).
    pub fn try_call(
        &self,
        service: &str,
        operation: &str,
        params: serde_json::Value,
    ) -> Result<serde_json::Value, ApiError> {
        self.try_call_in("us-east-1", service, operation, params)
    }

    /// [`Emulator::call`] in another of the emulator's regions (e.g. where a
    /// backup was copied to).
    pub fn call_in(
        &self,
        region: &str,
        service: &str,
        operation: &str,
        params: serde_json::Value,
    ) -> serde_json::Value {
        self.try_call_in(region, service, operation, params)
            .unwrap_or_else(|e| panic!("{service}.{operation} in {region} failed: {e}"))
    }

    /// [`Emulator::try_call`] in `region`.
    pub fn try_call_in(
        &self,
        region: &str,
        service: &str,
        operation: &str,
        params: serde_json::Value,
    ) -> Result<serde_json::Value, ApiError> {
        let script = crate::workspace_root().join("tests/emulator/aws_call.py");
        let out = Command::new(crate::python_bin())
            .arg(script)
            .args([
                self.url().as_str(),
                service,
                operation,
                &params.to_string(),
                region,
            ])
            .output()
            .expect("run aws_call.py");
        let json = || -> serde_json::Value {
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
                panic!(
                    "{service}.{operation}: aws_call.py printed no JSON ({e}): {}",
                    String::from_utf8_lossy(&out.stderr)
                )
            })
        };
        match out.status.code() {
            Some(0) => Ok(json()),
            Some(3) => {
                let v = json();
                Err(ApiError {
                    code: v["Error"]["Code"].as_str().unwrap_or_default().to_string(),
                    message: v["Error"]["Message"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                })
            }
            _ => panic!(
                "{service}.{operation} did not run: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
        }
    }

    /// What the emulator's check against AWS's own model (tests/emulator/controls/model_check.py)
    /// found that a test must fail on: a request the provider (the AWS SDK for Rust) sent
    /// that AWS would refuse, or an answer that does not fit AWS's model. A test's own
    /// boto3 calls may be wrong on purpose and are left out. `None` when the emulator
    /// does not answer.
    pub fn model_violations(&self) -> Option<Vec<serde_json::Value>> {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        s.write_all(
            b"GET /_trustchain/model HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
        )
        .ok()?;
        let mut reply = String::new();
        s.read_to_string(&mut reply).ok()?;
        let (_, body) = reply.split_once("\r\n\r\n")?;
        let v: serde_json::Value = serde_json::from_str(body).ok()?;
        Some(
            v["violations"]
                .as_array()?
                .iter()
                .filter(|x| x["client"] == "aws-sdk-rust" || x["side"] == "answer")
                .cloned()
                .collect(),
        )
    }

    /// Panics, listing them, when [`Emulator::model_violations`] found any.
    pub fn assert_model_conformance(&self, when: &str) {
        let found = self.model_violations().unwrap_or_default();
        assert!(found.is_empty(), "{}", conformance_failure(when, &found));
    }

    /// API calls in the request log, by action summed over services.
    pub fn calls_by_action(&self) -> BTreeMap<String, u64> {
        let log = self.requests();
        let mut by_action = BTreeMap::new();
        for actions in log["counts"]
            .as_object()
            .into_iter()
            .flat_map(|m| m.values())
        {
            for (action, n) in actions.as_object().into_iter().flatten() {
                *by_action.entry(action.clone()).or_insert(0) += n.as_u64().unwrap_or(0);
            }
        }
        by_action
    }
}

/// An AWS error answer: its code and message.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    pub code: String,
    pub message: String,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

fn conformance_failure(when: &str, found: &[serde_json::Value]) -> String {
    let lines: Vec<String> = found
        .iter()
        .map(|v| {
            format!(
                "  {} {} {} ({}): {}",
                v["service"].as_str().unwrap_or("?"),
                v["action"].as_str().unwrap_or("?"),
                v["side"].as_str().unwrap_or("?"),
                v["client"].as_str().unwrap_or("?"),
                v["problems"]
            )
        })
        .collect();
    format!(
        "{when}: requests AWS would refuse, or answers that do not fit AWS's model (tests/emulator/controls/model_check.py):\n{}",
        lines.join("\n")
    )
}

impl Drop for Emulator {
    fn drop(&mut self) {
        // Every test that started an emulator fails on a request AWS would refuse, even
        // one the provider tolerated, unless it is failing already.
        let found = if std::thread::panicking() {
            Vec::new()
        } else {
            self.model_violations().unwrap_or_default()
        };
        let _ = self.child.kill();
        let _ = self.child.wait();
        if !found.is_empty() {
            panic!("{}", conformance_failure("at the end of the test", &found));
        }
    }
}
