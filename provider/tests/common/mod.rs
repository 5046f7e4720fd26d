//! The harness the provider's process-level tests share: the binary started the way
//! Terraform starts it, and gRPC channels over its unix socket (plain or AutoMTLS
//! with the announced server certificate pinned).
#![allow(dead_code)] // each test file uses a different part

use base64::Engine;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;
use tfplugin::tls::Identity;

pub const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-trustchain");
pub const COOKIE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

pub fn command() -> Command {
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

pub struct Plugin {
    pub child: Child,
    pub line: String,
}

impl Plugin {
    pub fn start(client_cert_pem: Option<&str>) -> Self {
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

    pub fn fields(&self) -> Vec<&str> {
        self.line.split('|').collect()
    }

    pub fn socket(&self) -> String {
        self.fields()[3].to_string()
    }

    pub fn server_cert(&self) -> Vec<u8> {
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

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

pub fn pem_of(der: &CertificateDer<'_>) -> String {
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
pub struct PinnedServer(Vec<u8>);

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

pub async fn channel(
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

pub trait IoStream: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin> IoStream for T {}

pub async fn health(socket: &str, tls: Option<(&Identity, Vec<u8>)>) -> Result<i32, String> {
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

/// Figures for `make test` to print after the run (`target/reports/<name>.txt`).
pub fn write_report(name: &str, text: &str) {
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
        .join("reports");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(format!("{name}.txt")), format!("{text}\n"));
}

/// Runs the binary to completion, but at most `limit`: a plugin that should have
/// refused to start and is serving instead is killed and reported as hung.
/// Output is small here (a message, a few JSON lines), so polling the exit status
/// while the pipes fill cannot deadlock.
pub fn output_within(mut c: Command, limit: Duration) -> std::process::Output {
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().expect("spawn");
    let deadline = std::time::Instant::now() + limit;
    while child.try_wait().expect("wait").is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().expect("collect output");
            panic!(
                "{:?} still ran after {limit:?}; stdout {:?}, stderr {:?}",
                c.get_program(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("collect output")
}
