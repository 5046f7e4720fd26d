//! `moved { from = aws_cloudhsm_v2_cluster.x  to = trustchain_cloudhsm_cluster.x }`:
//! the cluster state hashicorp/aws writes, as this resource's state, without AWS.
//! hashicorp/aws has no backup retention, network type, subnet mapping or state
//! message: they stay null until the refresh that follows the move.

use super::model::{CertificatesModel, ClusterModel, TYPE_NAME};
use super::state;
use crate::aws::ProviderData;
use crate::resources::moved::{
    config_tags, hashicorp_aws_state, non_empty, required, string_attr, string_map, strings,
    timeouts,
};
use serde_json::Value as Json;
use tfplugin::diag::DiagResult;
use tfplugin::provider::MoveRequest;
use tfplugin::value::Attr;

pub const SOURCE_TYPE: &str = "aws_cloudhsm_v2_cluster";

pub fn from_hashicorp_aws(req: &MoveRequest, data: &ProviderData) -> DiagResult<ClusterModel> {
    let a = hashicorp_aws_state(req, TYPE_NAME, SOURCE_TYPE, data)?;
    let id = required(req, TYPE_NAME, &a, &["cluster_id", "id"])?;
    let mut m = state::empty();
    m.id = Attr::Known(id.clone());
    m.cluster_id = Attr::Known(id);
    m.hsm_type = Attr::Known(required(req, TYPE_NAME, &a, &["hsm_type"])?);
    m.mode = string_attr(&a, "mode");
    m.subnet_ids = Attr::Known(
        strings(req, TYPE_NAME, &a, "subnet_ids")?
            .into_iter()
            .map(Attr::Known)
            .collect(),
    );
    m.source_backup_id = string_attr(&a, "source_backup_identifier");
    m.tags = config_tags(string_map(req, TYPE_NAME, &a, "tags")?);
    m.tags_all = string_map(req, TYPE_NAME, &a, "tags_all")?.into();
    m.timeouts = timeouts(&a, &["create", "update", "delete"]);
    m.cluster_state = string_attr(&a, "cluster_state");
    m.vpc_id = string_attr(&a, "vpc_id");
    m.security_group_id = string_attr(&a, "security_group_id");
    // A list of at most one object in hashicorp/aws; the CSR is a top-level attribute here.
    if let Some(Json::Object(c)) = a
        .get("cluster_certificates")
        .and_then(Json::as_array)
        .and_then(|l| l.first())
    {
        m.cluster_csr = string_attr(c, "cluster_csr");
        m.certificates = Attr::Known(CertificatesModel {
            cluster_certificate: non_empty(c, "cluster_certificate"),
            hsm_certificate: non_empty(c, "hsm_certificate"),
            aws_hardware_certificate: non_empty(c, "aws_hardware_certificate"),
            manufacturer_hardware_certificate: non_empty(c, "manufacturer_hardware_certificate"),
        });
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As hashicorp/aws 6.x stores an UNINITIALIZED cluster (attribute set of the
    /// 6.66.0 schema, `region` included).
    const AWS_6: &str = r#"{
        "cluster_certificates": [{"aws_hardware_certificate": "AWSCERT", "cluster_certificate": "",
            "cluster_csr": "CSR", "hsm_certificate": "HSMCERT", "manufacturer_hardware_certificate": "MFR"}],
        "cluster_id": "cluster-igklspoyj5v", "cluster_state": "UNINITIALIZED",
        "hsm_type": "hsm2m.medium", "id": "cluster-igklspoyj5v", "mode": "FIPS",
        "region": "us-east-1", "security_group_id": "sg-0123", "source_backup_identifier": "",
        "subnet_ids": ["subnet-b", "subnet-a"], "tags": {"Name": "ca"},
        "tags_all": {"Name": "ca", "Team": "pki"}, "timeouts": null, "vpc_id": "vpc-1"}"#;

    fn req(json: &str) -> MoveRequest {
        MoveRequest {
            source_provider_address: "registry.terraform.io/hashicorp/aws".into(),
            source_type_name: SOURCE_TYPE.into(),
            source_schema_version: 0,
            source_json: json.as_bytes().to_vec(),
        }
    }

    #[test]
    fn a_hashicorp_aws_6_cluster_becomes_this_resources_state() {
        let m = from_hashicorp_aws(&req(AWS_6), &ProviderData::default()).expect("moved");
        assert_eq!(m.cluster_id, Attr::Known("cluster-igklspoyj5v".into()));
        assert_eq!(m.id, m.cluster_id);
        assert_eq!(m.hsm_type, Attr::Known("hsm2m.medium".into()));
        assert_eq!(
            m.known_subnets(),
            Some(vec!["subnet-a".to_string(), "subnet-b".to_string()])
        );
        assert_eq!(m.source_backup_id, Attr::Null);
        assert_eq!(m.cluster_csr, Attr::Known("CSR".into()));
        let certs = m.certificates.known().expect("certificates");
        assert_eq!(certs.cluster_certificate, None);
        assert_eq!(certs.hsm_certificate.as_deref(), Some("HSMCERT"));
        assert_eq!(m.tags_all.known().map(|t| t.len()), Some(2));
        assert_eq!(m.backup_retention_days, Attr::Null, "left to the refresh");
        assert_eq!(m.timeouts, Attr::Null);
    }

    #[test]
    fn a_5x_state_without_region_and_with_timeouts_moves_too() {
        let mut v: serde_json::Value = serde_json::from_str(AWS_6).expect("json");
        v.as_object_mut().expect("object").remove("region");
        v["timeouts"] = serde_json::json!({"create": "150m", "update": null, "delete": null});
        let m = from_hashicorp_aws(&req(&v.to_string()), &ProviderData::default()).expect("moved");
        assert_eq!(
            m.timeouts.known().and_then(|t| t.create.clone()).as_deref(),
            Some("150m")
        );
    }

    #[test]
    fn a_state_without_the_cluster_id_or_with_bad_subnets_says_what_is_wrong() {
        let text = |json: &str| -> String {
            from_hashicorp_aws(&req(json), &ProviderData::default())
                .expect_err("refused")
                .iter()
                .map(|d| d.detail.clone())
                .collect()
        };
        assert!(text(r#"{"hsm_type": "hsm1.medium"}"#).contains("`cluster_id` or `id`"));
        let bad = r#"{"id": "cluster-a", "hsm_type": "hsm1.medium", "subnet_ids": "subnet-a"}"#;
        assert!(text(bad).contains("`subnet_ids` is not a list of strings"));
    }
}
