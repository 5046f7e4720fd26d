//! The model of `trustchain_cloudhsm_cluster_initialization` and its schema.

use serde::{Deserialize, Serialize};
use tfplugin::framework::Timeouts;
use tfplugin::schema::{Attribute, Block, IdentitySchema, Schema};
use tfplugin::value::{Attr, Type};

pub const TYPE_NAME: &str = "trustchain_cloudhsm_cluster_initialization";

// Debug by hand: the key is redacted, so no `{:?}` in a log line or a panic
// message can carry it.
#[derive(Clone, Deserialize, Serialize)]
pub struct InitModel {
    pub id: Attr<String>,
    pub cluster_id: Attr<String>,
    pub trust_anchor: Attr<String>,
    pub signed_cert: Attr<String>,
    pub issuing_ca_certificate: Attr<String>,
    pub issuing_ca_private_key_wo: Attr<String>,
    pub issuing_ca_private_key_wo_version: Attr<i64>,
    pub kms_key_id: Attr<String>,
    pub acm_pca_arn: Attr<String>,
    pub hsm_trust_roots: Attr<String>,
    pub trust_anchor_min_validity_days: Attr<i64>,
    pub cluster_certificate: Attr<String>,
    pub cluster_state: Attr<String>,
    pub timeouts: Attr<Timeouts>,
}

impl std::fmt::Debug for InitModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let key = match &self.issuing_ca_private_key_wo {
            Attr::Known(_) => "<redacted>",
            Attr::Null => "null",
            Attr::Unknown => "unknown",
        };
        f.debug_struct("InitModel")
            .field("id", &self.id)
            .field("cluster_id", &self.cluster_id)
            .field("trust_anchor", &self.trust_anchor)
            .field("signed_cert", &self.signed_cert)
            .field("issuing_ca_certificate", &self.issuing_ca_certificate)
            .field("issuing_ca_private_key_wo", &key)
            .field(
                "issuing_ca_private_key_wo_version",
                &self.issuing_ca_private_key_wo_version,
            )
            .field("kms_key_id", &self.kms_key_id)
            .field("acm_pca_arn", &self.acm_pca_arn)
            .field("hsm_trust_roots", &self.hsm_trust_roots)
            .field(
                "trust_anchor_min_validity_days",
                &self.trust_anchor_min_validity_days,
            )
            .field("cluster_certificate", &self.cluster_certificate)
            .field("cluster_state", &self.cluster_state)
            .field("timeouts", &self.timeouts)
            .finish()
    }
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct InitIdentity {
    pub cluster_id: String,
}

pub fn schema() -> Schema {
    Schema::new(
        Block::new()
            .markdown_description("Initializes (claims) a CloudHSM cluster: waits for the CSR of its first HSM, signs it with your CA (a key in AWS KMS, `kms_key_id`; an AWS Private CA root, `acm_pca_arn`; a write-only key; or takes `signed_cert`, the CSR signed outside Terraform), calls InitializeCluster and waits until the cluster is INITIALIZED. The CA private key is write-only: it never reaches state, plan or logs. Initialization cannot be undone: destroying this resource only removes it from state. Activation (`cloudhsm-cli cluster activate`, which sets the admin password) is a data-plane step you still run.")
            .attribute(Attribute::computed("id", Type::String).use_state_for_unknown().description("The cluster id."))
            .attribute(Attribute::required("cluster_id", Type::String).requires_replace().description("The cluster to initialize."))
            .attribute(Attribute::required("trust_anchor", Type::String).description("Your root CA certificate (PEM): self-signed, RSA 2048 or 4096, with basicConstraints CA:TRUE when it has extensions. AWS requires that this root signs the cluster certificate directly. Clients verify the HSMs with it (customerCA.crt)."))
            .attribute(Attribute::optional("signed_cert", Type::String).description("The cluster CSR (trustchain_cloudhsm_cluster.cluster_csr) signed by the trust anchor, when you sign outside Terraform. Set exactly one of signed_cert, issuing_ca_private_key_wo, kms_key_id and acm_pca_arn."))
            .attribute(Attribute::optional("issuing_ca_certificate", Type::String).description("Certificate of the key in issuing_ca_private_key_wo or kms_key_id. AWS needs the CSR signed directly by the trust anchor, so this is the trust anchor (the default) or a re-issue of it with the same name and key; an intermediate CA is refused at plan time."))
            .attribute(Attribute::optional("issuing_ca_private_key_wo", Type::String).write_only().sensitive().write_only_alternative("set signed_cert (the cluster CSR signed outside Terraform) instead").description("The trust anchor's private key (PEM, PKCS#8 or PKCS#1, unencrypted), write-only (Terraform 1.11+): used once to sign the CSR, never stored. Pass it from an ephemeral value."))
            .attribute(Attribute::optional("issuing_ca_private_key_wo_version", Type::Number).description("Change it to send a new issuing_ca_private_key_wo (write-only values are not compared). The key is only used when a cluster is initialized."))
            .attribute(Attribute::optional("kms_key_id", Type::String).description("An AWS KMS key that holds the CA key (key id, key ARN, alias name or alias ARN): the provider builds the cluster certificate, KMS signs its SHA-256 digest (Sign, RSASSA_PKCS1_V1_5_SHA_256) and the provider assembles it, so the private key never leaves KMS. The key must be asymmetric, SIGN_VERIFY, RSA_2048 or RSA_4096 (what CloudHSM accepts for a root), enabled, and its public key must be the trust anchor's (or issuing_ca_certificate's); checked at plan time with DescribeKey and GetPublicKey. Needs kms:DescribeKey, kms:GetPublicKey and kms:Sign. Set exactly one of kms_key_id, acm_pca_arn, issuing_ca_private_key_wo and signed_cert."))
            .attribute(Attribute::optional("acm_pca_arn", Type::String).description("The ARN of an AWS Private CA (ACM PCA) root CA that issues the cluster certificate: the provider sends the CSR with IssueCertificate (end-entity template, SHA256WITHRSA) and waits with GetCertificate, so the CA key never leaves AWS. The CA must be of type ROOT, RSA_2048 or RSA_4096, and ACTIVE, and trust_anchor must be its certificate (GetCertificateAuthorityCertificate); all checked at plan time. Needs acm-pca:DescribeCertificateAuthority, acm-pca:GetCertificateAuthorityCertificate, acm-pca:IssueCertificate and acm-pca:GetCertificate. Set exactly one of acm_pca_arn, kms_key_id, issuing_ca_private_key_wo and signed_cert."))
            .attribute(Attribute::optional("hsm_trust_roots", Type::String).description(format!("More roots (PEM, one or more self-signed certificates) that the HSM's AWS hardware certificate or manufacturer hardware certificate may chain to, beside the roots the provider embeds (AWS CloudHSM Root G1, the Cavium LiquidSecurity root of hsm1). Before anything is signed the provider verifies the HSM as the user guide's \"Verify the identity and authenticity of your cluster's HSM\" does: the CSR's key is the HSM certificate's, which chains to an AWS root and, independently, to a manufacturer root. Add the Marvell LiquidSecurity 2 root for hsm2m clusters (after checking its fingerprint with Marvell), or a test root. Roots are only added: nothing switches the check off. Embedded roots:{}", crate::cloudhsm::identity::published_markdown())))
            .attribute(Attribute::optional("trust_anchor_min_validity_days", Type::Number).description("The trust anchor must stay valid at least this many more days (default 365): the cluster certificate cannot outlive it and an initialization cannot be undone, so a root about to expire is refused at plan time."))
            .attribute(Attribute::computed("cluster_certificate", Type::String).description("The certificate the cluster was initialized with (PEM)."))
            .attribute(Attribute::computed("cluster_state", Type::String).description("INITIALIZED, then ACTIVE once activated with cloudhsm-cli."))
            .timeouts(&["create"]),
    )
}

pub fn identity_schema() -> IdentitySchema {
    IdentitySchema::new().required("cluster_id", Type::String, "The initialized cluster.")
}
