//! The cluster's changes in AWS after CreateCluster: tags, backup retention and the
//! hsm1 -> hsm2m migration through ModifyCluster (each waited for), and DeleteCluster.
//! The state built from DescribeClusters is in `state.rs`.

use super::CloudHsmCluster;
use super::model::ClusterModel;
use crate::aws::tags::TagChanges;
use crate::aws::{Poll, failed};
use crate::cloudhsm::{self, INITIALIZED_OR_LATER};
use aws_sdk_cloudhsmv2::types::{
    BackupRetentionPolicy, BackupRetentionType, Cluster as AwsCluster, Tag,
};
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::value::Attr;

pub(super) fn retention(days: i64) -> BackupRetentionPolicy {
    BackupRetentionPolicy::builder()
        .r#type(BackupRetentionType::Days)
        .value(days.to_string())
        .build()
}

impl CloudHsmCluster {
    /// Tags, retention and the HSM type, in that order.
    pub(super) async fn apply_changes(
        &self,
        clients: &crate::aws::Clients,
        deadline: &crate::aws::Deadline,
        id: &str,
        prior: &ClusterModel,
        planned: &ClusterModel,
    ) -> Result<(), Diagnostics> {
        let have = prior.tags_all.known().cloned().unwrap_or_default();
        let want = planned.tags_all.known().cloned().unwrap_or_default();
        let tags = TagChanges::between(&have, &want, &clients.ignore_tags);
        if !tags.remove.is_empty() {
            clients
                .cloudhsmv2
                .untag_resource()
                .resource_id(id)
                .set_tag_key_list(Some(tags.remove.clone()))
                .send()
                .await
                .map_err(failed("CloudHSM", "UntagResource"))?;
        }
        if !tags.set.is_empty() {
            let list = tags
                .set
                .iter()
                .filter_map(|(k, v)| Tag::builder().key(k).value(v).build().ok())
                .collect();
            clients
                .cloudhsmv2
                .tag_resource()
                .resource_id(id)
                .set_tag_list(Some(list))
                .send()
                .await
                .map_err(failed("CloudHSM", "TagResource"))?;
        }
        if let Attr::Known(days) = planned.backup_retention_days
            && prior.backup_retention_days != planned.backup_retention_days
        {
            self.modify(clients, deadline, id, Some(days), None).await?;
        }
        if let (Attr::Known(from), Attr::Known(to)) = (&prior.hsm_type, &planned.hsm_type)
            && from != to
        {
            self.modify(clients, deadline, id, None, Some(to.clone()))
                .await?;
        }
        Ok(())
    }

    /// One ModifyCluster once the cluster is settled, then waits until AWS shows the
    /// change and the cluster has settled again.
    async fn modify(
        &self,
        clients: &crate::aws::Clients,
        deadline: &crate::aws::Deadline,
        id: &str,
        days: Option<i64>,
        hsm_type: Option<String>,
    ) -> Result<(), Diagnostics> {
        self.hsm.wait_settled(clients, deadline, id).await?;
        clients
            .cloudhsmv2
            .modify_cluster()
            .cluster_id(id)
            .set_backup_retention_policy(days.map(retention))
            .set_hsm_type(hsm_type.clone())
            .send()
            .await
            .map_err(failed("CloudHSM", "ModifyCluster"))?;
        self.hsm.changed(id).await;
        if let Some(t) = &hsm_type {
            tracing::info!(cluster_id = %id, hsm_type = %t, "migrating the cluster's HSMs; AWS takes about 30 minutes per HSM");
        }
        let what = format!("CloudHSM cluster {id} to finish its modification");
        self.hsm
            .wait_cluster(clients, deadline, id, &what, |c| {
                let Some(c) = c else {
                    return Poll::Fail(
                        Diagnostic::error(
                            format!("CloudHSM cluster {id} disappeared"),
                            "The cluster vanished while it was being modified.",
                        )
                        .into(),
                    );
                };
                let state = cloudhsm::state(c);
                let days_now = c.backup_retention_policy().and_then(|p| p.value());
                if cloudhsm::BUSY.contains(&state) {
                    Poll::Retry(format!("cluster {id} is {state}"))
                } else if let Some(t) = &hsm_type
                    && c.hsm_type() != Some(t.as_str())
                {
                    Poll::Fail(
                        Diagnostic::error(
                            format!("CloudHSM cluster {id} did not migrate to {t}"),
                            format!("The migration ended with hsm_type {} (state {state}: {}). AWS rolls a failed migration back; check the cluster's events, then run terraform apply again.", c.hsm_type().unwrap_or("unknown"), c.state_message().unwrap_or("")),
                        )
                        .into(),
                    )
                } else if let Some(d) = days
                    && days_now != Some(d.to_string().as_str())
                {
                    Poll::Retry(format!("backup retention still shows {days_now:?} days"))
                } else {
                    Poll::Done(())
                }
            })
            .await
    }

    pub(super) async fn delete_cluster(
        &self,
        clients: &crate::aws::Clients,
        deadline: &crate::aws::Deadline,
        id: &str,
    ) -> Result<(), Diagnostics> {
        match self.hsm.wait_settled(clients, deadline, id).await? {
            None => return Ok(()),
            Some(c) if cloudhsm::state(&c) == "DELETED" => return Ok(()),
            Some(c) if !c.hsms().is_empty() => {
                let ids: Vec<&str> = c.hsms().iter().map(|h| h.hsm_id()).collect();
                return Err(Diagnostic::error(
                    format!("CloudHSM cluster {id} still has HSMs"),
                    format!("AWS deletes a cluster only once it has no HSMs; it has {}. Delete them (remove the trustchain_cloudhsm_hsm resources, or DeleteHsm for HSMs made outside Terraform), then run terraform destroy again.", ids.join(", ")),
                )
                .into());
            }
            Some(c) if INITIALIZED_OR_LATER.contains(&cloudhsm::state(&c)) => {
                tracing::info!(cluster_id = %id, "deleting an initialized cluster; its backups stay until their retention ends");
            }
            Some(_) => {}
        }
        if let Err(e) = clients
            .cloudhsmv2
            .delete_cluster()
            .cluster_id(id)
            .send()
            .await
            && !crate::aws::is_not_found(crate::aws::code_of(&e))
        {
            return Err(failed("CloudHSM", "DeleteCluster")(e));
        }
        self.hsm.changed(id).await;
        let what = format!("CloudHSM cluster {id} to be deleted");
        self.hsm
            .wait_cluster(
                clients,
                deadline,
                id,
                &what,
                |c: Option<&AwsCluster>| match c {
                    None => Poll::Done(()),
                    Some(c) if cloudhsm::state(c) == "DELETED" => Poll::Done(()),
                    Some(c) => Poll::Retry(format!("cluster {id} is {}", cloudhsm::state(c))),
                },
            )
            .await
    }
}
