//! checkov over the copied tree with the rule pack, its results credited to targets.

use super::*;

use codegen::checkov::Finding;

/// checkov once over the whole copy (its own root, so paths are unambiguous), with
/// its own checks and the project's rule pack; its report read by
/// [`codegen::checkov::findings`].
pub(crate) fn run_checkov(root: &Path, pack: &Path) -> Result<Vec<Finding>, String> {
    codegen::checkov::findings(&rule_pack::run_checkov(root, pack, None)?)
}

/// Each result goes to the target whose directory holds the file (a module's resource
/// checked through an example's module call counts for the module, caller noted).
pub(crate) fn attribute_checkov(report: &mut Report, env: &Env, results: Vec<Finding>) {
    let root = normalize(&env.checkov_root);
    for r in &mut report.results {
        r.checkov = Some(CheckovCounts::default());
        r.rule_pack = Some(CheckovCounts::default());
    }
    for c in results {
        let file = normalize(&c.file);
        let rel_file = file
            .strip_prefix(&root)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| file.display().to_string());
        let owner = report
            .results
            .iter_mut()
            .filter(|r| rel_file.starts_with(&format!("{}/", r.name)))
            .max_by_key(|r| r.name.len());
        let Some(owner) = owner else {
            if c.outcome == "failed" {
                report.general.push(Failure {
                    target: "(none)".into(),
                    stage: "checkov".into(),
                    envs: String::new(),
                    file: rel_file,
                    line: c.line,
                    message: format!("{} {} ({})", c.check_id, c.check_name, c.resource),
                });
            }
            continue;
        };
        let pack = rule_pack::is_pack_id(&c.check_id);
        let counts = if pack {
            owner.rule_pack.get_or_insert_with(Default::default)
        } else {
            owner.checkov.get_or_insert_with(Default::default)
        };
        match c.outcome {
            "passed" => counts.passed += 1,
            "skipped" => counts.skipped += 1,
            _ => {
                counts.failed += 1;
                let via = c
                    .caller
                    .map(|p| format!(", via {}", p.trim_start_matches('/')))
                    .unwrap_or_default();
                owner.failures.push(Failure {
                    target: owner.name.clone(),
                    stage: if pack { "rule-pack" } else { "checkov" }.into(),
                    envs: String::new(),
                    file: rel_file,
                    line: c.line,
                    message: format!("{} {} ({}{via})", c.check_id, c.check_name, c.resource),
                });
            }
        }
    }
}
