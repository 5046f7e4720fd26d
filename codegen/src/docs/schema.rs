//! The schema part of a page, from `terraform providers schema -json`: attributes
//! grouped as Required / Optional / Read-Only, nested blocks and nested attributes
//! each in a section of their own with an anchor, as the Terraform Registry shows them.

use serde_json::{Map, Value};

/// A nested schema still to render: its anchor, title and JSON.
struct Pending {
    anchor: String,
    title: String,
    block: Value,
}

fn obj(v: &Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

fn flag(v: &Value, k: &str) -> bool {
    v.get(k).and_then(Value::as_bool).unwrap_or(false)
}

/// A JSON type constraint in the Registry's words: `String`, `List of String`, ...
pub fn type_name(t: &Value) -> String {
    match t {
        Value::String(s) => match s.as_str() {
            "string" => "String".into(),
            "number" => "Number".into(),
            "bool" => "Boolean".into(),
            "dynamic" => "Dynamic".into(),
            other => other.into(),
        },
        Value::Array(a) => match (a.first().and_then(Value::as_str), a.get(1)) {
            (Some("list"), Some(e)) => format!("List of {}", type_name(e)),
            (Some("set"), Some(e)) => format!("Set of {}", type_name(e)),
            (Some("map"), Some(e)) => format!("Map of {}", type_name(e)),
            (Some("object"), _) => "Object".into(),
            (Some("tuple"), _) => "Tuple".into(),
            _ => "Dynamic".into(),
        },
        _ => "Dynamic".into(),
    }
}

/// Text of a description, one line (the Registry shows each attribute as one bullet).
fn one_line(d: &Value) -> String {
    d.get("description")
        .and_then(Value::as_str)
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Renders a block and every block nested in it, starting with `## Schema`.
pub fn render(block: &Value, anchor_prefix: &str) -> String {
    let mut out = String::from("## Schema\n");
    let mut pending = Vec::new();
    render_block(block, anchor_prefix, &mut out, &mut pending);
    while !pending.is_empty() {
        let next: Vec<Pending> = std::mem::take(&mut pending);
        for p in next {
            out.push_str(&format!(
                "\n<a id=\"{}\"></a>\n### Nested Schema for `{}`\n",
                p.anchor, p.title
            ));
            render_block(&p.block, &p.anchor, &mut out, &mut pending);
        }
    }
    out
}

/// Anchors are unique per path: `nestedblock--tier`, `nestedblock--tier--rule`.
fn child_anchor(parent: &str, kind: &str, name: &str) -> String {
    if parent.is_empty() {
        format!("{kind}--{name}")
    } else {
        format!("{parent}--{name}")
    }
}

fn render_block(block: &Value, anchor: &str, out: &mut String, pending: &mut Vec<Pending>) {
    let mut required = Vec::new();
    let mut optional = Vec::new();
    let mut read_only = Vec::new();
    let attrs = obj(&block["attributes"]);
    let mut names: Vec<&String> = attrs.keys().collect();
    names.sort();
    for name in names {
        let a = &attrs[name];
        let mut traits = Vec::new();
        let (kind, nested) = match a.get("nested_type") {
            Some(n) => {
                let mode = n["nesting_mode"].as_str().unwrap_or("single");
                let title = match mode {
                    "list" => "List of Attributes",
                    "set" => "Set of Attributes",
                    "map" => "Map of Attributes",
                    _ => "Attributes",
                };
                (title.to_string(), Some(n.clone()))
            }
            None => (type_name(&a["type"]), None),
        };
        traits.push(kind);
        if flag(a, "sensitive") {
            traits.push("Sensitive".into());
        }
        if flag(a, "write_only") {
            traits.push("Write-only".into());
        }
        if flag(a, "deprecated") {
            traits.push("Deprecated".into());
        }
        let mut line = format!("- `{name}` ({})", traits.join(", "));
        let desc = one_line(a);
        if !desc.is_empty() {
            line.push(' ');
            line.push_str(&desc);
        }
        if let Some(n) = nested {
            let id = child_anchor(anchor, "nestedatt", name);
            line.push_str(&format!(" (see [below for nested schema](#{id}))"));
            pending.push(Pending {
                anchor: id,
                title: name.clone(),
                block: serde_json::json!({ "attributes": n["attributes"] }),
            });
        }
        let group = if flag(a, "required") {
            &mut required
        } else if flag(a, "optional") {
            &mut optional
        } else {
            &mut read_only
        };
        group.push(line);
    }
    let blocks = obj(&block["block_types"]);
    let mut bnames: Vec<&String> = blocks.keys().collect();
    bnames.sort();
    for name in bnames {
        let b = &blocks[name];
        let mode = b["nesting_mode"].as_str().unwrap_or("single");
        let mut kind = match mode {
            "list" => "Block List".to_string(),
            "set" => "Block Set".to_string(),
            "map" => "Block Map".to_string(),
            _ => "Block".to_string(),
        };
        let min = b["min_items"].as_i64().unwrap_or(0);
        let max = b["max_items"].as_i64().unwrap_or(0);
        if min > 0 {
            kind.push_str(&format!(", Min: {min}"));
        }
        if max > 0 {
            kind.push_str(&format!(", Max: {max}"));
        }
        let id = child_anchor(anchor, "nestedblock", name);
        let desc = one_line(&b["block"]);
        let mut line = format!("- `{name}` ({kind})");
        if !desc.is_empty() {
            line.push(' ');
            line.push_str(&desc);
        }
        line.push_str(&format!(" (see [below for nested schema](#{id}))"));
        pending.push(Pending {
            anchor: id,
            title: name.clone(),
            block: b["block"].clone(),
        });
        if min > 0 {
            required.push(line);
        } else {
            optional.push(line);
        }
    }
    for (title, lines) in [
        ("Required", required),
        ("Optional", optional),
        ("Read-Only", read_only),
    ] {
        if !lines.is_empty() {
            out.push_str(&format!("\n### {title}\n\n{}\n", lines.join("\n")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn types_read_as_the_registry_writes_them() {
        assert_eq!(type_name(&json!("string")), "String");
        assert_eq!(type_name(&json!(["list", "string"])), "List of String");
        assert_eq!(
            type_name(&json!(["map", ["list", ["object", {}]]])),
            "Map of List of Object"
        );
    }

    #[test]
    fn attributes_are_grouped_and_nested_blocks_get_sections() {
        let block = json!({
            "attributes": {
                "name": {"type": "string", "required": true, "description": "The name."},
                "key_wo": {"type": "string", "optional": true, "sensitive": true, "write_only": true, "description": "Key."},
                "id": {"type": "string", "computed": true}
            },
            "block_types": {
                "tier": {"nesting_mode": "list", "min_items": 1, "block": {
                    "attributes": {"kind": {"type": "string", "required": true, "description": "Kind."}}
                }}
            }
        });
        let out = render(&block, "");
        assert!(out.contains("### Required\n\n- `name` (String) The name.\n- `tier` (Block List, Min: 1) (see [below for nested schema](#nestedblock--tier))"), "{out}");
        assert!(
            out.contains("### Optional\n\n- `key_wo` (String, Sensitive, Write-only) Key."),
            "{out}"
        );
        assert!(out.contains("### Read-Only\n\n- `id` (String)"), "{out}");
        assert!(out.contains("<a id=\"nestedblock--tier\"></a>\n### Nested Schema for `tier`\n\n### Required\n\n- `kind` (String) Kind."), "{out}");
    }
}
