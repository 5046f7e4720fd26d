//! A bad spec names file, line and key path, exits non-zero and writes nothing.

mod common;

use std::fs;

use common::{builtin_spec, codegen, run, snapshot, text, workspace};

/// Applies `edit` to a built-in spec, runs `generate --spec` over an output
/// directory that already holds good output, and checks the error and that
/// not one byte changed.
fn assert_rejected(
    platform: &str,
    edit: impl Fn(&str) -> String,
    marker: &str,
    key_path: &str,
    message: &str,
) {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("out");
    let ws = workspace();
    let good = run(codegen(&ws)
        .args(["generate", "--platform", platform, "--out"])
        .arg(&out_dir));
    assert!(good.status.success(), "{}", text(&good.stderr));
    let before = snapshot(&out_dir);

    let spec = edit(&builtin_spec(platform));
    let line = spec
        .lines()
        .position(|l| l.contains(marker))
        .expect("marker is in the edited spec")
        + 1;
    let spec_path = tmp.path().join("bad.toml");
    fs::write(&spec_path, &spec).unwrap();

    let out = run(codegen(&ws)
        .arg("generate")
        .arg("--spec")
        .arg(&spec_path)
        .arg("--out")
        .arg(&out_dir));
    let stderr = text(&out.stderr);
    assert!(
        !out.status.success(),
        "a bad spec must fail; stderr: {stderr}"
    );
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let location = format!("bad.toml:{line}:");
    assert!(
        stderr.contains(&location),
        "expected {location} in: {stderr}"
    );
    assert!(
        stderr.contains(&format!("`{key_path}`")),
        "expected key path {key_path} in: {stderr}"
    );
    assert!(
        stderr.contains(message),
        "expected {message:?} in: {stderr}"
    );
    assert!(
        snapshot(&out_dir) == before,
        "a failed run changed the output directory"
    );
}

#[test]
fn unknown_key_is_reported_with_line_and_key_path() {
    assert_rejected(
        "trustchain",
        |s| {
            s.replacen(
                "[compute]\n",
                "[compute]\ninstance_typo = \"c6g.large\"\n",
                1,
            )
        },
        "instance_typo",
        "compute.instance_typo",
        "unknown field `instance_typo`",
    );
}

#[test]
fn wrong_type_is_reported_with_line_and_key_path() {
    assert_rejected(
        "trustchain",
        |s| s.replacen("min_size = 2\n", "min_size = \"two\"\n", 1),
        "min_size = \"two\"",
        "compute.min_size",
        "invalid type",
    );
}

#[test]
fn invalid_cidr_is_reported_with_line_and_key_path() {
    assert_rejected(
        "trustchain",
        |s| {
            s.replacen(
                "ipv4_cidr = \"10.0.0.0/20\"",
                "ipv4_cidr = \"10.0.0.300/20\"",
                1,
            )
        },
        "10.0.0.300/20",
        "networking.ipv4_cidr",
        "invalid IPv4 CIDR",
    );
}

#[test]
fn subnet_outside_the_vpc_block_is_reported_with_its_list_index() {
    assert_rejected(
        "solidity",
        |s| s.replacen("\"10.0.5.0/24\"", "\"10.9.5.0/24\"", 1),
        "10.9.5.0/24",
        "networking.private_subnet_cidrs[1]",
        "is not inside the VPC block 10.0.0.0/16",
    );
}

#[test]
fn out_of_range_cloudhsm_backup_retention_is_reported() {
    assert_rejected(
        "trustchain",
        |s| {
            s.replacen(
                "backup_retention_days = 90",
                "backup_retention_days = 400",
                1,
            )
        },
        "backup_retention_days = 400",
        "hsm.backup_retention_days",
        "between 7 and 379",
    );
}

#[test]
fn log_retention_cloudwatch_does_not_accept_is_reported() {
    assert_rejected(
        "solidity",
        |s| {
            s.replacen(
                "flow_log_retention_days = 365",
                "flow_log_retention_days = 366",
                1,
            )
        },
        "flow_log_retention_days = 366",
        "networking.flow_log_retention_days",
        "CloudWatch log retention of 366 days is out of range",
    );
}

/// The security settings both platforms share are checked the same way on each: a
/// GuardDuty publishing frequency the API does not take is refused on solidity too.
#[test]
fn guardduty_publishing_frequency_is_checked_on_both_platforms() {
    for platform in ["solidity", "trustchain"] {
        assert_rejected(
            platform,
            |s| {
                let line = s
                    .lines()
                    .find(|l| l.starts_with("guardduty_finding_publishing_frequency"))
                    .expect("the spec sets the frequency");
                s.replacen(
                    line,
                    "guardduty_finding_publishing_frequency = \"TWO_HOURS\"",
                    1,
                )
            },
            "guardduty_finding_publishing_frequency = \"TWO_HOURS\"",
            "security.guardduty_finding_publishing_frequency",
            "TWO_HOURS",
        );
    }
}

#[test]
fn out_of_range_rds_backup_retention_is_reported() {
    assert_rejected(
        "solidity",
        |s| {
            s.replacen(
                "backup_retention_days = 30",
                "backup_retention_days = 90",
                1,
            )
        },
        "backup_retention_days = 90",
        "database.backup_retention_days",
        "between 1 and 35",
    );
}

/// Chart versions in the addons spec are exact: a range, a wildcard or an empty version
/// is refused at its key (the helm_release would otherwise pick whatever the repository
/// serves next; the rule pack's CKV_TC_10 checks the generated releases too).
#[test]
fn unpinned_addon_chart_versions_are_reported() {
    for bad in ["~> 10.1", "10.*", ">= 10.1.1", "", "10.1"] {
        let line = format!("version = \"{bad}\" # unpinned");
        assert_rejected(
            "solidity",
            |s| s.replacen("version = \"10.1.1\"", &line, 1),
            &line,
            "addons.charts.argocd.version",
            "is not an exact chart version",
        );
    }
}

/// Route 53 probes the ALB, whose rules send a path outside /api/* and /ws/* to the UI:
/// `/health` there is not the UI's health check path, and the probe would fail on a
/// healthy region (the failover records would move traffic for nothing).
#[test]
fn a_route53_probe_path_the_reached_service_does_not_answer_is_reported() {
    let line = "health_check_path = \"/health\" # probe";
    assert_rejected(
        "solidity",
        |s| {
            let edited = s.replacen(
                "health_check_path = \"/\"\n\n[certificates]",
                &format!("{line}\n\n[certificates]"),
                1,
            );
            assert_ne!(edited, s, "the spec's [dns] health_check_path moved");
            edited
        },
        line,
        "dns.health_check_path",
        "routes it to load_balancer.targets.ui, whose health check path is /",
    );
}

#[test]
fn toml_syntax_error_names_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = builtin_spec("trustchain").replacen("[compute]\n", "[compute\n", 1);
    let line = spec.lines().position(|l| l == "[compute").unwrap() + 1;
    let path = tmp.path().join("broken.toml");
    fs::write(&path, spec).unwrap();
    let out = run(codegen(&workspace())
        .arg("generate")
        .arg("--spec")
        .arg(&path)
        .arg("--out")
        .arg(tmp.path().join("out")));
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&format!("broken.toml:{line}:")), "{stderr}");
    assert!(!tmp.path().join("out").exists(), "nothing may be written");
}

#[test]
fn platform_regions_must_be_region_names_and_differ() {
    assert_rejected(
        "trustchain",
        |s| {
            s.replacen(
                "primary_region = \"us-east-1\"",
                "primary_region = \"us-east\"",
                1,
            )
        },
        "primary_region = \"us-east\"",
        "platform.primary_region",
        "\"us-east\" is not an AWS region name",
    );
    assert_rejected(
        "solidity",
        |s| {
            s.replacen(
                "secondary_region = \"us-west-2\"",
                "secondary_region = \"us-east-1\"",
                1,
            )
        },
        "secondary_region = \"us-east-1\"",
        "platform.secondary_region",
        "the secondary region must differ from the primary region",
    );
}

#[test]
fn the_platform_domain_is_a_name_with_a_dot_and_no_trailing_dot() {
    for bad in ["trust.hypermesh.online.", "localhost"] {
        assert_rejected(
            "trustchain",
            |s| {
                s.replacen(
                    "domain = \"trust.hypermesh.online\"",
                    &format!("domain = \"{bad}\""),
                    1,
                )
            },
            &format!("domain = \"{bad}\""),
            "platform.domain",
            &format!("{bad:?} is not a domain name"),
        );
    }
}

#[test]
fn platform_tag_keys_must_not_start_with_aws() {
    assert_rejected(
        "solidity",
        |s| s.replacen("[tags]\n", "[tags]\n\"aws:owner\" = \"platform\"\n", 1),
        "\"aws:owner\" = \"platform\"",
        "tags.aws:owner",
        "must not start with aws:",
    );
}
