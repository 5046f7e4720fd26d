//! Tests of default planning (`plan.rs`).

use super::*;
use crate::diag::Diagnostics;
use crate::schema::{Attribute, Block, NestedBlock, NestingMode, ObjectNesting};
use crate::value::Type;
use std::collections::BTreeMap;

fn obj(pairs: &[(&str, Value)]) -> Value {
    Value::Object(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect::<BTreeMap<_, _>>(),
    )
}

fn s(x: &str) -> Value {
    Value::String(x.to_string())
}

fn schema() -> Block {
    Block::new()
        .attribute(Attribute::required("name", Type::String).requires_replace())
        .attribute(Attribute::optional("description", Type::String))
        .attribute(Attribute::computed("id", Type::String).use_state_for_unknown())
        .attribute(Attribute::computed("arn", Type::String))
        .attribute(Attribute::optional("mode", Type::String).default_value(s("FIPS")))
        .attribute(Attribute::optional("secret_wo", Type::String).write_only())
        .block(NestedBlock::list(
            "rule",
            Block::new()
                .attribute(Attribute::required("port", Type::Number))
                .attribute(Attribute::computed("rule_id", Type::String)),
        ))
}

#[test]
fn create_marks_computed_unknown_fills_defaults_and_nulls_write_only() {
    let rule = obj(&[("port", Value::Number(1.into())), ("rule_id", Value::Null)]);
    let config = obj(&[
        ("name", s("a")),
        ("description", Value::Null),
        ("id", Value::Null),
        ("arn", Value::Null),
        ("mode", Value::Null),
        ("secret_wo", s("hunter2")),
        ("rule", Value::List(vec![rule.clone()])),
    ]);
    let (planned, replace) = default_plan(&schema(), &Value::Null, &config, &config);
    assert!(planned.get("id").is_some_and(Value::is_unknown));
    assert!(planned.get("arn").is_some_and(Value::is_unknown));
    assert_eq!(planned.get("mode"), Some(&s("FIPS")));
    assert_eq!(planned.get("secret_wo"), Some(&Value::Null));
    let rules = planned
        .get("rule")
        .and_then(Value::as_list)
        .map(|v| v.to_vec())
        .unwrap_or_default();
    assert!(rules[0].get("rule_id").is_some_and(Value::is_unknown));
    assert!(replace.is_empty());
}

#[test]
fn update_keeps_state_for_unknown_and_requires_replace_on_changed_name() {
    let prior = obj(&[
        ("name", s("a")),
        ("description", Value::Null),
        ("id", s("i-1")),
        ("arn", s("arn:1")),
        ("mode", s("FIPS")),
        ("secret_wo", Value::Null),
        ("rule", Value::List(vec![])),
    ]);
    let mut config = prior.clone();
    config
        .set_at(&AttributePath::root().attr("name"), s("b"))
        .unwrap();
    config
        .set_at(&AttributePath::root().attr("id"), Value::Null)
        .unwrap();
    config
        .set_at(&AttributePath::root().attr("arn"), Value::Null)
        .unwrap();
    config
        .set_at(&AttributePath::root().attr("mode"), Value::Null)
        .unwrap();
    let mut proposed = config.clone();
    proposed
        .set_at(&AttributePath::root().attr("id"), s("i-1"))
        .unwrap();
    proposed
        .set_at(&AttributePath::root().attr("arn"), s("arn:1"))
        .unwrap();
    proposed
        .set_at(&AttributePath::root().attr("mode"), s("FIPS"))
        .unwrap();
    let (planned, replace) = default_plan(&schema(), &prior, &config, &proposed);
    assert_eq!(planned.get("id"), Some(&s("i-1")));
    assert!(planned.get("arn").is_some_and(Value::is_unknown));
    assert_eq!(replace, vec![AttributePath::root().attr("name")]);
}

#[test]
fn unchanged_update_plans_prior_state_exactly() {
    let prior = obj(&[
        ("name", s("a")),
        ("description", Value::Null),
        ("id", s("i-1")),
        ("arn", s("arn:1")),
        ("mode", s("FIPS")),
        ("secret_wo", Value::Null),
        ("rule", Value::List(vec![])),
    ]);
    let (planned, replace) = default_plan(&schema(), &prior, &prior, &prior);
    assert_eq!(planned, prior);
    assert!(replace.is_empty());
}

#[test]
fn a_null_use_state_for_unknown_value_stays_null_when_nothing_changes() {
    let prior = obj(&[
        ("name", s("a")),
        ("description", Value::Null),
        ("id", Value::Null),
        ("arn", s("arn:1")),
        ("mode", s("FIPS")),
        ("secret_wo", Value::Null),
        ("rule", Value::List(vec![])),
    ]);
    let (planned, _) = default_plan(&schema(), &prior, &prior, &prior);
    assert_eq!(planned, prior, "an unchanged object plans no change");
    let mut changed = prior.clone();
    changed
        .set_at(&AttributePath::root().attr("description"), s("new"))
        .unwrap();
    let (planned, _) = default_plan(&schema(), &prior, &changed, &changed);
    assert!(planned.get("id").is_some_and(Value::is_unknown));
}

fn context(prior: Value) -> PlanContext {
    PlanContext {
        prior,
        config: obj(&[("name", s("a"))]),
        planned: obj(&[
            ("name", s("a")),
            ("id", Value::Unknown(Refinements::default())),
        ]),
        requires_replace: Vec::new(),
        private: Vec::new(),
        diagnostics: Diagnostics::new(),
    }
}

#[test]
fn a_plan_creates_only_without_prior_state() {
    assert!(context(Value::Null).is_create());
    assert!(!context(obj(&[("name", s("a"))])).is_create());
}

#[test]
fn replacement_is_planned_once_per_attribute() {
    let mut ctx = context(obj(&[("name", s("a"))]));
    let name = AttributePath::root().attr("name");
    let id = AttributePath::root().attr("id");
    ctx.require_replace(name.clone());
    ctx.require_replace(name.clone());
    ctx.require_replace(id.clone());
    assert_eq!(ctx.requires_replace, vec![name, id]);
}

#[test]
fn a_value_set_in_the_plan_is_planned_and_a_bad_path_is_an_error_not_a_panic() {
    let mut ctx = context(Value::Null);
    ctx.set(&AttributePath::root().attr("id"), s("i-1"));
    assert_eq!(ctx.planned.get("id"), Some(&s("i-1")));
    assert!(ctx.diagnostics.is_empty());
    ctx.set(&AttributePath::root().attr("rule").index(3), s("x"));
    assert!(
        ctx.diagnostics.has_errors(),
        "a path with no parent is reported"
    );
    assert_eq!(ctx.planned.get("id"), Some(&s("i-1")), "the plan is kept");
}

/// Attributes of one nested object: a plain value, a write-only one, a computed one.
fn inner() -> Vec<Attribute> {
    vec![
        Attribute::optional("v", Type::String),
        Attribute::optional("v_wo", Type::String).write_only(),
        Attribute::computed("inner_id", Type::String),
    ]
}

/// Inner attributes of a block: those of `inner` and one with a default.
fn inner_block() -> Block {
    inner()
        .into_iter()
        .fold(Block::new(), Block::attribute)
        .attribute(Attribute::optional("size", Type::String).default_value(s("M")))
}

/// Objects at every depth the planner walks: nested attributes and blocks of each
/// nesting mode.
fn nested_schema() -> Block {
    Block::new()
        .attribute(Attribute::optional("top", Type::String))
        .attribute(Attribute::nested("one", ObjectNesting::Single, inner()).set_optional())
        .attribute(Attribute::nested("many", ObjectNesting::List, inner()).set_optional())
        .attribute(Attribute::nested("bag", ObjectNesting::Set, inner()).set_optional())
        .attribute(Attribute::nested("named", ObjectNesting::Map, inner()).set_optional())
        .block(NestedBlock::single("b_one", inner_block()))
        .block(NestedBlock::list("b_many", inner_block()))
        .block(NestedBlock::set("b_bag", inner_block()))
        .block(NestedBlock::new("b_named", NestingMode::Map, inner_block()))
}

const NESTED: [&str; 8] = [
    "one", "many", "bag", "named", "b_one", "b_many", "b_bag", "b_named",
];

/// Every object of `v` under the top-level attribute or block `name`.
fn objects_in<'a>(v: &'a Value, name: &str) -> Vec<&'a Value> {
    match v.get(name) {
        Some(o @ Value::Object(_)) => vec![o],
        Some(Value::List(xs) | Value::Set(xs)) => xs.iter().collect(),
        Some(Value::Map(m)) => m.values().collect(),
        other => panic!("{name}: {other:?}"),
    }
}

/// A configuration setting `v` and `v_wo` in one object at every depth, computed
/// values null.
fn nested_config(v: &str) -> Value {
    let o = || {
        obj(&[
            ("v", s(v)),
            ("v_wo", s("secret")),
            ("inner_id", Value::Null),
        ])
    };
    let b = || {
        obj(&[
            ("v", s(v)),
            ("v_wo", s("secret")),
            ("inner_id", Value::Null),
            ("size", Value::Null),
        ])
    };
    obj(&[
        ("top", s("t")),
        ("one", o()),
        ("many", Value::list([o()])),
        ("bag", Value::set([o()])),
        ("named", Value::map([("k", o())])),
        ("b_one", b()),
        ("b_many", Value::list([b()])),
        ("b_bag", Value::set([b()])),
        ("b_named", Value::map([("k", b())])),
    ])
}

#[test]
fn write_only_values_are_nulled_in_objects_at_every_depth() {
    let schema = nested_schema();
    let config = nested_config("x");
    assert!(sets_write_only(&schema, &config));
    let mut v = config.clone();
    null_write_only(&schema, &mut v);
    for name in NESTED {
        let objects = objects_in(&v, name);
        assert_eq!(objects.len(), 1, "{name}");
        for o in objects {
            assert_eq!(o.get("v_wo"), Some(&Value::Null), "{name}");
            assert_eq!(o.get("v"), Some(&s("x")), "{name}: other values are kept");
        }
    }
    assert!(
        !sets_write_only(&schema, &v),
        "a configuration without write-only values"
    );
}

#[test]
fn create_plans_defaults_unknowns_and_no_write_only_value_at_every_depth() {
    let schema = nested_schema();
    let config = nested_config("x");
    let (planned, replace) = default_plan(&schema, &Value::Null, &config, &config);
    assert!(replace.is_empty());
    for name in NESTED {
        for o in objects_in(&planned, name) {
            assert_eq!(o.get("v"), Some(&s("x")), "{name}");
            assert_eq!(o.get("v_wo"), Some(&Value::Null), "{name}");
            if name.starts_with("b_") {
                assert_eq!(o.get("size"), Some(&s("M")), "{name}: the default");
            }
            assert!(
                o.get("inner_id").is_some_and(Value::is_unknown),
                "{name}: {o:?}"
            );
        }
    }
}

#[test]
fn an_update_keeps_set_elements_it_does_not_change_and_plans_new_ones() {
    let schema = Block::new().block(NestedBlock::set("b_bag", inner_block()));
    let known = |v: &str| {
        obj(&[
            ("v", s(v)),
            ("v_wo", Value::Null),
            ("inner_id", s(&format!("id-{v}"))),
            ("size", s("M")),
        ])
    };
    let prior = obj(&[("b_bag", Value::set([known("a")]))]);
    let new = obj(&[
        ("v", s("b")),
        ("v_wo", Value::Null),
        ("inner_id", Value::Null),
        ("size", Value::Null),
    ]);
    let mut cfg_a = known("a");
    cfg_a
        .set_at(&AttributePath::root().attr("inner_id"), Value::Null)
        .unwrap();
    let config = obj(&[("b_bag", Value::set([cfg_a, new.clone()]))]);
    let proposed = obj(&[("b_bag", Value::set([known("a"), new]))]);
    let (planned, _) = default_plan(&schema, &prior, &config, &proposed);
    let elems = objects_in(&planned, "b_bag");
    assert_eq!(
        elems[0],
        &known("a"),
        "the unchanged element keeps its values"
    );
    assert!(elems[1].get("inner_id").is_some_and(Value::is_unknown));
    assert_eq!(elems[1].get("size"), Some(&s("M")));
}

#[test]
fn an_update_keeps_computed_values_of_unchanged_nested_objects_under_use_state_for_unknown() {
    // A nested attribute the provider computes when left out, known since create.
    let schema = Block::new()
        .attribute(Attribute::optional("top", Type::String))
        .attribute(
            Attribute::nested("one", ObjectNesting::Single, inner())
                .set_optional()
                .set_computed()
                .use_state_for_unknown(),
        );
    let settings = obj(&[("v", s("x")), ("v_wo", Value::Null), ("inner_id", s("i-1"))]);
    let prior = obj(&[("top", s("a")), ("one", settings.clone())]);
    let config = obj(&[("top", s("b")), ("one", Value::Null)]);
    let proposed = obj(&[("top", s("b")), ("one", settings.clone())]);
    let (planned, _) = default_plan(&schema, &prior, &config, &proposed);
    assert_eq!(planned.get("one"), Some(&settings));
}

#[test]
fn a_configured_computed_value_is_planned_as_configured_and_an_unset_optional_stays_null() {
    let schema = Block::new()
        .attribute(Attribute::optional_computed("region", Type::String))
        .attribute(Attribute::optional("note", Type::String));
    let config = obj(&[("region", s("eu-west-3")), ("note", Value::Null)]);
    let (planned, _) = default_plan(&schema, &Value::Null, &config, &config);
    assert_eq!(planned, config);
}

#[test]
fn replacement_is_planned_for_a_changed_element_of_a_block_not_for_an_added_one() {
    let schema = Block::new()
        .block(NestedBlock::list(
            "rule",
            Block::new().attribute(Attribute::required("port", Type::Number).requires_replace()),
        ))
        .block(NestedBlock::single(
            "cfg",
            Block::new().attribute(Attribute::required("mode", Type::String).requires_replace()),
        ));
    let rule = |p: i64| obj(&[("port", Value::number(p))]);
    let prior = obj(&[
        ("rule", Value::list([rule(1)])),
        ("cfg", obj(&[("mode", s("a"))])),
    ]);
    let grown = obj(&[
        ("rule", Value::list([rule(1), rule(2)])),
        ("cfg", obj(&[("mode", s("a"))])),
    ]);
    let (_, replace) = default_plan(&schema, &prior, &grown, &grown);
    assert!(replace.is_empty(), "{replace:?}");
    let changed = obj(&[
        ("rule", Value::list([rule(3)])),
        ("cfg", obj(&[("mode", s("b"))])),
    ]);
    let (_, replace) = default_plan(&schema, &prior, &changed, &changed);
    assert_eq!(
        replace,
        vec![
            AttributePath::root().attr("rule").index(0).attr("port"),
            AttributePath::root().attr("cfg").attr("mode"),
        ]
    );
}

#[test]
fn a_generated_configuration_leaves_out_what_cannot_be_configured_at_every_depth() {
    let attrs = || {
        vec![
            Attribute::required("name", Type::String),
            Attribute::optional_computed("region", Type::String),
            Attribute::computed("arn", Type::String),
            Attribute::optional("legacy", Type::String).deprecated("use name"),
            Attribute::optional("note", Type::String),
            Attribute::optional("v_wo", Type::String).write_only(),
        ]
    };
    let block = attrs().into_iter().fold(Block::new(), Block::attribute);
    let schema = block
        .clone()
        .attribute(Attribute::nested("one", ObjectNesting::Single, attrs()).set_optional())
        .block(NestedBlock::list("b_many", block));
    let state = || {
        obj(&[
            ("name", s("")),
            ("region", s("eu-west-3")),
            ("arn", s("arn:x")),
            ("legacy", s("old")),
            ("note", s("")),
            ("v_wo", Value::Null),
        ])
    };
    let config = || {
        obj(&[
            ("name", s("")),
            ("region", s("eu-west-3")),
            ("arn", Value::Null),
            ("legacy", Value::Null),
            ("note", Value::Null),
            ("v_wo", Value::Null),
        ])
    };
    let mut v = state();
    let Value::Object(m) = &mut v else {
        unreachable!()
    };
    m.insert("one".into(), state());
    m.insert("b_many".into(), Value::list([state()]));
    config_from_state(&schema, &mut v);
    let mut want = config();
    let Value::Object(m) = &mut want else {
        unreachable!()
    };
    m.insert("one".into(), config());
    m.insert("b_many".into(), Value::list([config()]));
    assert_eq!(v, want);
}

#[test]
fn destroy_plans_null() {
    let (planned, _) = default_plan(&schema(), &s("x"), &Value::Null, &Value::Null);
    assert!(planned.is_null());
}

/// Sets `key` to `value` in every object of `v` that has it.
fn set_everywhere(schema: &Block, v: &mut Value, key: &str, value: &Value) {
    for_each_object(schema, v, &mut |_, o| {
        if let Value::Object(m) = o
            && m.contains_key(key)
        {
            m.insert(key.to_string(), value.clone());
        }
    });
}

#[test]
fn an_update_that_only_sets_write_only_values_plans_no_change_at_every_depth() {
    // A write-only value is never in the prior state, so a configuration that sets one
    // (in a nested attribute as in a block) must not make the object look changed:
    // otherwise every computed value would be planned unknown on every plan.
    let schema = nested_schema();
    let mut prior = nested_config("x");
    null_write_only(&schema, &mut prior);
    set_everywhere(&schema, &mut prior, "inner_id", &s("i-1"));
    set_everywhere(&schema, &mut prior, "size", &s("M"));
    let mut proposed = prior.clone();
    set_everywhere(&schema, &mut proposed, "v_wo", &s("secret"));
    let mut config = proposed.clone();
    set_everywhere(&schema, &mut config, "inner_id", &Value::Null);
    set_everywhere(&schema, &mut config, "size", &Value::Null);
    let (planned, replace) = default_plan(&schema, &prior, &config, &proposed);
    assert!(replace.is_empty());
    assert_eq!(planned, prior);
}
