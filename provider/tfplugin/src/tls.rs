//! AutoMTLS as go-plugin does it: the server presents a fresh self-signed ECDSA P-521
//! certificate for `localhost`, and requires the client to present exactly the
//! certificate Terraform announced in `PLUGIN_CLIENT_CERT`, proving possession of
//! its key in the handshake. No optional client auth: a client without that
//! certificate never reaches a service.

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, SignatureScheme};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("could not generate the server certificate: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("PLUGIN_CLIENT_CERT holds no PEM certificate")]
    NoClientCert,
    #[error("PLUGIN_CLIENT_CERT is not valid PEM: {0}")]
    ClientCertPem(String),
    #[error(
        "PLUGIN_CLIENT_CERT certificate {index} is not an X.509 certificate ({reason}); Terraform passes the PEM of the client certificate it generated"
    )]
    ClientCertInvalid { index: usize, reason: String },
    #[error("TLS configuration failed: {0}")]
    Config(#[from] rustls::Error),
}

/// The server's certificate and key.
pub struct Identity {
    pub cert: CertificateDer<'static>,
    key: PrivatePkcs8KeyDer<'static>,
}

impl Identity {
    /// A fresh self-signed P-521 certificate for `localhost`, usable for server and
    /// client auth, as go-plugin generates for both sides.
    pub fn generate() -> Result<Self, TlsError> {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512)?;
        let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()])?;
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "localhost");
        params.distinguished_name.push(
            rcgen::DnType::OrganizationName,
            "terraform-provider-trustchain",
        );
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::DigitalSignature,
            rcgen::KeyUsagePurpose::KeyEncipherment,
            rcgen::KeyUsagePurpose::KeyCertSign,
        ];
        params.extended_key_usages = vec![
            rcgen::ExtendedKeyUsagePurpose::ServerAuth,
            rcgen::ExtendedKeyUsagePurpose::ClientAuth,
        ];
        let cert = params.self_signed(&key)?;
        Ok(Self {
            cert: cert.der().clone(),
            key: PrivatePkcs8KeyDer::from(key.serialize_der()),
        })
    }

    pub fn key(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(self.key.clone_key())
    }
}

/// Parses the PEM certificate(s) Terraform passes in `PLUGIN_CLIENT_CERT`.
pub fn parse_client_certs(pem: &str) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certs = CertificateDer::pem_slice_iter(pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::ClientCertPem(e.to_string()))?;
    if certs.is_empty() {
        return Err(TlsError::NoClientCert);
    }
    // PEM armour around bytes that are no certificate would start a server no
    // client can ever reach: refuse it before printing the handshake line.
    for (i, cert) in certs.iter().enumerate() {
        rustls::server::ParsedCertificate::try_from(cert).map_err(|e| {
            TlsError::ClientCertInvalid {
                index: i + 1,
                reason: e.to_string(),
            }
        })?;
    }
    Ok(certs)
}

pub(crate) fn crypto_provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// Server TLS configuration requiring the pinned client certificate.
pub fn server_config(
    identity: &Identity,
    client_certs: Vec<CertificateDer<'static>>,
) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let provider = crypto_provider();
    let verifier = PinnedClientCert {
        expected: client_certs,
        algorithms: provider.signature_verification_algorithms,
    };
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(Arc::new(verifier))
        .with_single_cert(vec![identity.cert.clone()], identity.key())?;
    // grpc-go requires ALPN h2 on TLS connections.
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(Arc::new(config))
}

/// Accepts exactly the announced client certificate(s) and checks the handshake
/// signature against its public key.
#[derive(Debug)]
struct PinnedClientCert {
    expected: Vec<CertificateDer<'static>>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ClientCertVerifier for PinnedClientCert {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if self
            .expected
            .iter()
            .any(|c| c.as_ref() == end_entity.as_ref())
        {
            Ok(ClientCertVerified::assertion())
        } else {
            tracing::warn!(
                "refused a TLS client whose certificate is not the one Terraform announced"
            );
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_cert_pem_around_bytes_that_are_no_certificate_is_refused() {
        // Found by the hostile-client tests: this used to start a server that
        // refused every TLS client, instead of exiting with a message.
        let pem = "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n";
        let err = parse_client_certs(pem).expect_err("garbage accepted");
        assert!(
            matches!(err, TlsError::ClientCertInvalid { index: 1, .. }),
            "{err}"
        );
        assert!(
            err.to_string().contains("not an X.509 certificate"),
            "{err}"
        );
    }

    #[test]
    fn a_generated_client_certificate_is_accepted() {
        use base64::Engine;
        let id = Identity::generate().expect("identity");
        let text = format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            base64::engine::general_purpose::STANDARD.encode(id.cert.as_ref())
        );
        assert_eq!(
            parse_client_certs(&text).expect("valid cert"),
            vec![id.cert.clone()]
        );
    }
}
