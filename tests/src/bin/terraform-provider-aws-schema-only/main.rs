//! terraform-provider-aws-schema-only: a test double for `hashicorp/aws`.
//!
//! The hashicorp/aws binary cannot be downloaded here, so tests install this one through
//! `dev_overrides` under the name `terraform-provider-aws`. It serves the hashicorp/aws
//! 6.66.0 schema committed in `tests/aws-schema/` and does nothing else:
//!
//! - resources plan with the framework's default planner (computed attributes unknown
//!   on create), plus the one plan-time value of hashicorp/aws that documented
//!   configurations depend on (see [`PLAN_REFINEMENTS`]); apply fails with a diagnostic
//!   saying why;
//! - data sources return wholly known values: configuration plus placeholders for
//!   computed attributes (a few well-known attributes get realistic values);
//! - functions return simple results or type-appropriate placeholders.
//!
//! It validates nothing beyond the schema. Never part of a release.
//!
//! Started as `terraform-provider-helm` or `terraform-provider-kubernetes` (a link of that
//! name, as the module validation installs it) it serves the hashicorp/helm 3.1.1 or
//! hashicorp/kubernetes 2.38.0 schema instead, derived the same way, for the addons module.
#![forbid(unsafe_code)]

mod placeholder;
mod schema_json;

use async_trait::async_trait;
use placeholder::{Region, fill_data_source, placeholder};
use schema_json::Flavor;
use std::process::ExitCode;
use std::sync::Arc;
use tfplugin::diag::{DiagResult, Diagnostic, Diagnostics};
use tfplugin::framework::plan::PlanContext;
use tfplugin::provider::{
    Applied, ConfigureRequest, CreateRequest, DeleteRequest, Function, FunctionError, Provider,
    RawDataSource, RawResource, ReadRequest, ReadResult, Signature, UpdateRequest,
};
use tfplugin::schema::Schema;
use tfplugin::value::{AttributePath, Value};

fn main() -> ExitCode {
    let flavor = Flavor::from_program(&std::env::args().next().unwrap_or_default());
    // `--load-schema`: load, convert and report, for measuring startup.
    if std::env::args().nth(1).as_deref() == Some("--load-schema") {
        let start = std::time::Instant::now();
        return match schema_json::load(flavor) {
            Ok(s) => {
                println!(
                    "{} resources, {} data sources, {} functions in {:?}",
                    s.resources.len(),
                    s.data_sources.len(),
                    s.functions.len(),
                    start.elapsed()
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("terraform-provider-aws-schema-only: {e}");
                ExitCode::from(1)
            }
        };
    }
    match schema_json::load(flavor) {
        Ok(schema) => tfplugin::serve::main(SchemaOnlyAws::new(schema, flavor), flavor.address()),
        Err(e) => {
            eprintln!("terraform-provider-aws-schema-only: {e}");
            ExitCode::from(1)
        }
    }
}

struct SchemaOnlyAws {
    schema: schema_json::AwsSchema,
    flavor: Flavor,
    region: Region,
}

impl SchemaOnlyAws {
    fn new(schema: schema_json::AwsSchema, flavor: Flavor) -> Self {
        Self {
            schema,
            flavor,
            region: Region::default(),
        }
    }
}

#[async_trait]
impl Provider for SchemaOnlyAws {
    fn type_name(&self) -> &str {
        self.flavor.type_name()
    }

    fn schema(&self) -> Schema {
        self.schema.provider.clone()
    }

    fn resources(&self) -> Vec<Arc<dyn RawResource>> {
        self.schema
            .resources
            .iter()
            .map(|(name, schema)| {
                Arc::new(PlanOnlyResource {
                    provider: self.flavor.type_name(),
                    name: name.clone(),
                    schema: schema.clone(),
                    refine: PLAN_REFINEMENTS
                        .iter()
                        .find(|(r, _)| r == name)
                        .map(|(_, f)| *f),
                }) as Arc<dyn RawResource>
            })
            .collect()
    }

    fn data_sources(&self) -> Vec<Arc<dyn RawDataSource>> {
        self.schema
            .data_sources
            .iter()
            .map(|(name, schema)| {
                Arc::new(PlaceholderDataSource {
                    name: name.clone(),
                    schema: schema.clone(),
                    region: self.region.clone(),
                }) as Arc<dyn RawDataSource>
            })
            .collect()
    }

    fn functions(&self) -> Vec<Arc<dyn Function>> {
        self.schema
            .functions
            .iter()
            .map(|(name, sig)| {
                Arc::new(SchemaFunction {
                    name: name.clone(),
                    signature: sig.clone(),
                }) as Arc<dyn Function>
            })
            .collect()
    }

    async fn configure(&self, req: ConfigureRequest) -> Diagnostics {
        if let Some(r) = req.config.get("region").and_then(Value::as_str) {
            self.region.set(r);
        }
        Diagnostics::new()
    }
}

type Refine = fn(&mut PlanContext);

/// Values hashicorp/aws computes at plan time (in CustomizeDiff) that configurations
/// rely on. Without them a correct configuration would fail to plan here; everything
/// else gets the framework's default planning, as hashicorp/aws's SDKv2 resources do.
const PLAN_REFINEMENTS: &[(&str, Refine)] =
    &[("aws_acm_certificate", acm_domain_validation_options)];

/// hashicorp/aws plans `domain_validation_options` with one element per domain
/// (`domain_name` plus `subject_alternative_names`, trailing dots trimmed) whose
/// `domain_name` is known, so `for_each` over it works (its documented usage with
/// `aws_route53_record` and `aws_acm_certificate_validation`). Only for DNS validation.
fn acm_domain_validation_options(ctx: &mut PlanContext) {
    let planned = &ctx.planned;
    let dns = planned.get("validation_method").and_then(Value::as_str) == Some("DNS");
    let recomputed = planned
        .get("domain_validation_options")
        .is_some_and(Value::is_unknown);
    let Some(domain) = planned.get("domain_name").and_then(Value::as_str) else {
        return;
    };
    let sans = match planned.get("subject_alternative_names") {
        None | Some(Value::Null) => Some(Vec::new()),
        Some(v) => v.as_list().and_then(|xs| {
            xs.iter()
                .map(|x| x.as_str().map(|s| s.trim_end_matches('.').to_string()))
                .collect::<Option<Vec<_>>>()
        }),
    };
    let (true, true, Some(sans)) = (dns, recomputed, sans) else {
        return;
    };
    let mut domains = vec![domain.to_string()];
    for san in sans {
        if !domains.contains(&san) {
            domains.push(san);
        }
    }
    let options = Value::set(domains.into_iter().map(|d| {
        Value::object([
            ("domain_name", Value::string(d)),
            ("resource_record_name", Value::unknown()),
            ("resource_record_type", Value::unknown()),
            ("resource_record_value", Value::unknown()),
        ])
    }));
    ctx.set(
        &AttributePath::root().attr("domain_validation_options"),
        options,
    );
}

struct PlanOnlyResource {
    provider: &'static str,
    name: String,
    schema: Schema,
    refine: Option<Refine>,
}

impl PlanOnlyResource {
    fn cannot_apply(&self, what: &str) -> Diagnostic {
        Diagnostic::error(
            format!(
                "The schema-only {} provider cannot {what} {}",
                self.provider, self.name
            ),
            format!(
                "terraform-provider-aws-schema-only serves the hashicorp/{0} schema so tests can run terraform validate and plan offline; it has no client. Apply with the real hashicorp/{0} provider.",
                self.provider
            ),
        )
    }
}

#[async_trait]
impl RawResource for PlanOnlyResource {
    fn type_name(&self) -> &str {
        &self.name
    }

    fn schema(&self) -> Schema {
        self.schema.clone()
    }

    async fn modify_plan(&self, plan: &mut PlanContext) {
        if let Some(refine) = self.refine {
            refine(plan);
        }
    }

    async fn create(&self, _req: CreateRequest) -> Applied {
        Applied::failed(Value::Null, self.cannot_apply("create"))
    }

    /// Nothing is ever created, so a state can only come from elsewhere: keep it.
    async fn read(&self, req: ReadRequest) -> ReadResult {
        ReadResult::found(req.state, req.private)
    }

    async fn update(&self, req: UpdateRequest) -> Applied {
        Applied::failed(req.prior, self.cannot_apply("update"))
    }

    async fn delete(&self, _req: DeleteRequest) -> Diagnostics {
        self.cannot_apply("delete").into()
    }
}

struct PlaceholderDataSource {
    name: String,
    schema: Schema,
    region: Region,
}

#[async_trait]
impl RawDataSource for PlaceholderDataSource {
    fn type_name(&self) -> &str {
        &self.name
    }

    fn schema(&self) -> Schema {
        self.schema.clone()
    }

    async fn read(&self, config: Value) -> DiagResult<Value> {
        let mut state = config;
        fill_data_source(&self.name, &self.schema.block, &mut state, &self.region);
        Ok(state)
    }
}

struct SchemaFunction {
    name: String,
    signature: Signature,
}

impl Function for SchemaFunction {
    fn name(&self) -> &str {
        &self.name
    }

    fn signature(&self) -> Signature {
        self.signature.clone()
    }

    /// The four hashicorp/aws functions are string manipulation, so they get their
    /// plain behaviour; anything else returns a placeholder of its return type.
    fn call(&self, args: Vec<Value>) -> Result<Value, FunctionError> {
        let arg = |i: usize| args.get(i).and_then(Value::as_str).unwrap_or_default();
        Ok(match self.name.as_str() {
            "arn_build" => Value::string(format!(
                "arn:{}:{}:{}:{}:{}",
                arg(0),
                arg(1),
                arg(2),
                arg(3),
                arg(4)
            )),
            "arn_parse" => {
                let mut parts = arg(0).splitn(6, ':').skip(1);
                let mut next = || Value::string(parts.next().unwrap_or_default());
                Value::object([
                    ("partition", next()),
                    ("service", next()),
                    ("region", next()),
                    ("account_id", next()),
                    ("resource", next()),
                ])
            }
            "trim_iam_role_path" => Value::string(match arg(0).split_once(":role/") {
                Some((head, path)) => {
                    format!("{head}:role/{}", path.rsplit('/').next().unwrap_or(path))
                }
                None => arg(0).to_string(),
            }),
            "user_agent" if arg(2).is_empty() => Value::string(format!("{}/{}", arg(0), arg(1))),
            "user_agent" => Value::string(format!("{}/{} ({})", arg(0), arg(1), arg(2))),
            _ => placeholder(&self.signature.return_type, &self.name),
        })
    }
}
