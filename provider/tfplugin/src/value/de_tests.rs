//! Tests of the value deserializer (`de.rs`) through `from_value`: what a model
//! reads from a value, and the error, at its path, when it cannot.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, Visitor};

use crate::value::{Attr, AttributePath, Number, Value, ValueError, from_value};

#[test]
fn an_unknown_where_an_enum_is_wanted_is_not_known_yet_at_its_path() {
    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Tier {
        Public,
    }
    #[derive(Debug, Deserialize)]
    struct Model {
        #[allow(dead_code)]
        tier: Tier,
    }
    assert_eq!(
        from_value::<Model>(&Value::object([("tier", Value::unknown())])).map(|_| ()),
        Err(ValueError::Unknown {
            path: AttributePath::root().attr("tier")
        })
    );
    assert!(from_value::<Model>(&Value::object([("tier", Value::string("public"))])).is_ok());
}

#[test]
fn a_list_longer_than_the_tuple_a_model_reads_is_an_error_at_its_path() {
    #[derive(Debug, PartialEq, Deserialize)]
    struct Model {
        range: (u16, u16),
    }
    let range = |ports: &[i64]| {
        Value::object([(
            "range",
            Value::list(ports.iter().map(|p| Value::number(*p))),
        )])
    };
    assert_eq!(
        from_value::<Model>(&range(&[80, 443])),
        Ok(Model { range: (80, 443) })
    );
    let err = from_value::<Model>(&range(&[80, 443, 8443])).expect_err("three ports");
    assert_eq!(err.path(), &AttributePath::root().attr("range"));
    assert!(err.to_string().contains("fewer elements"), "{err}");
}

#[test]
fn an_error_in_a_later_element_names_that_element() {
    let value = Value::list([
        Value::number(1i64),
        Value::number(2i64),
        Value::number(70000i64),
    ]);
    let err = from_value::<Vec<u16>>(&value).expect_err("70000 is no u16");
    assert_eq!(err.path(), &AttributePath::root().index(2));
    let tags = Value::map([("a", Value::string("x")), ("b", Value::unknown())]);
    assert_eq!(
        from_value::<BTreeMap<String, String>>(&tags),
        Err(ValueError::Unknown {
            path: AttributePath::root().key("b")
        })
    );
}

#[test]
fn a_whole_number_beyond_64_bits_reads_as_the_nearest_f64() {
    let big = Value::Number(Number::Decimal("12345678901234567890123".into()));
    assert_eq!(from_value::<f64>(&big), Ok(1.234_567_890_123_456_8e22));
    assert_eq!(
        from_value::<f64>(&Value::Number(Number::Decimal("0.1".into()))),
        Ok(0.1)
    );
}

/// A model field that reads raw bytes (as a custom `Deserialize` for DER or a
/// hash would): it asks for bytes and accepts nothing else.
#[derive(Debug, PartialEq)]
struct Bytes(Vec<u8>);

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Only;
        impl Visitor<'_> for Only {
            type Value = Bytes;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("bytes")
            }
            fn visit_bytes<E: serde::de::Error>(self, b: &[u8]) -> Result<Bytes, E> {
                Ok(Bytes(b.to_vec()))
            }
        }
        deserializer.deserialize_bytes(Only)
    }
}

#[test]
fn a_model_that_asks_for_bytes_gets_the_strings_utf8_bytes() {
    assert_eq!(
        from_value::<Bytes>(&Value::string("hé")),
        Ok(Bytes("hé".as_bytes().to_vec()))
    );
    assert_eq!(
        from_value::<Bytes>(&Value::Null),
        Err(ValueError::Null {
            path: AttributePath::root()
        })
    );
}

#[test]
fn an_option_reads_null_but_never_an_unknown_even_around_an_attr() {
    // Null needs an Option or an Attr field; an unknown needs the field to be an Attr.
    assert_eq!(from_value::<Option<Attr<String>>>(&Value::Null), Ok(None));
    assert_eq!(
        from_value::<Option<Attr<String>>>(&Value::string("x")),
        Ok(Some(Attr::Known("x".into())))
    );
    assert_eq!(
        from_value::<Option<Attr<String>>>(&Value::unknown()),
        Err(ValueError::Unknown {
            path: AttributePath::root()
        })
    );
}

#[test]
fn an_attr_reads_an_unknown_as_unknown_whatever_it_holds() {
    // An `Attr<IgnoredAny>` field asks only whether a block is set, null or not
    // known yet, without reading it.
    let read = |v: Value| from_value::<Attr<IgnoredAny>>(&v);
    assert!(matches!(read(Value::unknown()), Ok(Attr::Unknown)));
    assert!(matches!(read(Value::Null), Ok(Attr::Null)));
    assert!(matches!(read(Value::string("x")), Ok(Attr::Known(_))));
}
