//! The HTTP client every AWS call goes through (hyper 1, rustls with aws-lc): its
//! trusted roots (`custom_ca_bundle` / `AWS_CA_BUNDLE`) and its proxies (`http_proxy`,
//! `https_proxy`, `no_proxy`, else the `HTTP(S)_PROXY` / `NO_PROXY` environment).

use super::settings::{ProviderSettings, env_var};
use aws_smithy_http_client::{Builder, ConnectorBuilder, proxy::ProxyConfig, tls};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use tfplugin::diag::{Diagnostic, Diagnostics};

/// The PEM certificates of a CA bundle file, or why it cannot be used (with the fix).
pub fn read_ca_bundle(path: &str) -> Result<Vec<u8>, String> {
    let bytes = std::fs::read(path).map_err(|e| {
        format!("Cannot read the CA bundle {path:?}: {e}. Give the path of a PEM file with the root (and intermediate) certificates to trust, e.g. your proxy's or VPC endpoint's CA.")
    })?;
    let text = String::from_utf8_lossy(&bytes);
    if !text.contains("-----BEGIN CERTIFICATE-----") {
        return Err(format!(
            "{path:?} holds no PEM certificate (-----BEGIN CERTIFICATE-----). Convert a DER certificate with `openssl x509 -inform der -in ca.cer -out ca.pem`."
        ));
    }
    Ok(bytes)
}

/// Where requests go: straight to AWS, or through a proxy per URL scheme.
#[derive(Clone, Debug, PartialEq)]
pub enum Proxies {
    /// None of the three arguments set: the environment, as the AWS SDK reads it.
    Environment,
    Explicit {
        http: Option<String>,
        https: Option<String>,
        no_proxy: Option<String>,
    },
}

/// The proxies of the provider settings (hashicorp/aws rules: an argument wins
/// over its environment variable; `""` means no proxy; `http_proxy` alone also
/// serves HTTPS, with a warning).
pub fn proxies(s: &ProviderSettings) -> (Proxies, Diagnostics) {
    let mut d = Diagnostics::new();
    if s.http_proxy.is_none() && s.https_proxy.is_none() && s.no_proxy.is_none() {
        for url in env_var(&["HTTP_PROXY", "http_proxy"])
            .into_iter()
            .chain(env_var(&["HTTPS_PROXY", "https_proxy"]))
        {
            register_proxy_password(&url);
        }
        return (Proxies::Environment, d);
    }
    let nonempty = |v: Option<String>| v.filter(|v| !v.is_empty());
    let http = match &s.http_proxy {
        Some(v) => nonempty(Some(v.clone())),
        None => env_var(&["HTTP_PROXY", "http_proxy"]),
    };
    let https = match &s.https_proxy {
        Some(v) => nonempty(Some(v.clone())),
        None => match (env_var(&["HTTPS_PROXY", "https_proxy"]), &s.http_proxy) {
            (Some(env), _) => Some(env),
            (None, Some(h)) if !h.is_empty() => {
                d.push(Diagnostic::warning(
                    "Missing HTTPS proxy",
                    format!("http_proxy is set but https_proxy is not: HTTPS requests to AWS go through {h:?} as well. Set https_proxy to another proxy, or to \"\" for no proxy on HTTPS."),
                ));
                Some(h.clone())
            }
            _ => None,
        },
    };
    // A proxy URL may carry a password (http://user:password@proxy:3128).
    for url in [&http, &https].into_iter().flatten() {
        register_proxy_password(url);
    }
    let no_proxy = match &s.no_proxy {
        Some(v) => nonempty(Some(v.clone())),
        None => env_var(&["NO_PROXY", "no_proxy"]),
    };
    (
        Proxies::Explicit {
            http,
            https,
            no_proxy,
        },
        d,
    )
}

fn connector_client(proxy: ProxyConfig, ca: Option<Vec<u8>>) -> SharedHttpClient {
    Builder::new().build_with_connector_fn(move |settings, components| {
        let mut c = ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::AwsLc,
        ));
        if let Some(pem) = &ca {
            // The bundle replaces the system's roots, as AWS_CA_BUNDLE does for the
            // AWS CLI and SDKs.
            let store = tls::TrustStore::empty()
                .with_native_roots(false)
                .with_pem_certificate(pem.clone());
            if let Ok(ctx) = tls::TlsContext::builder().with_trust_store(store).build() {
                c = c.tls_context(ctx);
            }
        }
        c.set_connector_settings(settings.cloned());
        if let Some(rc) = components {
            c.set_sleep_impl(rc.sleep_impl());
        }
        c.set_proxy_config(Some(proxy.clone()));
        c.build()
    })
}

fn proxy_config(
    url: &Option<String>,
    no_proxy: &Option<String>,
    make: fn(&str) -> Result<ProxyConfig, aws_smithy_http_client::proxy::ProxyError>,
    name: &str,
) -> Result<ProxyConfig, Diagnostic> {
    let Some(url) = url else {
        return Ok(ProxyConfig::disabled());
    };
    let p = make(url).map_err(|e| {
        Diagnostic::error(
            format!("Invalid {name}"),
            format!("{url:?} is not a usable proxy URL ({e}): write it as http://host:port."),
        )
    })?;
    Ok(match no_proxy {
        Some(n) => p.no_proxy(n),
        None => p,
    })
}

/// The HTTP client for the provider settings; warnings (e.g. an HTTPS proxy taken
/// from `http_proxy`) come back beside it.
pub fn client(s: &ProviderSettings) -> Result<(SharedHttpClient, Diagnostics), Diagnostic> {
    let ca = match s.ca_bundle() {
        Some(path) => Some(read_ca_bundle(&path).map_err(|why| {
            Diagnostic::error(
                "Unusable CA bundle (custom_ca_bundle or AWS_CA_BUNDLE)",
                why,
            )
        })?),
        None => None,
    };
    let (proxies, warnings) = proxies(s);
    let client = match proxies {
        Proxies::Environment => connector_client(ProxyConfig::from_env(), ca),
        Proxies::Explicit {
            http,
            https,
            no_proxy,
        } => SharedHttpClient::new(ByScheme {
            http: connector_client(
                proxy_config(&http, &no_proxy, |u| ProxyConfig::http(u), "http_proxy")?,
                ca.clone(),
            ),
            https: connector_client(
                proxy_config(&https, &no_proxy, |u| ProxyConfig::https(u), "https_proxy")?,
                ca,
            ),
        }),
    };
    Ok((client, warnings))
}

/// `http://` requests through one client, `https://` through the other: each with
/// the proxy for its scheme.
#[derive(Clone, Debug)]
struct ByScheme {
    http: SharedHttpClient,
    https: SharedHttpClient,
}

impl HttpClient for ByScheme {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(BySchemeConnector {
            http: self.http.http_connector(settings, components),
            https: self.https.http_connector(settings, components),
        })
    }
}

#[derive(Debug)]
struct BySchemeConnector {
    http: SharedHttpConnector,
    https: SharedHttpConnector,
}

impl HttpConnector for BySchemeConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        if request.uri().starts_with("http://") {
            self.http.call(request)
        } else {
            self.https.call(request)
        }
    }
}

/// Registers the password of a proxy URL's user info with the log redaction.
fn register_proxy_password(url: &str) {
    let Some((_, rest)) = url.split_once("://") else {
        return;
    };
    let authority = rest.split('/').next().unwrap_or("");
    if let Some((userinfo, _)) = authority.rsplit_once('@')
        && let Some((_, password)) = userinfo.split_once(':')
    {
        tfplugin::logging::secret(password);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proxy_password_never_reaches_a_log_line() {
        let url = "http://deployer:proxy-pass-8d1c2e7f@10.0.0.5:3128";
        let (_, _) = proxies(&settings(Some(url), Some(""), None));
        let line = tfplugin::logging::redact(&format!("connecting via {url}"));
        assert!(!line.contains("proxy-pass-8d1c2e7f"), "{line}");
        assert!(line.contains("deployer"), "only the password goes: {line}");
    }

    fn settings(http: Option<&str>, https: Option<&str>, no: Option<&str>) -> ProviderSettings {
        ProviderSettings {
            http_proxy: http.map(String::from),
            https_proxy: https.map(String::from),
            no_proxy: no.map(String::from),
            ..Default::default()
        }
    }

    #[test]
    fn proxies_follow_hashicorp_aws() {
        assert_eq!(proxies(&settings(None, None, None)).0, Proxies::Environment);
        let (p, w) = proxies(&settings(Some("http://p:3128"), None, Some("127.0.0.1")));
        assert!(
            matches!(&p, Proxies::Explicit { https: Some(h), .. } if h == "http://p:3128"),
            "{p:?}"
        );
        assert_eq!(
            w.iter().count(),
            1,
            "http_proxy alone serves HTTPS, with a warning"
        );
        let (p, w) = proxies(&settings(Some("http://p:3128"), Some(""), None));
        assert!(
            matches!(
                &p,
                Proxies::Explicit {
                    http: Some(_),
                    https: None,
                    ..
                }
            ),
            "{p:?}"
        );
        assert!(w.is_empty());
    }

    #[test]
    fn a_ca_bundle_must_exist_and_hold_pem_certificates() {
        let e = read_ca_bundle("/nonexistent/ca.pem").expect_err("missing");
        assert!(
            e.contains("/nonexistent/ca.pem") && e.contains("PEM"),
            "{e}"
        );
        let dir = tempfile::tempdir().expect("tempdir");
        let f = dir.path().join("ca.der");
        std::fs::write(&f, [0x30, 0x82, 0x01]).expect("write");
        let e = read_ca_bundle(f.to_str().expect("utf-8")).expect_err("not PEM");
        assert!(e.contains("openssl x509"), "{e}");
    }
}
