//! Tests of the JSON form (`json.rs`).

use super::*;

#[test]
fn big_numbers_in_json_stay_exact() {
    let value = decode_json(b"12345678901234567890123", &Type::Number).expect("decode");
    assert_eq!(
        value,
        Value::Number(Number::Decimal("12345678901234567890123".into()))
    );
    assert_eq!(
        encode_json(&value, &Type::Number),
        Ok(b"12345678901234567890123".to_vec())
    );
    assert_eq!(
        decode_json(b"18446744073709551615", &Type::Number),
        Ok(Value::Number(Number::UInt(u64::MAX)))
    );
}

#[test]
fn raw_state_missing_attributes_become_null() {
    let ty = Type::object([
        ("id", Type::String),
        ("added_later", Type::list(Type::String)),
    ]);
    assert_eq!(
        decode_json(br#"{"id":"x"}"#, &ty),
        Ok(Value::object([
            ("id", Value::string("x")),
            ("added_later", Value::Null)
        ]))
    );
}

#[test]
fn raw_state_extra_attributes_error_with_path_unless_lenient() {
    let ty = Type::object([("rules", Type::list(Type::object([("port", Type::Number)])))]);
    let text = br#"{"rules":[{"port":443,"removed":true}]}"#;
    assert_eq!(
        decode_json(text, &ty),
        Err(ValueError::UnexpectedAttribute {
            path: AttributePath::root().attr("rules").index(0).attr("removed")
        })
    );
    assert_eq!(
        decode_json_lenient(text, &ty),
        Ok(Value::object([(
            "rules",
            Value::list([Value::object([("port", Value::number(443i64))])])
        )]))
    );
}

#[test]
fn dynamic_json_form_carries_value_and_type() {
    let value = Value::list([Value::string("a")]);
    let bytes = encode_json(&value, &Type::Dynamic).expect("encode");
    assert_eq!(
        bytes,
        br#"{"value":["a"],"type":["list","string"]}"#.to_vec()
    );
    assert_eq!(decode_json(&bytes, &Type::Dynamic), Ok(value));
    assert_eq!(
        decode_json(br#"{"type":"number","value":"7"}"#, &Type::Dynamic),
        Ok(Value::number(7i64))
    );
    assert_eq!(decode_json(b"null", &Type::Dynamic), Ok(Value::Null));
    assert!(decode_json(br#"{"value":1}"#, &Type::Dynamic).is_err());
}

#[test]
fn primitives_convert_like_terraform() {
    assert_eq!(
        decode_json(br#""true""#, &Type::Bool),
        Ok(Value::Bool(true))
    );
    assert_eq!(decode_json(b"42", &Type::String), Ok(Value::string("42")));
    assert_eq!(
        decode_json(b"false", &Type::String),
        Ok(Value::string("false"))
    );
    assert_eq!(
        decode_json(br#""1.5""#, &Type::Number),
        Ok(Value::number(1.5))
    );
    assert!(matches!(
        decode_json(br#""many""#, &Type::Number),
        Err(ValueError::InvalidNumber { .. })
    ));
    assert!(matches!(
        decode_json(b"[]", &Type::String),
        Err(ValueError::TypeMismatch { .. })
    ));
}

#[test]
fn strings_with_escapes_and_unicode_round_trip() {
    let s = "quote\" back\\ nl\n tab\t ctl\u{1} é 😀";
    let bytes = encode_json(&Value::string(s), &Type::String).expect("encode");
    assert_eq!(
        serde_json::from_slice::<String>(&bytes).expect("valid JSON"),
        s
    );
    assert_eq!(decode_json(&bytes, &Type::String), Ok(Value::string(s)));
    assert_eq!(
        decode_json(br#""\ud83d\ude00 \u00e9 \/""#, &Type::String),
        Ok(Value::string("😀 é /"))
    );
}

#[test]
fn malformed_json_is_rejected() {
    for bad in [
        &b""[..],
        b"nul",
        b"[1,]",
        b"{\"a\" 1}",
        b"01",
        b"\"\\ud800\"",
        b"\"tab\there\"",
        b"1 2",
        b"\"unterminated",
        b"\xff",
    ] {
        assert!(
            decode_json(bad, &Type::Dynamic).is_err() || decode_json(bad, &Type::String).is_err(),
            "{bad:?}"
        );
    }
    let deep = "[".repeat(10_000);
    assert!(decode_json(deep.as_bytes(), &Type::list(Type::Dynamic)).is_err());
}

#[test]
fn unknown_values_cannot_be_written_as_json() {
    let ty = Type::object([("a", Type::String)]);
    let value = Value::object([("a", Value::unknown())]);
    assert!(matches!(
        encode_json(&value, &ty),
        Err(ValueError::Json { path, .. }) if path == AttributePath::root().attr("a")
    ));
}

#[test]
fn decode_json_value_accepts_serde_json_trees() {
    let ty = Type::object([("n", Type::Number), ("tags", Type::map(Type::String))]);
    let json = serde_json::json!({"n": 3, "tags": {"k": "v"}});
    assert_eq!(
        decode_json_value(&json, &ty),
        Ok(Value::object([
            ("n", Value::number(3i64)),
            ("tags", Value::map([("k", Value::string("v"))]))
        ]))
    );
}

/// `n` levels of one kind of collection around `true`, as a serde_json tree (which
/// skips the parser's own depth limit), with its type.
fn nested(kind: &str, n: usize) -> (serde_json::Value, Type) {
    let mut json = serde_json::Value::Bool(true);
    let mut ty = Type::Bool;
    for level in 0..n {
        (json, ty) = match kind {
            "list" => (serde_json::Value::Array(vec![json]), Type::list(ty)),
            "tuple" => (serde_json::Value::Array(vec![json]), Type::tuple([ty])),
            "map" => (serde_json::json!({ "k": json }), Type::map(ty)),
            "object" => (serde_json::json!({ "a": json }), Type::object([("a", ty)])),
            "dynamic" => {
                let inner = if level == 0 { "bool" } else { "dynamic" };
                (
                    serde_json::json!({ "value": json, "type": inner }),
                    Type::Dynamic,
                )
            }
            _ => unreachable!("{kind}"),
        };
    }
    (json, ty)
}

#[test]
fn every_kind_of_nesting_counts_toward_the_depth_limit() {
    for kind in ["list", "tuple", "map", "object", "dynamic"] {
        let (json, ty) = nested(kind, 256);
        assert!(decode_json_value(&json, &ty).is_ok(), "{kind} 256 deep");
        let (json, ty) = nested(kind, 257);
        let err = decode_json_value(&json, &ty).expect_err(kind);
        assert!(
            err.to_string().contains("nested too deeply"),
            "{kind}: {err}"
        );
    }
}

#[test]
fn bools_decode_from_json_booleans_and_from_terraforms_strings() {
    for (text, want) in [
        (&b"true"[..], true),
        (b"false", false),
        (br#""true""#, true),
        (br#""1""#, true),
        (br#""false""#, false),
        (br#""0""#, false),
    ] {
        assert_eq!(
            decode_json(text, &Type::Bool),
            Ok(Value::Bool(want)),
            "{text:?}"
        );
    }
    assert!(matches!(
        decode_json(br#""yes""#, &Type::Bool),
        Err(ValueError::TypeMismatch { .. })
    ));
}

#[test]
fn a_tuple_of_the_wrong_length_is_an_error_at_its_path() {
    let ty = Type::object([("pair", Type::tuple([Type::String, Type::Number]))]);
    assert_eq!(
        decode_json(br#"{"pair":["a",1]}"#, &ty),
        Ok(Value::object([(
            "pair",
            Value::tuple([Value::string("a"), Value::number(1i64)])
        )]))
    );
    assert_eq!(
        decode_json(br#"{"pair":["a"]}"#, &ty),
        Err(ValueError::TupleLength {
            path: AttributePath::root().attr("pair"),
            expected: 2,
            found: 1
        })
    );
}

#[test]
fn lenient_serde_json_trees_drop_attributes_the_type_lacks() {
    let ty = Type::object([("id", Type::String)]);
    let json = serde_json::json!({"id": "x", "removed": [1]});
    assert_eq!(
        decode_json_value_lenient(&json, &ty),
        Ok(Value::object([("id", Value::string("x"))]))
    );
    assert_eq!(
        decode_json_value(&json, &ty),
        Err(ValueError::UnexpectedAttribute {
            path: AttributePath::root().attr("removed")
        })
    );
}

/// The text parser (`parse`) against serde_json: the same tree for valid documents
/// (whitespace anywhere JSON allows it, every escape, surrogate pairs, nesting), an
/// error for invalid ones. Keys sorted and numbers in serde_json's own spelling, so
/// `Json::from_serde` gives the same tree.
#[test]
fn the_text_parser_agrees_with_serde_json() {
    let valid = [
        "null",
        " \t\r\n true \n",
        "false",
        "0",
        "-12",
        "3.25",
        r#""plain""#,
        r#""q\"b\\s\/b\bf\fn\nr\rt\t""#,
        r#""\u00e9\u4e2d\ud83d\ude00""#,
        "[]",
        "[ ]",
        "{}",
        "{ }",
        "[1,2 , 3]",
        " [ [ ] , [ [ null ] ] ] ",
        r#"{"a":1,"b":[true,{"c":"d"}]}"#,
        "{ \"a\" : 1 ,\n\t\"b\" : [ true , { \"c\" : \"d\" } ] }\r\n",
    ];
    for doc in valid {
        let want: serde_json::Value = serde_json::from_str(doc).expect(doc);
        assert_eq!(
            parse(doc.as_bytes()),
            Ok(Json::from_serde(&want)),
            "{doc:?}"
        );
    }
    let invalid = [
        "",
        "   ",
        "nul",
        "tru",
        "[1,]",
        "[1 2]",
        "[",
        "{\"a\" 1}",
        "{\"a\":1,}",
        "{a:1}",
        "{\"a\":1 \"b\":2}",
        "\"open",
        r#""\x""#,
        r#""\ud800""#,
        r#""\ud800\u0041""#,
        r#""\u12g4""#,
        "\"tab\there\"",
        "1.",
        "-",
        "[1]x",
        "@",
    ];
    for doc in invalid {
        assert!(
            serde_json::from_str::<serde_json::Value>(doc).is_err(),
            "serde_json takes {doc:?}"
        );
        assert!(parse(doc.as_bytes()).is_err(), "{doc:?} parsed");
    }
}

#[test]
fn parse_errors_say_where_and_type_errors_say_what_was_found() {
    let e = decode_json(b"[1,]", &Type::list(Type::Number)).expect_err("trailing comma");
    assert!(e.to_string().contains("at byte 3"), "{e}");
    let e = decode_json(b"[1] x", &Type::list(Type::Number)).expect_err("trailing text");
    assert!(
        e.to_string()
            .contains("unexpected text after the JSON value at byte 4"),
        "{e}"
    );
    let list = Type::list(Type::String);
    for (doc, ty, found) in [
        (&b"\"x\""[..], &list, "JSON string"),
        (b"[1]", &Type::Number, "JSON array"),
        (b"{}", &Type::Number, "JSON object"),
        (b"true", &list, "JSON boolean"),
    ] {
        let e = decode_json(doc, ty).expect_err("mismatch");
        assert!(e.to_string().contains(found), "{e}");
    }
    let e = decode_json(b"1", &Type::String).map(|_| ());
    assert_eq!(
        e,
        Ok(()),
        "a number converts to a string, as Terraform does"
    );
    let e = decode_json(b"1", &Type::list(Type::String)).expect_err("mismatch");
    assert!(e.to_string().contains("JSON number"), "{e}");
    let e = decode_json(b"null", &Type::list(Type::String)).map(|_| ());
    assert_eq!(e, Ok(()), "null is every type's null");
}
