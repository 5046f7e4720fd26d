//! The committed modules/ is exactly what the generator writes today.

mod common;

use std::fs;

use common::{codegen, run, text, workspace};

#[test]
fn committed_modules_match_fresh_generation() {
    let ws = workspace();
    let out = run(codegen(&ws)
        .args(["check", "--out"])
        .arg(ws.join("modules")));
    assert!(
        out.status.success(),
        "modules/ is stale: run `make modules` and commit the result.\n{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

#[test]
fn check_exits_nonzero_with_a_unified_diff_when_output_is_stale() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = workspace();
    assert!(
        run(codegen(&ws)
            .args(["generate", "--platform", "trustchain", "--out"])
            .arg(tmp.path()))
        .status
        .success()
    );
    let edited = tmp.path().join("trustchain/compute/variables.tf");
    let original = fs::read_to_string(&edited).unwrap();
    fs::write(&edited, original.replace("c6g.4xlarge", "c6g.large")).unwrap();
    fs::write(
        tmp.path().join("trustchain/compute/stray.tf"),
        "# not generated\n",
    )
    .unwrap();

    let out = run(codegen(&ws)
        .args(["check", "--platform", "trustchain", "--out"])
        .arg(tmp.path()));
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("--- a/trustchain/compute/variables.tf"),
        "{stdout}"
    );
    assert!(
        stdout.contains("+++ b/trustchain/compute/variables.tf"),
        "{stdout}"
    );
    assert!(
        stdout.contains("-  default     = \"c6g.large\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("+  default     = \"c6g.4xlarge\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("--- a/trustchain/compute/stray.tf"),
        "stray files count as drift: {stdout}"
    );
}

#[test]
fn every_generated_file_starts_with_the_generated_header() {
    let ws = workspace();
    for platform in ["solidity", "trustchain"] {
        for (rel, bytes) in common::snapshot(&ws.join("modules").join(platform)) {
            let body = text(&bytes);
            let first = body.lines().next().unwrap_or_default();
            let expected = format!("codegen from codegen/platforms/{platform}.toml. DO NOT EDIT.");
            assert!(
                first.contains(&expected),
                "{platform}/{}: header missing: {first}",
                rel.display()
            );
            assert!(
                !body.contains("/work/") && !body.contains("/home/") && !body.contains("/tmp/"),
                "{}: absolute path",
                rel.display()
            );
        }
    }
}
