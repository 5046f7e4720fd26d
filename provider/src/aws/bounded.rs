//! A bound on the AWS requests one provider process has in flight per service.
//!
//! Terraform runs up to `-parallelism` (10) operations at once and a resource may fan
//! out inside one (subnets, HSMs, listeners created together), so without a bound a
//! large apply bursts past AWS's request-rate buckets and spends its time in
//! throttling retries. The bound wraps the SDK's HTTP client, so it covers every call,
//! retry and waiter poll alike; adaptive retry (see `config::retry_config`) handles
//! the rate side once AWS throttles anyway.

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Requests in flight per service. EC2's request-rate buckets refill at tens of
/// requests per second for an account; 8 at a time stays well inside them at
/// ordinary API latencies while keeping independent objects moving in parallel.
pub const MAX_IN_FLIGHT_PER_SERVICE: usize = 8;

/// The SDK's default HTTPS client (hyper 1, rustls with aws-lc, proxy settings from
/// the environment), built here because the SDK only adds it inside each client,
/// where it cannot be wrapped.
pub fn default_https_client() -> SharedHttpClient {
    use aws_smithy_http_client::{Builder, ConnectorBuilder, proxy::ProxyConfig, tls};
    Builder::new().build_with_connector_fn(|settings, components| {
        let mut c = ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::AwsLc,
        ));
        c.set_connector_settings(settings.cloned());
        if let Some(rc) = components {
            c.set_sleep_impl(rc.sleep_impl());
        }
        c.set_proxy_config(Some(ProxyConfig::from_env()));
        c.build()
    })
}

/// An HTTP client that lets at most `permits` requests through at once.
#[derive(Clone, Debug)]
pub struct Bounded {
    inner: SharedHttpClient,
    permits: Arc<Semaphore>,
}

impl Bounded {
    pub fn new(inner: SharedHttpClient, permits: usize) -> Self {
        Self {
            inner,
            permits: Arc::new(Semaphore::new(permits)),
        }
    }
}

impl HttpClient for Bounded {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(BoundedConnector {
            inner: self.inner.http_connector(settings, components),
            permits: self.permits.clone(),
        })
    }

    fn connector_metadata(
        &self,
    ) -> Option<aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata> {
        self.inner.connector_metadata()
    }
}

#[derive(Debug)]
struct BoundedConnector {
    inner: SharedHttpConnector,
    permits: Arc<Semaphore>,
}

impl HttpConnector for BoundedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let inner = self.inner.clone();
        let permits = self.permits.clone();
        HttpConnectorFuture::new(async move {
            // The semaphore is never closed; an error would be a bug, reported as such.
            let _permit = permits
                .acquire_owned()
                .await
                .map_err(|e| ConnectorError::other(Box::new(e), None))?;
            inner.call(request).await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_credential_types::Credentials;
    use aws_smithy_runtime_api::http::{Response, StatusCode};
    use aws_smithy_types::body::SdkBody;
    use aws_types::region::Region;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    /// Answers every request with an empty DescribeVpcs after 50 ms, counting how
    /// many requests are in flight at once.
    #[derive(Clone, Debug, Default)]
    struct SlowAws {
        now: Arc<AtomicUsize>,
        peak: Arc<AtomicUsize>,
        served: Arc<AtomicUsize>,
    }

    impl HttpConnector for SlowAws {
        fn call(&self, _request: HttpRequest) -> HttpConnectorFuture {
            let me = self.clone();
            HttpConnectorFuture::new(async move {
                let n = me.now.fetch_add(1, Ordering::SeqCst) + 1;
                me.peak.fetch_max(n, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(50)).await;
                me.now.fetch_sub(1, Ordering::SeqCst);
                me.served.fetch_add(1, Ordering::SeqCst);
                let body = "<DescribeVpcsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>1</requestId><vpcSet/></DescribeVpcsResponse>";
                Ok(Response::new(
                    StatusCode::try_from(200).expect("status"),
                    SdkBody::from(body),
                ))
            })
        }
    }

    impl HttpClient for SlowAws {
        fn http_connector(
            &self,
            _: &HttpConnectorSettings,
            _: &RuntimeComponents,
        ) -> SharedHttpConnector {
            SharedHttpConnector::new(self.clone())
        }
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_calls_beyond_the_bound_wait_their_turn() {
        let aws = SlowAws::default();
        let client = aws_sdk_ec2::Client::from_conf(
            aws_sdk_ec2::Config::builder()
                .behavior_version(aws_sdk_ec2::config::BehaviorVersion::latest())
                .region(Region::new("us-east-1"))
                .credentials_provider(Credentials::new("test", "test", None, None, "test"))
                .http_client(Bounded::new(SharedHttpClient::new(aws.clone()), 3))
                .build(),
        );
        let calls = (0..20).map(|_| client.describe_vpcs().send());
        let results = futures_util::future::join_all(calls).await;
        assert!(results.iter().all(Result::is_ok), "{results:?}");
        assert_eq!(aws.served.load(Ordering::SeqCst), 20);
        assert_eq!(
            aws.peak.load(Ordering::SeqCst),
            3,
            "requests in flight at once"
        );
    }
}
