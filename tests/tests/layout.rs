//! Layout rules a newcomer can rely on (issue 23): nothing in the repository points at a
//! path outside it, and source files stay readable (at most 800 lines in `provider/`,
//! `codegen/src/` and `tests/src/`; an exception is listed with its length and may only shrink).

use acceptance::workspace_root;
use std::process::Command;

fn tracked_files() -> Vec<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(workspace_root())
        .args(["ls-files", "-z"])
        .output()
        .expect("git ls-files");
    assert!(out.status.success(), "git ls-files failed");
    String::from_utf8_lossy(&out.stdout)
        .split('\0')
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Text a file may not contain: a path into the sibling directory the project was
/// created from, or into a developer's machine. This file names them to look for them.
const OUTSIDE: &[&str] = &["../shared/", "../shared ", "/work/", "/root/"];

#[test]
fn no_file_points_outside_the_repository() {
    let root = workspace_root();
    let mut found = Vec::new();
    for path in tracked_files() {
        if path == "tests/tests/layout.rs" || path == "codegen/tests/golden.rs" {
            continue; // these name the patterns in order to look for them
        }
        let Ok(text) = std::fs::read_to_string(root.join(&path)) else {
            continue; // binary or gone from the work tree
        };
        for (n, line) in text.lines().enumerate() {
            if OUTSIDE.iter().any(|p| line.contains(p)) {
                found.push(format!("{path}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "paths outside the repository (bring the facts into docs/ with their sources instead):\n{}",
        found.join("\n")
    );
}

/// Files over the limit, with their length when listed: each may only shrink, and leaves
/// this list once it is under the limit (empty since module_check.rs was split).
const TOO_LONG: &[(&str, usize)] = &[];
const LIMIT: usize = 800;

#[test]
fn source_files_stay_under_800_lines() {
    let root = workspace_root();
    let mut problems = Vec::new();
    for path in tracked_files() {
        let in_scope = ["provider/", "codegen/src/", "tests/src/"]
            .iter()
            .any(|d| path.starts_with(d))
            && (path.ends_with(".rs") || path.ends_with(".py"));
        if !in_scope {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(root.join(&path)) else {
            continue;
        };
        let lines = text.lines().count();
        match TOO_LONG.iter().find(|(p, _)| *p == path) {
            Some((_, was)) if lines > *was => problems.push(format!(
                "{path}: {lines} lines, more than the {was} it had (split it)"
            )),
            Some(_) if lines <= LIMIT => problems.push(format!(
                "{path}: {lines} lines, under {LIMIT} now: remove it from TOO_LONG"
            )),
            Some(_) => {}
            None if lines > LIMIT => problems.push(format!(
                "{path}: {lines} lines (limit {LIMIT}): split it by responsibility"
            )),
            None => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
