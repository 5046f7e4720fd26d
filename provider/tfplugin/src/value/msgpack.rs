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

mod decode;
#[cfg(test)]
mod tests;

pub use decode::decode_msgpack;

const EXT_UNKNOWN: i8 = 0;
const EXT_REFINED_UNKNOWN: i8 = 12;

const KEY_NULLNESS: i64 = 1;
const KEY_STRING_PREFIX: i64 = 2;
const KEY_NUMBER_LOWER: i64 = 3;
const KEY_NUMBER_UPPER: i64 = 4;
const KEY_LENGTH_LOWER: i64 = 5;
const KEY_LENGTH_UPPER: i64 = 6;

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
