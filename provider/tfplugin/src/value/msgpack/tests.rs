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
    assert!(encode_msgpack(&Value::Number(Number::Decimal("x".into())), &Type::Number).is_err());
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
        0x81, 0xa4, b't', b'i', b'e', b'r', 0x81, 0xa1, b'a', 0x82, 0xa4, b'n', b'a', b'm', b'e',
        0xc0, 0xa1, b'x', 0xc0,
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

/// `s` as a msgpack str or bin of the given marker, with its length in `width` bytes.
fn sized(marker: u8, width: usize, s: &[u8]) -> Vec<u8> {
    let mut out = vec![marker];
    out.extend_from_slice(&(s.len() as u64).to_be_bytes()[8 - width..]);
    out.extend_from_slice(s);
    out
}

#[test]
fn strings_decode_from_every_str_and_bin_width() {
    let text = b"h\xc3\xa9llo";
    let mut fix = vec![0xa0 | text.len() as u8];
    fix.extend_from_slice(text);
    for bytes in [
        fix,
        sized(0xd9, 1, text),
        sized(0xda, 2, text),
        sized(0xdb, 4, text),
        sized(0xc4, 1, text),
        sized(0xc5, 2, text),
        sized(0xc6, 4, text),
    ] {
        assert_eq!(
            decode_msgpack(&bytes, &Type::String),
            Ok(Value::string("héllo")),
            "{bytes:02x?}"
        );
    }
    let long = "x".repeat(300);
    assert_eq!(
        decode_msgpack(&sized(0xda, 2, long.as_bytes()), &Type::String),
        Ok(Value::string(long.clone()))
    );
    assert!(
        decode_msgpack(&sized(0xd9, 1, b"\xff\xfe"), &Type::String).is_err(),
        "not UTF-8"
    );
    // A length past the end of the input.
    assert!(decode_msgpack(&[0xa3, b'a', b'b'], &Type::String).is_err());
}

#[test]
fn lists_and_maps_decode_from_every_length_width() {
    let ty = Type::list(Type::Bool);
    let want = Ok(Value::list([Value::Bool(true), Value::Bool(false)]));
    assert_eq!(decode_msgpack(&[0x92, 0xc3, 0xc2], &ty), want);
    assert_eq!(decode_msgpack(&[0xdc, 0, 2, 0xc3, 0xc2], &ty), want);
    assert_eq!(decode_msgpack(&[0xdd, 0, 0, 0, 2, 0xc3, 0xc2], &ty), want);
    let ty = Type::map(Type::Bool);
    let want = Ok(Value::map([("a", Value::Bool(true))]));
    assert_eq!(decode_msgpack(&[0x81, 0xa1, b'a', 0xc3], &ty), want);
    assert_eq!(decode_msgpack(&[0xde, 0, 1, 0xa1, b'a', 0xc3], &ty), want);
    assert_eq!(
        decode_msgpack(&[0xdf, 0, 0, 0, 1, 0xa1, b'a', 0xc3], &ty),
        want
    );
    let obj = Type::object([("a", Type::Bool)]);
    assert_eq!(
        decode_msgpack(&[0xde, 0, 1, 0xa1, b'a', 0xc3], &obj),
        Ok(Value::object([("a", Value::Bool(true))]))
    );
}

#[test]
fn every_extension_form_is_an_unknown_of_its_exact_length() {
    // Each extension, then a string after it in the same list: the string is only
    // read right if the extension took exactly its bytes.
    let ty = Type::list(Type::String);
    for ext in [
        vec![0xd4, 0x00, 0],
        vec![0xd5, 0x00, 0, 0],
        vec![0xd6, 0x00, 0, 0, 0, 0],
        vec![0xd7, 0x00, 0, 0, 0, 0, 0, 0, 0, 0],
        [vec![0xd8, 0x00], vec![0; 16]].concat(),
        vec![0xc7, 3, 0x00, 0, 0, 0],
        vec![0xc8, 0, 3, 0x00, 0, 0, 0],
        vec![0xc9, 0, 0, 0, 3, 0x00, 0, 0, 0],
    ] {
        let bytes = [vec![0x92], ext.clone(), vec![0xa1, b'z']].concat();
        assert_eq!(
            decode_msgpack(&bytes, &ty),
            Ok(Value::list([Value::unknown(), Value::string("z")])),
            "{ext:02x?}"
        );
    }
}

#[test]
fn only_extension_12_carries_refinements_and_never_for_a_dynamic_value() {
    let not_null = [0x81, 0x01, 0xc2];
    let ext = |t: u8| [vec![0xc7, not_null.len() as u8, t], not_null.to_vec()].concat();
    assert_eq!(
        decode_msgpack(&ext(0x0c), &Type::String),
        Ok(Value::Unknown(Refinements::not_null()))
    );
    assert_eq!(
        decode_msgpack(&ext(0x05), &Type::String),
        Ok(Value::unknown())
    );
    assert_eq!(
        decode_msgpack(&ext(0x0c), &Type::Dynamic),
        Ok(Value::unknown())
    );
}

/// An unknown string whose refinements are `{9: skipped, 1: false}`: not null when
/// the value under key 9 is skipped whole, no refinements when it cannot be.
fn with_skipped_key(skipped: &[u8]) -> Result<Value, ValueError> {
    let payload = [&[0x82, 0x09][..], skipped, &[0x01, 0xc2]].concat();
    let mut bytes = sized(0xc9, 4, &payload);
    bytes.insert(5, 0x0c);
    decode_msgpack(&bytes, &Type::String)
}

#[test]
fn refinement_keys_not_known_are_skipped_whatever_their_value() {
    let not_null = Ok(Value::Unknown(Refinements::not_null()));
    for skipped in [
        vec![0x07],
        vec![0xcd, 1, 0],
        vec![0xc0],
        vec![0xc2],
        vec![0xc3],
        vec![0xca, 0x3f, 0xc0, 0, 0],
        vec![0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0],
        vec![0xa2, b'a', b'b'],
        vec![0xc4, 2, 0xff, 0xff],
        vec![0xd5, 0x00, 1, 2],
        vec![0x92, 0x01, 0xa1, b'x'],
        vec![0xdc, 0, 1, 0xc3],
        vec![0x81, 0xa1, b'k', 0x92, 0xc0, 0xc0],
        vec![0xde, 0, 1, 0x01, 0x02],
    ] {
        assert_eq!(with_skipped_key(&skipped), not_null, "{skipped:02x?}");
    }
    // What cannot be skipped drops the refinements, never the value.
    for bad in [vec![0xc1], vec![0xcb, 0x3f], vec![0x92, 0x01]] {
        assert_eq!(with_skipped_key(&bad), Ok(Value::unknown()), "{bad:02x?}");
    }
}

#[test]
fn a_skipped_refinement_nests_at_most_256_deep() {
    let nested = |n: usize| [vec![0x91; n], vec![0x00]].concat();
    assert_eq!(
        with_skipped_key(&nested(256)),
        Ok(Value::Unknown(Refinements::not_null()))
    );
    assert_eq!(with_skipped_key(&nested(257)), Ok(Value::unknown()));
}

#[test]
fn values_nest_at_most_256_deep() {
    let ty = |n: usize| (0..n).fold(Type::Bool, |t, _| Type::list(t));
    let bytes = |n: usize| [vec![0x91; n], vec![0xc3]].concat();
    assert!(decode_msgpack(&bytes(256), &ty(256)).is_ok());
    let err = decode_msgpack(&bytes(257), &ty(257)).expect_err("too deep");
    assert!(err.to_string().contains("nested too deeply"), "{err}");
}

#[test]
fn malformed_refinements_drop_the_refinements_not_the_value() {
    let unknown = |payload: &[u8]| {
        let mut bytes = sized(0xc7, 1, payload);
        bytes.insert(2, 0x0c);
        decode_msgpack(&bytes, &Type::Number)
    };
    // A bound must be [number, inclusive]: three elements, or a non-bool, are junk.
    assert_eq!(
        unknown(&[0x81, 0x03, 0x93, 0x01, 0xc3, 0xc3]),
        Ok(Value::unknown())
    );
    assert_eq!(
        unknown(&[0x81, 0x03, 0x92, 0x01, 0x01]),
        Ok(Value::unknown())
    );
    assert_eq!(
        unknown(&[0x81, 0x01, 0x01]),
        Ok(Value::unknown()),
        "nullness not a bool"
    );
    assert_eq!(
        unknown(&[0x82, 0x03, 0x92, 0x01, 0xc3, 0x04, 0x92, 0x05, 0xc2]),
        Ok(Value::Unknown(Refinements {
            number_lower: Some((Number::Int(1), true)),
            number_upper: Some((Number::Int(5), false)),
            ..Refinements::default()
        }))
    );
    let list = Type::list(Type::String);
    let mut bytes = sized(0xc7, 1, &[0x82, 0x05, 0x02, 0x06, 0x07]);
    bytes.insert(2, 0x0c);
    assert_eq!(
        decode_msgpack(&bytes, &list),
        Ok(Value::Unknown(Refinements {
            length_lower: Some(2),
            length_upper: Some(7),
            ..Refinements::default()
        }))
    );
}

#[test]
fn nan_and_non_decimal_strings_are_not_numbers() {
    for bytes in [
        vec![0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0],
        vec![0xca, 0x7f, 0xc0, 0, 0],
        vec![0xa2, b'1', b'x'],
        vec![0xc0 + 0x03],
    ] {
        assert!(
            decode_msgpack(&bytes, &Type::Number).is_err(),
            "{bytes:02x?}"
        );
    }
}

#[test]
fn duplicate_keys_and_malformed_dynamic_values_are_errors() {
    let dup_map = [0x82, 0xa1, b'a', 0xc3, 0xa1, b'a', 0xc2];
    let err = decode_msgpack(&dup_map, &Type::map(Type::Bool)).expect_err("duplicate key");
    assert!(err.to_string().contains("duplicate map key"), "{err}");
    let obj = Type::object([("a", Type::Bool)]);
    let err = decode_msgpack(&dup_map, &obj).expect_err("duplicate attribute");
    assert!(err.to_string().contains("duplicate attribute"), "{err}");
    let mut three = vec![0x93, 0xa8];
    three.extend_from_slice(b"\"number\"");
    three.extend_from_slice(&[0x07, 0x07]);
    let err = decode_msgpack(&three, &Type::Dynamic).expect_err("three elements");
    assert!(err.to_string().contains("found 3 elements"), "{err}");
    let err = decode_msgpack(&[0xc0, 0xc0, 0xc0], &Type::String).expect_err("trailing");
    assert!(err.to_string().contains("2 trailing bytes"), "{err}");
}

#[test]
fn a_value_of_the_wrong_kind_is_named_in_the_error() {
    let cases: &[(&[u8], &Type, &str)] = &[
        (&[0x05], &Type::String, "msgpack int"),
        (
            &[0xd3, 0, 0, 0, 0, 0, 0, 0, 0],
            &Type::String,
            "msgpack int",
        ),
        (&[0x80], &Type::String, "msgpack map"),
        (&[0x90], &Type::String, "msgpack array"),
        (&[0xa0], &Type::Bool, "msgpack string"),
        (&[0xc3], &Type::String, "msgpack bool"),
        (&[0xc4, 0], &Type::Bool, "msgpack bin"),
        (&[0xca, 0, 0, 0, 0], &Type::String, "msgpack float"),
        (&[0xc1], &Type::String, "the unused msgpack marker 0xc1"),
        (&[0xc3], &Type::list(Type::Bool), "msgpack bool"),
        (&[0x90], &Type::map(Type::Bool), "msgpack array"),
        (&[0x81, 0xc0, 0xc3], &Type::map(Type::Bool), "msgpack nil"),
        (
            &[0x81, 0xd4, 0, 0, 0xc3],
            &Type::map(Type::Bool),
            "msgpack extension",
        ),
    ];
    for (bytes, ty, found) in cases {
        let err = decode_msgpack(bytes, ty).expect_err("wrong kind");
        assert!(
            err.to_string().contains(&format!("found {found}")),
            "{bytes:02x?}: {err}"
        );
    }
}

/// `n` levels of one kind of collection around `true`, with its type: every kind
/// counts toward the depth limit, not only lists.
fn nested(kind: &str, n: usize) -> (Vec<u8>, Type) {
    let mut bytes = vec![0xc3];
    let mut ty = Type::Bool;
    for _ in 0..n {
        let (head, wrapped) = match kind {
            "tuple" => (vec![0x91], Type::tuple([ty])),
            "map" => (vec![0x81, 0xa1, b'k'], Type::map(ty)),
            "object" => (vec![0x81, 0xa1, b'a'], Type::object([("a", ty)])),
            // [type, value]: a dynamic value whose type is dynamic again, then bool.
            "dynamic" => {
                let inner = if bytes == [0xc3] {
                    "\"bool\""
                } else {
                    "\"dynamic\""
                };
                (
                    [
                        vec![0x92],
                        sized(0xa0 | inner.len() as u8, 0, inner.as_bytes()),
                    ]
                    .concat(),
                    Type::Dynamic,
                )
            }
            _ => unreachable!("{kind}"),
        };
        bytes = [head, bytes].concat();
        ty = wrapped;
    }
    (bytes, ty)
}

#[test]
fn tuples_maps_objects_and_dynamic_values_count_toward_the_depth_limit() {
    for kind in ["tuple", "map", "object", "dynamic"] {
        let (bytes, ty) = nested(kind, 256);
        assert!(decode_msgpack(&bytes, &ty).is_ok(), "{kind} 256 deep");
        let (bytes, ty) = nested(kind, 257);
        let err = decode_msgpack(&bytes, &ty).expect_err(kind);
        assert!(
            err.to_string().contains("nested too deeply"),
            "{kind}: {err}"
        );
    }
}

#[test]
fn a_skipped_refinement_nests_at_most_256_deep_through_map_keys_and_values() {
    // {1: {1: ... 0}}: nested through values; {{{... 0: 0}: 0}: 0}: through keys.
    let through_values = |n: usize| [[0x81, 0x01].repeat(n), vec![0x00]].concat();
    let through_keys = |n: usize| [vec![0x81; n], vec![0x00], vec![0x00; n]].concat();
    for nested in [through_values, through_keys] {
        assert_eq!(
            with_skipped_key(&nested(256)),
            Ok(Value::Unknown(Refinements::not_null()))
        );
        assert_eq!(with_skipped_key(&nested(257)), Ok(Value::unknown()));
    }
}
