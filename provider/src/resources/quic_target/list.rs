//! The `trustchain_quic_target` list resource (`terraform query`): the registered
//! targets of the provider's account and region, whoever registered them, of one
//! target group or of the target groups of one load balancer. Target groups are
//! paged with the SDK's paginator (DescribeTargetGroups, Marker), lazily, so a list
//! Terraform stops reading asks for no further page; each group's targets come from
//! one DescribeTargetHealth. Draining and unregistered targets are left out.

use super::aws::all_registered;
use super::model::{self, TYPE_NAME, TargetIdentity, TargetModel};
use super::schema;
use crate::aws::{ProviderData, clients_or_return, code_of, failed, is_not_found};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::framework::{List, ListResource, Lister};
use tfplugin::schema::{Attribute, Block, IdentitySchema, Schema};
use tfplugin::value::{Attr, AttributePath, Type};

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct TargetListConfig {
    pub target_group_arn: Attr<String>,
    pub load_balancer_arn: Attr<String>,
}

pub fn list_schema() -> Schema {
    Schema::new(
        Block::new()
            .markdown_description("Lists the targets registered in the provider's account and region, however they were registered, for `terraform query` (Terraform 1.14+). With no filter, the targets of every target group are listed.")
            .attribute(Attribute::optional("target_group_arn", Type::String).description("Only the targets of this target group (its ARN)."))
            .attribute(Attribute::optional("load_balancer_arn", Type::String).description("Only the targets of the target groups of this load balancer (its ARN).")),
    )
}

pub struct TargetList {
    data: ProviderData,
}

impl TargetList {
    pub fn new(data: ProviderData) -> Self {
        Self { data }
    }
}

pub fn check(c: &TargetListConfig) -> Diagnostics {
    let mut d = Diagnostics::new();
    for (name, part, example) in [
        (
            "target_group_arn",
            ":targetgroup/",
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/doq-8853/0123456789abcdef",
        ),
        (
            "load_balancer_arn",
            ":loadbalancer/net/",
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/trustchain/0123456789abcdef",
        ),
    ] {
        let value = match name {
            "target_group_arn" => &c.target_group_arn,
            _ => &c.load_balancer_arn,
        };
        if let Attr::Known(v) = value
            && !(v.starts_with("arn:") && v.contains(part))
        {
            d.push(
                Diagnostic::error(
                    "Invalid ARN",
                    format!(
                        "{v:?} is not the ARN {name} takes (it contains {part:?}), e.g. {example}."
                    ),
                )
                .at(AttributePath::root().attr(name)),
            );
        }
    }
    d
}

#[async_trait]
impl ListResource for TargetList {
    type Config = TargetListConfig;
    type Model = TargetModel;
    type Identity = TargetIdentity;
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

    async fn validate(&self, config: &TargetListConfig) -> Diagnostics {
        check(config)
    }

    async fn list(
        &self,
        req: List<TargetListConfig>,
        out: &mut Lister<'_, TargetModel, TargetIdentity>,
    ) {
        let d = check(&req.config);
        if d.has_errors() {
            return out.diagnostics(d).await;
        }
        let clients = clients_or_return!(self.data, d => out.diagnostics(d).await);
        let mut call = clients.elbv2.describe_target_groups();
        if let Attr::Known(arn) = &req.config.target_group_arn {
            call = call.target_group_arns(arn.clone());
        }
        if let Attr::Known(arn) = &req.config.load_balancer_arn {
            call = call.load_balancer_arn(arn.clone());
        }
        let mut pages = call.into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = match page {
                Ok(p) => p,
                // A group or load balancer that does not exist has no targets.
                Err(e) if is_not_found(code_of(&e)) => return,
                Err(e) => {
                    return out
                        .diagnostics(failed("ELBv2", "DescribeTargetGroups")(e))
                        .await;
                }
            };
            for g in page.target_groups() {
                let Some(tg) = g.target_group_arn() else {
                    continue;
                };
                let health = match clients
                    .elbv2
                    .describe_target_health()
                    .target_group_arn(tg)
                    .send()
                    .await
                {
                    Ok(h) => h,
                    Err(e) if is_not_found(code_of(&e)) => continue,
                    Err(e) => {
                        return out
                            .diagnostics(failed("ELBv2", "DescribeTargetHealth")(e))
                            .await;
                    }
                };
                let group_name = g.target_group_name().unwrap_or("?");
                for (target_id, port, r) in all_registered(health.target_health_descriptions()) {
                    let identity = TargetIdentity {
                        target_group_arn: tg.to_string(),
                        target_id: target_id.clone(),
                        port,
                    };
                    let name = format!("{target_id}:{port} in {group_name}");
                    // As an import makes it: the zone only where a configuration sets it.
                    let object = req.include_resource_object.then(|| TargetModel {
                        id: Attr::Known(model::id_of(tg, &target_id, port)),
                        target_group_arn: Attr::Known(tg.to_string()),
                        target_id: Attr::Known(target_id.clone()),
                        port: Attr::Known(port),
                        availability_zone: Attr::Null,
                        quic_server_id: r.quic_server_id.into(),
                        timeouts: Attr::Null,
                    });
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
        assert_eq!(check_model::<TargetListConfig>(&list_schema()), Ok(()));
    }

    #[test]
    fn an_arn_of_the_wrong_kind_gets_a_diagnostic_at_it() {
        let bad = TargetListConfig {
            target_group_arn: Attr::Known(
                "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/x/1".into(),
            ),
            load_balancer_arn: Attr::Known("lb-1".into()),
        };
        let d: Vec<_> = check(&bad).iter().cloned().collect();
        assert_eq!(d.len(), 2);
        assert_eq!(
            d[0].attribute,
            Some(AttributePath::root().attr("target_group_arn"))
        );
        assert_eq!(
            d[1].attribute,
            Some(AttributePath::root().attr("load_balancer_arn"))
        );
        let unknown = TargetListConfig {
            target_group_arn: Attr::Unknown,
            load_balancer_arn: Attr::Null,
        };
        assert!(check(&unknown).is_empty());
    }
}
