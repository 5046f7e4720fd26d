//! Generated HCL is byte-identical to what real `terraform fmt` writes.

mod common;

use std::fs;

use common::{codegen, run, terraform_fmt_check, text, workspace};

#[test]
fn committed_modules_and_examples_are_terraform_fmt_clean() {
    let ws = workspace();
    let dirs = ["modules", "examples/trustchain", "examples/solidity"];
    for dir in dirs {
        assert!(ws.join(dir).is_dir(), "{dir} is missing");
    }
    let (ok, output) = terraform_fmt_check(&ws, &dirs);
    assert!(ok, "terraform fmt -check failed:\n{output}");
}

#[test]
fn generated_variant_is_terraform_fmt_clean() {
    // Different list lengths and key names change alignment runs; fmt must still agree.
    let tmp = tempfile::tempdir().unwrap();
    let spec = common::builtin_spec("solidity")
        .replace(
            "\"api-keys\", \"tool-integrations\"",
            "\"k\", \"a-much-longer-secret-name\", \"x\"",
        )
        .replace(
            "[load_balancer.targets.api]",
            "[load_balancer.targets.a_very_long_target_name]",
        );
    let path = tmp.path().join("variant.toml");
    fs::write(&path, spec).unwrap();
    let out = run(codegen(&workspace())
        .args(["generate", "--spec"])
        .arg(&path)
        .arg("--out")
        .arg(tmp.path().join("out")));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (ok, output) = terraform_fmt_check(tmp.path(), &["out"]);
    assert!(ok, "terraform fmt -check failed on the variant:\n{output}");
}
