//! Checks of a cluster configuration that need no AWS call (values may be unknown).
//! The subnet facts (zones, VPC, IPv6 blocks) are checked at plan time in `plan`.

use super::model::{ClusterModel, HSM_TYPES, MAX_SUBNETS, MODES, NETWORK_TYPES, RETENTION_DAYS};
use crate::aws::tag_rules;
use crate::cloudhsm::is_id;
use tfplugin::diag::Diagnostics;
use tfplugin::value::{Attr, AttributePath};

fn at(name: &str) -> AttributePath {
    AttributePath::root().attr(name)
}

fn one_of(d: &mut Diagnostics, name: &str, v: &Attr<String>, allowed: &[&str]) {
    if let Attr::Known(v) = v
        && !allowed.contains(&v.as_str())
    {
        d.error_at(
            at(name),
            format!("Invalid {name}"),
            format!("{v:?} is not one of {}.", allowed.join(", ")),
        );
    }
}

fn is_backup_ref(s: &str) -> bool {
    if is_id(s, "backup") {
        return true;
    }
    // arn:PARTITION:cloudhsm:REGION:ACCOUNT:backup/backup-...
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    parts.len() == 6
        && parts[0] == "arn"
        && parts[2] == "cloudhsm"
        && parts[4].len() == 12
        && parts[4].chars().all(|c| c.is_ascii_digit())
        && parts[5]
            .strip_prefix("backup/")
            .is_some_and(|id| is_id(id, "backup"))
}

pub fn check(m: &ClusterModel) -> Diagnostics {
    let mut d = Diagnostics::new();
    one_of(&mut d, "hsm_type", &m.hsm_type, HSM_TYPES);
    one_of(&mut d, "mode", &m.mode, MODES);
    one_of(&mut d, "network_type", &m.network_type, NETWORK_TYPES);
    if let (Attr::Known(mode), Attr::Known(hsm_type)) = (&m.mode, &m.hsm_type)
        && mode == "NON_FIPS"
        && hsm_type != "hsm2m.medium"
    {
        d.error_at(
            at("mode"),
            "NON_FIPS mode needs hsm2m.medium",
            format!(
                "AWS offers non-FIPS clusters only with hsm_type hsm2m.medium; this cluster is {hsm_type}. Set hsm_type = \"hsm2m.medium\", or mode = \"FIPS\"."
            ),
        );
    }
    if let Attr::Known(days) = m.backup_retention_days
        && !RETENTION_DAYS.contains(&days)
    {
        d.error_at(
            at("backup_retention_days"),
            "Backup retention out of range",
            format!(
                "CloudHSM keeps backups {} to {} days; {days} is outside that range.",
                RETENTION_DAYS.start(),
                RETENTION_DAYS.end()
            ),
        );
    }
    if let Attr::Known(subnets) = &m.subnet_ids {
        if subnets.is_empty() || subnets.len() > MAX_SUBNETS {
            d.error_at(
                at("subnet_ids"),
                "Wrong number of subnets",
                format!(
                    "A cluster takes 1 to {MAX_SUBNETS} subnets, one per Availability Zone; {} given.",
                    subnets.len()
                ),
            );
        }
        for s in subnets.iter().filter_map(Attr::known) {
            if !s.starts_with("subnet-") {
                d.error_at(
                    at("subnet_ids"),
                    "Invalid subnet id",
                    format!("{s:?} is not a subnet id (subnet-0abc...)."),
                );
            }
        }
    }
    if let Attr::Known(b) = &m.source_backup_id
        && !is_backup_ref(b)
    {
        d.error_at(
            at("source_backup_id"),
            "Invalid backup id",
            format!(
                "{b:?} is neither a backup id (backup-abcdefghijk) nor a backup ARN (arn:aws:cloudhsm:REGION:ACCOUNT:backup/backup-...). The trustchain_cloudhsm_backups data source lists them."
            ),
        );
    }
    d.extend(check_tags(m.tags.known()));
    d
}

/// CloudHSM's tag rules (`crate::aws::tag_rules`) for the configured tags: keys
/// are always known; a value is checked once known; a null value is no tag.
pub fn check_tags(tags: Option<&crate::aws::tags::ConfigTags>) -> Diagnostics {
    let Some(tags) = tags else {
        return Diagnostics::new();
    };
    let set = || tags.iter().filter(|(_, v)| !v.is_null());
    let mut d = tag_rules::check_tags(
        &tag_rules::CLOUDHSM,
        set().map(|(k, v)| (k.as_str(), v.known().map(String::as_str))),
        &at("tags"),
        None,
    );
    d.extend(tag_rules::check_count(
        &tag_rules::CLOUDHSM,
        set().map(|(k, _)| k.as_str()),
        &at("tags"),
        "the cluster",
    ));
    d
}

#[cfg(test)]
mod tests {
    use super::super::schema;
    use super::*;
    use crate::resources::plan_testing::summaries_at;
    use serde_json::json;

    fn model(v: serde_json::Value) -> ClusterModel {
        tfplugin::framework::model_from_json(&schema::schema(), &v).expect("model")
    }

    #[test]
    fn non_fips_on_hsm1_is_an_error_at_mode() {
        let d = check(&model(json!({
            "hsm_type": "hsm1.medium", "mode": "NON_FIPS", "subnet_ids": ["subnet-1"]
        })));
        assert_eq!(
            summaries_at(&d),
            [("NON_FIPS mode needs hsm2m.medium".into(), "mode".into())]
        );
        let ok = check(&model(json!({
            "hsm_type": "hsm2m.medium", "mode": "NON_FIPS", "subnet_ids": ["subnet-1"]
        })));
        assert!(ok.is_empty());
    }

    #[test]
    fn retention_outside_7_to_379_days_is_an_error_at_the_attribute() {
        for days in [6, 380] {
            let d = check(&model(json!({
                "hsm_type": "hsm2m.medium", "backup_retention_days": days, "subnet_ids": ["subnet-1"]
            })));
            assert_eq!(
                summaries_at(&d),
                [(
                    "Backup retention out of range".into(),
                    "backup_retention_days".into()
                )]
            );
        }
        for days in [7, 379] {
            let d = check(&model(json!({
                "hsm_type": "hsm2m.medium", "backup_retention_days": days, "subnet_ids": ["subnet-1"]
            })));
            assert!(d.is_empty(), "{days}");
        }
    }

    #[test]
    fn enums_subnets_backups_and_tags_are_checked() {
        let d = check(&model(json!({
            "hsm_type": "hsm3.large",
            "network_type": "IPV6",
            "subnet_ids": ["vpc-1"],
            "source_backup_id": "bkp-1",
            "tags": {"aws:owner": "x"}
        })));
        let p = summaries_at(&d);
        for want in [
            "hsm_type",
            "network_type",
            "subnet_ids",
            "source_backup_id",
            "tags[\"aws:owner\"]",
        ] {
            assert!(p.iter().any(|(_, a)| a == want), "{want} missing in {p:?}");
        }
    }

    #[test]
    fn backup_references_follow_the_api_pattern() {
        assert!(is_backup_ref("backup-abcdefghij2"));
        assert!(is_backup_ref(
            "arn:aws:cloudhsm:us-east-1:123456789012:backup/backup-abcdefghij2"
        ));
        assert!(!is_backup_ref("backup-abc"));
        assert!(!is_backup_ref("backup-abcdefghij1"));
    }

    #[test]
    fn a_cluster_takes_one_to_ten_subnets_each_a_subnet_id() {
        let with = |subnets: Vec<String>| {
            summaries_at(&check(&model(
                json!({"hsm_type": "hsm2m.medium", "subnet_ids": subnets}),
            )))
        };
        let wrong = vec![(
            "Wrong number of subnets".to_string(),
            "subnet_ids".to_string(),
        )];
        assert_eq!(with(vec![]), wrong);
        let n = |k: usize| (0..k).map(|i| format!("subnet-{i}")).collect::<Vec<_>>();
        assert_eq!(with(n(MAX_SUBNETS + 1)), wrong);
        assert!(with(n(1)).is_empty());
        assert!(with(n(MAX_SUBNETS)).is_empty());
        assert_eq!(
            with(vec!["subnet-1".into(), "sg-1".into()]),
            vec![("Invalid subnet id".to_string(), "subnet_ids".to_string())]
        );
        // Every valid enum value passes.
        for (hsm_type, mode, network_type) in [
            ("hsm1.medium", "FIPS", "IPV4"),
            ("hsm2m.medium", "NON_FIPS", "DUALSTACK"),
        ] {
            let d = check(&model(json!({
                "hsm_type": hsm_type, "mode": mode, "network_type": network_type, "subnet_ids": ["subnet-1"]
            })));
            assert!(d.is_empty(), "{:?}", summaries_at(&d));
        }
        assert_eq!(
            summaries_at(&check(&model(
                json!({"hsm_type": "hsm2m.medium", "mode": "fips", "subnet_ids": ["subnet-1"]})
            ))),
            vec![("Invalid mode".to_string(), "mode".to_string())]
        );
    }

    #[test]
    fn backup_ids_and_arns_are_checked_part_by_part() {
        let id = "backup-abcdefghij2";
        // The API model's pattern: 11 to 16 of [2-7a-zA-Z] after the prefix.
        assert!(is_id("backup-ABCDEFGHIJK", "backup"));
        assert!(is_id("backup-abcdefghijklmnop", "backup"));
        assert!(
            !is_id("backup-abcdefghijklmnopq", "backup"),
            "17 characters"
        );
        assert!(!is_id("backup-abcdefghij", "backup"), "10 characters");
        assert!(!is_id("backup-abcdefghij8", "backup"), "8 is not base32");
        assert!(!is_id("backupabcdefghij2", "backup"), "no dash");
        assert!(!is_id("cluster-abcdefghij2", "backup"));
        let arn = |partition: &str, service: &str, account: &str, resource: &str| {
            format!("arn:{partition}:{service}:us-east-1:{account}:{resource}")
        };
        assert!(is_backup_ref(&arn(
            "aws",
            "cloudhsm",
            "123456789012",
            &format!("backup/{id}")
        )));
        assert!(is_backup_ref(&arn(
            "aws-us-gov",
            "cloudhsm",
            "123456789012",
            &format!("backup/{id}")
        )));
        for wrong in [
            arn("aws", "kms", "123456789012", &format!("backup/{id}")),
            arn("aws", "cloudhsm", "12345678901", &format!("backup/{id}")),
            arn("aws", "cloudhsm", "1234567890123", &format!("backup/{id}")),
            arn("aws", "cloudhsm", "12345678901x", &format!("backup/{id}")),
            arn("aws", "cloudhsm", "123456789012", &format!("cluster/{id}")),
            arn("aws", "cloudhsm", "123456789012", "backup/backup-abc"),
            format!("urn:aws:cloudhsm:us-east-1:123456789012:backup/{id}"),
            format!("arn:aws:cloudhsm:us-east-1:123456789012backup/{id}"),
        ] {
            assert!(!is_backup_ref(&wrong), "{wrong}");
        }
    }

    #[test]
    fn more_than_fifty_tags_null_values_and_bad_values_are_judged_as_cloudhsm_does() {
        let tags = |n: usize| {
            (0..n)
                .map(|i| (format!("k{i}"), json!("v")))
                .collect::<serde_json::Map<_, _>>()
        };
        let d = check(&model(
            json!({"hsm_type": "hsm2m.medium", "subnet_ids": ["subnet-1"], "tags": tags(51)}),
        ));
        assert_eq!(summaries_at(&d).len(), 1, "{:?}", summaries_at(&d));
        assert_eq!(summaries_at(&d)[0].1, "tags");
        let d = check(&model(
            json!({"hsm_type": "hsm2m.medium", "subnet_ids": ["subnet-1"], "tags": tags(50)}),
        ));
        assert!(d.is_empty(), "{:?}", summaries_at(&d));
        // A null value is no tag: 50 set and one null is still 50.
        let mut t = tags(50);
        t.insert("unset".into(), serde_json::Value::Null);
        let d = check(&model(
            json!({"hsm_type": "hsm2m.medium", "subnet_ids": ["subnet-1"], "tags": t}),
        ));
        assert!(d.is_empty(), "{:?}", summaries_at(&d));
        // A bad value is reported at its key.
        let d = check(&model(
            json!({"hsm_type": "hsm2m.medium", "subnet_ids": ["subnet-1"], "tags": {"team": "a#b"}}),
        ));
        assert_eq!(
            summaries_at(&d).first().map(|p| p.1.as_str()),
            Some("tags[\"team\"]"),
            "{:?}",
            summaries_at(&d)
        );
    }
}
