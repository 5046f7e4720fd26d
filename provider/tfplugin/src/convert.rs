//! Pure conversions between the public types and the generated protocol messages.

use crate::diag::{Diagnostic, Diagnostics, Severity};
use crate::framework::rpc::{ClientCapabilities, ServerCapabilities};
use crate::proto::tfplugin6 as pb;
use crate::provider::{Parameter, Signature};
use crate::schema::{
    Attribute, AttributeType, Block, Description, IdentitySchema, NestedBlock, NestingMode,
    ObjectNesting, Schema, StringKind,
};
use crate::value::{AttributePath, DynamicValue, PathStep, Value};

pub(crate) fn diagnostic(d: &Diagnostic) -> pb::Diagnostic {
    pb::Diagnostic {
        severity: match d.severity {
            Severity::Error => pb::diagnostic::Severity::Error as i32,
            Severity::Warning => pb::diagnostic::Severity::Warning as i32,
        },
        // Diagnostics reach the terminal and CI logs: no known credential in them.
        summary: crate::logging::redact::redact_known(&d.summary),
        detail: crate::logging::redact::redact_known(&d.detail),
        attribute: d.attribute.as_ref().map(attribute_path),
    }
}

pub(crate) fn diagnostics(ds: &Diagnostics) -> Vec<pb::Diagnostic> {
    ds.iter().map(diagnostic).collect()
}

pub(crate) fn attribute_path(p: &AttributePath) -> pb::AttributePath {
    use pb::attribute_path::{Step, step::Selector};
    pb::AttributePath {
        steps: p
            .steps
            .iter()
            .map(|s| Step {
                selector: Some(match s {
                    PathStep::Attribute(n) => Selector::AttributeName(n.clone()),
                    PathStep::ElementKeyString(k) => Selector::ElementKeyString(k.clone()),
                    PathStep::ElementKeyInt(i) => Selector::ElementKeyInt(*i),
                }),
            })
            .collect(),
    }
}

fn kind(k: StringKind) -> i32 {
    match k {
        StringKind::Plain => pb::StringKind::Plain as i32,
        StringKind::Markdown => pb::StringKind::Markdown as i32,
    }
}

fn desc(d: &Description) -> (String, i32) {
    (d.text.clone(), kind(d.kind))
}

pub(crate) fn schema(s: &Schema) -> pb::Schema {
    pb::Schema {
        version: s.version,
        block: Some(block(&s.block, s.version)),
    }
}

fn block(b: &Block, version: i64) -> pb::schema::Block {
    let (description, description_kind) = desc(&b.description);
    pb::schema::Block {
        version,
        attributes: b.attributes.iter().map(attribute).collect(),
        block_types: b.blocks.iter().map(nested_block).collect(),
        description,
        description_kind,
        deprecated: b.deprecation.is_some(),
        deprecation_message: b.deprecation.clone().unwrap_or_default(),
    }
}

/// An attribute's description with what the schema knows but Terraform does not show:
/// its static default and whether changing it replaces the object.
fn attribute_description(a: &Attribute) -> (String, i32) {
    let (mut text, kind) = desc(&a.description);
    let lower = text.to_lowercase();
    let literal = a.default.as_ref().and_then(|d| match d {
        Value::String(s) => Some(format!("\"{s}\"")),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    });
    if let Some(l) = literal
        && !lower.contains("default")
    {
        let l = if kind == pb::StringKind::Markdown as i32 {
            format!("`{l}`")
        } else {
            l
        };
        text = format!("{} Defaults to {l}.", text.trim_end());
    }
    if a.requires_replace && !lower.contains("replace") {
        text = format!("{} Changing it replaces the object.", text.trim_end());
    }
    (text.trim().to_string(), kind)
}

fn attribute(a: &Attribute) -> pb::schema::Attribute {
    let (description, description_kind) = attribute_description(a);
    let (ty, nested_type) = match &a.ty {
        AttributeType::Type(t) => (t.to_json_bytes(), None),
        AttributeType::Nested {
            nesting,
            attributes,
        } => (
            Vec::new(),
            Some(pb::schema::Object {
                attributes: attributes.iter().map(attribute).collect(),
                nesting: match nesting {
                    ObjectNesting::Single => pb::schema::object::NestingMode::Single,
                    ObjectNesting::List => pb::schema::object::NestingMode::List,
                    ObjectNesting::Set => pb::schema::object::NestingMode::Set,
                    ObjectNesting::Map => pb::schema::object::NestingMode::Map,
                } as i32,
            }),
        ),
    };
    pb::schema::Attribute {
        name: a.name.clone(),
        r#type: ty,
        nested_type,
        description,
        description_kind,
        required: a.required,
        optional: a.optional,
        computed: a.computed,
        sensitive: a.sensitive,
        deprecated: a.deprecation.is_some(),
        deprecation_message: a.deprecation.clone().unwrap_or_default(),
        write_only: a.write_only,
    }
}

fn nested_block(b: &NestedBlock) -> pb::schema::NestedBlock {
    use pb::schema::nested_block::NestingMode as M;
    pb::schema::NestedBlock {
        type_name: b.name.clone(),
        block: Some(block(&b.block, 0)),
        nesting: match b.nesting {
            NestingMode::Single => M::Single,
            NestingMode::List => M::List,
            NestingMode::Set => M::Set,
            NestingMode::Map => M::Map,
            NestingMode::Group => M::Group,
        } as i32,
        min_items: b.min_items,
        max_items: b.max_items,
    }
}

fn parameter(p: &Parameter) -> pb::function::Parameter {
    pb::function::Parameter {
        name: p.name.clone(),
        r#type: p.ty.to_json_bytes(),
        allow_null_value: p.allow_null,
        allow_unknown_values: p.allow_unknown,
        description: p.description.clone(),
        description_kind: pb::StringKind::Plain as i32,
    }
}

pub(crate) fn function(s: &Signature) -> pb::Function {
    pb::Function {
        parameters: s.parameters.iter().map(parameter).collect(),
        variadic_parameter: s.variadic.as_ref().map(parameter),
        r#return: Some(pb::function::Return {
            r#type: s.return_type.to_json_bytes(),
        }),
        summary: s.summary.clone(),
        description: s.description.clone(),
        description_kind: pb::StringKind::Plain as i32,
        deprecation_message: String::new(),
    }
}

pub(crate) fn identity_schema(s: &IdentitySchema) -> pb::ResourceIdentitySchema {
    pb::ResourceIdentitySchema {
        version: s.version,
        identity_attributes: s
            .attributes
            .iter()
            .map(|a| pb::resource_identity_schema::IdentityAttribute {
                name: a.name.clone(),
                r#type: a.ty.to_json_bytes(),
                required_for_import: a.required_for_import,
                optional_for_import: a.optional_for_import,
                description: a.description.clone(),
            })
            .collect(),
    }
}

pub(crate) fn from_dynamic(dv: Option<pb::DynamicValue>) -> Option<DynamicValue> {
    dv.map(|d| DynamicValue {
        msgpack: d.msgpack,
        json: d.json,
    })
}

pub(crate) fn dynamic(dv: DynamicValue) -> pb::DynamicValue {
    pb::DynamicValue {
        msgpack: dv.msgpack,
        json: dv.json,
    }
}

pub(crate) fn from_identity(id: Option<pb::ResourceIdentityData>) -> Option<DynamicValue> {
    id.and_then(|i| from_dynamic(i.identity_data))
}

pub(crate) fn identity(dv: Option<DynamicValue>) -> Option<pb::ResourceIdentityData> {
    dv.map(|d| pb::ResourceIdentityData {
        identity_data: Some(dynamic(d)),
    })
}

pub(crate) fn client_capabilities(c: Option<pb::ClientCapabilities>) -> ClientCapabilities {
    c.map(|c| ClientCapabilities {
        write_only_attributes_allowed: c.write_only_attributes_allowed,
    })
    .unwrap_or_default()
}

pub(crate) fn server_capabilities(c: ServerCapabilities) -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: c.plan_destroy,
        get_provider_schema_optional: c.get_provider_schema_optional,
        move_resource_state: c.move_resource_state,
        generate_resource_config: c.generate_resource_config,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Type;

    #[test]
    fn descriptions_say_the_default_and_replacement() {
        let a = Attribute::optional("mode", Type::String)
            .default_value(Value::string("FIPS"))
            .requires_replace()
            .description("FIPS or NON_FIPS.");
        assert_eq!(
            attribute_description(&a).0,
            "FIPS or NON_FIPS. Defaults to \"FIPS\". Changing it replaces the object."
        );
        let b = Attribute::optional("x", Type::Bool)
            .default_value(Value::Bool(true))
            .description("Defaults to on, for reasons.");
        assert_eq!(attribute_description(&b).0, "Defaults to on, for reasons.");
    }
}
