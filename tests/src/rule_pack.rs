//! The project's checkov rule pack (`tests/rule-pack/`): custom policies for what AWS
//! refuses or silently breaks although the HCL is valid. Graph policies (YAML) live in
//! `graph/`, Python checks in `python/`; each has a fixture under
//! `tests/fixtures/rule-pack/<ID>/` whose resources named `violates*` must fail it and
//! whose resources named `fixed*` must pass it.
//!
//! `make validate-modules` runs the pack over every module and example beside checkov's
//! own checks ([`crate::validate_modules`]); `tests/tests/rule_pack.rs` runs it over the
//! fixtures.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::workspace_root;

// The runner itself lives in `codegen::checkov`, shared with `codegen review`.
pub use codegen::checkov::{is_pack_id, pack_dir};

pub fn fixtures_dir(root: &Path) -> PathBuf {
    root.join("tests/fixtures/rule-pack")
}

/// One policy file of the pack, with what it says about itself.
#[derive(Clone, Debug)]
pub struct Policy {
    pub id: String,
    /// `graph` (YAML) or `python`.
    pub kind: &'static str,
    pub file: PathBuf,
    /// The documentation link checkov prints (`guideline`).
    pub guideline: Option<String>,
    /// The `AWS rule:` text of the file's header comment or docstring.
    pub aws_rule: Option<String>,
}

/// Every policy in the pack, sorted by ID (numerically within each prefix).
pub fn policies(root: &Path) -> Vec<Policy> {
    let mut out = Vec::new();
    for (sub, kind, ext) in [("graph", "graph", "yaml"), ("python", "python", "py")] {
        let dir = pack_dir(root).join(sub);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            if path.extension().is_none_or(|x| x != ext) {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let Some(id) = policy_id(&text, kind) else {
                continue;
            };
            out.push(Policy {
                id,
                kind,
                guideline: guideline(&text, kind),
                aws_rule: aws_rule(&text),
                file: path,
            });
        }
    }
    out.sort_by_key(|p| sort_key(&p.id));
    out
}

fn sort_key(id: &str) -> (String, u32) {
    let (prefix, n) = id.rsplit_once('_').unwrap_or((id, "0"));
    (prefix.to_string(), n.parse().unwrap_or(0))
}

fn policy_id(text: &str, kind: &str) -> Option<String> {
    let found = if kind == "graph" {
        text.lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix("id:"))
            .map(|v| v.trim().trim_matches('"').to_string())
    } else {
        // The first `id="..."` keyword argument naming a pack check.
        text.match_indices("id=")
            .filter_map(|(i, _)| quoted_after(&text[i..], "id="))
            .find(|id| is_pack_id(id))
    };
    found.filter(|id| is_pack_id(id))
}

fn guideline(text: &str, kind: &str) -> Option<String> {
    if kind == "graph" {
        text.lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix("guideline:"))
            .map(|v| v.trim().trim_matches('"').to_string())
    } else {
        quoted_after(text, "guideline=")
    }
}

/// The text after `AWS rule:` up to the end of its paragraph (comment markers dropped).
fn aws_rule(text: &str) -> Option<String> {
    let start = text.find("AWS rule:")? + "AWS rule:".len();
    let mut rule = String::new();
    for line in text[start..].lines() {
        let line = line.trim().trim_start_matches('#').trim();
        if line.is_empty() || line.starts_with("AWS documents it") || line.starts_with("\"\"\"") {
            break;
        }
        if !rule.is_empty() {
            rule.push(' ');
        }
        rule.push_str(line);
    }
    (!rule.is_empty()).then_some(rule)
}

fn quoted_after(text: &str, key: &str) -> Option<String> {
    let rest = &text[text.find(key)? + key.len()..];
    let rest = rest.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let body = &rest[1..];
    body.find(quote).map(|end| body[..end].to_string())
}

/// One checkov result of a pack policy over a fixture.
#[derive(Clone, Debug)]
pub struct FixtureResult {
    pub check_id: String,
    /// Fixture directory name (the policy ID it belongs to).
    pub fixture: String,
    pub resource: String,
    pub passed: bool,
}

/// Runs checkov once over all fixtures with only the pack's checks.
pub fn run_on_fixtures(root: &Path, ids: &[String]) -> Result<Vec<FixtureResult>, String> {
    let fixtures = fixtures_dir(root);
    let json = run_checkov(&fixtures, &pack_dir(root), Some(ids))?;
    let findings = codegen::checkov::findings(&json)?;
    let out = findings
        .into_iter()
        .filter(|f| f.outcome != "skipped")
        .map(|f| FixtureResult {
            fixture: f
                .file
                .strip_prefix(&fixtures)
                .ok()
                .and_then(|p| p.components().next())
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .unwrap_or_default(),
            passed: f.outcome == "passed",
            check_id: f.check_id,
            resource: f.resource,
        })
        .collect();
    Ok(out)
}

/// `tools/checkov -d <dir> --external-checks-dir <pack> -o json` (offline, see the
/// wrapper), optionally restricted to `checks`. Exit 1 (failed checks) is a result.
pub fn run_checkov(
    dir: &Path,
    pack: &Path,
    checks: Option<&[String]>,
) -> Result<serde_json::Value, String> {
    codegen::checkov::run(
        &codegen::checkov::program(&workspace_root()),
        dir,
        pack,
        checks,
    )
}

/// Per policy: (violating resources that failed, violating that passed, fixed that
/// passed, fixed that failed).
pub fn tally(results: &[FixtureResult]) -> BTreeMap<String, [Vec<String>; 4]> {
    let mut out: BTreeMap<String, [Vec<String>; 4]> = BTreeMap::new();
    for r in results.iter().filter(|r| r.fixture == r.check_id) {
        let name = r.resource.rsplit('.').next().unwrap_or(&r.resource);
        let name = name.split('[').next().unwrap_or(name);
        let slot = match (
            name.starts_with("violates"),
            name.starts_with("fixed"),
            r.passed,
        ) {
            (true, _, false) => 0,
            (true, _, true) => 1,
            (_, true, true) => 2,
            (_, true, false) => 3,
            _ => continue,
        };
        out.entry(r.check_id.clone()).or_default()[slot].push(r.resource.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_rule_paragraph_is_read_from_comments() {
        let text = "# AWS rule: one\n# two\n# AWS documents it: x\nmetadata:\n";
        assert_eq!(aws_rule(text).as_deref(), Some("one two"));
    }

    #[test]
    fn python_ids_and_guidelines_are_read_from_keyword_arguments() {
        let text = "super().__init__(name=\"n\", id=\"CKV_TC_3\", guideline=\"https://x\")";
        assert_eq!(policy_id(text, "python").as_deref(), Some("CKV_TC_3"));
        assert_eq!(guideline(text, "python").as_deref(), Some("https://x"));
    }

    #[test]
    fn ids_sort_numerically() {
        let mut ids = vec!["CKV2_TC_10", "CKV2_TC_2", "CKV_TC_1"];
        ids.sort_by_key(|i| sort_key(i));
        assert_eq!(ids, ["CKV2_TC_2", "CKV2_TC_10", "CKV_TC_1"]);
    }
}
