//! AWS access for every resource: the provider settings and the one `SdkConfig`
//! (`config`), the service table (`services`), errors as diagnostics (`error`), tags
//! (`tags`), the poller with deadlines and StopProvider (`retry`), and the bound on
//! requests in flight per service (`bounded`).
//!
//! Clients are built on first use, so the offline features (the IPv6 planner and
//! functions) work without credentials or a region.

mod bounded;
mod config;
mod credentials;
pub mod ec2;
pub mod error;
mod http;
mod region;
pub mod retry;
pub mod schema;
mod secrets;
pub mod services;
mod settings;
pub mod tag_rules;
pub mod tags;
mod user_agent;
mod validate;

#[cfg(test)]
mod endpoint_tests;

pub use error::{code_of, failed, is_not_found};

/// The AWS clients (`$data.clients().await`: a [`ProviderData`] or anything with such a
/// `clients()`), or an early return of `$fail`, which names the diagnostics `$d`: the
/// start of every resource, data source, list and action method that calls AWS.
/// `let clients = clients_or_return!(self.data, d => Applied::failed(None, d));`
macro_rules! clients_or_return {
    ($data:expr, $d:ident => $fail:expr) => {
        match $data.clients().await {
            Ok(clients) => clients,
            Err($d) => return $fail,
        }
    };
}
pub(crate) use clients_or_return;
pub use retry::{Deadline, Poll, Stop, wait_for};
pub use settings::ProviderSettings;

use services::{ClientOptions, ServiceClients};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tags::{ConfigTags, IgnoreTags, Tags};
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::framework::Operation;
use tfplugin::value::{Attr, Value};
use tokio::sync::OnceCell;

/// The service clients with what every resource needs to know about the account.
#[derive(Clone, Debug)]
pub struct Clients {
    pub services: ServiceClients,
    pub region: String,
    /// From STS GetCallerIdentity; `None` with skip_credentials_validation.
    pub account_id: Option<String>,
    pub default_tags: Tags,
    /// Tag keys other tools own (`ignore_tags`): never read, set or removed.
    pub ignore_tags: IgnoreTags,
}

impl std::ops::Deref for Clients {
    type Target = ServiceClients;

    fn deref(&self) -> &ServiceClients {
        &self.services
    }
}

/// The provider's configured state, shared with every resource.
#[derive(Clone, Default)]
pub struct ProviderData {
    inner: Arc<RwLock<Option<Arc<Configured>>>>,
    stop: Stop,
    /// `default_tags` depend on values Terraform knows only after apply.
    default_tags_unknown: Arc<AtomicBool>,
}

struct Configured {
    settings: ProviderSettings,
    terraform_version: String,
    clients: OnceCell<Result<Arc<Clients>, Diagnostic>>,
}

impl ProviderSettings {
    /// ValidateProviderConfig: static checks, each at its attribute.
    pub fn validate(config: &Value) -> Diagnostics {
        validate::validate(config)
    }
}

impl ProviderData {
    /// ConfigureProvider: keeps the settings; warnings about them come back at once.
    /// With `allowed_account_ids` or `forbidden_account_ids` the clients are built
    /// now and the account checked, so a wrong account stops the plan before any
    /// resource is read or changed.
    pub async fn configure(
        &self,
        settings: ProviderSettings,
        terraform_version: &str,
    ) -> Diagnostics {
        let mut d = http::proxies(&settings).1;
        let check_account = settings.account_rule().is_some();
        let c = Arc::new(Configured {
            settings,
            terraform_version: terraform_version.to_string(),
            clients: OnceCell::new(),
        });
        if let Ok(mut g) = self.inner.write() {
            *g = Some(c);
        }
        self.default_tags_unknown.store(false, Ordering::SeqCst);
        if check_account && let Err(e) = self.clients().await {
            d.extend(e);
        }
        d
    }

    /// Terraform configured the provider while planning, with `default_tags` not
    /// known yet: every `tags_all` is known after apply.
    pub fn default_tags_not_known_yet(&self) {
        self.default_tags_unknown.store(true, Ordering::SeqCst);
    }

    /// `tags_all` at plan time: the provider's `default_tags` with the resource's
    /// configured `tags` on top, without the keys of `ignore_tags`; unknown (known
    /// after apply) while a default or configured value is.
    pub fn tags_all(&self, configured: &Attr<ConfigTags>) -> Attr<Tags> {
        if self.default_tags_unknown.load(Ordering::SeqCst) {
            return Attr::Unknown;
        }
        let (defaults, ignore) = self
            .inner
            .read()
            .ok()
            .and_then(|g| {
                g.as_ref()
                    .map(|c| (c.settings.default_tags(), c.settings.ignore_tags()))
            })
            .unwrap_or_default();
        tags::plan_tags_all(&defaults, configured).map(|all| ignore.filter(&all))
    }

    /// A provider configured with default settings whose clients are `clients` (mocks
    /// in unit tests): resources planned through it call those clients.
    #[cfg(test)]
    pub fn with_clients(clients: Clients) -> Self {
        let data = Self::default();
        let configured = Configured {
            settings: ProviderSettings::default(),
            terraform_version: "1.11.0".into(),
            clients: OnceCell::new_with(Some(Ok(Arc::new(clients)))),
        };
        if let Ok(mut g) = data.inner.write() {
            *g = Some(Arc::new(configured));
        }
        data
    }

    /// Terraform asked the provider to stop (StopProvider): every waiter ends.
    pub fn stop(&self) {
        self.stop.trigger();
    }

    /// A deadline for one operation of a resource, honouring StopProvider.
    pub fn deadline(&self, limit: Duration, op: Operation) -> Deadline {
        Deadline::new(limit, op, self.stop.clone())
    }

    /// The region this provider manages as far as it is known without calling AWS:
    /// the built clients' region, else the configured `region` argument.
    pub fn region_hint(&self) -> Option<String> {
        if let Some(c) = self.clients_if_built() {
            return Some(c.region.clone());
        }
        let configured = self.inner.read().ok()?.clone()?;
        configured.settings.region.clone().filter(|r| !r.is_empty())
    }

    /// The clients when they are already built, without calling AWS: for values a
    /// resource derives synchronously from them (its identity's account and region).
    pub fn clients_if_built(&self) -> Option<Arc<Clients>> {
        let configured = self.inner.read().ok()?.clone()?;
        configured.clients.get()?.as_ref().ok().cloned()
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
            .get_or_init(|| {
                build_clients(
                    configured.settings.clone(),
                    configured.terraform_version.clone(),
                )
            })
            .await
            .clone()
            .map_err(Diagnostics::from)
    }
}

async fn build_clients(
    settings: ProviderSettings,
    terraform_version: String,
) -> Result<Arc<Clients>, Diagnostic> {
    let user_agent = user_agent::UserAgent::new(&terraform_version);
    let sdk =
        secrets::register_resolved_credentials(config::sdk_config(&settings, &user_agent).await?);
    let region = sdk.region().map(|r| r.to_string()).ok_or_else(|| {
        Diagnostic::error(
            "No AWS region",
            "Set region in the trustchain provider block, or AWS_REGION, or a region in your AWS profile.",
        )
    })?;
    let opts = ClientOptions {
        user_agent: Some(user_agent),
        sts_region: settings.sts_region.clone(),
    };
    let services = ServiceClients::new(&sdk, &settings.endpoints(), &opts);
    let rule = settings.account_rule();
    // The account lists need the caller's account even without credential checks.
    let account_id = if settings.skip_credentials_validation.unwrap_or(false) && rule.is_none() {
        None
    } else {
        Some(config::validate_credentials(&services.sts).await?)
    };
    if let (Some(rule), Some(account)) = (&rule, &account_id) {
        rule.check(account)?;
    }
    Ok(Arc::new(Clients {
        services,
        region,
        account_id,
        default_tags: settings.default_tags(),
        ignore_tags: settings.ignore_tags(),
    }))
}

/// Clients answering from aws-smithy-mocks rules, with the provider's retry settings.
#[cfg(test)]
pub mod testing {
    use aws_credential_types::Credentials;
    use aws_smithy_mocks::{MockResponseInterceptor, Rule, RuleMode, create_mock_http_client};
    use aws_types::region::Region;
    use std::time::Duration;

    /// A client of service crate `$krate` answering from `$rules` (any order), in
    /// us-east-1, with test credentials and no retries.
    macro_rules! mocked {
        ($krate:ident, $rules:expr) => {{
            let interceptor = $rules.iter().fold(
                MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny),
                |i, r| i.with_rule(r),
            );
            $krate::Client::from_conf(
                $krate::Config::builder()
                    .behavior_version($krate::config::BehaviorVersion::latest())
                    .region(Region::new("us-east-1"))
                    .credentials_provider(Credentials::new("test", "test", None, None, "test"))
                    .http_client(create_mock_http_client())
                    .interceptor(interceptor)
                    .retry_config(super::config::retry_config(
                        Some(0),
                        super::settings::RetryMode::Adaptive,
                    ))
                    .build(),
            )
        }};
    }

    /// Clients whose CloudHSM client answers from `rules`; the other services point
    /// at an address nothing listens on.
    pub fn clients_with_cloudhsm(rules: &[&Rule]) -> super::Clients {
        let cloudhsmv2 = mocked!(aws_sdk_cloudhsmv2, rules);
        let sdk = aws_types::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url("http://127.0.0.1:9")
            .build();
        let mut services = super::services::ServiceClients::new(
            &sdk,
            &super::services::Endpoints::default(),
            &Default::default(),
        );
        services.cloudhsmv2 = cloudhsmv2;
        super::Clients {
            services,
            region: "us-east-1".into(),
            account_id: Some("123456789012".into()),
            default_tags: Default::default(),
            ignore_tags: Default::default(),
        }
    }

    /// A KMS client answering from `rules`.
    pub fn kms_client(rules: &[&Rule]) -> aws_sdk_kms::Client {
        mocked!(aws_sdk_kms, rules)
    }

    /// An ACM PCA client answering from `rules`.
    pub fn acmpca_client(rules: &[&Rule]) -> aws_sdk_acmpca::Client {
        mocked!(aws_sdk_acmpca, rules)
    }

    /// An ELBv2 client answering from `rules`.
    pub fn elbv2_client(rules: &[&Rule]) -> aws_sdk_elasticloadbalancingv2::Client {
        mocked!(aws_sdk_elasticloadbalancingv2, rules)
    }

    pub fn ec2_client(mode: RuleMode, rules: &[&Rule], max_retries: i64) -> aws_sdk_ec2::Client {
        let interceptor = rules
            .iter()
            .fold(MockResponseInterceptor::new().rule_mode(mode), |i, r| {
                i.with_rule(r)
            });
        aws_sdk_ec2::Client::from_conf(
            aws_sdk_ec2::Config::builder()
                .behavior_version(aws_sdk_ec2::config::BehaviorVersion::latest())
                .region(Region::new("us-east-1"))
                .credentials_provider(Credentials::new("test", "test", None, None, "test"))
                .http_client(create_mock_http_client())
                .interceptor(interceptor)
                .retry_config(
                    super::config::retry_config(
                        Some(max_retries),
                        super::settings::RetryMode::Adaptive,
                    )
                    .with_initial_backoff(Duration::from_millis(1)),
                )
                .build(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::operation::describe_vpcs::{DescribeVpcsError, DescribeVpcsOutput};
    use aws_sdk_ec2::types::Vpc;
    use aws_smithy_mocks::{RuleMode, mock};
    use aws_smithy_types::error::ErrorMetadata;

    const THROTTLED: &str = "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>1</RequestID></Response>";

    // Paused time: adaptive retry's client-side rate limiter waits (seconds per
    // throttled retry at a low request rate) pass instantly.
    #[tokio::test(start_paused = true)]
    async fn throttled_calls_are_retried_up_to_max_retries() {
        let rule = mock!(aws_sdk_ec2::Client::describe_vpcs)
            .sequence()
            .http_status(503, Some(THROTTLED.into()))
            .times(3)
            .output(|| DescribeVpcsOutput::builder().build())
            .build();
        let ec2 = testing::ec2_client(RuleMode::Sequential, &[&rule], 5);
        ec2.describe_vpcs()
            .send()
            .await
            .expect("succeeds after retries");
        assert_eq!(rule.num_calls(), 4);
    }

    // Paused time: adaptive retry's client-side rate limiter waits (seconds per
    // throttled retry at a low request rate) pass instantly.
    #[tokio::test(start_paused = true)]
    async fn throttling_beyond_max_retries_is_an_error_with_advice() {
        let rule = mock!(aws_sdk_ec2::Client::describe_vpcs)
            .sequence()
            .http_status(503, Some(THROTTLED.into()))
            .repeatedly()
            .build();
        let ec2 = testing::ec2_client(RuleMode::Sequential, &[&rule], 2);
        let e = ec2.describe_vpcs().send().await.expect_err("gives up");
        assert_eq!(rule.num_calls(), 3, "one call and two retries");
        let d = error::api_error("EC2", "DescribeVpcs", &e);
        assert!(d.detail.starts_with("RequestLimitExceeded"), "{}", d.detail);
        assert!(d.detail.contains("max_retries"), "{}", d.detail);
    }

    #[tokio::test]
    async fn tags_all_waits_for_default_tags_and_tags_not_known_yet() {
        let data = ProviderData::default();
        let mut settings = ProviderSettings::default();
        settings.default_tags = vec![settings::DefaultTags {
            tags: Some(Tags::from([("Owner".to_string(), "pki".to_string())])),
        }];
        data.configure(settings.clone(), "1.15.5").await;
        let own = Attr::Known(ConfigTags::from([(
            "Env".to_string(),
            Attr::Known("prod".to_string()),
        )]));
        let both = Tags::from([
            ("Env".to_string(), "prod".to_string()),
            ("Owner".to_string(), "pki".to_string()),
        ]);
        assert_eq!(data.tags_all(&own), Attr::Known(both));
        let unknown_value = Attr::Known(ConfigTags::from([("Env".to_string(), Attr::Unknown)]));
        assert_eq!(data.tags_all(&unknown_value), Attr::Unknown);
        data.default_tags_not_known_yet();
        assert_eq!(data.tags_all(&own), Attr::Unknown);
        // Configured again at apply, with the values known.
        data.configure(settings, "1.15.5").await;
        assert!(data.tags_all(&own).is_known());
    }

    #[tokio::test]
    async fn an_object_not_found_right_after_create_is_waited_for() {
        let rule = mock!(aws_sdk_ec2::Client::describe_vpcs)
            .sequence()
            .error(|| {
                DescribeVpcsError::generic(
                    ErrorMetadata::builder()
                        .code("InvalidVpcID.NotFound")
                        .message("The vpc ID 'vpc-1' does not exist")
                        .build(),
                )
            })
            .output(|| DescribeVpcsOutput::builder().build())
            .output(|| {
                DescribeVpcsOutput::builder()
                    .vpcs(Vpc::builder().vpc_id("vpc-1").build())
                    .build()
            })
            .build();
        let ec2 = testing::ec2_client(RuleMode::Sequential, &[&rule], 0);
        let deadline = Deadline::new(Duration::from_secs(30), Operation::Create, Stop::default());
        let vpc = retry::until_visible(&deadline, "VPC vpc-1", || async {
            match ec2.describe_vpcs().vpc_ids("vpc-1").send().await {
                Ok(o) => Ok(o.vpcs().first().cloned()),
                Err(e) if is_not_found(code_of(&e)) => Ok(None),
                Err(e) => Err(failed("EC2", "DescribeVpcs")(e)),
            }
        })
        .await
        .expect("visible on the third read");
        assert_eq!(vpc.vpc_id(), Some("vpc-1"));
        assert_eq!(rule.num_calls(), 3);
    }
}
