//! Running checkov with the project's rule pack (`tests/rule-pack/`): the one runner
//! `make validate-modules` (through `acceptance::rule_pack`) and `codegen review` use.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Check IDs of the pack: `CKV_TC_<n>` (Python, one resource) and `CKV2_TC_<n>` (graph).
pub fn is_pack_id(id: &str) -> bool {
    id.starts_with("CKV_TC_") || id.starts_with("CKV2_TC_")
}

/// The pack directory checkov loads with `--external-checks-dir`.
pub fn pack_dir(root: &Path) -> PathBuf {
    root.join("tests/rule-pack")
}

/// The checkov program: `TRUSTCHAIN_CHECKOV` (set by the Makefile), else the offline
/// wrapper `tools/checkov` of the checkout at `root`.
pub fn program(root: &Path) -> PathBuf {
    std::env::var_os("TRUSTCHAIN_CHECKOV")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("tools/checkov"))
}

/// checkov's JSON report is one object, or a list of them (one per framework).
fn reports(json: &serde_json::Value) -> Vec<&serde_json::Value> {
    match json {
        serde_json::Value::Array(v) => v.iter().collect(),
        other => vec![other],
    }
}

/// `<checkov> -d <dir> --external-checks-dir <pack> -o json` (offline, see the
/// wrapper), optionally restricted to `checks`. Exit 1 (failed checks) is a result.
pub fn run(
    checkov: &Path,
    dir: &Path,
    pack: &Path,
    checks: Option<&[String]>,
) -> Result<serde_json::Value, String> {
    if !pack.is_dir() {
        return Err(format!("rule pack {} is missing", pack.display()));
    }
    let mut cmd = Command::new(checkov);
    cmd.arg("-d")
        .arg(dir)
        .arg("--external-checks-dir")
        .arg(pack)
        .args(["--framework", "terraform", "-o", "json", "--compact"]);
    if let Some(ids) = checks {
        cmd.args(["--check", &ids.join(",")]);
    }
    let out = cmd
        .output()
        .map_err(|e| format!("could not run {}: {e}", checkov.display()))?;
    if !matches!(out.status.code(), Some(0 | 1)) {
        return Err(format!(
            "checkov exited with {:?} (run `make tools`?): {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        ));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("checkov printed no JSON report: {e}"))
}

/// One check result of a report.
#[derive(Clone, Debug)]
pub struct Finding {
    pub file: PathBuf,
    /// `passed`, `failed` or `skipped`.
    pub outcome: &'static str,
    pub check_id: String,
    pub check_name: String,
    pub line: u64,
    pub resource: String,
    /// The module call it was checked through, when any.
    pub caller: Option<String>,
}

/// Every result of a report; a file checkov could not parse is an error.
pub fn findings(json: &serde_json::Value) -> Result<Vec<Finding>, String> {
    let mut results = Vec::new();
    for report in reports(json) {
        let parse_errors = report["summary"]["parsing_errors"].as_u64().unwrap_or(0);
        if parse_errors > 0 {
            let files = report["results"]["parsing_errors"].to_string();
            return Err(format!(
                "checkov could not parse {parse_errors} file(s): {files}"
            ));
        }
        for (key, outcome) in [
            ("passed_checks", "passed"),
            ("failed_checks", "failed"),
            ("skipped_checks", "skipped"),
        ] {
            for c in report["results"][key].as_array().into_iter().flatten() {
                results.push(Finding {
                    file: PathBuf::from(c["file_abs_path"].as_str().unwrap_or("")),
                    outcome,
                    check_id: c["check_id"].as_str().unwrap_or("").to_string(),
                    check_name: c["check_name"].as_str().unwrap_or("").to_string(),
                    line: c["file_line_range"][0].as_u64().unwrap_or(0),
                    resource: c["resource"].as_str().unwrap_or("").to_string(),
                    caller: c["caller_file_path"].as_str().map(String::from),
                });
            }
        }
    }
    Ok(results)
}
