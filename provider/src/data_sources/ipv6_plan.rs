//! `trustchain_ipv6_plan`: an offline subnet plan for an IPv6 prefix, using the
//! same index scheme as `trustchain_ipv6_network` (see `crate::ipv6`).

use crate::ipv6::{self, Ipv6Cidr, TierSlot};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use tfplugin::diag::{DiagResult, Diagnostics};
use tfplugin::provider::DataSource;
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::value::{self, Attr, AttributePath, Type, Value};

pub struct Ipv6Plan;

/// Configuration as it may arrive at validation time (values possibly unknown).
#[derive(Debug, Deserialize)]
struct PlanConfig {
    prefix: Attr<String>,
    tiers: Attr<Vec<Attr<String>>>,
    availability_zones: Attr<Vec<Attr<String>>>,
    tier_indexes: Attr<BTreeMap<String, Attr<i64>>>,
}

#[derive(Debug, Serialize)]
struct PlanState {
    prefix: String,
    tiers: Vec<String>,
    availability_zones: Vec<String>,
    tier_indexes: Option<BTreeMap<String, i64>>,
    subnets: Vec<SubnetOut>,
    cidr_blocks: BTreeMap<String, Vec<String>>,
    tier_capacity: i64,
}

#[derive(Debug, Serialize)]
struct SubnetOut {
    tier: String,
    tier_index: i64,
    availability_zone: String,
    az_index: i64,
    netnum: i64,
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

/// A tier as given: its name (None = unknown), the path of the name, and an
/// explicit index with its path.
pub type TierInput = (Option<String>, AttributePath, Option<(i64, AttributePath)>);

/// Checks plan inputs and resolves tier slots; diagnostics carry the paths given.
pub struct PlanInputs<'a> {
    pub prefix: Option<&'a str>,
    pub prefix_path: AttributePath,
    /// Tier names (None = unknown) with the path of each and an explicit index if any.
    pub tiers: Vec<TierInput>,
    pub zones: Vec<(Option<String>, AttributePath)>,
}

impl PlanInputs<'_> {
    /// Validates what is known; returns the prefix and tier slots when all is known
    /// and valid.
    pub fn check(&self) -> (Diagnostics, Option<(Ipv6Cidr, Vec<TierSlot>)>) {
        let mut d = Diagnostics::new();
        let prefix = match self.prefix.map(Ipv6Cidr::parse) {
            Some(Ok(p)) => match p.tier_capacity() {
                Ok(_) => Some(p),
                Err(e) => {
                    d.error_at(
                        self.prefix_path.clone(),
                        "IPv6 prefix too small",
                        e.to_string(),
                    );
                    None
                }
            },
            Some(Err(e)) => {
                d.error_at(
                    self.prefix_path.clone(),
                    "Invalid IPv6 prefix",
                    e.to_string(),
                );
                None
            }
            None => None,
        };
        let mut seen_zones = BTreeSet::new();
        for (z, path) in &self.zones {
            let Some(z) = z else { continue };
            if let Err(e) = ipv6::az_index(z) {
                d.error_at(
                    path.clone(),
                    "Invalid availability zone",
                    format!("{e}. Use zone names (us-east-1a), not zone IDs (use1-az1)."),
                );
            } else if !seen_zones.insert(ipv6::az_index(z).unwrap_or(u32::MAX)) {
                d.error_at(path.clone(), "Duplicate availability zone", format!("{z:?} (or another zone with the same final letter) is listed twice; each zone letter gets one slot."));
            }
        }
        let mut names = BTreeSet::new();
        let mut indexes: BTreeMap<i64, String> = BTreeMap::new();
        let mut slots = Vec::new();
        let capacity = prefix.and_then(|p| p.tier_capacity().ok());
        for (i, (name, path, explicit)) in self.tiers.iter().enumerate() {
            let Some(name) = name else { continue };
            if name.is_empty() {
                d.error_at(
                    path.clone(),
                    "Empty tier name",
                    "Give every tier a name such as \"public\" or \"app\".",
                );
                continue;
            }
            if !names.insert(name.clone()) {
                d.error_at(
                    path.clone(),
                    "Duplicate tier name",
                    format!("Tier {name:?} is defined more than once; tier names must be unique."),
                );
                continue;
            }
            let (index, index_path) = match explicit {
                Some((ix, p)) => (*ix, p.clone()),
                None => (i as i64, path.clone()),
            };
            if let Some(cap) = capacity
                && (index < 0 || index as u64 >= cap)
            {
                d.error_at(
                    index_path.clone(),
                    "Too many tiers for the prefix",
                    format!(
                        "Tier {name:?} needs tier index {index}, but a /{} holds tiers 0 to {} (16 zone slots each). Use a shorter prefix (e.g. an IPAM /52) or fewer tiers.",
                        prefix.map(|p| p.len).unwrap_or(0),
                        cap.saturating_sub(1)
                    ),
                );
                continue;
            }
            if let Some(other) = indexes.insert(index, name.clone()) {
                d.error_at(index_path, "Tier index collision", format!("Tiers {other:?} and {name:?} both use tier index {index}; their subnets would overlap. Give one an explicit index."));
                continue;
            }
            slots.push(TierSlot {
                name: name.clone(),
                index,
            });
        }
        let all_known = self.prefix.is_some()
            && self.tiers.iter().all(|t| t.0.is_some())
            && self.zones.iter().all(|z| z.0.is_some());
        match prefix {
            Some(p) if all_known && !d.has_errors() => (d, Some((p, slots))),
            _ => (d, None),
        }
    }
}

fn known_list(a: &Attr<Vec<Attr<String>>>) -> Vec<Option<String>> {
    match a {
        Attr::Known(v) => v.iter().map(|x| x.known().cloned()).collect(),
        _ => Vec::new(),
    }
}

impl PlanConfig {
    fn inputs(&self) -> (PlanInputs<'_>, Diagnostics) {
        let root = AttributePath::root();
        let mut d = Diagnostics::new();
        let explicit: BTreeMap<String, Option<i64>> = match &self.tier_indexes {
            Attr::Known(m) => m
                .iter()
                .map(|(k, v)| (k.clone(), v.known().copied()))
                .collect(),
            _ => BTreeMap::new(),
        };
        let tiers_list = known_list(&self.tiers);
        for k in explicit.keys() {
            if !tiers_list.iter().any(|t| t.as_deref() == Some(k.as_str()))
                && tiers_list.iter().all(Option::is_some)
            {
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
    fn type_name(&self) -> &str {
        "trustchain_ipv6_plan"
    }

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

    async fn validate(&self, config: &Value) -> Diagnostics {
        match value::from_value::<PlanConfig>(config) {
            Ok(c) => {
                let (inputs, mut d) = c.inputs();
                d.extend(inputs.check().0);
                d
            }
            Err(e) => e.into(),
        }
    }

    async fn read(&self, config: Value) -> DiagResult<Value> {
        let c: PlanConfig = value::from_value(&config)?;
        let (inputs, mut d) = c.inputs();
        let (more, resolved) = inputs.check();
        d.extend(more);
        let Some((prefix, slots)) = resolved.filter(|_| !d.has_errors()) else {
            return Err(d);
        };
        let zones: Vec<String> = c
            .availability_zones
            .known()
            .map(|v| v.iter().filter_map(|z| z.known().cloned()).collect())
            .unwrap_or_default();
        let planned = ipv6::plan(&prefix, &slots, &zones).map_err(|e| {
            Diagnostics::from(tfplugin::diag::Diagnostic::error(
                "Could not plan subnets",
                e.to_string(),
            ))
        })?;
        let mut cidr_blocks: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for s in &planned {
            cidr_blocks
                .entry(s.tier.clone())
                .or_default()
                .push(s.cidr.to_string());
        }
        let state = PlanState {
            // Echo the configuration as written: Terraform requires it unchanged.
            prefix: c.prefix.known().cloned().unwrap_or_default(),
            tiers: known_list(&c.tiers).into_iter().flatten().collect(),
            availability_zones: zones,
            tier_indexes: c.tier_indexes.known().map(|m| {
                m.iter()
                    .filter_map(|(k, v)| v.known().map(|v| (k.clone(), *v)))
                    .collect()
            }),
            subnets: planned
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
            cidr_blocks,
            tier_capacity: prefix
                .tier_capacity()
                .map(|c| c.min(i64::MAX as u64) as i64)
                .unwrap_or(0),
        };
        Ok(value::to_value(&state, &self.schema().value_type())?)
    }
}
