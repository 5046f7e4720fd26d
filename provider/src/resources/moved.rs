//! `moved` blocks from hashicorp/aws (MoveResourceState): reading the state
//! hashicorp/aws stored for a resource, without calling AWS. Terraform refreshes the
//! moved object with the target resource's `read` right after, so attributes
//! hashicorp/aws does not have are left null here and filled in from AWS there.
//!
//! Facts (hashicorp/terraform-provider-aws, internal/service/cloudhsmv2/cluster.go
//! and hsm.go; the 6.66.0 schema in tests/aws-schema): both resources are
//! terraform-plugin-sdk v2 resources with no schema version set, so every 5.x and
//! 6.x release writes schema version 0; 6.0 added the per-resource `region`
//! attribute; a `timeouts` block is part of the schema.

use crate::aws::ProviderData;
use crate::aws::tags::{ConfigTags, Tags};
use serde_json::{Map, Value as Json};
use tfplugin::diag::{DiagResult, Diagnostic, Diagnostics};
use tfplugin::framework::Timeouts;
use tfplugin::provider::MoveRequest;
use tfplugin::value::Attr;

/// The only schema version hashicorp/aws has written for the CloudHSM resources.
pub const HASHICORP_AWS_SCHEMA_VERSION: i64 = 0;

/// The attributes of a hashicorp/aws state of `expected_type`, after checking the
/// source is that resource of hashicorp/aws (any registry host), at a schema version
/// this provider knows, in the region this provider manages.
pub fn hashicorp_aws_state(
    req: &MoveRequest,
    target: &str,
    expected_type: &str,
    data: &ProviderData,
) -> DiagResult<Map<String, Json>> {
    let is_hashicorp_aws = req
        .source_provider_address
        .trim_end_matches('/')
        .rsplit('/')
        .take(2)
        .eq(["aws", "hashicorp"]);
    if !is_hashicorp_aws || req.source_type_name != expected_type {
        return Err(req
            .unsupported(
                target,
                &format!("it takes over only hashicorp/aws {expected_type}."),
            )
            .into());
    }
    if req.source_schema_version != HASHICORP_AWS_SCHEMA_VERSION {
        return Err(req
            .unsupported(
                target,
                &format!(
                    "hashicorp/aws 5.x and 6.x write {expected_type} with schema version {HASHICORP_AWS_SCHEMA_VERSION}; this state says {}, written by a release this provider does not know.",
                    req.source_schema_version
                ),
            )
            .into());
    }
    let json: Json = serde_json::from_slice(&req.source_json).map_err(|e| {
        Diagnostics::from(req.unsupported(target, &format!("the stored state is not JSON ({e}).")))
    })?;
    let Json::Object(attrs) = json else {
        return Err(req
            .unsupported(target, "the stored state is not a JSON object.")
            .into());
    };
    if let (Some(source), Some(ours)) = (non_empty(&attrs, "region"), data.region_hint())
        && source != ours
    {
        return Err(Diagnostic::error(
            "Moved object is in another region",
            format!(
                "The {expected_type} being moved is in {source}, but this trustchain provider manages {ours}. Give the target resource a provider configured for {source}: `provider \"trustchain\" {{ alias = \"{source}\" region = \"{source}\" }}` and `provider = trustchain.{source}` in the {target} block."
            ),
        )
        .into());
    }
    Ok(attrs)
}

/// A string attribute; null, absent and "" (what SDK v2 stores for unset strings)
/// are all `None`.
pub fn non_empty(attrs: &Map<String, Json>, key: &str) -> Option<String> {
    attrs
        .get(key)
        .and_then(Json::as_str)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

pub fn string_attr(attrs: &Map<String, Json>, key: &str) -> Attr<String> {
    non_empty(attrs, key).into()
}

/// A string attribute the target cannot do without, or the diagnostic that says so.
pub fn required(
    req: &MoveRequest,
    target: &str,
    attrs: &Map<String, Json>,
    keys: &[&str],
) -> DiagResult<String> {
    keys.iter()
        .find_map(|k| non_empty(attrs, k))
        .ok_or_else(|| {
            req.unsupported(
                target,
                &format!("its state has no `{}`.", keys.join("` or `")),
            )
            .into()
        })
}

/// A map of strings (tags); a value that is not a string is the state's fault.
pub fn string_map(
    req: &MoveRequest,
    target: &str,
    attrs: &Map<String, Json>,
    key: &str,
) -> DiagResult<Option<Tags>> {
    match attrs.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Object(m)) => m
            .iter()
            .map(|(k, v)| match v {
                Json::String(s) => Ok((k.clone(), s.clone())),
                _ => Err(req
                    .unsupported(target, &format!("`{key}.{k}` is not a string."))
                    .into()),
            })
            .collect::<DiagResult<Tags>>()
            .map(Some),
        Some(_) => Err(req
            .unsupported(target, &format!("`{key}` is not a map of strings."))
            .into()),
    }
}

pub fn config_tags(tags: Option<Tags>) -> Attr<ConfigTags> {
    tags.map(|t| t.into_iter().map(|(k, v)| (k, Attr::Known(v))).collect())
        .into()
}

/// A list of strings (a set in the schema), sorted.
pub fn strings(
    req: &MoveRequest,
    target: &str,
    attrs: &Map<String, Json>,
    key: &str,
) -> DiagResult<Vec<String>> {
    let bad = || -> Diagnostics {
        req.unsupported(target, &format!("`{key}` is not a list of strings."))
            .into()
    };
    let Some(Json::Array(items)) = attrs.get(key) else {
        return Err(bad());
    };
    let mut out = items
        .iter()
        .map(|v| v.as_str().map(String::from).ok_or_else(bad))
        .collect::<DiagResult<Vec<_>>>()?;
    out.sort();
    Ok(out)
}

/// The `timeouts` block hashicorp/aws stores (an object of duration strings, or
/// null), limited to the operations the target has.
pub fn timeouts(attrs: &Map<String, Json>, operations: &[&str]) -> Attr<Timeouts> {
    let Some(Json::Object(t)) = attrs.get("timeouts") else {
        return Attr::Null;
    };
    let get = |op: &str| operations.contains(&op).then(|| non_empty(t, op)).flatten();
    let out = Timeouts {
        create: get("create"),
        read: get("read"),
        update: get("update"),
        delete: get("delete"),
    };
    if out == Timeouts::default() {
        Attr::Null
    } else {
        Attr::Known(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn request(address: &str, ty: &str, version: i64, json: &str) -> MoveRequest {
        MoveRequest {
            source_provider_address: address.into(),
            source_type_name: ty.into(),
            source_schema_version: version,
            source_json: json.as_bytes().to_vec(),
        }
    }

    fn detail(r: DiagResult<Map<String, Json>>) -> String {
        r.expect_err("refused")
            .iter()
            .map(|d| format!("{} {}", d.summary, d.detail))
            .collect()
    }

    #[test]
    fn only_hashicorp_aws_at_schema_version_0_with_an_object_is_read() {
        let data = ProviderData::default();
        let t = "trustchain_cloudhsm_cluster";
        let ty = "aws_cloudhsm_v2_cluster";
        let ok = request(
            "registry.terraform.io/hashicorp/aws",
            ty,
            0,
            r#"{"id":"cluster-a"}"#,
        );
        assert!(hashicorp_aws_state(&ok, t, ty, &data).is_ok());
        let tofu = request("registry.opentofu.org/hashicorp/aws", ty, 0, "{}");
        assert!(hashicorp_aws_state(&tofu, t, ty, &data).is_ok());
        let other = request("registry.terraform.io/hashicorp/awscc", ty, 0, "{}");
        assert!(detail(hashicorp_aws_state(&other, t, ty, &data)).contains("import"));
        let other_type = request("registry.terraform.io/hashicorp/aws", "aws_vpc", 0, "{}");
        assert!(detail(hashicorp_aws_state(&other_type, t, ty, &data)).contains(ty));
        let newer = request("registry.terraform.io/hashicorp/aws", ty, 1, "{}");
        assert!(detail(hashicorp_aws_state(&newer, t, ty, &data)).contains("schema version 1"));
        let garbage = request("registry.terraform.io/hashicorp/aws", ty, 0, "[1]");
        assert!(detail(hashicorp_aws_state(&garbage, t, ty, &data)).contains("not a JSON object"));
    }

    /// A hashicorp/aws 6.x object in another region than this provider's cannot be
    /// taken over (its refresh would look in the wrong region): the error names both
    /// regions and the provider alias to add. The same region, or a 5.x state without
    /// `region`, is read.
    #[tokio::test]
    async fn an_object_in_another_region_is_refused_with_the_alias_to_add() {
        let data = ProviderData::default();
        let settings = crate::aws::ProviderSettings {
            region: Some("us-east-1".into()),
            ..Default::default()
        };
        assert!(data.configure(settings, "1.15.5").await.is_empty());
        let t = "trustchain_cloudhsm_cluster";
        let ty = "aws_cloudhsm_v2_cluster";
        let aws = "registry.terraform.io/hashicorp/aws";
        let west = request(aws, ty, 0, r#"{"id":"cluster-a","region":"eu-west-1"}"#);
        let err = hashicorp_aws_state(&west, t, ty, &data).expect_err("other region");
        let text: String = err
            .iter()
            .map(|d| format!("{} {}", d.summary, d.detail))
            .collect();
        assert!(text.contains("Moved object is in another region"), "{text}");
        assert!(
            text.contains("eu-west-1") && text.contains("us-east-1"),
            "{text}"
        );
        assert!(text.contains(r#"alias = "eu-west-1""#), "{text}");
        let same = request(aws, ty, 0, r#"{"id":"cluster-a","region":"us-east-1"}"#);
        assert!(hashicorp_aws_state(&same, t, ty, &data).is_ok());
        let v5 = request(aws, ty, 0, r#"{"id":"cluster-a"}"#);
        assert!(hashicorp_aws_state(&v5, t, ty, &data).is_ok());
    }

    #[test]
    fn timeouts_keep_only_the_targets_operations_and_empty_strings_are_null() {
        let attrs: Map<String, Json> = serde_json::from_str(
            r#"{"timeouts":{"create":"60m","update":null,"delete":""},"region":""}"#,
        )
        .expect("json");
        let t = timeouts(&attrs, &["create", "delete"]);
        assert_eq!(
            t,
            Attr::Known(Timeouts {
                create: Some("60m".into()),
                ..Timeouts::default()
            })
        );
        assert_eq!(timeouts(&attrs, &["delete"]), Attr::Null);
        assert_eq!(non_empty(&attrs, "region"), None);
    }
}
