//! Typed Terraform values with no gRPC in them: the Rust counterpart of
//! terraform-plugin-go's `tftypes`.
//!
//! - [`Type`]: Terraform types and their JSON type-constraint form.
//! - [`Value`], [`Number`], [`Refinements`]: values, exact numbers, refined unknowns.
//! - [`AttributePath`]: where in a value something is.
//! - [`decode_msgpack`]/[`encode_msgpack`], [`decode_json`]/[`encode_json`]:
//!   the wire forms of `DynamicValue` and `RawState`.
//! - [`from_value`]/[`to_value`] and [`Attr`]: typed models through serde.
//!
//! ```
//! use serde::{Deserialize, Serialize};
//! use tfplugin::value::{self, Attr, Type, Value};
//!
//! #[derive(Serialize, Deserialize)]
//! struct Network {
//!     cidr_block: String,
//!     id: Attr<String>, // computed: unknown until apply
//! }
//!
//! let ty = Type::object([("cidr_block", Type::String), ("id", Type::String)]);
//! let planned = Network { cidr_block: "2600:1f18::/56".into(), id: Attr::Unknown };
//! let wire = value::encode_msgpack(&value::to_value(&planned, &ty)?, &ty)?;
//!
//! let decoded = value::decode_msgpack(&wire, &ty)?;
//! assert!(decoded.get("id").is_some_and(Value::is_unknown));
//! let model: Network = value::from_value(&decoded)?;
//! assert!(model.id.is_unknown());
//! # Ok::<(), tfplugin::value::ValueError>(())
//! ```

mod bridge_core;
mod de;
mod dynamic;
mod error;
mod json;
mod msgpack;
mod number;
mod path;
mod ser;
mod serde_bridge;
mod types;
mod values;

pub use dynamic::DynamicValue;
pub use error::ValueError;
pub use json::{
    decode_json, decode_json_lenient, decode_json_value, decode_json_value_lenient, encode_json,
};
pub use msgpack::{decode_msgpack, encode_msgpack};
pub use number::Number;
pub use path::{AttributePath, PathStep};
pub use serde_bridge::{Attr, from_value, to_value};
pub use types::Type;
pub use values::{Refinements, Value};

#[cfg(test)]
mod proptests;
