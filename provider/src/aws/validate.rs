//! Static checks of the provider block (ValidateProviderConfig, run by `terraform
//! validate` and at plan): each diagnostic at its attribute, with the fix. A value
//! not known yet (e.g. `allowed_account_ids = [var.account]` during validate) is
//! skipped; only a conflict between two arguments that are set counts without
//! their values.

use super::services::validate_endpoints;
use super::settings::RetryMode;
use tfplugin::diag::Diagnostics;
use tfplugin::framework::timeouts::parse_duration;
use tfplugin::value::{AttributePath, Value};

fn root() -> AttributePath {
    AttributePath::root()
}

/// Set to a known value: an unknown one may still turn out null, so a conflict
/// waits for it (Terraform validates again once it is known).
fn is_set(v: Option<&Value>) -> bool {
    v.is_some_and(|v| !v.is_null() && !v.is_unknown())
}

/// The known strings of a list or set (unknown elements skipped).
fn strings(v: Option<&Value>) -> Vec<&str> {
    v.and_then(Value::as_list)
        .map(|l| l.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

pub fn validate(config: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    if let Some(n) = config.get("max_retries").and_then(Value::as_number)
        && n.as_i64().is_none_or(|v| !(0..=100).contains(&v))
    {
        d.error_at(
            root().attr("max_retries"),
            "Invalid max_retries",
            format!("max_retries must be a whole number from 0 to 100, got {n}."),
        );
    }
    if let Some(m) = config.get("retry_mode").and_then(Value::as_str)
        && RetryMode::parse(m).is_none()
    {
        d.error_at(
            root().attr("retry_mode"),
            "Invalid retry_mode",
            format!("retry_mode must be \"standard\" or \"adaptive\" (the default), got {m:?}."),
        );
    }
    accounts(config, &mut d);
    if let Some(r) = config.get("region").and_then(Value::as_str) {
        d.extend(super::region::check(r, root().attr("region")));
    }
    if let Some(r) = config.get("sts_region").and_then(Value::as_str)
        && !super::region::is_well_formed(r)
    {
        d.error_at(
            root().attr("sts_region"),
            "Invalid sts_region",
            format!("{r:?} is not an AWS Region name such as us-east-1."),
        );
    }
    if let Some(path) = config.get("custom_ca_bundle").and_then(Value::as_str)
        && let Err(why) = super::http::read_ca_bundle(path)
    {
        d.error_at(
            root().attr("custom_ca_bundle"),
            "Unusable custom_ca_bundle",
            why,
        );
    }
    for name in ["http_proxy", "https_proxy"] {
        if let Some(url) = config.get(name).and_then(Value::as_str)
            && !url.is_empty()
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            d.error_at(
                root().attr(name),
                format!("Invalid {name}"),
                format!("{url:?} must be a proxy URL such as http://proxy.example.com:3128, or \"\" for no proxy."),
            );
        }
    }
    assume_roles(config, &mut d);
    web_identity(config, &mut d);
    ignore_tags(config, &mut d);
    d.extend(validate_endpoints(config));
    d
}

fn accounts(config: &Value, d: &mut Diagnostics) {
    let allowed = config.get("allowed_account_ids");
    let forbidden = config.get("forbidden_account_ids");
    if is_set(allowed) && is_set(forbidden) {
        d.error_at(
            root().attr("forbidden_account_ids"),
            "Conflicting account lists",
            "allowed_account_ids and forbidden_account_ids cannot both be set: keep allowed_account_ids (the accounts this configuration may change) and remove forbidden_account_ids.",
        );
    }
    for (name, v) in [
        ("allowed_account_ids", allowed),
        ("forbidden_account_ids", forbidden),
    ] {
        for id in strings(v) {
            if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
                d.error_at(
                    root().attr(name),
                    "Invalid AWS account id",
                    format!("{id:?} in {name} is not an AWS account id: 12 digits, e.g. \"123456789012\" (keep leading zeros; write it as a string)."),
                );
            }
        }
    }
}

/// arn:<partition>:iam::<12 digits>:role/<path/name>
pub fn is_role_arn(arn: &str) -> bool {
    let p: Vec<&str> = arn.splitn(6, ':').collect();
    p.len() == 6
        && p[0] == "arn"
        && p[1].starts_with("aws")
        && p[2] == "iam"
        && p[3].is_empty()
        && p[4].len() == 12
        && p[4].bytes().all(|b| b.is_ascii_digit())
        && p[5].strip_prefix("role/").is_some_and(|n| {
            !n.is_empty()
                && !n.ends_with('/')
                && n.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-/".contains(&b))
        })
}

/// AWS STS: RoleSessionName and SourceIdentity are 2-64 of [\w+=,.@-].
fn is_session_name(s: &str) -> bool {
    (2..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b))
}

fn role_common(r: &Value, path: &AttributePath, block: &str, d: &mut Diagnostics) {
    if let Some(arn) = r.get("role_arn").and_then(Value::as_str)
        && !is_role_arn(arn)
    {
        d.error_at(
            path.clone().attr("role_arn"),
            "Invalid role ARN",
            format!("{arn:?} is not an IAM role ARN: write it as arn:aws:iam::123456789012:role/deployer (partition, empty region, 12-digit account, role/ and the role's path and name)."),
        );
    }
    if let Some(s) = r.get("duration").and_then(Value::as_str) {
        match parse_duration(s) {
            Some(dur) if (900..=43_200).contains(&dur.as_secs()) => {}
            _ => d.error_at(
                path.clone().attr("duration"),
                format!("Invalid {block} duration"),
                format!("{s:?} must be a duration from 15m to 12h, e.g. \"1h\" or \"2h45m\" (chained roles: at most 1h)."),
            ),
        }
    }
    if let Some(s) = r.get("session_name").and_then(Value::as_str)
        && !is_session_name(s)
    {
        d.error_at(
            path.clone().attr("session_name"),
            "Invalid session_name",
            format!("{s:?} must be 2 to 64 letters, digits or _+=,.@- (AWS STS RoleSessionName)."),
        );
    }
    if let Some(p) = r.get("policy").and_then(Value::as_str)
        && serde_json::from_str::<serde_json::Value>(p).map_or(true, |v| !v.is_object())
    {
        d.error_at(
            path.clone().attr("policy"),
            "Invalid session policy",
            "policy must be an IAM policy document in JSON, e.g. jsonencode({ Version = \"2012-10-17\", Statement = [...] }).",
        );
    }
    for arn in strings(r.get("policy_arns")) {
        let p: Vec<&str> = arn.splitn(6, ':').collect();
        if p.len() != 6 || p[0] != "arn" || p[2] != "iam" || !p[5].starts_with("policy/") {
            d.error_at(
                path.clone().attr("policy_arns"),
                "Invalid policy ARN",
                format!("{arn:?} is not an IAM policy ARN such as arn:aws:iam::aws:policy/ReadOnlyAccess."),
            );
        }
    }
}

fn assume_roles(config: &Value, d: &mut Diagnostics) {
    let Some(roles) = config.get("assume_role").and_then(Value::as_list) else {
        return;
    };
    for (i, r) in roles.iter().enumerate() {
        let path = root().attr("assume_role").index(i as i64);
        role_common(r, &path, "assume_role", d);
        if let Some(s) = r.get("source_identity").and_then(Value::as_str)
            && !is_session_name(s)
        {
            d.error_at(
                path.clone().attr("source_identity"),
                "Invalid source_identity",
                format!(
                    "{s:?} must be 2 to 64 letters, digits or _+=,.@- (AWS STS SourceIdentity)."
                ),
            );
        }
        // Transitive keys must be session tags of this role (STS refuses others).
        if let Some(tags) = r.get("tags").and_then(Value::as_map)
            && r.get("tags").is_some_and(Value::is_fully_known)
        {
            for k in strings(r.get("transitive_tag_keys")) {
                if !tags.contains_key(k) {
                    d.error_at(
                        path.clone().attr("transitive_tag_keys"),
                        "Transitive tag key without a session tag",
                        format!("{k:?} is in transitive_tag_keys but not in tags: add it to tags, or remove it from transitive_tag_keys."),
                    );
                }
            }
        }
    }
}

fn web_identity(config: &Value, d: &mut Diagnostics) {
    let Some(blocks) = config
        .get("assume_role_with_web_identity")
        .and_then(Value::as_list)
    else {
        return;
    };
    for (i, w) in blocks.iter().enumerate() {
        let path = root().attr("assume_role_with_web_identity").index(i as i64);
        role_common(w, &path, "assume_role_with_web_identity", d);
        if is_set(w.get("web_identity_token")) && is_set(w.get("web_identity_token_file")) {
            d.error_at(
                path.clone().attr("web_identity_token_file"),
                "Conflicting web identity tokens",
                "Set web_identity_token or web_identity_token_file, not both: keep the file when your CI runner writes the token to one (it is read again when the credentials expire).",
            );
        }
    }
}

fn ignore_tags(config: &Value, d: &mut Diagnostics) {
    let Some(blocks) = config.get("ignore_tags").and_then(Value::as_list) else {
        return;
    };
    for (i, b) in blocks.iter().enumerate() {
        for name in ["keys", "key_prefixes"] {
            if strings(b.get(name)).iter().any(|k| k.is_empty()) {
                d.error_at(
                    root().attr("ignore_tags").index(i as i64).attr(name),
                    "Empty tag key in ignore_tags",
                    format!("An empty string in ignore_tags.{name} matches no tag (an empty prefix would hide every tag): remove it."),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(d: &Diagnostics) -> Vec<String> {
        d.iter()
            .filter_map(|x| x.attribute.as_ref().map(|p| p.to_string()))
            .collect()
    }

    #[test]
    fn role_arns_are_checked_for_their_parts() {
        assert!(is_role_arn("arn:aws:iam::123456789012:role/deployer"));
        assert!(is_role_arn(
            "arn:aws-us-gov:iam::123456789012:role/ci/deployer"
        ));
        assert!(!is_role_arn("arn:aws:iam::123456789012:user/deployer"));
        assert!(!is_role_arn("arn:aws:iam:us-east-1:123456789012:role/x"));
        assert!(!is_role_arn("arn:aws:iam::1234:role/x"));
        assert!(!is_role_arn("deployer"));
    }

    #[test]
    fn bad_input_gets_a_diagnostic_at_its_attribute() {
        let config = Value::object([
            ("retry_mode", Value::string("legacy")),
            (
                "allowed_account_ids",
                Value::set([Value::string("111111111111")]),
            ),
            (
                "forbidden_account_ids",
                Value::set([Value::string("12345")]),
            ),
            ("custom_ca_bundle", Value::string("/nonexistent/ca.pem")),
            ("sts_region", Value::string("mars")),
            (
                "assume_role",
                Value::list([Value::object([
                    (
                        "role_arn",
                        Value::string("arn:aws:iam::123456789012:user/x"),
                    ),
                    ("duration", Value::string("13h")),
                    ("tags", Value::map([("Team", Value::string("pki"))])),
                    (
                        "transitive_tag_keys",
                        Value::set([Value::string("Project")]),
                    ),
                ])]),
            ),
        ]);
        let d = validate(&config);
        assert_eq!(
            paths(&d),
            [
                "retry_mode",
                "forbidden_account_ids",
                "forbidden_account_ids",
                "sts_region",
                "custom_ca_bundle",
                "assume_role[0].role_arn",
                "assume_role[0].duration",
                "assume_role[0].transitive_tag_keys",
            ]
        );
        let ca = d
            .iter()
            .find(|x| x.summary.contains("custom_ca_bundle"))
            .expect("ca");
        assert!(ca.detail.contains("/nonexistent/ca.pem"), "{}", ca.detail);
    }

    #[test]
    fn unknown_values_are_skipped_but_a_conflict_still_counts() {
        let config = Value::object([
            ("allowed_account_ids", Value::set([Value::unknown()])),
            ("forbidden_account_ids", Value::unknown()),
            ("retry_mode", Value::unknown()),
            ("custom_ca_bundle", Value::unknown()),
            (
                "assume_role",
                Value::list([Value::object([
                    ("role_arn", Value::unknown()),
                    ("tags", Value::map([("Team", Value::unknown())])),
                    ("transitive_tag_keys", Value::set([Value::string("Team")])),
                ])]),
            ),
        ]);
        // An unknown list may still turn out null: the conflict waits for it.
        assert!(paths(&validate(&config)).is_empty());
        // A known list beside one with an unknown element conflicts already.
        let mut config = config;
        config
            .set_at(
                &root().attr("forbidden_account_ids"),
                Value::set([Value::string("123456789012")]),
            )
            .expect("set");
        assert_eq!(paths(&validate(&config)), ["forbidden_account_ids"]);
    }
}
