//! Layout rules a newcomer can rely on (issue 23): nothing in the repository points at a
//! path outside it, source files stay readable (at most 800 lines in `provider/`,
//! `codegen/src/` and `tests/src/`; an exception is listed with its length and may only
//! shrink), and every resource folder has the same files.

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
/// this list once it is under the limit (empty since tests/src/validate_modules was split).
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

/// The files every resource folder has (provider/README.md, "Adding a resource").
const RESOURCE_FILES: &[&str] = &[
    "mod.rs",      // the Resource impl
    "schema.rs",   // schema() and identity_schema()
    "model.rs",    // the serde model and the identity
    "validate.rs", // checks that need no AWS call
    "plan.rs",     // modify_plan: values known at plan time, checks with AWS lookups
    "aws.rs",      // the calls to AWS (split by topic under aws/ past 800 lines)
];

/// Files a resource folder may have beside those: the model built from AWS's answers,
/// the list resource and the state moves from other resource types.
const RESOURCE_OPTIONAL: &[&str] = &["state.rs", "list.rs", "moved.rs"];

/// Files outside the shape, each with its reason; the list may only shrink.
const RESOURCE_EXCEPTIONS: &[&str] = &[
    // validate.rs's unit tests (`#[path]`), to fold back into validate.rs.
    "quic_load_balancer/validate_tests.rs",
];

/// What is wrong with one resource folder's files (`entries`: names, folders with a
/// trailing `/`).
fn resource_folder_problems(name: &str, entries: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    for f in RESOURCE_FILES {
        if !entries.iter().any(|e| e == f) {
            problems.push(format!("{name}/: {f} missing"));
        }
    }
    for e in entries {
        let known = RESOURCE_FILES.contains(&e.as_str())
            || RESOURCE_OPTIONAL.contains(&e.as_str())
            || RESOURCE_EXCEPTIONS.contains(&format!("{name}/{e}").as_str())
            || e == "aws/";
        if !known {
            problems.push(format!(
                "{name}/{e}: not a file of the resource shape (the AWS calls go in aws.rs, or aws/<topic>.rs past 800 lines)"
            ));
        }
    }
    problems
}

#[test]
fn every_resource_folder_has_the_same_files() {
    let dir = workspace_root().join("provider/src/resources");
    let mut problems = Vec::new();
    let mut folders = 0;
    for entry in std::fs::read_dir(&dir).expect("provider/src/resources") {
        let entry = entry.expect("entry");
        if !entry.file_type().expect("type").is_dir() {
            continue;
        }
        folders += 1;
        let name = entry.file_name().to_string_lossy().into_owned();
        let mut entries = Vec::new();
        for f in std::fs::read_dir(entry.path()).expect("resource folder") {
            let f = f.expect("entry");
            let mut n = f.file_name().to_string_lossy().into_owned();
            if f.file_type().expect("type").is_dir() {
                n.push('/');
            }
            entries.push(n);
        }
        problems.extend(resource_folder_problems(&name, &entries));
        for f in ["schema.rs", "validate.rs", "plan.rs"] {
            let text = std::fs::read_to_string(entry.path().join(f)).unwrap_or_default();
            if !text.contains("fn ") {
                problems.push(format!(
                    "{name}/{f}: no function (it holds the resource's own code)"
                ));
            }
        }
    }
    assert!(
        folders >= 6,
        "only {folders} resource folders found in {}",
        dir.display()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_folder_without_plan_rs_is_refused() {
    let entries: Vec<String> = [
        "mod.rs",
        "schema.rs",
        "model.rs",
        "validate.rs",
        "aws.rs",
        "create.rs",
    ]
    .map(String::from)
    .to_vec();
    assert_eq!(
        resource_folder_problems("example", &entries),
        [
            "example/: plan.rs missing".to_string(),
            "example/create.rs: not a file of the resource shape (the AWS calls go in aws.rs, or aws/<topic>.rs past 800 lines)".to_string(),
        ]
    );
}
