//! One reconciliation for create and update: discover what exists in the VPC, then
//! create, modify and delete in AWS's dependency order (gateways, route tables and
//! routes, subnets, NAT64, then what is no longer wanted). Tags come from discovery,
//! so keeping them in step costs calls only where they differ. Only what the
//! network owns is changed (`ownership`): routes, associations and tags other
//! tools attach to its objects stay.

use super::super::model::{Desired, Kind, NAT64_PREFIX};
use super::discovery::{Ec2, RouteTableInfo, SubnetInfo, Tagged};
use super::ownership::owned_tags;
use super::routes::{TableRoutes, default_routes};
use crate::aws::failed;
use crate::aws::retry::{delete_when_free, while_not_found};
use crate::aws::tags::{Tags, ec2_tag_spec, sync_ec2};
use crate::ipv6::{self, Ipv6Cidr};
use aws_sdk_ec2::types::ResourceType;
use std::collections::{BTreeMap, BTreeSet};
use tfplugin::diag::{Diagnostic, Diagnostics};

impl Ec2<'_> {
    /// Brings the VPC's contents to the desired topology, in dependency order.
    /// `prior` is the topology of the prior state (on update): tag keys it set may
    /// be removed, others' never. Warnings (another tool's route where the network
    /// wanted its own) go to `warnings`.
    pub async fn converge(
        &self,
        vpc_id: &str,
        d: &Desired,
        prior: Option<&Desired>,
        warnings: &mut Diagnostics,
    ) -> Result<(), Diagnostics> {
        let ec2 = &self.c.ec2;
        let mut a = self.discover(vpc_id).await?.ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(
                "VPC not found",
                format!(
                    "{vpc_id} no longer exists; run terraform apply again to re-create the network."
                ),
            ))
        })?;
        let prefix = a
            .ipv6_cidr
            .as_deref()
            .and_then(|p| Ipv6Cidr::parse(p).ok())
            .ok_or_else(|| {
                Diagnostics::from(Diagnostic::error(
                    "VPC has no IPv6 block",
                    format!("{vpc_id} has no associated IPv6 CIDR block."),
                ))
            })?;

        // Tags of the VPC.
        sync_ec2(ec2, vpc_id, &a.vpc_tags, &d.vpc_tags(), &self.c.ignore_tags).await?;

        // The network's gateways: what its own routes may point at.
        let mut gateways: BTreeSet<String> = [&a.igw, &a.eigw]
            .into_iter()
            .flatten()
            .map(|g| g.id.clone())
            .chain(a.nat.iter().map(|n| n.id.clone()))
            .collect();

        // 1. Gateways.
        let igw_tags = d.igw_tags();
        let eigw_tags = d.eigw_tags(vpc_id);
        if d.needs_igw() && a.igw.is_none() {
            let out = ec2
                .create_internet_gateway()
                .tag_specifications(ec2_tag_spec(ResourceType::InternetGateway, &igw_tags))
                .send()
                .await
                .map_err(failed("EC2", "CreateInternetGateway"))?;
            let id = out
                .internet_gateway()
                .and_then(|g| g.internet_gateway_id())
                .unwrap_or("")
                .to_string();
            // Both are moments old; an unattached gateway is invisible to discovery,
            // so one that cannot be attached is deleted rather than left behind.
            let attached = while_not_found(&self.deadline, "AttachInternetGateway", || {
                ec2.attach_internet_gateway()
                    .internet_gateway_id(&id)
                    .vpc_id(vpc_id)
                    .send()
            })
            .await;
            if let Err(e) = attached {
                let diag = failed("EC2", "AttachInternetGateway")(e);
                if let Err(cleanup) = ec2
                    .delete_internet_gateway()
                    .internet_gateway_id(&id)
                    .send()
                    .await
                {
                    tracing::warn!(internet_gateway_id = %id, error = %cleanup, "could not delete the unattached internet gateway");
                }
                return Err(diag);
            }
            gateways.insert(id.clone());
            a.igw = Some(Tagged {
                id,
                tags: igw_tags.clone(),
            });
        }
        if d.needs_eigw() && a.eigw.is_none() {
            let out = while_not_found(&self.deadline, "CreateEgressOnlyInternetGateway", || {
                ec2.create_egress_only_internet_gateway()
                    .vpc_id(vpc_id)
                    .tag_specifications(ec2_tag_spec(
                        ResourceType::EgressOnlyInternetGateway,
                        &eigw_tags,
                    ))
                    .send()
            })
            .await
            .map_err(failed("EC2", "CreateEgressOnlyInternetGateway"))?;
            a.eigw = out
                .egress_only_internet_gateway()
                .and_then(|g| g.egress_only_internet_gateway_id())
                .map(|id| Tagged {
                    id: id.to_string(),
                    tags: eigw_tags.clone(),
                });
            gateways.extend(a.eigw.iter().map(|g| g.id.clone()));
        }

        // Gateways carry the network's tags too (kept in step on tag changes).
        if let Some(igw) = &a.igw {
            self.sync_owned(&igw.id, &igw.tags, &igw_tags, prior.map(Desired::igw_tags))
                .await?;
        }
        if let Some(eigw) = &a.eigw {
            let before = prior.map(|p| p.eigw_tags(vpc_id));
            self.sync_owned(&eigw.id, &eigw.tags, &eigw_tags, before)
                .await?;
        }

        // 2. Route tables per tier, with their default routes.
        for t in &d.tiers {
            let tags = d.route_table_tags(t);
            let before = prior.and_then(|p| p.tier(&t.name).map(|pt| p.route_table_tags(pt)));
            let rt = match a.route_tables.get(&t.name) {
                Some(rt) => {
                    self.sync_owned(&rt.id, &rt.tags, &tags, before).await?;
                    rt.clone()
                }
                None => {
                    let out = while_not_found(&self.deadline, "CreateRouteTable", || {
                        ec2.create_route_table()
                            .vpc_id(vpc_id)
                            .tag_specifications(ec2_tag_spec(ResourceType::RouteTable, &tags))
                            .send()
                    })
                    .await
                    .map_err(failed("EC2", "CreateRouteTable"))?;
                    let id = out
                        .route_table()
                        .and_then(|r| r.route_table_id())
                        .unwrap_or("")
                        .to_string();
                    let info = RouteTableInfo {
                        id,
                        tags: tags.clone(),
                        ..RouteTableInfo::default()
                    };
                    a.route_tables.insert(t.name.clone(), info.clone());
                    info
                }
            };
            let want = default_routes(t, a.igw.as_ref(), a.eigw.as_ref());
            let table = TableRoutes {
                table_id: &rt.id,
                tier: &t.name,
                routes: &rt.routes,
                gateways: &gateways,
            };
            // NAT64 routes are handled after the NAT gateway exists.
            self.converge_routes(&table, &want, |dest| dest != NAT64_PREFIX, warnings)
                .await?;
        }

        // 3. Subnets: delete what must go (wrong tier, zone, CIDR or nativeness),
        // create what is missing, then fix attributes one per call.
        let mut keep: BTreeMap<(String, String), SubnetInfo> = BTreeMap::new();
        for s in &a.subnets {
            let Some(tier_name) = &s.tier else { continue };
            let wanted = d.tiers.iter().find(|t| &t.name == tier_name).and_then(|t| {
                if !d.zones.contains(&s.zone) {
                    return None;
                }
                let az = ipv6::az_index(&s.zone).ok()?;
                let v6 = prefix.tier_subnet(t.index, az).ok()?.to_string();
                let v4 = d.ipv4_block(t, &s.zone).ok()?.map(|c| c.to_string());
                (s.ipv6_cidr.as_deref() == Some(v6.as_str())
                    && s.ipv4_cidr == v4
                    && s.ipv6_native == t.ipv6_native)
                    .then_some(())
            });
            let duplicate = keep.contains_key(&(tier_name.clone(), s.zone.clone()));
            if wanted.is_some() && !duplicate {
                keep.insert((tier_name.clone(), s.zone.clone()), s.clone());
            } else {
                self.delete_subnet(s, a.nat.as_ref()).await?;
            }
        }
        for t in &d.tiers {
            let rt_id = a
                .route_tables
                .get(&t.name)
                .map(|r| r.id.clone())
                .unwrap_or_default();
            for z in &d.zones {
                let key = (t.name.clone(), z.clone());
                let subnet = match keep.get(&key) {
                    Some(s) => s.clone(),
                    None => {
                        let s = self.create_subnet(vpc_id, d, t, z, &prefix).await?;
                        keep.insert(key, s.clone());
                        s
                    }
                };
                self.fix_subnet_attributes(&subnet, t).await?;
                let before = prior.and_then(|p| p.tier(&t.name).map(|pt| p.subnet_tags(pt, z)));
                self.sync_owned(&subnet.id, &subnet.tags, &d.subnet_tags(t, z), before)
                    .await?;
                // The subnet is the network's, so is its association, even when
                // someone moved it to another table.
                let associated = a.subnet_tables.get(&subnet.id).cloned();
                match associated {
                    Some((current_rt, _)) if current_rt == rt_id => {}
                    Some((_, assoc)) => {
                        while_not_found(&self.deadline, "ReplaceRouteTableAssociation", || {
                            ec2.replace_route_table_association()
                                .association_id(&assoc)
                                .route_table_id(&rt_id)
                                .send()
                        })
                        .await
                        .map_err(failed("EC2", "ReplaceRouteTableAssociation"))?;
                    }
                    None => {
                        while_not_found(&self.deadline, "AssociateRouteTable", || {
                            ec2.associate_route_table()
                                .route_table_id(&rt_id)
                                .subnet_id(&subnet.id)
                                .send()
                        })
                        .await
                        .map_err(failed("EC2", "AssociateRouteTable"))?;
                    }
                }
            }
        }

        // 4. NAT64.
        let host_subnet = d
            .nat_host()
            .and_then(|(t, z)| keep.get(&(t.name.clone(), z.clone())).map(|s| s.id.clone()));
        let nat_ok = match (&a.nat, &host_subnet) {
            (Some(n), Some(h)) => d.nat64 && &n.subnet_id == h,
            _ => false,
        };
        if !nat_ok && let Some(n) = a.nat.take() {
            self.delete_nat(&n.id).await?;
        }
        if !d.nat64 || !nat_ok {
            for eip in std::mem::take(&mut a.eips) {
                self.release_eip(&eip.id).await?;
            }
        }
        let nat_tags = d.nat_tags();
        let eip_tags = d.eip_tags(vpc_id);
        let nat_id = match (d.nat64, &a.nat, &host_subnet) {
            (false, _, _) | (true, None, None) => None,
            (true, Some(n), _) => {
                self.sync_owned(&n.id, &n.tags, &nat_tags, prior.map(Desired::nat_tags))
                    .await?;
                for eip in &a.eips {
                    let before = prior.map(|p| p.eip_tags(vpc_id));
                    self.sync_owned(&eip.id, &eip.tags, &eip_tags, before)
                        .await?;
                }
                Some(n.id.clone())
            }
            (true, None, Some(h)) => {
                let id = self.create_nat(h, &nat_tags, &eip_tags).await?;
                gateways.insert(id.clone());
                Some(id)
            }
        };
        let route_tables = self.route_tables(vpc_id).await?;
        for t in &d.tiers {
            let Some(rt) = route_tables.get(&t.name) else {
                continue;
            };
            let want: Vec<(String, String)> = match (&nat_id, t.kind, t.dns64) {
                (Some(n), Kind::Private | Kind::Isolated, true) => {
                    vec![(NAT64_PREFIX.to_string(), n.clone())]
                }
                _ => Vec::new(),
            };
            let table = TableRoutes {
                table_id: &rt.id,
                tier: &t.name,
                routes: &rt.routes,
                gateways: &gateways,
            };
            self.converge_routes(&table, &want, |dest| dest == NAT64_PREFIX, warnings)
                .await?;
        }

        // 5. Route tables of removed tiers, then gateways no longer needed.
        for (tier, rt) in &route_tables {
            if !d.tiers.iter().any(|t| &t.name == tier) {
                self.delete_route_table(rt).await?;
            }
        }
        if !d.needs_eigw()
            && let Some(eigw) = &a.eigw
        {
            delete_when_free(
                &self.deadline,
                "EC2",
                "DeleteEgressOnlyInternetGateway",
                || async {
                    ec2.delete_egress_only_internet_gateway()
                        .egress_only_internet_gateway_id(&eigw.id)
                        .send()
                        .await
                        .map(|_| ())
                },
            )
            .await?;
        }
        if !d.needs_igw()
            && let Some(igw) = &a.igw
        {
            self.delete_igw(vpc_id, &igw.id).await?;
        }
        Ok(())
    }

    /// Keeps the tags of an object inside the VPC in step, changing only keys the
    /// network sets now or set before (`before`); others' tags stay.
    async fn sync_owned(
        &self,
        id: &str,
        have: &Tags,
        want: &Tags,
        before: Option<Tags>,
    ) -> Result<(), Diagnostics> {
        let have = owned_tags(have, want, before.as_ref());
        sync_ec2(&self.c.ec2, id, &have, want, &self.c.ignore_tags).await
    }
}
