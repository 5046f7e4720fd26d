//! The cluster certificate issued by an AWS Private CA (ACM PCA) root: IssueCertificate
//! with the CSR and the end-entity template, then GetCertificate until AWS has issued
//! it (RequestInProgressException until then). The CA's key never leaves AWS.
//!
//! CloudHSM needs the cluster certificate signed directly by the trust anchor, a
//! self-signed RSA 2048 or RSA 4096 root (`pki::anchor_problem`), so the private CA
//! must be a ROOT CA with an RSA_2048 or RSA_4096 key, ACTIVE (AWS issues only from an
//! active CA), and trust_anchor must be its certificate
//! (GetCertificateAuthorityCertificate).

use super::pki::{self, Cert};
use crate::aws::retry::{GaveUp, gave_up, poll};
use crate::aws::{Deadline, Poll, code_of};
use aws_sdk_acmpca::primitives::Blob;
use aws_sdk_acmpca::types::{
    CertificateAuthorityStatus, CertificateAuthorityType, KeyAlgorithm, SigningAlgorithm, Validity,
    ValidityPeriodType,
};
use tfplugin::diag::{Diagnostic, Diagnostics};

/// Which attribute a problem is about, what it is and what to do.
#[derive(Debug, PartialEq)]
pub struct Problem {
    pub attribute: &'static str,
    pub summary: String,
    pub detail: String,
}

fn problem(
    attribute: &'static str,
    summary: impl Into<String>,
    detail: impl Into<String>,
) -> Problem {
    Problem {
        attribute,
        summary: summary.into(),
        detail: detail.into(),
    }
}

fn call_problem<E: std::error::Error>(arn: &str, op: &str, code: &str, e: &E) -> Problem {
    match code {
        "ResourceNotFoundException" => problem(
            "acm_pca_arn",
            "Private CA not found",
            format!(
                "ACM PCA {op}: no certificate authority {arn} in this account and region. Give the ARN of the root CA (aws acm-pca list-certificate-authorities); a CA in another region needs a provider configuration for that region."
            ),
        ),
        "InvalidArnException" => problem(
            "acm_pca_arn",
            "Invalid acm_pca_arn",
            format!(
                "{arn:?} is not a private CA ARN (arn:aws:acm-pca:REGION:ACCOUNT:certificate-authority/ID)."
            ),
        ),
        "AccessDeniedException" => problem(
            "acm_pca_arn",
            "No access to the private CA",
            format!(
                "ACM PCA {op} on {arn} was refused. The provider's credentials need acm-pca:DescribeCertificateAuthority, acm-pca:GetCertificateAuthorityCertificate, acm-pca:IssueCertificate and acm-pca:GetCertificate on this CA."
            ),
        ),
        _ => problem(
            "acm_pca_arn",
            format!("ACM PCA {op} failed"),
            format!(
                "ACM PCA {op} on {arn} failed ({}): {}",
                if code.is_empty() {
                    "no error code"
                } else {
                    code
                },
                aws_smithy_types::error::display::DisplayErrorContext(e)
            ),
        ),
    }
}

/// One DescribeCertificateAuthority and one GetCertificateAuthorityCertificate: the CA
/// is an ACTIVE RSA 2048/4096 root whose certificate is `anchor`.
pub async fn check_ca(
    pca: &aws_sdk_acmpca::Client,
    arn: &str,
    anchor: &Cert,
) -> Result<(), Problem> {
    let described = pca
        .describe_certificate_authority()
        .certificate_authority_arn(arn)
        .send()
        .await
        .map_err(|e| call_problem(arn, "DescribeCertificateAuthority", code_of(&e), &e))?;
    let Some(ca) = described.certificate_authority() else {
        return Err(problem(
            "acm_pca_arn",
            "Private CA not described",
            format!(
                "ACM PCA DescribeCertificateAuthority returned nothing for {arn}. Run terraform plan again; if it persists, report it."
            ),
        ));
    };
    if ca.r#type() != Some(&CertificateAuthorityType::Root) {
        let t = ca.r#type().map(|t| t.as_str()).unwrap_or("unknown");
        return Err(problem(
            "acm_pca_arn",
            "Subordinate private CA cannot initialize a cluster",
            format!(
                "Private CA {arn} is of type {t}; CloudHSM needs the cluster certificate signed directly by a self-signed root (the trust anchor). Give the ARN of a ROOT private CA, or sign the CSR with your root outside Terraform (signed_cert)."
            ),
        ));
    }
    let key = ca
        .certificate_authority_configuration()
        .map(|c| c.key_algorithm().clone());
    if !matches!(
        key,
        Some(KeyAlgorithm::Rsa2048) | Some(KeyAlgorithm::Rsa4096)
    ) {
        let k = key.as_ref().map(|k| k.as_str()).unwrap_or("unknown");
        return Err(problem(
            "acm_pca_arn",
            "Private CA key not accepted for a CloudHSM trust anchor",
            format!(
                "Private CA {arn} has a {k} key; CloudHSM accepts RSA 2048 or RSA 4096 root certificates. Create a root private CA with key algorithm RSA_2048 or RSA_4096."
            ),
        ));
    }
    match ca.status() {
        Some(CertificateAuthorityStatus::Active) => {}
        status => {
            let s = status.map(|s| s.as_str()).unwrap_or("unknown");
            let fix = match status {
                Some(CertificateAuthorityStatus::Disabled) => {
                    "Enable it (aws acm-pca update-certificate-authority --status ACTIVE)"
                }
                Some(CertificateAuthorityStatus::PendingCertificate) => {
                    "Install its root certificate first (get-certificate-authority-csr, issue-certificate with the RootCACertificate template, import-certificate-authority-certificate)"
                }
                _ => "Use an ACTIVE root private CA",
            };
            return Err(problem(
                "acm_pca_arn",
                "Private CA is not ACTIVE",
                format!(
                    "Private CA {arn} is {s}; AWS issues certificates only from an ACTIVE CA. {fix}."
                ),
            ));
        }
    }
    let cert = pca
        .get_certificate_authority_certificate()
        .certificate_authority_arn(arn)
        .send()
        .await
        .map_err(|e| call_problem(arn, "GetCertificateAuthorityCertificate", code_of(&e), &e))?;
    let ca_cert = cert
        .certificate()
        .and_then(|pem| pki::one_certificate(pem).ok());
    match ca_cert {
        Some(c)
            if c.public_key_bits() == anchor.public_key_bits()
                && c.subject_der() == anchor.subject_der() =>
        {
            Ok(())
        }
        _ => Err(problem(
            "trust_anchor",
            "trust_anchor is not the private CA's certificate",
            format!(
                "The cluster certificate will be issued by private CA {arn}, so trust_anchor must be that CA's certificate (aws acm-pca get-certificate-authority-certificate --certificate-authority-arn {arn}); \"{}\" is not.",
                anchor.subject()
            ),
        )),
    }
}

/// The template AWS documents for end-entity certificates, in the CA's partition.
fn end_entity_template(arn: &str) -> String {
    let partition = arn
        .split(':')
        .nth(1)
        .filter(|p| !p.is_empty())
        .unwrap_or("aws");
    format!("arn:{partition}:acm-pca:::template/EndEntityCertificate/V1")
}

/// IssueCertificate for `csr_pem` (valid until `not_after`, Unix seconds), then
/// GetCertificate until it is issued; the certificate must be issued by `anchor`.
pub async fn issue(
    pca: &aws_sdk_acmpca::Client,
    arn: &str,
    csr_pem: &str,
    anchor: &Cert,
    not_after: i64,
    deadline: &Deadline,
) -> Result<Cert, Diagnostics> {
    let at = |p: Problem| -> Diagnostics {
        Diagnostic::error(p.summary, p.detail)
            .at(tfplugin::value::AttributePath::root().attr(p.attribute))
            .into()
    };
    // The same CSR gives the same token: an apply retried within AWS's idempotency
    // window gets the certificate already issued rather than a second one.
    let token: String = super::sign::sha256(csr_pem.as_bytes())
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect();
    let issued = pca
        .issue_certificate()
        .certificate_authority_arn(arn)
        .csr(Blob::new(csr_pem.as_bytes()))
        .signing_algorithm(SigningAlgorithm::Sha256Withrsa)
        .template_arn(end_entity_template(arn))
        .validity(
            Validity::builder()
                .r#type(ValidityPeriodType::Absolute)
                .value(not_after)
                .build()
                .map_err(|e| {
                    Diagnostics::from(Diagnostic::error(
                        "Could not request the cluster certificate",
                        e.to_string(),
                    ))
                })?,
        )
        .idempotency_token(token)
        .send()
        .await
        .map_err(|e| at(call_problem(arn, "IssueCertificate", code_of(&e), &e)))?;
    let cert_arn = issued.certificate_arn().unwrap_or_default().to_string();
    tracing::info!(certificate_authority_arn = %arn, certificate_arn = %cert_arn, "ACM PCA accepted the cluster CSR; waiting for the certificate");
    let what = format!("ACM PCA to issue certificate {cert_arn}");
    let pem = poll(
        deadline,
        &what,
        || {
            let call = pca
                .get_certificate()
                .certificate_authority_arn(arn)
                .certificate_arn(&cert_arn)
                .send();
            async move {
                match call.await {
                    Ok(out) => Poll::Done(out.certificate().unwrap_or_default().to_string()),
                    Err(e) if code_of(&e) == "RequestInProgressException" => {
                        Poll::Retry("the certificate is not issued yet".into())
                    }
                    Err(e) => Poll::Fail(at(call_problem(arn, "GetCertificate", code_of(&e), &e))),
                }
            }
        },
        |why: GaveUp| gave_up(deadline, &what, why),
    )
    .await?;
    match pki::one_certificate(&pem) {
        Ok(cert) if cert.is_issued_by(anchor) => Ok(cert),
        _ => Err(Diagnostic::error(
            "The private CA's certificate does not chain to trust_anchor",
            format!("Certificate {cert_arn} from private CA {arn} does not verify with the key of trust_anchor (\"{}\"), so nothing was sent to CloudHSM. Check that trust_anchor is the CA's certificate.", anchor.subject()),
        )
        .at(tfplugin::value::AttributePath::root().attr("trust_anchor"))
        .into()),
    }
}

// Not when tests/fuzz includes this file (its test helpers live in the provider).
#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::Stop;
    use crate::aws::testing::acmpca_client;
    use crate::cloudhsm::testing::{TestCa, cluster_csr, root};
    use aws_sdk_acmpca::operation::describe_certificate_authority::{
        DescribeCertificateAuthorityError, DescribeCertificateAuthorityOutput,
    };
    use aws_sdk_acmpca::operation::get_certificate::{GetCertificateError, GetCertificateOutput};
    use aws_sdk_acmpca::operation::get_certificate_authority_certificate::GetCertificateAuthorityCertificateOutput;
    use aws_sdk_acmpca::operation::issue_certificate::IssueCertificateOutput;
    use aws_sdk_acmpca::types::{
        Asn1Subject, CertificateAuthority, CertificateAuthorityConfiguration,
    };
    use aws_smithy_mocks::{Rule, mock};
    use std::time::Duration;
    use tfplugin::framework::Operation;

    const ARN: &str = "arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/11111111-2222-3333-4444-555555555555";

    fn described(
        t: CertificateAuthorityType,
        key: KeyAlgorithm,
        status: CertificateAuthorityStatus,
    ) -> DescribeCertificateAuthorityOutput {
        DescribeCertificateAuthorityOutput::builder()
            .certificate_authority(
                CertificateAuthority::builder()
                    .arn(ARN)
                    .r#type(t)
                    .status(status)
                    .certificate_authority_configuration(
                        CertificateAuthorityConfiguration::builder()
                            .key_algorithm(key)
                            .signing_algorithm(SigningAlgorithm::Sha256Withrsa)
                            .subject(Asn1Subject::builder().common_name("Root").build())
                            .build()
                            .expect("configuration"),
                    )
                    .build(),
            )
            .build()
    }

    fn active_root() -> DescribeCertificateAuthorityOutput {
        described(
            CertificateAuthorityType::Root,
            KeyAlgorithm::Rsa2048,
            CertificateAuthorityStatus::Active,
        )
    }

    /// check_ca against a CA described as `d` whose certificate is `ca_pem`.
    async fn check(
        d: DescribeCertificateAuthorityOutput,
        ca_pem: &str,
        anchor: &Cert,
    ) -> Result<(), Problem> {
        let describe = mock!(aws_sdk_acmpca::Client::describe_certificate_authority)
            .then_output(move || d.clone());
        let pem = ca_pem.to_string();
        let cert = mock!(aws_sdk_acmpca::Client::get_certificate_authority_certificate)
            .then_output(move || {
                GetCertificateAuthorityCertificateOutput::builder()
                    .certificate(pem.clone())
                    .build()
            });
        check_ca(&acmpca_client(&[&describe, &cert]), ARN, anchor).await
    }

    fn cert(ca: &TestCa) -> Cert {
        pki::one_certificate(&ca.cert_pem).expect("cert")
    }

    #[tokio::test]
    async fn an_active_rsa_root_whose_certificate_is_the_anchor_passes_and_no_other() {
        let ca = root("Root");
        assert_eq!(check(active_root(), &ca.cert_pem, &cert(&ca)).await, Ok(()));
        // Another root, even with the same name: the anchor would not verify its
        // certificates.
        for other in [root("Root"), root("Other")] {
            let p = check(active_root(), &ca.cert_pem, &cert(&other))
                .await
                .expect_err("another anchor");
            assert_eq!(p.attribute, "trust_anchor");
            assert_eq!(
                p.summary,
                "trust_anchor is not the private CA's certificate"
            );
        }
    }

    #[tokio::test]
    async fn a_subordinate_an_ec_or_an_inactive_ca_is_refused_with_the_fix() {
        let ca = root("Root");
        let anchor = cert(&ca);
        let cases = [
            (
                described(
                    CertificateAuthorityType::Subordinate,
                    KeyAlgorithm::Rsa2048,
                    CertificateAuthorityStatus::Active,
                ),
                "Subordinate private CA cannot initialize a cluster",
                "type SUBORDINATE",
            ),
            (
                described(
                    CertificateAuthorityType::Root,
                    KeyAlgorithm::EcPrime256v1,
                    CertificateAuthorityStatus::Active,
                ),
                "Private CA key not accepted for a CloudHSM trust anchor",
                "EC_prime256v1 key",
            ),
            (
                described(
                    CertificateAuthorityType::Root,
                    KeyAlgorithm::Rsa4096,
                    CertificateAuthorityStatus::Disabled,
                ),
                "Private CA is not ACTIVE",
                "update-certificate-authority --status ACTIVE",
            ),
            (
                described(
                    CertificateAuthorityType::Root,
                    KeyAlgorithm::Rsa4096,
                    CertificateAuthorityStatus::PendingCertificate,
                ),
                "Private CA is not ACTIVE",
                "import-certificate-authority-certificate",
            ),
            (
                described(
                    CertificateAuthorityType::Root,
                    KeyAlgorithm::Rsa4096,
                    CertificateAuthorityStatus::Expired,
                ),
                "Private CA is not ACTIVE",
                "Use an ACTIVE root private CA",
            ),
        ];
        for (d, summary, fix) in cases {
            let p = check(d, &ca.cert_pem, &anchor).await.expect_err(summary);
            assert_eq!((p.attribute, p.summary.as_str()), ("acm_pca_arn", summary));
            assert!(p.detail.contains(fix), "{}", p.detail);
        }
    }

    #[tokio::test]
    async fn aws_refusals_name_the_ca_and_what_to_do() {
        let anchor = cert(&root("Root"));
        for (code, summary, says) in [
            (
                "ResourceNotFoundException",
                "Private CA not found",
                "list-certificate-authorities",
            ),
            (
                "InvalidArnException",
                "Invalid acm_pca_arn",
                "certificate-authority/ID",
            ),
            (
                "AccessDeniedException",
                "No access to the private CA",
                "acm-pca:IssueCertificate",
            ),
            (
                "ThrottlingException",
                "ACM PCA DescribeCertificateAuthority failed",
                "ThrottlingException",
            ),
        ] {
            let describe = mock!(aws_sdk_acmpca::Client::describe_certificate_authority)
                .then_error(move || {
                    DescribeCertificateAuthorityError::generic(
                        aws_smithy_types::error::ErrorMetadata::builder()
                            .code(code)
                            .message("refused in the test")
                            .build(),
                    )
                });
            let p = check_ca(&acmpca_client(&[&describe]), ARN, &anchor)
                .await
                .expect_err(code);
            assert_eq!((p.attribute, p.summary.as_str()), ("acm_pca_arn", summary));
            assert!(p.detail.contains(says), "{}", p.detail);
        }
    }

    #[test]
    fn the_end_entity_template_is_in_the_cas_partition() {
        assert_eq!(
            end_entity_template(ARN),
            "arn:aws:acm-pca:::template/EndEntityCertificate/V1"
        );
        assert_eq!(
            end_entity_template(
                "arn:aws-us-gov:acm-pca:us-gov-west-1:123456789012:certificate-authority/x"
            ),
            "arn:aws-us-gov:acm-pca:::template/EndEntityCertificate/V1"
        );
    }

    fn deadline(secs: u64) -> Deadline {
        Deadline::new(
            Duration::from_secs(secs),
            Operation::Create,
            Stop::default(),
        )
    }

    fn pca_error(code: &'static str) -> GetCertificateError {
        GetCertificateError::generic(
            aws_smithy_types::error::ErrorMetadata::builder()
                .code(code)
                .message("in the test")
                .build(),
        )
    }

    /// IssueCertificate (checked: the CSR, SHA256WITHRSA, the end-entity template, an
    /// absolute end) answering a certificate ARN; GetCertificate answers from `get`.
    fn issue_rule(csr: &str, not_after: i64) -> Rule {
        let csr = csr.to_string();
        mock!(aws_sdk_acmpca::Client::issue_certificate)
            .match_requests(move |r| {
                r.certificate_authority_arn() == Some(ARN)
                    && r.csr().map(|b| b.as_ref()) == Some(csr.as_bytes())
                    && r.signing_algorithm() == Some(&SigningAlgorithm::Sha256Withrsa)
                    && r.template_arn()
                        == Some("arn:aws:acm-pca:::template/EndEntityCertificate/V1")
                    && r.validity().map(|v| (v.r#type(), v.value()))
                        == Some((&ValidityPeriodType::Absolute, not_after))
                    && r.idempotency_token().is_some_and(|t| !t.is_empty())
            })
            .then_output(|| {
                IssueCertificateOutput::builder()
                    .certificate_arn(format!("{ARN}/certificate/abc"))
                    .build()
            })
    }

    /// The cluster certificate for a fresh CSR, signed by `ca`.
    fn issued_by(ca: &TestCa, csr: &str) -> String {
        let csr = pki::Csr::from_pem(csr).expect("csr");
        let key = pki::PrivateKey::from_pem(&ca.key_pem).expect("key");
        super::super::sign::sign_csr(&csr, &cert(ca), &key, super::super::time::now())
            .expect("signed")
            .to_pem()
    }

    #[tokio::test]
    async fn the_certificate_is_fetched_once_issued_and_must_verify_under_the_anchor() {
        let ca = root("Root");
        let (csr, _) = cluster_csr();
        let not_after = 2_000_000_000;
        let pem = issued_by(&ca, &csr);
        let issue_ok = issue_rule(&csr, not_after);
        let get = mock!(aws_sdk_acmpca::Client::get_certificate)
            .sequence()
            .error(|| pca_error("RequestInProgressException"))
            .output(move || {
                GetCertificateOutput::builder()
                    .certificate(pem.clone())
                    .build()
            })
            .build();
        let pca = acmpca_client(&[&issue_ok, &get]);
        let got = issue(&pca, ARN, &csr, &cert(&ca), not_after, &deadline(30))
            .await
            .expect("issued");
        assert!(got.is_issued_by(&cert(&ca)));
        assert_eq!((issue_ok.num_calls(), get.num_calls()), (1, 2));

        // Issued by another CA than trust_anchor: refused at trust_anchor.
        let other = root("Other");
        let pem = issued_by(&other, &csr);
        let issue_ok = issue_rule(&csr, not_after);
        let get = mock!(aws_sdk_acmpca::Client::get_certificate).then_output(move || {
            GetCertificateOutput::builder()
                .certificate(pem.clone())
                .build()
        });
        let d = issue(
            &acmpca_client(&[&issue_ok, &get]),
            ARN,
            &csr,
            &cert(&ca),
            not_after,
            &deadline(30),
        )
        .await
        .expect_err("refused");
        let x = d.iter().next().expect("one");
        assert_eq!(
            x.summary,
            "The private CA's certificate does not chain to trust_anchor"
        );
        assert_eq!(
            x.attribute.as_ref().map(|p| p.to_string()).as_deref(),
            Some("trust_anchor")
        );
    }

    #[tokio::test]
    async fn a_refused_get_certificate_fails_at_once_and_is_not_waited_for() {
        let ca = root("Root");
        let (csr, _) = cluster_csr();
        let issue_ok = issue_rule(&csr, 2_000_000_000);
        let get = mock!(aws_sdk_acmpca::Client::get_certificate)
            .then_error(|| pca_error("AccessDeniedException"));
        let started = std::time::Instant::now();
        let d = issue(
            &acmpca_client(&[&issue_ok, &get]),
            ARN,
            &csr,
            &cert(&ca),
            2_000_000_000,
            &deadline(20),
        )
        .await
        .expect_err("refused");
        assert!(started.elapsed() < Duration::from_secs(10), "waited");
        assert_eq!(get.num_calls(), 1);
        let x = d.iter().next().expect("one");
        assert_eq!(x.summary, "No access to the private CA");
        assert!(x.detail.contains("GetCertificate on"), "{}", x.detail);
    }
}
