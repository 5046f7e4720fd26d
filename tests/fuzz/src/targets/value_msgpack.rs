//! `DynamicValue.msgpack`: what every plan, apply and read request carries.
//! Input: `[type JSON] NUL msgpack` (see `typed_input`).
//! Invariant beyond "no panic": a decoded value re-encodes, and encoding is a
//! fixpoint (encode(decode(encode(v))) == encode(v)).

use crate::Target;
use tfplugin::value::{self, Refinements, Type, Value};

pub const TARGET: Target = Target {
    name: "value_msgpack",
    about: "tfplugin::value::decode_msgpack + re-encode fixpoint",
    run,
    seeds,
    dictionary: &[
        b"\xc0",
        b"\xc2",
        b"\xc3",
        b"\xd4\x00\x00",
        b"\xc7\x03\x0c\x81\x01\xc2",
        b"\x92\xc4",
        b"\xc4\x08\"string\"",
        b"\xc4\x12[\"list\",\"number\"]",
        b"\xcb\x7f\xf8\x00\x00\x00\x00\x00\x00",
        b"\xcf\xff\xff\xff\xff\xff\xff\xff\xff",
        b"\xd3\x80\x00\x00\x00\x00\x00\x00\x00",
        b"\xdd\xff\xff\xff\xff",
        b"\xdf\xff\xff\xff\xff",
        b"\xdc\x00\x10",
        b"\xa11",
        b"\xa91e+999999",
        b"[\"object\",{\"a\":\"string\"}]\x00",
        b"[\"tuple\",[\"bool\",\"dynamic\"]]\x00",
        b"[\"set\",\"dynamic\"]\x00",
    ],
};

fn run(data: &[u8]) {
    let (ty, payload) = crate::typed_input(data);
    let Ok(v) = value::decode_msgpack(payload, &ty) else {
        return;
    };
    let once = value::encode_msgpack(&v, &ty)
        .unwrap_or_else(|e| panic!("decoded value does not re-encode: {e}"));
    let again = value::decode_msgpack(&once, &ty)
        .unwrap_or_else(|e| panic!("re-encoded value does not decode: {e}"));
    let twice = value::encode_msgpack(&again, &ty)
        .unwrap_or_else(|e| panic!("second encode failed: {e}"));
    assert_eq!(once, twice, "msgpack encoding is not a fixpoint");
}

fn seeds() -> Vec<Vec<u8>> {
    let object = Type::object([
        ("id", Type::String),
        ("cidr", Type::String),
        ("count", Type::Number),
        ("enabled", Type::Bool),
        ("tags", Type::map(Type::String)),
        ("ports", Type::set(Type::Number)),
        ("pair", Type::tuple([Type::String, Type::Dynamic])),
        ("rules", Type::list(Type::object([("port", Type::Number)]))),
    ]);
    let value = Value::object([
        ("id", Value::unknown_refined(Refinements::not_null().with_string_prefix("vpc-"))),
        ("cidr", Value::string("2600:1f18::/56")),
        ("count", Value::number(1.5)),
        ("enabled", Value::Bool(true)),
        ("tags", Value::map([("Name", Value::string("x"))])),
        ("ports", Value::set([Value::number(443i64), Value::number(-1i64)])),
        ("pair", Value::tuple([Value::string("a"), Value::list([Value::number(7i64)])])),
        ("rules", Value::Null),
    ]);
    let mut seeds = Vec::new();
    for (ty, v) in [
        (object.clone(), value.clone()),
        (Type::Dynamic, value),
        (object, Value::unknown()),
        (Type::Number, Value::number(u64::MAX)),
        (Type::list(Type::String), Value::unknown_refined(Refinements::not_null())),
    ] {
        if let Ok(bytes) = value::encode_msgpack(&v, &ty) {
            seeds.push(crate::typed_seed(&ty, &bytes));
            if ty == Type::Dynamic {
                seeds.push(bytes);
            }
        }
    }
    seeds
}
