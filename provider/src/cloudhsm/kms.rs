//! The cluster certificate signed by an AWS KMS key: the provider builds the
//! certificate, KMS signs its SHA-256 digest (Sign with MessageType DIGEST and
//! RSASSA_PKCS1_V1_5_SHA_256), and the provider assembles it. The CA's private key
//! never leaves KMS.
//!
//! What the key must be follows from what CloudHSM accepts as a trust anchor (the
//! provider's reading, `pki::anchor_problem`): an RSA 2048 or RSA 4096 root that signs
//! the cluster certificate directly. So the KMS key is the root's own key: an
//! asymmetric key with KeyUsage SIGN_VERIFY and KeySpec RSA_2048 or RSA_4096, whose
//! public key is the CA certificate's. ECC and RSA 3072 keys can sign in KMS, but a
//! root with such a key is refused by the provider's trust anchor check.

use super::pki::Cert;
use crate::aws::code_of;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{KeySpec, KeyState, KeyUsageType, MessageType, SigningAlgorithmSpec};
use x509_parser::prelude::FromDer;

/// The key specs whose keys can be a CloudHSM trust anchor's.
pub const KEY_SPECS: &[KeySpec] = &[KeySpec::Rsa2048, KeySpec::Rsa4096];
/// The signature the cluster certificate carries (sha256WithRSAEncryption).
pub const ALGORITHM: SigningAlgorithmSpec = SigningAlgorithmSpec::RsassaPkcs1V15Sha256;

/// A problem with the KMS key: a summary and what to do, for a diagnostic at the
/// attribute naming the key.
#[derive(Debug, PartialEq)]
pub struct Problem {
    pub summary: String,
    pub detail: String,
}

fn problem(summary: impl Into<String>, detail: impl Into<String>) -> Problem {
    Problem {
        summary: summary.into(),
        detail: detail.into(),
    }
}

/// The subjectPublicKey bits of a DER SubjectPublicKeyInfo (KMS GetPublicKey).
fn key_bits(spki_der: &[u8]) -> Option<Vec<u8>> {
    let (_, spki) = x509_parser::x509::SubjectPublicKeyInfo::from_der(spki_der).ok()?;
    Some(spki.subject_public_key.data.to_vec())
}

/// One DescribeKey and one GetPublicKey: the key can sign the certificate of `cert`
/// (enabled, SIGN_VERIFY, RSA 2048/4096, PKCS#1 v1.5 SHA-256, the same public key).
pub async fn check_key(
    kms: &aws_sdk_kms::Client,
    key_id: &str,
    cert: &Cert,
    whose: &str,
) -> Result<(), Problem> {
    let described = kms
        .describe_key()
        .key_id(key_id)
        .send()
        .await
        .map_err(|e| call_problem(key_id, "DescribeKey", code_of(&e), &e))?;
    let Some(meta) = described.key_metadata() else {
        return Err(problem(
            "KMS key not described",
            format!(
                "KMS DescribeKey returned no metadata for {key_id:?}. Run terraform plan again; if it persists, report it."
            ),
        ));
    };
    let spec = meta.key_spec().map(|s| s.as_str()).unwrap_or("unknown");
    let fix = "Create an asymmetric KMS key with key usage SIGN_VERIFY and key spec RSA_2048 or RSA_4096 (aws kms create-key --key-usage SIGN_VERIFY --key-spec RSA_4096), make the root CA certificate with it, and give that certificate and key";
    if meta.key_usage() != Some(&KeyUsageType::SignVerify) {
        let usage = meta.key_usage().map(|u| u.as_str()).unwrap_or("unknown");
        return Err(problem(
            "KMS key cannot sign",
            format!(
                "KMS key {key_id} has key usage {usage}; signing the cluster certificate needs SIGN_VERIFY. {fix}."
            ),
        ));
    }
    if !meta.key_spec().is_some_and(|s| KEY_SPECS.contains(s)) {
        return Err(problem(
            "KMS key spec not accepted for a CloudHSM trust anchor",
            format!(
                "KMS key {key_id} is {spec}; CloudHSM accepts RSA 2048 or RSA 4096 root certificates, and the KMS key must be that root's key. {fix}."
            ),
        ));
    }
    if meta.key_state() != Some(&KeyState::Enabled) {
        let state = meta.key_state().map(|s| s.as_str()).unwrap_or("unknown");
        return Err(problem(
            "KMS key is not enabled",
            format!(
                "KMS key {key_id} is {state}; KMS signs only with an Enabled key. Enable it (aws kms enable-key, or cancel-key-deletion then enable-key when it is pending deletion)."
            ),
        ));
    }
    if !meta.signing_algorithms().contains(&ALGORITHM) {
        return Err(problem(
            "KMS key cannot make the certificate's signature",
            format!(
                "KMS key {key_id} does not offer {}; the cluster certificate is signed with sha256WithRSAEncryption. {fix}.",
                ALGORITHM.as_str()
            ),
        ));
    }
    let public = kms
        .get_public_key()
        .key_id(key_id)
        .send()
        .await
        .map_err(|e| call_problem(key_id, "GetPublicKey", code_of(&e), &e))?;
    let bits = public.public_key().and_then(|b| key_bits(b.as_ref()));
    if bits.as_deref() != Some(cert.public_key_bits().as_slice()) {
        return Err(problem(
            "KMS key does not match its certificate",
            format!(
                "The public key of KMS key {key_id} is not the key of {whose} (\"{}\"). Give the KMS key that holds that certificate's private key, or the certificate made with this KMS key.",
                cert.subject()
            ),
        ));
    }
    Ok(())
}

fn call_problem<E: std::error::Error>(key_id: &str, op: &str, code: &str, e: &E) -> Problem {
    match code {
        "NotFoundException" => problem(
            "KMS key not found",
            format!(
                "KMS {op}: no key {key_id:?} in this account and region. Give the key id, key ARN, alias name (alias/...) or alias ARN of the KMS key that holds the CA key; a key of another account needs its ARN."
            ),
        ),
        "AccessDeniedException" => problem(
            "No access to the KMS key",
            format!(
                "KMS {op} on {key_id} was refused. The provider's credentials need kms:DescribeKey, kms:GetPublicKey and kms:Sign on this key (key policy or IAM policy)."
            ),
        ),
        "DisabledException" | "KMSInvalidStateException" => problem(
            "KMS key is not enabled",
            format!(
                "KMS {op} on {key_id}: {code}. Enable the key (aws kms enable-key) and plan again."
            ),
        ),
        _ => problem(
            format!("KMS {op} failed"),
            format!(
                "KMS {op} on {key_id} failed ({}): {}",
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

/// KMS signs the SHA-256 `digest` of a certificate: the raw PKCS#1 v1.5 signature.
pub async fn sign(
    kms: &aws_sdk_kms::Client,
    key_id: &str,
    digest: &[u8],
) -> Result<Vec<u8>, Problem> {
    let out = kms
        .sign()
        .key_id(key_id)
        .message(Blob::new(digest))
        .message_type(MessageType::Digest)
        .signing_algorithm(ALGORITHM)
        .send()
        .await
        .map_err(|e| call_problem(key_id, "Sign", code_of(&e), &e))?;
    out.signature()
        .map(|b| b.as_ref().to_vec())
        .ok_or_else(|| {
            problem(
                "KMS returned no signature",
                format!("KMS Sign with {key_id} answered without a signature. Run terraform apply again; if it persists, report it."),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::testing::kms_client;
    use crate::cloudhsm::pki::one_certificate;
    use crate::cloudhsm::testing::root;
    use aws_sdk_kms::operation::describe_key::{DescribeKeyError, DescribeKeyOutput};
    use aws_sdk_kms::operation::get_public_key::GetPublicKeyOutput;
    use aws_sdk_kms::types::KeyMetadata;
    use aws_sdk_kms::types::error::NotFoundException;
    use aws_smithy_mocks::mock;

    fn metadata(usage: KeyUsageType, spec: KeySpec, state: KeyState) -> DescribeKeyOutput {
        let algorithms = if spec.as_str().starts_with("RSA") {
            vec![ALGORITHM, SigningAlgorithmSpec::RsassaPssSha256]
        } else {
            vec![SigningAlgorithmSpec::EcdsaSha256]
        };
        DescribeKeyOutput::builder()
            .key_metadata(
                KeyMetadata::builder()
                    .key_id("1234abcd-12ab-34cd-56ef-1234567890ab")
                    .key_usage(usage)
                    .key_spec(spec)
                    .key_state(state)
                    .set_signing_algorithms(Some(algorithms))
                    .build()
                    .expect("metadata"),
            )
            .build()
    }

    async fn check(described: DescribeKeyOutput, public_der: Vec<u8>) -> Result<(), Problem> {
        let ca = root("KMS Root");
        let cert = one_certificate(&ca.cert_pem).expect("cert");
        let d = mock!(aws_sdk_kms::Client::describe_key).then_output(move || described.clone());
        let g = mock!(aws_sdk_kms::Client::get_public_key).then_output(move || {
            GetPublicKeyOutput::builder()
                .public_key(Blob::new(public_der.clone()))
                .build()
        });
        let kms = kms_client(&[&d, &g]);
        check_key(&kms, "alias/root", &cert, "trust_anchor").await
    }

    fn spki(ca: &crate::cloudhsm::testing::TestCa) -> Vec<u8> {
        one_certificate(&ca.cert_pem).expect("cert").spki_der()
    }

    fn good() -> DescribeKeyOutput {
        metadata(
            KeyUsageType::SignVerify,
            KeySpec::Rsa2048,
            KeyState::Enabled,
        )
    }

    #[tokio::test]
    async fn a_key_of_another_certificate_is_refused_and_the_certificates_own_passes() {
        // The certificate made in `check` has a fresh key: any other key mismatches.
        let other = root("Other");
        let p = check(good(), spki(&other)).await.expect_err("refused");
        assert_eq!(p.summary, "KMS key does not match its certificate");
        assert!(
            p.detail.contains("trust_anchor (\"CN=KMS Root"),
            "{}",
            p.detail
        );

        let ca = root("Own");
        let cert = one_certificate(&ca.cert_pem).expect("cert");
        let der = spki(&ca);
        let d = mock!(aws_sdk_kms::Client::describe_key).then_output(good);
        let g = mock!(aws_sdk_kms::Client::get_public_key).then_output(move || {
            GetPublicKeyOutput::builder()
                .public_key(Blob::new(der.clone()))
                .build()
        });
        let kms = kms_client(&[&d, &g]);
        assert_eq!(
            check_key(&kms, "alias/root", &cert, "trust_anchor").await,
            Ok(())
        );
    }

    #[tokio::test]
    async fn usage_spec_and_state_are_checked_before_the_key() {
        let any = spki(&root("Any"));
        let cases = [
            (
                metadata(
                    KeyUsageType::EncryptDecrypt,
                    KeySpec::Rsa2048,
                    KeyState::Enabled,
                ),
                "KMS key cannot sign",
            ),
            (
                metadata(
                    KeyUsageType::SignVerify,
                    KeySpec::EccNistP256,
                    KeyState::Enabled,
                ),
                "KMS key spec not accepted for a CloudHSM trust anchor",
            ),
            (
                metadata(
                    KeyUsageType::SignVerify,
                    KeySpec::Rsa3072,
                    KeyState::Enabled,
                ),
                "KMS key spec not accepted for a CloudHSM trust anchor",
            ),
            (
                metadata(
                    KeyUsageType::SignVerify,
                    KeySpec::Rsa4096,
                    KeyState::Disabled,
                ),
                "KMS key is not enabled",
            ),
            (
                metadata(
                    KeyUsageType::SignVerify,
                    KeySpec::Rsa4096,
                    KeyState::PendingDeletion,
                ),
                "KMS key is not enabled",
            ),
        ];
        for (described, summary) in cases {
            let p = check(described, any.clone()).await.expect_err("refused");
            assert_eq!(p.summary, summary, "{}", p.detail);
        }
    }

    #[tokio::test]
    async fn an_unknown_key_says_which_identifiers_work() {
        let ca = root("Root");
        let cert = one_certificate(&ca.cert_pem).expect("cert");
        let d = mock!(aws_sdk_kms::Client::describe_key).then_error(|| {
            DescribeKeyError::NotFoundException(
                NotFoundException::builder()
                    .message("Alias arn:aws:kms:us-east-1:123456789012:alias/nope is not found.")
                    .meta(
                        aws_smithy_types::error::ErrorMetadata::builder()
                            .code("NotFoundException")
                            .build(),
                    )
                    .build(),
            )
        });
        let kms = kms_client(&[&d]);
        let p = check_key(&kms, "alias/nope", &cert, "trust_anchor")
            .await
            .expect_err("refused");
        assert_eq!(p.summary, "KMS key not found");
        assert!(p.detail.contains("alias name (alias/...)"), "{}", p.detail);
    }

    fn aws_error(code: &str) -> aws_smithy_types::error::ErrorMetadata {
        aws_smithy_types::error::ErrorMetadata::builder()
            .code(code)
            .message("refused in the test")
            .build()
    }

    #[tokio::test]
    async fn a_refused_or_disabled_key_says_what_to_grant_or_enable() {
        use aws_sdk_kms::operation::get_public_key::GetPublicKeyError;
        let cert = one_certificate(&root("Root").cert_pem).expect("cert");
        let d = mock!(aws_sdk_kms::Client::describe_key).then_output(good);
        let g = mock!(aws_sdk_kms::Client::get_public_key)
            .then_error(|| GetPublicKeyError::generic(aws_error("AccessDeniedException")));
        let p = check_key(&kms_client(&[&d, &g]), "alias/root", &cert, "trust_anchor")
            .await
            .expect_err("refused");
        assert_eq!(p.summary, "No access to the KMS key");
        assert!(
            p.detail.contains("GetPublicKey on alias/root"),
            "{}",
            p.detail
        );
        assert!(p.detail.contains("kms:Sign"), "{}", p.detail);
        for code in ["DisabledException", "KMSInvalidStateException"] {
            let s = mock!(aws_sdk_kms::Client::sign).then_error(move || {
                aws_sdk_kms::operation::sign::SignError::generic(aws_error(code))
            });
            let p = sign(&kms_client(&[&s]), "alias/root", &[0; 32])
                .await
                .expect_err("refused");
            assert_eq!(p.summary, "KMS key is not enabled", "{code}");
            assert!(p.detail.contains("aws kms enable-key"), "{}", p.detail);
        }
    }

    #[tokio::test]
    async fn sign_sends_the_digest_as_a_digest_and_returns_the_signature() {
        let digest = crate::cloudhsm::sign::sha256(b"tbs certificate");
        let expected = digest.clone();
        let s = mock!(aws_sdk_kms::Client::sign)
            .match_requests(move |r| {
                r.key_id() == Some("alias/root")
                    && r.message().map(|m| m.as_ref()) == Some(expected.as_slice())
                    && r.message_type() == Some(&MessageType::Digest)
                    && r.signing_algorithm() == Some(&ALGORITHM)
            })
            .then_output(|| {
                aws_sdk_kms::operation::sign::SignOutput::builder()
                    .signature(Blob::new(vec![7; 256]))
                    .build()
            });
        let kms = kms_client(&[&s]);
        assert_eq!(sign(&kms, "alias/root", &digest).await, Ok(vec![7; 256]));
        assert_eq!(s.num_calls(), 1);
        let empty = mock!(aws_sdk_kms::Client::sign)
            .then_output(|| aws_sdk_kms::operation::sign::SignOutput::builder().build());
        let p = sign(&kms_client(&[&empty]), "alias/root", &digest)
            .await
            .expect_err("no signature");
        assert_eq!(p.summary, "KMS returned no signature");
    }
}
