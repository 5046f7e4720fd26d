//! The schema of `trustchain_ipv6_network` and its identity schema.

use super::model::DEFAULT_IPV4_CIDR;
use tfplugin::schema::{Attribute, Block, IdentitySchema, NestedBlock, Schema};
use tfplugin::value::{Type, Value};

pub fn subnet_object() -> Type {
    Type::object([
        ("id", Type::String),
        ("availability_zone", Type::String),
        ("ipv6_cidr_block", Type::String),
        ("ipv4_cidr_block", Type::String),
        ("route_table_id", Type::String),
    ])
}

pub fn schema() -> Schema {
    let tier = Block::new()
        .description("A subnet tier: one subnet per availability zone, one route table.")
        .attribute(Attribute::required("name", Type::String).description("Tier name, unique, e.g. \"public\" or \"app\"."))
        .attribute(Attribute::required("kind", Type::String).description("public (routes ::/0 to the internet gateway), private (::/0 to the egress-only gateway) or isolated (no default route)."))
        .attribute(Attribute::optional_computed("index", Type::Number).description("Tier index in the subnet scheme. Defaults to the tier's position for new tiers; once assigned it is kept, so adding or removing tiers never renumbers others."))
        .attribute(Attribute::optional("ipv6_native", Type::Bool).default_value(Value::Bool(true)).description("IPv6-only subnets (true) or dual-stack with a /28 from ipv4_cidr (false; needed to host NAT64). Changing it replaces the tier's subnets."))
        .attribute(Attribute::optional("enable_dns64", Type::Bool).default_value(Value::Bool(false)).description("DNS64: the resolver synthesizes 64:ff9b::/96 AAAA records for IPv4-only names. With enable_nat64 on private tiers, a 64:ff9b::/96 route to the NAT gateway makes them reachable."))
        .attribute(Attribute::optional("enable_resource_name_dns_aaaa_record_on_launch", Type::Bool).default_value(Value::Bool(true)).description("Resolve instance resource names to AAAA records."))
        .attribute(Attribute::optional("private_dns_hostname_type_on_launch", Type::String).default_value(Value::String("resource-name".into())).description("resource-name or ip-name; IPv6-native subnets support only resource-name."))
        .attribute(Attribute::optional("subnet_tags", Type::map(Type::String)).description("Extra tags for this tier's subnets, on top of tags (and winning over them), e.g. { \"kubernetes.io/role/elb\" = \"1\" } for tools that discover subnets by tag. Tags other tools add to the subnets are left alone."));
    Schema::new(
        Block::new()
            .markdown_description("An IPv6-only VPC topology as one resource: the VPC, its IPv6 block (Amazon-provided /56 or IPAM), one subnet per tier × zone carved by the index scheme of `trustchain_ipv6_plan` (so adding zones or tiers never renumbers a subnet), route tables, internet and egress-only gateways, and optional NAT64. Updates apply in AWS's ordering rules; deletes retry DependencyViolation and release NAT addresses.")
            .attribute(Attribute::computed("id", Type::String).use_state_for_unknown().description("The VPC id."))
            .attribute(Attribute::required("name", Type::String).description("Name tag of the VPC and prefix of its objects' Name tags."))
            .attribute(Attribute::optional("ipv4_cidr", Type::String).default_value(Value::String(DEFAULT_IPV4_CIDR.into())).requires_replace().description("IPv4 block AWS requires on every VPC; dual-stack tiers take /28s from it. Changing it replaces the network."))
            .attribute(Attribute::optional("ipv6_ipam_pool_id", Type::String).requires_replace().description("IPAM pool to allocate the IPv6 block from; without it Amazon provides a /56."))
            .attribute(Attribute::optional("ipv6_netmask_length", Type::Number).requires_replace().description("Netmask length of the IPAM allocation (required with ipv6_ipam_pool_id), 44-60."))
            .attribute(Attribute::required("availability_zones", Type::list(Type::String)).description("Zone names, e.g. [\"us-east-1a\", \"us-east-1b\"]. Each zone's final letter picks its subnet slot."))
            .attribute(Attribute::optional("enable_nat64", Type::Bool).default_value(Value::Bool(false)).description("Create a NAT gateway in the first dual-stack public tier (lowest-lettered zone) and route 64:ff9b::/96 to it from private tiers with enable_dns64."))
            .attribute(Attribute::optional("tags", Type::map(Type::String)).description("Tags for the VPC and every object in it."))
            .attribute(Attribute::computed("tags_all", Type::map(Type::String)).description("tags merged over the provider's default_tags."))
            .attribute(Attribute::computed("vpc_id", Type::String).use_state_for_unknown().description("VPC id."))
            .attribute(Attribute::computed("arn", Type::String).use_state_for_unknown().description("VPC ARN."))
            .attribute(Attribute::computed("ipv6_cidr_block", Type::String).use_state_for_unknown().description("The VPC's IPv6 block."))
            .attribute(Attribute::computed("internet_gateway_id", Type::String).description("Internet gateway id (null without public tiers)."))
            .attribute(Attribute::computed("egress_only_internet_gateway_id", Type::String).description("Egress-only internet gateway id (null without private tiers)."))
            .attribute(Attribute::computed("nat_gateway_id", Type::String).description("NAT64 gateway id (null unless enable_nat64)."))
            .attribute(Attribute::computed("subnets", Type::map(Type::list(subnet_object()))).description("Tier name -> subnets in availability_zones order: id, availability_zone, ipv6_cidr_block, ipv4_cidr_block (dual-stack only), route_table_id."))
            .block(NestedBlock::list("tier", tier).min_items(1))
            .timeouts(&["create", "update", "delete"]),
    )
}

pub fn identity_schema() -> IdentitySchema {
    IdentitySchema::new()
        .optional(
            "account_id",
            Type::String,
            "AWS account that owns the VPC (default: the provider's account).",
        )
        .optional(
            "region",
            Type::String,
            "Region of the VPC (default: the provider's region).",
        )
        .required("vpc_id", Type::String, "The VPC id, e.g. vpc-0abc123.")
}
