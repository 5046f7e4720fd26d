//! `make demo` end to end, as a new user runs it: tools/demo.py with the provider this
//! build made. It starts its own emulator, keeps the state in the emulator's S3 with a
//! lock file, applies examples/quickstart, checks the next plan is empty, destroys and
//! checks the emulator holds nothing it made. Here we also check that the demo CA's
//! private key reached neither the log nor the terminal.

use acceptance::{built_binary, python_bin, terraform_bin, workspace_root};
use std::process::Command;

#[test]
fn make_demo_applies_plans_empty_and_destroys_the_quickstart() {
    let logs = tempfile::tempdir().expect("log dir");
    let out = Command::new(python_bin())
        .arg(workspace_root().join("tools/demo.py"))
        .env(
            "TRUSTCHAIN_PROVIDER",
            built_binary("terraform-provider-trustchain"),
        )
        .env("TRUSTCHAIN_TERRAFORM", terraform_bin())
        .env("TRUSTCHAIN_DEMO_LOG_DIR", logs.path())
        .output()
        .expect("run tools/demo.py");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let log: String = std::fs::read_dir(logs.path())
        .expect("read log dir")
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .collect();
    assert!(
        out.status.success(),
        "make demo failed\n--- terminal\n{stdout}{stderr}\n--- log\n{log}"
    );
    for line in [
        "Apply complete! Resources: 8 added, 0 changed, 0 destroyed.",
        "No changes: the infrastructure matches the configuration.",
        "Destroy complete! Resources: 8 destroyed.",
        "the emulator holds nothing the demo made",
    ] {
        assert!(stdout.contains(line), "missing {line:?} in:\n{stdout}");
    }
    assert!(
        stdout.contains("INITIALIZED"),
        "the cluster was not initialized:\n{stdout}"
    );
    for (what, text) in [("terminal", &*stdout), ("log", &*log)] {
        assert!(
            !text.contains("PRIVATE KEY"),
            "the demo CA's private key appears in the {what}"
        );
    }
    print!("{stdout}");
}
