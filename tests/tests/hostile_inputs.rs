//! The standing hostile-input suite (issue 24): bad input of every class a review
//! found, through real Terraform. Each case ends in a diagnostic at the right place
//! (the attribute, the argument, or none when the configuration is not at fault), no
//! crash, nothing created in the emulator, and no secret printed. Cases share
//! Terraform runs where one run can show several (a plan reports every resource's
//! validation errors at once). The hostile *clients* (raw sockets, HTTP/2, gRPC) are
//! in provider/tests/hostile_clients.rs.

use acceptance::{Emulator, Run, Workspace, provider_block, workspace_root};
use serde_json::Value;
use std::collections::BTreeMap;

fn fixture(name: &str) -> String {
    let p = workspace_root().join("tests/fixtures/hostile").join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The base64 body lines of a PEM: what must never be printed.
fn pem_body(pem: &str) -> Vec<String> {
    pem.lines()
        .filter(|l| !l.starts_with("-----") && l.len() > 20)
        .map(str::to_string)
        .collect()
}

fn heredoc(pem: &str) -> String {
    format!("<<-EOT\n{}EOT", pem)
}

/// Everything a run printed.
fn printed(run: &Run) -> String {
    format!("{}\n{}", run.stdout(), run.stderr())
}

/// No crash: neither a panic nor Terraform's report of a plugin that died.
fn assert_no_crash(run: &Run, what: &str) {
    let all = printed(run);
    for sign in [
        "panicked",
        "Plugin did not respond",
        "plugin exited",
        "Stack trace from the",
        "bug in the provider",
        "This is a bug",
    ] {
        assert!(!all.contains(sign), "{what}: {sign:?} in\n{all}");
    }
}

/// The error diagnostic with `summary`; it must point at the configuration line that
/// holds `line` (Terraform maps the attribute path to its source range).
fn error_at<'a>(diags: &'a [Value], summary: &str, line: &str) -> &'a Value {
    let d = diags
        .iter()
        .find(|d| d["summary"] == summary)
        .unwrap_or_else(|| panic!("no {summary:?} in {diags:#?}"));
    let code = d["snippet"]["code"].as_str().unwrap_or("");
    assert!(
        code.contains(line),
        "{summary:?} points at {code:?}, expected the line with {line:?}"
    );
    assert!(
        !d["detail"].as_str().unwrap_or("").is_empty(),
        "{summary:?} says nothing more: {d:#}"
    );
    d
}

fn plan_json(w: &Workspace, env: &[(&str, &str)]) -> Run {
    w.terraform_env(&["plan", "-json", "-no-color", "-input=false"], env)
}

fn assert_nothing_created(emu: &Emulator) {
    let inventory = emu.inventory();
    let live: BTreeMap<&String, &Vec<String>> =
        inventory.iter().filter(|(_, v)| !v.is_empty()).collect();
    assert!(live.is_empty(), "created in the emulator: {live:?}");
}

// ---------------------------------------------------------------------------
// Credentials in logs
// ---------------------------------------------------------------------------

const ACCESS_KEY: &str = "AKIAHOSTILESUITE7Q2X";
const SECRET_KEY: &str = "hostileSuiteSecret/Key+0123456789abcdefGHIJ";
const SESSION_TOKEN: &str = "IQoJb3JpZ2luX2VjHostileSuiteSessionToken/abc+def/0123456789==";

fn assert_no_credentials(text: &str, what: &str) {
    for (name, value) in [
        ("access key id", ACCESS_KEY),
        ("secret access key", SECRET_KEY),
        ("session token", SESSION_TOKEN),
        ("session token (start)", &SESSION_TOKEN[..24]),
        (
            "session token (percent-encoded)",
            "abc%2Bdef%2F0123456789%3D%3D",
        ),
    ] {
        assert!(!text.contains(value), "the {name} is in {what}");
    }
}

/// TF_LOG=TRACE writes every log line of the provider and its crates (the AWS SDK
/// logs each signed request, its canonical request and the resolved identity at
/// TRACE). With distinctive credentials: none of them in stderr, in the log file
/// (TF_LOG_PATH), or in the crash output of a plugin that dies mid-RPC.
#[test]
fn credentials_never_reach_trace_logs_log_files_or_crash_output() {
    let emu = Emulator::start();
    let mut w = Workspace::new(&format!(
        r#"{provider}
data "trustchain_cloudhsm_backups" "all" {{}}

output "backups" {{
  value = length(data.trustchain_cloudhsm_backups.all.backups)
}}
"#,
        provider = provider_block(&emu)
    ));
    w.set_env("AWS_ACCESS_KEY_ID", ACCESS_KEY);
    w.set_env("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
    w.set_env("AWS_SESSION_TOKEN", SESSION_TOKEN);
    let logs = tempfile::tempdir().expect("log dir");
    let log_file = logs.path().join("terraform.log");
    let log = log_file.display().to_string();
    let mut figures = Vec::new();

    // 1. An apply at TRACE into a log file.
    let run = w
        .terraform_env(
            &["apply", "-auto-approve", "-no-color", "-input=false"],
            &[("TF_LOG", "TRACE"), ("TF_LOG_PATH", log.as_str())],
        )
        .ok();
    let text = std::fs::read_to_string(&log_file).expect("log file");
    assert_no_credentials(&text, "the TF_LOG_PATH file");
    // The SDK did log the signed requests (the filter had something to do), and
    // operation names stay.
    assert!(text.contains("GetCallerIdentity"), "no STS call in the log");
    assert!(
        text.contains("[redacted]"),
        "nothing was redacted: is the SDK still logging at TRACE?"
    );
    assert!(
        text.contains("DescribeBackups"),
        "no operation names left in the log"
    );
    assert_no_credentials(&printed(&run), "the apply's output");
    figures.push(format!(
        "hostile TRACE log file: {} KB, {} redactions, no credential",
        text.len() >> 10,
        text.matches("[redacted]").count()
    ));

    // 2. A refresh at TRACE on stderr (TF_LOG_PROVIDER too: the provider's lines).
    let run = w
        .terraform_env(
            &[
                "apply",
                "-refresh-only",
                "-auto-approve",
                "-no-color",
                "-input=false",
            ],
            &[("TF_LOG", "TRACE"), ("TF_LOG_PROVIDER", "TRACE")],
        )
        .ok();
    let stderr = run.stderr();
    assert!(stderr.contains("[redacted]"), "nothing redacted on stderr");
    assert_no_credentials(&printed(&run), "TRACE output on stderr");

    // 3. A plugin that crashes mid-RPC with a credential in its panic text (debug
    // builds: TFPLUGIN_TEST_CRASH_IN), at TRACE and without logs: Terraform prints the
    // plugin's crash output either way.
    // Terraform shows a Rust plugin's panic text in its log (a Go panic also on the
    // terminal); without TF_LOG the user sees that the plugin died, and no more.
    for level in ["TRACE", ""] {
        let run = w
            .terraform_env(
                &["plan", "-no-color", "-input=false"],
                &[
                    ("TF_LOG", level),
                    ("TFPLUGIN_TEST_CRASH_IN", "ReadDataSource"),
                ],
            )
            .failed();
        let all = printed(&run);
        if level == "TRACE" {
            assert!(
                all.contains("TFPLUGIN_TEST_CRASH_IN ReadDataSource"),
                "no crash output (TF_LOG={level:?}):\n{all}"
            );
            assert!(
                all.contains("[redacted]"),
                "crash output not redacted:\n{all}"
            );
        }
        assert_no_credentials(&all, &format!("crash output (TF_LOG={level:?})"));
    }
    figures.push("hostile crash output at TRACE and without logs: no credential".into());
    acceptance::write_report("hostile-inputs-credentials", &figures);
}

// ---------------------------------------------------------------------------
// Bad values, malformed PEM: refused at plan time, at their attribute
// ---------------------------------------------------------------------------

/// One plan, every mistake the provider sees without AWS: numbers past what a
/// duration or the region can be, and PEM that is encrypted, of the wrong curve, a
/// certificate where a key goes, truncated, or an RSA 1024 root. The keys come from
/// ephemeral variables, as users should pass them; none may be printed.
#[test]
fn bad_values_and_malformed_pem_are_refused_at_their_attribute() {
    let root = fixture("root.pem");
    let header = r#"terraform {
  required_providers {
    trustchain = {
      source = "trustchain/trustchain"
    }
  }
}
"#;
    let good_provider = "provider \"trustchain\" {\n  region = \"us-east-1\"\n}\n";

    // 1. The provider block (Terraform stops at its errors: a run of its own).
    let w = Workspace::new(&format!(
        r#"{header}
provider "trustchain" {{
  region = "US-EAST-1"
  assume_role {{
    role_arn = "arn:aws:iam::123456789012:role/deployer"
    duration = "99999999999999999999999h"
  }}
}}

data "trustchain_ipv6_plan" "uses_the_provider" {{
  prefix             = "2001:db8::/56"
  tiers              = ["app"]
  availability_zones = ["us-east-1a"]
}}
"#
    ));
    let run = plan_json(&w, &[]).failed();
    assert_no_crash(&run, "provider block");
    let diags = run.error_diagnostics();
    error_at(&diags, "Invalid AWS region", "region");
    error_at(&diags, "Invalid assume_role duration", "duration");

    // 2. Literals: a duration past Go's limit, truncated and RSA 1024 anchors.
    w.write_main(&format!(
        r#"{header}{good_provider}
resource "trustchain_quic_target" "huge_timeout" {{
  target_group_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/doq/0123456789abcdef"
  target_id        = "i-0123456789abcdef0"
  port             = 8853
  timeouts {{
    create = "2562048h"
  }}
}}

resource "trustchain_cloudhsm_cluster_initialization" "truncated_anchor" {{
  cluster_id   = "cluster-abcdefghijk"
  trust_anchor = {truncated}
  signed_cert  = {root}
}}

resource "trustchain_cloudhsm_cluster_initialization" "rsa1024" {{
  cluster_id   = "cluster-abcdefghijk"
  trust_anchor = {rsa1024}
  signed_cert  = {rsa1024}
}}
"#,
        truncated = heredoc(&fixture("root_truncated.pem")),
        root = heredoc(&root),
        rsa1024 = heredoc(&fixture("rsa1024_root.pem")),
    ));
    let run = plan_json(&w, &[]).failed();
    assert_no_crash(&run, "literals");
    let diags = run.error_diagnostics();
    let t = error_at(&diags, "Invalid duration", "create");
    assert!(
        t["detail"].as_str().unwrap_or("").contains("292 years"),
        "{t:#}"
    );
    let anchors: Vec<String> = diags
        .iter()
        .filter(|d| {
            d["snippet"]["code"]
                .as_str()
                .unwrap_or("")
                .contains("trust_anchor")
        })
        .map(|d| d["detail"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(
        anchors
            .iter()
            .any(|d| d.contains("RSA 1024 key") && !d.contains("not self-signed")),
        "the RSA 1024 root: {anchors:#?}"
    );
    assert!(
        anchors.iter().any(|d| d.contains("PEM")),
        "the truncated anchor: {anchors:#?}"
    );

    // 3. Keys from ephemeral variables, as users should pass them: encrypted, EC
    // P-256, Ed25519, a certificate where the key goes, truncated.
    let keys = [
        ("k_encrypted", fixture("root_encrypted.key")),
        ("k_p256", fixture("p256.key")),
        ("k_ed25519", fixture("ed25519.key")),
        ("k_cert", fixture("root.pem")),
        ("k_truncated", fixture("root_truncated.key")),
    ];
    let mut config = format!("{header}{good_provider}");
    for (var, _) in &keys {
        config.push_str(&format!(
            r#"
variable "{var}" {{
  type      = string
  sensitive = true
  ephemeral = true
}}

resource "trustchain_cloudhsm_cluster_initialization" "{var}" {{
  cluster_id                = "cluster-abcdefghijk"
  trust_anchor              = {anchor}
  issuing_ca_private_key_wo = var.{var}
}}
"#,
            anchor = heredoc(&root)
        ));
    }
    w.write_main(&config);
    let env: Vec<(String, String)> = keys
        .iter()
        .map(|(k, v)| (format!("TF_VAR_{k}"), v.clone()))
        .collect();
    let env_ref: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let run = plan_json(&w, &env_ref).failed();
    assert_no_crash(&run, "keys");
    let diags = run.error_diagnostics();
    let key_errors: Vec<&Value> = diags
        .iter()
        .filter(|d| d["summary"] == "Invalid issuing_ca_private_key_wo")
        .collect();
    let details: Vec<&str> = key_errors
        .iter()
        .map(|d| d["detail"].as_str().unwrap_or(""))
        .collect();
    for (what, words) in [
        ("encrypted", "encrypted"),
        ("P-256 and Ed25519", "not an RSA private key"),
        ("certificate", "CERTIFICATE"),
        ("truncated", "PEM"),
    ] {
        assert!(
            details.iter().any(|d| d.contains(words)),
            "no key error about {what} ({words:?}) in {details:#?}; all: {diags:#?}"
        );
    }
    assert_eq!(key_errors.len(), keys.len(), "{details:#?}");
    for d in &key_errors {
        let code = d["snippet"]["code"].as_str().unwrap_or("");
        assert!(code.contains("issuing_ca_private_key_wo"), "{d:#}");
    }
    let all = printed(&run);
    for (var, pem) in &keys {
        for line in pem_body(pem) {
            assert!(!all.contains(&line), "a line of {var} was printed");
        }
    }
}

// ---------------------------------------------------------------------------
// Values known at plan time that AWS would refuse at apply
// ---------------------------------------------------------------------------

/// An initialization whose known cluster_id names no cluster fails the plan at
/// cluster_id (it used to fail the apply); provider functions given numbers past the
/// address space fail at their argument. Nothing reaches AWS but reads.
#[test]
fn known_bad_references_and_function_arguments_are_refused_at_plan() {
    let emu = Emulator::start();
    let w = Workspace::new(&format!(
        r#"{provider}
resource "trustchain_cloudhsm_cluster_initialization" "nowhere" {{
  cluster_id   = "cluster-abcdefghijk"
  trust_anchor = {root}
  signed_cert  = {root}
}}

output "whole_space" {{
  value = provider::trustchain::ipv6_subnet("::/0", 128, 5)
}}
"#,
        provider = provider_block(&emu),
        root = heredoc(&fixture("root.pem"))
    ));
    let run = plan_json(&w, &[]).failed();
    assert_no_crash(&run, "plan");
    let diags = run.error_diagnostics();
    let d = error_at(&diags, "CloudHSM cluster not found", "cluster_id");
    assert!(
        d["detail"]
            .as_str()
            .unwrap_or("")
            .contains("cluster-abcdefghijk"),
        "{d:#}"
    );
    assert_eq!(emu.calls("cloudhsm", "InitializeCluster"), 0);

    // Functions: the whole address space carves, 2^62 tiers do not fit.
    w.write_main(&format!(
        r#"{provider}
output "whole_space" {{
  value = provider::trustchain::ipv6_subnet("::/0", 128, 5)
}}

output "tier_2_62" {{
  value = provider::trustchain::ipv6_tier_subnet("::/0", 4611686018427387904, "us-east-1a")
}}
"#,
        provider = provider_block(&emu)
    ));
    let run = plan_json(&w, &[]).failed();
    assert_no_crash(&run, "functions");
    let diags = run.error_diagnostics();
    let d = diags
        .iter()
        .find(|d| {
            d["detail"]
                .as_str()
                .unwrap_or("")
                .contains("4611686018427387904")
        })
        .unwrap_or_else(|| panic!("no error about the tier index: {diags:#?}"));
    assert!(
        d["snippet"]["code"]
            .as_str()
            .unwrap_or("")
            .contains("ipv6_tier_subnet"),
        "{d:#}"
    );
    w.write_main(&format!(
        r#"{provider}
output "whole_space" {{
  value = provider::trustchain::ipv6_subnet("::/0", 128, 5)
}}
"#,
        provider = provider_block(&emu)
    ));
    w.apply().ok();
    assert_eq!(w.outputs()["whole_space"]["value"], "::5/128");
    assert_nothing_created(&emu);
}

/// A region AWS does not serve: a warning at `region` at plan time, and at the first
/// AWS call an error that says AWS was not reached, not "No valid AWS credentials".
#[test]
fn an_unreachable_region_is_not_reported_as_bad_credentials() {
    let w = Workspace::new(
        r#"terraform {
  required_providers {
    trustchain = {
      source = "trustchain/trustchain"
    }
  }
}

provider "trustchain" {
  region      = "us-esat-1"
  max_retries = 0
}

data "trustchain_cloudhsm_backups" "all" {}
"#,
    );
    let run = plan_json(&w, &[]).failed();
    assert_no_crash(&run, "plan");
    let all = printed(&run);
    assert!(!all.contains("No valid AWS credentials"), "{all}");
    let diags = run.error_diagnostics();
    let d = diags
        .iter()
        .find(|d| d["summary"] == "AWS STS could not be reached")
        .unwrap_or_else(|| panic!("{diags:#?}"));
    assert!(
        d["detail"].as_str().unwrap_or("").contains("us-esat-1"),
        "{d:#}"
    );
    let warned = run.json_lines().into_iter().any(|l| {
        l["type"] == "diagnostic"
            && l["diagnostic"]["severity"] == "warning"
            && l["diagnostic"]["summary"] == "Unknown AWS region"
    });
    assert!(warned, "no warning at region:\n{all}");
}

// ---------------------------------------------------------------------------
// Import ids
// ---------------------------------------------------------------------------

/// Import ids of the wrong shape, of another resource type, and 40 KB long, through
/// `import` blocks of one plan: each refused with a short message naming the
/// expected form; nothing is imported or created.
#[test]
fn import_ids_of_the_wrong_shape_or_type_are_refused_briefly() {
    let emu = Emulator::start();
    let long = format!("vpc-{}", "0".repeat(40_000));
    let w = Workspace::new(&format!(
        r#"{provider}
import {{
  to = trustchain_cloudhsm_cluster.vpc_id
  id = "vpc-0123456789abcdef0"
}}

import {{
  to = trustchain_cloudhsm_cluster.garbage
  id = "not an id"
}}

import {{
  to = trustchain_ipv6_network.cluster_id
  id = "cluster-abcdefghijk"
}}

import {{
  to = trustchain_ipv6_network.long
  id = "{long}"
}}

import {{
  to = trustchain_cloudhsm_hsm.no_slash
  id = "cluster-abcdefghijk"
}}

import {{
  to = trustchain_quic_target.short
  id = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/doq/0123456789abcdef"
}}

import {{
  to = trustchain_quic_load_balancer.alb
  id = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/0123456789abcdef"
}}

resource "trustchain_cloudhsm_cluster" "vpc_id" {{
  hsm_type   = "hsm2m.medium"
  subnet_ids = ["subnet-0123456789abcdef0"]
}}

resource "trustchain_cloudhsm_cluster" "garbage" {{
  hsm_type   = "hsm2m.medium"
  subnet_ids = ["subnet-0123456789abcdef0"]
}}

resource "trustchain_ipv6_network" "cluster_id" {{
  name               = "a"
  availability_zones = ["us-east-1a"]
  tier {{
    name = "app"
    kind = "private"
  }}
}}

resource "trustchain_ipv6_network" "long" {{
  name               = "b"
  availability_zones = ["us-east-1a"]
  tier {{
    name = "app"
    kind = "private"
  }}
}}

resource "trustchain_cloudhsm_hsm" "no_slash" {{
  cluster_id        = "cluster-abcdefghijk"
  availability_zone = "us-east-1a"
}}

resource "trustchain_quic_target" "short" {{
  target_group_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/doq/0123456789abcdef"
  target_id        = "i-0123456789abcdef0"
  port             = 8853
}}

resource "trustchain_quic_load_balancer" "alb" {{
  name       = "web"
  subnet_ids = ["subnet-0123456789abcdef0"]
  listener {{
    port     = 8853
    protocol = "QUIC"
    health_check {{
      protocol = "HTTPS"
      port     = 8443
      path     = "/health"
    }}
  }}
}}
"#,
        provider = provider_block(&emu)
    ));
    let run = plan_json(&w, &[]).failed();
    assert_no_crash(&run, "imports");
    let diags = run.error_diagnostics();
    let by_address: Vec<String> = diags
        .iter()
        .map(|d| format!("{}: {}", d["summary"], d["detail"]))
        .collect();
    for d in &diags {
        let text = d.to_string();
        assert!(
            text.len() < 4_000,
            "a diagnostic of {} bytes (the id echoed in full?)",
            text.len()
        );
    }
    let find = |what: &str| -> String {
        diags
            .iter()
            .map(|d| {
                format!(
                    "{}: {}",
                    d["summary"].as_str().unwrap_or(""),
                    d["detail"].as_str().unwrap_or("")
                )
            })
            .find(|t| t.contains(what))
            .unwrap_or_else(|| panic!("no error with {what:?}: {by_address:#?}"))
    };
    assert!(find("\"vpc-0123456789abcdef0\" is not a CloudHSM cluster id").contains("cluster-"));
    find("\"not an id\" is not a CloudHSM cluster id");
    find("\"cluster-abcdefghijk\" is not a VPC id");
    assert!(find("Import id too long").contains("40004 bytes"));
    find("is not CLUSTER_ID/HSM_ID");
    find("is not TARGET_GROUP_ARN/TARGET_ID/PORT");
    find("is not a Network Load Balancer ARN");
    assert!(
        !printed(&run).contains(&"0".repeat(1000)),
        "the 40 KB id was echoed"
    );
    assert_nothing_created(&emu);
    acceptance::write_report(
        "hostile-inputs-imports",
        &[format!(
            "hostile import ids: {} refused, longest diagnostic {} bytes",
            diags.len(),
            diags.iter().map(|d| d.to_string().len()).max().unwrap_or(0)
        )],
    );
}

// ---------------------------------------------------------------------------
// Hand-edited state
// ---------------------------------------------------------------------------

/// A state edited by hand (`terraform state push`) with a value of the wrong type:
/// the error says the stored state cannot be read and how to recover, not "bug in
/// the provider", and points at no configuration line (the configuration is fine).
#[test]
fn hand_edited_state_is_reported_as_such_not_as_a_provider_bug() {
    let emu = Emulator::start();
    let target_group =
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/doq/0123456789abcdef";
    let w = Workspace::new(&format!(
        r#"{provider}
resource "trustchain_quic_target" "edited" {{
  target_group_arn = "{target_group}"
  target_id        = "i-0123456789abcdef0"
  port             = 8853
}}
"#,
        provider = provider_block(&emu)
    ));
    w.terraform(&["init", "-no-color", "-input=false"]);
    let state = serde_json::json!({
        "version": 4,
        "terraform_version": "1.15.5",
        "serial": 1,
        "lineage": "6a1c6c0e-6d0d-4f7e-9e59-1f1f4c1a0b24",
        "outputs": {},
        "resources": [{
            "mode": "managed",
            "type": "trustchain_quic_target",
            "name": "edited",
            "provider": "provider[\"registry.terraform.io/trustchain/trustchain\"]",
            "instances": [{
                "schema_version": 0,
                "attributes": {
                    "id": format!("{target_group}/i-0123456789abcdef0/8853"),
                    "target_group_arn": target_group,
                    "target_id": "i-0123456789abcdef0",
                    "port": {"edited": "by hand"},
                    "availability_zone": null,
                    "quic_server_id": null,
                    "timeouts": null
                },
                "sensitive_attributes": []
            }]
        }],
        "check_results": null
    });
    w.write_file("edited.tfstate", &state.to_string());
    w.terraform(&["state", "push", "edited.tfstate"]).ok();
    let run = plan_json(&w, &[]).failed();
    assert_no_crash(&run, "plan of an edited state");
    let diags = run.error_diagnostics();
    let d = diags
        .iter()
        .find(|d| {
            d["summary"]
                .as_str()
                .unwrap_or("")
                .starts_with("The stored state of this trustchain_quic_target cannot be read")
        })
        .unwrap_or_else(|| panic!("{diags:#?}"));
    let detail = d["detail"].as_str().unwrap_or("");
    assert!(detail.contains("port"), "names the attribute: {detail}");
    assert!(
        detail.contains("terraform state rm"),
        "says the way out: {detail}"
    );
    // Terraform shows the resource block a state belongs to; the provider must not
    // point at an attribute line (it used to point at `port = 8853`).
    let code = d["snippet"]["code"].as_str().unwrap_or("");
    assert!(
        !code.contains("port"),
        "points at the configuration line {code:?}"
    );
    assert_nothing_created(&emu);
}
