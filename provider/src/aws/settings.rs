//! The provider block's settings, named and behaving as in hashicorp/aws, and the
//! values derived from them with the environment variables the AWS SDK reads.

use super::services::Endpoints;
use super::tags::IgnoreTags;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, Deserialize)]
pub struct ProviderSettings {
    pub region: Option<String>,
    pub profile: Option<String>,
    pub shared_config_files: Option<Vec<String>>,
    pub shared_credentials_files: Option<Vec<String>>,
    pub max_retries: Option<i64>,
    pub retry_mode: Option<String>,
    pub skip_credentials_validation: Option<bool>,
    pub allowed_account_ids: Option<Vec<String>>,
    pub forbidden_account_ids: Option<Vec<String>>,
    pub use_dualstack_endpoint: Option<bool>,
    pub use_fips_endpoint: Option<bool>,
    pub sts_region: Option<String>,
    pub custom_ca_bundle: Option<String>,
    pub http_proxy: Option<String>,
    pub https_proxy: Option<String>,
    pub no_proxy: Option<String>,
    #[serde(default)]
    pub assume_role: Vec<AssumeRole>,
    #[serde(default)]
    pub assume_role_with_web_identity: Vec<WebIdentity>,
    #[serde(default)]
    pub endpoints: Vec<Endpoints>,
    #[serde(default)]
    pub default_tags: Vec<DefaultTags>,
    #[serde(default)]
    pub ignore_tags: Vec<IgnoreTagsBlock>,
}

/// One `assume_role` block; several are assumed in order (role chaining).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct AssumeRole {
    pub role_arn: Option<String>,
    pub session_name: Option<String>,
    pub external_id: Option<String>,
    pub duration: Option<String>,
    pub policy: Option<String>,
    pub policy_arns: Option<Vec<String>>,
    pub source_identity: Option<String>,
    pub tags: Option<BTreeMap<String, String>>,
    pub transitive_tag_keys: Option<Vec<String>>,
}

/// `assume_role_with_web_identity`: OIDC federation (CI runners). Unset arguments
/// fall back to `AWS_ROLE_ARN`, `AWS_WEB_IDENTITY_TOKEN_FILE` and
/// `AWS_ROLE_SESSION_NAME`, as in hashicorp/aws and the AWS SDKs.
#[derive(Clone, Default, Deserialize)]
pub struct WebIdentity {
    pub role_arn: Option<String>,
    pub web_identity_token: Option<String>,
    pub web_identity_token_file: Option<String>,
    pub session_name: Option<String>,
    pub duration: Option<String>,
    pub policy: Option<String>,
    pub policy_arns: Option<Vec<String>>,
}

// The token is a credential: never in a Debug dump (logs, panics).
impl std::fmt::Debug for WebIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebIdentity")
            .field("role_arn", &self.role_arn)
            .field(
                "web_identity_token",
                &self.web_identity_token.as_ref().map(|_| "<redacted>"),
            )
            .field("web_identity_token_file", &self.web_identity_token_file)
            .field("session_name", &self.session_name)
            .field("duration", &self.duration)
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct DefaultTags {
    pub tags: Option<BTreeMap<String, String>>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct IgnoreTagsBlock {
    pub keys: Option<Vec<String>>,
    pub key_prefixes: Option<Vec<String>>,
}

/// `standard` or `adaptive` (AWS SDK retry modes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryMode {
    Standard,
    Adaptive,
}

impl RetryMode {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "standard" => Some(Self::Standard),
            "adaptive" => Some(Self::Adaptive),
            _ => None,
        }
    }
}

/// The first non-empty value of the environment variables `names`.
pub fn env_var(names: &[&str]) -> Option<String> {
    names
        .iter()
        .find_map(|n| std::env::var(n).ok().filter(|v| !v.is_empty()))
}

impl ProviderSettings {
    pub fn endpoints(&self) -> Endpoints {
        self.endpoints.first().cloned().unwrap_or_default()
    }

    pub fn default_tags(&self) -> BTreeMap<String, String> {
        self.default_tags
            .first()
            .and_then(|t| t.tags.clone())
            .unwrap_or_default()
    }

    pub fn ignore_tags(&self) -> IgnoreTags {
        let b = self.ignore_tags.first().cloned().unwrap_or_default();
        IgnoreTags {
            keys: b.keys.unwrap_or_default(),
            key_prefixes: b.key_prefixes.unwrap_or_default(),
        }
    }

    /// `retry_mode`, else `AWS_RETRY_MODE`, else adaptive (the provider's default:
    /// once AWS throttles, every client of a service slows to the rate AWS accepts).
    pub fn retry_mode(&self) -> RetryMode {
        self.retry_mode
            .clone()
            .or_else(|| env_var(&["AWS_RETRY_MODE"]))
            .and_then(|m| RetryMode::parse(&m))
            .unwrap_or(RetryMode::Adaptive)
    }

    /// `custom_ca_bundle`, else `AWS_CA_BUNDLE`.
    pub fn ca_bundle(&self) -> Option<String> {
        self.custom_ca_bundle
            .clone()
            .filter(|p| !p.is_empty())
            .or_else(|| env_var(&["AWS_CA_BUNDLE"]))
    }

    /// The account ids of `allowed_account_ids` / `forbidden_account_ids`, when set.
    pub fn account_rule(&self) -> Option<AccountRule> {
        match (&self.allowed_account_ids, &self.forbidden_account_ids) {
            (Some(a), _) if !a.is_empty() => Some(AccountRule::Allowed(a.clone())),
            (_, Some(f)) if !f.is_empty() => Some(AccountRule::Forbidden(f.clone())),
            _ => None,
        }
    }
}

/// The guard against applying a configuration in the wrong AWS account.
#[derive(Clone, Debug, PartialEq)]
pub enum AccountRule {
    Allowed(Vec<String>),
    Forbidden(Vec<String>),
}

impl AccountRule {
    /// An error naming the account found and the list, unless `account` passes.
    pub fn check(&self, account: &str) -> Result<(), tfplugin::diag::Diagnostic> {
        use tfplugin::diag::Diagnostic;
        use tfplugin::value::AttributePath;
        let quoted = |ids: &[String]| {
            ids.iter()
                .map(|i| format!("{i:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            Self::Allowed(ids) if !ids.iter().any(|i| i == account) => Err(Diagnostic::error(
                "AWS account not allowed",
                format!(
                    "The credentials belong to AWS account {account}, which is not in allowed_account_ids [{}]. Nothing was changed. Use credentials (profile, assume_role) for one of the allowed accounts, or add {account} to allowed_account_ids if this account is meant.",
                    quoted(ids)
                ),
            )
            .at(AttributePath::root().attr("allowed_account_ids"))),
            Self::Forbidden(ids) if ids.iter().any(|i| i == account) => Err(Diagnostic::error(
                "AWS account forbidden",
                format!(
                    "The credentials belong to AWS account {account}, which is in forbidden_account_ids [{}]. Nothing was changed. Use credentials (profile, assume_role) for another account.",
                    quoted(ids)
                ),
            )
            .at(AttributePath::root().attr("forbidden_account_ids"))),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrong_account_is_refused_naming_both_accounts() {
        let allowed = AccountRule::Allowed(vec!["111111111111".into(), "222222222222".into()]);
        assert!(allowed.check("222222222222").is_ok());
        let e = allowed.check("123456789012").expect_err("not allowed");
        assert!(e.detail.contains("123456789012"), "{}", e.detail);
        assert!(
            e.detail.contains("\"111111111111\", \"222222222222\""),
            "{}",
            e.detail
        );
        let forbidden = AccountRule::Forbidden(vec!["123456789012".into()]);
        assert!(forbidden.check("111111111111").is_ok());
        let e = forbidden.check("123456789012").expect_err("forbidden");
        assert!(
            e.detail.contains(
                "account 123456789012, which is in forbidden_account_ids [\"123456789012\"]"
            ),
            "{}",
            e.detail
        );
    }

    #[test]
    fn retry_mode_defaults_to_adaptive() {
        let s = ProviderSettings {
            retry_mode: Some("standard".into()),
            ..Default::default()
        };
        assert_eq!(s.retry_mode(), RetryMode::Standard);
        assert_eq!(RetryMode::parse("legacy"), None);
    }

    #[test]
    fn the_web_identity_token_never_reaches_debug_output() {
        let w = WebIdentity {
            web_identity_token: Some("eyJsecret".into()),
            ..Default::default()
        };
        assert!(!format!("{w:?}").contains("eyJsecret"));
    }
}
