//! Tests of the IPv6 subnet scheme (`ipv6.rs`).

use super::*;
use proptest::prelude::*;

fn p(s: &str) -> Ipv6Cidr {
    Ipv6Cidr::parse(s).unwrap()
}

#[test]
fn subnet_matches_terraform_cidrsubnet() {
    // cidrsubnet("2600:1f18:abcd:1200::/56", 8, 3) == "2600:1f18:abcd:1203::/64"
    assert_eq!(
        p("2600:1f18:abcd:1200::/56")
            .subnet(8, 3)
            .unwrap()
            .to_string(),
        "2600:1f18:abcd:1203::/64"
    );
    assert_eq!(
        p("fd00::/8").subnet(8, 255).unwrap().to_string(),
        "fdff::/16"
    );
    assert_eq!(
        p("2001:db8::/32").subnet(0, 0).unwrap().to_string(),
        "2001:db8::/32"
    );
    assert!(matches!(
        p("2001:db8::/120").subnet(9, 0),
        Err(PlanError::TooManyBits { .. })
    ));
    assert!(matches!(
        p("2001:db8::/56").subnet(8, 256),
        Err(PlanError::NetnumOutOfRange { .. })
    ));
}

#[test]
fn parse_refuses_host_bits_and_suggests_the_network() {
    let e = Ipv6Cidr::parse("2001:db8::1/56").unwrap_err();
    assert_eq!(
        e.to_string(),
        "2001:db8::1/56 has bits set after the first 56; did you mean 2001:db8::/56?"
    );
    assert!(matches!(
        Ipv6Cidr::parse("10.0.0.0/16"),
        Err(PlanError::NotIpv6Cidr(_))
    ));
    assert!(matches!(
        Ipv6Cidr::parse("2001:db8::/129"),
        Err(PlanError::NotIpv6Cidr(_))
    ));
}

#[test]
fn scheme_places_tier_and_zone_by_index() {
    let prefix = p("2600:1f18:abcd:1200::/56");
    assert_eq!(
        prefix.tier_subnet(0, 0).unwrap().to_string(),
        "2600:1f18:abcd:1200::/64"
    );
    assert_eq!(
        prefix.tier_subnet(1, 2).unwrap().to_string(),
        "2600:1f18:abcd:1212::/64"
    );
    assert_eq!(
        prefix.tier_subnet(15, 15).unwrap().to_string(),
        "2600:1f18:abcd:12ff::/64"
    );
    assert!(matches!(
        prefix.tier_subnet(16, 0),
        Err(PlanError::TierIndexOutOfRange { .. })
    ));
    assert!(matches!(
        p("2001:db8::/61").tier_capacity(),
        Err(PlanError::PrefixTooLong(61))
    ));
    assert_eq!(p("2001:db8::/48").tier_capacity().unwrap(), 4096);
}

#[test]
fn zone_index_comes_from_the_final_letter() {
    assert_eq!(az_index("us-east-1a").unwrap(), 0);
    assert_eq!(az_index("us-east-1f").unwrap(), 5);
    assert_eq!(az_index("us-west-2-lax-1b").unwrap(), 1);
    assert!(az_index("use1-az1").is_err());
    assert!(az_index("q").is_err());
    // A letter alone is not a zone name (a typo for the whole name, not zone "a").
    assert!(matches!(az_index("a"), Err(PlanError::BadZone(z)) if z == "a"));
    assert_eq!(az_index("1a").unwrap(), 0);
}

#[test]
fn a_single_address_is_a_block_and_a_longer_prefix_is_not() {
    // /128 and /32 are the longest prefixes there are; one more bit is not a CIDR.
    let host = Ipv6Cidr::parse("2001:db8::1/128").unwrap();
    assert_eq!(
        (host.to_string(), host.len),
        ("2001:db8::1/128".to_string(), 128)
    );
    let v4 = Ipv4Cidr::parse("10.0.0.1/32").unwrap();
    assert_eq!((v4.to_string(), v4.len), ("10.0.0.1/32".to_string(), 32));
    assert!(matches!(
        Ipv4Cidr::parse("10.0.0.0/33"),
        Err(PlanError::NotIpv4Cidr(_))
    ));
    assert_eq!(Ipv4Cidr::parse("10.0.0.0/16").unwrap().len, 16);
}

#[test]
fn ipv4_subnets() {
    let c = Ipv4Cidr::parse("10.0.0.0/24").unwrap();
    assert_eq!(c.subnet(4, 3).unwrap().to_string(), "10.0.0.48/28");
    assert!(c.subnet(4, 16).is_none());
    assert!(Ipv4Cidr::parse("10.0.0.1/24").is_err());
    // Any host bit past the prefix is refused, not only the last one, and the
    // suggestion is the network the prefix names.
    for given in ["10.0.0.2/24", "10.0.0.128/24", "10.0.1.0/23"] {
        let e = Ipv4Cidr::parse(given).unwrap_err();
        assert!(
            matches!(&e, PlanError::HostBitsSet { suggested, .. } if suggested == "10.0.0.0/24" || suggested == "10.0.0.0/23"),
            "{given}: {e}"
        );
    }
}

/// Inputs whose prefix is known but one tier name or zone is not (yet): the
/// checks that can run do, but no plan comes out, since subnets planned from
/// a guess would not be the ones applied.
#[test]
fn an_unknown_tier_name_or_zone_plans_nothing() {
    let root = AttributePath::root();
    let tier = |name: Option<&str>, i: i64| {
        (
            name.map(str::to_string),
            root.clone().attr("tier").index(i).attr("name"),
            None,
        )
    };
    let zone = |z: Option<&str>, i: i64| {
        (
            z.map(str::to_string),
            root.clone().attr("availability_zones").index(i),
        )
    };
    let inputs = |tiers, zones| PlanInputs {
        prefix: Some("2001:db8::/56"),
        prefix_path: root.clone().attr("prefix"),
        tiers,
        zones,
    };
    let all = inputs(
        vec![tier(Some("public"), 0), tier(Some("app"), 1)],
        vec![zone(Some("us-east-1a"), 0), zone(Some("us-east-1b"), 1)],
    );
    let (d, planned) = all.check();
    assert!(!d.has_errors(), "{d:?}");
    assert_eq!(planned.expect("all known plans").1.len(), 2);

    let unknown_tier = inputs(
        vec![tier(Some("public"), 0), tier(None, 1)],
        vec![zone(Some("us-east-1a"), 0), zone(Some("us-east-1b"), 1)],
    );
    let (d, planned) = unknown_tier.check();
    assert!(!d.has_errors(), "{d:?}");
    assert!(planned.is_none(), "planned with an unknown tier name");

    let unknown_zone = inputs(
        vec![tier(Some("public"), 0), tier(Some("app"), 1)],
        vec![zone(Some("us-east-1a"), 0), zone(None, 1)],
    );
    let (d, planned) = unknown_zone.check();
    assert!(!d.has_errors(), "{d:?}");
    assert!(planned.is_none(), "planned with an unknown zone");
}

/// A plan of `tiers` (name, explicit index) over `zones` in a /56, with the
/// paths the network resource uses.
fn check_inputs(
    tiers: &[(&str, Option<i64>)],
    zones: &[&str],
) -> (Vec<(String, String)>, Option<Vec<TierSlot>>) {
    let root = AttributePath::root();
    let inputs = PlanInputs {
        prefix: Some("2001:db8::/56"),
        prefix_path: root.clone().attr("prefix"),
        tiers: tiers
            .iter()
            .enumerate()
            .map(|(i, (name, index))| {
                let at = root.clone().attr("tier").index(i as i64);
                (
                    Some(name.to_string()),
                    at.clone().attr("name"),
                    index.map(|ix| (ix, at.attr("index"))),
                )
            })
            .collect(),
        zones: zones
            .iter()
            .enumerate()
            .map(|(i, z)| {
                (
                    Some(z.to_string()),
                    root.clone().attr("availability_zones").index(i as i64),
                )
            })
            .collect(),
    };
    let (d, planned) = inputs.check();
    let errors = d
        .iter()
        .map(|x| {
            let at = x.attribute.as_ref().map(|p| p.to_string());
            (x.summary.clone(), at.unwrap_or_default())
        })
        .collect();
    (errors, planned.map(|(_, slots)| slots))
}

#[test]
fn two_tiers_on_one_index_are_refused_at_the_explicit_index() {
    // "app" asks for index 0, which "public" holds by position: their subnets
    // would be the same /64s.
    let (errors, planned) = check_inputs(&[("public", None), ("app", Some(0))], &["us-east-1a"]);
    assert_eq!(
        errors,
        vec![(
            "Tier index collision".to_string(),
            "tier[1].index".to_string()
        )]
    );
    assert_eq!(planned, None, "no plan with overlapping subnets");
    // Two explicit indexes collide too, reported at the second.
    let (errors, _) = check_inputs(&[("a", Some(3)), ("b", Some(3))], &["us-east-1a"]);
    assert_eq!(
        errors,
        vec![(
            "Tier index collision".to_string(),
            "tier[1].index".to_string()
        )]
    );
    // Distinct indexes plan, each tier at its own index.
    let (errors, planned) = check_inputs(&[("a", Some(3)), ("b", None)], &["us-east-1a"]);
    assert!(errors.is_empty(), "{errors:?}");
    let slots = planned.expect("a plan");
    assert_eq!(
        slots.iter().map(|t| t.index).collect::<Vec<_>>(),
        vec![3, 1]
    );
}

#[test]
fn two_zones_with_one_letter_are_refused_at_the_second() {
    // us-east-1a and us-west-2a would both take zone slot 0: the same /64s.
    let (errors, planned) = check_inputs(&[("public", None)], &["us-east-1a", "us-west-2a"]);
    assert_eq!(
        errors,
        vec![(
            "Duplicate availability zone".to_string(),
            "availability_zones[1]".to_string()
        )]
    );
    assert_eq!(planned, None, "no plan with overlapping subnets");
    let (errors, planned) = check_inputs(&[("public", None)], &["us-east-1a", "us-east-1b"]);
    assert!(errors.is_empty(), "{errors:?}");
    assert!(planned.is_some());
}

fn zone_names() -> impl Strategy<Value = Vec<String>> {
    proptest::sample::subsequence(
        (b'a'..=b'p')
            .map(|c| format!("eu-west-1{}", c as char))
            .collect::<Vec<_>>(),
        1..6,
    )
}

#[test]
fn carving_at_the_edges_of_the_address_space_is_checked() {
    // ::/0 with 128 new bits: the whole range of netnum, no shift overflow.
    assert_eq!(p("::/0").subnet(128, 5).unwrap().to_string(), "::5/128");
    assert_eq!(
        p("::/0").subnet(128, i64::MAX).unwrap().to_string(),
        "::7fff:ffff:ffff:ffff/128"
    );
    assert_eq!(p("::/0").subnet(64, 1).unwrap().to_string(), "0:0:0:1::/64");
    assert!(matches!(
        p("::/0").subnet(129, 0),
        Err(PlanError::TooManyBits { .. })
    ));
    assert!(matches!(
        p("2001:db8::/56").subnet(i64::MAX, 0),
        Err(PlanError::TooManyBits { .. })
    ));
    assert!(matches!(
        p("2001:db8::/56").subnet(-1, 0),
        Err(PlanError::NegativeNewbits { .. })
    ));
    assert!(matches!(
        p("2001:db8::/56").subnet(i64::MIN, 0),
        Err(PlanError::NegativeNewbits { .. })
    ));
    assert!(matches!(
        p("2001:db8::/56").subnet(8, i64::MIN),
        Err(PlanError::NetnumOutOfRange { .. })
    ));
    // A /0 holds 2^60 tiers: the last one is the top /64 of the space, and
    // indexes past it (2^62, i64::MAX) are refused, not wrapped.
    let all = p("::/0");
    assert_eq!(all.tier_capacity().unwrap(), 1 << 60);
    assert_eq!(
        all.tier_subnet((1 << 60) - 1, 15).unwrap().to_string(),
        "ffff:ffff:ffff:ffff::/64"
    );
    assert_eq!(all.tier_netnum((1 << 60) - 1, 15).unwrap(), u64::MAX);
    for index in [1 << 60, 1 << 62, i64::MAX, -1, i64::MIN] {
        assert!(
            matches!(
                all.tier_subnet(index, 0),
                Err(PlanError::TierIndexOutOfRange { .. })
            ),
            "{index}"
        );
    }
    let tiers = [TierSlot {
        name: "top".into(),
        index: (1 << 60) - 1,
    }];
    let planned = plan(&all, &tiers, &["us-east-1p".to_string()]).unwrap();
    assert_eq!(planned[0].netnum, u64::MAX);
}

/// Any prefix, of any length.
fn any_prefix() -> impl Strategy<Value = Ipv6Cidr> {
    (any::<u128>(), 0u8..=128).prop_map(|(a, len)| Ipv6Cidr {
        addr: Ipv6Addr::from(a & mask(len)),
        len,
    })
}

proptest! {
    /// Every newbits and netnum a Terraform number can carry: a block inside the
    /// prefix of the right length, or an error; never a panic or a wrap.
    #[test]
    fn subnet_over_the_whole_input_range(
        prefix in any_prefix(),
        newbits in prop_oneof![any::<i64>(), -2i64..=130],
        netnum in prop_oneof![any::<i64>(), -2i64..=1024],
    ) {
        match prefix.subnet(newbits, netnum) {
            Ok(c) => {
                prop_assert!((0..=128 - i64::from(prefix.len)).contains(&newbits));
                prop_assert_eq!(i64::from(c.len), i64::from(prefix.len) + newbits);
                prop_assert!(prefix.overlaps(&c));
                prop_assert_eq!(u128::from(c.addr) & mask(prefix.len), u128::from(prefix.addr));
                // The subnet number is exactly netnum.
                let shift = 128 - u32::from(c.len);
                let n = (u128::from(c.addr) & !mask(prefix.len)).checked_shr(shift).unwrap_or(0);
                prop_assert_eq!(n, netnum as u128);
            }
            Err(PlanError::NegativeNewbits { .. }) => prop_assert!(newbits < 0),
            Err(PlanError::TooManyBits { .. }) => prop_assert!(newbits > 128 - i64::from(prefix.len)),
            Err(PlanError::NetnumOutOfRange { .. }) => prop_assert!(
                netnum < 0 || (newbits < 127 && (netnum as u128) >= (1u128 << newbits))
            ),
            Err(e) => prop_assert!(false, "unexpected {e}"),
        }
    }

    /// Every tier index and zone slot: the /64 the scheme names inside the
    /// prefix, distinct for distinct inputs, or an error.
    #[test]
    fn tier_subnet_over_the_whole_input_range(
        prefix in any_prefix(),
        tier in prop_oneof![any::<i64>(), 0i64..64, (1i64 << 58)..(1i64 << 61)],
        az in prop_oneof![0u32..16, any::<u32>()],
    ) {
        match prefix.tier_subnet(tier, az) {
            Ok(c) => {
                prop_assert!(prefix.len <= 60 && az < 16 && tier >= 0);
                prop_assert_eq!(c.len, 64);
                prop_assert!(prefix.overlaps(&c));
                let n = (u128::from(c.addr) & !mask(prefix.len)) >> 64;
                prop_assert_eq!(n, tier as u128 * 16 + u128::from(az));
            }
            Err(PlanError::PrefixTooLong(_)) => prop_assert!(prefix.len > 60),
            Err(PlanError::TierIndexOutOfRange { max, .. }) => {
                prop_assert!(tier < 0 || tier as u64 >= max)
            }
            Err(PlanError::BadZone(_)) => prop_assert!(az >= 16),
            Err(e) => prop_assert!(false, "unexpected {e}"),
        }
    }

    /// Any string parses or is refused with a reason.
    #[test]
    fn parse_never_panics(s in ".{0,60}", len in 0u32..300) {
        let _ = Ipv6Cidr::parse(&s);
        let _ = Ipv6Cidr::parse(&format!("::/{len}"));
        let _ = Ipv4Cidr::parse(&s);
        let _ = az_index(&s);
    }

    #[test]
    fn adding_zones_or_tiers_never_renumbers_existing_subnets(
        zones in zone_names(),
        extra_zone in b'a'..=b'p',
        ntiers in 1usize..8,
    ) {
        let prefix = p("2600:1f18:abcd:1200::/56");
        let tiers: Vec<TierSlot> = (0..ntiers).map(|i| TierSlot { name: format!("t{i}"), index: i as i64 }).collect();
        let before = plan(&prefix, &tiers, &zones).unwrap();
        let mut more_zones = zones.clone();
        more_zones.insert(0, format!("eu-west-1{}", extra_zone as char));
        let mut more_tiers = tiers.clone();
        more_tiers.push(TierSlot { name: "new".into(), index: ntiers as i64 });
        let after = plan(&prefix, &more_tiers, &more_zones).unwrap();
        for s in &before {
            prop_assert!(after.iter().any(|a| a.tier == s.tier && a.availability_zone == s.availability_zone && a.cidr == s.cidr));
        }
        // And no two subnets overlap.
        for (i, a) in after.iter().enumerate() {
            for b in &after[i + 1..] {
                if a.tier != b.tier || a.availability_zone != b.availability_zone {
                    prop_assert!(!a.cidr.overlaps(&b.cidr));
                }
            }
        }
    }
}
