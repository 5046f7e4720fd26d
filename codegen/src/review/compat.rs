//! Whether a changed variable type or version constraint still accepts everything the
//! old one did (a consumer's configuration keeps working) or not.

use std::cmp::Ordering;
use std::collections::BTreeMap;

/// A Terraform type constraint.
#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    Any,
    String,
    Number,
    Bool,
    /// list, set and tuple: Terraform converts between them for inputs.
    Seq(Box<Ty>),
    Tuple(Vec<Ty>),
    Map(Box<Ty>),
    /// Attribute -> (type, optional).
    Object(BTreeMap<String, (Ty, bool)>),
}

/// How a new constraint relates to the old one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    Same,
    /// Accepts everything the old one accepted, and more.
    Wider,
    /// Rejects something the old one accepted.
    Narrower,
}

/// Parses a type expression as written (`map(object({ a = optional(string) }))`).
pub fn parse_type(text: &str) -> Option<Ty> {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    let t = p.ty()?;
    p.ws();
    (p.i == p.s.len()).then_some(t)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && (self.s[self.i] as char).is_whitespace() {
            self.i += 1;
        }
    }
    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn word(&mut self) -> Option<String> {
        self.ws();
        let start = self.i;
        while self.i < self.s.len()
            && (self.s[self.i].is_ascii_alphanumeric() || matches!(self.s[self.i], b'_' | b'-'))
        {
            self.i += 1;
        }
        (self.i > start).then(|| String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }
    /// Skips one expression (an `optional` default) up to the closing bracket.
    fn skip_value(&mut self) {
        let mut depth = 0i32;
        let mut quoted = false;
        while let Some(&c) = self.s.get(self.i) {
            match c {
                b'"' => quoted = !quoted,
                b'(' | b'[' | b'{' if !quoted => depth += 1,
                b')' | b']' | b'}' if !quoted => {
                    if depth == 0 {
                        return;
                    }
                    depth -= 1;
                }
                _ => {}
            }
            self.i += 1;
        }
    }
    fn ty(&mut self) -> Option<Ty> {
        let w = self.word()?;
        Some(match w.as_str() {
            "any" => Ty::Any,
            "string" => Ty::String,
            "number" => Ty::Number,
            "bool" => Ty::Bool,
            "list" | "set" | "map" => {
                let inner = if self.eat(b'(') {
                    let t = self.ty()?;
                    self.eat(b')').then_some(t)?
                } else {
                    Ty::Any
                };
                if w == "map" {
                    Ty::Map(Box::new(inner))
                } else {
                    Ty::Seq(Box::new(inner))
                }
            }
            "tuple" => {
                if !(self.eat(b'(') && self.eat(b'[')) {
                    return None;
                }
                let mut items = Vec::new();
                while !self.eat(b']') {
                    items.push(self.ty()?);
                    self.eat(b',');
                }
                self.eat(b')').then_some(Ty::Tuple(items))?
            }
            "object" => {
                if !(self.eat(b'(') && self.eat(b'{')) {
                    return None;
                }
                let mut attrs = BTreeMap::new();
                while !self.eat(b'}') {
                    let name = self.word()?;
                    if !(self.eat(b'=') || self.eat(b':')) {
                        return None;
                    }
                    self.ws();
                    let save = self.i;
                    let optional = self.word().as_deref() == Some("optional") && self.eat(b'(');
                    let t = if optional {
                        let t = self.ty()?;
                        if self.eat(b',') {
                            self.skip_value();
                        }
                        self.eat(b')').then_some(t)?
                    } else {
                        self.i = save;
                        self.ty()?
                    };
                    attrs.insert(name, (t, optional));
                    self.eat(b',');
                }
                self.eat(b')').then_some(Ty::Object(attrs))?
            }
            _ => return None,
        })
    }
}

/// Does `new` accept every value `old` accepted?
fn accepts(new: &Ty, old: &Ty) -> bool {
    use Ty::*;
    match (new, old) {
        (Any, _) => true,
        (_, Any) => false,
        // Numbers and bools convert to strings; not the other way round.
        (String, String | Number | Bool) => true,
        (Number, Number) | (Bool, Bool) => true,
        (Seq(n), Seq(o)) => accepts(n, o),
        (Seq(n), Tuple(os)) => os.iter().all(|o| accepts(n, o)),
        (Tuple(ns), Tuple(os)) => {
            ns.len() == os.len() && ns.iter().zip(os).all(|(n, o)| accepts(n, o))
        }
        (Map(n), Map(o)) => accepts(n, o),
        (Map(n), Object(os)) => os.values().all(|(o, _)| accepts(n, o)),
        (Object(ns), Object(os)) => ns.iter().all(|(k, (n, optional))| match os.get(k) {
            // The new attribute was there: its type must accept the old one, and it
            // must not turn required where it was optional.
            Some((o, was_optional)) => accepts(n, o) && (*optional || !was_optional),
            // A new attribute is fine only when optional.
            None => *optional,
        }),
        _ => false,
    }
}

/// Attributes of the old object type that the new one drops (Terraform then discards
/// a caller's value for them silently).
pub fn dropped_attributes(new: &Ty, old: &Ty) -> Vec<String> {
    match (new, old) {
        (Ty::Object(n), Ty::Object(o)) => {
            o.keys().filter(|k| !n.contains_key(*k)).cloned().collect()
        }
        (Ty::Seq(n), Ty::Seq(o)) | (Ty::Map(n), Ty::Map(o)) => dropped_attributes(n, o),
        _ => vec![],
    }
}

/// Compares two type constraints; `None` when either does not parse.
pub fn compare_types(old: Option<&str>, new: Option<&str>) -> Option<Relation> {
    // No type constraint means any.
    let parse = |t: Option<&str>| t.map_or(Some(Ty::Any), parse_type);
    let (o, n) = (parse(old)?, parse(new)?);
    // list and set parse alike (callers' values convert), yet they are not the same.
    let same_text = old.map(str::trim) == new.map(str::trim);
    Some(if o == n && same_text {
        Relation::Same
    } else if accepts(&n, &o) && dropped_attributes(&n, &o).is_empty() {
        Relation::Wider
    } else {
        Relation::Narrower
    })
}

/// A version as numbers (`5.10.0`).
type Version = Vec<u64>;

fn version(s: &str) -> Option<Version> {
    let s = s.trim().trim_start_matches('v');
    let core = s.split(['-', '+']).next()?;
    core.split('.').map(|p| p.parse().ok()).collect()
}

fn cmp(a: &Version, b: &Version) -> Ordering {
    let n = a.len().max(b.len());
    let at = |v: &Version, i| v.get(i).copied().unwrap_or(0);
    (0..n)
        .map(|i| at(a, i).cmp(&at(b, i)))
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

/// The range a constraint allows: (lowest allowed, first excluded above), either open.
fn range(constraint: &str) -> Option<(Option<Version>, Option<Version>)> {
    let (mut lo, mut hi): (Option<Version>, Option<Version>) = (None, None);
    let raise = |lo: &mut Option<Version>, v: Version| {
        if lo.as_ref().is_none_or(|l| cmp(&v, l).is_gt()) {
            *lo = Some(v);
        }
    };
    let lower = |hi: &mut Option<Version>, v: Version| {
        if hi.as_ref().is_none_or(|h| cmp(&v, h).is_lt()) {
            *hi = Some(v);
        }
    };
    for part in constraint
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let (op, v) = ["~>", ">=", "<=", "!=", ">", "<", "="]
            .iter()
            .find_map(|op| part.strip_prefix(op).map(|rest| (*op, rest)))
            .unwrap_or(("=", part));
        let v = version(v)?;
        match op {
            ">=" | ">" => raise(&mut lo, v),
            "<" => lower(&mut hi, v),
            "<=" => {
                let mut next = v;
                next.push(1);
                lower(&mut hi, next);
            }
            "~>" => {
                raise(&mut lo, v.clone());
                let mut top = v;
                if top.len() > 1 {
                    top.pop();
                }
                if let Some(last) = top.last_mut() {
                    *last += 1;
                }
                lower(&mut hi, top);
            }
            "=" => {
                raise(&mut lo, v.clone());
                let mut next = v;
                next.push(1);
                lower(&mut hi, next);
            }
            _ => {} // != excludes one version; ignored.
        }
    }
    Some((lo, hi))
}

/// Compares two version constraints (missing means any version).
pub fn compare_versions(old: Option<&str>, new: Option<&str>) -> Option<Relation> {
    let (o, n) = (range(old.unwrap_or(""))?, range(new.unwrap_or(""))?);
    // An open bound is below (lower) or above (upper) every version.
    let bound = |a: &Option<Version>, b: &Option<Version>, open: Ordering| match (a, b) {
        (Some(a), Some(b)) => cmp(a, b),
        (None, None) => Ordering::Equal,
        (None, Some(_)) => open,
        (Some(_), None) => open.reverse(),
    };
    let lo = bound(&n.0, &o.0, Ordering::Less);
    let hi = bound(&n.1, &o.1, Ordering::Greater);
    Some(if lo.is_gt() || hi.is_lt() {
        Relation::Narrower
    } else if lo.is_eq() && hi.is_eq() {
        Relation::Same
    } else {
        Relation::Wider
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use Relation::*;

    #[test]
    fn types_narrow_and_widen() {
        let c = |o: &str, n: &str| compare_types(Some(o), Some(n));
        assert_eq!(c("any", "string"), Some(Narrower));
        assert_eq!(c("string", "any"), Some(Wider));
        assert_eq!(c("number", "string"), Some(Wider));
        assert_eq!(c("string", "number"), Some(Narrower));
        assert_eq!(c("list(string)", "set(string)"), Some(Wider));
        assert_eq!(c("list(string)", "string"), Some(Narrower));
        assert_eq!(c("map(string)", "map(number)"), Some(Narrower));
        assert_eq!(
            c(
                "object({ a = string })",
                "object({ a = string, b = optional(number, 1) })"
            ),
            Some(Wider)
        );
        assert_eq!(
            c(
                "object({ a = string })",
                "object({ a = string, b = number })"
            ),
            Some(Narrower)
        );
        assert_eq!(
            c("object({ a = optional(string) })", "object({ a = string })"),
            Some(Narrower)
        );
        assert_eq!(
            c("object({ a = string, b = bool })", "object({ a = string })"),
            Some(Narrower)
        );
        assert_eq!(compare_types(None, Some("string")), Some(Narrower));
        assert_eq!(
            c("map(object({ x = string }))", "map(object({ x = string }))"),
            Some(Same)
        );
    }

    #[test]
    fn version_constraints_narrow_and_widen() {
        let c = |o: &str, n: &str| compare_versions(Some(o), Some(n));
        assert_eq!(c(">= 5.0", ">= 6.0"), Some(Narrower));
        assert_eq!(c(">= 6.0", ">= 5.0"), Some(Wider));
        assert_eq!(c("~> 5.0", ">= 5.0"), Some(Wider));
        assert_eq!(c(">= 5.0", "~> 5.0"), Some(Narrower));
        assert_eq!(c("~> 5.0", "~> 5.0.0"), Some(Narrower));
        assert_eq!(c(">= 1.5.0", ">= 1.5"), Some(Same));
        assert_eq!(compare_versions(None, Some(">= 1.0")), Some(Narrower));
    }
}
