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

#[cfg(test)]
mod tests {
    //! Planning of `trustchain_ipv6_network` as Terraform drives it: the proposed new state
    //! (configuration plus the prior state's computed values) through the framework's
    //! default planner and the resource's plan hook, with an unconfigured provider (no
    //! AWS calls: the zone check needs the emulator and is covered by the acceptance
    //! test `ipv6_network_zone_not_in_region_is_rejected_at_plan`).
    use super::super::Ipv6Network;
    use super::super::model::{NetworkModel, SubnetModel};
    use crate::aws::ProviderData;
    use crate::resources::plan_testing::{self, Planned};
    use serde_json::{Value as Json, json};
    use tfplugin::value::{Attr, AttributePath};

    /// The VPC's Amazon-provided /56 in the prior states below; subnet `n` of the index
    /// scheme (tier index * 16 + zone letter) is `2600:1f18:abcd:12nn::/64`.
    const BLOCK: &str = "2600:1f18:abcd:1200::/56";
    const A: &str = "us-east-1a";
    const B: &str = "us-east-1b";
    const C: &str = "us-east-1c";

    async fn plan_with(
        prior: Option<&Json>,
        config: &Json,
        unknown: &[AttributePath],
    ) -> Planned<NetworkModel> {
        plan_testing::plan(
            Ipv6Network::new(ProviderData::default()),
            prior,
            config,
            unknown,
        )
        .await
    }

    async fn plan(prior: Option<&Json>, config: &Json) -> Planned<NetworkModel> {
        plan_with(prior, config, &[]).await
    }

    fn indexes(m: &NetworkModel) -> Vec<(String, Attr<i64>)> {
        m.tier
            .known()
            .expect("tiers")
            .iter()
            .map(|t| (t.name.known().cloned().unwrap_or_default(), t.index.clone()))
            .collect()
    }

    fn tiers(list: Json) -> Json {
        json!({"name": "net", "availability_zones": [A, B], "tier": list})
    }

    /// An edge tier (public, dual-stack, index 0) and an app tier (private, index 1) in
    /// zones a and b, with NAT64: the configuration and the state after its apply.
    fn base_config() -> Json {
        json!({
            "name": "net",
            "availability_zones": [A, B],
            "enable_nat64": true,
            "tier": [
                {"name": "edge", "kind": "public", "ipv6_native": false},
                {"name": "app", "kind": "private", "enable_dns64": true},
            ]
        })
    }

    fn subnet(tier: &str, zone: &str, v6: &str, v4: Option<&str>) -> Json {
        let letter = zone.chars().last().expect("zone letter");
        json!({"id": format!("subnet-{tier}-{letter}"), "availability_zone": zone,
               "ipv6_cidr_block": v6, "ipv4_cidr_block": v4, "route_table_id": format!("rtb-{tier}")})
    }

    fn base_state() -> Json {
        let tier = |name: &str, kind: &str, index: i64, native: bool, dns64: bool| {
            json!({"name": name, "kind": kind, "index": index, "ipv6_native": native,
                   "enable_dns64": dns64, "enable_resource_name_dns_aaaa_record_on_launch": true,
                   "private_dns_hostname_type_on_launch": "resource-name"})
        };
        json!({
            "id": "vpc-1", "name": "net", "ipv4_cidr": "10.0.0.0/24",
            "availability_zones": [A, B], "enable_nat64": true, "tags_all": {},
            "tier": [tier("edge", "public", 0, false, false), tier("app", "private", 1, true, true)],
            "vpc_id": "vpc-1", "arn": "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-1",
            "ipv6_cidr_block": BLOCK,
            "internet_gateway_id": "igw-1", "egress_only_internet_gateway_id": "eigw-1",
            "nat_gateway_id": "nat-1",
            "subnets": {
                "edge": [subnet("edge", A, "2600:1f18:abcd:1200::/64", Some("10.0.0.0/28")),
                         subnet("edge", B, "2600:1f18:abcd:1201::/64", Some("10.0.0.16/28"))],
                "app": [subnet("app", A, "2600:1f18:abcd:1210::/64", None),
                        subnet("app", B, "2600:1f18:abcd:1211::/64", None)],
            }
        })
    }

    fn subnets(m: &NetworkModel, tier: &str) -> Vec<SubnetModel> {
        m.subnets.known().expect("subnets known at plan")[tier].clone()
    }

    fn ids(list: &[SubnetModel]) -> Vec<Attr<String>> {
        list.iter().map(|s| s.id.clone()).collect()
    }

    fn known(s: &str) -> Attr<String> {
        Attr::Known(s.to_string())
    }

    #[tokio::test]
    async fn new_tiers_take_their_position_unless_an_explicit_index_holds_it() {
        let p = plan(
            None,
            &tiers(json!([
                {"name": "edge", "kind": "public"},
                {"name": "app", "kind": "private", "index": 0},
                {"name": "db", "kind": "isolated"},
            ])),
        )
        .await;
        assert_eq!(
            indexes(&p.model),
            [
                ("edge".into(), Attr::Known(1)),
                ("app".into(), Attr::Known(0)),
                ("db".into(), Attr::Known(2)),
            ],
            "edge's position 0 is app's explicit index: edge takes the lowest free one"
        );
        assert!(p.diagnostics.is_empty(), "{:?}", p.summaries());
    }

    #[tokio::test]
    async fn removing_or_reordering_tiers_never_renumbers_the_others() {
        let prior = json!({
            "name": "net", "availability_zones": [A, B], "tags_all": {},
            "tier": [{"name": "edge", "kind": "public", "index": 0},
                     {"name": "app", "kind": "private", "index": 1},
                     {"name": "db", "kind": "isolated", "index": 2}],
        });
        // edge removed, db moved first, a new tier at the end: db and app keep their
        // subnets' numbers; the new tier takes the lowest number left (edge's).
        let p = plan(
            Some(&prior),
            &tiers(json!([
                {"name": "db", "kind": "isolated"},
                {"name": "app", "kind": "private"},
                {"name": "cache", "kind": "isolated"},
            ])),
        )
        .await;
        assert_eq!(
            indexes(&p.model),
            [
                ("db".into(), Attr::Known(2)),
                ("app".into(), Attr::Known(1)),
                ("cache".into(), Attr::Known(0)),
            ]
        );
    }

    #[tokio::test]
    async fn an_index_set_explicitly_is_not_kept_from_state_by_another_tier() {
        let prior = json!({
            "name": "net", "availability_zones": [A], "tags_all": {},
            "tier": [{"name": "a", "kind": "isolated", "index": 0},
                     {"name": "b", "kind": "isolated", "index": 1}],
        });
        // c claims 0 explicitly: a cannot keep 0 (its subnets would overlap c's).
        let p = plan(
            Some(&prior),
            &tiers(json!([
                {"name": "a", "kind": "isolated"},
                {"name": "c", "kind": "isolated", "index": 0},
            ])),
        )
        .await;
        assert_eq!(
            indexes(&p.model),
            [("a".into(), Attr::Known(1)), ("c".into(), Attr::Known(0))]
        );
    }

    #[tokio::test]
    async fn a_tier_whose_name_or_index_is_not_known_yet_is_not_given_an_index() {
        let tier0 = AttributePath::root().attr("tier").index(0);
        let config = tiers(json!([
            {"name": "x", "kind": "isolated"},
            {"name": "y", "kind": "isolated"},
            {"name": "z", "kind": "isolated"},
        ]));
        let p = plan_with(None, &config, &[tier0.clone().attr("name")]).await;
        assert_eq!(
            p.model.tier.known().expect("tiers")[0].index,
            Attr::Unknown,
            "a tier whose name is unknown cannot be matched with state: its index waits"
        );
        assert_eq!(
            indexes(&p.model)[1..],
            [("y".into(), Attr::Known(1)), ("z".into(), Attr::Known(2))]
        );

        let p = plan_with(None, &config, &[tier0.attr("index")]).await;
        assert_eq!(
            indexes(&p.model),
            [
                ("x".into(), Attr::Unknown),
                ("y".into(), Attr::Known(1)),
                ("z".into(), Attr::Known(2)),
            ]
        );
    }

    #[tokio::test]
    async fn tags_all_is_planned_and_route_tables_over_fifty_tags_are_refused_at_tags() {
        let with_tags = |n: usize| {
            let tags: serde_json::Map<String, Json> =
                (0..n).map(|i| (format!("k{i:02}"), json!("v"))).collect();
            json!({"name": "net", "availability_zones": [A], "tags": tags,
                   "tier": [{"name": "app", "kind": "isolated"}]})
        };
        // A route table carries tags_all, its Name and three trustchain: keys.
        let p = plan(None, &with_tags(46)).await;
        assert!(p.diagnostics.is_empty(), "{:?}", p.summaries());
        assert_eq!(p.model.tags_all.known().map(|t| t.len()), Some(46));
        assert_eq!(p.model.tags_all.known().expect("tags_all")["k07"], "v");
        let p = plan(None, &with_tags(47)).await;
        assert_eq!(p.summaries(), [("Too many tags".into(), "tags".into())]);
        assert!(
            p.diagnostics
                .iter()
                .next()
                .expect("one")
                .detail
                .contains("route table"),
            "names the object that would carry them"
        );
    }

    #[tokio::test]
    async fn a_tiers_subnet_tags_count_toward_its_subnets_fifty() {
        let config = |extra: usize| {
            let tags: serde_json::Map<String, Json> =
                (0..40).map(|i| (format!("k{i:02}"), json!("v"))).collect();
            let sub: serde_json::Map<String, Json> = (0..extra)
                .map(|i| (format!("s{i:02}"), json!("v")))
                .collect();
            json!({"name": "net", "availability_zones": [A], "tags": tags,
                   "tier": [{"name": "ok", "kind": "isolated"},
                            {"name": "app", "kind": "isolated", "subnet_tags": sub}]})
        };
        // 40 tags + Name + subnet_tags + trustchain:tier.
        assert_eq!(plan(None, &config(8)).await.summaries(), []);
        let p = plan(None, &config(9)).await;
        assert_eq!(
            p.summaries(),
            [("Too many tags".into(), "tier[1].subnet_tags".into())]
        );
    }

    #[tokio::test]
    async fn an_unchanged_network_keeps_every_gateway_and_subnet() {
        let prior = base_state();
        // A tag change only: the default planner would make every computed id unknown.
        let mut config = base_config();
        config["tags"] = json!({"env": "prod"});
        let p = plan(Some(&prior), &config).await;
        assert!(p.diagnostics.is_empty(), "{:?}", p.summaries());
        let m = &p.model;
        assert_eq!(m.internet_gateway_id, known("igw-1"));
        assert_eq!(m.egress_only_internet_gateway_id, known("eigw-1"));
        assert_eq!(m.nat_gateway_id, known("nat-1"));
        let expected: std::collections::BTreeMap<String, Vec<SubnetModel>> =
            serde_json::from_value(prior["subnets"].clone()).expect("subnets");
        assert_eq!(m.subnets, Attr::Known(expected));
    }

    #[tokio::test]
    async fn gateways_no_longer_needed_are_planned_null_and_new_ones_unknown() {
        let prior = base_state();
        // NAT64 off, the private tier becomes isolated: no NAT, no egress-only gateway.
        let mut config = base_config();
        config["enable_nat64"] = json!(false);
        config["tier"][1]["kind"] = json!("isolated");
        let p = plan(Some(&prior), &config).await;
        assert_eq!(p.model.internet_gateway_id, known("igw-1"));
        assert_eq!(p.model.egress_only_internet_gateway_id, Attr::Null);
        assert_eq!(p.model.nat_gateway_id, Attr::Null);

        // The public tier becomes private: no internet gateway, a new egress-only one.
        let mut prior = base_state();
        prior["enable_nat64"] = json!(false);
        prior["nat_gateway_id"] = Json::Null;
        prior["tier"][1]["kind"] = json!("isolated");
        prior["egress_only_internet_gateway_id"] = Json::Null;
        let mut config = base_config();
        config["enable_nat64"] = json!(false);
        config["tier"][0]["kind"] = json!("private");
        config["tier"][1]["kind"] = json!("isolated");
        let p = plan(Some(&prior), &config).await;
        assert_eq!(p.model.internet_gateway_id, Attr::Null);
        assert_eq!(p.model.egress_only_internet_gateway_id, Attr::Unknown);
        assert_eq!(p.model.nat_gateway_id, Attr::Null);
    }

    #[tokio::test]
    async fn the_nat_gateway_stays_while_its_subnet_does_and_moves_with_it() {
        let prior = base_state();
        // A zone added after a: the NAT gateway's subnet (edge, lowest zone) stays.
        let mut config = base_config();
        config["availability_zones"] = json!([A, B, C]);
        let p = plan(Some(&prior), &config).await;
        assert_eq!(p.model.nat_gateway_id, known("nat-1"));

        // Zone a removed: the gateway moves to edge's subnet in b (a new gateway).
        config["availability_zones"] = json!([B, C]);
        let p = plan(Some(&prior), &config).await;
        assert_eq!(p.model.nat_gateway_id, Attr::Unknown);
        assert_eq!(p.model.internet_gateway_id, known("igw-1"));
    }

    #[tokio::test]
    async fn new_zones_and_tiers_get_known_cidrs_and_unknown_ids() {
        let prior = base_state();
        let mut config = base_config();
        config["availability_zones"] = json!([A, B, C]);
        config["tier"]
            .as_array_mut()
            .expect("tiers")
            .push(json!({"name": "db", "kind": "isolated"}));
        let p = plan(Some(&prior), &config).await;
        let edge = subnets(&p.model, "edge");
        assert_eq!(
            ids(&edge),
            [
                known("subnet-edge-a"),
                known("subnet-edge-b"),
                Attr::Unknown
            ]
        );
        assert_eq!(edge[2].availability_zone, C);
        assert_eq!(edge[2].ipv6_cidr_block, "2600:1f18:abcd:1202::/64");
        assert_eq!(edge[2].ipv4_cidr_block.as_deref(), Some("10.0.0.32/28"));
        assert_eq!(
            edge[2].route_table_id,
            known("rtb-edge"),
            "the tier's route table"
        );
        let app = subnets(&p.model, "app");
        assert_eq!(
            ids(&app),
            [known("subnet-app-a"), known("subnet-app-b"), Attr::Unknown]
        );
        assert_eq!(app[1].ipv6_cidr_block, "2600:1f18:abcd:1211::/64");
        assert_eq!(app[2].ipv4_cidr_block, None, "IPv6-native");
        let db = subnets(&p.model, "db");
        assert_eq!(
            db.iter()
                .map(|s| (
                    s.ipv6_cidr_block.as_str(),
                    s.id.clone(),
                    s.route_table_id.clone()
                ))
                .collect::<Vec<_>>(),
            [
                ("2600:1f18:abcd:1220::/64", Attr::Unknown, Attr::Unknown),
                ("2600:1f18:abcd:1221::/64", Attr::Unknown, Attr::Unknown),
                ("2600:1f18:abcd:1222::/64", Attr::Unknown, Attr::Unknown),
            ],
            "db takes index 2, the lowest free"
        );
    }

    #[tokio::test]
    async fn a_new_index_or_ipv6_native_replaces_the_tiers_subnets() {
        let prior = base_state();
        let mut config = base_config();
        config["enable_nat64"] = json!(false);
        config["tier"][1]["index"] = json!(3);
        config["tier"][0]["ipv6_native"] = json!(true);
        let p = plan(Some(&prior), &config).await;
        let app = subnets(&p.model, "app");
        assert_eq!(
            app.iter()
                .map(|s| (
                    s.ipv6_cidr_block.as_str(),
                    s.id.clone(),
                    s.route_table_id.clone()
                ))
                .collect::<Vec<_>>(),
            [
                ("2600:1f18:abcd:1230::/64", Attr::Unknown, known("rtb-app")),
                ("2600:1f18:abcd:1231::/64", Attr::Unknown, known("rtb-app")),
            ]
        );
        let edge = subnets(&p.model, "edge");
        assert_eq!(ids(&edge), [Attr::Unknown, Attr::Unknown]);
        assert_eq!(edge[0].ipv6_cidr_block, "2600:1f18:abcd:1200::/64");
        assert_eq!(edge[0].ipv4_cidr_block, None);
    }

    #[tokio::test]
    async fn a_subnet_whose_ipv4_block_differs_from_the_scheme_is_replaced() {
        // Found so in AWS (state is read back from it): the subnet is not the one the
        // configuration describes.
        let mut prior = base_state();
        prior["subnets"]["edge"][1]["ipv4_cidr_block"] = json!("10.0.0.48/28");
        let mut config = base_config();
        config["tags"] = json!({"env": "prod"});
        let p = plan(Some(&prior), &config).await;
        let edge = subnets(&p.model, "edge");
        assert_eq!(ids(&edge), [known("subnet-edge-a"), Attr::Unknown]);
        assert_eq!(edge[1].ipv4_cidr_block.as_deref(), Some("10.0.0.16/28"));
        assert_eq!(
            ids(&subnets(&p.model, "app")),
            [known("subnet-app-a"), known("subnet-app-b")]
        );
    }
}
