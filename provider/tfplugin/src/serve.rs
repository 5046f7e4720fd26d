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
    /// PLUGIN_UNIX_SOCKET_DIR: where go-plugin makes plugins create their socket.
    pub socket_dir: Option<PathBuf>,
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
            socket_dir: var("PLUGIN_UNIX_SOCKET_DIR").map(PathBuf::from),
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
    // The socket's private directory belongs to this frame: it is removed when main
    // returns, whatever ended the server (Shutdown, SIGTERM, SIGINT in debug mode,
    // Terraform gone), and when a panic unwinds through here.
    let socket = match SocketDir::create(env.socket_dir.as_deref()) {
        Ok(dir) => Some(dir),
        Err(e) => {
            tracing::warn!(error = %e, "no private directory for the unix socket, falling back to tcp");
            None
        }
    };
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
    let result = rt.block_on(serve_in(Arc::new(provider), config, env, socket.as_ref()));
    drop(rt);
    drop(socket);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "provider stopped");
            eprintln!("{e}");
            ExitCode::from(1)
        }
    }
}

/// A fresh directory only this user can enter (0700, whatever the umask), made for
/// the plugin's socket (`plugin.sock`, 0600) under PLUGIN_UNIX_SOCKET_DIR or the
/// temp dir. Dropping it removes the socket and the directory.
#[derive(Debug)]
pub struct SocketDir {
    dir: PathBuf,
    socket: PathBuf,
}

impl SocketDir {
    /// Creates the directory under `parent` (else PLUGIN_UNIX_SOCKET_DIR's default,
    /// the temp dir) with an unpredictable name; never reuses an existing one.
    pub fn create(parent: Option<&std::path::Path>) -> std::io::Result<Self> {
        use std::hash::{BuildHasher, Hasher};
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        let parent = parent.map_or_else(std::env::temp_dir, std::path::Path::to_path_buf);
        let mut last = None;
        for attempt in 0..16u32 {
            // RandomState is seeded from the OS's randomness.
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u32(std::process::id());
            h.write_u32(attempt);
            let dir = parent.join(format!("tfplugin-{:016x}", h.finish()));
            match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
                Ok(()) => {
                    // The umask may only have narrowed 0700; make it exactly that.
                    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
                    let socket = dir.join("plugin.sock");
                    return Ok(Self { dir, socket });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| std::io::Error::other("no free directory name")))
    }

    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }

    pub fn socket(&self) -> &std::path::Path {
        &self.socket
    }
}

impl Drop for SocketDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.socket);
        let _ = std::fs::remove_dir(&self.dir);
    }
}

enum Listener {
    Unix(UnixListener, PathBuf),
    Tcp(TcpListener),
}

impl Listener {
    async fn bind(env: &HandshakeEnv, socket: Option<&SocketDir>) -> Result<Self, ServeError> {
        if let Some(socket) = socket {
            match UnixListener::bind(socket.socket()) {
                Ok(l) => {
                    use std::os::unix::fs::PermissionsExt;
                    // Owner only, whatever the umask (the directory already is).
                    std::fs::set_permissions(
                        socket.socket(),
                        std::fs::Permissions::from_mode(0o600),
                    )
                    .map_err(ServeError::Listen)?;
                    return Ok(Listener::Unix(l, socket.socket().to_path_buf()));
                }
                Err(e) => {
                    tracing::warn!(error = %e, "unix socket unavailable, falling back to tcp")
                }
            }
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

/// Serves until GRPCController.Shutdown, SIGTERM or SIGHUP, Terraform exiting (the
/// parent process goes away), or Ctrl-C in debug mode; the socket lives in a
/// private directory removed on return.
pub async fn serve(
    provider: Arc<dyn Provider>,
    config: ServeConfig,
    env: HandshakeEnv,
) -> Result<(), ServeError> {
    let socket = SocketDir::create(env.socket_dir.as_deref()).ok();
    serve_in(provider, config, env, socket.as_ref()).await
}

async fn serve_in(
    provider: Arc<dyn Provider>,
    config: ServeConfig,
    env: HandshakeEnv,
    socket: Option<&SocketDir>,
) -> Result<(), ServeError> {
    let tls = match (&env.client_cert, config.debug) {
        (Some(pem), false) => {
            let identity = Identity::generate()?;
            let client = tls::parse_client_certs(pem)?;
            Some((tls::server_config(&identity, client)?, identity.cert))
        }
        _ => None,
    };
    let listener = Listener::bind(&env, socket).await?;
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

    spawn_signal_handler(config.debug, shutdown_tx.clone());
    spawn_exit_watchers(config.debug, shutdown_tx.clone());
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

/// Installed before the handshake line is printed: a Ctrl-C right after Terraform
/// starts the plugin must not find the default action (exit) still in place.
fn spawn_signal_handler(debug: bool, shutdown: watch::Sender<bool>) {
    let Ok(mut interrupts) =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
    else {
        return;
    };
    tokio::spawn(async move {
        loop {
            if interrupts.recv().await.is_none() {
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

/// Ends the server when the process is asked to terminate (SIGTERM, SIGHUP) and
/// when Terraform is gone without a Shutdown (killed, crashed: the plugin is then
/// reparented). go-plugin hands the plugin Terraform's own stdin, so reading it to
/// notice the end would steal what the user types at Terraform's prompts; the
/// parent process is the signal instead.
fn spawn_exit_watchers(debug: bool, shutdown: watch::Sender<bool>) {
    use tokio::signal::unix::{SignalKind, signal};
    for (kind, name) in [
        (SignalKind::terminate(), "SIGTERM"),
        (SignalKind::hangup(), "SIGHUP"),
    ] {
        let Ok(mut s) = signal(kind) else { continue };
        let shutdown = shutdown.clone();
        tokio::spawn(async move {
            if s.recv().await.is_some() {
                tracing::info!(signal = name, "stopping on signal");
                let _ = shutdown.send(true);
            }
        });
    }
    if debug {
        return;
    }
    let parent = std::os::unix::process::parent_id();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(PARENT_POLL).await;
            if std::os::unix::process::parent_id() != parent {
                tracing::warn!("Terraform exited without shutting the plugin down; stopping");
                let _ = shutdown.send(true);
                return;
            }
        }
    });
}

/// How often the plugin checks that Terraform (its parent) is still there.
const PARENT_POLL: std::time::Duration = std::time::Duration::from_millis(500);

/// How long a client may take to complete the TLS handshake. Terraform's takes
/// milliseconds; a connection that says nothing is closed after this.
pub const HANDSHAKE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
/// Connections allowed in the TLS handshake at once. A new one beyond this closes
/// the oldest still-pending one, so idle connections can never keep Terraform's
/// (always the newest) from being served.
pub const MAX_PENDING_HANDSHAKES: usize = 32;

/// Handshakes in progress, oldest first: their ids and the means to cancel them.
#[derive(Default)]
struct Pending {
    next: u64,
    queue: std::collections::VecDeque<(u64, tokio::sync::oneshot::Sender<()>)>,
}

impl Pending {
    /// Registers a handshake; when over the cap, cancels the oldest one.
    fn admit(&mut self) -> (u64, tokio::sync::oneshot::Receiver<()>) {
        while self.queue.len() >= MAX_PENDING_HANDSHAKES {
            if let Some((id, cancel)) = self.queue.pop_front() {
                tracing::debug!(id, "too many pending TLS handshakes; closing the oldest");
                let _ = cancel.send(());
            }
        }
        let id = self.next;
        self.next += 1;
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.queue.push_back((id, tx));
        (id, rx)
    }

    fn done(&mut self, id: u64) {
        self.queue.retain(|(i, _)| *i != id);
    }
}

/// Accepts connections, performs TLS handshakes off the accept path (each bounded
/// by [`HANDSHAKE_TIMEOUT`], at most [`MAX_PENDING_HANDSHAKES`] at once), and yields
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
        let pending = Arc::new(std::sync::Mutex::new(Pending::default()));
        loop {
            let accepted = tokio::select! {
                a = listener.accept() => a,
                _ = shutdown.wait_for(|s| *s) => return,
            };
            let transport = match accepted {
                Ok(t) => t,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    // Out of file descriptors, say: do not spin.
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
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
                    let Ok((id, cancelled)) = pending.lock().map(|mut p| p.admit()) else {
                        continue;
                    };
                    let pending = pending.clone();
                    tokio::spawn(async move {
                        let outcome = tokio::select! {
                            r = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(transport)) => r.ok(),
                            _ = cancelled => None,
                        };
                        if let Ok(mut p) = pending.lock() {
                            p.done(id);
                        }
                        match outcome {
                            Some(Ok(s)) => {
                                let conn = Conn::Tls(Box::new(s));
                                let _ = tx.send(Ok(FixAuthority::new(conn))).await;
                            }
                            Some(Err(e)) => tracing::warn!(error = %e, "TLS handshake refused"),
                            None => tracing::debug!(
                                "TLS handshake not completed in time; connection closed"
                            ),
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn the_socket_directory_is_private_fresh_and_removed_when_a_panic_unwinds() {
        let parent = std::env::temp_dir();
        let dir = SocketDir::create(Some(&parent)).expect("create");
        let other = SocketDir::create(Some(&parent)).expect("create");
        assert_ne!(dir.dir(), other.dir());
        let mode = std::fs::metadata(dir.dir())
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700);
        assert_eq!(dir.socket().parent(), Some(dir.dir()));
        let (path, socket) = (dir.dir().to_path_buf(), dir.socket().to_path_buf());
        std::fs::write(&socket, b"").expect("stand-in socket file");
        // main owns the guard: a panic unwinding through it removes both.
        let r = std::panic::catch_unwind(move || {
            let _guard = dir;
            panic!("boom");
        });
        assert!(r.is_err());
        assert!(
            !socket.exists() && !path.exists(),
            "{} left",
            path.display()
        );
    }
}
