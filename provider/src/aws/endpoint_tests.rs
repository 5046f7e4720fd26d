//! The endpoint URL every service client resolves, for each combination of
//! use_fips_endpoint and use_dualstack_endpoint, through the clients the provider
//! really builds (ServiceClients::new): a capturing HTTP client records the URL of
//! one call per service.

use super::config::sdk_config;
use super::services::{ClientOptions, Endpoints, ServiceClients};
use super::settings::ProviderSettings;
use super::user_agent::UserAgent;
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_types::region::Region;
use std::sync::{Arc, Mutex};

/// Records each request's URL and answers with a connection error.
#[derive(Clone, Debug, Default)]
struct Capture(Arc<Mutex<Vec<String>>>);

impl HttpConnector for Capture {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        if let Ok(mut seen) = self.0.lock() {
            seen.push(request.uri().to_string());
        }
        HttpConnectorFuture::ready(Err(ConnectorError::other("captured".into(), None)))
    }
}

impl HttpClient for Capture {
    fn http_connector(
        &self,
        _: &HttpConnectorSettings,
        _: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}

impl Capture {
    fn last(&self) -> Option<String> {
        self.0.lock().ok().and_then(|mut v| v.pop())
    }
}

/// The URL (scheme and host) each service's first call goes to, or the endpoint
/// resolution error, in the order ec2, elbv2, cloudhsmv2, sts.
async fn resolved(
    region: &str,
    fips: bool,
    dual: bool,
    endpoints: Endpoints,
    sts_region: Option<&str>,
) -> Vec<String> {
    let cap = Capture::default();
    let sdk = aws_types::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .use_fips(fips)
        .use_dual_stack(dual)
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKID", "secret", None, None, "test",
        )))
        .http_client(SharedHttpClient::new(cap.clone()))
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .build();
    let c = ServiceClients::new(
        &sdk,
        &endpoints,
        &ClientOptions {
            user_agent: Some(UserAgent::new("1.15.5")),
            sts_region: sts_region.map(String::from),
        },
    );
    let outcome = |e: String| {
        cap.last()
            .map_or(e, |url| url.trim_end_matches('/').to_string())
    };
    let show = |e: &dyn std::error::Error| {
        aws_smithy_types::error::display::DisplayErrorContext(e).to_string()
    };
    vec![
        outcome(show(
            &c.ec2.describe_vpcs().send().await.expect_err("captured"),
        )),
        outcome(show(
            &c.elbv2
                .describe_load_balancers()
                .send()
                .await
                .expect_err("captured"),
        )),
        outcome(show(
            &c.cloudhsmv2
                .describe_clusters()
                .send()
                .await
                .expect_err("captured"),
        )),
        outcome(show(
            &c.sts
                .get_caller_identity()
                .send()
                .await
                .expect_err("captured"),
        )),
    ]
}

#[tokio::test]
async fn every_service_resolves_its_fips_and_dualstack_endpoints() {
    let cases = [
        (
            false,
            false,
            [
                "https://ec2.us-east-1.amazonaws.com",
                "https://elasticloadbalancing.us-east-1.amazonaws.com",
                "https://cloudhsmv2.us-east-1.amazonaws.com",
                "https://sts.us-east-1.amazonaws.com",
            ],
        ),
        (
            true,
            false,
            [
                "https://ec2-fips.us-east-1.amazonaws.com",
                "https://elasticloadbalancing-fips.us-east-1.amazonaws.com",
                "https://cloudhsmv2-fips.us-east-1.amazonaws.com",
                "https://sts-fips.us-east-1.amazonaws.com",
            ],
        ),
        (
            false,
            true,
            [
                "https://ec2.us-east-1.api.aws",
                "https://elasticloadbalancing.us-east-1.api.aws",
                "https://cloudhsmv2.us-east-1.api.aws",
                "https://sts.us-east-1.api.aws",
            ],
        ),
        (
            true,
            true,
            [
                "https://ec2-fips.us-east-1.api.aws",
                "https://elasticloadbalancing-fips.us-east-1.api.aws",
                "https://cloudhsmv2-fips.us-east-1.api.aws",
                "https://sts-fips.us-east-1.api.aws",
            ],
        ),
    ];
    for (fips, dual, want) in cases {
        let got = resolved("us-east-1", fips, dual, Endpoints::default(), None).await;
        assert_eq!(
            got, want,
            "use_fips_endpoint = {fips}, use_dualstack_endpoint = {dual}"
        );
    }
}

#[tokio::test]
async fn a_custom_endpoint_is_used_as_given_and_sts_region_moves_sts() {
    let endpoints = Endpoints {
        ec2: Some("http://127.0.0.1:5000".into()),
        ..Default::default()
    };
    let got = resolved("us-east-1", true, true, endpoints, Some("eu-west-1")).await;
    assert_eq!(
        got[0], "http://127.0.0.1:5000",
        "FIPS and dual-stack leave a custom URL alone"
    );
    assert_eq!(
        got[1],
        "https://elasticloadbalancing-fips.us-east-1.api.aws"
    );
    assert_eq!(got[3], "https://sts-fips.eu-west-1.api.aws");
}

/// Fails every request the way hyper fails a host name that does not exist.
#[derive(Clone, Debug, Default)]
struct NoSuchHost(Arc<Mutex<usize>>);

#[derive(Debug)]
struct DnsError;

impl std::fmt::Display for DnsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("dns error: failed to lookup address information: Name or service not known")
    }
}

impl std::error::Error for DnsError {}

impl HttpConnector for NoSuchHost {
    fn call(&self, _: HttpRequest) -> HttpConnectorFuture {
        if let Ok(mut n) = self.0.lock() {
            *n += 1;
        }
        HttpConnectorFuture::ready(Err(ConnectorError::io(Box::new(DnsError))))
    }
}

impl HttpClient for NoSuchHost {
    fn http_connector(
        &self,
        _: &HttpConnectorSettings,
        _: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}

// AWS's endpoint rules form a dual-stack (or FIPS) name for every service in every
// partition; where AWS serves none, the name does not resolve. That fails the call
// at once, saying so, instead of 25 retries with backoff.
#[tokio::test(start_paused = true)]
async fn an_endpoint_name_that_does_not_exist_fails_at_once_saying_so() {
    let dns = NoSuchHost::default();
    let sdk = aws_types::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .use_dual_stack(true)
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKID", "secret", None, None, "test",
        )))
        .http_client(SharedHttpClient::new(dns.clone()))
        .retry_config(super::config::retry_config(
            None,
            super::settings::RetryMode::Adaptive,
        ))
        .build();
    let c = ServiceClients::new(&sdk, &Endpoints::default(), &ClientOptions::default());
    let e = c
        .elbv2
        .describe_load_balancers()
        .send()
        .await
        .expect_err("no such host");
    assert_eq!(dns.0.lock().map(|n| *n).unwrap_or(0), 1, "not retried");
    let d = super::error::api_error("ELBv2", "DescribeLoadBalancers", &e);
    assert!(
        d.detail
            .starts_with("The endpoint's host name does not exist"),
        "{}",
        d.detail
    );
    assert!(d.detail.contains("endpoints {}"), "{}", d.detail);
}

// The environment variables as the SDK reads them, and the arguments over them.
// The crate forbids unsafe code (so no `set_var`): the test runs itself again as a
// child process with the variables set.
#[tokio::test]
async fn the_environment_variables_apply_unless_the_arguments_say_otherwise() {
    const CHILD: &str = "TRUSTCHAIN_ENDPOINT_ENV_CHILD";
    if std::env::var_os(CHILD).is_none() {
        let exe = std::env::current_exe().expect("test binary");
        let out = std::process::Command::new(exe)
            .args([
                "--exact",
                "aws::endpoint_tests::the_environment_variables_apply_unless_the_arguments_say_otherwise",
                "--nocapture",
            ])
            .env(CHILD, "1")
            .env("AWS_USE_DUALSTACK_ENDPOINT", "true")
            .env("AWS_USE_FIPS_ENDPOINT", "true")
            .output()
            .expect("run the test binary");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("1 passed"),
            "child run failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        return;
    }
    let mut settings = ProviderSettings {
        region: Some("us-west-2".into()),
        shared_config_files: Some(vec!["/dev/null".into()]),
        shared_credentials_files: Some(vec!["/dev/null".into()]),
        ..Default::default()
    };
    let sdk = sdk_config(&settings, &UserAgent::new(""))
        .await
        .expect("config");
    assert_eq!(
        (sdk.use_fips(), sdk.use_dual_stack()),
        (Some(true), Some(true))
    );
    settings.use_fips_endpoint = Some(false);
    settings.use_dualstack_endpoint = Some(false);
    let sdk = sdk_config(&settings, &UserAgent::new(""))
        .await
        .expect("config");
    assert_eq!(
        (sdk.use_fips(), sdk.use_dual_stack()),
        (Some(false), Some(false))
    );
}
