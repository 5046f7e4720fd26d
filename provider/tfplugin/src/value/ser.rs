//! The serializer half of the serde bridge: model -> `Value`, directed by a
//! `Type`.

use std::collections::BTreeMap;

use serde::ser::{
    Error as _, Impossible, SerializeMap, SerializeSeq, SerializeStruct, SerializeStructVariant,
    SerializeTuple, SerializeTupleStruct, SerializeTupleVariant,
};
use serde::{Serialize, Serializer};

use super::bridge_core::{BridgeError, UNKNOWN_MARKER};
use super::error::ValueError;
use super::number::Number;
use super::path::{AttributePath, PathStep};
use super::types::Type;
use super::values::{Refinements, Value};

type Result<T> = std::result::Result<T, BridgeError>;

pub(crate) struct Ser<'t> {
    ty: &'t Type,
    path: AttributePath,
}

impl<'t> Ser<'t> {
    pub(crate) fn new(ty: &'t Type, path: AttributePath) -> Self {
        Self { ty, path }
    }

    fn mismatch(&self, found: &str) -> BridgeError {
        ValueError::mismatch(&self.path, self.ty, found).into()
    }

    fn number(self, n: Number) -> Result<Value> {
        match self.ty {
            Type::Number | Type::Dynamic => Ok(Value::Number(n)),
            _ => Err(self.mismatch("number")),
        }
    }

    /// The type of the attribute (or map entry) a data-carrying enum variant
    /// fills: enums are "exactly one of these attributes is set".
    fn variant_type(&self, variant: &str) -> Result<&'t Type> {
        match self.ty {
            Type::Object { attributes, .. } => attributes.get(variant).ok_or_else(|| {
                ValueError::UnexpectedAttribute {
                    path: self.path.child(PathStep::Attribute(variant.to_owned())),
                }
                .into()
            }),
            Type::Map(element) => Ok(element),
            Type::Dynamic => Ok(&Type::Dynamic),
            _ => Err(self.mismatch("enum variant with data")),
        }
    }

    fn variant_path(&self, variant: &str) -> AttributePath {
        self.path.child(match self.ty {
            Type::Map(_) => PathStep::ElementKeyString(variant.to_owned()),
            _ => PathStep::Attribute(variant.to_owned()),
        })
    }
}

/// Wrap the content of enum variant `variant` as the object (every other
/// attribute null) or map that represents it.
fn wrap_variant(ty: &Type, variant: &str, content: Value) -> Value {
    match ty {
        Type::Object { attributes, .. } => Value::Object(
            attributes
                .keys()
                .map(|name| {
                    let v = if name == variant {
                        content.clone()
                    } else {
                        Value::Null
                    };
                    (name.clone(), v)
                })
                .collect(),
        ),
        Type::Map(_) => Value::map([(variant, content)]),
        _ => Value::object([(variant, content)]),
    }
}

impl<'t> Serializer for Ser<'t> {
    type Ok = Value;
    type Error = BridgeError;
    type SerializeSeq = SeqSer<'t>;
    type SerializeTuple = SeqSer<'t>;
    type SerializeTupleStruct = SeqSer<'t>;
    type SerializeTupleVariant = VariantSer<'t, SeqSer<'t>>;
    type SerializeMap = MapSer<'t>;
    type SerializeStruct = MapSer<'t>;
    type SerializeStructVariant = VariantSer<'t, MapSer<'t>>;

    fn serialize_bool(self, v: bool) -> Result<Value> {
        match self.ty {
            Type::Bool | Type::Dynamic => Ok(Value::Bool(v)),
            _ => Err(self.mismatch("bool")),
        }
    }

    fn serialize_i8(self, v: i8) -> Result<Value> {
        self.number(Number::from(v))
    }

    fn serialize_i16(self, v: i16) -> Result<Value> {
        self.number(Number::from(v))
    }

    fn serialize_i32(self, v: i32) -> Result<Value> {
        self.number(Number::from(v))
    }

    fn serialize_i64(self, v: i64) -> Result<Value> {
        self.number(Number::from(v))
    }

    fn serialize_i128(self, v: i128) -> Result<Value> {
        let n = match (i64::try_from(v), u64::try_from(v)) {
            (Ok(i), _) => Number::Int(i),
            (_, Ok(u)) => Number::UInt(u),
            _ => Number::Decimal(v.to_string()),
        };
        self.number(n)
    }

    fn serialize_u8(self, v: u8) -> Result<Value> {
        self.number(Number::from(v))
    }

    fn serialize_u16(self, v: u16) -> Result<Value> {
        self.number(Number::from(v))
    }

    fn serialize_u32(self, v: u32) -> Result<Value> {
        self.number(Number::from(v))
    }

    fn serialize_u64(self, v: u64) -> Result<Value> {
        self.number(Number::from(v))
    }

    fn serialize_u128(self, v: u128) -> Result<Value> {
        let n = match u64::try_from(v) {
            Ok(u) => Number::from(u),
            Err(_) => Number::Decimal(v.to_string()),
        };
        self.number(n)
    }

    fn serialize_f32(self, v: f32) -> Result<Value> {
        // Widening 0.1f32 gives 0.100000001490116...; the shortest decimal
        // text of the f32 is what the model meant.
        match Number::parse(&v.to_string()) {
            Some(n) if v.is_finite() => self.number(n),
            _ => self.serialize_f64(f64::from(v)),
        }
    }

    fn serialize_f64(self, v: f64) -> Result<Value> {
        if v.is_nan() {
            return Err(
                ValueError::invalid_number(&self.path, "NaN is not a Terraform number").into(),
            );
        }
        self.number(Number::Float(v))
    }

    fn serialize_char(self, v: char) -> Result<Value> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, v: &str) -> Result<Value> {
        match self.ty {
            Type::String | Type::Dynamic => Ok(Value::String(v.to_owned())),
            _ => Err(self.mismatch("string")),
        }
    }

    fn serialize_bytes(self, _v: &[u8]) -> Result<Value> {
        Err(self.mismatch("bytes"))
    }

    fn serialize_none(self) -> Result<Value> {
        Ok(Value::Null)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<Value> {
        Ok(Value::Null)
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value> {
        Ok(Value::Null)
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Value> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<Value> {
        if name == UNKNOWN_MARKER {
            return Ok(Value::Unknown(Refinements::default()));
        }
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Value> {
        let content_ty = self.variant_type(variant)?;
        let content = value.serialize(Ser::new(content_ty, self.variant_path(variant)))?;
        Ok(wrap_variant(self.ty, variant, content))
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<SeqSer<'t>> {
        let (kind, elements) = match self.ty {
            Type::List(t) => (SeqKind::List, Elements::Same(t)),
            Type::Set(t) => (SeqKind::Set, Elements::Same(t)),
            Type::Tuple(ts) => (SeqKind::Tuple, Elements::Each(ts)),
            // Like Terraform's jsondecode: a sequence of anything is a tuple.
            Type::Dynamic => (SeqKind::Tuple, Elements::Same(&Type::Dynamic)),
            _ => return Err(self.mismatch("sequence")),
        };
        Ok(SeqSer {
            kind,
            elements,
            items: Vec::with_capacity(len.unwrap_or(0).min(4096)),
            path: self.path,
        })
    }

    fn serialize_tuple(self, len: usize) -> Result<SeqSer<'t>> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<SeqSer<'t>> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantSer<'t, SeqSer<'t>>> {
        let content_ty = self.variant_type(variant)?;
        let inner = Ser::new(content_ty, self.variant_path(variant)).serialize_seq(Some(len))?;
        Ok(VariantSer {
            inner,
            ty: self.ty,
            variant,
        })
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<MapSer<'t>> {
        let target = match self.ty {
            Type::Map(t) => Target::Map(t),
            Type::Object { attributes, .. } => Target::Object(attributes),
            // Like Terraform's jsondecode: a map of anything is an object.
            Type::Dynamic => Target::DynamicObject,
            _ => return Err(self.mismatch("map or struct")),
        };
        Ok(MapSer {
            target,
            entries: BTreeMap::new(),
            pending_key: None,
            path: self.path,
        })
    }

    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<MapSer<'t>> {
        self.serialize_map(Some(len))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantSer<'t, MapSer<'t>>> {
        let content_ty = self.variant_type(variant)?;
        let inner = Ser::new(content_ty, self.variant_path(variant)).serialize_map(Some(len))?;
        Ok(VariantSer {
            inner,
            ty: self.ty,
            variant,
        })
    }
}

enum SeqKind {
    List,
    Set,
    Tuple,
}

enum Elements<'t> {
    Same(&'t Type),
    Each(&'t [Type]),
}

pub(crate) struct SeqSer<'t> {
    kind: SeqKind,
    elements: Elements<'t>,
    items: Vec<Value>,
    path: AttributePath,
}

impl SeqSer<'_> {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        let index = self.items.len();
        let ty = match &self.elements {
            Elements::Same(t) => *t,
            Elements::Each(ts) => ts.get(index).ok_or_else(|| ValueError::TupleLength {
                path: self.path.clone(),
                expected: ts.len(),
                found: index + 1,
            })?,
        };
        let path = self.path.child(PathStep::ElementKeyInt(index as i64));
        self.items.push(value.serialize(Ser::new(ty, path))?);
        Ok(())
    }

    fn finish(self) -> Result<Value> {
        if let Elements::Each(ts) = self.elements
            && ts.len() != self.items.len()
        {
            return Err(ValueError::TupleLength {
                path: self.path,
                expected: ts.len(),
                found: self.items.len(),
            }
            .into());
        }
        Ok(match self.kind {
            SeqKind::List => Value::List(self.items),
            SeqKind::Set => Value::Set(self.items),
            SeqKind::Tuple => Value::Tuple(self.items),
        })
    }
}

impl SerializeSeq for SeqSer<'_> {
    type Ok = Value;
    type Error = BridgeError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.push(value)
    }

    fn end(self) -> Result<Value> {
        self.finish()
    }
}

impl SerializeTuple for SeqSer<'_> {
    type Ok = Value;
    type Error = BridgeError;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.push(value)
    }

    fn end(self) -> Result<Value> {
        self.finish()
    }
}

impl SerializeTupleStruct for SeqSer<'_> {
    type Ok = Value;
    type Error = BridgeError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.push(value)
    }

    fn end(self) -> Result<Value> {
        self.finish()
    }
}

enum Target<'t> {
    Map(&'t Type),
    Object(&'t BTreeMap<String, Type>),
    DynamicObject,
}

pub(crate) struct MapSer<'t> {
    target: Target<'t>,
    entries: BTreeMap<String, Value>,
    pending_key: Option<String>,
    path: AttributePath,
}

impl MapSer<'_> {
    fn insert<T: Serialize + ?Sized>(&mut self, key: String, value: &T) -> Result<()> {
        let (ty, step) = match &self.target {
            Target::Map(t) => (*t, PathStep::ElementKeyString(key.clone())),
            Target::Object(attributes) => match attributes.get(&key) {
                Some(t) => (t, PathStep::Attribute(key.clone())),
                None => {
                    return Err(ValueError::UnexpectedAttribute {
                        path: self.path.child(PathStep::Attribute(key)),
                    }
                    .into());
                }
            },
            Target::DynamicObject => (&Type::Dynamic, PathStep::Attribute(key.clone())),
        };
        let value = value.serialize(Ser::new(ty, self.path.child(step)))?;
        self.entries.insert(key, value);
        Ok(())
    }

    fn finish(mut self) -> Value {
        match self.target {
            Target::Map(_) => Value::Map(self.entries),
            Target::Object(attributes) => {
                for name in attributes.keys() {
                    self.entries.entry(name.clone()).or_insert(Value::Null);
                }
                Value::Object(self.entries)
            }
            Target::DynamicObject => Value::Object(self.entries),
        }
    }
}

impl SerializeMap for MapSer<'_> {
    type Ok = Value;
    type Error = BridgeError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<()> {
        let key = key.serialize(KeySer).map_err(|e| e.at(&self.path))?;
        self.pending_key = Some(key);
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        let Some(key) = self.pending_key.take() else {
            return Err(BridgeError::custom("map value serialized before its key").at(&self.path));
        };
        self.insert(key, value)
    }

    fn end(self) -> Result<Value> {
        Ok(self.finish())
    }
}

impl SerializeStruct for MapSer<'_> {
    type Ok = Value;
    type Error = BridgeError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        self.insert(key.to_owned(), value)
    }

    fn end(self) -> Result<Value> {
        Ok(self.finish())
    }
}

pub(crate) struct VariantSer<'t, S> {
    inner: S,
    ty: &'t Type,
    variant: &'static str,
}

impl SerializeTupleVariant for VariantSer<'_, SeqSer<'_>> {
    type Ok = Value;
    type Error = BridgeError;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.inner.push(value)
    }

    fn end(self) -> Result<Value> {
        let content = self.inner.finish()?;
        Ok(wrap_variant(self.ty, self.variant, content))
    }
}

impl SerializeStructVariant for VariantSer<'_, MapSer<'_>> {
    type Ok = Value;
    type Error = BridgeError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        self.inner.insert(key.to_owned(), value)
    }

    fn end(self) -> Result<Value> {
        let content = self.inner.finish();
        Ok(wrap_variant(self.ty, self.variant, content))
    }
}

/// Map keys must become strings: Terraform map keys are strings.
struct KeySer;

macro_rules! key_to_string {
    ($($method:ident: $t:ty),*) => {$(
        fn $method(self, v: $t) -> Result<String> {
            Ok(v.to_string())
        }
    )*};
}

impl Serializer for KeySer {
    type Ok = String;
    type Error = BridgeError;
    type SerializeSeq = Impossible<String, BridgeError>;
    type SerializeTuple = Impossible<String, BridgeError>;
    type SerializeTupleStruct = Impossible<String, BridgeError>;
    type SerializeTupleVariant = Impossible<String, BridgeError>;
    type SerializeMap = Impossible<String, BridgeError>;
    type SerializeStruct = Impossible<String, BridgeError>;
    type SerializeStructVariant = Impossible<String, BridgeError>;

    key_to_string!(
        serialize_bool: bool,
        serialize_i8: i8,
        serialize_i16: i16,
        serialize_i32: i32,
        serialize_i64: i64,
        serialize_i128: i128,
        serialize_u8: u8,
        serialize_u16: u16,
        serialize_u32: u32,
        serialize_u64: u64,
        serialize_u128: u128,
        serialize_char: char,
        serialize_str: &str
    );

    fn serialize_f32(self, _v: f32) -> Result<String> {
        Err(BridgeError::custom("map keys must be strings, not floats"))
    }

    fn serialize_f64(self, _v: f64) -> Result<String> {
        Err(BridgeError::custom("map keys must be strings, not floats"))
    }

    fn serialize_bytes(self, _v: &[u8]) -> Result<String> {
        Err(BridgeError::custom("map keys must be strings, not bytes"))
    }

    fn serialize_none(self) -> Result<String> {
        Err(BridgeError::custom("map keys must not be null"))
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<String> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<String> {
        Err(BridgeError::custom("map keys must not be null"))
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<String> {
        Err(BridgeError::custom("map keys must not be null"))
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<String> {
        Ok(variant.to_owned())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<String> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<String> {
        Err(BridgeError::custom("map keys must be strings"))
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq> {
        Err(BridgeError::custom("map keys must be strings"))
    }

    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple> {
        Err(BridgeError::custom("map keys must be strings"))
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        Err(BridgeError::custom("map keys must be strings"))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(BridgeError::custom("map keys must be strings"))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap> {
        Err(BridgeError::custom("map keys must be strings"))
    }

    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeStruct> {
        Err(BridgeError::custom("map keys must be strings"))
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(BridgeError::custom("map keys must be strings"))
    }
}
