//! The AWS services this provider calls, as one table. The table drives the
//! provider's `endpoints {}` block (schema and validation) and the construction of
//! every client from the one `SdkConfig`.

use super::bounded;
use super::user_agent::UserAgent;
use aws_config::SdkConfig;
use serde::Deserialize;
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::schema::{Attribute, Block};
use tfplugin::value::{AttributePath, Type, Value};

macro_rules! services {
    ($( $(#[$attr:meta])* $field:ident => $krate:ident, $display:literal, $iam:literal, $what:literal; )*) => {
        /// One service: its `endpoints` argument, the name diagnostics use, its IAM
        /// action prefix and a description.
        #[derive(Clone, Copy, Debug)]
        pub struct Service {
            pub name: &'static str,
            pub display: &'static str,
            pub iam_prefix: &'static str,
            pub description: &'static str,
        }

        /// Every service the provider calls.
        pub const SERVICES: &[Service] = &[
            $( Service { name: stringify!($field), display: $display, iam_prefix: $iam, description: $what }, )*
        ];

        /// The `endpoints {}` block: a custom URL per service (e.g. a local emulator).
        #[derive(Clone, Debug, Default, Deserialize)]
        pub struct Endpoints {
            $( pub $field: Option<String>, )*
        }

        /// One client per service, all from the same `SdkConfig`; cheap to clone.
        #[derive(Clone, Debug)]
        pub struct ServiceClients {
            $( $(#[$attr])* pub $field: $krate::Client, )*
        }

        impl ServiceClients {
            /// Every client from `sdk`; each service gets its own bound on requests in
            /// flight (see `bounded`). A service with an `endpoints` URL uses it as
            /// given: FIPS and dual-stack apply only to the endpoints AWS resolves
            /// (as in hashicorp/aws; the SDK would refuse the combination).
            pub fn new(sdk: &SdkConfig, endpoints: &Endpoints, opts: &ClientOptions) -> Self {
                let http = sdk.http_client().unwrap_or_else(bounded::default_https_client);
                Self {
                    $( $field: {
                        let mut b = $krate::config::Builder::from(sdk)
                            .http_client(bounded::Bounded::new(
                                http.clone(),
                                bounded::MAX_IN_FLIGHT_PER_SERVICE,
                            ))
                            .retry_classifier(super::config::NotTransient);
                        if let Some(ua) = &opts.user_agent {
                            b = b.interceptor(ua.clone());
                        }
                        if stringify!($field) == "sts"
                            && let Some(r) = &opts.sts_region
                        {
                            b = b.region(aws_config::Region::new(r.clone()));
                        }
                        if let Some(url) = &endpoints.$field {
                            b = b.endpoint_url(url).use_fips(false).use_dual_stack(false);
                        }
                        $krate::Client::from_conf(b.build())
                    }, )*
                }
            }
        }
    };
}

services! {
    ec2 => aws_sdk_ec2, "EC2", "ec2", "Amazon EC2 (VPC, subnets, gateways)";
    elbv2 => aws_sdk_elasticloadbalancingv2, "ELBv2", "elasticloadbalancing", "Elastic Load Balancing v2 (Network Load Balancers)";
    cloudhsmv2 => aws_sdk_cloudhsmv2, "CloudHSM", "cloudhsm", "AWS CloudHSM v2";
    kms => aws_sdk_kms, "KMS", "kms", "AWS KMS (a CA key that signs the CloudHSM cluster certificate)";
    acmpca => aws_sdk_acmpca, "ACM PCA", "acm-pca", "AWS Private CA (a root CA that issues the CloudHSM cluster certificate)";
    sts => aws_sdk_sts, "STS", "sts", "AWS STS (credential checks and assume_role)";
}

/// What every client gets besides the `SdkConfig`: the provider's User-Agent and
/// STS's own region (`sts_region`).
#[derive(Clone, Debug, Default)]
pub struct ClientOptions {
    pub user_agent: Option<UserAgent>,
    pub sts_region: Option<String>,
}

/// The service with this endpoint argument or display name.
pub fn service(name: &str) -> Option<&'static Service> {
    SERVICES
        .iter()
        .find(|s| s.name == name || s.display == name)
}

/// The `endpoints {}` block of the provider schema, one attribute per service.
pub fn endpoints_block() -> Block {
    SERVICES.iter().fold(
        Block::new().description("Custom service endpoints, e.g. for a local emulator."),
        |b, s| {
            b.attribute(
                Attribute::optional(s.name, Type::String).description(format!(
                    "Endpoint URL for {}, e.g. a local emulator such as http://127.0.0.1:5000.",
                    s.description
                )),
            )
        },
    )
}

/// The host of an http(s) URL (brackets of an IPv6 literal kept), without port.
fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if let Some(end) = authority.find(']') {
        &authority[..=end]
    } else {
        authority.split(':').next().unwrap_or("")
    }
}

/// Loopback: 127.0.0.0/8, [::1], localhost.
fn is_loopback(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost")
        || h.parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Every endpoint given must be an http(s) URL; plain http to a host that is not
/// this machine gets a warning saying what crosses the network unencrypted.
pub fn validate_endpoints(config: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    let Some(eps) = config.get("endpoints").and_then(Value::as_list) else {
        return d;
    };
    for (i, e) in eps.iter().enumerate() {
        for s in SERVICES {
            if let Some(url) = e.get(s.name).and_then(Value::as_str)
                && !(url.starts_with("http://") || url.starts_with("https://"))
            {
                d.error_at(
                    AttributePath::root()
                        .attr("endpoints")
                        .index(i as i64)
                        .attr(s.name),
                    "Invalid endpoint URL",
                    format!("{url:?} must be an http:// or https:// URL."),
                );
            } else if let Some(url) = e.get(s.name).and_then(Value::as_str)
                && url.starts_with("http://")
                && !is_loopback(host_of(url))
            {
                d.push(
                    Diagnostic::warning(
                        "Unencrypted AWS endpoint",
                        format!(
                            "{url:?} is plain HTTP to a host that is not this machine: every {} request crosses the network unencrypted, its signed headers (access key id, session token), request bodies and AWS's answers readable and the requests replayable by anyone on the path. Use https://, or an endpoint on 127.0.0.1.",
                            s.display
                        ),
                    )
                    .at(AttributePath::root()
                        .attr("endpoints")
                        .index(i as i64)
                        .attr(s.name)),
                );
            }
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_endpoints_block_has_one_attribute_per_service() {
        let b = endpoints_block();
        let names: Vec<&str> = b.attributes.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(
            names,
            ["ec2", "elbv2", "cloudhsmv2", "kms", "acmpca", "sts"]
        );
    }

    #[test]
    fn a_non_url_endpoint_is_an_error_at_its_attribute() {
        let config = Value::object([(
            "endpoints",
            Value::list([Value::object([
                ("ec2", Value::string("localhost:5000")),
                ("elbv2", Value::Null),
                ("cloudhsmv2", Value::string("http://127.0.0.1:1")),
                ("sts", Value::Null),
            ])]),
        )]);
        let d = validate_endpoints(&config);
        let paths: Vec<String> = d
            .iter()
            .filter_map(|x| x.attribute.as_ref().map(|p| p.to_string()))
            .collect();
        assert_eq!(paths, ["endpoints[0].ec2"]);
    }

    #[test]
    fn plain_http_beyond_loopback_is_a_warning_that_names_what_is_exposed() {
        let config = Value::object([(
            "endpoints",
            Value::list([Value::object([
                ("ec2", Value::string("http://10.0.0.5:4566")),
                ("elbv2", Value::string("http://localhost:4566")),
                ("cloudhsmv2", Value::string("http://[::1]:5000/")),
                ("sts", Value::string("http://127.0.0.2:5000")),
            ])]),
        )]);
        let d = validate_endpoints(&config);
        let w: Vec<&Diagnostic> = d.iter().collect();
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(
            w[0].attribute.as_ref().map(|p| p.to_string()).as_deref(),
            Some("endpoints[0].ec2")
        );
        assert!(!d.has_errors());
        assert!(w[0].detail.contains("session token"), "{}", w[0].detail);
        assert_eq!(host_of("https://user@[fd00::1]:443/x"), "[fd00::1]");
    }
}
