//! Typed list resources (`terraform query`, Terraform 1.14+): a list resource
//! declares the model of its `config` block and finds objects of the managed
//! resource of the same name, yielding each one's identity, a display name and,
//! when Terraform asks, its full state in the resource's model.
//!
//! ```ignore
//! impl ListResource for ClusterList {
//!     type Config = ClusterListConfig;
//!     type Model = ClusterModel;
//!     type Identity = ClusterIdentity;
//!     const TYPE_NAME: &'static str = "trustchain_cloudhsm_cluster";
//!     ...
//!     async fn list(&self, req: List<ClusterListConfig>, out: &mut Lister<'_, ClusterModel, ClusterIdentity>) {
//!         // page through the API; stop when `out.found(...)` returns false
//!     }
//! }
//! // registration: framework::list_resource(ClusterList::new(data))
//! ```

use crate::diag::{Diagnostic, Diagnostics};
use crate::framework::Model;
use crate::framework::unknowns::decode_config;
use crate::provider::{ListRequest, ListSink, RawListResource};
use crate::schema::{IdentitySchema, Schema};
use crate::value::{self, Type, Value};
use async_trait::async_trait;
use std::marker::PhantomData;
use std::sync::Arc;

/// What a list block asks for.
#[derive(Clone, Debug)]
pub struct List<C> {
    pub config: C,
    /// Terraform wants each object's state too: pass it to [`Lister::found`].
    pub include_resource_object: bool,
}

/// Where a typed list resource sends what it finds.
pub struct Lister<'a, M, I> {
    sink: &'a mut ListSink,
    state_ty: &'a Type,
    identity_ty: &'a Type,
    _m: PhantomData<fn(M, I)>,
}

impl<M: Model, I: Model> Lister<'_, M, I> {
    /// True while Terraform still takes objects (its limit not reached).
    pub fn wants_more(&self) -> bool {
        self.sink.wants_more()
    }

    /// One object found; `state` is sent only when Terraform asked for it. False
    /// when no more objects are wanted: stop paging.
    pub async fn found(&mut self, identity: &I, display_name: String, state: Option<&M>) -> bool {
        let encoded = value::to_value(identity, self.identity_ty).and_then(|id| {
            state
                .map(|m| value::to_value(m, self.state_ty))
                .transpose()
                .map(|s| (id, s))
        });
        match encoded {
            Ok((id, s)) => self.sink.found(&id, display_name, s.as_ref()).await,
            Err(e) => {
                self.sink
                    .diagnostics(
                        Diagnostic::error(
                            "Provider produced a value that does not match its schema",
                            format!("{e}. This is a bug in the provider; please report it."),
                        )
                        .into(),
                    )
                    .await;
                false
            }
        }
    }

    /// Warnings go along; an error ends the list.
    pub async fn diagnostics(&mut self, diagnostics: Diagnostics) {
        self.sink.diagnostics(diagnostics).await;
    }
}

#[async_trait]
pub trait ListResource: Send + Sync + 'static {
    /// The model of the list block's `config` block.
    type Config: Model;
    /// The managed resource's model and identity.
    type Model: Model;
    type Identity: Model;

    /// The managed resource type it lists.
    const TYPE_NAME: &'static str;

    /// The schema of the `config` block.
    fn schema(&self) -> Schema;

    /// The managed resource's schema and identity schema (to encode what is found).
    fn resource_schema(&self) -> Schema;
    fn identity_schema(&self) -> IdentitySchema;

    /// Checks a `config` block; values may be unknown (`Attr::Unknown`).
    async fn validate(&self, _config: &Self::Config) -> Diagnostics {
        Diagnostics::new()
    }

    async fn list(
        &self,
        req: List<Self::Config>,
        out: &mut Lister<'_, Self::Model, Self::Identity>,
    );
}

/// Registers a typed list resource with the framework.
pub fn list_resource<L: ListResource>(l: L) -> Arc<dyn RawListResource> {
    let schema = l.schema();
    let config_ty = schema.value_type();
    let state_ty = l.resource_schema().value_type();
    let identity_ty = l.identity_schema().value_type();
    Arc::new(ListAdapter {
        inner: l,
        schema,
        config_ty,
        state_ty,
        identity_ty,
    })
}

struct ListAdapter<L> {
    inner: L,
    schema: Schema,
    config_ty: Type,
    state_ty: Type,
    identity_ty: Type,
}

/// A null `config` (a list block without one) as an object of nulls.
pub(crate) fn null_config(config: Value, ty: &Type) -> Value {
    match (&config, ty) {
        (Value::Null, Type::Object { attributes, .. }) => Value::Object(
            attributes
                .keys()
                .map(|k| (k.clone(), Value::Null))
                .collect(),
        ),
        _ => config,
    }
}

#[async_trait]
impl<L: ListResource> RawListResource for ListAdapter<L> {
    fn type_name(&self) -> &str {
        L::TYPE_NAME
    }

    fn schema(&self) -> Schema {
        self.schema.clone()
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        let config = null_config(config.clone(), &self.config_ty);
        match decode_config::<L::Config>(&config) {
            Ok(Some(c)) => self.inner.validate(&c).await,
            Ok(None) => Diagnostics::new(),
            Err(d) => d,
        }
    }

    async fn list(&self, req: ListRequest, sink: &mut ListSink) {
        let config = null_config(req.config, &self.config_ty);
        let config: L::Config = match value::from_value(&config) {
            Ok(c) => c,
            Err(e) => {
                return sink
                    .diagnostics(crate::framework::unknowns::config_error(e))
                    .await;
            }
        };
        let mut out = Lister {
            sink,
            state_ty: &self.state_ty,
            identity_ty: &self.identity_ty,
            _m: PhantomData,
        };
        self.inner
            .list(
                List {
                    config,
                    include_resource_object: req.include_resource_object,
                },
                &mut out,
            )
            .await;
    }
}
