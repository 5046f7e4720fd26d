//! What exists in AWS: everything in the VPC the provider manages, tags included,
//! in at most seven Describe calls whatever the number of objects (paginated), the
//! independent ones in flight together. A refresh ([`Scope::State`]) makes five: it
//! skips the Elastic IPs (no attribute shows them; apply and destroy look them up)
//! and the NAT gateways unless the state or a route says there is one.

use super::super::model::{TAG_INDEX, TAG_KIND, TAG_NAT64, TAG_TIER, TAG_VPC};
use super::ownership::{Destination, RouteInfo};
use crate::aws::ec2::filter;
use crate::aws::tags::{Tags, ec2_tags};
use crate::aws::{Clients, Deadline, code_of, failed, is_not_found};
use aws_sdk_ec2::types::{Route, RouteTable, Subnet, Vpc};
use std::collections::BTreeMap;
use tfplugin::diag::Diagnostics;

/// An object known by id, with the tags AWS holds for it.
#[derive(Clone, Debug, Default)]
pub struct Tagged {
    pub id: String,
    pub tags: Tags,
}

#[derive(Clone, Debug, Default)]
pub struct Actual {
    pub vpc_id: String,
    pub owner: String,
    pub ipv4_cidr: String,
    pub ipv6_cidr: Option<String>,
    pub ipv6_pool: Option<String>,
    pub vpc_tags: Tags,
    pub igw: Option<Tagged>,
    pub eigw: Option<Tagged>,
    /// Route tables by tier name (the provider's tag).
    pub route_tables: BTreeMap<String, RouteTableInfo>,
    /// Subnet id -> (route table id, association id), over every route table of the
    /// VPC: a subnet of the network may have been associated with another's table.
    pub subnet_tables: BTreeMap<String, (String, String)>,
    pub subnets: Vec<SubnetInfo>,
    pub nat: Option<NatInfo>,
    /// Elastic IPs the provider allocated for this VPC.
    pub eips: Vec<Tagged>,
}

#[derive(Clone, Debug, Default)]
pub struct RouteTableInfo {
    pub id: String,
    pub kind: Option<String>,
    pub index: Option<i64>,
    /// Every route but the local ones, whoever made it.
    pub routes: Vec<RouteInfo>,
    pub associations: BTreeMap<String, String>,
    pub tags: Tags,
}

#[derive(Clone, Debug, Default)]
pub struct SubnetInfo {
    pub id: String,
    pub tier: Option<String>,
    pub zone: String,
    pub ipv6_cidr: Option<String>,
    pub ipv4_cidr: Option<String>,
    pub ipv6_native: bool,
    pub dns64: bool,
    pub aaaa: bool,
    pub hostname_type: String,
    pub assign_ipv6: bool,
    pub tags: Tags,
}

#[derive(Clone, Debug, Default)]
pub struct NatInfo {
    pub id: String,
    pub subnet_id: String,
    pub tags: Tags,
}

/// What a discovery looks up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Everything the network owns: what apply, destroy and import work from.
    Full,
    /// What the state shows: no Elastic IPs, and the NAT gateways only when the state
    /// (or configuration) has one or a route table routes to one.
    State { nat_expected: bool },
}

/// EC2 operations of one network for one operation, with its deadline.
pub struct Ec2<'a> {
    pub c: &'a Clients,
    pub deadline: Deadline,
}

impl Ec2<'_> {
    /// Everything in the VPC the provider manages; `None` when the VPC is gone.
    pub async fn discover(&self, vpc_id: &str) -> Result<Option<Actual>, Diagnostics> {
        self.discover_scoped(vpc_id, Scope::Full).await
    }

    /// What `scope` needs of the VPC; `None` when the VPC is gone. The VPC comes
    /// first (a gone VPC costs one call); the gateways, route tables and subnets are
    /// then described together, and the NAT gateways and Elastic IPs with them when
    /// the scope needs them whatever the routes say.
    pub async fn discover_scoped(
        &self,
        vpc_id: &str,
        scope: Scope,
    ) -> Result<Option<Actual>, Diagnostics> {
        let Some(vpc) = self.find_vpc(vpc_id).await? else {
            return Ok(None);
        };
        let mut a = Actual {
            vpc_id: vpc_id.to_string(),
            owner: vpc.owner_id().unwrap_or("").to_string(),
            ipv4_cidr: vpc.cidr_block().unwrap_or("").to_string(),
            vpc_tags: ec2_tags(vpc.tags()),
            ..Actual::default()
        };
        (a.ipv6_cidr, a.ipv6_pool) = ipv6_of(&vpc);
        let nat_first = match scope {
            Scope::Full => true,
            Scope::State { nat_expected } => nat_expected,
        };
        let eips = scope == Scope::Full;
        let (igw, eigw, rts, subnets, nat, addresses) = tokio::try_join!(
            self.find_igw(vpc_id),
            self.find_eigw(vpc_id),
            self.find_route_tables(vpc_id),
            self.find_subnets(vpc_id),
            async {
                match nat_first {
                    true => self.find_nat(vpc_id).await.map(Some),
                    false => Ok(None),
                }
            },
            async {
                match eips {
                    true => self.find_eips(vpc_id).await,
                    false => Ok(Vec::new()),
                }
            },
        )?;
        a.igw = igw;
        a.eigw = eigw;
        a.route_tables = route_tables_of(&rts);
        a.subnet_tables = subnet_tables_of(&rts);
        a.subnets = subnets.iter().map(subnet_of).collect();
        a.eips = addresses;
        a.nat = match nat {
            Some(n) => n,
            // A NAT64 gateway the state does not know shows as a route to it.
            None if a
                .route_tables
                .values()
                .any(|rt| rt.routes.iter().any(|r| r.target.starts_with("nat-"))) =>
            {
                self.find_nat(vpc_id).await?
            }
            None => None,
        };
        Ok(Some(a))
    }

    /// The VPC alone (one call); `None` when it is gone.
    pub async fn find_vpc(&self, vpc_id: &str) -> Result<Option<Vpc>, Diagnostics> {
        match self.c.ec2.describe_vpcs().vpc_ids(vpc_id).send().await {
            Ok(o) => Ok(o.vpcs().first().cloned()),
            Err(e) if is_not_found(code_of(&e)) => Ok(None),
            Err(e) => Err(failed("EC2", "DescribeVpcs")(e)),
        }
    }

    /// The VPC's IPv6 block once associated (one call).
    pub async fn vpc_ipv6_cidr(&self, vpc_id: &str) -> Result<Option<String>, Diagnostics> {
        Ok(self.find_vpc(vpc_id).await?.and_then(|v| ipv6_of(&v).0))
    }

    async fn find_igw(&self, vpc_id: &str) -> Result<Option<Tagged>, Diagnostics> {
        let igws = self
            .c
            .ec2
            .describe_internet_gateways()
            .filters(filter("attachment.vpc-id", vpc_id))
            .send()
            .await
            .map_err(failed("EC2", "DescribeInternetGateways"))?;
        Ok(igws.internet_gateways().first().map(|g| Tagged {
            id: g.internet_gateway_id().unwrap_or("").to_string(),
            tags: ec2_tags(g.tags()),
        }))
    }

    async fn find_eigw(&self, vpc_id: &str) -> Result<Option<Tagged>, Diagnostics> {
        // Egress-only gateways have no VPC filter: narrow by the provider's tag,
        // page through, and check the attachment.
        let eigws: Vec<_> = self
            .c
            .ec2
            .describe_egress_only_internet_gateways()
            .filters(filter(&format!("tag:{TAG_VPC}"), vpc_id))
            .into_paginator()
            .items()
            .send()
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<Result<_, _>>()
            .map_err(failed("EC2", "DescribeEgressOnlyInternetGateways"))?;
        Ok(eigws
            .iter()
            .find(|g| g.attachments().iter().any(|at| at.vpc_id() == Some(vpc_id)))
            .map(|g| Tagged {
                id: g
                    .egress_only_internet_gateway_id()
                    .unwrap_or("")
                    .to_string(),
                tags: ec2_tags(g.tags()),
            }))
    }

    async fn find_route_tables(&self, vpc_id: &str) -> Result<Vec<RouteTable>, Diagnostics> {
        self.c
            .ec2
            .describe_route_tables()
            .filters(filter("vpc-id", vpc_id))
            .into_paginator()
            .items()
            .send()
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<Result<_, _>>()
            .map_err(failed("EC2", "DescribeRouteTables"))
    }

    /// The provider's route tables by tier (one paged call).
    pub async fn route_tables(
        &self,
        vpc_id: &str,
    ) -> Result<BTreeMap<String, RouteTableInfo>, Diagnostics> {
        Ok(route_tables_of(&self.find_route_tables(vpc_id).await?))
    }

    async fn find_subnets(&self, vpc_id: &str) -> Result<Vec<Subnet>, Diagnostics> {
        self.c
            .ec2
            .describe_subnets()
            .filters(filter("vpc-id", vpc_id))
            .into_paginator()
            .items()
            .send()
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<Result<_, _>>()
            .map_err(failed("EC2", "DescribeSubnets"))
    }

    async fn find_nat(&self, vpc_id: &str) -> Result<Option<NatInfo>, Diagnostics> {
        let nats = self
            .c
            .ec2
            .describe_nat_gateways()
            .filter(filter("vpc-id", vpc_id))
            .send()
            .await
            .map_err(failed("EC2", "DescribeNatGateways"))?;
        Ok(nats
            .nat_gateways()
            .iter()
            .find(|n| {
                let live = !matches!(
                    n.state().map(|s| s.as_str()),
                    Some("deleted") | Some("deleting") | Some("failed")
                );
                live && ec2_tags(n.tags()).contains_key(TAG_NAT64)
            })
            .map(|n| NatInfo {
                id: n.nat_gateway_id().unwrap_or("").to_string(),
                subnet_id: n.subnet_id().unwrap_or("").to_string(),
                tags: ec2_tags(n.tags()),
            }))
    }

    async fn find_eips(&self, vpc_id: &str) -> Result<Vec<Tagged>, Diagnostics> {
        let eips = self
            .c
            .ec2
            .describe_addresses()
            .filters(filter(&format!("tag:{TAG_VPC}"), vpc_id))
            .send()
            .await
            .map_err(failed("EC2", "DescribeAddresses"))?;
        Ok(eips
            .addresses()
            .iter()
            .filter_map(|x| {
                Some(Tagged {
                    id: x.allocation_id()?.to_string(),
                    tags: ec2_tags(x.tags()),
                })
            })
            .collect())
    }
}

/// The associated IPv6 block of a VPC and its IPAM pool, if any.
fn ipv6_of(vpc: &Vpc) -> (Option<String>, Option<String>) {
    let Some(assoc) = vpc.ipv6_cidr_block_association_set().iter().find(|x| {
        x.ipv6_cidr_block_state()
            .and_then(|s| s.state())
            .map(|s| s.as_str())
            == Some("associated")
    }) else {
        return (None, None);
    };
    (
        assoc.ipv6_cidr_block().map(String::from),
        assoc
            .ipv6_pool()
            .filter(|p| p.starts_with("ipam-pool-"))
            .map(String::from),
    )
}

/// The provider's route tables (those with its tier tag), by tier.
fn route_tables_of(rts: &[RouteTable]) -> BTreeMap<String, RouteTableInfo> {
    let mut out = BTreeMap::new();
    for rt in rts {
        let tags = ec2_tags(rt.tags());
        let Some(tier) = tags.get(TAG_TIER).cloned() else {
            continue;
        };
        let mut info = RouteTableInfo {
            id: rt.route_table_id().unwrap_or("").to_string(),
            kind: tags.get(TAG_KIND).cloned(),
            index: tags.get(TAG_INDEX).and_then(|i| i.parse().ok()),
            tags,
            ..RouteTableInfo::default()
        };
        info.routes = rt.routes().iter().filter_map(route_of).collect();
        for assoc in rt.associations() {
            if let (Some(s), Some(id)) = (assoc.subnet_id(), assoc.route_table_association_id()) {
                info.associations.insert(s.to_string(), id.to_string());
            }
        }
        out.insert(tier, info);
    }
    out
}

/// Which route table each subnet is associated with, over all of the VPC's tables.
fn subnet_tables_of(rts: &[RouteTable]) -> BTreeMap<String, (String, String)> {
    rts.iter()
        .flat_map(|rt| {
            let table = rt.route_table_id().unwrap_or("").to_string();
            rt.associations().iter().filter_map(move |assoc| {
                Some((
                    assoc.subnet_id()?.to_string(),
                    (
                        table.clone(),
                        assoc.route_table_association_id()?.to_string(),
                    ),
                ))
            })
        })
        .collect()
}

/// A route as the network reads it; `None` for the local route.
fn route_of(r: &Route) -> Option<RouteInfo> {
    let destination = if let Some(c) = r.destination_ipv6_cidr_block() {
        Destination::Ipv6(c.to_string())
    } else if let Some(c) = r.destination_cidr_block() {
        Destination::Ipv4(c.to_string())
    } else {
        Destination::PrefixList(r.destination_prefix_list_id()?.to_string())
    };
    let target = [
        r.gateway_id(),
        r.egress_only_internet_gateway_id(),
        r.nat_gateway_id(),
        r.transit_gateway_id(),
        r.vpc_peering_connection_id(),
        r.network_interface_id(),
        r.instance_id(),
        r.carrier_gateway_id(),
        r.local_gateway_id(),
        r.core_network_arn(),
    ]
    .into_iter()
    .flatten()
    .next()
    .unwrap_or("")
    .to_string();
    if target == "local" {
        return None;
    }
    Some(RouteInfo {
        destination,
        target,
        origin: r
            .origin()
            .map(|o| o.as_str().to_string())
            .unwrap_or_default(),
        blackhole: r.state().map(|s| s.as_str()) == Some("blackhole"),
    })
}

fn subnet_of(s: &Subnet) -> SubnetInfo {
    let tags = ec2_tags(s.tags());
    let dns = s.private_dns_name_options_on_launch();
    SubnetInfo {
        id: s.subnet_id().unwrap_or("").to_string(),
        tier: tags.get(TAG_TIER).cloned(),
        zone: s.availability_zone().unwrap_or("").to_string(),
        ipv6_cidr: s
            .ipv6_cidr_block_association_set()
            .iter()
            .find(|x| {
                x.ipv6_cidr_block_state()
                    .and_then(|st| st.state())
                    .map(|st| st.as_str())
                    != Some("disassociated")
            })
            .and_then(|x| x.ipv6_cidr_block())
            .map(String::from),
        ipv4_cidr: s.cidr_block().filter(|c| !c.is_empty()).map(String::from),
        ipv6_native: s.ipv6_native().unwrap_or(false),
        dns64: s.enable_dns64().unwrap_or(false),
        aaaa: dns
            .and_then(|d| d.enable_resource_name_dns_aaaa_record())
            .unwrap_or(false),
        hostname_type: dns
            .and_then(|d| d.hostname_type())
            .map(|h| h.as_str().to_string())
            .unwrap_or_else(|| "ip-name".into()),
        assign_ipv6: s.assign_ipv6_address_on_creation().unwrap_or(false),
        tags,
    }
}
