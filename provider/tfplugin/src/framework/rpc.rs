//! What happens behind each tfplugin6 RPC, with no gRPC in sight: the registry of
//! resources, data sources and functions with their schemas and value types built
//! once, decoding of `DynamicValue`s with those types, default planning, write-only
//! handling, capability checks, apply routing and resource identity.
//!
//! `crate::server` converts protocol messages to the request types here and the
//! responses back; nothing else.

use crate::diag::{Diagnostic, Diagnostics};
use crate::framework::plan::{self, PlanContext};
use crate::framework::timeouts;
use crate::framework::unknowns::null_elements;
use crate::provider::{
    ConfigureRequest, CreateRequest, DeleteRequest, Function, FunctionError, ImportRequest,
    MoveRequest, Provider, RawAction, RawDataSource, RawListResource, RawResource, ReadRequest,
    Signature, UpdateRequest,
};
use crate::schema::{IdentitySchema, Schema};
use crate::value::{AttributePath, DynamicValue, Type, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Features a Terraform client announces (tfplugin6 ClientCapabilities).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ClientCapabilities {
    pub write_only_attributes_allowed: bool,
}

/// Features this server offers (tfplugin6 ServerCapabilities).
#[derive(Clone, Copy, Debug)]
pub(crate) struct ServerCapabilities {
    pub plan_destroy: bool,
    pub get_provider_schema_optional: bool,
    pub move_resource_state: bool,
    pub generate_resource_config: bool,
}

pub(crate) const SERVER_CAPABILITIES: ServerCapabilities = ServerCapabilities {
    plan_destroy: true,
    get_provider_schema_optional: true,
    move_resource_state: true,
    generate_resource_config: true,
};

pub(crate) struct Metadata {
    pub resources: Vec<String>,
    pub list_resources: Vec<String>,
    pub actions: Vec<String>,
    pub data_sources: Vec<String>,
    pub functions: Vec<String>,
}

pub(crate) struct ProviderSchema<'a> {
    pub provider: &'a Schema,
    pub resources: BTreeMap<&'a str, &'a Schema>,
    pub data_sources: BTreeMap<&'a str, &'a Schema>,
    pub list_resources: BTreeMap<&'a str, &'a Schema>,
    pub actions: BTreeMap<&'a str, &'a Schema>,
    pub functions: BTreeMap<&'a str, Signature>,
}

pub(crate) struct UpgradeStateRequest {
    pub type_name: String,
    pub version: i64,
    pub json: Vec<u8>,
    pub has_flatmap: bool,
}

pub(crate) struct UpgradeIdentityRequest {
    pub type_name: String,
    pub version: i64,
    pub json: Vec<u8>,
}

pub(crate) struct ReadResourceRequest {
    pub type_name: String,
    pub current_state: Option<DynamicValue>,
    pub private: Vec<u8>,
}

pub(crate) struct PlanRequest {
    pub type_name: String,
    pub prior_state: Option<DynamicValue>,
    pub proposed_new_state: Option<DynamicValue>,
    pub config: Option<DynamicValue>,
    pub prior_private: Vec<u8>,
    pub prior_identity: Option<DynamicValue>,
}

pub(crate) struct ApplyRequest {
    pub type_name: String,
    pub prior_state: Option<DynamicValue>,
    pub planned_state: Option<DynamicValue>,
    pub config: Option<DynamicValue>,
    pub planned_private: Vec<u8>,
}

pub(crate) struct ImportStateRequest {
    pub type_name: String,
    pub id: String,
    pub identity: Option<DynamicValue>,
}

/// A state (or an identity) back to Terraform, with the diagnostics of getting it.
#[derive(Default)]
pub(crate) struct StateResponse {
    pub state: Option<DynamicValue>,
    pub private: Vec<u8>,
    pub identity: Option<DynamicValue>,
    pub diagnostics: Diagnostics,
}

#[derive(Default)]
pub(crate) struct PlanResponse {
    pub planned_state: Option<DynamicValue>,
    pub requires_replace: Vec<AttributePath>,
    pub planned_private: Vec<u8>,
    pub planned_identity: Option<DynamicValue>,
    pub diagnostics: Diagnostics,
}

struct Registered<T: ?Sized> {
    imp: Arc<T>,
    schema: Schema,
    ty: Type,
    identity: Option<(IdentitySchema, Type)>,
}

impl<T: ?Sized> Registered<T> {
    /// A registration without identity (data sources, list resources, actions).
    fn plain(schema: Schema, imp: Arc<T>) -> Self {
        let ty = schema.value_type();
        Self {
            imp,
            schema,
            ty,
            identity: None,
        }
    }
}

pub(crate) struct Framework {
    provider: Arc<dyn Provider>,
    provider_schema: Schema,
    provider_ty: Type,
    resources: BTreeMap<String, Registered<dyn RawResource>>,
    data_sources: BTreeMap<String, Registered<dyn RawDataSource>>,
    list_resources: BTreeMap<String, Registered<dyn RawListResource>>,
    actions: BTreeMap<String, Registered<dyn RawAction>>,
    functions: BTreeMap<String, (Arc<dyn Function>, Signature)>,
}

/// The longest import id passed on: ARNs, the longest AWS ids, have at most 2048
/// characters.
const MAX_IMPORT_ID: usize = 2048;
/// How much of a long input an error message quotes.
const ECHO_CHARS: usize = 80;

fn decode(dv: Option<&DynamicValue>, ty: &Type) -> Result<Value, Diagnostic> {
    dv.map_or(Ok(Value::Null), |dv| dv.decode(ty)).map_err(|e| {
        Diagnostic::error(
            "Could not decode a value from Terraform",
            format!(
                "{e}. This is a bug in the provider or a Terraform incompatibility; please report it."
            ),
        )
    })
}

fn encode(v: &Value, ty: &Type) -> Result<DynamicValue, Diagnostic> {
    DynamicValue::encode(v, ty).map_err(|e| {
        let d = Diagnostic::error(
            "Provider produced a value that does not match its schema",
            format!("{e}. This is a bug in the provider; please report it."),
        );
        let p = e.path().clone();
        if p.steps.is_empty() { d } else { d.at(p) }
    })
}

/// The errors for write-only attributes set on a Terraform that cannot handle them
/// (before 1.11): at each attribute, with the schema's alternative when it has one.
fn write_only_refused(schema: &Schema, config: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    if !plan::sets_write_only(&schema.block, config) {
        return d;
    }
    const SUMMARY: &str = "Write-only attributes need Terraform 1.11 or later";
    let top: Vec<_> = schema
        .block
        .attributes
        .iter()
        .filter(|a| a.write_only && config.get(&a.name).is_some_and(|v| !v.is_null()))
        .collect();
    for a in &top {
        let instead = a
            .write_only_alternative
            .as_deref()
            .map_or(String::new(), |alt| format!(", or {alt}"));
        d.error_at(
            AttributePath::root().attr(&a.name),
            SUMMARY,
            format!(
                "{} is write-only: Terraform 1.11 and later send it to the provider without ever storing it, and this Terraform version cannot. Upgrade Terraform to 1.11 or later{instead}.",
                a.name
            ),
        );
    }
    if top.is_empty() {
        d.error(
            SUMMARY,
            "This configuration sets a write-only attribute, which this Terraform version cannot handle. Upgrade Terraform to 1.11 or later.",
        );
    }
    d
}

/// Collects a step's diagnostics into the response and returns it on error.
macro_rules! step {
    ($resp:ident, $e:expr) => {
        match $e {
            Ok(v) => v,
            Err(d) => {
                $resp.diagnostics.extend(Diagnostics::from(d));
                return $resp;
            }
        }
    };
}

impl Framework {
    pub(crate) fn new(provider: Arc<dyn Provider>) -> Self {
        let provider_schema = provider.schema();
        let provider_ty = provider_schema.value_type();
        let resources = provider
            .resources()
            .into_iter()
            .map(|imp| {
                let schema = imp.schema();
                let ty = schema.value_type();
                let identity = imp.identity_schema().map(|s| {
                    let t = s.value_type();
                    (s, t)
                });
                let name = imp.type_name().to_string();
                (
                    name,
                    Registered {
                        imp,
                        schema,
                        ty,
                        identity,
                    },
                )
            })
            .collect();
        let data_sources = provider
            .data_sources()
            .into_iter()
            .map(|imp| {
                (
                    imp.type_name().to_string(),
                    Registered::plain(imp.schema(), imp),
                )
            })
            .collect();
        let list_resources = provider
            .list_resources()
            .into_iter()
            .map(|imp| {
                (
                    imp.type_name().to_string(),
                    Registered::plain(imp.schema(), imp),
                )
            })
            .collect();
        let actions = provider
            .actions()
            .into_iter()
            .map(|imp| {
                (
                    imp.type_name().to_string(),
                    Registered::plain(imp.schema(), imp),
                )
            })
            .collect();
        let functions = provider
            .functions()
            .into_iter()
            .map(|f| {
                let sig = f.signature();
                (f.name().to_string(), (f, sig))
            })
            .collect();
        Self {
            provider,
            provider_schema,
            provider_ty,
            resources,
            data_sources,
            list_resources,
            actions,
            functions,
        }
    }

    fn resource(&self, name: &str) -> Result<&Registered<dyn RawResource>, Diagnostic> {
        self.resources.get(name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown resource type",
                format!("This provider has no resource type {name:?}."),
            )
        })
    }

    fn data_source(&self, name: &str) -> Result<&Registered<dyn RawDataSource>, Diagnostic> {
        self.data_sources.get(name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown data source",
                format!("This provider has no data source {name:?}."),
            )
        })
    }

    pub(crate) fn metadata(&self) -> Metadata {
        Metadata {
            resources: self.resources.keys().cloned().collect(),
            data_sources: self.data_sources.keys().cloned().collect(),
            list_resources: self.list_resources.keys().cloned().collect(),
            actions: self.actions.keys().cloned().collect(),
            functions: self.functions.keys().cloned().collect(),
        }
    }

    pub(crate) fn provider_schema(&self) -> ProviderSchema<'_> {
        ProviderSchema {
            provider: &self.provider_schema,
            resources: self
                .resources
                .iter()
                .map(|(k, r)| (k.as_str(), &r.schema))
                .collect(),
            data_sources: self
                .data_sources
                .iter()
                .map(|(k, d)| (k.as_str(), &d.schema))
                .collect(),
            list_resources: self
                .list_resources
                .iter()
                .map(|(k, l)| (k.as_str(), &l.schema))
                .collect(),
            actions: self
                .actions
                .iter()
                .map(|(k, a)| (k.as_str(), &a.schema))
                .collect(),
            functions: self.functions(),
        }
    }

    pub(crate) fn functions(&self) -> BTreeMap<&str, Signature> {
        self.functions
            .iter()
            .map(|(k, (_, sig))| (k.as_str(), sig.clone()))
            .collect()
    }

    pub(crate) fn identity_schemas(&self) -> BTreeMap<&str, &IdentitySchema> {
        self.resources
            .iter()
            .filter_map(|(k, r)| r.identity.as_ref().map(|(s, _)| (k.as_str(), s)))
            .collect()
    }

    pub(crate) async fn validate_provider_config(
        &self,
        config: Option<DynamicValue>,
    ) -> Diagnostics {
        match decode(config.as_ref(), &self.provider_ty) {
            Ok(config) => {
                let mut d = null_elements(&config);
                d.extend(self.provider.validate(&config).await);
                d
            }
            Err(d) => d.into(),
        }
    }

    pub(crate) async fn configure_provider(
        &self,
        terraform_version: String,
        config: Option<DynamicValue>,
    ) -> Diagnostics {
        let config = match decode(config.as_ref(), &self.provider_ty) {
            Ok(c) => c,
            Err(d) => return d.into(),
        };
        tracing::info!(terraform_version = %terraform_version, "configuring provider");
        self.provider
            .configure(ConfigureRequest {
                terraform_version,
                config,
            })
            .await
    }

    pub(crate) async fn validate_resource_config(
        &self,
        type_name: &str,
        config: Option<DynamicValue>,
        caps: ClientCapabilities,
    ) -> Diagnostics {
        let mut all = Diagnostics::new();
        let r = match self.resource(type_name) {
            Ok(r) => r,
            Err(d) => return d.into(),
        };
        let config = match decode(config.as_ref(), &r.ty) {
            Ok(c) => c,
            Err(d) => return d.into(),
        };
        if !caps.write_only_attributes_allowed {
            all.extend(write_only_refused(&r.schema, &config));
        }
        all.extend(null_elements(&config));
        all.extend(timeouts::validate(&r.schema.block, &config));
        all.extend(r.imp.validate(&config).await);
        all
    }

    pub(crate) async fn validate_data_resource_config(
        &self,
        type_name: &str,
        config: Option<DynamicValue>,
    ) -> Diagnostics {
        let d = match self.data_source(type_name) {
            Ok(d) => d,
            Err(e) => return e.into(),
        };
        match decode(config.as_ref(), &d.ty) {
            Ok(config) => {
                let mut all = null_elements(&config);
                all.extend(d.imp.validate(&config).await);
                all
            }
            Err(e) => e.into(),
        }
    }

    pub(crate) fn upgrade_resource_state(&self, req: UpgradeStateRequest) -> StateResponse {
        let mut resp = StateResponse::default();
        let r = step!(resp, self.resource(&req.type_name));
        if req.json.is_empty() && req.has_flatmap {
            resp.diagnostics.error(
                "Unsupported state format",
                "This state uses the legacy flatmap format of Terraform 0.11 and older, which this provider never wrote. Remove the resource from state and import it again.",
            );
            return resp;
        }
        let mut state = if req.json.is_empty() {
            Value::Null
        } else {
            step!(resp, r.imp.upgrade_state(req.version, &req.json, &r.schema))
        };
        plan::null_write_only(&r.schema.block, &mut state);
        resp.state = Some(step!(resp, encode(&state, &r.ty)));
        resp
    }

    /// MoveResourceState: another resource type's state (a `moved` block across
    /// types) as a state of `target_type_name`, with its identity.
    pub(crate) fn move_resource_state(
        &self,
        target_type_name: &str,
        req: MoveRequest,
    ) -> StateResponse {
        let mut resp = StateResponse::default();
        let r = step!(resp, self.resource(target_type_name));
        if req.source_json.is_empty() {
            resp.diagnostics.push(req.unsupported(
                target_type_name,
                "Terraform sent no JSON state for it (only the legacy flatmap form of Terraform 0.11 and older).",
            ));
            return resp;
        }
        let mut state = step!(resp, r.imp.move_state(&req));
        plan::null_write_only(&r.schema.block, &mut state);
        resp.identity = step!(resp, Self::identity_of(r, &state));
        resp.state = Some(step!(resp, encode(&state, &r.ty)));
        resp
    }

    /// GenerateResourceConfig: an object's state as the configuration
    /// `-generate-config-out` writes.
    pub(crate) fn generate_resource_config(
        &self,
        type_name: &str,
        state: Option<DynamicValue>,
    ) -> StateResponse {
        let mut resp = StateResponse::default();
        let r = step!(resp, self.resource(type_name));
        let state = step!(resp, decode(state.as_ref(), &r.ty));
        let mut config = step!(resp, r.imp.generate_config(state));
        plan::config_from_state(&r.schema.block, &mut config);
        plan::null_write_only(&r.schema.block, &mut config);
        resp.state = Some(step!(resp, encode(&config, &r.ty)));
        resp
    }

    pub(crate) fn upgrade_resource_identity(&self, req: UpgradeIdentityRequest) -> StateResponse {
        let mut resp = StateResponse::default();
        let r = step!(resp, self.resource(&req.type_name));
        let Some((schema, ty)) = &r.identity else {
            resp.diagnostics.error(
                "Resource identity not supported",
                format!("{} has no resource identity schema.", req.type_name),
            );
            return resp;
        };
        let v = step!(resp, r.imp.upgrade_identity(req.version, &req.json, schema));
        resp.identity = Some(step!(resp, encode(&v, ty)));
        resp
    }

    /// The identity of a state, encoded, when the resource has an identity schema.
    fn identity_of(
        r: &Registered<dyn RawResource>,
        state: &Value,
    ) -> Result<Option<DynamicValue>, Diagnostics> {
        let Some((_, ty)) = &r.identity else {
            return Ok(None);
        };
        if state.is_null() {
            return Ok(None);
        }
        match r.imp.identity(state)? {
            Some(id) => Ok(Some(encode(&id, ty)?)),
            None => Ok(None),
        }
    }

    pub(crate) async fn read_resource(&self, req: ReadResourceRequest) -> StateResponse {
        let mut resp = StateResponse::default();
        let r = step!(resp, self.resource(&req.type_name));
        let state = step!(resp, decode(req.current_state.as_ref(), &r.ty));
        let res = r
            .imp
            .read(ReadRequest {
                state,
                private: req.private,
            })
            .await;
        resp.diagnostics.extend(res.diagnostics);
        let mut new_state = res.state;
        plan::null_write_only(&r.schema.block, &mut new_state);
        resp.identity = step!(resp, Self::identity_of(r, &new_state));
        resp.state = Some(step!(resp, encode(&new_state, &r.ty)));
        resp.private = res.private;
        resp
    }

    pub(crate) async fn plan_resource_change(&self, req: PlanRequest) -> PlanResponse {
        let mut resp = PlanResponse::default();
        let r = step!(resp, self.resource(&req.type_name));
        let prior = step!(resp, decode(req.prior_state.as_ref(), &r.ty));
        let proposed = step!(resp, decode(req.proposed_new_state.as_ref(), &r.ty));
        let config = step!(resp, decode(req.config.as_ref(), &r.ty));
        let (planned, requires_replace) =
            plan::default_plan(&r.schema.block, &prior, &config, &proposed);
        let mut ctx = PlanContext {
            prior,
            config,
            planned,
            requires_replace,
            private: req.prior_private,
            diagnostics: Diagnostics::new(),
        };
        if !ctx.planned.is_null() {
            r.imp.modify_plan(&mut ctx).await;
            plan::null_write_only(&r.schema.block, &mut ctx.planned);
        }
        resp.diagnostics.extend(ctx.diagnostics);
        // An object that stays keeps its identity; a new one gets it at apply.
        let stays =
            !ctx.prior.is_null() && !ctx.planned.is_null() && ctx.requires_replace.is_empty();
        if stays {
            resp.planned_identity = match req.prior_identity {
                Some(dv) if dv != DynamicValue::default() => Some(dv),
                _ => step!(resp, Self::identity_of(r, &ctx.prior)),
            };
        }
        resp.planned_state = Some(step!(resp, encode(&ctx.planned, &r.ty)));
        resp.requires_replace = ctx.requires_replace;
        resp.planned_private = ctx.private;
        resp
    }

    pub(crate) async fn apply_resource_change(&self, req: ApplyRequest) -> StateResponse {
        let mut resp = StateResponse::default();
        let r = step!(resp, self.resource(&req.type_name));
        let prior = step!(resp, decode(req.prior_state.as_ref(), &r.ty));
        let planned = step!(resp, decode(req.planned_state.as_ref(), &r.ty));
        let config = step!(resp, decode(req.config.as_ref(), &r.ty));
        let (mut state, private) = if planned.is_null() {
            let d = r
                .imp
                .delete(DeleteRequest {
                    prior: prior.clone(),
                    private: req.planned_private.clone(),
                })
                .await;
            // On failure Terraform keeps what we return: keep the prior state.
            let keep = if d.has_errors() { prior } else { Value::Null };
            resp.diagnostics.extend(d);
            (keep, req.planned_private)
        } else if prior.is_null() {
            let a = r
                .imp
                .create(CreateRequest {
                    config,
                    planned,
                    planned_private: req.planned_private,
                })
                .await;
            resp.diagnostics.extend(a.diagnostics);
            (a.state, a.private)
        } else {
            let a = r
                .imp
                .update(UpdateRequest {
                    prior,
                    config,
                    planned,
                    planned_private: req.planned_private,
                })
                .await;
            resp.diagnostics.extend(a.diagnostics);
            (a.state, a.private)
        };
        plan::null_write_only(&r.schema.block, &mut state);
        resp.identity = step!(resp, Self::identity_of(r, &state));
        resp.state = Some(step!(resp, encode(&state, &r.ty)));
        resp.private = private;
        resp
    }

    pub(crate) async fn import_resource_state(&self, req: ImportStateRequest) -> StateResponse {
        let mut resp = StateResponse::default();
        let r = step!(resp, self.resource(&req.type_name));
        let by = match (&req.identity, &r.identity) {
            (Some(dv), Some((_, ty))) if dv != &DynamicValue::default() => {
                ImportRequest::Identity(step!(resp, decode(Some(dv), ty)))
            }
            (Some(dv), None) if dv != &DynamicValue::default() => {
                resp.diagnostics.error(
                    "Import by identity not supported",
                    format!(
                        "{} has no resource identity; import it with an id instead.",
                        req.type_name
                    ),
                );
                return resp;
            }
            _ if req.id.len() > MAX_IMPORT_ID => {
                resp.diagnostics.error(
                    "Import id too long",
                    format!(
                        "The import id has {} bytes; no AWS object has an id or ARN longer than {MAX_IMPORT_ID}. It starts with {:?}.",
                        req.id.len(),
                        crate::diag::shorten(&req.id, ECHO_CHARS)
                    ),
                );
                return resp;
            }
            _ => ImportRequest::Id(req.id.clone()),
        };
        // Errors quote the id: a long one only by its start.
        let imported = r
            .imp
            .import(by)
            .await
            .map_err(|d| crate::diag::shorten_echoes(d, &req.id, ECHO_CHARS));
        let mut state = step!(resp, imported);
        plan::null_write_only(&r.schema.block, &mut state);
        resp.identity = step!(resp, Self::identity_of(r, &state));
        resp.state = Some(step!(resp, encode(&state, &r.ty)));
        resp
    }

    pub(crate) async fn read_data_source(
        &self,
        type_name: &str,
        config: Option<DynamicValue>,
    ) -> StateResponse {
        let mut resp = StateResponse::default();
        let d = step!(resp, self.data_source(type_name));
        let config = step!(resp, decode(config.as_ref(), &d.ty));
        let state = step!(resp, d.imp.read(config).await);
        resp.state = Some(step!(resp, encode(&state, &d.ty)));
        resp
    }

    pub(crate) fn call_function(
        &self,
        name: &str,
        arguments: &[DynamicValue],
    ) -> Result<DynamicValue, FunctionError> {
        let Some((f, sig)) = self.functions.get(name) else {
            return Err(FunctionError::new(format!(
                "This provider has no function {name:?}."
            )));
        };
        let mut args = Vec::with_capacity(arguments.len());
        for (i, dv) in arguments.iter().enumerate() {
            let Some(p) = sig.parameters.get(i).or(sig.variadic.as_ref()) else {
                return Err(FunctionError::argument(
                    i,
                    format!("Too many arguments: {name} takes {}.", sig.parameters.len()),
                ));
            };
            match decode(Some(dv), &p.ty) {
                Ok(v) => args.push(v),
                Err(d) => return Err(FunctionError::argument(i, d.detail)),
            }
        }
        let v = f.call(args)?;
        encode(&v, &sig.return_type).map_err(|d| FunctionError::new(d.detail))
    }

    pub(crate) async fn stop(&self) {
        self.provider.stop().await;
    }
}

#[path = "rpc_list.rs"]
mod list;
pub(crate) use list::ListResourceRequest;

#[path = "rpc_action.rs"]
mod action;

#[cfg(test)]
#[path = "rpc_action_tests.rs"]
mod action_tests;

#[cfg(test)]
#[path = "rpc_write_only_tests.rs"]
mod write_only_tests;

#[cfg(test)]
#[path = "rpc_list_tests.rs"]
mod list_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Attribute, Block};

    #[test]
    fn a_write_only_attribute_on_an_old_terraform_is_refused_at_it_with_the_alternative() {
        let schema = Schema::new(
            Block::new()
                .attribute(Attribute::optional("signed_cert", Type::String))
                .attribute(
                    Attribute::optional("key_wo", Type::String)
                        .write_only()
                        .write_only_alternative("set signed_cert instead"),
                ),
        );
        let config = Value::object([
            ("signed_cert", Value::Null),
            ("key_wo", Value::string("secret")),
        ]);
        let d = write_only_refused(&schema, &config);
        let v: Vec<_> = d.iter().collect();
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].attribute, Some(AttributePath::root().attr("key_wo")));
        assert!(
            v[0].detail
                .contains("Upgrade Terraform to 1.11 or later, or set signed_cert instead"),
            "{}",
            v[0].detail
        );
        assert!(!v[0].detail.contains("secret"));
        let unset = Value::object([("signed_cert", Value::string("x")), ("key_wo", Value::Null)]);
        assert!(write_only_refused(&schema, &unset).is_empty());
    }
}
