//! Plan-time values and checks: the port, id and QUIC server ID from the target
//! group (one DescribeTargetGroups, then kept in private state), and AWS's rule for
//! `ip` targets, checked at plan time. CreateTargetGroup, TargetType
//! `ip`: "You can specify IP addresses from the subnets of the virtual private cloud
//! (VPC) for the target group, the RFC 1918 range (10.0.0.0/8, 172.16.0.0/12, and
//! 192.168.0.0/16), and the RFC 6598 range (100.64.0.0/10). You can't specify
//! publicly routable IP addresses." An IPv4 address in those ranges needs no AWS
//! call; any other address (every IPv6 one) must be in a subnet of the group's VPC,
//! which costs two Describe calls, made only when the target is new or changes.

use super::aws::Targets;
use super::model::{self, GroupInfo, TargetModel};
use super::{DEFAULT_TIMEOUT, QuicTarget};
use crate::aws::ec2::filter;
use crate::aws::{code_of, failed, is_not_found};
use std::net::IpAddr;
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::framework::{Operation, Plan};
use tfplugin::value::{Attr, AttributePath};

const PRIVATE_RANGES: [&str; 4] = [
    "10.0.0.0/8",
    "100.64.0.0/10",
    "172.16.0.0/12",
    "192.168.0.0/16",
];

/// Whether `addr` is in the block `cidr` (IPv4 or IPv6; false when malformed).
pub fn in_block(addr: IpAddr, cidr: &str) -> bool {
    let Some((net, len)) = cidr.split_once('/') else {
        return false;
    };
    let (Ok(net), Ok(len)) = (net.parse::<IpAddr>(), len.parse::<u32>()) else {
        return false;
    };
    match (addr, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) if len <= 32 => {
            let mask = u32::MAX.checked_shl(32 - len).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) if len <= 128 => {
            let mask = u128::MAX.checked_shl(128 - len).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

/// Whether `addr` can only be registered from the group's VPC subnets (it is not
/// in the private IPv4 ranges AWS accepts anywhere).
pub fn needs_vpc(addr: IpAddr) -> bool {
    !PRIVATE_RANGES.iter().any(|r| in_block(addr, r))
}

/// The error for an address in neither the ranges nor the VPC's subnets.
pub fn refused(addr: IpAddr, vpc_id: &str) -> Diagnostic {
    Diagnostic::error(
        "IP target outside the target group's VPC",
        format!(
            "AWS registers ip targets from the subnets of the target group's VPC ({vpc_id}) or from 10.0.0.0/8, 100.64.0.0/10, 172.16.0.0/12 and 192.168.0.0/16, never other publicly routable addresses (CreateTargetGroup, TargetType ip); {addr} is in none of them. Use an address of one of the VPC's subnets, e.g. from trustchain_ipv6_network's subnets."
        ),
    )
    .at(AttributePath::root().attr("target_id"))
}

impl Targets<'_> {
    /// The VPC of target group `tg` and the IPv4 and IPv6 blocks of its subnets;
    /// `None` when the group does not exist.
    pub async fn vpc_blocks(&self, tg: &str) -> Result<Option<(String, Vec<String>)>, Diagnostics> {
        let groups = match self
            .c
            .elbv2
            .describe_target_groups()
            .target_group_arns(tg)
            .send()
            .await
        {
            Ok(o) => o,
            Err(e) if is_not_found(code_of(&e)) => return Ok(None),
            Err(e) => return Err(failed("ELBv2", "DescribeTargetGroups")(e)),
        };
        let Some(vpc_id) = groups
            .target_groups()
            .first()
            .and_then(|g| g.vpc_id())
            .map(String::from)
        else {
            return Ok(None);
        };
        let subnets: Vec<_> = self
            .c
            .ec2
            .describe_subnets()
            .filters(filter("vpc-id", &vpc_id))
            .into_paginator()
            .items()
            .send()
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<Result<_, _>>()
            .map_err(failed("EC2", "DescribeSubnets"))?;
        let blocks = subnets
            .iter()
            .flat_map(|s| {
                let v6 = s
                    .ipv6_cidr_block_association_set()
                    .iter()
                    .filter_map(|a| a.ipv6_cidr_block().map(String::from));
                s.cidr_block().map(String::from).into_iter().chain(v6)
            })
            .collect();
        Ok(Some((vpc_id, blocks)))
    }
}

impl QuicTarget {
    /// The resource's `modify_plan`, after the framework's default planning: the
    /// port and id, the QUIC server ID (derived for QUIC groups, refused for others)
    /// from the group's protocol (one DescribeTargetGroups, then kept in private
    /// state), and AWS's rule for ip targets.
    pub(super) async fn plan(&self, plan: &mut Plan<TargetModel>) {
        let tg = plan.planned.target_group_arn.known().cloned();
        let info = match &tg {
            None => None,
            Some(tg) => match GroupInfo::from_private(&plan.private, tg) {
                Some(i) => Some(i),
                None => self.plan_group(tg, &mut plan.diagnostics).await,
            },
        };
        if let Some(i) = &info {
            plan.private = i.to_private();
        }
        let keep_prior = !plan.is_replacing();
        if plan.config.port.is_null() {
            plan.planned.port = match (&plan.prior, &info) {
                (Some(p), _) if keep_prior && p.port.is_known() => p.port.clone(),
                (_, Some(i)) => Attr::Known(i.port),
                _ => Attr::Unknown,
            };
        }
        let p = &mut plan.planned;
        let target = p.target_id.known().cloned();
        let port = p.port.known().copied();
        p.id = match (&tg, &target, port) {
            (Some(tg), Some(t), Some(port)) => Attr::Known(model::id_of(tg, t, port)),
            _ => Attr::Unknown,
        };
        p.quic_server_id = match (&plan.config.quic_server_id, &info) {
            (Attr::Known(s), Some(i)) => {
                if !i.is_quic() {
                    plan.diagnostics.extend(super::refused(i));
                }
                Attr::Known(s.clone())
            }
            (Attr::Known(s), None) => Attr::Known(s.clone()),
            (Attr::Null, Some(i)) if i.is_quic() => match (&target, port) {
                (Some(t), Some(port)) => Attr::Known(model::derived_server_id(t, port)),
                _ => Attr::Unknown,
            },
            (Attr::Null, Some(_)) => Attr::Null,
            _ => Attr::Unknown,
        };
        self.check_ip_target(plan).await;
    }

    /// The group's protocol at plan time; `None` (with a warning) when AWS cannot
    /// be asked, so the rule is checked at apply instead.
    /// AWS's rule for ip targets (`ip_rule`), for a new or changed address target.
    async fn check_ip_target(&self, plan: &mut Plan<TargetModel>) {
        let Some(addr) = plan
            .planned
            .target_id
            .known()
            .and_then(|t| t.parse::<IpAddr>().ok())
        else {
            return;
        };
        let unchanged = plan.prior.as_ref().is_some_and(|p| {
            p.target_id == plan.planned.target_id
                && p.target_group_arn == plan.planned.target_group_arn
        });
        if unchanged || !needs_vpc(addr) {
            return;
        }
        let Some(tg) = plan.planned.target_group_arn.known().cloned() else {
            return;
        };
        let Ok(clients) = self.data.clients().await else {
            return;
        };
        let t = self.targets(&clients, DEFAULT_TIMEOUT, Operation::Read);
        match t.vpc_blocks(&tg).await {
            Ok(Some((vpc, blocks))) => {
                if !blocks.iter().any(|b| in_block(addr, b)) {
                    plan.diagnostics.push(refused(addr, &vpc));
                }
            }
            // A missing group is reported by plan_group.
            Ok(None) => {}
            Err(d) => {
                let why = d
                    .iter()
                    .next()
                    .map(|x| x.detail.clone())
                    .unwrap_or_default();
                plan.diagnostics.warning(
                    "Could not read the target group's VPC at plan time",
                    format!(
                        "Whether {addr} may be registered is checked by AWS at apply instead: {why}"
                    ),
                );
            }
        }
    }

    async fn plan_group(&self, tg: &str, diags: &mut Diagnostics) -> Option<GroupInfo> {
        let clients = self.data.clients().await.ok()?;
        let t = self.targets(&clients, DEFAULT_TIMEOUT, Operation::Read);
        match t.group(tg).await {
            Ok(Some(info)) => Some(info),
            Ok(None) => {
                diags.error_at(
                    AttributePath::root().attr("target_group_arn"),
                    "Target group not found",
                    format!("{tg} does not exist in {}; refer to a listener's group, e.g. trustchain_quic_load_balancer.this.listeners[\"8853\"].target_group_arn.", clients.region),
                );
                None
            }
            Err(d) => {
                let why = d
                    .iter()
                    .next()
                    .map(|x| x.detail.clone())
                    .unwrap_or_default();
                diags.warning(
                    "Could not read the target group at plan time",
                    format!(
                        "Whether {tg} needs a QUIC server ID is checked at apply instead: {why}"
                    ),
                );
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("address")
    }

    #[test]
    fn the_private_ranges_need_no_vpc_every_other_address_does() {
        for private in [
            "10.1.2.3",
            "100.64.0.9",
            "100.127.255.254",
            "172.31.0.1",
            "192.168.9.9",
        ] {
            assert!(!needs_vpc(ip(private)), "{private}");
        }
        for other in [
            "100.128.0.1",
            "172.32.0.1",
            "198.51.100.7",
            "8.8.8.8",
            "2600:1f18::10",
            "fd00::1",
        ] {
            assert!(needs_vpc(ip(other)), "{other}");
        }
    }

    #[test]
    fn blocks_contain_their_addresses_of_the_same_family_only() {
        assert!(in_block(ip("2600:1f18:1:2::10"), "2600:1f18:1:2::/64"));
        assert!(!in_block(ip("2600:1f18:1:3::10"), "2600:1f18:1:2::/64"));
        assert!(in_block(ip("198.51.100.7"), "198.51.100.0/24"));
        assert!(!in_block(ip("198.51.101.7"), "198.51.100.0/24"));
        assert!(!in_block(ip("10.0.0.1"), "::/0"));
        assert!(in_block(ip("10.0.0.1"), "0.0.0.0/0"));
        assert!(!in_block(ip("10.0.0.1"), "10.0.0.0/33"));
        assert!(!in_block(ip("2600:1f18:1:2::10"), "2600:1f18:1:2::/129"));
        assert!(in_block(ip("2600:1f18:1:2::10"), "2600:1f18:1:2::10/128"));
        assert!(in_block(ip("2600:1f18:1:2::10"), "::/0"));
        assert!(!in_block(ip("10.0.0.1"), "not a block"));
    }

    #[test]
    fn the_refusal_names_the_rule_the_vpc_and_the_fix_at_target_id() {
        let d = refused(ip("198.51.100.7"), "vpc-1");
        assert_eq!(
            d.attribute.map(|p| p.to_string()),
            Some("target_id".to_string())
        );
        for part in [
            "vpc-1",
            "198.51.100.7",
            "publicly routable",
            "10.0.0.0/8",
            "Use an address",
        ] {
            assert!(d.detail.contains(part), "{part}: {}", d.detail);
        }
    }

    // Planning against ELBv2 and EC2 answered by aws-smithy-mocks.
    use crate::resources::plan_testing;
    use aws_sdk_ec2::operation::describe_subnets::DescribeSubnetsOutput;
    use aws_sdk_ec2::types::{Subnet, SubnetIpv6CidrBlockAssociation};
    use aws_sdk_elasticloadbalancingv2::operation::describe_target_groups::{
        DescribeTargetGroupsError, DescribeTargetGroupsOutput,
    };
    use aws_sdk_elasticloadbalancingv2::types::{ProtocolEnum, TargetGroup};
    use aws_smithy_mocks::{Rule, RuleMode, mock};
    use aws_smithy_types::error::ErrorMetadata;
    use serde_json::{Value, json};

    const TG: &str =
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/dns/0123456789abcdef";
    const ADDR: &str = "2600:1f18:1:2::10";

    fn group(protocol: ProtocolEnum, port: i32) -> Rule {
        mock!(aws_sdk_elasticloadbalancingv2::Client::describe_target_groups).then_output(
            move || {
                DescribeTargetGroupsOutput::builder()
                    .target_groups(
                        TargetGroup::builder()
                            .target_group_arn(TG)
                            .protocol(protocol.clone())
                            .port(port)
                            .vpc_id("vpc-1")
                            .build(),
                    )
                    .build()
            },
        )
    }

    fn no_group() -> Rule {
        mock!(aws_sdk_elasticloadbalancingv2::Client::describe_target_groups).then_error(|| {
            DescribeTargetGroupsError::generic(
                ErrorMetadata::builder()
                    .code("TargetGroupNotFound")
                    .message("One or more target groups not found")
                    .build(),
            )
        })
    }

    /// The VPC's one subnet: 10.0.1.0/24 and 2600:1f18:1:1::/64.
    fn subnets() -> Rule {
        mock!(aws_sdk_ec2::Client::describe_subnets).then_output(|| {
            DescribeSubnetsOutput::builder()
                .subnets(
                    Subnet::builder()
                        .subnet_id("subnet-a")
                        .vpc_id("vpc-1")
                        .cidr_block("10.0.1.0/24")
                        .ipv6_cidr_block_association_set(
                            SubnetIpv6CidrBlockAssociation::builder()
                                .ipv6_cidr_block("2600:1f18:1:1::/64")
                                .build(),
                        )
                        .build(),
                )
                .build()
        })
    }

    fn target(elbv2: &[&Rule], ec2: &[&Rule]) -> super::super::QuicTarget {
        let mut clients = crate::aws::testing::clients_with_cloudhsm(&[]);
        clients.services.elbv2 = crate::aws::testing::elbv2_client(elbv2);
        clients.services.ec2 = crate::aws::testing::ec2_client(RuleMode::MatchAny, ec2, 0);
        super::super::QuicTarget::new(crate::aws::ProviderData::with_clients(clients))
    }

    fn config(target_id: &str) -> Value {
        json!({"target_group_arn": TG, "target_id": target_id})
    }

    async fn plan(
        r: super::super::QuicTarget,
        prior: Option<&Value>,
        config: &Value,
    ) -> plan_testing::Planned<TargetModel> {
        plan_testing::plan(r, prior, config, &[]).await
    }

    #[tokio::test]
    async fn a_quic_group_gives_the_port_the_id_and_a_derived_server_id() {
        let (g, s) = (group(ProtocolEnum::Quic, 853), subnets());
        let p = plan(target(&[&g], &[&s]), None, &config("10.0.1.7")).await;
        assert!(p.summaries().is_empty(), "{:?}", p.summaries());
        assert_eq!(p.model.port.known(), Some(&853));
        assert_eq!(
            p.model.id.known().map(String::as_str),
            Some(format!("{TG}/10.0.1.7/853").as_str())
        );
        assert_eq!(
            p.model.quic_server_id.known(),
            Some(&model::derived_server_id("10.0.1.7", 853))
        );
        // A private IPv4 address needs no VPC lookup.
        assert_eq!((g.num_calls(), s.num_calls()), (1, 0));
        // A configured port wins over the group's.
        let mut c = config("10.0.1.7");
        c["port"] = json!(8853);
        let p = plan(target(&[&g], &[&s]), None, &c).await;
        assert_eq!(p.model.port.known(), Some(&8853));
    }

    #[tokio::test]
    async fn a_non_quic_group_plans_no_server_id_and_refuses_one() {
        let g = group(ProtocolEnum::Tcp, 53);
        let p = plan(target(&[&g], &[]), None, &config("10.0.1.7")).await;
        assert!(p.summaries().is_empty(), "{:?}", p.summaries());
        assert!(p.model.quic_server_id.is_null());
        let mut c = config("10.0.1.7");
        c["quic_server_id"] = json!("0x0123456789abcdef");
        let p = plan(target(&[&g], &[]), None, &c).await;
        assert_eq!(
            p.summaries(),
            [(
                "QUIC server ID on a non-QUIC target group".to_string(),
                "quic_server_id".to_string()
            )]
        );
    }

    #[tokio::test]
    async fn a_target_group_that_does_not_exist_is_an_error_at_its_arn() {
        let g = no_group();
        let p = plan(target(&[&g], &[]), None, &config("10.0.1.7")).await;
        assert_eq!(
            p.summaries(),
            [(
                "Target group not found".to_string(),
                "target_group_arn".to_string()
            )]
        );
        assert!(!p.model.port.is_known());
    }

    fn denied() -> Rule {
        mock!(aws_sdk_elasticloadbalancingv2::Client::describe_target_groups).then_error(|| {
            DescribeTargetGroupsError::generic(
                ErrorMetadata::builder()
                    .code("AccessDenied")
                    .message("not authorized to perform: elasticloadbalancing:DescribeTargetGroups")
                    .build(),
            )
        })
    }

    #[tokio::test]
    async fn a_missing_group_is_one_error_and_an_unreadable_one_two_warnings() {
        // A public address would need the group's VPC; a missing group is reported once.
        let g = no_group();
        let p = plan(target(&[&g], &[]), None, &config(ADDR)).await;
        assert_eq!(
            p.summaries(),
            [(
                "Target group not found".to_string(),
                "target_group_arn".to_string()
            )]
        );
        // Not allowed to read it: both plan-time checks say they are left to AWS at apply.
        let g = denied();
        let p = plan(target(&[&g], &[]), None, &config(ADDR)).await;
        assert!(!p.diagnostics.has_errors(), "{:?}", p.summaries());
        let warnings: Vec<String> = p.summaries().into_iter().map(|(s, _)| s).collect();
        assert_eq!(
            warnings,
            [
                "Could not read the target group at plan time",
                "Could not read the target group's VPC at plan time"
            ]
        );
    }

    #[tokio::test]
    async fn a_replacement_takes_the_new_groups_port_and_an_unknown_group_keeps_the_set_server_id()
    {
        // A new target_id replaces the registration: its port comes from the group again.
        let g = group(ProtocolEnum::Quic, 853);
        let prior = json!({"id": format!("{TG}/10.0.1.7/8853"), "target_group_arn": TG,
                           "target_id": "10.0.1.7", "port": 8853,
                           "quic_server_id": model::derived_server_id("10.0.1.7", 8853)});
        let p = plan(target(&[&g], &[]), Some(&prior), &config("10.0.1.8")).await;
        assert_eq!(p.replaced(), ["target_id"]);
        assert_eq!(p.model.port.known(), Some(&853));
        // The group is made in the same apply: a configured server ID is planned as given.
        let mut c = config("10.0.1.7");
        c["quic_server_id"] = json!("0x0123456789abcdef");
        let g2 = group(ProtocolEnum::Quic, 853);
        let p = plan_testing::plan(
            target(&[&g2], &[]),
            None,
            &c,
            &[tfplugin::value::AttributePath::root().attr("target_group_arn")],
        )
        .await;
        assert_eq!(g2.num_calls(), 0);
        assert_eq!(
            p.model.quic_server_id.known().map(String::as_str),
            Some("0x0123456789abcdef")
        );
    }

    #[tokio::test]
    async fn a_public_address_must_be_in_a_subnet_of_the_groups_vpc() {
        let (g, s) = (group(ProtocolEnum::Quic, 853), subnets());
        let p = plan(target(&[&g], &[&s]), None, &config("2600:1f18:1:1::10")).await;
        assert!(p.summaries().is_empty(), "{:?}", p.summaries());
        assert_eq!(s.num_calls(), 1);
        let p = plan(target(&[&g], &[&s]), None, &config(ADDR)).await;
        assert_eq!(
            p.summaries(),
            [(
                "IP target outside the target group's VPC".to_string(),
                "target_id".to_string()
            )]
        );
        let detail = &p.diagnostics.iter().next().expect("one").detail;
        assert!(
            detail.contains("vpc-1") && detail.contains(ADDR),
            "{detail}"
        );
    }

    #[tokio::test]
    async fn an_unchanged_target_keeps_its_port_and_is_not_checked_again() {
        let (g, s) = (group(ProtocolEnum::Quic, 853), subnets());
        let prior = json!({"id": format!("{TG}/{ADDR}/853"), "target_group_arn": TG,
                           "target_id": ADDR, "port": 853,
                           "quic_server_id": model::derived_server_id(ADDR, 853)});
        let p = plan(target(&[&g], &[&s]), Some(&prior), &config(ADDR)).await;
        assert!(p.summaries().is_empty(), "{:?}", p.summaries());
        assert_eq!(
            s.num_calls(),
            0,
            "the registered address is not looked up again"
        );
        assert_eq!(p.model.port.known(), Some(&853));
        assert_eq!(
            p.model.id.known().map(String::as_str),
            Some(format!("{TG}/{ADDR}/853").as_str())
        );
        // The registered port stays when the configuration leaves it unset, whatever the
        // group's port is now.
        let mut moved = prior.clone();
        moved["port"] = json!(8853);
        moved["id"] = json!(format!("{TG}/{ADDR}/8853"));
        let p = plan(target(&[&g], &[&s]), Some(&moved), &config(ADDR)).await;
        assert_eq!(p.model.port.known(), Some(&8853));
        // Another address outside the VPC: checked, refused.
        let p = plan(
            target(&[&g], &[&s]),
            Some(&prior),
            &config("2600:1f18:9::1"),
        )
        .await;
        assert!(
            p.summaries().contains(&(
                "IP target outside the target group's VPC".to_string(),
                "target_id".to_string()
            )),
            "{:?}",
            p.summaries()
        );
    }
}
