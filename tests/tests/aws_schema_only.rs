//! The schema-only hashicorp/aws test provider under real Terraform: it serves the
//! committed schema whole, plans resources with computed attributes unknown, reads data
//! sources as wholly known placeholders, and refuses to apply.

use acceptance::{Workspace, workspace_root};
use std::io::Read;

const HEADER: &str = r#"terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}

provider "aws" {
  region = "eu-west-1"
}
"#;

fn ws(body: &str) -> Workspace {
    Workspace::with_schema_only_aws(&format!("{HEADER}\n{body}"))
}

fn committed_schema() -> serde_json::Value {
    let gz = std::fs::read(workspace_root().join("tests/aws-schema/schema.json.gz"))
        .expect("read schema.json.gz");
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(gz.as_slice())
        .read_to_end(&mut json)
        .expect("gunzip");
    serde_json::from_slice(&json).expect("schema JSON")
}

#[test]
fn schema_only_aws_serves_every_resource_data_source_and_function() {
    let w = ws("");
    let schema = w.terraform(&["providers", "schema", "-json"]).ok().json();
    let served = &schema["provider_schemas"]["registry.terraform.io/hashicorp/aws"];
    let committed = committed_schema();
    for key in ["resource_schemas", "data_source_schemas", "functions"] {
        let names = |v: &serde_json::Value| -> Vec<String> {
            v[key]
                .as_object()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default()
        };
        assert_eq!(names(served), names(&committed), "{key} differ");
    }
    assert_eq!(
        served["provider"]["block"]["block_types"]["default_tags"]["nesting_mode"],
        "list"
    );
    let lt = &served["resource_schemas"]["aws_launch_template"]["block"];
    assert_eq!(
        lt["block_types"]["metadata_options"]["nesting_mode"],
        "list"
    );
    assert_eq!(lt["block_types"]["metadata_options"]["max_items"], 1);
    let vpc = &served["resource_schemas"]["aws_vpc"]["block"]["attributes"];
    assert_eq!(vpc["cidr_block"]["optional"], true);
    assert_eq!(vpc["cidr_block"]["computed"], true);
    let db = &served["resource_schemas"]["aws_db_instance"]["block"]["attributes"];
    assert_eq!(db["password_wo"]["write_only"], true);
    assert_eq!(
        served["resource_schemas"]["aws_security_group"]["block"]["attributes"]["ingress"]["type"],
        committed["resource_schemas"]["aws_security_group"]["block"]["attributes"]["ingress"]["type"]
    );
}

#[test]
fn data_sources_are_known_at_plan_and_computed_attributes_unknown() {
    let w = ws(r#"
data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}
data "aws_availability_zones" "available" {}
data "aws_iam_policy_document" "this" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["*"]
  }
}

resource "aws_vpc" "this" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_acm_certificate" "this" {
  domain_name               = "example.com"
  subject_alternative_names = ["www.example.com"]
  validation_method         = "DNS"
}

resource "aws_route53_record" "validation" {
  for_each = {
    for o in aws_acm_certificate.this.domain_validation_options : o.domain_name => o
  }
  zone_id = "Z123"
  name    = each.value.resource_record_name
  type    = each.value.resource_record_type
  records = [each.value.resource_record_value]
  ttl     = 60
}

output "account_id" {
  value = data.aws_caller_identity.current.account_id
}
output "region" {
  value = data.aws_region.current.region
}
output "zones" {
  value = data.aws_availability_zones.available.names
}
output "bucket_arn" {
  value = provider::aws::arn_build(data.aws_partition.current.partition, "s3", "", "", "logs")
}
output "policy_is_json" {
  value = can(jsondecode(data.aws_iam_policy_document.this.json))
}
"#);
    let plan = w.plan_json();
    let outputs = &plan["planned_values"]["outputs"];
    assert_eq!(outputs["account_id"]["value"], "123456789012");
    assert_eq!(outputs["region"]["value"], "eu-west-1");
    assert_eq!(
        outputs["zones"]["value"],
        serde_json::json!(["eu-west-1a", "eu-west-1b", "eu-west-1c"])
    );
    assert_eq!(outputs["bucket_arn"]["value"], "arn:aws:s3:::logs");
    assert_eq!(outputs["policy_is_json"]["value"], true);
    let vpc = plan["resource_changes"]
        .as_array()
        .and_then(|rcs| rcs.iter().find(|rc| rc["address"] == "aws_vpc.this"))
        .expect("aws_vpc.this planned");
    assert_eq!(vpc["change"]["actions"], serde_json::json!(["create"]));
    assert_eq!(vpc["change"]["after"]["cidr_block"], "10.0.0.0/16");
    assert_eq!(vpc["change"]["after_unknown"]["arn"], true);
    assert_eq!(vpc["change"]["after_unknown"]["id"], true);
    // As hashicorp/aws does, the certificate's validation domains are known at plan.
    let records: Vec<&str> = plan["resource_changes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|rc| rc["address"].as_str())
        .filter(|a| a.starts_with("aws_route53_record.validation"))
        .collect();
    assert_eq!(
        records,
        [
            "aws_route53_record.validation[\"example.com\"]",
            "aws_route53_record.validation[\"www.example.com\"]"
        ]
    );
}

#[test]
fn apply_fails_with_a_diagnostic_naming_the_schema_only_provider() {
    let w = ws(r#"
resource "aws_vpc" "this" {
  cidr_block = "10.0.0.0/16"
}
"#);
    let run = w.apply().failed();
    assert!(
        run.stderr()
            .contains("The schema-only aws provider cannot create aws_vpc"),
        "{}",
        run.stderr()
    );
}
