//! ListResource and MoveResourceState at the framework: the limit stops the list
//! (and its paging), identities and objects are encoded with the managed resource's
//! types, a list resource without a managed resource of its name is refused, and a
//! resource that takes no moved sources says how to adopt the object instead.

use super::*;
use crate::provider::{Applied, ListEvent, ListRequest, ListSink, ReadResult, UpdateRequest};
use crate::schema::{Attribute, Block};
use async_trait::async_trait;
use std::sync::atomic::{AtomicUsize, Ordering};

struct Thing;

fn schema() -> Schema {
    Schema::new(
        Block::new()
            .attribute(Attribute::computed("id", Type::String))
            .attribute(Attribute::optional("name", Type::String))
            .attribute(Attribute::optional("note", Type::String)),
    )
}

fn identity_schema() -> IdentitySchema {
    IdentitySchema::new().required("id", Type::String, "The id.")
}

#[async_trait]
impl RawResource for Thing {
    fn type_name(&self) -> &str {
        "test_thing"
    }
    fn schema(&self) -> Schema {
        schema()
    }
    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(identity_schema())
    }
    async fn create(&self, req: CreateRequest) -> Applied {
        Applied::ok(req.planned)
    }
    async fn read(&self, req: ReadRequest) -> ReadResult {
        ReadResult::found(req.state, req.private)
    }
    async fn update(&self, req: UpdateRequest) -> Applied {
        Applied::ok(req.planned)
    }
    async fn delete(&self, _req: DeleteRequest) -> Diagnostics {
        Diagnostics::new()
    }
}

/// Lists 100 things, one "page" per item, counting how many it produced.
struct Things {
    name: &'static str,
    produced: Arc<AtomicUsize>,
}

#[async_trait]
impl RawListResource for Things {
    fn type_name(&self) -> &str {
        self.name
    }
    fn schema(&self) -> Schema {
        Schema::new(Block::new().attribute(Attribute::optional("prefix", Type::String)))
    }
    async fn list(&self, req: ListRequest, sink: &mut ListSink) {
        let prefix = match req.config.get("prefix") {
            Some(Value::String(p)) => p.clone(),
            _ => "thing".to_string(),
        };
        for i in 0..100 {
            self.produced.fetch_add(1, Ordering::SeqCst);
            let id = Value::object([("id", Value::string(format!("{prefix}-{i}")))]);
            let object = req.include_resource_object.then(|| {
                Value::object([
                    ("id", Value::string(format!("{prefix}-{i}"))),
                    ("name", Value::string("n")),
                    ("note", Value::Null),
                ])
            });
            if !sink.found(&id, format!("#{i}"), object.as_ref()).await {
                return;
            }
        }
    }
}

struct P(Arc<AtomicUsize>);

#[async_trait]
impl Provider for P {
    fn type_name(&self) -> &str {
        "test"
    }
    fn schema(&self) -> Schema {
        Schema::new(Block::new())
    }
    fn resources(&self) -> Vec<Arc<dyn RawResource>> {
        vec![Arc::new(Thing)]
    }
    fn list_resources(&self) -> Vec<Arc<dyn RawListResource>> {
        vec![
            Arc::new(Things {
                name: "test_thing",
                produced: self.0.clone(),
            }),
            Arc::new(Things {
                name: "test_orphan",
                produced: self.0.clone(),
            }),
        ]
    }
    async fn configure(&self, _req: ConfigureRequest) -> Diagnostics {
        Diagnostics::new()
    }
}

async fn events(fw: &Framework, type_name: &str, include: bool, limit: i64) -> Vec<ListEvent> {
    let mut rx = fw.list_resource(ListResourceRequest {
        type_name: type_name.into(),
        config: None,
        include_resource_object: include,
        limit,
    });
    let mut out = Vec::new();
    while let Some(e) = rx.recv().await {
        out.push(e);
    }
    out
}

#[tokio::test]
async fn the_limit_ends_the_list_and_identities_use_the_resources_identity_type() {
    let produced = Arc::new(AtomicUsize::new(0));
    let fw = Framework::new(Arc::new(P(produced.clone())));
    let got = events(&fw, "test_thing", false, 5).await;
    assert_eq!(got.len(), 5);
    assert_eq!(
        produced.load(Ordering::SeqCst),
        5,
        "no paging past the limit"
    );
    let id = got[4]
        .identity
        .as_ref()
        .expect("identity")
        .decode(&identity_schema().value_type())
        .expect("decode");
    assert_eq!(id.get("id"), Some(&Value::string("thing-4")));
    assert_eq!(got[4].display_name, "#4");
    assert!(got[4].resource_object.is_none(), "not asked for");

    let with_objects = events(&fw, "test_thing", true, 2).await;
    let object = with_objects[1]
        .resource_object
        .as_ref()
        .expect("object")
        .decode(&schema().value_type())
        .expect("decode");
    assert_eq!(object.get("id"), Some(&Value::string("thing-1")));
    assert!(
        fw.metadata()
            .list_resources
            .contains(&"test_thing".to_string())
    );
}

#[tokio::test]
async fn a_list_resource_needs_a_managed_resource_with_identity_and_unknown_names_are_refused() {
    let fw = Framework::new(Arc::new(P(Arc::default())));
    for name in ["test_orphan", "test_nothing"] {
        let got = events(&fw, name, false, 10).await;
        assert_eq!(got.len(), 1, "{name}");
        assert!(got[0].diagnostics.has_errors(), "{name}");
        assert!(got[0].identity.is_none());
    }
}

#[test]
fn a_resource_that_takes_no_moved_sources_says_how_to_adopt_the_object() {
    let fw = Framework::new(Arc::new(P(Arc::default())));
    let resp = fw.move_resource_state(
        "test_thing",
        MoveRequest {
            source_provider_address: "registry.terraform.io/hashicorp/aws".into(),
            source_type_name: "aws_thing".into(),
            source_schema_version: 0,
            source_json: br#"{"id":"x"}"#.to_vec(),
        },
    );
    assert!(resp.state.is_none());
    let d = resp.diagnostics.iter().next().expect("a diagnostic");
    assert!(d.detail.contains("aws_thing"), "{}", d.detail);
    assert!(d.detail.contains("import"), "{}", d.detail);
    assert!(d.detail.contains("destroy = false"), "{}", d.detail);
}

#[test]
fn generated_configuration_leaves_out_read_only_attributes_and_empty_strings() {
    let fw = Framework::new(Arc::new(P(Arc::default())));
    let state = Value::object([
        ("id", Value::string("thing-1")),
        ("name", Value::string("kept")),
        ("note", Value::string("")),
    ]);
    let ty = schema().value_type();
    let resp = fw.generate_resource_config(
        "test_thing",
        Some(DynamicValue::encode(&state, &ty).expect("encode")),
    );
    assert!(!resp.diagnostics.has_errors(), "{:?}", resp.diagnostics);
    let config = resp.state.expect("config").decode(&ty).expect("decode");
    assert_eq!(config.get("id"), Some(&Value::Null), "read-only");
    assert_eq!(config.get("name"), Some(&Value::string("kept")));
    assert_eq!(config.get("note"), Some(&Value::Null), "\"\" is null");
}

/// What the sink sends Terraform when an object does not encode, or the list resource
/// reports a problem: the diagnostics reach Terraform and an error ends the list.
#[tokio::test]
async fn the_sink_sends_encoding_errors_and_reported_diagnostics_and_stops_on_errors() {
    let identity_ty = Type::object([("id", Type::String)]);
    let (tx, mut rx) = tokio::sync::mpsc::channel(8);
    let mut sink = ListSink::new(tx, 10, identity_ty, schema().block.value_type());
    // An identity that is not of the identity type.
    let more = sink
        .found(&Value::Bool(true), "not an identity".into(), None)
        .await;
    assert!(!more);
    assert!(!sink.wants_more());
    let event = rx.recv().await.expect("an event");
    assert!(event.identity.is_none());
    assert_eq!(
        event.diagnostics.iter().next().map(|d| d.summary.as_str()),
        Some("Provider produced a value that does not match its schema")
    );
    let (tx, mut rx) = tokio::sync::mpsc::channel(8);
    let mut sink = ListSink::new(
        tx,
        10,
        Type::object([("id", Type::String)]),
        schema().block.value_type(),
    );
    sink.diagnostics(crate::diag::Diagnostic::warning("Partial list", "one page failed").into())
        .await;
    assert!(sink.wants_more(), "a warning does not end the list");
    let event = rx.recv().await.expect("an event");
    assert_eq!(
        event.diagnostics.iter().next().map(|d| d.summary.as_str()),
        Some("Partial list")
    );
    sink.diagnostics(crate::diag::Diagnostic::error("Listing failed", "AccessDenied").into())
        .await;
    assert!(!sink.wants_more());
    let event = rx.recv().await.expect("an event");
    assert!(event.diagnostics.has_errors());
}
