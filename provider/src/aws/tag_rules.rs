//! AWS's tag rules, per service, checked at plan time at the attribute to change:
//! the reserved `aws:` prefix, key and value lengths, allowed characters where the
//! service restricts them, and the 50 tags an object may carry.
//!
//! Sources (quoted in tests/emulator/README.md):
//! - EC2: API reference, Tag ("accept a maximum of 127 Unicode characters. May not
//!   begin with aws:", values "a maximum of 256"); user guide, Tag restrictions
//!   ("Maximum number of tags per resource - 50", "Maximum key length - 128 Unicode
//!   characters", "EC2 allows for any character in its tags"). The two texts differ
//!   by one on the key; the check takes 128 so it never refuses a key AWS accepts.
//! - ELBv2: API reference, Tag (key 1-128, value 0-256, both matching
//!   `^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`); user guide, "Tag a Network Load Balancer"
//!   ("Maximum number of tags per resource-50", "Do not use the aws: prefix").
//! - CloudHSM: API reference, Tag (key 1-128, value 0-256, the same pattern) and
//!   TagResource ("Maximum number of 50 items").
//! - All: the tagging guide reserves "aws:, AWS:, or any upper or lowercase
//!   combination"; tags with it "do not count against your tags per resource limit".
//!
//! Values may be unknown at plan time: a rule about a value is skipped then (AWS
//! checks it at apply). Keys of a map are always known.

use super::tags::{ConfigTags, Tags};
use tfplugin::diag::{Diagnostic, Diagnostics};
use tfplugin::value::AttributePath;

/// One service's tag rules.
#[derive(Clone, Copy, Debug)]
pub struct TagRules {
    pub service: &'static str,
    pub max_key: usize,
    pub max_value: usize,
    pub max_tags: usize,
    /// Keys and values limited to letters, numbers, spaces and `_.:/=+-@`.
    pub restricted_characters: bool,
}

pub const EC2: TagRules = TagRules {
    service: "EC2",
    max_key: 128,
    max_value: 256,
    max_tags: 50,
    restricted_characters: false,
};

pub const ELBV2: TagRules = TagRules {
    service: "Elastic Load Balancing",
    max_key: 128,
    max_value: 256,
    max_tags: 50,
    restricted_characters: true,
};

pub const CLOUDHSM: TagRules = TagRules {
    service: "CloudHSM",
    max_key: 128,
    max_value: 256,
    max_tags: 50,
    restricted_characters: true,
};

pub const RESERVED_PREFIX: &str = "aws:";

/// Whether AWS reserves `key` (any case of `aws:`).
pub fn is_reserved(key: &str) -> bool {
    key.get(..RESERVED_PREFIX.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(RESERVED_PREFIX))
}

/// The pattern `^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`: letters, separators (spaces),
/// numbers and `_.:/=+-@`.
fn allowed_character(c: char) -> bool {
    c.is_alphabetic()
        || c.is_numeric()
        || (c.is_whitespace() && !c.is_control())
        || "_.:/=+-@".contains(c)
}

/// The first character the service refuses in `s`.
fn refused_character(rules: &TagRules, s: &str) -> Option<char> {
    if !rules.restricted_characters {
        return None;
    }
    s.chars().find(|c| !allowed_character(*c))
}

/// The tags a configuration sets, as `check_tags` takes them: a null value is no
/// tag; an unknown value is `None` (checked once known).
pub fn config_pairs(tags: &ConfigTags) -> impl Iterator<Item = (&str, Option<&str>)> {
    tags.iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k.as_str(), v.known().map(String::as_str)))
}

/// Checks each tag of a map at `path` (the map attribute): keys are known, a
/// value is `None` while unknown. `origin` names where the map comes from when it
/// is not the attribute itself (e.g. the provider's default_tags).
pub fn check_tags<'a>(
    rules: &TagRules,
    tags: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
    path: &AttributePath,
    origin: Option<&str>,
) -> Diagnostics {
    let mut d = Diagnostics::new();
    let from = origin.map(|o| format!(" (from {o})")).unwrap_or_default();
    for (key, value) in tags {
        let at = if origin.is_some() {
            path.clone()
        } else {
            path.clone().key(key)
        };
        let chars = key.chars().count();
        if is_reserved(key) {
            d.push(
                Diagnostic::error(
                    "Reserved tag key",
                    format!(
                        "Tag key {key:?}{from} starts with aws:, which AWS reserves for its own tags (in any letter case); {} refuses it. Rename the key.",
                        rules.service
                    ),
                )
                .at(at.clone()),
            );
            continue;
        }
        if chars == 0 && rules.restricted_characters {
            d.push(
                Diagnostic::error(
                    "Empty tag key",
                    format!(
                        "{} tag keys have 1 to {} characters{from}; give the tag a key.",
                        rules.service, rules.max_key
                    ),
                )
                .at(at.clone()),
            );
        }
        if chars > rules.max_key {
            d.push(
                Diagnostic::error(
                    "Tag key too long",
                    format!(
                        "{} tag keys have at most {} characters; {:?}...{from} has {chars}. Shorten it.",
                        rules.service,
                        rules.max_key,
                        key.chars().take(32).collect::<String>()
                    ),
                )
                .at(at.clone()),
            );
        }
        if let Some(c) = refused_character(rules, key) {
            d.push(
                Diagnostic::error(
                    "Invalid character in tag key",
                    format!(
                        "{} tag keys may hold letters, numbers, spaces and _ . : / = + - @ only; {key:?}{from} has {c:?}.",
                        rules.service
                    ),
                )
                .at(at.clone()),
            );
        }
        let Some(value) = value else { continue };
        let vchars = value.chars().count();
        if vchars > rules.max_value {
            d.push(
                Diagnostic::error(
                    "Tag value too long",
                    format!(
                        "{} tag values have at most {} characters; the value of {key:?}{from} has {vchars}. Shorten it.",
                        rules.service, rules.max_value
                    ),
                )
                .at(at.clone()),
            );
        }
        if let Some(c) = refused_character(rules, value) {
            d.push(
                Diagnostic::error(
                    "Invalid character in tag value",
                    format!(
                        "{} tag values may hold letters, numbers, spaces and _ . : / = + - @ only; the value of {key:?}{from} has {c:?}.",
                        rules.service
                    ),
                )
                .at(at),
            );
        }
    }
    d
}

/// Checks how many tags one object gets: `keys` is every key it carries (the
/// merged tags and what the provider adds), `what` names the object and where the
/// tags come from. `aws:` keys do not count.
pub fn check_count<'a>(
    rules: &TagRules,
    keys: impl IntoIterator<Item = &'a str>,
    path: &AttributePath,
    what: &str,
) -> Diagnostics {
    let mut d = Diagnostics::new();
    let n = keys.into_iter().filter(|k| !is_reserved(k)).count();
    if n > rules.max_tags {
        d.push(
            Diagnostic::error(
                "Too many tags",
                format!(
                    "{} allows {} tags per resource; {what} would carry {n}. Remove {} tags.",
                    rules.service,
                    rules.max_tags,
                    n - rules.max_tags
                ),
            )
            .at(path.clone()),
        );
    }
    d
}

/// The provider's default_tags a resource inherits: the keys of `tags_all` (`all`,
/// default_tags merged under the resource's own `tags`, without ignore_tags) that
/// its own tags do not set; checked and reported at its `tags` attribute.
pub fn check_inherited(
    rules: &TagRules,
    own: Option<&ConfigTags>,
    all: &Tags,
    path: &AttributePath,
) -> Diagnostics {
    let inherited = all
        .iter()
        .filter(|(k, _)| own.is_none_or(|o| !o.contains_key(*k)))
        .map(|(k, v)| (k.as_str(), Some(v.as_str())));
    check_tags(rules, inherited, path, Some("the provider's default_tags"))
}

/// Plan-time checks of a resource whose objects carry exactly `tags_all`: the
/// default_tags it inherits, and the count.
pub fn check_merged(
    rules: &TagRules,
    own: Option<&ConfigTags>,
    all: &Tags,
    path: &AttributePath,
    what: &str,
) -> Diagnostics {
    let mut d = check_inherited(rules, own, all, path);
    d.extend(check_count(
        rules,
        all.keys().map(String::as_str),
        path,
        what,
    ));
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> AttributePath {
        AttributePath::root().attr("tags")
    }

    fn check(rules: &TagRules, pairs: &[(&str, Option<&str>)]) -> Vec<(String, String)> {
        check_tags(rules, pairs.iter().copied(), &at(), None)
            .iter()
            .map(|d| {
                (
                    d.summary.clone(),
                    d.attribute
                        .as_ref()
                        .map(|p| p.to_string())
                        .unwrap_or_default(),
                )
            })
            .collect()
    }

    #[test]
    fn the_aws_prefix_is_refused_in_any_case_at_the_key() {
        for key in ["aws:owner", "AWS:owner", "Aws:x"] {
            assert_eq!(
                check(&EC2, &[(key, Some("x"))]),
                vec![("Reserved tag key".into(), format!("tags[{key:?}]"))]
            );
        }
        assert!(check(&EC2, &[("owner:aws", Some("x")), ("aws", Some("x"))]).is_empty());
    }

    #[test]
    fn key_and_value_lengths_count_characters_not_bytes() {
        let k128 = "é".repeat(128);
        let v256 = "ü".repeat(256);
        assert!(check(&EC2, &[(&k128, Some(&v256))]).is_empty());
        let k129 = "k".repeat(129);
        let v257 = "v".repeat(257);
        let got = check(&EC2, &[(&k129, Some("v")), ("ok", Some(&v257))]);
        let summaries: Vec<&str> = got.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(summaries, ["Tag key too long", "Tag value too long"]);
        assert_eq!(got[1].1, "tags[\"ok\"]");
    }

    #[test]
    fn unknown_values_skip_the_value_rules() {
        assert!(check(&ELBV2, &[("Env", None)]).is_empty());
        let bad = check(&ELBV2, &[("aws:x", None)]);
        assert_eq!(bad.len(), 1, "the key is still checked: {bad:?}");
    }

    #[test]
    fn elbv2_and_cloudhsm_restrict_characters_ec2_does_not() {
        let pairs = [("team#1", Some("a,b")), ("", Some(""))];
        let elb = check(&ELBV2, &pairs);
        let summaries: Vec<&str> = elb.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(
            summaries,
            [
                "Invalid character in tag key",
                "Invalid character in tag value",
                "Empty tag key"
            ]
        );
        assert_eq!(check(&CLOUDHSM, &pairs).len(), 3);
        assert!(check(&EC2, &[("team#1", Some("a,b"))]).is_empty());
        // Letters of any script, numbers, spaces and the punctuation AWS lists.
        assert!(check(&ELBV2, &[("Équipe 1_.:/=+-@", Some("données 数据 ٣"))]).is_empty());
    }

    #[test]
    fn default_tags_are_reported_at_the_resource_tags_naming_their_origin() {
        let d = check_tags(
            &EC2,
            [("aws:team", Some("x"))],
            &at(),
            Some("the provider's default_tags"),
        );
        let diag = d.iter().next().expect("a diagnostic");
        assert_eq!(
            diag.attribute.as_ref().map(|p| p.to_string()),
            Some("tags".into())
        );
        assert!(diag.detail.contains("default_tags"), "{}", diag.detail);
    }

    #[test]
    fn fifty_tags_fit_fifty_one_do_not_and_aws_tags_do_not_count() {
        let keys: Vec<String> = (0..50).map(|i| format!("k{i}")).collect();
        let mut with_aws = keys.clone();
        with_aws.push("aws:cloudformation:stack-name".into());
        assert!(
            check_count(&EC2, with_aws.iter().map(String::as_str), &at(), "the VPC").is_empty()
        );
        let mut over = keys;
        over.push("Name".into());
        let d = check_count(&EC2, over.iter().map(String::as_str), &at(), "the VPC");
        let diag = d.iter().next().expect("too many");
        assert_eq!(diag.summary, "Too many tags");
        assert!(
            diag.detail.contains("51") && diag.detail.contains("Remove 1"),
            "{}",
            diag.detail
        );
    }
}
