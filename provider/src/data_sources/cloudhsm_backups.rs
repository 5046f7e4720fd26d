//! `trustchain_cloudhsm_backups`: CloudHSM backups filtered by cluster, states and
//! never_expires (DescribeBackups filters, paged), newest first.

use crate::aws::failed;
use crate::cloudhsm::{CloudHsm, timestamp};
use async_trait::async_trait;
use aws_sdk_cloudhsmv2::types::Backup;
use serde::{Deserialize, Serialize};
use tfplugin::diag::{DiagResult, Diagnostics};
use tfplugin::framework::DataSource;
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::value::{Attr, AttributePath, Type};

pub const STATES: &[&str] = &["CREATE_IN_PROGRESS", "READY", "DELETED", "PENDING_DELETION"];

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct BackupsData {
    pub cluster_id: Attr<String>,
    pub states: Attr<Vec<Attr<String>>>,
    pub never_expires: Attr<bool>,
    pub ids: Attr<Vec<String>>,
    pub backups: Attr<Vec<BackupData>>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct BackupData {
    pub backup_id: String,
    pub backup_arn: Option<String>,
    pub cluster_id: Option<String>,
    pub backup_state: Option<String>,
    pub create_timestamp: Option<String>,
    pub delete_timestamp: Option<String>,
    pub never_expires: Option<bool>,
    pub hsm_type: Option<String>,
    pub mode: Option<String>,
    pub source_backup: Option<String>,
    pub source_cluster: Option<String>,
    pub source_region: Option<String>,
}

pub struct CloudHsmBackupsData {
    hsm: CloudHsm,
}

impl CloudHsmBackupsData {
    pub fn new(hsm: CloudHsm) -> Self {
        Self { hsm }
    }
}

fn backup_type() -> Type {
    let s = || Type::String;
    Type::object([
        ("backup_id", s()),
        ("backup_arn", s()),
        ("cluster_id", s()),
        ("backup_state", s()),
        ("create_timestamp", s()),
        ("delete_timestamp", s()),
        ("never_expires", Type::Bool),
        ("hsm_type", s()),
        ("mode", s()),
        ("source_backup", s()),
        ("source_cluster", s()),
        ("source_region", s()),
    ])
}

fn to_model(b: &Backup) -> BackupData {
    BackupData {
        backup_id: b.backup_id().to_string(),
        backup_arn: b.backup_arn().map(String::from),
        cluster_id: b.cluster_id().map(String::from),
        backup_state: b.backup_state().map(|s| s.as_str().to_string()),
        create_timestamp: timestamp(b.create_timestamp()),
        delete_timestamp: timestamp(b.delete_timestamp()),
        never_expires: b.never_expires(),
        hsm_type: b.hsm_type().map(String::from),
        mode: b.mode().map(|m| m.as_str().to_string()),
        source_backup: b.source_backup().map(String::from),
        source_cluster: b.source_cluster().map(String::from),
        source_region: b.source_region().map(String::from),
    }
}

#[async_trait]
impl DataSource for CloudHsmBackupsData {
    type Model = BackupsData;
    const TYPE_NAME: &'static str = "trustchain_cloudhsm_backups";

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new()
                .markdown_description("CloudHSM v2 backups, newest first, filtered by cluster, state and `never_expires`. Backups outlive their cluster; restore one with `trustchain_cloudhsm_cluster.source_backup_id`.")
                .attribute(Attribute::optional("cluster_id", Type::String).description("Only backups of this cluster."))
                .attribute(Attribute::optional("states", Type::list(Type::String)).description(format!("Only backups in these states: {}.", STATES.join(", "))))
                .attribute(Attribute::optional("never_expires", Type::Bool).description("Only backups exempt from (true) or subject to (false) the retention policy."))
                .attribute(Attribute::computed("ids", Type::list(Type::String)).description("The backup ids, newest first."))
                .attribute(Attribute::computed("backups", Type::list(backup_type())).description("The backups, newest first: backup_id, backup_arn, cluster_id, backup_state, create_timestamp and delete_timestamp (RFC 3339), never_expires, hsm_type, mode, source_backup, source_cluster, source_region.")),
        )
    }

    async fn validate(&self, config: &BackupsData) -> Diagnostics {
        let mut d = Diagnostics::new();
        for (i, s) in config.states.known().into_iter().flatten().enumerate() {
            if let Attr::Known(s) = s
                && !STATES.contains(&s.as_str())
            {
                d.error_at(
                    AttributePath::root().attr("states").index(i as i64),
                    "Invalid backup state",
                    format!("{s:?} is not one of {}.", STATES.join(", ")),
                );
            }
        }
        d
    }

    async fn read(&self, config: BackupsData) -> DiagResult<BackupsData> {
        let clients = self.hsm.clients().await?;
        let mut found: Vec<Backup> = Vec::new();
        let mut token = None;
        loop {
            let mut call = clients.cloudhsmv2.describe_backups().set_next_token(token);
            if let Attr::Known(c) = &config.cluster_id {
                call = call.filters("clusterIds", vec![c.clone()]);
            }
            if let Attr::Known(states) = &config.states {
                call = call.filters(
                    "states",
                    states.iter().filter_map(|s| s.known().cloned()).collect(),
                );
            }
            if let Attr::Known(n) = config.never_expires {
                call = call.filters("neverExpires", vec![n.to_string()]);
            }
            let out = call
                .send()
                .await
                .map_err(failed("CloudHSM", "DescribeBackups"))?;
            found.extend(out.backups().iter().cloned());
            token = out.next_token().map(String::from);
            if token.is_none() {
                break;
            }
        }
        found.sort_by(|a, b| {
            let t = |x: &Backup| x.create_timestamp().map(|t| (t.secs(), t.subsec_nanos()));
            t(b).cmp(&t(a))
                .then_with(|| a.backup_id().cmp(b.backup_id()))
        });
        let backups: Vec<BackupData> = found.iter().map(to_model).collect();
        Ok(BackupsData {
            ids: Attr::Known(backups.iter().map(|b| b.backup_id.clone()).collect()),
            backups: Attr::Known(backups),
            ..config
        })
    }
}
