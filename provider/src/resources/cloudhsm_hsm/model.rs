//! The model of `trustchain_cloudhsm_hsm`, its identity and its schema.

use aws_sdk_cloudhsmv2::types::Hsm;
use serde::{Deserialize, Serialize};
use tfplugin::framework::Timeouts;
use tfplugin::schema::{Attribute, Block, IdentitySchema, Schema};
use tfplugin::value::{Attr, Type};

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

pub fn schema() -> Schema {
    Schema::new(
        Block::new()
            .markdown_description("An HSM in a CloudHSM v2 cluster, in one of the cluster's Availability Zones. Declare as many side by side as you need, without `depends_on`: AWS refuses another HSM in a cluster that has one until a condition it has not published holds (hashicorp/terraform-provider-aws #7437: AWS Support tied it to the first HSM not being ACTIVE yet; users saw it until the cluster was initialized; it may take activation). The provider recognises the refusal by its error code and the cluster's state, never by its wording, and tries CreateHsm again with backoff until AWS takes it or `timeouts.create` ends, logging at INFO what AWS is waiting for: an HSM still being created, the initialization (for example by `trustchain_cloudhsm_cluster_initialization`), or the activation (`cloudhsm-cli cluster activate`, a data-plane step no provider can do).")
            .attribute(Attribute::computed("id", Type::String).use_state_for_unknown().description("The HSM id."))
            .attribute(Attribute::computed("hsm_id", Type::String).use_state_for_unknown().description("The HSM id, e.g. hsm-ucskhjpuiw6."))
            .attribute(Attribute::required("cluster_id", Type::String).description("The cluster the HSM belongs to."))
            .attribute(Attribute::optional_computed("availability_zone", Type::String).use_state_for_unknown().description("One of the cluster's Availability Zones. Set this or subnet_id; the other is computed."))
            .attribute(Attribute::optional_computed("subnet_id", Type::String).use_state_for_unknown().description("One of the cluster's subnets. Set this or availability_zone; the other is computed."))
            .attribute(Attribute::optional_computed("ip_address", Type::String).use_state_for_unknown().description("IPv4 address of the HSM's network interface in its subnet; AWS picks one when not set."))
            .attribute(Attribute::computed("eni_id", Type::String).use_state_for_unknown().description("The HSM's elastic network interface."))
            .attribute(Attribute::computed("eni_ipv6", Type::String).description("IPv6 address of the network interface (DUALSTACK clusters)."))
            .attribute(Attribute::computed("hsm_state", Type::String).description("CREATE_IN_PROGRESS, ACTIVE, DEGRADED, DELETE_IN_PROGRESS or DELETED."))
            .timeouts(&["create", "delete"]),
    )
}

pub fn identity_schema() -> IdentitySchema {
    IdentitySchema::new()
        .optional(
            "account_id",
            Type::String,
            "AWS account that owns the cluster (default: the provider's account).",
        )
        .optional(
            "region",
            Type::String,
            "Region of the cluster (default: the provider's region).",
        )
        .required(
            "cluster_id",
            Type::String,
            "The cluster id, e.g. cluster-igklspoyj5v.",
        )
        .required("hsm_id", Type::String, "The HSM id, e.g. hsm-ucskhjpuiw6.")
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
