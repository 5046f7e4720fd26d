//! The committed hashicorp/aws schema (`tests/aws-schema/schema.json.gz`, the shape of
//! `terraform providers schema -json` for one provider) turned into tfplugin's schema
//! model. Parsed once per process into typed structs: the framework asks for every
//! schema at startup, so there is nothing to gain from laziness.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::io::Read;
use tfplugin::provider::{Parameter, Signature};
use tfplugin::schema::{
    Attribute, AttributeType, Block, Description, NestedBlock, NestingMode, ObjectNesting, Schema,
    StringKind,
};
use tfplugin::value::Type;

static SCHEMA_GZ: &[u8] = include_bytes!("../../../aws-schema/schema.json.gz");
/// hashicorp/helm 3.1.1 and hashicorp/kubernetes 2.38.0, derived the same way
/// (`derive_schema.py --provider helm|kubernetes`) for the addons module.
static HELM_SCHEMA_GZ: &[u8] = include_bytes!("../../../aws-schema/helm-schema.json.gz");
static KUBERNETES_SCHEMA_GZ: &[u8] =
    include_bytes!("../../../aws-schema/kubernetes-schema.json.gz");

/// Which provider this process stands in for: picked by the name it was started under
/// (`terraform-provider-helm` / `terraform-provider-kubernetes`, as the validation
/// pipeline links it), hashicorp/aws otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    Aws,
    Helm,
    Kubernetes,
}

impl Flavor {
    pub fn from_program(argv0: &str) -> Self {
        let file = std::path::Path::new(argv0)
            .file_name()
            .and_then(|f| f.to_str())
            .unwrap_or_default();
        match file {
            "terraform-provider-helm" => Flavor::Helm,
            "terraform-provider-kubernetes" => Flavor::Kubernetes,
            _ => Flavor::Aws,
        }
    }

    /// The provider type name (its local name in configurations).
    pub fn type_name(self) -> &'static str {
        match self {
            Flavor::Aws => "aws",
            Flavor::Helm => "helm",
            Flavor::Kubernetes => "kubernetes",
        }
    }

    pub fn address(self) -> &'static str {
        match self {
            Flavor::Aws => "registry.terraform.io/hashicorp/aws",
            Flavor::Helm => "registry.terraform.io/hashicorp/helm",
            Flavor::Kubernetes => "registry.terraform.io/hashicorp/kubernetes",
        }
    }

    fn gz(self) -> &'static [u8] {
        match self {
            Flavor::Aws => SCHEMA_GZ,
            Flavor::Helm => HELM_SCHEMA_GZ,
            Flavor::Kubernetes => KUBERNETES_SCHEMA_GZ,
        }
    }
}

/// Everything the provider serves, converted.
pub struct AwsSchema {
    pub provider: Schema,
    pub resources: BTreeMap<String, Schema>,
    pub data_sources: BTreeMap<String, Schema>,
    pub functions: BTreeMap<String, Signature>,
}

/// Decompresses and converts the embedded schema. Errors name what was malformed: the
/// file is ours and committed, so an error here is a bug in the derivation script.
pub fn load(flavor: Flavor) -> Result<AwsSchema, String> {
    let mut json = Vec::with_capacity(16 << 20);
    flate2::read::GzDecoder::new(flavor.gz())
        .read_to_end(&mut json)
        .map_err(|e| format!("schema.json.gz does not decompress: {e}"))?;
    let raw: ProviderJson =
        serde_json::from_slice(&json).map_err(|e| format!("schema.json is malformed: {e}"))?;
    let convert_all = |schemas: BTreeMap<String, SchemaJson>, what: &str| {
        schemas
            .into_iter()
            .map(|(name, s)| {
                s.convert()
                    .map(|s| (name.clone(), s))
                    .map_err(|e| format!("{what} {name}: {e}"))
            })
            .collect::<Result<BTreeMap<_, _>, _>>()
    };
    Ok(AwsSchema {
        provider: raw
            .provider
            .convert()
            .map_err(|e| format!("provider block: {e}"))?,
        resources: convert_all(raw.resource_schemas, "resource")?,
        data_sources: convert_all(raw.data_source_schemas, "data source")?,
        functions: raw
            .functions
            .into_iter()
            .map(|(name, f)| {
                f.convert()
                    .map(|f| (name.clone(), f))
                    .map_err(|e| format!("function {name}: {e}"))
            })
            .collect::<Result<_, _>>()?,
    })
}

// The JSON shapes. Unknown keys (the "//" metadata, ephemeral resources) are ignored.

#[derive(Deserialize)]
struct ProviderJson {
    provider: SchemaJson,
    #[serde(default)]
    resource_schemas: BTreeMap<String, SchemaJson>,
    #[serde(default)]
    data_source_schemas: BTreeMap<String, SchemaJson>,
    #[serde(default)]
    functions: BTreeMap<String, FunctionJson>,
}

#[derive(Deserialize)]
struct SchemaJson {
    #[serde(default)]
    version: i64,
    block: BlockJson,
}

#[derive(Deserialize)]
struct BlockJson {
    #[serde(default)]
    attributes: BTreeMap<String, AttributeJson>,
    #[serde(default)]
    block_types: BTreeMap<String, BlockTypeJson>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    description_kind: String,
    #[serde(default)]
    deprecated: bool,
}

#[derive(Deserialize)]
struct AttributeJson {
    #[serde(rename = "type")]
    ty: Option<serde_json::Value>,
    nested_type: Option<NestedTypeJson>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    description_kind: String,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    optional: bool,
    #[serde(default)]
    computed: bool,
    #[serde(default)]
    sensitive: bool,
    #[serde(default)]
    write_only: bool,
    #[serde(default)]
    deprecated: bool,
}

#[derive(Deserialize)]
struct NestedTypeJson {
    attributes: BTreeMap<String, AttributeJson>,
    nesting_mode: String,
}

#[derive(Deserialize)]
struct BlockTypeJson {
    nesting_mode: String,
    block: BlockJson,
    #[serde(default)]
    min_items: i64,
    #[serde(default)]
    max_items: i64,
}

#[derive(Deserialize)]
struct FunctionJson {
    #[serde(default)]
    parameters: Vec<ParameterJson>,
    variadic_parameter: Option<ParameterJson>,
    return_type: serde_json::Value,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    description: String,
}

#[derive(Deserialize)]
struct ParameterJson {
    name: String,
    #[serde(rename = "type")]
    ty: serde_json::Value,
    #[serde(default)]
    description: String,
    #[serde(default)]
    is_nullable: bool,
}

fn description(text: String, kind: &str) -> Description {
    Description {
        text,
        kind: if kind == "markdown" {
            StringKind::Markdown
        } else {
            StringKind::Plain
        },
    }
}

fn parse_type(json: &serde_json::Value) -> Result<Type, String> {
    Type::from_json(json).map_err(|e| format!("type {json}: {e}"))
}

/// Terraform marks deprecation in JSON with a flag only; the message is not kept.
fn deprecation(flag: bool) -> Option<String> {
    flag.then(|| "Deprecated in hashicorp/aws.".to_string())
}

impl SchemaJson {
    fn convert(self) -> Result<Schema, String> {
        Ok(Schema::new(self.block.convert()?).version(self.version))
    }
}

impl BlockJson {
    fn convert(self) -> Result<Block, String> {
        let attributes = self
            .attributes
            .into_iter()
            .map(|(name, a)| a.convert(name))
            .collect::<Result<_, _>>()?;
        let blocks = self
            .block_types
            .into_iter()
            .map(|(name, b)| b.convert(name))
            .collect::<Result<_, _>>()?;
        Ok(Block {
            attributes,
            blocks,
            description: description(self.description, &self.description_kind),
            deprecation: deprecation(self.deprecated),
        })
    }
}

impl AttributeJson {
    fn convert(self, name: String) -> Result<Attribute, String> {
        let ty = match (self.ty, self.nested_type) {
            (Some(t), None) => {
                AttributeType::Type(parse_type(&t).map_err(|e| format!("{name}: {e}"))?)
            }
            (None, Some(n)) => AttributeType::Nested {
                nesting: match n.nesting_mode.as_str() {
                    "single" => ObjectNesting::Single,
                    "list" => ObjectNesting::List,
                    "set" => ObjectNesting::Set,
                    "map" => ObjectNesting::Map,
                    other => return Err(format!("{name}: unknown nested type mode {other:?}")),
                },
                attributes: n
                    .attributes
                    .into_iter()
                    .map(|(child, a)| a.convert(child))
                    .collect::<Result<_, _>>()?,
            },
            _ => return Err(format!("{name}: needs exactly one of type and nested_type")),
        };
        if !(self.required || self.optional || self.computed) {
            return Err(format!("{name}: none of required, optional, computed"));
        }
        Ok(Attribute {
            name,
            ty,
            description: description(self.description, &self.description_kind),
            required: self.required,
            optional: self.optional,
            computed: self.computed,
            sensitive: self.sensitive,
            write_only: self.write_only,
            write_only_alternative: None,
            deprecation: deprecation(self.deprecated),
            requires_replace: false,
            use_state_for_unknown: false,
            default: None,
        })
    }
}

impl BlockTypeJson {
    fn convert(self, name: String) -> Result<NestedBlock, String> {
        let nesting = match self.nesting_mode.as_str() {
            "single" => NestingMode::Single,
            "list" => NestingMode::List,
            "set" => NestingMode::Set,
            "map" => NestingMode::Map,
            "group" => NestingMode::Group,
            other => return Err(format!("{name}: unknown nesting mode {other:?}")),
        };
        let block = self.block.convert().map_err(|e| format!("{name}.{e}"))?;
        Ok(NestedBlock::new(name, nesting, block)
            .min_items(self.min_items)
            .max_items(self.max_items))
    }
}

impl ParameterJson {
    fn convert(self) -> Result<Parameter, String> {
        let mut p = Parameter::new(self.name, parse_type(&self.ty)?, self.description);
        p.allow_null = self.is_nullable;
        Ok(p)
    }
}

impl FunctionJson {
    fn convert(self) -> Result<Signature, String> {
        Ok(Signature {
            parameters: self
                .parameters
                .into_iter()
                .map(ParameterJson::convert)
                .collect::<Result<_, _>>()?,
            variadic: self
                .variadic_parameter
                .map(ParameterJson::convert)
                .transpose()?,
            return_type: parse_type(&self.return_type)?,
            summary: self.summary,
            description: self.description,
        })
    }
}
