//! Typed models through serde: [`from_value`], [`to_value`] and [`Attr`].
//!
//! Provider code reads plan, state and config into `#[derive(Deserialize)]`
//! structs and writes state from `#[derive(Serialize)]` structs; the type from
//! the schema directs how Rust data becomes a Terraform value (a `Vec` becomes
//! a list, set or tuple as the type says; a struct becomes an object with
//! every attribute of the type, null where the struct has nothing).

use std::fmt;
use std::marker::PhantomData;

use serde::de::{DeserializeOwned, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::bridge_core::{ATTR_MARKER, BridgeError, UNKNOWN_MARKER};
use super::de::De;
use super::error::ValueError;
use super::path::AttributePath;
use super::ser::Ser;
use super::types::Type;
use super::values::Value;

/// Read a typed model out of a value. Object attributes become struct fields
/// by serde's field names (`#[serde(rename)]` works); attributes the struct
/// does not name are ignored. Null needs an `Option` or [`Attr`] field, an
/// unknown value needs an [`Attr`] field; anything else is an error naming
/// the attribute path.
pub fn from_value<T: DeserializeOwned>(value: &Value) -> Result<T, ValueError> {
    T::deserialize(De::new(value, AttributePath::root())).map_err(BridgeError::into_value_error)
}

/// Turn a typed model into a value of type `ty`. Struct fields fill object
/// attributes (an attribute the struct lacks is null; a field the type lacks
/// is an error), `None` is null, [`Attr::Unknown`] is unknown, sequences
/// become lists, sets or tuples and maps become maps or objects as `ty`
/// says, unit enum variants become strings, and numbers stay exact.
pub fn to_value<T: Serialize + ?Sized>(value: &T, ty: &Type) -> Result<Value, ValueError> {
    value
        .serialize(Ser::new(ty, AttributePath::root()))
        .map_err(BridgeError::into_value_error)
}

/// A model field that may be null or not yet known.
///
/// Terraform sends unknown values at any depth: every input variable is unknown
/// while it validates, and other resources' attributes are unknown while it plans,
/// so `tags = { Env = var.env }` arrives as a map whose element is unknown. A field
/// reads such a value as `Unknown` when its `T` cannot hold the unknown part:
/// `Unknown` means "not wholly known". Put `Attr` deeper where a check needs the
/// known parts (`Attr<BTreeMap<String, Attr<String>>>` keeps every known tag and
/// marks each unknown one); put it at least on every top-level field, so that every
/// value Terraform can send decodes (`framework::check_model` tests that).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Attr<T> {
    Known(T),
    Null,
    /// Unknown, or known but holding an unknown value `T` cannot represent.
    Unknown,
}

impl<T> Attr<T> {
    pub fn is_known(&self) -> bool {
        matches!(self, Attr::Known(_))
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Attr::Null)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Attr::Unknown)
    }

    /// The value, when known.
    pub fn known(&self) -> Option<&T> {
        match self {
            Attr::Known(v) => Some(v),
            _ => None,
        }
    }

    /// The value, when known.
    pub fn into_known(self) -> Option<T> {
        match self {
            Attr::Known(v) => Some(v),
            _ => None,
        }
    }

    /// The value, or `default` when null or unknown.
    pub fn unwrap_or(self, default: T) -> T {
        self.into_known().unwrap_or(default)
    }

    pub fn as_ref(&self) -> Attr<&T> {
        match self {
            Attr::Known(v) => Attr::Known(v),
            Attr::Null => Attr::Null,
            Attr::Unknown => Attr::Unknown,
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Attr<U> {
        match self {
            Attr::Known(v) => Attr::Known(f(v)),
            Attr::Null => Attr::Null,
            Attr::Unknown => Attr::Unknown,
        }
    }
}

/// Null, so `#[serde(default)]` on an `Attr` field means "absent is null".
impl<T> Default for Attr<T> {
    fn default() -> Self {
        Attr::Null
    }
}

impl<T> From<Option<T>> for Attr<T> {
    fn from(v: Option<T>) -> Self {
        v.map_or(Attr::Null, Attr::Known)
    }
}

impl<T: Serialize> Serialize for Attr<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Attr::Known(v) => serializer.serialize_some(v),
            Attr::Null => serializer.serialize_none(),
            Attr::Unknown => serializer.serialize_newtype_struct(UNKNOWN_MARKER, &()),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Attr<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_newtype_struct(ATTR_MARKER, AttrVisitor(PhantomData))
    }
}

struct AttrVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for AttrVisitor<T> {
    type Value = Attr<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value, null, or unknown")
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(Attr::Null)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(Attr::Unknown)
    }

    /// Only the value deserializer calls this, for a known, non-null value: one
    /// element when `T` holds it, none when it carries an unknown `T` cannot hold
    /// (the field is then not wholly known).
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        Ok(seq.next_element::<T>()?.map_or(Attr::Unknown, Attr::Known))
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        T::deserialize(deserializer).map(Attr::Known)
    }

    /// Other formats (serde_json, ...) call this for everything, so read an
    /// `Option` to map their null to `Attr::Null`.
    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        Option::<T>::deserialize(deserializer).map(Attr::from)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashMap};

    use serde::{Deserialize, Serialize};

    use super::*;
    use crate::value::{Number, Refinements, decode_msgpack, encode_msgpack};

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Subnet {
        name: String,
        #[serde(rename = "ipv6_cidr_block")]
        cidr: Attr<String>,
        netnum: u64,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Tier {
        Public,
        Private,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Network {
        id: Attr<String>,
        description: Option<String>,
        subnets: Vec<Subnet>,
        tags: BTreeMap<String, String>,
        zones: Vec<String>,
        tier: Tier,
        weight: f64,
        big: i128,
    }

    fn network_type() -> Type {
        Type::object([
            ("id", Type::String),
            ("description", Type::String),
            (
                "subnets",
                Type::list(Type::object([
                    ("name", Type::String),
                    ("ipv6_cidr_block", Type::String),
                    ("netnum", Type::Number),
                ])),
            ),
            ("tags", Type::map(Type::String)),
            ("zones", Type::set(Type::String)),
            ("tier", Type::String),
            ("weight", Type::Number),
            ("big", Type::Number),
            ("only_in_schema", Type::Bool),
        ])
    }

    fn network() -> Network {
        Network {
            id: Attr::Unknown,
            description: None,
            subnets: vec![
                Subnet {
                    name: "a".into(),
                    cidr: Attr::Known("2600:1f18::/64".into()),
                    netnum: u64::MAX,
                },
                Subnet {
                    name: "b".into(),
                    cidr: Attr::Null,
                    netnum: 0,
                },
            ],
            tags: BTreeMap::from([("Name".into(), "main".into())]),
            zones: vec!["use1-az1".into(), "use1-az2".into()],
            tier: Tier::Public,
            weight: 0.25,
            big: -170_141_183_460_469_231_731_687_303_715_884_105_728,
        }
    }

    #[test]
    fn typed_model_round_trips_through_value() {
        let ty = network_type();
        let value = to_value(&network(), &ty).expect("to_value");
        assert_eq!(value.get("id"), Some(&Value::unknown()));
        assert_eq!(value.get("description"), Some(&Value::Null));
        assert_eq!(value.get("only_in_schema"), Some(&Value::Null));
        assert_eq!(value.get("tier"), Some(&Value::string("public")));
        assert!(matches!(value.get("zones"), Some(Value::Set(_))));
        assert_eq!(
            value.at(&AttributePath::root()
                .attr("subnets")
                .index(0)
                .attr("netnum")),
            Some(&Value::Number(Number::UInt(u64::MAX)))
        );
        assert_eq!(from_value::<Network>(&value), Ok(network()));
        // And through the wire form.
        let bytes = encode_msgpack(&value, &ty).expect("encode");
        let decoded = decode_msgpack(&bytes, &ty).expect("decode");
        assert_eq!(from_value::<Network>(&decoded), Ok(network()));
    }

    #[test]
    fn unknown_into_plain_field_errors_with_the_path() {
        #[derive(Debug, Deserialize)]
        struct Inner {
            #[allow(dead_code)]
            name: String,
        }
        #[derive(Debug, Deserialize)]
        struct Model {
            #[allow(dead_code)]
            tier: BTreeMap<String, Inner>,
        }
        let value = Value::object([(
            "tier",
            Value::map([("a", Value::object([("name", Value::unknown())]))]),
        )]);
        let err = from_value::<Model>(&value).expect_err("unknown name");
        assert_eq!(
            err,
            ValueError::Unknown {
                path: AttributePath::root().attr("tier").key("a").attr("name")
            }
        );
        assert_eq!(
            err.to_string(),
            "value at tier[\"a\"].name is not known yet"
        );
        assert!(matches!(
            from_value::<String>(&Value::unknown()),
            Err(ValueError::Unknown { .. })
        ));
        assert!(matches!(
            from_value::<Option<String>>(&Value::unknown()),
            Err(ValueError::Unknown { .. })
        ));
    }

    #[test]
    fn an_unknown_lifts_to_the_nearest_attr_at_any_depth() {
        #[derive(Debug, PartialEq, Deserialize)]
        struct Block {
            name: Attr<String>,
            ports: Vec<u16>,
        }
        #[derive(Debug, PartialEq, Deserialize)]
        struct Model {
            tags: Attr<BTreeMap<String, String>>,
            fine: Attr<BTreeMap<String, Attr<String>>>,
            block: Attr<Vec<Block>>,
        }
        let value = Value::object([
            (
                "tags",
                Value::map([("Env", Value::unknown()), ("A", Value::string("1"))]),
            ),
            (
                "fine",
                Value::map([("Env", Value::unknown()), ("A", Value::string("1"))]),
            ),
            (
                "block",
                Value::list([Value::object([
                    ("name", Value::unknown()),
                    (
                        "ports",
                        Value::list([Value::number(443i64), Value::unknown()]),
                    ),
                ])]),
            ),
        ]);
        let m: Model = from_value(&value).expect("every unknown has an Attr above it");
        assert_eq!(m.tags, Attr::Unknown, "not wholly known");
        assert_eq!(
            m.fine,
            Attr::Known(BTreeMap::from([
                ("A".to_string(), Attr::Known("1".to_string())),
                ("Env".to_string(), Attr::Unknown),
            ])),
            "a deeper Attr keeps the known parts"
        );
        assert_eq!(
            m.block,
            Attr::Unknown,
            "the unknown port lifts past the block"
        );
        // Nulls do not lift: a null where the model needs a value stays an error.
        let value = Value::object([
            ("tags", Value::map([("Env", Value::Null)])),
            ("fine", Value::Null),
            ("block", Value::Null),
        ]);
        assert!(matches!(
            from_value::<Model>(&value),
            Err(ValueError::Null { .. })
        ));
    }

    #[test]
    fn null_into_plain_field_errors_with_the_path() {
        #[derive(Debug, Deserialize)]
        struct Model {
            #[allow(dead_code)]
            count: u32,
        }
        let err =
            from_value::<Model>(&Value::object([("count", Value::Null)])).expect_err("null count");
        assert_eq!(
            err,
            ValueError::Null {
                path: AttributePath::root().attr("count")
            }
        );
    }

    #[test]
    fn serde_errors_carry_the_path_of_the_value() {
        #[derive(Debug, Deserialize)]
        struct Port {
            #[allow(dead_code)]
            port: u16,
        }
        let value = Value::list([Value::object([("port", Value::number(70000i64))])]);
        let err = from_value::<Vec<Port>>(&value).expect_err("port out of range");
        assert_eq!(err.path(), &AttributePath::root().index(0).attr("port"));

        let value = Value::list([Value::object([("other", Value::number(1i64))])]);
        let err = from_value::<Vec<Port>>(&value).expect_err("missing field");
        assert_eq!(err.path(), &AttributePath::root().index(0));
        assert!(err.to_string().contains("missing field `port`"), "{err}");
    }

    #[test]
    fn attributes_the_model_does_not_name_may_be_unknown() {
        #[derive(Debug, PartialEq, Deserialize)]
        struct Model {
            name: String,
        }
        let value = Value::object([("name", Value::string("x")), ("arn", Value::unknown())]);
        assert_eq!(from_value::<Model>(&value), Ok(Model { name: "x".into() }));
    }

    #[test]
    fn attr_distinguishes_known_null_and_unknown() {
        assert_eq!(
            from_value::<Attr<i64>>(&Value::number(3i64)),
            Ok(Attr::Known(3))
        );
        assert_eq!(from_value::<Attr<i64>>(&Value::Null), Ok(Attr::Null));
        assert_eq!(
            from_value::<Attr<i64>>(&Value::unknown()),
            Ok(Attr::Unknown)
        );
        assert_eq!(
            from_value::<Attr<i64>>(&Value::Unknown(Refinements::not_null())),
            Ok(Attr::Unknown)
        );
        assert_eq!(
            to_value(&Attr::<i64>::Unknown, &Type::Number),
            Ok(Value::unknown())
        );
        assert_eq!(to_value(&Attr::<i64>::Null, &Type::Number), Ok(Value::Null));
        assert_eq!(
            to_value(&Attr::Known(3i64), &Type::Number),
            Ok(Value::number(3i64))
        );
        let a: Attr<u8> = Some(1).into();
        assert!(a.is_known());
        assert_eq!(a.known(), Some(&1));
        assert_eq!(Attr::<u8>::Unknown.unwrap_or(7), 7);
        assert_eq!(Attr::<u8>::from(None), Attr::Null);
    }

    #[test]
    fn attr_works_with_serde_json_too() {
        #[derive(Debug, PartialEq, Serialize, Deserialize)]
        struct Model {
            a: Attr<String>,
            b: Attr<String>,
            c: Attr<String>,
        }
        let model = Model {
            a: Attr::Known("x".into()),
            b: Attr::Null,
            c: Attr::Unknown,
        };
        let json = serde_json::to_string(&model).expect("serialize");
        assert_eq!(json, r#"{"a":"x","b":null,"c":null}"#);
        let back: Model = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(back.a, Attr::Known("x".into()));
        assert_eq!(back.c, Attr::Null);
    }

    #[test]
    fn to_value_rejects_fields_the_type_lacks_and_kinds_that_do_not_fit() {
        #[derive(Serialize)]
        struct Model {
            name: String,
            extra: bool,
        }
        let ty = Type::object([("name", Type::String)]);
        let model = Model {
            name: "x".into(),
            extra: true,
        };
        assert_eq!(
            to_value(&model, &ty),
            Err(ValueError::UnexpectedAttribute {
                path: AttributePath::root().attr("extra")
            })
        );
        assert_eq!(
            to_value(&vec![1u8], &Type::list(Type::String)),
            Err(ValueError::TypeMismatch {
                path: AttributePath::root().index(0),
                expected: "string".into(),
                found: "number".into()
            })
        );
        assert!(matches!(
            to_value(&(1u8, 2u8), &Type::tuple([Type::Number])),
            Err(ValueError::TupleLength { .. })
        ));
        assert!(matches!(
            to_value(&f64::NAN, &Type::Number),
            Err(ValueError::InvalidNumber { .. })
        ));
    }

    #[test]
    fn vec_becomes_list_set_or_tuple_as_the_type_says() {
        let v = vec!["a".to_owned(), "b".to_owned()];
        assert!(matches!(
            to_value(&v, &Type::list(Type::String)),
            Ok(Value::List(_))
        ));
        assert!(matches!(
            to_value(&v, &Type::set(Type::String)),
            Ok(Value::Set(_))
        ));
        assert!(matches!(
            to_value(&v, &Type::tuple([Type::String, Type::String])),
            Ok(Value::Tuple(_))
        ));
        assert!(matches!(to_value(&v, &Type::Dynamic), Ok(Value::Tuple(_))));
        let back: Vec<String> =
            from_value(&to_value(&v, &Type::set(Type::String)).expect("set")).expect("from set");
        assert_eq!(back, v);
    }

    #[test]
    fn maps_become_maps_or_objects_and_integer_keys_round_trip() {
        let m: HashMap<u16, bool> = HashMap::from([(80, true), (443, false)]);
        let value = to_value(&m, &Type::map(Type::Bool)).expect("map");
        assert_eq!(value.get("443"), Some(&Value::Bool(false)));
        assert_eq!(from_value::<HashMap<u16, bool>>(&value), Ok(m));
        let as_object = to_value(
            &BTreeMap::from([("a", 1u8)]),
            &Type::object([("a", Type::Number), ("b", Type::Number)]),
        )
        .expect("object");
        assert_eq!(
            as_object,
            Value::object([("a", Value::number(1i64)), ("b", Value::Null)])
        );
    }

    #[test]
    fn big_numbers_keep_their_digits_in_string_fields() {
        let value = Value::Number(Number::Decimal("12345678901234567890123".into()));
        assert_eq!(
            from_value::<String>(&value),
            Ok("12345678901234567890123".to_owned())
        );
        assert_eq!(from_value::<f64>(&Value::number(2i64)), Ok(2.0));
        assert!(from_value::<u8>(&Value::number(1.5)).is_err());
        assert_eq!(from_value::<i64>(&Value::number(4.0)), Ok(4));
        assert_eq!(
            to_value(&0.1f32, &Type::Number),
            Ok(Value::Number(Number::Decimal("0.1".into())))
        );
    }

    #[test]
    fn data_enums_map_to_exactly_one_set_attribute() {
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        enum Target {
            Instance { id: String },
            Ip(String),
        }
        let ty = Type::object([
            ("instance", Type::object([("id", Type::String)])),
            ("ip", Type::String),
        ]);
        let value = to_value(&Target::Ip("2001:db8::1".into()), &ty).expect("ip");
        assert_eq!(
            value,
            Value::object([
                ("instance", Value::Null),
                ("ip", Value::string("2001:db8::1"))
            ])
        );
        assert_eq!(
            from_value::<Target>(&value),
            Ok(Target::Ip("2001:db8::1".into()))
        );
        let instance = Target::Instance { id: "i-1".into() };
        let value = to_value(&instance, &ty).expect("instance");
        assert_eq!(from_value::<Target>(&value), Ok(instance));
        let neither = Value::object([("instance", Value::Null), ("ip", Value::Null)]);
        assert!(from_value::<Target>(&neither).is_err());
    }

    #[test]
    fn serde_json_values_fit_dynamic_attributes() {
        let json = serde_json::json!({"a": [1, "x"], "b": null});
        let value = to_value(&json, &Type::Dynamic).expect("to_value");
        assert_eq!(
            value,
            Value::object([
                ("a", Value::tuple([Value::number(1i64), Value::string("x")])),
                ("b", Value::Null)
            ])
        );
        let bytes = encode_msgpack(&value, &Type::Dynamic).expect("encode");
        let decoded = decode_msgpack(&bytes, &Type::Dynamic).expect("decode");
        assert_eq!(from_value::<serde_json::Value>(&decoded), Ok(json));
    }
}
