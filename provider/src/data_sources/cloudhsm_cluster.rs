//! `trustchain_cloudhsm_cluster`: one CloudHSM cluster found by id (one
//! DescribeClusters filtered by it) or by tags (the clusters of the region, paged,
//! matched on every tag given), with its HSMs and certificates.

use crate::aws::failed;
use crate::aws::tags::{self, ConfigTags};
use crate::cloudhsm::{self, CloudHsm, tags_of, timestamp};
use async_trait::async_trait;
use aws_sdk_cloudhsmv2::types::Cluster;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tfplugin::diag::{DiagResult, Diagnostic, Diagnostics};
use tfplugin::framework::DataSource;
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::value::{Attr, AttributePath, Type};

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct ClusterData {
    pub cluster_id: Attr<String>,
    pub tags: Attr<ConfigTags>,
    pub id: Attr<String>,
    pub cluster_state: Attr<String>,
    pub state_message: Attr<String>,
    pub hsm_type: Attr<String>,
    pub mode: Attr<String>,
    pub network_type: Attr<String>,
    pub vpc_id: Attr<String>,
    pub security_group_id: Attr<String>,
    pub subnet_ids: Attr<Vec<String>>,
    pub subnet_mapping: Attr<BTreeMap<String, String>>,
    pub backup_retention_days: Attr<i64>,
    pub source_backup_id: Attr<String>,
    pub create_timestamp: Attr<String>,
    pub cluster_csr: Attr<String>,
    pub cluster_certificate: Attr<String>,
    pub hsms: Attr<Vec<HsmData>>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct HsmData {
    pub hsm_id: String,
    pub availability_zone: Option<String>,
    pub subnet_id: Option<String>,
    pub eni_id: Option<String>,
    pub ip_address: Option<String>,
    pub eni_ipv6: Option<String>,
    pub hsm_state: Option<String>,
}

pub struct CloudHsmClusterData {
    hsm: CloudHsm,
}

impl CloudHsmClusterData {
    pub fn new(hsm: CloudHsm) -> Self {
        Self { hsm }
    }
}

fn hsm_type() -> Type {
    Type::object([
        ("hsm_id", Type::String),
        ("availability_zone", Type::String),
        ("subnet_id", Type::String),
        ("eni_id", Type::String),
        ("ip_address", Type::String),
        ("eni_ipv6", Type::String),
        ("hsm_state", Type::String),
    ])
}

fn computed(name: &str, ty: Type, text: &str) -> Attribute {
    Attribute::computed(name, ty).description(text)
}

fn to_model(c: &Cluster, tags: Attr<ConfigTags>) -> ClusterData {
    let mapping: BTreeMap<String, String> = c
        .subnet_mapping()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .collect();
    let certs = c.certificates();
    ClusterData {
        cluster_id: c.cluster_id().map(String::from).into(),
        tags,
        id: c.cluster_id().map(String::from).into(),
        cluster_state: Attr::Known(cloudhsm::state(c).to_string()),
        state_message: c.state_message().map(String::from).into(),
        hsm_type: c.hsm_type().map(String::from).into(),
        mode: c.mode().map(|m| m.as_str().to_string()).into(),
        network_type: Attr::Known(c.network_type().map_or("IPV4", |n| n.as_str()).to_string()),
        vpc_id: c.vpc_id().map(String::from).into(),
        security_group_id: c.security_group().map(String::from).into(),
        subnet_ids: Attr::Known(mapping.values().cloned().collect()),
        subnet_mapping: Attr::Known(mapping),
        backup_retention_days: c
            .backup_retention_policy()
            .and_then(|p| p.value())
            .and_then(|v| v.parse().ok())
            .into(),
        source_backup_id: c.source_backup_id().map(String::from).into(),
        create_timestamp: timestamp(c.create_timestamp()).into(),
        cluster_csr: certs.and_then(|x| x.cluster_csr()).map(String::from).into(),
        cluster_certificate: certs
            .and_then(|x| x.cluster_certificate())
            .map(String::from)
            .into(),
        hsms: Attr::Known(
            c.hsms()
                .iter()
                .map(|h| HsmData {
                    hsm_id: h.hsm_id().to_string(),
                    availability_zone: h.availability_zone().map(String::from),
                    subnet_id: h.subnet_id().map(String::from),
                    eni_id: h.eni_id().map(String::from),
                    ip_address: h.eni_ip().map(String::from),
                    eni_ipv6: h.eni_ipv6().map(String::from),
                    hsm_state: h.state().map(|s| s.as_str().to_string()),
                })
                .collect(),
        ),
    }
}

/// The tags given stay as given (Terraform keeps configured values); otherwise the
/// cluster's own.
fn shown_tags(config: &ClusterData, c: &Cluster) -> Attr<ConfigTags> {
    match &config.tags {
        Attr::Known(t) => Attr::Known(t.clone()),
        _ => Attr::Known(tags::config_tags(&tags_of(c))),
    }
}

#[async_trait]
impl DataSource for CloudHsmClusterData {
    type Model = ClusterData;
    const TYPE_NAME: &'static str = "trustchain_cloudhsm_cluster";

    fn schema(&self) -> Schema {
        let s = Type::String;
        Schema::new(
            Block::new()
                .markdown_description("One CloudHSM v2 cluster, by `cluster_id` or by `tags` (exactly one cluster that is not deleted must carry every tag given), with its HSMs and certificates.")
                .attribute(Attribute::optional_computed("cluster_id", s.clone()).description("The cluster id. Set this or tags."))
                .attribute(Attribute::optional_computed("tags", Type::map(s.clone())).description("Tags the cluster must carry (all of them). Set this or cluster_id."))
                .attribute(computed("id", s.clone(), "The cluster id."))
                .attribute(computed("cluster_state", s.clone(), "UNINITIALIZED, INITIALIZED, ACTIVE, ..."))
                .attribute(computed("state_message", s.clone(), "AWS's description of the state."))
                .attribute(computed("hsm_type", s.clone(), "hsm1.medium or hsm2m.medium."))
                .attribute(computed("mode", s.clone(), "FIPS or NON_FIPS."))
                .attribute(computed("network_type", s.clone(), "IPV4 or DUALSTACK."))
                .attribute(computed("vpc_id", s.clone(), "The cluster's VPC."))
                .attribute(computed("security_group_id", s.clone(), "The security group of the HSMs' network interfaces."))
                .attribute(computed("subnet_ids", Type::list(s.clone()), "The cluster's subnets, in zone order."))
                .attribute(computed("subnet_mapping", Type::map(s.clone()), "Availability Zone -> subnet id."))
                .attribute(computed("backup_retention_days", Type::Number, "Days AWS keeps the cluster's backups."))
                .attribute(computed("source_backup_id", s.clone(), "The backup the cluster was restored from."))
                .attribute(computed("create_timestamp", s.clone(), "When the cluster was created (RFC 3339)."))
                .attribute(computed("cluster_csr", s.clone(), "The CSR to sign, while UNINITIALIZED with an active HSM."))
                .attribute(computed("cluster_certificate", s.clone(), "The cluster certificate, once initialized."))
                .attribute(computed("hsms", Type::list(hsm_type()), "The HSMs: hsm_id, availability_zone, subnet_id, eni_id, ip_address, eni_ipv6, hsm_state.")),
        )
    }

    async fn validate(&self, config: &ClusterData) -> Diagnostics {
        let mut d = Diagnostics::new();
        if config.cluster_id.is_null() && config.tags.is_null() {
            d.push(Diagnostic::error(
                "Nothing to find the cluster by",
                "Set cluster_id, or tags the cluster carries.",
            ));
        }
        if let Attr::Known(id) = &config.cluster_id
            && !crate::cloudhsm::is_id(id, "cluster")
        {
            d.error_at(
                AttributePath::root().attr("cluster_id"),
                "Invalid cluster id",
                format!("{id:?} is not a CloudHSM cluster id (cluster-...)."),
            );
        }
        d
    }

    async fn read(&self, config: ClusterData) -> DiagResult<ClusterData> {
        let clients = self.hsm.clients().await?;
        // A null tag value is a placeholder: no condition.
        let wanted = config
            .tags
            .known()
            .and_then(tags::known)
            .unwrap_or_default();
        let matches_tags = |c: &Cluster| {
            let have = tags_of(c);
            wanted.iter().all(|(k, v)| have.get(k) == Some(v))
        };
        if let Attr::Known(id) = &config.cluster_id {
            return match cloudhsm::describe(&clients, id).await? {
                Some(c) if !cloudhsm::is_gone(&c) && matches_tags(&c) => {
                    Ok(to_model(&c, shown_tags(&config, &c)))
                }
                _ => Err(Diagnostic::error(
                    "CloudHSM cluster not found",
                    format!(
                        "No cluster {id} (with the tags given) in {}.",
                        clients.region
                    ),
                )
                .into()),
            };
        }
        let mut found = Vec::new();
        let mut token = None;
        loop {
            let out = clients
                .cloudhsmv2
                .describe_clusters()
                .set_next_token(token)
                .send()
                .await
                .map_err(failed("CloudHSM", "DescribeClusters"))?;
            found.extend(
                out.clusters()
                    .iter()
                    .filter(|c| !cloudhsm::is_gone(c) && matches_tags(c))
                    .cloned(),
            );
            token = out.next_token().map(String::from);
            if token.is_none() {
                break;
            }
        }
        match found.as_slice() {
            [c] => Ok(to_model(c, shown_tags(&config, c))),
            [] => Err(Diagnostic::error(
                "No CloudHSM cluster has these tags",
                format!(
                    "No cluster in {} carries all of {wanted:?}.",
                    clients.region
                ),
            )
            .into()),
            many => {
                let ids: Vec<&str> = many.iter().filter_map(|c| c.cluster_id()).collect();
                Err(Diagnostic::error(
                    "More than one CloudHSM cluster has these tags",
                    format!("{} all carry {wanted:?}; add a tag that tells them apart, or set cluster_id.", ids.join(", ")),
                )
                .into())
            }
        }
    }
}
