//! The module validation pipeline (`make validate-modules`): real Terraform validates
//! and plans every generated module and example against the schema-only hashicorp/aws
//! provider and the built trustchain provider; checkov checks them once. See
//! `acceptance::validate_modules`.

use acceptance::validate_modules::{self, Options, Target};
use acceptance::workspace_root;

/// Fixtures live in this checkout, whatever TRUSTCHAIN_VALIDATE_ROOT says.
fn fixture_options() -> Options {
    Options {
        checkov: false,
        jobs: 1,
        root: workspace_root(),
    }
}

#[test]
fn generated_modules_and_examples_pass_fmt_validate_plan_and_checkov() {
    let targets = validate_modules::discover();
    assert!(
        targets.iter().filter(|t| !t.plan).count() >= 10,
        "expected the generated modules under modules/<platform>/: {targets:?}"
    );
    let report = validate_modules::run(&targets, &Options::default());
    let table = report.table();
    validate_modules::save_table(&table);
    println!("{table}");
    assert!(!report.failed(), "module validation failed:\n{table}");
}

#[test]
fn pipeline_reports_typo_missing_argument_and_block_as_attribute() {
    let fixture = Target {
        name: "tests/fixtures/invalid-module".into(),
        plan: false,
    };
    let report = validate_modules::run(std::slice::from_ref(&fixture), &fixture_options());
    let table = report.table();
    println!("{table}");
    assert!(report.failed(), "the invalid fixture passed:\n{table}");
    let result = &report.results[0];
    assert_eq!(result.status(), "FAIL (3)", "{table}");
    let messages: Vec<String> = report.failures().iter().map(|f| f.to_string()).collect();
    for (attribute, what) in [
        ("\"cidr_blok\"", "Unsupported argument"),
        ("\"vpc_id\"", "Missing required argument"),
        ("\"metadata_options\"", "Unsupported argument"),
    ] {
        assert!(
            messages
                .iter()
                .any(|m| m.contains(attribute) && m.contains(what) && m.contains("[validate]")),
            "no {what} for {attribute} in:\n{table}"
        );
    }
    assert!(
        messages
            .iter()
            .all(|m| m.contains("tests/fixtures/invalid-module/main.tf:")),
        "failures should name the fixture's file and line:\n{table}"
    );
}

#[test]
fn pipeline_fails_init_for_a_provider_without_dev_override() {
    let fixture = Target {
        name: "tests/fixtures/provider-without-override".into(),
        plan: false,
    };
    let report = validate_modules::run(std::slice::from_ref(&fixture), &fixture_options());
    let table = report.table();
    println!("{table}");
    let failures = report.failures();
    assert_eq!(failures.len(), 1, "{table}");
    assert_eq!(failures[0].stage, "init", "{table}");
    assert!(
        failures[0].message.contains("hashicorp/random"),
        "init failure should name the provider:\n{table}"
    );
}
