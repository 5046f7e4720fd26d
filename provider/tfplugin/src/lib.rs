//! Terraform plugin protocol 6 for Rust: the counterpart of terraform-plugin-go plus
//! a thin framework.
//!
//! - [`serve`]: go-plugin handshake, AutoMTLS ([`tls`]), the gRPC server and the
//!   `plugin` side services; [`serve::main`] is a provider's whole `main`.
//! - [`value`]: typed values, msgpack/JSON wire forms, serde bridge.
//! - [`framework`]: typed resources and data sources, default planning, timeouts,
//!   and the per-RPC logic behind the server.
//! - [`schema`], [`diag`], [`provider`]: schemas, diagnostics, and the provider and
//!   value-level (raw) resource traits.
//! - [`logging`]: JSON log lines on stderr in the shape Terraform parses.
//!
//! Generated protocol code stays private; the tonic layer is a thin adapter.
#![forbid(unsafe_code)]

pub mod diag;
pub mod framework;
pub mod logging;
pub mod provider;
pub mod schema;
pub mod serve;
pub mod tls;
pub mod value;

mod authority;
mod convert;
mod proto;
mod server;

/// Generated gRPC clients for integration tests of a served plugin. Not a stable API.
#[doc(hidden)]
pub mod testing {
    /// The `:authority` rewriter's synchronous core, for the fuzz target.
    pub use crate::authority::AuthorityRewriter;
    pub use crate::proto::plugin::Empty;
    pub use crate::proto::plugin::grpc_controller_client::GrpcControllerClient;
    /// The tfplugin6 request and response messages, for hostile-client tests.
    pub use crate::proto::tfplugin6 as pb;
    pub use crate::proto::tfplugin6::provider_client::ProviderClient;
}
