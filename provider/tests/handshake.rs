//! The provider binary as go-plugin clients see it: cookie, protocol negotiation,
//! the handshake line, AutoMTLS with a pinned client certificate, health, shutdown.

mod common;

use common::{COOKIE, Plugin, channel, command, health, pem_of, runtime};
use std::io::{BufRead, BufReader};
use std::process::Command;
use std::time::Duration;
use tfplugin::tls::Identity;

#[test]
fn refuses_to_run_without_the_magic_cookie() {
    let out = command().output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("This binary is a plugin"), "{err}");
    assert!(
        out.stdout.is_empty(),
        "printed a handshake without the cookie"
    );
}

#[test]
fn refuses_when_terraform_offers_no_protocol_6() {
    let out = command()
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "4,5")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("speaks only protocol 6"), "{err}");
}

#[test]
fn handshake_line_has_go_plugin_shape_with_unpadded_p521_cert() {
    let client = Identity::generate().expect("client identity");
    let pem = pem_of(&client.cert);
    let p = Plugin::start(Some(&pem));
    let f = p.fields();
    assert_eq!(f.len(), 6, "{}", p.line);
    assert_eq!(&f[..3], &["1", "6", "unix"]);
    assert!(
        std::path::Path::new(f[3]).exists(),
        "socket {} missing",
        f[3]
    );
    assert_eq!(f[4], "grpc");
    assert!(
        !f[5].contains('='),
        "cert must be RawStdEncoding (no padding)"
    );
    let der = p.server_cert();
    // id-ecPublicKey with secp521r1 (1.3.132.0.35) in the SubjectPublicKeyInfo.
    let secp521r1 = [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23];
    assert!(
        der.windows(secp521r1.len()).any(|w| w == secp521r1),
        "server cert is not P-521"
    );
    assert!(
        der.windows(9).any(|w| w == b"localhost"),
        "server cert not for localhost"
    );
}

#[test]
fn handshake_without_client_cert_serves_plain_grpc() {
    let p = Plugin::start(None);
    assert!(p.line.ends_with("|grpc|"), "{}", p.line);
    let rt = runtime();
    let status = rt
        .block_on(health(&p.socket(), None))
        .expect("plain health check");
    assert_eq!(
        status,
        tonic_health::pb::health_check_response::ServingStatus::Serving as i32
    );
}

#[test]
fn mtls_accepts_the_announced_client_cert_and_refuses_any_other() {
    let client = Identity::generate().expect("client identity");
    let p = Plugin::start(Some(&pem_of(&client.cert)));
    let rt = runtime();
    let server_cert = p.server_cert();

    let ok = rt.block_on(health(&p.socket(), Some((&client, server_cert.clone()))));
    assert_eq!(
        ok.expect("health over mTLS"),
        tonic_health::pb::health_check_response::ServingStatus::Serving as i32
    );

    let stranger = Identity::generate().expect("other identity");
    let refused = rt.block_on(health(&p.socket(), Some((&stranger, server_cert.clone()))));
    assert!(
        refused.is_err(),
        "a client with the wrong certificate reached the health service"
    );

    let plain = rt.block_on(health(&p.socket(), None));
    assert!(
        plain.is_err(),
        "a client without TLS reached the health service"
    );
}

#[test]
fn controller_shutdown_stops_the_plugin() {
    let mut p = Plugin::start(None);
    let rt = runtime();
    rt.block_on(async {
        let channel = channel(&p.socket(), None).await.expect("connect");
        tfplugin::testing::GrpcControllerClient::new(channel)
            .shutdown(tfplugin::testing::Empty {})
            .await
            .expect("shutdown rpc");
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = p.child.try_wait().expect("wait") {
            assert!(status.success(), "plugin exited with {status}");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "plugin still running after Shutdown"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn debug_mode_prints_reattach_config_and_serves_without_cookie() {
    let mut child = command().arg("--debug").spawn().expect("spawn --debug");
    let stdout = child.stdout.take().expect("stdout");
    let mut reader = BufReader::new(stdout);
    let mut line = String::new();
    let reattach = loop {
        line.clear();
        assert!(
            reader.read_line(&mut line).expect("read") > 0,
            "no TF_REATTACH_PROVIDERS line"
        );
        if let Some(rest) = line.trim().strip_prefix("TF_REATTACH_PROVIDERS='") {
            break rest.trim_end_matches('\'').to_string();
        }
    };
    let v: serde_json::Value = serde_json::from_str(&reattach).expect("reattach JSON");
    let p = &v["registry.terraform.io/trustchain/trustchain"];
    assert_eq!(p["Protocol"], "grpc");
    assert_eq!(p["ProtocolVersion"], 6);
    assert_eq!(p["Pid"], child.id());
    assert_eq!(p["Addr"]["Network"], "unix");
    let socket = p["Addr"]["String"].as_str().expect("socket").to_string();
    let status = runtime()
        .block_on(health(&socket, None))
        .expect("health in debug mode");
    assert_eq!(
        status,
        tonic_health::pb::health_check_response::ServingStatus::Serving as i32
    );
    // Ctrl-C stops a debug server.
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while child.try_wait().expect("wait").is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "debug server ignored Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
