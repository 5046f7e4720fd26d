//! The `trustchain_ipv6_network` list resource (`terraform query`): the VPCs of the
//! provider's account and region that fit the resource's model, whoever made them,
//! optionally one VPC or those with given tags (DescribeVpcs filters `vpc-id` and
//! `tag:KEY`, applied by AWS; paged lazily with the SDK's paginator). A VPC fits
//! when it has an IPv6 CIDR block and at least one tier: a route table tagged
//! `trustchain:tier`. Every other VPC is left out with a warning that says why and
//! how to make it fit, so `terraform query` shows what it could not adopt.

use super::aws::discovery::Ec2;
use super::model::{NetworkIdentity, NetworkModel, TAG_KIND, TAG_TIER, TYPE_NAME};
use super::{READ_TIMEOUT, schema, state};
use crate::aws::{ProviderData, clients_or_return, failed, tags};
use async_trait::async_trait;
use aws_sdk_ec2::types::{Filter, Vpc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::framework::{List, ListResource, Lister, Operation};
use tfplugin::schema::{Attribute, Block, IdentitySchema, Schema};
use tfplugin::value::{Attr, AttributePath, Type};

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct NetworkListConfig {
    pub vpc_id: Attr<String>,
    pub tags: Attr<BTreeMap<String, Attr<String>>>,
}

pub fn list_schema() -> Schema {
    Schema::new(
        Block::new()
            .markdown_description("Lists the VPCs of the provider's account and region that fit `trustchain_ipv6_network` (an IPv6 CIDR block and at least one route table tagged `trustchain:tier`), however they were made, for `terraform query` (Terraform 1.14+). A VPC that does not fit is left out with a warning saying why.")
            .attribute(Attribute::optional("vpc_id", Type::String).description("Only this VPC (vpc-...)."))
            .attribute(Attribute::optional("tags", Type::map(Type::String)).description("Only VPCs that have every one of these tags with these values.")),
    )
}

pub struct NetworkList {
    data: ProviderData,
}

impl NetworkList {
    pub fn new(data: ProviderData) -> Self {
        Self { data }
    }
}

pub fn check(c: &NetworkListConfig) -> Diagnostics {
    let mut d = Diagnostics::new();
    if let Attr::Known(v) = &c.vpc_id
        && !v.starts_with("vpc-")
    {
        d.push(
            Diagnostic::error(
                "Invalid VPC id",
                format!("{v:?} is not a VPC id. Use a VPC id, e.g. vpc-0a1b2c3d4e5f60718."),
            )
            .at(AttributePath::root().attr("vpc_id")),
        );
    }
    d
}

fn has_ipv6(vpc: &Vpc) -> bool {
    vpc.ipv6_cidr_block_association_set().iter().any(|a| {
        a.ipv6_cidr_block_state()
            .and_then(|s| s.state())
            .is_some_and(|s| s.as_str() == "associated")
    })
}

fn left_out(vpc_id: &str, why: &str, fix: &str) -> Diagnostic {
    Diagnostic::warning(
        format!("{vpc_id} does not fit trustchain_ipv6_network"),
        format!("{vpc_id} is not listed: {why}. {fix}"),
    )
}

#[async_trait]
impl ListResource for NetworkList {
    type Config = NetworkListConfig;
    type Model = NetworkModel;
    type Identity = NetworkIdentity;
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

    async fn validate(&self, config: &NetworkListConfig) -> Diagnostics {
        check(config)
    }

    async fn list(
        &self,
        req: List<NetworkListConfig>,
        out: &mut Lister<'_, NetworkModel, NetworkIdentity>,
    ) {
        let d = check(&req.config);
        if d.has_errors() {
            return out.diagnostics(d).await;
        }
        let clients = clients_or_return!(self.data, d => out.diagnostics(d).await);
        let mut call = clients.ec2.describe_vpcs();
        if let Attr::Known(id) = &req.config.vpc_id {
            call = call.filters(Filter::builder().name("vpc-id").values(id).build());
        }
        for (k, v) in req.config.tags.known().into_iter().flatten() {
            if let Attr::Known(v) = v {
                call = call.filters(Filter::builder().name(format!("tag:{k}")).values(v).build());
            }
        }
        let ec2 = Ec2 {
            c: &clients,
            deadline: self.data.deadline(READ_TIMEOUT, Operation::Read),
        };
        let mut pages = call.into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = match page {
                Ok(p) => p,
                Err(e) => return out.diagnostics(failed("EC2", "DescribeVpcs")(e)).await,
            };
            for vpc in page.vpcs() {
                let Some(vpc_id) = vpc.vpc_id() else {
                    continue;
                };
                if !has_ipv6(vpc) {
                    out.diagnostics(left_out(vpc_id, "it has no IPv6 CIDR block", "trustchain_ipv6_network manages dual-stack and IPv6-only networks: associate an IPv6 block with the VPC (an Amazon-provided /56 or one from an IPAM pool) and list again, or keep managing it with hashicorp/aws.").into()).await;
                    continue;
                }
                let actual = match ec2.discover(vpc_id).await {
                    Ok(Some(a)) => a,
                    Ok(None) => continue,
                    Err(d) => return out.diagnostics(d).await,
                };
                if actual.route_tables.is_empty() {
                    out.diagnostics(left_out(vpc_id, &format!("none of its route tables carries the {TAG_TIER} tag that names a tier"), &format!("Tag one route table per tier ({TAG_TIER} = NAME, {TAG_KIND} = public, private or isolated) and the tier's subnets ({TAG_TIER} = NAME), then list again; the import plans what else the network needs."))
                    .into()).await;
                    continue;
                }
                let identity = NetworkIdentity {
                    account_id: Some(actual.owner.clone()),
                    region: Some(clients.region.clone()),
                    vpc_id: vpc_id.to_string(),
                };
                let display = tags::display_name(vpc_id, &actual.vpc_tags);
                let object = req
                    .include_resource_object
                    .then(|| state::state_of(&actual, &state::imported_model(&actual), &clients));
                if !out.found(&identity, display, object.as_ref()).await {
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
        assert_eq!(check_model::<NetworkListConfig>(&list_schema()), Ok(()));
    }

    #[test]
    fn a_vpc_id_of_the_wrong_shape_gets_a_diagnostic_at_it() {
        let bad = NetworkListConfig {
            vpc_id: Attr::Known("subnet-0a1b2c3d".into()),
            tags: Attr::Null,
        };
        let d: Vec<_> = check(&bad).iter().cloned().collect();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].attribute, Some(AttributePath::root().attr("vpc_id")));
    }
}
