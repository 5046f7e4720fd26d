//! Decoding msgpack as a value of a given type, with go-cty's refinements and the
//! depth limit.

use super::*;

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
