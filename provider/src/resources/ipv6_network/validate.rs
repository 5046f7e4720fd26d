//! Checks of a configuration that need no AWS call (values may be unknown).

use super::model::{
    AMAZON_PREFIX_LEN, DEFAULT_IPV4_CIDR, Kind, NetworkModel, TAG_PREFIX, TierModel, ipv4_subnet,
};
use crate::aws::tag_rules;
use crate::ipv6::{self, Ipv4Cidr, PlanInputs};
use tfplugin::diag::Diagnostics;
use tfplugin::value::{Attr, AttributePath};

/// A known value, the default for null, `None` while unknown.
fn known_or<T: Copy>(a: &Attr<T>, default: T) -> Option<T> {
    match a {
        Attr::Known(v) => Some(*v),
        Attr::Null => Some(default),
        Attr::Unknown => None,
    }
}

pub fn tier_path(i: usize) -> AttributePath {
    AttributePath::root().attr("tier").index(i as i64)
}

/// Checks a configuration (values may be unknown).
pub fn validate_config(m: &NetworkModel, reserved_tags: bool) -> Diagnostics {
    let root = AttributePath::root();
    let mut d = Diagnostics::new();
    let tiers: Vec<TierModel> = m.tier.known().cloned().unwrap_or_default();

    // IPv6 source and prefix length.
    let prefix_len = match (&m.ipv6_ipam_pool_id, &m.ipv6_netmask_length) {
        (Attr::Known(_), Attr::Null) => {
            d.error_at(
                root.clone().attr("ipv6_netmask_length"),
                "IPAM pool without netmask length",
                "ipv6_ipam_pool_id needs ipv6_netmask_length, e.g. 56: AWS allocates a block of that size from the pool.",
            );
            None
        }
        (Attr::Null, Attr::Known(_)) => {
            d.error_at(
                root.clone().attr("ipv6_netmask_length"),
                "Netmask length without IPAM pool",
                "ipv6_netmask_length applies only with ipv6_ipam_pool_id; Amazon-provided blocks are always /56. Remove it or add the pool.",
            );
            None
        }
        (_, Attr::Known(n)) => {
            if !(44..=60).contains(n) || n % 4 != 0 {
                d.error_at(
                    root.clone().attr("ipv6_netmask_length"),
                    "Invalid IPv6 netmask length",
                    format!("{n} must be a multiple of 4 from 44 to 60 (the subnet scheme needs room for 16 /64s per tier)."),
                );
                None
            } else {
                Some(*n as u8)
            }
        }
        (Attr::Null, Attr::Null) => Some(AMAZON_PREFIX_LEN),
        _ => None,
    };

    // IPv4 block.
    let ipv4 = match &m.ipv4_cidr {
        Attr::Known(s) => match Ipv4Cidr::parse(s) {
            Ok(c) if (16..=28).contains(&c.len) => Some(c),
            Ok(c) => {
                d.error_at(
                    root.clone().attr("ipv4_cidr"),
                    "Invalid IPv4 CIDR",
                    format!("{c}: AWS allows VPC IPv4 blocks from /16 to /28."),
                );
                None
            }
            Err(e) => {
                d.error_at(
                    root.clone().attr("ipv4_cidr"),
                    "Invalid IPv4 CIDR",
                    e.to_string(),
                );
                None
            }
        },
        Attr::Null => Ipv4Cidr::parse(DEFAULT_IPV4_CIDR).ok(),
        Attr::Unknown => None,
    };

    // Tiers and zones through the same checks as trustchain_ipv6_plan; a synthetic
    // prefix of the right length stands in for the not-yet-known block.
    let synthetic = prefix_len.map(|l| format!("fd00::/{l}"));
    let inputs = PlanInputs {
        prefix: synthetic.as_deref(),
        prefix_path: root.clone().attr("ipv6_netmask_length"),
        tiers: tiers
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let ex = t.index.known().map(|ix| (*ix, tier_path(i).attr("index")));
                (t.name.known().cloned(), tier_path(i).attr("name"), ex)
            })
            .collect(),
        zones: m
            .availability_zones
            .known()
            .map(|v| {
                v.iter()
                    .enumerate()
                    .map(|(i, z)| {
                        (
                            z.known().cloned(),
                            root.clone().attr("availability_zones").index(i as i64),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
    };
    d.extend(inputs.check().0);

    for (i, t) in tiers.iter().enumerate() {
        if let Attr::Known(k) = &t.kind
            && Kind::parse(k).is_none()
        {
            d.error_at(
                tier_path(i).attr("kind"),
                "Invalid tier kind",
                format!("{k:?} must be public, private or isolated."),
            );
        }
        if let Attr::Known(h) = &t.private_dns_hostname_type_on_launch {
            if h != "resource-name" && h != "ip-name" {
                d.error_at(
                    tier_path(i).attr("private_dns_hostname_type_on_launch"),
                    "Invalid hostname type",
                    format!("{h:?} must be resource-name or ip-name."),
                );
            } else if h == "ip-name" && known_or(&t.ipv6_native, true) == Some(true) {
                d.error_at(tier_path(i).attr("private_dns_hostname_type_on_launch"), "ip-name on an IPv6-only tier", "IPv6-native subnets have no IPv4 address to name hosts by; use resource-name, or set ipv6_native = false.");
            }
        }
        // An unknown index waits; a null one is the tier's position (for a new tier).
        if let (Some(cidr), Attr::Known(false), Some(index)) =
            (ipv4, &t.ipv6_native, known_or(&t.index, i as i64))
        {
            let last_zone = m.availability_zones.known().and_then(|z| {
                z.iter()
                    .max_by_key(|z| z.known().and_then(|z| ipv6::az_index(z).ok()))
            });
            if let Some(Attr::Known(zone)) = last_zone
                && let Err(e) = ipv4_subnet(&cidr, index, zone)
            {
                d.error_at(
                    tier_path(i).attr("ipv6_native"),
                    "No IPv4 room for a dual-stack tier",
                    e,
                );
            }
        }
    }

    // NAT64 needs a dual-stack public tier to host the gateway.
    if let Attr::Known(true) = m.enable_nat64 {
        let all_known = m.tier.is_known()
            && tiers
                .iter()
                .all(|t| t.kind.is_known() && !t.ipv6_native.is_unknown());
        let host = tiers.iter().any(|t| {
            t.kind.known().map(String::as_str) == Some("public")
                && t.ipv6_native.known() == Some(&false)
        });
        if all_known && !host {
            d.error_at(
                root.clone().attr("enable_nat64"),
                "NAT64 needs a dual-stack public tier",
                "A NAT gateway needs an IPv4 address in a public subnet. Add a tier with kind = \"public\" and ipv6_native = false.",
            );
        }
    }

    if let Attr::Known(tags) = &m.tags {
        d.extend(check_tag_map(
            tag_rules::config_pairs(tags).collect(),
            root.clone().attr("tags"),
            reserved_tags,
        ));
    }
    for (i, t) in tiers.iter().enumerate() {
        if let Attr::Known(tags) = &t.subnet_tags {
            let pairs = tags.iter().map(|(k, v)| (k.as_str(), Some(v.as_str())));
            d.extend(check_tag_map(
                pairs.collect(),
                tier_path(i).attr("subnet_tags"),
                true,
            ));
        }
    }
    d
}

/// EC2's tag rules for a map of the configuration, and (when `reserved`) the
/// provider's own `trustchain:` prefix.
fn check_tag_map(
    tags: Vec<(&str, Option<&str>)>,
    path: AttributePath,
    reserved: bool,
) -> Diagnostics {
    let mut d = tag_rules::check_tags(&tag_rules::EC2, tags.iter().copied(), &path, None);
    if reserved {
        for (k, _) in tags.iter().filter(|(k, _)| k.starts_with(TAG_PREFIX)) {
            d.error_at(path.clone().key(*k), "Reserved tag key", format!("Tag keys starting with {TAG_PREFIX:?} are reserved for the provider's bookkeeping; rename {k:?}."));
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(v: serde_json::Value) -> NetworkModel {
        tfplugin::framework::model_from_json(&super::super::schema::schema(), &v).expect("model")
    }

    fn config(extra: serde_json::Value) -> serde_json::Value {
        let mut base = serde_json::json!({
            "id": null, "name": "ca", "ipv4_cidr": null, "ipv6_ipam_pool_id": null, "ipv6_netmask_length": null,
            "availability_zones": ["us-east-1a", "us-east-1b"], "enable_nat64": null, "tags": null, "tags_all": null,
            "tier": [{"name": "public", "kind": "public", "index": null, "ipv6_native": null, "enable_dns64": null,
                      "enable_resource_name_dns_aaaa_record_on_launch": null, "private_dns_hostname_type_on_launch": null}],
            "timeouts": null, "vpc_id": null, "arn": null, "ipv6_cidr_block": null, "internet_gateway_id": null,
            "egress_only_internet_gateway_id": null, "nat_gateway_id": null, "subnets": null
        });
        if let (Some(b), Some(e)) = (base.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                b.insert(k.clone(), v.clone());
            }
        }
        base
    }

    fn summaries(d: &Diagnostics) -> Vec<(String, String)> {
        d.iter()
            .map(|x| {
                (
                    x.summary.clone(),
                    x.attribute
                        .as_ref()
                        .map(|p| p.to_string())
                        .unwrap_or_default(),
                )
            })
            .collect()
    }

    #[test]
    fn ipam_pool_without_netmask_is_an_error_at_the_netmask() {
        let d = validate_config(
            &model(config(
                serde_json::json!({"ipv6_ipam_pool_id": "ipam-pool-1"}),
            )),
            true,
        );
        assert_eq!(
            summaries(&d),
            vec![(
                "IPAM pool without netmask length".into(),
                "ipv6_netmask_length".into()
            )]
        );
    }

    #[test]
    fn duplicate_tiers_and_bad_zones_are_reported_at_their_paths() {
        let t = serde_json::json!({"name": "app", "kind": "private", "index": null, "ipv6_native": null, "enable_dns64": null,
            "enable_resource_name_dns_aaaa_record_on_launch": null, "private_dns_hostname_type_on_launch": null});
        let d = validate_config(
            &model(config(
                serde_json::json!({"tier": [t.clone(), t], "availability_zones": ["us-east-1a", "use1-az2"]}),
            )),
            true,
        );
        let s = summaries(&d);
        assert!(
            s.contains(&("Duplicate tier name".into(), "tier[1].name".into())),
            "{s:?}"
        );
        assert!(
            s.contains(&(
                "Invalid availability zone".into(),
                "availability_zones[1]".into()
            )),
            "{s:?}"
        );
    }

    #[test]
    fn more_tiers_than_a_56_holds_is_an_error_at_the_tier() {
        let tiers: Vec<serde_json::Value> = (0..17)
            .map(|i| serde_json::json!({"name": format!("t{i}"), "kind": "isolated", "index": null, "ipv6_native": null, "enable_dns64": null,
                "enable_resource_name_dns_aaaa_record_on_launch": null, "private_dns_hostname_type_on_launch": null}))
            .collect();
        let d = validate_config(&model(config(serde_json::json!({"tier": tiers}))), true);
        assert_eq!(
            summaries(&d),
            vec![(
                "Too many tiers for the prefix".into(),
                "tier[16].name".into()
            )]
        );
    }

    /// The network's subnets are tier index * 16 + zone letter: two tiers on one index,
    /// or two zones with one letter, would ask EC2 for the same /64s twice. Both are
    /// refused at plan time, at the attribute to change.
    #[test]
    fn overlapping_subnets_are_refused_at_the_index_or_zone_that_repeats() {
        let tier = |name: &str, index: serde_json::Value| {
            serde_json::json!({"name": name, "kind": "private", "index": index, "ipv6_native": null, "enable_dns64": null,
                "enable_resource_name_dns_aaaa_record_on_launch": null, "private_dns_hostname_type_on_launch": null})
        };
        // "app" asks for index 0, which "public" holds by its position.
        let d = validate_config(
            &model(config(serde_json::json!({
                "tier": [tier("public", serde_json::Value::Null), tier("app", serde_json::json!(0))]
            }))),
            true,
        );
        assert_eq!(
            summaries(&d),
            vec![("Tier index collision".into(), "tier[1].index".into())]
        );
        // us-east-1a and us-west-2a would both take zone slot 0.
        let d = validate_config(
            &model(config(
                serde_json::json!({"availability_zones": ["us-east-1a", "us-west-2a"]}),
            )),
            true,
        );
        assert_eq!(
            summaries(&d),
            vec![(
                "Duplicate availability zone".into(),
                "availability_zones[1]".into()
            )]
        );
        // Distinct indexes and letters pass.
        let d = validate_config(
            &model(config(serde_json::json!({
                "tier": [tier("public", serde_json::Value::Null), tier("app", serde_json::json!(1))],
                "availability_zones": ["us-east-1a", "us-east-1b"]
            }))),
            true,
        );
        assert_eq!(summaries(&d), Vec::<(String, String)>::new());
    }

    #[test]
    fn nat64_without_dual_stack_public_tier_is_an_error() {
        let d = validate_config(
            &model(config(serde_json::json!({"enable_nat64": true}))),
            true,
        );
        assert_eq!(
            summaries(&d),
            vec![(
                "NAT64 needs a dual-stack public tier".into(),
                "enable_nat64".into()
            )]
        );
    }

    #[test]
    fn reserved_tag_keys_are_refused() {
        let d = validate_config(
            &model(config(
                serde_json::json!({"tags": {"trustchain:tier": "x"}}),
            )),
            true,
        );
        assert_eq!(
            summaries(&d),
            vec![(
                "Reserved tag key".into(),
                "tags[\"trustchain:tier\"]".into()
            )]
        );
    }

    #[test]
    fn dual_stack_ipv4_blocks_follow_the_index_scheme() {
        let c = Ipv4Cidr::parse("10.0.0.0/24").expect("cidr");
        assert_eq!(
            ipv4_subnet(&c, 0, "us-east-1b").expect("fits").to_string(),
            "10.0.0.16/28"
        );
        assert!(ipv4_subnet(&c, 1, "us-east-1a").is_err());
        let big = Ipv4Cidr::parse("10.0.0.0/20").expect("cidr");
        assert_eq!(
            ipv4_subnet(&big, 1, "us-east-1a")
                .expect("fits")
                .to_string(),
            "10.0.1.0/28"
        );
    }
    fn tier(name: &str, kind: &str, more: serde_json::Value) -> serde_json::Value {
        let mut t = serde_json::json!({"name": name, "kind": kind, "index": null, "ipv6_native": null, "enable_dns64": null,
            "enable_resource_name_dns_aaaa_record_on_launch": null, "private_dns_hostname_type_on_launch": null});
        if let (Some(t), Some(m)) = (t.as_object_mut(), more.as_object()) {
            for (k, v) in m {
                t.insert(k.clone(), v.clone());
            }
        }
        t
    }

    fn with_tiers(extra: serde_json::Value, tiers: Vec<serde_json::Value>) -> NetworkModel {
        let mut c = config(extra);
        c["tier"] = serde_json::Value::Array(tiers);
        model(c)
    }

    fn errors_at(summary: &str, at: &str) -> Vec<(String, String)> {
        vec![(summary.to_string(), at.to_string())]
    }

    #[test]
    fn a_netmask_length_needs_a_pool_and_is_a_multiple_of_4_from_44_to_60() {
        let d = validate_config(
            &model(config(serde_json::json!({"ipv6_netmask_length": 56}))),
            true,
        );
        assert_eq!(
            summaries(&d),
            errors_at("Netmask length without IPAM pool", "ipv6_netmask_length")
        );
        for (n, ok) in [
            (40, false),
            (44, true),
            (48, true),
            (50, false),
            (52, true),
            (56, true),
            (58, false),
            (60, true),
            (64, false),
        ] {
            let d = validate_config(
                &model(config(serde_json::json!({
                    "ipv6_ipam_pool_id": "ipam-pool-1", "ipv6_netmask_length": n
                }))),
                true,
            );
            let want = if ok {
                vec![]
            } else {
                errors_at("Invalid IPv6 netmask length", "ipv6_netmask_length")
            };
            assert_eq!(summaries(&d), want, "/{n}");
        }
    }

    #[test]
    fn the_ipv4_block_is_a_16_to_a_28() {
        for (cidr, ok) in [
            ("10.0.0.0/15", false),
            ("10.0.0.0/16", true),
            ("10.0.0.0/28", true),
            ("10.0.0.0/29", false),
        ] {
            let d = validate_config(&model(config(serde_json::json!({"ipv4_cidr": cidr}))), true);
            let want = if ok {
                vec![]
            } else {
                errors_at("Invalid IPv4 CIDR", "ipv4_cidr")
            };
            assert_eq!(summaries(&d), want, "{cidr}");
        }
    }

    #[test]
    fn hostname_types_are_resource_name_or_ip_name_and_ip_name_needs_ipv4() {
        let case = |h: &str, native: serde_json::Value| {
            let m = with_tiers(
                serde_json::json!({}),
                vec![tier(
                    "public",
                    "public",
                    serde_json::json!({"private_dns_hostname_type_on_launch": h, "ipv6_native": native}),
                )],
            );
            summaries(&validate_config(&m, true))
        };
        let at = "tier[0].private_dns_hostname_type_on_launch";
        let none: Vec<(String, String)> = vec![];
        assert_eq!(case("resource-name", serde_json::Value::Null), none);
        assert_eq!(case("resource-name", false.into()), none);
        assert_eq!(case("ip-name", false.into()), none);
        // IPv6-only is the default (null) as well as the explicit true.
        let ip_name = errors_at("ip-name on an IPv6-only tier", at);
        assert_eq!(case("ip-name", serde_json::Value::Null), ip_name);
        assert_eq!(case("ip-name", true.into()), ip_name);
        assert_eq!(
            case("bogus", false.into()),
            errors_at("Invalid hostname type", at)
        );
    }

    #[test]
    fn a_dual_stack_tier_without_an_index_takes_its_position_for_ipv4_room() {
        // A /24 holds the /28s of tier 0 only: the second tier, by position index 1,
        // has no IPv4 room.
        let m = with_tiers(
            serde_json::json!({"ipv4_cidr": "10.0.0.0/24"}),
            vec![
                tier(
                    "public",
                    "public",
                    serde_json::json!({"ipv6_native": false}),
                ),
                tier("app", "private", serde_json::json!({"ipv6_native": false})),
            ],
        );
        assert_eq!(
            summaries(&validate_config(&m, true)),
            errors_at("No IPv4 room for a dual-stack tier", "tier[1].ipv6_native")
        );
    }

    #[test]
    fn nat64_waits_while_a_tier_kind_or_ipv6_native_is_unknown() {
        let none: Vec<(String, String)> = vec![];
        for unknown_kind in [true, false] {
            let mut m = model(config(serde_json::json!({"enable_nat64": true})));
            if let Attr::Known(ts) = &mut m.tier {
                if unknown_kind {
                    ts[0].kind = Attr::Unknown;
                } else {
                    ts[0].ipv6_native = Attr::Unknown;
                }
            }
            assert_eq!(
                summaries(&validate_config(&m, true)),
                none,
                "kind unknown: {unknown_kind}"
            );
        }
        let mut m = model(config(serde_json::json!({"enable_nat64": true})));
        m.tier = Attr::Unknown;
        assert_eq!(summaries(&validate_config(&m, true)), none);
    }

    #[test]
    fn nat64_is_hosted_only_by_a_public_dual_stack_tier() {
        let case = |kind: &str, native: bool| {
            let m = with_tiers(
                serde_json::json!({"enable_nat64": true}),
                vec![tier(kind, kind, serde_json::json!({"ipv6_native": native}))],
            );
            summaries(&validate_config(&m, true))
        };
        let needs = errors_at("NAT64 needs a dual-stack public tier", "enable_nat64");
        assert_eq!(case("public", false), Vec::<(String, String)>::new());
        assert_eq!(case("public", true), needs);
        assert_eq!(case("private", false), needs);
    }
}
