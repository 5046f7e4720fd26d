//! Output depends on the spec and templates only: not on cwd, time zone, locale or run.

mod common;

use common::{codegen, run, snapshot, text, workspace};

#[test]
fn two_runs_in_different_environments_are_byte_identical() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();

    let first = run(codegen(&workspace())
        .env("TZ", "UTC")
        .env("LANG", "C")
        .env("LC_ALL", "C")
        .args(["generate", "--out"])
        .arg(a.path()));
    assert!(first.status.success(), "{}", text(&first.stderr));
    let second = run(codegen(elsewhere.path())
        .env("TZ", "Pacific/Kiritimati")
        .env("LANG", "de_DE.UTF-8")
        .env("LC_ALL", "tr_TR.UTF-8")
        .env("HOME", elsewhere.path())
        .args(["generate", "--out"])
        .arg(b.path()));
    assert!(second.status.success(), "{}", text(&second.stderr));

    let (left, right) = (snapshot(a.path()), snapshot(b.path()));
    assert!(
        left.len() > 100,
        "expected both platforms' files, got {}",
        left.len()
    );
    assert_eq!(
        left.keys().collect::<Vec<_>>(),
        right.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &left {
        assert!(
            bytes == &right[path],
            "{} differs between runs",
            path.display()
        );
    }
}

#[test]
fn regenerating_over_existing_output_leaves_no_staging_directories() {
    let out = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let r = run(codegen(&workspace())
            .args(["generate", "--out"])
            .arg(out.path()));
        assert!(r.status.success(), "{}", text(&r.stderr));
    }
    let mut names: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["solidity", "trustchain"]);
}
