//! The AWS emulator's own test suite (Python unittest, tests/emulator/<package>/test_*.py):
//! the CloudHSM v2 extension, fault formats, the request log and the delays behave as
//! the acceptance tests assume. Run here so `make test` runs it too.

use acceptance::{python_bin, run_with_timeout, workspace_root};
use std::process::Command;
use std::time::Duration;

#[test]
fn emulator_python_suite_passes() {
    let dir = workspace_root().join("tests/emulator");
    let mut cmd = Command::new(python_bin());
    cmd.args(["-m", "unittest", "discover", "-s"])
        .arg(&dir)
        .args(["-p", "test_*.py"])
        .current_dir(&dir);
    let out = run_with_timeout(cmd, Duration::from_secs(600))
        .unwrap_or_else(|partial| panic!("emulator suite did not finish in 600 s:\n{partial}"));
    assert!(
        out.status.success(),
        "emulator suite failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
