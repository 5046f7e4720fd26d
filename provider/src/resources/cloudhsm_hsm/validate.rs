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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn found(v: serde_json::Value) -> Vec<(String, String)> {
        let m: HsmModel = tfplugin::framework::model_from_json(&super::super::schema::schema(), &v)
            .expect("model");
        crate::resources::plan_testing::summaries_at(&check(&m))
    }

    const CLUSTER: &str = "cluster-igklspoyj5v";

    #[test]
    fn an_hsm_names_its_zone_or_its_subnet_not_both() {
        let d = found(json!({"cluster_id": CLUSTER}));
        assert_eq!(
            d,
            [(
                "Availability zone or subnet missing".into(),
                "availability_zone".into()
            )]
        );
        let d = found(
            json!({"cluster_id": CLUSTER, "availability_zone": "us-east-1a",
                             "subnet_id": "subnet-1"}),
        );
        assert_eq!(
            d,
            [(
                "Both availability_zone and subnet_id set".into(),
                "subnet_id".into()
            )]
        );
        assert_eq!(
            found(json!({"cluster_id": CLUSTER, "availability_zone": "us-east-1a"})),
            []
        );
        assert_eq!(
            found(json!({"cluster_id": CLUSTER, "subnet_id": "subnet-1"})),
            []
        );
    }

    #[test]
    fn the_cluster_id_and_ip_address_are_checked_when_known() {
        let d = found(
            json!({"cluster_id": "hsm-igklspoyj5v", "subnet_id": "subnet-1",
                             "ip_address": "2600:1f18::5"}),
        );
        assert_eq!(
            d,
            [
                ("Invalid cluster id".into(), "cluster_id".into()),
                ("Invalid IPv4 address".into(), "ip_address".into()),
            ]
        );
        let d = found(json!({"cluster_id": CLUSTER, "subnet_id": "subnet-1",
                             "ip_address": "10.0.1.25"}));
        assert_eq!(d, []);
    }
}
