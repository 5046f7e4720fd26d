//! The provider binary as go-plugin clients see it: cookie, protocol negotiation,
//! the handshake line, AutoMTLS with a pinned client certificate, health, shutdown.

use base64::Engine;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;
use tfplugin::tls::Identity;

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-trustchain");
const COOKIE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

fn command() -> Command {
    let mut c = Command::new(BIN);
    for k in [
        "TF_PLUGIN_MAGIC_COOKIE",
        "PLUGIN_PROTOCOL_VERSIONS",
        "PLUGIN_CLIENT_CERT",
        "TF_LOG",
        "TF_LOG_PROVIDER",
    ] {
        c.env_remove(k);
    }
    c.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

struct Plugin {
    child: Child,
    line: String,
}

impl Plugin {
    fn start(client_cert_pem: Option<&str>) -> Self {
        let mut c = command();
        c.env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
            .env("PLUGIN_PROTOCOL_VERSIONS", "5,6");
        if let Some(pem) = client_cert_pem {
            c.env("PLUGIN_CLIENT_CERT", pem);
        }
        let mut child = c.spawn().expect("spawn provider");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read handshake");
        Self {
            child,
            line: line.trim_end().to_string(),
        }
    }

    fn fields(&self) -> Vec<&str> {
        self.line.split('|').collect()
    }

    fn socket(&self) -> String {
        self.fields()[3].to_string()
    }

    fn server_cert(&self) -> Vec<u8> {
        base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(self.fields()[5])
            .expect("cert is unpadded base64")
    }
}

impl Drop for Plugin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

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

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn pem_of(der: &CertificateDer<'_>) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der.as_ref());
    let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        pem.push('\n');
    }
    pem.push_str("-----END CERTIFICATE-----\n");
    pem
}

/// Trusts exactly the certificate from the handshake line, as go-plugin does.
#[derive(Debug)]
struct PinnedServer(Vec<u8>);

impl ServerCertVerifier for PinnedServer {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.0.as_slice() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(
                "unexpected server certificate".into(),
            ))
        }
    }
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            m,
            c,
            d,
            &rustls::crypto::aws_lc_rs::default_provider().signature_verification_algorithms,
        )
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            m,
            c,
            d,
            &rustls::crypto::aws_lc_rs::default_provider().signature_verification_algorithms,
        )
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        rustls::crypto::aws_lc_rs::default_provider()
            .signature_verification_algorithms
            .supported_schemes()
    }
}

async fn channel(
    socket: &str,
    tls: Option<(&Identity, Vec<u8>)>,
) -> Result<tonic::transport::Channel, tonic::transport::Error> {
    let socket = socket.to_string();
    let connector = tls.map(|(id, server)| {
        let mut cfg = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(PinnedServer(server)))
        .with_client_auth_cert(vec![id.cert.clone()], id.key())
        .expect("client cert");
        cfg.alpn_protocols = vec![b"h2".to_vec()];
        tokio_rustls::TlsConnector::from(Arc::new(cfg))
    });
    tonic::transport::Endpoint::from_static("http://localhost")
        .connect_timeout(Duration::from_secs(5))
        .connect_with_connector(tower::service_fn(move |_| {
            let socket = socket.clone();
            let connector = connector.clone();
            async move {
                let stream = tokio::net::UnixStream::connect(&socket).await?;
                let io: Box<dyn IoStream> = match connector {
                    Some(c) => Box::new(
                        c.connect(ServerName::try_from("localhost").expect("name"), stream)
                            .await?,
                    ),
                    None => Box::new(stream),
                };
                Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(io))
            }
        }))
        .await
}

trait IoStream: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin> IoStream for T {}

async fn health(socket: &str, tls: Option<(&Identity, Vec<u8>)>) -> Result<i32, String> {
    let channel = channel(socket, tls).await.map_err(|e| e.to_string())?;
    let mut client = tonic_health::pb::health_client::HealthClient::new(channel);
    let r = tokio::time::timeout(
        Duration::from_secs(5),
        client.check(tonic_health::pb::HealthCheckRequest {
            service: "plugin".into(),
        }),
    )
    .await
    .map_err(|_| "timed out".to_string())?
    .map_err(|e| e.to_string())?;
    Ok(r.into_inner().status)
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
