//! `trustchain_cloudhsm_backup_copy`: copies a cluster's newest READY backup (or a
//! given one) to another region for disaster recovery, which AWS never does by
//! itself; waits until the copy is READY there, tags it and optionally exempts it
//! from the retention policy.
//!
//! CopyBackupToRegion (AWS CloudHSM API reference) answers only with
//! `DestinationBackup: {CreateTimestamp, SourceBackup, SourceCluster, SourceRegion}`,
//! not the new backup's id: the copy is found in the destination with DescribeBackups
//! and the `sourceBackupIds` filter ("return only the backups created from a source
//! backup"), matched on SourceRegion and SourceCluster. The same lookup before
//! copying makes a rerun find the copy it made and not copy the backup twice.
//! "If you specify tags, only these tags will be applied to the destination backup.
//! If you do not specify tags, the service copies tags from the source backup."

use crate::aws::retry::{GaveUp, poll};
use crate::aws::tags::{self, ConfigTags, Tags};
use crate::aws::{Clients, Poll, clients_or_return, failed};
use crate::cloudhsm::CloudHsm;
use crate::cloudhsm::is_id;
use async_trait::async_trait;
use aws_sdk_cloudhsmv2::types::{Backup, Tag};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::framework::timeouts::parse_duration_checked;
use tfplugin::framework::{Action, Operation};
use tfplugin::provider::ActionProgress;
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::value::{Attr, AttributePath, Type};

pub const TYPE_NAME: &str = "trustchain_cloudhsm_backup_copy";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60 * 60);
/// States of a copy that is there (or on its way): found, it is not copied again.
const LIVE: &[&str] = &["CREATE_IN_PROGRESS", "READY"];

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct BackupCopyConfig {
    pub cluster_id: Attr<String>,
    pub backup_id: Attr<String>,
    pub destination_region: Attr<String>,
    pub tags: Attr<ConfigTags>,
    pub never_expires: Attr<bool>,
    pub timeout: Attr<String>,
}

pub struct CloudHsmBackupCopy {
    hsm: CloudHsm,
}

impl CloudHsmBackupCopy {
    pub fn new(hsm: CloudHsm) -> Self {
        Self { hsm }
    }
}

fn at(name: &str) -> AttributePath {
    AttributePath::root().attr(name)
}

/// AWS's pattern for DestinationRegion: `[a-z]{2}(-(gov))?-(east|west|north|south|central){1,2}-\d`.
pub fn is_region(s: &str) -> bool {
    let Some((rest, digit)) = s.rsplit_once('-') else {
        return false;
    };
    if digit.len() != 1 || !digit.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let mut parts = rest.split('-');
    let Some(country) = parts.next() else {
        return false;
    };
    if country.len() != 2 || !country.chars().all(|c| c.is_ascii_lowercase()) {
        return false;
    }
    let mut direction: &str = parts.next().unwrap_or("");
    if direction == "gov" {
        direction = parts.next().unwrap_or("");
    }
    if parts.next().is_some() {
        return false;
    }
    // One or two of the directions run together: "east", "southeast", "northwest".
    let words = ["east", "west", "north", "south", "central"];
    let one = |w: &str| words.contains(&w);
    one(direction)
        || words
            .iter()
            .any(|w| direction.strip_prefix(w).is_some_and(one))
}

fn newest(backups: &mut [Backup]) -> Option<&Backup> {
    let t = |x: &Backup| x.create_timestamp().map(|t| (t.secs(), t.subsec_nanos()));
    backups.sort_by(|a, b| {
        t(b).cmp(&t(a))
            .then_with(|| a.backup_id().cmp(b.backup_id()))
    });
    backups.first()
}

fn backup_state(b: &Backup) -> &str {
    b.backup_state().map(|s| s.as_str()).unwrap_or("")
}

/// What the run copies to where, all known.
struct Plan {
    cluster_id: String,
    backup_id: Option<String>,
    destination: String,
    tags: Tags,
    never_expires: Option<bool>,
    timeout: Duration,
}

#[async_trait]
impl Action for CloudHsmBackupCopy {
    type Config = BackupCopyConfig;
    const TYPE_NAME: &'static str = TYPE_NAME;

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .markdown_description("Copies a CloudHSM cluster's newest `READY` backup (or the backup `backup_id` names) to another region with CopyBackupToRegion, for disaster recovery: AWS never copies backups across regions by itself. Waits until the copy is `READY` in the destination, tags it, and optionally exempts it from the retention policy (`never_expires`). Progress is printed at each step. A rerun finds the copy it made (by `SourceBackup`, `SourceRegion` and `SourceCluster` in the destination) and does not copy the same backup twice. Run it from a resource's `lifecycle { action_trigger { ... } }` or with `terraform apply -invoke=action.trustchain_cloudhsm_backup_copy.NAME`. The source is the provider's region.")
                .attribute(Attribute::required("cluster_id", Type::String).description("The cluster whose backup is copied, in the provider's region."))
                .attribute(Attribute::optional("backup_id", Type::String).description("The backup to copy (a backup of `cluster_id`, READY). Default: the cluster's newest READY backup."))
                .attribute(Attribute::required("destination_region", Type::String).description("The region the copy goes to; not the provider's region."))
                .attribute(Attribute::optional("tags", Type::map(Type::String)).description("Tags of the copy, on top of the provider's `default_tags`. Without any, AWS copies the source backup's tags."))
                .attribute(Attribute::optional("never_expires", Type::Bool).description("Set the copy's NeverExpires (ModifyBackupAttributes): true keeps it beyond the destination's retention policy. Unset: left as AWS makes it."))
                .attribute(Attribute::optional("timeout", Type::String).description("How long to wait for the copy to be READY, as a duration (\"90m\"). Default 60m.")),
        )
    }

    async fn validate(&self, c: &BackupCopyConfig) -> Diagnostics {
        let mut d = Diagnostics::new();
        if let Attr::Known(id) = &c.cluster_id
            && !is_id(id, "cluster")
        {
            d.error_at(at("cluster_id"), "Invalid cluster id", format!("{id:?} is not a CloudHSM cluster id (cluster- and 11 to 16 letters and digits 2-7); use trustchain_cloudhsm_cluster.NAME.cluster_id."));
        }
        if let Attr::Known(id) = &c.backup_id
            && !is_id(id, "backup")
        {
            d.error_at(at("backup_id"), "Invalid backup id", format!("{id:?} is not a CloudHSM backup id (backup- and 11 to 16 letters and digits 2-7); leave backup_id out to copy the newest READY backup."));
        }
        if let Attr::Known(r) = &c.destination_region
            && !is_region(r)
        {
            d.error_at(
                at("destination_region"),
                "Invalid region",
                format!(
                    "{r:?} is not an AWS region name such as \"us-west-2\" or \"eu-central-1\"."
                ),
            );
        }
        if let Attr::Known(t) = &c.timeout
            && let Err(e) = parse_duration_checked(t)
        {
            d.error_at(
                at("timeout"),
                "Invalid duration",
                format!("{e}. Write a duration such as \"90m\" or \"2h\"."),
            );
        }
        d
    }

    async fn plan(&self, c: &BackupCopyConfig) -> Diagnostics {
        let mut d = Diagnostics::new();
        let source = self.hsm.data.region_hint();
        if let (Attr::Known(dest), Some(source)) = (&c.destination_region, &source)
            && dest == source
        {
            d.push(same_region(source));
        }
        if d.has_errors() {
            return d;
        }
        // A known cluster must exist now (with action_trigger after_create it is
        // not known yet while planning, and is checked when the action runs).
        if let Attr::Known(id) = &c.cluster_id {
            match self.hsm.clients().await {
                Ok(clients) => match self.hsm.cluster(&clients, id).await {
                    Ok(Some(_)) => {}
                    Ok(None) => d.push(unknown_cluster(id, &clients.region)),
                    Err(e) => d.extend(e),
                },
                Err(e) => d.extend(e),
            }
        }
        d
    }

    async fn invoke(&self, c: BackupCopyConfig, progress: &mut ActionProgress) -> Diagnostics {
        let clients = clients_or_return!(self.hsm, d => d);
        let own = c.tags.known().and_then(tags::known);
        let plan = Plan {
            cluster_id: c.cluster_id.known().cloned().unwrap_or_default(),
            backup_id: c.backup_id.known().cloned(),
            destination: c.destination_region.known().cloned().unwrap_or_default(),
            tags: clients
                .ignore_tags
                .filter(&tags::merge(&clients.default_tags, own.as_ref())),
            never_expires: c.never_expires.known().copied(),
            timeout: c
                .timeout
                .known()
                .and_then(|t| parse_duration_checked(t).ok())
                .unwrap_or(DEFAULT_TIMEOUT),
        };
        match self.run(&clients, &plan, progress).await {
            Ok(()) => Diagnostics::new(),
            Err(d) => d,
        }
    }
}

fn same_region(region: &str) -> Diagnostic {
    Diagnostic::error(
        "The destination is the backup's own region",
        format!("destination_region is {region:?}, the provider's region, where the cluster and its backups already are. A disaster-recovery copy goes to another region: set destination_region to the secondary region (for example \"us-west-2\")."),
    )
    .at(at("destination_region"))
}

fn unknown_cluster(id: &str, region: &str) -> Diagnostic {
    Diagnostic::error(
        "Unknown cluster",
        format!("There is no CloudHSM cluster {id} in {region} in this account. Name a cluster of the provider's region (trustchain_cloudhsm_cluster.NAME.cluster_id), or use a provider configured for the cluster's region."),
    )
    .at(at("cluster_id"))
}

impl CloudHsmBackupCopy {
    async fn run(
        &self,
        clients: &Clients,
        p: &Plan,
        progress: &mut ActionProgress,
    ) -> Result<(), Diagnostics> {
        let source = clients.region.as_str();
        if p.destination == source {
            return Err(same_region(source).into());
        }
        if self.hsm.cluster(clients, &p.cluster_id).await?.is_none() {
            return Err(unknown_cluster(&p.cluster_id, source).into());
        }
        let backup = self.source_backup(clients, p, progress).await?;
        let backup_id = backup.backup_id().to_string();
        let dest = destination_client(clients, &p.destination);

        progress
            .report(format!(
                "Looking for a copy of {backup_id} in {} ...",
                p.destination
            ))
            .await;
        let existing = find_copy(&dest, &backup_id, source, &p.cluster_id).await?;
        let copy = match existing {
            Some(b) => {
                progress
                    .report(format!(
                        "{backup_id} was copied to {} before: {} ({}); not copying it again.",
                        p.destination,
                        b.backup_id(),
                        backup_state(&b)
                    ))
                    .await;
                b
            }
            None => {
                progress
                    .report(format!(
                        "Copying {backup_id} of {} from {source} to {} (CopyBackupToRegion) ...",
                        p.cluster_id, p.destination
                    ))
                    .await;
                let list: Vec<Tag> = p
                    .tags
                    .iter()
                    .filter_map(|(k, v)| Tag::builder().key(k).value(v).build().ok())
                    .collect();
                clients
                    .cloudhsmv2
                    .copy_backup_to_region()
                    .backup_id(&backup_id)
                    .destination_region(&p.destination)
                    .set_tag_list((!list.is_empty()).then_some(list))
                    .send()
                    .await
                    .map_err(failed("CloudHSM", "CopyBackupToRegion"))?;
                self.wait(&dest, p, &backup_id, source, None).await?
            }
        };
        let copy_id = copy.backup_id().to_string();
        let copy = if backup_state(&copy) == "READY" {
            copy
        } else {
            progress
                .report(format!(
                    "Waiting for {copy_id} to be READY in {} ...",
                    p.destination
                ))
                .await;
            self.wait(&dest, p, &backup_id, source, Some(&copy_id))
                .await?
        };
        progress
            .report(format!("{copy_id} is READY in {}.", p.destination))
            .await;
        if !p.tags.is_empty() {
            let list: Vec<Tag> = p
                .tags
                .iter()
                .filter_map(|(k, v)| Tag::builder().key(k).value(v).build().ok())
                .collect();
            dest.tag_resource()
                .resource_id(&copy_id)
                .set_tag_list(Some(list))
                .send()
                .await
                .map_err(failed("CloudHSM", "TagResource"))?;
            let keys: Vec<&str> = p.tags.keys().map(String::as_str).collect();
            progress
                .report(format!("Tagged {copy_id}: {}.", keys.join(", ")))
                .await;
        }
        if let Some(n) = p.never_expires
            && copy.never_expires() != Some(n)
        {
            dest.modify_backup_attributes()
                .backup_id(&copy_id)
                .never_expires(n)
                .send()
                .await
                .map_err(failed("CloudHSM", "ModifyBackupAttributes"))?;
            progress
                .report(format!("Set never_expires = {n} on {copy_id}."))
                .await;
        }
        progress
            .report(format!(
                "Backup {backup_id} of {} is in {} as {copy_id}.",
                p.cluster_id, p.destination
            ))
            .await;
        Ok(())
    }

    /// The backup to copy: the one named, or the cluster's newest READY backup.
    async fn source_backup(
        &self,
        clients: &Clients,
        p: &Plan,
        progress: &mut ActionProgress,
    ) -> Result<Backup, Diagnostics> {
        let source = clients.region.as_str();
        if let Some(id) = &p.backup_id {
            progress
                .report(format!("Reading backup {id} in {source} ..."))
                .await;
            let out = clients
                .cloudhsmv2
                .describe_backups()
                .filters("backupIds", vec![id.clone()])
                .send()
                .await
                .map_err(failed("CloudHSM", "DescribeBackups"))?;
            let Some(b) = out.backups().first().cloned() else {
                return Err(Diagnostic::error(
                    "Unknown backup",
                    format!("There is no CloudHSM backup {id} in {source}. Name a backup of {} (data \"trustchain_cloudhsm_backups\" lists them), or leave backup_id out to copy the newest READY one.", p.cluster_id),
                )
                .at(at("backup_id"))
                .into());
            };
            if b.cluster_id() != Some(p.cluster_id.as_str()) {
                return Err(Diagnostic::error(
                    "The backup is not of this cluster",
                    format!("{id} is a backup of {}, not of {}. Name a backup of {} or set cluster_id to the backup's cluster.", b.cluster_id().unwrap_or("no cluster (a copy from another region)"), p.cluster_id, p.cluster_id),
                )
                .at(at("backup_id"))
                .into());
            }
            if backup_state(&b) != "READY" {
                return Err(Diagnostic::error(
                    "The backup is not READY",
                    format!("{id} is {}; only a READY backup can be copied. Wait until it is READY (CREATE_IN_PROGRESS takes minutes) and run the action again, or leave backup_id out to copy the newest READY backup.", backup_state(&b)),
                )
                .at(at("backup_id"))
                .into());
            }
            return Ok(b);
        }
        progress
            .report(format!(
                "Finding the newest READY backup of {} in {source} ...",
                p.cluster_id
            ))
            .await;
        let mut found = Vec::new();
        let mut pages = clients
            .cloudhsmv2
            .describe_backups()
            .filters("clusterIds", vec![p.cluster_id.clone()])
            .filters("states", vec!["READY".to_string()])
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(failed("CloudHSM", "DescribeBackups"))?;
            found.extend(page.backups().iter().cloned());
        }
        let Some(b) = newest(&mut found).cloned() else {
            return Err(Diagnostic::error(
                "No READY backup to copy yet",
                format!("Cluster {} has no READY backup in {source}. AWS makes the first backup when the cluster is activated or an HSM is added to an active cluster, then at least once every 24 hours; a new backup is CREATE_IN_PROGRESS for some minutes. Run the action again once data \"trustchain_cloudhsm_backups\" lists a READY backup (terraform apply -invoke=action.{TYPE_NAME}.NAME).", p.cluster_id),
            )
            .at(at("cluster_id"))
            .into());
        };
        progress
            .report(format!(
                "Newest READY backup of {}: {}.",
                p.cluster_id,
                b.backup_id()
            ))
            .await;
        Ok(b)
    }

    /// Polls the destination until the copy of `backup_id` (the one `copy_id` names,
    /// or any live one) is READY.
    async fn wait(
        &self,
        dest: &aws_sdk_cloudhsmv2::Client,
        p: &Plan,
        backup_id: &str,
        source: &str,
        copy_id: Option<&str>,
    ) -> Result<Backup, Diagnostics> {
        let deadline = self.hsm.deadline(p.timeout, Operation::Create);
        let what = format!("the copy of {backup_id} in {}", p.destination);
        poll(
            &deadline,
            &what,
            || async {
                match find_copy(dest, backup_id, source, &p.cluster_id).await {
                    Err(e) => Poll::Fail(e),
                    Ok(Some(b)) if copy_id.is_none_or(|id| b.backup_id() == id) => {
                        if backup_state(&b) == "READY" {
                            Poll::Done(b)
                        } else {
                            Poll::Retry(format!("{} is {}", b.backup_id(), backup_state(&b)))
                        }
                    }
                    Ok(_) => Poll::Retry(format!("no copy visible in {} yet", p.destination)),
                }
            },
            |why| {
                let d = match why {
                    GaveUp::TimedOut(reason) => Diagnostic::error(
                        format!("Timed out waiting for {what}"),
                        format!("After {}s the last answer was: {reason}. The copy goes on in AWS: run the action again later (it will not copy the backup twice), or raise the action's timeout.", p.timeout.as_secs()),
                    ),
                    GaveUp::Stopped(reason) => Diagnostic::error(
                        format!("Interrupted while waiting for {what}"),
                        format!("Terraform asked the provider to stop while {reason}. The copy goes on in AWS; run the action again to finish (it will not copy the backup twice)."),
                    ),
                };
                Diagnostics::from(d)
            },
        )
        .await
    }
}

/// A CloudHSM client for `region`, otherwise configured as the provider's.
fn destination_client(clients: &Clients, region: &str) -> aws_sdk_cloudhsmv2::Client {
    let conf = clients
        .cloudhsmv2
        .config()
        .to_builder()
        .region(aws_config::Region::new(region.to_string()))
        .build();
    aws_sdk_cloudhsmv2::Client::from_conf(conf)
}

/// The live copy of `backup_id` from `source`/`cluster_id` in the destination, newest
/// first when there are several.
async fn find_copy(
    dest: &aws_sdk_cloudhsmv2::Client,
    backup_id: &str,
    source: &str,
    cluster_id: &str,
) -> Result<Option<Backup>, Diagnostics> {
    let mut found = Vec::new();
    let mut pages = dest
        .describe_backups()
        .filters("sourceBackupIds", vec![backup_id.to_string()])
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(failed("CloudHSM", "DescribeBackups"))?;
        found.extend(
            page.backups()
                .iter()
                .filter(|b| {
                    b.source_backup() == Some(backup_id)
                        && b.source_region() == Some(source)
                        && b.source_cluster() == Some(cluster_id)
                        && LIVE.contains(&backup_state(b))
                })
                .cloned(),
        );
    }
    Ok(newest(&mut found).cloned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_names_follow_the_api_pattern() {
        for ok in [
            "us-east-1",
            "eu-west-1",
            "ap-southeast-2",
            "us-gov-west-1",
            "eu-central-2",
            "ca-central-1",
        ] {
            assert!(is_region(ok), "{ok}");
        }
        for bad in [
            "",
            "us-east",
            "useast-1",
            "us-east-12",
            "US-EAST-1",
            "us-up-1",
            "us-east-1a",
            "us-gov-gov-west-1",
            "us-eastwestnorth-1",
        ] {
            assert!(!is_region(bad), "{bad}");
        }
    }

    #[test]
    fn the_newest_backup_is_picked() {
        let b = |id: &str, secs: i64| {
            Backup::builder()
                .backup_id(id)
                .create_timestamp(aws_smithy_types::DateTime::from_secs(secs))
                .build()
                .expect("backup")
        };
        let mut v = vec![
            b("backup-old", 10),
            b("backup-new", 30),
            b("backup-mid", 20),
        ];
        assert_eq!(newest(&mut v).map(|b| b.backup_id()), Some("backup-new"));
        assert!(newest(&mut []).is_none());
    }
}
