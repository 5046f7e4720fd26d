//! The default planner and the context resources refine plans in.
//!
//! Terraform sends the prior state, the configuration, and a proposed new state (the
//! configuration with prior values filled in for computed attributes left null).
//! The default planner applies what the schema declares, in this order: write-only
//! attributes become null; static defaults fill null configuration; on create every
//! computed attribute the configuration leaves null becomes unknown; on update, when
//! anything changes, so does every such attribute unless it is marked
//! use-state-for-unknown; finally attributes marked requires-replace whose planned
//! value differs from the prior state are reported for replacement.

use crate::diag::Diagnostics;
use crate::schema::{Attribute, AttributeType, Block, NestingMode, ObjectNesting};
use crate::value::{AttributePath, Refinements, Value};

/// The plan of one resource instance, after default planning, for a resource's
/// `modify_plan` to refine.
#[derive(Clone, Debug)]
pub struct PlanContext {
    pub prior: Value,
    pub config: Value,
    pub planned: Value,
    pub requires_replace: Vec<AttributePath>,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

impl PlanContext {
    /// True when the plan creates the object (no prior state).
    pub fn is_create(&self) -> bool {
        self.prior.is_null()
    }

    /// Marks an attribute (top-level) for replacement, once.
    pub fn require_replace(&mut self, path: AttributePath) {
        if !self.requires_replace.contains(&path) {
            self.requires_replace.push(path);
        }
    }

    /// Sets a planned value (e.g. a computed value known at plan time).
    pub fn set(&mut self, path: &AttributePath, v: Value) {
        // A planner bug must not kill the plugin: report it instead.
        if let Err(e) = self.planned.set_at(path, v) {
            self.diagnostics.push(e.into());
        }
    }
}

/// Runs the default planner. `prior` and `proposed` null mean create / destroy.
pub fn default_plan(
    block: &Block,
    prior: &Value,
    config: &Value,
    proposed: &Value,
) -> (Value, Vec<AttributePath>) {
    if proposed.is_null() {
        return (Value::Null, Vec::new());
    }
    let mut planned = proposed.clone();
    let root = AttributePath::root();
    apply_defaults_and_write_only(block, config, &mut planned);
    let changed = !prior.is_null() && planned != *prior;
    mark_unknown(
        block,
        prior,
        config,
        &mut planned,
        prior.is_null() || changed,
    );
    let mut replace = Vec::new();
    if !prior.is_null() {
        collect_replace(block, &root, prior, &planned, &mut replace);
    }
    (planned, replace)
}

/// True when a configuration sets any write-only attribute (Terraform before 1.11
/// cannot handle them).
pub fn sets_write_only(block: &Block, config: &Value) -> bool {
    let mut v = config.clone();
    null_write_only(block, &mut v);
    v != *config
}

/// Nulls write-only attributes anywhere in a value of this block (states must never
/// hold them).
pub fn null_write_only(block: &Block, v: &mut Value) {
    for_each_object(block, v, &mut |attrs, obj| {
        for a in attrs {
            if a.write_only
                && let Value::Object(m) = obj
            {
                m.insert(a.name.clone(), Value::Null);
            }
        }
    });
}

/// A state made a configuration, as Terraform's own fallback makes one when a
/// provider does not (genconfig's legacy extraction): read-only (computed, not
/// optional) and deprecated attributes null, and "" in an optional string null.
pub fn config_from_state(block: &Block, v: &mut Value) {
    for_each_object(block, v, &mut |attrs, obj| {
        let Value::Object(m) = obj else { return };
        for a in attrs {
            let drop = (a.computed && !a.optional)
                || a.deprecation.is_some()
                || (a.optional && matches!(m.get(&a.name), Some(Value::String(s)) if s.is_empty()));
            if drop {
                m.insert(a.name.clone(), Value::Null);
            }
        }
    });
}

/// Calls `f` with each object of `block` in `v` (the value itself and every nested
/// block or nested attribute element), with the attributes that apply to it.
fn for_each_object(block: &Block, v: &mut Value, f: &mut dyn FnMut(&[Attribute], &mut Value)) {
    if !matches!(v, Value::Object(_)) {
        return;
    }
    f(&block.attributes, v);
    let Value::Object(m) = v else { return };
    for a in &block.attributes {
        if let AttributeType::Nested { attributes, .. } = &a.ty
            && let Some(child) = m.get_mut(&a.name)
        {
            for_each_nested_attr(attributes, child, f);
        }
    }
    for b in &block.blocks {
        if let Some(child) = m.get_mut(&b.name) {
            for elem in elements_mut(child) {
                for_each_object(&b.block, elem, f);
            }
        }
    }
}

fn for_each_nested_attr(
    attrs: &[Attribute],
    v: &mut Value,
    f: &mut dyn FnMut(&[Attribute], &mut Value),
) {
    let block = Block {
        attributes: attrs.to_vec(),
        ..Block::default()
    };
    match v {
        Value::Object(_) => for_each_object(&block, v, f),
        _ => {
            for e in elements_mut(v) {
                for_each_object(&block, e, f);
            }
        }
    }
}

fn elements_mut(v: &mut Value) -> Vec<&mut Value> {
    match v {
        Value::List(xs) | Value::Set(xs) | Value::Tuple(xs) => xs.iter_mut().collect(),
        Value::Map(m) => m.values_mut().collect(),
        Value::Object(_) => vec![v],
        _ => Vec::new(),
    }
}

fn apply_defaults_and_write_only(block: &Block, config: &Value, planned: &mut Value) {
    let Value::Object(pm) = planned else { return };
    for a in &block.attributes {
        let cfg = config.get(&a.name).unwrap_or(&Value::Null);
        if a.write_only {
            pm.insert(a.name.clone(), Value::Null);
            continue;
        }
        if cfg.is_null()
            && let Some(d) = &a.default
        {
            pm.insert(a.name.clone(), d.clone());
        }
    }
    for b in &block.blocks {
        let cfg_child = config.get(&b.name).cloned().unwrap_or(Value::Null);
        if let Some(child) = pm.get_mut(&b.name) {
            match (b.nesting, child) {
                (NestingMode::Single | NestingMode::Group, c @ Value::Object(_)) => {
                    apply_defaults_and_write_only(&b.block, &cfg_child, c)
                }
                (_, Value::List(xs) | Value::Set(xs)) => {
                    let cfg_elems = cfg_child.as_list().map(|v| v.to_vec()).unwrap_or_default();
                    for (i, e) in xs.iter_mut().enumerate() {
                        let c = cfg_elems.get(i).cloned().unwrap_or(Value::Null);
                        apply_defaults_and_write_only(&b.block, &c, e);
                    }
                }
                (_, Value::Map(m)) => {
                    for (k, e) in m.iter_mut() {
                        let c = cfg_child.get(k).cloned().unwrap_or(Value::Null);
                        apply_defaults_and_write_only(&b.block, &c, e);
                    }
                }
                _ => {}
            }
        }
    }
}

/// Marks computed attributes the configuration leaves null as unknown.
/// `all_changing` is true on create and when the resource has any change.
fn mark_unknown(
    block: &Block,
    prior: &Value,
    config: &Value,
    planned: &mut Value,
    all_changing: bool,
) {
    let Value::Object(pm) = planned else { return };
    for a in &block.attributes {
        if !a.computed || a.write_only {
            continue;
        }
        let cfg = config.get(&a.name).unwrap_or(&Value::Null);
        if !cfg.is_null() || a.default.is_some() {
            continue;
        }
        let prior_v = prior.get(&a.name).unwrap_or(&Value::Null);
        // A null prior value under use-state-for-unknown becomes unknown only when the
        // object changes: on a plan without changes it stays null (no perpetual diff).
        if prior.is_null() || (all_changing && (!a.use_state_for_unknown || prior_v.is_null())) {
            pm.insert(a.name.clone(), Value::Unknown(Refinements::default()));
        } else if a.use_state_for_unknown {
            pm.insert(a.name.clone(), prior_v.clone());
        }
    }
    for a in &block.attributes {
        if let AttributeType::Nested {
            nesting,
            attributes,
        } = &a.ty
        {
            let cfg = config.get(&a.name).cloned().unwrap_or(Value::Null);
            if cfg.is_null() || cfg.is_unknown() {
                continue;
            }
            let nb = Block {
                attributes: attributes.clone(),
                ..Block::default()
            };
            let pr = prior.get(&a.name).cloned().unwrap_or(Value::Null);
            if let Some(child) = pm.get_mut(&a.name) {
                let mode = match nesting {
                    ObjectNesting::Single => NestingMode::Single,
                    ObjectNesting::List => NestingMode::List,
                    ObjectNesting::Set => NestingMode::Set,
                    ObjectNesting::Map => NestingMode::Map,
                };
                mark_unknown_nested(&nb, mode, &pr, &cfg, child, all_changing);
            }
        }
    }
    for b in &block.blocks {
        let cfg = config.get(&b.name).cloned().unwrap_or(Value::Null);
        let pr = prior.get(&b.name).cloned().unwrap_or(Value::Null);
        if let Some(child) = pm.get_mut(&b.name) {
            mark_unknown_nested(&b.block, b.nesting, &pr, &cfg, child, all_changing);
        }
    }
}

fn mark_unknown_nested(
    block: &Block,
    nesting: NestingMode,
    prior: &Value,
    config: &Value,
    planned: &mut Value,
    all_changing: bool,
) {
    match (nesting, planned) {
        (NestingMode::Single | NestingMode::Group, p @ Value::Object(_)) => {
            mark_unknown(block, prior, config, p, all_changing)
        }
        (NestingMode::List, Value::List(xs)) => {
            let cfg = config.as_list().map(|v| v.to_vec()).unwrap_or_default();
            let pri = prior.as_list().map(|v| v.to_vec()).unwrap_or_default();
            for (i, e) in xs.iter_mut().enumerate() {
                let p = pri.get(i).cloned().unwrap_or(Value::Null);
                let c = cfg.get(i).cloned().unwrap_or(Value::Null);
                mark_unknown(block, &p, &c, e, all_changing);
            }
        }
        (NestingMode::Set, Value::Set(xs)) => {
            // Set elements have no identity across plans: an element equal to a prior
            // element keeps it; any other element is new.
            let pri = prior.as_list().map(|v| v.to_vec()).unwrap_or_default();
            let cfg = config.as_list().map(|v| v.to_vec()).unwrap_or_default();
            for (i, e) in xs.iter_mut().enumerate() {
                if pri.contains(e) {
                    continue;
                }
                let c = cfg.get(i).cloned().unwrap_or(Value::Null);
                mark_unknown(block, &Value::Null, &c, e, true);
            }
        }
        (NestingMode::Map, Value::Map(m)) => {
            for (k, e) in m.iter_mut() {
                let p = prior.get(k).cloned().unwrap_or(Value::Null);
                let c = config.get(k).cloned().unwrap_or(Value::Null);
                mark_unknown(block, &p, &c, e, all_changing);
            }
        }
        _ => {}
    }
}

fn collect_replace(
    block: &Block,
    path: &AttributePath,
    prior: &Value,
    planned: &Value,
    out: &mut Vec<AttributePath>,
) {
    for a in &block.attributes {
        if a.requires_replace {
            let p = prior.get(&a.name).unwrap_or(&Value::Null);
            let n = planned.get(&a.name).unwrap_or(&Value::Null);
            if p != n {
                out.push(path.clone().attr(&a.name));
            }
        }
    }
    for b in &block.blocks {
        let p = prior.get(&b.name).cloned().unwrap_or(Value::Null);
        let n = planned.get(&b.name).cloned().unwrap_or(Value::Null);
        let bp = path.clone().attr(&b.name);
        match b.nesting {
            NestingMode::Single | NestingMode::Group => collect_replace(&b.block, &bp, &p, &n, out),
            NestingMode::List => {
                let ps = p.as_list().map(|v| v.to_vec()).unwrap_or_default();
                let ns = n.as_list().map(|v| v.to_vec()).unwrap_or_default();
                for i in 0..ps.len().max(ns.len()) {
                    let pe = ps.get(i).cloned().unwrap_or(Value::Null);
                    let ne = ns.get(i).cloned().unwrap_or(Value::Null);
                    if pe.is_null() || ne.is_null() {
                        continue;
                    }
                    collect_replace(&b.block, &bp.clone().index(i as i64), &pe, &ne, out);
                }
            }
            NestingMode::Set | NestingMode::Map => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
                if name.starts_with("b_") {
                    // (In nested attributes the RPC's null_write_only after modify_plan
                    // nulls them; see rpc::write_only_tests.)
                    assert_eq!(o.get("v_wo"), Some(&Value::Null), "{name}");
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
                Block::new()
                    .attribute(Attribute::required("port", Type::Number).requires_replace()),
            ))
            .block(NestedBlock::single(
                "cfg",
                Block::new()
                    .attribute(Attribute::required("mode", Type::String).requires_replace()),
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
}
