//! Seed requirements as a check: every component the platform documents the project was
//! created from require (`docs/design/seed-*.md`) is mapped, in
//! `docs/design/seed-requirements.md`, to the generated module code that deploys it. This test
//! reads that table and fails when a row's quote is no longer in its seed document, or when
//! its evidence no longer holds in `modules/<platform>/` as `examples/<platform>/` calls it
//! (a chart dropped from the addons defaults, an EKS add-on left out, a resource removed, a
//! module no longer called). The evidence grammar is described in the table's header.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use acceptance::workspace_root;
use codegen::eval::{attr, label};
use hcl::{Block, Body, Expression};

const TABLE: &str = "docs/design/seed-requirements.md";

struct Row {
    platform: String,
    wording: String,
    evidence: Vec<String>,
}

fn table(root: &Path) -> Vec<Row> {
    let text = std::fs::read_to_string(root.join(TABLE)).expect(TABLE);
    let mut rows = Vec::new();
    for line in text.lines().filter(|l| l.starts_with("| ")) {
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
        if cells.len() != 4 || cells[0] == "platform" {
            continue;
        }
        let evidence = cells[3]
            .trim_matches('`')
            .split(';')
            .map(|e| e.trim().to_string())
            .filter(|e| !e.is_empty())
            .collect();
        rows.push(Row {
            platform: cells[0].to_string(),
            wording: cells[1].to_string(),
            evidence,
        });
    }
    rows
}

fn seed_document(platform: &str) -> &'static str {
    match platform {
        "solidity" => "docs/design/seed-solidity-aws-architecture.md",
        "trustchain" => "docs/design/seed-trustchain-infrastructure.md",
        other => panic!("{TABLE}: unknown platform {other:?}"),
    }
}

fn bodies(dir: &Path) -> Vec<Body> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "tf"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).expect("read .tf");
            hcl::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()))
        })
        .collect()
}

fn blocks<'a>(files: &'a [Body], kind: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
    files
        .iter()
        .flat_map(|b| b.blocks())
        .filter(move |b| b.identifier() == kind)
}

fn expr_text(e: &Expression) -> String {
    hcl::format::to_string(e).unwrap_or_else(|_| format!("{e:?}"))
}

fn literal(e: &Expression) -> Option<String> {
    match e {
        Expression::String(s) => Some(s.clone()),
        Expression::Bool(b) => Some(b.to_string()),
        Expression::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Does an attribute or nested block (also `dynamic "name"`) of that name, anywhere in the
/// body, contain the text?
fn contains(body: &Body, name: &str, text: &str) -> bool {
    body.attributes()
        .any(|a| a.key() == name && expr_text(a.expr()).contains(text))
        || body.blocks().any(|b| {
            let named =
                b.identifier() == name || (b.identifier() == "dynamic" && label(b, 0) == name);
            (named && hcl::format::to_string(&b.body).is_ok_and(|t| t.contains(text)))
                || contains(&b.body, name, text)
        })
}

/// The platform's example and what it passes to each call of a module.
struct Example {
    calls: BTreeMap<String, Vec<Body>>,
}

impl Example {
    fn load(root: &Path, platform: &str) -> Example {
        let files = bodies(&root.join("examples").join(platform));
        let mut calls: BTreeMap<String, Vec<Body>> = BTreeMap::new();
        for b in blocks(&files, "module") {
            let Some(source) = attr(&b.body, "source").and_then(literal) else {
                continue;
            };
            let prefix = format!("modules/{platform}/");
            if let Some(i) = source.find(&prefix) {
                calls
                    .entry(source[i + prefix.len()..].to_string())
                    .or_default()
                    .push(b.body.clone());
            }
        }
        Example { calls }
    }

    fn calls(&self, module: &str) -> Result<&[Body], String> {
        self.calls
            .get(module)
            .map(Vec::as_slice)
            .ok_or_else(|| format!("the example calls no modules/<platform>/{module}"))
    }
}

fn variable<'a>(files: &'a [Body], name: &str) -> Option<&'a Block> {
    blocks(files, "variable").find(|b| label(b, 0) == name)
}

fn default<'a>(files: &'a [Body], name: &str) -> Option<&'a Expression> {
    variable(files, name).and_then(|v| attr(&v.body, "default"))
}

/// Checks one piece of evidence; Err says what is missing.
fn check(root: &Path, platform: &str, example: &Example, evidence: &str) -> Result<(), String> {
    let words: Vec<&str> = evidence.split_whitespace().collect();
    let (kind, module) = match words.as_slice() {
        [kind, module, ..] => (*kind, *module),
        _ => return Err(format!("malformed evidence {evidence:?}")),
    };
    let dir = root.join("modules").join(platform).join(module);
    if !dir.is_dir() {
        return Err(format!("no module {}", dir.display()));
    }
    let files = bodies(&dir);
    let calls = example.calls(module)?;
    match (kind, &words[2..]) {
        ("resource", [address, conditions @ ..]) => {
            let (rtype, name) = address.split_once('.').unwrap_or((address, ""));
            let found: Vec<&Block> = blocks(&files, "resource")
                .filter(|b| label(b, 0) == rtype && (name.is_empty() || label(b, 1) == name))
                .collect();
            if found.is_empty() {
                return Err(format!(
                    "modules/{platform}/{module} declares no resource {address}"
                ));
            }
            for c in conditions {
                let (a, text) = c
                    .split_once('=')
                    .ok_or_else(|| format!("malformed condition {c:?}"))?;
                if !found.iter().any(|b| contains(&b.body, a, text)) {
                    return Err(format!(
                        "no {address} of modules/{platform}/{module} has {a} containing {text:?}"
                    ));
                }
            }
            Ok(())
        }
        ("chart", [chart]) => {
            let charts = default(&files, "charts").ok_or_else(|| {
                format!("modules/{platform}/{module} has no `charts` input with a default")
            })?;
            let Expression::Object(map) = charts else {
                return Err("the `charts` default is not a map".into());
            };
            let key = map
                .iter()
                .find(|(_, v)| match v {
                    Expression::Object(o) => o.iter().any(|(k, v)| {
                        expr_key(k) == "chart" && literal(v).as_deref() == Some(chart)
                    }),
                    _ => false,
                })
                .map(|(k, _)| expr_key(k))
                .ok_or_else(|| {
                    format!(
                        "no chart {chart:?} in the `charts` default of modules/{platform}/{module}"
                    )
                })?;
            let switch = format!("enable_{key}");
            if variable(&files, &switch).is_some() {
                if default(&files, &switch).and_then(literal).as_deref() != Some("true") {
                    return Err(format!("{switch} does not default to true"));
                }
                for call in calls {
                    if attr(call, &switch).and_then(literal).as_deref() == Some("false") {
                        return Err(format!("the example sets {switch} = false"));
                    }
                }
            }
            Ok(())
        }
        ("addon", [addon]) => {
            let listed = |e: &Expression| match e {
                Expression::Array(items) => {
                    items.iter().any(|i| literal(i).as_deref() == Some(addon))
                }
                _ => false,
            };
            if !default(&files, "addons").is_some_and(listed) {
                return Err(format!(
                    "the `addons` default of modules/{platform}/{module} does not list {addon}"
                ));
            }
            for call in calls {
                if let Some(passed) = attr(call, "addons")
                    && !listed(passed)
                {
                    return Err(format!(
                        "the example passes addons without {addon} (or not as a literal list)"
                    ));
                }
            }
            Ok(())
        }
        ("default", [input, value]) => {
            let d = default(&files, input).and_then(literal);
            if d.as_deref() != Some(value) {
                return Err(format!(
                    "{input} of modules/{platform}/{module} defaults to {d:?}, not {value}"
                ));
            }
            for call in calls {
                if let Some(passed) = attr(call, input).and_then(literal)
                    && passed != *value
                {
                    return Err(format!("the example passes {input} = {passed}"));
                }
            }
            Ok(())
        }
        _ => Err(format!("unknown evidence {evidence:?}")),
    }
}

fn expr_key(k: &hcl::ObjectKey) -> String {
    match k {
        hcl::ObjectKey::Identifier(i) => i.to_string(),
        hcl::ObjectKey::Expression(e) => literal(e).unwrap_or_else(|| expr_text(e)),
        _ => String::new(),
    }
}

#[test]
fn every_seed_requirement_is_deployed_by_the_generated_modules() {
    let root = workspace_root();
    let rows = table(&root);
    let mut problems = Vec::new();
    let mut examples = BTreeMap::new();
    let mut per_platform: BTreeMap<String, usize> = BTreeMap::new();
    for row in &rows {
        *per_platform.entry(row.platform.clone()).or_default() += 1;
        let doc = std::fs::read_to_string(root.join(seed_document(&row.platform)))
            .expect("seed document");
        if !doc.contains(&row.wording) {
            problems.push(format!(
                "{}: {:?} is not (or no longer) in {}",
                row.platform,
                row.wording,
                seed_document(&row.platform)
            ));
        }
        if row.evidence.is_empty() {
            problems.push(format!(
                "{}: {:?} has no evidence",
                row.platform, row.wording
            ));
        }
        let example = examples
            .entry(row.platform.clone())
            .or_insert_with(|| Example::load(&root, &row.platform));
        for e in &row.evidence {
            if let Err(why) = check(&root, &row.platform, example, e) {
                problems.push(format!("{}: {:?} ({e}): {why}", row.platform, row.wording));
            }
        }
    }
    println!("{} seed requirements checked: {per_platform:?}", rows.len());
    assert!(
        per_platform.get("solidity").copied().unwrap_or(0) >= 30
            && per_platform.get("trustchain").copied().unwrap_or(0) >= 15,
        "{TABLE} read as {per_platform:?}: rows lost?"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The checker refuses what is not there: each kind of evidence, pointed at something the
/// modules do not deploy, fails (so a requirement whose component is removed fails above).
#[test]
fn evidence_that_does_not_hold_fails() {
    let root = workspace_root();
    let solidity = Example::load(&root, "solidity");
    for bogus in [
        "resource compute aws_eks_fargate_profile",
        "resource database aws_db_instance.this engine=mysql",
        "resource backup aws_backup_plan copy_action=no_such_vault",
        "chart addons vertical-pod-autoscaler",
        "addon compute amazon-cloudwatch-observability",
        "default database backup_retention_days 7",
        "resource no_such_module aws_s3_bucket",
    ] {
        assert!(
            check(&root, "solidity", &solidity, bogus).is_err(),
            "{bogus} was accepted"
        );
    }
    for holds in [
        "chart addons cluster-autoscaler",
        "addon compute metrics-server",
        "resource backup aws_backup_plan copy_action=destination_vault_arn",
    ] {
        assert_eq!(
            check(&root, "solidity", &solidity, holds),
            Ok(()),
            "{holds}"
        );
    }
}
