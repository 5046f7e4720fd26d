//! The module validation pipeline (`make validate-modules`): every generated module
//! and example goes through `terraform fmt -check`, `init`, `validate` and (examples)
//! `plan` with real Terraform, offline, against two providers installed through
//! `dev_overrides`: the schema-only `hashicorp/aws` test provider and the real built
//! `trustchain/trustchain`. checkov runs once over all of it, beside the Terraform work.
//!
//! Modules are validated, not planned on their own: their required inputs are domain
//! values (CIDRs, ARNs, PEMs, subnet lists) behind validation rules, so generated
//! placeholders would test the placeholders. The examples are the maintained, realistic
//! callers: each is planned with each of its `env/*.tfvars`, and the planned resources
//! are credited to the module that declares them.
//!
//! A module that uses a `trustchain_*` resource or data source the built provider does
//! not serve (read from its `terraform providers schema -json`) is "pending", never
//! passed; its other validate errors and its checkov results still count.
//!
//! The same checkov run loads the project's rule pack (`tests/rule-pack/`, see
//! [`crate::rule_pack`]); its results get their own column and failures the stage
//! `rule-pack`.

mod checkov;
mod env;
mod files;
mod report;

use checkov::*;
use env::*;
pub use files::copy_tree;
use files::*;
pub use report::*;

use crate::rule_pack;
use crate::{built_binary, target_dir, terraform_bin, workspace_root};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

/// Inputs a user passes outside the committed tfvars (secrets from the environment,
/// the emulator address), given to `plan` as `TF_VAR_*`: (example, variable, value).
const EXTRA_INPUTS: &[(&str, &str, &str)] = &[
    ("examples/quickstart", "endpoint", "http://127.0.0.1:1"),
    (
        "examples/solidity",
        "redis_auth_token",
        "schema-only-redis-auth-token-0123456789",
    ),
    (
        "examples/solidity",
        "db_master_password",
        "schema-only-db-master-password-0123",
    ),
];

/// The quickstart's demo CA variables, made as `make demo` makes them (a fresh root
/// CA from Python's `cryptography`, tests/emulator/testca_cli.py): the CloudHSM
/// initialization checks the PEM at plan time.
fn demo_ca() -> Vec<(String, String)> {
    let ca = crate::test_root_ca("Quickstart Demo Root CA");
    let pem = |k: &str| ca[k].as_str().unwrap_or_default().to_string();
    vec![
        ("demo_ca_certificate_pem".into(), pem("cert")),
        ("demo_ca_private_key_pem".into(), pem("key")),
    ]
}

/// The provider whose resources may be pending, by local name prefix of its types.
const OWN_PROVIDER: &str = "registry.terraform.io/trustchain/trustchain";
const OWN_PREFIX: &str = "trustchain_";

/// One directory the pipeline checks.
#[derive(Clone, Debug)]
pub struct Target {
    /// Repository-relative path, e.g. `modules/trustchain/networking`.
    pub name: String,
    /// Examples are planned (with each `env/*.tfvars`); modules are validated.
    pub plan: bool,
}

/// What to run.
#[derive(Clone, Debug)]
pub struct Options {
    /// Run checkov once over all targets (the real pipeline). Off for fixtures that
    /// test the Terraform stages.
    pub checkov: bool,
    /// Parallel Terraform workers (`TRUSTCHAIN_VALIDATE_JOBS`, else one per core).
    pub jobs: usize,
    /// The directory target names are relative to ([`source_root`] by default).
    pub root: PathBuf,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            checkov: true,
            jobs: std::env::var("TRUSTCHAIN_VALIDATE_JOBS")
                .ok()
                .and_then(|j| j.parse().ok())
                .unwrap_or_else(|| {
                    std::thread::available_parallelism()
                        .map(|n| n.get())
                        .unwrap_or(2)
                }),
            root: source_root(),
        }
    }
}

/// Where the modules and examples are read from: `TRUSTCHAIN_VALIDATE_ROOT` (e.g. an
/// exported commit, to check it without touching the checkout), else the workspace.
pub fn source_root() -> PathBuf {
    std::env::var_os("TRUSTCHAIN_VALIDATE_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(workspace_root)
}

/// The generated modules (`modules/<platform>/<module>`) and the examples, sorted.
pub fn discover() -> Vec<Target> {
    let root = source_root();
    let mut targets = Vec::new();
    for platform in sorted_dirs(&root.join("modules")) {
        for module in sorted_dirs(&platform) {
            if has_tf_files(&module) {
                targets.push(Target {
                    name: rel(&root, &module),
                    plan: false,
                });
            }
        }
    }
    for example in ["quickstart", "solidity", "trustchain"] {
        let dir = root.join("examples").join(example);
        if has_tf_files(&dir) {
            targets.push(Target {
                name: format!("examples/{example}"),
                plan: true,
            });
        }
    }
    targets
}

/// Runs the pipeline over `targets` (repository-relative directories).
pub fn run(targets: &[Target], options: &Options) -> Report {
    let start = std::time::Instant::now();
    let env = Env::new(&options.root, targets);
    let provider_types = env.provider_types();
    let checkov = options
        .checkov
        .then(|| (env.checkov_root.clone(), rule_pack::pack_dir(&options.root)));
    let queue: Mutex<VecDeque<&Target>> = Mutex::new({
        // Longest first: examples plan several environments.
        let mut q: Vec<&Target> = targets.iter().collect();
        q.sort_by_key(|t| !t.plan);
        q.into_iter().collect()
    });
    let results: Mutex<Vec<(TargetResult, Vec<PlannedChange>)>> = Mutex::new(Vec::new());
    let checkov_out = std::thread::scope(|s| {
        let ck = checkov.map(|(root, pack)| {
            s.spawn(move || {
                let start = std::time::Instant::now();
                (run_checkov(&root, &pack), start.elapsed().as_secs_f64())
            })
        });
        for _ in 0..options.jobs.max(1) {
            s.spawn(|| {
                loop {
                    let next = queue.lock().ok().and_then(|mut q| q.pop_front());
                    let Some(t) = next else { break };
                    let start = std::time::Instant::now();
                    let mut r = env.check(t, &provider_types);
                    r.0.seconds = start.elapsed().as_secs_f64();
                    if let Ok(mut all) = results.lock() {
                        all.push(r);
                    }
                }
            });
        }
        ck.map(|h| {
            h.join()
                .unwrap_or_else(|_| (Err("checkov thread panicked".into()), 0.0))
        })
    });
    let mut report = Report::default();
    let mut planned: Vec<PlannedChange> = Vec::new();
    let mut results = results.into_inner().unwrap_or_default();
    results.sort_by(|a, b| a.0.name.cmp(&b.0.name));
    for (r, p) in results {
        report.results.push(r);
        planned.extend(p);
    }
    credit_planned_changes(&mut report, &planned);
    report.checkov_seconds = checkov_out.as_ref().map(|(_, t)| *t);
    report.seconds = start.elapsed().as_secs_f64();
    match checkov_out.map(|(r, _)| r) {
        None => {}
        Some(Ok(results)) => attribute_checkov(&mut report, &env, results),
        Some(Err(e)) => report.general.push(Failure {
            target: "(all)".into(),
            stage: "checkov".into(),
            envs: String::new(),
            file: String::new(),
            line: 0,
            message: e,
        }),
    }
    report
}

/// Writes the table where `make test` prints it from after the run.
pub fn save_table(table: &str) {
    let dir = target_dir().join("validate-modules");
    if std::fs::create_dir_all(&dir).is_ok() {
        let _ = std::fs::write(dir.join("table.txt"), table);
    }
}

/// A planned resource change of an example, for crediting to the module declaring it.
pub(crate) struct PlannedChange {
    pub(crate) env: String,
    /// Repository-relative directory of the module that declares the resource.
    pub(crate) module_dir: String,
}

pub(crate) fn credit_planned_changes(report: &mut Report, planned: &[PlannedChange]) {
    let plan_failures: Vec<Failure> = merge_envs(
        &report
            .results
            .iter()
            .flat_map(|r| &r.failures)
            .filter(|f| f.stage == "plan")
            .cloned()
            .collect::<Vec<_>>(),
    );
    for r in &mut report.results {
        if !r.plans.is_empty() {
            continue;
        }
        for p in planned.iter().filter(|p| p.module_dir == r.name) {
            *r.planned_via_examples.entry(p.env.clone()).or_default() += 1;
        }
        let dir = format!("{}/", r.name);
        r.plan_failures_via_examples = plan_failures
            .iter()
            .filter(|f| f.file.starts_with(&dir))
            .count();
    }
    // Modules no plan reached: say why (their examples are pending or failed).
    let callers: Vec<(Vec<String>, Vec<Stage>)> = report
        .results
        .iter()
        .filter(|r| !r.plans.is_empty())
        .map(|r| (r.calls.clone(), r.plans.iter().map(|p| p.1).collect()))
        .collect();
    for r in &mut report.results {
        if !r.plans.is_empty() || !r.planned_via_examples.is_empty() {
            continue;
        }
        let stages: Vec<Stage> = callers
            .iter()
            .filter(|(calls, _)| calls.contains(&r.name))
            .flat_map(|(_, s)| s.iter().copied())
            .collect();
        r.via_examples = if stages.contains(&Stage::Pending) {
            Some(Stage::Pending)
        } else if stages.is_empty() {
            None
        } else {
            Some(Stage::NotRun)
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_keys_drop_instance_keys() {
        assert_eq!(module_key("module.networking"), "networking");
        assert_eq!(module_key("module.a[0].module.b[\"x\"]"), "a.b");
        assert_eq!(module_key(""), "");
    }

    #[test]
    fn paths_normalize_lexically() {
        assert_eq!(
            normalize(Path::new("/t/examples/solidity/../../modules/x/main.tf")),
            PathBuf::from("/t/modules/x/main.tf")
        );
    }
}
