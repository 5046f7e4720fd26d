//! AWS errors as Terraform diagnostics, for any service: AWS's code and message say
//! what went wrong; the advice says what to change. The SDK's raw response dump only
//! appears when AWS said nothing (the call never reached it).

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_types::request_id::RequestId;
use tfplugin::diag::{Diagnostic, Diagnostics};

use super::services::service;

/// The AWS error code of a failed call ("" when AWS gave none).
pub fn code_of<E: ProvideErrorMetadata, R>(e: &SdkError<E, R>) -> &str {
    e.code().unwrap_or("")
}

/// AWS's ways of saying "no such object".
pub fn is_not_found(code: &str) -> bool {
    code.ends_with("NotFound")
        || code.ends_with("NotFoundException")
        || code.ends_with(".NotFound")
        || code == "ResourceNotFoundException"
}

pub fn is_throttling(code: &str) -> bool {
    matches!(
        code,
        "Throttling"
            | "ThrottlingException"
            | "ThrottledException"
            | "RequestLimitExceeded"
            | "TooManyRequestsException"
            | "RequestThrottled"
            | "RequestThrottledException"
            | "SlowDown"
    )
}

/// What to do about an error with this code.
fn advice(service: &str, operation: &str, code: &str) -> String {
    let iam = iam_prefix(service);
    if code.contains("AccessDenied")
        || code.contains("Unauthorized")
        || code.contains("NotAuthorized")
        || code == "AuthFailure"
    {
        format!(
            "The credentials Terraform uses lack permission for this call: allow the IAM action {iam}:{operation} for them, then run terraform apply again."
        )
    } else if is_throttling(code) {
        "AWS kept throttling the provider after its retries. Raise max_retries in the provider block, or run Terraform with a lower -parallelism, then run terraform apply again.".to_string()
    } else if code.contains("LimitExceeded") || code.contains("QuotaExceeded") {
        "An AWS quota is reached. Remove objects you no longer need or request an increase in Service Quotas, then run terraform apply again.".to_string()
    } else if code == "DependencyViolation" || code.ends_with("InUse") {
        "Something outside Terraform still uses this object. Remove it, then run terraform apply again.".to_string()
    } else if is_not_found(code) {
        "The object is gone or not visible yet. Run terraform apply again: a refresh plans to re-create what is missing.".to_string()
    } else if code.starts_with("InvalidParameter")
        || code.starts_with("Invalid")
        || code.starts_with("Validation")
        || code.ends_with("ValidationException")
        || code.ends_with("InvalidRequestException")
    {
        "AWS refused an argument of this call. Change the value it names, then run terraform apply again.".to_string()
    } else {
        "Fix what AWS names (permissions, quotas, or an object in the way) and run terraform apply again.".to_string()
    }
}

/// The IAM action prefix of a service, by display or endpoint name.
fn iam_prefix(name: &str) -> &'static str {
    service(name).map_or("<service>", |s| s.iam_prefix)
}

/// The AWS request id of a failed call, when AWS answered: what AWS Support and
/// CloudTrail need to find the call.
pub fn request_id<E: RequestId, R>(e: &SdkError<E, R>) -> Option<&str> {
    e.as_service_error()
        .and_then(RequestId::request_id)
        .filter(|id| !id.is_empty())
}

/// ` (AWS request id: ...)`, or nothing when AWS gave none.
pub fn request_id_note<E: RequestId, R>(e: &SdkError<E, R>) -> String {
    request_id(e)
        .map(|id| format!(" AWS request id: {id}."))
        .unwrap_or_default()
}

/// The transport error of a call that never reached AWS.
fn connector_error<E, R>(
    e: &SdkError<E, R>,
) -> Option<&aws_smithy_runtime_api::client::result::ConnectorError> {
    match e {
        SdkError::DispatchFailure(f) => f.as_connector_error(),
        _ => None,
    }
}

/// A failed call as a diagnostic: `AWS <service> <operation> failed` with AWS's code
/// and message, what to do next, and AWS's request id.
pub fn api_error<E, R>(service_name: &str, operation: &str, e: &SdkError<E, R>) -> Diagnostic
where
    E: ProvideErrorMetadata + RequestId + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let summary = format!("AWS {service_name} {operation} failed");
    let detail = match (e.code(), e.message()) {
        (Some(code), msg) => {
            let cause = match msg {
                Some(m) => format!("{code}: {m}"),
                None => code.to_string(),
            };
            // AWS's messages usually end in a full stop already.
            let stop = if cause.ends_with('.') { "" } else { "." };
            format!(
                "{cause}{stop} {} The state records what already exists, so the next apply or destroy continues from there.{}",
                advice(service_name, operation, code),
                request_id_note(e)
            )
        }
        _ if connector_error(e).is_some_and(|c| super::config::is_unresolvable(c)) => {
            format!(
                "The endpoint's host name does not exist: {}. With use_fips_endpoint or use_dualstack_endpoint, the service may have no such endpoint in this region: turn the option off, or give the service an endpoint URL in endpoints {{}}.",
                aws_smithy_types::error::display::DisplayErrorContext(e)
            )
        }
        _ if connector_error(e).is_some_and(|c| super::config::is_untrusted(c)) => {
            format!(
                "The endpoint's TLS certificate is not trusted: {}. If a TLS-inspecting proxy or a private endpoint presents it, give its CA certificate (PEM) in custom_ca_bundle or AWS_CA_BUNDLE.",
                aws_smithy_types::error::display::DisplayErrorContext(e)
            )
        }
        _ => format!(
            "The call did not get an answer from AWS: {}. Check the network path (proxies, custom_ca_bundle) and the provider's region and endpoints, then run terraform apply again.",
            aws_smithy_types::error::display::DisplayErrorContext(e)
        ),
    };
    Diagnostic::error(summary, detail)
}

/// `map_err` helper: `.map_err(failed("EC2", "CreateVpc"))`.
pub fn failed<E, R>(
    service_name: &'static str,
    operation: &'static str,
) -> impl FnOnce(SdkError<E, R>) -> Diagnostics
where
    E: ProvideErrorMetadata + RequestId + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    move |e| api_error(service_name, operation, &e).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::operation::describe_vpcs::DescribeVpcsError;
    use aws_smithy_mocks::{RuleMode, mock};
    use aws_smithy_types::error::ErrorMetadata;

    #[test]
    fn not_found_and_throttling_codes_are_recognised() {
        assert!(is_not_found("InvalidVpcID.NotFound"));
        assert!(is_not_found("CloudHsmResourceNotFoundException"));
        assert!(is_not_found("LoadBalancerNotFound"));
        assert!(!is_not_found("InvalidParameterValue"));
        assert!(is_throttling("RequestLimitExceeded"));
        assert!(is_throttling("ThrottlingException"));
        assert!(!is_throttling("DependencyViolation"));
    }

    #[test]
    fn advice_names_the_iam_action_for_permission_errors() {
        let a = advice("CloudHSM", "InitializeCluster", "AccessDeniedException");
        assert!(a.contains("cloudhsm:InitializeCluster"), "{a}");
        let a = advice("ELBv2", "CreateListener", "AccessDenied");
        assert!(a.contains("elasticloadbalancing:CreateListener"), "{a}");
    }

    #[tokio::test]
    async fn a_modeled_ec2_error_becomes_code_message_and_advice() {
        let rule = mock!(aws_sdk_ec2::Client::describe_vpcs).then_error(|| {
            DescribeVpcsError::generic(
                ErrorMetadata::builder()
                    .code("UnauthorizedOperation")
                    .message("You are not authorized to perform this operation.")
                    .custom("aws_request_id", "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE")
                    .build(),
            )
        });
        let ec2 = super::super::testing::ec2_client(RuleMode::Sequential, &[&rule], 0);
        let e = ec2.describe_vpcs().send().await.expect_err("mocked error");
        let d = api_error("EC2", "DescribeVpcs", &e);
        assert_eq!(d.summary, "AWS EC2 DescribeVpcs failed");
        assert!(
            d.detail
                .starts_with("UnauthorizedOperation: You are not authorized"),
            "{}",
            d.detail
        );
        assert!(d.detail.contains("ec2:DescribeVpcs"), "{}", d.detail);
        assert!(!d.detail.contains("<?xml"), "{}", d.detail);
        assert!(
            d.detail
                .ends_with("AWS request id: 7a62c49f-347e-4fc4-9331-6e8eEXAMPLE."),
            "{}",
            d.detail
        );
    }

    fn answer(
        code: Option<&str>,
        message: Option<&str>,
        request_id: &str,
    ) -> SdkError<DescribeVpcsError, ()> {
        let mut m = ErrorMetadata::builder().custom("aws_request_id", request_id);
        if let Some(c) = code {
            m = m.code(c);
        }
        if let Some(x) = message {
            m = m.message(x);
        }
        SdkError::service_error(DescribeVpcsError::generic(m.build()), ())
    }

    /// Every kind of AWS error gets the advice for its kind, and only that one.
    #[test]
    fn each_kind_of_error_gets_its_own_advice() {
        let kinds: &[(&str, &[&str])] = &[
            (
                "lack permission",
                &[
                    "AccessDenied",
                    "AccessDeniedException",
                    "UnauthorizedOperation",
                    "NotAuthorized",
                    "AuthFailure",
                ],
            ),
            (
                "kept throttling",
                &[
                    "Throttling",
                    "ThrottlingException",
                    "ThrottledException",
                    "RequestLimitExceeded",
                    "TooManyRequestsException",
                    "RequestThrottled",
                    "RequestThrottledException",
                    "SlowDown",
                ],
            ),
            (
                "quota is reached",
                &[
                    "VpcLimitExceeded",
                    "TooManyLoadBalancers.QuotaExceeded",
                    "ServiceQuotaExceededException",
                ],
            ),
            (
                "still uses this object",
                &[
                    "DependencyViolation",
                    "ResourceInUse",
                    "InvalidIPAddress.InUse",
                ],
            ),
            (
                "gone or not visible yet",
                &[
                    "InvalidVpcID.NotFound",
                    "LoadBalancerNotFound",
                    "CloudHsmResourceNotFoundException",
                    "ResourceNotFoundException",
                ],
            ),
            (
                "refused an argument",
                &[
                    "InvalidParameterValue",
                    "InvalidParameterCombination",
                    "InvalidSubnet.Conflict",
                    "ValidationError",
                    "ValidationException",
                    "CloudHsmInvalidRequestException",
                ],
            ),
            (
                "Fix what AWS names",
                &["InternalError", "CloudHsmInternalFailureException", ""],
            ),
        ];
        let all: Vec<&str> = kinds.iter().map(|(k, _)| *k).collect();
        for (kind, codes) in kinds {
            for code in *codes {
                let a = advice("EC2", "CreateVpc", code);
                for other in &all {
                    assert_eq!(a.contains(other), other == kind, "{code:?}: {a}");
                }
            }
        }
        // Unknown services still name an action to allow.
        assert!(advice("Nope", "Do", "AccessDenied").contains("<service>:Do"));
    }

    #[test]
    fn not_found_and_throttling_are_only_their_own_codes() {
        for code in [
            "InvalidSubnetID.NotFound",
            "TargetGroupNotFound",
            "ResourceNotFoundException",
            "CertificateNotFoundException",
        ] {
            assert!(is_not_found(code), "{code}");
        }
        for code in [
            "NotFoundYet",
            "InvalidParameterValue",
            "",
            "DependencyViolation",
        ] {
            assert!(!is_not_found(code), "{code}");
        }
        for code in [
            "Throttling",
            "ThrottledException",
            "TooManyRequestsException",
            "RequestThrottled",
            "RequestThrottledException",
            "SlowDown",
        ] {
            assert!(is_throttling(code), "{code}");
        }
        for code in ["", "ThrottlingExceptionX", "LimitExceeded", "InternalError"] {
            assert!(!is_throttling(code), "{code}");
        }
    }

    #[test]
    fn code_message_and_request_id_come_from_the_answer_and_an_empty_id_is_none() {
        let e = answer(
            Some("DependencyViolation"),
            Some("The vpc has dependencies."),
            "req-1",
        );
        assert_eq!(code_of(&e), "DependencyViolation");
        assert_eq!(request_id(&e), Some("req-1"));
        let d = api_error("EC2", "DeleteVpc", &e);
        assert_eq!(d.summary, "AWS EC2 DeleteVpc failed");
        assert!(
            d.detail.starts_with(
                "DependencyViolation: The vpc has dependencies. Something outside Terraform"
            ),
            "{}",
            d.detail
        );
        assert!(
            d.detail.ends_with(" AWS request id: req-1."),
            "{}",
            d.detail
        );
        // A code without a message, and no request id: no dangling text.
        let e = answer(Some("InternalError"), None, "");
        assert_eq!(request_id(&e), None);
        assert_eq!(request_id_note(&e), "");
        let d = api_error("EC2", "DeleteVpc", &e);
        assert!(
            d.detail.starts_with("InternalError. Fix what AWS names"),
            "{}",
            d.detail
        );
        assert!(d.detail.ends_with("continues from there."), "{}", d.detail);
        // No code at all: AWS's answer was unreadable; the call gets the generic text.
        let e = answer(None, None, "");
        assert_eq!(code_of(&e), "");
        // `failed` is api_error for map_err.
        let r: Result<(), Diagnostics> =
            Err(answer(Some("AuthFailure"), Some("no"), "r")).map_err(failed("EC2", "CreateVpc"));
        let diags = r.expect_err("an error");
        let x = diags.iter().next().expect("one diagnostic");
        assert_eq!(x.summary, "AWS EC2 CreateVpc failed");
        assert!(x.detail.contains("ec2:CreateVpc"), "{}", x.detail);
    }

    #[derive(Debug)]
    struct Io(&'static str);
    impl std::fmt::Display for Io {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }
    impl std::error::Error for Io {}

    /// A call that never reached AWS says what to check: a host name that does not
    /// exist (FIPS or dual-stack endpoints a region lacks), an untrusted certificate
    /// (a TLS-inspecting proxy), or the network path.
    #[test]
    fn a_call_that_never_reached_aws_says_why() {
        use aws_smithy_runtime_api::client::result::ConnectorError;
        let failed_with = |text: &'static str| {
            let e: SdkError<DescribeVpcsError, ()> =
                SdkError::dispatch_failure(ConnectorError::io(Box::new(Io(text))));
            api_error("EC2", "DescribeVpcs", &e).detail
        };
        let d = failed_with(
            "dns error: failed to lookup address information: Name or service not known",
        );
        assert!(
            d.starts_with("The endpoint's host name does not exist"),
            "{d}"
        );
        assert!(d.contains("use_fips_endpoint"), "{d}");
        let d = failed_with("invalid peer certificate: UnknownIssuer");
        assert!(
            d.starts_with("The endpoint's TLS certificate is not trusted"),
            "{d}"
        );
        assert!(d.contains("custom_ca_bundle"), "{d}");
        let d = failed_with("connection refused");
        assert!(
            d.starts_with("The call did not get an answer from AWS"),
            "{d}"
        );
        assert!(d.contains("connection refused"), "{d}");
        // A timeout is no dispatch failure: the generic text.
        let e: SdkError<DescribeVpcsError, ()> =
            SdkError::timeout_error(Box::new(Io("dns error: Name or service not known")));
        assert!(
            api_error("EC2", "DescribeVpcs", &e)
                .detail
                .starts_with("The call did not get an answer from AWS")
        );
    }
}
