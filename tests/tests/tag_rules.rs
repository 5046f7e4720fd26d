//! AWS's tag rules at plan time, for every tagged resource (EC2: the network; ELBv2:
//! the load balancer; CloudHSM: the cluster), with real Terraform: each broken rule
//! is an error at the attribute to change that names the rule; and the emulator
//! refuses what the plan refuses (tests/emulator/README.md quotes the rules).

use acceptance::{Emulator, Steps, assert_diagnostic, provider_block};
use serde_json::json;

#[test]
fn tag_rules_are_errors_at_plan_time_for_ec2_elbv2_and_cloudhsm() {
    let emu = Emulator::start();
    let long_key = "k".repeat(129);
    let long_value = "v".repeat(257);
    let config = format!(
        r#"{provider}
resource "trustchain_ipv6_network" "this" {{
  name               = "tagged"
  availability_zones = ["us-east-1a"]

  tier {{
    name = "public"
    kind = "public"
    subnet_tags = {{
      "trustchain:role" = "elb"
    }}
  }}

  tags = {{
    "aws:owner" = "pki"
    "{long_key}" = "x"
  }}
}}

resource "trustchain_quic_load_balancer" "this" {{
  name            = "tagged"
  subnet_ids      = ["subnet-00000000000000001"]
  ip_address_type = "ipv4"

  listener {{
    port     = 853
    protocol = "TCP"

    health_check {{
      protocol = "TCP"
    }}
  }}

  tags = {{
    "team#1" = "pki"
  }}
}}

resource "trustchain_cloudhsm_cluster" "this" {{
  hsm_type   = "hsm2m.medium"
  subnet_ids = ["subnet-00000000000000001"]

  tags = {{
    Owner = "{long_value}"
  }}
}}
"#,
        provider = provider_block(&emu)
    );
    // 48 tags of its own, plus Name and the provider's three keys on each route table.
    let many: String = (0..48).map(|i| format!("    T{i} = \"x\"\n")).collect();
    let url = emu.url();
    let defaults = format!(
        r#"terraform {{
  required_providers {{
    trustchain = {{
      source = "trustchain/trustchain"
    }}
  }}
}}

provider "trustchain" {{
  region = "us-east-1"
  endpoints {{
    ec2 = "{url}"
    sts = "{url}"
  }}
  default_tags {{
    tags = {{
      "AWS:team" = "pki"
    }}
  }}
}}

resource "trustchain_ipv6_network" "this" {{
  name               = "tagged"
  availability_zones = ["us-east-1a"]

  tier {{
    name = "app"
    kind = "private"
  }}

  tags = {{
{many}  }}
}}
"#
    );
    Steps::new(&emu)
        .plan_fails("plan resources with tags AWS refuses", config)
        .errors(|diags, _| {
            assert_diagnostic(diags, "Reserved tag key", "\"aws:owner\" = \"pki\"", "aws:");
            assert_diagnostic(diags, "Tag key too long", "kkkk", "at most 128 characters");
            assert_diagnostic(diags, "Reserved tag key", "\"trustchain:role\" = \"elb\"", "trustchain:");
            assert_diagnostic(diags, "Invalid character in tag key", "\"team#1\" = \"pki\"", "Elastic Load Balancing tag keys may hold letters, numbers, spaces and _ . : / = + - @ only");
            assert_diagnostic(diags, "Tag value too long", "Owner = ", "CloudHSM tag values have at most 256 characters");
        })
        .plan_fails(
            "plan a network whose default_tags and own tags break the rules",
            defaults,
        )
        .errors(|diags, _| {
            assert_diagnostic(diags, "Reserved tag key", "tags = {", "default_tags");
            assert_diagnostic(diags, "Too many tags", "tags = {", "EC2 allows 50 tags per resource; each route table");
        })
        .run();
    // The emulator refuses them too, with AWS's rules.
    let vpc = emu.call("ec2", "create_vpc", json!({"CidrBlock": "10.9.0.0/16"}));
    let refused = emu
        .try_call(
            "ec2",
            "create_tags",
            json!({"Resources": [vpc["Vpc"]["VpcId"]], "Tags": [{"Key": "aws:owner", "Value": "pki"}]}),
        )
        .expect_err("aws: tag keys are AWS's");
    assert_eq!(refused.code, "InvalidParameterValue", "{refused:?}");
}
