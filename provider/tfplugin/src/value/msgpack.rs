//! The msgpack form of values: what `DynamicValue.msgpack` carries.
//!
//! Encoding follows what Terraform (go-cty) writes: null is nil, an unknown
//! value is extension 0 (`d4 00 00`) or, when it has refinements, extension
//! 12 carrying a map with small integer keys; numbers are ints when they are
//! integers that fit `i64`, floats when they are not integers but have an
//! exact binary form we hold as `f64`, and decimal strings otherwise; objects
//! are maps with every attribute; a value in a `dynamic` slot is the array
//! `[type constraint JSON as bin, value]`.

use std::collections::BTreeMap;

use rmp::encode;

use super::error::ValueError;
use super::number::Number;
use super::path::{AttributePath, PathStep};
use super::types::Type;
use super::values::{Refinements, Value};

/// Nesting deeper than this is refused rather than risking the stack (only
/// `dynamic` values can nest beyond what the schema allows).
const MAX_DEPTH: usize = 256;

/// go-cty refuses refinement payloads larger than this.
const MAX_REFINEMENTS_LEN: usize = 1024;

/// go-cty truncates string prefix refinements to this many bytes.
const MAX_PREFIX_LEN: usize = 256;

const EXT_UNKNOWN: i8 = 0;
const EXT_REFINED_UNKNOWN: i8 = 12;

const KEY_NULLNESS: i64 = 1;
const KEY_STRING_PREFIX: i64 = 2;
const KEY_NUMBER_LOWER: i64 = 3;
const KEY_NUMBER_UPPER: i64 = 4;
const KEY_LENGTH_LOWER: i64 = 5;
const KEY_LENGTH_UPPER: i64 = 6;

/// Decode msgpack bytes as a value of type `ty`.
pub fn decode_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
    let mut reader = Reader { bytes, pos: 0 };
    let mut path = AttributePath::root();
    let value = decode(&mut reader, ty, &mut path, 0)?;
    if reader.pos != bytes.len() {
        return Err(ValueError::msgpack(
            &path,
            format!(
                "{} trailing bytes after the value",
                bytes.len() - reader.pos
            ),
        ));
    }
    Ok(value)
}

/// Encode a value of type `ty` as msgpack.
pub fn encode_msgpack(value: &Value, ty: &Type) -> Result<Vec<u8>, ValueError> {
    let mut out = Vec::new();
    let mut path = AttributePath::root();
    encode_value(&mut out, value, ty, &mut path)?;
    Ok(out)
}

// ---------------------------------------------------------------- encoding

fn write_failed<E: std::fmt::Debug>(path: &AttributePath) -> impl FnOnce(E) -> ValueError + '_ {
    move |e| ValueError::msgpack(path, format!("cannot write msgpack: {e:?}"))
}

fn len_u32(len: usize, path: &AttributePath) -> Result<u32, ValueError> {
    u32::try_from(len).map_err(|_| ValueError::msgpack(path, "too many elements for msgpack"))
}

fn encode_value(
    out: &mut Vec<u8>,
    value: &Value,
    ty: &Type,
    path: &mut AttributePath,
) -> Result<(), ValueError> {
    match (value, ty) {
        (Value::Null, _) => encode::write_nil(out).map_err(write_failed(path)),
        // A dynamic unknown has no type to refine, so go-cty never refines it.
        (Value::Unknown(_), Type::Dynamic) => write_plain_unknown(out, path),
        (Value::Unknown(refinements), ty) => write_unknown(out, refinements, ty, path),
        (value, Type::Dynamic) => {
            let concrete = value.infer_type();
            encode::write_array_len(out, 2).map_err(write_failed(path))?;
            encode::write_bin(out, &concrete.to_json_bytes()).map_err(write_failed(path))?;
            encode_value(out, value, &concrete, path)
        }
        (Value::Bool(b), Type::Bool) => encode::write_bool(out, *b).map_err(write_failed(path)),
        (Value::Number(n), Type::Number) => write_number(out, n, path),
        (Value::String(s), Type::String) => encode::write_str(out, s).map_err(write_failed(path)),
        (
            Value::List(items) | Value::Set(items) | Value::Tuple(items),
            Type::List(element) | Type::Set(element),
        ) => {
            encode::write_array_len(out, len_u32(items.len(), path)?)
                .map_err(write_failed(path))?;
            for (i, item) in items.iter().enumerate() {
                path.push(PathStep::ElementKeyInt(i as i64));
                encode_value(out, item, element, path)?;
                path.pop();
            }
            Ok(())
        }
        (Value::List(items) | Value::Set(items) | Value::Tuple(items), Type::Tuple(types)) => {
            if items.len() != types.len() {
                return Err(ValueError::TupleLength {
                    path: path.clone(),
                    expected: types.len(),
                    found: items.len(),
                });
            }
            encode::write_array_len(out, len_u32(items.len(), path)?)
                .map_err(write_failed(path))?;
            for (i, (item, ty)) in items.iter().zip(types).enumerate() {
                path.push(PathStep::ElementKeyInt(i as i64));
                encode_value(out, item, ty, path)?;
                path.pop();
            }
            Ok(())
        }
        (Value::Map(entries) | Value::Object(entries), Type::Map(element)) => {
            encode::write_map_len(out, len_u32(entries.len(), path)?)
                .map_err(write_failed(path))?;
            for (key, item) in entries {
                encode::write_str(out, key).map_err(write_failed(path))?;
                path.push(PathStep::ElementKeyString(key.clone()));
                encode_value(out, item, element, path)?;
                path.pop();
            }
            Ok(())
        }
        (Value::Map(entries) | Value::Object(entries), Type::Object { attributes, .. }) => {
            if let Some(extra) = entries.keys().find(|k| !attributes.contains_key(*k)) {
                return Err(ValueError::UnexpectedAttribute {
                    path: path.child(PathStep::Attribute(extra.clone())),
                });
            }
            encode::write_map_len(out, len_u32(attributes.len(), path)?)
                .map_err(write_failed(path))?;
            for (name, attr_ty) in attributes {
                path.push(PathStep::Attribute(name.clone()));
                let Some(item) = entries.get(name) else {
                    return Err(ValueError::MissingAttribute { path: path.clone() });
                };
                encode::write_str(out, name).map_err(write_failed(path))?;
                encode_value(out, item, attr_ty, path)?;
                path.pop();
            }
            Ok(())
        }
        (value, ty) => Err(ValueError::mismatch(path, ty, value.kind())),
    }
}

fn write_plain_unknown(out: &mut Vec<u8>, path: &AttributePath) -> Result<(), ValueError> {
    encode::write_ext_meta(out, 1, EXT_UNKNOWN).map_err(write_failed(path))?;
    out.push(0);
    Ok(())
}

fn write_number(out: &mut Vec<u8>, n: &Number, path: &AttributePath) -> Result<(), ValueError> {
    // 2^63: floats in [-2^63, 2^63) convert to i64 exactly when integral.
    const I64_BOUND: f64 = 9_223_372_036_854_775_808.0;
    match n {
        Number::Int(i) => encode::write_sint(out, *i)
            .map(drop)
            .map_err(write_failed(path)),
        Number::UInt(u) => match i64::try_from(*u) {
            Ok(i) => encode::write_sint(out, i)
                .map(drop)
                .map_err(write_failed(path)),
            // go-cty reads a msgpack uint64 correctly but older decoders read
            // it as int64; the decimal string is read right by every version.
            Err(_) => encode::write_str(out, &u.to_string()).map_err(write_failed(path)),
        },
        Number::Float(f) if f.is_nan() => Err(ValueError::invalid_number(
            path,
            "NaN is not a Terraform number",
        )),
        Number::Float(f) if f.fract() == 0.0 && *f >= -I64_BOUND && *f < I64_BOUND => {
            encode::write_sint(out, *f as i64)
                .map(drop)
                .map_err(write_failed(path))
        }
        Number::Float(f) => encode::write_f64(out, *f).map_err(write_failed(path)),
        Number::Decimal(text) => match Number::parse(text) {
            Some(Number::Int(i)) => encode::write_sint(out, i)
                .map(drop)
                .map_err(write_failed(path)),
            Some(parsed) => {
                let text = parsed.to_json_text().ok_or_else(|| {
                    ValueError::invalid_number(path, format!("{text:?} is not a decimal number"))
                })?;
                encode::write_str(out, &text).map_err(write_failed(path))
            }
            None => Err(ValueError::invalid_number(
                path,
                format!("{text:?} is not a decimal number"),
            )),
        },
    }
}

fn write_unknown(
    out: &mut Vec<u8>,
    refinements: &Refinements,
    ty: &Type,
    path: &AttributePath,
) -> Result<(), ValueError> {
    let mut payload = refinement_payload(refinements, ty, true, path)?;
    if payload.len() > MAX_REFINEMENTS_LEN {
        // Dropping a bound only weakens the promise; Terraform would reject
        // the whole value instead.
        payload = refinement_payload(refinements, ty, false, path)?;
    }
    if payload.is_empty() {
        return write_plain_unknown(out, path);
    }
    encode::write_ext_meta(out, len_u32(payload.len(), path)?, EXT_REFINED_UNKNOWN)
        .map_err(write_failed(path))?;
    out.extend_from_slice(&payload);
    Ok(())
}

/// The ext 12 payload, or nothing when no refinement applies to `ty`. Only
/// refinements that make sense for the type are written: go-cty rejects a
/// string prefix on a number, for example.
fn refinement_payload(
    r: &Refinements,
    ty: &Type,
    with_number_bounds: bool,
    path: &AttributePath,
) -> Result<Vec<u8>, ValueError> {
    let mut entries = Vec::new();
    let mut count = 0u32;
    if let Some(nullness) = r.nullness {
        count += 1;
        encode::write_sint(&mut entries, KEY_NULLNESS).map_err(write_failed(path))?;
        encode::write_bool(&mut entries, nullness).map_err(write_failed(path))?;
    }
    match ty {
        Type::String => {
            if let Some(prefix) = &r.string_prefix {
                count += 1;
                encode::write_sint(&mut entries, KEY_STRING_PREFIX).map_err(write_failed(path))?;
                encode::write_str(&mut entries, truncate_prefix(prefix))
                    .map_err(write_failed(path))?;
            }
        }
        Type::Number if with_number_bounds => {
            for (key, bound) in [
                (KEY_NUMBER_LOWER, &r.number_lower),
                (KEY_NUMBER_UPPER, &r.number_upper),
            ] {
                let Some((n, inclusive)) = bound else {
                    continue;
                };
                // An infinite bound is no bound; go-cty leaves it out too.
                if matches!(n, Number::Float(f) if f.is_infinite()) {
                    continue;
                }
                count += 1;
                encode::write_sint(&mut entries, key).map_err(write_failed(path))?;
                encode::write_array_len(&mut entries, 2).map_err(write_failed(path))?;
                write_number(&mut entries, n, path)?;
                encode::write_bool(&mut entries, *inclusive).map_err(write_failed(path))?;
            }
        }
        Type::List(_) | Type::Set(_) | Type::Map(_) => {
            for (key, bound) in [
                (KEY_LENGTH_LOWER, r.length_lower),
                (KEY_LENGTH_UPPER, r.length_upper),
            ] {
                let Some(bound) = bound else {
                    continue;
                };
                count += 1;
                encode::write_sint(&mut entries, key).map_err(write_failed(path))?;
                encode::write_uint(&mut entries, bound).map_err(write_failed(path))?;
            }
        }
        _ => {}
    }
    if count == 0 {
        return Ok(Vec::new());
    }
    let mut payload = Vec::with_capacity(entries.len() + 1);
    encode::write_map_len(&mut payload, count).map_err(write_failed(path))?;
    payload.extend_from_slice(&entries);
    Ok(payload)
}

fn truncate_prefix(prefix: &str) -> &str {
    if prefix.len() <= MAX_PREFIX_LEN {
        return prefix;
    }
    let mut end = MAX_PREFIX_LEN;
    while !prefix.is_char_boundary(end) {
        end -= 1;
    }
    &prefix[..end]
}

// ---------------------------------------------------------------- decoding

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self, path: &AttributePath) -> Result<u8, ValueError> {
        self.bytes
            .get(self.pos)
            .copied()
            .ok_or_else(|| ValueError::msgpack(path, "unexpected end of input"))
    }

    fn take(&mut self, n: usize, path: &AttributePath) -> Result<&'a [u8], ValueError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|end| *end <= self.bytes.len())
            .ok_or_else(|| ValueError::msgpack(path, "unexpected end of input"))?;
        let slice = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(slice)
    }

    fn byte(&mut self, path: &AttributePath) -> Result<u8, ValueError> {
        Ok(self.take(1, path)?[0])
    }

    fn array<const N: usize>(&mut self, path: &AttributePath) -> Result<[u8; N], ValueError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, path)?);
        Ok(out)
    }

    fn u8(&mut self, path: &AttributePath) -> Result<u8, ValueError> {
        self.byte(path)
    }

    fn u16(&mut self, path: &AttributePath) -> Result<u16, ValueError> {
        Ok(u16::from_be_bytes(self.array(path)?))
    }

    fn u32(&mut self, path: &AttributePath) -> Result<u32, ValueError> {
        Ok(u32::from_be_bytes(self.array(path)?))
    }

    fn u64(&mut self, path: &AttributePath) -> Result<u64, ValueError> {
        Ok(u64::from_be_bytes(self.array(path)?))
    }

    /// Length of a str or bin at the current position, if it is one.
    fn bytes_len(&mut self, path: &AttributePath) -> Result<Option<usize>, ValueError> {
        let marker = self.peek(path)?;
        let len = match marker {
            0xa0..=0xbf => {
                self.pos += 1;
                usize::from(marker & 0x1f)
            }
            0xd9 | 0xc4 => {
                self.pos += 1;
                usize::from(self.u8(path)?)
            }
            0xda | 0xc5 => {
                self.pos += 1;
                usize::from(self.u16(path)?)
            }
            0xdb | 0xc6 => {
                self.pos += 1;
                self.u32(path)? as usize
            }
            _ => return Ok(None),
        };
        Ok(Some(len))
    }

    /// A str (or a bin holding UTF-8, which go's msgpack also reads as a string).
    fn string(&mut self, path: &AttributePath, what: &str) -> Result<&'a str, ValueError> {
        let marker = self.peek(path)?;
        let Some(len) = self.bytes_len(path)? else {
            return Err(ValueError::msgpack(
                path,
                format!("expected {what}, found {}", describe(marker)),
            ));
        };
        let bytes = self.take(len, path)?;
        std::str::from_utf8(bytes)
            .map_err(|_| ValueError::msgpack(path, format!("{what} is not valid UTF-8")))
    }

    fn array_len(&mut self, path: &AttributePath, what: &str) -> Result<usize, ValueError> {
        let marker = self.byte(path)?;
        match marker {
            0x90..=0x9f => Ok(usize::from(marker & 0x0f)),
            0xdc => Ok(usize::from(self.u16(path)?)),
            0xdd => Ok(self.u32(path)? as usize),
            _ => Err(ValueError::msgpack(
                path,
                format!("expected {what}, found {}", describe(marker)),
            )),
        }
    }

    fn map_len(&mut self, path: &AttributePath, what: &str) -> Result<usize, ValueError> {
        let marker = self.byte(path)?;
        match marker {
            0x80..=0x8f => Ok(usize::from(marker & 0x0f)),
            0xde => Ok(usize::from(self.u16(path)?)),
            0xdf => Ok(self.u32(path)? as usize),
            _ => Err(ValueError::msgpack(
                path,
                format!("expected {what}, found {}", describe(marker)),
            )),
        }
    }

    /// An extension value at the current position: its type and payload.
    fn ext(&mut self, path: &AttributePath) -> Result<Option<(i8, &'a [u8])>, ValueError> {
        let marker = self.peek(path)?;
        let len = match marker {
            0xd4 => 1,
            0xd5 => 2,
            0xd6 => 4,
            0xd7 => 8,
            0xd8 => 16,
            0xc7 => {
                self.pos += 1;
                usize::from(self.u8(path)?)
            }
            0xc8 => {
                self.pos += 1;
                usize::from(self.u16(path)?)
            }
            0xc9 => {
                self.pos += 1;
                self.u32(path)? as usize
            }
            _ => return Ok(None),
        };
        if (0xd4..=0xd8).contains(&marker) {
            self.pos += 1;
        }
        let ext_type = i8::from_be_bytes([self.byte(path)?]);
        let payload = self.take(len, path)?;
        Ok(Some((ext_type, payload)))
    }

    /// Any integer.
    fn int(&mut self, path: &AttributePath) -> Result<Option<i128>, ValueError> {
        let marker = self.peek(path)?;
        let value = match marker {
            0x00..=0x7f => i128::from(marker),
            0xe0..=0xff => i128::from(i8::from_be_bytes([marker])),
            0xcc..=0xd3 => {
                self.pos += 1;
                match marker {
                    0xcc => i128::from(self.u8(path)?),
                    0xcd => i128::from(self.u16(path)?),
                    0xce => i128::from(self.u32(path)?),
                    0xcf => i128::from(self.u64(path)?),
                    0xd0 => i128::from(i8::from_be_bytes(self.array(path)?)),
                    0xd1 => i128::from(i16::from_be_bytes(self.array(path)?)),
                    0xd2 => i128::from(i32::from_be_bytes(self.array(path)?)),
                    _ => i128::from(i64::from_be_bytes(self.array(path)?)),
                }
            }
            _ => return Ok(None),
        };
        if marker <= 0x7f || marker >= 0xe0 {
            self.pos += 1;
        }
        Ok(Some(value))
    }

    fn number(&mut self, path: &AttributePath) -> Result<Number, ValueError> {
        let marker = self.peek(path)?;
        if let Some(i) = self.int(path)? {
            return Ok(match (i64::try_from(i), u64::try_from(i)) {
                (Ok(i), _) => Number::Int(i),
                (_, Ok(u)) => Number::UInt(u),
                // Unreachable for msgpack ints, which fit i64 or u64.
                _ => Number::Decimal(i.to_string()),
            });
        }
        let float = match marker {
            0xca => {
                self.pos += 1;
                f64::from(f32::from_be_bytes(self.array(path)?))
            }
            0xcb => {
                self.pos += 1;
                f64::from_be_bytes(self.array(path)?)
            }
            _ => {
                let text = self.string(path, "number")?;
                return Number::parse(text).ok_or_else(|| {
                    ValueError::invalid_number(path, format!("{text:?} is not a decimal number"))
                });
            }
        };
        if float.is_nan() {
            return Err(ValueError::invalid_number(
                path,
                "NaN is not a Terraform number",
            ));
        }
        Ok(Number::Float(float))
    }

    /// Skip one value of any kind (for refinement keys we do not know).
    fn skip(&mut self, path: &AttributePath, depth: usize) -> Result<(), ValueError> {
        if depth > MAX_DEPTH {
            return Err(ValueError::msgpack(path, "nested too deeply"));
        }
        let marker = self.peek(path)?;
        if self.int(path)?.is_some() || self.ext(path)?.is_some() {
            return Ok(());
        }
        if let Some(len) = self.bytes_len(path)? {
            self.take(len, path)?;
            return Ok(());
        }
        match marker {
            0xc0 | 0xc2 | 0xc3 => {
                self.pos += 1;
            }
            0xca => {
                self.take(5, path)?;
            }
            0xcb => {
                self.take(9, path)?;
            }
            0x90..=0x9f | 0xdc | 0xdd => {
                for _ in 0..self.array_len(path, "array")? {
                    self.skip(path, depth + 1)?;
                }
            }
            0x80..=0x8f | 0xde | 0xdf => {
                for _ in 0..self.map_len(path, "map")? {
                    self.skip(path, depth + 1)?;
                    self.skip(path, depth + 1)?;
                }
            }
            _ => {
                return Err(ValueError::msgpack(
                    path,
                    format!("unexpected {}", describe(marker)),
                ));
            }
        }
        Ok(())
    }

    /// A capacity hint that a hostile length cannot turn into a huge allocation.
    fn capacity(&self, len: usize) -> usize {
        len.min(self.bytes.len() - self.pos)
    }
}

fn describe(marker: u8) -> &'static str {
    match marker {
        0x00..=0x7f | 0xe0..=0xff | 0xcc..=0xcf | 0xd0..=0xd3 => "msgpack int",
        0x80..=0x8f | 0xde | 0xdf => "msgpack map",
        0x90..=0x9f | 0xdc | 0xdd => "msgpack array",
        0xa0..=0xbf | 0xd9..=0xdb => "msgpack string",
        0xc0 => "msgpack nil",
        0xc2 | 0xc3 => "msgpack bool",
        0xc4..=0xc6 => "msgpack bin",
        0xc7..=0xc9 | 0xd4..=0xd8 => "msgpack extension",
        0xca | 0xcb => "msgpack float",
        0xc1 => "the unused msgpack marker 0xc1",
    }
}

fn decode(
    reader: &mut Reader<'_>,
    ty: &Type,
    path: &mut AttributePath,
    depth: usize,
) -> Result<Value, ValueError> {
    if depth > MAX_DEPTH {
        return Err(ValueError::msgpack(path, "nested too deeply"));
    }
    // Every extension is an unknown value: Terraform has no others.
    if let Some((ext_type, payload)) = reader.ext(path)? {
        let refinements = if ext_type == EXT_REFINED_UNKNOWN && *ty != Type::Dynamic {
            parse_refinements(payload)
        } else {
            Refinements::default()
        };
        return Ok(Value::Unknown(refinements));
    }
    if reader.peek(path)? == 0xc0 {
        reader.pos += 1;
        return Ok(Value::Null);
    }
    // Each kind decodes in its own function so the recursive frame stays small.
    match ty {
        Type::Dynamic => decode_dynamic(reader, path, depth),
        Type::Bool => match reader.byte(path)? {
            0xc2 => Ok(Value::Bool(false)),
            0xc3 => Ok(Value::Bool(true)),
            other => Err(ValueError::msgpack(
                path,
                format!("expected bool, found {}", describe(other)),
            )),
        },
        Type::Number => Ok(Value::Number(reader.number(path)?)),
        Type::String => Ok(Value::String(reader.string(path, "string")?.to_owned())),
        Type::List(element) => Ok(Value::List(decode_array(reader, element, path, depth)?)),
        Type::Set(element) => Ok(Value::Set(decode_array(reader, element, path, depth)?)),
        Type::Tuple(types) => decode_tuple(reader, types, path, depth),
        Type::Map(element) => decode_map(reader, element, path, depth),
        Type::Object { attributes, .. } => decode_object(reader, attributes, path, depth),
    }
}

#[inline(never)]
fn decode_dynamic(
    reader: &mut Reader<'_>,
    path: &mut AttributePath,
    depth: usize,
) -> Result<Value, ValueError> {
    let len = reader.array_len(path, "a [type, value] array for a dynamic value")?;
    if len != 2 {
        return Err(ValueError::msgpack(
            path,
            format!("a dynamic value must be a [type, value] array, found {len} elements"),
        ));
    }
    let type_json = reader.string(path, "a JSON type constraint")?;
    let concrete = Type::from_json_bytes(type_json.as_bytes())
        .map_err(|e| ValueError::type_constraint(path, format!("in dynamic value: {e}")))?;
    decode(reader, &concrete, path, depth + 1)
}

#[inline(never)]
fn decode_array(
    reader: &mut Reader<'_>,
    element: &Type,
    path: &mut AttributePath,
    depth: usize,
) -> Result<Vec<Value>, ValueError> {
    let len = reader.array_len(path, "array")?;
    let mut items = Vec::with_capacity(reader.capacity(len));
    for i in 0..len {
        path.push(PathStep::ElementKeyInt(i as i64));
        items.push(decode(reader, element, path, depth + 1)?);
        path.pop();
    }
    Ok(items)
}

#[inline(never)]
fn decode_tuple(
    reader: &mut Reader<'_>,
    types: &[Type],
    path: &mut AttributePath,
    depth: usize,
) -> Result<Value, ValueError> {
    let len = reader.array_len(path, "array")?;
    if len != types.len() {
        return Err(ValueError::TupleLength {
            path: path.clone(),
            expected: types.len(),
            found: len,
        });
    }
    let mut items = Vec::with_capacity(len);
    for (i, ty) in types.iter().enumerate() {
        path.push(PathStep::ElementKeyInt(i as i64));
        items.push(decode(reader, ty, path, depth + 1)?);
        path.pop();
    }
    Ok(Value::Tuple(items))
}

#[inline(never)]
fn decode_map(
    reader: &mut Reader<'_>,
    element: &Type,
    path: &mut AttributePath,
    depth: usize,
) -> Result<Value, ValueError> {
    let len = reader.map_len(path, "map")?;
    let mut entries = BTreeMap::new();
    for _ in 0..len {
        let key = reader.string(path, "map key")?;
        path.push(PathStep::ElementKeyString(key.to_owned()));
        let item = decode(reader, element, path, depth + 1)?;
        if entries.insert(key.to_owned(), item).is_some() {
            return Err(ValueError::msgpack(path, "duplicate map key"));
        }
        path.pop();
    }
    Ok(Value::Map(entries))
}

#[inline(never)]
fn decode_object(
    reader: &mut Reader<'_>,
    attributes: &BTreeMap<String, Type>,
    path: &mut AttributePath,
    depth: usize,
) -> Result<Value, ValueError> {
    let len = reader.map_len(path, "map for an object")?;
    let mut attrs = BTreeMap::new();
    for _ in 0..len {
        let name = reader.string(path, "attribute name")?;
        path.push(PathStep::Attribute(name.to_owned()));
        let Some(attr_ty) = attributes.get(name) else {
            return Err(ValueError::UnexpectedAttribute { path: path.clone() });
        };
        let item = decode(reader, attr_ty, path, depth + 1)?;
        if attrs.insert(name.to_owned(), item).is_some() {
            return Err(ValueError::msgpack(path, "duplicate attribute"));
        }
        path.pop();
    }
    if let Some(missing) = attributes.keys().find(|name| !attrs.contains_key(*name)) {
        return Err(ValueError::MissingAttribute {
            path: path.child(PathStep::Attribute(missing.clone())),
        });
    }
    Ok(Value::Object(attrs))
}

/// Refinements from an ext 12 payload. Refinements only narrow what an
/// unknown may become, so a payload we cannot read is treated as "no
/// refinements" rather than failing the request; keys we do not know are
/// skipped.
fn parse_refinements(payload: &[u8]) -> Refinements {
    try_parse_refinements(payload).unwrap_or_default()
}

fn try_parse_refinements(payload: &[u8]) -> Option<Refinements> {
    let path = AttributePath::root();
    let mut reader = Reader {
        bytes: payload,
        pos: 0,
    };
    let mut r = Refinements::default();
    // go-cty writes an empty or one-byte payload for "no refinements".
    if payload.len() <= 1 {
        return Some(r);
    }
    let len = reader.map_len(&path, "map").ok()?;
    for _ in 0..len {
        let key = reader.int(&path).ok()??;
        match i64::try_from(key).ok()? {
            KEY_NULLNESS => {
                r.nullness = Some(match reader.byte(&path).ok()? {
                    0xc2 => false,
                    0xc3 => true,
                    _ => return None,
                });
            }
            KEY_STRING_PREFIX => {
                r.string_prefix = Some(reader.string(&path, "string").ok()?.to_owned());
            }
            key @ (KEY_NUMBER_LOWER | KEY_NUMBER_UPPER) => {
                if reader.array_len(&path, "array").ok()? != 2 {
                    return None;
                }
                let n = reader.number(&path).ok()?;
                let inclusive = match reader.byte(&path).ok()? {
                    0xc2 => false,
                    0xc3 => true,
                    _ => return None,
                };
                if key == KEY_NUMBER_LOWER {
                    r.number_lower = Some((n, inclusive));
                } else {
                    r.number_upper = Some((n, inclusive));
                }
            }
            key @ (KEY_LENGTH_LOWER | KEY_LENGTH_UPPER) => {
                let bound = u64::try_from(reader.int(&path).ok()??).ok()?;
                if key == KEY_LENGTH_LOWER {
                    r.length_lower = Some(bound);
                } else {
                    r.length_upper = Some(bound);
                }
            }
            _ => reader.skip(&path, 0).ok()?,
        }
    }
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(value: &Value, ty: &Type) -> Value {
        let bytes = encode_msgpack(value, ty).expect("encode");
        decode_msgpack(&bytes, ty).expect("decode")
    }

    #[test]
    fn object_with_string_and_null_has_exact_bytes() {
        let ty = Type::object([("a", Type::String), ("b", Type::String)]);
        let value = Value::object([("a", Value::string("x")), ("b", Value::Null)]);
        let bytes = encode_msgpack(&value, &ty).expect("encode");
        assert_eq!(bytes, [0x82, 0xa1, b'a', 0xa1, b'x', 0xa1, b'b', 0xc0]);
        assert_eq!(decode_msgpack(&bytes, &ty), Ok(value));
    }

    #[test]
    fn unknown_without_refinements_is_fixext1_type_0() {
        assert_eq!(
            encode_msgpack(&Value::unknown(), &Type::String),
            Ok(vec![0xd4, 0x00, 0x00])
        );
        assert_eq!(
            decode_msgpack(&[0xd4, 0x00, 0x00], &Type::String),
            Ok(Value::unknown())
        );
    }

    #[test]
    fn refined_unknown_from_terraform_bytes_decodes_prefix_and_not_null() {
        // {1: false, 2: "ab"} in an ext 12: what Terraform writes for an
        // unknown string known to be non-null and to start with "ab".
        let payload = [0x82, 0x01, 0xc2, 0x02, 0xa2, b'a', b'b'];
        let mut bytes = vec![0xc7, payload.len() as u8, 0x0c];
        bytes.extend_from_slice(&payload);
        let decoded = decode_msgpack(&bytes, &Type::String).expect("decode");
        assert_eq!(
            decoded,
            Value::Unknown(Refinements {
                nullness: Some(false),
                string_prefix: Some("ab".into()),
                ..Refinements::default()
            })
        );
        assert_eq!(encode_msgpack(&decoded, &Type::String), Ok(bytes));
    }

    #[test]
    fn refined_unknown_number_bounds_and_collection_lengths_round_trip() {
        let number = Value::Unknown(Refinements {
            nullness: Some(false),
            number_lower: Some((Number::Int(0), true)),
            number_upper: Some((Number::Decimal("12345678901234567890123".into()), false)),
            ..Refinements::default()
        });
        assert_eq!(roundtrip(&number, &Type::Number), number);
        let list = Value::Unknown(Refinements {
            length_lower: Some(1),
            length_upper: Some(3),
            ..Refinements::default()
        });
        assert_eq!(roundtrip(&list, &Type::list(Type::String)), list);
    }

    #[test]
    fn refinements_that_do_not_fit_the_type_are_not_written() {
        let value = Value::Unknown(Refinements {
            string_prefix: Some("x".into()),
            length_lower: Some(2),
            ..Refinements::default()
        });
        assert_eq!(encode_msgpack(&value, &Type::Number), Ok(vec![0xd4, 0, 0]));
        assert_eq!(encode_msgpack(&value, &Type::Dynamic), Ok(vec![0xd4, 0, 0]));
    }

    #[test]
    fn long_string_prefix_is_truncated_on_a_char_boundary() {
        let prefix = "é".repeat(200); // 400 bytes
        let value = Value::Unknown(Refinements::default().with_string_prefix(prefix.clone()));
        let decoded = roundtrip(&value, &Type::String);
        let got = decoded
            .refinements()
            .and_then(|r| r.string_prefix.clone())
            .expect("prefix kept");
        assert!(got.len() <= MAX_PREFIX_LEN);
        assert!(prefix.starts_with(&got));
    }

    #[test]
    fn refinement_payload_with_unknown_keys_and_junk_is_lenient() {
        // {9: [1, 2], 1: false}: key 9 is skipped.
        let payload = [0x82, 0x09, 0x92, 0x01, 0x02, 0x01, 0xc2];
        let mut bytes = vec![0xc7, payload.len() as u8, 0x0c];
        bytes.extend_from_slice(&payload);
        assert_eq!(
            decode_msgpack(&bytes, &Type::String),
            Ok(Value::Unknown(Refinements::not_null()))
        );
        // Not a map at all: still an unknown, with no refinements.
        assert_eq!(
            decode_msgpack(&[0xd5, 0x0c, 0xc3, 0xc3], &Type::String),
            Ok(Value::unknown())
        );
        // Any other extension type is an unknown too.
        assert_eq!(
            decode_msgpack(&[0xd6, 0x05, 1, 2, 3, 4], &Type::Bool),
            Ok(Value::unknown())
        );
    }

    #[test]
    fn string_encoded_big_number_stays_exact() {
        let text = "12345678901234567890123";
        let mut bytes = vec![0xa0 | text.len() as u8];
        bytes.extend_from_slice(text.as_bytes());
        let decoded = decode_msgpack(&bytes, &Type::Number).expect("decode");
        match &decoded {
            Value::Number(Number::Decimal(t)) => assert_eq!(t, text),
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(encode_msgpack(&decoded, &Type::Number), Ok(bytes));
    }

    #[test]
    fn numbers_decode_from_every_msgpack_width() {
        let cases: &[(&[u8], Number)] = &[
            (&[0x05], Number::Int(5)),
            (&[0xff], Number::Int(-1)),
            (&[0xcc, 0xff], Number::Int(255)),
            (&[0xcd, 0x01, 0x00], Number::Int(256)),
            (&[0xce, 0, 1, 0, 0], Number::Int(65536)),
            (
                &[0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
                Number::UInt(u64::MAX),
            ),
            (&[0xd0, 0x80], Number::Int(-128)),
            (&[0xd1, 0x80, 0x00], Number::Int(-32768)),
            (&[0xd2, 0x80, 0, 0, 0], Number::Int(i64::from(i32::MIN))),
            (&[0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0], Number::Int(i64::MIN)),
            (&[0xca, 0x3f, 0xc0, 0, 0], Number::Float(1.5)),
            (&[0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0], Number::Float(1.5)),
            (&[0xa3, b'1', b'.', b'5'], Number::Float(1.5)),
            (&[0xa2, b'4', b'2'], Number::Int(42)),
        ];
        for (bytes, expected) in cases {
            assert_eq!(
                decode_msgpack(bytes, &Type::Number),
                Ok(Value::Number(expected.clone())),
                "bytes {bytes:02x?}"
            );
        }
    }

    #[test]
    fn numbers_encode_like_terraform() {
        let enc = |n: Number| encode_msgpack(&Value::Number(n), &Type::Number).expect("encode");
        assert_eq!(enc(Number::Int(1)), [0x01]);
        assert_eq!(enc(Number::Float(2.0)), [0x02]);
        assert_eq!(
            enc(Number::Float(1.5)),
            [0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(enc(Number::UInt(u64::MAX))[0], 0xb4); // fixstr of 20 digits
        assert!(encode_msgpack(&Value::Number(Number::Float(f64::NAN)), &Type::Number).is_err());
        assert!(
            encode_msgpack(&Value::Number(Number::Decimal("x".into())), &Type::Number).is_err()
        );
    }

    #[test]
    fn dynamic_wire_form_is_type_json_bin_then_value() {
        let bytes = encode_msgpack(&Value::string("hi"), &Type::Dynamic).expect("encode");
        let mut expected = vec![0x92, 0xc4, 8];
        expected.extend_from_slice(b"\"string\"");
        expected.extend_from_slice(&[0xa2, b'h', b'i']);
        assert_eq!(bytes, expected);
        assert_eq!(
            decode_msgpack(&bytes, &Type::Dynamic),
            Ok(Value::string("hi"))
        );
        // The type may also arrive as a str, and null/unknown are not wrapped.
        let mut as_str = vec![0x92, 0xa8];
        as_str.extend_from_slice(b"\"number\"");
        as_str.push(0x07);
        assert_eq!(
            decode_msgpack(&as_str, &Type::Dynamic),
            Ok(Value::number(7i64))
        );
        assert_eq!(encode_msgpack(&Value::Null, &Type::Dynamic), Ok(vec![0xc0]));
        assert_eq!(
            encode_msgpack(&Value::unknown(), &Type::Dynamic),
            Ok(vec![0xd4, 0, 0])
        );
    }

    #[test]
    fn dynamic_object_infers_its_type() {
        let value = Value::object([
            ("ids", Value::list([Value::string("a")])),
            ("n", Value::Null),
        ]);
        let bytes = encode_msgpack(&value, &Type::Dynamic).expect("encode");
        let type_json = br#"["object",{"ids":["list","string"],"n":"dynamic"}]"#;
        assert_eq!(&bytes[3..3 + type_json.len()], type_json);
        assert_eq!(decode_msgpack(&bytes, &Type::Dynamic), Ok(value));
    }

    #[test]
    fn object_missing_or_extra_attributes_are_errors_naming_the_path() {
        let ty = Type::object([("tier", Type::map(Type::object([("name", Type::String)])))]);
        // {"tier": {"a": {}}}
        let missing = [0x81, 0xa4, b't', b'i', b'e', b'r', 0x81, 0xa1, b'a', 0x80];
        assert_eq!(
            decode_msgpack(&missing, &ty),
            Err(ValueError::MissingAttribute {
                path: AttributePath::root().attr("tier").key("a").attr("name")
            })
        );
        // {"tier": {"a": {"name": nil, "x": nil}}}
        let extra = [
            0x81, 0xa4, b't', b'i', b'e', b'r', 0x81, 0xa1, b'a', 0x82, 0xa4, b'n', b'a', b'm',
            b'e', 0xc0, 0xa1, b'x', 0xc0,
        ];
        let err = decode_msgpack(&extra, &ty).expect_err("extra attribute");
        assert_eq!(
            err,
            ValueError::UnexpectedAttribute {
                path: AttributePath::root().attr("tier").key("a").attr("x")
            }
        );
        assert_eq!(
            err.to_string(),
            "unsupported attribute tier[\"a\"].x: the object type does not declare it"
        );
        let value = Value::object([(
            "tier",
            Value::map([("a", Value::object([("x", Value::Null)]))]),
        )]);
        assert!(matches!(
            encode_msgpack(&value, &ty),
            Err(ValueError::UnexpectedAttribute { .. })
        ));
    }

    #[test]
    fn tuple_length_must_match() {
        let ty = Type::tuple([Type::String, Type::Bool]);
        assert!(matches!(
            decode_msgpack(&[0x91, 0xc0], &ty),
            Err(ValueError::TupleLength {
                expected: 2,
                found: 1,
                ..
            })
        ));
        assert!(matches!(
            encode_msgpack(&Value::tuple([Value::Null]), &ty),
            Err(ValueError::TupleLength { .. })
        ));
    }

    #[test]
    fn type_mismatch_names_the_path() {
        let ty = Type::object([("l", Type::list(Type::Bool))]);
        let value = Value::object([("l", Value::list([Value::string("no")]))]);
        assert_eq!(
            encode_msgpack(&value, &ty),
            Err(ValueError::TypeMismatch {
                path: AttributePath::root().attr("l").index(0),
                expected: "bool".into(),
                found: "string".into()
            })
        );
    }

    #[test]
    fn malformed_input_is_an_error_not_a_panic() {
        let ty = Type::object([("a", Type::list(Type::String))]);
        for bytes in [
            &[][..],
            &[0x81],
            &[0x81, 0xa1, b'a', 0xdd, 0xff, 0xff, 0xff, 0xff],
            &[0x81, 0xa1, b'a', 0x91, 0xa5, b'x'],
            &[0xc1],
            &[0xc0, 0xc0],
            &[0xc7, 0xff, 0x00],
        ] {
            assert!(decode_msgpack(bytes, &ty).is_err(), "{bytes:02x?}");
        }
        let deep: Vec<u8> = std::iter::repeat_n([0x92u8, 0xa9], 1000)
            .flat_map(|m| {
                let mut v = m.to_vec();
                v.extend_from_slice(b"\"dynamic\"");
                v
            })
            .collect();
        assert!(decode_msgpack(&deep, &Type::Dynamic).is_err());
    }
}
