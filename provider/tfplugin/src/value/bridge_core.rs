//! What the two directions of the serde bridge share: the error type the value
//! deserializer (`de.rs`) and serializer (`ser.rs`) return, and the newtype-struct
//! names [`Attr`](super::Attr) passes through them. `serde_bridge.rs` builds
//! `from_value`, `to_value` and `Attr` on top of both; neither imports it.

use std::fmt;

use super::error::ValueError;
use super::path::AttributePath;

/// The newtype-struct name `Attr` deserializes through, so the value
/// deserializer can tell it null and unknown apart.
pub(crate) const ATTR_MARKER: &str = "$tfplugin::Attr";

/// The newtype-struct name `Attr::Unknown` serializes through, so the value
/// serializer can produce an unknown value (other serializers see `()`).
pub(crate) const UNKNOWN_MARKER: &str = "$tfplugin::Unknown";

/// The error type inside the serde bridge. serde's own messages ("missing
/// field `x`") arrive without a path; the (de)serializer adds the path of the
/// value it was working on when such an error passes through it.
#[derive(Debug)]
pub(crate) enum BridgeError {
    Located(ValueError),
    Unlocated(String),
}

impl BridgeError {
    pub(crate) fn at(self, path: &AttributePath) -> BridgeError {
        match self {
            BridgeError::Unlocated(message) => BridgeError::Located(ValueError::Convert {
                path: path.clone(),
                message,
            }),
            located => located,
        }
    }

    pub(crate) fn into_value_error(self) -> ValueError {
        match self {
            BridgeError::Located(e) => e,
            BridgeError::Unlocated(message) => ValueError::Convert {
                path: AttributePath::root(),
                message,
            },
        }
    }
}

impl From<ValueError> for BridgeError {
    fn from(e: ValueError) -> Self {
        BridgeError::Located(e)
    }
}

impl fmt::Display for BridgeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BridgeError::Located(e) => fmt::Display::fmt(e, f),
            BridgeError::Unlocated(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for BridgeError {}

impl serde::de::Error for BridgeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        BridgeError::Unlocated(msg.to_string())
    }
}

impl serde::ser::Error for BridgeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        BridgeError::Unlocated(msg.to_string())
    }
}
