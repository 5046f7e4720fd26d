//! Platform definitions: each platform's spec types, its validation pass and
//! the modules (variables, outputs, topic templates) built from it.

pub mod operator_steps;
pub mod shared;
pub mod solidity;
pub mod trustchain;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::hcl::Hcl;
use crate::model::{
    Component, FileView, Header, LeftOut, ModuleView, OperatorStep, Output, PlatformView,
    ProviderView, Variable,
};
use crate::spec::{Located, SpecErrors, SpecSource, Validator};

/// A platform the generator knows: the name a spec gives in `platform.name`, the spec
/// shipped with the generator (embedded: output never depends on the working directory)
/// and the function that validates a spec of it and builds its modules. The one list of
/// platforms: the CLI, `platform.name` checking and the tests read it.
pub struct Platform {
    pub name: &'static str,
    pub path: &'static str,
    pub text: &'static str,
    pub build: fn(&Located<'_>, Header) -> Result<PlatformView, SpecErrors>,
}

pub const PLATFORMS: &[Platform] = &[
    Platform {
        name: "solidity",
        path: "codegen/platforms/solidity.toml",
        text: include_str!("../../platforms/solidity.toml"),
        build: build_platform::<solidity::Spec>,
    },
    Platform {
        name: "trustchain",
        path: "codegen/platforms/trustchain.toml",
        text: include_str!("../../platforms/trustchain.toml"),
        build: build_platform::<trustchain::Spec>,
    },
];

/// Terraform floor: write-only arguments and ephemeral variables need 1.11.
pub const REQUIRED_VERSION: &str = ">= 1.11";

/// The oldest hashicorp/aws the modules admit: the version whose schema `make
/// validate-modules` validates every module against (`AWS_PROVIDER_VERSION` of
/// `tests/aws-schema/derive_schema.py`), so the floor has every argument and block the
/// modules use. A `>=` floor, as terraform-aws-modules state theirs, lets a consumer on a
/// newer 6.x (or later) release use the modules; `codegen/tests/layout.rs` keeps the two equal.
pub const AWS_PROVIDER_FLOOR: &str = "6.66.0";

/// The TrustChain provider releases the modules work with (0.x: a minor release may break).
pub const TRUSTCHAIN_PROVIDER_RANGE: &str = "~> 0.1";

/// Picks the platform from `platform.name` and builds its view model.
pub fn build(source: &SpecSource, header: Header) -> Result<PlatformView, SpecErrors> {
    let located = Located::new(source)?;
    match located.str_at("platform.name").as_deref() {
        Some(name) => match PLATFORMS.iter().find(|p| p.name == name) {
            Some(p) => (p.build)(&located, header),
            None => Err(SpecErrors(vec![located.error_at_path(
                "platform.name",
                format!(
                    "unknown platform {name:?}: use one of {}",
                    PLATFORMS.iter().map(|p| p.name).collect::<Vec<_>>().join(", ")
                ),
            )])),
        },
        None => Err(SpecErrors(vec![located.error_at_path(
            "platform.name",
            format!(
                "missing `platform.name` (a string naming the template set: one of {})",
                PLATFORMS.iter().map(|p| p.name).collect::<Vec<_>>().join(", ")
            ),
        )])),
    }
}

/// `[platform]`: identity and regions.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformSection {
    pub name: String,
    pub title: String,
    pub document: String,
    pub summary: String,
    pub domain: String,
    pub primary_region: String,
    pub secondary_region: String,
}

impl PlatformSection {
    pub fn validate(&self, v: &mut Validator) {
        for (key, region) in [
            ("primary_region", &self.primary_region),
            ("secondary_region", &self.secondary_region),
        ] {
            v.check(
                is_region(region),
                format!("platform.{key}"),
                format!("{region:?} is not an AWS region name (like us-east-1)"),
            );
        }
        v.check(
            self.primary_region != self.secondary_region,
            "platform.secondary_region",
            "the secondary region must differ from the primary region",
        );
        v.check(
            self.domain.contains('.') && !self.domain.ends_with('.') && self.domain.len() <= 253,
            "platform.domain",
            format!("{:?} is not a domain name", self.domain),
        );
    }
}

/// A platform's spec: its `[platform]` section, its own validation and its modules, the
/// parts [`build_platform`] puts together the same way for every platform.
pub trait PlatformSpec: serde::de::DeserializeOwned {
    fn platform(&self) -> &PlatformSection;
    /// `[tags]`: tags added to every resource.
    fn tags(&self) -> &BTreeMap<String, String>;
    /// Checks the platform's own sections (`[platform]` and `[tags]` are checked for it).
    fn validate(&self, v: &mut Validator);
    fn modules(&self) -> Vec<ModuleView>;
    fn components() -> Vec<Component>;
    fn left_out() -> Vec<LeftOut>;
    fn operator_steps() -> Vec<OperatorStep>;
}

/// Reads a spec of platform `S`, validates it (every problem at once) and builds its
/// view: modules sorted by name, then the platform's tables.
pub fn build_platform<S: PlatformSpec>(
    located: &Located<'_>,
    header: Header,
) -> Result<PlatformView, SpecErrors> {
    let spec: S = located.deserialize()?;
    let mut v = Validator::default();
    spec.platform().validate(&mut v);
    validate_tags(spec.tags(), &mut v);
    spec.validate(&mut v);
    v.finish(located)?;
    let mut modules = spec.modules();
    modules.sort_by(|a, b| a.name.cmp(&b.name));
    let p = spec.platform();
    Ok(PlatformView {
        name: p.name.clone(),
        title: p.title.clone(),
        document: p.document.clone(),
        summary: p.summary.clone(),
        primary_region: p.primary_region.clone(),
        secondary_region: p.secondary_region.clone(),
        header,
        modules,
        components: S::components(),
        left_out: S::left_out(),
        operator_steps: S::operator_steps(),
    })
}

fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts[parts.len() - 1].parse::<u8>().is_ok()
}

pub fn validate_tags(tags: &BTreeMap<String, String>, v: &mut Validator) {
    for (k, val) in tags {
        v.check(
            !k.is_empty() && k.len() <= 128 && !k.starts_with("aws:"),
            format!("tags.{k}"),
            "tag keys are 1-128 characters and must not start with aws:",
        );
        v.check(
            val.len() <= 256,
            format!("tags.{k}"),
            "tag values are at most 256 characters",
        );
    }
}

// Provider requirements shared by both platforms.

pub fn aws_provider(aliases: &[&str]) -> ProviderView {
    ProviderView {
        name: "aws".into(),
        source: "hashicorp/aws".into(),
        version: format!(">= {AWS_PROVIDER_FLOOR}"),
        configuration_aliases: aliases.iter().map(|a| a.to_string()).collect(),
    }
}

/// hashicorp/helm and hashicorp/kubernetes, for the addons module: the versions whose
/// schemas `make validate-modules` validates against (`tests/aws-schema/derive_schema.py
/// --provider helm|kubernetes`). helm 3 takes `set` and `kubernetes` as attributes.
pub const HELM_PROVIDER_FLOOR: &str = "3.1.1";
pub const KUBERNETES_PROVIDER_FLOOR: &str = "2.38.0";

pub fn helm_provider() -> ProviderView {
    ProviderView {
        name: "helm".into(),
        source: "hashicorp/helm".into(),
        version: format!(">= {HELM_PROVIDER_FLOOR}, < 4.0.0"),
        configuration_aliases: Vec::new(),
    }
}

pub fn kubernetes_provider() -> ProviderView {
    ProviderView {
        name: "kubernetes".into(),
        source: "hashicorp/kubernetes".into(),
        version: format!(">= {KUBERNETES_PROVIDER_FLOOR}, < 3.0.0"),
        configuration_aliases: Vec::new(),
    }
}

pub fn trustchain_provider() -> ProviderView {
    ProviderView {
        name: "trustchain".into(),
        source: "trustchain/trustchain".into(),
        version: TRUSTCHAIN_PROVIDER_RANGE.into(),
        configuration_aliases: Vec::new(),
    }
}

/// A module under construction; `finish` turns it into the view.
pub struct ModuleBuilder {
    view: ModuleView,
}

impl ModuleBuilder {
    pub fn new(platform: &str, name: &str, title: &str, summary: &str) -> Self {
        Self {
            view: ModuleView {
                platform: platform.into(),
                name: name.into(),
                title: title.into(),
                summary: summary.into(),
                prose: Vec::new(),
                required_version: REQUIRED_VERSION.into(),
                providers: Vec::new(),
                files: Vec::new(),
                features: Vec::new(),
                variables: Vec::new(),
                outputs: Vec::new(),
                resources: Vec::new(),
                usage: String::new(),
            },
        }
    }

    pub fn prose(mut self, paragraph: &str) -> Self {
        self.view
            .prose
            .push(paragraph.split_whitespace().collect::<Vec<_>>().join(" "));
        self
    }

    pub fn provider(mut self, p: ProviderView) -> Self {
        self.view.providers.push(p);
        self
    }

    /// A topic file `name` rendered from `templates/<template>.tf.hbs`.
    pub fn file(mut self, name: &str, template: &str) -> Self {
        self.view.files.push(FileView {
            name: name.into(),
            template: template.into(),
        });
        self
    }

    pub fn feature(mut self, f: &str) -> Self {
        self.view.features.push(f.into());
        self
    }

    pub fn var(mut self, v: Variable) -> Self {
        self.view.variables.push(v);
        self
    }

    pub fn vars(mut self, vs: impl IntoIterator<Item = Variable>) -> Self {
        self.view.variables.extend(vs);
        self
    }

    pub fn out(mut self, name: &str, value: &str, description: &str) -> Self {
        self.view
            .outputs
            .push(Output::new(name, value, description));
        self
    }

    /// Applies a shared group of settings (e.g. the KMS outputs).
    pub fn with(self, f: impl FnOnce(Self) -> Self) -> Self {
        f(self)
    }

    pub fn output(mut self, o: Output) -> Self {
        self.view.outputs.push(o);
        self
    }

    /// Variables and outputs are sorted by name, as terraform-docs lists them;
    /// `name` stays first among variables because every module needs it.
    pub fn finish(mut self) -> ModuleView {
        self.view
            .variables
            .sort_by(|a, b| (a.name != "name", &a.name).cmp(&(b.name != "name", &b.name)));
        self.view.outputs.sort_by(|a, b| a.name.cmp(&b.name));
        self.view
    }
}

// Variables that many modules share.

pub fn name_var(max_len: usize) -> Variable {
    Variable::new(
        "name",
        "string",
        "Name prefix for every resource this module creates (lowercase letters, digits and hyphens).",
    )
    .validate(
        &format!("can(regex(\"^[a-z][a-z0-9-]{{0,{}}}$\", var.name))", max_len - 1),
        &format!("name must start with a letter, use lowercase letters, digits and hyphens, and be at most {max_len} characters."),
    )
}

pub fn tags_var() -> Variable {
    Variable::new(
        "tags",
        "map(string)",
        "Tags added to every resource, merged over the provider's default tags.",
    )
    .default(Hcl::object(Vec::<(String, Hcl)>::new()))
}

pub fn kms_key_var(name: &str, what: &str) -> Variable {
    Variable::new(
        name,
        "string",
        &format!("ARN of the customer-managed KMS key that encrypts {what}."),
    )
    .validate(
        &format!("can(regex(\"^arn:aws[a-z-]*:kms:\", var.{name}))"),
        &format!("{name} must be a KMS key ARN."),
    )
}

pub fn log_retention_var(name: &str, what: &str, days: u32) -> Variable {
    Variable::new(name, "number", &format!("Days CloudWatch Logs keeps {what}."))
        .default(Hcl::num(days))
        .validate(
            &format!(
                "contains([{}], var.{name})",
                crate::spec::LOG_RETENTION_DAYS.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
            ),
            &format!("{name} must be a retention period CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653)."),
        )
}

pub fn string_list(name: &str, description: &str) -> Variable {
    Variable::new(name, "list(string)", description)
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod validate_tests;
