//! CloudHSM v2 access shared by `trustchain_cloudhsm_cluster`, `_hsm`,
//! `_cluster_initialization` and the data sources: one cluster lookup that every
//! reader of a cluster shares within a refresh, the waiters on cluster and HSM
//! states, and AWS's answers that mean "wait" rather than "fail".
//!
//! Frugal refresh: a cluster, its HSMs and its initialization all come from one
//! `DescribeClusters` filtered by cluster id. `cluster()` keeps each answer for a few
//! seconds and lets concurrent readers of one cluster share a single call; any call
//! that changes a cluster drops its entry (`changed`), and waiters always ask AWS.

pub mod identity;
pub mod kms;
pub mod pca;
pub mod pki;
pub mod sign;
#[cfg(test)]
pub mod testing;
pub mod time;

use crate::aws::{Clients, Deadline, Poll, ProviderData, code_of, failed, is_not_found, wait_for};
use aws_sdk_cloudhsmv2::types::{Cluster, Hsm};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tfplugin::diag::Diagnostics;
use tokio::sync::Mutex;

/// How long a cluster answer serves readers: long enough for one refresh of every
/// resource of a configuration, short enough that nothing stale outlives it.
const FRESH_FOR: Duration = Duration::from_secs(20);

/// A CloudHSM id (cluster, hsm, backup): `prefix-` and 11 to 16 of [2-7a-zA-Z] (the API model's pattern).
pub fn is_id(s: &str, prefix: &str) -> bool {
    s.strip_prefix(prefix)
        .and_then(|r| r.strip_prefix('-'))
        .is_some_and(|r| {
            (11..=16).contains(&r.len())
                && r.chars()
                    .all(|c| c.is_ascii_alphabetic() || ('2'..='7').contains(&c))
        })
}

/// States in which AWS refuses changes to a cluster until it settles.
pub const BUSY: &[&str] = &[
    "CREATE_IN_PROGRESS",
    "INITIALIZE_IN_PROGRESS",
    "MODIFY_IN_PROGRESS",
    "ROLLBACK_IN_PROGRESS",
    "UPDATE_IN_PROGRESS",
    "DELETE_IN_PROGRESS",
];
/// A cluster in these states has been initialized (and may have more than one HSM).
pub const INITIALIZED_OR_LATER: &[&str] = &["INITIALIZED", "ACTIVE", "DEGRADED"];

type Slot = Arc<Mutex<Option<(Instant, Option<Cluster>)>>>;

/// The CloudHSM side of the provider, cloned into each resource and data source.
#[derive(Clone)]
pub struct CloudHsm {
    pub data: ProviderData,
    cache: Arc<Mutex<HashMap<String, Slot>>>,
}

pub fn state(c: &Cluster) -> &str {
    c.state().map(|s| s.as_str()).unwrap_or("")
}

pub fn hsm_state(h: &Hsm) -> &str {
    h.state().map(|s| s.as_str()).unwrap_or("")
}

/// A cluster that no longer exists for the user (AWS keeps listing DELETED ones).
pub fn is_gone(c: &Cluster) -> bool {
    matches!(state(c), "DELETED" | "DELETE_IN_PROGRESS")
}

impl CloudHsm {
    pub fn new(data: ProviderData) -> Self {
        Self {
            data,
            cache: Arc::default(),
        }
    }

    pub async fn clients(&self) -> Result<Arc<Clients>, Diagnostics> {
        self.data.clients().await
    }

    pub fn deadline(&self, limit: Duration, op: tfplugin::framework::Operation) -> Deadline {
        self.data.deadline(limit, op)
    }

    async fn slot(&self, id: &str) -> Slot {
        self.cache
            .lock()
            .await
            .entry(id.to_string())
            .or_default()
            .clone()
    }

    /// The cluster as a refresh or plan sees it; `None` when AWS has no such cluster.
    /// Readers within `FRESH_FOR` of one answer share it.
    pub async fn cluster(&self, c: &Clients, id: &str) -> Result<Option<Cluster>, Diagnostics> {
        let slot = self.slot(id).await;
        let mut entry = slot.lock().await;
        if let Some((at, cluster)) = entry.as_ref()
            && at.elapsed() < FRESH_FOR
        {
            return Ok(cluster.clone());
        }
        let cluster = describe(c, id).await?;
        *entry = Some((Instant::now(), cluster.clone()));
        Ok(cluster)
    }

    /// The cluster as AWS has it now (for waiters); the answer also serves readers.
    pub async fn cluster_now(&self, c: &Clients, id: &str) -> Result<Option<Cluster>, Diagnostics> {
        let cluster = describe(c, id).await?;
        let slot = self.slot(id).await;
        *slot.lock().await = Some((Instant::now(), cluster.clone()));
        Ok(cluster)
    }

    /// Forgets what is known about a cluster: call after every change to it.
    pub async fn changed(&self, id: &str) {
        if let Some(slot) = self.cache.lock().await.remove(id) {
            *slot.lock().await = None;
        }
    }

    /// Polls the cluster until `check` is done with it (it sees `None` once AWS no
    /// longer has the cluster).
    pub async fn wait_cluster<T>(
        &self,
        c: &Clients,
        deadline: &Deadline,
        id: &str,
        what: &str,
        check: impl FnMut(Option<&Cluster>) -> Poll<T, Diagnostics> + Send,
    ) -> Result<T, Diagnostics> {
        // A Mutex, not a RefCell: the future must be Send; never contended.
        let check = std::sync::Mutex::new(check);
        let check = &check;
        wait_for(deadline, what, || {
            let fut = self.cluster_now(c, id);
            async move {
                match fut.await {
                    Ok(cluster) => match check.lock() {
                        Ok(mut f) => f(cluster.as_ref()),
                        Err(_) => Poll::Fail(Diagnostics::from(tfplugin::diag::Diagnostic::error(
                            "Internal error while waiting",
                            "A waiter's check panicked. This is a bug in the provider; please report it.",
                        ))),
                    },
                    Err(d) => Poll::Fail(d),
                }
            }
        })
        .await
    }

    /// Waits until the cluster is in none of the `BUSY` states.
    pub async fn wait_settled(
        &self,
        c: &Clients,
        deadline: &Deadline,
        id: &str,
    ) -> Result<Option<Cluster>, Diagnostics> {
        self.wait_cluster(
            c,
            deadline,
            id,
            &format!("CloudHSM cluster {id} to settle"),
            |cl| match cl {
                Some(cl) if BUSY.contains(&state(cl)) => {
                    Poll::Retry(format!("cluster {id} is {}", state(cl)))
                }
                other => Poll::Done(other.cloned()),
            },
        )
        .await
    }
}

/// One DescribeClusters filtered by cluster id.
pub async fn describe(c: &Clients, id: &str) -> Result<Option<Cluster>, Diagnostics> {
    match c
        .cloudhsmv2
        .describe_clusters()
        .filters("clusterIds", vec![id.to_string()])
        .send()
        .await
    {
        Ok(out) => Ok(out
            .clusters()
            .iter()
            .find(|cl| cl.cluster_id() == Some(id))
            .cloned()),
        Err(e) if is_not_found(code_of(&e)) => Ok(None),
        Err(e) => Err(failed("CloudHSM", "DescribeClusters")(e)),
    }
}

/// The cluster's tags as a map.
pub fn tags_of(c: &Cluster) -> crate::aws::tags::Tags {
    c.tag_list()
        .iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect()
}

/// A DateTime as RFC 3339.
pub fn timestamp(t: Option<&aws_smithy_types::DateTime>) -> Option<String> {
    t.map(|t| time::rfc3339(t.secs()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::testing;
    use aws_sdk_cloudhsmv2::Client;
    use aws_sdk_cloudhsmv2::operation::describe_clusters::DescribeClustersOutput;
    use aws_smithy_mocks::mock;

    #[tokio::test]
    async fn readers_of_one_cluster_share_one_describe_until_it_changes() {
        let rule = mock!(Client::describe_clusters)
            .match_requests(|r| {
                r.filters()
                    .and_then(|f| f.get("clusterIds"))
                    .is_some_and(|ids| ids == &["cluster-abcdefghijk".to_string()])
            })
            .then_output(|| {
                DescribeClustersOutput::builder()
                    .clusters(Cluster::builder().cluster_id("cluster-abcdefghijk").build())
                    .build()
            });
        let clients = testing::clients_with_cloudhsm(&[&rule]);
        let hsm = CloudHsm::new(ProviderData::default());
        let id = "cluster-abcdefghijk";
        let (a, b, c) = tokio::join!(
            hsm.cluster(&clients, id),
            hsm.cluster(&clients, id),
            hsm.cluster(&clients, id)
        );
        assert!(a.is_ok() && b.is_ok() && c.is_ok());
        assert_eq!(
            rule.num_calls(),
            1,
            "one DescribeClusters, filtered by the cluster id"
        );
        hsm.changed(id).await;
        hsm.cluster(&clients, id).await.expect("read");
        assert_eq!(
            rule.num_calls(),
            2,
            "a change makes the next reader ask again"
        );
        hsm.cluster_now(&clients, id).await.expect("read");
        hsm.cluster(&clients, id).await.expect("read");
        assert_eq!(
            rule.num_calls(),
            3,
            "waiters ask AWS; readers then use their answer"
        );
    }
}
