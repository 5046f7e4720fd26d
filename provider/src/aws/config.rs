//! The one `SdkConfig` built from the provider settings: region, profile, shared
//! files, retries, FIPS and dual-stack endpoints, the HTTP client (CA bundle,
//! proxies), then assumed roles on top when asked.

use super::credentials::RoleChain;
use super::settings::{ProviderSettings, RetryMode};
use super::user_agent::UserAgent;
use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_runtime::env_config::file::{
    EnvConfigFileKind as ProfileFileKind, EnvConfigFiles as ProfileFiles,
};
use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::retries::classifiers::{
    ClassifyRetry, RetryAction, RetryClassifierPriority,
};
use std::time::Duration;
use tfplugin::diag::Diagnostic;

/// hashicorp/aws retries up to 25 times by default; so do we.
pub const DEFAULT_MAX_RETRIES: u32 = 25;

/// One `SdkConfig` from the provider settings (their warnings come back from
/// ConfigureProvider, see `ProviderData::configure`).
pub async fn sdk_config(
    settings: &ProviderSettings,
    user_agent: &UserAgent,
) -> Result<SdkConfig, Diagnostic> {
    let (http, _warnings) = super::http::client(settings)?;
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(retry_config(settings.max_retries, settings.retry_mode()))
        .http_client(http);
    if let Some(r) = &settings.region {
        loader = loader.region(Region::new(r.clone()));
    }
    if let Some(p) = &settings.profile {
        loader = loader.profile_name(p);
    }
    // Unset, the SDK reads AWS_USE_FIPS_ENDPOINT / AWS_USE_DUALSTACK_ENDPOINT and the
    // profile's use_fips_endpoint / use_dualstack_endpoint.
    if let Some(b) = settings.use_fips_endpoint {
        loader = loader.use_fips(b);
    }
    if let Some(b) = settings.use_dualstack_endpoint {
        loader = loader.use_dual_stack(b);
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
    if settings.assume_role.is_empty() && settings.assume_role_with_web_identity.is_empty() {
        return Ok(base);
    }
    let chain = RoleChain {
        sts: sts_config(&base, settings, user_agent),
        web_identity: settings.assume_role_with_web_identity.first().cloned(),
        roles: settings.assume_role.clone(),
    };
    let sdk = base
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(chain))
        .build();
    Ok(sdk)
}

/// STS as the provider calls it: `sts_region` over the region, the `endpoints`
/// URL (FIPS and dual-stack then do not apply: the URL is used as given), the
/// provider's User-Agent, and no retries of names that do not resolve.
pub fn sts_config(
    sdk: &SdkConfig,
    settings: &ProviderSettings,
    user_agent: &UserAgent,
) -> aws_sdk_sts::Config {
    let mut b = aws_sdk_sts::config::Builder::from(sdk)
        .interceptor(user_agent.clone())
        .retry_classifier(NotTransient);
    if let Some(r) = &settings.sts_region {
        b = b.region(Region::new(r.clone()));
    }
    if let Some(url) = &settings.endpoints().sts {
        b = b.endpoint_url(url).use_fips(false).use_dual_stack(false);
    }
    b.build()
}

/// Retries of every AWS call (throttling, 5xx, transport errors), set once on the
/// `SdkConfig`: hashicorp/aws's default of 25, or `max_retries`. Adaptive mode (the
/// default, `retry_mode = "adaptive"`): once AWS throttles, a client-side token
/// bucket (shared by every client of a service in this process) slows all further
/// requests to the rate AWS accepts, instead of each call backing off on its own
/// and the next burst being throttled again. `standard` backs off per call only.
pub fn retry_config(max_retries: Option<i64>, mode: RetryMode) -> RetryConfig {
    let retries = max_retries
        .map(|n| n.clamp(0, 100) as u32)
        .unwrap_or(DEFAULT_MAX_RETRIES);
    let c = match mode {
        RetryMode::Adaptive => RetryConfig::adaptive(),
        RetryMode::Standard => RetryConfig::standard(),
    };
    c.with_max_attempts(retries + 1)
}

/// Transport errors that no retry can fix fail at once instead of after 25 retries
/// with backoff: a host name that does not exist (e.g. a dual-stack or FIPS
/// endpoint a service lacks in a region) and a certificate the client does not
/// trust (custom_ca_bundle). A temporary resolver failure is still retried.
#[derive(Clone, Debug)]
pub struct NotTransient;

impl ClassifyRetry for NotTransient {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        let Some(Err(e)) = ctx.output_or_error() else {
            return RetryAction::NoActionIndicated;
        };
        let Some(conn) = e.as_connector_error() else {
            return RetryAction::NoActionIndicated;
        };
        if is_unresolvable(conn) || is_untrusted(conn) {
            RetryAction::RetryForbidden
        } else {
            RetryAction::NoActionIndicated
        }
    }

    fn name(&self) -> &'static str {
        "NotTransient"
    }

    fn priority(&self) -> RetryClassifierPriority {
        RetryClassifierPriority::run_after(RetryClassifierPriority::transient_error_classifier())
    }
}

fn chain_text(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = String::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        text.push_str(&err.to_string());
        text.push('\n');
        cur = err.source();
    }
    text
}

/// The error chain says the server's certificate is not trusted (rustls).
pub fn is_untrusted(e: &(dyn std::error::Error + 'static)) -> bool {
    chain_text(e).contains("invalid peer certificate")
}

/// The error chain says the name does not exist (EAI_NONAME / NXDOMAIN).
pub fn is_unresolvable(e: &(dyn std::error::Error + 'static)) -> bool {
    let text = chain_text(e);
    text.contains("dns error")
        && (text.contains("Name or service not known")
            || text.contains("No address associated with hostname")
            || text.contains("nodename nor servname provided"))
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
        Err(e) => {
            let transport = match &e {
                aws_sdk_sts::error::SdkError::DispatchFailure(f) => f.as_connector_error(),
                _ => None,
            };
            let region = sts.config().region().map_or("(none)", |r| r.as_ref());
            let fix = match transport {
                Some(c) if is_untrusted(c) => Some(
                    "The STS endpoint's TLS certificate is not trusted: if a TLS-inspecting proxy or a private endpoint presents it, give its CA certificate (PEM) in custom_ca_bundle or AWS_CA_BUNDLE.".to_string(),
                ),
                Some(c) if is_unresolvable(c) => Some(format!(
                    "The STS endpoint's host name for region {region:?} does not exist: if {region:?} is misspelled or not an AWS region, fix region, sts_region (or AWS_REGION); with use_fips_endpoint or use_dualstack_endpoint, turn the option off; or give STS a URL in endpoints {{}}."
                )),
                _ => None,
            };
            let request_id = super::error::request_id_note(&e);
            Err(match fix {
                Some(fix) => Diagnostic::error(
                    "AWS STS could not be reached",
                    format!(
                        "STS GetCallerIdentity failed: {}. {fix}{request_id}",
                        aws_sdk_sts::error::DisplayErrorContext(&e),
                    ),
                ),
                // Refused or missing credentials, or AWS not reached at all (a region
                // that does not exist, the network, a proxy): told apart by cause.
                None => super::region::credential_check_failed(
                    &e,
                    sts.config().region().map(|r| r.as_ref()),
                    &request_id,
                ),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_config::retry::RetryMode as SdkMode;

    #[test]
    fn retries_are_adaptive_with_hashicorp_aws_default_of_25() {
        let c = retry_config(None, RetryMode::Adaptive);
        assert_eq!(c.mode(), SdkMode::Adaptive);
        assert_eq!(c.max_attempts(), 26);
        assert_eq!(retry_config(Some(0), RetryMode::Adaptive).max_attempts(), 1);
        assert_eq!(
            retry_config(Some(3), RetryMode::Standard).mode(),
            SdkMode::Standard
        );
    }

    #[test]
    fn only_names_that_do_not_exist_are_unresolvable() {
        #[derive(Debug)]
        struct E(&'static str);
        impl std::fmt::Display for E {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.0)
            }
        }
        impl std::error::Error for E {}
        assert!(is_unresolvable(&E(
            "dns error: failed to lookup address information: Name or service not known"
        )));
        assert!(!is_unresolvable(&E(
            "dns error: failed to lookup address information: Temporary failure in name resolution"
        )));
        assert!(!is_unresolvable(&E("connection refused")));
        assert!(is_untrusted(&E("invalid peer certificate: UnknownIssuer")));
        assert!(!is_untrusted(&E("connection reset by peer")));
    }
}
