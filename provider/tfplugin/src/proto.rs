//! Generated protocol code. Private to the crate: the public API is the hand-written
//! types in the sibling modules, converted at the server boundary.
#![allow(
    clippy::all,
    clippy::pedantic,
    dead_code,
    missing_docs,
    unreachable_pub
)]

pub(crate) mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

pub(crate) mod plugin {
    tonic::include_proto!("plugin");
}
