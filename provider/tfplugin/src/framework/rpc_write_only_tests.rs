//! The framework's guarantee that no state it returns holds a write-only value, checked
//! at the framework: a resource that echoes its configuration (write-only values
//! included) into the state it returns from create, update, read, import and state
//! upgrade. Real resources build states from the plan, where the values are already
//! null; these tests make sure the framework's own nulling holds on every path even
//! when a resource does not.

use super::*;
use crate::provider::{Applied, ReadResult, UpdateRequest};
use crate::schema::{Attribute, Block, NestedBlock};
use async_trait::async_trait;

const SECRET: &str = "hunter2-never-in-state";

struct Leaky;

fn schema() -> Schema {
    Schema::new(
        Block::new()
            .attribute(Attribute::computed("id", Type::String))
            .attribute(Attribute::optional("name", Type::String))
            .attribute(Attribute::optional("key_wo", Type::String).write_only())
            .block(NestedBlock::list(
                "rule",
                Block::new()
                    .attribute(Attribute::optional("port", Type::Number))
                    .attribute(Attribute::optional("token_wo", Type::String).write_only()),
            )),
    )
}

/// A whole object with the secret in both write-only attributes.
fn with_secrets(id: Value) -> Value {
    Value::object([
        ("id", id),
        ("name", Value::string("ca")),
        ("key_wo", Value::string(SECRET)),
        (
            "rule",
            Value::list([Value::object([
                ("port", Value::number(443)),
                ("token_wo", Value::string(SECRET)),
            ])]),
        ),
    ])
}

/// The state echoing whatever it was given, with an id.
fn echo(v: &Value) -> Value {
    let mut v = v.clone();
    let _ = v.set_at(&AttributePath::root().attr("id"), Value::string("leaky-1"));
    v
}

#[async_trait]
impl RawResource for Leaky {
    fn type_name(&self) -> &str {
        "test_leaky"
    }
    fn schema(&self) -> Schema {
        schema()
    }
    async fn create(&self, req: CreateRequest) -> Applied {
        Applied::ok(echo(&req.config))
    }
    async fn read(&self, _req: ReadRequest) -> ReadResult {
        ReadResult::found(with_secrets(Value::string("leaky-1")), Vec::new())
    }
    async fn update(&self, req: UpdateRequest) -> Applied {
        Applied::ok(echo(&req.config))
    }
    async fn delete(&self, _req: DeleteRequest) -> Diagnostics {
        Diagnostics::new()
    }
    async fn import(&self, _req: ImportRequest) -> crate::diag::DiagResult<Value> {
        Ok(with_secrets(Value::string("leaky-1")))
    }
}

struct P;

#[async_trait]
impl Provider for P {
    fn type_name(&self) -> &str {
        "test"
    }
    fn schema(&self) -> Schema {
        Schema::new(Block::new())
    }
    fn resources(&self) -> Vec<Arc<dyn RawResource>> {
        vec![Arc::new(Leaky)]
    }
    async fn configure(&self, _req: ConfigureRequest) -> Diagnostics {
        Diagnostics::new()
    }
}

fn framework() -> Framework {
    Framework::new(Arc::new(P))
}

fn ty() -> Type {
    schema().value_type()
}

fn dv(v: &Value) -> Option<DynamicValue> {
    Some(DynamicValue::encode(v, &ty()).expect("encode"))
}

/// The state of a response, decoded, after checking it has no error.
fn state_of(resp: &StateResponse) -> Value {
    assert!(!resp.diagnostics.has_errors(), "{:?}", resp.diagnostics);
    resp.state
        .as_ref()
        .expect("a state")
        .decode(&ty())
        .expect("decode")
}

/// Both write-only attributes are null, and nothing else was lost.
fn assert_no_secret(state: &Value, what: &str) {
    assert_eq!(state.get("key_wo"), Some(&Value::Null), "{what}: {state:?}");
    let rules = state.get("rule").and_then(Value::as_list).unwrap_or(&[]);
    assert_eq!(rules.len(), 1, "{what}: {state:?}");
    assert_eq!(
        rules[0].get("token_wo"),
        Some(&Value::Null),
        "{what}: {state:?}"
    );
    assert_eq!(rules[0].get("port"), Some(&Value::number(443)), "{what}");
    assert_eq!(state.get("name"), Some(&Value::string("ca")), "{what}");
    assert!(!format!("{state:?}").contains(SECRET), "{what}: {state:?}");
}

fn apply(prior: &Value, config: &Value) -> ApplyRequest {
    // The plan Terraform sends has the write-only values nulled already.
    let mut planned = echo(config);
    plan::null_write_only(&schema().block, &mut planned);
    ApplyRequest {
        type_name: "test_leaky".into(),
        prior_state: dv(prior),
        planned_state: dv(&planned),
        config: dv(config),
        planned_private: Vec::new(),
    }
}

#[tokio::test]
async fn apply_never_returns_a_write_only_value_from_create_or_update() {
    let f = framework();
    let config = with_secrets(Value::Null);
    let created = f.apply_resource_change(apply(&Value::Null, &config)).await;
    assert_no_secret(&state_of(&created), "create");

    let mut prior = state_of(&created);
    let _ = prior.set_at(&AttributePath::root().attr("name"), Value::string("old"));
    let updated = f.apply_resource_change(apply(&prior, &config)).await;
    assert_no_secret(&state_of(&updated), "update");
}

#[test]
fn upgrade_state_never_returns_a_write_only_value() {
    // A state written by a provider that did store them (or edited by hand).
    let json = format!(
        r#"{{"id":"leaky-1","name":"ca","key_wo":"{SECRET}","rule":[{{"port":443,"token_wo":"{SECRET}"}}]}}"#
    );
    let resp = framework().upgrade_resource_state(UpgradeStateRequest {
        type_name: "test_leaky".into(),
        version: 0,
        json: json.into_bytes(),
        has_flatmap: false,
    });
    assert_no_secret(&state_of(&resp), "upgrade");
}

#[tokio::test]
async fn read_and_import_never_return_a_write_only_value() {
    let f = framework();
    let read = f
        .read_resource(ReadResourceRequest {
            type_name: "test_leaky".into(),
            current_state: dv(&with_secrets(Value::string("leaky-1"))),
            private: Vec::new(),
        })
        .await;
    assert_no_secret(&state_of(&read), "read");
    let imported = f
        .import_resource_state(ImportStateRequest {
            type_name: "test_leaky".into(),
            id: "leaky-1".into(),
            identity: None,
        })
        .await;
    assert_no_secret(&state_of(&imported), "import");
}
