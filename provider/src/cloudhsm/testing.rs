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
