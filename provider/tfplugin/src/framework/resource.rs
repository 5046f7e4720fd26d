//! Typed resources: a resource declares its model (a serde struct naming every schema
//! attribute, `Attr<T>` where a value may be null or unknown) and its identity once;
//! the framework decodes configuration, plan, prior state and identity into them,
//! hands `modify_plan` a typed plan to change, encodes results with the schema type
//! it built once, and routes apply to create, update or delete.
//!
//! ```ignore
//! impl Resource for Network {
//!     type Model = NetworkModel;
//!     type Identity = NetworkIdentity;
//!     const TYPE_NAME: &'static str = "trustchain_ipv6_network";
//!     fn schema(&self) -> Schema { ... }
//!     async fn create(&self, req: Create<NetworkModel>) -> Applied<NetworkModel> { ... }
//!     ...
//! }
//! // registration: framework::resource(Network::new(data))
//! ```

use crate::diag::{DiagResult, Diagnostic, Diagnostics};
use crate::framework::plan::PlanContext;
use crate::framework::unknowns::{config_error, decode_config, overlay};
use crate::provider::{
    self, CreateRequest, DeleteRequest, ImportRequest, MoveRequest, RawResource, ReadRequest,
    ReadResult, UpdateRequest,
};
use crate::schema::{IdentitySchema, Schema};
use crate::value::{self, Attr, AttributePath, Type, Value};
use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::Arc;

/// What a resource model (or identity) is: plain data through serde.
pub trait Model: Serialize + DeserializeOwned + Clone + Send + Sync + 'static {}
impl<T> Model for T where T: Serialize + DeserializeOwned + Clone + Send + Sync + 'static {}

/// The plan of one resource instance after default planning (defaults filled,
/// computed values unknown, requires-replace found), for `modify_plan` to refine.
#[derive(Clone, Debug)]
pub struct Plan<M> {
    /// The state before the change; `None` when the plan creates the object.
    pub prior: Option<M>,
    pub config: M,
    /// What apply should produce; change it to plan known values.
    pub planned: M,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
    requires_replace: Vec<AttributePath>,
}

impl<M> Plan<M> {
    pub fn is_create(&self) -> bool {
        self.prior.is_none()
    }

    /// True when some attribute forces the object to be replaced.
    pub fn is_replacing(&self) -> bool {
        !self.requires_replace.is_empty()
    }

    pub fn requires_replace(&self) -> &[AttributePath] {
        &self.requires_replace
    }

    /// Plans replacement because of `path` (once).
    pub fn require_replace(&mut self, path: AttributePath) {
        if !self.requires_replace.contains(&path) {
            self.requires_replace.push(path);
        }
    }

    /// Plans replacement and says why in a warning at `path`, for changes AWS cannot
    /// make in place.
    pub fn require_replace_because(&mut self, path: AttributePath, why: impl Into<String>) {
        self.diagnostics.push(
            Diagnostic::warning("This change replaces the object", why.into()).at(path.clone()),
        );
        self.require_replace(path);
    }

    /// Plans replacement when a value AWS cannot change in place changes from
    /// `prior` to `planned`, with `why` as a warning at `path`. A planned value not
    /// known yet (another resource's attribute) counts as a change: apply's final
    /// plan may not turn an update into a replacement, so the replacement is planned
    /// now, and the warning says it depends on that value.
    pub fn require_replace_if_changed<T: PartialEq>(
        &mut self,
        path: AttributePath,
        prior: &Attr<T>,
        planned: &Attr<T>,
        why: impl Into<String>,
    ) {
        if prior.is_unknown() || prior == planned {
            return;
        }
        let why = why.into();
        let why = if planned.is_unknown() {
            format!(
                "{path} depends on a value known only after apply, and a change replaces the object: {why} Terraform plans the replacement now because it cannot plan it later. To plan only what really changes, make {path} known at plan time, or apply what it comes from first (terraform apply -target=...)."
            )
        } else {
            why
        };
        self.require_replace_because(path, why);
    }
}

#[derive(Clone, Debug)]
pub struct Create<M> {
    /// Configuration, including write-only values (which `planned` lacks).
    pub config: M,
    pub planned: M,
    pub private: Vec<u8>,
}

#[derive(Clone, Debug)]
pub struct Update<M> {
    pub prior: M,
    /// Configuration, including write-only values (which `planned` lacks).
    pub config: M,
    pub planned: M,
    pub private: Vec<u8>,
}

#[derive(Clone, Debug)]
pub struct Delete<M> {
    pub prior: M,
    pub private: Vec<u8>,
}

#[derive(Clone, Debug)]
pub struct Read<M> {
    pub state: M,
    pub private: Vec<u8>,
}

/// What an import names: the import id string, or an identity from an
/// `import { identity = {...} }` block (attributes not required for import may be null).
#[derive(Clone, Debug, PartialEq)]
pub enum Import<I> {
    Id(String),
    Identity(I),
}

/// The outcome of create or update. On failure half-way, return the state of what
/// exists (so the next apply or destroy can finish) with the error diagnostics;
/// `None` only when nothing exists.
#[derive(Clone, Debug)]
pub struct Applied<M> {
    pub state: Option<M>,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

impl<M> Applied<M> {
    pub fn ok(state: M) -> Self {
        Self {
            state: Some(state),
            private: Vec::new(),
            diagnostics: Diagnostics::new(),
        }
    }

    pub fn failed(state: Option<M>, diagnostics: impl Into<Diagnostics>) -> Self {
        Self {
            state,
            private: Vec::new(),
            diagnostics: diagnostics.into(),
        }
    }

    pub fn with_private(mut self, private: Vec<u8>) -> Self {
        self.private = private;
        self
    }
}

/// The outcome of a refresh: `state: None` means the object is gone (deleted outside
/// Terraform), so Terraform plans to create it again.
#[derive(Clone, Debug)]
pub struct Refreshed<M> {
    pub state: Option<M>,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

impl<M> Refreshed<M> {
    pub fn found(state: M, private: Vec<u8>) -> Self {
        Self {
            state: Some(state),
            private,
            diagnostics: Diagnostics::new(),
        }
    }

    pub fn gone() -> Self {
        Self {
            state: None,
            private: Vec::new(),
            diagnostics: Diagnostics::new(),
        }
    }

    /// The refresh failed: keep `state` as it was and report why.
    pub fn failed(state: M, private: Vec<u8>, diagnostics: impl Into<Diagnostics>) -> Self {
        Self {
            state: Some(state),
            private,
            diagnostics: diagnostics.into(),
        }
    }
}

/// A managed resource written against typed models.
#[async_trait]
pub trait Resource: Send + Sync + 'static {
    type Model: Model;
    type Identity: Model;

    /// Full resource type name, e.g. `trustchain_ipv6_network`.
    const TYPE_NAME: &'static str;

    fn schema(&self) -> Schema;

    fn identity_schema(&self) -> IdentitySchema;

    /// The identity of the object a state describes; `None` when the state does not
    /// yet name one.
    fn identity(&self, state: &Self::Model) -> Option<Self::Identity>;

    /// Checks a configuration. Any value may be unknown, at any depth (every input
    /// variable during `terraform validate`, other resources' attributes during
    /// plan); a field that is not wholly known reads `Attr::Unknown`. Skip the checks
    /// that need it: Terraform validates again with each value once it is known, at
    /// the latest in apply's final plan. Null list and set elements are refused
    /// before this runs.
    async fn validate(&self, _config: &Self::Model) -> Diagnostics {
        Diagnostics::new()
    }

    /// Refines the plan after default planning; not called for destroy plans.
    /// `config` and `planned` fields may be `Attr::Unknown` (not wholly known), like
    /// in `validate`: a computed value derived from one is planned unknown. Fields
    /// left as they are keep their proposed value exactly.
    async fn modify_plan(&self, _plan: &mut Plan<Self::Model>) {}

    async fn create(&self, req: Create<Self::Model>) -> Applied<Self::Model>;

    async fn read(&self, req: Read<Self::Model>) -> Refreshed<Self::Model>;

    async fn update(&self, req: Update<Self::Model>) -> Applied<Self::Model>;

    async fn delete(&self, req: Delete<Self::Model>) -> Diagnostics;

    /// A state for an import id or identity, which Terraform then refreshes with `read`.
    async fn import(&self, req: Import<Self::Identity>) -> DiagResult<Self::Model>;

    /// The configuration `-generate-config-out` writes for an object, from its
    /// state; read-only attributes are nulled after. Override where arguments exclude
    /// each other. The default keeps the state.
    fn generate_config(&self, state: Self::Model) -> Self::Model {
        state
    }

    /// A state from another resource type's state (a `moved` block across types),
    /// which Terraform then refreshes with `read`; never calls the cloud. The default
    /// refuses every source with a diagnostic that names the way out (import).
    fn move_state(&self, req: &MoveRequest) -> DiagResult<Self::Model> {
        Err(req
            .unsupported(
                Self::TYPE_NAME,
                "this resource type accepts no moved sources.",
            )
            .into())
    }
}

/// Registers a typed resource with the framework.
pub fn resource<R: Resource>(r: R) -> Arc<dyn RawResource> {
    let schema = r.schema();
    let ty = schema.value_type();
    let identity_schema = r.identity_schema();
    let identity_ty = identity_schema.value_type();
    Arc::new(Adapter {
        inner: r,
        schema,
        ty,
        identity_schema,
        identity_ty,
    })
}

struct Adapter<R> {
    inner: R,
    schema: Schema,
    ty: Type,
    identity_schema: IdentitySchema,
    identity_ty: Type,
}

fn decode<M: Model>(v: &Value) -> Result<M, Diagnostics> {
    value::from_value(v).map_err(Diagnostics::from)
}

/// A configuration at apply time (wholly known): a null where the model needs a
/// value is the user's diagnostic at the attribute.
fn decode_known_config<M: Model>(v: &Value) -> Result<M, Diagnostics> {
    value::from_value(v).map_err(config_error)
}

/// A model from a state Terraform stored (prior state, state to refresh): a value
/// that does not fit was edited into the state, which the error says.
fn decode_state<R: Resource>(v: &Value) -> Result<R::Model, Diagnostics> {
    value::from_value(v)
        .map_err(|e| crate::diag::unreadable_state(R::TYPE_NAME, "state", &e).into())
}

fn decode_prior<R: Resource>(v: &Value) -> Result<Option<R::Model>, Diagnostics> {
    if v.is_null() {
        Ok(None)
    } else {
        decode_state::<R>(v).map(Some)
    }
}

impl<R: Resource> Adapter<R> {
    fn encode(&self, m: &R::Model) -> Result<Value, Diagnostics> {
        value::to_value(m, &self.ty).map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Provider produced a value that does not match its schema",
                format!("{e}. This is a bug in the provider; please report it."),
            ))
        })
    }

    /// The raw outcome of a typed apply: on an encoding failure, a state that cannot
    /// be written is as good as none, so keep `fallback` (what Terraform had).
    fn applied(&self, a: Applied<R::Model>, fallback: Value) -> provider::Applied {
        let mut diagnostics = a.diagnostics;
        let state = match a.state.as_ref().map(|m| self.encode(m)) {
            None => Value::Null,
            Some(Ok(v)) => v,
            Some(Err(d)) => {
                diagnostics.extend(d);
                fallback
            }
        };
        provider::Applied {
            state,
            private: a.private,
            diagnostics,
        }
    }
}

#[async_trait]
impl<R: Resource> RawResource for Adapter<R> {
    fn type_name(&self) -> &str {
        R::TYPE_NAME
    }

    fn schema(&self) -> Schema {
        self.schema.clone()
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(self.identity_schema.clone())
    }

    fn identity(&self, state: &Value) -> DiagResult<Option<Value>> {
        let model: R::Model = decode_state::<R>(state)?;
        match self.inner.identity(&model) {
            Some(id) => Ok(Some(
                value::to_value(&id, &self.identity_ty).map_err(Diagnostics::from)?,
            )),
            None => Ok(None),
        }
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        match decode_config::<R::Model>(config) {
            Ok(Some(m)) => self.inner.validate(&m).await,
            Ok(None) => Diagnostics::new(),
            Err(d) => d,
        }
    }

    async fn modify_plan(&self, ctx: &mut PlanContext) {
        // The configuration first: its nulls are the user's to fix. The proposed plan
        // is the configuration with computed values filled in, so it decodes alike.
        let decoded = (|| {
            Ok::<_, Diagnostics>(
                match (
                    decode_config::<R::Model>(&ctx.config)?,
                    decode_config::<R::Model>(&ctx.planned)?,
                ) {
                    (Some(c), Some(p)) => Some((decode_prior::<R>(&ctx.prior)?, c, p)),
                    // Unknowns no field can hold: the default plan stands, and the
                    // resource refines it once Terraform plans with known values.
                    _ => None,
                },
            )
        })();
        let (prior, config, planned) = match decoded {
            Ok(Some(x)) => x,
            Ok(None) => return,
            Err(d) => return ctx.diagnostics.extend(d),
        };
        // The proposed plan as the model holds it, to tell the resource's changes
        // from what the model could not hold (see `overlay`).
        let before = self.encode(&planned).ok();
        let mut plan = Plan {
            prior,
            config,
            planned,
            private: std::mem::take(&mut ctx.private),
            diagnostics: Diagnostics::new(),
            requires_replace: std::mem::take(&mut ctx.requires_replace),
        };
        self.inner.modify_plan(&mut plan).await;
        ctx.private = plan.private;
        ctx.requires_replace = plan.requires_replace;
        ctx.diagnostics.extend(plan.diagnostics);
        match (self.encode(&plan.planned), before) {
            (Ok(v), Some(before)) => ctx.planned = overlay(&ctx.planned, &before, v),
            (Ok(v), None) => ctx.planned = v,
            (Err(d), _) => ctx.diagnostics.extend(d),
        }
    }

    async fn create(&self, req: CreateRequest) -> provider::Applied {
        let decoded = decode_known_config::<R::Model>(&req.config)
            .and_then(|c| Ok((c, decode::<R::Model>(&req.planned)?)));
        let (config, planned) = match decoded {
            Ok(x) => x,
            Err(d) => return provider::Applied::failed(Value::Null, d),
        };
        let a = self
            .inner
            .create(Create {
                config,
                planned,
                private: req.planned_private,
            })
            .await;
        self.applied(a, Value::Null)
    }

    async fn read(&self, req: ReadRequest) -> ReadResult {
        let state: R::Model = match decode_state::<R>(&req.state) {
            Ok(m) => m,
            Err(d) => {
                return ReadResult {
                    state: req.state,
                    private: req.private,
                    diagnostics: d,
                };
            }
        };
        let r = self
            .inner
            .read(Read {
                state,
                private: req.private.clone(),
            })
            .await;
        let mut diagnostics = r.diagnostics;
        let state = match r.state.as_ref().map(|m| self.encode(m)) {
            None => Value::Null,
            Some(Ok(v)) => v,
            Some(Err(d)) => {
                diagnostics.extend(d);
                req.state
            }
        };
        ReadResult {
            state,
            private: r.private,
            diagnostics,
        }
    }

    async fn update(&self, req: UpdateRequest) -> provider::Applied {
        let decoded = (|| {
            Ok::<_, Diagnostics>((
                decode_state::<R>(&req.prior)?,
                decode_known_config::<R::Model>(&req.config)?,
                decode::<R::Model>(&req.planned)?,
            ))
        })();
        let (prior, config, planned) = match decoded {
            Ok(x) => x,
            Err(d) => return provider::Applied::failed(req.prior, d),
        };
        let a = self
            .inner
            .update(Update {
                prior,
                config,
                planned,
                private: req.planned_private,
            })
            .await;
        self.applied(a, req.prior)
    }

    async fn delete(&self, req: DeleteRequest) -> Diagnostics {
        match decode_state::<R>(&req.prior) {
            Ok(prior) => {
                self.inner
                    .delete(Delete {
                        prior,
                        private: req.private,
                    })
                    .await
            }
            Err(d) => d,
        }
    }

    async fn import(&self, req: ImportRequest) -> DiagResult<Value> {
        let by = match req {
            ImportRequest::Id(id) => Import::Id(id),
            ImportRequest::Identity(v) => Import::Identity(decode::<R::Identity>(&v)?),
        };
        let m = self.inner.import(by).await?;
        self.encode(&m)
    }

    fn move_state(&self, req: &MoveRequest) -> DiagResult<Value> {
        let m = self.inner.move_state(req)?;
        self.encode(&m)
    }

    fn generate_config(&self, state: Value) -> DiagResult<Value> {
        let m = decode_state::<R>(&state)?;
        self.encode(&self.inner.generate_config(m))
    }
}

/// Checks that a model names every top-level attribute and block of a schema: each
/// attribute set to unknown must survive a round trip through the model. A missing
/// field would silently plan or store null. For each resource's unit tests.
pub fn check_model<M: Model>(schema: &Schema) -> Result<(), String> {
    let ty = schema.value_type();
    let Type::Object { attributes, .. } = &ty else {
        return Err("a schema's value type is always an object".into());
    };
    let all_unknown = Value::Object(
        attributes
            .keys()
            .map(|k| (k.clone(), Value::unknown()))
            .collect(),
    );
    let model: M = value::from_value(&all_unknown).map_err(|e| {
        format!("the model cannot hold unknown values (use Attr<T> for every top-level field): {e}")
    })?;
    let back = value::to_value(&model, &ty).map_err(|e| e.to_string())?;
    let lost: Vec<&String> = attributes
        .keys()
        .filter(|k| !back.get(k).is_some_and(Value::is_unknown))
        .collect();
    if lost.is_empty() {
        Ok(())
    } else {
        Err(format!("the model lacks fields for {lost:?}"))
    }
}

/// A model from JSON in Terraform's state form (attributes left out are null), for
/// unit tests of resources.
pub fn model_from_json<M: Model>(schema: &Schema, json: &serde_json::Value) -> Result<M, String> {
    let v =
        value::decode_json_value_lenient(json, &schema.value_type()).map_err(|e| e.to_string())?;
    value::from_value(&v).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Attribute, Block};
    use serde::Deserialize;

    fn schema() -> Schema {
        Schema::new(
            Block::new()
                .attribute(Attribute::required("name", Type::String))
                .attribute(Attribute::computed("id", Type::String)),
        )
    }

    #[derive(Clone, Debug, Serialize, Deserialize)]
    struct Complete {
        name: Attr<String>,
        id: Attr<String>,
    }

    #[derive(Clone, Debug, Serialize, Deserialize)]
    struct MissingId {
        name: Attr<String>,
    }

    #[test]
    fn check_model_accepts_a_complete_model_and_names_what_is_missing() {
        assert_eq!(check_model::<Complete>(&schema()), Ok(()));
        let err = check_model::<MissingId>(&schema()).expect_err("id is missing");
        assert!(err.contains("\"id\""), "{err}");
    }

    #[test]
    fn a_value_not_known_yet_replaces_now_because_the_final_plan_cannot() {
        let mut p = Plan {
            prior: Some(()),
            config: (),
            planned: (),
            private: Vec::new(),
            diagnostics: Diagnostics::new(),
            requires_replace: Vec::new(),
        };
        let path = AttributePath::root().attr("mode");
        let fips = Attr::Known("FIPS".to_string());
        p.require_replace_if_changed(path.clone(), &fips, &fips.clone(), "AWS cannot.");
        p.require_replace_if_changed(path.clone(), &Attr::Unknown, &fips, "AWS cannot.");
        assert!(!p.is_replacing(), "same value, or nothing to compare with");
        p.require_replace_if_changed(path.clone(), &fips, &Attr::Unknown, "AWS cannot.");
        assert_eq!(p.requires_replace(), std::slice::from_ref(&path));
        let d: Vec<_> = p.diagnostics.iter().collect();
        assert!(
            d[0].detail.contains("known only after apply"),
            "{}",
            d[0].detail
        );
        assert!(d[0].detail.contains("AWS cannot."), "{}", d[0].detail);
    }

    #[test]
    fn replacement_with_a_reason_warns_at_the_attribute() {
        let mut p = Plan {
            prior: Some(()),
            config: (),
            planned: (),
            private: Vec::new(),
            diagnostics: Diagnostics::new(),
            requires_replace: Vec::new(),
        };
        let path = AttributePath::root().attr("protocol");
        p.require_replace_because(path.clone(), "AWS cannot change a target group's protocol.");
        p.require_replace(path.clone());
        assert_eq!(p.requires_replace(), std::slice::from_ref(&path));
        let d: Vec<_> = p.diagnostics.iter().collect();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].attribute, Some(path));
    }
}
