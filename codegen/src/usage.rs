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

use crate::model::{ModuleView, PlatformView, Variable};

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

/// The Usage block: provider requirements, provider configurations for the aliases the
/// module expects, and a `module` block with every required input. Secrets (sensitive
/// inputs) come from a variable of the consumer, never a literal.
pub fn render(platform: &PlatformView, module: &ModuleView) -> Result<String, String> {
    let mut src = String::from("terraform {\nrequired_providers {\n");
    for p in &module.providers {
        src.push_str(&format!(
            "{} = {{\nsource = \"{}\"\nversion = \"{}\"\n}}\n",
            p.name, p.source, p.version
        ));
    }
    src.push_str("}\n}\n\n");
    let mut passes = Vec::new();
    for p in &module.providers {
        if p.name == "aws" {
            src.push_str("provider \"aws\" {\nregion = \"us-east-1\"\n}\n\n");
        }
        for alias in &p.configuration_aliases {
            let short = alias.rsplit('.').next().unwrap_or(alias);
            src.push_str(&format!(
                "provider \"{}\" {{\nalias = \"{short}\"\nregion = \"us-west-2\"\n}}\n\n",
                p.name
            ));
            passes.push(alias.clone());
        }
    }
    let required: Vec<&Variable> = module.variables.iter().filter(|v| v.required).collect();
    for v in required.iter().filter(|v| v.sensitive) {
        src.push_str(&format!(
            "variable \"{}\" {{\ntype = string\nsensitive = true\n{}}}\n\n",
            v.name,
            if v.ephemeral {
                "ephemeral = true\n"
            } else {
                ""
            }
        ));
    }
    src.push_str(&format!(
        "module \"{}\" {{\nsource = \"{}\"\n",
        module.name,
        address(&platform.name, &module.name)
    ));
    if !passes.is_empty() {
        src.push_str("providers = {\n");
        for p in module
            .providers
            .iter()
            .filter(|p| !p.configuration_aliases.is_empty())
        {
            src.push_str(&format!("{0} = {0}\n", p.name));
        }
        for a in &passes {
            src.push_str(&format!("{a} = {a}\n"));
        }
        src.push_str("}\n");
    }
    if !required.is_empty() {
        src.push('\n');
    }
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
        src.push_str(&format!("{} = {value}\n", v.name));
    }
    src.push_str("}\n");
    Ok(crate::hcl::format(&src))
}
