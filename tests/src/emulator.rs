//! The AWS emulator (moto, see tests/emulator/) as a child process on 127.0.0.1.

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

    /// Makes the next `count` calls of `action` fail with `code` (see
    /// tests/emulator/faults.py).
    pub fn inject_fault(&self, action: &str, code: &str, count: u32) {
        let body = serde_json::json!({"action": action, "code": code, "count": count}).to_string();
        let request = format!(
            "POST /_trustchain/faults HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        use std::io::{Read, Write};
        let mut s =
            std::net::TcpStream::connect(("127.0.0.1", self.port)).expect("connect emulator");
        s.write_all(request.as_bytes()).expect("send fault");
        let mut reply = String::new();
        let _ = s.read_to_string(&mut reply);
        assert!(
            reply.starts_with("HTTP/1.1 204") || reply.starts_with("HTTP/1.0 204"),
            "fault not accepted: {reply}"
        );
    }

    /// One AWS API call (boto3 operation name, JSON parameters), e.g.
    /// `call("ec2", "describe_subnets", json!({}))`; panics on API errors.
    pub fn call(
        &self,
        service: &str,
        operation: &str,
        params: serde_json::Value,
    ) -> serde_json::Value {
        let script = crate::workspace_root().join("tests/emulator/aws_call.py");
        let out = Command::new(crate::python_bin())
            .arg(script)
            .args([self.url().as_str(), service, operation, &params.to_string()])
            .output()
            .expect("run aws_call.py");
        assert!(
            out.status.success(),
            "{service}.{operation} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("aws_call.py prints JSON")
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
