//! Creating an HSM the way AWS allows it: while a cluster is not initialized it
//! takes only one HSM, and a second CreateHsm fails with "already contains an HSM but
//! has not yet been fully activated" (hashicorp/terraform-provider-aws #7437). The
//! second HSM then waits, logging why, until the cluster is initialized, and is
//! created after; a busy cluster (an initialization or migration running) is waited
//! for the same way.

use crate::aws::retry::{GaveUp, gave_up, poll};
use crate::aws::{Clients, Deadline, Poll, code_of, failed};
use crate::cloudhsm::{self, BUSY, CloudHsm, INITIALIZED_OR_LATER, is_not_yet_activated};
use aws_sdk_cloudhsmv2::types::Hsm;
use std::time::Duration;
use tfplugin::diag::{Diagnostic, Diagnostics};

/// Tries of CreateHsm; each refusal that means "wait" waits first.
const MAX_ATTEMPTS: usize = 6;

pub struct Request<'a> {
    pub cluster_id: &'a str,
    pub zone: &'a str,
    pub ip_address: Option<&'a str>,
    /// The create time limit, for messages.
    pub limit: Duration,
}

/// CreateHsm, waiting out #7437 and busy clusters; returns the new HSM's id.
pub async fn create_hsm(
    hsm: &CloudHsm,
    c: &Clients,
    deadline: &Deadline,
    r: &Request<'_>,
) -> Result<String, Diagnostics> {
    let id = r.cluster_id;
    for _ in 0..MAX_ATTEMPTS {
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
                return out.hsm().map(|h| h.hsm_id().to_string()).ok_or_else(|| {
                    Diagnostic::error(
                        "AWS CloudHSM CreateHsm returned no HSM",
                        format!("The call succeeded but named no HSM. Check cluster {id} for a new HSM and import it (terraform import ADDRESS {id}/hsm-...)."),
                    )
                    .into()
                });
            }
            Err(e) => e,
        };
        if is_not_yet_activated(&e) {
            tracing::info!(
                cluster_id = %id,
                availability_zone = %r.zone,
                "AWS accepts only one HSM until the cluster is initialized (hashicorp/terraform-provider-aws #7437); waiting for the cluster to be initialized before creating this HSM"
            );
            wait_initialized(hsm, c, deadline, r).await?;
            tracing::info!(cluster_id = %id, availability_zone = %r.zone, "cluster initialized; creating the HSM");
            continue;
        }
        if code_of(&e) == "CloudHsmInvalidRequestException"
            && let Some(cl) = hsm.cluster_now(c, id).await?
            && BUSY.contains(&cloudhsm::state(&cl))
        {
            tracing::info!(cluster_id = %id, state = %cloudhsm::state(&cl), "the cluster is busy; waiting before creating the HSM");
            hsm.wait_settled(c, deadline, id).await?;
            continue;
        }
        return Err(failed("CloudHSM", "CreateHsm")(e));
    }
    Err(Diagnostic::error(
        format!("Could not create an HSM in CloudHSM cluster {id}"),
        format!("AWS refused CreateHsm {MAX_ATTEMPTS} times, each time asking to wait. Run terraform apply again."),
    )
    .into())
}

/// Waits until the cluster is initialized; a timeout says nothing initialized it.
async fn wait_initialized(
    hsm: &CloudHsm,
    c: &Clients,
    deadline: &Deadline,
    r: &Request<'_>,
) -> Result<(), Diagnostics> {
    let id = r.cluster_id;
    let what = format!("CloudHSM cluster {id} to be initialized");
    poll(
        deadline,
        &what,
        || async {
            match hsm.cluster_now(c, id).await {
                Err(d) => Poll::Fail(d),
                Ok(None) => Poll::Fail(gone(id)),
                Ok(Some(cl)) if cloudhsm::is_gone(&cl) => Poll::Fail(gone(id)),
                Ok(Some(cl)) if INITIALIZED_OR_LATER.contains(&cloudhsm::state(&cl)) => {
                    Poll::Done(())
                }
                Ok(Some(cl)) => Poll::Retry(format!(
                    "cluster {id} is {}, and AWS accepts a second HSM only once the cluster is initialized",
                    cloudhsm::state(&cl)
                )),
            }
        },
        |why| match why {
            GaveUp::TimedOut(last) => not_initialized(id, r.limit, &last),
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

/// The #7437 timeout: what happened and the two ways out.
pub fn not_initialized(id: &str, limit: Duration, last: &str) -> Diagnostics {
    Diagnostic::error(
        format!("CloudHSM cluster {id} was not initialized in time for this HSM"),
        format!(
            "AWS accepts only one HSM in a cluster that is not initialized yet (hashicorp/terraform-provider-aws #7437), so this HSM waited {}s (timeouts.create) for the cluster to be initialized; the last check found {last}. Nothing initialized it. Declare a trustchain_cloudhsm_cluster_initialization for cluster {id} (beside the HSMs; no depends_on is needed), or initialize the cluster outside Terraform (sign its CSR, then InitializeCluster), and run terraform apply again. If an initialization is on its way, raise timeouts.create.",
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
        DescribeClustersOutput::builder()
            .clusters(Cluster::builder().cluster_id(ID).state(state).build())
            .build()
    }

    fn not_yet_activated() -> CreateHsmError {
        let m =
            format!("Cluster '{ID}' already contains an HSM but has not yet been fully activated");
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
            .output(|| described(ClusterState::InitializeInProgress))
            .output(|| described(ClusterState::Initialized))
            .build();
        let clients = testing::clients_with_cloudhsm(&[&create, &describe]);
        let hsm = CloudHsm::new(Default::default());
        let deadline = Deadline::new(Duration::from_secs(30), Operation::Create, Stop::default());
        let id = create_hsm(&hsm, &clients, &deadline, &request())
            .await
            .expect("created");
        assert_eq!(id, "hsm-bbbbbbbbbbb");
        assert_eq!(create.num_calls(), 2);
        assert_eq!(describe.num_calls(), 3);
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
            format!("Interrupted while waiting for CloudHSM cluster {ID} to be initialized")
        );
    }
}
