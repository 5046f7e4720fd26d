//! The traits a provider implements, at the value level: the provider itself, and
//! "raw" resources and data sources that work on untyped [`Value`]s with a schema
//! known only at run time (the counterpart of terraform-plugin-go's servers).
//!
//! Most resources are written against the typed traits in [`crate::framework`]
//! instead (a serde model per resource); [`crate::framework::resource`] and
//! [`crate::framework::data_source`] turn those into the raw traits here. Raw
//! resources suit providers whose schemas are data, such as a schema-only test double.

use crate::diag::{DiagResult, Diagnostic, Diagnostics};
use crate::schema::{IdentitySchema, Schema};
use crate::value::{AttributePath, Type, Value};
use async_trait::async_trait;
use std::sync::Arc;

/// What Terraform passes to ConfigureProvider.
#[derive(Clone, Debug)]
pub struct ConfigureRequest {
    pub terraform_version: String,
    pub config: Value,
}

#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// Provider type name, the prefix of every resource type (e.g. `trustchain`).
    fn type_name(&self) -> &str;

    /// Schema of the `provider "name" { ... }` block.
    fn schema(&self) -> Schema;

    fn resources(&self) -> Vec<Arc<dyn RawResource>>;

    fn data_sources(&self) -> Vec<Arc<dyn RawDataSource>> {
        Vec::new()
    }

    fn functions(&self) -> Vec<Arc<dyn Function>> {
        Vec::new()
    }

    /// List resources for `terraform query` (Terraform 1.14+), each named after the
    /// managed resource (with an identity schema) whose objects it finds.
    fn list_resources(&self) -> Vec<Arc<dyn RawListResource>> {
        Vec::new()
    }

    /// Actions (`action` blocks, Terraform 1.14+): operations Terraform invokes from
    /// `action_trigger` or `terraform apply -invoke`, outside any resource's state.
    fn actions(&self) -> Vec<Arc<dyn RawAction>> {
        Vec::new()
    }

    /// Checks the provider configuration (may hold unknown values).
    async fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Receives the provider configuration before any resource call.
    async fn configure(&self, req: ConfigureRequest) -> Diagnostics;

    /// Terraform asks the provider to stop in-flight work (Ctrl-C).
    async fn stop(&self) {}
}

/// The outcome of create or update. On failure half-way, return the state of what
/// exists (so Terraform records it and the next apply or destroy can finish) together
/// with error diagnostics; return `Value::Null` only when nothing was created.
#[derive(Clone, Debug)]
pub struct Applied {
    pub state: Value,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

impl Applied {
    pub fn ok(state: Value) -> Self {
        Self {
            state,
            private: Vec::new(),
            diagnostics: Diagnostics::new(),
        }
    }

    pub fn failed(state: Value, diagnostics: impl Into<Diagnostics>) -> Self {
        Self {
            state,
            private: Vec::new(),
            diagnostics: diagnostics.into(),
        }
    }
}

/// The plan of one resource instance, after the framework's default planning
/// ([`crate::framework::plan::default_plan`]), for a resource's `modify_plan` to refine.
#[derive(Clone, Debug)]
pub struct PlanContext {
    pub prior: Value,
    pub config: Value,
    pub planned: Value,
    pub requires_replace: Vec<AttributePath>,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

impl PlanContext {
    /// True when the plan creates the object (no prior state).
    pub fn is_create(&self) -> bool {
        self.prior.is_null()
    }

    /// Marks an attribute (top-level) for replacement, once.
    pub fn require_replace(&mut self, path: AttributePath) {
        if !self.requires_replace.contains(&path) {
            self.requires_replace.push(path);
        }
    }

    /// Sets a planned value (e.g. a computed value known at plan time).
    pub fn set(&mut self, path: &AttributePath, v: Value) {
        // A planner bug must not kill the plugin: report it instead.
        if let Err(e) = self.planned.set_at(path, v) {
            self.diagnostics.push(e.into());
        }
    }
}

#[derive(Clone, Debug)]
pub struct CreateRequest {
    /// Configuration, including write-only values (which the planned state lacks).
    pub config: Value,
    pub planned: Value,
    pub planned_private: Vec<u8>,
}

#[derive(Clone, Debug)]
pub struct UpdateRequest {
    pub prior: Value,
    pub config: Value,
    pub planned: Value,
    pub planned_private: Vec<u8>,
}

#[derive(Clone, Debug)]
pub struct DeleteRequest {
    pub prior: Value,
    pub private: Vec<u8>,
}

#[derive(Clone, Debug)]
pub struct ReadRequest {
    pub state: Value,
    pub private: Vec<u8>,
}

/// The outcome of a refresh. `state: Value::Null` means the object is gone (deleted
/// outside Terraform), so Terraform plans to create it again.
#[derive(Clone, Debug)]
pub struct ReadResult {
    pub state: Value,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

impl ReadResult {
    pub fn found(state: Value, private: Vec<u8>) -> Self {
        Self {
            state,
            private,
            diagnostics: Diagnostics::new(),
        }
    }

    pub fn gone() -> Self {
        Self {
            state: Value::Null,
            private: Vec::new(),
            diagnostics: Diagnostics::new(),
        }
    }
}

/// What `terraform import` (or an `import` block) names: an import id string, or a
/// resource identity object (Terraform 1.12+ `import { identity = {...} }`).
#[derive(Clone, Debug, PartialEq)]
pub enum ImportRequest {
    Id(String),
    Identity(Value),
}

/// What a `moved` block across resource types hands the target resource
/// (MoveResourceState, Terraform 1.8+): the source object's state as its own
/// provider stored it, JSON of the source schema's version, never sent to AWS.
#[derive(Clone, Debug)]
pub struct MoveRequest {
    /// The source provider, e.g. `registry.terraform.io/hashicorp/aws`.
    pub source_provider_address: String,
    pub source_type_name: String,
    pub source_schema_version: i64,
    /// The source state as stored (JSON); empty when Terraform sent only the legacy
    /// flatmap form.
    pub source_json: Vec<u8>,
}

impl MoveRequest {
    /// The diagnostic for a source this resource cannot take over.
    pub fn unsupported(&self, target: &str, why: &str) -> Diagnostic {
        Diagnostic::error(
            "Cannot move this resource",
            format!(
                "{target} cannot take over the state of {}.{} (schema version {}): {why} Remove the `moved` block, keep the object out of destruction with `removed {{ from = ... lifecycle {{ destroy = false }} }}`, and adopt it with an `import` block for {target} instead.",
                self.source_provider_address, self.source_type_name, self.source_schema_version
            ),
        )
    }
}

/// A managed resource type at the value level.
#[async_trait]
pub trait RawResource: Send + Sync + 'static {
    /// Full resource type name, e.g. `trustchain_ipv6_network`.
    fn type_name(&self) -> &str;

    fn schema(&self) -> Schema;

    /// The resource identity schema (Terraform 1.12+), if the resource has one.
    fn identity_schema(&self) -> Option<IdentitySchema> {
        None
    }

    /// The identity of the object a state describes (null state: none). Called by the
    /// framework after every read, apply and import.
    fn identity(&self, _state: &Value) -> DiagResult<Option<Value>> {
        Ok(None)
    }

    /// Checks a configuration (may hold unknown values).
    async fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Refines the plan after the framework's default planning (computed values
    /// marked unknown, defaults, requires-replace, use-state-for-unknown). Not
    /// called for destroy plans.
    async fn modify_plan(&self, _plan: &mut PlanContext) {}

    async fn create(&self, req: CreateRequest) -> Applied;

    async fn read(&self, req: ReadRequest) -> ReadResult;

    async fn update(&self, req: UpdateRequest) -> Applied;

    async fn delete(&self, req: DeleteRequest) -> Diagnostics;

    /// Turns an import id or identity into a state Terraform then refreshes with `read`.
    async fn import(&self, _req: ImportRequest) -> DiagResult<Value> {
        Err(Diagnostic::error(
            "Import not supported",
            format!("{} does not support terraform import.", self.type_name()),
        )
        .into())
    }

    /// The configuration `-generate-config-out` writes for an object Terraform
    /// imports or lists (GenerateResourceConfig, Terraform 1.14+), from its state,
    /// before the framework nulls read-only attributes. The default keeps the state:
    /// override it where arguments exclude each other (set one, the other is computed).
    fn generate_config(&self, state: Value) -> DiagResult<Value> {
        Ok(state)
    }

    /// Turns another resource type's state (usually another provider's) into a state
    /// of this one, without calling the cloud: Terraform refreshes it with `read` next.
    /// The default refuses every source.
    fn move_state(&self, req: &MoveRequest) -> DiagResult<Value> {
        Err(req
            .unsupported(
                self.type_name(),
                "this resource type accepts no moved sources.",
            )
            .into())
    }

    /// Upgrades state written by an older schema version. The default accepts the
    /// current version and drops attributes the schema no longer has.
    fn upgrade_state(&self, version: i64, json: &[u8], current: &Schema) -> DiagResult<Value> {
        upgrade_same_version(
            self.type_name(),
            "state",
            version,
            current.version,
            json,
            &current.value_type(),
        )
    }

    /// Upgrades an identity written by an older identity schema version; the default
    /// accepts the current version.
    fn upgrade_identity(
        &self,
        version: i64,
        json: &[u8],
        current: &IdentitySchema,
    ) -> DiagResult<Value> {
        upgrade_same_version(
            self.type_name(),
            "identity",
            version,
            current.version,
            json,
            &current.value_type(),
        )
    }
}

/// Decodes stored JSON of the current (or an older, compatible) version, dropping
/// attributes the schema no longer has; a newer version is an error that says to
/// upgrade the provider.
pub fn upgrade_same_version(
    type_name: &str,
    what: &str,
    version: i64,
    current: i64,
    json: &[u8],
    ty: &Type,
) -> DiagResult<Value> {
    if version > current {
        return Err(Diagnostic::error(
            format!("The {what} was written by a newer provider"),
            format!(
                "The {what} of this {type_name} was written with schema version {version}, newer than this provider's {current}. Upgrade the provider."
            ),
        )
        .into());
    }
    crate::value::decode_json_lenient(json, ty)
        .map_err(|e| crate::diag::unreadable_state(type_name, what, &e).into())
}

/// A data source at the value level.
#[async_trait]
pub trait RawDataSource: Send + Sync + 'static {
    /// Full data source type name, e.g. `trustchain_ipv6_plan`.
    fn type_name(&self) -> &str;

    fn schema(&self) -> Schema;

    async fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Returns the full state (config plus computed attributes).
    async fn read(&self, config: Value) -> DiagResult<Value>;
}

/// A provider-defined function parameter.
#[derive(Clone, Debug)]
pub struct Parameter {
    pub name: String,
    pub ty: Type,
    pub description: String,
    pub allow_null: bool,
    pub allow_unknown: bool,
}

impl Parameter {
    pub fn new(name: impl Into<String>, ty: Type, description: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ty,
            description: description.into(),
            allow_null: false,
            allow_unknown: false,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Signature {
    pub parameters: Vec<Parameter>,
    pub variadic: Option<Parameter>,
    pub return_type: Type,
    pub summary: String,
    pub description: String,
}

/// A function error: the message and, when an argument is at fault, its index.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionError {
    pub text: String,
    pub argument: Option<i64>,
}

impl FunctionError {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            argument: None,
        }
    }

    pub fn argument(index: usize, text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            argument: Some(index as i64),
        }
    }
}

pub trait Function: Send + Sync + 'static {
    fn name(&self) -> &str;
    fn signature(&self) -> Signature;
    fn call(&self, args: Vec<Value>) -> Result<Value, FunctionError>;
}

/// What a `list` block of `terraform query` asks (ListResource, Terraform 1.14+).
#[derive(Clone, Debug)]
pub struct ListRequest {
    /// The list block's `config`, an object of the list resource's schema with every
    /// attribute null when the block has none.
    pub config: Value,
    /// Terraform wants each object's full state too (`include_resource = true`).
    pub include_resource_object: bool,
}

/// One event of a list stream, encoded for the wire by the framework.
#[derive(Clone, Debug, Default)]
pub struct ListEvent {
    pub identity: Option<crate::value::DynamicValue>,
    pub display_name: String,
    pub resource_object: Option<crate::value::DynamicValue>,
    pub diagnostics: Diagnostics,
}

/// Where a list resource sends what it finds. It encodes each object with the
/// managed resource's identity and state types, and stops taking objects once
/// Terraform's limit is reached or Terraform stops reading: `found` then returns
/// false, and the list resource stops paging.
pub struct ListSink {
    tx: tokio::sync::mpsc::Sender<ListEvent>,
    left: i64,
    identity_ty: Type,
    state_ty: Type,
}

impl ListSink {
    pub(crate) fn new(
        tx: tokio::sync::mpsc::Sender<ListEvent>,
        limit: i64,
        identity_ty: Type,
        state_ty: Type,
    ) -> Self {
        Self {
            tx,
            left: limit,
            identity_ty,
            state_ty,
        }
    }

    /// True while Terraform still takes objects.
    pub fn wants_more(&self) -> bool {
        self.left > 0 && !self.tx.is_closed()
    }

    /// Sends one object: its identity, a name for people, and its state when asked.
    /// False when no more objects are wanted.
    pub async fn found(
        &mut self,
        identity: &Value,
        display_name: String,
        resource_object: Option<&Value>,
    ) -> bool {
        if !self.wants_more() {
            return false;
        }
        let encoded =
            crate::value::DynamicValue::encode(identity, &self.identity_ty).and_then(|id| {
                resource_object
                    .map(|o| crate::value::DynamicValue::encode(o, &self.state_ty))
                    .transpose()
                    .map(|o| (id, o))
            });
        let event = match encoded {
            Ok((id, object)) => ListEvent {
                identity: Some(id),
                display_name,
                resource_object: object,
                diagnostics: Diagnostics::new(),
            },
            Err(e) => ListEvent {
                diagnostics: Diagnostic::error(
                    "Provider produced a value that does not match its schema",
                    format!("{e}. This is a bug in the provider; please report it."),
                )
                .into(),
                ..ListEvent::default()
            },
        };
        let failed = event.diagnostics.has_errors();
        if self.tx.send(event).await.is_err() || failed {
            self.left = 0;
            return false;
        }
        self.left -= 1;
        self.left > 0
    }

    /// Reports diagnostics (an error ends the list: Terraform stops reading).
    pub async fn diagnostics(&mut self, diagnostics: Diagnostics) {
        if diagnostics.is_empty() {
            return;
        }
        if diagnostics.has_errors() {
            self.left = 0;
        }
        let _ = self
            .tx
            .send(ListEvent {
                diagnostics,
                ..ListEvent::default()
            })
            .await;
    }
}

/// A list resource at the value level: finds existing objects of the managed
/// resource type of the same name, for `terraform query`.
#[async_trait]
pub trait RawListResource: Send + Sync + 'static {
    /// The managed resource type it lists, e.g. `trustchain_cloudhsm_cluster`.
    fn type_name(&self) -> &str;

    /// The schema of the list block's `config` block.
    fn schema(&self) -> Schema;

    async fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Finds objects, page by page, sending each to `sink` until it says stop.
    async fn list(&self, req: ListRequest, sink: &mut ListSink);
}

/// One event of an action's run, encoded for the wire by the server: progress
/// messages, then exactly one completion with the run's diagnostics.
#[derive(Clone, Debug)]
pub enum ActionEvent {
    Progress(String),
    Completed(Diagnostics),
}

/// Where a running action reports progress. Terraform prints each message as it
/// arrives; the framework sends the completion when the action returns.
pub struct ActionProgress {
    tx: tokio::sync::mpsc::Sender<ActionEvent>,
}

impl ActionProgress {
    pub(crate) fn new(tx: tokio::sync::mpsc::Sender<ActionEvent>) -> Self {
        Self { tx }
    }

    /// Reports a step. Returns false when Terraform no longer listens (the run was
    /// cancelled): the action should stop at the next safe point.
    pub async fn report(&mut self, message: impl Into<String>) -> bool {
        self.tx
            .send(ActionEvent::Progress(message.into()))
            .await
            .is_ok()
    }
}

/// An action at the value level (Terraform 1.14+).
#[async_trait]
pub trait RawAction: Send + Sync + 'static {
    /// The action type, e.g. `trustchain_cloudhsm_backup_copy`.
    fn type_name(&self) -> &str;

    /// The schema of the action's `config` block.
    fn schema(&self) -> Schema;

    /// Checks a configuration (may hold unknown values; null attributes for a block
    /// without `config`).
    async fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Checks what can be checked before the run, with the provider configured
    /// (values may still be unknown when a triggering resource is planned).
    async fn plan(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Runs the action with its configuration known, reporting progress; the
    /// diagnostics returned complete the run.
    async fn invoke(&self, config: Value, progress: &mut ActionProgress) -> Diagnostics;
}
