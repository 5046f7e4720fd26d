//! `trustchain_cloudhsm_hsm`: one HSM of a CloudHSM cluster.
//!
//! Refresh reads the HSM from its cluster's DescribeClusters (filtered by the cluster
//! id, shared with the cluster and its other HSMs), never from a listing of every
//! cluster in the region. An HSM deleted outside Terraform is planned again.

mod aws;
mod list;
mod model;
mod moved;
mod plan;
mod schema;
mod validate;

use crate::aws::clients_or_return;
use crate::cloudhsm::is_id;
use crate::cloudhsm::{self, CloudHsm};
use async_trait::async_trait;
use model::{HsmIdentity, HsmModel};
use std::time::Duration;
use tfplugin::diag::{DiagResult, Diagnostic, Diagnostics};
use tfplugin::framework::timeouts::limit;
use tfplugin::framework::{
    Applied, Create, Delete, Import, Operation, Plan, Read, Refreshed, Resource, Update,
};
use tfplugin::schema::{IdentitySchema, Schema};
use tfplugin::value::{Attr, AttributePath};

/// hashicorp/aws gives an HSM 120 minutes; the wait for an initialization is in it.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120 * 60);

pub use list::HsmList;

pub struct CloudHsmHsm {
    hsm: CloudHsm,
}

impl CloudHsmHsm {
    pub fn new(hsm: CloudHsm) -> Self {
        Self { hsm }
    }
}

fn at(name: &str) -> AttributePath {
    AttributePath::root().attr(name)
}

#[async_trait]
impl Resource for CloudHsmHsm {
    type Model = HsmModel;
    type Identity = HsmIdentity;
    const TYPE_NAME: &'static str = model::TYPE_NAME;

    fn schema(&self) -> Schema {
        schema::schema()
    }

    fn identity_schema(&self) -> IdentitySchema {
        schema::identity_schema()
    }

    fn identity(&self, state: &HsmModel) -> Option<HsmIdentity> {
        let clients = self.hsm.data.clients_if_built();
        Some(HsmIdentity {
            account_id: clients.as_ref().and_then(|c| c.account_id.clone()),
            region: clients.map(|c| c.region.clone()),
            cluster_id: state.cluster_id.known()?.clone(),
            hsm_id: state.hsm_id.known()?.clone(),
        })
    }

    async fn validate(&self, m: &HsmModel) -> Diagnostics {
        validate::check(m)
    }

    async fn modify_plan(&self, p: &mut Plan<HsmModel>) {
        self.plan(p).await;
    }

    async fn create(&self, req: Create<HsmModel>) -> Applied<HsmModel> {
        let planned = req.planned;
        let clients = clients_or_return!(self.hsm, d => Applied::failed(None, d));
        let Some(cluster_id) = planned.cluster_id.known().cloned() else {
            return Applied::failed(
                None,
                Diagnostic::error(
                    "Incomplete HSM plan",
                    "cluster_id is not known at apply time. This is a bug in the provider; please report it.",
                ),
            );
        };
        let timeout = limit(planned.timeouts.known(), Operation::Create, DEFAULT_TIMEOUT);
        let deadline = self.hsm.deadline(timeout, Operation::Create);
        let zone = match self.zone_of(&clients, &cluster_id, &planned).await {
            Ok(z) => z,
            Err(d) => return Applied::failed(None, d),
        };
        let r = aws::Request {
            cluster_id: &cluster_id,
            zone: &zone,
            ip_address: planned.ip_address.known().map(String::as_str),
            limit: timeout,
        };
        let hsm_id = match aws::create_hsm(&self.hsm, &clients, &deadline, &r).await {
            Ok(id) => id,
            Err(d) => return Applied::failed(None, d),
        };
        tracing::info!(cluster_id = %cluster_id, hsm_id = %hsm_id, "created HSM; waiting until it is active");
        match aws::wait_active(&self.hsm, &clients, &deadline, &cluster_id, &hsm_id).await {
            Ok(h) => Applied::ok(model::state_of(&h, &planned)),
            Err(d) => {
                let mut partial = planned;
                partial.id = Attr::Known(hsm_id.clone());
                partial.hsm_id = Attr::Known(hsm_id);
                partial.availability_zone = Attr::Known(zone);
                for a in [
                    &mut partial.subnet_id,
                    &mut partial.ip_address,
                    &mut partial.eni_id,
                    &mut partial.eni_ipv6,
                    &mut partial.hsm_state,
                ] {
                    if a.is_unknown() {
                        *a = Attr::Null;
                    }
                }
                Applied::failed(Some(partial), d)
            }
        }
    }

    async fn read(&self, req: Read<HsmModel>) -> Refreshed<HsmModel> {
        let (Some(cluster_id), Some(hsm_id)) = (
            req.state.cluster_id.known().cloned(),
            req.state.hsm_id.known().cloned(),
        ) else {
            return Refreshed::gone();
        };
        let clients =
            clients_or_return!(self.hsm, d => Refreshed::failed(req.state, req.private, d));
        match self.hsm.cluster(&clients, &cluster_id).await {
            Ok(Some(c)) if !cloudhsm::is_gone(&c) => match c.hsms().iter().find(|h| {
                h.hsm_id() == hsm_id
                    && !matches!(cloudhsm::hsm_state(h), "DELETE_IN_PROGRESS" | "DELETED")
            }) {
                Some(h) => Refreshed::found(model::state_of(h, &req.state), req.private),
                None => Refreshed::gone(),
            },
            Ok(_) => Refreshed::gone(),
            Err(d) => Refreshed::failed(req.state, req.private, d),
        }
    }

    async fn update(&self, req: Update<HsmModel>) -> Applied<HsmModel> {
        // Only timeouts change in place; everything else replaces the HSM. The clients
        // are built anyway: the identity reported after apply needs the account.
        if let Err(d) = self.hsm.clients().await {
            return Applied::failed(Some(req.prior), d);
        }
        let mut state = req.prior;
        state.timeouts = req.planned.timeouts;
        Applied::ok(state)
    }

    async fn delete(&self, req: Delete<HsmModel>) -> Diagnostics {
        let (Some(cluster_id), Some(hsm_id)) = (
            req.prior.cluster_id.known().cloned(),
            req.prior.hsm_id.known().cloned(),
        ) else {
            return Diagnostics::new();
        };
        let clients = clients_or_return!(self.hsm, d => d);
        let timeout = limit(
            req.prior.timeouts.known(),
            Operation::Delete,
            DEFAULT_TIMEOUT,
        );
        let deadline = self.hsm.deadline(timeout, Operation::Delete);
        match self
            .delete_hsm(&clients, &deadline, &cluster_id, &hsm_id)
            .await
        {
            Ok(()) => Diagnostics::new(),
            Err(d) => d,
        }
    }

    /// availability_zone and subnet_id name each other (one subnet per zone) and
    /// may not both be set: the generated configuration keeps the zone.
    fn generate_config(&self, mut state: HsmModel) -> HsmModel {
        if state.availability_zone.known().is_some() {
            state.subnet_id = Attr::Null;
        }
        state
    }

    /// hashicorp/aws's `aws_cloudhsm_v2_hsm` state, read without calling AWS.
    fn move_state(&self, req: &tfplugin::provider::MoveRequest) -> DiagResult<HsmModel> {
        moved::from_hashicorp_aws(req, &self.hsm.data)
    }

    async fn import(&self, req: Import<HsmIdentity>) -> DiagResult<HsmModel> {
        let clients = self.hsm.clients().await?;
        let (cluster_id, hsm_id) = match req {
            Import::Id(id) => match id.trim().split_once('/') {
                Some((c, h)) => (c.to_string(), h.to_string()),
                None => {
                    return Err(Diagnostic::error(
                        "Invalid import id",
                        format!("{id:?} is not CLUSTER_ID/HSM_ID; import with e.g. terraform import trustchain_cloudhsm_hsm.this cluster-igklspoyj5v/hsm-ucskhjpuiw6."),
                    )
                    .into());
                }
            },
            Import::Identity(i) => {
                if let Some(region) = i.region.as_deref()
                    && region != clients.region
                {
                    return Err(Diagnostic::error("Identity names another region", format!("The import identity is in {region}, but this provider configuration manages {}. Import through a provider configured for {region} (a provider alias).", clients.region)).into());
                }
                if let (Some(want), Some(have)) = (&i.account_id, &clients.account_id)
                    && want != have
                {
                    return Err(Diagnostic::error("Identity names another account", format!("The import identity is in account {want}, but this provider's credentials are for {have}.")).into());
                }
                (i.cluster_id, i.hsm_id)
            }
        };
        if !is_id(&cluster_id, "cluster") || !is_id(&hsm_id, "hsm") {
            return Err(Diagnostic::error(
                "Invalid import id",
                format!("{cluster_id}/{hsm_id} is not CLUSTER_ID/HSM_ID, e.g. cluster-igklspoyj5v/hsm-ucskhjpuiw6."),
            )
            .into());
        }
        let cluster = cloudhsm::describe(&clients, &cluster_id).await?;
        let found = cluster
            .as_ref()
            .and_then(|c| c.hsms().iter().find(|h| h.hsm_id() == hsm_id));
        match found {
            Some(h) => Ok(model::state_of(h, &model::empty())),
            None => Err(Diagnostic::error(
                "HSM not found",
                format!(
                    "Cluster {cluster_id} in {} has no HSM {hsm_id}.",
                    clients.region
                ),
            )
            .into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_configuration_keeps_the_zone_and_leaves_out_the_subnet_it_names() {
        let r = CloudHsmHsm::new(CloudHsm::new(crate::aws::ProviderData::default()));
        let mut m = model::empty();
        m.availability_zone = Attr::Known("us-east-1a".into());
        m.subnet_id = Attr::Known("subnet-a".into());
        let c = r.generate_config(m);
        assert_eq!(c.availability_zone, Attr::Known("us-east-1a".into()));
        assert_eq!(c.subnet_id, Attr::Null);
        let mut only_subnet = model::empty();
        only_subnet.subnet_id = Attr::Known("subnet-a".into());
        assert_eq!(
            r.generate_config(only_subnet).subnet_id,
            Attr::Known("subnet-a".into())
        );
    }

    #[test]
    fn the_model_names_every_attribute_of_the_schema() {
        tfplugin::framework::check_model::<HsmModel>(&schema::schema()).expect("complete model");
    }

    #[test]
    fn the_7437_timeout_says_what_to_do() {
        let d = aws::not_accepted(
            "cluster-abcdefghijk",
            Duration::from_secs(30),
            Some(aws::Awaiting::Initialization),
            "cluster cluster-abcdefghijk is not initialized yet",
        );
        let x = d.iter().next().expect("one");
        assert!(
            x.summary.contains("was not initialized in time"),
            "{}",
            x.summary
        );
        for want in [
            "#7437",
            "30s (timeouts.create)",
            "trustchain_cloudhsm_cluster_initialization",
            "InitializeCluster",
            "raise timeouts.create",
        ] {
            assert!(x.detail.contains(want), "{want} missing: {}", x.detail);
        }
        let d = aws::not_accepted(
            "cluster-abcdefghijk",
            Duration::from_secs(30),
            Some(aws::Awaiting::Activation),
            "cluster cluster-abcdefghijk is INITIALIZED but not activated",
        );
        let x = d.iter().next().expect("one");
        assert!(
            x.summary.contains("was not activated in time"),
            "{}",
            x.summary
        );
        assert!(
            x.detail.contains("cloudhsm-cli cluster activate"),
            "{}",
            x.detail
        );
    }
}
