//! The `trustchain_cloudhsm_hsm` list resource (`terraform query`): the HSMs of the
//! provider's account and region, whoever made them, optionally of one cluster
//! (DescribeClusters filter `clusterIds`) and in one Availability Zone. HSMs come
//! inside DescribeClusters' answer, so the paging is that of clusters: NextToken, 25
//! clusters per page, stopped once Terraform has as many HSMs as it asked for. HSMs
//! being deleted, and those of clusters being deleted, are left out.

use super::model::{self, HsmIdentity, HsmModel, TYPE_NAME};
use super::schema;
use crate::aws::clients_or_return;
use crate::aws::failed;
use crate::cloudhsm::is_id;
use crate::cloudhsm::{self, CloudHsm};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::framework::{List, ListResource, Lister};
use tfplugin::schema::{Attribute, Block, IdentitySchema, Schema};
use tfplugin::value::{Attr, AttributePath, Type};

/// DescribeClusters' largest page.
const PAGE_SIZE: i32 = 25;

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct HsmListConfig {
    pub cluster_id: Attr<String>,
    pub availability_zone: Attr<String>,
}

pub fn list_schema() -> Schema {
    Schema::new(
        Block::new()
            .markdown_description("Lists the HSMs of the CloudHSM v2 clusters of the provider's account and region, however they were made, for `terraform query` (Terraform 1.14+). With no filter, the HSMs of every cluster are listed.")
            .attribute(Attribute::optional("cluster_id", Type::String).description("Only the HSMs of this cluster (cluster-...)."))
            .attribute(Attribute::optional("availability_zone", Type::String).description("Only HSMs in this Availability Zone, e.g. us-east-1a.")),
    )
}

pub struct HsmList {
    hsm: CloudHsm,
}

impl HsmList {
    pub fn new(hsm: CloudHsm) -> Self {
        Self { hsm }
    }
}

pub fn check(c: &HsmListConfig) -> Diagnostics {
    let mut d = Diagnostics::new();
    if let Attr::Known(id) = &c.cluster_id
        && !is_id(id, "cluster")
    {
        d.push(
            Diagnostic::error(
                "Invalid cluster id",
                format!("{id:?} is not a CloudHSM cluster id. Use a cluster id, e.g. cluster-igklspoyj5v."),
            )
            .at(AttributePath::root().attr("cluster_id")),
        );
    }
    d
}

#[async_trait]
impl ListResource for HsmList {
    type Config = HsmListConfig;
    type Model = HsmModel;
    type Identity = HsmIdentity;
    const TYPE_NAME: &'static str = TYPE_NAME;

    fn schema(&self) -> Schema {
        list_schema()
    }

    fn resource_schema(&self) -> Schema {
        schema::schema()
    }

    fn identity_schema(&self) -> IdentitySchema {
        schema::identity_schema()
    }

    async fn validate(&self, config: &HsmListConfig) -> Diagnostics {
        check(config)
    }

    async fn list(&self, req: List<HsmListConfig>, out: &mut Lister<'_, HsmModel, HsmIdentity>) {
        let d = check(&req.config);
        if d.has_errors() {
            return out.diagnostics(d).await;
        }
        let clients = clients_or_return!(self.hsm, d => out.diagnostics(d).await);
        let zone = req.config.availability_zone.known().cloned();
        let mut call = clients
            .cloudhsmv2
            .describe_clusters()
            .max_results(PAGE_SIZE);
        if let Attr::Known(id) = &req.config.cluster_id {
            call = call.filters("clusterIds", vec![id.clone()]);
        }
        // The SDK's paginator asks for the next page only when the loop does: a list
        // Terraform stops reading (its limit) makes no further DescribeClusters call.
        let mut pages = call.into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = match page {
                Ok(p) => p,
                Err(e) => {
                    return out
                        .diagnostics(failed("CloudHSM", "DescribeClusters")(e))
                        .await;
                }
            };
            for c in page.clusters().iter().filter(|c| !cloudhsm::is_gone(c)) {
                for h in c.hsms() {
                    if matches!(cloudhsm::hsm_state(h), "DELETE_IN_PROGRESS" | "DELETED")
                        || zone
                            .as_deref()
                            .is_some_and(|z| h.availability_zone() != Some(z))
                    {
                        continue;
                    }
                    let Some(cluster_id) = h.cluster_id().or(c.cluster_id()) else {
                        continue;
                    };
                    let identity = HsmIdentity {
                        account_id: clients.account_id.clone(),
                        region: Some(clients.region.clone()),
                        cluster_id: cluster_id.to_string(),
                        hsm_id: h.hsm_id().to_string(),
                    };
                    let name = format!(
                        "{} in {cluster_id} ({})",
                        h.hsm_id(),
                        h.availability_zone().unwrap_or("?")
                    );
                    let object = req
                        .include_resource_object
                        .then(|| model::state_of(h, &model::empty()));
                    if !out.found(&identity, name, object.as_ref()).await {
                        return;
                    }
                }
            }
            if !out.wants_more() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::framework::check_model;

    #[test]
    fn the_config_model_names_every_attribute_of_the_list_schema() {
        assert_eq!(check_model::<HsmListConfig>(&list_schema()), Ok(()));
    }

    #[test]
    fn a_cluster_id_of_the_wrong_shape_gets_a_diagnostic_at_it() {
        let bad = HsmListConfig {
            cluster_id: Attr::Known("hsm-ucskhjpuiw6".into()),
            availability_zone: Attr::Null,
        };
        let d: Vec<_> = check(&bad).iter().cloned().collect();
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0].attribute,
            Some(AttributePath::root().attr("cluster_id"))
        );
        assert!(d[0].detail.contains("cluster-"), "{}", d[0].detail);
        let unknown = HsmListConfig {
            cluster_id: Attr::Unknown,
            availability_zone: Attr::Null,
        };
        assert!(check(&unknown).is_empty());
    }
}
