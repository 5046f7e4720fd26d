//! terraform-provider-trustchain: a Terraform provider speaking plugin protocol 6.
#![forbid(unsafe_code)]

use std::process::ExitCode;

mod aws;
mod cloudhsm;
mod data_sources;
mod functions;
mod ipv6;
mod provider;
mod resources;

/// The release version (`make release VERSION=...` sets it), else the crate's.
pub(crate) const VERSION: &str = match option_env!("TRUSTCHAIN_RELEASE_VERSION") {
    Some(v) => v,
    None => env!("CARGO_PKG_VERSION"),
};

fn main() -> ExitCode {
    if std::env::args()
        .nth(1)
        .is_some_and(|a| a == "--version" || a == "-version")
    {
        println!("terraform-provider-trustchain {VERSION} (Terraform plugin protocol 6)");
        return ExitCode::SUCCESS;
    }
    tfplugin::serve::main(
        provider::TrustchainProvider::new(),
        "registry.terraform.io/trustchain/trustchain",
    )
}
