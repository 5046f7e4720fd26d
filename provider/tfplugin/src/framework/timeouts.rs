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

/// The longest duration Go's `time.ParseDuration` (and so Terraform and hashicorp
/// providers) accepts: `i64::MAX` nanoseconds, about 292 years.
pub const MAX_DURATION: Duration = Duration::from_nanos(i64::MAX as u64);

/// Why a duration string is refused, worded for a diagnostic's detail.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    #[error("{0:?} is not a duration; write it like \"30m\", \"1h30m\" or \"90s\"")]
    Syntax(String),
    #[error("{0:?} is negative; a time limit must be zero or more")]
    Negative(String),
    #[error(
        "{0:?} is longer than the longest duration Terraform accepts (2562047h47m16.854775807s, about 292 years)"
    )]
    TooLong(String),
}

/// Parses a Go-style duration ("1h30m", "45s", "500ms", "2h", "1.5h", "0"), with
/// Go's rules and limits: every number needs a unit (ns, us, µs, ms, s, m, h),
/// fractions are exact to the nanosecond, and the total must fit in Go's
/// `time.Duration` (`i64` nanoseconds). Integer arithmetic only, every step
/// checked: no input can panic or wrap.
pub fn parse_duration_checked(s: &str) -> Result<Duration, DurationError> {
    let syntax = || DurationError::Syntax(s.to_string());
    let mut rest = s.trim();
    let mut negative = false;
    if let Some(r) = rest.strip_prefix('-') {
        negative = true;
        rest = r;
    } else if let Some(r) = rest.strip_prefix('+') {
        rest = r;
    }
    if rest == "0" {
        return Ok(Duration::ZERO);
    }
    if rest.is_empty() {
        return Err(syntax());
    }
    const MAX: u128 = i64::MAX as u128;
    let mut total: u128 = 0;
    let mut too_long = false;
    while !rest.is_empty() {
        let int_len = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let (int_part, after) = rest.split_at(int_len);
        let (frac_part, after) = match after.strip_prefix('.') {
            Some(a) => {
                let n = a.find(|c: char| !c.is_ascii_digit()).unwrap_or(a.len());
                a.split_at(n)
            }
            None => ("", after),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(syntax());
        }
        let unit_len = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_len);
        let unit_ns: u128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return Err(syntax()),
        };
        rest = after;
        // Whole units: any digit count, saturating once past the limit (the
        // string is still read to the end, so a syntax error wins).
        let mut whole: u128 = 0;
        for d in int_part.bytes() {
            whole = whole
                .saturating_mul(10)
                .saturating_add(u128::from(d - b'0'));
        }
        let mut part = whole.saturating_mul(unit_ns);
        // The fraction, exact to the nanosecond as in Go (digits past what a
        // nanosecond resolves are dropped).
        let mut scale: u128 = 1;
        let mut frac: u128 = 0;
        for d in frac_part.bytes() {
            if scale >= 1_000_000_000_000_000_000_000 {
                break;
            }
            frac = frac * 10 + u128::from(d - b'0');
            scale *= 10;
        }
        part = part.saturating_add(frac * unit_ns / scale);
        total = total.saturating_add(part);
        if total > MAX {
            too_long = true;
        }
    }
    if too_long {
        return Err(DurationError::TooLong(s.to_string()));
    }
    if negative && total > 0 {
        return Err(DurationError::Negative(s.to_string()));
    }
    let total = u64::try_from(total).map_err(|_| DurationError::TooLong(s.to_string()))?;
    Ok(Duration::from_nanos(total))
}

/// [`parse_duration_checked`] without the reason.
pub fn parse_duration(s: &str) -> Option<Duration> {
    parse_duration_checked(s).ok()
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
            && let Err(e) = parse_duration_checked(s)
        {
            d.error_at(
                AttributePath::root().attr("timeouts").attr(&a.name),
                "Invalid duration",
                format!("{e}."),
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
        assert_eq!(parse_duration("1.5h"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration(".5s"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("1µs"), Some(Duration::from_micros(1)));
        assert_eq!(parse_duration("0"), Some(Duration::ZERO));
        assert_eq!(parse_duration("."), None);
        assert_eq!(parse_duration("1.2.3h"), None);
        assert_eq!(parse_duration("h"), None);
    }

    #[test]
    fn durations_beyond_go_limits_are_refused_not_a_panic() {
        // Used to panic in Duration::from_secs_f64 (issue 24).
        for s in [
            "99999999999999999999999h",
            "2562048h",
            "2562047h47m16.854775808s",
            "1000000000000000000000000000000000000000000000ns",
        ] {
            assert_eq!(
                parse_duration_checked(s),
                Err(DurationError::TooLong(s.to_string())),
                "{s}"
            );
        }
        assert_eq!(
            parse_duration("2562047h47m16.854775807s"),
            Some(MAX_DURATION)
        );
        assert!(matches!(
            parse_duration_checked("-5m"),
            Err(DurationError::Negative(_))
        ));
        assert!(matches!(
            parse_duration_checked("9999999999999999999999999999h5x"),
            Err(DurationError::Syntax(_))
        ));
    }

    #[test]
    fn a_huge_duration_is_an_error_at_its_attribute_that_says_why() {
        let block = Block::new().timeouts(&["create"]);
        let config = Value::object([(
            "timeouts",
            Value::object([("create", Value::string("99999999999999999999h"))]),
        )]);
        let d = validate(&block, &config);
        let v: Vec<_> = d.iter().collect();
        assert_eq!(v.len(), 1);
        assert!(v[0].detail.contains("292 years"), "{}", v[0].detail);
    }

    mod props {
        use super::super::*;
        use proptest::prelude::*;

        fn unit() -> impl Strategy<Value = (&'static str, u128)> {
            prop::sample::select(vec![
                ("ns", 1u128),
                ("us", 1_000),
                ("µs", 1_000),
                ("ms", 1_000_000),
                ("s", 1_000_000_000),
                ("m", 60_000_000_000),
                ("h", 3_600_000_000_000),
            ])
        }

        proptest! {
            /// Any string at all: an answer, never a panic.
            #[test]
            fn any_string_parses_or_is_refused(s in ".{0,40}") {
                let _ = parse_duration_checked(&s);
            }

            /// Any digits and units, of any size: an exact answer or TooLong.
            #[test]
            fn any_number_with_a_unit_is_exact_or_too_long(
                parts in prop::collection::vec((any::<u64>(), 0u64..1000, unit()), 1..4),
            ) {
                let mut text = String::new();
                let mut ns: u128 = 0;
                for (whole, milli, (u, unit_ns)) in &parts {
                    text.push_str(&format!("{whole}.{milli:03}{u}"));
                    ns += u128::from(*whole) * unit_ns + u128::from(*milli) * unit_ns / 1000;
                }
                match parse_duration_checked(&text) {
                    Ok(d) => prop_assert_eq!(d.as_nanos(), ns),
                    Err(DurationError::TooLong(_)) => prop_assert!(ns > i64::MAX as u128),
                    Err(e) => prop_assert!(false, "{text}: {e}"),
                }
            }

            /// Every duration Go can print parses back to itself.
            #[test]
            fn round_trips_the_whole_go_range(ns in 0u64..=i64::MAX as u64) {
                let d = Duration::from_nanos(ns);
                let text = format!("{}h{}m{}.{:09}s", ns / 3_600_000_000_000, ns / 60_000_000_000 % 60, ns / 1_000_000_000 % 60, ns % 1_000_000_000);
                prop_assert_eq!(parse_duration_checked(&text), Ok(d));
            }
        }
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
