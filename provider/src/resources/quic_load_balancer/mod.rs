//! `trustchain_quic_load_balancer`: a Network Load Balancer with its listeners and
//! their target groups as one resource, with AWS's QUIC and UDP rules checked at
//! plan time (`validate`).
//!
//! Listeners are keyed by port. The plan (`plan`) decides which listener and target
//! group ARNs stay; create and update share one convergence (`aws/reconcile.rs`) that
//! follows those decisions in an order that keeps AWS's rules true at every step.
//! Every refresh is one batched set of Describe calls (`aws/discovery.rs`); after
//! every apply, success or failure, the state is read back from AWS (`state`), so a
//! failure half-way leaves state the next apply or destroy can finish from.

mod aws;
mod list;
mod model;
mod plan;
mod schema;
mod state;
mod validate;

pub use list::LoadBalancerList;

use crate::aws::{Clients, ProviderData, clients_or_return};
use async_trait::async_trait;
use aws::discovery::Elb;
use model::{Desired, LoadBalancerIdentity, LoadBalancerModel};
use std::time::Duration;
use tfplugin::diag::{DiagResult, Diagnostic, Diagnostics};
use tfplugin::framework::timeouts::limit;
use tfplugin::framework::{
    Applied, Create, Delete, Import, Operation, Plan, Read, Refreshed, Resource, Update,
};
use tfplugin::schema::{IdentitySchema, Schema};
use tfplugin::value::Attr;

/// AWS provisions a Network Load Balancer in minutes.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10 * 60);
const READ_TIMEOUT: Duration = Duration::from_secs(5 * 60);

pub struct QuicLoadBalancer {
    data: ProviderData,
}

impl QuicLoadBalancer {
    pub fn new(data: ProviderData) -> Self {
        Self { data }
    }

    fn elb<'a>(&self, c: &'a Clients, limit: Duration, op: Operation) -> Elb<'a> {
        Elb {
            c,
            deadline: self.data.deadline(limit, op),
        }
    }
}

/// The resolved plan, after the rules are checked again with every value known
/// (values from other resources were unknown at plan time).
fn desired(planned: &LoadBalancerModel) -> Result<Desired, Diagnostics> {
    let d = validate::validate_config(planned);
    if d.has_errors() {
        return Err(d);
    }
    Desired::from_model(planned)
}

#[async_trait]
impl Resource for QuicLoadBalancer {
    type Model = LoadBalancerModel;
    type Identity = LoadBalancerIdentity;
    const TYPE_NAME: &'static str = model::TYPE_NAME;

    fn schema(&self) -> Schema {
        schema::schema()
    }

    fn identity_schema(&self) -> IdentitySchema {
        schema::identity_schema()
    }

    fn identity(&self, state: &LoadBalancerModel) -> Option<LoadBalancerIdentity> {
        state.identity()
    }

    async fn validate(&self, config: &LoadBalancerModel) -> Diagnostics {
        validate::validate_config(config)
    }

    async fn modify_plan(&self, plan: &mut Plan<LoadBalancerModel>) {
        plan::modify(&self.data, plan);
    }

    async fn create(&self, req: Create<LoadBalancerModel>) -> Applied<LoadBalancerModel> {
        let planned = req.planned;
        let clients = clients_or_return!(self.data, d => Applied::failed(None, d));
        let want = match desired(&planned) {
            Ok(d) => d,
            Err(d) => return Applied::failed(None, d),
        };
        let timeout = limit(planned.timeouts.known(), Operation::Create, DEFAULT_TIMEOUT);
        let elb = self.elb(&clients, timeout, Operation::Create);
        let arn = match elb.create_load_balancer(&want).await {
            Ok(a) => a,
            Err(d) => return Applied::failed(None, d),
        };
        let mut diags = Diagnostics::new();
        let visible = crate::aws::retry::until_visible(
            &elb.deadline,
            &format!("load balancer {arn}"),
            || elb.discover(&arn, &[]),
        )
        .await;
        match visible {
            Ok(actual) => {
                let plan = plan::listener_ids_at_apply(&planned, None);
                if let Err(d) = elb.converge(&actual, &want, &plan, &[]).await {
                    diags.extend(d);
                } else if let Err(d) = elb.wait_active(&arn).await {
                    diags.extend(d);
                }
            }
            Err(d) => diags.extend(d),
        }
        finish(&elb, &arn, planned, &[], diags).await
    }

    async fn read(&self, req: Read<LoadBalancerModel>) -> Refreshed<LoadBalancerModel> {
        let Some(arn) = req.state.arn.known().cloned() else {
            return Refreshed::gone();
        };
        let clients =
            clients_or_return!(self.data, d => Refreshed::failed(req.state, req.private, d));
        let elb = self.elb(&clients, READ_TIMEOUT, Operation::Read);
        match elb.discover(&arn, &state::known_groups(&req.state)).await {
            Ok(None) => Refreshed::gone(),
            Ok(Some(actual)) => {
                Refreshed::found(state::state_of(&actual, &req.state, &clients), req.private)
            }
            Err(d) => Refreshed::failed(req.state, req.private, d),
        }
    }

    async fn update(&self, req: Update<LoadBalancerModel>) -> Applied<LoadBalancerModel> {
        let planned = req.planned;
        let prior = req.prior;
        let clients = clients_or_return!(self.data, d => Applied::failed(Some(prior), d));
        let want = match desired(&planned) {
            Ok(d) => d,
            Err(d) => return Applied::failed(Some(prior), d),
        };
        let Some(arn) = prior.arn.known().cloned() else {
            return Applied::failed(
                Some(prior),
                Diagnostic::error(
                    "Load balancer has no ARN",
                    "The state lost its ARN; remove the resource from state and import it by ARN.",
                ),
            );
        };
        let timeout = limit(planned.timeouts.known(), Operation::Update, DEFAULT_TIMEOUT);
        let elb = self.elb(&clients, timeout, Operation::Update);
        let prior_groups = state::known_groups(&prior);
        let mut diags = Diagnostics::new();
        match elb.discover(&arn, &prior_groups).await {
            Ok(Some(actual)) => {
                let plan = plan::listener_ids_at_apply(&planned, Some(&prior));
                if let Err(d) = elb.converge(&actual, &want, &plan, &prior_groups).await {
                    diags.extend(d);
                }
            }
            Ok(None) => diags.error(
                "Load balancer disappeared",
                format!("{arn} no longer exists; run terraform apply again to create it."),
            ),
            Err(d) => diags.extend(d),
        }
        finish(&elb, &arn, planned, &prior_groups, diags).await
    }

    async fn delete(&self, req: Delete<LoadBalancerModel>) -> Diagnostics {
        let Some(arn) = req.prior.arn.known().cloned() else {
            return Diagnostics::new();
        };
        let clients = clients_or_return!(self.data, d => d);
        let timeout = limit(
            req.prior.timeouts.known(),
            Operation::Delete,
            DEFAULT_TIMEOUT,
        );
        match self
            .elb(&clients, timeout, Operation::Delete)
            .delete_all(&arn, &state::known_groups(&req.prior))
            .await
        {
            Ok(()) => Diagnostics::new(),
            Err(d) => d,
        }
    }

    async fn import(&self, req: Import<LoadBalancerIdentity>) -> DiagResult<LoadBalancerModel> {
        let clients = self.data.clients().await?;
        let arn = match req {
            Import::Id(id) => id,
            Import::Identity(identity) => identity.arn,
        };
        let parts: Vec<&str> = arn.splitn(6, ':').collect();
        let is_nlb = parts.len() == 6
            && parts[0] == "arn"
            && parts[2] == "elasticloadbalancing"
            && parts[5].starts_with("loadbalancer/net/");
        if !is_nlb {
            return Err(Diagnostic::error(
                "Invalid import id",
                format!("{arn:?} is not a Network Load Balancer ARN; import with one, e.g. terraform import trustchain_quic_load_balancer.this arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/doq/0123456789abcdef."),
            )
            .into());
        }
        if parts[3] != clients.region {
            return Err(Diagnostic::error(
                "Load balancer in another region",
                format!(
                    "{arn} is in {}, but this provider configuration manages {}. Import through a provider configured for {} (a provider alias).",
                    parts[3], clients.region, parts[3]
                ),
            )
            .into());
        }
        let actual = self
            .elb(&clients, READ_TIMEOUT, Operation::Read)
            .discover(&arn, &[])
            .await?
            .ok_or_else(|| {
                Diagnostics::from(Diagnostic::error(
                    "Load balancer not found",
                    format!("No load balancer {arn} in {}.", clients.region),
                ))
            })?;
        Ok(state::state_of(
            &actual,
            &state::imported_model(&actual),
            &clients,
        ))
    }
}

/// Reads the load balancer back after an apply, keeping error diagnostics.
async fn finish(
    elb: &Elb<'_>,
    arn: &str,
    planned: LoadBalancerModel,
    prior_groups: &[String],
    mut diags: Diagnostics,
) -> Applied<LoadBalancerModel> {
    let mut known = state::known_groups(&planned);
    known.extend(prior_groups.iter().cloned());
    // Listings lag right after a change (eventual consistency): read back until AWS
    // shows every planned listener with its target group, or a short while passed.
    // A state without them would contradict the plan and lose their ids.
    let ports: Vec<i64> = planned
        .listener
        .known()
        .map(|ls| ls.iter().filter_map(|l| l.port.known().copied()).collect())
        .unwrap_or_default();
    let settled = crate::aws::retry::until_visible(
        &elb.deadline.capped(crate::aws::retry::PROPAGATION),
        &format!("the listeners of {arn}"),
        || async {
            Ok(elb
                .discover(arn, &known)
                .await?
                .filter(|a| shows_listeners(a, &ports)))
        },
    )
    .await;
    let found = match settled {
        Ok(actual) => Ok(Some(actual)),
        // Whatever AWS shows now is the last word.
        Err(_) => elb.discover(arn, &known).await,
    };
    match found {
        Ok(Some(actual)) => Applied {
            state: Some(state::state_of(&actual, &planned, elb.c)),
            private: Vec::new(),
            diagnostics: diags,
        },
        Ok(None) => {
            if !diags.has_errors() {
                diags.error(
                    "Load balancer disappeared",
                    format!("{arn} vanished while it was being configured."),
                );
            }
            // Keep the ARN: it may just not be visible yet.
            let mut partial = planned;
            partial.id = Attr::Known(arn.to_string());
            partial.arn = Attr::Known(arn.to_string());
            Applied::failed(Some(state::nullify_unknowns(partial)), diags)
        }
        Err(d) => {
            diags.extend(d);
            // Keep at least the ARN so destroy can find and remove it.
            let mut partial = planned;
            partial.id = Attr::Known(arn.to_string());
            partial.arn = Attr::Known(arn.to_string());
            Applied::failed(Some(state::nullify_unknowns(partial)), diags)
        }
    }
}

/// AWS shows a listener on every port, each with the target group it forwards to.
fn shows_listeners(a: &aws::discovery::Actual, ports: &[i64]) -> bool {
    ports.iter().all(|p| {
        a.listeners.get(p).is_some_and(|l| {
            l.target_group_arn
                .as_ref()
                .is_none_or(|tg| a.groups.contains_key(tg))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_names_every_attribute_of_the_schema() {
        tfplugin::framework::check_model::<LoadBalancerModel>(&schema::schema())
            .expect("complete model");
    }

    #[test]
    fn identity_is_the_arn() {
        let mut m: LoadBalancerModel =
            tfplugin::framework::model_from_json(&schema::schema(), &serde_json::json!({}))
                .expect("empty model");
        assert_eq!(m.identity(), None);
        let arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/doq/0abc";
        m.arn = Attr::Known(arn.into());
        assert_eq!(m.identity(), Some(LoadBalancerIdentity { arn: arn.into() }));
    }
}
