//! `DynamicValue.json` and `RawState.json`: the project's own exact-number JSON
//! parser and the go-cty-style shaping by type. Input: `[type JSON] NUL json`.
//! Invariants: a decoded value re-encodes as JSON with a fixpoint, and as msgpack
//! (what the provider answers with after reading JSON state).

use crate::Target;
use tfplugin::value::{self, Type};

pub const TARGET: Target = Target {
    name: "value_json",
    about: "tfplugin::value::decode_json(_lenient) + re-encode fixpoint",
    run,
    seeds,
    dictionary: &[
        b"null",
        b"true",
        b"\"\\ud83d\\ude00\"",
        b"\"\\ud800\"",
        b"\"\\u0000\"",
        b"-0.0e-0",
        b"1e999999999",
        b"18446744073709551616",
        b"-9223372036854775809",
        b"{\"value\":",
        b",\"type\":",
        b"[\"list\",\"dynamic\"]",
        b"[[[[[[[[",
        b"{\"a\":",
        b"\"dynamic\"\x00",
        b"[\"object\",{\"a\":\"number\"},[\"a\"]]\x00",
    ],
};

fn run(data: &[u8]) {
    let (ty, payload) = crate::typed_input(data);
    let _ = value::decode_json_lenient(payload, &ty);
    let Ok(v) = value::decode_json(payload, &ty) else {
        return;
    };
    let once =
        value::encode_json(&v, &ty).unwrap_or_else(|e| panic!("decoded JSON does not re-encode: {e}"));
    let again = value::decode_json(&once, &ty)
        .unwrap_or_else(|e| panic!("re-encoded JSON does not decode: {e}"));
    let twice = value::encode_json(&again, &ty).unwrap_or_else(|e| panic!("second encode: {e}"));
    assert_eq!(
        String::from_utf8_lossy(&once),
        String::from_utf8_lossy(&twice),
        "JSON encoding is not a fixpoint"
    );
    value::encode_msgpack(&v, &ty)
        .unwrap_or_else(|e| panic!("a value read from JSON has no msgpack form: {e}"));
}

fn seeds() -> Vec<Vec<u8>> {
    let object = Type::object_with_optional(
        [
            ("id", Type::String),
            ("n", Type::Number),
            ("on", Type::Bool),
            ("tags", Type::map(Type::String)),
            ("items", Type::list(Type::Dynamic)),
            ("t", Type::tuple([Type::Number, Type::set(Type::String)])),
        ],
        ["on"],
    );
    vec![
        crate::typed_seed(
            &object,
            br#"{"id":"vpc-1","n":"12345678901234567890123","on":"true","tags":{"k":"v"},"items":[{"value":1,"type":"number"}],"t":[1.5e3,["a","b"]]}"#,
        ),
        crate::typed_seed(&Type::String, br#""quote\" \u00e9 \/ \n""#),
        crate::typed_seed(&Type::Number, b"-0.000123e-45"),
        br#"{"value":{"a":[1,2,{"b":null}]},"type":["object",{"a":["tuple",["number","number",["object",{"b":"string"}]]]}]}"#.to_vec(),
        br#"{"type":["map","bool"],"value":{"x":false}}"#.to_vec(),
    ]
}
