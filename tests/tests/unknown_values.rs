//! Values Terraform knows only later, with real Terraform against the emulator, in
//! the configuration an operator writes first: every tagged resource takes tags from
//! variables (unknown during `terraform validate`) and from other resources'
//! attributes (unknown while planning), the provider's default_tags come from
//! another resource, and arguments come from variables and other resources where
//! users put them (subnets, cluster ids, target group ARN, target address, data
//! source inputs). Steps: validate, plan (tags_all known after apply), apply, empty
//! plan; then a default tag that is unknown again updates every tagged resource in
//! place (nothing replaced); destroy.

use acceptance::{Emulator, StepCtx, Steps, provider_block};
use serde_json::{Value, json};

const NET: &str = "trustchain_ipv6_network.net";
const CLUSTER: &str = "trustchain_cloudhsm_cluster.this";
const LB: &str = "trustchain_quic_load_balancer.doq";
const TAGGED: [&str; 3] = [NET, CLUSTER, LB];

fn heredoc(pem: &str) -> String {
    format!("<<-EOT\n{}\n  EOT", pem.trim_end())
}

fn config(emu: &Emulator, anchor: &str, build: &str) -> String {
    // The provider block of every acceptance test, with default tags from another
    // resource (the builtin terraform_data: known only once it is applied).
    let provider = provider_block(emu).replace(
        "  endpoints {",
        "  default_tags {\n    tags = {\n      Owner = var.owner\n      Build = terraform_data.build.output\n    }\n  }\n  endpoints {",
    );
    format!(
        r#"{provider}
variable "env" {{
  type    = string
  default = "acc"
}}

variable "owner" {{
  type    = string
  default = "pki-team"
}}

variable "zones" {{
  type    = list(string)
  default = ["us-east-1a", "us-east-1b"]
}}

variable "doq_port" {{
  type    = number
  default = 8853
}}

variable "ca_key" {{
  type      = string
  sensitive = true
  ephemeral = true
}}

resource "terraform_data" "build" {{
  input = "{build}"
}}

resource "trustchain_ipv6_network" "net" {{
  name               = "unk-${{var.env}}"
  availability_zones = var.zones
  ipv4_cidr          = "10.0.0.0/20"

  tier {{
    name        = "edge"
    kind        = "public"
    ipv6_native = false
  }}

  tier {{
    name        = "hsm"
    kind        = "isolated"
    ipv6_native = false
  }}

  tags = {{
    Env = var.env
  }}
}}

resource "trustchain_cloudhsm_cluster" "this" {{
  hsm_type     = "hsm2m.medium"
  network_type = "DUALSTACK"
  subnet_ids   = trustchain_ipv6_network.net.subnets["hsm"][*].id

  tags = {{
    Env = var.env
    Vpc = trustchain_ipv6_network.net.vpc_id
  }}
}}

resource "trustchain_cloudhsm_hsm" "a" {{
  cluster_id        = trustchain_cloudhsm_cluster.this.cluster_id
  availability_zone = var.zones[0]
}}

resource "trustchain_cloudhsm_cluster_initialization" "this" {{
  cluster_id                        = trustchain_cloudhsm_cluster.this.cluster_id
  trust_anchor                      = {anchor}
  hsm_trust_roots                   = {roots}
  issuing_ca_private_key_wo         = var.ca_key
  issuing_ca_private_key_wo_version = 1
}}

resource "trustchain_quic_load_balancer" "doq" {{
  name       = "unk-doq"
  subnet_ids = trustchain_ipv6_network.net.subnets["edge"][*].id

  listener {{
    port        = var.doq_port
    protocol    = "QUIC"
    target_type = "ip"

    health_check {{
      protocol = "HTTPS"
      port     = 8443
      path     = "/health"
    }}
  }}

  tags = {{
    Env     = var.env
    Vpc     = trustchain_ipv6_network.net.vpc_id
    Cluster = trustchain_cloudhsm_cluster.this.cluster_id
  }}
}}

resource "trustchain_quic_target" "a" {{
  target_group_arn = trustchain_quic_load_balancer.doq.listeners[tostring(var.doq_port)].target_group_arn
  target_id        = cidrhost(trustchain_ipv6_network.net.subnets["edge"][0].ipv4_cidr_block, 5)
}}

data "trustchain_ipv6_plan" "next" {{
  prefix             = trustchain_ipv6_network.net.ipv6_cidr_block
  tiers              = ["edge", "hsm", "app"]
  availability_zones = var.zones
}}

data "trustchain_cloudhsm_cluster" "this" {{
  cluster_id = trustchain_cloudhsm_cluster.this.cluster_id
  tags = {{
    Vpc = trustchain_ipv6_network.net.vpc_id
  }}
}}

output "app_subnets" {{
  value = data.trustchain_ipv6_plan.next.cidr_blocks["app"]
}}

output "cluster_found" {{
  value = data.trustchain_cloudhsm_cluster.this.id
}}
"#,
        anchor = heredoc(anchor),
        roots = heredoc(&emu.cloudhsm_test_roots()),
    )
}

/// The tags AWS holds for each tagged resource: VPC, cluster, load balancer.
fn aws_tags(s: &StepCtx) -> Vec<(String, Value)> {
    let as_map = |list: &Value| -> Value {
        list.as_array()
            .into_iter()
            .flatten()
            .map(|t| {
                (
                    t["Key"].as_str().unwrap_or("").to_string(),
                    t["Value"].clone(),
                )
            })
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    let vpc_id = s.values(NET)["vpc_id"].clone();
    let vpc = s
        .emu
        .call("ec2", "describe_vpcs", json!({"VpcIds": [vpc_id]}));
    let cluster_id = s.values(CLUSTER)["cluster_id"].clone();
    let cluster = s.emu.call(
        "cloudhsmv2",
        "describe_clusters",
        json!({"Filters": {"clusterIds": [cluster_id]}}),
    );
    let lb_arn = s.values(LB)["arn"].clone();
    let lb = s
        .emu
        .call("elbv2", "describe_tags", json!({"ResourceArns": [lb_arn]}));
    vec![
        (NET.into(), as_map(&vpc["Vpcs"][0]["Tags"])),
        (CLUSTER.into(), as_map(&cluster["Clusters"][0]["TagList"])),
        (LB.into(), as_map(&lb["TagDescriptions"][0]["Tags"])),
    ]
}

/// In a saved plan, each tagged resource's tags_all is known after apply, and the
/// tags that come from other resources are too, beside the known ones.
fn tags_all_known_after_apply(plan: &Value) {
    for address in TAGGED {
        let rc = plan["resource_changes"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|r| r["address"] == address)
            .unwrap_or_else(|| panic!("{address} not in the plan"));
        let change = &rc["change"];
        assert_eq!(
            change["after_unknown"]["tags_all"], true,
            "{address}: tags_all should be known after apply: {change}"
        );
        assert_eq!(change["after"]["tags"]["Env"], "acc", "{address}: {change}");
        if address != NET {
            assert_eq!(
                change["after_unknown"]["tags"]["Vpc"], true,
                "{address}: the Vpc tag comes from the network: {change}"
            );
        }
    }
}

#[test]
fn tags_and_arguments_from_variables_and_other_resources_validate_plan_and_apply() {
    let started = std::time::Instant::now();
    let emu = Emulator::start();
    let ca = acceptance::test_root_ca("Unknown Values Root CA");
    let anchor = ca["cert"].as_str().expect("cert");
    Steps::new(&emu)
        .env("TF_VAR_ca_key", ca["key"].as_str().expect("key"))
        .validate("terraform validate", config(&emu, anchor, "b1"))
        .apply("create", config(&emu, anchor, "b1"))
        .check_plan(|_, plan| tags_all_known_after_apply(plan))
        .check(|s| {
            let vpc_id = s.values(NET)["vpc_id"].clone();
            let cluster_id = s.values(CLUSTER)["cluster_id"].clone();
            for (address, tags) in aws_tags(s) {
                assert_eq!(tags["Env"], "acc", "{address}: {tags}");
                assert_eq!(tags["Owner"], "pki-team", "{address}: {tags}");
                assert_eq!(tags["Build"], "b1", "{address}: {tags}");
                if address != NET {
                    assert_eq!(tags["Vpc"], vpc_id, "{address}: {tags}");
                }
            }
            assert_eq!(aws_tags(s)[2].1["Cluster"], cluster_id);
            assert_eq!(s.values(CLUSTER)["tags_all"]["Vpc"], vpc_id);
            assert_eq!(s.output("cluster_found"), cluster_id);
            assert!(
                s.output("app_subnets")
                    .as_array()
                    .is_some_and(|l| l.len() == 2),
                "{}",
                s.output("app_subnets")
            );
        })
        .apply(
            "a default tag unknown again: every tagged resource updates in place",
            config(&emu, anchor, "b2"),
        )
        // The data sources wait for apply too: their provider's configuration is
        // not wholly known while planning. Nothing is replaced; the HSM, the
        // initialization and the target (no tags) do not change.
        .expect_actions(&[
            ("data.trustchain_cloudhsm_cluster.this", "read"),
            ("data.trustchain_ipv6_plan.next", "read"),
            ("terraform_data.build", "update"),
            (CLUSTER, "update"),
            (NET, "update"),
            (LB, "update"),
        ])
        .check(|s| {
            for (address, tags) in aws_tags(s) {
                assert_eq!(tags["Build"], "b2", "{address}: {tags}");
            }
        })
        .destroy()
        .run();
    let line = format!(
        "unknown values e2e: validate, create, update through an unknown default tag, destroy in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    acceptance::write_report("unknown-values", &[line]);
}
