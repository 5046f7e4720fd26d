//! terraform-provider-trustchain: a Terraform provider speaking plugin protocol 6.
#![forbid(unsafe_code)]

use std::process::ExitCode;
use terraform_provider_trustchain::{TrustchainProvider, VERSION};

/// The git commit a release was built from (`make release` sets it); development
/// builds leave it out rather than rebuild the whole crate on every commit.
const COMMIT: Option<&str> = option_env!("TRUSTCHAIN_GIT_COMMIT");

/// What `--version` prints.
fn version_line() -> String {
    match COMMIT {
        Some(c) if !c.is_empty() => format!(
            "terraform-provider-trustchain {VERSION} (Terraform plugin protocol 6, commit {c})"
        ),
        _ => format!("terraform-provider-trustchain {VERSION} (Terraform plugin protocol 6)"),
    }
}

fn main() -> ExitCode {
    if std::env::args()
        .nth(1)
        .is_some_and(|a| a == "--version" || a == "-version")
    {
        println!("{}", version_line());
        return ExitCode::SUCCESS;
    }
    tfplugin::serve::main(
        TrustchainProvider::new(),
        "registry.terraform.io/trustchain/trustchain",
    )
}
