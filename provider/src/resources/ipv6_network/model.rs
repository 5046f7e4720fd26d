//! The resource's typed model (what Terraform holds), its identity, and the
//! desired topology resolved from a plan (every value known).

use crate::aws::tags::{ConfigTags, Tags};
use crate::ipv6::{self, Ipv4Cidr};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::framework::Timeouts;
use tfplugin::value::{Attr, AttributePath};

pub const TYPE_NAME: &str = "trustchain_ipv6_network";
/// Tags the provider writes to find its objects again (and to import). Users may
/// not set tags with this prefix.
pub const TAG_PREFIX: &str = "trustchain:";
pub const TAG_TIER: &str = "trustchain:tier";
pub const TAG_KIND: &str = "trustchain:tier-kind";
pub const TAG_INDEX: &str = "trustchain:tier-index";
pub const TAG_VPC: &str = "trustchain:vpc-id";
pub const TAG_NAT64: &str = "trustchain:nat64";
pub const NAT64_PREFIX: &str = "64:ff9b::/96";
pub const DEFAULT_IPV4_CIDR: &str = "10.0.0.0/24";
/// Amazon-provided IPv6 blocks are always /56.
pub const AMAZON_PREFIX_LEN: u8 = 56;

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct NetworkModel {
    pub id: Attr<String>,
    pub name: Attr<String>,
    pub ipv4_cidr: Attr<String>,
    pub ipv6_ipam_pool_id: Attr<String>,
    pub ipv6_netmask_length: Attr<i64>,
    pub availability_zones: Attr<Vec<Attr<String>>>,
    pub enable_nat64: Attr<bool>,
    pub tags: Attr<ConfigTags>,
    pub tags_all: Attr<Tags>,
    pub tier: Attr<Vec<TierModel>>,
    pub timeouts: Attr<Timeouts>,
    pub vpc_id: Attr<String>,
    pub arn: Attr<String>,
    pub ipv6_cidr_block: Attr<String>,
    pub internet_gateway_id: Attr<String>,
    pub egress_only_internet_gateway_id: Attr<String>,
    pub nat_gateway_id: Attr<String>,
    pub subnets: Attr<BTreeMap<String, Vec<SubnetModel>>>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct TierModel {
    pub name: Attr<String>,
    pub kind: Attr<String>,
    pub index: Attr<i64>,
    pub ipv6_native: Attr<bool>,
    pub enable_dns64: Attr<bool>,
    pub enable_resource_name_dns_aaaa_record_on_launch: Attr<bool>,
    pub private_dns_hostname_type_on_launch: Attr<String>,
    pub subnet_tags: Attr<Tags>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct SubnetModel {
    pub id: Attr<String>,
    pub availability_zone: String,
    pub ipv6_cidr_block: String,
    pub ipv4_cidr_block: Option<String>,
    pub route_table_id: Attr<String>,
}

/// Which VPC, in which account and region. `account_id` and `region` may be left
/// out of an `import { identity = {...} }` block.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct NetworkIdentity {
    pub account_id: Option<String>,
    pub region: Option<String>,
    pub vpc_id: String,
}

impl NetworkModel {
    /// The identity from the VPC's ARN (`arn:aws:ec2:REGION:ACCOUNT:vpc/ID`).
    pub fn identity(&self) -> Option<NetworkIdentity> {
        let arn = self.arn.known()?;
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        let vpc_id = parts.get(5)?.strip_prefix("vpc/")?;
        Some(NetworkIdentity {
            account_id: Some(parts.get(4)?.to_string()),
            region: Some(parts.get(3)?.to_string()),
            vpc_id: vpc_id.to_string(),
        })
    }
}

/// A tier with every value known (after planning).
#[derive(Clone, Debug, PartialEq)]
pub struct Tier {
    pub name: String,
    pub kind: Kind,
    pub index: i64,
    pub ipv6_native: bool,
    pub dns64: bool,
    pub aaaa: bool,
    pub hostname_type: String,
    /// Extra tags of the tier's subnets (on top of the network's).
    pub subnet_tags: Tags,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Public,
    Private,
    Isolated,
}

impl Kind {
    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "public" => Some(Kind::Public),
            "private" => Some(Kind::Private),
            "isolated" => Some(Kind::Isolated),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Public => "public",
            Kind::Private => "private",
            Kind::Isolated => "isolated",
        }
    }
}

/// The whole desired topology, resolved from a planned or configured model.
#[derive(Clone, Debug)]
pub struct Desired {
    pub name: String,
    pub ipv4_cidr: Ipv4Cidr,
    pub zones: Vec<String>,
    pub tiers: Vec<Tier>,
    pub nat64: bool,
    pub tags_all: Tags,
}

impl Desired {
    pub fn from_model(m: &NetworkModel) -> Result<Desired, Diagnostics> {
        let err = |what: &str| {
            Diagnostics::from(Diagnostic::error(
                "Incomplete network plan",
                format!(
                    "{what} is not known at apply time. This is a bug in the provider; please report it."
                ),
            ))
        };
        // A value, or its default when null; an unknown one leaves the topology
        // unknown (a default in its place would plan what apply does not do).
        fn or<T: Clone>(a: &Attr<T>, default: T, what: &str) -> Result<T, String> {
            match a {
                Attr::Known(v) => Ok(v.clone()),
                Attr::Null => Ok(default),
                Attr::Unknown => Err(what.to_string()),
            }
        }
        let name = m.name.known().cloned().ok_or_else(|| err("name"))?;
        let ipv4 =
            or(&m.ipv4_cidr, DEFAULT_IPV4_CIDR.to_string(), "ipv4_cidr").map_err(|w| err(&w))?;
        let ipv4_cidr = Ipv4Cidr::parse(&ipv4).map_err(|e| {
            Diagnostics::from(
                Diagnostic::error("Invalid IPv4 CIDR", e.to_string())
                    .at(AttributePath::root().attr("ipv4_cidr")),
            )
        })?;
        // Every zone and tier, or none: a plan from some of them would promise
        // subnets and gateways that the whole set changes.
        let zones = m
            .availability_zones
            .known()
            .and_then(|v| {
                v.iter()
                    .map(|z| z.known().cloned())
                    .collect::<Option<Vec<_>>>()
            })
            .ok_or_else(|| err("availability_zones"))?;
        let tier_models = match &m.tier {
            Attr::Known(v) => v.as_slice(),
            Attr::Null => &[],
            Attr::Unknown => return Err(err("tier")),
        };
        let mut tiers = Vec::new();
        for t in tier_models {
            tiers.push(Tier {
                name: t.name.known().cloned().ok_or_else(|| err("tier.name"))?,
                kind: t
                    .kind
                    .known()
                    .and_then(|k| Kind::parse(k))
                    .ok_or_else(|| err("tier.kind"))?,
                index: *t.index.known().ok_or_else(|| err("tier.index"))?,
                ipv6_native: or(&t.ipv6_native, true, "tier.ipv6_native").map_err(|w| err(&w))?,
                dns64: or(&t.enable_dns64, false, "tier.enable_dns64").map_err(|w| err(&w))?,
                aaaa: or(
                    &t.enable_resource_name_dns_aaaa_record_on_launch,
                    true,
                    "tier.enable_resource_name_dns_aaaa_record_on_launch",
                )
                .map_err(|w| err(&w))?,
                hostname_type: or(
                    &t.private_dns_hostname_type_on_launch,
                    "resource-name".to_string(),
                    "tier.private_dns_hostname_type_on_launch",
                )
                .map_err(|w| err(&w))?,
                subnet_tags: or(&t.subnet_tags, Default::default(), "tier.subnet_tags")
                    .map_err(|w| err(&w))?,
            });
        }
        Ok(Desired {
            name,
            ipv4_cidr,
            zones,
            tiers,
            nat64: or(&m.enable_nat64, false, "enable_nat64").map_err(|w| err(&w))?,
            tags_all: m.tags_all.known().cloned().unwrap_or_default(),
        })
    }

    pub fn needs_igw(&self) -> bool {
        self.tiers.iter().any(|t| t.kind == Kind::Public)
    }

    pub fn needs_eigw(&self) -> bool {
        self.tiers.iter().any(|t| t.kind == Kind::Private)
    }

    /// The subnet that hosts the NAT gateway: the first public dual-stack tier, in
    /// its lowest-lettered zone.
    pub fn nat_host(&self) -> Option<(&Tier, &String)> {
        let tier = self
            .tiers
            .iter()
            .find(|t| t.kind == Kind::Public && !t.ipv6_native)?;
        let zone = self
            .zones
            .iter()
            .min_by_key(|z| ipv6::az_index(z).unwrap_or(u32::MAX))?;
        Some((tier, zone))
    }

    pub fn ipv4_block(&self, tier: &Tier, zone: &str) -> Result<Option<Ipv4Cidr>, String> {
        if tier.ipv6_native {
            return Ok(None);
        }
        ipv4_subnet(&self.ipv4_cidr, tier.index, zone).map(Some)
    }

    /// Tags of an object inside the VPC: tags_all plus its own Name.
    pub fn object_tags(&self, name: String) -> Tags {
        let mut t = self.tags_all.clone();
        t.insert("Name".into(), name);
        t
    }

    /// Tags of the VPC: tags_all, named after `name` unless the tags set a Name.
    pub fn vpc_tags(&self) -> Tags {
        let mut t = self.tags_all.clone();
        t.entry("Name".into()).or_insert_with(|| self.name.clone());
        t
    }

    pub fn igw_tags(&self) -> Tags {
        self.object_tags(format!("{}-igw", self.name))
    }

    pub fn eigw_tags(&self, vpc_id: &str) -> Tags {
        let mut t = self.object_tags(format!("{}-eigw", self.name));
        t.insert(TAG_VPC.into(), vpc_id.into());
        t
    }

    pub fn route_table_tags(&self, tier: &Tier) -> Tags {
        let mut t = self.object_tags(format!("{}-{}", self.name, tier.name));
        t.insert(TAG_TIER.into(), tier.name.clone());
        t.insert(TAG_KIND.into(), tier.kind.as_str().into());
        t.insert(TAG_INDEX.into(), tier.index.to_string());
        t
    }

    /// Tags of a subnet: the network's, its Name, the tier's `subnet_tags` on top,
    /// and the provider's tier tag.
    pub fn subnet_tags(&self, tier: &Tier, zone: &str) -> Tags {
        let mut t = self.object_tags(format!("{}-{}-{}", self.name, tier.name, zone));
        t.extend(tier.subnet_tags.clone());
        t.insert(TAG_TIER.into(), tier.name.clone());
        t
    }

    pub fn nat_tags(&self) -> Tags {
        let mut t = self.object_tags(format!("{}-nat64", self.name));
        t.insert(TAG_NAT64.into(), "true".into());
        t
    }

    pub fn eip_tags(&self, vpc_id: &str) -> Tags {
        let mut t = self.object_tags(format!("{}-nat64", self.name));
        t.insert(TAG_VPC.into(), vpc_id.into());
        t
    }

    pub fn tier(&self, name: &str) -> Option<&Tier> {
        self.tiers.iter().find(|t| t.name == name)
    }
}

/// The dual-stack subnet's IPv4 /28: same index scheme as IPv6, inside `ipv4_cidr`.
pub fn ipv4_subnet(cidr: &Ipv4Cidr, tier_index: i64, zone: &str) -> Result<Ipv4Cidr, String> {
    let az = ipv6::az_index(zone).map_err(|e| e.to_string())?;
    let newbits = 28u8.checked_sub(cidr.len).ok_or_else(|| {
        format!("ipv4_cidr {cidr} is smaller than a /28; dual-stack subnets need a /28 each")
    })?;
    // Checked: a tier index near i64::MAX must not wrap to a small, wrong subnet.
    let netnum = tier_index
        .checked_mul(16)
        .and_then(|n| n.checked_add(i64::from(az)))
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(u32::MAX);
    cidr.subnet(newbits, netnum).ok_or_else(|| {
        format!(
            "ipv4_cidr {cidr} has no room for the dual-stack subnet of tier index {tier_index} in zone {zone}: it needs /28 number {netnum}. Use a larger ipv4_cidr (a /20 fits 16 tiers) or give the dual-stack tier index 0."
        )
    })
}
