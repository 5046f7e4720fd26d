//! custom_ca_bundle / AWS_CA_BUNDLE and http_proxy / https_proxy / no_proxy with
//! real components: a TLS-terminating relay whose certificate comes from the test's
//! own CA, and an HTTP proxy that tunnels CONNECT and forwards absolute-form
//! requests (tests/emulator/netproxy.py), both on 127.0.0.1 in front of the emulator.
//! Every configuration sets allowed_account_ids, so ConfigureProvider calls STS at
//! plan and a connection that fails fails the plan.

use acceptance::{Emulator, Workspace};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdin, Command, Stdio};

struct NetProxy {
    child: Child,
    _stdin: Option<ChildStdin>,
    tls_port: u16,
    proxy_port: u16,
    log: std::path::PathBuf,
}

impl NetProxy {
    fn start(upstream: u16, dir: &std::path::Path, cert: &str, key: &str) -> Self {
        std::fs::write(dir.join("server.pem"), cert).expect("write cert");
        std::fs::write(dir.join("server.key"), key).expect("write key");
        let log = dir.join("netproxy.jsonl");
        let mut child = Command::new(acceptance::python_bin())
            .arg(acceptance::workspace_root().join("tests/emulator/netproxy.py"))
            .arg(upstream.to_string())
            .arg(dir.join("server.pem"))
            .arg(dir.join("server.key"))
            .arg(&log)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start netproxy.py");
        let stdin = child.stdin.take();
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("READY line");
        let ports: Vec<u16> = line
            .split_whitespace()
            .skip(1)
            .filter_map(|p| p.parse().ok())
            .collect();
        assert_eq!(ports.len(), 2, "netproxy.py printed {line:?}");
        Self {
            child,
            _stdin: stdin,
            tls_port: ports[0],
            proxy_port: ports[1],
            log,
        }
    }

    /// The connections served so far, by kind ("tls", "connect", "forward").
    fn events(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    fn count(&self, kind: &str, target: Option<u16>) -> usize {
        self.events()
            .iter()
            .filter(|e| e["kind"] == kind)
            .filter(|e| target.is_none_or(|p| e["target"] == format!("127.0.0.1:{p}")))
            .count()
    }
}

impl Drop for NetProxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn config(url: &str, extra: &str) -> String {
    format!(
        r#"terraform {{
  required_providers {{
    trustchain = {{ source = "trustchain/trustchain" }}
  }}
}}

provider "trustchain" {{
  region              = "us-east-1"
  allowed_account_ids = ["123456789012"]
{extra}
  endpoints {{
    ec2        = "{url}"
    elbv2      = "{url}"
    cloudhsmv2 = "{url}"
    sts        = "{url}"
  }}
}}

resource "trustchain_ipv6_network" "this" {{
  name               = "net"
  availability_zones = ["us-east-1a"]

  tier {{
    name = "app"
    kind = "private"
  }}
}}
"#
    )
}

#[test]
fn ca_bundle_and_proxies_work_through_real_tls_and_a_real_proxy() {
    let emu = Emulator::start();
    let ca = acceptance::test_root_ca("Corp Inspection CA");
    let server = acceptance::testca(&serde_json::json!({
        "op": "server", "hosts": ["127.0.0.1"], "issuer": {"cert": ca["cert"], "key": ca["key"]},
    }));
    let dir = tempfile::tempdir().expect("tempdir");
    let net = NetProxy::start(
        emu.port(),
        dir.path(),
        server["cert"].as_str().unwrap_or(""),
        server["key"].as_str().unwrap_or(""),
    );
    let ca_path = dir.path().join("corp-ca.pem");
    std::fs::write(&ca_path, ca["cert"].as_str().unwrap_or("")).expect("write CA");
    let https = format!("https://127.0.0.1:{}", net.tls_port);
    let proxy = format!("http://127.0.0.1:{}", net.proxy_port);
    let bundle = format!("  custom_ca_bundle = \"{}\"\n", ca_path.display());

    // 1. TLS to an endpoint whose CA only the bundle holds, through the HTTPS proxy.
    let w = Workspace::new(&config(
        &https,
        &format!("{bundle}  https_proxy = \"{proxy}\"\n"),
    ));
    w.plan().ok();
    assert!(
        net.count("connect", Some(net.tls_port)) >= 1,
        "{:?}",
        net.events()
    );
    assert!(net.count("tls", None) >= 1, "{:?}", net.events());

    // 2. Without the bundle the same endpoint is refused at once, saying why.
    let tunnels = net.count("connect", None);
    w.write_main(&config(&https, ""));
    let started = std::time::Instant::now();
    let run = w.plan().failed();
    let out = run.stderr() + &run.stdout();
    assert!(out.contains("invalid peer certificate"), "{out}");
    assert!(
        out.contains("custom_ca_bundle or AWS_CA_BUNDLE"),
        "the fix: {out}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(60),
        "an untrusted certificate is not retried: {:?}",
        started.elapsed()
    );
    assert_eq!(net.count("connect", None), tunnels, "no proxy configured");

    // 3. AWS_CA_BUNDLE does what custom_ca_bundle does; no_proxy bypasses the proxy.
    let mut w = Workspace::new(&config(
        &https,
        &format!("  https_proxy = \"{proxy}\"\n  no_proxy    = \"127.0.0.1\"\n"),
    ));
    w.set_env("AWS_CA_BUNDLE", &ca_path.display().to_string());
    let tls_before = net.count("tls", None);
    w.plan().ok();
    assert_eq!(
        net.count("connect", None),
        tunnels,
        "no_proxy: {:?}",
        net.events()
    );
    assert!(net.count("tls", None) > tls_before);

    // 4. http_proxy carries http:// endpoints (absolute-form requests).
    let w = Workspace::new(&config(
        &emu.url(),
        &format!("  http_proxy  = \"{proxy}\"\n  https_proxy = \"\"\n"),
    ));
    w.plan().ok();
    assert!(
        net.count("forward", Some(emu.port())) >= 1,
        "{:?}",
        net.events()
    );
}
