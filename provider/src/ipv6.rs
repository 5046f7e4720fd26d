//! IPv6 address planning shared by `trustchain_ipv6_plan`, `trustchain_ipv6_network`
//! and the `ipv6_subnet` / `ipv6_tier_subnet` functions.
//!
//! # The index scheme
//! Every subnet is a /64. Its number inside the VPC prefix is
//! `netnum = tier_index * 16 + az_index`, where
//! - `az_index` comes from the availability zone's final letter (`a` = 0 ... `p` = 15),
//!   so it does not depend on the order or number of zones listed, and
//! - `tier_index` is the tier's explicit index when given, else its position in the
//!   tier list (append new tiers, or give them an explicit index).
//!
//! Adding a zone or a tier therefore never renumbers an existing subnet. A /56 holds
//! 16 tiers of 16 zones; each bit shorter doubles the tiers.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use tfplugin::diag::Diagnostics;
use tfplugin::value::AttributePath;

/// Zones per tier: the low 4 bits of the subnet number.
pub const AZ_SLOTS: u32 = 16;
const AZ_BITS: u8 = 4;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ipv6Cidr {
    pub addr: Ipv6Addr,
    pub len: u8,
}

impl fmt::Display for Ipv6Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.len)
    }
}

/// Why a prefix or plan input is unusable, worded for a diagnostic's detail.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("{0:?} is not an IPv6 CIDR block such as \"2600:1f18:abcd:1200::/56\"")]
    NotIpv6Cidr(String),
    #[error("{given} has bits set after the first {len}; did you mean {suggested}?")]
    HostBitsSet {
        given: String,
        len: u8,
        suggested: String,
    },
    #[error(
        "a /{0} prefix is too small: the scheme needs at least a /60 (16 /64 subnets per tier)"
    )]
    PrefixTooLong(u8),
    #[error("{0:?} does not end in a zone letter a-p, e.g. \"us-east-1a\"")]
    BadZone(String),
    #[error("tier index {index} is outside 0..{max} for a /{len} prefix")]
    TierIndexOutOfRange { index: i64, max: u64, len: u8 },
    #[error("newbits {newbits} would make a /{total}, longer than /128")]
    TooManyBits { newbits: i64, total: i64 },
    #[error(
        "newbits {newbits} is negative: it is how many bits to add to the prefix length, from 0 to {room}"
    )]
    NegativeNewbits { newbits: i64, room: i64 },
    #[error("netnum {netnum} does not fit in {newbits} bits (0 to {max})")]
    NetnumOutOfRange {
        netnum: i128,
        newbits: i64,
        max: u128,
    },
    #[error("{0:?} is not an IPv4 CIDR block such as \"10.0.0.0/24\"")]
    NotIpv4Cidr(String),
}

impl Ipv6Cidr {
    /// Parses `addr/len`, refusing host bits beyond the prefix.
    pub fn parse(s: &str) -> Result<Self, PlanError> {
        let (a, l) = s
            .split_once('/')
            .ok_or_else(|| PlanError::NotIpv6Cidr(s.to_string()))?;
        let addr: Ipv6Addr = a
            .parse()
            .map_err(|_| PlanError::NotIpv6Cidr(s.to_string()))?;
        let len: u8 = l
            .parse()
            .map_err(|_| PlanError::NotIpv6Cidr(s.to_string()))?;
        if len > 128 {
            return Err(PlanError::NotIpv6Cidr(s.to_string()));
        }
        let masked = Ipv6Addr::from(u128::from(addr) & mask(len));
        if masked != addr {
            return Err(PlanError::HostBitsSet {
                given: s.to_string(),
                len,
                suggested: format!("{masked}/{len}"),
            });
        }
        Ok(Self { addr, len })
    }

    /// Terraform's `cidrsubnet` for IPv6: extends the prefix by `newbits` and picks
    /// subnet number `netnum`. Every input is checked before any arithmetic: no
    /// value can panic or wrap around to a wrong block.
    pub fn subnet(&self, newbits: i64, netnum: i64) -> Result<Ipv6Cidr, PlanError> {
        let room = 128 - i64::from(self.len);
        if newbits < 0 {
            return Err(PlanError::NegativeNewbits { newbits, room });
        }
        if newbits > room {
            return Err(PlanError::TooManyBits {
                newbits,
                total: i64::from(self.len).saturating_add(newbits),
            });
        }
        let newbits = newbits as u32; // 0..=128, checked above
        let max = max_netnum(newbits);
        let Ok(n) = u128::try_from(netnum) else {
            return Err(PlanError::NetnumOutOfRange {
                netnum: i128::from(netnum),
                newbits: i64::from(newbits),
                max,
            });
        };
        self.carve(newbits, n)
    }

    /// Subnet number `netnum` of `newbits` more bits (`self.len + newbits <= 128`).
    fn carve(&self, newbits: u32, netnum: u128) -> Result<Ipv6Cidr, PlanError> {
        let max = max_netnum(newbits);
        if netnum > max {
            return Err(PlanError::NetnumOutOfRange {
                netnum: i128::try_from(netnum).unwrap_or(i128::MAX),
                newbits: i64::from(newbits),
                max,
            });
        }
        let len = u32::from(self.len) + newbits;
        let shift = 128 - len;
        // netnum <= 2^newbits - 1, so the shifted value stays inside the
        // prefix's host bits; shift == 128 only when newbits == 0 (netnum 0).
        let bits = netnum.checked_shl(shift).unwrap_or(0);
        Ok(Ipv6Cidr {
            addr: Ipv6Addr::from(u128::from(self.addr) | bits),
            len: len as u8,
        })
    }

    /// Whether two blocks share any address.
    #[cfg(test)]
    pub fn overlaps(&self, other: &Ipv6Cidr) -> bool {
        let l = self.len.min(other.len);
        (u128::from(self.addr) & mask(l)) == (u128::from(other.addr) & mask(l))
    }

    /// How many tiers fit in this prefix under the scheme.
    pub fn tier_capacity(&self) -> Result<u64, PlanError> {
        if self.len > 64 - AZ_BITS {
            return Err(PlanError::PrefixTooLong(self.len));
        }
        let tier_bits = 64 - AZ_BITS - self.len;
        Ok(if tier_bits >= 63 {
            u64::MAX
        } else {
            1u64 << tier_bits
        })
    }

    /// The /64 of the scheme for a tier index and zone index.
    pub fn tier_subnet(&self, tier_index: i64, az_index: u32) -> Result<Ipv6Cidr, PlanError> {
        let netnum = self.tier_netnum(tier_index, az_index)?;
        self.carve(u32::from(64 - self.len), u128::from(netnum))
    }

    /// The scheme's subnet number, `tier_index * 16 + az_index`, once both are in
    /// range (so it always fits: at most 2^64 - 1 for a /0).
    pub fn tier_netnum(&self, tier_index: i64, az_index: u32) -> Result<u64, PlanError> {
        let capacity = self.tier_capacity()?;
        let index = u64::try_from(tier_index)
            .ok()
            .filter(|i| *i < capacity)
            .ok_or(PlanError::TierIndexOutOfRange {
                index: tier_index,
                max: capacity,
                len: self.len,
            })?;
        if az_index >= AZ_SLOTS {
            return Err(PlanError::BadZone(format!("zone index {az_index}")));
        }
        index
            .checked_mul(u64::from(AZ_SLOTS))
            .and_then(|n| n.checked_add(u64::from(az_index)))
            .ok_or(PlanError::TierIndexOutOfRange {
                index: tier_index,
                max: capacity,
                len: self.len,
            })
    }
}

/// The largest subnet number `newbits` bits hold (`newbits <= 128`).
fn max_netnum(newbits: u32) -> u128 {
    match newbits {
        0 => 0,
        128.. => u128::MAX,
        n => (1u128 << n) - 1,
    }
}

fn mask(len: u8) -> u128 {
    if len == 0 {
        0
    } else {
        u128::MAX << (128 - u32::from(len))
    }
}

/// The scheme's zone index: the zone name's final letter, `a` = 0 ... `p` = 15.
pub fn az_index(zone: &str) -> Result<u32, PlanError> {
    match zone.chars().last() {
        Some(c @ 'a'..='p') if zone.len() > 1 => Ok(c as u32 - 'a' as u32),
        _ => Err(PlanError::BadZone(zone.to_string())),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ipv4Cidr {
    pub addr: Ipv4Addr,
    pub len: u8,
}

impl fmt::Display for Ipv4Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.len)
    }
}

impl Ipv4Cidr {
    pub fn parse(s: &str) -> Result<Self, PlanError> {
        let bad = || PlanError::NotIpv4Cidr(s.to_string());
        let (a, l) = s.split_once('/').ok_or_else(bad)?;
        let addr: Ipv4Addr = a.parse().map_err(|_| bad())?;
        let len: u8 = l.parse().map_err(|_| bad())?;
        if len > 32 {
            return Err(bad());
        }
        let m = if len == 0 {
            0
        } else {
            u32::MAX << (32 - u32::from(len))
        };
        let masked = Ipv4Addr::from(u32::from(addr) & m);
        if masked != addr {
            return Err(PlanError::HostBitsSet {
                given: s.to_string(),
                len,
                suggested: format!("{masked}/{len}"),
            });
        }
        Ok(Self { addr, len })
    }

    /// `cidrsubnet` for IPv4.
    pub fn subnet(&self, newbits: u8, netnum: u32) -> Option<Ipv4Cidr> {
        let len = self.len.checked_add(newbits).filter(|l| *l <= 32)?;
        if newbits < 32 && u64::from(netnum) >= (1u64 << newbits) {
            return None;
        }
        let shift = 32 - u32::from(len);
        let v = u32::from(self.addr) | netnum.checked_shl(shift).unwrap_or(0);
        Some(Ipv4Cidr {
            addr: Ipv4Addr::from(v),
            len,
        })
    }
}

/// One subnet of a plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedSubnet {
    pub tier: String,
    pub tier_index: i64,
    pub availability_zone: String,
    pub az_index: u32,
    pub netnum: u64,
    pub cidr: Ipv6Cidr,
}

/// A tier to plan: its name and its index in the scheme.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TierSlot {
    pub name: String,
    pub index: i64,
}

/// Plans every tier × zone /64, tiers in the given order, zones in the given order.
pub fn plan(
    prefix: &Ipv6Cidr,
    tiers: &[TierSlot],
    zones: &[String],
) -> Result<Vec<PlannedSubnet>, PlanError> {
    let mut out = Vec::with_capacity(tiers.len() * zones.len());
    for t in tiers {
        for z in zones {
            let az = az_index(z)?;
            let cidr = prefix.tier_subnet(t.index, az)?;
            out.push(PlannedSubnet {
                tier: t.name.clone(),
                tier_index: t.index,
                availability_zone: z.clone(),
                az_index: az,
                netnum: prefix.tier_netnum(t.index, az)?,
                cidr,
            });
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Carving inputs, checked the same way by the plan data source and the network
// ---------------------------------------------------------------------------

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
            if let Err(e) = az_index(z) {
                d.error_at(
                    path.clone(),
                    "Invalid availability zone",
                    format!("{e}. Use zone names (us-east-1a), not zone IDs (use1-az1)."),
                );
            } else if !seen_zones.insert(az_index(z).unwrap_or(u32::MAX)) {
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

#[cfg(test)]
#[path = "ipv6_tests.rs"]
mod tests;
