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

use crate::schema::{Attribute, AttributeType, Block, NestingMode, ObjectNesting};
use crate::value::{AttributePath, Refinements, Value};

/// The context a resource's `modify_plan` refines: defined with the raw resource
/// trait that takes it, named here too where the planner's users look for it.
pub use crate::provider::PlanContext;

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
    // Write-only values inside nested attributes too (apply_defaults_and_write_only
    // walks blocks): the prior state never holds them, so a configuration that sets
    // one must not make the object look changed.
    null_write_only(block, &mut planned);
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
#[path = "plan_tests.rs"]
mod tests;
