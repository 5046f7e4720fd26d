//! Real Terraform 1.15 drives the provider: schema, the offline data source, the
//! functions, diagnostics with attribute paths, and provider logs.

use acceptance::Workspace;

const HEADER: &str = r#"terraform {
  required_providers {
    trustchain = {
      source = "trustchain/trustchain"
    }
  }
}

provider "trustchain" {}
"#;

fn ws(body: &str) -> Workspace {
    Workspace::new(&format!("{HEADER}\n{body}"))
}

#[test]
fn schema_lists_provider_config_data_source_and_functions() {
    let w = ws("");
    let schema = w.terraform(&["providers", "schema", "-json"]).ok().json();
    let p = &schema["provider_schemas"]["registry.terraform.io/trustchain/trustchain"];
    let cfg = &p["provider"]["block"];
    for attr in [
        "region",
        "profile",
        "shared_config_files",
        "shared_credentials_files",
        "max_retries",
        "skip_credentials_validation",
    ] {
        assert!(
            cfg["attributes"][attr].is_object(),
            "provider attribute {attr} missing: {cfg}"
        );
    }
    for block in ["assume_role_with_web_identity", "endpoints", "default_tags"] {
        assert_eq!(cfg["block_types"][block]["nesting_mode"], "list", "{block}");
        assert_eq!(cfg["block_types"][block]["max_items"], 1, "{block}");
    }
    // Several assume_role blocks chain roles, as in hashicorp/aws: no max_items.
    assert_eq!(cfg["block_types"]["assume_role"]["nesting_mode"], "list");
    assert!(cfg["block_types"]["assume_role"]["max_items"].is_null());
    let plan = &p["data_source_schemas"]["trustchain_ipv6_plan"]["block"];
    assert_eq!(plan["attributes"]["prefix"]["required"], true);
    assert_eq!(plan["attributes"]["subnets"]["computed"], true);
    assert_eq!(plan["description_kind"], "markdown");
    let f = &p["functions"]["ipv6_subnet"];
    assert_eq!(f["return_type"], "string");
    assert_eq!(f["parameters"].as_array().map(Vec::len), Some(3));
    assert!(p["functions"]["ipv6_tier_subnet"].is_object());
    // Resource identity (Terraform 1.12+): VPC id required for import, the rest optional.
    let id = &p["resource_identity_schemas"]["trustchain_ipv6_network"];
    assert_eq!(id["version"], 0, "{id}");
    let attrs = &id["attributes"];
    assert_eq!(attrs["vpc_id"]["type"], "string", "{id}");
    assert_eq!(attrs["vpc_id"]["required_for_import"], true, "{id}");
    assert_eq!(attrs["account_id"]["optional_for_import"], true, "{id}");
    assert_eq!(attrs["region"]["optional_for_import"], true, "{id}");
}

#[test]
fn data_source_and_functions_evaluate_in_plan_and_apply() {
    let w = ws(r#"
data "trustchain_ipv6_plan" "this" {
  prefix             = "2600:1f18:abcd:1200::/56"
  tiers              = ["public", "app", "data"]
  availability_zones = ["us-east-1a", "us-east-1c"]
  tier_indexes       = { data = 7 }
}

output "public" {
  value = data.trustchain_ipv6_plan.this.cidr_blocks["public"]
}

output "data" {
  value = data.trustchain_ipv6_plan.this.cidr_blocks["data"]
}

output "count" {
  value = length(data.trustchain_ipv6_plan.this.subnets)
}

output "capacity" {
  value = data.trustchain_ipv6_plan.this.tier_capacity
}

output "fn_subnet" {
  value = provider::trustchain::ipv6_subnet("2600:1f18:abcd:1200::/56", 8, 255)
}

output "fn_tier" {
  value = provider::trustchain::ipv6_tier_subnet("2600:1f18:abcd:1200::/56", 1, "us-east-1c")
}
"#);
    let plan = w.plan().ok();
    assert!(
        plan.stdout().contains("2600:1f18:abcd:12ff::/64"),
        "function result not in plan:\n{}",
        plan.stdout()
    );
    w.apply().ok();
    let out = w.outputs();
    assert_eq!(
        out["public"]["value"],
        serde_json::json!(["2600:1f18:abcd:1200::/64", "2600:1f18:abcd:1202::/64"])
    );
    assert_eq!(
        out["data"]["value"],
        serde_json::json!(["2600:1f18:abcd:1270::/64", "2600:1f18:abcd:1272::/64"])
    );
    assert_eq!(out["count"]["value"], 6);
    assert_eq!(out["capacity"]["value"], 16);
    assert_eq!(out["fn_subnet"]["value"], "2600:1f18:abcd:12ff::/64");
    assert_eq!(out["fn_tier"]["value"], "2600:1f18:abcd:1212::/64");
}

/// The JSON diagnostic for an error: Terraform maps the provider's attribute path
/// to the attribute's source range, so the snippet shows the offending line.
fn assert_diag_points_at(run: &acceptance::Run, summary: &str, line: &str) {
    acceptance::assert_diagnostic_at(&run.error_diagnostics(), summary, line);
}

#[test]
fn bad_data_source_arguments_produce_diagnostics_at_the_attribute() {
    let w = ws(r#"
data "trustchain_ipv6_plan" "bad" {
  prefix             = "2001:db8::1/56"
  tiers              = ["public", "app", "public"]
  availability_zones = ["us-east-1a", "use1-az2"]
}
"#);
    let run = w.terraform(&["plan", "-json", "-no-color"]).failed();
    assert_diag_points_at(&run, "Invalid IPv6 prefix", "prefix");
    assert_diag_points_at(&run, "Duplicate tier name", "tiers");
    assert_diag_points_at(&run, "Invalid availability zone", "availability_zones");
    let text = run.stdout();
    assert!(text.contains("did you mean 2001:db8::/56?"), "{text}");
}

#[test]
fn more_tiers_than_the_prefix_holds_is_an_error_naming_the_tier() {
    let w = ws(r#"
data "trustchain_ipv6_plan" "small" {
  prefix             = "2001:db8::/60"
  tiers              = ["public", "app"]
  availability_zones = ["us-east-1a"]
}
"#);
    let run = w.terraform(&["plan", "-json", "-no-color"]).failed();
    assert_diag_points_at(&run, "Too many tiers for the prefix", "tiers");
}

#[test]
fn function_errors_name_the_argument() {
    let w = ws(r#"
output "x" {
  value = provider::trustchain::ipv6_subnet("2001:db8::/56", 8, 256)
}
"#);
    let run = w.plan().failed();
    let err = run.stderr();
    assert!(err.contains("netnum 256 does not fit in 8 bits"), "{err}");
    assert!(err.contains("Invalid function argument"), "{err}");
}

#[test]
fn provider_logs_reach_terraform_with_levels() {
    let w = ws(r#"
data "trustchain_ipv6_plan" "this" {
  prefix             = "2001:db8::/56"
  tiers              = ["public"]
  availability_zones = ["us-east-1a"]
}
"#);
    let run = w
        .terraform_env(&["plan", "-no-color"], &[("TF_LOG_PROVIDER", "DEBUG")])
        .ok();
    let err = run.stderr();
    let line = err
        .lines()
        .find(|l| l.contains("configuring provider"))
        .unwrap_or_else(|| panic!("no provider log line in stderr:\n{err}"));
    assert!(
        line.contains("[INFO]"),
        "level not parsed from the JSON line: {line}"
    );
    assert!(
        line.contains("provider.terraform-provider-trustchain"),
        "{line}"
    );
    assert!(
        err.lines()
            .any(|l| l.contains("[DEBUG]") && l.contains("provider.terraform-provider-trustchain")),
        "no DEBUG line from the provider"
    );
    // Without TF_LOG_PROVIDER nothing from the provider is logged.
    let quiet = w.plan().ok();
    assert!(!quiet.stderr().contains("configuring provider"));
}

#[test]
fn unknown_provider_block_argument_is_rejected_by_schema() {
    let w = Workspace::new(
        r#"
terraform {
  required_providers {
    trustchain = {
      source = "trustchain/trustchain"
    }
  }
}

provider "trustchain" {
  max_retries = 500
  assume_role {
    role_arn = "not-an-arn"
  }
}

data "trustchain_ipv6_plan" "this" {
  prefix             = "2001:db8::/56"
  tiers              = ["public"]
  availability_zones = ["us-east-1a"]
}
"#,
    );
    let run = w.terraform(&["plan", "-json", "-no-color"]).failed();
    assert_diag_points_at(&run, "Invalid max_retries", "max_retries");
    assert_diag_points_at(&run, "Invalid role ARN", "role_arn");
}

#[test]
fn terraform_attaches_to_a_provider_started_with_debug() {
    use std::io::{BufRead, BufReader};
    let bin = acceptance::built_binary("terraform-provider-trustchain");
    let mut child = std::process::Command::new(bin)
        .arg("--debug")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start provider in debug mode");
    let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    let reattach = loop {
        line.clear();
        assert!(
            reader.read_line(&mut line).expect("read") > 0,
            "no reattach line"
        );
        if let Some(rest) = line.trim().strip_prefix("TF_REATTACH_PROVIDERS='") {
            break rest.trim_end_matches('\'').to_string();
        }
    };
    let w = ws(r#"
output "x" {
  value = provider::trustchain::ipv6_subnet("2001:db8::/56", 8, 1)
}
"#);
    let run = w
        .terraform_env(
            &["apply", "-auto-approve", "-no-color"],
            &[("TF_REATTACH_PROVIDERS", &reattach)],
        )
        .ok();
    assert!(
        run.stdout().contains("2001:db8:0:1::/64"),
        "{}",
        run.stdout()
    );
    // Terraform did not start (or stop) the provider: the debug server still serves.
    assert!(
        child.try_wait().expect("wait").is_none(),
        "debug provider exited"
    );
    let _ = child.kill();
    let _ = child.wait();
}

/// Optional compatibility lane: the image may carry an older Terraform at
/// /usr/local/bin/terraform (1.11.x). When present, it must drive the provider too
/// (functions need 1.8+); when absent, the lane is skipped with the reason printed.
#[test]
fn older_terraform_compatibility_lane_plans_data_source_and_function() {
    let Some(bin) = acceptance::older_terraform(
        "older_terraform_compatibility_lane_plans_data_source_and_function",
    ) else {
        return;
    };
    let w = ws(r#"
data "trustchain_ipv6_plan" "this" {
  prefix             = "2001:db8::/56"
  tiers              = ["public", "app"]
  availability_zones = ["us-east-1a", "us-east-1b"]
}

output "app" {
  value = data.trustchain_ipv6_plan.this.cidr_blocks["app"]
}

output "fn" {
  value = provider::trustchain::ipv6_tier_subnet("2001:db8::/56", 1, "us-east-1b")
}
"#)
    .with_terraform(bin);
    let version = w.terraform(&["version", "-json"]).ok().json();
    eprintln!(
        "compatibility lane: Terraform {}",
        version["terraform_version"]
    );
    w.apply().ok();
    let out = w.outputs();
    assert_eq!(
        out["app"]["value"],
        serde_json::json!(["2001:db8:0:10::/64", "2001:db8:0:11::/64"])
    );
    assert_eq!(out["fn"]["value"], "2001:db8:0:11::/64");
}
