//! The deserializer half of the serde bridge: `Value` -> model.

use std::collections::btree_map;

use serde::de::value::BorrowedStrDeserializer;
use serde::de::{
    DeserializeSeed, Deserializer, EnumAccess, Error as _, IntoDeserializer, MapAccess, SeqAccess,
    VariantAccess, Visitor,
};

use super::bridge_core::{ATTR_MARKER, BridgeError};
use super::error::ValueError;
use super::number::Number;
use super::path::{AttributePath, PathStep};
use super::values::Value;

type Result<T> = std::result::Result<T, BridgeError>;

pub(crate) struct De<'de> {
    value: &'de Value,
    path: AttributePath,
}

impl<'de> De<'de> {
    pub(crate) fn new(value: &'de Value, path: AttributePath) -> Self {
        Self { value, path }
    }

    /// Refuse null and unknown where the model asked for a concrete kind.
    fn require_known_non_null(&self) -> Result<()> {
        match self.value {
            Value::Unknown(_) => Err(ValueError::Unknown {
                path: self.path.clone(),
            }
            .into()),
            Value::Null => Err(ValueError::Null {
                path: self.path.clone(),
            }
            .into()),
            _ => Ok(()),
        }
    }

    fn any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let path = self.path;
        let result = match self.value {
            Value::Null => visitor.visit_unit(),
            Value::Unknown(_) => return Err(ValueError::Unknown { path }.into()),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => visit_number(n, visitor),
            Value::String(s) => visitor.visit_borrowed_str(s),
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                let mut seq = SeqDe {
                    iter: items.iter(),
                    index: 0,
                    path: path.clone(),
                };
                let value = visitor
                    .visit_seq(&mut seq)
                    .map_err(|e: BridgeError| e.at(&path))?;
                if seq.iter.len() > 0 {
                    return Err(BridgeError::invalid_length(
                        items.len(),
                        &"fewer elements in the value",
                    )
                    .at(&path));
                }
                Ok(value)
            }
            Value::Map(entries) => visitor.visit_map(MapDe {
                iter: entries.iter(),
                pending: None,
                path: path.clone(),
                object: false,
            }),
            Value::Object(entries) => visitor.visit_map(MapDe {
                iter: entries.iter(),
                pending: None,
                path: path.clone(),
                object: true,
            }),
        };
        result.map_err(|e: BridgeError| e.at(&path))
    }

    fn integer<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.require_known_non_null()?;
        if let Value::Number(n) = self.value {
            let result = if let Some(i) = n.as_i64() {
                visitor.visit_i64(i)
            } else if let Some(u) = n.as_u64() {
                visitor.visit_u64(u)
            } else if let Some(i) = n.as_i128() {
                visitor.visit_i128(i)
            } else {
                return self.any(visitor);
            };
            return result.map_err(|e: BridgeError| e.at(&self.path));
        }
        self.any(visitor)
    }
}

fn visit_number<'de, V: Visitor<'de>>(n: &Number, visitor: V) -> Result<V::Value> {
    match n {
        Number::Int(i) => visitor.visit_i64(*i),
        Number::UInt(u) => visitor.visit_u64(*u),
        Number::Float(f) => visitor.visit_f64(*f),
        Number::Decimal(text) => {
            if let Some(i) = n.as_i64() {
                visitor.visit_i64(i)
            } else if let Some(u) = n.as_u64() {
                visitor.visit_u64(u)
            } else if let Some(i) = n.as_i128() {
                visitor.visit_i128(i)
            } else {
                // Callers who need the exact digits deserialize into a String.
                match n.as_f64() {
                    Some(f) => visitor.visit_f64(f),
                    None => Err(BridgeError::custom(format!(
                        "{text:?} is not a decimal number"
                    ))),
                }
            }
        }
    }
}

macro_rules! integer_hints {
    ($($method:ident),*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            self.integer(visitor)
        }
    )*};
}

macro_rules! known_hints {
    ($($method:ident),*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            self.require_known_non_null()?;
            self.any(visitor)
        }
    )*};
}

impl<'de> Deserializer<'de> for De<'de> {
    type Error = BridgeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.any(visitor)
    }

    integer_hints!(
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_i128,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64,
        deserialize_u128
    );

    known_hints!(deserialize_bool, deserialize_seq, deserialize_map);

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.require_known_non_null()?;
        match self.value {
            Value::Number(n) => match n.as_f64() {
                Some(f) => visitor
                    .visit_f64(f)
                    .map_err(|e: BridgeError| e.at(&self.path)),
                None => Err(ValueError::invalid_number(
                    &self.path,
                    format!("{n:?} is not a number"),
                )
                .into()),
            },
            _ => self.any(visitor),
        }
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.require_known_non_null()?;
        match self.value {
            // Lets a model keep a number's exact digits in a String field.
            Value::Number(n) => visitor
                .visit_string(n.to_string())
                .map_err(|e: BridgeError| e.at(&self.path)),
            _ => self.any(visitor),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.require_known_non_null()?;
        match self.value {
            Value::String(s) => visitor
                .visit_borrowed_bytes(s.as_bytes())
                .map_err(|e: BridgeError| e.at(&self.path)),
            _ => self.any(visitor),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let path = self.path.clone();
        match self.value {
            Value::Null => visitor.visit_none(),
            Value::Unknown(_) => Err(ValueError::Unknown { path: path.clone() }.into()),
            _ => visitor.visit_some(self),
        }
        .map_err(|e: BridgeError| e.at(&path))
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.any(visitor)
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        self.any(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        let path = self.path.clone();
        if name == ATTR_MARKER {
            match self.value {
                Value::Null => visitor.visit_none(),
                Value::Unknown(_) => visitor.visit_unit(),
                // `Attr` reads its one element, or learns that the value holds an
                // unknown its `T` cannot: then the whole field is not wholly known.
                _ => visitor.visit_seq(LiftUnknown {
                    value: Some(self.value),
                    path: self.path,
                }),
            }
        } else {
            visitor.visit_newtype_struct(self)
        }
        .map_err(|e: BridgeError| e.at(&path))
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_map(visitor)
    }

    /// Unit variants come from strings; a variant with data comes from an
    /// object (or map) in which exactly one attribute is not null: the
    /// "one of these blocks" shape.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.require_known_non_null()?;
        let path = self.path;
        match self.value {
            Value::String(s) => visitor.visit_enum(BorrowedStrDeserializer::<BridgeError>::new(s)),
            Value::Object(entries) | Value::Map(entries) => {
                let object = matches!(self.value, Value::Object(_));
                let step = |key: &str| {
                    if object {
                        PathStep::Attribute(key.to_owned())
                    } else {
                        PathStep::ElementKeyString(key.to_owned())
                    }
                };
                if let Some((key, _)) = entries.iter().find(|(_, v)| v.is_unknown()) {
                    return Err(ValueError::Unknown {
                        path: path.child(step(key)),
                    }
                    .into());
                }
                let mut chosen = entries.iter().filter(|(_, v)| !v.is_null());
                match (chosen.next(), chosen.next()) {
                    (Some((key, value)), None) => visitor.visit_enum(EnumDe {
                        key,
                        value,
                        path: path.child(step(key)),
                    }),
                    _ => Err(BridgeError::custom(format!(
                        "exactly one attribute must be set to choose a variant of {name}"
                    ))),
                }
            }
            other => Err(
                ValueError::mismatch(&path, format!("a variant of {name}"), other.kind()).into(),
            ),
        }
        .map_err(|e: BridgeError| e.at(&path))
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        // Attributes the model does not name may be anything, unknown included.
        visitor.visit_unit()
    }
}

/// What an [`Attr`](super::Attr) field reads a known value through: one element,
/// the value as its `T`; or no element when `T` cannot hold an unknown somewhere
/// inside the value (a map element, a list element, an attribute of a nested block),
/// so the field is `Attr::Unknown`: "not wholly known". An unknown thus lifts to the
/// nearest enclosing `Attr`, and a model whose top-level fields are all `Attr`
/// decodes every value Terraform can send.
struct LiftUnknown<'de> {
    value: Option<&'de Value>,
    path: AttributePath,
}

impl<'de> SeqAccess<'de> for LiftUnknown<'de> {
    type Error = BridgeError;

    fn next_element_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<Option<S::Value>> {
        let Some(value) = self.value.take() else {
            return Ok(None);
        };
        match seed.deserialize(De::new(value, self.path.clone())) {
            Ok(v) => Ok(Some(v)),
            Err(BridgeError::Located(ValueError::Unknown { .. })) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(usize::from(self.value.is_some()))
    }
}

struct SeqDe<'de> {
    iter: std::slice::Iter<'de, Value>,
    index: i64,
    path: AttributePath,
}

impl<'de> SeqAccess<'de> for SeqDe<'de> {
    type Error = BridgeError;

    fn next_element_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<Option<S::Value>> {
        let Some(value) = self.iter.next() else {
            return Ok(None);
        };
        let path = self.path.child(PathStep::ElementKeyInt(self.index));
        self.index += 1;
        seed.deserialize(De::new(value, path)).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

struct MapDe<'de> {
    iter: btree_map::Iter<'de, String, Value>,
    pending: Option<(&'de String, &'de Value)>,
    path: AttributePath,
    /// Object attributes get `.name` steps, map entries `["key"]` steps.
    object: bool,
}

impl MapDe<'_> {
    fn child_path(&self, key: &str) -> AttributePath {
        self.path.child(if self.object {
            PathStep::Attribute(key.to_owned())
        } else {
            PathStep::ElementKeyString(key.to_owned())
        })
    }
}

impl<'de> MapAccess<'de> for MapDe<'de> {
    type Error = BridgeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        let Some((key, value)) = self.iter.next() else {
            return Ok(None);
        };
        self.pending = Some((key, value));
        seed.deserialize(KeyDe(key))
            .map(Some)
            .map_err(|e: BridgeError| e.at(&self.child_path(key)))
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value> {
        let Some((key, value)) = self.pending.take() else {
            return Err(BridgeError::custom("value requested before key"));
        };
        seed.deserialize(De::new(value, self.child_path(key)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

/// Map keys and attribute names: strings, which integer-keyed maps parse.
struct KeyDe<'de>(&'de str);

macro_rules! parse_key {
    ($($method:ident => $visit:ident),*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            match self.0.parse() {
                Ok(n) => visitor.$visit(n),
                Err(_) => visitor.visit_borrowed_str(self.0),
            }
        }
    )*};
}

impl<'de> Deserializer<'de> for KeyDe<'de> {
    type Error = BridgeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_borrowed_str(self.0)
    }

    parse_key!(
        deserialize_i8 => visit_i8,
        deserialize_i16 => visit_i16,
        deserialize_i32 => visit_i32,
        deserialize_i64 => visit_i64,
        deserialize_u8 => visit_u8,
        deserialize_u16 => visit_u16,
        deserialize_u32 => visit_u32,
        deserialize_u64 => visit_u64
    );

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_enum(self.0.into_deserializer())
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i128 u128 f32 f64 char str string bytes byte_buf option unit unit_struct
        seq tuple tuple_struct map struct identifier ignored_any
    }
}

struct EnumDe<'de> {
    key: &'de str,
    value: &'de Value,
    path: AttributePath,
}

impl<'de> EnumAccess<'de> for EnumDe<'de> {
    type Error = BridgeError;
    type Variant = De<'de>;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, De<'de>)> {
        let variant = seed
            .deserialize(BorrowedStrDeserializer::<BridgeError>::new(self.key))
            .map_err(|e: BridgeError| e.at(&self.path))?;
        Ok((variant, De::new(self.value, self.path)))
    }
}

impl<'de> VariantAccess<'de> for De<'de> {
    type Error = BridgeError;

    fn unit_variant(self) -> Result<()> {
        Ok(())
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_map(visitor)
    }
}

#[cfg(test)]
#[path = "de_tests.rs"]
mod tests;
