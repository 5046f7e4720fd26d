//! Property tests: arbitrary (type, conforming value) pairs survive the wire
//! forms and the serde bridge.

use std::collections::BTreeSet;

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;

use super::*;

fn arb_number() -> BoxedStrategy<Number> {
    let float =
        proptest::num::f64::NORMAL | proptest::num::f64::SUBNORMAL | proptest::num::f64::ZERO;
    prop_oneof![
        any::<i64>().prop_map(Number::Int),
        Just(Number::Int(i64::MIN)),
        Just(Number::Int(i64::MAX)),
        any::<u64>().prop_map(Number::from),
        Just(Number::UInt(u64::MAX)),
        float.prop_map(Number::Float),
        "-?[1-9][0-9]{19,30}".prop_map(Number::Decimal),
        "-?[0-9]{1,5}\\.[0-9]{1,12}".prop_map(Number::Decimal),
    ]
    .boxed()
}

/// Types up to a small depth. `with_dynamic` allows `dynamic` anywhere.
fn arb_type(with_dynamic: bool) -> BoxedStrategy<Type> {
    let leaf = if with_dynamic {
        prop_oneof![
            Just(Type::Bool),
            Just(Type::Number),
            Just(Type::String),
            Just(Type::Dynamic)
        ]
        .boxed()
    } else {
        prop_oneof![Just(Type::Bool), Just(Type::Number), Just(Type::String)].boxed()
    };
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(Type::list),
            inner.clone().prop_map(Type::set),
            inner.clone().prop_map(Type::map),
            vec(inner.clone(), 0..3).prop_map(Type::Tuple),
            (btree_map("[a-z_]{1,6}", inner, 0..4), any::<u8>()).prop_map(|(attributes, bits)| {
                let optional: BTreeSet<String> = attributes
                    .keys()
                    .enumerate()
                    .filter(|(i, _)| bits & (1 << i) != 0)
                    .map(|(_, k)| k.clone())
                    .collect();
                Type::Object {
                    attributes,
                    optional,
                }
            }),
        ]
    })
    .boxed()
}

fn arb_refinements(ty: &Type) -> BoxedStrategy<Refinements> {
    let nullness = proptest::option::of(any::<bool>());
    let bound = || proptest::option::of((arb_number(), any::<bool>()));
    let length = || proptest::option::of(any::<u64>());
    match ty {
        Type::String => (nullness, proptest::option::of("\\PC{0,20}"))
            .prop_map(|(nullness, string_prefix)| Refinements {
                nullness,
                string_prefix,
                ..Refinements::default()
            })
            .boxed(),
        Type::Number => (nullness, bound(), bound())
            .prop_map(|(nullness, number_lower, number_upper)| Refinements {
                nullness,
                number_lower,
                number_upper,
                ..Refinements::default()
            })
            .boxed(),
        Type::List(_) | Type::Set(_) | Type::Map(_) => (nullness, length(), length())
            .prop_map(|(nullness, length_lower, length_upper)| Refinements {
                nullness,
                length_lower,
                length_upper,
                ..Refinements::default()
            })
            .boxed(),
        _ => nullness
            .prop_map(|nullness| Refinements {
                nullness,
                ..Refinements::default()
            })
            .boxed(),
    }
}

#[derive(Clone, Copy)]
struct Opts {
    unknowns: bool,
    /// Below a `dynamic` slot the type is inferred from the value, so
    /// refinements (which need a type) do not survive; do not generate them.
    in_dynamic: bool,
}

fn arb_value(ty: &Type, opts: Opts) -> BoxedStrategy<Value> {
    let known = arb_known(ty, opts);
    if !opts.unknowns {
        return prop_oneof![1 => Just(Value::Null), 4 => known].boxed();
    }
    let unknown = if opts.in_dynamic || *ty == Type::Dynamic {
        Just(Value::unknown()).boxed()
    } else {
        arb_refinements(ty).prop_map(Value::Unknown).boxed()
    };
    prop_oneof![1 => Just(Value::Null), 1 => unknown, 4 => known].boxed()
}

fn arb_known(ty: &Type, opts: Opts) -> BoxedStrategy<Value> {
    match ty {
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Number => arb_number().prop_map(Value::Number).boxed(),
        Type::String => any::<String>().prop_map(Value::String).boxed(),
        Type::List(t) => vec(arb_value(t, opts), 0..3).prop_map(Value::List).boxed(),
        Type::Set(t) => vec(arb_value(t, opts), 0..3).prop_map(Value::Set).boxed(),
        Type::Map(t) => btree_map("\\PC{0,4}", arb_value(t, opts), 0..3)
            .prop_map(Value::Map)
            .boxed(),
        Type::Tuple(ts) => ts
            .iter()
            .map(|t| arb_value(t, opts))
            .collect::<Vec<_>>()
            .prop_map(Value::Tuple)
            .boxed(),
        Type::Object { attributes, .. } => attributes
            .iter()
            .map(|(name, t)| {
                let name = name.clone();
                arb_value(t, opts).prop_map(move |v| (name.clone(), v))
            })
            .collect::<Vec<_>>()
            .prop_map(|attrs| Value::Object(attrs.into_iter().collect()))
            .boxed(),
        // A concrete type without `dynamic` inside, so that a collection's
        // elements agree on one inferred type.
        Type::Dynamic => {
            let inner = Opts {
                in_dynamic: true,
                ..opts
            };
            arb_type(false)
                .prop_flat_map(move |t| arb_known(&t, inner))
                .boxed()
        }
    }
}

fn arb_typed_value(unknowns: bool) -> impl Strategy<Value = (Type, Value)> {
    arb_type(true).prop_flat_map(move |ty| {
        let value = arb_value(
            &ty,
            Opts {
                unknowns,
                in_dynamic: false,
            },
        );
        (Just(ty), value)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn msgpack_round_trips_any_conforming_value((ty, value) in arb_typed_value(true)) {
        let bytes = encode_msgpack(&value, &ty).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(decode_msgpack(&bytes, &ty), Ok(value));
    }

    #[test]
    fn json_round_trips_any_known_conforming_value((ty, value) in arb_typed_value(false)) {
        let bytes = encode_json(&value, &ty).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(serde_json::from_slice::<serde_json::Value>(&bytes).is_ok(), "not JSON");
        prop_assert_eq!(decode_json(&bytes, &ty), Ok(value));
    }

    #[test]
    fn type_constraint_json_round_trips(ty in arb_type(true)) {
        prop_assert_eq!(Type::from_json_bytes(&ty.to_json_bytes()), Ok(ty));
    }

    #[test]
    fn serde_bridge_round_trips_through_serde_json_value(
        (ty, value) in arb_type(false).prop_flat_map(|ty| {
            let value = arb_value(&ty, Opts { unknowns: false, in_dynamic: false });
            (Just(ty), value)
        })
    ) {
        // Non-integer decimals go through f64 in serde_json::Value, so compare
        // only values that serde_json can hold exactly.
        let mut exact = true;
        value.walk(&mut |_, v| {
            if let Value::Number(Number::Decimal(_)) = v {
                exact = false;
            }
        });
        prop_assume!(exact);
        let json: serde_json::Value =
            from_value(&value).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(to_value(&json, &ty), Ok(value));
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in vec(any::<u8>(), 0..64), ty in arb_type(true)) {
        let _ = decode_msgpack(&bytes, &ty);
        let _ = decode_json(&bytes, &ty);
    }
}
