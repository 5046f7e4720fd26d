//! Schema model: what a provider, resource or data source accepts and returns.
//!
//! Besides the protocol's fields, attributes carry the framework's plan behaviour
//! (requires-replace, use-state-for-unknown, static defaults) so the default planner
//! in [`crate::plan`] can apply it uniformly.

use crate::value::{Type, Value};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StringKind {
    #[default]
    Plain,
    Markdown,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Description {
    pub text: String,
    pub kind: StringKind,
}

/// A versioned schema for a provider, resource or data source.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Schema {
    pub version: i64,
    pub block: Block,
}

impl Schema {
    pub fn new(block: Block) -> Self {
        Self { version: 0, block }
    }

    pub fn version(mut self, v: i64) -> Self {
        self.version = v;
        self
    }

    /// The type of a whole value of this schema (the object Terraform sends).
    pub fn value_type(&self) -> Type {
        self.block.value_type()
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Block {
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<NestedBlock>,
    pub description: Description,
    pub deprecation: Option<String>,
}

impl Block {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Description {
            text: text.into(),
            kind: StringKind::Plain,
        };
        self
    }

    pub fn markdown_description(mut self, text: impl Into<String>) -> Self {
        self.description = Description {
            text: text.into(),
            kind: StringKind::Markdown,
        };
        self
    }

    pub fn deprecated(mut self, message: impl Into<String>) -> Self {
        self.deprecation = Some(message.into());
        self
    }

    pub fn attribute(mut self, a: Attribute) -> Self {
        self.attributes.push(a);
        self
    }

    pub fn block(mut self, b: NestedBlock) -> Self {
        self.blocks.push(b);
        self
    }

    /// Adds the conventional `timeouts { create = "30m" ... }` block with one optional
    /// duration string per named operation.
    pub fn timeouts(self, operations: &[&str]) -> Self {
        let mut inner = Block::new().description(
            "Per-operation time limits as Go-style durations such as \"30m\" or \"1h30m\".",
        );
        for op in operations {
            inner = inner.attribute(
                Attribute::optional(*op, Type::String)
                    .description(format!("How long to wait for {op} before giving up.")),
            );
        }
        self.block(NestedBlock::single("timeouts", inner))
    }

    pub fn get_attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    pub fn get_block(&self, name: &str) -> Option<&NestedBlock> {
        self.blocks.iter().find(|b| b.name == name)
    }

    pub fn value_type(&self) -> Type {
        let mut attrs: BTreeMap<String, Type> = BTreeMap::new();
        for a in &self.attributes {
            attrs.insert(a.name.clone(), a.value_type());
        }
        for b in &self.blocks {
            attrs.insert(b.name.clone(), b.value_type());
        }
        Type::Object {
            attributes: attrs,
            optional: Default::default(),
        }
    }
}

/// Nesting of a nested attribute's object(s).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectNesting {
    Single,
    List,
    Set,
    Map,
}

#[derive(Clone, Debug, PartialEq)]
pub enum AttributeType {
    /// A plain typed attribute.
    Type(Type),
    /// A nested attribute (`x = { ... }` / `x = [{ ... }]`) with its own attributes.
    Nested {
        nesting: ObjectNesting,
        attributes: Vec<Attribute>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    pub name: String,
    pub ty: AttributeType,
    pub description: Description,
    pub required: bool,
    pub optional: bool,
    pub computed: bool,
    pub sensitive: bool,
    /// Write-only (Terraform >= 1.11): accepted in configuration, never stored;
    /// the provider must return null for it.
    pub write_only: bool,
    /// For a write-only attribute: what to do instead on a Terraform without
    /// write-only support, for the error that refuses it there.
    pub write_only_alternative: Option<String>,
    pub deprecation: Option<String>,
    /// Changing the value plans a replacement.
    pub requires_replace: bool,
    /// A computed value keeps its prior state value in plans instead of becoming
    /// unknown (for values that never change after create, such as ids).
    pub use_state_for_unknown: bool,
    /// Value planned when the configuration leaves an optional+computed attribute null.
    pub default: Option<Value>,
}

impl Attribute {
    fn new(name: impl Into<String>, ty: Type) -> Self {
        Self {
            name: name.into(),
            ty: AttributeType::Type(ty),
            description: Description::default(),
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            write_only: false,
            write_only_alternative: None,
            deprecation: None,
            requires_replace: false,
            use_state_for_unknown: false,
            default: None,
        }
    }

    pub fn required(name: impl Into<String>, ty: Type) -> Self {
        Self {
            required: true,
            ..Self::new(name, ty)
        }
    }

    pub fn optional(name: impl Into<String>, ty: Type) -> Self {
        Self {
            optional: true,
            ..Self::new(name, ty)
        }
    }

    pub fn computed(name: impl Into<String>, ty: Type) -> Self {
        Self {
            computed: true,
            ..Self::new(name, ty)
        }
    }

    pub fn optional_computed(name: impl Into<String>, ty: Type) -> Self {
        Self {
            optional: true,
            computed: true,
            ..Self::new(name, ty)
        }
    }

    /// A nested attribute; set required/optional/computed with the builder methods.
    pub fn nested(
        name: impl Into<String>,
        nesting: ObjectNesting,
        attributes: Vec<Attribute>,
    ) -> Self {
        Self {
            ty: AttributeType::Nested {
                nesting,
                attributes,
            },
            ..Self::new(name, Type::Dynamic)
        }
    }

    pub fn set_required(mut self) -> Self {
        self.required = true;
        self.optional = false;
        self
    }

    pub fn set_optional(mut self) -> Self {
        self.optional = true;
        self.required = false;
        self
    }

    pub fn set_computed(mut self) -> Self {
        self.computed = true;
        self
    }

    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Description {
            text: text.into(),
            kind: StringKind::Plain,
        };
        self
    }

    pub fn markdown_description(mut self, text: impl Into<String>) -> Self {
        self.description = Description {
            text: text.into(),
            kind: StringKind::Markdown,
        };
        self
    }

    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    pub fn write_only(mut self) -> Self {
        self.write_only = true;
        self
    }

    /// What a user of a Terraform without write-only support does instead, e.g.
    /// "set signed_cert instead".
    pub fn write_only_alternative(mut self, text: impl Into<String>) -> Self {
        self.write_only_alternative = Some(text.into());
        self
    }

    pub fn deprecated(mut self, message: impl Into<String>) -> Self {
        self.deprecation = Some(message.into());
        self
    }

    pub fn requires_replace(mut self) -> Self {
        self.requires_replace = true;
        self
    }

    pub fn use_state_for_unknown(mut self) -> Self {
        self.use_state_for_unknown = true;
        self
    }

    /// A static default; the attribute becomes optional + computed.
    pub fn default_value(mut self, v: Value) -> Self {
        self.default = Some(v);
        self.optional = true;
        self.required = false;
        self.computed = true;
        self
    }

    pub fn value_type(&self) -> Type {
        match &self.ty {
            AttributeType::Type(t) => t.clone(),
            AttributeType::Nested {
                nesting,
                attributes,
            } => {
                let obj = object_of(attributes.iter().map(|a| (a.name.clone(), a.value_type())));
                match nesting {
                    ObjectNesting::Single => obj,
                    ObjectNesting::List => Type::List(Box::new(obj)),
                    ObjectNesting::Set => Type::Set(Box::new(obj)),
                    ObjectNesting::Map => Type::Map(Box::new(obj)),
                }
            }
        }
    }
}

fn object_of(attrs: impl Iterator<Item = (String, Type)>) -> Type {
    Type::Object {
        attributes: attrs.collect(),
        optional: Default::default(),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NestingMode {
    Single,
    List,
    Set,
    Map,
    Group,
}

/// A nested block (`name { ... }`), possibly repeated.
#[derive(Clone, Debug, PartialEq)]
pub struct NestedBlock {
    pub name: String,
    pub nesting: NestingMode,
    pub block: Block,
    pub min_items: i64,
    pub max_items: i64,
}

impl NestedBlock {
    pub fn new(name: impl Into<String>, nesting: NestingMode, block: Block) -> Self {
        Self {
            name: name.into(),
            nesting,
            block,
            min_items: 0,
            max_items: 0,
        }
    }

    pub fn single(name: impl Into<String>, block: Block) -> Self {
        Self::new(name, NestingMode::Single, block)
    }

    pub fn list(name: impl Into<String>, block: Block) -> Self {
        Self::new(name, NestingMode::List, block)
    }

    pub fn set(name: impl Into<String>, block: Block) -> Self {
        Self::new(name, NestingMode::Set, block)
    }

    pub fn min_items(mut self, n: i64) -> Self {
        self.min_items = n;
        self
    }

    pub fn max_items(mut self, n: i64) -> Self {
        self.max_items = n;
        self
    }

    pub fn value_type(&self) -> Type {
        let obj = self.block.value_type();
        match self.nesting {
            NestingMode::Single | NestingMode::Group => obj,
            NestingMode::List => Type::List(Box::new(obj)),
            NestingMode::Set => Type::Set(Box::new(obj)),
            NestingMode::Map => Type::Map(Box::new(obj)),
        }
    }
}

/// The identity of a managed resource (Terraform 1.12+): a small object, stored beside
/// the state, that names the remote object (account, region, id). Identity schemas take
/// only primitive and list types; every attribute is set by the provider.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IdentitySchema {
    pub version: i64,
    pub attributes: Vec<IdentityAttribute>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct IdentityAttribute {
    pub name: String,
    pub ty: Type,
    pub description: String,
    /// Must be given in an `import { identity = {...} }` block.
    pub required_for_import: bool,
    /// May be given there; the provider fills it in otherwise.
    pub optional_for_import: bool,
}

impl IdentitySchema {
    pub fn new() -> Self {
        Self::default()
    }

    /// An attribute an `import { identity = {...} }` block must set.
    pub fn required(mut self, name: &str, ty: Type, description: &str) -> Self {
        self.attributes.push(IdentityAttribute {
            name: name.into(),
            ty,
            description: description.into(),
            required_for_import: true,
            optional_for_import: false,
        });
        self
    }

    /// An attribute an `import { identity = {...} }` block may leave out.
    pub fn optional(mut self, name: &str, ty: Type, description: &str) -> Self {
        self.attributes.push(IdentityAttribute {
            name: name.into(),
            ty,
            description: description.into(),
            required_for_import: false,
            optional_for_import: true,
        });
        self
    }

    pub fn value_type(&self) -> Type {
        object_of(
            self.attributes
                .iter()
                .map(|a| (a.name.clone(), a.ty.clone())),
        )
    }
}
