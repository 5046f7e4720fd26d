//! Serving a provider the way go-plugin does: magic cookie, protocol negotiation,
//! a unix socket (tcp fallback), AutoMTLS, the handshake line on stdout, and the
//! `plugin` side services (health, controller, stdio, broker).

use crate::authority::FixAuthority;
use crate::proto::plugin as ppb;
use crate::proto::tfplugin6::provider_server::ProviderServer;
use crate::provider::Provider;
use crate::server::ProviderService;
use crate::tls::{self, Identity};
use base64::Engine;
use futures_util::{Stream, StreamExt};
use std::io::Write;
use std::path::PathBuf;
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream, UnixListener, UnixStream};
use tokio::sync::{mpsc, watch};
use tonic::transport::server::Connected;
use tonic::{Request, Response, Status};

/// The cookie Terraform sets so a provider binary refuses to run outside Terraform.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
pub const CORE_PROTOCOL_VERSION: u32 = 1;
pub const APP_PROTOCOL_VERSION: u32 = 6;
/// How long open connections may delay exit after a shutdown request.
pub const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(2);
/// terraform-plugin-go raises gRPC message limits to 256 MiB; so do we.
pub const MAX_MESSAGE_SIZE: usize = 256 << 20;

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(
        "This binary is a plugin. These are not meant to be executed directly.\nPlease execute the program that consumes these plugins, which will\nload any plugins automatically (here: terraform with provider {0})."
    )]
    NoCookie(String),
    #[error(
        "Terraform offered plugin protocol version(s) {0:?}, but this provider speaks only protocol 6. Use Terraform 1.0 or later."
    )]
    ProtocolMismatch(String),
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    #[error("could not listen for Terraform: {0}")]
    Listen(std::io::Error),
    #[error("gRPC server failed: {0}")]
    Transport(#[from] tonic::transport::Error),
    #[error("could not start the async runtime: {0}")]
    Runtime(std::io::Error),
}

/// How the provider was started.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    /// Full provider address, e.g. `registry.terraform.io/trustchain/trustchain`.
    pub address: String,
    /// `--debug`: serve without Terraform, print TF_REATTACH_PROVIDERS, stop on Ctrl-C.
    pub debug: bool,
}

/// What the environment says about the handshake.
#[derive(Clone, Debug, Default)]
pub struct HandshakeEnv {
    pub cookie: Option<String>,
    pub protocol_versions: Option<String>,
    pub client_cert: Option<String>,
    pub min_port: Option<u16>,
    pub max_port: Option<u16>,
}

impl HandshakeEnv {
    pub fn from_process() -> Self {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        Self {
            cookie: var(MAGIC_COOKIE_KEY),
            protocol_versions: var("PLUGIN_PROTOCOL_VERSIONS"),
            client_cert: var("PLUGIN_CLIENT_CERT"),
            min_port: var("PLUGIN_MIN_PORT").and_then(|v| v.parse().ok()),
            max_port: var("PLUGIN_MAX_PORT").and_then(|v| v.parse().ok()),
        }
    }

    /// Checks the cookie and that protocol 6 is on offer (absent means 6).
    pub fn check(&self, address: &str) -> Result<(), ServeError> {
        if self.cookie.as_deref() != Some(MAGIC_COOKIE_VALUE) {
            return Err(ServeError::NoCookie(address.to_string()));
        }
        if let Some(offered) = &self.protocol_versions {
            let six = offered
                .split(',')
                .any(|v| v.trim().parse::<u32>() == Ok(APP_PROTOCOL_VERSION));
            if !six {
                return Err(ServeError::ProtocolMismatch(offered.clone()));
            }
        }
        Ok(())
    }
}

/// The line go-plugin clients read from stdout:
/// `CORE|APP|NETWORK|ADDRESS|grpc|CERT` with the server certificate in base64
/// without padding (empty when TLS is off).
pub fn handshake_line(network: &str, address: &str, cert_der: Option<&[u8]>) -> String {
    let cert = cert_der
        .map(|c| base64::engine::general_purpose::STANDARD_NO_PAD.encode(c))
        .unwrap_or_default();
    format!("{CORE_PROTOCOL_VERSION}|{APP_PROTOCOL_VERSION}|{network}|{address}|grpc|{cert}")
}

/// Entry point for a provider's `main`: parses `--debug`, checks the handshake
/// environment, serves until Terraform shuts the plugin down. Exit code 1 with a
/// human message on stderr when started outside Terraform.
pub fn main<P: Provider>(provider: P, address: &str) -> ExitCode {
    let debug = std::env::args()
        .skip(1)
        .any(|a| a == "--debug" || a == "-debug");
    let config = ServeConfig {
        address: address.to_string(),
        debug,
    };
    let env = HandshakeEnv::from_process();
    if !debug && let Err(e) = env.check(address) {
        eprintln!("{e}");
        return ExitCode::from(1);
    }
    crate::logging::init();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("{}", ServeError::Runtime(e));
            return ExitCode::from(1);
        }
    };
    match rt.block_on(serve(Arc::new(provider), config, env)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "provider stopped");
            eprintln!("{e}");
            ExitCode::from(1)
        }
    }
}

enum Listener {
    Unix(UnixListener, PathBuf),
    Tcp(TcpListener),
}

impl Listener {
    async fn bind(env: &HandshakeEnv) -> Result<Self, ServeError> {
        let dir = std::env::temp_dir();
        let name = format!(
            "plugin{}{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0)
        );
        let path = dir.join(name);
        match UnixListener::bind(&path) {
            Ok(l) => return Ok(Listener::Unix(l, path)),
            Err(e) => tracing::warn!(error = %e, "unix socket unavailable, falling back to tcp"),
        }
        let (min, max) = (env.min_port.unwrap_or(0), env.max_port.unwrap_or(0));
        if min > 0 && max >= min {
            for port in min..=max {
                if let Ok(l) = TcpListener::bind(("127.0.0.1", port)).await {
                    return Ok(Listener::Tcp(l));
                }
            }
        }
        TcpListener::bind(("127.0.0.1", 0))
            .await
            .map(Listener::Tcp)
            .map_err(ServeError::Listen)
    }

    fn network_and_address(&self) -> (String, String) {
        match self {
            Listener::Unix(_, p) => ("unix".into(), p.display().to_string()),
            Listener::Tcp(l) => (
                "tcp".into(),
                l.local_addr().map(|a| a.to_string()).unwrap_or_default(),
            ),
        }
    }

    async fn accept(&self) -> std::io::Result<Transport> {
        match self {
            Listener::Unix(l, _) => l.accept().await.map(|(s, _)| Transport::Unix(s)),
            Listener::Tcp(l) => l.accept().await.map(|(s, _)| Transport::Tcp(s)),
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let Listener::Unix(_, p) = self {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Serves until GRPCController.Shutdown (or Ctrl-C in debug mode).
pub async fn serve(
    provider: Arc<dyn Provider>,
    config: ServeConfig,
    env: HandshakeEnv,
) -> Result<(), ServeError> {
    let tls = match (&env.client_cert, config.debug) {
        (Some(pem), false) => {
            let identity = Identity::generate()?;
            let client = tls::parse_client_certs(pem)?;
            Some((tls::server_config(&identity, client)?, identity.cert))
        }
        _ => None,
    };
    let listener = Listener::bind(&env).await?;
    let (network, address) = listener.network_and_address();
    let (shutdown_tx, shutdown_rx) = watch::channel(false);

    let (health, health_service) = tonic_health::server::health_reporter();
    health
        .set_service_status("plugin", tonic_health::ServingStatus::Serving)
        .await;

    let provider_service = ProviderServer::new(ProviderService::new(provider))
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE);
    let side = SideServices {
        shutdown: shutdown_tx.clone(),
    };

    if config.debug {
        print_reattach(&config.address, &network, &address);
    } else {
        let line = handshake_line(&network, &address, tls.as_ref().map(|(_, c)| c.as_ref()));
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }
    tracing::info!(
        network,
        address,
        tls = tls.is_some(),
        "serving plugin protocol 6"
    );

    spawn_signal_handler(config.debug, shutdown_tx.clone());
    let incoming = accept_loop(listener, tls.map(|(c, _)| c), shutdown_rx.clone());
    let mut stop = shutdown_rx.clone();
    let mut stopped = shutdown_rx.clone();
    let server = tonic::transport::Server::builder()
        .add_service(health_service)
        .add_service(ppb::grpc_controller_server::GrpcControllerServer::new(
            side.clone(),
        ))
        .add_service(ppb::grpc_stdio_server::GrpcStdioServer::new(side.clone()))
        .add_service(ppb::grpc_broker_server::GrpcBrokerServer::new(side))
        .add_service(provider_service)
        .serve_with_incoming_shutdown(incoming, async move {
            let _ = stop.wait_for(|s| *s).await;
        });
    // Graceful shutdown waits for clients to close their connections; like
    // go-plugin's client, which kills the plugin 2 s after Shutdown, give them that
    // long and then exit regardless.
    let grace = async move {
        let _ = stopped.wait_for(|s| *s).await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    tokio::select! {
        r = server => r?,
        _ = grace => tracing::debug!("connections still open after the grace period; exiting"),
    }
    tracing::info!("plugin server stopped");
    Ok(())
}

fn print_reattach(provider_address: &str, network: &str, address: &str) {
    let reattach = serde_json::json!({
        provider_address: {
            "Protocol": "grpc",
            "ProtocolVersion": APP_PROTOCOL_VERSION,
            "Pid": std::process::id(),
            "Test": true,
            "Addr": {"Network": network, "String": address},
        }
    });
    println!(
        "Provider started. To attach Terraform CLI, set the TF_REATTACH_PROVIDERS environment variable with the following:\n\n\tTF_REATTACH_PROVIDERS='{reattach}'\n"
    );
    let _ = std::io::stdout().flush();
}

fn spawn_signal_handler(debug: bool, shutdown: watch::Sender<bool>) {
    tokio::spawn(async move {
        loop {
            if tokio::signal::ctrl_c().await.is_err() {
                return;
            }
            if debug {
                let _ = shutdown.send(true);
                return;
            }
            // Like go-plugin: Terraform handles Ctrl-C and stops us through
            // StopProvider and GRPCController.Shutdown, so ignore the signal.
            tracing::debug!("ignoring interrupt; Terraform will shut the plugin down");
        }
    });
}

/// Accepts connections, performs TLS handshakes off the accept path, and yields
/// ready connections to tonic, each behind the `:authority` fix (see `authority`:
/// grpcio and other non-Go clients send the socket path, which h2 refuses).
fn accept_loop(
    listener: Listener,
    tls: Option<Arc<rustls::ServerConfig>>,
    mut shutdown: watch::Receiver<bool>,
) -> impl Stream<Item = std::io::Result<FixAuthority<Conn>>> {
    let (tx, rx) = mpsc::channel::<std::io::Result<FixAuthority<Conn>>>(16);
    tokio::spawn(async move {
        let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
        loop {
            let accepted = tokio::select! {
                a = listener.accept() => a,
                _ = shutdown.wait_for(|s| *s) => return,
            };
            let transport = match accepted {
                Ok(t) => t,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    continue;
                }
            };
            let tx = tx.clone();
            match &acceptor {
                None => {
                    let _ = tx.send(Ok(FixAuthority::new(Conn::Plain(transport)))).await;
                }
                Some(acceptor) => {
                    let acceptor = acceptor.clone();
                    tokio::spawn(async move {
                        match acceptor.accept(transport).await {
                            Ok(s) => {
                                let conn = Conn::Tls(Box::new(s));
                                let _ = tx.send(Ok(FixAuthority::new(conn))).await;
                            }
                            Err(e) => tracing::warn!(error = %e, "TLS handshake refused"),
                        }
                    });
                }
            }
        }
    });
    tokio_stream::wrappers::ReceiverStream::new(rx)
}

/// A raw connection from the listener.
pub(crate) enum Transport {
    Unix(UnixStream),
    Tcp(TcpStream),
}

/// A connection handed to tonic: plain (debug mode, no client cert) or TLS.
pub(crate) enum Conn {
    Plain(Transport),
    Tls(Box<tokio_rustls::server::TlsStream<Transport>>),
}

macro_rules! delegate_io {
    ($t:ty, $($pat:path),+) => {
        impl AsyncRead for $t {
            fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
                match self.get_mut() { $($pat(s) => Pin::new(s).poll_read(cx, buf),)+ }
            }
        }
        impl AsyncWrite for $t {
            fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
                match self.get_mut() { $($pat(s) => Pin::new(s).poll_write(cx, buf),)+ }
            }
            fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
                match self.get_mut() { $($pat(s) => Pin::new(s).poll_flush(cx),)+ }
            }
            fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
                match self.get_mut() { $($pat(s) => Pin::new(s).poll_shutdown(cx),)+ }
            }
        }
    };
}

delegate_io!(Transport, Transport::Unix, Transport::Tcp);
delegate_io!(Conn, Conn::Plain, Conn::Tls);

impl Connected for FixAuthority<Conn> {
    type ConnectInfo = ();
    fn connect_info(&self) -> Self::ConnectInfo {}
}

/// GRPCController, GRPCStdio and GRPCBroker: all end when the plugin shuts down.
#[derive(Clone)]
struct SideServices {
    shutdown: watch::Sender<bool>,
}

type BoxStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

impl SideServices {
    /// A stream that yields nothing and ends at shutdown, so graceful shutdown is
    /// not held up by long-lived streams.
    fn until_shutdown<T: Send + 'static>(&self) -> BoxStream<T> {
        let mut rx = self.shutdown.subscribe();
        Box::pin(
            futures_util::stream::once(async move {
                let _ = rx.wait_for(|s| *s).await;
            })
            .filter_map(|_| async { None }),
        )
    }
}

#[tonic::async_trait]
impl ppb::grpc_controller_server::GrpcController for SideServices {
    async fn shutdown(&self, _req: Request<ppb::Empty>) -> Result<Response<ppb::Empty>, Status> {
        tracing::debug!("shutdown requested by Terraform");
        let _ = self.shutdown.send(true);
        Ok(Response::new(ppb::Empty {}))
    }
}

#[tonic::async_trait]
impl ppb::grpc_stdio_server::GrpcStdio for SideServices {
    type StreamStdioStream = BoxStream<ppb::StdioData>;

    async fn stream_stdio(
        &self,
        _req: Request<ppb::Empty>,
    ) -> Result<Response<Self::StreamStdioStream>, Status> {
        // Logs go to stderr as JSON lines, which Terraform reads directly.
        Ok(Response::new(self.until_shutdown()))
    }
}

#[tonic::async_trait]
impl ppb::grpc_broker_server::GrpcBroker for SideServices {
    type StartStreamStream = BoxStream<ppb::ConnInfo>;

    async fn start_stream(
        &self,
        req: Request<tonic::Streaming<ppb::ConnInfo>>,
    ) -> Result<Response<Self::StartStreamStream>, Status> {
        // Providers open no extra connections; drain what the client sends.
        let mut incoming = req.into_inner();
        tokio::spawn(async move { while let Some(Ok(_)) = incoming.next().await {} });
        Ok(Response::new(self.until_shutdown()))
    }
}
