//! The one error type of the value model. Every variant names the attribute
//! path where the problem was found, so callers can turn it into a diagnostic
//! that points at the right attribute.

use std::fmt;

use super::path::AttributePath;

/// Something went wrong decoding, encoding or converting a value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValueError {
    /// The msgpack bytes are malformed or do not match the expected type.
    #[error("invalid msgpack value at {}: {message}", PathText(path))]
    Msgpack {
        path: AttributePath,
        message: String,
    },

    /// The JSON text is malformed or does not match the expected type.
    #[error("invalid JSON value at {}: {message}", PathText(path))]
    Json {
        path: AttributePath,
        message: String,
    },

    /// A JSON type constraint (`"string"`, `["list","string"]`, ...) is malformed.
    #[error("invalid type constraint at {}: {message}", PathText(path))]
    TypeConstraint {
        path: AttributePath,
        message: String,
    },

    /// A value does not conform to the type it is encoded or converted with.
    #[error(
        "value at {} has the wrong type: expected {expected}, found {found}",
        PathText(path)
    )]
    TypeMismatch {
        path: AttributePath,
        expected: String,
        found: String,
    },

    /// An object lacks an attribute its type declares. The path ends with
    /// the missing attribute.
    #[error(
        "attribute {} is required by the object type but missing",
        PathText(path)
    )]
    MissingAttribute { path: AttributePath },

    /// An object carries an attribute its type does not declare. The path
    /// ends with the unexpected attribute.
    #[error(
        "unsupported attribute {}: the object type does not declare it",
        PathText(path)
    )]
    UnexpectedAttribute { path: AttributePath },

    /// A tuple has a different number of elements than its type.
    #[error(
        "tuple at {} must have {expected} elements, found {found}",
        PathText(path)
    )]
    TupleLength {
        path: AttributePath,
        expected: usize,
        found: usize,
    },

    /// A number is not valid: malformed decimal text, NaN, or not
    /// representable where it has to go.
    #[error("invalid number at {}: {message}", PathText(path))]
    InvalidNumber {
        path: AttributePath,
        message: String,
    },

    /// A value is unknown where a known value is needed (for example when
    /// reading it into a model field that is not an `Attr`).
    #[error("value at {} is not known yet", PathText(path))]
    Unknown { path: AttributePath },

    /// A value is null where the model cannot hold null.
    #[error(
        "value at {} is null; the model field must be an Option or Attr to accept null",
        PathText(path)
    )]
    Null { path: AttributePath },

    /// A path does not lead anywhere in the value (for `at`/`set_at`).
    #[error("cannot follow path {}: {message}", PathText(path))]
    Path {
        path: AttributePath,
        message: String,
    },

    /// A conversion between a model and a value failed (serde bridge).
    #[error("cannot convert value at {}: {message}", PathText(path))]
    Convert {
        path: AttributePath,
        message: String,
    },
}

impl ValueError {
    /// The attribute path where the error happened.
    pub fn path(&self) -> &AttributePath {
        match self {
            ValueError::Msgpack { path, .. }
            | ValueError::Json { path, .. }
            | ValueError::TypeConstraint { path, .. }
            | ValueError::TypeMismatch { path, .. }
            | ValueError::MissingAttribute { path }
            | ValueError::UnexpectedAttribute { path }
            | ValueError::TupleLength { path, .. }
            | ValueError::InvalidNumber { path, .. }
            | ValueError::Unknown { path }
            | ValueError::Null { path }
            | ValueError::Path { path, .. }
            | ValueError::Convert { path, .. } => path,
        }
    }

    pub(crate) fn msgpack(path: &AttributePath, message: impl Into<String>) -> Self {
        ValueError::Msgpack {
            path: path.clone(),
            message: message.into(),
        }
    }

    pub(crate) fn json(path: &AttributePath, message: impl Into<String>) -> Self {
        ValueError::Json {
            path: path.clone(),
            message: message.into(),
        }
    }

    pub(crate) fn type_constraint(path: &AttributePath, message: impl Into<String>) -> Self {
        ValueError::TypeConstraint {
            path: path.clone(),
            message: message.into(),
        }
    }

    pub(crate) fn mismatch(
        path: &AttributePath,
        expected: impl fmt::Display,
        found: impl fmt::Display,
    ) -> Self {
        ValueError::TypeMismatch {
            path: path.clone(),
            expected: expected.to_string(),
            found: found.to_string(),
        }
    }

    pub(crate) fn invalid_number(path: &AttributePath, message: impl Into<String>) -> Self {
        ValueError::InvalidNumber {
            path: path.clone(),
            message: message.into(),
        }
    }
}

/// Renders a path for messages: the root path has no text of its own.
pub(crate) struct PathText<'a>(pub &'a AttributePath);

impl fmt::Display for PathText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_root() {
            f.write_str("(root)")
        } else {
            fmt::Display::fmt(self.0, f)
        }
    }
}
