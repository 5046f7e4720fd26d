//! Checks of a cluster configuration that need no AWS call (values may be unknown).
//! The subnet facts (zones, VPC, IPv6 blocks) are checked at plan time in `plan`.

use super::model::{ClusterModel, HSM_TYPES, MAX_SUBNETS, MODES, NETWORK_TYPES, RETENTION_DAYS};
use crate::aws::tag_rules;
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

/// A CloudHSM id: `prefix-` and 11 to 16 of [2-7a-zA-Z] (the API model's pattern).
pub fn is_id(s: &str, prefix: &str) -> bool {
    s.strip_prefix(prefix)
        .and_then(|r| r.strip_prefix('-'))
        .is_some_and(|r| {
            (11..=16).contains(&r.len())
                && r.chars()
                    .all(|c| c.is_ascii_alphabetic() || ('2'..='7').contains(&c))
        })
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
    use serde_json::json;

    fn model(v: serde_json::Value) -> ClusterModel {
        tfplugin::framework::model_from_json(&schema::schema(), &v).expect("model")
    }

    fn paths(d: &Diagnostics) -> Vec<(String, String)> {
        d.iter()
            .map(|x| {
                (
                    x.attribute
                        .as_ref()
                        .map(|p| p.to_string())
                        .unwrap_or_default(),
                    x.summary.clone(),
                )
            })
            .collect()
    }

    #[test]
    fn non_fips_on_hsm1_is_an_error_at_mode() {
        let d = check(&model(json!({
            "hsm_type": "hsm1.medium", "mode": "NON_FIPS", "subnet_ids": ["subnet-1"]
        })));
        assert_eq!(
            paths(&d),
            [("mode".into(), "NON_FIPS mode needs hsm2m.medium".into())]
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
                paths(&d),
                [(
                    "backup_retention_days".into(),
                    "Backup retention out of range".into()
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
        let p = paths(&d);
        for want in [
            "hsm_type",
            "network_type",
            "subnet_ids",
            "source_backup_id",
            "tags[\"aws:owner\"]",
        ] {
            assert!(p.iter().any(|(a, _)| a == want), "{want} missing in {p:?}");
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
}
