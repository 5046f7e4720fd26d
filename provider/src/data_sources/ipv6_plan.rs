//! `trustchain_ipv6_plan`: an offline subnet plan for an IPv6 prefix, using the
//! same index scheme as `trustchain_ipv6_network` (see `crate::ipv6`).

use crate::ipv6::{self, PlanInputs};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tfplugin::diag::{DiagResult, Diagnostic, Diagnostics};
use tfplugin::framework::DataSource;
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::value::{Attr, AttributePath, Type};

pub struct Ipv6Plan;

/// Configuration and result; configuration values may be unknown at validation.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct PlanModel {
    prefix: Attr<String>,
    tiers: Attr<Vec<Attr<String>>>,
    availability_zones: Attr<Vec<Attr<String>>>,
    tier_indexes: Attr<BTreeMap<String, Attr<i64>>>,
    subnets: Attr<Vec<SubnetOut>>,
    cidr_blocks: Attr<BTreeMap<String, Vec<String>>>,
    tier_capacity: Attr<i64>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
struct SubnetOut {
    tier: String,
    tier_index: i64,
    availability_zone: String,
    az_index: i64,
    netnum: u64,
    ipv6_cidr_block: String,
}

const DESCRIPTION: &str = "Plans IPv6 /64 subnets for tiers across availability zones, offline.\n\n\
Index scheme (shared with `trustchain_ipv6_network` and `provider::trustchain::ipv6_tier_subnet`): \
the subnet number inside `prefix` is `tier_index * 16 + az_index`, where `az_index` is the zone name's \
final letter (`a` = 0 ... `p` = 15) and `tier_index` is the tier's position in `tiers` unless \
`tier_indexes` sets it. Adding zones, or appending tiers, never renumbers an existing subnet. \
A /56 holds 16 tiers; every bit shorter doubles that.";

fn subnet_type() -> Type {
    Type::object([
        ("tier", Type::String),
        ("tier_index", Type::Number),
        ("availability_zone", Type::String),
        ("az_index", Type::Number),
        ("netnum", Type::Number),
        ("ipv6_cidr_block", Type::String),
    ])
}

fn known_list(a: &Attr<Vec<Attr<String>>>) -> Vec<Option<String>> {
    match a {
        Attr::Known(v) => v.iter().map(|x| x.known().cloned()).collect(),
        _ => Vec::new(),
    }
}

impl PlanModel {
    fn inputs(&self) -> (PlanInputs<'_>, Diagnostics) {
        let root = AttributePath::root();
        let mut d = Diagnostics::new();
        // A null index is a placeholder: the tier's position applies.
        let explicit: BTreeMap<String, Option<i64>> = match &self.tier_indexes {
            Attr::Known(m) => m
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), v.known().copied()))
                .collect(),
            _ => BTreeMap::new(),
        };
        let tiers_list = known_list(&self.tiers);
        let all_tiers_known = self.tiers.is_known() && tiers_list.iter().all(Option::is_some);
        for k in explicit.keys() {
            if all_tiers_known && !tiers_list.iter().any(|t| t.as_deref() == Some(k.as_str())) {
                d.error_at(
                    root.clone().attr("tier_indexes").key(k),
                    "Index for an unknown tier",
                    format!("tier_indexes sets {k:?}, which is not in tiers."),
                );
            }
        }
        let tiers = tiers_list
            .into_iter()
            .enumerate()
            .map(|(i, name)| {
                let path = root.clone().attr("tiers").index(i as i64);
                let ex = name.as_ref().and_then(|n| {
                    explicit
                        .get(n)
                        .copied()
                        .flatten()
                        .map(|ix| (ix, root.clone().attr("tier_indexes").key(n)))
                });
                (name, path, ex)
            })
            .collect();
        let zones = known_list(&self.availability_zones)
            .into_iter()
            .enumerate()
            .map(|(i, z)| (z, root.clone().attr("availability_zones").index(i as i64)))
            .collect();
        (
            PlanInputs {
                prefix: self.prefix.known().map(String::as_str),
                prefix_path: root.attr("prefix"),
                tiers,
                zones,
            },
            d,
        )
    }
}

#[async_trait]
impl DataSource for Ipv6Plan {
    type Model = PlanModel;
    const TYPE_NAME: &'static str = "trustchain_ipv6_plan";

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .markdown_description(DESCRIPTION)
                .attribute(Attribute::required("prefix", Type::String).description("IPv6 CIDR block to plan in, /60 or shorter (a VPC's /56, or an IPAM allocation)."))
                .attribute(Attribute::required("tiers", Type::list(Type::String)).description("Tier names in index order, e.g. [\"public\", \"app\", \"data\"]. Append new tiers at the end."))
                .attribute(Attribute::required("availability_zones", Type::list(Type::String)).description("Zone names, e.g. [\"us-east-1a\", \"us-east-1b\"]. Order does not matter."))
                .attribute(Attribute::optional("tier_indexes", Type::map(Type::Number)).description("Explicit tier indexes by tier name, overriding list position (to insert a tier without renumbering others)."))
                .attribute(Attribute::computed("subnets", Type::list(subnet_type())).description("One entry per tier x zone, tiers in list order, zones in list order."))
                .attribute(Attribute::computed("cidr_blocks", Type::map(Type::list(Type::String))).description("Tier name -> /64 blocks in availability_zones order."))
                .attribute(Attribute::computed("tier_capacity", Type::Number).description("How many tiers the prefix holds under the scheme.")),
        )
    }

    async fn validate(&self, config: &PlanModel) -> Diagnostics {
        let (inputs, mut d) = config.inputs();
        d.extend(inputs.check().0);
        d
    }

    async fn read(&self, config: PlanModel) -> DiagResult<PlanModel> {
        let (inputs, mut d) = config.inputs();
        let (more, resolved) = inputs.check();
        d.extend(more);
        let Some((prefix, slots)) = resolved.filter(|_| !d.has_errors()) else {
            return Err(d);
        };
        let zones: Vec<String> = known_list(&config.availability_zones)
            .into_iter()
            .flatten()
            .collect();
        let planned = ipv6::plan(&prefix, &slots, &zones).map_err(|e| {
            Diagnostics::from(Diagnostic::error("Could not plan subnets", e.to_string()))
        })?;
        let mut cidr_blocks: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for s in &planned {
            cidr_blocks
                .entry(s.tier.clone())
                .or_default()
                .push(s.cidr.to_string());
        }
        // The configuration is echoed as written: Terraform requires it unchanged.
        Ok(PlanModel {
            subnets: Attr::Known(
                planned
                    .into_iter()
                    .map(|s| SubnetOut {
                        tier: s.tier,
                        tier_index: s.tier_index,
                        availability_zone: s.availability_zone,
                        az_index: i64::from(s.az_index),
                        netnum: s.netnum,
                        ipv6_cidr_block: s.cidr.to_string(),
                    })
                    .collect(),
            ),
            cidr_blocks: Attr::Known(cidr_blocks),
            tier_capacity: Attr::Known(
                prefix
                    .tier_capacity()
                    .map(|c| c.min(i64::MAX as u64) as i64)
                    .unwrap_or(0),
            ),
            ..config
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_covers_the_schema() {
        tfplugin::framework::check_model::<PlanModel>(&Ipv6Plan.schema()).expect("complete model");
    }
}
