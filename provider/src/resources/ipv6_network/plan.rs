//! Plan-time values: `tags_all`, stable tier indexes, zones that exist in the
//! region, and (on update) which gateway and subnet ids stay and which become
//! unknown, with subnet CIDRs known as soon as the VPC's block is.

use super::model::{Desired, NetworkModel, SubnetModel, TAG_INDEX, TAG_KIND, TAG_TIER, Tier};
use super::validate::tier_path;
use crate::aws::ProviderData;
use crate::aws::tag_rules;
use crate::ipv6::{self, Ipv6Cidr};
use std::collections::{BTreeMap, BTreeSet};
use tfplugin::framework::Plan;
use tfplugin::value::{Attr, AttributePath};

pub async fn modify(data: &ProviderData, plan: &mut Plan<NetworkModel>) {
    // tags_all: provider default_tags with the resource's tags on top.
    plan.planned.tags_all = data.tags_all(&plan.config.tags);
    check_tag_limits(plan);
    assign_tier_indexes(plan);
    check_zones(data, plan).await;

    let Some(prior) = plan.prior.clone() else {
        return;
    };
    if plan.is_replacing() {
        return;
    }
    let Ok(desired) = Desired::from_model(&plan.planned) else {
        return;
    };
    plan_gateways(&prior, &desired, &mut plan.planned);
    if let Some(subnets) = plan_subnets(&prior, &desired) {
        plan.planned.subnets = Attr::Known(subnets);
    }
}

/// EC2's tag rules where the configuration alone cannot show them: the provider's
/// default_tags (merged into every object's tags) and how many tags each object
/// carries once the network adds its Name and bookkeeping keys (route tables carry
/// the most: Name and three `trustchain:` keys; subnets add their tier's
/// `subnet_tags` and one `trustchain:` key).
fn check_tag_limits(plan: &mut Plan<NetworkModel>) {
    let Attr::Known(all) = &plan.planned.tags_all else {
        return;
    };
    let tags_path = AttributePath::root().attr("tags");
    let mut d =
        tag_rules::check_inherited(&tag_rules::EC2, plan.config.tags.known(), all, &tags_path);
    let base = || all.keys().map(String::as_str).chain(["Name"]);
    d.extend(tag_rules::check_count(
        &tag_rules::EC2,
        base()
            .chain([TAG_TIER, TAG_KIND, TAG_INDEX])
            .collect::<BTreeSet<_>>(),
        &tags_path,
        "each route table (tags_all, its Name and the provider's 3 trustchain: keys)",
    ));
    for (i, t) in plan.config.tier.known().into_iter().flatten().enumerate() {
        let Attr::Known(extra) = &t.subnet_tags else {
            continue;
        };
        let keys: BTreeSet<&str> = base()
            .chain(extra.keys().map(String::as_str))
            .chain([TAG_TIER])
            .collect();
        d.extend(tag_rules::check_count(
            &tag_rules::EC2,
            keys,
            &tier_path(i).attr("subnet_tags"),
            "each subnet of this tier (tags_all, subnet_tags, its Name and the provider's trustchain:tier key)",
        ));
    }
    plan.diagnostics.extend(d);
}

/// Tier indexes: explicit, else kept from state by name, else the tier's position if
/// free, else the lowest free index. Adding or removing tiers never renumbers others.
fn assign_tier_indexes(plan: &mut Plan<NetworkModel>) {
    let Attr::Known(tiers) = &plan.config.tier else {
        return;
    };
    let prior_index: BTreeMap<String, i64> = plan
        .prior
        .as_ref()
        .and_then(|p| p.tier.known())
        .map(|ts| {
            ts.iter()
                .filter_map(|t| Some((t.name.known()?.clone(), *t.index.known()?)))
                .collect()
        })
        .unwrap_or_default();
    let mut used: BTreeSet<i64> = tiers
        .iter()
        .filter_map(|t| t.index.known().copied())
        .collect();
    let mut resolved: Vec<Option<i64>> = Vec::new();
    for t in tiers {
        let ix = match (&t.index, t.name.known()) {
            (Attr::Known(i), _) => Some(*i),
            (Attr::Unknown, _) | (_, None) => None,
            (Attr::Null, Some(name)) => {
                prior_index.get(name).copied().filter(|i| !used.contains(i))
            }
        };
        if let Some(i) = ix {
            used.insert(i);
        }
        resolved.push(ix);
    }
    for (pos, t) in tiers.iter().enumerate() {
        if resolved[pos].is_none() && t.index.is_null() && t.name.is_known() {
            let candidate = if used.contains(&(pos as i64)) {
                (0..).find(|i| !used.contains(i)).unwrap_or(0)
            } else {
                pos as i64
            };
            used.insert(candidate);
            resolved[pos] = Some(candidate);
        }
    }
    if let Attr::Known(planned) = &mut plan.planned.tier {
        for (t, ix) in planned.iter_mut().zip(resolved) {
            if let Some(ix) = ix {
                t.index = Attr::Known(ix);
            }
        }
    }
}

/// Zones must exist in the region (checked once the provider is configured).
async fn check_zones(data: &ProviderData, plan: &mut Plan<NetworkModel>) {
    let Attr::Known(zones) = &plan.planned.availability_zones else {
        return;
    };
    let Ok(clients) = data.clients().await else {
        return;
    };
    let out = match clients
        .ec2
        .describe_availability_zones()
        .all_availability_zones(true)
        .send()
        .await
    {
        Ok(o) => o,
        Err(e) => {
            tracing::warn!(error = %aws_sdk_ec2::error::DisplayErrorContext(&e), "could not list availability zones; skipping the zone check");
            return;
        }
    };
    let available: BTreeSet<String> = out
        .availability_zones()
        .iter()
        .filter_map(|z| z.zone_name().map(String::from))
        .collect();
    for (i, z) in zones.iter().enumerate() {
        if let Attr::Known(z) = z
            && !available.contains(z)
        {
            plan.diagnostics.error_at(
                AttributePath::root()
                    .attr("availability_zones")
                    .index(i as i64),
                "Availability zone not in region",
                format!(
                    "{z:?} is not an availability zone of {}; choose from {}.",
                    clients.region,
                    available.iter().cloned().collect::<Vec<_>>().join(", ")
                ),
            );
        }
    }
}

/// Gateways keep their prior id while still needed, are unknown when newly needed,
/// and null when no longer needed.
fn plan_gateways(prior: &NetworkModel, desired: &Desired, planned: &mut NetworkModel) {
    let keep = |prior_v: &Attr<String>, needed: bool| match (needed, prior_v) {
        (false, _) => Attr::Null,
        (true, Attr::Known(id)) => Attr::Known(id.clone()),
        (true, _) => Attr::Unknown,
    };
    planned.internet_gateway_id = keep(&prior.internet_gateway_id, desired.needs_igw());
    planned.egress_only_internet_gateway_id =
        keep(&prior.egress_only_internet_gateway_id, desired.needs_eigw());
    let host = |d: &Desired| {
        d.nat_host()
            .map(|(t, z)| (t.name.clone(), t.index, z.clone()))
    };
    let prior_host = Desired::from_model(prior).ok().and_then(|p| host(&p));
    planned.nat_gateway_id = if desired.nat64 && prior_host == host(desired) {
        keep(&prior.nat_gateway_id, true)
    } else {
        keep(&Attr::Unknown, desired.nat64)
    };
}

/// Subnets: CIDRs are known once the VPC's IPv6 block is; ids are kept for subnets
/// that stay as they are. `None` when the prior state has no usable block.
fn plan_subnets(
    prior: &NetworkModel,
    desired: &Desired,
) -> Option<BTreeMap<String, Vec<SubnetModel>>> {
    let prefix = prior
        .ipv6_cidr_block
        .known()
        .and_then(|p| Ipv6Cidr::parse(p).ok())?;
    let prior_tiers: BTreeMap<String, Tier> = Desired::from_model(prior)
        .map(|p| p.tiers.into_iter().map(|t| (t.name.clone(), t)).collect())
        .unwrap_or_default();
    let prior_subnets = prior.subnets.known().cloned().unwrap_or_default();
    let mut subnets = BTreeMap::new();
    for t in &desired.tiers {
        let before = prior_tiers.get(&t.name);
        let mut list = Vec::new();
        for z in &desired.zones {
            let az = ipv6::az_index(z).ok()?;
            let v6 = prefix.tier_subnet(t.index, az).ok()?;
            let v4 = desired.ipv4_block(t, z).ok()?;
            let old = prior_subnets
                .get(&t.name)
                .and_then(|l| l.iter().find(|s| &s.availability_zone == z));
            let same = old.is_some_and(|s| {
                s.ipv6_cidr_block == v6.to_string()
                    && s.ipv4_cidr_block == v4.map(|c| c.to_string())
            }) && before.is_some_and(|b| b.ipv6_native == t.ipv6_native);
            let id = match old {
                Some(s) if same => s.id.clone(),
                _ => Attr::Unknown,
            };
            let route_table_id = match prior_subnets.get(&t.name).and_then(|l| l.first()) {
                Some(s) => s.route_table_id.clone(),
                None => Attr::Unknown,
            };
            list.push(SubnetModel {
                id,
                availability_zone: z.clone(),
                ipv6_cidr_block: v6.to_string(),
                ipv4_cidr_block: v4.map(|c| c.to_string()),
                route_table_id,
            });
        }
        subnets.insert(t.name.clone(), list);
    }
    Some(subnets)
}
