//! examples/quickstart/main.tf as the soak and the concurrent-runs tests use it: its
//! variables (the endpoint and a demo root CA made here with Python's `cryptography`),
//! and, when it declares `backend "s3"`, a state bucket in the emulator's S3 with the
//! `-backend-config` the example expects (what `make demo` writes).

use crate::{Emulator, Workspace, workspace_root};
use serde_json::{Value, json};

/// The state bucket the backend configuration names.
pub const BUCKET: &str = "trustchain-test-state";

/// The example's main.tf as committed.
pub fn main_tf() -> String {
    let path = workspace_root().join("examples/quickstart/main.tf");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// True when the example keeps its state in S3.
pub fn has_s3_backend(main_tf: &str) -> bool {
    main_tf.contains("backend \"s3\"")
}

/// A root CA (`{"cert", "key", "key_pkcs1"}`) for the quickstart's demo CA variables.
pub fn demo_ca(name: &str) -> Value {
    crate::test_root_ca(name)
}

/// The S3 backend settings for `-backend-config` (bucket, endpoint, path style).
pub fn backend_config(emu: &Emulator) -> String {
    format!(
        "bucket                      = \"{BUCKET}\"\nregion                      = \"us-east-1\"\nendpoints                   = {{ s3 = \"{}\" }}\nuse_path_style              = true\nskip_credentials_validation = true\nskip_requesting_account_id  = true\n",
        emu.url()
    )
}

/// Makes the state bucket (once per emulator; a second call is a no-op).
pub fn create_bucket(emu: &Emulator) {
    if let Err(e) = emu.try_call("s3", "create_bucket", json!({"Bucket": BUCKET}))
        && !e.code.starts_with("BucketAlready")
    {
        panic!("create the state bucket: {e}");
    }
}

/// A working directory holding the quickstart with its variables set and
/// `terraform init` done (with the S3 backend when the example has one).
pub fn workspace(emu: &Emulator, ca: &Value) -> Workspace {
    let main = main_tf();
    let mut w = Workspace::new(&main);
    w.set_env("TF_VAR_endpoint", &emu.url());
    w.set_env(
        "TF_VAR_demo_ca_certificate_pem",
        ca["cert"].as_str().expect("cert"),
    );
    w.set_env(
        "TF_VAR_demo_ca_private_key_pem",
        ca["key"].as_str().expect("key"),
    );
    w.set_env(
        "TF_VAR_demo_hsm_trust_roots_pem",
        &emu.cloudhsm_test_roots(),
    );
    if has_s3_backend(&main) {
        create_bucket(emu);
        w.write_file("emulator.s3.tfbackend", &backend_config(emu));
        w.terraform(&[
            "init",
            "-no-color",
            "-input=false",
            "-backend-config=emulator.s3.tfbackend",
        ])
        .ok();
    } else {
        w.terraform(&["init", "-no-color", "-input=false"]).ok();
    }
    w
}
