//! The state from what exists in AWS: a refreshed copy of the prior state, plan or
//! import skeleton, and the skeleton recovered from the provider's tags on import.

use super::aws::discovery::{Actual, SubnetInfo};
use super::model::{NetworkModel, SubnetModel, TAG_PREFIX, TierModel};
use crate::aws::Clients;
use crate::aws::tags::{self, Tags};
use crate::ipv6::{self, Ipv6Cidr};
use std::collections::{BTreeMap, BTreeSet};
use tfplugin::value::Attr;

/// The state for `template` (prior state, plan or import skeleton) refreshed from
/// what exists in AWS.
pub fn state_of(a: &Actual, template: &NetworkModel, clients: &Clients) -> NetworkModel {
    let default_tags = &clients.default_tags;
    let mut m = template.clone();
    m.id = Attr::Known(a.vpc_id.clone());
    m.vpc_id = Attr::Known(a.vpc_id.clone());
    m.arn = Attr::Known(format!(
        "arn:aws:ec2:{}:{}:vpc/{}",
        clients.region, a.owner, a.vpc_id
    ));
    m.ipv6_cidr_block = a.ipv6_cidr.clone().into();
    m.ipv4_cidr = Attr::Known(a.ipv4_cidr.clone());
    // The Name tag is `name`, unless the configuration tags set a Name of their own.
    let name_is_a_tag = match (template.tags_all.known(), template.tags.known()) {
        (Some(all), _) => all.contains_key("Name"),
        (None, Some(own)) => own.get("Name").is_some_and(|v| !v.is_null()),
        (None, None) => false,
    };
    if !name_is_a_tag && let Some(name) = a.vpc_tags.get("Name") {
        m.name = Attr::Known(name.clone());
    }
    let tags_all: Tags = a
        .vpc_tags
        .iter()
        .filter(|(k, _)| {
            (name_is_a_tag || k.as_str() != "Name")
                && !k.starts_with(TAG_PREFIX)
                && !k.starts_with("aws:")
                && !clients.ignore_tags.matches(k)
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    m.tags = tags::own(&tags_all, default_tags, template.tags.known()).into();
    m.tags_all = Attr::Known(tags_all);
    m.internet_gateway_id = a.igw.as_ref().map(|g| g.id.clone()).into();
    m.egress_only_internet_gateway_id = a.eigw.as_ref().map(|g| g.id.clone()).into();
    m.nat_gateway_id = a.nat.as_ref().map(|n| n.id.clone()).into();
    m.enable_nat64 = Attr::Known(a.nat.is_some());

    let zones: Vec<String> = template
        .availability_zones
        .known()
        .map(|v| v.iter().filter_map(|z| z.known().cloned()).collect())
        .unwrap_or_default();
    let mut subnets: BTreeMap<String, Vec<SubnetModel>> = BTreeMap::new();
    let mut tiers = template.tier.known().cloned().unwrap_or_default();
    for t in &mut tiers {
        let Some(name) = t.name.known().cloned() else {
            continue;
        };
        let rt = a.route_tables.get(&name);
        let mut list = Vec::new();
        let mut first: Option<&SubnetInfo> = None;
        for z in &zones {
            if let Some(s) = a
                .subnets
                .iter()
                .find(|s| s.tier.as_deref() == Some(name.as_str()) && &s.zone == z)
            {
                first = first.or(Some(s));
                list.push(SubnetModel {
                    id: Attr::Known(s.id.clone()),
                    availability_zone: s.zone.clone(),
                    ipv6_cidr_block: s.ipv6_cidr.clone().unwrap_or_default(),
                    ipv4_cidr_block: s.ipv4_cidr.clone(),
                    route_table_id: rt.map(|r| r.id.clone()).into(),
                });
            }
        }
        // Drift of per-subnet settings shows on the tier (from its first subnet).
        if let Some(s) = first {
            t.subnet_tags = refreshed_subnet_tags(&t.subnet_tags, &s.tags);
            t.ipv6_native = Attr::Known(s.ipv6_native);
            t.enable_dns64 = Attr::Known(s.dns64);
            t.enable_resource_name_dns_aaaa_record_on_launch = Attr::Known(s.aaaa);
            t.private_dns_hostname_type_on_launch = Attr::Known(s.hostname_type.clone());
        }
        if let Some(k) = rt.and_then(|r| r.kind.clone()) {
            t.kind = Attr::Known(k);
        }
        if let Some(i) = rt.and_then(|r| r.index) {
            t.index = Attr::Known(i);
        }
        subnets.insert(name, list);
    }
    m.tier = Attr::Known(tiers);
    m.subnets = Attr::Known(subnets);
    m
}

/// The tier's `subnet_tags` as its first subnet holds them: every configured key
/// with the value AWS has, a key AWS lacks left out (so the plan puts it back).
/// Tags others add to the subnet are not the tier's and never show here.
fn refreshed_subnet_tags(configured: &Attr<Tags>, actual: &Tags) -> Attr<Tags> {
    match configured {
        Attr::Known(c) => Attr::Known(
            c.keys()
                .filter_map(|k| Some((k.clone(), actual.get(k)?.clone())))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A model skeleton recovered from the provider's tags, for import.
pub fn imported_model(a: &Actual) -> NetworkModel {
    let mut zones: Vec<String> = a
        .subnets
        .iter()
        .filter(|s| s.tier.is_some())
        .map(|s| s.zone.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    zones.sort_by_key(|z| ipv6::az_index(z).unwrap_or(u32::MAX));
    let mut tiers: Vec<(i64, TierModel)> = a
        .route_tables
        .iter()
        .map(|(name, rt)| {
            let ix = rt.index.unwrap_or(i64::MAX);
            (
                ix,
                TierModel {
                    name: Attr::Known(name.clone()),
                    kind: rt.kind.clone().into(),
                    index: rt.index.into(),
                    ipv6_native: Attr::Known(true),
                    enable_dns64: Attr::Known(false),
                    enable_resource_name_dns_aaaa_record_on_launch: Attr::Known(true),
                    private_dns_hostname_type_on_launch: Attr::Known("resource-name".into()),
                    subnet_tags: Attr::Null,
                },
            )
        })
        .collect();
    tiers.sort_by_key(|(ix, _)| *ix);
    let prefix_len = a
        .ipv6_cidr
        .as_deref()
        .and_then(|c| Ipv6Cidr::parse(c).ok())
        .map(|c| i64::from(c.len));
    NetworkModel {
        id: Attr::Known(a.vpc_id.clone()),
        name: a.vpc_tags.get("Name").cloned().into(),
        ipv4_cidr: Attr::Known(a.ipv4_cidr.clone()),
        ipv6_ipam_pool_id: a.ipv6_pool.clone().into(),
        ipv6_netmask_length: if a.ipv6_pool.is_some() {
            prefix_len.into()
        } else {
            Attr::Null
        },
        availability_zones: Attr::Known(zones.into_iter().map(Attr::Known).collect()),
        enable_nat64: Attr::Known(a.nat.is_some()),
        tags: Attr::Null,
        tags_all: Attr::Null,
        tier: Attr::Known(tiers.into_iter().map(|(_, t)| t).collect()),
        timeouts: Attr::Null,
        vpc_id: Attr::Null,
        arn: Attr::Null,
        ipv6_cidr_block: Attr::Null,
        internet_gateway_id: Attr::Null,
        egress_only_internet_gateway_id: Attr::Null,
        nat_gateway_id: Attr::Null,
        subnets: Attr::Null,
    }
}

/// A state can never hold unknown values: what apply did not learn is null.
pub fn nullify_unknowns(mut m: NetworkModel) -> NetworkModel {
    fn fix<T>(a: &mut Attr<T>) {
        if a.is_unknown() {
            *a = Attr::Null;
        }
    }
    fix(&mut m.arn);
    fix(&mut m.ipv6_cidr_block);
    fix(&mut m.internet_gateway_id);
    fix(&mut m.egress_only_internet_gateway_id);
    fix(&mut m.nat_gateway_id);
    fix(&mut m.subnets);
    fix(&mut m.tags_all);
    m
}
