//! The short fuzzing run of `make test`: every target replays its seeds and
//! committed corpus, then mutates for a bounded time. Any panic fails the test with
//! the saved input's path. Figures go to `target/reports/fuzz.txt`, which
//! `make test` prints after the run.
//!
//! `TRUSTCHAIN_FUZZ_MS` sets the time per target (default 1500 ms).

use fuzz::campaign::{self, Options};
use std::time::Duration;

fn budget() -> Duration {
    let ms = std::env::var("TRUSTCHAIN_FUZZ_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1500);
    Duration::from_millis(ms)
}

fn write_report(name: &str, text: &str) {
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
        .join("reports");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(format!("{name}.txt")), text);
}

#[test]
fn every_fuzz_target_survives_its_corpus_and_a_short_campaign() {
    let options = Options {
        duration: budget(),
        ..Options::default()
    };
    let mut lines = Vec::new();
    let mut failures = Vec::new();
    for target in fuzz::targets::ALL {
        let report = campaign::run(target, &options).expect("read corpus");
        println!("{report}");
        lines.push(report.to_string());
        if !report.findings.is_empty() {
            failures.push(report.to_string());
        }
        // A hang shows up as one very slow input long before it is infinite.
        assert!(
            report.slowest < Duration::from_secs(5),
            "{}: one input took {} ms",
            target.name,
            report.slowest.as_millis()
        );
    }
    write_report("fuzz", &(lines.join("\n") + "\n"));
    assert!(
        failures.is_empty(),
        "fuzzing found panics:\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_fuzz_target_has_a_committed_corpus() {
    for target in fuzz::targets::ALL {
        let dir = fuzz::corpus_dir(target.name);
        let files = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e} (commit a few seed inputs there)", dir.display()))
            .count();
        assert!(files > 0, "{} is empty", dir.display());
    }
}

#[test]
fn the_decoders_issue_14_names_are_fuzz_targets() {
    let names: Vec<&str> = fuzz::targets::ALL.iter().map(|t| t.name).collect();
    for expected in [
        "cloudhsm_pem",
        "codegen_spec",
        "raw_state_upgrade",
        "value_json",
        "value_msgpack",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
}

#[test]
fn a_panicking_input_is_caught_and_reported_with_its_location() {
    fn boom(data: &[u8]) {
        if data.first() == Some(&b'!') {
            panic!("bang");
        }
    }
    let target: &'static fuzz::Target = Box::leak(Box::new(fuzz::Target {
        name: "selftest_boom",
        about: "panics on a leading '!'",
        run: boom,
        seeds: || vec![b"ok".to_vec(), b"!".to_vec()],
        dictionary: &[],
    }));
    let report = campaign::run(
        target,
        &Options {
            duration: Duration::from_millis(50),
            save_findings: false,
            ..Options::default()
        },
    )
    .expect("run");
    assert_eq!(report.findings.len(), 1, "{report}");
    assert_eq!(report.findings[0].message, "bang");
    assert!(report.findings[0].location.contains("smoke.rs"), "{report}");
    assert!(report.execs > 2, "{report}");
}
