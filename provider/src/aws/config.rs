//! The provider block's settings (hashicorp/aws wording) and the one `SdkConfig`
//! built from them: region, profile, shared files, retries, an assumed role.

use aws_config::retry::RetryConfig;
use aws_config::sts::AssumeRoleProvider;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_runtime::env_config::file::{
    EnvConfigFileKind as ProfileFileKind, EnvConfigFiles as ProfileFiles,
};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::time::Duration;
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::framework::timeouts::parse_duration;
use tfplugin::value::{AttributePath, Value};

use super::services::{Endpoints, validate_endpoints};

/// hashicorp/aws retries up to 25 times by default; so do we.
pub const DEFAULT_MAX_RETRIES: u32 = 25;

#[derive(Clone, Debug, Default, Deserialize)]
pub struct ProviderSettings {
    pub region: Option<String>,
    pub profile: Option<String>,
    pub shared_config_files: Option<Vec<String>>,
    pub shared_credentials_files: Option<Vec<String>>,
    pub max_retries: Option<i64>,
    pub skip_credentials_validation: Option<bool>,
    #[serde(default)]
    pub assume_role: Vec<AssumeRole>,
    #[serde(default)]
    pub endpoints: Vec<Endpoints>,
    #[serde(default)]
    pub default_tags: Vec<DefaultTags>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct AssumeRole {
    pub role_arn: String,
    pub session_name: Option<String>,
    pub external_id: Option<String>,
    pub duration: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct DefaultTags {
    pub tags: Option<BTreeMap<String, String>>,
}

impl ProviderSettings {
    /// Static checks on the provider block; unknown values are skipped.
    pub fn validate(config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        let root = AttributePath::root();
        if let Some(n) = config.get("max_retries").and_then(Value::as_number)
            && n.as_i64().is_none_or(|v| !(0..=100).contains(&v))
        {
            d.error_at(
                root.clone().attr("max_retries"),
                "Invalid max_retries",
                format!("max_retries must be a whole number from 0 to 100, got {n}."),
            );
        }
        if let Some(roles) = config.get("assume_role").and_then(Value::as_list) {
            for (i, r) in roles.iter().enumerate() {
                let path = root.clone().attr("assume_role").index(i as i64);
                if let Some(arn) = r.get("role_arn").and_then(Value::as_str)
                    && (!arn.starts_with("arn:") || !arn.contains(":role/"))
                {
                    d.error_at(
                        path.clone().attr("role_arn"),
                        "Invalid role ARN",
                        format!("{arn:?} is not an IAM role ARN such as arn:aws:iam::123456789012:role/deployer."),
                    );
                }
                if let Some(s) = r.get("duration").and_then(Value::as_str) {
                    match parse_duration(s) {
                        Some(dur) if (900..=43_200).contains(&dur.as_secs()) => {}
                        _ => d.error_at(
                            path.attr("duration"),
                            "Invalid assume_role duration",
                            format!("{s:?} must be a duration from 15m to 12h, e.g. \"1h\"."),
                        ),
                    }
                }
            }
        }
        if let Some(r) = config.get("region").and_then(Value::as_str) {
            d.extend(super::region::check(r, root.clone().attr("region")));
        }
        d.extend(validate_endpoints(config));
        d
    }

    pub fn endpoints(&self) -> Endpoints {
        self.endpoints.first().cloned().unwrap_or_default()
    }

    pub fn default_tags(&self) -> BTreeMap<String, String> {
        self.default_tags
            .first()
            .and_then(|t| t.tags.clone())
            .unwrap_or_default()
    }
}

/// One `SdkConfig` from the provider settings: region, profile, shared files,
/// retries, then an assumed role on top when asked.
pub async fn sdk_config(settings: &ProviderSettings) -> Result<SdkConfig, Diagnostic> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(retry_config(settings.max_retries));
    if let Some(r) = &settings.region {
        loader = loader.region(Region::new(r.clone()));
    }
    if let Some(p) = &settings.profile {
        loader = loader.profile_name(p);
    }
    let config_files = settings.shared_config_files.clone().unwrap_or_default();
    let cred_files = settings
        .shared_credentials_files
        .clone()
        .unwrap_or_default();
    if !config_files.is_empty() || !cred_files.is_empty() {
        let mut files = ProfileFiles::builder();
        if config_files.is_empty() {
            files = files.include_default_config_file(true);
        }
        if cred_files.is_empty() {
            files = files.include_default_credentials_file(true);
        }
        for f in &config_files {
            files = files.with_file(ProfileFileKind::Config, expand_home(f));
        }
        for f in &cred_files {
            files = files.with_file(ProfileFileKind::Credentials, expand_home(f));
        }
        loader = loader.profile_files(files.build());
    }
    let base = loader.load().await;
    let Some(role) = settings.assume_role.first() else {
        return Ok(base);
    };
    let mut sts_base = base.to_builder();
    if let Some(url) = &settings.endpoints().sts {
        sts_base.set_endpoint_url(Some(url.clone()));
    }
    let mut p = AssumeRoleProvider::builder(role.role_arn.clone())
        .session_name(
            role.session_name
                .clone()
                .unwrap_or_else(|| "terraform-provider-trustchain".into()),
        )
        .configure(&sts_base.build());
    if let Some(id) = &role.external_id {
        p = p.external_id(id.clone());
    }
    if let Some(d) = role.duration.as_deref().and_then(parse_duration) {
        p = p.session_length(d);
    }
    let provider = p.build().await;
    Ok(base
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(provider))
        .build())
}

/// Retries of every AWS call (throttling, 5xx, transport errors), set once on the
/// `SdkConfig`: hashicorp/aws's default of 25, or `max_retries`. Adaptive mode: once
/// AWS throttles, a client-side token bucket (shared by every client of a service in
/// this process) slows all further requests to the rate AWS accepts, instead of
/// each call backing off on its own and the next burst being throttled again.
pub fn retry_config(max_retries: Option<i64>) -> RetryConfig {
    let retries = max_retries
        .map(|n| n.clamp(0, 100) as u32)
        .unwrap_or(DEFAULT_MAX_RETRIES);
    RetryConfig::adaptive().with_max_attempts(retries + 1)
}

fn expand_home(path: &str) -> String {
    match (path.strip_prefix("~/"), std::env::var("HOME")) {
        (Some(rest), Ok(home)) => format!("{home}/{rest}"),
        _ => path.to_string(),
    }
}

/// Checks the credentials with STS GetCallerIdentity; returns the account id.
pub async fn validate_credentials(sts: &aws_sdk_sts::Client) -> Result<String, Diagnostic> {
    let call = sts.get_caller_identity().customize().config_override(
        aws_sdk_sts::config::Builder::default().timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .operation_timeout(Duration::from_secs(60))
                .build(),
        ),
    );
    match call.send().await {
        Ok(who) => {
            tracing::debug!(
                account = who.account().unwrap_or(""),
                arn = who.arn().unwrap_or(""),
                "credentials validated"
            );
            Ok(who.account().unwrap_or("").to_string())
        }
        Err(e) => Err(super::region::credential_check_failed(
            &e,
            sts.config().region().map(|r| r.as_ref()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_config::retry::RetryMode;

    #[test]
    fn retries_are_adaptive_with_hashicorp_aws_default_of_25() {
        let c = retry_config(None);
        assert_eq!(c.mode(), RetryMode::Adaptive);
        assert_eq!(c.max_attempts(), 26);
        assert_eq!(retry_config(Some(0)).max_attempts(), 1);
    }
}
