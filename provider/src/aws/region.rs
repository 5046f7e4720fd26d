//! What is wrong with a region, said as such: a name that cannot be an AWS region
//! is refused at plan time at `region`, and a credential check that never reached
//! AWS is not reported as bad credentials.

use aws_sdk_sts::error::SdkError;
use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::value::AttributePath;

/// Compass parts of AWS region names (`us-east-1`, `ap-southeast-4`, `us-gov-west-1`,
/// `us-isob-east-1`, `eu-central-2`). A name with none of them is not refused (AWS
/// may name a region differently one day) but warned about.
const DIRECTIONS: &[&str] = &[
    "north",
    "south",
    "east",
    "west",
    "central",
    "northeast",
    "northwest",
    "southeast",
    "southwest",
];

/// Lowercase words and a number from 1 to 99, joined by dashes (`us-east-1`).
pub fn is_well_formed(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1]
            .parse::<u16>()
            .is_ok_and(|n| (1..100).contains(&n))
}

/// Checks a configured region: an error when it cannot be an AWS region name
/// (lowercase words and a number, `us-east-1`), a warning when no word is a compass
/// direction (a typo such as `us-esat-1`).
pub fn check(region: &str, path: AttributePath) -> Diagnostics {
    let mut d = Diagnostics::new();
    let parts: Vec<&str> = region.split('-').collect();
    if !is_well_formed(region) {
        d.error_at(
            path,
            "Invalid AWS region",
            format!(
                "{:?} is not an AWS region name; region names look like \"us-east-1\" or \"eu-central-2\". Fix region (or AWS_REGION).",
                tfplugin::diag::shorten(region, 40)
            ),
        );
    } else if !parts.iter().any(|p| DIRECTIONS.contains(p)) {
        d.push(
            Diagnostic::warning(
                "Unknown AWS region",
                format!(
                    "{region:?} has no compass direction (east, west, central, ...) in it, as every AWS region has; is it misspelled? The provider will try it, and AWS will not answer for a region that does not exist."
                ),
            )
            .at(path),
        );
    }
    d
}

/// Why STS GetCallerIdentity failed, by cause: credentials AWS refused, no
/// credentials at all, or AWS never reached (a region that does not exist, the
/// network, a proxy, an endpoint).
pub fn credential_check_failed(
    e: &SdkError<GetCallerIdentityError>,
    region: Option<&str>,
    request_id: &str,
) -> Diagnostic {
    let context = aws_sdk_sts::error::DisplayErrorContext(e);
    let region = region.unwrap_or("(none)");
    let refused = matches!(
        e.code(),
        Some(
            "InvalidClientTokenId"
                | "SignatureDoesNotMatch"
                | "ExpiredToken"
                | "ExpiredTokenException"
                | "UnrecognizedClientException"
                | "AccessDenied"
                | "InvalidAccessKeyId"
                | "IncompleteSignature"
        )
    );
    let text = context.to_string().to_ascii_lowercase();
    let no_credentials = !refused
        && matches!(
            e,
            SdkError::DispatchFailure(_) | SdkError::ConstructionFailure(_)
        )
        && (text.contains("credential") || text.contains("identity"));
    let unreachable = !refused
        && !no_credentials
        && matches!(e, SdkError::DispatchFailure(_) | SdkError::TimeoutError(_));
    if refused || no_credentials {
        Diagnostic::error(
            "No valid AWS credentials",
            format!(
                "STS GetCallerIdentity failed: {context}. Configure credentials (environment, profile, assume_role or assume_role_with_web_identity) or set skip_credentials_validation = true for emulators that lack STS.{request_id}"
            ),
        )
    } else if unreachable {
        Diagnostic::error(
            "AWS STS could not be reached",
            format!(
                "The credential check (STS GetCallerIdentity) got no answer from AWS in region {region:?}: {context}. The credentials were not checked. If {region:?} is misspelled or not an AWS region, fix region (or AWS_REGION); otherwise check the network, a proxy, or endpoints {{ sts = ... }}.{request_id}"
            ),
        )
    } else {
        Diagnostic::error(
            "AWS credential check failed",
            format!(
                "STS GetCallerIdentity in region {region:?} failed: {context}. Check region, credentials and endpoints {{ sts = ... }}, or set skip_credentials_validation = true for emulators that lack STS.{request_id}"
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> AttributePath {
        AttributePath::root().attr("region")
    }

    #[test]
    fn malformed_names_are_errors_typos_warnings_real_names_pass() {
        for good in [
            "us-east-1",
            "eu-central-2",
            "ap-southeast-4",
            "us-gov-west-1",
            "us-isob-east-1",
            "cn-northwest-1",
            "il-central-1",
        ] {
            assert!(check(good, root()).is_empty(), "{good}");
        }
        for bad in [
            "US-EAST-1",
            "us-east",
            "us_east_1",
            "",
            "us-east-1a",
            "us-east-1 ",
        ] {
            let d = check(bad, root());
            assert!(d.has_errors(), "{bad}");
        }
        let typo = check("us-esat-1", root());
        assert!(!typo.has_errors());
        assert_eq!(typo.iter().count(), 1);
    }
}
