//! What the network owns among the routes and tags AWS shows, so that objects other
//! tools attach (hashicorp/aws gateway endpoints, transit gateway and peering
//! routes, VPN route propagation, `aws_ec2_tag`) are never deleted or rewritten.
//!
//! A route is the network's when it was made by CreateRoute, goes to one of the
//! destinations the network plans (`::/0`, `0.0.0.0/0`, `64:ff9b::/96`) and targets
//! one of the network's own gateways, or is a blackhole left at such a destination
//! by a gateway of a kind the network makes (it carries no traffic). Everything
//! else (prefix-list destinations, `vpce-`, `vgw-`, `tgw-`, `pcx-`, `eni-`
//! targets, propagated routes) belongs to someone else.
//!
//! A tag of an object inside the VPC is the network's when its key is one the
//! network sets on that object now, or set in the prior state; other keys are left
//! as they are.

use super::super::model::NAT64_PREFIX;
use crate::aws::tags::Tags;
use std::collections::BTreeSet;

/// Where a route goes, as DescribeRouteTables shows it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Destination {
    Ipv4(String),
    Ipv6(String),
    PrefixList(String),
}

impl Destination {
    /// The IPv4 or IPv6 block, when the destination is one.
    pub fn cidr(&self) -> Option<&str> {
        match self {
            Destination::Ipv4(c) | Destination::Ipv6(c) => Some(c),
            Destination::PrefixList(_) => None,
        }
    }
}

/// How AWS made a route (Route.Origin).
pub const ORIGIN_CREATE_ROUTE: &str = "CreateRoute";

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct RouteInfo {
    pub destination: Destination,
    /// The route's target id (gateway, NAT gateway, transit gateway, peering
    /// connection, interface, ...); empty when AWS shows none.
    pub target: String,
    /// CreateRouteTable, CreateRoute or EnableVgwRoutePropagation.
    pub origin: String,
    /// State `blackhole`: the target is gone.
    pub blackhole: bool,
}

impl RouteInfo {
    /// A static route made by CreateRoute (what occupies a destination: AWS refuses
    /// a second CreateRoute to it, while propagated routes may share it).
    pub fn is_static(&self) -> bool {
        self.origin == ORIGIN_CREATE_ROUTE
    }

    pub fn goes_to(&self, cidr: &str) -> bool {
        self.destination.cidr() == Some(cidr)
    }
}

/// The destinations the network plans in its route tables.
pub fn is_network_destination(cidr: &str) -> bool {
    matches!(cidr, "::/0" | "0.0.0.0/0") || cidr == NAT64_PREFIX
}

/// Target id prefixes of the gateways the network makes.
const NETWORK_TARGET_KINDS: [&str; 3] = ["igw-", "eigw-", "nat-"];

/// Whether the network owns `r`, given the ids of its gateways.
pub fn is_owned(r: &RouteInfo, gateways: &BTreeSet<String>) -> bool {
    let Some(cidr) = r.destination.cidr() else {
        return false;
    };
    if !r.is_static() || !is_network_destination(cidr) {
        return false;
    }
    gateways.contains(&r.target)
        || (r.blackhole && NETWORK_TARGET_KINDS.iter().any(|k| r.target.starts_with(k)))
}

/// A static route someone else made at `cidr`, which the network leaves in place
/// (and so cannot add its own route there).
pub fn foreign_at<'a>(
    routes: &'a [RouteInfo],
    cidr: &str,
    gateways: &BTreeSet<String>,
) -> Option<&'a RouteInfo> {
    routes
        .iter()
        .find(|r| r.goes_to(cidr) && r.is_static() && !is_owned(r, gateways))
}

/// The tags of `have` the network may change or remove: those under keys it sets
/// now (`want`) or set before (`before`, from the prior state). Without a prior
/// state only the keys it sets now count, so nothing is ever removed that the
/// network cannot know it wrote.
pub fn owned_tags(have: &Tags, want: &Tags, before: Option<&Tags>) -> Tags {
    have.iter()
        .filter(|(k, _)| want.contains_key(*k) || before.is_some_and(|b| b.contains_key(*k)))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(dest: Destination, target: &str, origin: &str) -> RouteInfo {
        RouteInfo {
            destination: dest,
            target: target.into(),
            origin: origin.into(),
            blackhole: false,
        }
    }

    fn v6(c: &str) -> Destination {
        Destination::Ipv6(c.into())
    }

    fn v4(c: &str) -> Destination {
        Destination::Ipv4(c.into())
    }

    fn ours() -> BTreeSet<String> {
        ["igw-1", "eigw-1", "nat-1"].map(String::from).into()
    }

    #[test]
    fn the_networks_routes_go_to_its_destinations_and_its_gateways() {
        for r in [
            route(v6("::/0"), "eigw-1", "CreateRoute"),
            route(v4("0.0.0.0/0"), "igw-1", "CreateRoute"),
            route(v6("64:ff9b::/96"), "nat-1", "CreateRoute"),
        ] {
            assert!(is_owned(&r, &ours()), "{r:?}");
        }
    }

    #[test]
    fn routes_other_tools_attach_are_never_the_networks() {
        for r in [
            // aws_vpc_endpoint (gateway) on the route table
            route(
                Destination::PrefixList("pl-63a5400a".into()),
                "vpce-1",
                "CreateRoute",
            ),
            // aws_route to a transit gateway, a peering connection, an interface
            route(v4("10.1.0.0/16"), "tgw-1", "CreateRoute"),
            route(v6("2001:db8::/32"), "pcx-1", "CreateRoute"),
            route(v6("::/0"), "tgw-1", "CreateRoute"),
            route(v6("64:ff9b::/96"), "tgw-1", "CreateRoute"),
            // aws_vpn_gateway_route_propagation
            route(v4("192.168.0.0/16"), "vgw-1", "EnableVgwRoutePropagation"),
            route(v4("0.0.0.0/0"), "vgw-1", "EnableVgwRoutePropagation"),
            // the network's own gateway at a destination it never plans
            route(v6("2001:db8::/32"), "eigw-1", "CreateRoute"),
            // the local route
            route(v6("2600:1f18::/56"), "local", "CreateRouteTable"),
            // someone else's NAT gateway
            route(v6("64:ff9b::/96"), "nat-other", "CreateRoute"),
        ] {
            assert!(!is_owned(&r, &ours()), "{r:?}");
        }
    }

    #[test]
    fn a_blackhole_at_a_network_destination_to_a_gateway_kind_it_makes_is_stale() {
        let mut gone = route(v6("64:ff9b::/96"), "nat-gone", "CreateRoute");
        gone.blackhole = true;
        assert!(is_owned(&gone, &ours()));
        let mut tgw = route(v6("::/0"), "tgw-gone", "CreateRoute");
        tgw.blackhole = true;
        assert!(
            !is_owned(&tgw, &ours()),
            "a transit gateway blackhole stays"
        );
    }

    #[test]
    fn a_foreign_static_route_occupies_its_destination_a_propagated_one_does_not() {
        let routes = vec![
            route(v6("::/0"), "tgw-1", "CreateRoute"),
            route(v4("0.0.0.0/0"), "vgw-1", "EnableVgwRoutePropagation"),
            route(v6("64:ff9b::/96"), "nat-1", "CreateRoute"),
        ];
        assert_eq!(
            foreign_at(&routes, "::/0", &ours()).map(|r| r.target.as_str()),
            Some("tgw-1")
        );
        assert!(foreign_at(&routes, "0.0.0.0/0", &ours()).is_none());
        assert!(foreign_at(&routes, "64:ff9b::/96", &ours()).is_none());
    }

    fn tags(pairs: &[(&str, &str)]) -> Tags {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn only_tags_the_network_sets_or_set_are_its_to_change() {
        let have = tags(&[
            ("Name", "net-app-a"),
            ("Team", "pki"),
            ("Old", "x"),
            ("kubernetes.io/cluster/ca", "shared"),
        ]);
        let want = tags(&[("Name", "net-app-a"), ("Team", "ca")]);
        let before = tags(&[("Name", "net-app-a"), ("Team", "pki"), ("Old", "x")]);
        assert_eq!(
            owned_tags(&have, &want, Some(&before)),
            tags(&[("Name", "net-app-a"), ("Team", "pki"), ("Old", "x")])
        );
        assert_eq!(
            owned_tags(&have, &want, None),
            tags(&[("Name", "net-app-a"), ("Team", "pki")])
        );
    }
}
