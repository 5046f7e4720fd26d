//! `moved { from = aws_cloudhsm_v2_hsm.x  to = trustchain_cloudhsm_hsm.x }`: the HSM
//! state hashicorp/aws writes (its `hsm_eni_id` is `eni_id` here), without AWS.

use super::model::{self, HsmModel, TYPE_NAME};
use crate::aws::ProviderData;
use crate::resources::moved::{hashicorp_aws_state, required, string_attr, timeouts};
use tfplugin::diag::DiagResult;
use tfplugin::provider::MoveRequest;
use tfplugin::value::Attr;

pub const SOURCE_TYPE: &str = "aws_cloudhsm_v2_hsm";

pub fn from_hashicorp_aws(req: &MoveRequest, data: &ProviderData) -> DiagResult<HsmModel> {
    let a = hashicorp_aws_state(req, TYPE_NAME, SOURCE_TYPE, data)?;
    let id = required(req, TYPE_NAME, &a, &["hsm_id", "id"])?;
    let mut m = model::empty();
    m.id = Attr::Known(id.clone());
    m.hsm_id = Attr::Known(id);
    m.cluster_id = Attr::Known(required(req, TYPE_NAME, &a, &["cluster_id"])?);
    m.availability_zone = string_attr(&a, "availability_zone");
    m.subnet_id = string_attr(&a, "subnet_id");
    m.ip_address = string_attr(&a, "ip_address");
    m.eni_id = string_attr(&a, "hsm_eni_id");
    m.hsm_state = string_attr(&a, "hsm_state");
    m.timeouts = timeouts(&a, &["create", "delete"]);
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(ty: &str, json: &str) -> MoveRequest {
        MoveRequest {
            source_provider_address: "registry.terraform.io/hashicorp/aws".into(),
            source_type_name: ty.into(),
            source_schema_version: 0,
            source_json: json.as_bytes().to_vec(),
        }
    }

    #[test]
    fn a_hashicorp_aws_6_hsm_becomes_this_resources_state() {
        let json = r#"{"availability_zone": "us-east-1a", "cluster_id": "cluster-a",
            "hsm_eni_id": "eni-1", "hsm_id": "hsm-b", "hsm_state": "ACTIVE", "id": "hsm-b",
            "ip_address": "10.0.0.5", "region": "us-east-1", "subnet_id": "subnet-a",
            "timeouts": {"create": null, "delete": "30m"}}"#;
        let m =
            from_hashicorp_aws(&req(SOURCE_TYPE, json), &ProviderData::default()).expect("moved");
        assert_eq!(m.hsm_id, Attr::Known("hsm-b".into()));
        assert_eq!(m.cluster_id, Attr::Known("cluster-a".into()));
        assert_eq!(m.eni_id, Attr::Known("eni-1".into()));
        assert_eq!(m.ip_address, Attr::Known("10.0.0.5".into()));
        assert_eq!(m.eni_ipv6, Attr::Null);
        assert_eq!(
            m.timeouts.known().and_then(|t| t.delete.clone()).as_deref(),
            Some("30m")
        );
    }

    #[test]
    fn a_cluster_state_is_not_an_hsm() {
        let d = from_hashicorp_aws(
            &req("aws_cloudhsm_v2_cluster", r#"{"id": "cluster-a"}"#),
            &ProviderData::default(),
        )
        .expect_err("refused");
        let d = d.iter().next().expect("one diagnostic");
        assert!(
            d.detail.contains("only hashicorp/aws aws_cloudhsm_v2_hsm"),
            "{}",
            d.detail
        );
        assert!(d.detail.contains("import"), "{}", d.detail);
    }
}
