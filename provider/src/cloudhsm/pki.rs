//! The certificates and keys of a CloudHSM initialization, checked the way
//! InitializeCluster checks them, so a mistake is a plan-time diagnostic instead of
//! an AWS refusal half-way through an apply.
//!
//! AWS's rules (API reference for InitializeCluster, user guide "Initialize the
//! cluster"): each PEM holds one certificate of at most 5000 characters; the trust
//! anchor is self-signed, RSA 2048 or 4096, and with X509v3 extensions it has Basic
//! Constraints saying CA; "the certificate used to sign the HSM CSR must be directly
//! available, and thus must be the root certificate", so the cluster certificate is
//! signed by the anchor itself, never by an intermediate.
//!
//! Messages never quote a private key: they name what is wrong and what to change.

use aws_lc_rs::signature::{KeyPair, RsaKeyPair};
use x509_parser::certificate::X509Certificate;
use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::pem::Pem;
use x509_parser::prelude::FromDer;

/// InitializeCluster's limit for SignedCert and TrustAnchor.
pub const MAX_PEM_CHARS: usize = 5000;
/// "you must use the RSA 2048 certificate or the RSA 4096 certificate" (user guide).
pub const ANCHOR_RSA_BITS: [usize; 2] = [2048, 4096];
const OID_RSA: &str = "1.2.840.113549.1.1.1";

/// One DER certificate, parsed again whenever it is looked at (the parse borrows).
#[derive(Clone, PartialEq, Eq)]
pub struct Cert {
    der: Vec<u8>,
}

impl std::fmt::Debug for Cert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Cert({})", self.subject())
    }
}

impl Cert {
    pub fn from_der(der: Vec<u8>) -> Result<Self, String> {
        X509Certificate::from_der(&der)
            .map_err(|e| format!("is not a valid X.509 certificate ({e})"))?;
        Ok(Self { der })
    }

    fn parsed(&self) -> X509Certificate<'_> {
        // Checked in from_der.
        match X509Certificate::from_der(&self.der) {
            Ok((_, c)) => c,
            Err(_) => unreachable!("certificate checked when it was made"),
        }
    }

    pub fn subject(&self) -> String {
        self.parsed().subject().to_string()
    }

    pub fn subject_der(&self) -> Vec<u8> {
        self.parsed().subject().as_raw().to_vec()
    }

    pub fn issuer_name(&self) -> String {
        self.parsed().issuer().to_string()
    }

    #[cfg(test)]
    pub fn issuer_der(&self) -> Vec<u8> {
        self.parsed().issuer().as_raw().to_vec()
    }

    /// The SubjectPublicKeyInfo, DER.
    pub fn spki_der(&self) -> Vec<u8> {
        self.parsed().public_key().raw.to_vec()
    }

    /// The key bits of the SubjectPublicKeyInfo (for RSA, the PKCS#1 RSAPublicKey).
    pub fn public_key_bits(&self) -> Vec<u8> {
        self.parsed().public_key().subject_public_key.data.to_vec()
    }

    pub fn subject_key_identifier(&self) -> Option<Vec<u8>> {
        self.parsed()
            .extensions()
            .iter()
            .find_map(|e| match e.parsed_extension() {
                x509_parser::extensions::ParsedExtension::SubjectKeyIdentifier(k) => {
                    Some(k.0.to_vec())
                }
                _ => None,
            })
    }

    /// (not before, not after) in Unix seconds.
    pub fn validity(&self) -> (i64, i64) {
        let c = self.parsed();
        let v = c.validity();
        (v.not_before.timestamp(), v.not_after.timestamp())
    }

    /// True when `issuer` signed this certificate: the names match and the signature
    /// verifies with the issuer's key.
    pub fn is_issued_by(&self, issuer: &Cert) -> bool {
        let c = self.parsed();
        let i = issuer.parsed();
        c.issuer().as_raw() == i.subject().as_raw()
            && c.verify_signature(Some(i.public_key())).is_ok()
    }

    /// Same subject and key: a certificate that signs exactly what `other` would.
    pub fn same_ca_as(&self, other: &Cert) -> bool {
        self.subject_der() == other.subject_der() && self.spki_der() == other.spki_der()
    }

    /// RSA modulus size in bits, `None` for other key types.
    pub fn rsa_bits(&self) -> Option<usize> {
        let c = self.parsed();
        let pk = c.public_key();
        if pk.algorithm.algorithm.to_id_string() != OID_RSA {
            return None;
        }
        match pk.parsed() {
            Ok(x509_parser::public_key::PublicKey::RSA(k)) => Some(bit_len(k.modulus)),
            _ => None,
        }
    }

    pub fn to_pem(&self) -> String {
        to_pem("CERTIFICATE", &self.der)
    }
}

fn bit_len(unsigned_be: &[u8]) -> usize {
    let trimmed: &[u8] = match unsigned_be.iter().position(|b| *b != 0) {
        Some(i) => &unsigned_be[i..],
        None => &[],
    };
    match trimmed.first() {
        Some(first) => trimmed.len() * 8 - first.leading_zeros() as usize,
        None => 0,
    }
}

/// PEM text, 64 characters a line.
pub fn to_pem(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// The PEM blocks of a text, with indentation and CR line ends tolerated (heredocs).
fn pem_blocks(text: &str) -> Result<Vec<Pem>, String> {
    let normalized: String = text.lines().map(|l| format!("{}\n", l.trim())).collect();
    let mut blocks = Vec::new();
    for b in Pem::iter_from_buffer(normalized.as_bytes()) {
        blocks.push(b.map_err(|e| format!("has a malformed PEM block ({e})"))?);
    }
    Ok(blocks)
}

/// Exactly one PEM certificate of at most 5000 characters (InitializeCluster's rule).
pub fn one_certificate(text: &str) -> Result<Cert, String> {
    if text.trim().is_empty() {
        return Err("is empty; give one PEM certificate (-----BEGIN CERTIFICATE----- ...)".into());
    }
    if text.len() > MAX_PEM_CHARS {
        return Err(format!(
            "has {} characters; AWS accepts at most {MAX_PEM_CHARS}. Give exactly one certificate, without a chain or comments",
            text.len()
        ));
    }
    let blocks = pem_blocks(text)?;
    match blocks.as_slice() {
        [] => Err(
            "is not PEM: expected -----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----".into(),
        ),
        [b] if b.label == "CERTIFICATE" => Cert::from_der(b.contents.clone()),
        [b] => Err(format!(
            "holds a {} where a certificate (-----BEGIN CERTIFICATE-----) belongs",
            b.label
        )),
        more => Err(format!(
            "holds {} PEM blocks; give exactly one certificate (AWS takes no chains here)",
            more.len()
        )),
    }
}

/// One or more PEM certificates (a bundle), nothing else.
pub fn certificates(text: &str) -> Result<Vec<Cert>, String> {
    let blocks = pem_blocks(text)?;
    if blocks.is_empty() {
        return Err(
            "is not PEM: expected one or more -----BEGIN CERTIFICATE----- ... -----END CERTIFICATE----- blocks".into(),
        );
    }
    blocks
        .into_iter()
        .enumerate()
        .map(|(i, b)| {
            if b.label != "CERTIFICATE" {
                return Err(format!(
                    "holds a {} (PEM block {}) where only certificates belong",
                    b.label,
                    i + 1
                ));
            }
            Cert::from_der(b.contents).map_err(|e| format!("PEM block {} {e}", i + 1))
        })
        .collect()
}

/// The SHA-256 fingerprint of the DER certificate, upper-case hex with colons (as
/// `openssl x509 -fingerprint -sha256` prints it).
impl Cert {
    pub fn sha256_fingerprint(&self) -> String {
        use sha2::Digest;
        sha2::Sha256::digest(&self.der)
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect::<Vec<_>>()
            .join(":")
    }

    /// Issuer and subject are the same name and the signature verifies with the
    /// certificate's own key.
    pub fn is_self_signed(&self) -> bool {
        self.is_issued_by(self)
    }
}

/// Why a trust anchor cannot initialize a cluster; `None` when it can.
pub fn anchor_problem(anchor: &Cert, now: i64) -> Option<String> {
    let c = anchor.parsed();
    if c.issuer().as_raw() != c.subject().as_raw() {
        return Some(format!(
            "is not self-signed: it was issued by \"{}\", not by itself. AWS needs the root certificate of your CA here",
            c.issuer()
        ));
    }
    // The key before the signature: an RSA 1024 signature does not verify here at
    // all, and "not self-signed" would hide the real reason.
    match anchor.rsa_bits() {
        Some(bits) if ANCHOR_RSA_BITS.contains(&bits) => {}
        Some(bits) if bits < ANCHOR_RSA_BITS[0] => {
            return Some(format!(
                "has an RSA key too small (an RSA {bits} key); CloudHSM accepts RSA 2048 or RSA 4096 root certificates. Make a new root with an RSA 2048 or 4096 key"
            ));
        }
        Some(bits) => {
            return Some(format!(
                "has an RSA {bits} key; CloudHSM accepts RSA 2048 or RSA 4096 root certificates"
            ));
        }
        None => {
            return Some(
                "does not have an RSA key; CloudHSM accepts RSA 2048 or RSA 4096 root certificates"
                    .into(),
            );
        }
    }
    if !anchor.is_issued_by(anchor) {
        return Some(
            "names itself as issuer, but its signature does not verify with its own key: the certificate is damaged or was altered. Export the root certificate of your CA again"
                .into(),
        );
    }
    if !c.extensions().is_empty() {
        match c.basic_constraints() {
            Ok(Some(bc)) if bc.value.ca => {}
            Ok(Some(_)) => {
                return Some(
                    "has Basic Constraints CA:FALSE; the trust anchor must be a CA".into(),
                );
            }
            _ => {
                return Some(
                    "has X509v3 extensions but no Basic Constraints; AWS requires basicConstraints=critical,CA:TRUE when extensions are present"
                        .into(),
                );
            }
        }
    }
    validity_problem(anchor, now)
}

/// Expired or not yet valid.
pub fn validity_problem(cert: &Cert, now: i64) -> Option<String> {
    let (not_before, not_after) = cert.validity();
    if not_after < now {
        Some(format!("expired on {}", super::time::rfc3339(not_after)))
    } else if not_before > now + 300 {
        Some(format!(
            "is not valid before {}",
            super::time::rfc3339(not_before)
        ))
    } else {
        None
    }
}

/// Why `issuing` cannot sign the cluster CSR for `anchor`; `None` when it can. AWS
/// needs the anchor itself to sign (no intermediate), so the issuing CA must be the
/// anchor: the same subject and key.
pub fn issuing_ca_problem(issuing: &Cert, anchor: &Cert) -> Option<String> {
    if issuing.same_ca_as(anchor) {
        return None;
    }
    if issuing.is_issued_by(anchor) {
        return Some(format!(
            "is an intermediate CA (\"{}\", issued by the trust anchor). AWS CloudHSM needs the cluster certificate signed directly by the trust anchor: \"the certificate used to sign the HSM CSR must be directly available, and thus must be the root certificate\" (InitializeCluster API reference). Sign with the root's key and leave issuing_ca_certificate out (it defaults to trust_anchor)",
            issuing.subject()
        ));
    }
    Some(format!(
        "does not chain to the trust anchor: \"{}\" is neither the anchor \"{}\" nor issued by it. Give the root certificate whose key you pass, or leave issuing_ca_certificate out (it defaults to trust_anchor)",
        issuing.subject(),
        anchor.subject()
    ))
}

/// Why a signed cluster certificate is not one InitializeCluster accepts with this
/// anchor; `None` when it is.
pub fn signed_cert_problem(signed: &Cert, anchor: &Cert, now: i64) -> Option<String> {
    if !signed.is_issued_by(anchor) {
        return Some(format!(
            "was not signed by the trust anchor: its issuer is \"{}\", the anchor is \"{}\" (or the signature does not verify with the anchor's key). AWS needs the cluster CSR signed directly by the root certificate you give as trust_anchor, not by an intermediate",
            signed.parsed().issuer(),
            anchor.subject()
        ));
    }
    validity_problem(signed, now)
}

/// A PKCS#10 request: the cluster CSR.
pub struct Csr {
    der: Vec<u8>,
}

impl Csr {
    pub fn from_pem(text: &str) -> Result<Self, String> {
        let blocks = pem_blocks(text)?;
        let block = match blocks.as_slice() {
            [b] if b.label.contains("CERTIFICATE REQUEST") => b,
            _ => return Err("is not one PEM certificate request".into()),
        };
        let csr = X509CertificationRequest::from_der(&block.contents)
            .map_err(|e| format!("is not a valid PKCS#10 request ({e})"))?
            .1;
        csr.verify_signature()
            .map_err(|e| format!("has a signature that does not verify ({e})"))?;
        Ok(Self {
            der: block.contents.clone(),
        })
    }

    fn parsed(&self) -> X509CertificationRequest<'_> {
        match X509CertificationRequest::from_der(&self.der) {
            Ok((_, c)) => c,
            Err(_) => unreachable!("request checked when it was made"),
        }
    }

    pub fn subject_der(&self) -> Vec<u8> {
        self.parsed()
            .certification_request_info
            .subject
            .as_raw()
            .to_vec()
    }

    pub fn spki_der(&self) -> Vec<u8> {
        self.parsed()
            .certification_request_info
            .subject_pki
            .raw
            .to_vec()
    }

    pub fn public_key_bits(&self) -> Vec<u8> {
        self.parsed()
            .certification_request_info
            .subject_pki
            .subject_public_key
            .data
            .to_vec()
    }
}

/// A PEM block of a private key: its DER is wiped when it is dropped.
struct KeyBlock(Pem);

impl Drop for KeyBlock {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0.contents);
    }
}

/// An RSA private key. No `Debug` with key material, and never quoted in messages.
/// aws-lc wipes its own copy when the key is freed (OPENSSL_free cleanses).
pub struct PrivateKey {
    pub(crate) key: RsaKeyPair,
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PrivateKey(<redacted>)")
    }
}

impl PrivateKey {
    /// PKCS#8 (`PRIVATE KEY`) or PKCS#1 (`RSA PRIVATE KEY`), unencrypted.
    pub fn from_pem(text: &str) -> Result<Self, String> {
        if text.contains("ENCRYPTED") {
            return Err("is encrypted; give the decrypted PEM (e.g. from your secret store through an ephemeral value): Terraform cannot ask for a passphrase".into());
        }
        // The normalized text and the decoded DER are copies of the key: wiped on drop.
        let normalized = zeroize::Zeroizing::new(
            text.lines()
                .map(|l| format!("{}\n", l.trim()))
                .collect::<String>(),
        );
        let mut blocks = Vec::new();
        for b in Pem::iter_from_buffer(normalized.as_bytes()) {
            match b {
                Ok(b) => blocks.push(KeyBlock(b)),
                Err(_) => return Err("is not a PEM private key".to_string()),
            }
        }
        let block = match blocks.as_slice() {
            [] => return Err("is not PEM: expected -----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----".into()),
            [b] => b,
            more => {
                return Err(format!(
                    "holds {} PEM blocks; give only the issuing CA's private key",
                    more.len()
                ));
            }
        };
        let key = match block.0.label.as_str() {
            "PRIVATE KEY" => RsaKeyPair::from_pkcs8(&block.0.contents),
            "RSA PRIVATE KEY" => RsaKeyPair::from_der(&block.0.contents),
            "EC PRIVATE KEY" => {
                return Err("is an EC key; CloudHSM trust anchors are RSA 2048 or RSA 4096, so the key that signs the cluster CSR is RSA".into());
            }
            other => {
                return Err(format!(
                    "holds a {other} block where a private key (-----BEGIN PRIVATE KEY-----) belongs"
                ));
            }
        }
        .map_err(|_| "is not an RSA private key in PKCS#8 or PKCS#1 form (CloudHSM trust anchors are RSA 2048 or RSA 4096)".to_string())?;
        Ok(Self { key })
    }

    /// True when this is the key of `cert`.
    pub fn matches(&self, cert: &Cert) -> bool {
        self.key.public_key().as_ref() == cert.public_key_bits().as_slice()
    }
}

// Not when tests/fuzz includes this file (its test helpers live in the provider).
#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloudhsm::testing::*;

    fn now() -> i64 {
        crate::cloudhsm::time::now()
    }

    #[test]
    fn garbage_pem_is_named_as_not_pem() {
        let e = one_certificate("hello, I am a certificate").expect_err("not PEM");
        assert!(e.contains("is not PEM"), "{e}");
        let e = one_certificate("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n")
            .expect_err("bad base64");
        assert!(e.contains("malformed PEM"), "{e}");
        let e = one_certificate("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
            .expect_err("not DER");
        assert!(e.contains("not a valid X.509 certificate"), "{e}");
    }

    #[test]
    fn a_chain_or_a_key_is_not_one_certificate() {
        let root = root("Root");
        let inter = intermediate("Inter", &root);
        let e = one_certificate(&format!("{}{}", inter.cert_pem, root.cert_pem))
            .expect_err("two blocks");
        assert!(e.contains("2 PEM blocks"), "{e}");
        let e = one_certificate(&root.key_pem).expect_err("a key");
        assert!(e.contains("PRIVATE KEY"), "{e}");
        assert!(
            !e.contains(root.key_pem.lines().nth(1).unwrap_or("-")),
            "key quoted: {e}"
        );
    }

    #[test]
    fn indented_heredoc_pem_is_accepted() {
        let root = root("Root");
        let indented: String = root
            .cert_pem
            .lines()
            .map(|l| format!("    {l}\r\n"))
            .collect();
        assert!(one_certificate(&indented).is_ok());
    }

    #[test]
    fn a_self_signed_rsa_root_is_a_good_anchor() {
        let root = root("Root");
        let cert = one_certificate(&root.cert_pem).expect("cert");
        assert_eq!(cert.rsa_bits(), Some(2048));
        assert_eq!(anchor_problem(&cert, now()), None);
    }

    #[test]
    fn an_rsa_1024_root_is_refused_for_its_key_not_as_not_self_signed() {
        // A self-signed RSA 1024 root (openssl req -x509 -newkey rsa:1024, valid to
        // 2126): its signature does not verify here, which used to read as "not
        // self-signed" (issue 24).
        let cert = one_certificate(include_str!("testdata/rsa1024_root.pem")).expect("cert");
        assert_eq!(cert.rsa_bits(), Some(1024));
        let p = anchor_problem(&cert, now()).expect("refused");
        assert!(p.contains("RSA 1024 key"), "{p}");
        assert!(!p.contains("not self-signed"), "{p}");
    }

    #[test]
    fn an_intermediate_is_not_an_anchor() {
        let root = root("Root");
        let inter = intermediate("Inter", &root);
        let cert = one_certificate(&inter.cert_pem).expect("cert");
        let p = anchor_problem(&cert, now()).expect("refused");
        assert!(p.contains("not self-signed"), "{p}");
    }

    #[test]
    fn the_issuing_ca_must_be_the_anchor_itself() {
        let root = root("Root");
        let other = crate::cloudhsm::testing::root("Other Root");
        let inter = intermediate("Inter", &root);
        let anchor = one_certificate(&root.cert_pem).expect("anchor");
        let same = one_certificate(&root.cert_pem).expect("same");
        assert_eq!(issuing_ca_problem(&same, &anchor), None);
        let p = issuing_ca_problem(&one_certificate(&inter.cert_pem).expect("i"), &anchor)
            .expect("intermediate refused");
        assert!(p.contains("intermediate"), "{p}");
        let p = issuing_ca_problem(&one_certificate(&other.cert_pem).expect("o"), &anchor)
            .expect("unrelated refused");
        assert!(p.contains("does not chain to the trust anchor"), "{p}");
    }

    #[test]
    fn a_key_matches_only_its_certificate() {
        let root = root("Root");
        let other = crate::cloudhsm::testing::root("Other");
        let cert = one_certificate(&root.cert_pem).expect("cert");
        let key = PrivateKey::from_pem(&root.key_pem).expect("pkcs8 key");
        assert!(key.matches(&cert));
        let wrong = PrivateKey::from_pem(&other.key_pem).expect("key");
        assert!(!wrong.matches(&cert));
    }

    #[test]
    fn key_errors_never_quote_the_key() {
        let root = root("Root");
        let body = root
            .key_pem
            .lines()
            .nth(1)
            .expect("a base64 line")
            .to_string();
        let garbled = root.key_pem.replace(&body, &format!("{body}!"));
        let e = PrivateKey::from_pem(&garbled).expect_err("garbled");
        assert!(!e.contains(&body), "{e}");
        let e = PrivateKey::from_pem(
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
        )
        .expect_err("encrypted");
        assert!(e.contains("encrypted"), "{e}");
        assert!(
            format!("{:?}", PrivateKey::from_pem(&root.key_pem).expect("k")).contains("redacted")
        );
    }

    #[test]
    fn a_csr_is_parsed_and_its_signature_checked() {
        let (pem, key) = cluster_csr();
        let csr = Csr::from_pem(&pem).expect("csr");
        assert_eq!(csr.public_key_bits(), key.public_key_raw());
        assert!(Csr::from_pem("nope").is_err());
    }

    /// A self-signed RSA 2048 certificate made with `params` (rcgen's defaults otherwise).
    fn self_signed(params: rcgen::CertificateParams) -> Cert {
        let pem = params.self_signed(&rsa_key()).expect("self-signed").pem();
        one_certificate(&pem).expect("cert")
    }

    fn named(name: &str) -> rcgen::CertificateParams {
        let mut p = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
        p.distinguished_name.push(rcgen::DnType::CommonName, name);
        p
    }

    #[test]
    fn at_most_5000_characters_of_pem_are_accepted() {
        // InitializeCluster takes up to 5000 characters; the padding is indentation.
        let pem = root("Root").cert_pem;
        let at_limit = format!("{}{pem}", " ".repeat(MAX_PEM_CHARS - pem.len()));
        assert_eq!(at_limit.len(), MAX_PEM_CHARS);
        assert!(one_certificate(&at_limit).is_ok());
        let e = one_certificate(&format!(" {at_limit}")).expect_err("5001 characters");
        assert!(e.contains("has 5001 characters"), "{e}");
    }

    #[test]
    fn a_bundle_gives_each_certificate_in_order_and_names_a_block_that_is_not_one() {
        let (a, b) = (root("A"), root("B"));
        let both = certificates(&format!("{}{}", a.cert_pem, b.cert_pem)).expect("bundle");
        assert_eq!(
            both.iter().map(Cert::subject).collect::<Vec<_>>(),
            ["CN=A, O=TrustChain tests", "CN=B, O=TrustChain tests"]
        );
        let e = certificates(&format!("{}{}", a.cert_pem, b.key_pem)).expect_err("a key");
        assert!(e.contains("PEM block 2"), "{e}");
        assert!(e.contains("PRIVATE KEY"), "{e}");
        let e = certificates("no PEM here").expect_err("not PEM");
        assert!(e.contains("is not PEM"), "{e}");
    }

    #[test]
    fn only_a_certificate_that_signed_itself_is_self_signed() {
        let r = root("Root");
        let inter = intermediate("Inter", &r);
        let (r, inter) = (
            one_certificate(&r.cert_pem).expect("r"),
            one_certificate(&inter.cert_pem).expect("i"),
        );
        assert!(r.is_self_signed());
        assert!(!inter.is_self_signed());
        assert_eq!(inter.issuer_name(), r.subject());
        assert_eq!(format!("{inter:?}"), "Cert(CN=Inter, O=TrustChain tests)");
    }

    #[test]
    fn a_new_root_with_the_anchors_name_is_not_the_anchor() {
        // The same name with another key signs certificates the anchor cannot verify.
        let (r, remade) = (root("Root"), root("Root"));
        let anchor = one_certificate(&r.cert_pem).expect("anchor");
        let remade = one_certificate(&remade.cert_pem).expect("remade");
        assert_eq!(remade.subject_der(), anchor.subject_der());
        let p = issuing_ca_problem(&remade, &anchor).expect("refused");
        assert!(p.contains("does not chain to the trust anchor"), "{p}");
    }

    #[test]
    fn rsa_key_sizes_are_counted_in_bits() {
        // Big-endian unsigned integers, with or without DER's leading zero byte.
        assert_eq!(bit_len(&[]), 0);
        assert_eq!(bit_len(&[0, 0]), 0);
        assert_eq!(bit_len(&[0x01, 0x00]), 9);
        assert_eq!(bit_len(&[0x00, 0x80, 0x00]), 16);
        assert_eq!(bit_len(&[0x7f; 3]), 23);
    }

    #[test]
    fn an_rsa_3072_root_is_refused_as_the_wrong_size_not_as_too_small() {
        let key =
            rcgen::KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_3072)
                .expect("rsa 3072");
        let mut p = named("Root 3072");
        p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let cert = one_certificate(&p.self_signed(&key).expect("root").pem()).expect("cert");
        assert_eq!(cert.rsa_bits(), Some(3072));
        let e = anchor_problem(&cert, now()).expect("refused");
        assert!(e.contains("has an RSA 3072 key"), "{e}");
        assert!(!e.contains("too small"), "{e}");
        // RSA 1024 is too small, and says how to make a root that is not.
        let small = one_certificate(include_str!("testdata/rsa1024_root.pem")).expect("cert");
        let e = anchor_problem(&small, now()).expect("refused");
        assert!(e.contains("too small"), "{e}");
    }

    #[test]
    fn an_anchor_with_extensions_must_say_it_is_a_ca() {
        // AWS: "basicConstraints=critical,CA:TRUE" when X509v3 extensions are present.
        let mut p = named("Not a CA");
        p.is_ca = rcgen::IsCa::ExplicitNoCa;
        let e = anchor_problem(&self_signed(p), now()).expect("CA:FALSE refused");
        assert!(e.contains("CA:FALSE"), "{e}");
        let mut p = named("No constraints");
        p.key_usages = vec![rcgen::KeyUsagePurpose::KeyCertSign];
        let e = anchor_problem(&self_signed(p), now()).expect("no Basic Constraints refused");
        assert!(e.contains("no Basic Constraints"), "{e}");
        // Without extensions at all (an X.509 v1-style root) Basic Constraints is not needed.
        assert_eq!(anchor_problem(&self_signed(named("Plain")), now()), None);
    }

    #[test]
    fn validity_includes_both_ends_and_allows_five_minutes_of_clock_skew() {
        let cert = one_certificate(&root("Root").cert_pem).expect("cert");
        let (not_before, not_after) = cert.validity();
        // RFC 5280 4.1.2.5: valid from notBefore through notAfter, inclusive.
        assert_eq!(validity_problem(&cert, not_after), None);
        let e = validity_problem(&cert, not_after + 1).expect("expired");
        assert!(e.starts_with("expired on "), "{e}");
        // Our clock may be up to 300 s behind the signer's.
        assert_eq!(validity_problem(&cert, not_before - 300), None);
        let e = validity_problem(&cert, not_before - 301).expect("not yet valid");
        assert!(e.starts_with("is not valid before "), "{e}");
        // An expired root is refused as a trust anchor.
        let mut p = named("Expired");
        p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        p.not_before = rcgen::date_time_ymd(2000, 1, 1);
        p.not_after = rcgen::date_time_ymd(2001, 1, 1);
        let e = anchor_problem(&self_signed(p), now()).expect("expired");
        assert_eq!(e, "expired on 2001-01-01T00:00:00Z");
    }

    #[test]
    fn a_certificate_is_not_a_csr() {
        let e = Csr::from_pem(&root("Root").cert_pem)
            .err()
            .expect("a certificate");
        assert!(e.contains("is not one PEM certificate request"), "{e}");
    }
}
