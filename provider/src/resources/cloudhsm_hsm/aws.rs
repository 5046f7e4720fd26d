//! Creating an HSM the way AWS allows it. AWS refuses a CreateHsm in a cluster that
//! already has an HSM until some condition holds (hashicorp/terraform-provider-aws
//! #7437). Nobody has published the exact rule: AWS Support's answer in #7437 and
//! third-party emulators tie it to HSMs created while the first is not yet ACTIVE;
//! others observed it until the cluster is initialized; activation (`cloudhsm-cli
//! cluster activate`) may matter too. So the refusal is recognised by what can be
//! checked, never by its message text: the error code (CloudHsmInvalidRequestException)
//! and the cluster's state when it came, a cluster that has another HSM and is still
//! waiting for one of the three (an HSM not ACTIVE, the cluster not initialized, the
//! cluster not activated). Then CreateHsm is tried again with backoff until AWS takes
//! it or the create timeout ends, logging at INFO what AWS is waiting for. A busy
//! cluster (an initialization or migration running) is waited for the same way.

use super::model::HsmModel;
use super::{CloudHsmHsm, at};
use crate::aws::retry::{GaveUp, gave_up, poll};
use crate::aws::{Clients, Deadline, Poll, code_of, failed, is_not_found};
use crate::cloudhsm::{self, BUSY, CloudHsm};
use aws_sdk_cloudhsmv2::types::{Cluster, Hsm};
use std::sync::Mutex;
use std::time::Duration;
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::value::Attr;

pub struct Request<'a> {
    pub cluster_id: &'a str,
    pub zone: &'a str,
    pub ip_address: Option<&'a str>,
    /// The create time limit, for messages.
    pub limit: Duration,
}

/// What a cluster that refused an HSM may be waiting for, first match first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Awaiting {
    /// An HSM of the cluster is still being created (not ACTIVE).
    HsmActive,
    /// The cluster is not initialized.
    Initialization,
    /// The cluster is initialized but not activated.
    Activation,
}

impl Awaiting {
    pub fn describe(self, id: &str) -> String {
        match self {
            Awaiting::HsmActive => {
                format!("an HSM of cluster {id} is still being created (not ACTIVE yet)")
            }
            Awaiting::Initialization => format!("cluster {id} is not initialized yet"),
            Awaiting::Activation => format!(
                "cluster {id} is INITIALIZED but not activated: activation (`cloudhsm-cli cluster activate`, which sets the admin password) is a data-plane step no provider can do"
            ),
        }
    }
}

/// Why a cluster refusing CreateHsm may be waiting, from its state; `None` when it is
/// waiting for nothing the #7437 rule could be about (then the refusal is final).
pub fn awaiting(cl: &Cluster) -> Option<Awaiting> {
    if cl.hsms().is_empty() {
        return None;
    }
    if cl
        .hsms()
        .iter()
        .any(|h| cloudhsm::hsm_state(h) == "CREATE_IN_PROGRESS")
    {
        return Some(Awaiting::HsmActive);
    }
    match cloudhsm::state(cl) {
        "UNINITIALIZED" => Some(Awaiting::Initialization),
        "INITIALIZED" => Some(Awaiting::Activation),
        _ => None,
    }
}

/// CreateHsm, waiting out #7437 and busy clusters; returns the new HSM's id.
pub async fn create_hsm(
    hsm: &CloudHsm,
    c: &Clients,
    deadline: &Deadline,
    r: &Request<'_>,
) -> Result<String, Diagnostics> {
    let id = r.cluster_id;
    let what = format!("CloudHSM cluster {id} to accept an HSM");
    // The last reason logged at INFO (logged again only when it changes).
    let last: Mutex<Option<Awaiting>> = Mutex::new(None);
    let last = &last;
    poll(
        deadline,
        &what,
        || async move {
            let sent = c
                .cloudhsmv2
                .create_hsm()
                .cluster_id(id)
                .availability_zone(r.zone)
                .set_ip_address(r.ip_address.map(String::from))
                .send()
                .await;
            hsm.changed(id).await;
            let e = match sent {
                Ok(out) => {
                    return match out.hsm() {
                        Some(h) => Poll::Done(h.hsm_id().to_string()),
                        None => Poll::Fail(Diagnostic::error(
                            "AWS CloudHSM CreateHsm returned no HSM",
                            format!("The call succeeded but named no HSM. Check cluster {id} for a new HSM and import it (terraform import ADDRESS {id}/hsm-...)."),
                        )
                        .into()),
                    };
                }
                Err(e) => e,
            };
            if code_of(&e) != "CloudHsmInvalidRequestException" {
                return Poll::Fail(failed("CloudHSM", "CreateHsm")(e));
            }
            let cl = match hsm.cluster_now(c, id).await {
                Err(d) => return Poll::Fail(d),
                Ok(None) => return Poll::Fail(gone(id)),
                Ok(Some(cl)) if cloudhsm::is_gone(&cl) => return Poll::Fail(gone(id)),
                Ok(Some(cl)) => cl,
            };
            if BUSY.contains(&cloudhsm::state(&cl)) {
                return Poll::Retry(format!(
                    "cluster {id} is {}; AWS takes an HSM once it settles",
                    cloudhsm::state(&cl)
                ));
            }
            match awaiting(&cl) {
                Some(why) => {
                    let mut seen = last.lock().unwrap_or_else(|p| p.into_inner());
                    if *seen != Some(why) {
                        tracing::info!(
                            cluster_id = %id,
                            availability_zone = %r.zone,
                            awaiting = ?why,
                            "AWS refused a second HSM for now (hashicorp/terraform-provider-aws #7437): {}; trying CreateHsm again with backoff until the create timeout",
                            why.describe(id)
                        );
                        *seen = Some(why);
                    }
                    Poll::Retry(why.describe(id))
                }
                None => Poll::Fail(failed("CloudHSM", "CreateHsm")(e)),
            }
        },
        |gave| match gave {
            GaveUp::TimedOut(reason) => {
                let why = *last.lock().unwrap_or_else(|p| p.into_inner());
                not_accepted(id, r.limit, why, &reason)
            }
            stopped => gave_up(deadline, &what, stopped),
        },
    )
    .await
}

fn gone(id: &str) -> Diagnostics {
    Diagnostic::error(
        format!("CloudHSM cluster {id} was deleted"),
        "The cluster went away while this HSM waited to be created. Run terraform apply again to create the cluster and its HSMs.",
    )
    .into()
}

/// The #7437 timeout: what AWS was waiting for and the ways out.
pub fn not_accepted(id: &str, limit: Duration, why: Option<Awaiting>, last: &str) -> Diagnostics {
    let (summary, todo) = match why {
        Some(Awaiting::Activation) => (
            format!("CloudHSM cluster {id} was not activated in time for this HSM"),
            "Activate the cluster (`cloudhsm-cli cluster activate`, a data-plane step no provider can do) and run terraform apply again; this HSM is then created.".to_string(),
        ),
        Some(Awaiting::HsmActive) => (
            format!("An HSM of CloudHSM cluster {id} did not become active in time for this HSM"),
            "Check the cluster's other HSMs (aws cloudhsmv2 describe-clusters) and run terraform apply again, or raise timeouts.create.".to_string(),
        ),
        _ => (
            format!("CloudHSM cluster {id} was not initialized in time for this HSM"),
            format!("Nothing initialized it. Declare a trustchain_cloudhsm_cluster_initialization for cluster {id} (beside the HSMs; no depends_on is needed), or initialize the cluster outside Terraform (sign its CSR, then InitializeCluster), and run terraform apply again. If an initialization is on its way, raise timeouts.create."),
        ),
    };
    Diagnostic::error(
        summary,
        format!(
            "AWS refuses another HSM in a cluster that already has one until a condition nobody has published holds (hashicorp/terraform-provider-aws #7437), so this HSM tried CreateHsm again with backoff for {}s (timeouts.create); the last refusal came while {last}. {todo}",
            limit.as_secs()
        ),
    )
    .into()
}

/// Waits until the new HSM is ACTIVE (or DEGRADED, which AWS repairs by itself).
pub async fn wait_active(
    hsm: &CloudHsm,
    c: &Clients,
    deadline: &Deadline,
    cluster_id: &str,
    hsm_id: &str,
) -> Result<Hsm, Diagnostics> {
    let what = format!("HSM {hsm_id} to become active");
    hsm.wait_cluster(c, deadline, cluster_id, &what, |cl| {
        let Some(cl) = cl else {
            return Poll::Fail(gone(cluster_id));
        };
        match cl.hsms().iter().find(|h| h.hsm_id() == hsm_id) {
            None => Poll::Retry(format!("HSM {hsm_id} is not visible yet")),
            Some(h) => match cloudhsm::hsm_state(h) {
                "ACTIVE" | "DEGRADED" => Poll::Done(h.clone()),
                "CREATE_IN_PROGRESS" => Poll::Retry(format!("HSM {hsm_id} is CREATE_IN_PROGRESS")),
                other => Poll::Fail(
                    Diagnostic::error(
                        format!("HSM {hsm_id} did not become active"),
                        format!(
                            "It is {other}: {}. Run terraform apply again to replace it.",
                            h.state_message().unwrap_or("AWS gave no reason")
                        ),
                    )
                    .into(),
                ),
            },
        }
    })
    .await
}

impl CloudHsmHsm {
    /// The zone of the HSM to create: configured, or the one of its subnet.
    pub(super) async fn zone_of(
        &self,
        clients: &crate::aws::Clients,
        cluster_id: &str,
        planned: &HsmModel,
    ) -> Result<String, Diagnostics> {
        if let Attr::Known(z) = &planned.availability_zone {
            return Ok(z.clone());
        }
        let subnet = planned.subnet_id.known().cloned().unwrap_or_default();
        let cluster = self.hsm.cluster_now(clients, cluster_id).await?;
        cluster
            .as_ref()
            .and_then(|c| c.subnet_mapping())
            .and_then(|m| m.iter().find(|(_, s)| **s == subnet).map(|(z, _)| z.clone()))
            .ok_or_else(|| {
                Diagnostic::error(
                    "Subnet not in the cluster",
                    format!("Cluster {cluster_id} has no subnet {subnet}; set availability_zone or one of the cluster's subnets."),
                )
                .at(at("subnet_id"))
                .into()
            })
    }

    /// DeleteHsm, again while the cluster is busy, then wait until the HSM is gone.
    pub(super) async fn delete_hsm(
        &self,
        clients: &crate::aws::Clients,
        deadline: &crate::aws::Deadline,
        cluster_id: &str,
        hsm_id: &str,
    ) -> Result<(), Diagnostics> {
        for _ in 0..6 {
            let sent = clients
                .cloudhsmv2
                .delete_hsm()
                .cluster_id(cluster_id)
                .hsm_id(hsm_id)
                .send()
                .await;
            self.hsm.changed(cluster_id).await;
            match sent {
                Ok(_) => break,
                Err(e) if is_not_found(code_of(&e)) => return Ok(()),
                Err(e) => {
                    let busy = match self.hsm.cluster_now(clients, cluster_id).await? {
                        None => return Ok(()),
                        Some(c) => BUSY.contains(&cloudhsm::state(&c)),
                    };
                    if !busy {
                        return Err(failed("CloudHSM", "DeleteHsm")(e));
                    }
                    self.hsm.wait_settled(clients, deadline, cluster_id).await?;
                }
            }
        }
        let what = format!("HSM {hsm_id} to be deleted");
        self.hsm
            .wait_cluster(clients, deadline, cluster_id, &what, |c| match c {
                Some(c) if c.hsms().iter().any(|h| h.hsm_id() == hsm_id) => {
                    Poll::Retry(format!("HSM {hsm_id} is still in cluster {cluster_id}"))
                }
                _ => Poll::Done(()),
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::{Stop, testing};
    use aws_sdk_cloudhsmv2::Client;
    use aws_sdk_cloudhsmv2::operation::create_hsm::{CreateHsmError, CreateHsmOutput};
    use aws_sdk_cloudhsmv2::operation::describe_clusters::DescribeClustersOutput;
    use aws_sdk_cloudhsmv2::types::error::CloudHsmInvalidRequestException;
    use aws_sdk_cloudhsmv2::types::{Cluster, ClusterState, HsmState};
    use aws_smithy_mocks::mock;
    use aws_smithy_types::error::ErrorMetadata;
    use tfplugin::framework::Operation;

    const ID: &str = "cluster-abcdefghijk";

    fn described(state: ClusterState) -> DescribeClustersOutput {
        let first = Hsm::builder()
            .hsm_id("hsm-aaaaaaaaaaa")
            .state(HsmState::Active)
            .build()
            .expect("hsm");
        DescribeClustersOutput::builder()
            .clusters(
                Cluster::builder()
                    .cluster_id(ID)
                    .state(state)
                    .hsms(first)
                    .build(),
            )
            .build()
    }

    /// A refusal whose text is not AWS's: only the code and the state count.
    fn not_yet_activated() -> CreateHsmError {
        let m = "some wording AWS may change".to_string();
        CreateHsmError::CloudHsmInvalidRequestException(
            CloudHsmInvalidRequestException::builder()
                .message(m.clone())
                .meta(
                    ErrorMetadata::builder()
                        .code("CloudHsmInvalidRequestException")
                        .message(m)
                        .build(),
                )
                .build(),
        )
    }

    fn request() -> Request<'static> {
        Request {
            cluster_id: ID,
            zone: "us-east-1b",
            ip_address: None,
            limit: Duration::from_secs(30),
        }
    }

    #[tokio::test]
    async fn a_second_hsm_waits_for_the_initialization_then_is_created() {
        let create = mock!(Client::create_hsm)
            .sequence()
            .error(not_yet_activated)
            .output(|| {
                CreateHsmOutput::builder()
                    .hsm(
                        Hsm::builder()
                            .hsm_id("hsm-bbbbbbbbbbb")
                            .state(HsmState::CreateInProgress)
                            .build()
                            .expect("hsm"),
                    )
                    .build()
            })
            .build();
        let describe = mock!(Client::describe_clusters)
            .sequence()
            .output(|| described(ClusterState::Uninitialized))
            .build();
        let clients = testing::clients_with_cloudhsm(&[&create, &describe]);
        let hsm = CloudHsm::new(Default::default());
        let deadline = Deadline::new(Duration::from_secs(30), Operation::Create, Stop::default());
        let id = create_hsm(&hsm, &clients, &deadline, &request())
            .await
            .expect("created");
        assert_eq!(id, "hsm-bbbbbbbbbbb");
        assert_eq!(create.num_calls(), 2, "CreateHsm tried again");
        assert_eq!(describe.num_calls(), 1);
    }

    #[tokio::test]
    async fn a_stop_ends_the_wait_for_the_initialization_at_once() {
        let create = mock!(Client::create_hsm).then_error(not_yet_activated);
        let describe = mock!(Client::describe_clusters)
            .sequence()
            .output(|| described(ClusterState::Uninitialized))
            .repeatedly()
            .build();
        let clients = testing::clients_with_cloudhsm(&[&create, &describe]);
        let hsm = CloudHsm::new(Default::default());
        let stop = Stop::default();
        let deadline = Deadline::new(Duration::from_secs(3600), Operation::Create, stop.clone());
        let waiting = async { create_hsm(&hsm, &clients, &deadline, &request()).await };
        let trigger = async {
            tokio::time::sleep(Duration::from_millis(700)).await;
            stop.trigger();
        };
        // The deadline is an hour away: an "Interrupted" answer (not a timeout) shows
        // the stop ended the wait.
        let (result, ()) = tokio::join!(waiting, trigger);
        let d = result.expect_err("interrupted");
        let x = d.iter().next().expect("one");
        assert_eq!(
            x.summary,
            format!("Interrupted while waiting for CloudHSM cluster {ID} to accept an HSM")
        );
    }

    #[test]
    fn what_a_refusing_cluster_waits_for_comes_from_its_state() {
        let hsm = |s: HsmState| {
            Hsm::builder()
                .hsm_id("hsm-aaaaaaaaaaa")
                .state(s)
                .build()
                .expect("hsm")
        };
        let cluster = |state: ClusterState, h: Option<Hsm>| {
            Cluster::builder()
                .cluster_id(ID)
                .state(state)
                .set_hsms(h.map(|h| vec![h]))
                .build()
        };
        assert_eq!(awaiting(&cluster(ClusterState::Uninitialized, None)), None);
        assert_eq!(
            awaiting(&cluster(
                ClusterState::Uninitialized,
                Some(hsm(HsmState::CreateInProgress))
            )),
            Some(Awaiting::HsmActive)
        );
        assert_eq!(
            awaiting(&cluster(
                ClusterState::Uninitialized,
                Some(hsm(HsmState::Active))
            )),
            Some(Awaiting::Initialization)
        );
        assert_eq!(
            awaiting(&cluster(
                ClusterState::Initialized,
                Some(hsm(HsmState::Active))
            )),
            Some(Awaiting::Activation)
        );
        // Active with every HSM active: a refusal is not #7437's, and final.
        assert_eq!(
            awaiting(&cluster(ClusterState::Active, Some(hsm(HsmState::Active)))),
            None
        );
    }
}
