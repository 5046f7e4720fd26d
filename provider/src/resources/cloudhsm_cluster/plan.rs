//! Plan-time values and checks: `tags_all`, replacement with the reason AWS gives
//! none, the in-place hsm_type migration, and the subnet facts (zone, VPC, IPv4 and
//! IPv6 blocks) from one EC2 DescribeSubnets when the subnet ids are known.

use super::model::ClusterModel;
use crate::aws::tag_rules;
use crate::aws::{Clients, ProviderData, code_of, is_not_found};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use tfplugin::framework::Plan;
use tfplugin::value::{Attr, AttributePath};

/// What the plan needs to know about one subnet.
#[derive(Clone, Debug, PartialEq)]
pub struct SubnetFacts {
    pub id: String,
    pub zone: String,
    pub vpc_id: String,
    pub has_ipv4: bool,
    pub has_ipv6: bool,
}

/// DescribeSubnets answers by sorted subnet-id list, so one plan asks once even when
/// Terraform plans a cluster more than once in a run.
#[derive(Default)]
pub struct SubnetCache(Mutex<HashMap<Vec<String>, Arc<Described>>>);

/// The subnets, or why they could not be described ("not found: ..." / "unavailable: ...").
type Described = Result<Vec<SubnetFacts>, String>;

fn at(name: &str) -> AttributePath {
    AttributePath::root().attr(name)
}

pub async fn modify(data: &ProviderData, subnets: &SubnetCache, plan: &mut Plan<ClusterModel>) {
    plan.planned.tags_all = data.tags_all(&plan.config.tags);
    if let Attr::Known(all) = &plan.planned.tags_all {
        plan.diagnostics.extend(tag_rules::check_merged(
            &tag_rules::CLOUDHSM,
            plan.config.tags.known(),
            all,
            &at("tags"),
            "the cluster (tags with the provider's default_tags)",
        ));
    }
    if let Some(prior) = plan.prior.clone() {
        plan_replacements(&prior, plan);
    }
    let changed_subnets = plan
        .prior
        .as_ref()
        .is_none_or(|p| p.known_subnets().map(sorted) != plan.planned.known_subnets().map(sorted));
    if changed_subnets && let Some(ids) = plan.planned.known_subnets() {
        check_subnets(data, subnets, &ids, plan).await;
    }
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn plan_replacements(prior: &ClusterModel, plan: &mut Plan<ClusterModel>) {
    let planned = plan.planned.clone();
    plan.require_replace_if_changed(at("mode"), &prior.mode, &planned.mode, "AWS cannot change a cluster's mode (FIPS or NON_FIPS): Terraform deletes this cluster and its HSMs, with the keys they hold, and creates a new one. Restore from a backup (source_backup_id) to keep keys.");
    plan.require_replace_if_changed(at("network_type"), &prior.network_type, &planned.network_type, "AWS cannot change a cluster's network type: Terraform deletes this cluster and its HSMs, with the keys they hold, and creates a new one.");
    plan.require_replace_if_changed(at("source_backup_id"), &prior.source_backup_id, &planned.source_backup_id, "A cluster is restored from a backup only when it is created: Terraform replaces this cluster.");
    // The subnets as a set; not known while any id is not.
    let subnets = |m: &ClusterModel| match m.known_subnets() {
        Some(ids) => Attr::Known(sorted(ids)),
        None if m.subnet_ids.is_null() => Attr::Null,
        None => Attr::Unknown,
    };
    plan.require_replace_if_changed(at("subnet_ids"), &subnets(prior), &subnets(&planned), "AWS cannot change a cluster's subnets: Terraform deletes this cluster and its HSMs, with the keys they hold, and creates a new one in the new subnets.");
    match (&prior.hsm_type, &planned.hsm_type) {
        (Attr::Known(from), to)
            if from == "hsm1.medium" && to.known().map(String::as_str) == Some("hsm2m.medium") =>
        {
            plan.diagnostics.push(
                tfplugin::diag::Diagnostic::warning(
                    "HSM type migration in place",
                    "AWS migrates the cluster's HSMs from hsm1.medium to hsm2m.medium one at a time (about 30 minutes each; a backup is taken first) and keeps their network interfaces. The apply waits for the migration; raise timeouts.update for large clusters. AWS allows a rollback for 24 hours (hsm_type_rollback_expiration).",
                )
                .at(at("hsm_type")),
            );
        }
        (Attr::Known(from), to) => {
            let to = to.known().map_or("another type".to_string(), |t| t.clone());
            plan.require_replace_if_changed(at("hsm_type"), &prior.hsm_type, &planned.hsm_type, format!("AWS migrates only hsm1.medium to hsm2m.medium in place; {from} to {to} replaces the cluster: Terraform deletes it and its HSMs, with the keys they hold."));
        }
        _ => {}
    }
}

async fn facts(clients: &Clients, ids: &[String]) -> Result<Vec<SubnetFacts>, String> {
    let out = clients
        .ec2
        .describe_subnets()
        .set_subnet_ids(Some(ids.to_vec()))
        .send()
        .await
        .map_err(|e| {
            if is_not_found(code_of(&e)) {
                use aws_smithy_types::error::metadata::ProvideErrorMetadata;
                format!(
                    "not found: {}",
                    e.message().unwrap_or("a subnet does not exist")
                )
            } else {
                format!(
                    "unavailable: {}",
                    aws_sdk_ec2::error::DisplayErrorContext(&e)
                )
            }
        })?;
    Ok(out
        .subnets()
        .iter()
        .map(|s| SubnetFacts {
            id: s.subnet_id().unwrap_or_default().to_string(),
            zone: s.availability_zone().unwrap_or_default().to_string(),
            vpc_id: s.vpc_id().unwrap_or_default().to_string(),
            has_ipv4: s.cidr_block().is_some_and(|c| !c.is_empty())
                && !s.ipv6_native().unwrap_or(false),
            has_ipv6: s.ipv6_cidr_block_association_set().iter().any(|a| {
                a.ipv6_cidr_block_state()
                    .and_then(|st| st.state())
                    .is_some_and(|st| st.as_str() == "associated")
            }),
        })
        .collect())
}

/// One DescribeSubnets per subnet set and plan; the rules CreateCluster enforces.
async fn check_subnets(
    data: &ProviderData,
    cache: &SubnetCache,
    ids: &[String],
    plan: &mut Plan<ClusterModel>,
) {
    let Ok(clients) = data.clients().await else {
        return;
    };
    let key = sorted(ids.to_vec());
    let cached = cache.0.lock().ok().and_then(|m| m.get(&key).cloned());
    let result = match cached {
        Some(r) => r,
        None => {
            let r = Arc::new(facts(&clients, &key).await);
            if let Ok(mut m) = cache.0.lock() {
                m.insert(key, r.clone());
            }
            r
        }
    };
    let subnets = match result.as_ref() {
        Ok(s) => s,
        Err(e) if e.starts_with("not found") => {
            plan.diagnostics.error_at(
                at("subnet_ids"),
                "Subnet not found",
                format!(
                    "EC2 says {}. Give subnets that exist in {}.",
                    e.trim_start_matches("not found: "),
                    clients.region
                ),
            );
            return;
        }
        Err(e) => {
            tracing::warn!(error = %e, "could not describe the cluster's subnets; skipping the plan-time subnet checks");
            return;
        }
    };
    let d = subnet_diagnostics(
        subnets,
        plan.planned.network_type.known().map(String::as_str),
    );
    let ok = !d.has_errors();
    plan.diagnostics.extend(d);
    if ok {
        if let Some(vpc) = subnets.first().map(|s| s.vpc_id.clone()) {
            plan.planned.vpc_id = Attr::Known(vpc);
        }
        plan.planned.subnet_mapping = Attr::Known(
            subnets
                .iter()
                .map(|s| (s.zone.clone(), s.id.clone()))
                .collect(),
        );
    }
}

/// The subnet rules of CreateCluster as diagnostics.
pub fn subnet_diagnostics(
    subnets: &[SubnetFacts],
    network_type: Option<&str>,
) -> tfplugin::diag::Diagnostics {
    let mut d = tfplugin::diag::Diagnostics::new();
    let vpcs: BTreeMap<&str, Vec<&str>> = subnets.iter().fold(BTreeMap::new(), |mut m, s| {
        m.entry(s.vpc_id.as_str()).or_default().push(s.id.as_str());
        m
    });
    if vpcs.len() > 1 {
        let list: Vec<String> = vpcs
            .iter()
            .map(|(v, ss)| format!("{} in {v}", ss.join(", ")))
            .collect();
        d.error_at(
            at("subnet_ids"),
            "Subnets in more than one VPC",
            format!(
                "A cluster's subnets must all be in one VPC; these are {}. Pick subnets of one VPC.",
                list.join("; ")
            ),
        );
    }
    let mut by_zone: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for s in subnets {
        by_zone
            .entry(s.zone.as_str())
            .or_default()
            .push(s.id.as_str());
    }
    for (zone, ids) in by_zone.iter().filter(|(_, ids)| ids.len() > 1) {
        d.error_at(
            at("subnet_ids"),
            "Two subnets in one Availability Zone",
            format!(
                "{} are all in {zone}; a cluster takes one subnet per Availability Zone. Keep one of them and add a subnet of another zone for a second HSM.",
                ids.join(" and ")
            ),
        );
    }
    for s in subnets.iter().filter(|s| !s.has_ipv4) {
        d.error_at(
            at("subnet_ids"),
            "IPv6-only subnet",
            format!(
                "{} ({}) has no IPv4 block; HSM network interfaces need an IPv4 address. Use dual-stack subnets (with network_type = \"DUALSTACK\" for IPv6 too).",
                s.id, s.zone
            ),
        );
    }
    if network_type == Some("DUALSTACK") {
        let v4_only: Vec<String> = subnets
            .iter()
            .filter(|s| !s.has_ipv6)
            .map(|s| format!("{} ({})", s.id, s.zone))
            .collect();
        if !v4_only.is_empty() {
            d.error_at(
                at("network_type"),
                "DUALSTACK needs subnets with IPv6",
                format!(
                    "network_type DUALSTACK gives each HSM an IPv6 address, so every subnet needs an IPv6 CIDR block; {} {} none. Associate IPv6 blocks with them, or set network_type = \"IPV4\".",
                    v4_only.join(", "),
                    if v4_only.len() == 1 { "has" } else { "have" }
                ),
            );
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::plan_testing;

    fn subnet(id: &str, zone: &str, vpc: &str, v6: bool) -> SubnetFacts {
        SubnetFacts {
            id: id.into(),
            zone: zone.into(),
            vpc_id: vpc.into(),
            has_ipv4: true,
            has_ipv6: v6,
        }
    }

    #[test]
    fn two_subnets_in_one_zone_are_an_error_at_subnet_ids() {
        let d = subnet_diagnostics(
            &[
                subnet("subnet-a", "us-east-1a", "vpc-1", true),
                subnet("subnet-b", "us-east-1a", "vpc-1", true),
            ],
            Some("IPV4"),
        );
        assert_eq!(
            plan_testing::summaries_at(&d),
            [(
                "Two subnets in one Availability Zone".into(),
                "subnet_ids".into()
            )]
        );
        let detail = &d.iter().next().expect("one").detail;
        assert!(
            detail.contains("subnet-a and subnet-b") && detail.contains("us-east-1a"),
            "{detail}"
        );
    }

    #[test]
    fn dualstack_with_ipv4_only_subnets_is_an_error_at_network_type() {
        let subnets = [
            subnet("subnet-a", "us-east-1a", "vpc-1", true),
            subnet("subnet-b", "us-east-1b", "vpc-1", false),
        ];
        let d = subnet_diagnostics(&subnets, Some("DUALSTACK"));
        assert_eq!(
            plan_testing::summaries_at(&d),
            [(
                "DUALSTACK needs subnets with IPv6".into(),
                "network_type".into()
            )]
        );
        assert!(
            d.iter()
                .next()
                .expect("one")
                .detail
                .contains("subnet-b (us-east-1b)")
        );
        assert!(subnet_diagnostics(&subnets, Some("IPV4")).is_empty());
    }

    #[test]
    fn subnets_of_two_vpcs_or_without_ipv4_are_refused() {
        let mut v6only = subnet("subnet-c", "us-east-1c", "vpc-2", true);
        v6only.has_ipv4 = false;
        let d = subnet_diagnostics(
            &[subnet("subnet-a", "us-east-1a", "vpc-1", true), v6only],
            None,
        );
        let s: Vec<String> = plan_testing::summaries_at(&d)
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        assert_eq!(s, ["Subnets in more than one VPC", "IPv6-only subnet"]);
    }

    fn cluster() -> super::super::CloudHsmCluster {
        super::super::CloudHsmCluster::new(crate::cloudhsm::CloudHsm::new(
            crate::aws::ProviderData::default(),
        ))
    }

    fn config() -> serde_json::Value {
        serde_json::json!({"hsm_type": "hsm2m.medium", "mode": "FIPS",
                           "subnet_ids": ["subnet-a", "subnet-b"]})
    }

    /// The state after applying `config()`.
    fn state() -> serde_json::Value {
        serde_json::json!({
            "id": "cluster-igklspoyj5v", "cluster_id": "cluster-igklspoyj5v",
            "hsm_type": "hsm2m.medium", "mode": "FIPS", "network_type": "IPV4",
            "subnet_ids": ["subnet-a", "subnet-b"], "backup_retention_days": 90,
            "tags_all": {}, "cluster_state": "ACTIVE", "vpc_id": "vpc-1",
            "security_group_id": "sg-1",
            "subnet_mapping": {"us-east-1a": "subnet-a", "us-east-1b": "subnet-b"},
        })
    }

    async fn plan(
        prior: Option<&serde_json::Value>,
        config: &serde_json::Value,
        unknown: &[AttributePath],
    ) -> plan_testing::Planned<ClusterModel> {
        plan_testing::plan(cluster(), prior, config, unknown).await
    }

    #[tokio::test]
    async fn tags_all_is_planned_from_the_tags() {
        let mut c = config();
        c["tags"] = serde_json::json!({"team": "pki"});
        let p = plan(None, &c, &[]).await;
        let all = p.model.tags_all.known().expect("tags_all known at plan");
        assert_eq!(all.get("team").map(String::as_str), Some("pki"));
        assert_eq!(all.len(), 1);
    }

    #[tokio::test]
    async fn mode_network_type_backup_and_subnets_replace_the_cluster_saying_why() {
        let prior = state();
        let mut c = config();
        c["mode"] = serde_json::json!("NON_FIPS");
        c["network_type"] = serde_json::json!("DUALSTACK");
        c["source_backup_id"] = serde_json::json!("backup-abcdefghijk");
        c["subnet_ids"] = serde_json::json!(["subnet-a", "subnet-c"]);
        let p = plan(Some(&prior), &c, &[]).await;
        let mut replaced = p.replaced();
        replaced.sort();
        assert_eq!(
            replaced,
            ["mode", "network_type", "source_backup_id", "subnet_ids"]
        );
        let warned: Vec<(String, String)> = p.summaries();
        for at in ["mode", "network_type", "source_backup_id", "subnet_ids"] {
            assert!(
                warned.contains(&("This change replaces the object".into(), at.into())),
                "{at}: {warned:?}"
            );
        }
    }

    #[tokio::test]
    async fn the_same_subnets_in_another_order_change_nothing() {
        let prior = state();
        let mut c = config();
        c["subnet_ids"] = serde_json::json!(["subnet-b", "subnet-a"]);
        let p = plan(Some(&prior), &c, &[]).await;
        assert_eq!(p.replaced(), Vec::<String>::new());
        assert_eq!(p.summaries(), []);
    }

    #[tokio::test]
    async fn subnets_known_only_after_apply_replace_now_and_say_so() {
        let p = plan(
            Some(&state()),
            &config(),
            &[AttributePath::root().attr("subnet_ids")],
        )
        .await;
        assert_eq!(p.replaced(), ["subnet_ids"]);
        let detail = &p.diagnostics.iter().next().expect("the warning").detail;
        assert!(detail.contains("known only after apply"), "{detail}");
    }

    #[tokio::test]
    async fn hsm1_to_hsm2m_migrates_in_place_and_other_type_changes_replace() {
        let mut prior = state();
        prior["hsm_type"] = serde_json::json!("hsm1.medium");
        let p = plan(Some(&prior), &config(), &[]).await;
        assert_eq!(p.replaced(), Vec::<String>::new());
        assert_eq!(
            p.summaries(),
            [("HSM type migration in place".into(), "hsm_type".into())]
        );

        let mut c = config();
        c["hsm_type"] = serde_json::json!("hsm1.medium");
        let p = plan(Some(&state()), &c, &[]).await;
        assert_eq!(p.replaced(), ["hsm_type"]);
        let d = p.diagnostics.iter().next().expect("the reason");
        assert!(
            d.detail
                .contains("hsm2m.medium to hsm1.medium replaces the cluster"),
            "{}",
            d.detail
        );
    }

    #[tokio::test]
    async fn an_unchanged_hsm_type_neither_migrates_nor_replaces() {
        for t in ["hsm1.medium", "hsm2m.medium"] {
            let mut prior = state();
            prior["hsm_type"] = serde_json::json!(t);
            let mut c = config();
            c["hsm_type"] = serde_json::json!(t);
            c["tags"] = serde_json::json!({"team": "pki"});
            let p = plan(Some(&prior), &c, &[]).await;
            assert_eq!(p.replaced(), Vec::<String>::new(), "{t}");
            assert_eq!(p.summaries(), [], "{t}");
        }
    }

    // The plan-time subnet facts, from DescribeSubnets answered by mocks.
    use aws_sdk_ec2::operation::describe_subnets::{DescribeSubnetsError, DescribeSubnetsOutput};
    use aws_sdk_ec2::types::{
        Subnet, SubnetCidrBlockState, SubnetCidrBlockStateCode, SubnetIpv6CidrBlockAssociation,
    };
    use aws_smithy_mocks::{Rule, RuleMode, mock};
    use aws_smithy_types::error::ErrorMetadata;

    /// A subnet as EC2 describes it: `v4` its IPv4 block ("" for none), `v6` the state
    /// of its IPv6 association (None for none), `native` IPv6-only.
    fn described(
        id: &str,
        zone: &str,
        v4: &str,
        v6: Option<SubnetCidrBlockStateCode>,
        native: bool,
    ) -> Subnet {
        let mut b = Subnet::builder()
            .subnet_id(id)
            .availability_zone(zone)
            .vpc_id("vpc-1")
            .ipv6_native(native);
        if !v4.is_empty() {
            b = b.cidr_block(v4);
        }
        if let Some(state) = v6 {
            b = b.ipv6_cidr_block_association_set(
                SubnetIpv6CidrBlockAssociation::builder()
                    .ipv6_cidr_block("2600:1f18:1::/64")
                    .ipv6_cidr_block_state(SubnetCidrBlockState::builder().state(state).build())
                    .build(),
            );
        }
        b.build()
    }

    fn answer(subnets: Vec<Subnet>) -> Rule {
        mock!(aws_sdk_ec2::Client::describe_subnets).then_output(move || {
            DescribeSubnetsOutput::builder()
                .set_subnets(Some(subnets.clone()))
                .build()
        })
    }

    fn refuse(code: &'static str) -> Rule {
        mock!(aws_sdk_ec2::Client::describe_subnets).then_error(move || {
            DescribeSubnetsError::generic(
                ErrorMetadata::builder()
                    .code(code)
                    .message("The subnet ID 'subnet-c' does not exist")
                    .build(),
            )
        })
    }

    /// The cluster resource of a provider whose EC2 answers from `rule`.
    fn cluster_asking(rule: &Rule) -> super::super::CloudHsmCluster {
        let mut clients = crate::aws::testing::clients_with_cloudhsm(&[]);
        clients.services.ec2 = crate::aws::testing::ec2_client(RuleMode::MatchAny, &[rule], 0);
        super::super::CloudHsmCluster::new(crate::cloudhsm::CloudHsm::new(
            crate::aws::ProviderData::with_clients(clients),
        ))
    }

    fn dual_stack_pair(state: SubnetCidrBlockStateCode) -> Vec<Subnet> {
        vec![
            described(
                "subnet-a",
                "us-east-1a",
                "10.0.1.0/24",
                Some(state.clone()),
                false,
            ),
            described("subnet-b", "us-east-1b", "10.0.2.0/24", Some(state), false),
        ]
    }

    #[tokio::test]
    async fn described_subnets_plan_the_vpc_and_the_zone_mapping() {
        let rule = answer(dual_stack_pair(SubnetCidrBlockStateCode::Associated));
        let mut c = config();
        c["network_type"] = serde_json::json!("DUALSTACK");
        let p = plan_testing::plan(cluster_asking(&rule), None, &c, &[]).await;
        assert!(p.summaries().is_empty(), "{:?}", p.summaries());
        assert_eq!(rule.num_calls(), 1);
        assert_eq!(p.model.vpc_id.known().map(String::as_str), Some("vpc-1"));
        let mapping = p
            .model
            .subnet_mapping
            .known()
            .expect("subnet_mapping known at plan");
        assert_eq!(
            mapping
                .iter()
                .map(|(z, s)| (z.as_str(), s.as_str()))
                .collect::<Vec<_>>(),
            [("us-east-1a", "subnet-a"), ("us-east-1b", "subnet-b")]
        );
    }

    #[tokio::test]
    async fn subnets_without_ipv4_or_an_associated_ipv6_block_are_refused_at_plan() {
        // IPv6-native, and without any IPv4 block: no HSM can get its IPv4 address.
        let rule = answer(vec![
            described(
                "subnet-a",
                "us-east-1a",
                "",
                Some(SubnetCidrBlockStateCode::Associated),
                true,
            ),
            described(
                "subnet-b",
                "us-east-1b",
                "",
                Some(SubnetCidrBlockStateCode::Associated),
                false,
            ),
        ]);
        let p = plan_testing::plan(cluster_asking(&rule), None, &config(), &[]).await;
        assert_eq!(
            p.summaries(),
            [
                ("IPv6-only subnet".to_string(), "subnet_ids".to_string()),
                ("IPv6-only subnet".to_string(), "subnet_ids".to_string())
            ]
        );
        // Failed checks plan no mapping: it stays known after apply.
        assert!(!p.model.subnet_mapping.is_known());
        // DUALSTACK needs an IPv6 block that is associated, not one being removed.
        let rule = answer(dual_stack_pair(SubnetCidrBlockStateCode::Disassociated));
        let mut c = config();
        c["network_type"] = serde_json::json!("DUALSTACK");
        let p = plan_testing::plan(cluster_asking(&rule), None, &c, &[]).await;
        assert_eq!(
            p.summaries(),
            [(
                "DUALSTACK needs subnets with IPv6".to_string(),
                "network_type".to_string()
            )]
        );
    }

    #[tokio::test]
    async fn a_subnet_ec2_does_not_know_is_an_error_and_other_failures_skip_the_check() {
        let rule = refuse("InvalidSubnetID.NotFound");
        let p = plan_testing::plan(cluster_asking(&rule), None, &config(), &[]).await;
        assert_eq!(
            p.summaries(),
            [("Subnet not found".to_string(), "subnet_ids".to_string())]
        );
        let detail = &p.diagnostics.iter().next().expect("one").detail;
        assert!(
            detail.contains("subnet-c") && detail.contains("us-east-1"),
            "{detail}"
        );
        // Not allowed to describe subnets: the plan goes on; CreateCluster decides.
        let rule = refuse("UnauthorizedOperation");
        let p = plan_testing::plan(cluster_asking(&rule), None, &config(), &[]).await;
        assert!(p.summaries().is_empty(), "{:?}", p.summaries());
        assert_eq!(rule.num_calls(), 1);
    }

    #[tokio::test]
    async fn subnets_are_described_again_only_when_the_set_changes() {
        let rule = refuse("InvalidSubnetID.NotFound");
        // The same subnets in another order: not asked again, nothing to say.
        let mut c = config();
        c["subnet_ids"] = serde_json::json!(["subnet-b", "subnet-a"]);
        let p = plan_testing::plan(cluster_asking(&rule), Some(&state()), &c, &[]).await;
        assert!(p.summaries().is_empty(), "{:?}", p.summaries());
        assert_eq!(rule.num_calls(), 0);
        // Another subnet: the replacement is planned (saying why) and the new set is
        // described, here refused.
        c["subnet_ids"] = serde_json::json!(["subnet-a", "subnet-c"]);
        let p = plan_testing::plan(cluster_asking(&rule), Some(&state()), &c, &[]).await;
        assert_eq!(
            p.summaries(),
            [
                (
                    "This change replaces the object".to_string(),
                    "subnet_ids".to_string()
                ),
                ("Subnet not found".to_string(), "subnet_ids".to_string())
            ]
        );
        assert_eq!(rule.num_calls(), 1);
    }
}
