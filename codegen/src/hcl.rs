//! HCL values for variable defaults and the layout pass that makes rendered text
//! byte-identical to what `terraform fmt` would write.
//!
//! There is no Rust `terraform fmt`, so [`format`] reproduces the parts of
//! hclwrite's formatter that our templates can trigger: indentation by bracket
//! depth and `=` alignment in runs of consecutive single-line attributes. A
//! line whose value opens a bracket it does not close (a multi-line value), a
//! blank line, a comment line or a block header ends a run, exactly as in
//! hclwrite's `formatCells`.

use std::collections::BTreeMap;

/// A Terraform value, rendered as an HCL expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Hcl {
    Null,
    Bool(bool),
    Number(String),
    Str(String),
    List(Vec<Hcl>),
    /// Keys are kept sorted so output never depends on insertion order.
    Object(BTreeMap<String, Hcl>),
    /// An expression written verbatim (e.g. `var.name`).
    Raw(String),
}

impl Hcl {
    pub fn str(s: impl Into<String>) -> Self {
        Hcl::Str(s.into())
    }

    pub fn strs<S: AsRef<str>>(items: &[S]) -> Self {
        Hcl::List(items.iter().map(|s| Hcl::str(s.as_ref())).collect())
    }

    pub fn num(n: impl ToString) -> Self {
        Hcl::Number(n.to_string())
    }

    pub fn object<K: Into<String>>(entries: impl IntoIterator<Item = (K, Hcl)>) -> Self {
        Hcl::Object(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// Converts any serializable value. Map keys end up sorted and `None`
    /// fields (serialized as null) are dropped from objects, so an
    /// `optional(...)` attribute falls back to its type default.
    pub fn from_serialize<T: serde::Serialize>(value: &T) -> Self {
        match serde_json::to_value(value) {
            Ok(v) => Self::from_json(&v),
            // Serializing plain spec structs cannot fail; keep the failure visible.
            Err(e) => Hcl::Raw(format!("null # unserializable: {e}")),
        }
    }

    pub fn from_json(v: &serde_json::Value) -> Self {
        use serde_json::Value;
        match v {
            Value::Null => Hcl::Null,
            Value::Bool(b) => Hcl::Bool(*b),
            Value::Number(n) => Hcl::Number(n.to_string()),
            Value::String(s) => Hcl::Str(s.clone()),
            Value::Array(items) => Hcl::List(items.iter().map(Self::from_json).collect()),
            Value::Object(map) => Hcl::Object(
                map.iter()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(k, v)| (k.clone(), Self::from_json(v)))
                    .collect(),
            ),
        }
    }

    fn is_scalar(&self) -> bool {
        !matches!(self, Hcl::List(_) | Hcl::Object(_))
    }

    /// Renders the value; nested collections go on their own lines. The
    /// caller's indentation is applied later by [`format`].
    pub fn render(&self) -> String {
        match self {
            Hcl::Null => "null".into(),
            Hcl::Bool(b) => b.to_string(),
            Hcl::Number(n) => n.clone(),
            Hcl::Str(s) => quote(s),
            Hcl::Raw(r) => r.clone(),
            Hcl::List(items) if items.is_empty() => "[]".into(),
            Hcl::List(items) if items.iter().all(Hcl::is_scalar) => {
                let one_line = format!(
                    "[{}]",
                    items.iter().map(Hcl::render).collect::<Vec<_>>().join(", ")
                );
                if one_line.len() <= 80 {
                    one_line
                } else {
                    let body: Vec<String> =
                        items.iter().map(|i| format!("{},", i.render())).collect();
                    format!("[\n{}\n]", body.join("\n"))
                }
            }
            Hcl::List(items) => {
                let body: Vec<String> = items.iter().map(|i| format!("{},", i.render())).collect();
                format!("[\n{}\n]", body.join("\n"))
            }
            Hcl::Object(map) if map.is_empty() => "{}".into(),
            Hcl::Object(map) => {
                let body: Vec<String> = map
                    .iter()
                    .map(|(k, v)| format!("{} = {}", object_key(k), v.render()))
                    .collect();
                format!("{{\n{}\n}}", body.join("\n"))
            }
        }
    }

    /// A one-line rendering for documentation tables.
    pub fn render_compact(&self) -> String {
        match self {
            Hcl::List(items) => format!(
                "[{}]",
                items
                    .iter()
                    .map(Hcl::render_compact)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Hcl::Object(map) if map.is_empty() => "{}".into(),
            Hcl::Object(map) => format!(
                "{{ {} }}",
                map.iter()
                    .map(|(k, v)| format!("{} = {}", object_key(k), v.render_compact()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            other => other.render(),
        }
    }
}

fn object_key(k: &str) -> String {
    let ident = k
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ident { k.to_string() } else { quote(k) }
}

/// Escapes text for the inside of an HCL quoted string: backslash, quote,
/// control characters and the template introducers `${` / `%{`.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

pub fn quote(s: &str) -> String {
    format!("\"{}\"", escape(s))
}

/// What one line contributes to layout, found by a small lexer that skips
/// string literals (including `${ ... }` interpolations) and comments.
#[derive(Debug, Default)]
struct LineShape {
    /// Net bracket change over the whole line.
    net: i64,
    /// Byte offset of the attribute `=`, when the line is a single-line attribute.
    assign_at: Option<usize>,
    /// Byte offset of the first attribute `=`, whether or not the value ends on this line.
    eq_at: Option<usize>,
}

#[derive(Clone, Copy, PartialEq)]
enum Ctx {
    Code,
    Str,
    /// Inside `${ ... }` of a string; the counter tracks nested braces.
    Interp(u32),
}

/// Lexer state carried across lines so a multi-line string cannot confuse
/// bracket counting (our templates never emit one, but stay safe).
fn shape(line: &str, stack: &mut Vec<Ctx>) -> LineShape {
    let bytes = line.as_bytes();
    let mut shape = LineShape::default();
    let mut seen_token = false;
    let mut first_eq: Option<(usize, i64)> = None;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let ctx = *stack.last().unwrap_or(&Ctx::Code);
        match ctx {
            Ctx::Str => {
                match c {
                    b'\\' => i += 1,
                    b'"' => {
                        stack.pop();
                    }
                    b'$' | b'%' if bytes.get(i + 1) == Some(&b'{') => {
                        if i > 0 && bytes[i - 1] == c {
                            // `$${` is an escaped literal, not an interpolation.
                        } else {
                            stack.push(Ctx::Interp(0));
                            shape.net += 1;
                            i += 1;
                        }
                    }
                    _ => {}
                }
                i += 1;
                continue;
            }
            Ctx::Code | Ctx::Interp(_) => {}
        }
        match c {
            b' ' | b'\t' => {}
            b'#' => break,
            b'/' if bytes.get(i + 1) == Some(&b'/') => break,
            b'"' => {
                seen_token = true;
                stack.push(Ctx::Str);
            }
            b'{' | b'[' | b'(' => {
                seen_token = true;
                shape.net += 1;
                if let Some(Ctx::Interp(n)) = stack.last_mut()
                    && c == b'{'
                {
                    *n += 1;
                }
            }
            b'}' | b']' | b')' => {
                seen_token = true;
                if let Some(Ctx::Interp(n)) = stack.last_mut()
                    && c == b'}'
                {
                    if *n == 0 {
                        stack.pop();
                    } else {
                        *n -= 1;
                    }
                }
                shape.net -= 1;
            }
            b'=' => {
                let prev = if i > 0 { bytes[i - 1] } else { b' ' };
                let next = bytes.get(i + 1).copied().unwrap_or(b' ');
                let is_operator =
                    matches!(prev, b'=' | b'!' | b'<' | b'>') || matches!(next, b'=' | b'>');
                if !is_operator && seen_token && first_eq.is_none() && matches!(ctx, Ctx::Code) {
                    first_eq = Some((i, shape.net));
                }
                seen_token = true;
            }
            _ => seen_token = true,
        }
        i += 1;
    }
    // hclwrite treats the line as an attribute only if the brackets from the
    // `=` onwards balance, i.e. the value ends on this line.
    if let Some((at, net_before)) = first_eq {
        shape.eq_at = Some(at);
        if shape.net - net_before == 0 {
            shape.assign_at = Some(at);
        }
    }
    shape
}

/// Re-indents HCL by bracket depth (two spaces per level), aligns `=` in runs
/// of single-line attributes, collapses repeated blank lines, drops blank
/// lines just inside braces and ends the text with exactly one newline.
pub fn format(src: &str) -> String {
    struct Line {
        indent: usize,
        text: String,
        assign_at: Option<usize>,
    }
    // A multi-line attribute is not aligned, but still gets one space around `=`.
    fn normalize_eq(text: String, eq_at: Option<usize>, assign_at: Option<usize>) -> String {
        match (eq_at, assign_at) {
            (Some(at), None) => format!(
                "{} = {}",
                text[..at].trim_end(),
                text[at + 1..].trim_start()
            ),
            _ => text,
        }
    }
    let mut lines: Vec<Line> = Vec::new();
    // hclwrite's indent stack: a line that opens brackets pushes one level
    // (however many it opens); closing lines pop as many as they close.
    let mut indents: Vec<i64> = Vec::new();
    let mut stack = Vec::new();
    for raw in src.lines() {
        let in_string = matches!(stack.last(), Some(Ctx::Str));
        let text = if in_string {
            raw.to_string()
        } else {
            raw.trim().to_string()
        };
        let s = shape(&text, &mut stack);
        let text = normalize_eq(text, s.eq_at, s.assign_at);
        if s.net > 0 {
            lines.push(Line {
                indent: indents.len(),
                text,
                assign_at: s.assign_at,
            });
            indents.push(s.net);
            continue;
        }
        let mut closed = -s.net;
        while closed > 0 {
            let Some(top) = indents.last_mut() else { break };
            if closed >= *top {
                closed -= *top;
                indents.pop();
            } else {
                *top -= closed;
                closed = 0;
            }
        }
        let indent = if in_string { 0 } else { indents.len() };
        lines.push(Line {
            indent,
            text,
            assign_at: s.assign_at,
        });
    }

    // Blank-line hygiene first, so it cannot split or join alignment runs
    // differently from what the final text shows.
    let mut kept: Vec<Line> = Vec::new();
    for line in lines {
        let blank = line.text.is_empty();
        if blank {
            let prev_blank_or_open = kept.last().is_none_or(|p| {
                p.text.is_empty() || p.text.ends_with('{') || p.text.ends_with('[')
            });
            if prev_blank_or_open {
                continue;
            }
        } else if (line.text.starts_with('}') || line.text.starts_with(']'))
            && kept.last().is_some_and(|p| p.text.is_empty())
        {
            kept.pop();
        }
        kept.push(line);
    }
    while kept.last().is_some_and(|l| l.text.is_empty()) {
        kept.pop();
    }

    let mut out = String::with_capacity(src.len() + src.len() / 8);
    let mut i = 0;
    while i < kept.len() {
        if kept[i].assign_at.is_none() {
            push_line(&mut out, kept[i].indent, &kept[i].text);
            i += 1;
            continue;
        }
        let start = i;
        while i < kept.len() && kept[i].assign_at.is_some() {
            i += 1;
        }
        let run = &kept[start..i];
        let width = run
            .iter()
            .map(|l| 2 * l.indent + l.text[..l.assign_at.unwrap_or(0)].trim_end().len())
            .max()
            .unwrap_or(0);
        for l in run {
            let at = l.assign_at.unwrap_or(0);
            let lead = format!("{}{}", "  ".repeat(l.indent), l.text[..at].trim_end());
            let rest = l.text[at + 1..].trim_start();
            let pad = width - lead.len() + 1;
            out.push_str(&lead);
            out.push_str(&" ".repeat(pad));
            out.push('=');
            if !rest.is_empty() {
                out.push(' ');
                out.push_str(rest);
            }
            out.push('\n');
        }
    }
    out
}

fn push_line(out: &mut String, indent: usize, text: &str) {
    if !text.is_empty() {
        out.push_str(&"  ".repeat(indent));
        out.push_str(text);
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_equals_in_a_run_of_single_line_attributes() {
        let src = "resource \"a\" \"b\" {\nname = \"x\"\ninstance_type = \"y\"\n\ncount = 1\n}\n";
        assert_eq!(
            format(src),
            "resource \"a\" \"b\" {\n  name          = \"x\"\n  instance_type = \"y\"\n\n  count = 1\n}\n"
        );
    }

    #[test]
    fn multi_line_value_ends_the_alignment_run() {
        let src = "a = 1\nlonger = {\nb = 2\n}\nc = 3\n";
        assert_eq!(format(src), "a = 1\nlonger = {\n  b = 2\n}\nc = 3\n");
    }

    #[test]
    fn brackets_and_equals_inside_strings_are_ignored() {
        let src = "a = \"{ x = 1\"\nbb = \"${var.x == \"}\" ? 1 : 2}\"\n";
        assert_eq!(
            format(src),
            "a  = \"{ x = 1\"\nbb = \"${var.x == \"}\" ? 1 : 2}\"\n"
        );
    }

    #[test]
    fn comparison_operators_are_not_assignments() {
        let src = "condition = var.a >= 1 && var.b == 2\nx = 1\n";
        assert_eq!(
            format(src),
            "condition = var.a >= 1 && var.b == 2\nx         = 1\n"
        );
    }

    #[test]
    fn a_line_opening_two_brackets_indents_one_level_like_hclwrite() {
        let src = "a = jsonencode({\nb = 1\n})\n";
        assert_eq!(format(src), "a = jsonencode({\n  b = 1\n})\n");
    }

    #[test]
    fn keys_that_are_not_identifiers_are_quoted() {
        let v = Hcl::object([
            ("kubernetes.io/role/elb", Hcl::str("1")),
            ("Name", Hcl::str("x")),
        ]);
        assert_eq!(
            v.render(),
            "{\nName = \"x\"\n\"kubernetes.io/role/elb\" = \"1\"\n}"
        );
    }

    #[test]
    fn escape_doubles_template_introducers() {
        assert_eq!(escape("a\"b${c}%{d}\\"), "a\\\"b$${c}%%{d}\\\\");
    }

    #[test]
    fn object_default_renders_sorted_and_multiline() {
        let v = Hcl::object([("zeta", Hcl::num(1)), ("alpha", Hcl::str("a"))]);
        assert_eq!(
            format(&format!("x = {}\n", v.render())),
            "x = {\n  alpha = \"a\"\n  zeta  = 1\n}\n"
        );
    }
}
