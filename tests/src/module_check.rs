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

/// One problem, located.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Failure {
    /// Where it was found: the module or example being checked.
    pub target: String,
    /// `fmt`, `init`, `validate`, `plan`, `checkov`.
    pub stage: String,
    /// The environments (tfvars) a plan failed with, e.g. `dev, prod`.
    pub envs: String,
    /// Repository-relative file, when known.
    pub file: String,
    pub line: u64,
    pub message: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = match (self.file.as_str(), self.line) {
            ("", _) => String::new(),
            (file, 0) => format!(" {file}:"),
            (file, line) => format!(" {file}:{line}:"),
        };
        let stage = if self.envs.is_empty() {
            self.stage.clone()
        } else {
            format!("{} {}", self.stage, self.envs)
        };
        write!(f, "{} [{stage}]{at} {}", self.target, self.message)
    }
}

/// One entry per distinct problem: the same plan error in several environments
/// becomes one failure listing them.
fn merge_envs(failures: &[Failure]) -> Vec<Failure> {
    let mut out: Vec<Failure> = Vec::new();
    for f in failures {
        let same = out.iter_mut().find(|o| {
            (&o.target, &o.stage, &o.file, o.line, &o.message)
                == (&f.target, &f.stage, &f.file, f.line, &f.message)
        });
        match same {
            Some(o) if !f.envs.is_empty() => o.envs = format!("{}, {}", o.envs, f.envs),
            Some(_) => {}
            None => out.push(f.clone()),
        }
    }
    out
}

#[derive(Clone, Debug, Default)]
pub struct CheckovCounts {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

/// Per-target outcome.
#[derive(Clone, Debug, Default)]
pub struct TargetResult {
    pub name: String,
    pub fmt: Stage,
    pub validate: Stage,
    /// (environment, stage, planned resource changes) per plan run.
    pub plans: Vec<(String, Stage, usize)>,
    /// `trustchain_*` types used here (or in called modules) the provider lacks.
    pub pending: BTreeSet<String>,
    pub checkov: Option<CheckovCounts>,
    /// Results of the project's rule pack (checks `CKV_TC_*`, `CKV2_TC_*`).
    pub rule_pack: Option<CheckovCounts>,
    pub failures: Vec<Failure>,
    /// Resource changes credited to this module by the examples' plans, per env.
    pub planned_via_examples: BTreeMap<String, usize>,
    /// Distinct plan errors of the examples located in this module's files (listed
    /// under the example that ran the plan).
    pub plan_failures_via_examples: usize,
    /// Modules this example calls (repository-relative directories).
    pub calls: Vec<String>,
    /// How the examples calling this module fared when none planned it.
    pub via_examples: Option<Stage>,
    /// Wall time of this target's Terraform commands.
    pub seconds: f64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Stage {
    #[default]
    NotRun,
    Ok,
    Failed,
    Pending,
}

impl TargetResult {
    pub fn passed(&self) -> bool {
        self.failed_count() == 0 && self.pending.is_empty()
    }

    /// Distinct failures found here plus example plan errors located here.
    pub fn failed_count(&self) -> usize {
        merge_envs(&self.failures).len() + self.plan_failures_via_examples
    }

    pub fn status(&self) -> String {
        if self.failed_count() > 0 {
            format!("FAIL ({})", self.failed_count())
        } else if !self.pending.is_empty() {
            "pending: resource not in provider".to_string()
        } else {
            "passed".to_string()
        }
    }
}

/// The whole run.
#[derive(Debug, Default)]
pub struct Report {
    pub results: Vec<TargetResult>,
    /// Problems not tied to one target (checkov did not run, unattributed results).
    pub general: Vec<Failure>,
    /// Wall time of the run and of checkov (which runs beside the Terraform work).
    pub seconds: f64,
    pub checkov_seconds: Option<f64>,
}

impl Report {
    /// Every distinct failure (plan errors merged across environments).
    pub fn failures(&self) -> Vec<Failure> {
        let all: Vec<Failure> = self
            .general
            .iter()
            .chain(self.results.iter().flat_map(|r| &r.failures))
            .cloned()
            .collect();
        merge_envs(&all)
    }

    pub fn failed(&self) -> bool {
        !self.failures().is_empty()
    }

    /// The table: target x (fmt, validate, planned resources, checkov, rule pack,
    /// status), then every failure and every pending type.
    pub fn table(&self) -> String {
        let envs: BTreeSet<String> = self
            .results
            .iter()
            .flat_map(|r| r.plans.iter().map(|(e, _, _)| e.clone()))
            .filter(|e| e != "-")
            .collect();
        let env_list: Vec<String> = order_envs(envs);
        let plan_header = if env_list.is_empty() {
            "planned".to_string()
        } else {
            format!("planned ({})", env_list.join("/"))
        };
        let header = [
            "module",
            "fmt",
            "validate",
            plan_header.as_str(),
            "checkov pass/fail/skip",
            "rule pack pass/fail/skip",
            "result",
            "time",
        ];
        let counts = |c: &Option<CheckovCounts>| {
            c.as_ref()
                .map(|c| format!("{}/{}/{}", c.passed, c.failed, c.skipped))
                .unwrap_or_else(|| "not run".into())
        };
        let mut rows: Vec<[String; 8]> = Vec::new();
        for r in &self.results {
            rows.push([
                r.name.clone(),
                stage_cell(
                    r.fmt,
                    r.failures.iter().filter(|f| f.stage == "fmt").count(),
                ),
                stage_cell(
                    r.validate,
                    r.failures
                        .iter()
                        .filter(|f| f.stage == "validate" || f.stage == "init")
                        .count(),
                ),
                plan_cell(r, &env_list),
                counts(&r.checkov),
                counts(&r.rule_pack),
                r.status(),
                format!("{:.0} s", r.seconds),
            ]);
        }
        let mut widths = header.map(str::len);
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.len());
            }
        }
        let mut out = String::new();
        let line = |out: &mut String, cells: &[&str]| {
            let padded: Vec<String> = cells
                .iter()
                .zip(widths)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect();
            let _ = writeln!(out, "| {} |", padded.join(" | "));
        };
        line(&mut out, &header);
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        let _ = writeln!(out, "|-{}-|", rule.join("-|-"));
        for row in &rows {
            let cells: Vec<&str> = row.iter().map(String::as_str).collect();
            line(&mut out, &cells);
        }
        let passed = self.results.iter().filter(|r| r.passed()).count();
        let pending = self
            .results
            .iter()
            .filter(|r| r.failed_count() == 0 && !r.pending.is_empty())
            .count();
        let checkov_time = self
            .checkov_seconds
            .map(|c| format!(", checkov {c:.0} s beside it"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "\n{} targets: {passed} passed, {pending} pending, {} failed ({:.0} s{checkov_time})",
            self.results.len(),
            self.results.len() - passed - pending,
            self.seconds
        );
        for r in self.results.iter().filter(|r| !r.pending.is_empty()) {
            let types: Vec<&str> = r.pending.iter().map(String::as_str).collect();
            let _ = writeln!(out, "pending {}: {}", r.name, types.join(", "));
        }
        let failures = self.failures();
        if !failures.is_empty() {
            let _ = writeln!(out, "\n{} failures:", failures.len());
            for f in failures {
                let _ = writeln!(out, "- {f}");
            }
        }
        out
    }
}

fn order_envs(envs: BTreeSet<String>) -> Vec<String> {
    let rank = |e: &str| match e {
        "dev" => 0,
        "staging" => 1,
        "prod" => 2,
        _ => 3,
    };
    let mut v: Vec<String> = envs.into_iter().collect();
    v.sort_by(|a, b| (rank(a), a).cmp(&(rank(b), b)));
    v
}

fn stage_cell(s: Stage, errors: usize) -> String {
    match s {
        Stage::NotRun => "-".into(),
        Stage::Ok => "ok".into(),
        Stage::Failed => format!("FAIL ({errors})"),
        Stage::Pending => "pending".into(),
    }
}

fn plan_cell(r: &TargetResult, envs: &[String]) -> String {
    if !r.plans.is_empty() {
        return r
            .plans
            .iter()
            .map(|(_, s, n)| match s {
                Stage::Ok => n.to_string(),
                Stage::Failed => "FAIL".into(),
                Stage::Pending => "pending".into(),
                Stage::NotRun => "-".into(),
            })
            .collect::<Vec<_>>()
            .join("/");
    }
    if r.plan_failures_via_examples > 0 {
        return format!("FAIL ({}, via example)", r.plan_failures_via_examples);
    }
    if r.planned_via_examples.is_empty() {
        return match r.via_examples {
            Some(Stage::Pending) => "pending (via example)".into(),
            Some(Stage::Failed | Stage::NotRun) => "not run (example failed)".into(),
            _ => "- (no example calls it)".into(),
        };
    }
    let per_env: Vec<String> = envs
        .iter()
        .map(|e| {
            r.planned_via_examples
                .get(e)
                .map(|n| n.to_string())
                .unwrap_or_else(|| "-".into())
        })
        .collect();
    format!("{} (via example)", per_env.join("/"))
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
struct PlannedChange {
    env: String,
    /// Repository-relative directory of the module that declares the resource.
    module_dir: String,
}

fn credit_planned_changes(report: &mut Report, planned: &[PlannedChange]) {
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

/// The temporary world of one pipeline run: copies of the targets (so Terraform's
/// `.terraform` never lands in the checkout), plugin directories and a CLI config.
struct Env {
    _tmp: tempfile::TempDir,
    /// Copy of the targets (and of `modules/`, which examples call) Terraform runs in.
    tree: PathBuf,
    /// A second, untouched copy for checkov, so it never sees `.terraform`.
    checkov_root: PathBuf,
    tfrc: PathBuf,
    work: PathBuf,
    overrides: Vec<String>,
}

impl Env {
    fn new(root: &Path, targets: &[Target]) -> Self {
        let tmp = tempfile::Builder::new()
            .prefix("tc-validate-modules-")
            .tempdir()
            .expect("create temp dir");
        let tree = tmp.path().join("tree");
        let checkov_root = tmp.path().join("checkov");
        let mut dirs: BTreeSet<String> = targets.iter().map(|t| t.name.clone()).collect();
        if targets
            .iter()
            .any(|t| t.plan || t.name.starts_with("usage/"))
        {
            // Examples call ../../modules/<platform>/<module>, README Usage blocks (see
            // tests/tests/module_usage.rs) ../../../modules/<platform>/<module>.
            dirs.insert("modules".into());
        }
        for d in &dirs {
            copy_tree(&root.join(d), &tree.join(d)).expect("copy target");
        }
        for d in &dirs {
            copy_tree(&root.join(d), &checkov_root.join(d)).expect("copy target");
        }
        // Each provider in its own directory, alone, under the name Terraform looks for.
        let plugins = tmp.path().join("plugins");
        let aws = plugins.join("aws");
        let own = plugins.join("trustchain");
        let mirror = plugins.join("empty-mirror");
        for d in [&aws, &own, &mirror] {
            std::fs::create_dir_all(d).expect("plugins dir");
        }
        std::os::unix::fs::symlink(
            built_binary("terraform-provider-aws-schema-only"),
            aws.join("terraform-provider-aws"),
        )
        .expect("link schema-only provider");
        std::os::unix::fs::symlink(
            built_binary("terraform-provider-trustchain"),
            own.join("terraform-provider-trustchain"),
        )
        .expect("link provider");
        // No `direct {}`: a provider without an override must fail init at once, naming
        // itself, instead of trying the registry.
        let tfrc = tmp.path().join("terraformrc");
        std::fs::write(
            &tfrc,
            format!(
                "provider_installation {{\n  dev_overrides {{\n    \"hashicorp/aws\" = \"{}\"\n    \"trustchain/trustchain\" = \"{}\"\n  }}\n  filesystem_mirror {{\n    path = \"{}\"\n  }}\n}}\n",
                aws.display(),
                own.display(),
                mirror.display()
            ),
        )
        .expect("write tfrc");
        let work = tmp.path().join("work");
        std::fs::create_dir_all(&work).expect("work dir");
        Self {
            _tmp: tmp,
            tree,
            checkov_root,
            tfrc,
            work,
            overrides: vec!["hashicorp/aws".into(), "trustchain/trustchain".into()],
        }
    }

    fn terraform(&self, dir: &Path, args: &[&str], vars: &[(String, String)]) -> Output {
        let mut cmd = Command::new(terraform_bin());
        cmd.args(args).current_dir(dir);
        for var in [
            "TF_LOG",
            "TF_LOG_PROVIDER",
            "TF_LOG_CORE",
            "TF_LOG_PATH",
            "TF_DATA_DIR",
            "TF_PLUGIN_CACHE_DIR",
            "TF_REATTACH_PROVIDERS",
            "TF_WORKSPACE",
        ] {
            cmd.env_remove(var);
        }
        cmd.env("TF_CLI_CONFIG_FILE", &self.tfrc)
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_INPUT", "0");
        for (k, v) in vars {
            cmd.env(format!("TF_VAR_{k}"), v);
        }
        cmd.output().expect("run terraform")
    }

    /// The types the real provider serves, from `terraform providers schema -json`.
    fn provider_types(&self) -> BTreeSet<String> {
        let probe = self.work.join("schema-probe");
        std::fs::create_dir_all(&probe).expect("probe dir");
        std::fs::write(
            probe.join("main.tf"),
            "terraform {\n  required_providers {\n    trustchain = {\n      source = \"trustchain/trustchain\"\n    }\n  }\n}\n",
        )
        .expect("write probe");
        let out = self.terraform(&probe, &["providers", "schema", "-json"], &[]);
        assert!(
            out.status.success(),
            "terraform providers schema -json failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let json: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("providers schema JSON");
        let p = &json["provider_schemas"][OWN_PROVIDER];
        let mut types = BTreeSet::new();
        for key in ["resource_schemas", "data_source_schemas"] {
            if let Some(m) = p[key].as_object() {
                types.extend(m.keys().cloned());
            }
        }
        types
    }

    fn check(
        &self,
        target: &Target,
        provider_types: &BTreeSet<String>,
    ) -> (TargetResult, Vec<PlannedChange>) {
        let dir = self.tree.join(&target.name);
        let mut r = TargetResult {
            name: target.name.clone(),
            ..Default::default()
        };
        let fail = |r: &mut TargetResult, stage: &str, file: String, line: u64, msg: String| {
            r.failures.push(Failure {
                target: target.name.clone(),
                stage: stage.into(),
                envs: String::new(),
                file,
                line,
                message: msg,
            })
        };

        // fmt: the files Terraform would rewrite.
        let out = self.terraform(&dir, &["fmt", "-check", "-list=true", "-no-color"], &[]);
        r.fmt = if out.status.success() {
            Stage::Ok
        } else {
            let listed = String::from_utf8_lossy(&out.stdout).into_owned();
            for file in listed.lines().filter(|l| !l.trim().is_empty()) {
                let path = self.repo_path(&dir, file.trim());
                fail(
                    &mut r,
                    "fmt",
                    path,
                    0,
                    "not formatted (terraform fmt)".into(),
                );
            }
            if listed.trim().is_empty() {
                fail(&mut r, "fmt", String::new(), 0, stderr_errors(&out));
            }
            Stage::Failed
        };

        // init: local modules only; both providers come from dev_overrides. Examples
        // get their S3 backend replaced by a local one so `plan` can run offline.
        let planned_backend = target.plan && declares_backend(&dir);
        if planned_backend {
            let state = self
                .work
                .join(format!("{}.tfstate", target.name.replace('/', "-")));
            std::fs::write(
                dir.join("zz_validate_modules_override.tf"),
                format!(
                    "terraform {{\n  backend \"local\" {{\n    path = \"{}\"\n  }}\n}}\n",
                    state.display()
                ),
            )
            .expect("write backend override");
        }
        let init_args: &[&str] = if planned_backend {
            &["init", "-input=false", "-no-color"]
        } else {
            &["init", "-backend=false", "-input=false", "-no-color"]
        };
        if !target.plan {
            write_alias_configurations(&dir);
        }
        let out = self.terraform(&dir, init_args, &[]);
        if !out.status.success() {
            let msg = format!(
                "{} (every provider must come from dev_overrides: {})",
                stderr_errors(&out),
                self.overrides.join(", ")
            );
            fail(&mut r, "init", String::new(), 0, msg);
            r.validate = Stage::Failed;
            return (r, Vec::new());
        }

        // Pending: own-provider types used here or in called modules, not served.
        let modules = module_dirs(&dir);
        r.calls = modules
            .iter()
            .filter(|(k, _)| !k.is_empty())
            .map(|(_, d)| self.repo_path(&dir, d))
            .collect();
        for m in modules.values() {
            for t in own_types_used(&dir.join(m)) {
                if !provider_types.contains(&t) {
                    r.pending.insert(t);
                }
            }
        }

        // validate
        let out = self.terraform(&dir, &["validate", "-json", "-no-color"], &[]);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        let mut errors = 0;
        let diags: Vec<&serde_json::Value> = json["diagnostics"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|d| d["severity"] == "error")
            .collect();
        // When one error stops the walk, Terraform cancels the provider calls still in
        // flight and reports each as "Request cancelled": a consequence, not a finding.
        let cancelled_only = |d: &serde_json::Value| d["summary"] == "Request cancelled";
        let has_cause = diags.iter().any(|d| !cancelled_only(d));
        for d in diags {
            if self.is_pending_diag(d, &r.pending) || (has_cause && cancelled_only(d)) {
                continue;
            }
            errors += 1;
            let (file, line) = self.diag_location(&dir, d);
            fail(&mut r, "validate", file, line, diag_message(d));
        }
        if json.is_null() {
            errors += 1;
            fail(&mut r, "validate", String::new(), 0, stderr_errors(&out));
        }
        r.validate = if errors > 0 {
            Stage::Failed
        } else if !r.pending.is_empty() {
            Stage::Pending
        } else {
            Stage::Ok
        };

        let mut planned = Vec::new();
        if target.plan {
            for (env, var_file) in var_files(&dir) {
                let stage = match r.validate {
                    Stage::Ok => {
                        let (stage, changes) =
                            self.plan(target, &dir, &env, var_file.as_deref(), &modules, &mut r);
                        planned.extend(changes);
                        stage
                    }
                    Stage::Pending => Stage::Pending,
                    _ => Stage::NotRun,
                };
                let n = planned.iter().filter(|c| c.env == env).count();
                r.plans.push((env, stage, n));
            }
        }
        (r, planned)
    }

    fn plan(
        &self,
        target: &Target,
        dir: &Path,
        env: &str,
        var_file: Option<&str>,
        modules: &BTreeMap<String, String>,
        r: &mut TargetResult,
    ) -> (Stage, Vec<PlannedChange>) {
        let mut vars: Vec<(String, String)> = EXTRA_INPUTS
            .iter()
            .filter(|(t, _, _)| *t == target.name)
            .map(|(_, k, v)| (k.to_string(), v.to_string()))
            .collect();
        if target.name == "examples/quickstart" {
            vars.extend(demo_ca());
        }
        let var_arg = var_file.map(|f| format!("-var-file={f}"));
        let mut args = vec!["plan", "-json", "-input=false", "-lock=false", "-no-color"];
        if let Some(a) = &var_arg {
            args.push(a);
        }
        let out = self.terraform(dir, &args, &vars);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let mut changes = Vec::new();
        let mut errors = 0;
        let envs = if env == "-" {
            String::new()
        } else {
            env.to_string()
        };
        for line in stdout.lines() {
            let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            match msg["type"].as_str() {
                Some("planned_change") => {
                    let action = msg["change"]["action"].as_str().unwrap_or("");
                    if matches!(action, "create" | "update" | "delete" | "replace") {
                        let module = msg["change"]["resource"]["module"].as_str().unwrap_or("");
                        let key = module_key(module);
                        let module_dir = modules
                            .get(&key)
                            .map(|d| self.repo_path(dir, d))
                            .unwrap_or_else(|| target.name.clone());
                        changes.push(PlannedChange {
                            env: env.to_string(),
                            module_dir,
                        });
                    }
                }
                Some("diagnostic") if msg["diagnostic"]["severity"] == "error" => {
                    errors += 1;
                    let d = &msg["diagnostic"];
                    let (file, line) = self.diag_location(dir, d);
                    r.failures.push(Failure {
                        target: target.name.clone(),
                        stage: "plan".into(),
                        envs: envs.clone(),
                        file,
                        line,
                        message: diag_message(d),
                    });
                }
                _ => {}
            }
        }
        if !out.status.success() && errors == 0 {
            r.failures.push(Failure {
                target: target.name.clone(),
                stage: "plan".into(),
                envs,
                file: String::new(),
                line: 0,
                message: stderr_errors(&out),
            });
            errors = 1;
        }
        if errors > 0 {
            (Stage::Failed, Vec::new())
        } else {
            (Stage::Ok, changes)
        }
    }

    /// "Invalid resource type" for a type we know is pending.
    fn is_pending_diag(&self, d: &serde_json::Value, pending: &BTreeSet<String>) -> bool {
        let summary = d["summary"].as_str().unwrap_or("");
        let detail = d["detail"].as_str().unwrap_or("");
        summary.starts_with("Invalid")
            && pending.iter().any(|t| detail.contains(&format!("\"{t}\"")))
    }

    fn diag_location(&self, dir: &Path, d: &serde_json::Value) -> (String, u64) {
        match d["range"]["filename"].as_str() {
            Some(f) => (
                self.repo_path(dir, f),
                d["range"]["start"]["line"].as_u64().unwrap_or(0),
            ),
            None => (String::new(), 0),
        }
    }

    /// A path Terraform printed relative to `dir` (or absolute inside the copy), as a
    /// repository-relative path.
    fn repo_path(&self, dir: &Path, file: &str) -> String {
        let p = normalize(&dir.join(file));
        let tree = normalize(&self.tree);
        p.strip_prefix(&tree)
            .map(|r| r.display().to_string())
            .unwrap_or_else(|_| p.display().to_string())
    }
}

fn diag_message(d: &serde_json::Value) -> String {
    let summary = d["summary"].as_str().unwrap_or("");
    let detail = d["detail"].as_str().unwrap_or("");
    let context = d["snippet"]["context"].as_str().unwrap_or("");
    let first = detail.split("\n\n").next().unwrap_or("").replace('\n', " ");
    let mut m = summary.to_string();
    if !context.is_empty() {
        m = format!("{m} (in {context})");
    }
    if !first.is_empty() {
        m = format!("{m}: {first}");
    }
    m
}

/// Each `Error:` of a failed command (summary and first paragraph of detail), or its
/// last stderr line.
fn stderr_errors(out: &Output) -> String {
    let text = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<String> = format!("\n{text}")
        .split("\nError: ")
        .skip(1)
        .map(|e| {
            let parts: Vec<&str> = e.split("\n\n").take(2).map(str::trim).collect();
            parts.join(": ").replace('\n', " ")
        })
        .collect();
    if errors.is_empty() {
        let last = text.lines().rev().find(|l| !l.trim().is_empty());
        format!(
            "terraform exited with {:?}: {}",
            out.status.code(),
            last.unwrap_or("")
        )
    } else {
        errors.join("; ")
    }
}

/// `module.a[0].module.b["x"]` -> `a.b` (the key in .terraform/modules/modules.json).
fn module_key(module: &str) -> String {
    module
        .split("module.")
        .filter(|s| !s.is_empty())
        .map(|s| {
            let s = s.trim_end_matches('.');
            s.split('[').next().unwrap_or(s).to_string()
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// Module key -> directory relative to `dir`, from `terraform init`'s manifest
/// (the root module has key "" and directory ".").
fn module_dirs(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::from([(String::new(), ".".to_string())]);
    let Ok(text) = std::fs::read(dir.join(".terraform/modules/modules.json")) else {
        return out;
    };
    let json: serde_json::Value = serde_json::from_slice(&text).unwrap_or_default();
    for m in json["Modules"].as_array().into_iter().flatten() {
        if let (Some(k), Some(d)) = (m["Key"].as_str(), m["Dir"].as_str()) {
            out.insert(k.to_string(), d.to_string());
        }
    }
    out
}

/// `resource "trustchain_x"` / `data "trustchain_x"` blocks in a directory's .tf files.
fn own_types_used(dir: &Path) -> BTreeSet<String> {
    let mut types = BTreeSet::new();
    for file in tf_files(dir) {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for line in text.lines() {
            let mut words = line.split_whitespace();
            if let (Some("resource" | "data"), Some(ty)) = (words.next(), words.next()) {
                let ty = ty.trim_matches('"');
                if ty.starts_with(OWN_PREFIX) {
                    types.insert(ty.to_string());
                }
            }
        }
    }
    types
}

/// A module that declares `configuration_aliases` expects its caller to pass those
/// provider configurations; validated on its own, Terraform reports each resource using
/// one as "Provider configuration not present". An empty provider block per alias (in
/// the copy only) stands in for the caller.
fn write_alias_configurations(dir: &Path) {
    let mut blocks = String::new();
    for file in tf_files(dir) {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        for (i, _) in text.match_indices("configuration_aliases") {
            let Some(list) = text[i..]
                .split_once('[')
                .and_then(|(_, r)| r.split_once(']'))
                .map(|(l, _)| l)
            else {
                continue;
            };
            for alias in list.split(',').map(str::trim).filter(|a| !a.is_empty()) {
                if let Some((provider, name)) = alias.split_once('.') {
                    let _ = write!(
                        blocks,
                        "provider \"{provider}\" {{\n  alias = \"{name}\"\n}}\n\n"
                    );
                }
            }
        }
    }
    if !blocks.is_empty() {
        let _ = std::fs::write(dir.join("zz_validate_modules_aliases.tf"), blocks);
    }
}

fn declares_backend(dir: &Path) -> bool {
    tf_files(dir).iter().any(|f| {
        std::fs::read_to_string(f)
            .map(|t| t.lines().any(|l| l.trim_start().starts_with("backend \"")))
            .unwrap_or(false)
    })
}

/// (environment, -var-file argument) per `env/*.tfvars`, dev/staging/prod first; one
/// run without a var file when there are none.
fn var_files(dir: &Path) -> Vec<(String, Option<String>)> {
    let mut envs: BTreeSet<String> = BTreeSet::new();
    if let Ok(entries) = std::fs::read_dir(dir.join("env")) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(env) = name.strip_suffix(".tfvars") {
                envs.insert(env.to_string());
            }
        }
    }
    if envs.is_empty() {
        return vec![("-".into(), None)];
    }
    order_envs(envs)
        .into_iter()
        .map(|e| {
            let f = format!("env/{e}.tfvars");
            (e, Some(f))
        })
        .collect()
}

struct CheckovResult {
    file: PathBuf,
    outcome: &'static str,
    check_id: String,
    check_name: String,
    line: u64,
    resource: String,
    caller: Option<String>,
}

/// checkov once over the whole copy (its own root, so paths are unambiguous), with
/// its own checks and the project's rule pack.
fn run_checkov(root: &Path, pack: &Path) -> Result<Vec<CheckovResult>, String> {
    let json = rule_pack::run_checkov(root, pack, None)?;
    let mut results = Vec::new();
    for report in rule_pack::reports(&json) {
        let parse_errors = report["summary"]["parsing_errors"].as_u64().unwrap_or(0);
        if parse_errors > 0 {
            let files = report["results"]["parsing_errors"].to_string();
            return Err(format!(
                "checkov could not parse {parse_errors} file(s): {files}"
            ));
        }
        for (key, outcome) in [
            ("passed_checks", "passed"),
            ("failed_checks", "failed"),
            ("skipped_checks", "skipped"),
        ] {
            for c in report["results"][key].as_array().into_iter().flatten() {
                results.push(CheckovResult {
                    file: PathBuf::from(c["file_abs_path"].as_str().unwrap_or("")),
                    outcome,
                    check_id: c["check_id"].as_str().unwrap_or("").to_string(),
                    check_name: c["check_name"].as_str().unwrap_or("").to_string(),
                    line: c["file_line_range"][0].as_u64().unwrap_or(0),
                    resource: c["resource"].as_str().unwrap_or("").to_string(),
                    caller: c["caller_file_path"].as_str().map(String::from),
                });
            }
        }
    }
    Ok(results)
}

/// Each result goes to the target whose directory holds the file (a module's resource
/// checked through an example's module call counts for the module, caller noted).
fn attribute_checkov(report: &mut Report, env: &Env, results: Vec<CheckovResult>) {
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

fn sorted_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn tf_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "tf") && p.is_file())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn has_tf_files(dir: &Path) -> bool {
    !tf_files(dir).is_empty()
}

fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root)
        .map(|r| r.display().to_string())
        .unwrap_or_else(|_| p.display().to_string())
}

/// Resolves `.` and `..` without touching the file system.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Copies a directory tree, leaving out Terraform's working files.
pub fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let name = e.file_name();
        let n = name.to_string_lossy();
        if n == ".terraform" || n == ".terraform.lock.hcl" || n.ends_with(".tfstate") {
            continue;
        }
        let ty = e.file_type()?;
        if ty.is_dir() {
            copy_tree(&e.path(), &to.join(&name))?;
        } else if ty.is_file() {
            std::fs::copy(e.path(), to.join(&name))?;
        }
    }
    Ok(())
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
