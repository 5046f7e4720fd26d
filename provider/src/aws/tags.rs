//! Tags: `tags` merged over the provider's `default_tags` into `tags_all` at plan
//! time, the resource's own tags recovered from what AWS holds, the changes that turn
//! one tag set into another, and EC2's way of applying them (tag specifications at
//! create, CreateTags/DeleteTags on update).

use super::error::failed;
use aws_sdk_ec2::types::{ResourceType, Tag, TagSpecification};
use std::collections::BTreeMap;
use tfplugin::diag::Diagnostics;
use tfplugin::value::Attr;

pub type Tags = BTreeMap<String, String>;

/// `tags` as a model holds them (`tags: Attr<ConfigTags>`): keys are always known
/// (Terraform has no unknown map keys); a value may be unknown (a variable during
/// `terraform validate`, another resource's attribute during plan) or null
/// (hashicorp/aws's placeholder for "no such tag": ignored, never sent to AWS).
pub type ConfigTags = BTreeMap<String, Attr<String>>;

/// The tags a configuration sets when every value is known, nulls left out;
/// `None` while a value is unknown.
pub fn known(c: &ConfigTags) -> Option<Tags> {
    c.iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| Some((k.clone(), v.known()?.clone())))
        .collect()
}

/// A list filter's tags: the known values (a filter's values are checked known at
/// validation; unknown and null ones are left out).
pub fn filter(c: &Attr<ConfigTags>) -> Tags {
    c.known()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| v.known().map(|v| (k.clone(), v.clone())))
        .collect()
}

/// True when `tags` hold every one of `wanted` with the same value.
pub fn has_all(tags: &Tags, wanted: &Tags) -> bool {
    wanted.iter().all(|(k, v)| tags.get(k) == Some(v))
}

/// Known tags as a model's `tags`.
pub fn config_tags(t: &Tags) -> ConfigTags {
    t.iter()
        .map(|(k, v)| (k.clone(), Attr::Known(v.clone())))
        .collect()
}

/// The provider's `ignore_tags`: tag keys other tools own. They are left out of what
/// a resource reads (so neither `tags` nor `tags_all` holds them), out of `tags_all`
/// at plan time, and out of every tag change: never set, never removed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IgnoreTags {
    pub keys: Vec<String>,
    pub key_prefixes: Vec<String>,
}

impl IgnoreTags {
    pub fn matches(&self, key: &str) -> bool {
        self.keys.iter().any(|k| k == key)
            || self
                .key_prefixes
                .iter()
                .any(|p| !p.is_empty() && key.starts_with(p.as_str()))
    }

    /// `tags` without the ignored keys.
    pub fn filter(&self, tags: &Tags) -> Tags {
        tags.iter()
            .filter(|(k, _)| !self.matches(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

/// `tags_all`: the provider's default tags with the resource's own on top.
pub fn merge(defaults: &Tags, own: Option<&Tags>) -> Tags {
    let mut all = defaults.clone();
    all.extend(own.cloned().unwrap_or_default());
    all
}

/// `tags_all` of a plan: the provider's default tags with the configured ones on
/// top; unknown (known after apply) while a configured value is.
pub fn plan_tags_all(defaults: &Tags, configured: &Attr<ConfigTags>) -> Attr<Tags> {
    match configured {
        Attr::Null => Attr::Known(defaults.clone()),
        Attr::Unknown => Attr::Unknown,
        Attr::Known(c) => known(c).map_or(Attr::Unknown, |own| {
            Attr::Known(merge(defaults, Some(&own)))
        }),
    }
}

/// The resource's own `tags` from the tags AWS holds (`actual`, already without the
/// provider's bookkeeping keys): every key the configuration names, and every key
/// whose value is not the default tag's; a key configured null stays null (it is
/// not a tag). `None` when that is nothing and the configuration set no tags either
/// (so an absent `tags` stays null).
pub fn own(actual: &Tags, defaults: &Tags, configured: Option<&ConfigTags>) -> Option<ConfigTags> {
    let configured_null =
        |k: &String| configured.is_some_and(|c| c.get(k).is_some_and(Attr::is_null));
    let mut own: ConfigTags = actual
        .iter()
        .filter(|(k, v)| {
            !configured_null(k)
                && (defaults.get(*k) != Some(*v) || configured.is_some_and(|c| c.contains_key(*k)))
        })
        .map(|(k, v)| (k.clone(), Attr::Known(v.clone())))
        .collect();
    for (k, v) in configured.into_iter().flatten() {
        if v.is_null() {
            own.insert(k.clone(), Attr::Null);
        }
    }
    if own.is_empty() && configured.is_none() {
        None
    } else {
        Some(own)
    }
}

/// What turns `have` into `want`; AWS's own `aws:` tags and the keys of the
/// provider's `ignore_tags` are never touched.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TagChanges {
    pub remove: Vec<String>,
    pub set: Tags,
}

impl TagChanges {
    pub fn between(have: &Tags, want: &Tags, ignore: &IgnoreTags) -> Self {
        Self {
            remove: have
                .keys()
                .filter(|k| !k.starts_with("aws:") && !want.contains_key(*k) && !ignore.matches(k))
                .cloned()
                .collect(),
            set: want
                .iter()
                .filter(|(k, v)| have.get(*k) != Some(*v) && !ignore.matches(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.remove.is_empty() && self.set.is_empty()
    }
}

/// Tags of an EC2 object as a map.
pub fn ec2_tags(tags: &[Tag]) -> Tags {
    tags.iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or("").to_string())))
        .collect()
}

/// Tags to send to ELBv2 (CreateLoadBalancer, CreateTargetGroup, AddTags): none when
/// there are none, as the API takes no empty list.
pub fn elb_tags(t: &Tags) -> Option<Vec<aws_sdk_elasticloadbalancingv2::types::Tag>> {
    (!t.is_empty()).then(|| {
        t.iter()
            .map(|(k, v)| {
                aws_sdk_elasticloadbalancingv2::types::Tag::builder()
                    .key(k)
                    .value(v)
                    .build()
            })
            .collect()
    })
}

/// A listed object's display name: its `Name` tag and its id, `name (id)`, or the id
/// alone when it has no (or an empty) `Name` tag.
pub fn display_name(id: &str, tags: &Tags) -> String {
    match tags.get("Name") {
        Some(name) if !name.is_empty() => format!("{name} ({id})"),
        _ => id.to_string(),
    }
}

/// Tags to set while creating an EC2 object.
pub fn ec2_tag_spec(rt: ResourceType, tags: &Tags) -> TagSpecification {
    TagSpecification::builder()
        .resource_type(rt)
        .set_tags(Some(
            tags.iter()
                .map(|(k, v)| Tag::builder().key(k).value(v).build())
                .collect(),
        ))
        .build()
}

/// Makes an EC2 object's tags (`have`, as discovered) equal `want`, leaving the
/// keys of `ignore_tags` alone: at most one DeleteTags and one CreateTags call, none
/// when nothing differs.
pub async fn sync_ec2(
    ec2: &aws_sdk_ec2::Client,
    id: &str,
    have: &Tags,
    want: &Tags,
    ignore: &IgnoreTags,
) -> Result<(), Diagnostics> {
    let c = TagChanges::between(have, want, ignore);
    if c.is_empty() {
        return Ok(());
    }
    if !c.remove.is_empty() {
        ec2.delete_tags()
            .resources(id)
            .set_tags(Some(
                c.remove
                    .iter()
                    .map(|k| Tag::builder().key(k).build())
                    .collect(),
            ))
            .send()
            .await
            .map_err(failed("EC2", "DeleteTags"))?;
    }
    if !c.set.is_empty() {
        ec2.create_tags()
            .resources(id)
            .set_tags(Some(
                c.set
                    .iter()
                    .map(|(k, v)| Tag::builder().key(k).value(v).build())
                    .collect(),
            ))
            .send()
            .await
            .map_err(failed("EC2", "CreateTags"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> Tags {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn listed_objects_show_their_name_tag_beside_the_id() {
        let named = tags(&[("Name", "ca"), ("env", "prod")]);
        assert_eq!(display_name("cluster-a", &named), "ca (cluster-a)");
        assert_eq!(display_name("vpc-1", &Tags::new()), "vpc-1");
        assert_eq!(display_name("vpc-1", &tags(&[("Name", "")])), "vpc-1");
    }

    #[test]
    fn resource_tags_win_over_default_tags() {
        let all = merge(
            &tags(&[("Team", "pki"), ("Environment", "default")]),
            Some(&tags(&[("Environment", "test")])),
        );
        assert_eq!(all, tags(&[("Environment", "test"), ("Team", "pki")]));
    }

    #[test]
    fn own_tags_leave_out_matching_defaults_unless_configured() {
        let defaults = tags(&[("Team", "pki")]);
        let actual = tags(&[("Team", "pki"), ("Owner", "ca")]);
        assert_eq!(
            own(&actual, &defaults, None),
            Some(config_tags(&tags(&[("Owner", "ca")])))
        );
        assert_eq!(
            own(
                &actual,
                &defaults,
                Some(&config_tags(&tags(&[("Team", "pki")])))
            ),
            Some(config_tags(&actual))
        );
        assert_eq!(own(&tags(&[("Team", "pki")]), &defaults, None), None);
    }

    #[test]
    fn a_null_tag_is_a_placeholder_ignored_in_tags_all_and_kept_in_tags() {
        let defaults = tags(&[("Team", "pki")]);
        let configured: ConfigTags = BTreeMap::from([
            ("Env".to_string(), Attr::Null),
            ("Owner".to_string(), Attr::Known("ca".to_string())),
        ]);
        assert_eq!(
            plan_tags_all(&defaults, &Attr::Known(configured.clone())),
            Attr::Known(tags(&[("Owner", "ca"), ("Team", "pki")]))
        );
        // Read back from AWS: the null stays null, so the next plan is empty.
        let actual = tags(&[("Owner", "ca"), ("Team", "pki")]);
        assert_eq!(own(&actual, &defaults, Some(&configured)), Some(configured));
    }

    #[test]
    fn an_unknown_tag_value_makes_tags_all_known_after_apply() {
        let configured: ConfigTags = BTreeMap::from([
            ("Env".to_string(), Attr::Unknown),
            ("Owner".to_string(), Attr::Known("ca".to_string())),
        ]);
        assert_eq!(known(&configured), None);
        assert_eq!(
            plan_tags_all(&Tags::new(), &Attr::Known(configured)),
            Attr::Unknown
        );
        assert_eq!(plan_tags_all(&Tags::new(), &Attr::Unknown), Attr::Unknown);
        assert_eq!(
            plan_tags_all(&tags(&[("Team", "pki")]), &Attr::Null),
            Attr::Known(tags(&[("Team", "pki")]))
        );
    }

    #[test]
    fn changes_keep_aws_tags_and_touch_only_what_differs() {
        let have = tags(&[("aws:cloudformation:stack", "x"), ("A", "1"), ("B", "2")]);
        let want = tags(&[("A", "1"), ("C", "3")]);
        let none = IgnoreTags::default();
        let c = TagChanges::between(&have, &want, &none);
        assert_eq!(c.remove, vec!["B".to_string()]);
        assert_eq!(c.set, tags(&[("C", "3")]));
        assert!(TagChanges::between(&want, &want, &none).is_empty());
    }

    #[test]
    fn ignored_tags_are_never_removed_nor_set() {
        let ignore = IgnoreTags {
            keys: vec!["CostCenter".into()],
            key_prefixes: vec!["kubernetes.io/".into()],
        };
        let have = tags(&[
            ("CostCenter", "42"),
            ("kubernetes.io/role/elb", "1"),
            ("Old", "x"),
        ]);
        let want = tags(&[("CostCenter", "7"), ("New", "y")]);
        let c = TagChanges::between(&have, &want, &ignore);
        assert_eq!(c.remove, vec!["Old".to_string()]);
        assert_eq!(c.set, tags(&[("New", "y")]));
        assert_eq!(
            ignore.filter(&have),
            tags(&[("Old", "x")]),
            "read tags leave the ignored keys out"
        );
        assert!(
            !ignore.matches("kubernetes.io"),
            "a prefix matches from the start"
        );
        assert!(
            !IgnoreTags {
                keys: vec![],
                key_prefixes: vec![String::new()]
            }
            .matches("Any"),
            "an empty prefix ignores nothing"
        );
    }

    #[test]
    fn a_changed_value_of_an_existing_key_is_set_again() {
        let have = tags(&[("Owner", "pki"), ("Tier", "ca")]);
        let want = tags(&[("Owner", "security"), ("Tier", "ca")]);
        let c = TagChanges::between(&have, &want, &IgnoreTags::default());
        assert_eq!(c.set, tags(&[("Owner", "security")]));
        assert!(c.remove.is_empty(), "{c:?}");
        assert!(!c.is_empty());
        // An empty value is a value too.
        let c = TagChanges::between(
            &want,
            &tags(&[("Owner", ""), ("Tier", "ca")]),
            &IgnoreTags::default(),
        );
        assert_eq!(c.set, tags(&[("Owner", "")]));
    }

    #[test]
    fn elb_tags_are_none_when_empty_and_every_pair_otherwise() {
        assert_eq!(
            elb_tags(&Tags::new()),
            None,
            "ELBv2 takes no empty tag list"
        );
        let tags: Tags = [("Env", "prod"), ("Owner", "")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let sent: Vec<(String, String)> = elb_tags(&tags)
            .expect("tags")
            .iter()
            .map(|t| {
                (
                    t.key().unwrap_or_default().to_string(),
                    t.value().unwrap_or_default().to_string(),
                )
            })
            .collect();
        assert_eq!(
            sent,
            [
                ("Env".to_string(), "prod".to_string()),
                ("Owner".to_string(), String::new())
            ]
        );
    }

    #[test]
    fn ec2_tags_read_keys_and_values_and_tag_specs_carry_them() {
        let read = ec2_tags(&[
            Tag::builder().key("Owner").value("pki").build(),
            Tag::builder().key("Empty").build(),
            Tag::builder().value("no key").build(),
        ]);
        assert_eq!(read, tags(&[("Empty", ""), ("Owner", "pki")]));
        let spec = ec2_tag_spec(
            ResourceType::Vpc,
            &tags(&[("Owner", "pki"), ("Tier", "ca")]),
        );
        assert_eq!(spec.resource_type(), Some(&ResourceType::Vpc));
        assert_eq!(
            ec2_tags(spec.tags()),
            tags(&[("Owner", "pki"), ("Tier", "ca")])
        );
    }

    /// What `sync_ec2` asked EC2 to do: (DeleteTags keys, CreateTags pairs).
    async fn synced(have: &Tags, want: &Tags) -> (Vec<Vec<String>>, Vec<Tags>) {
        use aws_smithy_mocks::{RuleMode, mock};
        use std::sync::{Arc, Mutex};
        let deleted = Arc::new(Mutex::new(Vec::new()));
        let created = Arc::new(Mutex::new(Vec::new()));
        let (d, c) = (deleted.clone(), created.clone());
        let delete = mock!(aws_sdk_ec2::Client::delete_tags)
            .match_requests(move |r| {
                assert_eq!(r.resources(), ["vpc-1"]);
                let keys = r.tags().iter().filter_map(|t| t.key().map(String::from));
                d.lock().expect("lock").push(keys.collect());
                true
            })
            .then_output(|| {
                aws_sdk_ec2::operation::delete_tags::DeleteTagsOutput::builder().build()
            });
        let create = mock!(aws_sdk_ec2::Client::create_tags)
            .match_requests(move |r| {
                assert_eq!(r.resources(), ["vpc-1"]);
                c.lock().expect("lock").push(ec2_tags(r.tags()));
                true
            })
            .then_output(|| {
                aws_sdk_ec2::operation::create_tags::CreateTagsOutput::builder().build()
            });
        let ec2 = super::super::testing::ec2_client(RuleMode::MatchAny, &[&delete, &create], 0);
        sync_ec2(&ec2, "vpc-1", have, want, &IgnoreTags::default())
            .await
            .expect("synced");
        (
            deleted.lock().expect("lock").clone(),
            created.lock().expect("lock").clone(),
        )
    }

    #[tokio::test]
    async fn sync_sets_changed_and_new_values_and_deletes_dropped_keys_in_one_call_each() {
        let have = tags(&[
            ("aws:cloudformation:stack", "x"),
            ("Owner", "pki"),
            ("Old", "1"),
            ("Same", "s"),
        ]);
        let want = tags(&[("Owner", "security"), ("New", "2"), ("Same", "s")]);
        let (deleted, created) = synced(&have, &want).await;
        assert_eq!(deleted, vec![vec!["Old".to_string()]]);
        assert_eq!(created, vec![tags(&[("New", "2"), ("Owner", "security")])]);
        // Only removals: no CreateTags; only additions: no DeleteTags; equal: no call.
        let (deleted, created) =
            synced(&tags(&[("A", "1"), ("B", "2")]), &tags(&[("A", "1")])).await;
        assert_eq!((deleted.len(), created.len()), (1, 0));
        let (deleted, created) =
            synced(&tags(&[("A", "1")]), &tags(&[("A", "1"), ("B", "2")])).await;
        assert_eq!((deleted.len(), created.len()), (0, 1));
        let (deleted, created) = synced(&want, &want).await;
        assert_eq!((deleted.len(), created.len()), (0, 0));
    }

    #[test]
    fn a_filter_keeps_known_values_and_matches_only_objects_with_all_of_them() {
        let t = |pairs: &[(&str, &str)]| -> Tags {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let config: ConfigTags = [
            ("env".to_string(), Attr::Known("prod".to_string())),
            ("team".to_string(), Attr::Unknown),
            ("gone".to_string(), Attr::Null),
        ]
        .into_iter()
        .collect();
        assert_eq!(filter(&Attr::Known(config)), t(&[("env", "prod")]));
        assert_eq!(filter(&Attr::Null), Tags::new());
        let tags = t(&[("Name", "ca"), ("env", "prod")]);
        assert!(has_all(&tags, &t(&[])));
        assert!(has_all(&tags, &t(&[("env", "prod")])));
        assert!(!has_all(&tags, &t(&[("env", "prod"), ("team", "pki")])));
        assert!(!has_all(&tags, &t(&[("env", "dev")])));
    }
}
