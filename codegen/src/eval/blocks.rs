//! Blocks of a module as the evaluator sees them: a module's inputs and locals read
//! from its files, a resource's instances (`count` / `for_each`), and nested blocks
//! with `dynamic` ones expanded.

use super::{Module, Scope, V};
use hcl::expr::{FuncCall, ObjectKey};
use hcl::{Block, Body, Expression};
use std::collections::BTreeMap;

impl V {
    /// The value as an expression, for a module's input (see [`Module::with_inputs`]).
    /// What is not known becomes `unknown("<why>")`, which evaluates to `Unknown` again.
    pub fn to_expression(&self) -> Expression {
        match self {
            V::Null => Expression::Null,
            V::Bool(b) => Expression::Bool(*b),
            V::Num(n) => hcl::Number::from_f64(*n).map_or(Expression::Null, Expression::Number),
            V::Str(s) => Expression::String(s.clone()),
            V::List(l) => Expression::Array(l.iter().map(V::to_expression).collect()),
            V::Obj(m) => Expression::Object(
                m.iter()
                    .map(|(k, v)| {
                        (
                            ObjectKey::Expression(Expression::String(k.clone())),
                            v.to_expression(),
                        )
                    })
                    .collect(),
            ),
            V::Either(_) => unknown("either of a conditional's branches"),
            V::Unknown(why) => unknown(why),
        }
    }
}

fn unknown(why: &str) -> Expression {
    Expression::FuncCall(Box::new(
        FuncCall::builder("unknown")
            .arg(Expression::String(why.to_string()))
            .build(),
    ))
}

impl Module {
    /// The module as a caller instantiates it: `inputs` take the place of the defaults.
    pub fn with_inputs(mut self, inputs: BTreeMap<String, V>) -> Module {
        for (k, v) in inputs {
            self.defaults.insert(k, Some(v.to_expression()));
        }
        self
    }

    /// The variables' defaults and the locals of a module's files.
    pub fn from_bodies<'a>(bodies: impl IntoIterator<Item = &'a Body>) -> Module {
        let mut defaults = BTreeMap::new();
        let mut locals = BTreeMap::new();
        for body in bodies {
            for b in body.blocks() {
                match b.identifier() {
                    "variable" => {
                        defaults.insert(label(b, 0), attr(&b.body, "default").cloned());
                    }
                    "locals" => {
                        for a in b.body.attributes() {
                            locals.insert(a.key().to_string(), a.expr().clone());
                        }
                    }
                    _ => {}
                }
            }
        }
        Module {
            defaults,
            locals,
            ..Module::default()
        }
    }
}

pub fn label(b: &Block, i: usize) -> String {
    b.labels()
        .get(i)
        .map(|l| l.as_str().to_string())
        .unwrap_or_default()
}

pub fn attr<'a>(body: &'a Body, name: &str) -> Option<&'a Expression> {
    body.attributes()
        .find(|a| a.key() == name)
        .map(|a| a.expr())
}

/// A resource's instances, and why their number is not known when it is not.
pub struct Expansion {
    /// One scope per instance, `each` or `count` bound.
    pub instances: Vec<Scope>,
    /// Set when `count` / `for_each` did not evaluate: `instances` then holds one
    /// instance standing for an unknown number.
    pub unknown: Option<String>,
}

/// The instances of a resource: `each`/`count` bound per instance.
pub fn instances(m: &Module, body: &Body) -> Vec<Scope> {
    expand(m, body).instances
}

pub fn expand(m: &Module, body: &Body) -> Expansion {
    if let Some(fe) = attr(body, "for_each") {
        let value = m.eval(fe, &Scope::new());
        let unknown = match &value {
            V::Obj(_) | V::List(_) => None,
            V::Unknown(why) => Some(why.clone()),
            other => Some(format!("for_each is {other:?}")),
        };
        let pairs: Vec<(String, V)> = match value {
            V::Obj(o) => o.into_iter().collect(),
            V::List(l) => l
                .into_iter()
                .map(|v| (v.as_str().unwrap_or_default().to_string(), v))
                .collect(),
            other => vec![("?".into(), other)],
        };
        let instances = pairs
            .into_iter()
            .map(|(k, v)| {
                let each = V::Obj([("key".into(), V::Str(k)), ("value".into(), v)].into());
                Scope::from([("each".into(), each)])
            })
            .collect();
        return Expansion { instances, unknown };
    }
    if let Some(c) = attr(body, "count") {
        return match m.eval(c, &Scope::new()) {
            v if v.as_num().is_some() => Expansion {
                instances: (0..v.as_num().unwrap_or(0.0) as usize)
                    .map(|i| {
                        let count = V::Obj([("index".into(), V::Num(i as f64))].into());
                        Scope::from([("count".into(), count)])
                    })
                    .collect(),
                unknown: None,
            },
            other => Expansion {
                instances: vec![Scope::new()],
                unknown: Some(match other {
                    V::Unknown(why) => why,
                    v => format!("count is {v:?}"),
                }),
            },
        };
    }
    Expansion {
        instances: vec![Scope::new()],
        unknown: None,
    }
}

/// Nested blocks named `name`, static and `dynamic "name"` ones expanded, each with
/// the scope its attributes evaluate in.
pub fn nested<'a>(m: &Module, body: &'a Body, name: &str, scope: &Scope) -> Vec<(&'a Body, Scope)> {
    let mut out = Vec::new();
    for b in body.blocks() {
        if b.identifier() == name {
            out.push((&b.body, scope.clone()));
        } else if b.identifier() == "dynamic" && label(b, 0) == name {
            let Some(content) = b.body.blocks().find(|c| c.identifier() == "content") else {
                continue;
            };
            let iterator = attr(&b.body, "iterator")
                .and_then(|e| match e {
                    Expression::Variable(v) => Some(v.to_string()),
                    _ => None,
                })
                .unwrap_or_else(|| name.to_string());
            let items: Vec<(V, V)> = match attr(&b.body, "for_each").map(|e| m.eval(e, scope)) {
                Some(V::Obj(o)) => o.into_iter().map(|(k, v)| (V::Str(k), v)).collect(),
                Some(V::List(l)) => l
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| (V::Num(i as f64), v))
                    .collect(),
                Some(other) => vec![(V::Unknown("key".into()), other)],
                None => vec![],
            };
            for (k, v) in items {
                let mut inner = scope.clone();
                inner.insert(
                    iterator.clone(),
                    V::Obj([("key".into(), k), ("value".into(), v)].into()),
                );
                out.push((&content.body, inner));
            }
        }
    }
    out
}
