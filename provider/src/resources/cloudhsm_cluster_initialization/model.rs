//! The model of `trustchain_cloudhsm_cluster_initialization` and its identity.

use serde::{Deserialize, Serialize};
use tfplugin::framework::Timeouts;
use tfplugin::value::Attr;

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
