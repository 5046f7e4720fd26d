//! The cluster's state from what DescribeClusters returns.

use super::model::{CertificatesModel, ClusterModel, DEFAULT_RETENTION_DAYS};
use crate::aws::Clients;
use crate::aws::tags;
use crate::cloudhsm::{self, tags_of, timestamp};
use aws_sdk_cloudhsmv2::types::Cluster;
use tfplugin::value::Attr;

/// `template` (plan, prior state or import skeleton) refreshed from AWS.
pub fn state_of(c: &Cluster, template: &ClusterModel, clients: &Clients) -> ClusterModel {
    let mut m = template.clone();
    let id = c.cluster_id().unwrap_or_default().to_string();
    m.id = Attr::Known(id.clone());
    m.cluster_id = Attr::Known(id);
    m.hsm_type = c.hsm_type().map(String::from).into();
    m.mode = Attr::Known(c.mode().map_or("FIPS", |x| x.as_str()).to_string());
    m.network_type = Attr::Known(c.network_type().map_or("IPV4", |x| x.as_str()).to_string());
    let mapping = c.subnet_mapping().cloned().unwrap_or_default();
    let mut subnets: Vec<String> = mapping.values().cloned().collect();
    subnets.sort();
    m.subnet_ids = Attr::Known(subnets.into_iter().map(Attr::Known).collect());
    m.subnet_mapping = Attr::Known(mapping.into_iter().collect());
    m.backup_retention_days = Attr::Known(
        c.backup_retention_policy()
            .and_then(|p| p.value())
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_RETENTION_DAYS),
    );
    // The configuration may name the backup by ARN; AWS answers with its id.
    m.source_backup_id = match (c.source_backup_id(), template.source_backup_id.known()) {
        (Some(aws), Some(cfg)) if cfg == aws || cfg.ends_with(&format!("/{aws}")) => {
            Attr::Known(cfg.clone())
        }
        (aws, _) => aws.map(String::from).into(),
    };
    let all: tags::Tags = tags_of(c)
        .into_iter()
        .filter(|(k, _)| !k.starts_with("aws:") && !clients.ignore_tags.matches(k))
        .collect();
    m.tags = tags::own(&all, &clients.default_tags, template.tags.known()).into();
    m.tags_all = Attr::Known(all);
    m.cluster_state = Attr::Known(cloudhsm::state(c).to_string());
    m.state_message = c.state_message().map(String::from).into();
    m.vpc_id = c.vpc_id().map(String::from).into();
    m.security_group_id = c.security_group().map(String::from).into();
    let certs = c.certificates();
    m.cluster_csr = certs.and_then(|x| x.cluster_csr()).map(String::from).into();
    m.certificates = Attr::Known(CertificatesModel {
        cluster_certificate: certs
            .and_then(|x| x.cluster_certificate())
            .map(String::from),
        hsm_certificate: certs.and_then(|x| x.hsm_certificate()).map(String::from),
        aws_hardware_certificate: certs
            .and_then(|x| x.aws_hardware_certificate())
            .map(String::from),
        manufacturer_hardware_certificate: certs
            .and_then(|x| x.manufacturer_hardware_certificate())
            .map(String::from),
    });
    m.hsm_type_rollback_expiration = timestamp(c.hsm_type_rollback_expiration()).into();
    m
}

/// Everything null: what an import starts from.
pub fn empty() -> ClusterModel {
    ClusterModel {
        id: Attr::Null,
        cluster_id: Attr::Null,
        hsm_type: Attr::Null,
        mode: Attr::Null,
        network_type: Attr::Null,
        subnet_ids: Attr::Null,
        backup_retention_days: Attr::Null,
        source_backup_id: Attr::Null,
        tags: Attr::Null,
        tags_all: Attr::Null,
        timeouts: Attr::Null,
        cluster_state: Attr::Null,
        state_message: Attr::Null,
        vpc_id: Attr::Null,
        security_group_id: Attr::Null,
        subnet_mapping: Attr::Null,
        cluster_csr: Attr::Null,
        certificates: Attr::Null,
        hsm_type_rollback_expiration: Attr::Null,
    }
}

/// A model with every unknown value made null, for a state written after a failure.
pub fn nullify_unknowns(mut m: ClusterModel) -> ClusterModel {
    fn n<T>(a: &mut Attr<T>) {
        if a.is_unknown() {
            *a = Attr::Null;
        }
    }
    n(&mut m.id);
    n(&mut m.cluster_id);
    n(&mut m.mode);
    n(&mut m.tags_all);
    n(&mut m.cluster_state);
    n(&mut m.state_message);
    n(&mut m.vpc_id);
    n(&mut m.security_group_id);
    n(&mut m.subnet_mapping);
    n(&mut m.cluster_csr);
    n(&mut m.certificates);
    n(&mut m.hsm_type_rollback_expiration);
    m
}
