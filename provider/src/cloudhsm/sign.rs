//! Signing the cluster CSR with the issuing CA's key: what `openssl x509 -req -CA
//! customerCA.crt -CAkey customerCA.key` does in AWS's user guide, written out in DER.
//!
//! The certificate copies the anchor's subject bytes into its issuer and the CSR's
//! subject and public key bytes verbatim, so name matching never depends on how a
//! library re-encodes names (multi-valued RDNs, repeated attributes, string types).

use super::pki::{Cert, Csr, PrivateKey};
use super::time::civil;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use aws_lc_rs::signature::RSA_PKCS1_SHA256;

/// What the user guide's example gives the cluster certificate: 3652 days.
pub const VALIDITY_DAYS: i64 = 3652;
/// Allowance for clocks slightly behind ours.
const BACKDATE_SECS: i64 = 300;

// sha256WithRSAEncryption, with its NULL parameters.
const SHA256_WITH_RSA: &[u8] = &[
    0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00,
];
const OID_SUBJECT_KEY_ID: &[u8] = &[0x06, 0x03, 0x55, 0x1d, 0x0e];
const OID_AUTHORITY_KEY_ID: &[u8] = &[0x06, 0x03, 0x55, 0x1d, 0x23];

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

/// UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5).
fn time(secs: i64) -> Vec<u8> {
    let (y, mo, d, h, mi, s) = civil(secs);
    if (1950..2050).contains(&y) {
        tlv(
            0x17,
            format!("{:02}{mo:02}{d:02}{h:02}{mi:02}{s:02}Z", y % 100).as_bytes(),
        )
    } else {
        tlv(
            0x18,
            format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}Z").as_bytes(),
        )
    }
}

/// A positive 127-bit serial number (RFC 5280: at most 20 octets, unpredictable).
fn serial(rng: &SystemRandom) -> Result<Vec<u8>, String> {
    let mut b = [0u8; 16];
    rng.fill(&mut b)
        .map_err(|_| "the system random number generator failed".to_string())?;
    b[0] = (b[0] & 0x7f) | 0x40;
    Ok(tlv(0x02, &b))
}

fn sha1(data: &[u8]) -> Vec<u8> {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, data)
        .as_ref()
        .to_vec()
}

/// The cluster certificate for `csr`, signed by `key` as `issuer`, valid from a few
/// minutes before `now` for `VALIDITY_DAYS` but never beyond the issuer's own end.
pub fn sign_csr(csr: &Csr, issuer: &Cert, key: &PrivateKey, now: i64) -> Result<Cert, String> {
    let rng = SystemRandom::new();
    let tbs = tbs_certificate(csr, issuer, now)?;
    let mut signature = vec![0u8; key.key.public_modulus_len()];
    key.key
        .sign(&RSA_PKCS1_SHA256, &rng, &tbs, &mut signature)
        .map_err(|_| "signing with the issuing CA key failed".to_string())?;
    assemble(&tbs, &signature)
}

/// The to-be-signed part of the cluster certificate for `csr` issued by `issuer`
/// (sha256WithRSAEncryption), for a signer that holds the key elsewhere (KMS).
pub fn tbs_certificate(csr: &Csr, issuer: &Cert, now: i64) -> Result<Vec<u8>, String> {
    let rng = SystemRandom::new();
    let not_before = now - BACKDATE_SECS;
    let not_after = (now + VALIDITY_DAYS * 86_400).min(issuer.validity().1);
    // Key identifiers as OpenSSL writes them: SHA-1 of the public key bits.
    let ski = sha1(&csr.public_key_bits());
    let aki = issuer
        .subject_key_identifier()
        .unwrap_or_else(|| sha1(&issuer.public_key_bits()));
    let extensions = seq(&[
        &seq(&[OID_SUBJECT_KEY_ID, &tlv(0x04, &tlv(0x04, &ski))]),
        &seq(&[OID_AUTHORITY_KEY_ID, &tlv(0x04, &seq(&[&tlv(0x80, &aki)]))]),
    ]);
    Ok(seq(&[
        &tlv(0xa0, &tlv(0x02, &[0x02])), // version v3
        &serial(&rng)?,
        SHA256_WITH_RSA,
        &issuer.subject_der(),
        &seq(&[&time(not_before), &time(not_after)]),
        &csr.subject_der(),
        &csr.spki_der(),
        &tlv(0xa3, &extensions),
    ]))
}

/// The SHA-256 digest of `tbs`: what a signer given a digest (KMS Sign with
/// MessageType DIGEST and RSASSA_PKCS1_V1_5_SHA_256) signs.
pub fn sha256(tbs: &[u8]) -> Vec<u8> {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, tbs)
        .as_ref()
        .to_vec()
}

/// The certificate of `tbs` with its PKCS#1 v1.5 SHA-256 `signature`.
pub fn assemble(tbs: &[u8], signature: &[u8]) -> Result<Cert, String> {
    let mut bits = vec![0u8]; // no unused bits
    bits.extend_from_slice(signature);
    Cert::from_der(seq(&[tbs, SHA256_WITH_RSA, &tlv(0x03, &bits)]))
}

// Not when tests/fuzz includes this file (its test helpers live in the provider).
#[cfg(test)]
mod tests {
    use super::super::pki::*;
    use super::*;
    use crate::cloudhsm::testing::*;
    use crate::cloudhsm::time;

    #[test]
    fn the_signed_certificate_certifies_the_csr_key_and_chains_to_the_anchor() {
        let root = root("TrustChain Root CA");
        let anchor = one_certificate(&root.cert_pem).expect("anchor");
        let key = PrivateKey::from_pem(&root.key_pem).expect("key");
        let (csr_pem, csr_key) = cluster_csr();
        let csr = Csr::from_pem(&csr_pem).expect("csr");
        let now = time::now();
        let signed = sign_csr(&csr, &anchor, &key, now).expect("signed");
        assert!(
            signed.is_issued_by(&anchor),
            "does not verify under the anchor"
        );
        assert_eq!(signed.public_key_bits(), csr_key.public_key_raw());
        assert_eq!(signed.subject_der(), csr.subject_der());
        assert_eq!(signed.issuer_der(), anchor.subject_der());
        assert_eq!(signed_cert_problem(&signed, &anchor, now), None);
        let (nb, na) = signed.validity();
        assert!(nb <= now && na > now + 3000 * 86_400 && na <= anchor.validity().1);
        // The PEM round-trips through the same parser AWS-side tools use.
        let again = one_certificate(&signed.to_pem()).expect("pem");
        assert_eq!(again, signed);
    }

    #[test]
    fn a_certificate_signed_by_another_ca_is_refused() {
        let root = root("Root");
        let other = crate::cloudhsm::testing::root("Other");
        let (csr_pem, _) = cluster_csr();
        let csr = Csr::from_pem(&csr_pem).expect("csr");
        let other_cert = one_certificate(&other.cert_pem).expect("other");
        let signed = sign_csr(
            &csr,
            &other_cert,
            &PrivateKey::from_pem(&other.key_pem).expect("k"),
            time::now(),
        )
        .expect("signed");
        let anchor = one_certificate(&root.cert_pem).expect("anchor");
        let p = signed_cert_problem(&signed, &anchor, time::now()).expect("refused");
        assert!(p.contains("not signed by the trust anchor"), "{p}");
    }

    #[test]
    fn der_lengths_use_the_long_form_past_127_bytes() {
        assert_eq!(tlv(0x04, &[0; 3])[..2], [0x04, 3]);
        assert_eq!(tlv(0x04, &[0; 127])[..2], [0x04, 127]);
        assert_eq!(tlv(0x04, &[0; 128])[..3], [0x04, 0x81, 128]);
        assert_eq!(tlv(0x04, &[0; 200])[..3], [0x04, 0x81, 200]);
        assert_eq!(tlv(0x04, &[0; 300])[..4], [0x04, 0x82, 0x01, 0x2c]);
        assert_eq!(time(2_524_608_000)[0], 0x18, "2050 is GeneralizedTime");
        assert_eq!(time(1_798_761_599)[0], 0x17);
    }

    /// (subject key identifier, authority key identifier) of a certificate.
    fn key_ids(c: &Cert) -> (Option<Vec<u8>>, Option<Vec<u8>>) {
        use x509_parser::extensions::ParsedExtension;
        let der = x509_parser::pem::parse_x509_pem(c.to_pem().as_bytes())
            .expect("pem")
            .1
            .contents;
        let (_, x) = x509_parser::parse_x509_certificate(&der).expect("x509");
        let (mut ski, mut aki) = (None, None);
        for e in x.extensions() {
            match e.parsed_extension() {
                ParsedExtension::SubjectKeyIdentifier(k) => ski = Some(k.0.to_vec()),
                ParsedExtension::AuthorityKeyIdentifier(a) => {
                    aki = a.key_identifier.as_ref().map(|k| k.0.to_vec())
                }
                _ => {}
            }
        }
        (ski, aki)
    }

    fn sha1_of(data: &[u8]) -> Vec<u8> {
        aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, data)
            .as_ref()
            .to_vec()
    }

    #[test]
    fn key_identifiers_let_path_building_find_the_anchor() {
        // OpenSSL refuses an issuer whose subject key identifier is not the
        // certificate's authority key identifier. rcgen's roots carry a SHA-256-based
        // one, which the certificate must repeat, not recompute.
        let root = root("Root");
        let anchor = one_certificate(&root.cert_pem).expect("anchor");
        let key = PrivateKey::from_pem(&root.key_pem).expect("key");
        let (csr_pem, csr_key) = cluster_csr();
        let csr = Csr::from_pem(&csr_pem).expect("csr");
        let signed = sign_csr(&csr, &anchor, &key, time::now()).expect("signed");
        let anchor_ski = key_ids(&anchor)
            .0
            .expect("rcgen roots have a key identifier");
        let (ski, aki) = key_ids(&signed);
        assert_eq!(aki, Some(anchor_ski));
        // Its own identifier as OpenSSL computes it: SHA-1 of the public key bits.
        assert_eq!(ski, Some(sha1_of(csr_key.public_key_raw())));

        // A root without extensions: the identifier OpenSSL would have given it.
        let plain_key = rsa_key();
        let mut p = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
        p.distinguished_name
            .push(rcgen::DnType::CommonName, "Plain Root");
        let plain = one_certificate(&p.self_signed(&plain_key).expect("root").pem()).expect("c");
        assert_eq!(key_ids(&plain), (None, None));
        let key = PrivateKey::from_pem(&plain_key.serialize_pem()).expect("key");
        let signed = sign_csr(&csr, &plain, &key, time::now()).expect("signed");
        assert!(signed.is_issued_by(&plain));
        assert_eq!(
            key_ids(&signed).1,
            Some(sha1_of(plain_key.public_key_raw()))
        );
    }

    #[test]
    fn validity_starts_minutes_before_now_and_ends_with_the_issuer_at_the_latest() {
        let root = root("Root");
        let anchor = one_certificate(&root.cert_pem).expect("anchor");
        let key = PrivateKey::from_pem(&root.key_pem).expect("key");
        let csr = Csr::from_pem(&cluster_csr().0).expect("csr");
        let now = time::now();
        let (nb, na) = sign_csr(&csr, &anchor, &key, now)
            .expect("signed")
            .validity();
        assert!((now - 600..=now - 60).contains(&nb), "{nb} for {now}");
        assert_eq!(na, now + VALIDITY_DAYS * 86_400);
        // An issuer ending sooner than the user guide's 3652 days bounds the certificate.
        let short_key = rsa_key();
        let mut p = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
        p.distinguished_name
            .push(rcgen::DnType::CommonName, "Short Root");
        p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        p.not_after = rcgen::date_time_ymd(2040, 1, 1);
        let short = one_certificate(&p.self_signed(&short_key).expect("root").pem()).expect("c");
        let key = PrivateKey::from_pem(&short_key.serialize_pem()).expect("key");
        // Signed in 2037: 3652 days would end in 2047.
        let (_, na) = sign_csr(&csr, &short, &key, 2_114_380_800)
            .expect("signed")
            .validity();
        assert_eq!(na, short.validity().1);
    }

    #[test]
    fn serials_are_positive_minimal_der_integers_of_127_random_bits() {
        // OpenSSL refuses INTEGERs with a superfluous leading zero octet, and a
        // negative serial breaks RFC 5280 4.1.2.2.
        let rng = SystemRandom::new();
        let mut seen = std::collections::HashSet::new();
        for _ in 0..64 {
            let s = serial(&rng).expect("serial");
            assert_eq!(s[..2], [0x02, 16], "{s:02x?}");
            assert!((0x40..=0x7f).contains(&s[2]), "{s:02x?}");
            assert!(seen.insert(s));
        }
    }

    #[test]
    fn kms_signs_the_sha256_digest_of_the_certificate() {
        // FIPS 180-2 test vector "abc".
        assert_eq!(
            sha256(b"abc"),
            [
                0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae,
                0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61,
                0xf2, 0x00, 0x15, 0xad
            ]
        );
    }
}
