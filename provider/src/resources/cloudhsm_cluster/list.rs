//! The `trustchain_cloudhsm_cluster` list resource (`terraform query`): clusters of
//! the provider's account and region, whoever made them, filtered by VPC and state
//! (DescribeClusters filters `vpcIds` and `states`, applied by AWS) and by tags
//! (checked here: DescribeClusters has no tag filter). Paged with NextToken, 25 per
//! page (DescribeClusters' MaxResults is 1 to 25); paging stops as soon as Terraform
//! has as many as it asked for. DELETE_IN_PROGRESS and DELETED clusters, which AWS
//! keeps listing for a while, are left out.

use super::model::{ClusterIdentity, ClusterModel, TYPE_NAME};
use super::{schema, state};
use crate::aws::clients_or_return;
use crate::aws::failed;
use crate::aws::tags;
use crate::cloudhsm::{self, CloudHsm, tags_of};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::framework::{List, ListResource, Lister};
use tfplugin::schema::{Attribute, Block, IdentitySchema, Schema};
use tfplugin::value::{Attr, AttributePath, Type};

/// DescribeClusters' largest page.
pub const PAGE_SIZE: i32 = 25;

/// Cluster states a filter may name (the ClusterState values a live cluster has).
pub const STATES: &[&str] = &[
    "CREATE_IN_PROGRESS",
    "UNINITIALIZED",
    "INITIALIZE_IN_PROGRESS",
    "INITIALIZED",
    "ACTIVE",
    "UPDATE_IN_PROGRESS",
    "MODIFY_IN_PROGRESS",
    "ROLLBACK_IN_PROGRESS",
    "DEGRADED",
];

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct ClusterListConfig {
    pub vpc_id: Attr<String>,
    pub states: Attr<Vec<Attr<String>>>,
    pub tags: Attr<std::collections::BTreeMap<String, Attr<String>>>,
}

pub fn list_schema() -> Schema {
    Schema::new(
        Block::new()
            .markdown_description("Lists the CloudHSM v2 clusters of the provider's account and region, however they were made, for `terraform query` (Terraform 1.14+). Every filter is optional; with none, every cluster that is not being deleted is listed.")
            .attribute(Attribute::optional("vpc_id", Type::String).description("Only clusters in this VPC (vpc-...)."))
            .attribute(Attribute::optional("states", Type::set(Type::String)).description(format!("Only clusters in one of these states: {}.", STATES.join(", "))))
            .attribute(Attribute::optional("tags", Type::map(Type::String)).description("Only clusters that have every one of these tags with these values.")),
    )
}

pub struct ClusterList {
    hsm: CloudHsm,
}

impl ClusterList {
    pub fn new(hsm: CloudHsm) -> Self {
        Self { hsm }
    }
}

/// The filter's checks; unknown values are skipped.
pub fn check(c: &ClusterListConfig) -> Diagnostics {
    let mut d = Diagnostics::new();
    if let Attr::Known(vpc) = &c.vpc_id
        && !vpc.starts_with("vpc-")
    {
        d.push(
            Diagnostic::error(
                "Invalid VPC id",
                format!(
                    "{vpc:?} is not a VPC id. Use the id of a VPC, e.g. vpc-0a1b2c3d4e5f60718."
                ),
            )
            .at(AttributePath::root().attr("vpc_id")),
        );
    }
    for s in c.states.known().into_iter().flatten() {
        if let Attr::Known(s) = s
            && !STATES.contains(&s.as_str())
        {
            d.push(
                Diagnostic::error(
                    "Invalid cluster state",
                    format!(
                        "{s:?} is not a cluster state to list. Use one of {}.",
                        STATES.join(", ")
                    ),
                )
                .at(AttributePath::root().attr("states")),
            );
        }
    }
    d
}

#[async_trait]
impl ListResource for ClusterList {
    type Config = ClusterListConfig;
    type Model = ClusterModel;
    type Identity = ClusterIdentity;
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

    async fn validate(&self, config: &ClusterListConfig) -> Diagnostics {
        check(config)
    }

    async fn list(
        &self,
        req: List<ClusterListConfig>,
        out: &mut Lister<'_, ClusterModel, ClusterIdentity>,
    ) {
        let d = check(&req.config);
        if d.has_errors() {
            return out.diagnostics(d).await;
        }
        let clients = clients_or_return!(self.hsm, d => out.diagnostics(d).await);
        let wanted = tags::filter(&req.config.tags);
        let mut call = clients
            .cloudhsmv2
            .describe_clusters()
            .max_results(PAGE_SIZE);
        if let Attr::Known(vpc) = &req.config.vpc_id {
            call = call.filters("vpcIds", vec![vpc.clone()]);
        }
        if let Attr::Known(states) = &req.config.states {
            let states: Vec<String> = states.iter().filter_map(|s| s.known().cloned()).collect();
            if !states.is_empty() {
                call = call.filters("states", states);
            }
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
            for c in page.clusters() {
                let tags = tags_of(c);
                if cloudhsm::is_gone(c) || !tags::has_all(&tags, &wanted) {
                    continue;
                }
                let Some(id) = c.cluster_id() else { continue };
                let identity = ClusterIdentity {
                    account_id: clients.account_id.clone(),
                    region: Some(clients.region.clone()),
                    cluster_id: id.to_string(),
                };
                let object = req
                    .include_resource_object
                    .then(|| state::state_of(c, &state::empty(), &clients));
                if !out
                    .found(&identity, tags::display_name(id, &tags), object.as_ref())
                    .await
                {
                    return;
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
        assert_eq!(check_model::<ClusterListConfig>(&list_schema()), Ok(()));
    }

    #[test]
    fn bad_filters_get_a_diagnostic_at_their_attribute_with_the_fix() {
        let c = ClusterListConfig {
            vpc_id: Attr::Known("subnet-1".into()),
            states: Attr::Known(vec![Attr::Known("ACTIV".into()), Attr::Unknown]),
            tags: Attr::Null,
        };
        let d: Vec<_> = check(&c).iter().cloned().collect();
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!(d[0].attribute, Some(AttributePath::root().attr("vpc_id")));
        assert!(d[0].detail.contains("vpc-"), "{}", d[0].detail);
        assert!(d[1].detail.contains("UNINITIALIZED"), "{}", d[1].detail);
        let ok = ClusterListConfig {
            vpc_id: Attr::Unknown,
            states: Attr::Known(vec![Attr::Known("ACTIVE".into())]),
            tags: Attr::Null,
        };
        assert!(check(&ok).is_empty());
    }
}
