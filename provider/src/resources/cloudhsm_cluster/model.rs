//! The model of `trustchain_cloudhsm_cluster`, its identity, and AWS's constants.

use crate::aws::tags::{ConfigTags, Tags};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tfplugin::framework::Timeouts;
use tfplugin::value::Attr;

pub const TYPE_NAME: &str = "trustchain_cloudhsm_cluster";
pub const HSM_TYPES: &[&str] = &["hsm1.medium", "hsm2m.medium"];
pub const MODES: &[&str] = &["FIPS", "NON_FIPS"];
pub const NETWORK_TYPES: &[&str] = &["IPV4", "DUALSTACK"];
/// "Accept the default retention period of 90 days" (user guide); 7 to 379 days.
pub const DEFAULT_RETENTION_DAYS: i64 = 90;
pub const RETENTION_DAYS: std::ops::RangeInclusive<i64> = 7..=379;
/// CreateCluster takes 1 to 10 subnets.
pub const MAX_SUBNETS: usize = 10;

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct ClusterModel {
    pub id: Attr<String>,
    pub cluster_id: Attr<String>,
    pub hsm_type: Attr<String>,
    pub mode: Attr<String>,
    pub network_type: Attr<String>,
    pub subnet_ids: Attr<Vec<Attr<String>>>,
    pub backup_retention_days: Attr<i64>,
    pub source_backup_id: Attr<String>,
    pub tags: Attr<ConfigTags>,
    pub tags_all: Attr<Tags>,
    pub timeouts: Attr<Timeouts>,
    pub cluster_state: Attr<String>,
    pub state_message: Attr<String>,
    pub vpc_id: Attr<String>,
    pub security_group_id: Attr<String>,
    pub subnet_mapping: Attr<BTreeMap<String, String>>,
    pub cluster_csr: Attr<String>,
    pub certificates: Attr<CertificatesModel>,
    pub hsm_type_rollback_expiration: Attr<String>,
}

/// The certificates AWS shows: the HSM and hardware certificates only until the
/// cluster is initialized, the cluster certificate after.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct CertificatesModel {
    pub cluster_certificate: Option<String>,
    pub hsm_certificate: Option<String>,
    pub aws_hardware_certificate: Option<String>,
    pub manufacturer_hardware_certificate: Option<String>,
}

/// Which cluster, in which account and region; `account_id` and `region` may be left
/// out of an `import { identity = {...} }` block.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct ClusterIdentity {
    pub account_id: Option<String>,
    pub region: Option<String>,
    pub cluster_id: String,
}

impl ClusterModel {
    /// The subnet ids when every one is known.
    pub fn known_subnets(&self) -> Option<Vec<String>> {
        self.subnet_ids
            .known()?
            .iter()
            .map(|s| s.known().cloned())
            .collect()
    }
}
