//! The tfplugin6 gRPC service: a thin adapter that converts each request, calls the
//! provider's traits, and converts the response. Users' problems travel as
//! diagnostics; a panic in a handler becomes an error diagnostic, never a dead plugin.

use crate::convert::{self, decode, encode};
use crate::diag::{Diagnostic, Diagnostics};
use crate::plan::{self, PlanContext};
use crate::proto::tfplugin6 as pb;
use crate::provider::{
    ConfigureRequest, CreateRequest, DataSource, DeleteRequest, Function, Provider, ReadRequest,
    Resource, UpdateRequest,
};
use crate::schema::Schema;
use crate::value::{Type, Value};
use futures_util::FutureExt;
use std::collections::BTreeMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use tonic::{Request, Response, Status};
use tracing::Instrument;

struct Typed<T: ?Sized> {
    imp: Arc<T>,
    schema: Schema,
    ty: Type,
}

pub(crate) struct ProviderService {
    provider: Arc<dyn Provider>,
    provider_schema: Schema,
    provider_ty: Type,
    resources: BTreeMap<String, Typed<dyn Resource>>,
    data_sources: BTreeMap<String, Typed<dyn DataSource>>,
    functions: BTreeMap<String, Arc<dyn Function>>,
}

impl ProviderService {
    pub(crate) fn new(provider: Arc<dyn Provider>) -> Self {
        let provider_schema = provider.schema();
        let provider_ty = provider_schema.value_type();
        let resources = provider
            .resources()
            .into_iter()
            .map(|r| {
                let schema = r.schema();
                let ty = schema.value_type();
                (r.type_name().to_string(), Typed { imp: r, schema, ty })
            })
            .collect();
        let data_sources = provider
            .data_sources()
            .into_iter()
            .map(|d| {
                let schema = d.schema();
                let ty = schema.value_type();
                (d.type_name().to_string(), Typed { imp: d, schema, ty })
            })
            .collect();
        let functions = provider
            .functions()
            .into_iter()
            .map(|f| (f.name().to_string(), f))
            .collect();
        Self {
            provider,
            provider_schema,
            provider_ty,
            resources,
            data_sources,
            functions,
        }
    }

    fn resource(&self, name: &str) -> Result<&Typed<dyn Resource>, Diagnostics> {
        self.resources.get(name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown resource type",
                format!("This provider has no resource type {name:?}."),
            )
            .into()
        })
    }

    fn data_source(&self, name: &str) -> Result<&Typed<dyn DataSource>, Diagnostics> {
        self.data_sources.get(name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown data source",
                format!("This provider has no data source {name:?}."),
            )
            .into()
        })
    }

    fn capabilities() -> pb::ServerCapabilities {
        pb::ServerCapabilities {
            plan_destroy: true,
            get_provider_schema_optional: true,
            move_resource_state: false,
            generate_resource_config: false,
        }
    }
}

/// Response types that can carry diagnostics, so a panic can be reported in any.
trait WithDiagnostics: Default {
    fn set_diagnostics(&mut self, d: Vec<pb::Diagnostic>);
}

macro_rules! with_diagnostics {
    ($($t:ty),* $(,)?) => {$(
        impl WithDiagnostics for $t {
            fn set_diagnostics(&mut self, d: Vec<pb::Diagnostic>) {
                self.diagnostics = d;
            }
        }
    )*};
}

with_diagnostics!(
    pb::get_metadata::Response,
    pb::get_provider_schema::Response,
    pb::validate_provider_config::Response,
    pb::validate_resource_config::Response,
    pb::validate_data_resource_config::Response,
    pb::upgrade_resource_state::Response,
    pb::get_resource_identity_schemas::Response,
    pb::upgrade_resource_identity::Response,
    pb::configure_provider::Response,
    pb::read_resource::Response,
    pb::plan_resource_change::Response,
    pb::apply_resource_change::Response,
    pb::import_resource_state::Response,
    pb::move_resource_state::Response,
    pb::read_data_source::Response,
    pb::get_functions::Response,
);

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_string()
    }
}

/// Runs a handler; a panic becomes an error diagnostic in the RPC's response.
async fn guarded<R, F>(rpc: &'static str, fut: F) -> Result<Response<R>, Status>
where
    R: WithDiagnostics,
    F: Future<Output = R>,
{
    let span = tracing::debug_span!("rpc", tf_rpc = rpc);
    span.in_scope(|| tracing::debug!("received request"));
    match AssertUnwindSafe(fut.instrument(span.clone()))
        .catch_unwind()
        .await
    {
        Ok(r) => {
            span.in_scope(|| tracing::debug!("served request"));
            Ok(Response::new(r))
        }
        Err(p) => {
            let msg = panic_message(p.as_ref());
            tracing::error!(rpc, panic = %msg, "handler panicked");
            let mut r = R::default();
            r.set_diagnostics(vec![convert::diagnostic(&Diagnostic::error(
                "The provider hit an internal error",
                format!(
                    "{rpc} panicked: {msg}. No further changes were made by this call. This is a bug in the provider; please report it with the log (TF_LOG_PROVIDER=DEBUG)."
                ),
            ))]);
            Ok(Response::new(r))
        }
    }
}

fn diags<R: WithDiagnostics>(d: Diagnostics) -> R {
    let mut r = R::default();
    r.set_diagnostics(convert::diagnostics(&d));
    r
}

/// Collects a step's diagnostics into `all` and stops the handler on error.
macro_rules! try_diag {
    ($all:ident, $e:expr) => {
        match $e {
            Ok(v) => v,
            Err(d) => {
                $all.extend(Diagnostics::from(d));
                return diags(std::mem::take(&mut $all));
            }
        }
    };
}

fn sets_write_only(schema: &Schema, config: &Value) -> bool {
    let mut v = config.clone();
    let before = v.clone();
    plan::null_write_only(&schema.block, &mut v);
    v != before
}

#[tonic::async_trait]
impl pb::provider_server::Provider for ProviderService {
    async fn get_metadata(
        &self,
        _req: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        guarded("GetMetadata", async {
            pb::get_metadata::Response {
                server_capabilities: Some(Self::capabilities()),
                diagnostics: Vec::new(),
                resources: self
                    .resources
                    .keys()
                    .map(|k| pb::get_metadata::ResourceMetadata {
                        type_name: k.clone(),
                    })
                    .collect(),
                data_sources: self
                    .data_sources
                    .keys()
                    .map(|k| pb::get_metadata::DataSourceMetadata {
                        type_name: k.clone(),
                    })
                    .collect(),
                functions: self
                    .functions
                    .keys()
                    .map(|k| pb::get_metadata::FunctionMetadata { name: k.clone() })
                    .collect(),
            }
        })
        .await
    }

    async fn get_provider_schema(
        &self,
        _req: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        guarded("GetProviderSchema", async {
            pb::get_provider_schema::Response {
                provider: Some(convert::schema(&self.provider_schema)),
                resource_schemas: self
                    .resources
                    .iter()
                    .map(|(k, r)| (k.clone(), convert::schema(&r.schema)))
                    .collect(),
                data_source_schemas: self
                    .data_sources
                    .iter()
                    .map(|(k, d)| (k.clone(), convert::schema(&d.schema)))
                    .collect(),
                functions: self
                    .functions
                    .iter()
                    .map(|(k, f)| (k.clone(), convert::function(&f.signature())))
                    .collect(),
                diagnostics: Vec::new(),
                provider_meta: None,
                server_capabilities: Some(Self::capabilities()),
            }
        })
        .await
    }

    async fn validate_provider_config(
        &self,
        req: Request<pb::validate_provider_config::Request>,
    ) -> Result<Response<pb::validate_provider_config::Response>, Status> {
        let req = req.into_inner();
        guarded("ValidateProviderConfig", async {
            let mut all = Diagnostics::new();
            let config = try_diag!(all, decode(req.config.as_ref(), &self.provider_ty));
            diags(self.provider.validate(&config).await)
        })
        .await
    }

    async fn validate_resource_config(
        &self,
        req: Request<pb::validate_resource_config::Request>,
    ) -> Result<Response<pb::validate_resource_config::Response>, Status> {
        let req = req.into_inner();
        guarded("ValidateResourceConfig", async {
            let mut all = Diagnostics::new();
            let r = try_diag!(all, self.resource(&req.type_name));
            let config = try_diag!(all, decode(req.config.as_ref(), &r.ty));
            let write_only_ok = req
                .client_capabilities
                .as_ref()
                .is_some_and(|c| c.write_only_attributes_allowed);
            if !write_only_ok && sets_write_only(&r.schema, &config) {
                all.error(
                    "Write-only attributes need Terraform 1.11 or later",
                    "This configuration sets a write-only attribute, which this Terraform version cannot handle. Upgrade Terraform to 1.11 or later.",
                );
            }
            all.extend(r.imp.validate(&config).await);
            diags(all)
        })
        .await
    }

    async fn validate_data_resource_config(
        &self,
        req: Request<pb::validate_data_resource_config::Request>,
    ) -> Result<Response<pb::validate_data_resource_config::Response>, Status> {
        let req = req.into_inner();
        guarded("ValidateDataResourceConfig", async {
            let mut all = Diagnostics::new();
            let d = try_diag!(all, self.data_source(&req.type_name));
            let config = try_diag!(all, decode(req.config.as_ref(), &d.ty));
            diags(d.imp.validate(&config).await)
        })
        .await
    }

    async fn upgrade_resource_state(
        &self,
        req: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        let req = req.into_inner();
        guarded("UpgradeResourceState", async {
            let mut all = Diagnostics::new();
            let r = try_diag!(all, self.resource(&req.type_name));
            let raw = req.raw_state.unwrap_or_default();
            if raw.json.is_empty() && !raw.flatmap.is_empty() {
                all.error(
                    "Unsupported state format",
                    "This state uses the legacy flatmap format of Terraform 0.11 and older, which this provider never wrote. Remove the resource from state and import it again.",
                );
                return diags(all);
            }
            let mut state = if raw.json.is_empty() {
                Value::Null
            } else {
                try_diag!(all, r.imp.upgrade_state(req.version, &raw.json, &r.schema))
            };
            plan::null_write_only(&r.schema.block, &mut state);
            let upgraded = try_diag!(all, encode(&state, &r.ty));
            pb::upgrade_resource_state::Response {
                upgraded_state: Some(upgraded),
                diagnostics: convert::diagnostics(&all),
            }
        })
        .await
    }

    async fn get_resource_identity_schemas(
        &self,
        _req: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Result<Response<pb::get_resource_identity_schemas::Response>, Status> {
        guarded("GetResourceIdentitySchemas", async {
            pb::get_resource_identity_schemas::Response::default()
        })
        .await
    }

    async fn upgrade_resource_identity(
        &self,
        req: Request<pb::upgrade_resource_identity::Request>,
    ) -> Result<Response<pb::upgrade_resource_identity::Response>, Status> {
        let req = req.into_inner();
        guarded("UpgradeResourceIdentity", async {
            diags(
                Diagnostic::error(
                    "Resource identity not supported",
                    format!("{} has no resource identity schema.", req.type_name),
                )
                .into(),
            )
        })
        .await
    }

    async fn configure_provider(
        &self,
        req: Request<pb::configure_provider::Request>,
    ) -> Result<Response<pb::configure_provider::Response>, Status> {
        let req = req.into_inner();
        guarded("ConfigureProvider", async {
            let mut all = Diagnostics::new();
            let config = try_diag!(all, decode(req.config.as_ref(), &self.provider_ty));
            tracing::info!(terraform_version = %req.terraform_version, "configuring provider");
            diags(
                self.provider
                    .configure(ConfigureRequest {
                        terraform_version: req.terraform_version,
                        config,
                    })
                    .await,
            )
        })
        .await
    }

    async fn read_resource(
        &self,
        req: Request<pb::read_resource::Request>,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        let req = req.into_inner();
        guarded("ReadResource", async {
            let mut all = Diagnostics::new();
            let r = try_diag!(all, self.resource(&req.type_name));
            let state = try_diag!(all, decode(req.current_state.as_ref(), &r.ty));
            let res = r
                .imp
                .read(ReadRequest {
                    state,
                    private: req.private,
                })
                .await;
            all.extend(res.diagnostics);
            let mut new_state = res.state;
            plan::null_write_only(&r.schema.block, &mut new_state);
            let encoded = try_diag!(all, encode(&new_state, &r.ty));
            pb::read_resource::Response {
                new_state: Some(encoded),
                diagnostics: convert::diagnostics(&all),
                private: res.private,
                deferred: None,
                new_identity: None,
            }
        })
        .await
    }

    async fn plan_resource_change(
        &self,
        req: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        let req = req.into_inner();
        guarded("PlanResourceChange", async {
            let mut all = Diagnostics::new();
            let r = try_diag!(all, self.resource(&req.type_name));
            let prior = try_diag!(all, decode(req.prior_state.as_ref(), &r.ty));
            let proposed = try_diag!(all, decode(req.proposed_new_state.as_ref(), &r.ty));
            let config = try_diag!(all, decode(req.config.as_ref(), &r.ty));
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
            all.extend(ctx.diagnostics);
            let planned = try_diag!(all, encode(&ctx.planned, &r.ty));
            pb::plan_resource_change::Response {
                planned_state: Some(planned),
                requires_replace: ctx
                    .requires_replace
                    .iter()
                    .map(convert::attribute_path)
                    .collect(),
                planned_private: ctx.private,
                diagnostics: convert::diagnostics(&all),
                deferred: None,
                planned_identity: None,
            }
        })
        .await
    }

    async fn apply_resource_change(
        &self,
        req: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        let req = req.into_inner();
        guarded("ApplyResourceChange", async {
            let mut all = Diagnostics::new();
            let r = try_diag!(all, self.resource(&req.type_name));
            let prior = try_diag!(all, decode(req.prior_state.as_ref(), &r.ty));
            let planned = try_diag!(all, decode(req.planned_state.as_ref(), &r.ty));
            let config = try_diag!(all, decode(req.config.as_ref(), &r.ty));
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
                all.extend(d);
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
                all.extend(a.diagnostics);
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
                all.extend(a.diagnostics);
                (a.state, a.private)
            };
            plan::null_write_only(&r.schema.block, &mut state);
            let new_state = try_diag!(all, encode(&state, &r.ty));
            pb::apply_resource_change::Response {
                new_state: Some(new_state),
                private,
                diagnostics: convert::diagnostics(&all),
                new_identity: None,
            }
        })
        .await
    }

    async fn import_resource_state(
        &self,
        req: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        let req = req.into_inner();
        guarded("ImportResourceState", async {
            let mut all = Diagnostics::new();
            let r = try_diag!(all, self.resource(&req.type_name));
            let mut state = try_diag!(all, r.imp.import(&req.id).await);
            plan::null_write_only(&r.schema.block, &mut state);
            let encoded = try_diag!(all, encode(&state, &r.ty));
            pb::import_resource_state::Response {
                imported_resources: vec![pb::import_resource_state::ImportedResource {
                    type_name: req.type_name,
                    state: Some(encoded),
                    private: Vec::new(),
                    identity: None,
                }],
                diagnostics: convert::diagnostics(&all),
                deferred: None,
            }
        })
        .await
    }

    async fn move_resource_state(
        &self,
        req: Request<pb::move_resource_state::Request>,
    ) -> Result<Response<pb::move_resource_state::Response>, Status> {
        let req = req.into_inner();
        guarded("MoveResourceState", async {
            diags(
                Diagnostic::error(
                    "Moving resource state is not supported",
                    format!(
                        "{} cannot be moved from {}.{}; remove it from state and import it instead.",
                        req.target_type_name, req.source_provider_address, req.source_type_name
                    ),
                )
                .into(),
            )
        })
        .await
    }

    async fn read_data_source(
        &self,
        req: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        let req = req.into_inner();
        guarded("ReadDataSource", async {
            let mut all = Diagnostics::new();
            let d = try_diag!(all, self.data_source(&req.type_name));
            let config = try_diag!(all, decode(req.config.as_ref(), &d.ty));
            let state = try_diag!(all, d.imp.read(config).await);
            let encoded = try_diag!(all, encode(&state, &d.ty));
            pb::read_data_source::Response {
                state: Some(encoded),
                diagnostics: convert::diagnostics(&all),
                deferred: None,
            }
        })
        .await
    }

    async fn get_functions(
        &self,
        _req: Request<pb::get_functions::Request>,
    ) -> Result<Response<pb::get_functions::Response>, Status> {
        guarded("GetFunctions", async {
            pb::get_functions::Response {
                functions: self
                    .functions
                    .iter()
                    .map(|(k, f)| (k.clone(), convert::function(&f.signature())))
                    .collect(),
                diagnostics: Vec::new(),
            }
        })
        .await
    }

    async fn call_function(
        &self,
        req: Request<pb::call_function::Request>,
    ) -> Result<Response<pb::call_function::Response>, Status> {
        let req = req.into_inner();
        let fail = |text: String, arg: Option<i64>| pb::call_function::Response {
            result: None,
            error: Some(pb::FunctionError {
                text,
                function_argument: arg,
            }),
        };
        let fut = async {
            let Some(f) = self.functions.get(&req.name) else {
                return fail(
                    format!("This provider has no function {:?}.", req.name),
                    None,
                );
            };
            let sig = f.signature();
            let mut args = Vec::with_capacity(req.arguments.len());
            for (i, dv) in req.arguments.iter().enumerate() {
                let Some(p) = sig.parameters.get(i).or(sig.variadic.as_ref()) else {
                    return fail(
                        format!(
                            "Too many arguments: {} takes {}.",
                            req.name,
                            sig.parameters.len()
                        ),
                        Some(i as i64),
                    );
                };
                match decode(Some(dv), &p.ty) {
                    Ok(v) => args.push(v),
                    Err(d) => return fail(d.detail, Some(i as i64)),
                }
            }
            match f.call(args) {
                Ok(v) => match encode(&v, &sig.return_type) {
                    Ok(result) => pb::call_function::Response {
                        result: Some(result),
                        error: None,
                    },
                    Err(d) => fail(d.detail, None),
                },
                Err(e) => fail(e.text, e.argument),
            }
        };
        match AssertUnwindSafe(fut).catch_unwind().await {
            Ok(r) => Ok(Response::new(r)),
            Err(p) => {
                let msg = panic_message(p.as_ref());
                tracing::error!(rpc = "CallFunction", panic = %msg, "handler panicked");
                Ok(Response::new(fail(
                    format!(
                        "The provider hit an internal error: {msg}. This is a bug in the provider; please report it."
                    ),
                    None,
                )))
            }
        }
    }

    async fn stop_provider(
        &self,
        _req: Request<pb::stop_provider::Request>,
    ) -> Result<Response<pb::stop_provider::Response>, Status> {
        self.provider.stop().await;
        Ok(Response::new(pb::stop_provider::Response::default()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panicking_handler_becomes_an_error_diagnostic() {
        let resp: Response<pb::read_resource::Response> =
            guarded("ReadResource", async { panic!("index out of bounds") })
                .await
                .expect("a panic is not a transport error");
        let d = &resp.get_ref().diagnostics;
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].severity, pb::diagnostic::Severity::Error as i32);
        assert!(
            d[0].detail
                .contains("ReadResource panicked: index out of bounds"),
            "{}",
            d[0].detail
        );
    }
}
