//! Wholly known stand-ins for values only AWS could supply: data sources are read
//! during plan, and anything built from their results (bucket names, ARNs, zone
//! lists) must be known for the plan to say something.

use std::sync::{Arc, Mutex};
use tfplugin::schema::Block;
use tfplugin::value::{Type, Value};

/// The region of the provider configuration, shared with the data sources.
#[derive(Clone, Default)]
pub struct Region(Arc<Mutex<Option<String>>>);

impl Region {
    pub fn set(&self, region: &str) {
        if let Ok(mut r) = self.0.lock() {
            *r = Some(region.to_string());
        }
    }

    fn get(&self) -> String {
        self.0
            .lock()
            .ok()
            .and_then(|r| r.clone())
            .unwrap_or_else(|| "us-east-1".to_string())
    }
}

/// A value that a generic placeholder would make useless to the configuration.
enum Known {
    Text(&'static str),
    /// The data source's `region` argument, else the provider's, else us-east-1.
    Region,
    /// Three zones of that region: `<region>a`, `b`, `c`.
    Zones,
}

const ACCOUNT_ID: &str = "123456789012";
const EMPTY_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[]}"#;

/// (data source or "*" for any, top-level attribute, value).
const KNOWN: &[(&str, &str, Known)] = &[
    ("*", "region", Known::Region),
    ("aws_region", "name", Known::Region),
    ("aws_availability_zones", "names", Known::Zones),
    ("aws_caller_identity", "account_id", Known::Text(ACCOUNT_ID)),
    (
        "aws_caller_identity",
        "arn",
        Known::Text("arn:aws:iam::123456789012:user/schema-only"),
    ),
    ("aws_partition", "partition", Known::Text("aws")),
    ("aws_partition", "dns_suffix", Known::Text("amazonaws.com")),
    ("aws_iam_policy_document", "json", Known::Text(EMPTY_POLICY)),
    (
        "aws_iam_policy_document",
        "minified_json",
        Known::Text(EMPTY_POLICY),
    ),
];

/// A type-appropriate known value: `schema-only-<name>` for strings (and dynamic),
/// 0, false, empty collections, objects of placeholders.
pub fn placeholder(ty: &Type, name: &str) -> Value {
    match ty {
        Type::String | Type::Dynamic => Value::string(format!("schema-only-{name}")),
        Type::Number => Value::number(0),
        Type::Bool => Value::Bool(false),
        Type::List(_) => Value::list([]),
        Type::Set(_) => Value::set([]),
        Type::Map(_) => Value::map(std::iter::empty::<(String, Value)>()),
        Type::Object { attributes, .. } => {
            Value::object(attributes.iter().map(|(k, t)| (k, placeholder(t, k))))
        }
        Type::Tuple(types) => Value::tuple(types.iter().map(|t| placeholder(t, name))),
    }
}

/// The state of data source `name` read with configuration `state`: every computed
/// attribute the configuration leaves null (or unknown) gets a known value.
pub fn fill_data_source(name: &str, block: &Block, state: &mut Value, provider_region: &Region) {
    let region = state
        .get("region")
        .and_then(Value::as_str)
        .map(String::from)
        .unwrap_or_else(|| provider_region.get());
    let known = |attr: &str| {
        KNOWN
            .iter()
            .find(|(ds, a, _)| (*ds == name || *ds == "*") && *a == attr)
            .map(|(_, _, k)| match k {
                Known::Text(t) => Value::string(*t),
                Known::Region => Value::string(&region),
                Known::Zones => {
                    Value::list(["a", "b", "c"].map(|z| Value::string(format!("{region}{z}"))))
                }
            })
    };
    fill(block, state, &known);
}

fn fill(block: &Block, obj: &mut Value, known: &dyn Fn(&str) -> Option<Value>) {
    let Value::Object(attrs) = obj else { return };
    for a in &block.attributes {
        let slot = attrs.entry(a.name.clone()).or_insert(Value::Null);
        let missing = slot.is_null() && a.computed;
        if missing || !slot.is_fully_known() {
            *slot = known(&a.name).unwrap_or_else(|| placeholder(&a.value_type(), &a.name));
        }
    }
    // Values inside nested blocks come from configuration; only their computed
    // attributes need filling, and no well-known value lives there.
    let no_known = |_: &str| None;
    for b in &block.blocks {
        match attrs.get_mut(&b.name) {
            Some(Value::List(items) | Value::Set(items)) => {
                for item in items {
                    fill(&b.block, item, &no_known);
                }
            }
            Some(Value::Map(items)) => {
                for item in items.values_mut() {
                    fill(&b.block, item, &no_known);
                }
            }
            Some(single @ Value::Object(_)) => fill(&b.block, single, &no_known),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::schema::{Attribute, NestedBlock};

    fn block() -> Block {
        Block::new()
            .attribute(Attribute::optional_computed("region", Type::String))
            .attribute(Attribute::computed("names", Type::list(Type::String)))
            .attribute(Attribute::computed("count", Type::Number))
            .attribute(Attribute::optional("state", Type::String))
            .block(NestedBlock::set(
                "filter",
                Block::new()
                    .attribute(Attribute::required("name", Type::String))
                    .attribute(Attribute::computed("id", Type::String)),
            ))
    }

    #[test]
    fn availability_zones_are_three_in_the_provider_region() {
        let region = Region::default();
        region.set("eu-west-1");
        let mut state = Value::object([
            ("region", Value::Null),
            ("names", Value::Null),
            ("count", Value::Null),
            ("state", Value::Null),
            ("filter", Value::Null),
        ]);
        fill_data_source("aws_availability_zones", &block(), &mut state, &region);
        assert_eq!(state.get("region"), Some(&Value::string("eu-west-1")));
        let names = state.get("names").and_then(Value::as_list).unwrap_or(&[]);
        assert_eq!(names.len(), 3);
        assert_eq!(names[2], Value::string("eu-west-1c"));
        assert_eq!(state.get("count"), Some(&Value::number(0)));
        // Optional, not computed: stays as configured.
        assert_eq!(state.get("state"), Some(&Value::Null));
        assert!(state.is_fully_known());
    }

    #[test]
    fn computed_attributes_inside_configured_blocks_are_filled() {
        let mut state = Value::object([
            ("region", Value::string("us-west-2")),
            ("names", Value::Null),
            ("count", Value::Null),
            ("state", Value::unknown()),
            (
                "filter",
                Value::set([Value::object([
                    ("name", Value::string("x")),
                    ("id", Value::Null),
                ])]),
            ),
        ]);
        fill_data_source("aws_other", &block(), &mut state, &Region::default());
        assert_eq!(state.get("region"), Some(&Value::string("us-west-2")));
        assert_eq!(state.get("names"), Some(&Value::list([])));
        assert_eq!(
            state.get("state"),
            Some(&Value::string("schema-only-state"))
        );
        let filter = state.get("filter").and_then(Value::as_list).unwrap_or(&[]);
        assert_eq!(filter[0].get("id"), Some(&Value::string("schema-only-id")));
    }

    #[test]
    fn object_placeholders_have_every_attribute() {
        let ty = Type::object([("a", Type::Bool), ("b", Type::map(Type::String))]);
        let v = placeholder(&ty, "x");
        assert_eq!(v.get("a"), Some(&Value::Bool(false)));
        assert!(v.is_fully_known());
    }
}
