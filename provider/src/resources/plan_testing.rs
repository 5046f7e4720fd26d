//! Unit tests of a resource's planning as Terraform drives it: the proposed new state
//! (the configuration with the prior state's computed values where it leaves them
//! null), the framework's default planner, then the resource's `modify_plan` through
//! the same adapter the gRPC server calls. Values come as JSON of the resource's
//! schema; `unknown` paths are set unknown in the configuration (values Terraform
//! knows only after another resource's apply).

use serde_json::Value as Json;
use tfplugin::diag::Diagnostics;
use tfplugin::framework::Resource;
use tfplugin::framework::plan::{PlanContext, default_plan};
use tfplugin::schema::{Block, NestingMode};
use tfplugin::value::{AttributePath, Refinements, Value, decode_json_value_lenient, from_value};

/// What a plan came to.
pub struct Planned<M> {
    pub model: M,
    pub diagnostics: Diagnostics,
    pub requires_replace: Vec<AttributePath>,
}

impl<M> Planned<M> {
    /// Each diagnostic as (summary, attribute path).
    pub fn summaries(&self) -> Vec<(String, String)> {
        self.diagnostics
            .iter()
            .map(|x| {
                let at = x
                    .attribute
                    .as_ref()
                    .map(|p| p.to_string())
                    .unwrap_or_default();
                (x.summary.clone(), at)
            })
            .collect()
    }

    /// The attributes that force replacement, as paths.
    pub fn replaced(&self) -> Vec<String> {
        self.requires_replace
            .iter()
            .map(|p| p.to_string())
            .collect()
    }
}

/// Terraform's proposed new state (its ProposedNew): the configuration with the
/// prior values of computed attributes it leaves null, nested blocks by position.
pub fn proposed(block: &Block, prior: &Json, config: &Json) -> Json {
    let mut p = config.clone();
    let Some(obj) = p.as_object_mut() else {
        return p;
    };
    for a in block.attributes.iter().filter(|a| a.computed) {
        if obj.get(&a.name).is_none_or(Json::is_null) {
            obj.insert(a.name.clone(), prior[&a.name].clone());
        }
    }
    for b in &block.blocks {
        match (&b.nesting, obj.get_mut(&b.name)) {
            (NestingMode::List, Some(Json::Array(items))) => {
                for (i, item) in items.iter_mut().enumerate() {
                    *item = proposed(&b.block, &prior[&b.name][i], item);
                }
            }
            (NestingMode::Single, Some(item)) if item.is_object() => {
                *item = proposed(&b.block, &prior[&b.name], item);
            }
            _ => {}
        }
    }
    p
}

/// Plans `config` over `prior` (None: create) with resource `r`.
pub async fn plan<R: Resource>(
    r: R,
    prior: Option<&Json>,
    config: &Json,
    unknown: &[AttributePath],
) -> Planned<R::Model> {
    let schema = r.schema();
    let ty = schema.value_type();
    let value = |j: &Json| decode_json_value_lenient(j, &ty).expect("JSON of the schema");
    let prior_v = prior.map(value).unwrap_or(Value::Null);
    let mut config_v = value(config);
    let mut proposed_v =
        value(&prior.map_or_else(|| config.clone(), |p| proposed(&schema.block, p, config)));
    for path in unknown {
        let u = Value::Unknown(Refinements::default());
        config_v
            .set_at(path, u.clone())
            .expect("path in the configuration");
        proposed_v.set_at(path, u).expect("path in the proposal");
    }
    let (planned, requires_replace) = default_plan(&schema.block, &prior_v, &config_v, &proposed_v);
    let mut ctx = PlanContext {
        prior: prior_v,
        config: config_v,
        planned,
        requires_replace,
        private: Vec::new(),
        diagnostics: Diagnostics::new(),
    };
    tfplugin::framework::resource(r).modify_plan(&mut ctx).await;
    Planned {
        model: from_value(&ctx.planned).expect("the planned model"),
        diagnostics: ctx.diagnostics,
        requires_replace: ctx.requires_replace,
    }
}

/// Each diagnostic as (summary, attribute path): what a validation or plan test asserts.
pub fn summaries_at(d: &Diagnostics) -> Vec<(String, String)> {
    d.iter()
        .map(|x| {
            let at = x
                .attribute
                .as_ref()
                .map(|p| p.to_string())
                .unwrap_or_default();
            (x.summary.clone(), at)
        })
        .collect()
}
