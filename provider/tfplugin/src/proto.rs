//! Generated protocol code. Private to the crate: the public API is the hand-written
//! types in the sibling modules, converted at the server boundary.
#![allow(
    clippy::all,
    clippy::pedantic,
    dead_code,
    missing_docs,
    unreachable_pub
)]

// `pub` only so `testing` can re-export the messages; `proto` itself stays private.
pub mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

pub(crate) mod plugin {
    tonic::include_proto!("plugin");
}
