//! Terraform numbers, kept exact.
//!
//! Terraform numbers are arbitrary-precision decimals. On the wire they arrive
//! as msgpack ints, floats, or (when neither is exact) decimal strings; in
//! JSON as number literals of any length. [`Number`] keeps what arrived
//! without rounding, and compares by numeric value.

use std::cmp::Ordering;
use std::fmt;

/// A Terraform number.
///
/// The variants are representations, not different kinds of numbers:
/// `Int(3)`, `UInt(3)`, `Float(3.0)` and `Decimal("3.0")` are all equal.
/// [`Number::parse`] and the decoders produce `Int` whenever the value is an
/// integer that fits `i64`, `UInt` for larger integers that fit `u64`, and
/// keep other text as `Decimal` so it goes back to Terraform unchanged.
#[derive(Debug, Clone)]
pub enum Number {
    Int(i64),
    UInt(u64),
    Float(f64),
    /// Decimal text such as `"12345678901234567890123"` or `"0.1"`.
    Decimal(String),
}

impl Number {
    /// Parse decimal text (`-12.5e3`, `0.1`, `12345678901234567890123`).
    /// Returns `None` for anything that is not a finite decimal number.
    pub fn parse(text: &str) -> Option<Number> {
        let decimal = Decimal::parse(text)?;
        Some(match decimal.to_i128() {
            Some(i) => match (i64::try_from(i), u64::try_from(i)) {
                (Ok(i), _) => Number::Int(i),
                (_, Ok(u)) => Number::UInt(u),
                _ => Number::Decimal(text.to_owned()),
            },
            None => Number::Decimal(text.to_owned()),
        })
    }

    /// The value as `i64` when it is an integer in range (no rounding).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Number::Int(i) => Some(*i),
            Number::UInt(u) => i64::try_from(*u).ok(),
            _ => self.as_i128().and_then(|i| i64::try_from(i).ok()),
        }
    }

    /// The value as `u64` when it is a non-negative integer in range.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Number::Int(i) => u64::try_from(*i).ok(),
            Number::UInt(u) => Some(*u),
            _ => self.as_i128().and_then(|i| u64::try_from(i).ok()),
        }
    }

    /// The value as `i128` when it is an integer in range.
    pub fn as_i128(&self) -> Option<i128> {
        match self {
            Number::Int(i) => Some(i128::from(*i)),
            Number::UInt(u) => Some(i128::from(*u)),
            Number::Float(f) => {
                // 2^127 bounds the range where the cast below is exact.
                const LIMIT: f64 = 170_141_183_460_469_231_731_687_303_715_884_105_728.0;
                if f.is_finite() && f.fract() == 0.0 && *f >= -LIMIT && *f < LIMIT {
                    Some(*f as i128)
                } else {
                    None
                }
            }
            Number::Decimal(text) => Decimal::parse(text)?.to_i128(),
        }
    }

    /// The nearest `f64` (rounding decimals that have no exact binary form).
    /// `None` only for malformed `Decimal` text.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Number::Int(i) => Some(*i as f64),
            Number::UInt(u) => Some(*u as f64),
            Number::Float(f) => Some(*f),
            Number::Decimal(text) => {
                Decimal::parse(text)?;
                text.parse().ok()
            }
        }
    }

    /// Whether the value is a whole number.
    pub fn is_integer(&self) -> bool {
        match self {
            Number::Int(_) | Number::UInt(_) => true,
            Number::Float(f) => f.is_finite() && f.fract() == 0.0,
            Number::Decimal(text) => Decimal::parse(text).is_some_and(|d| d.is_integer()),
        }
    }

    /// Whether the value is a number Terraform can hold (not NaN, and
    /// well-formed decimal text).
    pub fn is_valid(&self) -> bool {
        match self {
            Number::Int(_) | Number::UInt(_) => true,
            Number::Float(f) => !f.is_nan(),
            Number::Decimal(text) => Decimal::parse(text).is_some(),
        }
    }

    /// Text for a JSON number literal; `None` for NaN, infinities and
    /// malformed decimals, which JSON cannot carry.
    pub(crate) fn to_json_text(&self) -> Option<String> {
        match self {
            Number::Int(i) => Some(i.to_string()),
            Number::UInt(u) => Some(u.to_string()),
            // Rust's float Display is the shortest text that reads back to
            // the same f64, and never uses an exponent: valid JSON.
            Number::Float(f) if f.is_finite() => Some(f.to_string()),
            Number::Float(_) => None,
            Number::Decimal(text) => {
                let decimal = Decimal::parse(text)?;
                if is_json_number(text.as_bytes()) {
                    Some(text.clone())
                } else {
                    Some(decimal.to_scientific())
                }
            }
        }
    }

    fn to_decimal(&self) -> Option<Decimal> {
        match self {
            Number::Int(i) => Decimal::parse(&i.to_string()),
            Number::UInt(u) => Decimal::parse(&u.to_string()),
            // `{:e}` is the shortest round-trip digits in exponent form, so a
            // float equals the decimal text a person would write for it.
            Number::Float(f) if f.is_finite() => Decimal::parse(&format!("{f:e}")),
            Number::Float(_) => None,
            Number::Decimal(text) => Decimal::parse(text),
        }
    }
}

impl PartialEq for Number {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => a == b,
            (Number::UInt(a), Number::UInt(b)) => a == b,
            (Number::Float(a), Number::Float(b)) => a == b,
            (Number::Decimal(a), Number::Decimal(b)) if a == b => true,
            _ => self.partial_cmp(other) == Some(Ordering::Equal),
        }
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => Some(a.cmp(b)),
            (Number::UInt(a), Number::UInt(b)) => Some(a.cmp(b)),
            (Number::Float(a), Number::Float(b)) => a.partial_cmp(b),
            (Number::Float(f), _) if !f.is_finite() => {
                other.is_valid().then_some(())?;
                f.partial_cmp(&0.0)
            }
            (_, Number::Float(f)) if !f.is_finite() => {
                self.is_valid().then_some(())?;
                0.0.partial_cmp(f)
            }
            _ => Some(self.to_decimal()?.cmp(&other.to_decimal()?)),
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(i) => write!(f, "{i}"),
            Number::UInt(u) => write!(f, "{u}"),
            Number::Float(x) => write!(f, "{x}"),
            Number::Decimal(text) => f.write_str(text),
        }
    }
}

macro_rules! from_signed {
    ($($t:ty),*) => {$(
        impl From<$t> for Number {
            fn from(v: $t) -> Self {
                Number::Int(i64::from(v))
            }
        }
    )*};
}
from_signed!(i8, i16, i32, i64, u8, u16, u32);

impl From<u64> for Number {
    fn from(v: u64) -> Self {
        match i64::try_from(v) {
            Ok(i) => Number::Int(i),
            Err(_) => Number::UInt(v),
        }
    }
}

impl From<usize> for Number {
    fn from(v: usize) -> Self {
        Number::from(v as u64)
    }
}

impl From<isize> for Number {
    fn from(v: isize) -> Self {
        Number::Int(v as i64)
    }
}

impl From<f64> for Number {
    fn from(v: f64) -> Self {
        Number::Float(v)
    }
}

impl From<f32> for Number {
    fn from(v: f32) -> Self {
        Number::Float(f64::from(v))
    }
}

/// A decimal in normal form: value = 0.d1d2...dn × 10^exponent, with no
/// leading or trailing zero digits. Zero has no digits and is not negative.
#[derive(Debug, PartialEq, Eq)]
struct Decimal {
    negative: bool,
    digits: Vec<u8>,
    exponent: i64,
}

impl Decimal {
    /// Accepts `[+-]digits[.digits][(e|E)[+-]digits]`, also `.5` and `5.`.
    fn parse(text: &str) -> Option<Decimal> {
        let bytes = text.as_bytes();
        let mut pos = 0;
        let negative = match bytes.first() {
            Some(b'-') => {
                pos += 1;
                true
            }
            Some(b'+') => {
                pos += 1;
                false
            }
            _ => false,
        };
        let mut digits = Vec::new();
        let int_start = pos;
        while let Some(d @ b'0'..=b'9') = bytes.get(pos) {
            digits.push(d - b'0');
            pos += 1;
        }
        let int_len = pos - int_start;
        let mut frac_len = 0;
        if bytes.get(pos) == Some(&b'.') {
            pos += 1;
            while let Some(d @ b'0'..=b'9') = bytes.get(pos) {
                digits.push(d - b'0');
                pos += 1;
                frac_len += 1;
            }
        }
        if int_len + frac_len == 0 {
            return None;
        }
        let mut exp: i64 = 0;
        if matches!(bytes.get(pos), Some(b'e' | b'E')) {
            pos += 1;
            let exp_negative = match bytes.get(pos) {
                Some(b'-') => {
                    pos += 1;
                    true
                }
                Some(b'+') => {
                    pos += 1;
                    false
                }
                _ => false,
            };
            let exp_start = pos;
            while let Some(d @ b'0'..=b'9') = bytes.get(pos) {
                // Exponents beyond this are not numbers anyone means.
                exp = exp.checked_mul(10)?.checked_add(i64::from(d - b'0'))?;
                if exp > 1_000_000_000_000 {
                    return None;
                }
                pos += 1;
            }
            if pos == exp_start {
                return None;
            }
            if exp_negative {
                exp = -exp;
            }
        }
        if pos != bytes.len() {
            return None;
        }
        let leading = digits.iter().take_while(|d| **d == 0).count();
        digits.drain(..leading);
        while digits.last() == Some(&0) {
            digits.pop();
        }
        if digits.is_empty() {
            return Some(Decimal {
                negative: false,
                digits,
                exponent: 0,
            });
        }
        let int_len = i64::try_from(int_len).ok()?;
        let leading = i64::try_from(leading).ok()?;
        Some(Decimal {
            negative,
            digits,
            exponent: int_len - leading + exp,
        })
    }

    fn is_integer(&self) -> bool {
        i64::try_from(self.digits.len()).is_ok_and(|n| self.exponent >= n)
    }

    fn to_i128(&self) -> Option<i128> {
        if self.digits.is_empty() {
            return Some(0);
        }
        if !self.is_integer() || self.exponent > 39 {
            return None;
        }
        // Accumulate with the sign applied so i128::MIN is reachable.
        let sign: i128 = if self.negative { -1 } else { 1 };
        let mut value: i128 = 0;
        for d in &self.digits {
            value = value.checked_mul(10)?.checked_add(sign * i128::from(*d))?;
        }
        let zeros = self.exponent - i64::try_from(self.digits.len()).ok()?;
        for _ in 0..zeros {
            value = value.checked_mul(10)?;
        }
        Some(value)
    }

    fn sign(&self) -> i8 {
        match (self.digits.is_empty(), self.negative) {
            (true, _) => 0,
            (false, true) => -1,
            (false, false) => 1,
        }
    }

    /// `d.ddde±x`, always valid JSON.
    fn to_scientific(&self) -> String {
        let Some((first, rest)) = self.digits.split_first() else {
            return "0".to_owned();
        };
        let mut out = String::new();
        if self.negative {
            out.push('-');
        }
        out.push(char::from(b'0' + first));
        if !rest.is_empty() {
            out.push('.');
            out.extend(rest.iter().map(|d| char::from(b'0' + d)));
        }
        out.push_str(&format!("e{}", self.exponent - 1));
        out
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        let by_sign = self.sign().cmp(&other.sign());
        if by_sign != Ordering::Equal || self.sign() == 0 {
            return by_sign;
        }
        let magnitude = self
            .exponent
            .cmp(&other.exponent)
            .then_with(|| self.digits.cmp(&other.digits));
        if self.negative {
            magnitude.reverse()
        } else {
            magnitude
        }
    }
}

/// JSON's number grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
pub(crate) fn is_json_number(bytes: &[u8]) -> bool {
    let mut pos = 0;
    let digits = |pos: &mut usize| {
        let start = *pos;
        while bytes.get(*pos).is_some_and(u8::is_ascii_digit) {
            *pos += 1;
        }
        *pos - start
    };
    if bytes.first() == Some(&b'-') {
        pos += 1;
    }
    match bytes.get(pos) {
        Some(b'0') => pos += 1,
        Some(b'1'..=b'9') => {
            digits(&mut pos);
        }
        _ => return false,
    }
    if bytes.get(pos) == Some(&b'.') {
        pos += 1;
        if digits(&mut pos) == 0 {
            return false;
        }
    }
    if matches!(bytes.get(pos), Some(b'e' | b'E')) {
        pos += 1;
        if matches!(bytes.get(pos), Some(b'+' | b'-')) {
            pos += 1;
        }
        if digits(&mut pos) == 0 {
            return false;
        }
    }
    pos == bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_keeps_integers_exact_and_picks_the_smallest_representation() {
        assert!(matches!(Number::parse("42"), Some(Number::Int(42))));
        assert!(matches!(
            Number::parse("-9223372036854775808"),
            Some(Number::Int(i64::MIN))
        ));
        assert!(matches!(
            Number::parse("18446744073709551615"),
            Some(Number::UInt(u64::MAX))
        ));
        assert!(matches!(Number::parse("1e3"), Some(Number::Int(1000))));
        assert!(matches!(Number::parse("12.000"), Some(Number::Int(12))));
        match Number::parse("12345678901234567890123") {
            Some(Number::Decimal(text)) => assert_eq!(text, "12345678901234567890123"),
            other => panic!("unexpected {other:?}"),
        }
        match Number::parse("0.1") {
            Some(Number::Decimal(text)) => assert_eq!(text, "0.1"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn parse_rejects_non_numbers() {
        for bad in [
            "", "-", ".", "1e", "1e+", "abc", "1.2.3", "NaN", "inf", " 1", "1 ", "0x10",
        ] {
            assert!(Number::parse(bad).is_none(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn equality_is_by_numeric_value_across_representations() {
        assert_eq!(Number::Int(3), Number::Float(3.0));
        assert_eq!(Number::Int(3), Number::UInt(3));
        assert_eq!(Number::Int(3), Number::Decimal("3.000".into()));
        assert_eq!(Number::Float(0.1), Number::Decimal("0.1".into()));
        assert_eq!(Number::Float(-0.0), Number::Int(0));
        assert_eq!(
            Number::UInt(u64::MAX),
            Number::Decimal("18446744073709551615".into())
        );
        assert_ne!(
            Number::Decimal("12345678901234567890123".into()),
            Number::Decimal("12345678901234567890124".into())
        );
        assert_ne!(Number::Int(-1), Number::UInt(u64::MAX));
        assert_ne!(Number::Float(f64::INFINITY), Number::Int(i64::MAX));
    }

    #[test]
    fn ordering_handles_signs_exponents_and_infinities() {
        let n = |s: &str| Number::Decimal(s.into());
        assert!(n("-2") < n("-1.5"));
        assert!(n("0.001") < n("0.01"));
        assert!(n("99") < n("100"));
        assert!(Number::Int(i64::MAX) < n("12345678901234567890123"));
        assert!(Number::Float(f64::NEG_INFINITY) < Number::Int(i64::MIN));
        assert!(Number::Float(f64::INFINITY) > n("1e400"));
    }

    #[test]
    fn conversions_are_exact_or_refused() {
        assert_eq!(Number::Float(4.0).as_i64(), Some(4));
        assert_eq!(Number::Float(4.5).as_i64(), None);
        assert_eq!(Number::UInt(u64::MAX).as_i64(), None);
        assert_eq!(Number::Int(-1).as_u64(), None);
        assert_eq!(Number::Decimal("2.5e1".into()).as_i64(), Some(25));
        assert_eq!(Number::Decimal("0.5".into()).as_f64(), Some(0.5));
        assert_eq!(Number::Decimal("bogus".into()).as_f64(), None);
        assert!(Number::Decimal("1e2".into()).is_integer());
        assert!(!Number::Decimal("1.5".into()).is_integer());
    }

    #[test]
    fn json_text_is_always_valid_json() {
        assert_eq!(
            Number::Decimal(".5".into()).to_json_text().as_deref(),
            Some("5e-1")
        );
        assert_eq!(
            Number::Decimal("+12".into()).to_json_text().as_deref(),
            Some("1.2e1")
        );
        assert_eq!(
            Number::Decimal("1.25".into()).to_json_text().as_deref(),
            Some("1.25")
        );
        assert_eq!(
            Number::Float(1e20).to_json_text().as_deref(),
            Some("100000000000000000000")
        );
        assert_eq!(Number::Float(f64::NAN).to_json_text(), None);
        assert!(is_json_number(b"-0.5e+10"));
        assert!(!is_json_number(b"01"));
        assert!(!is_json_number(b"1."));
    }
}
