//! `trustchain_ipv6_network`: an IPv6-only VPC topology as one resource.
//!
//! One VPC (Amazon-provided /56 or an IPAM allocation), one route table per tier,
//! one subnet per tier × zone carved by the shared index scheme (`crate::ipv6`), an
//! internet gateway when a tier is public, an egress-only gateway when a tier is
//! private, and optionally NAT64 (a NAT gateway in a dual-stack public subnet plus
//! `64:ff9b::/96` routes for DNS64 tiers).
//!
//! Create and update share one reconciliation (`aws/reconcile.rs`): it discovers
//! what exists in the VPC (`aws/discovery.rs`), then creates, modifies and deletes in
//! AWS's dependency order (`aws/objects.rs`). After every apply, success or failure,
//! the state is read back from AWS (`state`), so a failure half-way leaves state the
//! next apply or destroy can finish from.

mod aws;
mod list;
mod model;
mod plan;
mod schema;
mod state;
mod validate;

pub use list::NetworkList;

use crate::aws::retry::until_visible;
use crate::aws::{Clients, ProviderData, clients_or_return};
use async_trait::async_trait;
use aws::discovery::{Ec2, Scope};
use model::{Desired, NetworkIdentity, NetworkModel};
use std::time::Duration;
use tfplugin::diag::{DiagResult, Diagnostic, Diagnostics};
use tfplugin::framework::timeouts::limit;
use tfplugin::framework::{
    Applied, Create, Delete, Import, Operation, Plan, Read, Refreshed, Resource, Update,
};
use tfplugin::schema::{IdentitySchema, Schema};
use tfplugin::value::Attr;

/// AWS usually finishes in minutes; NAT gateways take the longest.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20 * 60);
/// Refresh and import only describe; they never wait on AWS.
const READ_TIMEOUT: Duration = Duration::from_secs(5 * 60);

pub struct Ipv6Network {
    data: ProviderData,
}

impl Ipv6Network {
    pub fn new(data: ProviderData) -> Self {
        Self { data }
    }

    fn ec2<'a>(&self, c: &'a Clients, limit: Duration, op: Operation) -> Ec2<'a> {
        Ec2 {
            c,
            deadline: self.data.deadline(limit, op),
        }
    }
}

#[async_trait]
impl Resource for Ipv6Network {
    type Model = NetworkModel;
    type Identity = NetworkIdentity;
    const TYPE_NAME: &'static str = model::TYPE_NAME;

    fn schema(&self) -> Schema {
        schema::schema()
    }

    fn identity_schema(&self) -> IdentitySchema {
        schema::identity_schema()
    }

    fn identity(&self, state: &NetworkModel) -> Option<NetworkIdentity> {
        state.identity()
    }

    async fn validate(&self, config: &NetworkModel) -> Diagnostics {
        validate::validate_config(config, true)
    }

    async fn modify_plan(&self, plan: &mut Plan<NetworkModel>) {
        plan::modify(&self.data, plan).await;
    }

    async fn create(&self, req: Create<NetworkModel>) -> Applied<NetworkModel> {
        let planned = req.planned;
        let clients = clients_or_return!(self.data, d => Applied::failed(None, d));
        let desired = match Desired::from_model(&planned) {
            Ok(d) => d,
            Err(d) => return Applied::failed(None, d),
        };
        let timeout = limit(planned.timeouts.known(), Operation::Create, DEFAULT_TIMEOUT);
        let ec2 = self.ec2(&clients, timeout, Operation::Create);
        let vpc_id = match ec2.create_vpc(&planned, &desired).await {
            Ok(id) => id,
            Err(d) => return Applied::failed(None, d),
        };
        // From here on the VPC exists: whatever fails, the state keeps its id.
        let mut diags = Diagnostics::new();
        match ec2.prepare_vpc(&vpc_id).await {
            Ok(()) => {
                if let Err(d) = ec2.converge(&vpc_id, &desired, None, &mut diags).await {
                    diags.extend(d);
                }
            }
            Err(d) => diags.extend(d),
        }
        finish(&ec2, &vpc_id, planned, diags).await
    }

    async fn read(&self, req: Read<NetworkModel>) -> Refreshed<NetworkModel> {
        let Some(vpc_id) = req.state.vpc_id.known().cloned() else {
            return Refreshed::gone();
        };
        let clients =
            clients_or_return!(self.data, d => Refreshed::failed(req.state, req.private, d));
        let ec2 = self.ec2(&clients, READ_TIMEOUT, Operation::Read);
        let scope = Scope::State {
            nat_expected: nat_expected(&req.state),
        };
        match ec2.discover_scoped(&vpc_id, scope).await {
            Ok(None) => Refreshed::gone(),
            Ok(Some(actual)) => {
                Refreshed::found(state::state_of(&actual, &req.state, &clients), req.private)
            }
            Err(d) => Refreshed::failed(req.state, req.private, d),
        }
    }

    async fn update(&self, req: Update<NetworkModel>) -> Applied<NetworkModel> {
        let planned = req.planned;
        let prior = Some(req.prior);
        let clients = clients_or_return!(self.data, d => Applied::failed(prior, d));
        let desired = match Desired::from_model(&planned) {
            Ok(d) => d,
            Err(d) => return Applied::failed(prior, d),
        };
        let Some(vpc_id) = planned.vpc_id.known().cloned() else {
            return Applied::failed(
                prior,
                Diagnostic::error(
                    "Network has no VPC id",
                    "The state lost its VPC id; remove the resource from state and import it by VPC id.",
                ),
            );
        };
        let timeout = limit(planned.timeouts.known(), Operation::Update, DEFAULT_TIMEOUT);
        let ec2 = self.ec2(&clients, timeout, Operation::Update);
        // The prior state's topology: the tag keys the network wrote before.
        let before = prior.as_ref().and_then(|p| Desired::from_model(p).ok());
        let mut diags = Diagnostics::new();
        if let Err(d) = ec2
            .converge(&vpc_id, &desired, before.as_ref(), &mut diags)
            .await
        {
            diags.extend(d);
        }
        finish(&ec2, &vpc_id, planned, diags).await
    }

    async fn delete(&self, req: Delete<NetworkModel>) -> Diagnostics {
        let Some(vpc_id) = req.prior.vpc_id.known().cloned() else {
            return Diagnostics::new();
        };
        let clients = clients_or_return!(self.data, d => d);
        let timeout = limit(
            req.prior.timeouts.known(),
            Operation::Delete,
            DEFAULT_TIMEOUT,
        );
        match self
            .ec2(&clients, timeout, Operation::Delete)
            .delete_all(&vpc_id)
            .await
        {
            Ok(()) => Diagnostics::new(),
            Err(d) => d,
        }
    }

    async fn import(&self, req: Import<NetworkIdentity>) -> DiagResult<NetworkModel> {
        let clients = self.data.clients().await?;
        let (vpc_id, wanted_account) = match req {
            Import::Id(id) => (id, None),
            Import::Identity(identity) => {
                if let Some(region) = identity.region.as_deref()
                    && region != clients.region
                {
                    return Err(Diagnostic::error(
                        "Identity names another region",
                        format!(
                            "The import identity is in {region}, but this provider configuration manages {}. Import through a provider configured for {region} (a provider alias).",
                            clients.region
                        ),
                    )
                    .into());
                }
                (identity.vpc_id, identity.account_id)
            }
        };
        if !vpc_id.starts_with("vpc-") {
            return Err(Diagnostic::error("Invalid import id", format!("{vpc_id:?} is not a VPC id; import with the VPC id, e.g. terraform import trustchain_ipv6_network.this vpc-0abc123.")).into());
        }
        let actual = self
            .ec2(&clients, READ_TIMEOUT, Operation::Read)
            .discover(&vpc_id)
            .await?
            .ok_or_else(|| {
                Diagnostics::from(Diagnostic::error(
                    "VPC not found",
                    format!("No VPC {vpc_id} in {}.", clients.region),
                ))
            })?;
        if let Some(account) = wanted_account
            && account != actual.owner
        {
            return Err(Diagnostic::error(
                "Identity names another account",
                format!(
                    "{vpc_id} belongs to account {}, not {account}. Check the identity, or the credentials of this provider configuration.",
                    actual.owner
                ),
            )
            .into());
        }
        Ok(state::state_of(
            &actual,
            &state::imported_model(&actual),
            &clients,
        ))
    }
}

/// Whether a state (or plan) has a NAT64 gateway to look up: enabled, or one known.
fn nat_expected(m: &NetworkModel) -> bool {
    let enabled = match &m.enable_nat64 {
        Attr::Known(b) => *b,
        Attr::Null => false,
        Attr::Unknown => true,
    };
    enabled
        || m.nat_gateway_id.is_unknown()
        || m.nat_gateway_id.known().is_some_and(|id| !id.is_empty())
}

/// Reads the network back after an apply, keeping error diagnostics.
async fn finish(
    ec2: &Ec2<'_>,
    vpc_id: &str,
    planned: NetworkModel,
    mut diags: Diagnostics,
) -> Applied<NetworkModel> {
    let scope = Scope::State {
        nat_expected: nat_expected(&planned),
    };
    // The VPC may be moments old: "not found" is AWS not showing it yet.
    let found = until_visible(&ec2.deadline, &format!("VPC {vpc_id}"), || {
        ec2.discover_scoped(vpc_id, scope)
    })
    .await;
    match found {
        Ok(actual) => Applied {
            state: Some(state::state_of(&actual, &planned, ec2.c)),
            private: Vec::new(),
            diagnostics: diags,
        },
        Err(d) => {
            diags.extend(d);
            // Keep at least the VPC id so destroy can find and remove it.
            let mut partial = planned;
            partial.id = Attr::Known(vpc_id.to_string());
            partial.vpc_id = Attr::Known(vpc_id.to_string());
            Applied::failed(Some(state::nullify_unknowns(partial)), diags)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_names_every_attribute_of_the_schema() {
        tfplugin::framework::check_model::<NetworkModel>(&schema::schema())
            .expect("complete model");
    }

    #[test]
    fn identity_comes_from_the_vpc_arn() {
        let mut m: NetworkModel =
            tfplugin::framework::model_from_json(&schema::schema(), &serde_json::json!({}))
                .expect("empty model");
        assert_eq!(m.identity(), None);
        m.arn = Attr::Known("arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0abc".into());
        assert_eq!(
            m.identity(),
            Some(NetworkIdentity {
                account_id: Some("123456789012".into()),
                region: Some("us-east-1".into()),
                vpc_id: "vpc-0abc".into(),
            })
        );
    }
}
