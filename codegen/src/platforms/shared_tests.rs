//! Tests of the spec checks both platforms share (`shared.rs`).

use super::*;

/// The key paths `check` finds problems at.
fn problems(check: impl FnOnce(&mut Validator)) -> Vec<String> {
    let mut v = Validator::default();
    check(&mut v);
    v.paths().into_iter().map(String::from).collect()
}

fn rule(name: &str, schedule: &str, delete: u32, cold: Option<u32>) -> BackupRule {
    BackupRule {
        name: name.into(),
        schedule: schedule.into(),
        delete_after_days: delete,
        cold_storage_after_days: cold,
    }
}

fn backup(continuous: u32, rules: Vec<BackupRule>) -> Vec<String> {
    let b = BackupSection {
        copy_to_secondary_region: false,
        continuous_retention_days: continuous,
        rules,
    };
    problems(|v| b.validate(v))
}

const CRON: &str = "cron(0 3 * * ? *)";

#[test]
fn backup_rules_need_a_name_a_six_field_cron_and_a_retention_aws_takes() {
    let ok = || rule("daily_1-x", CRON, 35, None);
    assert!(backup(0, vec![ok()]).is_empty());
    assert!(backup(35, vec![ok(), rule("weekly", CRON, 36500, Some(90))]).is_empty());
    assert_eq!(backup(36, vec![ok()]), ["backup.continuous_retention_days"]);
    assert_eq!(backup(7, vec![]), ["backup.rules"]);
    for name in ["", "a b", "daily!"] {
        assert_eq!(
            backup(7, vec![rule(name, CRON, 35, None)]),
            ["backup.rules[0].name"],
            "{name:?}"
        );
    }
    for schedule in [
        "rate(1 day)",
        "cron(0 3 * * ?)",
        "cron(0 3 * * ? *",
        "0 3 * * ? *",
    ] {
        assert_eq!(
            backup(7, vec![rule("daily", schedule, 35, None)]),
            ["backup.rules[0].schedule"],
            "{schedule:?}"
        );
    }
    for days in [0, 36501] {
        assert_eq!(
            backup(7, vec![rule("daily", CRON, days, None)]),
            ["backup.rules[0].delete_after_days"]
        );
    }
    // Cold storage keeps a recovery point 90 days at least.
    assert!(backup(7, vec![rule("daily", CRON, 180, Some(90))]).is_empty());
    assert_eq!(
        backup(7, vec![ok(), rule("monthly", CRON, 179, Some(90))]),
        ["backup.rules[1].delete_after_days"]
    );
    assert_eq!(backup(7, vec![ok(), ok()]), ["backup.rules"]);
}

#[test]
fn the_certificate_key_algorithm_is_one_acm_issues() {
    let cert = |alg: &str| CertificatesSection {
        key_algorithm: alg.into(),
        subject_alternative_names: Vec::new(),
    };
    for ok in ["EC_prime256v1", "EC_secp384r1", "RSA_2048"] {
        assert!(problems(|v| cert(ok).validate(v)).is_empty(), "{ok}");
    }
    assert_eq!(
        problems(|v| cert("RSA_4096").validate(v)),
        ["certificates.key_algorithm"]
    );
}

#[test]
fn flow_logs_take_a_cloudwatch_retention_and_a_traffic_type() {
    assert!(problems(|v| validate_flow_logs(v, 365, "ALL")).is_empty());
    assert_eq!(
        problems(|v| validate_flow_logs(v, 366, "ALL")),
        ["networking.flow_log_retention_days"]
    );
    assert_eq!(
        problems(|v| validate_flow_logs(v, 365, "SOME")),
        ["networking.flow_log_traffic_type"]
    );
}

#[test]
fn security_settings_are_ranges_the_apis_take() {
    let groups = Vec::new();
    let common =
        |rate: u64, waf_logs: u32, audit_logs: u32, audit_bucket: u32, freq: &'static str| {
            SecurityCommon {
                waf_rate_limit: rate,
                waf_managed_rule_groups: &groups,
                waf_log_retention_days: waf_logs,
                guardduty_finding_publishing_frequency: freq,
                guardduty_features: &groups,
                config_rules: &groups,
                audit_log_retention_days: audit_logs,
                audit_bucket_retention_days: audit_bucket,
            }
        };
    let check = |c: SecurityCommon| problems(|v| c.validate(v));
    assert!(check(common(10, 365, 365, 1, "SIX_HOURS")).is_empty());
    assert!(check(common(2_000_000_000, 30, 3653, 36500, "FIFTEEN_MINUTES")).is_empty());
    assert_eq!(
        check(common(9, 365, 365, 1, "ONE_HOUR")),
        ["security.waf_rate_limit"]
    );
    assert_eq!(
        check(common(2_000_000_001, 365, 365, 1, "ONE_HOUR")),
        ["security.waf_rate_limit"]
    );
    assert_eq!(
        check(common(10, 366, 365, 1, "ONE_HOUR")),
        ["security.waf_log_retention_days"]
    );
    assert_eq!(
        check(common(10, 365, 366, 1, "ONE_HOUR")),
        ["security.audit_log_retention_days"]
    );
    for days in [0, 36501] {
        assert_eq!(
            check(common(10, 365, 365, days, "ONE_HOUR")),
            ["security.audit_bucket_retention_days"]
        );
    }
    assert_eq!(
        check(common(10, 365, 365, 1, "TWO_HOURS")),
        ["security.guardduty_finding_publishing_frequency"]
    );
}

#[test]
fn kms_keys_rotate_and_wait_within_kms_limits_and_include_every_key_the_modules_use() {
    let keys = vec!["s3".to_string(), "rds".to_string()];
    let check = |rotation, deletion, expected: &[&str]| {
        problems(|v| validate_kms_keys(v, &keys, rotation, deletion, expected))
    };
    assert!(check(90, 7, &["s3", "rds"]).is_empty());
    assert!(check(2560, 30, &["s3"]).is_empty());
    for days in [89, 2561] {
        assert_eq!(check(days, 7, &["s3"]), ["hsm.key_rotation_period_days"]);
    }
    for days in [6, 31] {
        assert_eq!(check(90, days, &["s3"]), ["hsm.key_deletion_window_days"]);
    }
    assert_eq!(check(90, 7, &["s3", "ebs"]), ["hsm.kms_keys"]);
}
