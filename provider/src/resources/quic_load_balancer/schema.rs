//! The schema of `trustchain_quic_load_balancer` and its identity schema.

use super::model::{DEFAULT_DEREGISTRATION_DELAY, DEFAULT_IDLE_TIMEOUT, DEFAULT_SSL_POLICY};
use tfplugin::schema::{Attribute, Block, IdentitySchema, NestedBlock, Schema};
use tfplugin::value::{Type, Value};

fn health_check() -> Block {
    Block::new()
        .description("How the target group checks its targets. NLBs check over TCP, HTTP or HTTPS only, also for UDP and QUIC targets: a UDP service is checked on a TCP or HTTP(S) port of the same host. Changes apply in place (ModifyTargetGroup).")
        .attribute(Attribute::optional("protocol", Type::String).default_value(Value::String("TCP".into())).description("TCP, HTTP or HTTPS (default TCP)."))
        .attribute(Attribute::optional("port", Type::String).default_value(Value::String("traffic-port".into())).description("Port to check, or \"traffic-port\" (the target's port, the default)."))
        .attribute(Attribute::optional_computed("path", Type::String).description("HTTP(S) path to request (default \"/\"); HTTP and HTTPS checks only."))
        .attribute(Attribute::optional_computed("matcher", Type::String).description("HTTP codes that mean healthy, e.g. \"200-399\" (the default); HTTP and HTTPS checks only."))
        .attribute(Attribute::optional("interval", Type::Number).default_value(Value::Number(30.into())).description("Seconds between checks, 5-300 (default 30)."))
        .attribute(Attribute::optional_computed("timeout", Type::Number).description("Seconds a check may take, 2-120 and at most interval (default 10; 6 for HTTP)."))
        .attribute(Attribute::optional("healthy_threshold", Type::Number).default_value(Value::Number(5.into())).description("Consecutive successes before a target is healthy, 2-10 (default 5)."))
        .attribute(Attribute::optional("unhealthy_threshold", Type::Number).default_value(Value::Number(2.into())).description("Consecutive failures before a target is unhealthy, 2-10 (default 2)."))
}

fn listener() -> Block {
    Block::new()
        .description("One listener and the target group it forwards to, keyed by port: adding or removing a listener touches only that listener.")
        .attribute(Attribute::required("port", Type::Number).description("Listener port, 1-65535, unique per load balancer. A new port is a new listener."))
        .attribute(Attribute::required("protocol", Type::String).description("QUIC, TCP_QUIC, UDP, TCP_UDP, TCP or TLS. QUIC/TCP_QUIC: one per load balancer, ipv4 only, no security groups, no UDP/TCP_UDP beside it. UDP/TCP_UDP on a dualstack load balancer: IPv6 targets and enable_prefix_for_ipv6_source_nat."))
        .attribute(Attribute::optional("certificate_arn", Type::String).description("ACM or IAM certificate of a TLS listener (required for TLS, refused otherwise)."))
        .attribute(Attribute::optional_computed("ssl_policy", Type::String).description(format!("Security policy of a TLS listener (default {DEFAULT_SSL_POLICY}); TLS only.")))
        .attribute(Attribute::optional("target_type", Type::String).default_value(Value::String("instance".into())).description("instance or ip. Changing it replaces the listener's target group (its targets must be registered again)."))
        .attribute(Attribute::optional_computed("target_port", Type::Number).description("Port of the targets (default: the listener port). Changing it replaces the target group."))
        .attribute(Attribute::optional_computed("target_ip_address_type", Type::String).description("ipv4 or ipv6 targets. Default ipv6 for UDP/TCP_UDP listeners on a dualstack load balancer (the only kind AWS accepts there), ipv4 otherwise. Changing it replaces the target group."))
        .attribute(Attribute::optional("deregistration_delay", Type::Number).default_value(Value::Number(DEFAULT_DEREGISTRATION_DELAY.into())).description("Seconds a deregistering target keeps its flows, 0-3600 (default 300)."))
        .attribute(Attribute::optional_computed("connection_termination", Type::Bool).description("Close flows when the deregistration delay ends (default true for UDP and TCP_UDP, false otherwise, as AWS)."))
        .attribute(Attribute::optional_computed("idle_timeout", Type::Number).description(format!("TCP idle timeout in seconds, 60-6000 (default {DEFAULT_IDLE_TIMEOUT}); TCP, TCP_UDP and TCP_QUIC listeners only.")))
        .block(NestedBlock::single("health_check", health_check()).min_items(1).max_items(1))
}

fn subnet_mapping() -> Block {
    Block::new()
        .description("A subnet with the addresses the load balancer takes in it.")
        .attribute(Attribute::required("subnet_id", Type::String).description("Subnet id; one per availability zone."))
        .attribute(Attribute::optional("allocation_id", Type::String).description("Elastic IP allocation of an internet-facing load balancer in this subnet."))
        .attribute(Attribute::optional("private_ipv4_address", Type::String).description("Private IPv4 address of an internal load balancer in this subnet."))
        .attribute(Attribute::optional("ipv6_address", Type::String).description("IPv6 address of a dualstack load balancer in this subnet."))
        .attribute(Attribute::optional("source_nat_ipv6_prefix", Type::String).description("A /80 of the subnet's IPv6 block for source NAT, or \"auto_assigned\" (needs enable_prefix_for_ipv6_source_nat)."))
}

pub fn schema() -> Schema {
    let ids = Type::object([("arn", Type::String), ("target_group_arn", Type::String)]);
    Schema::new(
        Block::new()
            .markdown_description("A Network Load Balancer with its listeners and their target groups, as one resource, that knows AWS's QUIC and UDP rules at plan time: QUIC/TCP_QUIC only on `ipv4` load balancers without security groups, one QUIC listener per load balancer and never beside UDP, health checks over TCP/HTTP/HTTPS only, UDP on `dualstack` only with IPv6 targets and the IPv6 source-NAT prefix, TLS with a certificate. Listeners are keyed by port; listeners, target groups and attributes change in place where ELBv2 allows it.")
            .attribute(Attribute::computed("id", Type::String).use_state_for_unknown().description("The load balancer ARN."))
            .attribute(Attribute::computed("arn", Type::String).use_state_for_unknown().description("The load balancer ARN."))
            .attribute(Attribute::required("name", Type::String).description("Load balancer name, 1-32 letters, digits and hyphens; also the prefix of its target groups' names. Changing it replaces the load balancer."))
            .attribute(Attribute::optional("internal", Type::Bool).default_value(Value::Bool(false)).description("Internal (true) or internet-facing (false, the default). Changing it replaces the load balancer."))
            .attribute(Attribute::optional("subnet_ids", Type::set(Type::String)).description("Subnets, one per availability zone (or use subnet_mapping). Changes apply in place (SetSubnets)."))
            .attribute(Attribute::optional("ip_address_type", Type::String).default_value(Value::String("ipv4".into())).description("ipv4 (the default; needed for QUIC) or dualstack (IPv6 clients; UDP needs IPv6 targets and enable_prefix_for_ipv6_source_nat). Changes apply in place."))
            .attribute(Attribute::optional("enable_prefix_for_ipv6_source_nat", Type::Bool).default_value(Value::Bool(false)).description("Give each subnet a /80 for source NAT of IPv6 flows: required for UDP listeners on a dualstack load balancer. dualstack only."))
            .attribute(Attribute::optional("security_groups", Type::set(Type::String)).description("Security groups. AWS refuses QUIC listeners on a load balancer with security groups, and a load balancer created without them can never have them (adding the first replaces it)."))
            .attribute(Attribute::optional("enable_cross_zone_load_balancing", Type::Bool).default_value(Value::Bool(false)).description("Spread flows over targets in every enabled zone (default false)."))
            .attribute(Attribute::optional("enable_deletion_protection", Type::Bool).default_value(Value::Bool(false)).description("Refuse deletion while true (default false): set it false and apply before destroying."))
            .attribute(Attribute::optional("tags", Type::map(Type::String)).description("Tags of the load balancer, its listeners and target groups."))
            .attribute(Attribute::computed("tags_all", Type::map(Type::String)).description("tags merged over the provider's default_tags."))
            .attribute(Attribute::computed("dns_name", Type::String).use_state_for_unknown().description("DNS name of the load balancer."))
            .attribute(Attribute::computed("zone_id", Type::String).use_state_for_unknown().description("Route 53 hosted zone of the DNS name (alias records)."))
            .attribute(Attribute::computed("vpc_id", Type::String).use_state_for_unknown().description("VPC of the subnets and target groups."))
            .attribute(Attribute::computed("listeners", Type::map(ids)).description("Port (as a string, e.g. \"8853\") -> arn of the listener and target_group_arn it forwards to (for trustchain_quic_target)."))
            .attribute(Attribute::computed("source_nat_ipv6_prefixes", Type::map(Type::String)).description("Subnet id -> the /80 AWS uses for source NAT (enable_prefix_for_ipv6_source_nat)."))
            .block(NestedBlock::list("subnet_mapping", subnet_mapping()))
            .block(NestedBlock::list("listener", listener()).min_items(1))
            .timeouts(&["create", "update", "delete"]),
    )
}

pub fn identity_schema() -> IdentitySchema {
    IdentitySchema::new().required(
        "arn",
        Type::String,
        "The load balancer ARN, e.g. arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/doq/0123456789abcdef.",
    )
}
