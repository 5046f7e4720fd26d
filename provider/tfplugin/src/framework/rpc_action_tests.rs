//! The action RPCs at the framework, through a typed action: schemas and names in
//! GetProviderSchema/GetMetadata, validation with unknown and absent values at the
//! attribute, progress streamed before the one completion, and a crash or an
//! unknown value at invoke ending the run with an error, never a hung stream. The
//! wire test pins the field numbers of Terraform's tfplugin6.proto (v1.15.5).

use super::*;
use crate::framework::action::{Action, action};
use crate::provider::{ActionEvent, ActionProgress};
use crate::schema::{Attribute, Block};
use crate::value::Attr;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Deserialize, Serialize)]
struct CopyConfig {
    source: Attr<String>,
    destination: Attr<String>,
}

struct Copy;

#[async_trait]
impl Action for Copy {
    type Config = CopyConfig;
    const TYPE_NAME: &'static str = "test_copy";

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .attribute(Attribute::required("source", Type::String))
                .attribute(Attribute::required("destination", Type::String)),
        )
    }

    async fn validate(&self, c: &CopyConfig) -> Diagnostics {
        let mut d = Diagnostics::new();
        if let (Attr::Known(s), Attr::Known(t)) = (&c.source, &c.destination)
            && s == t
        {
            d.error_at(
                AttributePath::root().attr("destination"),
                "Same place",
                "Name another destination.",
            );
        }
        d
    }

    async fn plan(&self, c: &CopyConfig) -> Diagnostics {
        let mut d = Diagnostics::new();
        if c.source.known().is_some_and(|s| s == "missing") {
            d.error("No such source", "planned");
        }
        d
    }

    async fn invoke(&self, c: CopyConfig, progress: &mut ActionProgress) -> Diagnostics {
        let source = c.source.known().cloned().unwrap_or_default();
        if source == "crash" {
            panic!("copy crashed");
        }
        for step in ["one", "two", "three"] {
            progress.report(format!("{step} {source}")).await;
        }
        let mut d = Diagnostics::new();
        d.warning("Copied", source);
        d
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
        Vec::new()
    }
    fn actions(&self) -> Vec<Arc<dyn RawAction>> {
        vec![action(Copy)]
    }
    async fn configure(&self, _req: ConfigureRequest) -> Diagnostics {
        Diagnostics::new()
    }
}

fn config(source: Value, destination: Value) -> Option<DynamicValue> {
    let ty = Copy.schema().value_type();
    let v = Value::object([("source", source), ("destination", destination)]);
    Some(DynamicValue::encode(&v, &ty).expect("encode"))
}

async fn run(fw: &Framework, type_name: &str, c: Option<DynamicValue>) -> Vec<ActionEvent> {
    let mut rx = fw.invoke_action(type_name, c);
    let mut out = Vec::new();
    while let Some(e) = rx.recv().await {
        out.push(e);
    }
    out
}

#[test]
fn the_action_is_in_the_metadata_and_the_schemas() {
    let fw = Framework::new(Arc::new(P));
    assert_eq!(fw.metadata().actions, ["test_copy"]);
    let schemas = fw.provider_schema();
    let s = schemas.actions.get("test_copy").expect("schema");
    assert_eq!(s.block.attributes.len(), 2);
    assert!(schemas.resources.is_empty());
}

#[tokio::test]
async fn validation_is_at_the_attribute_and_waits_for_unknown_values() {
    let fw = Framework::new(Arc::new(P));
    let same = fw
        .validate_action_config("test_copy", config(Value::string("a"), Value::string("a")))
        .await;
    let d: Vec<_> = same.iter().collect();
    assert_eq!(d.len(), 1, "{same:?}");
    assert_eq!(
        d[0].attribute,
        Some(AttributePath::root().attr("destination"))
    );
    let unknown = fw
        .validate_action_config("test_copy", config(Value::string("a"), Value::unknown()))
        .await;
    assert!(unknown.is_empty(), "{unknown:?}");
    assert!(
        fw.validate_action_config("test_copy", None)
            .await
            .is_empty(),
        "an action block without config is checked when planned"
    );
    assert!(
        fw.validate_action_config("test_nothing", None)
            .await
            .has_errors()
    );
    let planned = fw
        .plan_action(
            "test_copy",
            config(Value::string("missing"), Value::string("b")),
        )
        .await;
    assert_eq!(
        planned.iter().next().map(|d| d.detail.as_str()),
        Some("planned")
    );
    let planned_same = fw
        .plan_action("test_copy", config(Value::string("a"), Value::string("a")))
        .await;
    assert!(
        planned_same.has_errors(),
        "plan checks what validate checks"
    );
}

#[tokio::test]
async fn progress_streams_before_the_one_completion() {
    let fw = Framework::new(Arc::new(P));
    let got = run(
        &fw,
        "test_copy",
        config(Value::string("b-1"), Value::string("west")),
    )
    .await;
    let texts: Vec<String> = got
        .iter()
        .map(|e| match e {
            ActionEvent::Progress(m) => m.clone(),
            ActionEvent::Completed(d) => format!("done {}", d.iter().count()),
        })
        .collect();
    assert_eq!(texts, ["one b-1", "two b-1", "three b-1", "done 1"]);
}

#[tokio::test]
async fn a_crash_or_an_unknown_value_completes_with_an_error() {
    let fw = Framework::new(Arc::new(P));
    let cases = [
        ("crash", config(Value::string("crash"), Value::string("w"))),
        ("unknown", config(Value::unknown(), Value::string("w"))),
    ];
    for (name, c) in cases {
        let got = run(&fw, "test_copy", c).await;
        assert_eq!(got.len(), 1, "{name}: {got:?}");
        let ActionEvent::Completed(d) = &got[0] else {
            panic!("{name}: {got:?}");
        };
        assert!(d.has_errors(), "{name}");
    }
    let got = run(&fw, "test_nothing", None).await;
    assert!(matches!(&got[..], [ActionEvent::Completed(d)] if d.has_errors()));
}

#[test]
fn the_action_fields_have_terraforms_numbers() {
    use crate::proto::tfplugin6 as pb;
    use prost::Message;
    let m = pb::get_metadata::Response {
        actions: vec![pb::get_metadata::ActionMetadata {
            type_name: "a".into(),
        }],
        ..Default::default()
    };
    // field 9, length-delimited: (9 << 3) | 2
    assert_eq!(m.encode_to_vec()[0], (9 << 3) | 2);
    let s = pb::get_provider_schema::Response {
        action_schemas: [("a".to_string(), pb::ActionSchema::default())].into(),
        ..Default::default()
    };
    assert_eq!(s.encode_to_vec()[0], (11 << 3) | 2);
    let e = pb::invoke_action::Event {
        r#type: Some(pb::invoke_action::event::Type::Completed(
            pb::invoke_action::event::Completed::default(),
        )),
    };
    assert_eq!(e.encode_to_vec()[0], (2 << 3) | 2);
    let p = pb::plan_action::Response {
        deferred: Some(pb::Deferred::default()),
        ..Default::default()
    };
    assert_eq!(p.encode_to_vec()[0], (2 << 3) | 2);
}
