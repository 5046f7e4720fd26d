//! Clients other than Terraform: grpcio (gRPC C-core, what Python provider test
//! tools use) sends the percent-encoded socket path as `:authority`, which h2 alone
//! refuses with RST_STREAM PROTOCOL_ERROR on every call (hyperium/h2#487,
//! grpc/grpc#38142). The server's `:authority` fix (tfplugin `authority.rs`) makes
//! such clients work over plain gRPC (how test tools start a provider: no
//! PLUGIN_CLIENT_CERT).
//!
//! Under AutoMTLS grpcio still cannot connect, for another reason: the server
//! certificate is ECDSA P-521 as go-plugin's is, and grpcio's BoringSSL offers no
//! P-521 signature scheme, so the TLS handshake fails (the plugin logs
//! `NoSignatureSchemesInCommon`). That limitation is pinned below and documented in
//! the README's troubleshooting.
//!
//! Needs the project venv with grpcio (`make tools`, tools/requirements.txt).

mod common;

use base64::Engine;
use common::{Plugin, pem_of};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;
use tfplugin::tls::Identity;

fn python() -> PathBuf {
    let p = std::env::var_os("TRUSTCHAIN_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.venv/bin/python"))
        });
    assert!(p.exists(), "{} missing: run `make tools`", p.display());
    p
}

const CLIENT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/grpc/grpcio_client.py"
);

/// Runs the grpcio client; one JSON object per call.
fn grpcio_calls(args: &[String]) -> Vec<serde_json::Value> {
    let mut c = Command::new(python());
    c.arg(CLIENT).args(args);
    let out = common::output_within(c, Duration::from_secs(30));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "grpcio client failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

fn assert_all_ok(calls: &[serde_json::Value], how: &str) -> String {
    assert_eq!(calls.len(), 2, "{calls:?}");
    for call in calls {
        assert_eq!(call["ok"], true, "{how}: {call}");
    }
    // HealthCheckResponse{status: SERVING} is field 1 = 1.
    assert_eq!(calls[0]["response_hex"], "0801", "{how}: {}", calls[0]);
    format!(
        "grpcio {how}: {} calls ok ({})",
        calls.len(),
        calls
            .iter()
            .map(|c| c["method"].as_str().unwrap_or_default().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    )
}

#[test]
fn grpcio_calls_the_provider_over_the_unix_socket() {
    let p = Plugin::start(None);
    let calls = grpcio_calls(&[p.socket()]);
    let line = assert_all_ok(&calls, "plain unix socket");
    common::write_report("grpcio-plain", &line);
}

#[test]
fn grpcio_under_automtls_fails_in_the_tls_handshake_not_on_the_authority() {
    let client = Identity::generate().expect("identity");
    let p = Plugin::start(Some(&pem_of(&client.cert)));
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |name: &str, text: String| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write pem");
        path.display().to_string()
    };
    let b64 = |der: &[u8]| base64::engine::general_purpose::STANDARD.encode(der);
    let key = write(
        "client.key",
        format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            b64(client.key().secret_der())
        ),
    );
    let cert = write("client.pem", pem_of(&client.cert));
    let server = write("server.pem", pem_of(&p.server_cert().into()));
    let calls = grpcio_calls(&[p.socket(), cert, key, server]);
    assert_eq!(calls.len(), 2, "{calls:?}");
    for call in &calls {
        assert_eq!(
            call["ok"], false,
            "grpcio now reaches the P-521 server: update the README's troubleshooting and this test: {call}"
        );
        assert_eq!(call["code"], "UNAVAILABLE", "{call}");
        let details = call["details"].as_str().unwrap_or_default();
        assert!(
            details.contains("Handshake"),
            "not a TLS handshake failure: {call}"
        );
        assert!(
            !details.contains("RST_STREAM"),
            "the :authority fix regressed: {call}"
        );
    }
    common::write_report(
        "grpcio-mtls",
        "grpcio AutoMTLS unix socket: refused in the TLS handshake (no P-521 signature scheme in BoringSSL's offer; documented limitation)",
    );
}
