//! AWS access: the provider settings model, one `SdkConfig` built from it, and the
//! service clients resources share. Clients are built on first use, so offline
//! features (the IPv6 planner and functions) work without credentials or a region.

use aws_config::retry::RetryConfig;
use aws_config::sts::AssumeRoleProvider;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_runtime::env_config::file::{
    EnvConfigFileKind as ProfileFileKind, EnvConfigFiles as ProfileFiles,
};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::plan::parse_duration;
use tfplugin::value::{AttributePath, Value};
use tokio::sync::OnceCell;

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
// elbv2 and cloudhsmv2 are accepted and validated now; their clients arrive with the
// QUIC load balancer and CloudHSM resources.
#[allow(dead_code)]
pub struct Endpoints {
    pub ec2: Option<String>,
    pub elbv2: Option<String>,
    pub cloudhsmv2: Option<String>,
    pub sts: Option<String>,
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
        if let Some(eps) = config.get("endpoints").and_then(Value::as_list) {
            for (i, e) in eps.iter().enumerate() {
                for svc in ["ec2", "elbv2", "cloudhsmv2", "sts"] {
                    if let Some(url) = e.get(svc).and_then(Value::as_str)
                        && !(url.starts_with("http://") || url.starts_with("https://"))
                    {
                        d.error_at(
                            root.clone().attr("endpoints").index(i as i64).attr(svc),
                            "Invalid endpoint URL",
                            format!("{url:?} must be an http:// or https:// URL."),
                        );
                    }
                }
            }
        }
        d
    }

    fn endpoints(&self) -> Endpoints {
        self.endpoints.first().cloned().unwrap_or_default()
    }

    pub fn default_tags(&self) -> BTreeMap<String, String> {
        self.default_tags
            .first()
            .and_then(|t| t.tags.clone())
            .unwrap_or_default()
    }
}

/// Service clients built from one `SdkConfig`; cheap to clone.
#[derive(Clone, Debug)]
pub struct Clients {
    pub ec2: aws_sdk_ec2::Client,
    pub region: String,
    pub default_tags: BTreeMap<String, String>,
}

/// The provider's configured state, shared with every resource.
#[derive(Clone, Default)]
pub struct ProviderData {
    inner: Arc<RwLock<Option<Arc<Configured>>>>,
}

struct Configured {
    settings: ProviderSettings,
    clients: OnceCell<Result<Arc<Clients>, Diagnostic>>,
}

impl ProviderData {
    pub fn configure(&self, settings: ProviderSettings) {
        let c = Arc::new(Configured {
            settings,
            clients: OnceCell::new(),
        });
        if let Ok(mut g) = self.inner.write() {
            *g = Some(c);
        }
    }

    /// The provider's `default_tags`, known at plan time without calling AWS.
    pub fn default_tags(&self) -> BTreeMap<String, String> {
        self.inner
            .read()
            .ok()
            .and_then(|g| g.as_ref().map(|c| c.settings.default_tags()))
            .unwrap_or_default()
    }

    /// The AWS clients, built (and credentials checked) on first use.
    pub async fn clients(&self) -> Result<Arc<Clients>, Diagnostics> {
        let configured = self.inner.read().ok().and_then(|g| g.clone()).ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(
                "Provider not configured",
                "Terraform called a resource before configuring the trustchain provider. This is a bug; please report it.",
            ))
        })?;
        configured
            .clients
            .get_or_init(|| build_clients(configured.settings.clone()))
            .await
            .clone()
            .map_err(Diagnostics::from)
    }
}

async fn build_clients(settings: ProviderSettings) -> Result<Arc<Clients>, Diagnostic> {
    let sdk = sdk_config(&settings).await?;
    let region = sdk.region().map(|r| r.to_string()).ok_or_else(|| {
        Diagnostic::error(
            "No AWS region",
            "Set region in the trustchain provider block, or AWS_REGION, or a region in your AWS profile.",
        )
    })?;
    let endpoints = settings.endpoints();
    if !settings.skip_credentials_validation.unwrap_or(false) {
        validate_credentials(&sdk, endpoints.sts.as_deref()).await?;
    }
    let mut ec2 = aws_sdk_ec2::config::Builder::from(&sdk);
    if let Some(url) = &endpoints.ec2 {
        ec2 = ec2.endpoint_url(url);
    }
    Ok(Arc::new(Clients {
        ec2: aws_sdk_ec2::Client::from_conf(ec2.build()),
        region,
        default_tags: settings.default_tags(),
    }))
}

/// One `SdkConfig` from the provider settings: region, profile, shared files,
/// retries, then an assumed role on top when asked.
pub async fn sdk_config(settings: &ProviderSettings) -> Result<SdkConfig, Diagnostic> {
    let retries = settings
        .max_retries
        .map(|n| n.clamp(0, 100) as u32)
        .unwrap_or(DEFAULT_MAX_RETRIES);
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::standard().with_max_attempts(retries + 1));
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

fn expand_home(path: &str) -> String {
    match (path.strip_prefix("~/"), std::env::var("HOME")) {
        (Some(rest), Ok(home)) => format!("{home}/{rest}"),
        _ => path.to_string(),
    }
}

async fn validate_credentials(
    sdk: &SdkConfig,
    sts_endpoint: Option<&str>,
) -> Result<(), Diagnostic> {
    let mut conf = aws_sdk_sts::config::Builder::from(sdk);
    if let Some(url) = sts_endpoint {
        conf = conf.endpoint_url(url);
    }
    let sts = aws_sdk_sts::Client::from_conf(
        conf.timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .operation_timeout(Duration::from_secs(60))
                .build(),
        )
        .build(),
    );
    match sts.get_caller_identity().send().await {
        Ok(who) => {
            tracing::debug!(
                account = who.account().unwrap_or(""),
                arn = who.arn().unwrap_or(""),
                "credentials validated"
            );
            Ok(())
        }
        Err(e) => Err(Diagnostic::error(
            "No valid AWS credentials",
            format!(
                "STS GetCallerIdentity failed: {}. Configure credentials (environment, profile, or assume_role) or set skip_credentials_validation = true for emulators that lack STS.",
                aws_sdk_sts::error::DisplayErrorContext(&e)
            ),
        )),
    }
}
