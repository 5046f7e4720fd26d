//! The network's routes in its route tables: its default routes and NAT64 routes
//! are made, replaced and removed; every other route (see `ownership`) stays as
//! it is. Where another tool's static route holds a destination the network wants,
//! the network leaves it and says so in a warning.

use super::super::model::{Kind, Tier};
use super::discovery::{Ec2, Tagged};
use super::ownership::{Destination, RouteInfo, foreign_at, is_owned};
use crate::aws::retry::while_not_found;
use crate::aws::{code_of, failed};
use std::collections::BTreeSet;
use tfplugin::diag::{Diagnostic, Diagnostics};

/// (destination, target) of the default routes a tier's table needs.
pub fn default_routes(
    t: &Tier,
    igw: Option<&Tagged>,
    eigw: Option<&Tagged>,
) -> Vec<(String, String)> {
    match (t.kind, igw, eigw) {
        (Kind::Public, Some(igw), _) => {
            let mut want = vec![("::/0".to_string(), igw.id.clone())];
            if !t.ipv6_native {
                want.push(("0.0.0.0/0".into(), igw.id.clone()));
            }
            want
        }
        (Kind::Private, _, Some(eigw)) => vec![("::/0".into(), eigw.id.clone())],
        _ => Vec::new(),
    }
}

/// The route tables' view of one pass: which table, its routes, which of the
/// network's destinations this pass manages.
pub struct TableRoutes<'a> {
    pub table_id: &'a str,
    pub tier: &'a str,
    pub routes: &'a [RouteInfo],
    pub gateways: &'a BTreeSet<String>,
}

impl Ec2<'_> {
    /// Makes the network's routes at the destinations `in_scope` accepts equal
    /// `want`: its own routes that are not wanted go, missing ones are created,
    /// other tools' routes stay (a warning when one holds a wanted destination).
    pub async fn converge_routes(
        &self,
        table: &TableRoutes<'_>,
        want: &[(String, String)],
        in_scope: impl Fn(&str) -> bool,
        warnings: &mut Diagnostics,
    ) -> Result<(), Diagnostics> {
        let wanted = |r: &RouteInfo| {
            r.destination
                .cidr()
                .is_some_and(|c| want.iter().any(|(d, t)| d == c && t == &r.target))
        };
        let mut kept: Vec<&RouteInfo> = Vec::new();
        for r in table.routes {
            let in_scope = r.destination.cidr().is_some_and(&in_scope);
            if !in_scope || !is_owned(r, table.gateways) {
                continue;
            }
            if wanted(r) && !r.blackhole {
                kept.push(r);
            } else {
                self.delete_route(table.table_id, &r.destination).await?;
            }
        }
        for (dest, target) in want {
            if kept.iter().any(|r| r.goes_to(dest) && &r.target == target) {
                continue;
            }
            if let Some(foreign) = foreign_at(table.routes, dest, table.gateways) {
                warnings.push(Diagnostic::warning(
                    "A route the network did not make holds one of its destinations",
                    format!(
                        "Route table {} (tier {:?}) routes {dest} to {}, which this network did not create, so it is left in place and the tier's route to {target} is not made. Remove that route (or its hashicorp/aws resource) if the tier should use {target}; the next apply adds it.",
                        table.table_id, table.tier, foreign.target
                    ),
                ));
                continue;
            }
            self.create_route(table.table_id, dest, target).await?;
        }
        Ok(())
    }

    pub async fn create_route(
        &self,
        table_id: &str,
        dest: &str,
        target: &str,
    ) -> Result<(), Diagnostics> {
        let ec2 = &self.c.ec2;
        let route = || {
            let mut call = ec2.create_route().route_table_id(table_id);
            call = if dest.contains(':') {
                call.destination_ipv6_cidr_block(dest)
            } else {
                call.destination_cidr_block(dest)
            };
            call = if target.starts_with("eigw-") {
                call.egress_only_internet_gateway_id(target)
            } else if target.starts_with("nat-") {
                call.nat_gateway_id(target)
            } else {
                call.gateway_id(target)
            };
            call.send()
        };
        // The table or gateway may be moments old.
        while_not_found(&self.deadline, "CreateRoute", route)
            .await
            .map_err(failed("EC2", "CreateRoute"))?;
        Ok(())
    }

    pub async fn delete_route(
        &self,
        table_id: &str,
        dest: &Destination,
    ) -> Result<(), Diagnostics> {
        let call = self.c.ec2.delete_route().route_table_id(table_id);
        let call = match dest {
            Destination::Ipv4(c) => call.destination_cidr_block(c),
            Destination::Ipv6(c) => call.destination_ipv6_cidr_block(c),
            Destination::PrefixList(p) => call.destination_prefix_list_id(p),
        };
        match call.send().await {
            Ok(_) => Ok(()),
            Err(e) if code_of(&e) == "InvalidRoute.NotFound" => Ok(()),
            Err(e) => Err(failed("EC2", "DeleteRoute")(e)),
        }
    }
}
