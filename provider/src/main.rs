//! terraform-provider-trustchain: a Terraform provider speaking plugin protocol 6.

use std::process::ExitCode;

mod aws;
mod cloudhsm;
mod data_sources;
mod functions;
mod ipv6;
mod provider;
mod resources;

fn main() -> ExitCode {
    tfplugin::serve::main(
        provider::TrustchainProvider::new(),
        "registry.terraform.io/trustchain/trustchain",
    )
}
