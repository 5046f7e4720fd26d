//! Certificates for unit tests, made with rcgen (an encoder independent of `sign`).

use rcgen::{
    BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, PKCS_RSA_SHA256, RsaKeySize,
};

pub struct TestCa {
    pub cert_pem: String,
    pub key_pem: String,
    pub params: CertificateParams,
    pub key: KeyPair,
}

impl TestCa {
    pub fn issuer(&self) -> Issuer<'_, &KeyPair> {
        Issuer::from_params(&self.params, &self.key)
    }
}

pub fn rsa_key() -> KeyPair {
    KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, RsaKeySize::_2048).expect("rsa key")
}

fn ca_params(name: &str) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).expect("params");
    p.distinguished_name.push(DnType::CommonName, name);
    p.distinguished_name
        .push(DnType::OrganizationName, "TrustChain tests");
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p
}

pub fn root(name: &str) -> TestCa {
    let key = rsa_key();
    let params = ca_params(name);
    let cert = params.self_signed(&key).expect("self-signed");
    TestCa {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
        params,
        key,
    }
}

pub fn intermediate(name: &str, parent: &TestCa) -> TestCa {
    let key = rsa_key();
    let params = ca_params(name);
    let cert = params.signed_by(&key, &parent.issuer()).expect("signed");
    TestCa {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
        params,
        key,
    }
}

/// A CSR like the cluster's: RSA 2048, the user guide's subject.
pub fn cluster_csr() -> (String, KeyPair) {
    let key = rsa_key();
    let mut p = CertificateParams::new(Vec::<String>::new()).expect("params");
    p.distinguished_name.push(DnType::CountryName, "US");
    p.distinguished_name
        .push(DnType::OrganizationName, "Cavium");
    p.distinguished_name.push(
        DnType::CommonName,
        "HSM:0123456789AB:PARTN:1, for FIPS mode",
    );
    let csr = p.serialize_request(&key).expect("csr");
    (csr.pem().expect("pem"), key)
}

/// An HSM as AWS (and the emulator) presents it before initialization: a cluster key
/// and its CSR, an HSM certificate signed by a hardware key, and that hardware key
/// certified by an "AWS" root and by a "manufacturer" root (both test roots).
pub struct TestHsm {
    pub csr: String,
    pub key: KeyPair,
    pub certs: aws_sdk_cloudhsmv2::types::Certificates,
    pub aws_root: TestCa,
    pub manufacturer_root: TestCa,
}

impl TestHsm {
    /// The test roots, parsed, as hsm_trust_roots would give them.
    pub fn roots(&self) -> Vec<crate::cloudhsm::pki::Cert> {
        [&self.aws_root, &self.manufacturer_root]
            .iter()
            .map(|r| crate::cloudhsm::pki::one_certificate(&r.cert_pem).expect("root"))
            .collect()
    }
}

pub fn test_hsm() -> TestHsm {
    let (aws_root, manufacturer_root) = (root("AWS test root"), root("Manufacturer test root"));
    let hw_key = rsa_key();
    let mut hw = CertificateParams::new(Vec::<String>::new()).expect("params");
    hw.distinguished_name.push(DnType::CommonName, "HSM:0123");
    hw.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let aws_hw = hw.signed_by(&hw_key, &aws_root.issuer()).expect("aws hw");
    let mfr_hw = hw
        .signed_by(&hw_key, &manufacturer_root.issuer())
        .expect("mfr hw");
    let (csr, key) = cluster_csr();
    let mut leaf = CertificateParams::new(Vec::<String>::new()).expect("params");
    leaf.distinguished_name
        .push(DnType::CommonName, "HSM:0123:PARTN:1");
    let hsm_cert = leaf
        .signed_by(&key, &Issuer::from_params(&hw, &hw_key))
        .expect("hsm cert");
    TestHsm {
        csr,
        key,
        certs: aws_sdk_cloudhsmv2::types::Certificates::builder()
            .cluster_csr(String::new())
            .hsm_certificate(hsm_cert.pem())
            .aws_hardware_certificate(aws_hw.pem())
            .manufacturer_hardware_certificate(mfr_hw.pem())
            .build(),
        aws_root,
        manufacturer_root,
    }
}
