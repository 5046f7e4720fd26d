//! The README `Usage` block of a module: a root configuration a consumer can copy, valid
//! HCL that `terraform init` + `validate` accept (`tests/tests/module_usage.rs` runs them).
//!
//! Address scheme (one, documented in the platform README): the modules are published from
//! this repository (`terraform-provider-trustchain`, the name the provider release and the
//! Registry's provider address `trustchain/trustchain` require) as Terraform's generic Git
//! source, `git::https://github.com/trustchain/terraform-provider-trustchain.git//modules/<platform>/<module>?ref=v<version>`.
//! The Registry's own module addresses need one repository per module named
//! `terraform-<provider>-<name>`, which a monorepo cannot give; a git address with a tag
//! pins the same release the provider binary comes from.

use serde::Serialize;

use crate::model::{ModuleView, PlatformView, ProviderView, Variable};

/// Where the modules are published (see the module documentation above).
pub const REPOSITORY: &str = "git::https://github.com/trustchain/terraform-provider-trustchain.git";

/// The release tag the addresses pin: the workspace version the provider is released as.
pub const RELEASE_TAG: &str = concat!("v", env!("CARGO_PKG_VERSION"));

/// The consumable address of a module.
pub fn address(platform: &str, module: &str) -> String {
    format!("{REPOSITORY}//modules/{platform}/{module}?ref={RELEASE_TAG}")
}

const KMS_KEY: &str =
    "\"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\"";
const SUBNETS: &str = "[\"subnet-0123456789abcdef0\", \"subnet-0123456789abcdef1\"]";
const OIDC: &str = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";

/// An example value (HCL) for a required input, by name. A required input this does not
/// know is an error, so every new module gets a Usage block that validates.
fn example(platform: &PlatformView, module: &ModuleView, v: &Variable) -> Option<String> {
    let n = v.name.as_str();
    let s = |x: &str| Some(format!("\"{x}\""));
    match n {
        "name" => s(&platform.name),
        _ if n.ends_with("kms_key_arn") => Some(KMS_KEY.into()),
        _ if n.ends_with("subnet_ids") => Some(SUBNETS.into()),
        _ if n.ends_with("security_group_ids") => Some("[\"sg-0123456789abcdef0\"]".into()),
        _ if n.ends_with("security_group_id") => s("sg-0123456789abcdef0"),
        "vpc_id" => s("vpc-0123456789abcdef0"),
        "cluster_name" => s(&format!("{}-prod", platform.name)),
        "environment" => s("production"),
        "zone_id" | "alb_zone_id" => s("Z0123456789EXAMPLE"),
        "availability_zones" => Some("[\"us-east-1a\", \"us-east-1b\"]".into()),
        "certificate_arn" => s("arn:aws:acm:us-east-1:111122223333:certificate/1234abcd-12ab-34cd-56ef-1234567890ab"),
        "vpc_cidr_block" | "vpc_ipv4_cidr_block" => s("10.0.0.0/16"),
        "vpc_ipv6_cidr_block" => s("2600:1f18:1234:5600::/56"),
        "oidc_issuer_url" => s(&format!("https://{OIDC}")),
        "oidc_provider_arn" => s(&format!("arn:aws:iam::111122223333:oidc-provider/{OIDC}")),
        "alb_arn_suffix" => s("app/example/1234567890abcdef"),
        "alb_dns_name" => s("example-1234567890.us-east-1.elb.amazonaws.com"),
        "primary_alb" => Some(
            "{\ndns_name = \"example-1234567890.us-east-1.elb.amazonaws.com\"\nzone_id = \"Z35SXDOTRQ7X7K\"\n}".into(),
        ),
        // The UDP services of the dns module's service_hosts, all on the load balancer "udp".
        "nlb_dns_names" => Some("{\nudp = \"example-udp-1234567890.elb.us-east-1.amazonaws.com\"\n}".into()),
        "nlb_zone_ids" => Some("{\nudp = \"Z26RNL4JYFTOTI\"\n}".into()),
        "service_nlb" if module.name == "dns" => Some("{\ndoq = \"udp\"\nstoq = \"udp\"\n}".into()),
        _ => None,
    }
}

/// A provider configuration of the Usage block: the default `aws` one (no alias, the
/// primary region) or one per configuration alias the module expects (the secondary).
#[derive(Serialize)]
pub struct ProviderConfig {
    name: String,
    alias: Option<String>,
}

/// A secret input: the consumer passes its own (sensitive) variable, never a literal.
#[derive(Serialize)]
pub struct Secret {
    name: String,
    ephemeral: bool,
}

/// A required input and its example value (HCL).
#[derive(Serialize)]
pub struct Input {
    name: String,
    value: String,
}

/// What `templates/common/usage.tf.hbs` renders: provider requirements, provider
/// configurations for the aliases the module expects, and a `module` block with every
/// required input.
#[derive(Serialize)]
pub struct UsageView<'a> {
    providers: &'a [ProviderView],
    provider_configs: Vec<ProviderConfig>,
    secrets: Vec<Secret>,
    module: &'a str,
    source: String,
    /// The module's `providers` map: each name passed as itself.
    passes: Vec<String>,
    inputs: Vec<Input>,
}

/// The Usage block's view; a required input without an example value is an error.
pub fn view<'a>(platform: &PlatformView, module: &'a ModuleView) -> Result<UsageView<'a>, String> {
    let mut provider_configs = Vec::new();
    let mut aliases = Vec::new();
    for p in &module.providers {
        if p.name == "aws" {
            provider_configs.push(ProviderConfig {
                name: p.name.clone(),
                alias: None,
            });
        }
        for alias in &p.configuration_aliases {
            let short = alias.rsplit('.').next().unwrap_or(alias);
            provider_configs.push(ProviderConfig {
                name: p.name.clone(),
                alias: Some(short.to_string()),
            });
            aliases.push(alias.clone());
        }
    }
    let mut passes: Vec<String> = Vec::new();
    if !aliases.is_empty() {
        passes.extend(
            module
                .providers
                .iter()
                .filter(|p| !p.configuration_aliases.is_empty())
                .map(|p| p.name.clone()),
        );
        passes.extend(aliases);
    }
    let required: Vec<&Variable> = module.variables.iter().filter(|v| v.required).collect();
    let secrets = required
        .iter()
        .filter(|v| v.sensitive)
        .map(|v| Secret {
            name: v.name.clone(),
            ephemeral: v.ephemeral,
        })
        .collect();
    let mut inputs = Vec::new();
    for v in required {
        let value = if v.sensitive {
            Some(format!("var.{}", v.name))
        } else {
            example(platform, module, v)
        };
        let value = value.ok_or_else(|| {
            format!(
                "{}/{}: required input `{}` has no example value for the README Usage block (add one in codegen/src/usage.rs)",
                platform.name, module.name, v.name
            )
        })?;
        inputs.push(Input {
            name: v.name.clone(),
            value,
        });
    }
    Ok(UsageView {
        providers: &module.providers,
        provider_configs,
        secrets,
        module: &module.name,
        source: address(&platform.name, &module.name),
        passes,
        inputs,
    })
}
