//! The checkov rule pack (`tests/rule-pack/`): every policy fires on its fixture's
//! `violates*` resources, passes its `fixed*` resources, and says which AWS rule it
//! encodes and where AWS documents it. `make validate-modules` runs the same pack over the
//! modules and examples (acceptance::validate_modules).

use std::collections::BTreeSet;

use acceptance::rule_pack::{self, Policy};
use acceptance::workspace_root;

fn pack() -> Vec<Policy> {
    let policies = rule_pack::policies(&workspace_root());
    assert!(
        !policies.is_empty(),
        "no policies under {}",
        rule_pack::pack_dir(&workspace_root()).display()
    );
    policies
}

#[test]
fn every_policy_fires_on_its_fixture_and_passes_the_fixed_variant() {
    let root = workspace_root();
    let policies = pack();
    let ids: Vec<String> = policies.iter().map(|p| p.id.clone()).collect();
    let results = rule_pack::run_on_fixtures(&root, &ids).expect("checkov over the fixtures");
    let ids: BTreeSet<String> = ids.into_iter().collect();
    let tally = rule_pack::tally(&results);
    let mut problems = Vec::new();
    let mut table =
        String::from("| policy | kind | violates: fired | fixed: passed |\n|---|---|---|---|\n");
    for p in &policies {
        let [fired, missed, passed, wrongly_failed] = tally.get(&p.id).cloned().unwrap_or_default();
        table.push_str(&format!(
            "| {} | {} | {}/{} | {}/{} |\n",
            p.id,
            p.kind,
            fired.len(),
            fired.len() + missed.len(),
            passed.len(),
            passed.len() + wrongly_failed.len()
        ));
        if fired.is_empty() {
            problems.push(format!(
                "{}: fired on no `violates*` resource of its fixture",
                p.id
            ));
        }
        if !missed.is_empty() {
            problems.push(format!("{}: did not fire on {missed:?}", p.id));
        }
        if passed.is_empty() {
            problems.push(format!(
                "{}: its fixture has no `fixed*` resource that passes",
                p.id
            ));
        }
        if !wrongly_failed.is_empty() {
            problems.push(format!(
                "{}: fired on the fixed variant {wrongly_failed:?}",
                p.id
            ));
        }
    }
    // Every `violates*` / `fixed*` block of a fixture (resource, data source or module call,
    // in any file of the fixture) got a result from its policy: a block the policy never
    // evaluates (a kind it does not read, a root-level resource a module-call check skips)
    // would otherwise count as neither fired nor passed.
    let evaluated: BTreeSet<(String, String)> = results
        .iter()
        .filter(|r| r.fixture == r.check_id)
        .map(|r| {
            let name = r.resource.rsplit('.').next().unwrap_or(&r.resource);
            let name = name.split('[').next().unwrap_or(name);
            (r.fixture.clone(), name.to_string())
        })
        .collect();
    for (fixture, kind, name) in named_fixture_blocks(&rule_pack::fixtures_dir(&root)) {
        if ids.contains(&fixture) && !evaluated.contains(&(fixture.clone(), name.clone())) {
            problems.push(format!(
                "{fixture}: {kind} {name:?} got no result from {fixture} (the policy never evaluates it)"
            ));
        }
    }
    println!("{table}");
    assert!(problems.is_empty(), "{}\n{table}", problems.join("\n"));
}

/// (fixture, block kind, name) of every `violates*` / `fixed*` resource, data source and
/// module call in the fixtures' `.tf` files, at any depth of each fixture directory.
fn named_fixture_blocks(dir: &std::path::Path) -> Vec<(String, String, String)> {
    fn walk(path: &std::path::Path, fixture: &str, out: &mut Vec<(String, String, String)>) {
        let Ok(entries) = std::fs::read_dir(path) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, fixture, out);
            } else if p.extension().is_some_and(|x| x == "tf") {
                let text = std::fs::read_to_string(&p).expect("fixture file");
                let body: hcl::Body =
                    hcl::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
                for b in body.blocks() {
                    let name = match b.identifier() {
                        "resource" | "data" => b.labels().get(1),
                        "module" => b.labels().first(),
                        _ => None,
                    };
                    if let Some(name) = name.map(|l| l.as_str())
                        && (name.starts_with("violates") || name.starts_with("fixed"))
                    {
                        out.push((
                            fixture.to_string(),
                            b.identifier().to_string(),
                            name.to_string(),
                        ));
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("fixtures dir").flatten() {
        if e.path().is_dir() {
            let fixture = e.file_name().to_string_lossy().into_owned();
            walk(&e.path(), &fixture, &mut out);
        }
    }
    out.sort();
    out
}

#[test]
fn every_policy_names_its_aws_rule_and_documentation() {
    for p in pack() {
        let file = p.file.display();
        let rule = p.aws_rule.unwrap_or_default();
        assert!(
            rule.len() > 40,
            "{file}: no `AWS rule:` paragraph saying what AWS does"
        );
        let link = p.guideline.unwrap_or_default();
        assert!(
            link.starts_with("https://docs.aws.amazon.com/"),
            "{file}: guideline should link the AWS documentation, got {link:?}"
        );
    }
}

#[test]
fn the_pack_readme_lists_every_policy() {
    let readme = std::fs::read_to_string(rule_pack::pack_dir(&workspace_root()).join("README.md"))
        .expect("tests/rule-pack/README.md");
    for p in pack() {
        assert!(
            readme.contains(&format!("| {} |", p.id)),
            "tests/rule-pack/README.md has no row for {}",
            p.id
        );
    }
}

#[test]
fn every_policy_has_one_fixture_and_every_fixture_one_policy() {
    let root = workspace_root();
    let ids: BTreeSet<String> = pack().into_iter().map(|p| p.id).collect();
    let fixtures: BTreeSet<String> = std::fs::read_dir(rule_pack::fixtures_dir(&root))
        .expect("fixtures dir")
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let no_fixture: Vec<&String> = ids.difference(&fixtures).collect();
    let no_policy: Vec<&String> = fixtures.difference(&ids).collect();
    assert!(
        no_fixture.is_empty(),
        "policies without a fixture: {no_fixture:?}"
    );
    assert!(
        no_policy.is_empty(),
        "fixtures without a policy: {no_policy:?}"
    );
}

/// The secrets-in-state policy (CKV_TC_1) names resource kinds and the arguments that
/// would put a secret in state (`IN_STATE`, plus the SecureString `value` of
/// `aws_ssm_parameter`): its fixture has a `violates*` resource setting each of them,
/// so a kind dropped from the list (or never matched) fails the fixture run above.
#[test]
fn the_secrets_in_state_fixture_sets_every_argument_the_policy_names() {
    let root = workspace_root();
    let policy = std::fs::read_to_string(root.join("tests/rule-pack/python/tc_secret_in_state.py"))
        .expect("tc_secret_in_state.py");
    let table = policy
        .split_once("IN_STATE = {")
        .and_then(|(_, rest)| rest.split_once('}'))
        .map(|(t, _)| t)
        .expect("an IN_STATE = { ... } table in tc_secret_in_state.py");
    let quoted = |s: &str| -> Vec<String> {
        s.split('"')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    };
    let mut named: Vec<(String, String)> = Vec::new();
    for line in table.lines().filter(|l| l.contains(':')) {
        let (kind, args) = line.split_once(':').expect("kind: [args]");
        let kind = quoted(kind).pop().expect("a quoted resource kind");
        for a in quoted(args) {
            named.push((kind.clone(), a));
        }
    }
    assert!(named.len() >= 8, "IN_STATE read as {named:?}");
    // The one kind checked outside the table: a SecureString's value.
    assert!(
        policy.contains("+ [\"aws_ssm_parameter\"]") && policy.contains("keys = [\"value\"]"),
        "tc_secret_in_state.py no longer checks aws_ssm_parameter's value as read here"
    );
    named.push(("aws_ssm_parameter".into(), "value".into()));

    let fixture = rule_pack::fixtures_dir(&root).join("CKV_TC_1/main.tf");
    let body: hcl::Body = hcl::from_str(&std::fs::read_to_string(&fixture).expect("fixture"))
        .expect("fixture parses");
    let violating: Vec<(String, Vec<String>)> = body
        .blocks()
        .filter(|b| b.identifier() == "resource")
        .filter(|b| {
            b.labels()
                .get(1)
                .is_some_and(|n| n.as_str().starts_with("violates"))
        })
        .map(|b| {
            let kind = b.labels()[0].as_str().to_string();
            let args = b.body.attributes().map(|a| a.key().to_string()).collect();
            (kind, args)
        })
        .collect();
    let missing: Vec<String> = named
        .iter()
        .filter(|(kind, arg)| {
            !violating
                .iter()
                .any(|(k, args)| k == kind && args.contains(arg))
        })
        .map(|(kind, arg)| format!("{kind}.{arg}"))
        .collect();
    assert!(
        missing.is_empty(),
        "{}: no `violates*` resource sets {missing:?}",
        fixture.display()
    );
}
