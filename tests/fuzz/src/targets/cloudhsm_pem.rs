//! `trustchain_cloudhsm_cluster_initialization`'s PEM and X.509 handling, from the
//! provider's library: trust anchor and signed
//! certificate parsing and checks, the cluster CSR, the issuing CA's private key, and
//! signing a CSR. Input: up to three parts separated by a line `====`: certificate,
//! CSR, private key; each part also goes through every parser on its own.
//!
//! Invariants: nothing panics; a parsed certificate re-encodes to PEM that parses to the
//! same certificate; a private key error never quotes the key; a CSR signed by a
//! matching CA key parses as a certificate issued by that CA.

use crate::Target;

use terraform_provider_trustchain::cloudhsm::pki::{self, Csr, PrivateKey};
use terraform_provider_trustchain::cloudhsm::sign;

pub const TARGET: Target = Target {
    name: "cloudhsm_pem",
    about: "CloudHSM initialization: certificate / CSR / private key PEM parsing, anchor checks, CSR signing",
    run,
    seeds,
    dictionary: &[
        b"-----BEGIN CERTIFICATE-----\n",
        b"-----END CERTIFICATE-----\n",
        b"-----BEGIN CERTIFICATE REQUEST-----\n",
        b"-----END CERTIFICATE REQUEST-----\n",
        b"-----BEGIN PRIVATE KEY-----\n",
        b"-----END PRIVATE KEY-----\n",
        b"-----BEGIN RSA PRIVATE KEY-----\n",
        b"-----BEGIN EC PRIVATE KEY-----\n",
        b"Proc-Type: 4,ENCRYPTED\n",
        b"\n====\n",
        b"MIIB",
        b"MIIE",
        b"    ",
        b"\r\n",
    ],
};

/// A fixed "now" (2026-06-01): the checks' verdicts must not depend on the clock.
const NOW: i64 = 1_780_272_000;

fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let parts: Vec<&str> = text.split("\n====\n").collect();
    for part in parts.iter().chain(std::iter::once(&&*text)) {
        check_certificate(part);
        check_csr(part);
        check_key(part);
    }
    if let [cert, csr, key, ..] = parts.as_slice()
        && let (Ok(issuer), Ok(csr), Ok(key)) = (
            pki::one_certificate(cert),
            Csr::from_pem(csr),
            PrivateKey::from_pem(key),
        )
        && key.matches(&issuer)
        && let Ok(signed) = sign::sign_csr(&csr, &issuer, &key, NOW)
    {
        let again = pki::one_certificate(&signed.to_pem()).expect("a signed CSR parses");
        assert!(again.is_issued_by(&issuer), "the signature verifies with the CA");
        assert_eq!(again.public_key_bits(), csr.public_key_bits());
        let _ = pki::signed_cert_problem(&again, &issuer, NOW);
    }
}

fn check_certificate(text: &str) {
    let Ok(cert) = pki::one_certificate(text) else {
        return;
    };
    let again = pki::one_certificate(&cert.to_pem()).expect("re-encoded PEM parses");
    assert_eq!(again, cert, "PEM round trip");
    let _ = (cert.subject(), cert.issuer_name(), cert.validity());
    let _ = (cert.rsa_bits(), cert.subject_key_identifier());
    let _ = pki::anchor_problem(&cert, NOW);
    let _ = pki::validity_problem(&cert, NOW);
    let _ = pki::issuing_ca_problem(&cert, &cert);
    let _ = pki::signed_cert_problem(&cert, &cert, NOW);
}

fn check_csr(text: &str) {
    if let Ok(csr) = Csr::from_pem(text) {
        let _ = (csr.subject_der(), csr.spki_der(), csr.public_key_bits());
    }
}

fn check_key(text: &str) {
    match PrivateKey::from_pem(text) {
        Ok(key) => {
            if let Ok(cert) = pki::one_certificate(text) {
                let _ = key.matches(&cert);
            }
        }
        Err(e) => {
            // Never a piece of the key's base64 in the message.
            for line in text.lines().map(str::trim) {
                let base64ish = line.len() >= 16
                    && line
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=');
                assert!(
                    !(base64ish && e.contains(line)),
                    "a key error quotes the input: {e}"
                );
            }
        }
    }
}

/// The corpus files combined as certificate, CSR and key: the root CA, the cluster
/// CSR and the root's (throwaway) key, so the signing path is reached from the start.
fn seeds() -> Vec<Vec<u8>> {
    let dir = crate::corpus_dir("cloudhsm_pem");
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap_or_default();
    vec![
        format!(
            "{}\n====\n{}\n====\n{}",
            read("root-certificate"),
            read("cluster-csr"),
            read("throwaway-key-pkcs8")
        )
        .into_bytes(),
    ]
}
