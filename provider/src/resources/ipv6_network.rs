//! `trustchain_ipv6_network`: an IPv6-only VPC topology as one resource.
//!
//! One VPC (Amazon-provided /56 or an IPAM allocation), one route table per tier,
//! one subnet per tier × zone carved by the shared index scheme (`crate::ipv6`), an
//! internet gateway when a tier is public, an egress-only gateway when a tier is
//! private, and optionally NAT64 (a NAT gateway in a dual-stack public subnet plus
//! `64:ff9b::/96` routes for DNS64 tiers).
//!
//! Create and update share one reconciliation (`converge`): it discovers what exists
//! in the VPC, then creates, modifies and deletes in AWS's dependency order. After
//! every apply, success or failure, the state is read back from AWS, so a failure
//! half-way leaves state the next apply or destroy can finish from.

use crate::aws::{Clients, ProviderData};
use crate::data_sources::ipv6_plan::PlanInputs;
use crate::ipv6::{self, Ipv4Cidr, Ipv6Cidr};
use crate::wait::{Poll, poll};
use async_trait::async_trait;
use aws_sdk_ec2::error::ProvideErrorMetadata;
use aws_sdk_ec2::types::{
    AttributeBooleanValue, DomainType, Filter, HostnameType, ResourceType, Tag, TagSpecification,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;
use tfplugin::diag::{DiagResult, Diagnostic, Diagnostics};
use tfplugin::plan::{PlanContext, timeout};
use tfplugin::provider::{
    Applied, CreateRequest, DeleteRequest, ReadRequest, ReadResult, Resource, UpdateRequest,
};
use tfplugin::schema::{Attribute, Block, NestedBlock, Schema};
use tfplugin::value::{self, Attr, AttributePath, Type, Value};

const TYPE_NAME: &str = "trustchain_ipv6_network";
/// Tags the provider writes to find its objects again (and to import). Users may
/// not set tags with this prefix.
const TAG_PREFIX: &str = "trustchain:";
const TAG_TIER: &str = "trustchain:tier";
const TAG_KIND: &str = "trustchain:tier-kind";
const TAG_INDEX: &str = "trustchain:tier-index";
const TAG_VPC: &str = "trustchain:vpc-id";
const TAG_NAT64: &str = "trustchain:nat64";
const NAT64_PREFIX: &str = "64:ff9b::/96";
const DEFAULT_IPV4_CIDR: &str = "10.0.0.0/24";
/// Amazon-provided IPv6 blocks are always /56.
const AMAZON_PREFIX_LEN: u8 = 56;

pub struct Ipv6Network {
    data: ProviderData,
}

impl Ipv6Network {
    pub fn new(data: ProviderData) -> Self {
        Self { data }
    }
}

// ---------------------------------------------------------------------------
// Model
// ---------------------------------------------------------------------------

#[derive(Clone, Debug, Deserialize, Serialize)]
struct NetworkModel {
    id: Attr<String>,
    name: Attr<String>,
    ipv4_cidr: Attr<String>,
    ipv6_ipam_pool_id: Attr<String>,
    ipv6_netmask_length: Attr<i64>,
    availability_zones: Attr<Vec<Attr<String>>>,
    enable_nat64: Attr<bool>,
    tags: Attr<BTreeMap<String, String>>,
    tags_all: Attr<BTreeMap<String, String>>,
    tier: Attr<Vec<TierModel>>,
    timeouts: Attr<Timeouts>,
    vpc_id: Attr<String>,
    arn: Attr<String>,
    ipv6_cidr_block: Attr<String>,
    internet_gateway_id: Attr<String>,
    egress_only_internet_gateway_id: Attr<String>,
    nat_gateway_id: Attr<String>,
    subnets: Attr<BTreeMap<String, Vec<SubnetModel>>>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
struct TierModel {
    name: Attr<String>,
    kind: Attr<String>,
    index: Attr<i64>,
    ipv6_native: Attr<bool>,
    enable_dns64: Attr<bool>,
    enable_resource_name_dns_aaaa_record_on_launch: Attr<bool>,
    private_dns_hostname_type_on_launch: Attr<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
struct Timeouts {
    create: Option<String>,
    update: Option<String>,
    delete: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
struct SubnetModel {
    id: Attr<String>,
    availability_zone: String,
    ipv6_cidr_block: String,
    ipv4_cidr_block: Option<String>,
    route_table_id: Attr<String>,
}

/// A tier with every value known (after planning).
#[derive(Clone, Debug, PartialEq)]
struct Tier {
    name: String,
    kind: Kind,
    index: i64,
    ipv6_native: bool,
    dns64: bool,
    aaaa: bool,
    hostname_type: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Public,
    Private,
    Isolated,
}

impl Kind {
    fn parse(s: &str) -> Option<Kind> {
        match s {
            "public" => Some(Kind::Public),
            "private" => Some(Kind::Private),
            "isolated" => Some(Kind::Isolated),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Kind::Public => "public",
            Kind::Private => "private",
            Kind::Isolated => "isolated",
        }
    }
}

/// The whole desired topology, resolved from a planned or configured model.
#[derive(Clone, Debug)]
struct Desired {
    name: String,
    ipv4_cidr: Ipv4Cidr,
    zones: Vec<String>,
    tiers: Vec<Tier>,
    nat64: bool,
    tags_all: BTreeMap<String, String>,
}

impl Desired {
    fn from_model(m: &NetworkModel) -> Result<Desired, Diagnostics> {
        let err = |what: &str| {
            Diagnostics::from(Diagnostic::error(
                "Incomplete network plan",
                format!(
                    "{what} is not known at apply time. This is a bug in the provider; please report it."
                ),
            ))
        };
        let name = m.name.known().cloned().ok_or_else(|| err("name"))?;
        let ipv4 = m
            .ipv4_cidr
            .known()
            .map(String::as_str)
            .unwrap_or(DEFAULT_IPV4_CIDR);
        let ipv4_cidr = Ipv4Cidr::parse(ipv4).map_err(|e| {
            Diagnostics::from(
                Diagnostic::error("Invalid IPv4 CIDR", e.to_string())
                    .at(AttributePath::root().attr("ipv4_cidr")),
            )
        })?;
        let zones = m
            .availability_zones
            .known()
            .map(|v| v.iter().filter_map(|z| z.known().cloned()).collect())
            .ok_or_else(|| err("availability_zones"))?;
        let mut tiers = Vec::new();
        for t in m.tier.known().map(Vec::as_slice).unwrap_or_default() {
            tiers.push(Tier {
                name: t.name.known().cloned().ok_or_else(|| err("tier.name"))?,
                kind: t
                    .kind
                    .known()
                    .and_then(|k| Kind::parse(k))
                    .ok_or_else(|| err("tier.kind"))?,
                index: *t.index.known().ok_or_else(|| err("tier.index"))?,
                ipv6_native: t.ipv6_native.known().copied().unwrap_or(true),
                dns64: t.enable_dns64.known().copied().unwrap_or(false),
                aaaa: t
                    .enable_resource_name_dns_aaaa_record_on_launch
                    .known()
                    .copied()
                    .unwrap_or(true),
                hostname_type: t
                    .private_dns_hostname_type_on_launch
                    .known()
                    .cloned()
                    .unwrap_or_else(|| "resource-name".into()),
            });
        }
        Ok(Desired {
            name,
            ipv4_cidr,
            zones,
            tiers,
            nat64: m.enable_nat64.known().copied().unwrap_or(false),
            tags_all: m.tags_all.known().cloned().unwrap_or_default(),
        })
    }

    fn needs_igw(&self) -> bool {
        self.tiers.iter().any(|t| t.kind == Kind::Public)
    }

    fn needs_eigw(&self) -> bool {
        self.tiers.iter().any(|t| t.kind == Kind::Private)
    }

    /// The subnet that hosts the NAT gateway: the first public dual-stack tier, in
    /// its lowest-lettered zone.
    fn nat_host(&self) -> Option<(&Tier, &String)> {
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

    fn ipv4_block(&self, tier: &Tier, zone: &str) -> Result<Option<Ipv4Cidr>, String> {
        if tier.ipv6_native {
            return Ok(None);
        }
        ipv4_subnet(&self.ipv4_cidr, tier.index, zone).map(Some)
    }
}

/// The dual-stack subnet's IPv4 /28: same index scheme as IPv6, inside `ipv4_cidr`.
fn ipv4_subnet(cidr: &Ipv4Cidr, tier_index: i64, zone: &str) -> Result<Ipv4Cidr, String> {
    let az = ipv6::az_index(zone).map_err(|e| e.to_string())?;
    let newbits = 28u8.checked_sub(cidr.len).ok_or_else(|| {
        format!("ipv4_cidr {cidr} is smaller than a /28; dual-stack subnets need a /28 each")
    })?;
    let netnum = u32::try_from(tier_index * 16 + i64::from(az)).unwrap_or(u32::MAX);
    cidr.subnet(newbits, netnum).ok_or_else(|| {
        format!(
            "ipv4_cidr {cidr} has no room for the dual-stack subnet of tier index {tier_index} in zone {zone}: it needs /28 number {netnum}. Use a larger ipv4_cidr (a /20 fits 16 tiers) or give the dual-stack tier index 0."
        )
    })
}

// ---------------------------------------------------------------------------
// Schema
// ---------------------------------------------------------------------------

fn subnet_object() -> Type {
    Type::object([
        ("id", Type::String),
        ("availability_zone", Type::String),
        ("ipv6_cidr_block", Type::String),
        ("ipv4_cidr_block", Type::String),
        ("route_table_id", Type::String),
    ])
}

fn schema() -> Schema {
    let tier = Block::new()
        .description("A subnet tier: one subnet per availability zone, one route table.")
        .attribute(Attribute::required("name", Type::String).description("Tier name, unique, e.g. \"public\" or \"app\"."))
        .attribute(Attribute::required("kind", Type::String).description("public (routes ::/0 to the internet gateway), private (::/0 to the egress-only gateway) or isolated (no default route)."))
        .attribute(Attribute::optional_computed("index", Type::Number).description("Tier index in the subnet scheme. Defaults to the tier's position for new tiers; once assigned it is kept, so adding or removing tiers never renumbers others."))
        .attribute(Attribute::optional("ipv6_native", Type::Bool).default_value(Value::Bool(true)).description("IPv6-only subnets (true) or dual-stack with a /28 from ipv4_cidr (false; needed to host NAT64). Changing it replaces the tier's subnets."))
        .attribute(Attribute::optional("enable_dns64", Type::Bool).default_value(Value::Bool(false)).description("DNS64: the resolver synthesizes 64:ff9b::/96 AAAA records for IPv4-only names. With enable_nat64 on private tiers, a 64:ff9b::/96 route to the NAT gateway makes them reachable."))
        .attribute(Attribute::optional("enable_resource_name_dns_aaaa_record_on_launch", Type::Bool).default_value(Value::Bool(true)).description("Resolve instance resource names to AAAA records."))
        .attribute(Attribute::optional("private_dns_hostname_type_on_launch", Type::String).default_value(Value::String("resource-name".into())).description("resource-name or ip-name; IPv6-native subnets support only resource-name."));
    Schema::new(
        Block::new()
            .markdown_description("An IPv6-only VPC topology as one resource: the VPC, its IPv6 block (Amazon-provided /56 or IPAM), one subnet per tier × zone carved by the index scheme of `trustchain_ipv6_plan` (so adding zones or tiers never renumbers a subnet), route tables, internet and egress-only gateways, and optional NAT64. Updates apply in AWS's ordering rules; deletes retry DependencyViolation and release NAT addresses.")
            .attribute(Attribute::computed("id", Type::String).use_state_for_unknown().description("The VPC id."))
            .attribute(Attribute::required("name", Type::String).description("Name tag of the VPC and prefix of its objects' Name tags."))
            .attribute(Attribute::optional("ipv4_cidr", Type::String).default_value(Value::String(DEFAULT_IPV4_CIDR.into())).requires_replace().description("IPv4 block AWS requires on every VPC; dual-stack tiers take /28s from it. Changing it replaces the network."))
            .attribute(Attribute::optional("ipv6_ipam_pool_id", Type::String).requires_replace().description("IPAM pool to allocate the IPv6 block from; without it Amazon provides a /56."))
            .attribute(Attribute::optional("ipv6_netmask_length", Type::Number).requires_replace().description("Netmask length of the IPAM allocation (required with ipv6_ipam_pool_id), 44-60."))
            .attribute(Attribute::required("availability_zones", Type::list(Type::String)).description("Zone names, e.g. [\"us-east-1a\", \"us-east-1b\"]. Each zone's final letter picks its subnet slot."))
            .attribute(Attribute::optional("enable_nat64", Type::Bool).default_value(Value::Bool(false)).description("Create a NAT gateway in the first dual-stack public tier (lowest-lettered zone) and route 64:ff9b::/96 to it from private tiers with enable_dns64."))
            .attribute(Attribute::optional("tags", Type::map(Type::String)).description("Tags for the VPC and every object in it."))
            .attribute(Attribute::computed("tags_all", Type::map(Type::String)).description("tags merged over the provider's default_tags."))
            .attribute(Attribute::computed("vpc_id", Type::String).use_state_for_unknown().description("VPC id."))
            .attribute(Attribute::computed("arn", Type::String).use_state_for_unknown().description("VPC ARN."))
            .attribute(Attribute::computed("ipv6_cidr_block", Type::String).use_state_for_unknown().description("The VPC's IPv6 block."))
            .attribute(Attribute::computed("internet_gateway_id", Type::String).description("Internet gateway id (null without public tiers)."))
            .attribute(Attribute::computed("egress_only_internet_gateway_id", Type::String).description("Egress-only internet gateway id (null without private tiers)."))
            .attribute(Attribute::computed("nat_gateway_id", Type::String).description("NAT64 gateway id (null unless enable_nat64)."))
            .attribute(Attribute::computed("subnets", Type::map(Type::list(subnet_object()))).description("Tier name -> subnets in availability_zones order: id, availability_zone, ipv6_cidr_block, ipv4_cidr_block (dual-stack only), route_table_id."))
            .block(NestedBlock::list("tier", tier).min_items(1))
            .timeouts(&["create", "update", "delete"]),
    )
}

fn tier_path(i: usize) -> AttributePath {
    AttributePath::root().attr("tier").index(i as i64)
}

/// Checks a configuration (values may be unknown).
fn validate_config(m: &NetworkModel, reserved_tags: bool) -> Diagnostics {
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
            } else if h == "ip-name" && t.ipv6_native.known().copied().unwrap_or(true) {
                d.error_at(tier_path(i).attr("private_dns_hostname_type_on_launch"), "ip-name on an IPv6-only tier", "IPv6-native subnets have no IPv4 address to name hosts by; use resource-name, or set ipv6_native = false.");
            }
        }
        if let (Some(cidr), Attr::Known(false)) = (ipv4, &t.ipv6_native) {
            let index = t.index.known().copied().unwrap_or(i as i64);
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
        let all_known = tiers
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

    if reserved_tags && let Attr::Known(tags) = &m.tags {
        for k in tags.keys().filter(|k| k.starts_with(TAG_PREFIX)) {
            d.error_at(root.clone().attr("tags").key(k), "Reserved tag key", format!("Tag keys starting with {TAG_PREFIX:?} are reserved for the provider's bookkeeping; rename {k:?}."));
        }
    }
    d
}

// ---------------------------------------------------------------------------
// Resource
// ---------------------------------------------------------------------------

#[async_trait]
impl Resource for Ipv6Network {
    fn type_name(&self) -> &str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        match value::from_value::<NetworkModel>(config) {
            Ok(m) => validate_config(&m, true),
            Err(e) => e.into(),
        }
    }

    async fn modify_plan(&self, ctx: &mut PlanContext) {
        let config: NetworkModel = match value::from_value(&ctx.config) {
            Ok(m) => m,
            Err(e) => return ctx.diagnostics.push(e.into()),
        };
        let prior: Option<NetworkModel> = if ctx.prior.is_null() {
            None
        } else {
            match value::from_value(&ctx.prior) {
                Ok(m) => Some(m),
                Err(e) => return ctx.diagnostics.push(e.into()),
            }
        };
        let root = AttributePath::root();

        // tags_all: provider default_tags with the resource's tags on top.
        if let Attr::Known(_) | Attr::Null = config.tags {
            let mut all = self.data.default_tags();
            all.extend(config.tags.known().cloned().unwrap_or_default());
            ctx.set(&root.clone().attr("tags_all"), map_value(&all));
        }

        // Tier indexes: explicit, else kept from state by name, else position if
        // free, else the lowest free index.
        let Attr::Known(tiers) = &config.tier else {
            return;
        };
        let prior_index: BTreeMap<String, i64> = prior
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
        for (pos, ix) in resolved.iter().enumerate() {
            if let Some(ix) = ix {
                ctx.set(&tier_path(pos).attr("index"), Value::Number((*ix).into()));
            }
        }

        let planned: NetworkModel = match value::from_value(&ctx.planned) {
            Ok(m) => m,
            Err(e) => return ctx.diagnostics.push(e.into()),
        };

        // Zones must exist in the region (known once the provider is configured).
        if let Attr::Known(zones) = &planned.availability_zones
            && let Ok(clients) = self.data.clients().await
        {
            match region_zones(&clients).await {
                Ok(available) => {
                    for (i, z) in zones.iter().enumerate() {
                        if let Attr::Known(z) = z
                            && !available.contains(z)
                        {
                            ctx.diagnostics.error_at(
                                root.clone().attr("availability_zones").index(i as i64),
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
                Err(e) => {
                    tracing::warn!(error = %e, "could not list availability zones; skipping the zone check")
                }
            }
        }

        let Some(prior) = prior else { return };
        let replacing = !ctx.requires_replace.is_empty();
        if replacing {
            return;
        }
        let Ok(desired) = Desired::from_model(&planned) else {
            return;
        };

        // Gateways: keep the prior id while still needed, unknown when newly needed,
        // null when no longer needed.
        let keep = |prior_v: &Attr<String>, needed: bool| -> Value {
            match (needed, prior_v) {
                (false, _) => Value::Null,
                (true, Attr::Known(id)) => Value::String(id.clone()),
                (true, _) => Value::unknown(),
            }
        };
        ctx.set(
            &root.clone().attr("internet_gateway_id"),
            keep(&prior.internet_gateway_id, desired.needs_igw()),
        );
        ctx.set(
            &root.clone().attr("egress_only_internet_gateway_id"),
            keep(&prior.egress_only_internet_gateway_id, desired.needs_eigw()),
        );
        let prior_nat_host = Desired::from_model(&prior).ok().and_then(|p| {
            p.nat_host()
                .map(|(t, z)| (t.name.clone(), t.index, z.clone()))
        });
        let nat_host = desired
            .nat_host()
            .map(|(t, z)| (t.name.clone(), t.index, z.clone()));
        let nat = if desired.nat64 && prior_nat_host == nat_host {
            keep(&prior.nat_gateway_id, true)
        } else {
            keep(&Attr::Unknown, desired.nat64)
        };
        ctx.set(&root.clone().attr("nat_gateway_id"), nat);

        // Subnets: CIDRs are known once the VPC's IPv6 block is; ids are kept for
        // subnets that stay as they are.
        let Some(prefix) = prior
            .ipv6_cidr_block
            .known()
            .and_then(|p| Ipv6Cidr::parse(p).ok())
        else {
            return;
        };
        let prior_tiers: BTreeMap<String, Tier> = Desired::from_model(&prior)
            .map(|p| p.tiers.into_iter().map(|t| (t.name.clone(), t)).collect())
            .unwrap_or_default();
        let prior_subnets = prior.subnets.known().cloned().unwrap_or_default();
        let mut subnets = BTreeMap::new();
        for t in &desired.tiers {
            let before = prior_tiers.get(&t.name);
            let mut list = Vec::new();
            for z in &desired.zones {
                let Ok(az) = ipv6::az_index(z) else { return };
                let Ok(v6) = prefix.tier_subnet(t.index, az) else {
                    return;
                };
                let Ok(v4) = desired.ipv4_block(t, z) else {
                    return;
                };
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
                let rt = match prior_subnets.get(&t.name).and_then(|l| l.first()) {
                    Some(s) => s.route_table_id.clone(),
                    None => Attr::Unknown,
                };
                list.push(SubnetModel {
                    id,
                    availability_zone: z.clone(),
                    ipv6_cidr_block: v6.to_string(),
                    ipv4_cidr_block: v4.map(|c| c.to_string()),
                    route_table_id: rt,
                });
            }
            subnets.insert(t.name.clone(), list);
        }
        match value::to_value(&subnets, &Type::map(Type::list(subnet_object()))) {
            Ok(v) => ctx.set(&root.attr("subnets"), v),
            Err(e) => ctx.diagnostics.push(e.into()),
        }
    }

    async fn create(&self, req: CreateRequest) -> Applied {
        let planned: NetworkModel = match value::from_value(&req.planned) {
            Ok(m) => m,
            Err(e) => return Applied::failed(Value::Null, Diagnostics::from(e)),
        };
        let clients = match self.data.clients().await {
            Ok(c) => c,
            Err(d) => return Applied::failed(Value::Null, d),
        };
        let desired = match Desired::from_model(&planned) {
            Ok(d) => d,
            Err(d) => return Applied::failed(Value::Null, d),
        };
        let limit = timeout(&req.planned, "create", Duration::from_secs(20 * 60));
        let ec2 = Ec2 {
            c: &clients,
            timeout: limit,
        };
        let vpc_id = match ec2.create_vpc(&planned, &desired).await {
            Ok(id) => id,
            Err(d) => return Applied::failed(Value::Null, d),
        };
        let mut diags = Diagnostics::new();
        if let Err(d) = ec2.converge(&vpc_id, &desired).await {
            diags.extend(d);
        }
        self.finish(&ec2, &vpc_id, &planned, diags).await
    }

    async fn read(&self, req: ReadRequest) -> ReadResult {
        let state: NetworkModel = match value::from_value(&req.state) {
            Ok(m) => m,
            Err(e) => return failed_read(req.state, e.into()),
        };
        let Some(vpc_id) = state.vpc_id.known().cloned() else {
            return ReadResult::gone();
        };
        let clients = match self.data.clients().await {
            Ok(c) => c,
            Err(d) => return failed_read(req.state, d),
        };
        let ec2 = Ec2 {
            c: &clients,
            timeout: Duration::from_secs(5 * 60),
        };
        match ec2.discover(&vpc_id).await {
            Ok(None) => ReadResult::gone(),
            Ok(Some(actual)) => match state_value(&actual, &state, &clients) {
                Ok(v) => ReadResult::found(v, req.private),
                Err(d) => failed_read(req.state, d),
            },
            Err(d) => failed_read(req.state, d),
        }
    }

    async fn update(&self, req: UpdateRequest) -> Applied {
        let planned: NetworkModel = match value::from_value(&req.planned) {
            Ok(m) => m,
            Err(e) => return Applied::failed(req.prior, Diagnostics::from(e)),
        };
        let clients = match self.data.clients().await {
            Ok(c) => c,
            Err(d) => return Applied::failed(req.prior, d),
        };
        let desired = match Desired::from_model(&planned) {
            Ok(d) => d,
            Err(d) => return Applied::failed(req.prior, d),
        };
        let Some(vpc_id) = planned.vpc_id.known().cloned() else {
            return Applied::failed(
                req.prior,
                Diagnostic::error(
                    "Network has no VPC id",
                    "The state lost its VPC id; remove the resource from state and import it by VPC id.",
                ),
            );
        };
        let limit = timeout(&req.planned, "update", Duration::from_secs(20 * 60));
        let ec2 = Ec2 {
            c: &clients,
            timeout: limit,
        };
        let mut diags = Diagnostics::new();
        if let Err(d) = ec2.converge(&vpc_id, &desired).await {
            diags.extend(d);
        }
        self.finish(&ec2, &vpc_id, &planned, diags).await
    }

    async fn delete(&self, req: DeleteRequest) -> Diagnostics {
        let state: NetworkModel = match value::from_value(&req.prior) {
            Ok(m) => m,
            Err(e) => return e.into(),
        };
        let Some(vpc_id) = state.vpc_id.known().cloned() else {
            return Diagnostics::new();
        };
        let clients = match self.data.clients().await {
            Ok(c) => c,
            Err(d) => return d,
        };
        let limit = timeout(&req.prior, "delete", Duration::from_secs(20 * 60));
        let ec2 = Ec2 {
            c: &clients,
            timeout: limit,
        };
        match ec2.delete_all(&vpc_id).await {
            Ok(()) => Diagnostics::new(),
            Err(d) => d,
        }
    }

    async fn import(&self, id: &str) -> DiagResult<Value> {
        if !id.starts_with("vpc-") {
            return Err(Diagnostic::error("Invalid import id", format!("{id:?} is not a VPC id; import with the VPC id, e.g. terraform import trustchain_ipv6_network.this vpc-0abc123.")).into());
        }
        let clients = self.data.clients().await?;
        let ec2 = Ec2 {
            c: &clients,
            timeout: Duration::from_secs(5 * 60),
        };
        let actual = ec2.discover(id).await?.ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(
                "VPC not found",
                format!("No VPC {id} in {}.", clients.region),
            ))
        })?;
        let template = imported_model(&actual);
        state_value(&actual, &template, &clients)
    }
}

impl Ipv6Network {
    /// Reads the network back after an apply, keeping error diagnostics.
    async fn finish(
        &self,
        ec2: &Ec2<'_>,
        vpc_id: &str,
        planned: &NetworkModel,
        mut diags: Diagnostics,
    ) -> Applied {
        match ec2.discover(vpc_id).await {
            Ok(Some(actual)) => match state_value(&actual, planned, ec2.c) {
                Ok(v) => Applied {
                    state: v,
                    private: Vec::new(),
                    diagnostics: diags,
                },
                Err(d) => {
                    diags.extend(d);
                    Applied::failed(Value::Null, diags)
                }
            },
            Ok(None) => {
                diags.error(
                    "VPC disappeared",
                    format!("{vpc_id} vanished while it was being configured."),
                );
                Applied::failed(Value::Null, diags)
            }
            Err(d) => {
                diags.extend(d);
                // Keep at least the VPC id so destroy can find and remove it.
                let mut partial = planned.clone();
                partial.id = Attr::Known(vpc_id.to_string());
                partial.vpc_id = Attr::Known(vpc_id.to_string());
                let v = value::to_value(&nullify_unknowns(partial), &schema().value_type())
                    .unwrap_or(Value::Null);
                Applied::failed(v, diags)
            }
        }
    }
}

fn failed_read(state: Value, d: Diagnostics) -> ReadResult {
    ReadResult {
        state,
        private: Vec::new(),
        diagnostics: d,
    }
}

fn map_value(m: &BTreeMap<String, String>) -> Value {
    Value::Map(
        m.iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

fn nullify_unknowns(mut m: NetworkModel) -> NetworkModel {
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

async fn region_zones(c: &Clients) -> Result<BTreeSet<String>, String> {
    let out = c
        .ec2
        .describe_availability_zones()
        .all_availability_zones(true)
        .send()
        .await
        .map_err(|e| aws_sdk_ec2::error::DisplayErrorContext(&e).to_string())?;
    Ok(out
        .availability_zones()
        .iter()
        .filter_map(|z| z.zone_name().map(String::from))
        .collect())
}

// ---------------------------------------------------------------------------
// What exists in AWS
// ---------------------------------------------------------------------------

#[derive(Clone, Debug, Default)]
struct Actual {
    vpc_id: String,
    owner: String,
    ipv4_cidr: String,
    ipv6_cidr: Option<String>,
    ipv6_pool: Option<String>,
    vpc_tags: BTreeMap<String, String>,
    igw: Option<String>,
    eigw: Option<String>,
    /// Route tables by tier name (the provider's tag).
    route_tables: BTreeMap<String, RouteTableInfo>,
    subnets: Vec<SubnetInfo>,
    nat: Option<NatInfo>,
    /// Elastic IPs the provider allocated for this VPC.
    eips: Vec<String>,
}

#[derive(Clone, Debug, Default)]
struct RouteTableInfo {
    id: String,
    kind: Option<String>,
    index: Option<i64>,
    routes: BTreeSet<(String, String)>,
    associations: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Default)]
struct SubnetInfo {
    id: String,
    tier: Option<String>,
    zone: String,
    ipv6_cidr: Option<String>,
    ipv4_cidr: Option<String>,
    ipv6_native: bool,
    dns64: bool,
    aaaa: bool,
    hostname_type: String,
    assign_ipv6: bool,
}

#[derive(Clone, Debug, Default)]
struct NatInfo {
    id: String,
    subnet_id: String,
}

fn tags_of(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or("").to_string())))
        .collect()
}

fn aws_error<E: ProvideErrorMetadata + std::error::Error + 'static, R: std::fmt::Debug>(
    what: &str,
    e: aws_sdk_ec2::error::SdkError<E, R>,
) -> Diagnostics {
    // AWS's code and message say what went wrong; the raw response dump of the
    // SDK's full error context only when AWS gave neither (transport failures).
    let cause = match (e.code(), e.message()) {
        (Some(code), Some(msg)) => format!("{code}: {msg}"),
        (Some(code), None) => code.to_string(),
        _ => aws_sdk_ec2::error::DisplayErrorContext(&e).to_string(),
    };
    Diagnostic::error(
        format!("AWS EC2 {what} failed"),
        format!(
            "{cause}. Fix what AWS names (permissions, quotas, or an object in the way) and run terraform apply again: the state records what already exists, so the next apply or destroy continues from there."
        ),
    )
    .into()
}

fn code_of<E: ProvideErrorMetadata, R>(e: &aws_sdk_ec2::error::SdkError<E, R>) -> String {
    e.code().unwrap_or("").to_string()
}

fn vpc_filter(name: &str, vpc_id: &str) -> Filter {
    Filter::builder().name(name).values(vpc_id).build()
}

fn bool_attr(v: bool) -> AttributeBooleanValue {
    AttributeBooleanValue::builder().value(v).build()
}

/// EC2 operations of one apply, with the apply's deadline.
struct Ec2<'a> {
    c: &'a Arc<Clients>,
    timeout: Duration,
}

impl Ec2<'_> {
    fn tag_spec(&self, rt: ResourceType, tags: &BTreeMap<String, String>) -> TagSpecification {
        TagSpecification::builder()
            .resource_type(rt)
            .set_tags(Some(
                tags.iter()
                    .map(|(k, v)| Tag::builder().key(k).value(v).build())
                    .collect(),
            ))
            .build()
    }

    /// Tags of an object inside the VPC: tags_all plus its own Name.
    fn base_tags(&self, d: &Desired, name: String) -> BTreeMap<String, String> {
        let mut t = d.tags_all.clone();
        t.insert("Name".into(), name);
        t
    }

    /// Tags of the VPC: tags_all, named after `name` unless the tags set a Name.
    fn vpc_tags(&self, d: &Desired) -> BTreeMap<String, String> {
        let mut t = d.tags_all.clone();
        t.entry("Name".into()).or_insert_with(|| d.name.clone());
        t
    }

    async fn create_vpc(&self, m: &NetworkModel, d: &Desired) -> Result<String, Diagnostics> {
        let ec2 = &self.c.ec2;
        let mut call = ec2
            .create_vpc()
            .cidr_block(d.ipv4_cidr.to_string())
            .tag_specifications(self.tag_spec(ResourceType::Vpc, &self.vpc_tags(d)));
        call = match (m.ipv6_ipam_pool_id.known(), m.ipv6_netmask_length.known()) {
            (Some(pool), Some(len)) => call
                .ipv6_ipam_pool_id(pool)
                .ipv6_netmask_length(*len as i32),
            _ => call.amazon_provided_ipv6_cidr_block(true),
        };
        let out = call.send().await.map_err(|e| aws_error("CreateVpc", e))?;
        let vpc_id = out
            .vpc()
            .and_then(|v| v.vpc_id())
            .map(String::from)
            .ok_or_else(|| {
                Diagnostics::from(Diagnostic::error(
                    "CreateVpc returned no VPC id",
                    "AWS answered CreateVpc without a VPC id; retry the apply.",
                ))
            })?;
        tracing::info!(vpc_id, "created VPC");
        // Resource-name DNS needs DNS hostnames on; one attribute per call.
        ec2.modify_vpc_attribute()
            .vpc_id(&vpc_id)
            .enable_dns_hostnames(bool_attr(true))
            .send()
            .await
            .map_err(|e| aws_error("ModifyVpcAttribute", e))?;
        // Wait for the IPv6 block to be associated.
        let id = vpc_id.clone();
        poll(
            self.timeout,
            || async {
                match self.discover(&id).await {
                    Ok(Some(a)) if a.ipv6_cidr.is_some() => Poll::Done(()),
                    Ok(_) => Poll::Retry("IPv6 block not associated yet".into()),
                    Err(d) => Poll::Fail(d),
                }
            },
            |why| {
                Diagnostics::from(Diagnostic::error(
                    "Timed out waiting for the VPC's IPv6 block",
                    format!("{vpc_id}: {why}. Raise timeouts.create or check the IPAM pool."),
                ))
            },
        )
        .await?;
        Ok(vpc_id)
    }

    /// Everything in the VPC the provider manages, in a handful of calls.
    async fn discover(&self, vpc_id: &str) -> Result<Option<Actual>, Diagnostics> {
        let ec2 = &self.c.ec2;
        let vpcs = match ec2.describe_vpcs().vpc_ids(vpc_id).send().await {
            Ok(o) => o,
            Err(e) if code_of(&e) == "InvalidVpcID.NotFound" => return Ok(None),
            Err(e) => return Err(aws_error("DescribeVpcs", e)),
        };
        let Some(vpc) = vpcs.vpcs().first() else {
            return Ok(None);
        };
        let mut a = Actual {
            vpc_id: vpc_id.to_string(),
            owner: vpc.owner_id().unwrap_or("").to_string(),
            ipv4_cidr: vpc.cidr_block().unwrap_or("").to_string(),
            vpc_tags: tags_of(vpc.tags()),
            ..Actual::default()
        };
        if let Some(assoc) = vpc.ipv6_cidr_block_association_set().iter().find(|x| {
            x.ipv6_cidr_block_state()
                .and_then(|s| s.state())
                .map(|s| s.as_str())
                == Some("associated")
        }) {
            a.ipv6_cidr = assoc.ipv6_cidr_block().map(String::from);
            a.ipv6_pool = assoc
                .ipv6_pool()
                .filter(|p| p.starts_with("ipam-pool-"))
                .map(String::from);
        }
        let igws = ec2
            .describe_internet_gateways()
            .filters(vpc_filter("attachment.vpc-id", vpc_id))
            .send()
            .await
            .map_err(|e| aws_error("DescribeInternetGateways", e))?;
        a.igw = igws
            .internet_gateways()
            .first()
            .and_then(|g| g.internet_gateway_id())
            .map(String::from);
        // Egress-only gateways have no VPC filter: narrow by the provider's tag,
        // page through, and check the attachment.
        let eigws: Vec<_> = ec2
            .describe_egress_only_internet_gateways()
            .filters(
                Filter::builder()
                    .name(format!("tag:{TAG_VPC}"))
                    .values(vpc_id)
                    .build(),
            )
            .into_paginator()
            .items()
            .send()
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<Result<_, _>>()
            .map_err(|e| aws_error("DescribeEgressOnlyInternetGateways", e))?;
        a.eigw = eigws
            .iter()
            .find(|g| g.attachments().iter().any(|at| at.vpc_id() == Some(vpc_id)))
            .and_then(|g| g.egress_only_internet_gateway_id())
            .map(String::from);
        let rts: Vec<_> = ec2
            .describe_route_tables()
            .filters(vpc_filter("vpc-id", vpc_id))
            .into_paginator()
            .items()
            .send()
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<Result<_, _>>()
            .map_err(|e| aws_error("DescribeRouteTables", e))?;
        for rt in &rts {
            let tags = tags_of(rt.tags());
            let Some(tier) = tags.get(TAG_TIER) else {
                continue;
            };
            let mut info = RouteTableInfo {
                id: rt.route_table_id().unwrap_or("").to_string(),
                kind: tags.get(TAG_KIND).cloned(),
                index: tags.get(TAG_INDEX).and_then(|i| i.parse().ok()),
                ..RouteTableInfo::default()
            };
            for r in rt.routes() {
                let dest = r
                    .destination_ipv6_cidr_block()
                    .or(r.destination_cidr_block())
                    .unwrap_or("")
                    .to_string();
                let target = r
                    .gateway_id()
                    .or(r.egress_only_internet_gateway_id())
                    .or(r.nat_gateway_id())
                    .unwrap_or("")
                    .to_string();
                if target != "local" && !target.is_empty() {
                    info.routes.insert((dest, target));
                }
            }
            for assoc in rt.associations() {
                if let (Some(s), Some(id)) = (assoc.subnet_id(), assoc.route_table_association_id())
                {
                    info.associations.insert(s.to_string(), id.to_string());
                }
            }
            a.route_tables.insert(tier.clone(), info);
        }
        let subnets: Vec<_> = ec2
            .describe_subnets()
            .filters(vpc_filter("vpc-id", vpc_id))
            .into_paginator()
            .items()
            .send()
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<Result<_, _>>()
            .map_err(|e| aws_error("DescribeSubnets", e))?;
        for s in &subnets {
            let tags = tags_of(s.tags());
            let dns = s.private_dns_name_options_on_launch();
            a.subnets.push(SubnetInfo {
                id: s.subnet_id().unwrap_or("").to_string(),
                tier: tags.get(TAG_TIER).cloned(),
                zone: s.availability_zone().unwrap_or("").to_string(),
                ipv6_cidr: s
                    .ipv6_cidr_block_association_set()
                    .iter()
                    .find(|x| {
                        x.ipv6_cidr_block_state()
                            .and_then(|st| st.state())
                            .map(|st| st.as_str())
                            != Some("disassociated")
                    })
                    .and_then(|x| x.ipv6_cidr_block())
                    .map(String::from),
                ipv4_cidr: s.cidr_block().filter(|c| !c.is_empty()).map(String::from),
                ipv6_native: s.ipv6_native().unwrap_or(false),
                dns64: s.enable_dns64().unwrap_or(false),
                aaaa: dns
                    .and_then(|d| d.enable_resource_name_dns_aaaa_record())
                    .unwrap_or(false),
                hostname_type: dns
                    .and_then(|d| d.hostname_type())
                    .map(|h| h.as_str().to_string())
                    .unwrap_or_else(|| "ip-name".into()),
                assign_ipv6: s.assign_ipv6_address_on_creation().unwrap_or(false),
            });
        }
        let nats = ec2
            .describe_nat_gateways()
            .filter(vpc_filter("vpc-id", vpc_id))
            .send()
            .await
            .map_err(|e| aws_error("DescribeNatGateways", e))?;
        a.nat = nats
            .nat_gateways()
            .iter()
            .find(|n| {
                let live = !matches!(
                    n.state().map(|s| s.as_str()),
                    Some("deleted") | Some("deleting") | Some("failed")
                );
                live && tags_of(n.tags()).contains_key(TAG_NAT64)
            })
            .map(|n| NatInfo {
                id: n.nat_gateway_id().unwrap_or("").to_string(),
                subnet_id: n.subnet_id().unwrap_or("").to_string(),
            });
        let eips = ec2
            .describe_addresses()
            .filters(
                Filter::builder()
                    .name(format!("tag:{TAG_VPC}"))
                    .values(vpc_id)
                    .build(),
            )
            .send()
            .await
            .map_err(|e| aws_error("DescribeAddresses", e))?;
        a.eips = eips
            .addresses()
            .iter()
            .filter_map(|x| x.allocation_id().map(String::from))
            .collect();
        Ok(Some(a))
    }

    /// Brings the VPC's contents to the desired topology, in dependency order.
    async fn converge(&self, vpc_id: &str, d: &Desired) -> Result<(), Diagnostics> {
        let ec2 = &self.c.ec2;
        let mut a = self.discover(vpc_id).await?.ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(
                "VPC not found",
                format!(
                    "{vpc_id} no longer exists; run terraform apply again to re-create the network."
                ),
            ))
        })?;
        let prefix = a
            .ipv6_cidr
            .as_deref()
            .and_then(|p| Ipv6Cidr::parse(p).ok())
            .ok_or_else(|| {
                Diagnostics::from(Diagnostic::error(
                    "VPC has no IPv6 block",
                    format!("{vpc_id} has no associated IPv6 CIDR block."),
                ))
            })?;

        // Tags of the VPC.
        self.sync_tags(vpc_id, &a.vpc_tags, &self.vpc_tags(d))
            .await?;

        // 1. Gateways.
        if d.needs_igw() && a.igw.is_none() {
            let out = ec2
                .create_internet_gateway()
                .tag_specifications(self.tag_spec(
                    ResourceType::InternetGateway,
                    &self.base_tags(d, format!("{}-igw", d.name)),
                ))
                .send()
                .await
                .map_err(|e| aws_error("CreateInternetGateway", e))?;
            let id = out
                .internet_gateway()
                .and_then(|g| g.internet_gateway_id())
                .unwrap_or("")
                .to_string();
            ec2.attach_internet_gateway()
                .internet_gateway_id(&id)
                .vpc_id(vpc_id)
                .send()
                .await
                .map_err(|e| aws_error("AttachInternetGateway", e))?;
            a.igw = Some(id);
        }
        if d.needs_eigw() && a.eigw.is_none() {
            let out = ec2
                .create_egress_only_internet_gateway()
                .vpc_id(vpc_id)
                .tag_specifications(self.tag_spec(ResourceType::EgressOnlyInternetGateway, &{
                    let mut t = self.base_tags(d, format!("{}-eigw", d.name));
                    t.insert(TAG_VPC.into(), vpc_id.into());
                    t
                }))
                .send()
                .await
                .map_err(|e| aws_error("CreateEgressOnlyInternetGateway", e))?;
            a.eigw = out
                .egress_only_internet_gateway()
                .and_then(|g| g.egress_only_internet_gateway_id())
                .map(String::from);
        }

        // Gateways carry the network's tags too (kept in step on tag changes).
        if let Some(igw) = &a.igw {
            let want = self.base_tags(d, format!("{}-igw", d.name));
            self.sync_tags(igw, &self.current_tags(igw).await?, &want)
                .await?;
        }
        if let Some(eigw) = &a.eigw {
            let mut want = self.base_tags(d, format!("{}-eigw", d.name));
            want.insert(TAG_VPC.into(), vpc_id.into());
            self.sync_tags(eigw, &self.current_tags(eigw).await?, &want)
                .await?;
        }

        // 2. Route tables per tier, with their default routes.
        for t in &d.tiers {
            let mut tags = self.base_tags(d, format!("{}-{}", d.name, t.name));
            tags.insert(TAG_TIER.into(), t.name.clone());
            tags.insert(TAG_KIND.into(), t.kind.as_str().into());
            tags.insert(TAG_INDEX.into(), t.index.to_string());
            let rt = match a.route_tables.get(&t.name) {
                Some(rt) => {
                    self.sync_tags(&rt.id, &self.current_tags(&rt.id).await?, &tags)
                        .await?;
                    rt.clone()
                }
                None => {
                    let out = ec2
                        .create_route_table()
                        .vpc_id(vpc_id)
                        .tag_specifications(self.tag_spec(ResourceType::RouteTable, &tags))
                        .send()
                        .await
                        .map_err(|e| aws_error("CreateRouteTable", e))?;
                    let id = out
                        .route_table()
                        .and_then(|r| r.route_table_id())
                        .unwrap_or("")
                        .to_string();
                    let info = RouteTableInfo {
                        id,
                        ..RouteTableInfo::default()
                    };
                    a.route_tables.insert(t.name.clone(), info.clone());
                    info
                }
            };
            let mut want: BTreeSet<(String, String)> = BTreeSet::new();
            match t.kind {
                Kind::Public => {
                    if let Some(igw) = &a.igw {
                        want.insert(("::/0".into(), igw.clone()));
                        if !t.ipv6_native {
                            want.insert(("0.0.0.0/0".into(), igw.clone()));
                        }
                    }
                }
                Kind::Private => {
                    if let Some(eigw) = &a.eigw {
                        want.insert(("::/0".into(), eigw.clone()));
                    }
                }
                Kind::Isolated => {}
            }
            // NAT64 routes are handled after the NAT gateway exists.
            for (dest, target) in rt.routes.iter().filter(|(dest, _)| dest != NAT64_PREFIX) {
                if !want.contains(&(dest.clone(), target.clone())) {
                    self.delete_route(&rt.id, dest).await?;
                }
            }
            for (dest, target) in &want {
                if !rt.routes.contains(&(dest.clone(), target.clone())) {
                    if rt.routes.iter().any(|(d2, _)| d2 == dest) {
                        self.delete_route(&rt.id, dest).await?;
                    }
                    let mut call = ec2.create_route().route_table_id(&rt.id);
                    call = if dest.contains(':') {
                        call.destination_ipv6_cidr_block(dest)
                    } else {
                        call.destination_cidr_block(dest)
                    };
                    call = if target.starts_with("eigw-") {
                        call.egress_only_internet_gateway_id(target)
                    } else {
                        call.gateway_id(target)
                    };
                    call.send().await.map_err(|e| aws_error("CreateRoute", e))?;
                }
            }
        }

        // 3. Subnets: delete what must go (wrong tier, zone, CIDR or nativeness),
        // create what is missing, then fix attributes one per call.
        let mut keep: BTreeMap<(String, String), SubnetInfo> = BTreeMap::new();
        for s in &a.subnets {
            let Some(tier_name) = &s.tier else { continue };
            let wanted = d.tiers.iter().find(|t| &t.name == tier_name).and_then(|t| {
                if !d.zones.contains(&s.zone) {
                    return None;
                }
                let az = ipv6::az_index(&s.zone).ok()?;
                let v6 = prefix.tier_subnet(t.index, az).ok()?.to_string();
                let v4 = d.ipv4_block(t, &s.zone).ok()?.map(|c| c.to_string());
                (s.ipv6_cidr.as_deref() == Some(v6.as_str())
                    && s.ipv4_cidr == v4
                    && s.ipv6_native == t.ipv6_native)
                    .then_some(())
            });
            let duplicate = keep.contains_key(&(tier_name.clone(), s.zone.clone()));
            if wanted.is_some() && !duplicate {
                keep.insert((tier_name.clone(), s.zone.clone()), s.clone());
            } else {
                self.delete_subnet(s, a.nat.as_ref()).await?;
            }
        }
        for t in &d.tiers {
            let rt_id = a
                .route_tables
                .get(&t.name)
                .map(|r| r.id.clone())
                .unwrap_or_default();
            for z in &d.zones {
                let key = (t.name.clone(), z.clone());
                let subnet = match keep.get(&key) {
                    Some(s) => s.clone(),
                    None => {
                        let s = self.create_subnet(vpc_id, d, t, z, &prefix).await?;
                        keep.insert(key, s.clone());
                        s
                    }
                };
                self.fix_subnet_attributes(&subnet, t).await?;
                let mut tags = self.base_tags(d, format!("{}-{}-{}", d.name, t.name, z));
                tags.insert(TAG_TIER.into(), t.name.clone());
                self.sync_tags(&subnet.id, &self.current_tags(&subnet.id).await?, &tags)
                    .await?;
                let associated = a.route_tables.values().find_map(|rt| {
                    rt.associations
                        .get(&subnet.id)
                        .map(|assoc| (rt.id.clone(), assoc.clone()))
                });
                match associated {
                    Some((current_rt, _)) if current_rt == rt_id => {}
                    Some((_, assoc)) => {
                        ec2.replace_route_table_association()
                            .association_id(assoc)
                            .route_table_id(&rt_id)
                            .send()
                            .await
                            .map_err(|e| aws_error("ReplaceRouteTableAssociation", e))?;
                    }
                    None => {
                        ec2.associate_route_table()
                            .route_table_id(&rt_id)
                            .subnet_id(&subnet.id)
                            .send()
                            .await
                            .map_err(|e| aws_error("AssociateRouteTable", e))?;
                    }
                }
            }
        }

        // 4. NAT64.
        let host_subnet = d
            .nat_host()
            .and_then(|(t, z)| keep.get(&(t.name.clone(), z.clone())).map(|s| s.id.clone()));
        let nat_ok = match (&a.nat, &host_subnet) {
            (Some(n), Some(h)) => d.nat64 && &n.subnet_id == h,
            _ => false,
        };
        if !nat_ok && let Some(n) = a.nat.take() {
            self.delete_nat(&n.id).await?;
        }
        if !d.nat64 || !nat_ok {
            for eip in std::mem::take(&mut a.eips) {
                self.release_eip(&eip).await?;
            }
        }
        let nat_id = if d.nat64 {
            match (&a.nat, &host_subnet) {
                (Some(n), _) => Some(n.id.clone()),
                (None, Some(h)) => Some(self.create_nat(vpc_id, d, h).await?),
                (None, None) => None,
            }
        } else {
            None
        };
        if let Some(nat) = &nat_id {
            let mut want = self.base_tags(d, format!("{}-nat64", d.name));
            want.insert(TAG_NAT64.into(), "true".into());
            self.sync_tags(nat, &self.current_tags(nat).await?, &want)
                .await?;
            for eip in &a.eips {
                let mut want = self.base_tags(d, format!("{}-nat64", d.name));
                want.insert(TAG_VPC.into(), vpc_id.into());
                self.sync_tags(eip, &self.current_tags(eip).await?, &want)
                    .await?;
            }
        }
        let route_tables = self
            .discover(vpc_id)
            .await?
            .map(|x| x.route_tables)
            .unwrap_or_default();
        for t in &d.tiers {
            let Some(rt) = route_tables.get(&t.name) else {
                continue;
            };
            let want = match (&nat_id, t.kind, t.dns64) {
                (Some(n), Kind::Private | Kind::Isolated, true) => Some(n.clone()),
                _ => None,
            };
            let have = rt
                .routes
                .iter()
                .find(|(dest, _)| dest == NAT64_PREFIX)
                .map(|(_, t)| t.clone());
            if have != want {
                if have.is_some() {
                    self.delete_route(&rt.id, NAT64_PREFIX).await?;
                }
                if let Some(n) = &want {
                    ec2.create_route()
                        .route_table_id(&rt.id)
                        .destination_ipv6_cidr_block(NAT64_PREFIX)
                        .nat_gateway_id(n)
                        .send()
                        .await
                        .map_err(|e| aws_error("CreateRoute", e))?;
                }
            }
        }

        // 5. Route tables of removed tiers, then gateways no longer needed.
        for (tier, rt) in &route_tables {
            if !d.tiers.iter().any(|t| &t.name == tier) {
                self.delete_route_table(rt).await?;
            }
        }
        if !d.needs_eigw()
            && let Some(eigw) = &a.eigw
        {
            self.retry_dependency("DeleteEgressOnlyInternetGateway", || async {
                ec2.delete_egress_only_internet_gateway()
                    .egress_only_internet_gateway_id(eigw)
                    .send()
                    .await
                    .map(|_| ())
            })
            .await?;
        }
        if !d.needs_igw()
            && let Some(igw) = &a.igw
        {
            self.delete_igw(vpc_id, igw).await?;
        }
        Ok(())
    }

    async fn current_tags(&self, id: &str) -> Result<BTreeMap<String, String>, Diagnostics> {
        let out = self
            .c
            .ec2
            .describe_tags()
            .filters(Filter::builder().name("resource-id").values(id).build())
            .send()
            .await
            .map_err(|e| aws_error("DescribeTags", e))?;
        Ok(out
            .tags()
            .iter()
            .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or("").to_string())))
            .collect())
    }

    /// Makes the object's tags equal `want` (keeping AWS's own `aws:` tags).
    async fn sync_tags(
        &self,
        id: &str,
        have: &BTreeMap<String, String>,
        want: &BTreeMap<String, String>,
    ) -> Result<(), Diagnostics> {
        let stale: Vec<Tag> = have
            .keys()
            .filter(|k| !k.starts_with("aws:") && !want.contains_key(*k))
            .map(|k| Tag::builder().key(k).build())
            .collect();
        if !stale.is_empty() {
            self.c
                .ec2
                .delete_tags()
                .resources(id)
                .set_tags(Some(stale))
                .send()
                .await
                .map_err(|e| aws_error("DeleteTags", e))?;
        }
        let changed: Vec<Tag> = want
            .iter()
            .filter(|(k, v)| have.get(*k) != Some(*v))
            .map(|(k, v)| Tag::builder().key(k).value(v).build())
            .collect();
        if !changed.is_empty() {
            self.c
                .ec2
                .create_tags()
                .resources(id)
                .set_tags(Some(changed))
                .send()
                .await
                .map_err(|e| aws_error("CreateTags", e))?;
        }
        Ok(())
    }

    async fn create_subnet(
        &self,
        vpc_id: &str,
        d: &Desired,
        t: &Tier,
        zone: &str,
        prefix: &Ipv6Cidr,
    ) -> Result<SubnetInfo, Diagnostics> {
        let az = ipv6::az_index(zone).map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Invalid availability zone",
                e.to_string(),
            ))
        })?;
        let v6 = prefix.tier_subnet(t.index, az).map_err(|e| {
            Diagnostics::from(Diagnostic::error("Subnet plan failed", e.to_string()))
        })?;
        let v4 = d.ipv4_block(t, zone).map_err(|e| {
            Diagnostics::from(Diagnostic::error("No IPv4 room for a dual-stack tier", e))
        })?;
        let mut tags = self.base_tags(d, format!("{}-{}-{}", d.name, t.name, zone));
        tags.insert(TAG_TIER.into(), t.name.clone());
        let mut call = self
            .c
            .ec2
            .create_subnet()
            .vpc_id(vpc_id)
            .availability_zone(zone)
            .ipv6_cidr_block(v6.to_string())
            .tag_specifications(self.tag_spec(ResourceType::Subnet, &tags));
        call = match v4 {
            Some(c) => call.cidr_block(c.to_string()),
            None => call.ipv6_native(true),
        };
        let out = call
            .send()
            .await
            .map_err(|e| aws_error("CreateSubnet", e))?;
        let id = out
            .subnet()
            .and_then(|s| s.subnet_id())
            .unwrap_or("")
            .to_string();
        tracing::info!(subnet_id = %id, tier = %t.name, zone, cidr = %v6, "created subnet");
        Ok(SubnetInfo {
            id,
            tier: Some(t.name.clone()),
            zone: zone.to_string(),
            ipv6_cidr: Some(v6.to_string()),
            ipv4_cidr: v4.map(|c| c.to_string()),
            ipv6_native: v4.is_none(),
            dns64: false,
            aaaa: false,
            hostname_type: if v4.is_none() {
                "resource-name".into()
            } else {
                "ip-name".into()
            },
            assign_ipv6: v4.is_none(),
        })
    }

    /// ModifySubnetAttribute takes one attribute per call; apply each that differs.
    async fn fix_subnet_attributes(&self, s: &SubnetInfo, t: &Tier) -> Result<(), Diagnostics> {
        let ec2 = &self.c.ec2;
        let call = || ec2.modify_subnet_attribute().subnet_id(&s.id);
        if !s.assign_ipv6 {
            call()
                .assign_ipv6_address_on_creation(bool_attr(true))
                .send()
                .await
                .map_err(|e| aws_error("ModifySubnetAttribute", e))?;
        }
        if s.hostname_type != t.hostname_type {
            call()
                .private_dns_hostname_type_on_launch(HostnameType::from(t.hostname_type.as_str()))
                .send()
                .await
                .map_err(|e| aws_error("ModifySubnetAttribute", e))?;
        }
        if s.aaaa != t.aaaa {
            call()
                .enable_resource_name_dns_aaaa_record_on_launch(bool_attr(t.aaaa))
                .send()
                .await
                .map_err(|e| aws_error("ModifySubnetAttribute", e))?;
        }
        if s.dns64 != t.dns64 {
            call()
                .enable_dns64(bool_attr(t.dns64))
                .send()
                .await
                .map_err(|e| aws_error("ModifySubnetAttribute", e))?;
        }
        Ok(())
    }

    async fn delete_subnet(
        &self,
        s: &SubnetInfo,
        nat: Option<&NatInfo>,
    ) -> Result<(), Diagnostics> {
        if let Some(n) = nat.filter(|n| n.subnet_id == s.id) {
            self.delete_nat(&n.id).await?;
        }
        let ec2 = &self.c.ec2;
        self.retry_dependency("DeleteSubnet", || async {
            ec2.delete_subnet()
                .subnet_id(&s.id)
                .send()
                .await
                .map(|_| ())
        })
        .await?;
        tracing::info!(subnet_id = %s.id, "deleted subnet");
        Ok(())
    }

    async fn delete_route(&self, rt: &str, dest: &str) -> Result<(), Diagnostics> {
        let mut call = self.c.ec2.delete_route().route_table_id(rt);
        call = if dest.contains(':') {
            call.destination_ipv6_cidr_block(dest)
        } else {
            call.destination_cidr_block(dest)
        };
        match call.send().await {
            Ok(_) => Ok(()),
            Err(e) if code_of(&e) == "InvalidRoute.NotFound" => Ok(()),
            Err(e) => Err(aws_error("DeleteRoute", e)),
        }
    }

    async fn create_nat(
        &self,
        vpc_id: &str,
        d: &Desired,
        subnet_id: &str,
    ) -> Result<String, Diagnostics> {
        let ec2 = &self.c.ec2;
        let mut eip_tags = self.base_tags(d, format!("{}-nat64", d.name));
        eip_tags.insert(TAG_VPC.into(), vpc_id.into());
        let eip = ec2
            .allocate_address()
            .domain(DomainType::Vpc)
            .tag_specifications(self.tag_spec(ResourceType::ElasticIp, &eip_tags))
            .send()
            .await
            .map_err(|e| aws_error("AllocateAddress", e))?;
        let allocation = eip.allocation_id().unwrap_or("").to_string();
        let mut nat_tags = self.base_tags(d, format!("{}-nat64", d.name));
        nat_tags.insert(TAG_NAT64.into(), "true".into());
        let out = ec2
            .create_nat_gateway()
            .subnet_id(subnet_id)
            .allocation_id(&allocation)
            .tag_specifications(self.tag_spec(ResourceType::Natgateway, &nat_tags))
            .send()
            .await
            .map_err(|e| aws_error("CreateNatGateway", e))?;
        let id = out
            .nat_gateway()
            .and_then(|n| n.nat_gateway_id())
            .unwrap_or("")
            .to_string();
        let nat = id.clone();
        poll(
            self.timeout,
            || async {
                match ec2.describe_nat_gateways().nat_gateway_ids(&nat).send().await {
                    Ok(o) => match o.nat_gateways().first().and_then(|n| n.state()).map(|s| s.as_str().to_string()).as_deref() {
                        Some("available") => Poll::Done(()),
                        Some("failed") => Poll::Fail(Diagnostics::from(Diagnostic::error("NAT gateway failed", format!("{nat} entered state failed; check the subnet's IPv4 route to the internet gateway.")))),
                        other => Poll::Retry(format!("state {other:?}")),
                    },
                    Err(e) => Poll::Fail(aws_error("DescribeNatGateways", e)),
                }
            },
            |why| Diagnostics::from(Diagnostic::error("Timed out waiting for the NAT gateway", format!("{id}: {why}. Raise timeouts.create/update."))),
        )
        .await?;
        tracing::info!(nat_gateway_id = %id, "NAT64 gateway available");
        Ok(id)
    }

    async fn delete_nat(&self, id: &str) -> Result<(), Diagnostics> {
        let ec2 = &self.c.ec2;
        match ec2.delete_nat_gateway().nat_gateway_id(id).send().await {
            Ok(_) => {}
            Err(e) if code_of(&e) == "NatGatewayNotFound" => return Ok(()),
            Err(e) => return Err(aws_error("DeleteNatGateway", e)),
        }
        poll(
            self.timeout,
            || async {
                match ec2.describe_nat_gateways().nat_gateway_ids(id).send().await {
                    Ok(o) => match o
                        .nat_gateways()
                        .first()
                        .and_then(|n| n.state())
                        .map(|s| s.as_str().to_string())
                        .as_deref()
                    {
                        None | Some("deleted") => Poll::Done(()),
                        other => Poll::Retry(format!("state {other:?}")),
                    },
                    Err(e) if code_of(&e) == "NatGatewayNotFound" => Poll::Done(()),
                    Err(e) => Poll::Fail(aws_error("DescribeNatGateways", e)),
                }
            },
            |why| {
                Diagnostics::from(Diagnostic::error(
                    "Timed out deleting the NAT gateway",
                    format!("{id}: {why}. Raise timeouts.delete."),
                ))
            },
        )
        .await
    }

    /// Disassociates what is left (associations of deleted subnets can linger),
    /// then deletes the table.
    async fn delete_route_table(&self, rt: &RouteTableInfo) -> Result<(), Diagnostics> {
        let ec2 = &self.c.ec2;
        for assoc in rt.associations.values() {
            match ec2
                .disassociate_route_table()
                .association_id(assoc)
                .send()
                .await
            {
                Ok(_) => {}
                Err(e) if code_of(&e).ends_with("NotFound") => {}
                Err(e) => return Err(aws_error("DisassociateRouteTable", e)),
            }
        }
        self.retry_dependency("DeleteRouteTable", || async {
            ec2.delete_route_table()
                .route_table_id(&rt.id)
                .send()
                .await
                .map(|_| ())
        })
        .await
    }

    async fn release_eip(&self, allocation: &str) -> Result<(), Diagnostics> {
        let ec2 = &self.c.ec2;
        self.retry_dependency("ReleaseAddress", || async {
            ec2.release_address()
                .allocation_id(allocation)
                .send()
                .await
                .map(|_| ())
        })
        .await
    }

    async fn delete_igw(&self, vpc_id: &str, igw: &str) -> Result<(), Diagnostics> {
        let ec2 = &self.c.ec2;
        self.retry_dependency("DetachInternetGateway", || async {
            ec2.detach_internet_gateway()
                .internet_gateway_id(igw)
                .vpc_id(vpc_id)
                .send()
                .await
                .map(|_| ())
        })
        .await?;
        self.retry_dependency("DeleteInternetGateway", || async {
            ec2.delete_internet_gateway()
                .internet_gateway_id(igw)
                .send()
                .await
                .map(|_| ())
        })
        .await
    }

    /// Retries while AWS says dependents still exist (eventual consistency after
    /// deleting them); treats NotFound as done.
    async fn retry_dependency<E, R, F, Fut>(&self, what: &str, mut f: F) -> Result<(), Diagnostics>
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug,
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<(), aws_sdk_ec2::error::SdkError<E, R>>>,
    {
        poll(
            self.timeout,
            || {
                let fut = f();
                async move {
                    match fut.await {
                        Ok(()) => Poll::Done(()),
                        Err(e) => {
                            let code = code_of(&e);
                            if code == "DependencyViolation" || code == "InvalidIPAddress.InUse" || code == "AuthFailure.AddressInUse" {
                                Poll::Retry(format!("{what}: {code}"))
                            } else if code.ends_with(".NotFound") || code.ends_with("NotFound") {
                                Poll::Done(())
                            } else {
                                Poll::Fail(aws_error(what, e))
                            }
                        }
                    }
                }
            },
            |why| Diagnostics::from(Diagnostic::error(format!("Timed out: {what}"), format!("AWS kept answering {why}: something outside Terraform still uses this object. Remove it, or raise timeouts.delete, and apply again."))),
        )
        .await
    }

    /// Deletes everything the network owns, in dependency order.
    async fn delete_all(&self, vpc_id: &str) -> Result<(), Diagnostics> {
        let Some(a) = self.discover(vpc_id).await? else {
            return Ok(());
        };
        let ec2 = &self.c.ec2;
        if let Some(n) = &a.nat {
            self.delete_nat(&n.id).await?;
        }
        for eip in &a.eips {
            self.release_eip(eip).await?;
        }
        for s in &a.subnets {
            self.delete_subnet(s, None).await?;
        }
        for rt in a.route_tables.values() {
            self.delete_route_table(rt).await?;
        }
        if let Some(eigw) = &a.eigw {
            self.retry_dependency("DeleteEgressOnlyInternetGateway", || async {
                ec2.delete_egress_only_internet_gateway()
                    .egress_only_internet_gateway_id(eigw)
                    .send()
                    .await
                    .map(|_| ())
            })
            .await?;
        }
        if let Some(igw) = &a.igw {
            self.delete_igw(vpc_id, igw).await?;
        }
        self.retry_dependency("DeleteVpc", || async {
            ec2.delete_vpc().vpc_id(vpc_id).send().await.map(|_| ())
        })
        .await?;
        tracing::info!(vpc_id, "deleted network");
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// State from what exists
// ---------------------------------------------------------------------------

/// The state for `template` (prior state, plan or import skeleton) refreshed from
/// what exists in AWS.
fn state_value(a: &Actual, template: &NetworkModel, clients: &Clients) -> DiagResult<Value> {
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
    let name_is_a_tag = template
        .tags_all
        .known()
        .or(template.tags.known())
        .is_some_and(|t| t.contains_key("Name"));
    if !name_is_a_tag && let Some(name) = a.vpc_tags.get("Name") {
        m.name = Attr::Known(name.clone());
    }
    let tags_all: BTreeMap<String, String> = a
        .vpc_tags
        .iter()
        .filter(|(k, _)| {
            (name_is_a_tag || k.as_str() != "Name")
                && !k.starts_with(TAG_PREFIX)
                && !k.starts_with("aws:")
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let own: BTreeMap<String, String> = tags_all
        .iter()
        .filter(|(k, v)| {
            default_tags.get(*k) != Some(*v)
                || template.tags.known().is_some_and(|t| t.contains_key(*k))
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    m.tags = if own.is_empty() && !template.tags.is_known() {
        Attr::Null
    } else {
        Attr::Known(own)
    };
    m.tags_all = Attr::Known(tags_all);
    m.internet_gateway_id = a.igw.clone().into();
    m.egress_only_internet_gateway_id = a.eigw.clone().into();
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
    Ok(value::to_value(&m, &schema().value_type())?)
}

/// A model skeleton recovered from the provider's tags, for import.
fn imported_model(a: &Actual) -> NetworkModel {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn model(v: serde_json::Value) -> NetworkModel {
        let ty = schema().value_type();
        let val = value::decode_json(v.to_string().as_bytes(), &ty).expect("decode");
        value::from_value(&val).expect("model")
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
}
