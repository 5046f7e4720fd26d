//! The provider arguments a production account needs, with real Terraform against
//! the emulator: ignore_tags (foreign tags survive updates, the plan stays empty),
//! allowed/forbidden_account_ids (a wrong account stops the plan), assume_role
//! chains and assume_role_with_web_identity (followed hop by hop through the
//! emulator's STS), the User-Agent, and bad input at its attribute.

use acceptance::{Emulator, Steps, Workspace};
use serde_json::{Value, json};

const NET: &str = "trustchain_ipv6_network.this";

fn endpoints(emu: &Emulator) -> String {
    let url = emu.url();
    format!(
        "  endpoints {{\n    ec2        = \"{url}\"\n    elbv2      = \"{url}\"\n    cloudhsmv2 = \"{url}\"\n    sts        = \"{url}\"\n  }}\n"
    )
}

/// `terraform {}` and the provider block with `extra` arguments and blocks.
fn provider(emu: &Emulator, extra: &str) -> String {
    format!(
        "terraform {{\n  required_providers {{\n    trustchain = {{ source = \"trustchain/trustchain\" }}\n  }}\n}}\n\nprovider \"trustchain\" {{\n  region = \"us-east-1\"\n{}{extra}}}\n",
        endpoints(emu)
    )
}

fn network(name: &str, env: &str, provider_ref: &str) -> String {
    format!(
        r#"
resource "trustchain_ipv6_network" "{name}" {{
{provider_ref}  name               = "{name}-net"
  availability_zones = ["us-east-1a"]

  tier {{
    name = "public"
    kind = "public"
  }}

  tier {{
    name = "app"
    kind = "private"
  }}

  tags = {{
    Environment = "{env}"
  }}
}}
"#
    )
}

const IGNORE: &str = r#"
  default_tags {
    tags = { Team = "pki" }
  }

  ignore_tags {
    keys         = ["CostCenter"]
    key_prefixes = ["kubernetes.io/"]
  }
"#;

/// Every EC2 object of the network: the VPC, its subnets and route tables (main
/// table left out: the network does not manage it), the internet gateways.
fn network_objects(emu: &Emulator, vpc_id: &str) -> Vec<(String, Value)> {
    let by_vpc = json!({"Filters": [{"Name": "vpc-id", "Values": [vpc_id]}]});
    let mut out = Vec::new();
    for v in emu.call("ec2", "describe_vpcs", json!({"VpcIds": [vpc_id]}))["Vpcs"]
        .as_array()
        .into_iter()
        .flatten()
    {
        out.push((v["VpcId"].as_str().unwrap_or("").into(), v["Tags"].clone()));
    }
    for s in emu.call("ec2", "describe_subnets", by_vpc.clone())["Subnets"]
        .as_array()
        .into_iter()
        .flatten()
    {
        out.push((
            s["SubnetId"].as_str().unwrap_or("").into(),
            s["Tags"].clone(),
        ));
    }
    for rt in emu.call("ec2", "describe_route_tables", by_vpc)["RouteTables"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let main = rt["Associations"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x["Main"] == true));
        if !main {
            out.push((
                rt["RouteTableId"].as_str().unwrap_or("").into(),
                rt["Tags"].clone(),
            ));
        }
    }
    let igw = emu.call(
        "ec2",
        "describe_internet_gateways",
        json!({"Filters": [{"Name": "attachment.vpc-id", "Values": [vpc_id]}]}),
    );
    for g in igw["InternetGateways"].as_array().into_iter().flatten() {
        out.push((
            g["InternetGatewayId"].as_str().unwrap_or("").into(),
            g["Tags"].clone(),
        ));
    }
    let eigw = emu.call(
        "ec2",
        "describe_egress_only_internet_gateways",
        json!({"Filters": [{"Name": "tag:trustchain:vpc-id", "Values": [vpc_id]}]}),
    );
    for g in eigw["EgressOnlyInternetGateways"]
        .as_array()
        .into_iter()
        .flatten()
    {
        out.push((
            g["EgressOnlyInternetGatewayId"]
                .as_str()
                .unwrap_or("")
                .into(),
            g["Tags"].clone(),
        ));
    }
    out
}

fn tag<'a>(tags: &'a Value, key: &str) -> Option<&'a str> {
    tags.as_array()?
        .iter()
        .find(|t| t["Key"] == key)
        .and_then(|t| t["Value"].as_str())
}

#[test]
fn ignore_tags_foreign_tags_survive_updates_and_the_plan_stays_empty() {
    let emu = Emulator::start();
    let config = |env: &str| format!("{}{}", provider(&emu, IGNORE), network("this", env, ""));
    Steps::new(&emu)
        .apply("create", config("test"))
        .check(|s| {
            s.remember("vpc", s.values(NET)["vpc_id"].as_str().unwrap_or(""));
        })
        .drift(
            "another tool tags the VPC, subnets, route tables and gateways",
            |s| {
                let ids: Vec<String> = network_objects(s.emu, &s.recall_str("vpc"))
                    .into_iter()
                    .map(|(id, _)| id)
                    .collect();
                assert!(
                    ids.len() >= 7,
                    "VPC, 2 subnets, 2 route tables, 2 gateways: {ids:?}"
                );
                s.emu.call(
                    "ec2",
                    "create_tags",
                    json!({"Resources": ids, "Tags": [
                        {"Key": "CostCenter", "Value": "42"},
                        {"Key": "kubernetes.io/role/elb", "Value": "1"},
                    ]}),
                );
            },
        )
        .expect_actions(&[])
        .apply("change the network's tags", config("prod"))
        .expect_actions(&[(NET, "update")])
        .check(|s| {
            let objects = network_objects(s.emu, &s.recall_str("vpc"));
            for (id, tags) in &objects {
                assert_eq!(tag(tags, "CostCenter"), Some("42"), "{id}: {tags}");
                assert_eq!(
                    tag(tags, "kubernetes.io/role/elb"),
                    Some("1"),
                    "{id}: {tags}"
                );
                assert_eq!(
                    tag(tags, "Environment"),
                    Some("prod"),
                    "{id} updated: {tags}"
                );
                assert_eq!(tag(tags, "Team"), Some("pki"), "{id}: {tags}");
            }
            let v = s.values(NET);
            assert_eq!(
                v["tags_all"],
                json!({"Environment": "prod", "Team": "pki"}),
                "ignored keys stay out of tags_all"
            );
            assert_eq!(v["tags"], json!({"Environment": "prod"}));
        })
        .destroy()
        .run();
}

#[test]
fn a_wrong_account_is_refused_at_plan_with_both_account_ids() {
    let emu = Emulator::start();
    let net = network("this", "test", "");
    let who = emu.call("sts", "get_caller_identity", json!({}));
    let account = who["Account"].as_str().unwrap_or("").to_string();
    assert_eq!(account.len(), 12, "{who}");
    Steps::new(&emu)
        .plan_fails(
            "allowed_account_ids without the credentials' account",
            format!(
                "{}{net}",
                provider(&emu, "  allowed_account_ids = [\"111111111111\"]\n")
            ),
        )
        .errors(|errors, _| {
            let e = errors
                .iter()
                .find(|e| e["summary"] == "AWS account not allowed")
                .unwrap_or_else(|| panic!("{errors:?}"));
            let detail = e["detail"].as_str().unwrap_or("");
            assert!(detail.contains(&account), "{detail}");
            assert!(detail.contains("111111111111"), "{detail}");
        })
        .plan_fails(
            "forbidden_account_ids with the credentials' account",
            format!(
                "{}{net}",
                provider(
                    &emu,
                    &format!("  forbidden_account_ids = [\"{account}\"]\n")
                )
            ),
        )
        .errors(|errors, _| {
            assert!(
                errors
                    .iter()
                    .any(|e| e["summary"] == "AWS account forbidden"
                        && e["detail"].as_str().unwrap_or("").contains(&account)),
                "{errors:?}"
            );
        })
        .run();
    // The right account from a variable (unknown during validate) passes, and the
    // refused plans changed nothing.
    let w = Workspace::new(&format!(
        "variable \"account\" {{\n  type = string\n}}\n{}{net}",
        provider(&emu, "  allowed_account_ids = [var.account]\n")
    ));
    w.validate().ok();
    w.terraform(&[
        "plan",
        "-no-color",
        "-input=false",
        &format!("-var=account={account}"),
    ])
    .ok();
    assert_eq!(emu.calls("ec2", "CreateVpc"), 0);
}

#[test]
fn role_chains_and_web_identity_are_followed_hop_by_hop() {
    let emu = Emulator::start();
    let chain = r#"
  allowed_account_ids = [var.deploy_account]

  assume_role {
    role_arn            = "arn:aws:iam::111111111111:role/hop"
    session_name        = "hop1"
    source_identity     = "ci-runner"
    tags                = { Team = "pki" }
    transitive_tag_keys = ["Team"]
  }

  assume_role {
    role_arn    = "arn:aws:iam::222222222222:role/deployer"
    duration    = "30m"
    policy_arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
  }
"#;
    let oidc = format!(
        r#"
provider "trustchain" {{
  alias  = "oidc"
  region = "us-east-1"
{}
  allowed_account_ids = ["333333333333"]

  assume_role_with_web_identity {{
    role_arn                = "arn:aws:iam::333333333333:role/ci"
    web_identity_token_file = "${{path.module}}/token"
    session_name            = "gha"
  }}
}}
"#,
        endpoints(&emu)
    );
    let config = format!(
        "variable \"deploy_account\" {{\n  default = \"222222222222\"\n}}\n{}{oidc}{}{}",
        provider(&emu, chain),
        network("a", "test", ""),
        network("b", "test", "  provider = trustchain.oidc\n"),
    );
    let w = Workspace::new(&config);
    w.write_file("token", "eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl\n");
    emu.clear_requests();
    w.validate().ok();
    w.plan().ok();
    let calls = emu.requests()["calls"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let callers = |action: &str| -> Vec<Value> {
        calls
            .iter()
            .filter(|c| c["action"] == action)
            .map(|c| c["caller_account"].clone())
            .collect()
    };
    // Hop 1 is signed by the base credentials, hop 2 by hop 1's session.
    let mut hops = callers("AssumeRole");
    hops.sort_by_key(|v| v.to_string());
    assert_eq!(
        hops,
        [json!("111111111111"), json!("123456789012")],
        "{calls:?}"
    );
    assert_eq!(callers("AssumeRoleWithWebIdentity"), [Value::Null]);
    let mut who = callers("GetCallerIdentity");
    who.sort_by_key(|v| v.to_string());
    assert_eq!(
        who,
        [json!("222222222222"), json!("333333333333")],
        "{calls:?}"
    );
    for c in &calls {
        if c["action"] == "DescribeAvailabilityZones" {
            assert!(
                c["caller_account"] == "222222222222" || c["caller_account"] == "333333333333",
                "EC2 is called with the last hop's credentials: {c}"
            );
        }
        let ua = c["user_agent"].as_str().unwrap_or("");
        assert!(
            ua.starts_with("terraform-provider-trustchain/") && ua.contains(" Terraform/1."),
            "every call names the provider and Terraform: {ua:?}"
        );
    }
}

#[test]
fn bad_provider_arguments_get_a_diagnostic_at_their_attribute_with_the_fix() {
    let w = Workspace::new(
        r#"terraform {
  required_providers {
    trustchain = { source = "trustchain/trustchain" }
  }
}

provider "trustchain" {
  region                = "us-east-1"
  retry_mode            = "legacy"
  allowed_account_ids   = ["111111111111"]
  forbidden_account_ids = ["222222222222"]
  custom_ca_bundle      = "/nonexistent/corp-ca.pem"

  assume_role {
    role_arn = "arn:aws:iam::123456789012:user/deployer"
  }

  endpoints {
    ec2 = "http://10.1.2.3:4566"
  }
}

data "trustchain_ipv6_plan" "p" {
  prefix             = "2600:1f18:1234:5600::/56"
  tiers              = ["public"]
  availability_zones = ["us-east-1a"]
}
"#,
    );
    let run = w.validate().failed();
    let v = run.json();
    let diags = v["diagnostics"].as_array().cloned().unwrap_or_default();
    let at = |attr: &str| -> Value {
        diags
            .iter()
            .find(|d| {
                d["snippet"]["code"]
                    .as_str()
                    .is_some_and(|c| c.trim_start().starts_with(attr))
            })
            .cloned()
            .unwrap_or_else(|| panic!("no diagnostic at {attr}: {diags:#?}"))
    };
    let retry = at("retry_mode");
    assert!(
        retry["detail"]
            .as_str()
            .unwrap_or("")
            .contains("\"standard\" or \"adaptive\"")
    );
    let conflict = at("forbidden_account_ids");
    assert!(
        conflict["detail"]
            .as_str()
            .unwrap_or("")
            .contains("remove forbidden_account_ids")
    );
    let ca = at("custom_ca_bundle");
    assert!(
        ca["detail"]
            .as_str()
            .unwrap_or("")
            .contains("/nonexistent/corp-ca.pem")
    );
    let arn = at("role_arn");
    assert!(
        arn["detail"]
            .as_str()
            .unwrap_or("")
            .contains("arn:aws:iam::123456789012:role/deployer")
    );
    let http = at("ec2");
    assert_eq!(http["severity"], "warning", "{http}");
    assert!(
        http["detail"]
            .as_str()
            .unwrap_or("")
            .contains("unencrypted")
    );
    assert_eq!(
        diags.iter().filter(|d| d["severity"] == "error").count(),
        4,
        "{diags:#?}"
    );
}
