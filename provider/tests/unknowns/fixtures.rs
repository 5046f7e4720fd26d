//! A valid configuration of every resource, data source and the provider block,
//! and for each resource the state it would have after apply. Attributes left out
//! are null; absent list blocks are empty. The leaves the tests vary come from the
//! schema, so an attribute added to a schema is varied without a change here.

use serde_json::{Value, json};

pub const CLUSTER_ID: &str = "cluster-abcdefghijk";
const SUBNET_A: &str = "subnet-0a1b2c3d4e5f60718";
const SUBNET_B: &str = "subnet-1a2b3c4d5e6f70819";
const TG_ARN: &str = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/doq-8853-0a1b2c/0123456789abcdef";
const LB_ARN: &str =
    "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/doq/50dc6c495c0c9188";

/// (configuration, state after apply) of a resource type.
pub fn resource(type_name: &str, ca: &TestCa) -> (Value, Value) {
    let tags = json!({"Env": "test", "Team": "pki"});
    match type_name {
        "trustchain_ipv6_network" => {
            // NAT64 in a dual-stack public tier; an isolated dual-stack tier with its
            // own index and ip-name hostnames: the cross-argument rules get exercised.
            let config = json!({
                "name": "net",
                "availability_zones": ["us-east-1a", "us-east-1b"],
                "ipv4_cidr": "10.0.0.0/20",
                "enable_nat64": true,
                "tier": [
                    {"name": "public", "kind": "public", "ipv6_native": false},
                    {"name": "app", "kind": "private", "enable_dns64": true},
                    {"name": "data", "kind": "isolated", "ipv6_native": false, "index": 5,
                     "private_dns_hostname_type_on_launch": "ip-name"}
                ],
                "tags": tags,
                "timeouts": {"create": "30m"}
            });
            let tier = |name: &str, kind: &str, index: i64, v6: bool, dns64: bool| {
                json!({"name": name, "kind": kind, "index": index, "ipv6_native": v6,
                       "enable_dns64": dns64, "enable_resource_name_dns_aaaa_record_on_launch": true,
                       "private_dns_hostname_type_on_launch": if name == "data" { "ip-name" } else { "resource-name" }})
            };
            let subnet = |id: &str, zone: &str, cidr: &str, v4: Value, rt: &str| {
                json!({"id": id, "availability_zone": zone, "ipv6_cidr_block": cidr,
                       "ipv4_cidr_block": v4, "route_table_id": rt})
            };
            let state = json!({
                "id": "vpc-0abc", "vpc_id": "vpc-0abc", "name": "net",
                "arn": "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0abc",
                "ipv4_cidr": "10.0.0.0/20", "ipv6_cidr_block": "2600:1f18:1234:5600::/56",
                "availability_zones": ["us-east-1a", "us-east-1b"], "enable_nat64": true,
                "tier": [tier("public", "public", 0, false, false), tier("app", "private", 1, true, true),
                         tier("data", "isolated", 5, false, false)],
                "tags": tags, "tags_all": tags,
                "internet_gateway_id": "igw-0abc", "egress_only_internet_gateway_id": "eigw-0abc",
                "nat_gateway_id": "nat-0abc",
                "subnets": {
                    "public": [subnet("subnet-p1", "us-east-1a", "2600:1f18:1234:5600::/64", json!("10.0.0.0/28"), "rtb-p"),
                               subnet("subnet-p2", "us-east-1b", "2600:1f18:1234:5601::/64", json!("10.0.0.16/28"), "rtb-p")],
                    "app": [subnet("subnet-a1", "us-east-1a", "2600:1f18:1234:5610::/64", Value::Null, "rtb-a"),
                            subnet("subnet-a2", "us-east-1b", "2600:1f18:1234:5611::/64", Value::Null, "rtb-a")],
                    "data": [subnet("subnet-d1", "us-east-1a", "2600:1f18:1234:5650::/64", json!("10.0.5.0/28"), "rtb-d"),
                             subnet("subnet-d2", "us-east-1b", "2600:1f18:1234:5651::/64", json!("10.0.5.16/28"), "rtb-d")]
                },
                "timeouts": {"create": "30m"}
            });
            (config, state)
        }
        "trustchain_cloudhsm_cluster" => {
            let config = json!({
                "hsm_type": "hsm2m.medium", "subnet_ids": [SUBNET_A, SUBNET_B], "mode": "FIPS",
                "network_type": "IPV4", "backup_retention_days": 90, "tags": tags,
                "timeouts": {"create": "2h"}
            });
            let state = json!({
                "id": CLUSTER_ID, "cluster_id": CLUSTER_ID, "hsm_type": "hsm2m.medium",
                "mode": "FIPS", "network_type": "IPV4", "subnet_ids": [SUBNET_A, SUBNET_B],
                "backup_retention_days": 90, "tags": tags, "tags_all": tags,
                "cluster_state": "UNINITIALIZED", "vpc_id": "vpc-0abc", "timeouts": {"create": "2h"},
                "security_group_id": "sg-0abc",
                "subnet_mapping": {"us-east-1a": SUBNET_A, "us-east-1b": SUBNET_B}
            });
            (config, state)
        }
        "trustchain_cloudhsm_hsm" => {
            let config = json!({
                "cluster_id": CLUSTER_ID, "availability_zone": "us-east-1a", "ip_address": "10.0.0.5"
            });
            let state = json!({
                "id": "hsm-abcdefghijk", "hsm_id": "hsm-abcdefghijk", "cluster_id": CLUSTER_ID,
                "availability_zone": "us-east-1a", "subnet_id": SUBNET_A, "ip_address": "10.0.0.5",
                "eni_id": "eni-0abc", "hsm_state": "ACTIVE"
            });
            (config, state)
        }
        "trustchain_cloudhsm_cluster_initialization" => {
            let config = json!({
                "cluster_id": CLUSTER_ID, "trust_anchor": ca.cert_pem,
                "issuing_ca_private_key_wo": ca.key_pem, "issuing_ca_private_key_wo_version": 1
            });
            let state = json!({
                "id": CLUSTER_ID, "cluster_id": CLUSTER_ID, "trust_anchor": ca.cert_pem,
                "issuing_ca_private_key_wo_version": 1, "cluster_certificate": ca.cert_pem,
                "cluster_state": "INITIALIZED"
            });
            (config, state)
        }
        "trustchain_quic_load_balancer" => {
            // QUIC beside TLS and TCP listeners, with the settings each protocol
            // allows: the listener and health check rules get exercised.
            let config = json!({
                "name": "doq", "subnet_ids": [SUBNET_A, SUBNET_B], "ip_address_type": "ipv4",
                "internal": false, "enable_cross_zone_load_balancing": true,
                "listener": [
                    {"port": 8853, "protocol": "QUIC", "health_check": {"protocol": "TCP", "port": "8443"}},
                    {"port": 443, "protocol": "TLS",
                     "certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/0abc",
                     "ssl_policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
                     "health_check": {"protocol": "HTTPS", "path": "/health", "matcher": "200",
                                      "interval": 10, "timeout": 5, "healthy_threshold": 3,
                                      "unhealthy_threshold": 3}},
                    {"port": 9443, "protocol": "TCP", "target_type": "ip", "target_port": 19443,
                     "idle_timeout": 600, "deregistration_delay": 60,
                     "health_check": {"protocol": "TCP"}}
                ],
                "tags": tags
            });
            let listener = |port: i64, protocol: &str, hc: Value, tls: bool| {
                json!({"port": port, "protocol": protocol, "target_type": "instance",
                       "target_port": port, "target_ip_address_type": "ipv4",
                       "deregistration_delay": 300, "connection_termination": protocol == "QUIC",
                       "certificate_arn": if tls { json!("arn:aws:acm:us-east-1:123456789012:certificate/0abc") } else { Value::Null },
                       "ssl_policy": if tls { json!("ELBSecurityPolicy-TLS13-1-2-2021-06") } else { Value::Null },
                       "health_check": hc})
            };
            let ids = |port: &str| {
                json!({"arn": format!("{LB_ARN}/listener-{port}"),
                       "target_group_arn": format!("{TG_ARN}-{port}")})
            };
            let state = json!({
                "id": LB_ARN, "arn": LB_ARN, "name": "doq", "internal": false,
                "subnet_ids": [SUBNET_A, SUBNET_B], "ip_address_type": "ipv4",
                "enable_cross_zone_load_balancing": false, "enable_deletion_protection": false,
                "enable_prefix_for_ipv6_source_nat": false,
                "listener": [
                    listener(8853, "QUIC", json!({"protocol": "TCP", "port": "8443", "interval": 30,
                        "timeout": 10, "healthy_threshold": 5, "unhealthy_threshold": 2}), false),
                    listener(443, "TLS", json!({"protocol": "HTTPS", "port": "traffic-port",
                        "path": "/health", "matcher": "200", "interval": 10, "timeout": 5,
                        "healthy_threshold": 3, "unhealthy_threshold": 3}), true),
                    json!({"port": 9443, "protocol": "TCP", "target_type": "ip", "target_port": 19443,
                           "target_ip_address_type": "ipv4", "deregistration_delay": 60,
                           "connection_termination": false, "idle_timeout": 600,
                           "health_check": {"protocol": "TCP", "port": "traffic-port", "interval": 30,
                                            "timeout": 10, "healthy_threshold": 5, "unhealthy_threshold": 2}})
                ],
                "tags": tags, "tags_all": tags,
                "dns_name": "doq-50dc6c495c0c9188.elb.us-east-1.amazonaws.com",
                "zone_id": "Z26RNL4JYFTOTI", "vpc_id": "vpc-0abc",
                "listeners": {"8853": ids("8853"), "443": ids("443"), "9443": ids("9443")},
                "source_nat_ipv6_prefixes": {}
            });
            (config, state)
        }
        "trustchain_quic_target" => {
            let config = json!({
                "target_group_arn": TG_ARN, "target_id": "i-0123456789abcdef0", "port": 8853,
                "quic_server_id": "0x0123456789abcdef"
            });
            let state = json!({
                "id": format!("{TG_ARN}/i-0123456789abcdef0/8853"), "target_group_arn": TG_ARN,
                "target_id": "i-0123456789abcdef0", "port": 8853,
                "quic_server_id": "0x0123456789abcdef"
            });
            (config, state)
        }
        other => panic!(
            "{other} is a new resource type: add a valid configuration and its state to {}",
            file!()
        ),
    }
}

/// A valid configuration of a data source type.
pub fn data_source(type_name: &str) -> Value {
    match type_name {
        "trustchain_ipv6_plan" => json!({
            "prefix": "2600:1f18:1234:5600::/56", "tiers": ["public", "app"],
            "availability_zones": ["us-east-1a", "us-east-1b"], "tier_indexes": {"app": 3}
        }),
        "trustchain_cloudhsm_cluster" => json!({"cluster_id": CLUSTER_ID, "tags": {"Env": "test"}}),
        "trustchain_cloudhsm_backups" => json!({
            "cluster_id": CLUSTER_ID, "states": ["READY"], "never_expires": false
        }),
        other => panic!(
            "{other} is a new data source type: add a valid configuration to {}",
            file!()
        ),
    }
}

/// A valid provider block whose AWS endpoints refuse connections at `url` (plan-time
/// AWS calls fail at once, and the provider carries on without them).
pub fn provider(url: &str) -> Value {
    json!({
        "region": "us-east-1", "max_retries": 0, "skip_credentials_validation": true,
        "shared_config_files": ["/nonexistent/aws/config"],
        "endpoints": [{"ec2": url, "elbv2": url, "cloudhsmv2": url, "sts": url}],
        "assume_role": [{"role_arn": "arn:aws:iam::123456789012:role/deployer", "duration": "1h"}],
        "default_tags": [{"tags": {"Owner": "ca-team"}}]
    })
}

/// A throwaway root CA (RSA 2048, self-signed) for the initialization's trust
/// anchor and signing key.
pub struct TestCa {
    pub cert_pem: String,
    pub key_pem: String,
}

pub fn test_ca() -> TestCa {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, PKCS_RSA_SHA256, RsaKeySize,
    };
    let key = KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, RsaKeySize::_2048).expect("rsa key");
    let mut p = CertificateParams::new(Vec::<String>::new()).expect("params");
    p.distinguished_name
        .push(DnType::CommonName, "unknowns test root");
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let cert = p.self_signed(&key).expect("self-signed");
    TestCa {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    }
}
