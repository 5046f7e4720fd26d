//! Plan-time values and checks: replacement when the HSM would move (AWS cannot
//! move one), and the zone and subnet from the cluster's subnet mapping (one cached
//! DescribeClusters), each known or a diagnostic at the one that is wrong.

use super::model::HsmModel;
use super::{CloudHsmHsm, at};
use tfplugin::framework::Plan;
use tfplugin::value::Attr;

impl CloudHsmHsm {
    /// The resource's `modify_plan`, after the framework's default planning.
    pub(super) async fn plan(&self, p: &mut Plan<HsmModel>) {
        if let Some(prior) = p.prior.clone() {
            let planned = p.planned.clone();
            if prior.cluster_id != planned.cluster_id {
                p.require_replace(at("cluster_id"));
            }
            let config = p.config.clone();
            for (name, a, b, c) in [
                (
                    "availability_zone",
                    &prior.availability_zone,
                    &planned.availability_zone,
                    &config.availability_zone,
                ),
                (
                    "subnet_id",
                    &prior.subnet_id,
                    &planned.subnet_id,
                    &config.subnet_id,
                ),
                (
                    "ip_address",
                    &prior.ip_address,
                    &planned.ip_address,
                    &config.ip_address,
                ),
            ] {
                // A computed value planned unknown (the configuration leaves it
                // out) stays; one configured but not known yet may change.
                if b.is_known() || c.is_unknown() {
                    p.require_replace_if_changed(at(name), a, b, "AWS cannot move an HSM: Terraform deletes it and creates a new one (an initialized cluster copies its users and keys to the new HSM from a backup).");
                }
            }
            if p.is_replacing() {
                return;
            }
        }
        if p.is_create() {
            self.plan_zone(p).await;
        }
    }

    /// At plan time, the zone and subnet from the cluster's subnet mapping (one
    /// cached DescribeClusters): both known, or a diagnostic at the one that is wrong.
    async fn plan_zone(&self, p: &mut Plan<HsmModel>) {
        let Attr::Known(cluster_id) = p.planned.cluster_id.clone() else {
            return;
        };
        let Ok(clients) = self.hsm.data.clients().await else {
            return;
        };
        let Ok(Some(cluster)) = self.hsm.cluster(&clients, &cluster_id).await else {
            return;
        };
        let mapping = cluster.subnet_mapping().cloned().unwrap_or_default();
        let zones = || {
            let mut z: Vec<String> = mapping.iter().map(|(z, s)| format!("{z} ({s})")).collect();
            z.sort();
            z.join(", ")
        };
        match (&p.planned.availability_zone, &p.planned.subnet_id) {
            (Attr::Known(z), _) => match mapping.get(z) {
                Some(s) => p.planned.subnet_id = Attr::Known(s.clone()),
                None => p.diagnostics.error_at(
                    at("availability_zone"),
                    "Zone not in the cluster",
                    format!("Cluster {cluster_id} has subnets in {}; {z} is not one of its zones. Choose one of them, or create the cluster with a subnet in {z}.", zones()),
                ),
            },
            (_, Attr::Known(s)) => match mapping.iter().find(|(_, v)| *v == s) {
                Some((z, _)) => p.planned.availability_zone = Attr::Known(z.clone()),
                None => p.diagnostics.error_at(
                    at("subnet_id"),
                    "Subnet not in the cluster",
                    format!("Cluster {cluster_id} uses {}; {s} is not one of its subnets.", zones()),
                ),
            },
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    //! Without AWS (an unconfigured provider): the replacement rules. The zone and
    //! subnet lookup in the cluster's mapping is covered by the acceptance tests.
    use super::*;
    use crate::aws::ProviderData;
    use crate::cloudhsm::CloudHsm;
    use crate::resources::plan_testing::plan;
    use serde_json::json;

    const CLUSTER: &str = "cluster-igklspoyj5v";

    fn state() -> serde_json::Value {
        json!({"id": "hsm-ucskhjpuiw6", "hsm_id": "hsm-ucskhjpuiw6", "cluster_id": CLUSTER,
               "availability_zone": "us-east-1a", "subnet_id": "subnet-a",
               "ip_address": "10.0.1.5", "eni_id": "eni-1", "hsm_state": "ACTIVE"})
    }

    async fn replaced(config: serde_json::Value) -> Vec<String> {
        let r = CloudHsmHsm::new(CloudHsm::new(ProviderData::default()));
        plan(r, Some(&state()), &config, &[]).await.replaced()
    }

    #[tokio::test]
    async fn an_hsm_that_stays_where_it_is_is_kept() {
        let same = json!({"cluster_id": CLUSTER, "availability_zone": "us-east-1a"});
        assert_eq!(replaced(same).await, Vec::<String>::new());
        let by_subnet = json!({"cluster_id": CLUSTER, "subnet_id": "subnet-a"});
        assert_eq!(replaced(by_subnet).await, Vec::<String>::new());
    }

    #[tokio::test]
    async fn another_cluster_zone_subnet_or_address_replaces_the_hsm() {
        let cases = [
            (
                json!({"cluster_id": "cluster-abcdefghijk", "availability_zone": "us-east-1a"}),
                "cluster_id",
            ),
            (
                json!({"cluster_id": CLUSTER, "availability_zone": "us-east-1b"}),
                "availability_zone",
            ),
            (
                json!({"cluster_id": CLUSTER, "subnet_id": "subnet-b"}),
                "subnet_id",
            ),
            (
                json!({"cluster_id": CLUSTER, "availability_zone": "us-east-1a", "ip_address": "10.0.1.6"}),
                "ip_address",
            ),
        ];
        for (config, attr) in cases {
            assert_eq!(replaced(config).await, [attr]);
        }
    }
}
