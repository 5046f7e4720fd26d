//! The HSM's identity, checked before anything is signed for a cluster.
//!
//! AWS's procedure, user guide "Verify the identity and authenticity of your
//! cluster's HSM": DescribeClusters returns, for an uninitialized cluster, the
//! cluster CSR and three certificates (`HsmCertificate`, `AwsHardwareCertificate`,
//! `ManufacturerHardwareCertificate`). "you construct two certificate chains, one to
//! the AWS CloudHSM root certificate and one to the manufacturer root certificate.
//! Then you verify the HSM certificate with these certificate chains [...] Compare
//! public keys – [...] extract and compare the public keys in the HSM certificate and
//! the cluster CSR, to ensure that they are the same."
//!
//! So, in order: the CSR's public key is the HSM certificate's; the HSM certificate
//! was signed by the AWS hardware certificate, which was signed by an AWS CloudHSM
//! root; the HSM certificate was signed by the manufacturer hardware certificate,
//! which was signed by a manufacturer root; the two chains end at different roots.
//! Signatures and names are checked, not dates: the published manufacturer root of
//! hsm1 (2015) expired in November 2025 while HSMs certified under it still serve.
//!
//! Without this, anyone on the network path to CloudHSM (a proxy, an `http://`
//! endpoint) could swap the CSR and get the CA to certify their own key.

use super::pki::{self, Cert, Csr};
use aws_sdk_cloudhsmv2::types::Certificates;

/// Whose root a published certificate is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RootKind {
    Aws,
    Manufacturer,
}

/// A root certificate embedded in the provider, with where it was obtained.
pub struct PublishedRoot {
    pub name: &'static str,
    pub kind: RootKind,
    pub pem: &'static str,
    /// SHA-256 of the DER certificate, checked by a unit test.
    pub sha256: &'static str,
    pub source: &'static str,
}

/// The roots AWS points to for verifying an HSM. Each PEM was checked against what
/// its publisher prints (serial, modulus, signature) and verifies its own signature.
pub const PUBLISHED_ROOTS: &[PublishedRoot] = &[
    PublishedRoot {
        name: "AWS CloudHSM Root G1",
        kind: RootKind::Aws,
        pem: include_str!("roots/aws_cloudhsm_root_g1.pem"),
        sha256: "9C:69:58:FC:AC:BB:6F:0E:36:54:6B:E1:F2:CE:59:AD:84:EE:20:68:35:E6:97:7F:69:7D:30:DC:E9:A7:B5:70",
        source: "AWS_CloudHSM_Root-G1.zip linked from https://docs.aws.amazon.com/cloudhsm/latest/userguide/root-certificate.html (serial 0xf924eeeecf9ea64f, modulus and signature as printed on that page; PEM text taken from the copy in github.com/Yolt-group/aws-cloudhsm-scripts certs/AWS_CloudHSM_Root-G1.crt)",
    },
    PublishedRoot {
        name: "Cavium LiquidSecurity root (hsm1, 2015-2025)",
        kind: RootKind::Manufacturer,
        pem: include_str!("roots/cavium_liquidsecurity_2015.pem"),
        sha256: "97:57:57:F0:D7:66:40:E0:3D:14:76:0F:8F:C9:E3:A5:58:26:FA:78:07:B2:C3:92:F7:80:1A:95:BD:69:CC:28",
        source: "the manufacturer root the user guide links (https://www.cavium.com/LS/TAmanuCert/, now Marvell's liquid_security_certificate.zip); PEM text taken from github.com/Yolt-group/aws-cloudhsm-scripts certs/liquid_security_certificate.crt",
    },
    PublishedRoot {
        name: "Cavium LiquidSecurity root (hsm1, 2024-2034 re-issue, same key)",
        kind: RootKind::Manufacturer,
        pem: include_str!("roots/cavium_liquidsecurity_2024.pem"),
        sha256: "23:01:43:DF:00:E0:B4:52:74:3E:06:8A:5B:3F:C0:8D:F8:F0:6C:EF:C4:85:4E:A6:27:AE:B7:EB:D7:0E:E2:F4",
        source: "Marvell's liquidsecurity-certificate-cnxxxxx-nfbe-x0-g-v3 page; PEM text taken from Microsoft's Azure Managed HSM attestation sample, which quotes it with that source",
    },
];

/// The published roots of one kind, parsed; one whose bytes do not have the recorded
/// fingerprint is left out (a unit test makes sure none is).
pub fn published(kind: RootKind) -> Vec<Cert> {
    PUBLISHED_ROOTS
        .iter()
        .filter(|r| r.kind == kind)
        .filter_map(|r| pki::one_certificate(r.pem).ok())
        .filter(|c| {
            PUBLISHED_ROOTS
                .iter()
                .any(|r| r.sha256 == c.sha256_fingerprint())
        })
        .collect()
}

/// The embedded roots, for the documentation: name, SHA-256 and source of each.
pub fn published_markdown() -> String {
    PUBLISHED_ROOTS
        .iter()
        .map(|r| {
            let kind = match r.kind {
                RootKind::Aws => "AWS",
                RootKind::Manufacturer => "manufacturer",
            };
            format!(
                "\n  - {} ({kind} root), SHA-256 `{}`; source: {}.",
                r.name, r.sha256, r.source
            )
        })
        .collect()
}

/// Which step of the verification failed.
#[derive(Debug, PartialEq, Eq)]
pub enum Link {
    /// DescribeClusters did not return the CSR or a certificate.
    Missing(&'static str),
    /// A certificate or the CSR does not parse.
    Unreadable(&'static str, String),
    /// The CSR's key is not the HSM certificate's.
    CsrKey,
    /// The HSM certificate was not signed by the AWS hardware certificate.
    AwsHardware,
    /// The AWS hardware certificate does not chain to an AWS CloudHSM root.
    AwsRoot,
    /// The HSM certificate was not signed by the manufacturer hardware certificate.
    ManufacturerHardware,
    /// The manufacturer hardware certificate does not chain to a manufacturer root.
    ManufacturerRoot,
    /// Both chains end at the same root: two attestations must be independent.
    SameRoot,
}

impl Link {
    pub fn summary(&self) -> &'static str {
        match self {
            Link::Missing(_) | Link::Unreadable(..) => "HSM identity could not be checked",
            Link::CsrKey => "HSM identity check failed: the CSR is not the HSM's",
            Link::AwsHardware | Link::AwsRoot => {
                "HSM identity check failed: no chain to the AWS CloudHSM root"
            }
            Link::ManufacturerHardware | Link::ManufacturerRoot => {
                "HSM identity check failed: no chain to the manufacturer root"
            }
            Link::SameRoot => "HSM identity check failed: the two attestations are one",
        }
    }

    pub fn detail(&self, cluster_id: &str, hsm_type: &str) -> String {
        let what = match self {
            Link::Missing(name) => format!("DescribeClusters returned no {name} for cluster {cluster_id}, so the HSM's identity cannot be verified"),
            Link::Unreadable(name, e) => format!("The {name} of cluster {cluster_id} {e}"),
            Link::CsrKey => format!("The public key in the ClusterCsr of cluster {cluster_id} is not the key of its HsmCertificate (user guide, \"Compare public keys\")"),
            Link::AwsHardware => "The HsmCertificate was not signed by the AwsHardwareCertificate".into(),
            Link::AwsRoot => "The AwsHardwareCertificate was not signed by the AWS CloudHSM root (AWS CloudHSM Root G1, embedded in the provider) nor by a root in hsm_trust_roots".into(),
            Link::ManufacturerHardware => "The HsmCertificate was not signed by the ManufacturerHardwareCertificate".into(),
            Link::ManufacturerRoot => {
                let hint = if hsm_type.starts_with("hsm1") {
                    String::new()
                } else {
                    format!(" The provider embeds the Cavium LiquidSecurity root of hsm1 only; for {hsm_type} add the manufacturer root that signs its ManufacturerHardwareCertificate (Marvell LiquidSecurity 2, published by Marvell) to hsm_trust_roots after checking its fingerprint with the publisher")
                };
                format!("The ManufacturerHardwareCertificate was not signed by a manufacturer root the provider embeds nor by a root in hsm_trust_roots.{hint}")
            }
            Link::SameRoot => "The AWS chain and the manufacturer chain end at the same root; they must be two independent attestations".into(),
        };
        format!(
            "{what}. Nothing was signed and InitializeCluster was not called. This can mean that something on the network path between Terraform and CloudHSM (a proxy, a plain http:// endpoint) replaced the CSR or the certificates to get your CA to certify its own key: do not retry blindly. Fetch the certificates with `aws cloudhsmv2 describe-clusters` from a trusted network and verify them as the user guide's \"Verify the identity and authenticity of your cluster's HSM\" shows; check the provider's endpoints configuration."
        )
    }
}

/// The roots each chain may end at: the embedded ones of its kind and every root of
/// `extra` (hsm_trust_roots).
pub struct Roots {
    pub aws: Vec<Cert>,
    pub manufacturer: Vec<Cert>,
}

impl Roots {
    pub fn with(extra: &[Cert]) -> Self {
        let mut aws = published(RootKind::Aws);
        let mut manufacturer = published(RootKind::Manufacturer);
        aws.extend(extra.iter().cloned());
        manufacturer.extend(extra.iter().cloned());
        Self { aws, manufacturer }
    }
}

fn required<'a>(v: Option<&'a str>, name: &'static str) -> Result<&'a str, Link> {
    v.filter(|s| !s.trim().is_empty())
        .ok_or(Link::Missing(name))
}

fn cert(v: Option<&str>, name: &'static str) -> Result<Cert, Link> {
    pki::one_certificate(required(v, name)?).map_err(|e| Link::Unreadable(name, e))
}

/// The chain `leaf <- hardware <- one of roots`; the root it ends at.
fn chain<'r>(leaf: &Cert, hardware: &Cert, roots: &'r [Cert]) -> Result<&'r Cert, bool> {
    if !leaf.is_issued_by(hardware) {
        return Err(false);
    }
    roots.iter().find(|r| hardware.is_issued_by(r)).ok_or(true)
}

/// Checks the CSR `csr_pem` (the one about to be signed) against the HSM's
/// certificates, as the user guide does.
pub fn verify(csr_pem: &str, certs: Option<&Certificates>, roots: &Roots) -> Result<(), Link> {
    let csr = Csr::from_pem(csr_pem).map_err(|e| Link::Unreadable("ClusterCsr", e))?;
    let hsm = cert(certs.and_then(|c| c.hsm_certificate()), "HsmCertificate")?;
    let aws_hw = cert(
        certs.and_then(|c| c.aws_hardware_certificate()),
        "AwsHardwareCertificate",
    )?;
    let mfr_hw = cert(
        certs.and_then(|c| c.manufacturer_hardware_certificate()),
        "ManufacturerHardwareCertificate",
    )?;
    if csr.spki_der() != hsm.spki_der() {
        return Err(Link::CsrKey);
    }
    let aws_root = chain(&hsm, &aws_hw, &roots.aws).map_err(|at_root| {
        if at_root {
            Link::AwsRoot
        } else {
            Link::AwsHardware
        }
    })?;
    let mfr_root = chain(&hsm, &mfr_hw, &roots.manufacturer).map_err(|at_root| {
        if at_root {
            Link::ManufacturerRoot
        } else {
            Link::ManufacturerHardware
        }
    })?;
    if aws_root.spki_der() == mfr_root.spki_der() {
        return Err(Link::SameRoot);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_published_root_has_the_recorded_fingerprint_and_signs_itself() {
        for r in PUBLISHED_ROOTS {
            let c = pki::one_certificate(r.pem).unwrap_or_else(|e| panic!("{}: {e}", r.name));
            assert_eq!(c.sha256_fingerprint(), r.sha256, "{}", r.name);
            assert!(c.is_self_signed(), "{}", r.name);
            assert!(!r.source.is_empty());
        }
        let aws = published(RootKind::Aws);
        assert_eq!(aws.len(), 1);
        assert!(aws[0].subject().contains("AWS CloudHSM Root G1"));
    }

    use crate::cloudhsm::testing::{TestHsm, test_hsm as hsm};

    fn roots(h: &TestHsm) -> Roots {
        Roots::with(&h.roots())
    }

    #[test]
    fn an_hsm_that_chains_to_both_roots_with_its_own_csr_passes() {
        let h = hsm();
        assert_eq!(verify(&h.csr, Some(&h.certs), &roots(&h)), Ok(()));
    }

    #[test]
    fn a_swapped_csr_is_refused_before_anything_else() {
        let h = hsm();
        let (attacker_csr, _) = crate::cloudhsm::testing::cluster_csr();
        assert_eq!(
            verify(&attacker_csr, Some(&h.certs), &roots(&h)),
            Err(Link::CsrKey)
        );
        let detail = Link::CsrKey.detail("cluster-x", "hsm2m.medium");
        assert!(detail.contains("do not retry blindly"), "{detail}");
        assert!(detail.contains("Nothing was signed"), "{detail}");
    }

    #[test]
    fn without_the_test_roots_the_chains_fail_at_the_root() {
        let h = hsm();
        let none = Roots::with(&[]);
        assert_eq!(verify(&h.csr, Some(&h.certs), &none), Err(Link::AwsRoot));
        let only_aws = Roots::with(&h.roots()[..1]);
        // The AWS root alone: the manufacturer chain would end at the AWS root too.
        assert!(matches!(
            verify(&h.csr, Some(&h.certs), &only_aws),
            Err(Link::ManufacturerRoot) | Err(Link::SameRoot)
        ));
    }

    #[test]
    fn an_hsm_certificate_from_another_hardware_key_fails_the_hardware_link() {
        let h = hsm();
        let other = hsm();
        let mut certs = h.certs.clone();
        certs.hsm_certificate = other.certs.hsm_certificate.clone();
        // Its key is not the CSR's either; give the CSR that matches it.
        assert_eq!(
            verify(&other.csr, Some(&certs), &roots(&h)),
            Err(Link::AwsHardware)
        );
        let mut certs = h.certs.clone();
        certs.manufacturer_hardware_certificate =
            other.certs.manufacturer_hardware_certificate.clone();
        assert_eq!(
            verify(&h.csr, Some(&certs), &roots(&h)),
            Err(Link::ManufacturerHardware)
        );
    }

    #[test]
    fn missing_certificates_are_named() {
        let h = hsm();
        let mut certs = h.certs.clone();
        certs.aws_hardware_certificate = None;
        assert_eq!(
            verify(&h.csr, Some(&certs), &roots(&h)),
            Err(Link::Missing("AwsHardwareCertificate"))
        );
        assert_eq!(
            verify(&h.csr, None, &roots(&h)),
            Err(Link::Missing("HsmCertificate"))
        );
    }

    #[test]
    fn the_documentation_lists_every_embedded_root_with_its_fingerprint_and_source() {
        let md = published_markdown();
        for r in PUBLISHED_ROOTS {
            let kind = match r.kind {
                RootKind::Aws => "(AWS root)",
                RootKind::Manufacturer => "(manufacturer root)",
            };
            let line = md
                .lines()
                .find(|l| l.contains(r.name))
                .unwrap_or_else(|| panic!("{} missing from {md}", r.name));
            assert!(line.contains(kind), "{line}");
            assert!(line.contains(r.sha256), "{line}");
            assert!(line.contains(r.source), "{line}");
        }
    }

    #[test]
    fn one_hardware_certificate_given_as_both_attestations_is_refused() {
        // The AWS hardware certificate in the manufacturer's place: it chains to a
        // root the manufacturer list holds too (hsm_trust_roots extends both), so only
        // the two roots being one tells that the HSM was attested once.
        let h = hsm();
        let mut certs = h.certs.clone();
        certs.manufacturer_hardware_certificate = certs.aws_hardware_certificate.clone();
        assert_eq!(
            verify(&h.csr, Some(&certs), &roots(&h)),
            Err(Link::SameRoot)
        );
        assert!(
            Link::SameRoot
                .summary()
                .contains("the two attestations are one")
        );
    }
}
