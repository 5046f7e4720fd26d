//! The schema of `trustchain_quic_target` and its identity schema.

use tfplugin::schema::{Attribute, Block, IdentitySchema, Schema};
use tfplugin::value::Type;

pub fn schema() -> Schema {
    Schema::new(
        Block::new()
            .markdown_description("One target registered with a target group of a `trustchain_quic_load_balancer` (or any NLB target group), with its QUIC server ID when the group is QUIC or TCP_QUIC. Waits until AWS shows the target registered.")
            .attribute(Attribute::computed("id", Type::String).use_state_for_unknown().description("target_group_arn/target_id/port."))
            .attribute(Attribute::required("target_group_arn", Type::String).requires_replace().description("Target group ARN, e.g. trustchain_quic_load_balancer.this.listeners[\"8853\"].target_group_arn."))
            .attribute(Attribute::required("target_id", Type::String).requires_replace().description("Instance id (target type instance) or IP address (target type ip; IPv6 for ipv6 groups)."))
            .attribute(Attribute::optional_computed("port", Type::Number).requires_replace().use_state_for_unknown().description("Port the target receives on (default: the target group's port)."))
            .attribute(Attribute::optional("availability_zone", Type::String).requires_replace().description("Zone of an IP target outside the VPC, or \"all\"."))
            .attribute(Attribute::optional_computed("quic_server_id", Type::String).description("QUIC server ID: 0x + 16 lowercase hex digits, unique per listener, that the server puts in its connection IDs. Required by AWS for QUIC and TCP_QUIC groups (derived from target_id and port when left out, stable across plans) and refused for others. Changing it registers the target again."))
            .timeouts(&["create", "update"]),
    )
}

pub fn identity_schema() -> IdentitySchema {
    IdentitySchema::new()
        .required("target_group_arn", Type::String, "Target group ARN.")
        .required(
            "target_id",
            Type::String,
            "Instance id or IP address of the target.",
        )
        .required("port", Type::Number, "Port of the registration.")
}
