//! Loading platform specs and reporting their mistakes with file, line and key path.
//!
//! Specs are TOML. TOML is chosen over YAML because the `toml` crate keeps byte
//! spans for every key and value (`toml::de::DeTable`) and its serde errors
//! carry the span of the offending key or value, so each error can name a
//! line; TOML also has no implicit typing (`no` stays a string, `010` is not
//! octal), which keeps numbers copied from the platform documents exact.
//! `serde_path_to_error` supplies the key path of serde errors; the
//! validation pass reports its own paths, and [`Located`] turns any path into
//! a line by walking the spanned document.

use std::fmt;
use std::ops::Range;

use serde::de::DeserializeOwned;
use toml::de::{DeTable, DeValue};

/// A spec's text and the name it is reported under (relative, never absolute).
#[derive(Debug, Clone)]
pub struct SpecSource {
    pub display_name: String,
    pub text: String,
}

/// One mistake in a spec file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// Dotted key path, e.g. `networking.tiers[1].kind`; empty for syntax errors.
    pub path: String,
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.column, self.message
            )
        } else {
            write!(
                f,
                "{}:{}:{}: `{}`: {}",
                self.file, self.line, self.column, self.path, self.message
            )
        }
    }
}

/// All mistakes found in one spec, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecErrors(pub Vec<SpecError>);

impl fmt::Display for SpecErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SpecErrors {}

/// Maps byte offsets and key paths of one spec text to lines.
pub struct Located<'a> {
    source: &'a SpecSource,
    root: Option<DeTable<'a>>,
}

impl<'a> Located<'a> {
    pub fn new(source: &'a SpecSource) -> Result<Self, SpecErrors> {
        match DeTable::parse(&source.text) {
            Ok(root) => Ok(Self {
                source,
                root: Some(root.into_inner()),
            }),
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                Err(SpecErrors(vec![Self { source, root: None }.error_at(
                    span,
                    String::new(),
                    e.message().to_string(),
                )]))
            }
        }
    }

    pub fn error_at(&self, span: Range<usize>, path: String, message: String) -> SpecError {
        let (line, column) = line_col(&self.source.text, span.start);
        SpecError {
            file: self.source.display_name.clone(),
            line,
            column,
            path,
            message,
        }
    }

    /// The span of the value at `path`, or of the deepest existing parent.
    pub fn span_of(&self, path: &str) -> Range<usize> {
        let Some(root) = &self.root else { return 0..0 };
        let mut best = 0..0;
        let mut current: Option<&DeValue<'_>> = None;
        let mut table = Some(root);
        for seg in segments(path) {
            let next = match (seg, table, current) {
                (Seg::Key(k), Some(t), _) => {
                    t.iter().find(|(key, _)| key.get_ref() == k).map(|(_, v)| v)
                }
                (Seg::Index(i), _, Some(DeValue::Array(items))) => items.get(i),
                _ => None,
            };
            let Some(next) = next else { break };
            best = next.span();
            current = Some(next.get_ref());
            table = match next.get_ref() {
                DeValue::Table(t) => Some(t),
                _ => None,
            };
        }
        best
    }

    pub fn error_at_path(&self, path: &str, message: String) -> SpecError {
        self.error_at(self.span_of(path), path.to_string(), message)
    }

    /// The string at `path`, if present (used to pick the platform before typed parsing).
    pub fn str_at(&self, path: &str) -> Option<String> {
        let (parent, key) = path.rsplit_once('.')?;
        let root = self.root.as_ref()?;
        let table = root
            .iter()
            .find(|(k, _)| k.get_ref() == parent)
            .map(|(_, v)| v.get_ref())?;
        let DeValue::Table(t) = table else {
            return None;
        };
        match t
            .iter()
            .find(|(k, _)| k.get_ref() == key)
            .map(|(_, v)| v.get_ref())
        {
            Some(DeValue::String(s)) => Some(s.to_string()),
            _ => None,
        }
    }

    /// Deserializes the whole document into `T`, turning the first serde
    /// error into a located [`SpecError`] (serde stops at the first one).
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, SpecErrors> {
        let de = match toml::Deserializer::parse(&self.source.text) {
            Ok(de) => de,
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                return Err(SpecErrors(vec![self.error_at(
                    span,
                    String::new(),
                    e.message().to_string(),
                )]));
            }
        };
        serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let path = if path == "." { String::new() } else { path };
            let inner = e.into_inner();
            let span = inner.span().unwrap_or_else(|| self.span_of(&path));
            SpecErrors(vec![self.error_at(span, path, inner.message().to_string())])
        })
    }
}

enum Seg<'p> {
    Key(&'p str),
    Index(usize),
}

fn segments(path: &str) -> Vec<Seg<'_>> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            out.push(Seg::Key(key));
        }
        for idx in rest.split('[').filter(|s| !s.is_empty()) {
            if let Ok(i) = idx.trim_end_matches(']').parse() {
                out.push(Seg::Index(i));
            }
        }
    }
    out
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Collects semantic errors by key path; [`Validator::finish`] locates them.
#[derive(Default)]
pub struct Validator {
    problems: Vec<(String, String)>,
}

/// CloudWatch Logs accepts only these retention periods (days).
pub const LOG_RETENTION_DAYS: &[u32] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

impl Validator {
    /// The key paths of the problems found so far, in order (unit tests).
    #[cfg(test)]
    pub fn paths(&self) -> Vec<&str> {
        self.problems.iter().map(|(p, _)| p.as_str()).collect()
    }

    pub fn check(&mut self, ok: bool, path: impl Into<String>, message: impl Into<String>) {
        if !ok {
            self.problems.push((path.into(), message.into()));
        }
    }

    pub fn range(&mut self, path: impl Into<String>, value: i64, lo: i64, hi: i64, what: &str) {
        self.check(
            (lo..=hi).contains(&value),
            path,
            format!("{what} must be between {lo} and {hi}, got {value}"),
        );
    }

    pub fn log_retention(&mut self, path: impl Into<String>, days: u32) {
        self.check(
            LOG_RETENTION_DAYS.contains(&days),
            path,
            format!(
                "CloudWatch log retention of {days} days is out of range: use one of {}",
                LOG_RETENTION_DAYS
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }

    pub fn ipv4_cidr(
        &mut self,
        path: impl Into<String>,
        cidr: &str,
        min_prefix: u8,
        max_prefix: u8,
    ) {
        match parse_ipv4_cidr(cidr) {
            Ok((_, prefix)) => self.check(
                (min_prefix..=max_prefix).contains(&prefix),
                path,
                format!("CIDR {cidr:?} has prefix /{prefix}; AWS allows /{min_prefix} to /{max_prefix} here"),
            ),
            Err(why) => self.check(false, path, format!("invalid IPv4 CIDR {cidr:?}: {why}")),
        }
    }

    pub fn ipv6_cidr(&mut self, path: impl Into<String>, cidr: &str) {
        let ok = cidr
            .split_once('/')
            .and_then(|(a, p)| Some((a.parse::<std::net::Ipv6Addr>().ok()?, p.parse::<u8>().ok()?)))
            .is_some_and(|(_, p)| p <= 128);
        self.check(ok, path, format!("invalid IPv6 CIDR {cidr:?}"));
    }

    pub fn one_of(&mut self, path: impl Into<String>, value: &str, allowed: &[&str]) {
        self.check(
            allowed.contains(&value),
            path,
            format!(
                "{value:?} is not allowed: use one of {}",
                allowed.join(", ")
            ),
        );
    }

    pub fn port(&mut self, path: impl Into<String>, port: u32) {
        self.range(path, port.into(), 1, 65535, "port");
    }

    pub fn finish(self, located: &Located<'_>) -> Result<(), SpecErrors> {
        if self.problems.is_empty() {
            return Ok(());
        }
        let mut errors: Vec<SpecError> = self
            .problems
            .into_iter()
            .map(|(p, m)| located.error_at_path(&p, m))
            .collect();
        errors.sort_by(|a, b| (a.line, a.column, &a.path).cmp(&(b.line, b.column, &b.path)));
        Err(SpecErrors(errors))
    }
}

/// Parses `a.b.c.d/n`, returning the network address and prefix; host bits must be zero.
pub fn parse_ipv4_cidr(cidr: &str) -> Result<(u32, u8), String> {
    let (addr, prefix) = cidr.split_once('/').ok_or("missing /prefix")?;
    let addr: std::net::Ipv4Addr = addr
        .parse()
        .map_err(|_| format!("{addr:?} is not an IPv4 address"))?;
    let prefix: u8 = prefix
        .parse()
        .map_err(|_| format!("{prefix:?} is not a prefix length"))?;
    if prefix > 32 {
        return Err(format!("prefix /{prefix} is longer than 32 bits"));
    }
    let bits = u32::from(addr);
    let mask = if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix)
    };
    if bits & !mask != 0 {
        return Err(format!(
            "host bits are set (network address is {})",
            std::net::Ipv4Addr::from(bits & mask)
        ));
    }
    Ok((bits, prefix))
}

/// Whether CIDR `inner` lies inside CIDR `outer` (both already valid).
pub fn ipv4_cidr_contains(outer: &str, inner: &str) -> bool {
    match (parse_ipv4_cidr(outer), parse_ipv4_cidr(inner)) {
        (Ok((o, op)), Ok((i, ip))) => {
            let mask = if op == 0 { 0 } else { u32::MAX << (32 - op) };
            ip >= op && (i & mask) == o
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_cidr_rejects_host_bits_and_long_prefixes() {
        assert!(parse_ipv4_cidr("10.0.0.0/16").is_ok());
        assert!(parse_ipv4_cidr("10.0.0.1/16").is_err());
        assert!(parse_ipv4_cidr("10.0.0.0/33").is_err());
        assert!(parse_ipv4_cidr("10.0.0/16").is_err());
        assert!(ipv4_cidr_contains("10.0.0.0/16", "10.0.4.0/24"));
        assert!(!ipv4_cidr_contains("10.0.0.0/16", "10.1.4.0/24"));
    }

    #[test]
    fn span_of_finds_nested_array_items() {
        let src = SpecSource {
            display_name: "x.toml".into(),
            text: "[a]\nb = 1\n[[a.c]]\nd = 2\n[[a.c]]\nd = 3\n".into(),
        };
        let loc = Located::new(&src).unwrap();
        let e = loc.error_at_path("a.c[1].d", "m".into());
        assert_eq!((e.line, e.path.as_str()), (6, "a.c[1].d"));
    }
    #[test]
    fn every_error_of_a_spec_is_shown_one_per_line_in_order() {
        let e = |line, path: &str, message: &str| SpecError {
            file: "p.toml".into(),
            line,
            column: 1,
            path: path.into(),
            message: message.into(),
        };
        let one = SpecErrors(vec![e(3, "a.b", "first")]);
        assert_eq!(one.to_string(), "p.toml:3:1: `a.b`: first");
        let two = SpecErrors(vec![e(3, "a.b", "first"), e(9, "", "second")]);
        assert_eq!(
            two.to_string(),
            "p.toml:3:1: `a.b`: first\np.toml:9:1: second"
        );
    }

    #[test]
    fn each_check_records_a_problem_at_its_path_only_for_a_bad_value() {
        let mut v = Validator::default();
        v.ipv6_cidr("a", "2001:db8::/56");
        v.ipv6_cidr("b", "2001:db8::/129");
        v.ipv6_cidr("c", "10.0.0.0/8");
        v.one_of("d", "udp", &["https", "udp"]);
        v.one_of("e", "tcp", &["https", "udp"]);
        v.port("f", 443);
        v.port("g", 0);
        v.port("h", 65536);
        v.port("i", 65535);
        let paths: Vec<&str> = v.problems.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["b", "c", "e", "g", "h"]);
        assert_eq!(
            v.problems[2].1,
            "\"tcp\" is not allowed: use one of https, udp"
        );
    }

    #[test]
    fn a_32_is_one_address_and_host_bits_anywhere_past_the_prefix_are_refused() {
        assert_eq!(parse_ipv4_cidr("10.0.0.1/32"), Ok((0x0a00_0001, 32)));
        assert_eq!(
            parse_ipv4_cidr("10.0.0.2/24"),
            Err("host bits are set (network address is 10.0.0.0)".to_string())
        );
        assert!(parse_ipv4_cidr("10.0.1.0/23").is_err());
    }

    #[test]
    fn columns_count_from_1_at_the_start_of_each_line() {
        assert_eq!(line_col("ab\ncd", 0), (1, 1));
        assert_eq!(line_col("ab\ncd", 3), (2, 1));
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(line_col("ab\ncd", 99), (2, 3));
    }
}
