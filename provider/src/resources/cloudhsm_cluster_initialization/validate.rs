//! Plan-time checks of the certificates and the key, where their values are known:
//! each PEM well-formed, the anchor self-signed (RSA 2048/4096, a CA), the issuing
//! CA the anchor itself, the key the issuing CA's, `signed_cert` issued by the
//! anchor. Messages name the attribute and what to change, never the key.

use super::model::InitModel;
use crate::cloudhsm::pki::{self, Cert, PrivateKey};
use crate::cloudhsm::time;
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::value::{Attr, AttributePath};

fn at(name: &str) -> AttributePath {
    AttributePath::root().attr(name)
}

/// A certificate attribute parsed, or an error at it.
fn certificate(d: &mut Diagnostics, name: &str, v: &Attr<String>) -> Option<Cert> {
    let Attr::Known(text) = v else { return None };
    match pki::one_certificate(text) {
        Ok(c) => Some(c),
        Err(e) => {
            d.error_at(at(name), format!("Invalid {name}"), format!("{name} {e}."));
            None
        }
    }
}

/// The trust anchor's remaining validity required when the argument is not set.
pub const DEFAULT_MIN_VALIDITY_DAYS: i64 = 365;

/// hsm_trust_roots: one or more self-signed certificates.
pub fn trust_roots(pem: &str) -> Result<Vec<Cert>, String> {
    let roots = pki::certificates(pem)?;
    for (i, r) in roots.iter().enumerate() {
        if !r.is_self_signed() {
            return Err(format!(
                "certificate {} (\"{}\") is not self-signed: it was issued by \"{}\" or its signature does not verify with its own key. Give root certificates only; the hardware certificates come from DescribeClusters",
                i + 1,
                r.subject(),
                r.issuer_name()
            ));
        }
    }
    Ok(roots)
}

pub fn check(m: &InitModel) -> Diagnostics {
    check_at(m, time::now())
}

/// `check` with the clock read once by the caller (Unix seconds): tests hold it.
fn check_at(m: &InitModel, now: i64) -> Diagnostics {
    let mut d = Diagnostics::new();
    if let Attr::Known(pem) = &m.hsm_trust_roots
        && let Err(e) = trust_roots(pem)
    {
        d.error_at(
            at("hsm_trust_roots"),
            "Invalid hsm_trust_roots",
            format!("hsm_trust_roots {e}."),
        );
    }
    let anchor = certificate(&mut d, "trust_anchor", &m.trust_anchor);
    if let Some(a) = &anchor
        && let Some(p) = pki::anchor_problem(a, now)
    {
        let summary = match a.rsa_bits() {
            Some(bits) if bits < pki::ANCHOR_RSA_BITS[0] => "Trust anchor RSA key too small",
            _ => "Trust anchor not accepted by CloudHSM",
        };
        d.error_at(
            at("trust_anchor"),
            summary,
            format!("trust_anchor (\"{}\") {p}.", a.subject()),
        );
    } else if let Some(a) = &anchor {
        let min_days = match m.trust_anchor_min_validity_days {
            Attr::Known(n) => Some(n),
            Attr::Null => Some(DEFAULT_MIN_VALIDITY_DAYS),
            Attr::Unknown => None,
        };
        let (_, not_after) = a.validity();
        if let Some(min) = min_days
            && min >= 0
            && not_after - now < min * 86_400
        {
            d.error_at(
                at("trust_anchor"),
                "Trust anchor expires too soon",
                format!(
                    "trust_anchor (\"{}\") expires on {}, {} days from now; at least {min} days are required (trust_anchor_min_validity_days). The cluster certificate cannot outlive its root and an initialization cannot be undone: make a new root with a longer validity, or lower trust_anchor_min_validity_days if you accept the risk.",
                    a.subject(),
                    time::rfc3339(not_after),
                    (not_after - now) / 86_400
                ),
            );
        }
    }
    if let Attr::Known(n) = m.trust_anchor_min_validity_days
        && n < 0
    {
        d.error_at(
            at("trust_anchor_min_validity_days"),
            "Invalid trust_anchor_min_validity_days",
            format!("trust_anchor_min_validity_days is {n}; give a number of days, 0 or more."),
        );
    }
    // Exactly one signer. Unknown values (a module's inputs during validate) may
    // still turn out null.
    let signers = [
        (
            "signed_cert",
            m.signed_cert.is_null(),
            m.signed_cert.is_known(),
        ),
        (
            "issuing_ca_private_key_wo",
            m.issuing_ca_private_key_wo.is_null(),
            m.issuing_ca_private_key_wo.is_known(),
        ),
        (
            "kms_key_id",
            m.kms_key_id.is_null(),
            m.kms_key_id.is_known(),
        ),
        (
            "acm_pca_arn",
            m.acm_pca_arn.is_null(),
            m.acm_pca_arn.is_known(),
        ),
    ];
    let set: Vec<&str> = signers.iter().filter(|s| s.2).map(|s| s.0).collect();
    if signers.iter().all(|s| s.1) {
        d.error_at(
            at("kms_key_id"),
            "Nothing to initialize the cluster with",
            "Set one way to sign the cluster CSR: kms_key_id (the CA key stays in AWS KMS, recommended), acm_pca_arn (an AWS Private CA root issues it, recommended), signed_cert (the CSR signed outside Terraform, e.g. by an offline root), or issuing_ca_private_key_wo (the trust anchor's private key, write-only).",
        );
    } else if set.len() > 1 {
        d.error_at(
            at(set[1]),
            "More than one way to sign the cluster CSR",
            format!(
                "{} are all set; set exactly one of them: kms_key_id when the CA key is in AWS KMS, acm_pca_arn when an AWS Private CA root issues the certificate, signed_cert when the CSR is signed outside Terraform, issuing_ca_private_key_wo when the provider signs with the key itself.",
                set.join(" and ")
            ),
        );
    }
    if let Attr::Known(k) = &m.kms_key_id
        && (k.trim().is_empty() || k.len() > 2048 || k.trim() != k)
    {
        d.error_at(
            at("kms_key_id"),
            "Invalid kms_key_id",
            format!("kms_key_id {k:?} is not a KMS key identifier. Give a key id (1234abcd-12ab-34cd-56ef-1234567890ab), a key ARN, an alias name (alias/my-root-ca) or an alias ARN."),
        );
    }
    if let Attr::Known(arn) = &m.acm_pca_arn
        && !(arn.starts_with("arn:")
            && arn.contains(":acm-pca:")
            && arn.contains(":certificate-authority/"))
    {
        d.error_at(
            at("acm_pca_arn"),
            "Invalid acm_pca_arn",
            format!("{arn:?} is not a private CA ARN. Give the CA's ARN: arn:aws:acm-pca:REGION:ACCOUNT:certificate-authority/ID (aws acm-pca list-certificate-authorities)."),
        );
    }
    if m.issuing_ca_certificate.is_known()
        && m.issuing_ca_private_key_wo.is_null()
        && m.kms_key_id.is_null()
    {
        d.push(
            Diagnostic::warning(
                "issuing_ca_certificate is not used",
                "issuing_ca_certificate names the certificate of issuing_ca_private_key_wo or kms_key_id; without either nothing is signed here and it has no effect.",
            )
            .at(at("issuing_ca_certificate")),
        );
    }
    let issuing = if m.issuing_ca_certificate.is_null() {
        anchor.clone()
    } else {
        let c = certificate(&mut d, "issuing_ca_certificate", &m.issuing_ca_certificate);
        if let (Some(i), Some(a)) = (&c, &anchor)
            && let Some(p) = pki::issuing_ca_problem(i, a)
        {
            let summary = if i.is_issued_by(a) {
                "Intermediate CA cannot sign the cluster certificate"
            } else {
                "Issuing CA does not chain to the trust anchor"
            };
            d.error_at(
                at("issuing_ca_certificate"),
                summary,
                format!("issuing_ca_certificate {p}."),
            );
        }
        c
    };
    if let Attr::Known(pem) = &m.issuing_ca_private_key_wo {
        match PrivateKey::from_pem(pem) {
            Err(e) => d.error_at(
                at("issuing_ca_private_key_wo"),
                "Invalid issuing_ca_private_key_wo",
                format!("issuing_ca_private_key_wo {e}."),
            ),
            Ok(key) => {
                if let Some(cert) = &issuing
                    && !key.matches(cert)
                {
                    let whose = if m.issuing_ca_certificate.is_null() {
                        "trust_anchor"
                    } else {
                        "issuing_ca_certificate"
                    };
                    d.error_at(
                        at("issuing_ca_private_key_wo"),
                        "CA key does not match its certificate",
                        format!("issuing_ca_private_key_wo is not the private key of {whose} (\"{}\"): their public keys differ. Give the key that belongs to that certificate.", cert.subject()),
                    );
                }
            }
        }
    }
    if let Some(signed) = certificate(&mut d, "signed_cert", &m.signed_cert)
        && let Some(a) = &anchor
        && let Some(p) = pki::signed_cert_problem(&signed, a, now)
    {
        let summary = if signed.is_issued_by(a) {
            "Signed certificate not valid now"
        } else {
            "Signed certificate not issued by the trust anchor"
        };
        d.error_at(at("signed_cert"), summary, format!("signed_cert {p}."));
    }
    d
}

#[cfg(test)]
mod tests {
    use super::super::schema::schema;
    use super::*;
    use crate::cloudhsm::testing::{intermediate, root};
    use serde_json::json;

    fn model(v: serde_json::Value) -> InitModel {
        tfplugin::framework::model_from_json(&schema(), &v).expect("model")
    }

    fn found(d: &Diagnostics) -> Vec<(String, String)> {
        d.iter()
            .map(|x| {
                (
                    x.attribute
                        .as_ref()
                        .map(|p| p.to_string())
                        .unwrap_or_default(),
                    x.summary.clone(),
                )
            })
            .collect()
    }

    #[test]
    fn a_root_and_its_key_pass() {
        let r = root("Root");
        let d = check(&model(json!({
            "cluster_id": "cluster-abcdefghijk", "trust_anchor": r.cert_pem, "issuing_ca_private_key_wo": r.key_pem
        })));
        assert!(d.is_empty(), "{:?}", found(&d));
    }

    #[test]
    fn garbage_pem_is_an_error_at_its_attribute() {
        let d = check(&model(json!({
            "cluster_id": "cluster-abcdefghijk", "trust_anchor": "certainly not a certificate",
            "issuing_ca_private_key_wo": "nor a key"
        })));
        assert_eq!(
            found(&d),
            [
                ("trust_anchor".into(), "Invalid trust_anchor".into()),
                (
                    "issuing_ca_private_key_wo".into(),
                    "Invalid issuing_ca_private_key_wo".into()
                )
            ]
        );
    }

    #[test]
    fn a_key_of_another_ca_is_an_error_at_the_key() {
        let (r, other) = (root("Root"), root("Other"));
        let d = check(&model(json!({
            "cluster_id": "cluster-abcdefghijk", "trust_anchor": r.cert_pem, "issuing_ca_private_key_wo": other.key_pem
        })));
        assert_eq!(
            found(&d),
            [(
                "issuing_ca_private_key_wo".into(),
                "CA key does not match its certificate".into()
            )]
        );
        let detail = &d.iter().next().expect("one").detail;
        assert!(
            !detail.contains(other.key_pem.lines().nth(1).unwrap_or("-")),
            "key quoted"
        );
    }

    #[test]
    fn an_issuing_ca_that_does_not_chain_or_is_an_intermediate_is_refused() {
        let (r, other) = (root("Root"), root("Other"));
        let inter = intermediate("Inter", &r);
        let d = check(&model(json!({
            "cluster_id": "cluster-abcdefghijk", "trust_anchor": r.cert_pem,
            "issuing_ca_certificate": other.cert_pem, "issuing_ca_private_key_wo": other.key_pem
        })));
        assert_eq!(
            found(&d),
            [(
                "issuing_ca_certificate".into(),
                "Issuing CA does not chain to the trust anchor".into()
            )]
        );
        let d = check(&model(json!({
            "cluster_id": "cluster-abcdefghijk", "trust_anchor": r.cert_pem,
            "issuing_ca_certificate": inter.cert_pem, "issuing_ca_private_key_wo": inter.key_pem
        })));
        assert_eq!(
            found(&d),
            [(
                "issuing_ca_certificate".into(),
                "Intermediate CA cannot sign the cluster certificate".into()
            )]
        );
    }

    #[test]
    fn an_intermediate_as_anchor_and_a_foreign_signed_cert_are_refused() {
        let (r, other) = (root("Root"), root("Other"));
        let inter = intermediate("Inter", &r);
        let d = check(&model(json!({
            "cluster_id": "cluster-abcdefghijk", "trust_anchor": inter.cert_pem, "signed_cert": other.cert_pem
        })));
        assert_eq!(
            found(&d),
            [
                (
                    "trust_anchor".into(),
                    "Trust anchor not accepted by CloudHSM".into()
                ),
                (
                    "signed_cert".into(),
                    "Signed certificate not issued by the trust anchor".into()
                )
            ]
        );
    }

    #[test]
    fn a_root_expiring_within_the_minimum_is_refused_and_a_1024_bit_root_is_too_small() {
        // rcgen's default validity ends in 4096; a minimum beyond it is not met.
        let r = root("Root");
        let d = check(&model(json!({
            "cluster_id": "cluster-abcdefghijk", "trust_anchor": r.cert_pem,
            "issuing_ca_private_key_wo": r.key_pem, "trust_anchor_min_validity_days": 1_000_000
        })));
        assert_eq!(
            found(&d),
            [(
                "trust_anchor".into(),
                "Trust anchor expires too soon".into()
            )]
        );
        let d = check(&model(json!({
            "cluster_id": "cluster-abcdefghijk",
            "trust_anchor": include_str!("../../cloudhsm/testdata/rsa1024_root.pem"),
            "signed_cert": r.cert_pem
        })));
        assert!(
            found(&d).contains(&(
                "trust_anchor".into(),
                "Trust anchor RSA key too small".into()
            )),
            "{:?}",
            found(&d)
        );
        let d = check(&model(json!({
            "cluster_id": "cluster-abcdefghijk", "trust_anchor": r.cert_pem,
            "issuing_ca_private_key_wo": r.key_pem, "trust_anchor_min_validity_days": -1
        })));
        assert_eq!(
            found(&d),
            [(
                "trust_anchor_min_validity_days".into(),
                "Invalid trust_anchor_min_validity_days".into()
            )]
        );
    }

    #[test]
    fn unknown_values_are_not_taken_for_set_ones() {
        // A module's inputs are unknown while `terraform validate` checks it.
        let mut m = model(json!({"cluster_id": "cluster-abcdefghijk"}));
        m.trust_anchor = Attr::Unknown;
        m.signed_cert = Attr::Unknown;
        m.issuing_ca_private_key_wo = Attr::Unknown;
        m.issuing_ca_certificate = Attr::Unknown;
        m.kms_key_id = Attr::Unknown;
        m.acm_pca_arn = Attr::Unknown;
        assert!(check(&m).is_empty(), "{:?}", found(&check(&m)));
    }

    #[test]
    fn exactly_one_way_to_sign() {
        let r = root("Root");
        let d = check(&model(
            json!({"cluster_id": "cluster-abcdefghijk", "trust_anchor": r.cert_pem}),
        ));
        assert_eq!(
            found(&d),
            [(
                "kms_key_id".into(),
                "Nothing to initialize the cluster with".into()
            )]
        );
        let d = check(&model(json!({
            "cluster_id": "cluster-abcdefghijk", "trust_anchor": r.cert_pem,
            "signed_cert": r.cert_pem, "issuing_ca_private_key_wo": r.key_pem
        })));
        assert!(found(&d).contains(&(
            "issuing_ca_private_key_wo".into(),
            "More than one way to sign the cluster CSR".into()
        )));
        let d = check(&model(json!({
            "cluster_id": "cluster-abcdefghijk", "trust_anchor": r.cert_pem,
            "kms_key_id": "alias/root-ca", "issuing_ca_private_key_wo": r.key_pem
        })));
        assert_eq!(
            found(&d),
            [(
                "kms_key_id".into(),
                "More than one way to sign the cluster CSR".into()
            )]
        );
        let d = check(&model(json!({
            "cluster_id": "cluster-abcdefghijk", "trust_anchor": r.cert_pem,
            "kms_key_id": "alias/root-ca"
        })));
        assert!(d.is_empty(), "{:?}", found(&d));
        let d = check(&model(json!({
            "cluster_id": "cluster-abcdefghijk", "trust_anchor": r.cert_pem,
            "kms_key_id": "alias/root-ca",
            "acm_pca_arn": "arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/1"
        })));
        assert_eq!(
            found(&d),
            [(
                "acm_pca_arn".into(),
                "More than one way to sign the cluster CSR".into()
            )]
        );
        let d = check(&model(json!({
            "cluster_id": "cluster-abcdefghijk", "trust_anchor": r.cert_pem,
            "acm_pca_arn": "arn:aws:kms:us-east-1:123456789012:key/1"
        })));
        assert_eq!(
            found(&d),
            [("acm_pca_arn".into(), "Invalid acm_pca_arn".into())]
        );
        let d = check(&model(json!({
            "cluster_id": "cluster-abcdefghijk", "trust_anchor": r.cert_pem, "kms_key_id": " "
        })));
        assert_eq!(
            found(&d),
            [("kms_key_id".into(), "Invalid kms_key_id".into())]
        );
    }

    #[test]
    fn hsm_trust_roots_takes_self_signed_roots_only() {
        let (a, b) = (root("Vendor A"), root("Vendor B"));
        let both = format!("{}{}", a.cert_pem, b.cert_pem);
        let roots = trust_roots(&both).expect("two roots");
        assert_eq!(
            roots.iter().map(|r| r.subject()).collect::<Vec<_>>(),
            [
                pki::one_certificate(&a.cert_pem).expect("a").subject(),
                pki::one_certificate(&b.cert_pem).expect("b").subject()
            ]
        );
        let inter = intermediate("Inter", &a);
        let e =
            trust_roots(&format!("{}{}", a.cert_pem, inter.cert_pem)).expect_err("intermediate");
        assert!(e.starts_with("certificate 2 ("), "{e}");
        assert!(e.contains("is not self-signed"), "{e}");
        let r = root("Root");
        let with = |roots: &str| {
            check(&model(json!({
                "cluster_id": "cluster-abcdefghijk", "trust_anchor": r.cert_pem,
                "issuing_ca_private_key_wo": r.key_pem, "hsm_trust_roots": roots
            })))
        };
        let d = with(&both);
        assert!(d.is_empty(), "{:?}", found(&d));
        assert_eq!(
            found(&with(&inter.cert_pem)),
            [("hsm_trust_roots".into(), "Invalid hsm_trust_roots".into())]
        );
    }

    #[test]
    fn the_anchor_must_stay_valid_for_the_minimum_days_to_the_second() {
        let r = root("Root");
        let (_, not_after) = pki::one_certificate(&r.cert_pem).expect("root").validity();
        let m = |min: serde_json::Value| {
            model(json!({
                "cluster_id": "cluster-abcdefghijk", "trust_anchor": r.cert_pem,
                "issuing_ca_private_key_wo": r.key_pem, "trust_anchor_min_validity_days": min
            }))
        };
        let day = 86_400;
        // Exactly the minimum left is enough; a second less is not.
        let d = check_at(&m(json!(null)), not_after - DEFAULT_MIN_VALIDITY_DAYS * day);
        assert!(d.is_empty(), "{:?}", found(&d));
        let short = [(
            "trust_anchor".to_string(),
            "Trust anchor expires too soon".to_string(),
        )];
        let now = not_after - DEFAULT_MIN_VALIDITY_DAYS * day + 1;
        assert_eq!(found(&check_at(&m(json!(null)), now)), short);
        assert_eq!(found(&check_at(&m(json!(30)), not_after - 29 * day)), short);
        let d = check_at(&m(json!(30)), not_after - 30 * day);
        assert!(d.is_empty(), "{:?}", found(&d));
        // 0 days: any anchor still valid is accepted, and 0 is a valid setting.
        let d = check_at(&m(json!(0)), not_after - 1);
        assert!(d.is_empty(), "{:?}", found(&d));
    }

    #[test]
    fn kms_key_id_is_refused_when_empty_padded_or_longer_than_2048() {
        let r = root("Root");
        let with = |k: &str| {
            found(&check(&model(json!({
                "cluster_id": "cluster-abcdefghijk", "trust_anchor": r.cert_pem, "kms_key_id": k
            }))))
        };
        let invalid = [("kms_key_id".to_string(), "Invalid kms_key_id".to_string())];
        for bad in ["", " ", "alias/root-ca ", " alias/root-ca"] {
            assert_eq!(with(bad), invalid, "{bad:?}");
        }
        let longest = format!("alias/{}", "a".repeat(2048 - 6));
        assert_eq!(with(&longest), [], "2048 characters");
        assert_eq!(with(&format!("{longest}a")), invalid, "2049 characters");
    }

    #[test]
    fn acm_pca_arn_must_be_a_private_ca_arn() {
        let r = root("Root");
        let with = |arn: &str| {
            found(&check(&model(json!({
                "cluster_id": "cluster-abcdefghijk", "trust_anchor": r.cert_pem, "acm_pca_arn": arn
            }))))
        };
        let ok = "arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/1";
        assert_eq!(with(ok), []);
        let invalid = [("acm_pca_arn".to_string(), "Invalid acm_pca_arn".to_string())];
        for bad in [
            "aws:acm-pca:us-east-1:123456789012:certificate-authority/1",
            "arn:aws:acm:us-east-1:123456789012:certificate-authority/1",
            "arn:aws:acm-pca:us-east-1:123456789012:certificate/1",
        ] {
            assert_eq!(with(bad), invalid, "{bad}");
        }
    }
}
