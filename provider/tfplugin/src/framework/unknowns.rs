//! Values Terraform sends that a typed model cannot hold entirely, handled once for
//! every resource, data source and the provider block.
//!
//! - Unknowns at any depth: Terraform validates with every input variable unknown and
//!   plans with other resources' attributes unknown, inside maps, lists, sets and
//!   nested blocks too. The serde bridge reads a value holding an unknown its field's
//!   type cannot hold as `Attr::Unknown` ("not wholly known"), so decoding never fails
//!   on them; a check that needs the value waits (Terraform validates and plans again
//!   with known values, at the latest in apply's final plan). [`decode_config`] is the
//!   one way configurations are read.
//! - What the model could not hold must not get lost in a plan: [`overlay`] puts back
//!   every part of the proposed plan the resource did not change (a tag map with one
//!   unknown element stays that map, not a wholly unknown one), so a plan always keeps
//!   the configuration Terraform requires it to keep.
//! - Nulls: a null list or set element has no meaning to AWS and is refused at the
//!   element ([`null_elements`]); a null where a model needs a value is a diagnostic
//!   at the attribute ([`config_error`]), never a claim of a provider bug.

use crate::diag::{Diagnostic, Diagnostics};
use crate::value::{self, AttributePath, PathStep, Value, ValueError};
use serde::de::DeserializeOwned;

/// A configuration read into a model. `Ok(None)` when an unknown sits where the
/// model has no `Attr` field to hold it (a top-level field that is not an `Attr`;
/// `check_model` keeps models from having one): the checks that need the model wait
/// for known values. Errors are diagnostics at the attribute, for the user.
pub fn decode_config<M: DeserializeOwned>(config: &Value) -> Result<Option<M>, Diagnostics> {
    if config.is_unknown() {
        return Ok(None);
    }
    match value::from_value(config) {
        Ok(m) => Ok(Some(m)),
        Err(ValueError::Unknown { .. }) => Ok(None),
        Err(e) => Err(config_error(e)),
    }
}

/// A configuration the model could not read, as the user's diagnostic: a null (or,
/// where no plan-time fallback exists, an unknown) where a value is needed, at its
/// attribute. Other errors mean the model does not fit the schema.
pub fn config_error(e: ValueError) -> Diagnostics {
    let path = e.path().clone();
    let d = match &e {
        ValueError::Null { .. } => Diagnostic::error(
            "Missing value",
            format!(
                "{} is null, and this argument needs a value there. Give it a value, or leave the element out (compact() drops null strings from a list).",
                path_text(&path)
            ),
        ),
        ValueError::Unknown { .. } => Diagnostic::error(
            "Value not known yet",
            format!(
                "{} depends on a value Terraform knows only after apply, and this argument needs it now. Use a value known at plan time (a variable, a local, a data source), or apply what it comes from first (terraform apply -target=...).",
                path_text(&path)
            ),
        ),
        _ => return Diagnostics::from(Diagnostic::from(e)),
    };
    Diagnostics::from(if path.steps.is_empty() { d } else { d.at(path) })
}

fn path_text(path: &AttributePath) -> String {
    if path.steps.is_empty() {
        "The configuration".into()
    } else {
        path.to_string()
    }
}

/// Refuses null elements of lists and sets anywhere in a configuration, at the
/// element (at the set, whose elements Terraform cannot point at). Terraform passes
/// `[null]` through; no AWS list has a null in it, and a checked null here keeps
/// plan and apply code from meeting one. Map elements may be null (for `tags`,
/// hashicorp/aws's placeholder for "no such tag"), and so may attributes.
pub fn null_elements(config: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    config.walk(&mut |path, v| {
        let (items, set) = match v {
            Value::List(items) => (items, false),
            Value::Set(items) => (items, true),
            _ => return,
        };
        for (i, item) in items.iter().enumerate() {
            if !item.is_null() {
                continue;
            }
            let at = if set {
                path.clone()
            } else {
                path.child(PathStep::ElementKeyInt(i as i64))
            };
            let what = if set { "a set" } else { "a list" };
            d.push(
                Diagnostic::error(
                    "Null element",
                    format!(
                        "{} has a null element, and {what} here needs every element set. Remove the null, or drop it with compact() (strings) or a for expression: [for x in ... : x if x != null].",
                        path_text(path)
                    ),
                )
                .at(at),
            );
            if set {
                break;
            }
        }
    });
    d
}

/// A plan value after a resource refined it through its model: `after` (the model
/// encoded again), with every part the resource left unchanged taken from
/// `original` (what it was proposed), by comparing with `before` (the proposed value
/// read into the model and encoded without changes). A model drops what it cannot
/// hold (an unknown element of a tag map becomes a wholly unknown map; refinements of
/// unknowns; attributes it does not name); this puts those back, so a plan keeps its
/// configuration exactly, as Terraform requires.
pub fn overlay(original: &Value, before: &Value, after: Value) -> Value {
    if *before == after {
        return original.clone();
    }
    match (original, before, after) {
        (Value::Object(o), Value::Object(b), Value::Object(a)) => Value::Object(
            a.into_iter()
                .map(|(k, av)| {
                    let v = match (o.get(&k), b.get(&k)) {
                        (Some(ov), Some(bv)) => overlay(ov, bv, av),
                        _ => av,
                    };
                    (k, v)
                })
                .collect(),
        ),
        (Value::Map(o), Value::Map(b), Value::Map(a))
            if o.keys().eq(b.keys()) && b.keys().eq(a.keys()) =>
        {
            Value::Map(
                a.into_iter()
                    .map(|(k, av)| {
                        let v = overlay(&o[&k], &b[&k], av);
                        (k, v)
                    })
                    .collect(),
            )
        }
        (Value::List(o), Value::List(b), Value::List(a))
            if o.len() == b.len() && b.len() == a.len() =>
        {
            Value::List(zip3(o, b, a))
        }
        (Value::Set(o), Value::Set(b), Value::Set(a))
            if o.len() == b.len() && b.len() == a.len() =>
        {
            Value::Set(zip3(o, b, a))
        }
        (Value::Tuple(o), Value::Tuple(b), Value::Tuple(a))
            if o.len() == b.len() && b.len() == a.len() =>
        {
            Value::Tuple(zip3(o, b, a))
        }
        (_, _, a) => a,
    }
}

fn zip3(o: &[Value], b: &[Value], a: Vec<Value>) -> Vec<Value> {
    a.into_iter()
        .zip(o.iter().zip(b))
        .map(|(av, (ov, bv))| overlay(ov, bv, av))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{Attr, Refinements, Type};
    use serde::{Deserialize, Serialize};
    use std::collections::BTreeMap;

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    struct Model {
        name: Attr<String>,
        tags: Attr<BTreeMap<String, String>>,
        tags_all: Attr<BTreeMap<String, String>>,
    }

    fn ty() -> Type {
        Type::object([
            ("name", Type::String),
            ("tags", Type::map(Type::String)),
            ("tags_all", Type::map(Type::String)),
        ])
    }

    #[test]
    fn an_unknown_tag_value_makes_the_field_not_wholly_known_and_the_plan_keeps_the_map() {
        let proposed = Value::object([
            ("name", Value::string("net")),
            (
                "tags",
                Value::map([("Env", Value::unknown()), ("Team", Value::string("pki"))]),
            ),
            ("tags_all", Value::unknown()),
        ]);
        let model: Model = decode_config(&proposed).expect("decodes").expect("a model");
        assert_eq!(model.tags, Attr::Unknown);
        let before = value::to_value(&model, &ty()).expect("encode");
        let mut changed = model.clone();
        changed.name = Attr::Known("other".into());
        let after = value::to_value(&changed, &ty()).expect("encode");
        let planned = overlay(&proposed, &before, after);
        assert_eq!(
            planned.get("tags"),
            proposed.get("tags"),
            "tags kept as proposed"
        );
        assert_eq!(
            planned.get("name"),
            Some(&Value::string("other")),
            "the change stays"
        );
        assert_eq!(planned.get("tags_all"), Some(&Value::unknown()));
    }

    #[test]
    fn overlay_keeps_refinements_and_takes_every_change_the_resource_made() {
        let refined = Value::Unknown(Refinements::not_null());
        let original = Value::object([
            ("a", refined.clone()),
            ("b", Value::list([Value::unknown(), Value::string("x")])),
        ]);
        let before = Value::object([("a", Value::unknown()), ("b", Value::unknown())]);
        let after = Value::object([("a", Value::unknown()), ("b", Value::string("set"))]);
        let v = overlay(&original, &before, after);
        assert_eq!(v.get("a"), Some(&refined));
        assert_eq!(v.get("b"), Some(&Value::string("set")));
        // Element-wise inside lists of equal length.
        let original = Value::list([refined.clone(), Value::string("x")]);
        let before = Value::list([Value::unknown(), Value::string("x")]);
        let after = Value::list([Value::unknown(), Value::string("y")]);
        assert_eq!(
            overlay(&original, &before, after),
            Value::list([refined, Value::string("y")])
        );
    }

    #[test]
    fn null_list_elements_are_refused_at_the_element_and_map_nulls_pass() {
        let config = Value::object([
            (
                "subnet_ids",
                Value::list([Value::string("subnet-1"), Value::Null]),
            ),
            ("zones", Value::set([Value::Null])),
            ("tags", Value::map([("Env", Value::Null)])),
        ]);
        let d: Vec<_> = null_elements(&config).into_iter().collect();
        let at: Vec<String> = d
            .iter()
            .map(|x| {
                x.attribute
                    .as_ref()
                    .map(|p| p.to_string())
                    .unwrap_or_default()
            })
            .collect();
        assert_eq!(at, ["subnet_ids[1]", "zones"]);
        assert!(d.iter().all(|x| !x.detail.contains("bug")), "{d:?}");
    }

    #[test]
    fn a_null_where_the_model_needs_a_value_is_the_users_diagnostic() {
        #[derive(Debug, Deserialize)]
        struct Strict {
            #[allow(dead_code)]
            names: Attr<Vec<String>>,
        }
        let config = Value::object([("names", Value::list([Value::Null]))]);
        let d = decode_config::<Strict>(&config).expect_err("null name");
        let d: Vec<_> = d.into_iter().collect();
        assert_eq!(d[0].summary, "Missing value");
        assert_eq!(
            d[0].attribute,
            Some(AttributePath::root().attr("names").index(0))
        );
        assert!(!d[0].detail.contains("bug"), "{}", d[0].detail);
        // An unknown with no Attr to hold it: the checks wait, no diagnostic.
        #[derive(Debug, Deserialize)]
        struct Plain {
            #[allow(dead_code)]
            name: String,
        }
        let unknown = Value::object([("name", Value::unknown())]);
        assert!(matches!(decode_config::<Plain>(&unknown), Ok(None)));
        assert!(matches!(
            decode_config::<Plain>(&Value::unknown()),
            Ok(None)
        ));
    }
}
