//! The `trustchain_quic_load_balancer` list resource (`terraform query`): the Network
//! Load Balancers of the provider's account and region, whoever made them, optionally
//! in one VPC and with given tags. Load balancers are paged with the SDK's paginator
//! (DescribeLoadBalancers, Marker), lazily, so a list Terraform stops reading asks for
//! no further page. Application and gateway load balancers are left out. The tags
//! filter and `include_resource` read each load balancer whole (attributes, tags,
//! listeners, target groups), as an import does.

use super::aws::discovery::Elb;
use super::model::{LoadBalancerIdentity, LoadBalancerModel, TYPE_NAME};
use super::{READ_TIMEOUT, schema, state};
use crate::aws::tags;
use crate::aws::{ProviderData, clients_or_return, failed};
use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::types::LoadBalancerTypeEnum;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::framework::{List, ListResource, Lister, Operation};
use tfplugin::schema::{Attribute, Block, IdentitySchema, Schema};
use tfplugin::value::{Attr, AttributePath, Type};

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct LoadBalancerListConfig {
    pub vpc_id: Attr<String>,
    pub tags: Attr<BTreeMap<String, Attr<String>>>,
}

pub fn list_schema() -> Schema {
    Schema::new(
        Block::new()
            .markdown_description("Lists the Network Load Balancers of the provider's account and region, however they were made, for `terraform query` (Terraform 1.14+). With no filter, every Network Load Balancer is listed.")
            .attribute(Attribute::optional("vpc_id", Type::String).description("Only load balancers in this VPC (vpc-...)."))
            .attribute(Attribute::optional("tags", Type::map(Type::String)).description("Only load balancers that have every one of these tags with these values.")),
    )
}

pub struct LoadBalancerList {
    data: ProviderData,
}

impl LoadBalancerList {
    pub fn new(data: ProviderData) -> Self {
        Self { data }
    }
}

pub fn check(c: &LoadBalancerListConfig) -> Diagnostics {
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

#[async_trait]
impl ListResource for LoadBalancerList {
    type Config = LoadBalancerListConfig;
    type Model = LoadBalancerModel;
    type Identity = LoadBalancerIdentity;
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

    async fn validate(&self, config: &LoadBalancerListConfig) -> Diagnostics {
        check(config)
    }

    async fn list(
        &self,
        req: List<LoadBalancerListConfig>,
        out: &mut Lister<'_, LoadBalancerModel, LoadBalancerIdentity>,
    ) {
        let d = check(&req.config);
        if d.has_errors() {
            return out.diagnostics(d).await;
        }
        let clients = clients_or_return!(self.data, d => out.diagnostics(d).await);
        let wanted = tags::filter(&req.config.tags);
        let vpc = req.config.vpc_id.known().cloned();
        let elb = Elb {
            c: &clients,
            deadline: self.data.deadline(READ_TIMEOUT, Operation::Read),
        };
        let mut pages = clients
            .elbv2
            .describe_load_balancers()
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = match page {
                Ok(p) => p,
                Err(e) => {
                    return out
                        .diagnostics(failed("ELBv2", "DescribeLoadBalancers")(e))
                        .await;
                }
            };
            for lb in page.load_balancers() {
                let (Some(arn), Some(name)) = (lb.load_balancer_arn(), lb.load_balancer_name())
                else {
                    continue;
                };
                if lb.r#type() != Some(&LoadBalancerTypeEnum::Network)
                    || vpc.as_deref().is_some_and(|v| lb.vpc_id() != Some(v))
                {
                    continue;
                }
                let mut object = None;
                if !wanted.is_empty() || req.include_resource_object {
                    let actual = match elb.discover(arn, &[]).await {
                        Ok(Some(a)) => a,
                        // Deleted since the page was read.
                        Ok(None) => continue,
                        Err(d) => return out.diagnostics(d).await,
                    };
                    if !tags::has_all(&actual.tags, &wanted) {
                        continue;
                    }
                    if req.include_resource_object {
                        object = Some(state::state_of(
                            &actual,
                            &state::imported_model(&actual),
                            &clients,
                        ));
                    }
                }
                let identity = LoadBalancerIdentity {
                    arn: arn.to_string(),
                };
                let display = format!("{name} ({})", lb.dns_name().unwrap_or("?"));
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
        assert_eq!(
            check_model::<LoadBalancerListConfig>(&list_schema()),
            Ok(())
        );
    }

    #[test]
    fn a_vpc_id_of_the_wrong_shape_gets_a_diagnostic_at_it_and_tags_must_all_match() {
        let bad = LoadBalancerListConfig {
            vpc_id: Attr::Known("subnet-0a1b2c3d".into()),
            tags: Attr::Null,
        };
        let d: Vec<_> = check(&bad).iter().cloned().collect();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].attribute, Some(AttributePath::root().attr("vpc_id")));
    }
}
