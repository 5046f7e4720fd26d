//! checkov with the rule pack over the changed modules, once at the base and once at
//! the head (each tree with its own rule pack, as `make validate-modules` runs at each
//! revision); the results that differ.

use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::checkov::{self, Finding};

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Result {
    pub module: String,
    pub check_id: String,
    pub check_name: String,
    pub resource: String,
    /// From the rule pack (`CKV_TC_*`, `CKV2_TC_*`) rather than checkov's own checks.
    pub rule_pack: bool,
    /// File and line at the side it was found.
    pub file: String,
    pub line: u64,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct PolicyDiff {
    pub modules: Vec<String>,
    /// Failing at the head, not at the base (new failures first in the report).
    pub new_failures: Vec<Result>,
    /// Failing at the base, passing (or gone) at the head.
    pub fixed: Vec<Result>,
    /// Failing at both.
    pub still_failing: usize,
    /// Why the checks did not run, when they did not.
    pub error: Option<String>,
    pub seconds: f64,
}

/// A side to check: its tree root (with `tests/rule-pack/` when it has one).
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub root: &'a Path,
}

/// Runs checkov over `modules` (relative paths) of both sides; `fallback_pack` is used
/// for a side without its own rule pack.
pub fn diff(
    checkov_program: &Path,
    modules: &[String],
    base: Side<'_>,
    head: Side<'_>,
    fallback_pack: &Path,
) -> PolicyDiff {
    let start = std::time::Instant::now();
    let mut out = PolicyDiff {
        modules: modules.to_vec(),
        ..PolicyDiff::default()
    };
    if modules.is_empty() {
        return out;
    }
    let failing = |side: &Side<'_>| -> std::result::Result<BTreeMap<Key, Result>, String> {
        let tmp = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
        let present: Vec<&String> = modules
            .iter()
            .filter(|m| side.root.join(m).is_dir())
            .collect();
        if present.is_empty() {
            return Ok(BTreeMap::new());
        }
        for m in &present {
            copy_dir(&side.root.join(m), &tmp.path().join(m))
                .map_err(|e| format!("copying {m}: {e}"))?;
        }
        let own = checkov::pack_dir(side.root);
        let pack = if own.is_dir() {
            own
        } else {
            fallback_pack.to_path_buf()
        };
        let json = checkov::run(checkov_program, tmp.path(), &pack, None)?;
        let found = checkov::findings(&json)?;
        Ok(failures(tmp.path(), &present, found))
    };
    // Both sides at once: checkov spends most of its time starting up.
    let (b, h) = std::thread::scope(|s| {
        let b = s.spawn(|| failing(&base));
        let h = failing(&head);
        (
            b.join()
                .unwrap_or_else(|_| Err("checkov thread panicked".into())),
            h,
        )
    });
    let (b, h) = match (b, h) {
        (Ok(b), Ok(h)) => (b, h),
        (Err(e), _) | (_, Err(e)) => {
            out.error = Some(e);
            out.seconds = start.elapsed().as_secs_f64();
            return out;
        }
    };
    let bk: BTreeSet<&Key> = b.keys().collect();
    let hk: BTreeSet<&Key> = h.keys().collect();
    out.new_failures = hk.difference(&bk).map(|k| h[*k].clone()).collect();
    out.fixed = bk.difference(&hk).map(|k| b[*k].clone()).collect();
    out.still_failing = bk.intersection(&hk).count();
    // Rule-pack results first: the project's own rules say what AWS refuses.
    for list in [&mut out.new_failures, &mut out.fixed] {
        list.sort_by(|x, y| {
            (!x.rule_pack, &x.module, &x.check_id).cmp(&(!y.rule_pack, &y.module, &y.check_id))
        });
    }
    out.seconds = start.elapsed().as_secs_f64();
    out
}

/// (module, check, resource): lines move when files change, so they are not part of it.
type Key = (String, String, String);

fn failures(root: &Path, modules: &[&String], found: Vec<Finding>) -> BTreeMap<Key, Result> {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut out = BTreeMap::new();
    for f in found.into_iter().filter(|f| f.outcome == "failed") {
        let file = f.file.canonicalize().unwrap_or(f.file.clone());
        let rel = file
            .strip_prefix(&root)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| f.file.display().to_string());
        let rel = rel.trim_start_matches('/').to_string();
        let module = modules
            .iter()
            .filter(|m| rel.starts_with(&format!("{m}/")))
            .max_by_key(|m| m.len())
            .map(|m| m.to_string())
            .unwrap_or_default();
        let key = (module.clone(), f.check_id.clone(), f.resource.clone());
        out.insert(
            key,
            Result {
                module,
                rule_pack: checkov::is_pack_id(&f.check_id),
                check_id: f.check_id,
                check_name: f.check_name,
                resource: f.resource,
                file: rel,
                line: f.line,
            },
        );
    }
    out
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()))?;
        } else {
            std::fs::copy(&p, to.join(e.file_name()))?;
        }
    }
    Ok(())
}
