//! The JSON form of values: `DynamicValue.json` and `RawState.json`.
//!
//! Numbers must stay exact, and serde_json (without its workspace-wide
//! `arbitrary_precision` feature, which changes how every crate in the build
//! parses numbers) rounds big integers to `f64`. So JSON text is read by a
//! small parser here that keeps number literals as text; values then take
//! their shape from the [`Type`], as go-cty's JSON unmarshaller does,
//! including its leniency about primitives (a string `"5"` where a number is
//! expected, a number where a string is expected).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::error::ValueError;
use super::number::{Number, is_json_number};
use super::path::{AttributePath, PathStep};
use super::types::Type;
use super::values::Value;

/// Nesting deeper than this is refused rather than risking the stack.
const MAX_DEPTH: usize = 256;

/// Decode JSON bytes as a value of type `ty`. Object attributes missing from
/// the JSON are null (state written by an older schema lacks attributes added
/// since); attributes the type does not declare are an error naming them.
pub fn decode_json(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
    let json = parse(bytes)?;
    decode(&json, ty, &mut AttributePath::root(), Extras::Reject, 0)
}

/// Like [`decode_json`], but attributes the type does not declare are
/// dropped: for upgrading state written by an older schema version that had
/// attributes since removed.
pub fn decode_json_lenient(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
    let json = parse(bytes)?;
    decode(&json, ty, &mut AttributePath::root(), Extras::Drop, 0)
}

/// [`decode_json`] for JSON already parsed by serde_json. Numbers are as
/// exact as serde_json kept them.
pub fn decode_json_value(json: &serde_json::Value, ty: &Type) -> Result<Value, ValueError> {
    decode(
        &Json::from_serde(json),
        ty,
        &mut AttributePath::root(),
        Extras::Reject,
        0,
    )
}

/// [`decode_json_lenient`] for JSON already parsed by serde_json.
pub fn decode_json_value_lenient(json: &serde_json::Value, ty: &Type) -> Result<Value, ValueError> {
    decode(
        &Json::from_serde(json),
        ty,
        &mut AttributePath::root(),
        Extras::Drop,
        0,
    )
}

/// Encode a value of type `ty` as JSON text in go-cty's form (a value in a
/// `dynamic` slot is `{"value": ..., "type": ...}`). Unknown values have no
/// JSON form and are an error.
pub fn encode_json(value: &Value, ty: &Type) -> Result<Vec<u8>, ValueError> {
    let mut out = String::new();
    encode(&mut out, value, ty, &mut AttributePath::root())?;
    Ok(out.into_bytes())
}

#[derive(Clone, Copy, PartialEq)]
enum Extras {
    Reject,
    Drop,
}

// ---------------------------------------------------------------- parsing

/// JSON with number literals kept as text.
#[derive(Debug, Clone, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    fn from_serde(json: &serde_json::Value) -> Json {
        match json {
            serde_json::Value::Null => Json::Null,
            serde_json::Value::Bool(b) => Json::Bool(*b),
            serde_json::Value::Number(n) => Json::Number(n.to_string()),
            serde_json::Value::String(s) => Json::String(s.clone()),
            serde_json::Value::Array(items) => {
                Json::Array(items.iter().map(Json::from_serde).collect())
            }
            serde_json::Value::Object(entries) => Json::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), Json::from_serde(v)))
                    .collect(),
            ),
        }
    }

    /// For type constraints inside dynamic values, which never hold numbers.
    fn to_serde(&self) -> serde_json::Value {
        match self {
            Json::Null | Json::Number(_) => serde_json::Value::Null,
            Json::Bool(b) => serde_json::Value::Bool(*b),
            Json::String(s) => serde_json::Value::String(s.clone()),
            Json::Array(items) => {
                serde_json::Value::Array(items.iter().map(Json::to_serde).collect())
            }
            Json::Object(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_serde()))
                    .collect(),
            ),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Json::Null => "JSON null",
            Json::Bool(_) => "JSON boolean",
            Json::Number(_) => "JSON number",
            Json::String(_) => "JSON string",
            Json::Array(_) => "JSON array",
            Json::Object(_) => "JSON object",
        }
    }
}

fn parse(bytes: &[u8]) -> Result<Json, ValueError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| ValueError::json(&AttributePath::root(), format!("not UTF-8: {e}")))?;
    let mut parser = Parser { text, pos: 0 };
    parser.whitespace();
    let json = parser.value(0)?;
    parser.whitespace();
    if parser.pos != text.len() {
        return Err(parser.error("unexpected text after the JSON value"));
    }
    Ok(json)
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, message: &str) -> ValueError {
        ValueError::json(
            &AttributePath::root(),
            format!("{message} at byte {}", self.pos),
        )
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), ValueError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(&format!("expected '{}'", char::from(byte))))
        }
    }

    fn literal(&mut self, word: &str, json: Json) -> Result<Json, ValueError> {
        if self.text[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(json)
        } else {
            Err(self.error("invalid literal"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, ValueError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        match self.peek() {
            Some(b'n') => self.literal("null", Json::Null),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'"') => Ok(Json::String(self.string()?)),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'[') => {
                self.pos += 1;
                let mut items = Vec::new();
                self.whitespace();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                    return Ok(Json::Array(items));
                }
                loop {
                    self.whitespace();
                    items.push(self.value(depth + 1)?);
                    self.whitespace();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b']') => {
                            self.pos += 1;
                            return Ok(Json::Array(items));
                        }
                        _ => return Err(self.error("expected ',' or ']'")),
                    }
                }
            }
            Some(b'{') => {
                self.pos += 1;
                let mut entries: Vec<(String, Json)> = Vec::new();
                self.whitespace();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                    return Ok(Json::Object(entries));
                }
                loop {
                    self.whitespace();
                    if self.peek() != Some(b'"') {
                        return Err(self.error("expected a string key"));
                    }
                    let key = self.string()?;
                    self.whitespace();
                    self.expect(b':')?;
                    self.whitespace();
                    let item = self.value(depth + 1)?;
                    entries.push((key, item));
                    self.whitespace();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b'}') => {
                            self.pos += 1;
                            return Ok(Json::Object(entries));
                        }
                        _ => return Err(self.error("expected ',' or '}'")),
                    }
                }
            }
            Some(_) => Err(self.error("unexpected character")),
            None => Err(self.error("unexpected end of input")),
        }
    }

    fn number(&mut self) -> Result<Json, ValueError> {
        let start = self.pos;
        while matches!(
            self.peek(),
            Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
        ) {
            self.pos += 1;
        }
        let text = &self.text[start..self.pos];
        if !is_json_number(text.as_bytes()) {
            self.pos = start;
            return Err(self.error("invalid number"));
        }
        Ok(Json::Number(text.to_owned()))
    }

    fn string(&mut self) -> Result<String, ValueError> {
        self.expect(b'"')?;
        let mut out = String::new();
        loop {
            let rest = &self.text[self.pos..];
            // Every byte we stop at is ASCII, so the slice ends on a char boundary.
            let Some(stop) = rest.find(|c: char| c == '"' || c == '\\' || c < ' ') else {
                return Err(self.error("unterminated string"));
            };
            out.push_str(&rest[..stop]);
            self.pos += stop;
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let escaped = match self.peek() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.pos += 1;
                            let c = self.unicode_escape()?;
                            out.push(c);
                            continue;
                        }
                        _ => return Err(self.error("invalid escape")),
                    };
                    self.pos += 1;
                    out.push(escaped);
                }
                _ => return Err(self.error("control character in string")),
            }
        }
    }

    /// After `\u`: four hex digits, or a surrogate pair `\uD8xx\uDCxx`.
    fn unicode_escape(&mut self) -> Result<char, ValueError> {
        let first = self.hex4()?;
        let code = if (0xd800..0xdc00).contains(&first) {
            if !self.text[self.pos..].starts_with("\\u") {
                return Err(self.error("unpaired surrogate in \\u escape"));
            }
            self.pos += 2;
            let second = self.hex4()?;
            if !(0xdc00..0xe000).contains(&second) {
                return Err(self.error("unpaired surrogate in \\u escape"));
            }
            0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00)
        } else {
            first
        };
        char::from_u32(code).ok_or_else(|| self.error("invalid \\u escape"))
    }

    fn hex4(&mut self) -> Result<u32, ValueError> {
        let digits = self
            .text
            .get(self.pos..self.pos + 4)
            .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| self.error("invalid \\u escape"))?;
        let code = u32::from_str_radix(digits, 16).map_err(|_| self.error("invalid \\u escape"))?;
        self.pos += 4;
        Ok(code)
    }
}

// ---------------------------------------------------------------- decoding

fn decode(
    json: &Json,
    ty: &Type,
    path: &mut AttributePath,
    extras: Extras,
    depth: usize,
) -> Result<Value, ValueError> {
    if depth > MAX_DEPTH {
        return Err(ValueError::json(path, "nested too deeply"));
    }
    if *json == Json::Null {
        return Ok(Value::Null);
    }
    // Each kind decodes in its own function so the recursive frame stays small:
    // MAX_DEPTH levels must fit a 2 MiB thread stack in a debug build too.
    match ty {
        Type::Dynamic => decode_dynamic(json, path, extras, depth),
        Type::Bool | Type::Number | Type::String => decode_primitive(json, ty, path),
        Type::List(element) | Type::Set(element) => {
            let values = decode_array(json, ty, element, path, extras, depth)?;
            Ok(if matches!(ty, Type::Set(_)) {
                Value::Set(values)
            } else {
                Value::List(values)
            })
        }
        Type::Tuple(types) => decode_tuple(json, ty, types, path, extras, depth),
        Type::Map(element) => decode_map(json, ty, element, path, extras, depth),
        Type::Object { attributes, .. } => decode_object(json, ty, attributes, path, extras, depth),
    }
}

fn mismatch(path: &AttributePath, ty: &Type, json: &Json) -> ValueError {
    ValueError::mismatch(path, ty, json.kind())
}

#[inline(never)]
fn decode_dynamic(
    json: &Json,
    path: &mut AttributePath,
    extras: Extras,
    depth: usize,
) -> Result<Value, ValueError> {
    let Json::Object(entries) = json else {
        return Err(ValueError::json(
            path,
            format!(
                "a dynamic value must be an object with \"value\" and \"type\", found {}",
                json.kind()
            ),
        ));
    };
    let mut value = None;
    let mut type_json = None;
    for (key, item) in entries {
        match key.as_str() {
            "value" => value = Some(item),
            "type" => type_json = Some(item),
            other => {
                return Err(ValueError::json(
                    path,
                    format!("unexpected key {other:?} in a dynamic value"),
                ));
            }
        }
    }
    let (Some(value), Some(type_json)) = (value, type_json) else {
        return Err(ValueError::json(
            path,
            "a dynamic value must have both \"value\" and \"type\"",
        ));
    };
    let concrete = Type::from_json(&type_json.to_serde())
        .map_err(|e| ValueError::type_constraint(path, format!("in dynamic value: {e}")))?;
    decode(value, &concrete, path, extras, depth + 1)
}

#[inline(never)]
fn decode_primitive(json: &Json, ty: &Type, path: &AttributePath) -> Result<Value, ValueError> {
    match (ty, json) {
        (Type::Bool, Json::Bool(b)) => Ok(Value::Bool(*b)),
        (Type::Bool, Json::String(s)) => match s.as_str() {
            "true" | "1" => Ok(Value::Bool(true)),
            "false" | "0" => Ok(Value::Bool(false)),
            _ => Err(mismatch(path, ty, json)),
        },
        (Type::Number, Json::Number(text) | Json::String(text)) => {
            Number::parse(text).map(Value::Number).ok_or_else(|| {
                ValueError::invalid_number(path, format!("{text:?} is not a decimal number"))
            })
        }
        (Type::String, Json::String(s) | Json::Number(s)) => Ok(Value::String(s.clone())),
        (Type::String, Json::Bool(b)) => Ok(Value::String(b.to_string())),
        _ => Err(mismatch(path, ty, json)),
    }
}

#[inline(never)]
fn decode_array(
    json: &Json,
    ty: &Type,
    element: &Type,
    path: &mut AttributePath,
    extras: Extras,
    depth: usize,
) -> Result<Vec<Value>, ValueError> {
    let Json::Array(items) = json else {
        return Err(mismatch(path, ty, json));
    };
    let mut values = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        path.push(PathStep::ElementKeyInt(i as i64));
        values.push(decode(item, element, path, extras, depth + 1)?);
        path.pop();
    }
    Ok(values)
}

#[inline(never)]
fn decode_tuple(
    json: &Json,
    ty: &Type,
    types: &[Type],
    path: &mut AttributePath,
    extras: Extras,
    depth: usize,
) -> Result<Value, ValueError> {
    let Json::Array(items) = json else {
        return Err(mismatch(path, ty, json));
    };
    if items.len() != types.len() {
        return Err(ValueError::TupleLength {
            path: path.clone(),
            expected: types.len(),
            found: items.len(),
        });
    }
    let mut values = Vec::with_capacity(items.len());
    for (i, (item, ty)) in items.iter().zip(types).enumerate() {
        path.push(PathStep::ElementKeyInt(i as i64));
        values.push(decode(item, ty, path, extras, depth + 1)?);
        path.pop();
    }
    Ok(Value::Tuple(values))
}

#[inline(never)]
fn decode_map(
    json: &Json,
    ty: &Type,
    element: &Type,
    path: &mut AttributePath,
    extras: Extras,
    depth: usize,
) -> Result<Value, ValueError> {
    let Json::Object(entries) = json else {
        return Err(mismatch(path, ty, json));
    };
    let mut values = BTreeMap::new();
    for (key, item) in entries {
        path.push(PathStep::ElementKeyString(key.clone()));
        let value = decode(item, element, path, extras, depth + 1)?;
        if values.insert(key.clone(), value).is_some() {
            return Err(ValueError::json(path, "duplicate key"));
        }
        path.pop();
    }
    Ok(Value::Map(values))
}

#[inline(never)]
fn decode_object(
    json: &Json,
    ty: &Type,
    attributes: &BTreeMap<String, Type>,
    path: &mut AttributePath,
    extras: Extras,
    depth: usize,
) -> Result<Value, ValueError> {
    let Json::Object(entries) = json else {
        return Err(mismatch(path, ty, json));
    };
    let mut values = BTreeMap::new();
    for (name, item) in entries {
        path.push(PathStep::Attribute(name.clone()));
        match attributes.get(name) {
            Some(attr_ty) => {
                let value = decode(item, attr_ty, path, extras, depth + 1)?;
                if values.insert(name.clone(), value).is_some() {
                    return Err(ValueError::json(path, "duplicate attribute"));
                }
            }
            None if extras == Extras::Drop => {}
            None => return Err(ValueError::UnexpectedAttribute { path: path.clone() }),
        }
        path.pop();
    }
    for name in attributes.keys() {
        values.entry(name.clone()).or_insert(Value::Null);
    }
    Ok(Value::Object(values))
}

// ---------------------------------------------------------------- encoding

fn encode(
    out: &mut String,
    value: &Value,
    ty: &Type,
    path: &mut AttributePath,
) -> Result<(), ValueError> {
    match (value, ty) {
        (Value::Null, _) => out.push_str("null"),
        (Value::Unknown(_), _) => {
            return Err(ValueError::json(path, "an unknown value has no JSON form"));
        }
        (value, Type::Dynamic) => {
            let concrete = value.infer_type();
            out.push_str("{\"value\":");
            encode(out, value, &concrete, path)?;
            out.push_str(",\"type\":");
            out.push_str(&concrete.to_json().to_string());
            out.push('}');
        }
        (Value::Bool(b), Type::Bool) => out.push_str(if *b { "true" } else { "false" }),
        (Value::Number(n), Type::Number) => {
            let text = n
                .to_json_text()
                .ok_or_else(|| ValueError::invalid_number(path, format!("{n} has no JSON form")))?;
            out.push_str(&text);
        }
        (Value::String(s), Type::String) => write_string(out, s),
        (
            Value::List(items) | Value::Set(items) | Value::Tuple(items),
            Type::List(_) | Type::Set(_) | Type::Tuple(_),
        ) => {
            if let Type::Tuple(types) = ty
                && types.len() != items.len()
            {
                return Err(ValueError::TupleLength {
                    path: path.clone(),
                    expected: types.len(),
                    found: items.len(),
                });
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let item_ty = match ty {
                    Type::Tuple(types) => &types[i],
                    Type::List(t) | Type::Set(t) => t,
                    _ => ty,
                };
                path.push(PathStep::ElementKeyInt(i as i64));
                encode(out, item, item_ty, path)?;
                path.pop();
            }
            out.push(']');
        }
        (Value::Map(entries) | Value::Object(entries), Type::Map(element)) => {
            out.push('{');
            for (i, (key, item)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, key);
                out.push(':');
                path.push(PathStep::ElementKeyString(key.clone()));
                encode(out, item, element, path)?;
                path.pop();
            }
            out.push('}');
        }
        (Value::Map(entries) | Value::Object(entries), Type::Object { attributes, .. }) => {
            if let Some(extra) = entries.keys().find(|k| !attributes.contains_key(*k)) {
                return Err(ValueError::UnexpectedAttribute {
                    path: path.child(PathStep::Attribute(extra.clone())),
                });
            }
            out.push('{');
            for (i, (name, attr_ty)) in attributes.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                path.push(PathStep::Attribute(name.clone()));
                let Some(item) = entries.get(name) else {
                    return Err(ValueError::MissingAttribute { path: path.clone() });
                };
                write_string(out, name);
                out.push(':');
                encode(out, item, attr_ty, path)?;
                path.pop();
            }
            out.push('}');
        }
        (value, ty) => return Err(ValueError::mismatch(path, ty, value.kind())),
    }
    Ok(())
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c < ' ' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
#[path = "json_tests.rs"]
mod tests;
