//! Helpers shared by the integration tests: the built `codegen` binary, the
//! workspace paths, real Terraform and byte snapshots of directory trees.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("codegen/ has a parent")
        .to_path_buf()
}

pub fn builtin_spec(platform: &str) -> String {
    fs::read_to_string(
        workspace()
            .join("codegen/platforms")
            .join(format!("{platform}.toml")),
    )
    .expect("built-in spec")
}

/// The `codegen` binary with a clean, fixed environment and `cwd`.
pub fn codegen(cwd: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_codegen"));
    cmd.current_dir(cwd);
    cmd
}

pub fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("codegen runs")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every file under `root` with its bytes, keyed by relative path.
pub fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).expect("under root").to_path_buf();
                out.insert(rel, fs::read(&path).expect("readable"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// Real Terraform: `TRUSTCHAIN_TERRAFORM`, else the project venv's launcher.
pub fn terraform() -> PathBuf {
    if let Some(p) = std::env::var_os("TRUSTCHAIN_TERRAFORM").map(PathBuf::from)
        && p.exists()
    {
        return p;
    }
    let venv = workspace().join(".venv/bin/terraform");
    assert!(
        venv.exists(),
        "real Terraform not found: set TRUSTCHAIN_TERRAFORM or run `make tools` to install {}",
        venv.display()
    );
    venv
}

/// `terraform fmt -check -recursive -diff <dirs>` with no CLI config; returns (success, output).
pub fn terraform_fmt_check(cwd: &Path, dirs: &[&str]) -> (bool, String) {
    let out = Command::new(terraform())
        .current_dir(cwd)
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .env("CHECKPOINT_DISABLE", "1")
        .args(["fmt", "-check", "-recursive", "-diff"])
        .args(dirs)
        .output()
        .expect("terraform runs");
    (
        out.status.success(),
        format!("{}{}", text(&out.stdout), text(&out.stderr)),
    )
}
