//! Terraform types and their JSON type-constraint form.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::error::ValueError;
use super::path::{AttributePath, PathStep};

/// Deeper type constraints than this are refused rather than risking the stack.
const MAX_TYPE_DEPTH: usize = 64;

/// A Terraform type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Type {
    Bool,
    Number,
    String,
    /// Any type; the value carries its own type on the wire.
    Dynamic,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object {
        attributes: BTreeMap<String, Type>,
        /// Attributes that may be omitted in configuration (Terraform's
        /// `optional(...)`). On the wire an object always has every attribute.
        optional: BTreeSet<String>,
    },
    Tuple(Vec<Type>),
}

impl Type {
    pub fn list(element: Type) -> Type {
        Type::List(Box::new(element))
    }

    pub fn set(element: Type) -> Type {
        Type::Set(Box::new(element))
    }

    pub fn map(element: Type) -> Type {
        Type::Map(Box::new(element))
    }

    pub fn tuple(elements: impl IntoIterator<Item = Type>) -> Type {
        Type::Tuple(elements.into_iter().collect())
    }

    /// An object type without optional attributes.
    pub fn object<K: Into<String>>(attributes: impl IntoIterator<Item = (K, Type)>) -> Type {
        Type::Object {
            attributes: attributes.into_iter().map(|(k, t)| (k.into(), t)).collect(),
            optional: BTreeSet::new(),
        }
    }

    /// An object type where the attributes named in `optional` are optional.
    pub fn object_with_optional<K: Into<String>, O: Into<String>>(
        attributes: impl IntoIterator<Item = (K, Type)>,
        optional: impl IntoIterator<Item = O>,
    ) -> Type {
        Type::Object {
            attributes: attributes.into_iter().map(|(k, t)| (k.into(), t)).collect(),
            optional: optional.into_iter().map(Into::into).collect(),
        }
    }

    pub fn is_primitive(&self) -> bool {
        matches!(self, Type::Bool | Type::Number | Type::String)
    }

    /// List, set or map: the types with one element type and a length.
    pub fn is_collection(&self) -> bool {
        matches!(self, Type::List(_) | Type::Set(_) | Type::Map(_))
    }

    /// The element type of a list, set or map.
    pub fn element_type(&self) -> Option<&Type> {
        match self {
            Type::List(t) | Type::Set(t) | Type::Map(t) => Some(t),
            _ => None,
        }
    }

    /// The type of an object attribute.
    pub fn attribute_type(&self, name: &str) -> Option<&Type> {
        match self {
            Type::Object { attributes, .. } => attributes.get(name),
            _ => None,
        }
    }

    /// The type of the part of a value of this type that `path` leads to.
    /// Below `Dynamic` everything is `Dynamic`.
    pub fn at(&self, path: &AttributePath) -> Option<&Type> {
        let mut ty = self;
        for step in &path.steps {
            ty = match (ty, step) {
                (Type::Dynamic, _) => return Some(&Type::Dynamic),
                (Type::Object { attributes, .. }, PathStep::Attribute(name)) => {
                    attributes.get(name)?
                }
                (Type::Map(t), PathStep::ElementKeyString(_)) => t,
                (Type::List(t) | Type::Set(t), PathStep::ElementKeyInt(_)) => t,
                (Type::Tuple(ts), PathStep::ElementKeyInt(i)) => {
                    ts.get(usize::try_from(*i).ok()?)?
                }
                _ => return None,
            };
        }
        Some(ty)
    }

    /// The JSON type constraint, as Terraform writes it in schemas and in the
    /// dynamic wire form.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Type::Bool => J::from("bool"),
            Type::Number => J::from("number"),
            Type::String => J::from("string"),
            Type::Dynamic => J::from("dynamic"),
            Type::List(t) => J::Array(vec![J::from("list"), t.to_json()]),
            Type::Set(t) => J::Array(vec![J::from("set"), t.to_json()]),
            Type::Map(t) => J::Array(vec![J::from("map"), t.to_json()]),
            Type::Tuple(ts) => J::Array(vec![
                J::from("tuple"),
                J::Array(ts.iter().map(Type::to_json).collect()),
            ]),
            Type::Object {
                attributes,
                optional,
            } => {
                let attrs: serde_json::Map<String, J> = attributes
                    .iter()
                    .map(|(k, t)| (k.clone(), t.to_json()))
                    .collect();
                let mut parts = vec![J::from("object"), J::Object(attrs)];
                if !optional.is_empty() {
                    parts.push(J::Array(
                        optional.iter().map(|o| J::from(o.as_str())).collect(),
                    ));
                }
                J::Array(parts)
            }
        }
    }

    /// The JSON type constraint as bytes: what `Schema.Attribute.type` carries.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        self.to_json().to_string().into_bytes()
    }

    /// Parse a JSON type constraint.
    pub fn from_json(json: &serde_json::Value) -> Result<Type, ValueError> {
        parse_type(json, 0)
    }

    /// Parse a JSON type constraint from bytes.
    pub fn from_json_bytes(bytes: &[u8]) -> Result<Type, ValueError> {
        let json: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
            ValueError::type_constraint(&AttributePath::root(), format!("not JSON: {e}"))
        })?;
        Type::from_json(&json)
    }
}

fn parse_type(json: &serde_json::Value, depth: usize) -> Result<Type, ValueError> {
    use serde_json::Value as J;
    let fail = |message: String| Err(ValueError::type_constraint(&AttributePath::root(), message));
    if depth > MAX_TYPE_DEPTH {
        return fail(format!("nested deeper than {MAX_TYPE_DEPTH} levels"));
    }
    match json {
        J::String(name) => match name.as_str() {
            "bool" => Ok(Type::Bool),
            "number" => Ok(Type::Number),
            "string" => Ok(Type::String),
            "dynamic" => Ok(Type::Dynamic),
            other => fail(format!("unknown primitive type {other:?}")),
        },
        J::Array(parts) => {
            let Some(J::String(kind)) = parts.first() else {
                return fail("a structural type must start with its kind as a string".into());
            };
            let args = &parts[1..];
            match (kind.as_str(), args) {
                ("list", [t]) => Ok(Type::list(parse_type(t, depth + 1)?)),
                ("set", [t]) => Ok(Type::set(parse_type(t, depth + 1)?)),
                ("map", [t]) => Ok(Type::map(parse_type(t, depth + 1)?)),
                ("tuple", [J::Array(ts)]) => Ok(Type::Tuple(
                    ts.iter()
                        .map(|t| parse_type(t, depth + 1))
                        .collect::<Result<_, _>>()?,
                )),
                ("object", [J::Object(attrs)]) => parse_object(attrs, None, depth),
                ("object", [J::Object(attrs), J::Array(optional)]) => {
                    parse_object(attrs, Some(optional), depth)
                }
                ("list" | "set" | "map", _) => {
                    fail(format!("{kind:?} takes exactly one element type"))
                }
                ("tuple", _) => fail("\"tuple\" takes one array of element types".into()),
                ("object", _) => fail(
                    "\"object\" takes an object of attribute types and an optional array of optional attribute names"
                        .into(),
                ),
                (other, _) => fail(format!("unknown structural type {other:?}")),
            }
        }
        other => fail(format!("expected a string or an array, found {other}")),
    }
}

fn parse_object(
    attrs: &serde_json::Map<String, serde_json::Value>,
    optional: Option<&Vec<serde_json::Value>>,
    depth: usize,
) -> Result<Type, ValueError> {
    let mut attributes = BTreeMap::new();
    for (name, t) in attrs {
        attributes.insert(name.clone(), parse_type(t, depth + 1)?);
    }
    let mut optional_names = BTreeSet::new();
    for name in optional.into_iter().flatten() {
        let serde_json::Value::String(name) = name else {
            return Err(ValueError::type_constraint(
                &AttributePath::root(),
                format!("optional attribute names must be strings, found {name}"),
            ));
        };
        if !attributes.contains_key(name) {
            return Err(ValueError::type_constraint(
                &AttributePath::root(),
                format!("optional attribute {name:?} is not an attribute of the object"),
            ));
        }
        optional_names.insert(name.clone());
    }
    Ok(Type::Object {
        attributes,
        optional: optional_names,
    })
}

/// Terraform's type-constraint syntax, for messages: `list(string)`,
/// `object({a=string, b=optional(number)})`, `any` for dynamic.
impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Bool => f.write_str("bool"),
            Type::Number => f.write_str("number"),
            Type::String => f.write_str("string"),
            Type::Dynamic => f.write_str("any"),
            Type::List(t) => write!(f, "list({t})"),
            Type::Set(t) => write!(f, "set({t})"),
            Type::Map(t) => write!(f, "map({t})"),
            Type::Tuple(ts) => {
                f.write_str("tuple([")?;
                for (i, t) in ts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{t}")?;
                }
                f.write_str("])")
            }
            Type::Object {
                attributes,
                optional,
            } => {
                f.write_str("object({")?;
                for (i, (name, t)) in attributes.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    if optional.contains(name) {
                        write!(f, "{name}=optional({t})")?;
                    } else {
                        write!(f, "{name}={t}")?;
                    }
                }
                f.write_str("})")
            }
        }
    }
}

/// Serialized as its JSON type constraint, so schema structs can hold types.
impl serde::Serialize for Type {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for Type {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let json = serde_json::Value::deserialize(deserializer)?;
        Type::from_json(&json).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn type_constraint_json_round_trips_with_optional_attributes() {
        let ty = Type::object_with_optional(
            [
                ("name", Type::String),
                ("ports", Type::list(Type::Number)),
                ("tags", Type::map(Type::String)),
                ("pair", Type::tuple([Type::String, Type::Bool])),
                ("any", Type::Dynamic),
                ("ids", Type::set(Type::String)),
            ],
            ["tags", "any"],
        );
        let json = ty.to_json();
        assert_eq!(
            json,
            json!([
                "object",
                {
                    "any": "dynamic",
                    "ids": ["set", "string"],
                    "name": "string",
                    "pair": ["tuple", ["string", "bool"]],
                    "ports": ["list", "number"],
                    "tags": ["map", "string"]
                },
                ["any", "tags"]
            ])
        );
        assert_eq!(Type::from_json(&json), Ok(ty.clone()));
        assert_eq!(Type::from_json_bytes(&ty.to_json_bytes()), Ok(ty));
    }

    #[test]
    fn object_without_optional_attributes_has_two_elements() {
        let ty = Type::object([("a", Type::String)]);
        assert_eq!(ty.to_json(), json!(["object", {"a": "string"}]));
        assert_eq!(ty.to_json_bytes(), br#"["object",{"a":"string"}]"#.to_vec());
    }

    #[test]
    fn primitive_constraints_parse() {
        for (text, ty) in [
            ("\"string\"", Type::String),
            ("\"number\"", Type::Number),
            ("\"bool\"", Type::Bool),
            ("\"dynamic\"", Type::Dynamic),
            ("[\"list\",\"string\"]", Type::list(Type::String)),
        ] {
            assert_eq!(Type::from_json_bytes(text.as_bytes()), Ok(ty));
        }
    }

    #[test]
    fn malformed_constraints_are_rejected() {
        for bad in [
            json!("strin"),
            json!(["list"]),
            json!(["list", "string", "string"]),
            json!(["object", {"a": "string"}, ["b"]]),
            json!(["tuple", "string"]),
            json!(["frob", "string"]),
            json!(42),
        ] {
            assert!(
                matches!(
                    Type::from_json(&bad),
                    Err(ValueError::TypeConstraint { .. })
                ),
                "{bad} should be rejected"
            );
        }
    }

    #[test]
    fn type_serializes_as_its_constraint_in_serde_structs() {
        #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
        struct Attribute {
            r#type: Type,
        }
        let attr = Attribute {
            r#type: Type::map(Type::String),
        };
        let text = serde_json::to_string(&attr).expect("serialize");
        assert_eq!(text, r#"{"type":["map","string"]}"#);
        assert_eq!(
            serde_json::from_str::<Attribute>(&text).expect("deserialize"),
            attr
        );
    }

    #[test]
    fn display_uses_terraform_constraint_syntax() {
        let ty = Type::object_with_optional(
            [("a", Type::list(Type::String)), ("b", Type::Number)],
            ["b"],
        );
        assert_eq!(
            ty.to_string(),
            "object({a=list(string), b=optional(number)})"
        );
    }

    #[test]
    fn type_at_path_follows_attributes_and_elements() {
        let ty = Type::object([(
            "tier",
            Type::map(Type::list(Type::object([("name", Type::String)]))),
        )]);
        let path = AttributePath::root()
            .attr("tier")
            .key("public")
            .index(0)
            .attr("name");
        assert_eq!(ty.at(&path), Some(&Type::String));
        assert_eq!(ty.at(&AttributePath::root().attr("nope")), None);
    }
}
