//! `codegen review`: what a change to `modules/` and `examples/` means for the people
//! who review it. Compares a base revision with the working tree (however the change
//! was made: generator or hand edit) and reports per module the resources, data
//! sources and module calls added, removed, changed or moved; the interface changes
//! classified as breaking or not, with the semver bump; the checkov and rule-pack
//! results that differ; and the monthly cost of every example environment before
//! and after.

pub mod compat;
pub mod config;
pub mod cost;
pub mod diff;
pub mod git;
mod markdown;
pub mod policy;

use serde::Serialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::Error;
use config::Config;
use cost::EnvCost;
use cost::prices::{Prices, Usage};
use cost::reference::Comparison;
use diff::{Bump, ModuleDiff, Status};
use policy::PolicyDiff;

pub use markdown::markdown;

pub struct Options {
    /// Any directory inside the repository.
    pub repo: PathBuf,
    /// Base revision; default: the merge base of HEAD with main.
    pub base: Option<String>,
    /// Run checkov with the rule pack over the changed modules.
    pub policy: bool,
    /// The checkov program (default: `TRUSTCHAIN_CHECKOV`, else `tools/checkov`).
    pub checkov: Option<PathBuf>,
    /// A price table instead of the built-in one.
    pub prices: Option<PathBuf>,
}

#[derive(Serialize)]
pub struct Report {
    /// The base as given (or `the merge base with main`).
    pub base: String,
    pub base_commit: String,
    pub head: String,
    /// Changed modules and examples, modules first.
    pub modules: Vec<ModuleDiff>,
    pub policy: Option<PolicyDiff>,
    pub cost: Option<Cost>,
}

#[derive(Serialize)]
pub struct Cost {
    pub region: String,
    pub currency: String,
    pub price_table: String,
    /// Oldest and newest price date.
    pub dates: (String, String),
    pub unconfirmed_prices: Vec<String>,
    pub environments: Vec<EnvCost>,
    pub reference: Vec<Comparison>,
    pub assumptions: Vec<Usage>,
    pub errors: Vec<String>,
}

impl Report {
    /// The release the change needs across modules (`None` without module changes).
    pub fn bump(&self) -> Option<Bump> {
        self.modules
            .iter()
            .filter(|m| m.released)
            .map(|m| m.bump)
            .max()
    }
}

pub fn run(opts: &Options) -> Result<Report, Error> {
    let top = git::toplevel(&opts.repo)?;
    let (base, base_commit) = match &opts.base {
        Some(b) => (b.clone(), git::commit(&top, b)?),
        None => {
            let (label, c) = git::default_base(&top)?;
            (label, git::commit(&top, &c)?)
        }
    };
    let prices = match &opts.prices {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| Error::Io {
                path: p.display().to_string(),
                source: e,
            })?;
            Prices::parse(&text, &p.display().to_string())
        }
        None => Prices::builtin(),
    }
    .map_err(Error::Usage)?;
    let tmp = tempfile::tempdir().map_err(|e| Error::Io {
        path: "temporary directory".into(),
        source: e,
    })?;
    let (base_root, head_root) = (tmp.path().join("base"), tmp.path().join("head"));
    git::export(&top, &base_commit, &base_root)?;
    git::export_worktree(&top, &head_root)?;

    let modules = changed_modules(&base_root, &head_root);
    let mut report = Report {
        base,
        base_commit,
        head: "working tree".into(),
        modules,
        policy: None,
        cost: None,
    };
    if report.modules.is_empty() {
        return Ok(report);
    }
    if opts.policy {
        let checked: Vec<String> = report
            .modules
            .iter()
            .filter(|m| m.released)
            .map(|m| m.path.clone())
            .collect();
        let program = opts
            .checkov
            .clone()
            .unwrap_or_else(|| crate::checkov::program(&top));
        report.policy = Some(policy::diff(
            &program,
            &checked,
            policy::Side { root: &base_root },
            policy::Side { root: &head_root },
            &crate::checkov::pack_dir(&top),
        ));
    }
    let (environments, errors) = cost::compare(&base_root, &head_root, &prices);
    let reference = cost::reference::compare(&prices, &environments);
    report.cost = Some(Cost {
        region: prices.region.clone(),
        currency: prices.currency.clone(),
        price_table: match &opts.prices {
            Some(p) => p.display().to_string(),
            None => cost::prices::BUILTIN_PATH.into(),
        },
        dates: prices.dates(),
        unconfirmed_prices: prices
            .prices
            .iter()
            .filter(|p| !p.confirmed)
            .map(|p| p.key.clone())
            .collect(),
        environments,
        reference,
        assumptions: prices.usages.clone(),
        errors,
    });
    Ok(report)
}

/// Every module directory of either tree that differs, modules before examples.
pub fn changed_modules(base_root: &Path, head_root: &Path) -> Vec<ModuleDiff> {
    let dirs: BTreeSet<String> = git::module_dirs(base_root)
        .into_iter()
        .chain(git::module_dirs(head_root))
        .collect();
    let mut out: Vec<ModuleDiff> = dirs
        .iter()
        .filter_map(|d| {
            let read = |root: &Path| {
                let p = root.join(d);
                p.is_dir().then(|| Config::read(&p))
            };
            let (b, h) = (read(base_root), read(head_root));
            diff::module(d, b.as_ref(), h.as_ref())
        })
        .collect();
    out.sort_by_key(|m| (!m.released, m.path.clone()));
    out
}

impl Status {
    pub fn word(&self) -> &'static str {
        match self {
            Status::Added => "added",
            Status::Removed => "removed",
            Status::Changed => "changed",
        }
    }
}
