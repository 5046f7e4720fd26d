//! The plugin's unix socket: created inside a fresh private directory (0700) under
//! PLUGIN_UNIX_SOCKET_DIR (go-plugin's variable) or the temp dir, mode 0600 whatever
//! the umask, and gone, directory and all, however the plugin ends: Shutdown,
//! SIGTERM, SIGINT (debug mode; under Terraform it is ignored, as go-plugin does),
//! or Terraform disappearing without a Shutdown. A panic unwinding out of `main` is
//! covered by `serve::tests` (the directory guard lives in `main`'s frame).

mod common;

use common::{COOKIE, Plugin, command, health, runtime};
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(10);

fn mode(p: &Path) -> u32 {
    std::fs::symlink_metadata(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .permissions()
        .mode()
        & 0o7777
}

/// Starts the plugin with `umask 000` (the worst case) through sh, optionally with
/// PLUGIN_UNIX_SOCKET_DIR; returns it with its socket path.
fn start_with_umask_000(socket_dir: Option<&Path>) -> Plugin {
    let mut sh = Command::new("sh");
    sh.arg("-c")
        .arg(format!("umask 000 && exec {}", common::BIN))
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .env_remove("PLUGIN_CLIENT_CERT")
        .env_remove("TF_LOG")
        .env_remove("TF_LOG_PROVIDER")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(d) = socket_dir {
        sh.env("PLUGIN_UNIX_SOCKET_DIR", d);
    } else {
        sh.env_remove("PLUGIN_UNIX_SOCKET_DIR");
    }
    let mut child = sh.spawn().expect("spawn plugin");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("handshake");
    Plugin {
        child,
        line: line.trim_end().to_string(),
    }
}

fn wait_exit(p: &mut Plugin, what: &str) -> std::process::ExitStatus {
    let deadline = Instant::now() + LIMIT;
    loop {
        if let Some(s) = p.child.try_wait().expect("wait") {
            return s;
        }
        assert!(
            Instant::now() < deadline,
            "plugin still running after {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn signal(pid: u32, sig: &str) {
    let ok = Command::new("kill")
        .args([&format!("-{sig}"), &pid.to_string()])
        .status()
        .expect("kill")
        .success();
    assert!(ok, "kill -{sig} {pid}");
}

fn assert_gone(socket: &Path, what: &str) {
    let dir = socket.parent().expect("socket dir");
    assert!(
        !socket.exists(),
        "socket {} left after {what}",
        socket.display()
    );
    assert!(
        !dir.exists(),
        "directory {} left after {what}",
        dir.display()
    );
}

#[test]
fn the_socket_is_private_whatever_the_umask_and_under_plugin_unix_socket_dir() {
    let parent = tempfile::tempdir().expect("tempdir");
    let mut p = start_with_umask_000(Some(parent.path()));
    let socket = PathBuf::from(p.socket());
    let dir = socket.parent().expect("dir").to_path_buf();
    assert_eq!(dir.parent(), Some(parent.path()), "{}", socket.display());
    assert_eq!(mode(&dir), 0o700, "directory mode of {}", dir.display());
    assert_eq!(mode(&socket) & 0o777, 0o600, "socket mode");
    // Still served (the owner can connect).
    let status = runtime()
        .block_on(health(&p.socket(), None))
        .expect("health");
    assert_eq!(status, 1);
    // A second plugin gets a directory of its own.
    let mut q = start_with_umask_000(Some(parent.path()));
    assert_ne!(
        PathBuf::from(q.socket()).parent(),
        Some(dir.as_path()),
        "directories are not fresh"
    );
    signal(p.child.id(), "TERM");
    signal(q.child.id(), "TERM");
    wait_exit(&mut p, "SIGTERM");
    wait_exit(&mut q, "SIGTERM");
    assert_gone(&socket, "SIGTERM");
}

#[test]
fn sigterm_removes_the_socket_and_its_directory() {
    let mut p = start_with_umask_000(None);
    let socket = PathBuf::from(p.socket());
    assert!(
        socket.starts_with(std::env::temp_dir()),
        "{}",
        socket.display()
    );
    assert!(socket.exists());
    signal(p.child.id(), "TERM");
    let status = wait_exit(&mut p, "SIGTERM");
    assert!(status.success(), "exit status {status}");
    assert_gone(&socket, "SIGTERM");
}

#[test]
fn sigint_is_ignored_under_terraform_and_shutdown_then_cleans_up() {
    let mut p = Plugin::start(None);
    let socket = PathBuf::from(p.socket());
    signal(p.child.id(), "INT");
    std::thread::sleep(Duration::from_millis(300));
    // Terraform handles Ctrl-C and stops the plugin through RPCs (go-plugin's rule).
    assert!(
        p.child.try_wait().expect("wait").is_none(),
        "exited on SIGINT"
    );
    assert!(socket.exists());
    runtime().block_on(async {
        let channel = common::channel(&p.socket(), None).await.expect("connect");
        tfplugin::testing::GrpcControllerClient::new(channel)
            .shutdown(tfplugin::testing::Empty {})
            .await
            .expect("shutdown rpc");
    });
    wait_exit(&mut p, "Shutdown");
    assert_gone(&socket, "SIGINT then Shutdown");
}

#[test]
fn sigint_in_debug_mode_removes_the_socket_and_its_directory() {
    let mut p = Plugin {
        child: command().arg("--debug").spawn().expect("spawn --debug"),
        line: String::new(),
    };
    let child = &mut p.child; // killed by Plugin's Drop if an assertion fails
    let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    let socket = loop {
        line.clear();
        assert!(
            reader.read_line(&mut line).expect("read") > 0,
            "no reattach line"
        );
        if let Some(rest) = line.trim().strip_prefix("TF_REATTACH_PROVIDERS='") {
            let v: serde_json::Value =
                serde_json::from_str(rest.trim_end_matches('\'')).expect("json");
            let addr = &v["registry.terraform.io/trustchain/trustchain"]["Addr"]["String"];
            break PathBuf::from(addr.as_str().expect("socket"));
        }
    };
    assert_eq!(mode(socket.parent().expect("dir")), 0o700);
    signal(child.id(), "INT");
    let deadline = Instant::now() + LIMIT;
    while child.try_wait().expect("wait").is_none() {
        assert!(Instant::now() < deadline, "debug server ignored SIGINT");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_gone(&socket, "SIGINT in debug mode");
}

#[test]
fn terraform_gone_without_a_shutdown_ends_the_plugin_and_removes_the_socket() {
    // Terraform killed (or crashed): go-plugin gives the plugin Terraform's own stdin,
    // which the plugin must not read, so it watches its parent instead. Here sh is
    // the parent standing in for Terraform.
    let mut sh = Command::new("sh");
    sh.arg("-c")
        .arg(format!("{} & echo \"pid $!\"; wait", common::BIN))
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .env_remove("PLUGIN_CLIENT_CERT")
        .env_remove("TF_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut parent = sh.spawn().expect("spawn sh");
    let mut reader = BufReader::new(parent.stdout.take().expect("stdout"));
    let (mut pid, mut socket) = (None, None);
    while pid.is_none() || socket.is_none() {
        let mut line = String::new();
        assert!(
            reader.read_line(&mut line).expect("read") > 0,
            "sh ended early"
        );
        if let Some(p) = line.trim().strip_prefix("pid ") {
            pid = p.parse::<u32>().ok();
        } else if line.starts_with("1|6|unix|") {
            socket = line.split('|').nth(3).map(PathBuf::from);
        }
    }
    let (pid, socket) = (pid.expect("pid"), socket.expect("socket"));
    assert!(socket.exists());
    let _ = parent.kill();
    let _ = parent.wait();
    let proc = PathBuf::from(format!("/proc/{pid}"));
    let deadline = Instant::now() + LIMIT;
    let alive = || {
        std::fs::read_to_string(proc.join("status"))
            .map(|s| {
                !s.lines()
                    .any(|l| l.starts_with("State:") && l.contains('Z'))
            })
            .unwrap_or(false)
    };
    while alive() || socket.exists() {
        if Instant::now() > deadline {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            panic!("plugin {pid} still running, or its socket left, after its parent died");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_gone(&socket, "the parent's death");
}
