//! The model of `trustchain_cloudhsm_hsm` and its identity.

use aws_sdk_cloudhsmv2::types::Hsm;
use serde::{Deserialize, Serialize};
use tfplugin::framework::Timeouts;
use tfplugin::value::Attr;

pub const TYPE_NAME: &str = "trustchain_cloudhsm_hsm";

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct HsmModel {
    pub id: Attr<String>,
    pub hsm_id: Attr<String>,
    pub cluster_id: Attr<String>,
    pub availability_zone: Attr<String>,
    pub subnet_id: Attr<String>,
    pub ip_address: Attr<String>,
    pub eni_id: Attr<String>,
    pub eni_ipv6: Attr<String>,
    pub hsm_state: Attr<String>,
    pub timeouts: Attr<Timeouts>,
}

/// Which HSM: cluster and HSM id, in which account and region (both optional in an
/// `import { identity = {...} }` block).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct HsmIdentity {
    pub account_id: Option<String>,
    pub region: Option<String>,
    pub cluster_id: String,
    pub hsm_id: String,
}

/// `template` refreshed from the HSM AWS describes.
pub fn state_of(h: &Hsm, template: &HsmModel) -> HsmModel {
    let mut m = template.clone();
    m.id = Attr::Known(h.hsm_id().to_string());
    m.hsm_id = Attr::Known(h.hsm_id().to_string());
    if let Some(c) = h.cluster_id() {
        m.cluster_id = Attr::Known(c.to_string());
    }
    m.availability_zone = h.availability_zone().map(String::from).into();
    m.subnet_id = h.subnet_id().map(String::from).into();
    m.ip_address = h.eni_ip().map(String::from).into();
    m.eni_id = h.eni_id().map(String::from).into();
    m.eni_ipv6 = h.eni_ipv6().map(String::from).into();
    m.hsm_state = h.state().map(|s| s.as_str().to_string()).into();
    m
}

pub fn empty() -> HsmModel {
    HsmModel {
        id: Attr::Null,
        hsm_id: Attr::Null,
        cluster_id: Attr::Null,
        availability_zone: Attr::Null,
        subnet_id: Attr::Null,
        ip_address: Attr::Null,
        eni_id: Attr::Null,
        eni_ipv6: Attr::Null,
        hsm_state: Attr::Null,
        timeouts: Attr::Null,
    }
}
