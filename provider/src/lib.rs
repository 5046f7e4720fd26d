//! terraform-provider-trustchain's code: the provider `main.rs` serves
//! ([`TrustchainProvider`]), and the CloudHSM PEM and X.509 handling
//! (`cloudhsm::{pki, sign, time}`) the fuzz targets (tests/fuzz) link.
//! The unit tests live here too (`cargo nextest run -p terraform-provider-trustchain --lib`).
#![forbid(unsafe_code)]

mod actions;
mod aws;
pub mod cloudhsm;
mod data_sources;
mod functions;
mod ipv6;
mod provider;
mod resources;

pub use provider::TrustchainProvider;

/// The release version (`make release VERSION=...` sets it), else the crate's.
pub const VERSION: &str = match option_env!("TRUSTCHAIN_RELEASE_VERSION") {
    Some(v) => v,
    None => env!("CARGO_PKG_VERSION"),
};
