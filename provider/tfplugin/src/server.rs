//! The tfplugin6 gRPC service: a thin adapter. Each method converts the request,
//! calls the framework (`crate::framework::rpc`), and converts the response. Users'
//! problems travel as diagnostics; a panic in a handler becomes an error diagnostic,
//! never a dead plugin.

use crate::convert::{self, dynamic, from_dynamic, from_identity, identity};
use crate::diag::{Diagnostic, Diagnostics};
use crate::framework::rpc::{
    ApplyRequest, Framework, ImportStateRequest, ListResourceRequest, PlanRequest,
    ReadResourceRequest, SERVER_CAPABILITIES, UpgradeIdentityRequest, UpgradeStateRequest,
};
use crate::proto::tfplugin6 as pb;
use crate::provider::{ActionEvent, MoveRequest, Provider};
use futures_util::FutureExt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use tonic::{Request, Response, Status};
use tracing::Instrument;

pub(crate) struct ProviderService {
    fw: Framework,
}

impl ProviderService {
    pub(crate) fn new(provider: Arc<dyn Provider>) -> Self {
        Self {
            fw: Framework::new(provider),
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
    pb::validate_list_resource_config::Response,
    pb::generate_resource_config::Response,
    pb::validate_action_config::Response,
    pb::plan_action::Response,
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
    #[cfg(debug_assertions)]
    crash_for_tests(rpc);
    match AssertUnwindSafe(fut.instrument(span.clone()))
        .catch_unwind()
        .await
    {
        Ok(r) => {
            span.in_scope(|| tracing::debug!("served request"));
            Ok(Response::new(r))
        }
        Err(p) => {
            let msg = crate::logging::redact(&panic_message(p.as_ref()));
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

/// Debug builds only: `TFPLUGIN_TEST_CRASH_IN=<rpc>` makes the plugin die in that
/// RPC the way a crash does (a panic outside the RPC guard, then exit 101), with the
/// process's AWS session token and a signed request header in the panic text, so a
/// test can show that crash output Terraform prints carries no credential.
#[cfg(debug_assertions)]
fn crash_for_tests(rpc: &str) {
    if std::env::var("TFPLUGIN_TEST_CRASH_IN").as_deref() != Ok(rpc) {
        return;
    }
    let token = std::env::var("AWS_SESSION_TOKEN").unwrap_or_default();
    let key = std::env::var("AWS_ACCESS_KEY_ID").unwrap_or_default();
    let rpc = rpc.to_string();
    let crashed = std::thread::spawn(move || {
        panic!(
            "TFPLUGIN_TEST_CRASH_IN {rpc}: request {{ headers: {{\"x-amz-security-token\": \"{token}\", \"authorization\": \"AWS4-HMAC-SHA256 Credential={key}/20260101/us-east-1/sts/aws4_request, Signature=00ff\"}} }} token {token}"
        )
    })
    .join();
    if crashed.is_err() {
        std::process::exit(101);
    }
}

fn diags<R: WithDiagnostics>(d: Diagnostics) -> R {
    let mut r = R::default();
    r.set_diagnostics(convert::diagnostics(&d));
    r
}

#[tonic::async_trait]
impl pb::provider_server::Provider for ProviderService {
    async fn get_metadata(
        &self,
        _req: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        guarded("GetMetadata", async {
            let m = self.fw.metadata();
            pb::get_metadata::Response {
                server_capabilities: Some(convert::server_capabilities(SERVER_CAPABILITIES)),
                diagnostics: Vec::new(),
                resources: m
                    .resources
                    .into_iter()
                    .map(|type_name| pb::get_metadata::ResourceMetadata { type_name })
                    .collect(),
                data_sources: m
                    .data_sources
                    .into_iter()
                    .map(|type_name| pb::get_metadata::DataSourceMetadata { type_name })
                    .collect(),
                functions: m
                    .functions
                    .into_iter()
                    .map(|name| pb::get_metadata::FunctionMetadata { name })
                    .collect(),
                list_resources: m
                    .list_resources
                    .into_iter()
                    .map(|type_name| pb::get_metadata::ListResourceMetadata { type_name })
                    .collect(),
                actions: m
                    .actions
                    .into_iter()
                    .map(|type_name| pb::get_metadata::ActionMetadata { type_name })
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
            let s = self.fw.provider_schema();
            pb::get_provider_schema::Response {
                provider: Some(convert::schema(s.provider)),
                resource_schemas: s
                    .resources
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), convert::schema(v)))
                    .collect(),
                data_source_schemas: s
                    .data_sources
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), convert::schema(v)))
                    .collect(),
                list_resource_schemas: s
                    .list_resources
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), convert::schema(v)))
                    .collect(),
                action_schemas: s
                    .actions
                    .into_iter()
                    .map(|(k, v)| {
                        (
                            k.to_string(),
                            pb::ActionSchema {
                                schema: Some(convert::schema(v)),
                            },
                        )
                    })
                    .collect(),
                functions: s
                    .functions
                    .iter()
                    .map(|(k, f)| (k.to_string(), convert::function(f)))
                    .collect(),
                diagnostics: Vec::new(),
                provider_meta: None,
                server_capabilities: Some(convert::server_capabilities(SERVER_CAPABILITIES)),
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
            diags(
                self.fw
                    .validate_provider_config(from_dynamic(req.config))
                    .await,
            )
        })
        .await
    }

    async fn validate_resource_config(
        &self,
        req: Request<pb::validate_resource_config::Request>,
    ) -> Result<Response<pb::validate_resource_config::Response>, Status> {
        let req = req.into_inner();
        guarded("ValidateResourceConfig", async {
            diags(
                self.fw
                    .validate_resource_config(
                        &req.type_name,
                        from_dynamic(req.config),
                        convert::client_capabilities(req.client_capabilities),
                    )
                    .await,
            )
        })
        .await
    }

    async fn validate_data_resource_config(
        &self,
        req: Request<pb::validate_data_resource_config::Request>,
    ) -> Result<Response<pb::validate_data_resource_config::Response>, Status> {
        let req = req.into_inner();
        guarded("ValidateDataResourceConfig", async {
            diags(
                self.fw
                    .validate_data_resource_config(&req.type_name, from_dynamic(req.config))
                    .await,
            )
        })
        .await
    }

    async fn upgrade_resource_state(
        &self,
        req: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        let req = req.into_inner();
        guarded("UpgradeResourceState", async {
            let raw = req.raw_state.unwrap_or_default();
            let r = self.fw.upgrade_resource_state(UpgradeStateRequest {
                type_name: req.type_name,
                version: req.version,
                json: raw.json,
                has_flatmap: !raw.flatmap.is_empty(),
            });
            pb::upgrade_resource_state::Response {
                upgraded_state: r.state.map(dynamic),
                diagnostics: convert::diagnostics(&r.diagnostics),
            }
        })
        .await
    }

    async fn get_resource_identity_schemas(
        &self,
        _req: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Result<Response<pb::get_resource_identity_schemas::Response>, Status> {
        guarded("GetResourceIdentitySchemas", async {
            pb::get_resource_identity_schemas::Response {
                identity_schemas: self
                    .fw
                    .identity_schemas()
                    .into_iter()
                    .map(|(k, s)| (k.to_string(), convert::identity_schema(s)))
                    .collect(),
                diagnostics: Vec::new(),
            }
        })
        .await
    }

    async fn upgrade_resource_identity(
        &self,
        req: Request<pb::upgrade_resource_identity::Request>,
    ) -> Result<Response<pb::upgrade_resource_identity::Response>, Status> {
        let req = req.into_inner();
        guarded("UpgradeResourceIdentity", async {
            let r = self.fw.upgrade_resource_identity(UpgradeIdentityRequest {
                type_name: req.type_name,
                version: req.version,
                json: req.raw_identity.unwrap_or_default().json,
            });
            pb::upgrade_resource_identity::Response {
                upgraded_identity: identity(r.identity),
                diagnostics: convert::diagnostics(&r.diagnostics),
            }
        })
        .await
    }

    async fn configure_provider(
        &self,
        req: Request<pb::configure_provider::Request>,
    ) -> Result<Response<pb::configure_provider::Response>, Status> {
        let req = req.into_inner();
        guarded("ConfigureProvider", async {
            diags(
                self.fw
                    .configure_provider(req.terraform_version, from_dynamic(req.config))
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
            let r = self
                .fw
                .read_resource(ReadResourceRequest {
                    type_name: req.type_name,
                    current_state: from_dynamic(req.current_state),
                    private: req.private,
                })
                .await;
            pb::read_resource::Response {
                new_state: r.state.map(dynamic),
                diagnostics: convert::diagnostics(&r.diagnostics),
                private: r.private,
                deferred: None,
                new_identity: identity(r.identity),
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
            let r = self
                .fw
                .plan_resource_change(PlanRequest {
                    type_name: req.type_name,
                    prior_state: from_dynamic(req.prior_state),
                    proposed_new_state: from_dynamic(req.proposed_new_state),
                    config: from_dynamic(req.config),
                    prior_private: req.prior_private,
                    prior_identity: from_identity(req.prior_identity),
                })
                .await;
            pb::plan_resource_change::Response {
                planned_state: r.planned_state.map(dynamic),
                requires_replace: r
                    .requires_replace
                    .iter()
                    .map(convert::attribute_path)
                    .collect(),
                planned_private: r.planned_private,
                diagnostics: convert::diagnostics(&r.diagnostics),
                deferred: None,
                planned_identity: identity(r.planned_identity),
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
            let r = self
                .fw
                .apply_resource_change(ApplyRequest {
                    type_name: req.type_name,
                    prior_state: from_dynamic(req.prior_state),
                    planned_state: from_dynamic(req.planned_state),
                    config: from_dynamic(req.config),
                    planned_private: req.planned_private,
                })
                .await;
            pb::apply_resource_change::Response {
                new_state: r.state.map(dynamic),
                private: r.private,
                diagnostics: convert::diagnostics(&r.diagnostics),
                new_identity: identity(r.identity),
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
            let type_name = req.type_name.clone();
            let r = self
                .fw
                .import_resource_state(ImportStateRequest {
                    type_name: req.type_name,
                    id: req.id,
                    identity: from_identity(req.identity),
                })
                .await;
            pb::import_resource_state::Response {
                imported_resources: r
                    .state
                    .map(|state| pb::import_resource_state::ImportedResource {
                        type_name,
                        state: Some(dynamic(state)),
                        private: r.private,
                        identity: identity(r.identity),
                    })
                    .into_iter()
                    .collect(),
                diagnostics: convert::diagnostics(&r.diagnostics),
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
            let r = self.fw.move_resource_state(
                &req.target_type_name,
                MoveRequest {
                    source_provider_address: req.source_provider_address,
                    source_type_name: req.source_type_name,
                    source_schema_version: req.source_schema_version,
                    source_json: req.source_state.unwrap_or_default().json,
                },
            );
            pb::move_resource_state::Response {
                target_state: r.state.map(dynamic),
                diagnostics: convert::diagnostics(&r.diagnostics),
                target_private: r.private,
                target_identity: identity(r.identity),
            }
        })
        .await
    }

    type ListResourceStream = std::pin::Pin<
        Box<
            dyn tokio_stream::Stream<Item = Result<pb::list_resource::Event, Status>>
                + Send
                + 'static,
        >,
    >;

    async fn list_resource(
        &self,
        req: Request<pb::list_resource::Request>,
    ) -> Result<Response<Self::ListResourceStream>, Status> {
        use tokio_stream::StreamExt;
        let req = req.into_inner();
        let rx = self.fw.list_resource(ListResourceRequest {
            type_name: req.type_name,
            config: from_dynamic(req.config),
            include_resource_object: req.include_resource_object,
            limit: req.limit,
        });
        let events = tokio_stream::wrappers::ReceiverStream::new(rx).map(|e| {
            Ok(pb::list_resource::Event {
                identity: identity(e.identity),
                display_name: e.display_name,
                resource_object: e.resource_object.map(dynamic),
                diagnostic: convert::diagnostics(&e.diagnostics),
            })
        });
        Ok(Response::new(Box::pin(events)))
    }

    async fn generate_resource_config(
        &self,
        req: Request<pb::generate_resource_config::Request>,
    ) -> Result<Response<pb::generate_resource_config::Response>, Status> {
        let req = req.into_inner();
        guarded("GenerateResourceConfig", async {
            let r = self
                .fw
                .generate_resource_config(&req.type_name, from_dynamic(req.state));
            pb::generate_resource_config::Response {
                config: r.state.map(dynamic),
                diagnostics: convert::diagnostics(&r.diagnostics),
            }
        })
        .await
    }

    async fn validate_list_resource_config(
        &self,
        req: Request<pb::validate_list_resource_config::Request>,
    ) -> Result<Response<pb::validate_list_resource_config::Response>, Status> {
        let req = req.into_inner();
        guarded("ValidateListResourceConfig", async {
            pb::validate_list_resource_config::Response {
                diagnostics: convert::diagnostics(
                    &self
                        .fw
                        .validate_list_resource_config(&req.type_name, from_dynamic(req.config))
                        .await,
                ),
            }
        })
        .await
    }

    async fn validate_action_config(
        &self,
        req: Request<pb::validate_action_config::Request>,
    ) -> Result<Response<pb::validate_action_config::Response>, Status> {
        let req = req.into_inner();
        guarded("ValidateActionConfig", async {
            diags(
                self.fw
                    .validate_action_config(&req.type_name, from_dynamic(req.config))
                    .await,
            )
        })
        .await
    }

    async fn plan_action(
        &self,
        req: Request<pb::plan_action::Request>,
    ) -> Result<Response<pb::plan_action::Response>, Status> {
        let req = req.into_inner();
        guarded("PlanAction", async {
            pb::plan_action::Response {
                diagnostics: convert::diagnostics(
                    &self
                        .fw
                        .plan_action(&req.action_type, from_dynamic(req.config))
                        .await,
                ),
                deferred: None,
            }
        })
        .await
    }

    type InvokeActionStream = std::pin::Pin<
        Box<
            dyn tokio_stream::Stream<Item = Result<pb::invoke_action::Event, Status>>
                + Send
                + 'static,
        >,
    >;

    async fn invoke_action(
        &self,
        req: Request<pb::invoke_action::Request>,
    ) -> Result<Response<Self::InvokeActionStream>, Status> {
        use pb::invoke_action::event::{Completed, Progress, Type};
        use tokio_stream::StreamExt;
        let req = req.into_inner();
        let rx = self
            .fw
            .invoke_action(&req.action_type, from_dynamic(req.config));
        let events = tokio_stream::wrappers::ReceiverStream::new(rx).map(|e| {
            Ok(pb::invoke_action::Event {
                r#type: Some(match e {
                    ActionEvent::Progress(message) => Type::Progress(Progress { message }),
                    ActionEvent::Completed(d) => Type::Completed(Completed {
                        diagnostics: convert::diagnostics(&d),
                    }),
                }),
            })
        });
        Ok(Response::new(Box::pin(events)))
    }

    async fn read_data_source(
        &self,
        req: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        let req = req.into_inner();
        guarded("ReadDataSource", async {
            let r = self
                .fw
                .read_data_source(&req.type_name, from_dynamic(req.config))
                .await;
            pb::read_data_source::Response {
                state: r.state.map(dynamic),
                diagnostics: convert::diagnostics(&r.diagnostics),
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
                    .fw
                    .functions()
                    .iter()
                    .map(|(k, f)| (k.to_string(), convert::function(f)))
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
        let args: Vec<_> = req
            .arguments
            .into_iter()
            .filter_map(|a| from_dynamic(Some(a)))
            .collect();
        let result = AssertUnwindSafe(async { self.fw.call_function(&req.name, &args) })
            .catch_unwind()
            .await
            .unwrap_or_else(|p| {
                let msg = crate::logging::redact(&panic_message(p.as_ref()));
                tracing::error!(rpc = "CallFunction", panic = %msg, "handler panicked");
                Err(crate::provider::FunctionError::new(format!(
                    "The provider hit an internal error: {msg}. This is a bug in the provider; please report it."
                )))
            });
        Ok(Response::new(match result {
            Ok(v) => pb::call_function::Response {
                result: Some(dynamic(v)),
                error: None,
            },
            Err(e) => pb::call_function::Response {
                result: None,
                error: Some(pb::FunctionError {
                    text: e.text,
                    function_argument: e.argument,
                }),
            },
        }))
    }

    async fn stop_provider(
        &self,
        _req: Request<pb::stop_provider::Request>,
    ) -> Result<Response<pb::stop_provider::Response>, Status> {
        self.fw.stop().await;
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
