//! The pipeline's results: failures located by target and stage, per-target
//! outcomes, and the table `make validate-modules` prints.

use super::*;

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
pub(crate) fn merge_envs(failures: &[Failure]) -> Vec<Failure> {
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

pub(crate) fn order_envs(envs: BTreeSet<String>) -> Vec<String> {
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

pub(crate) fn stage_cell(s: Stage, errors: usize) -> String {
    match s {
        Stage::NotRun => "-".into(),
        Stage::Ok => "ok".into(),
        Stage::Failed => format!("FAIL ({errors})"),
        Stage::Pending => "pending".into(),
    }
}

pub(crate) fn plan_cell(r: &TargetResult, envs: &[String]) -> String {
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
