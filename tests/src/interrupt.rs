//! Ctrl-C during a Terraform command: SIGINT once the emulator shows the command has
//! reached the wait to interrupt; what Terraform did after is for the test to judge.

use crate::Workspace;
use std::io::Read;
use std::process::Stdio;
use std::time::{Duration, Instant};

pub struct Interrupted {
    /// stdout and stderr of the interrupted command.
    pub output: String,
    pub elapsed_after_interrupt: Duration,
    /// Terraform exited by itself after the SIGINT (not killed at the harness's bound).
    pub exited_by_itself: bool,
    /// Its exit code (None when killed).
    pub code: Option<i32>,
}

/// Runs `terraform apply` and sends it SIGINT (Ctrl-C) once `ready()` holds. The
/// harness kills it if it has not exited 60 s after the signal (a bound against a
/// hang, not an assertion: `exited_by_itself` says which happened).
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
    let deadline = Instant::now() + Duration::from_secs(180);
    while !ready() {
        if Instant::now() > deadline || child.try_wait().ok().flatten().is_some() {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "apply never reached the point to interrupt:\n{}\n{}",
                t_out.join().unwrap_or_default(),
                t_err.join().unwrap_or_default()
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
    let mut exited_by_itself = true;
    loop {
        if child.try_wait().ok().flatten().is_some() {
            break;
        }
        if Instant::now() > stop_by {
            exited_by_itself = false;
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let elapsed_after_interrupt = sent.elapsed();
    let code = child.wait().ok().and_then(|s| s.code());
    Interrupted {
        output: format!(
            "{}\n{}",
            t_out.join().unwrap_or_default(),
            t_err.join().unwrap_or_default()
        ),
        elapsed_after_interrupt,
        exited_by_itself,
        code: if exited_by_itself { code } else { None },
    }
}
