//! Checks of an HSM configuration that need no AWS call (values may be unknown). The
//! zone and subnet are checked against the cluster at plan time in `plan`.

use super::at;
use super::model::HsmModel;
use crate::cloudhsm::is_id;
use tfplugin::diag::Diagnostics;
use tfplugin::value::Attr;

pub fn check(m: &HsmModel) -> Diagnostics {
    let mut d = Diagnostics::new();
    match (&m.availability_zone, &m.subnet_id) {
        (Attr::Null, Attr::Null) => d.error_at(
            at("availability_zone"),
            "Availability zone or subnet missing",
            "Set availability_zone (one of the cluster's zones) or subnet_id (one of its subnets).",
        ),
        (Attr::Known(_), Attr::Known(_)) => d.error_at(
            at("subnet_id"),
            "Both availability_zone and subnet_id set",
            "Set one of them: the cluster has one subnet per zone, so either names the other.",
        ),
        _ => {}
    }
    if let Attr::Known(c) = &m.cluster_id
        && !is_id(c, "cluster")
    {
        d.error_at(
            at("cluster_id"),
            "Invalid cluster id",
            format!("{c:?} is not a CloudHSM cluster id (cluster-...)."),
        );
    }
    if let Attr::Known(ip) = &m.ip_address
        && ip.parse::<std::net::Ipv4Addr>().is_err()
    {
        d.error_at(
            at("ip_address"),
            "Invalid IPv4 address",
            format!("{ip:?} is not an IPv4 address; HSM interfaces take an IPv4 address of their subnet."),
        );
    }
    d
}
