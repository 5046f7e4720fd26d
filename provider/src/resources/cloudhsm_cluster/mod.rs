//! `trustchain_cloudhsm_cluster`: a CloudHSM v2 cluster.
//!
//! Create waits until the cluster is UNINITIALIZED (ACTIVE when restored from a
//! backup); update changes tags, backup retention and the hsm1 -> hsm2m migration in
//! place through ModifyCluster and waits for it; refresh is one DescribeClusters
//! filtered by the cluster id, shared with the cluster's HSMs and initialization.

mod aws;
mod list;
mod model;
mod moved;
mod plan;
mod schema;
mod state;
mod validate;

pub use list::ClusterList;

use crate::aws::{Poll, clients_or_return, failed};
use crate::cloudhsm::{self, CloudHsm, is_id};
use async_trait::async_trait;
use aws_sdk_cloudhsmv2::types::{ClusterMode, NetworkType, Tag};
use model::{ClusterIdentity, ClusterModel};
use std::time::Duration;
use tfplugin::diag::{DiagResult, Diagnostic, Diagnostics};
use tfplugin::framework::timeouts::limit;
use tfplugin::framework::{
    Applied, Create, Delete, Import, Operation, Plan, Read, Refreshed, Resource, Update,
};
use tfplugin::schema::{IdentitySchema, Schema};
use tfplugin::value::Attr;

/// hashicorp/aws gives CloudHSM clusters 120 minutes; AWS's own figure is "several minutes".
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120 * 60);

pub struct CloudHsmCluster {
    hsm: CloudHsm,
    subnets: plan::SubnetCache,
}

impl CloudHsmCluster {
    pub fn new(hsm: CloudHsm) -> Self {
        Self {
            hsm,
            subnets: plan::SubnetCache::default(),
        }
    }
}

fn bug(what: &str) -> Diagnostics {
    Diagnostic::error(
        "Incomplete cluster plan",
        format!(
            "{what} is not known at apply time. This is a bug in the provider; please report it."
        ),
    )
    .into()
}

#[async_trait]
impl Resource for CloudHsmCluster {
    type Model = ClusterModel;
    type Identity = ClusterIdentity;
    const TYPE_NAME: &'static str = model::TYPE_NAME;

    fn schema(&self) -> Schema {
        schema::schema()
    }

    fn identity_schema(&self) -> IdentitySchema {
        schema::identity_schema()
    }

    fn identity(&self, state: &ClusterModel) -> Option<ClusterIdentity> {
        let clients = self.hsm.data.clients_if_built();
        Some(ClusterIdentity {
            account_id: clients.as_ref().and_then(|c| c.account_id.clone()),
            region: clients.map(|c| c.region.clone()),
            cluster_id: state.cluster_id.known()?.clone(),
        })
    }

    async fn validate(&self, config: &ClusterModel) -> Diagnostics {
        validate::check(config)
    }

    async fn modify_plan(&self, p: &mut Plan<ClusterModel>) {
        plan::modify(&self.hsm.data, &self.subnets, p).await;
    }

    async fn create(&self, req: Create<ClusterModel>) -> Applied<ClusterModel> {
        let planned = req.planned;
        let clients = clients_or_return!(self.hsm, d => Applied::failed(None, d));
        let (Some(hsm_type), Some(subnets)) =
            (planned.hsm_type.known().cloned(), planned.known_subnets())
        else {
            return Applied::failed(None, bug("hsm_type or subnet_ids"));
        };
        let tags: Vec<Tag> = planned
            .tags_all
            .known()
            .into_iter()
            .flatten()
            .filter_map(|(k, v)| Tag::builder().key(k).value(v).build().ok())
            .collect();
        let mut call = clients
            .cloudhsmv2
            .create_cluster()
            .hsm_type(hsm_type)
            .set_subnet_ids(Some(subnets))
            .backup_retention_policy(aws::retention(
                planned
                    .backup_retention_days
                    .known()
                    .copied()
                    .unwrap_or(model::DEFAULT_RETENTION_DAYS),
            ))
            .network_type(NetworkType::from(
                planned.network_type.known().map_or("IPV4", String::as_str),
            ))
            .set_source_backup_id(planned.source_backup_id.known().cloned())
            .set_tag_list((!tags.is_empty()).then_some(tags));
        if let Attr::Known(mode) = &planned.mode {
            call = call.mode(ClusterMode::from(mode.as_str()));
        }
        let id = match call.send().await {
            Ok(out) => match out.cluster().and_then(|c| c.cluster_id()) {
                Some(id) => id.to_string(),
                None => {
                    return Applied::failed(
                        None,
                        Diagnostic::error(
                            "AWS CloudHSM CreateCluster returned no cluster id",
                            "The call succeeded but named no cluster. Check the CloudHSM console for a new cluster and import it.",
                        ),
                    );
                }
            },
            Err(e) => return Applied::failed(None, failed("CloudHSM", "CreateCluster")(e)),
        };
        tracing::info!(cluster_id = %id, "created CloudHSM cluster; waiting until it is ready");
        let timeout = limit(planned.timeouts.known(), Operation::Create, DEFAULT_TIMEOUT);
        let deadline = self.hsm.deadline(timeout, Operation::Create);
        let what = format!("CloudHSM cluster {id} to be created");
        let waited = self
            .hsm
            .wait_cluster(&clients, &deadline, &id, &what, |c| match c {
                None => Poll::Retry(format!("cluster {id} is not visible yet")),
                Some(c) => match cloudhsm::state(c) {
                    "CREATE_IN_PROGRESS" => Poll::Retry(format!("cluster {id} is CREATE_IN_PROGRESS")),
                    "DELETED" | "DELETE_IN_PROGRESS" => Poll::Fail(
                        Diagnostic::error(
                            format!("CloudHSM cluster {id} was deleted while it was being created"),
                            format!("AWS says: {}. Check the subnets and the account's CloudHSM quotas, then run terraform apply again.", c.state_message().unwrap_or("no reason given")),
                        )
                        .into(),
                    ),
                    _ => Poll::Done(c.clone()),
                },
            })
            .await;
        match waited {
            Ok(c) => Applied::ok(state::state_of(&c, &planned, &clients)),
            Err(d) => {
                let mut partial = planned;
                partial.id = Attr::Known(id.clone());
                partial.cluster_id = Attr::Known(id);
                Applied::failed(Some(state::nullify_unknowns(partial)), d)
            }
        }
    }

    async fn read(&self, req: Read<ClusterModel>) -> Refreshed<ClusterModel> {
        let Some(id) = req.state.cluster_id.known().cloned() else {
            return Refreshed::gone();
        };
        let clients =
            clients_or_return!(self.hsm, d => Refreshed::failed(req.state, req.private, d));
        match self.hsm.cluster(&clients, &id).await {
            Ok(Some(c)) if !cloudhsm::is_gone(&c) => {
                Refreshed::found(state::state_of(&c, &req.state, &clients), req.private)
            }
            Ok(_) => Refreshed::gone(),
            Err(d) => Refreshed::failed(req.state, req.private, d),
        }
    }

    async fn update(&self, req: Update<ClusterModel>) -> Applied<ClusterModel> {
        let (prior, planned) = (req.prior, req.planned);
        let Some(id) = prior.cluster_id.known().cloned() else {
            return Applied::failed(Some(prior), bug("cluster_id"));
        };
        let clients = clients_or_return!(self.hsm, d => Applied::failed(Some(prior), d));
        let timeout = limit(planned.timeouts.known(), Operation::Update, DEFAULT_TIMEOUT);
        let deadline = self.hsm.deadline(timeout, Operation::Update);
        let result = self
            .apply_changes(&clients, &deadline, &id, &prior, &planned)
            .await;
        self.hsm.changed(&id).await;
        let diags = result.err().unwrap_or_default();
        match cloudhsm::describe(&clients, &id).await {
            Ok(Some(c)) => Applied {
                state: Some(state::state_of(&c, &planned, &clients)),
                private: Vec::new(),
                diagnostics: diags,
            },
            Ok(None) => {
                let mut d = diags;
                d.error(
                    format!("CloudHSM cluster {id} disappeared"),
                    "The cluster vanished while it was being changed. Run terraform apply again to create it.",
                );
                Applied::failed(None, d)
            }
            Err(mut d) => {
                d.extend(diags);
                Applied::failed(Some(prior), d)
            }
        }
    }

    async fn delete(&self, req: Delete<ClusterModel>) -> Diagnostics {
        let Some(id) = req.prior.cluster_id.known().cloned() else {
            return Diagnostics::new();
        };
        let clients = clients_or_return!(self.hsm, d => d);
        let timeout = limit(
            req.prior.timeouts.known(),
            Operation::Delete,
            DEFAULT_TIMEOUT,
        );
        let deadline = self.hsm.deadline(timeout, Operation::Delete);
        match self.delete_cluster(&clients, &deadline, &id).await {
            Ok(()) => Diagnostics::new(),
            Err(d) => d,
        }
    }

    /// hashicorp/aws's `aws_cloudhsm_v2_cluster` state, read without calling AWS.
    fn move_state(&self, req: &tfplugin::provider::MoveRequest) -> DiagResult<ClusterModel> {
        moved::from_hashicorp_aws(req, &self.hsm.data)
    }

    async fn import(&self, req: Import<ClusterIdentity>) -> DiagResult<ClusterModel> {
        let clients = self.hsm.clients().await?;
        let (id, account) = match req {
            Import::Id(id) => (id.trim().to_string(), None),
            Import::Identity(i) => {
                if let Some(region) = i.region.as_deref()
                    && region != clients.region
                {
                    return Err(Diagnostic::error(
                        "Identity names another region",
                        format!("The import identity is in {region}, but this provider configuration manages {}. Import through a provider configured for {region} (a provider alias).", clients.region),
                    )
                    .into());
                }
                (i.cluster_id, i.account_id)
            }
        };
        if let (Some(want), Some(have)) = (&account, &clients.account_id)
            && want != have
        {
            return Err(Diagnostic::error(
                "Identity names another account",
                format!("The import identity is in account {want}, but this provider's credentials are for {have}. Check the identity, or the credentials of this provider configuration."),
            )
            .into());
        }
        if !is_id(&id, "cluster") {
            return Err(Diagnostic::error(
                "Invalid import id",
                format!("{id:?} is not a CloudHSM cluster id; import with the id, e.g. terraform import trustchain_cloudhsm_cluster.this cluster-igklspoyj5v."),
            )
            .into());
        }
        match cloudhsm::describe(&clients, &id).await? {
            Some(c) if !cloudhsm::is_gone(&c) => Ok(state::state_of(&c, &state::empty(), &clients)),
            _ => Err(Diagnostic::error(
                "CloudHSM cluster not found",
                format!("No cluster {id} in {}.", clients.region),
            )
            .into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_names_every_attribute_of_the_schema() {
        tfplugin::framework::check_model::<ClusterModel>(&schema::schema())
            .expect("complete model");
    }

    #[test]
    fn cluster_ids_follow_the_api_pattern() {
        assert!(is_id("cluster-igklspoyj5v", "cluster"));
        assert!(!is_id("cluster-1", "cluster"));
        assert!(!is_id("hsm-igklspoyj5v", "cluster"));
    }
}
