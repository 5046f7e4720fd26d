//! What exists in AWS for one load balancer, in one batched set of Describe calls:
//! the load balancer, its attributes and tags (one call each), its listeners and the
//! target groups attached to it (one paged call each), then one attributes call per
//! target group and one per TCP-carrying listener (the API has no batch form for
//! those). Target groups the state knows but that no listener uses any more (a
//! listener deleted outside Terraform) are described by ARN.

use super::super::model::HealthCheck;
use crate::aws::tags::Tags;
use crate::aws::{Clients, Deadline, code_of, failed, is_not_found};
use std::collections::BTreeMap;
use tfplugin::diag::Diagnostics;

#[derive(Clone, Debug, Default)]
pub struct Actual {
    pub arn: String,
    pub name: String,
    pub dns_name: String,
    pub zone_id: String,
    pub vpc_id: String,
    pub internal: bool,
    pub ip_type: String,
    pub source_nat: bool,
    pub zones: Vec<Zone>,
    pub security_groups: Vec<String>,
    pub attributes: BTreeMap<String, String>,
    pub tags: Tags,
    /// By port.
    pub listeners: BTreeMap<i64, ActualListener>,
    /// By ARN.
    pub groups: BTreeMap<String, ActualGroup>,
}

#[derive(Clone, Debug, Default)]
pub struct Zone {
    pub name: String,
    pub subnet_id: String,
    pub source_nat_prefix: Option<String>,
    pub allocation_id: Option<String>,
    pub private_ipv4_address: Option<String>,
    pub ipv6_address: Option<String>,
}

#[derive(Clone, Debug)]
pub struct ActualListener {
    pub arn: String,
    pub port: i64,
    pub protocol: String,
    pub certificate_arn: Option<String>,
    pub ssl_policy: Option<String>,
    pub target_group_arn: Option<String>,
    pub idle_timeout: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct ActualGroup {
    pub arn: String,
    pub port: i64,
    pub target_type: String,
    pub ip_type: String,
    pub health: HealthCheck,
    pub deregistration_delay: i64,
    pub connection_termination: bool,
}

impl Actual {
    pub fn attribute_is_true(&self, key: &str) -> bool {
        self.attributes.get(key).map(String::as_str) == Some("true")
    }
}

/// ELBv2 operations of one load balancer for one operation, with its deadline.
pub struct Elb<'a> {
    pub c: &'a Clients,
    pub deadline: Deadline,
}

fn s(v: Option<&str>) -> String {
    v.unwrap_or_default().to_string()
}

fn group_of(g: &aws_sdk_elasticloadbalancingv2::types::TargetGroup) -> ActualGroup {
    let protocol = g.health_check_protocol().map(|p| p.as_str().to_string());
    let hp = protocol.unwrap_or_else(|| "TCP".into());
    let http = hp == "HTTP" || hp == "HTTPS";
    ActualGroup {
        arn: s(g.target_group_arn()),
        port: i64::from(g.port().unwrap_or_default()),
        target_type: g
            .target_type()
            .map(|t| t.as_str().to_string())
            .unwrap_or_default(),
        ip_type: g
            .ip_address_type()
            .map_or("ipv4".to_string(), |t| t.as_str().to_string()),
        health: HealthCheck {
            port: g.health_check_port().unwrap_or("traffic-port").to_string(),
            path: g.health_check_path().filter(|_| http).map(String::from),
            matcher: g
                .matcher()
                .and_then(|m| m.http_code())
                .filter(|_| http)
                .map(String::from),
            interval: i64::from(g.health_check_interval_seconds().unwrap_or(30)),
            timeout: i64::from(g.health_check_timeout_seconds().unwrap_or(10)),
            healthy: i64::from(g.healthy_threshold_count().unwrap_or(5)),
            unhealthy: i64::from(g.unhealthy_threshold_count().unwrap_or(2)),
            protocol: hp,
        },
        deregistration_delay: 300,
        connection_termination: false,
    }
}

impl Elb<'_> {
    /// Everything of the load balancer `arn`; `None` when it is gone. `known_groups`
    /// are target group ARNs the state holds (found even when no listener uses them).
    pub async fn discover(
        &self,
        arn: &str,
        known_groups: &[String],
    ) -> Result<Option<Actual>, Diagnostics> {
        let elb = &self.c.elbv2;
        let out = match elb
            .describe_load_balancers()
            .load_balancer_arns(arn)
            .send()
            .await
        {
            Ok(o) => o,
            Err(e) if is_not_found(code_of(&e)) => return Ok(None),
            Err(e) => return Err(failed("ELBv2", "DescribeLoadBalancers")(e)),
        };
        let Some(lb) = out.load_balancers().first() else {
            return Ok(None);
        };
        let mut a = Actual {
            arn: arn.to_string(),
            name: s(lb.load_balancer_name()),
            dns_name: s(lb.dns_name()),
            zone_id: s(lb.canonical_hosted_zone_id()),
            vpc_id: s(lb.vpc_id()),
            internal: lb.scheme().map(|x| x.as_str()) == Some("internal"),
            ip_type: lb
                .ip_address_type()
                .map_or("ipv4".into(), |t| t.as_str().to_string()),
            source_nat: lb.enable_prefix_for_ipv6_source_nat().map(|x| x.as_str()) == Some("on"),
            security_groups: lb.security_groups().to_vec(),
            ..Actual::default()
        };
        for z in lb.availability_zones() {
            let addr = z.load_balancer_addresses();
            a.zones.push(Zone {
                name: s(z.zone_name()),
                subnet_id: s(z.subnet_id()),
                source_nat_prefix: z.source_nat_ipv6_prefixes().first().cloned(),
                allocation_id: addr
                    .iter()
                    .find_map(|x| x.allocation_id())
                    .map(String::from),
                private_ipv4_address: addr
                    .iter()
                    .find_map(|x| x.private_ipv4_address())
                    .map(String::from),
                ipv6_address: addr.iter().find_map(|x| x.ipv6_address()).map(String::from),
            });
        }
        let attrs = elb
            .describe_load_balancer_attributes()
            .load_balancer_arn(arn)
            .send()
            .await
            .map_err(failed("ELBv2", "DescribeLoadBalancerAttributes"))?;
        a.attributes = attrs
            .attributes()
            .iter()
            .filter_map(|x| Some((x.key()?.to_string(), s(x.value()))))
            .collect();
        let tags = elb
            .describe_tags()
            .resource_arns(arn)
            .send()
            .await
            .map_err(failed("ELBv2", "DescribeTags"))?;
        a.tags = tags
            .tag_descriptions()
            .iter()
            .flat_map(|d| d.tags())
            .filter_map(|t| Some((t.key()?.to_string(), s(t.value()))))
            .collect();
        let listeners: Vec<_> = elb
            .describe_listeners()
            .load_balancer_arn(arn)
            .into_paginator()
            .items()
            .send()
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<Result<_, _>>()
            .map_err(failed("ELBv2", "DescribeListeners"))?;
        for l in &listeners {
            let protocol = l
                .protocol()
                .map(|p| p.as_str().to_string())
                .unwrap_or_default();
            let tls = protocol == "TLS";
            let port = i64::from(l.port().unwrap_or_default());
            a.listeners.insert(
                port,
                ActualListener {
                    arn: s(l.listener_arn()),
                    port,
                    certificate_arn: l
                        .certificates()
                        .first()
                        .and_then(|c| c.certificate_arn())
                        .map(String::from),
                    ssl_policy: l.ssl_policy().filter(|_| tls).map(String::from),
                    target_group_arn: forward_target(l.default_actions()),
                    idle_timeout: None,
                    protocol,
                },
            );
        }
        let groups: Vec<_> = elb
            .describe_target_groups()
            .load_balancer_arn(arn)
            .into_paginator()
            .items()
            .send()
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<Result<_, _>>()
            .map_err(failed("ELBv2", "DescribeTargetGroups"))?;
        for g in &groups {
            let g = group_of(g);
            a.groups.insert(g.arn.clone(), g);
        }
        for tg in known_groups {
            if a.groups.contains_key(tg) {
                continue;
            }
            match elb
                .describe_target_groups()
                .target_group_arns(tg)
                .send()
                .await
            {
                Ok(o) => {
                    for g in o.target_groups() {
                        let g = group_of(g);
                        a.groups.insert(g.arn.clone(), g);
                    }
                }
                Err(e) if is_not_found(code_of(&e)) => {}
                Err(e) => return Err(failed("ELBv2", "DescribeTargetGroups")(e)),
            }
        }
        for g in a.groups.values_mut() {
            let attrs = elb
                .describe_target_group_attributes()
                .target_group_arn(&g.arn)
                .send()
                .await
                .map_err(failed("ELBv2", "DescribeTargetGroupAttributes"))?;
            for x in attrs.attributes() {
                match (x.key(), x.value()) {
                    (Some("deregistration_delay.timeout_seconds"), Some(v)) => {
                        g.deregistration_delay = v.parse().unwrap_or(300);
                    }
                    (Some("deregistration_delay.connection_termination.enabled"), Some(v)) => {
                        g.connection_termination = v == "true";
                    }
                    _ => {}
                }
            }
        }
        for l in a.listeners.values_mut() {
            let carries_tcp = matches!(l.protocol.as_str(), "TCP" | "TCP_UDP" | "TCP_QUIC");
            if !carries_tcp {
                continue;
            }
            let attrs = elb
                .describe_listener_attributes()
                .listener_arn(&l.arn)
                .send()
                .await
                .map_err(failed("ELBv2", "DescribeListenerAttributes"))?;
            l.idle_timeout = attrs
                .attributes()
                .iter()
                .find(|x| x.key() == Some("tcp.idle_timeout.seconds"))
                .and_then(|x| x.value()?.parse().ok());
        }
        Ok(Some(a))
    }
}

/// The target group a listener's default action forwards to.
pub fn forward_target(actions: &[aws_sdk_elasticloadbalancingv2::types::Action]) -> Option<String> {
    actions.iter().find_map(|a| {
        a.target_group_arn().map(String::from).or_else(|| {
            a.forward_config()?
                .target_groups()
                .first()?
                .target_group_arn()
                .map(String::from)
        })
    })
}
