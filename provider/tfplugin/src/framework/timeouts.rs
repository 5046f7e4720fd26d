//! The conventional `timeouts { create = "30m" ... }` block: the typed model field
//! resources embed, Go-style duration parsing, and the framework's check that every
//! duration given parses (so a typo is a plan-time diagnostic, not a silent default).

use crate::diag::Diagnostics;
use crate::schema::Block;
use crate::value::{AttributePath, Value};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The `timeouts` block of a resource model (`timeouts: Attr<Timeouts>`). Operations
/// the schema does not declare stay `None`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
pub struct Timeouts {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delete: Option<String>,
}

/// Which operation a time limit applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Create,
    Read,
    Update,
    Delete,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Create => "create",
            Operation::Read => "read",
            Operation::Update => "update",
            Operation::Delete => "delete",
        }
    }
}

impl Timeouts {
    /// The configured limit for `op`, else `default`.
    pub fn get(&self, op: Operation, default: Duration) -> Duration {
        let s = match op {
            Operation::Create => &self.create,
            Operation::Read => &self.read,
            Operation::Update => &self.update,
            Operation::Delete => &self.delete,
        };
        s.as_deref().and_then(parse_duration).unwrap_or(default)
    }
}

/// The limit for `op` from an optional `timeouts` block.
pub fn limit(t: Option<&Timeouts>, op: Operation, default: Duration) -> Duration {
    t.map_or(default, |t| t.get(op, default))
}

/// Parses a Go-style duration ("1h30m", "45s", "500ms", "2h").
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let mut total = 0f64;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return None;
        }
        let n: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let secs = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        total += n * secs;
        rest = &rest[unit_len..];
    }
    Some(Duration::from_secs_f64(total))
}

/// Checks every duration of a configuration's `timeouts` block, if the schema has one.
pub(crate) fn validate(block: &Block, config: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    let Some(b) = block.get_block("timeouts") else {
        return d;
    };
    let Some(t) = config.get("timeouts") else {
        return d;
    };
    for a in &b.block.attributes {
        if let Some(s) = t.get(&a.name).and_then(Value::as_str)
            && parse_duration(s).is_none()
        {
            d.error_at(
                AttributePath::root().attr("timeouts").attr(&a.name),
                "Invalid duration",
                format!("{s:?} is not a duration; write it like \"30m\", \"1h30m\" or \"90s\"."),
            );
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_durations() {
        assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("45s"), Some(Duration::from_secs(45)));
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("10"), None);
        assert_eq!(parse_duration("5 minutes"), None);
    }

    #[test]
    fn a_bad_duration_is_an_error_at_its_attribute() {
        let block = Block::new().timeouts(&["create", "delete"]);
        let config = Value::object([(
            "timeouts",
            Value::object([
                ("create", Value::string("ten minutes")),
                ("delete", Value::string("10m")),
            ]),
        )]);
        let d = validate(&block, &config);
        let v: Vec<_> = d.iter().collect();
        assert_eq!(v.len(), 1);
        assert_eq!(
            v[0].attribute,
            Some(AttributePath::root().attr("timeouts").attr("create"))
        );
    }

    #[test]
    fn limits_fall_back_to_the_default() {
        let t = Timeouts {
            create: Some("2m".into()),
            ..Timeouts::default()
        };
        let def = Duration::from_secs(60);
        assert_eq!(t.get(Operation::Create, def), Duration::from_secs(120));
        assert_eq!(t.get(Operation::Delete, def), def);
        assert_eq!(limit(None, Operation::Create, def), def);
    }
}
