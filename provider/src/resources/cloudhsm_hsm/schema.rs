//! The schema of `trustchain_cloudhsm_hsm` and its identity schema.

use tfplugin::schema::{Attribute, Block, IdentitySchema, Schema};
use tfplugin::value::Type;

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
