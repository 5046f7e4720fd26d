//! Acceptance tests as step lists, our counterpart of terraform-plugin-testing's
//! `resource.Test{Steps}`: real Terraform, the built provider, the emulator.
//!
//! ```ignore
//! Steps::new(&emu)
//!     .validate("validate", config_v1)
//!     .apply("create", config_v1).check(|s| s.remember("vpc_id", s.output("vpc_id")))
//!     .apply("rename", config_v1b).check(|s| assert_eq!(s.output("vpc_id"), s.recall("vpc_id")))
//!     .apply("add a tier", config_v2).expect_actions(&[("trustchain_ipv6_network.this", "update")])
//!     .import("trustchain_ipv6_network.this").by_id(|r| r["vpc_id"].as_str().unwrap().into())
//!     .import("trustchain_ipv6_network.this").by_identity(&["vpc_id"])
//!     .import("trustchain_quic_load_balancer.doq").by_id(arn).and_import("trustchain_quic_target.a").by_id(id)
//!     .drift("delete a subnet", |s| { s.emu.call(...); }).expect_actions(&[(addr, "update")])
//!     .destroy().check(|s| assert_nothing_left(s.emu))
//!     .run();
//! ```
//!
//! Rules every list gets for free: every request the provider sends must be one AWS
//! would accept and every answer fit AWS's model (the emulator checks both against
//! botocore's models; checked after each step); after every apply (including the repair
//! after a drift) the plan must be empty; an import must give an empty plan and a state equal
//! to the applied one (minus a named ignore list) with the same resource identity (the
//! import runs in a fresh directory holding the applied state of every other
//! resource; resources that refer to each other can be imported together with
//! `and_import`); a destroy must leave an empty state.

use crate::{Emulator, Run, Workspace, planned_actions};
use serde_json::Value;
use std::cell::RefCell;
use std::collections::BTreeMap;

/// What a check sees: the emulator, the workspace of the step list, and what earlier
/// steps remembered.
pub struct StepCtx<'a> {
    pub emu: &'a Emulator,
    pub w: &'a Workspace,
    memory: RefCell<BTreeMap<String, Value>>,
}

impl StepCtx<'_> {
    /// Keeps a value (an ID, what AWS held before a change) for the later steps of the
    /// list, under a name: the runner carries it, as terraform-plugin-testing's check
    /// functions write into variables the later steps read.
    pub fn remember(&self, name: &str, value: impl Into<Value>) {
        self.memory
            .borrow_mut()
            .insert(name.to_string(), value.into());
    }

    /// What an earlier step remembered under `name` (panics, naming what was
    /// remembered, when no step did).
    pub fn recall(&self, name: &str) -> Value {
        let memory = self.memory.borrow();
        memory.get(name).cloned().unwrap_or_else(|| {
            panic!(
                "no earlier step remembered {name:?} (remembered: {:?})",
                memory.keys().collect::<Vec<_>>()
            )
        })
    }

    /// A remembered value as the type it was remembered from (remembered with `json!`).
    pub fn recall_as<T: serde::de::DeserializeOwned>(&self, name: &str) -> T {
        let value = self.recall(name);
        serde_json::from_value(value.clone())
            .unwrap_or_else(|e| panic!("{name:?} was remembered as {value}: {e}"))
    }

    /// A remembered string (an ID or ARN).
    pub fn recall_str(&self, name: &str) -> String {
        match self.recall(name) {
            Value::String(s) => s,
            other => panic!("{name:?} was remembered as {other}, not a string"),
        }
    }

    /// `terraform show -json` of the current state.
    pub fn state(&self) -> Value {
        self.w.state_json()
    }

    /// The value of an output.
    pub fn output(&self, name: &str) -> Value {
        self.w.outputs()[name]["value"].clone()
    }

    /// The attribute values of a resource in state (panics when it is absent).
    pub fn values(&self, address: &str) -> Value {
        resource_in(&self.state(), address)
            .map(|r| r["values"].clone())
            .unwrap_or_else(|| panic!("{address} is not in state"))
    }
}

/// The `resources[]` entry of `address` in a `show -json` state.
pub fn resource_in(state: &Value, address: &str) -> Option<Value> {
    state["values"]["root_module"]["resources"]
        .as_array()?
        .iter()
        .find(|r| r["address"] == address)
        .cloned()
}

type Check<'a> = Box<dyn Fn(&StepCtx) + 'a>;
type PlanCheck<'a> = Box<dyn Fn(&StepCtx, &Value) + 'a>;
type Act<'a> = Box<dyn Fn(&StepCtx) + 'a>;
type IdOf<'a> = Box<dyn Fn(&Value) -> String + 'a>;
type ErrorCheck<'a> = Box<dyn Fn(&[Value], &Run) + 'a>;

enum ImportBy<'a> {
    Id(IdOf<'a>),
    /// Identity attributes taken from the applied resource's identity.
    Identity(Vec<&'a str>),
}

struct ImportTarget<'a> {
    address: String,
    by: Option<ImportBy<'a>>,
}

enum Kind<'a> {
    /// `terraform validate`: every input variable unknown, as Terraform validates.
    Validate {
        config: String,
    },
    Apply {
        config: String,
    },
    Import {
        targets: Vec<ImportTarget<'a>>,
        ignore: Vec<&'a str>,
    },
    Drift {
        act: Act<'a>,
    },
    /// A plan that must fail with error diagnostics (checked with `check_errors`).
    PlanFails {
        config: String,
    },
    /// An apply that must fail; its diagnostics and the state it leaves are checked.
    ApplyFails {
        config: String,
    },
    Destroy,
}

struct Step<'a> {
    name: String,
    kind: Kind<'a>,
    expect: Option<Vec<(String, Vec<String>)>>,
    check_plan: Option<PlanCheck<'a>>,
    check: Option<Check<'a>>,
    check_errors: Option<ErrorCheck<'a>>,
}

/// A list of steps against one emulator and one Terraform working directory.
pub struct Steps<'a> {
    emu: &'a Emulator,
    steps: Vec<Step<'a>>,
    env: Vec<(String, String)>,
    terraform: Option<std::path::PathBuf>,
}

impl<'a> Steps<'a> {
    pub fn new(emu: &'a Emulator) -> Self {
        Self {
            emu,
            steps: Vec::new(),
            env: Vec::new(),
            terraform: None,
        }
    }

    /// Runs every step with another Terraform binary (compatibility lanes).
    pub fn with_terraform(mut self, bin: std::path::PathBuf) -> Self {
        self.terraform = Some(bin);
        self
    }

    /// An environment variable for every Terraform command of the list.
    pub fn env(mut self, k: &str, v: &str) -> Self {
        self.env.push((k.into(), v.into()));
        self
    }

    fn push(mut self, name: &str, kind: Kind<'a>) -> Self {
        self.steps.push(Step {
            name: name.into(),
            kind,
            expect: None,
            check_plan: None,
            check: None,
            check_errors: None,
        });
        self
    }

    fn last(&mut self) -> &mut Step<'a> {
        self.steps.last_mut().expect("a step to refine")
    }

    /// Writes `config` and runs `terraform validate` (which evaluates every input
    /// variable as unknown); it must pass with no error diagnostic.
    pub fn validate(self, name: &str, config: impl Into<String>) -> Self {
        self.push(
            name,
            Kind::Validate {
                config: config.into(),
            },
        )
    }

    /// Writes `config` and applies it; then the plan must be empty.
    pub fn apply(self, name: &str, config: impl Into<String>) -> Self {
        self.push(
            name,
            Kind::Apply {
                config: config.into(),
            },
        )
    }

    /// Imports `address` into a fresh working directory with the last applied
    /// configuration and the applied state of every other resource, then verifies
    /// plan and state; refine with `by_id` or `by_identity`, `and_import`, and `ignore`.
    pub fn import(self, address: &str) -> Self {
        self.push(
            &format!("import {address}"),
            Kind::Import {
                targets: vec![ImportTarget {
                    address: address.into(),
                    by: None,
                }],
                ignore: Vec::new(),
            },
        )
    }

    /// Imports `address` too, in the same step and working directory (for
    /// resources that refer to each other); refine it with `by_id` or `by_identity`.
    pub fn and_import(mut self, address: &str) -> Self {
        let step = self.last();
        step.name = format!("{}, {address}", step.name);
        if let Kind::Import { targets, .. } = &mut step.kind {
            targets.push(ImportTarget {
                address: address.into(),
                by: None,
            });
        }
        self
    }

    fn set_by(&mut self, how: ImportBy<'a>) {
        if let Kind::Import { targets, .. } = &mut self.last().kind
            && let Some(t) = targets.last_mut()
        {
            t.by = Some(how);
        }
    }

    /// `terraform import ADDRESS ID`, the id taken from the applied resource's values.
    pub fn by_id(mut self, id: impl Fn(&Value) -> String + 'a) -> Self {
        self.set_by(ImportBy::Id(Box::new(id)));
        self
    }

    /// An `import { identity = {...} }` block (Terraform 1.12+) with these identity
    /// attributes of the applied resource.
    pub fn by_identity(mut self, attributes: &[&'a str]) -> Self {
        self.set_by(ImportBy::Identity(attributes.to_vec()));
        self
    }

    /// Attributes import cannot recover, left out of the state comparison.
    pub fn ignore(mut self, attributes: &[&'a str]) -> Self {
        if let Kind::Import { ignore, .. } = &mut self.last().kind {
            ignore.extend_from_slice(attributes);
        }
        self
    }

    /// Acts on the emulator behind Terraform's back; the next plan must show
    /// `expect_actions`, then an apply repairs it and the plan after is empty.
    pub fn drift(self, name: &str, act: impl Fn(&StepCtx) + 'a) -> Self {
        self.push(name, Kind::Drift { act: Box::new(act) })
    }

    /// A plan of `config` that must fail; check its error diagnostics with `errors`.
    pub fn plan_fails(self, name: &str, config: impl Into<String>) -> Self {
        self.push(
            name,
            Kind::PlanFails {
                config: config.into(),
            },
        )
    }

    /// An apply of `config` that must fail; check with `errors` and `check`.
    pub fn apply_fails(self, name: &str, config: impl Into<String>) -> Self {
        self.push(
            name,
            Kind::ApplyFails {
                config: config.into(),
            },
        )
    }

    pub fn destroy(self) -> Self {
        self.push("destroy", Kind::Destroy)
    }

    /// The actions the step's plan must show, as (address, action) pairs such as
    /// `("trustchain_ipv6_network.this", "update")`; "replace" means delete+create.
    pub fn expect_actions(mut self, actions: &[(&str, &str)]) -> Self {
        self.last().expect = Some(
            actions
                .iter()
                .map(|(a, act)| {
                    let acts = match *act {
                        "replace" => vec!["delete".to_string(), "create".to_string()],
                        "replace-create-first" => vec!["create".to_string(), "delete".to_string()],
                        other => vec![other.to_string()],
                    };
                    (a.to_string(), acts)
                })
                .collect(),
        );
        self
    }

    /// Inspects the step's saved plan (`terraform show -json` of it).
    pub fn check_plan(mut self, f: impl Fn(&StepCtx, &Value) + 'a) -> Self {
        self.last().check_plan = Some(Box::new(f));
        self
    }

    /// Runs after the step (after the empty-plan rule).
    pub fn check(mut self, f: impl Fn(&StepCtx) + 'a) -> Self {
        self.last().check = Some(Box::new(f));
        self
    }

    /// Inspects the error diagnostics of a failing step.
    pub fn errors(mut self, f: impl Fn(&[Value], &Run) + 'a) -> Self {
        self.last().check_errors = Some(Box::new(f));
        self
    }

    pub fn run(self) {
        let w = self.workspace("");
        let env: Vec<(&str, &str)> = self
            .env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let ctx = StepCtx {
            emu: self.emu,
            w: &w,
            memory: RefCell::new(BTreeMap::new()),
        };
        let fresh = |config: &str| self.workspace(config);
        let last_config = RefCell::new(String::new());
        for (i, step) in self.steps.iter().enumerate() {
            eprintln!("[steps] {}: {}", i + 1, step.name);
            let label = format!("step {} ({})", i + 1, step.name);
            match &step.kind {
                Kind::Validate { config } => {
                    w.write_main(config);
                    let run = w.terraform_env(&["validate", "-json", "-no-color"], &env);
                    let out = run.json();
                    assert!(
                        out["valid"] == true && out["error_count"] == 0,
                        "{label}: terraform validate refused the configuration: {}",
                        serde_json::to_string_pretty(&out["diagnostics"]).unwrap_or_default()
                    );
                }
                Kind::Apply { config } => {
                    w.write_main(config);
                    *last_config.borrow_mut() = config.clone();
                    planned(&ctx, step, &env, &label);
                    w.terraform_env(
                        &["apply", "-auto-approve", "-no-color", "-input=false"],
                        &env,
                    )
                    .ok();
                    assert_plan_empty(&w, &env, After::Apply, &format!("after {label}"));
                }
                Kind::Drift { act } => {
                    act(&ctx);
                    planned(&ctx, step, &env, &label);
                    w.terraform_env(
                        &["apply", "-auto-approve", "-no-color", "-input=false"],
                        &env,
                    )
                    .ok();
                    assert_plan_empty(&w, &env, After::Apply, &format!("after repairing {label}"));
                }
                Kind::Import { targets, ignore } => {
                    let fresh = fresh(&last_config.borrow());
                    import_verify(&ctx, &fresh, targets, ignore, &env, &label);
                }
                Kind::PlanFails { config } => {
                    w.write_main(config);
                    let run = w
                        .terraform_env(&["plan", "-json", "-no-color", "-input=false"], &env)
                        .failed();
                    if let Some(f) = &step.check_errors {
                        f(&run.error_diagnostics(), &run);
                    }
                }
                Kind::ApplyFails { config } => {
                    w.write_main(config);
                    *last_config.borrow_mut() = config.clone();
                    let run = w
                        .terraform_env(
                            &[
                                "apply",
                                "-auto-approve",
                                "-json",
                                "-no-color",
                                "-input=false",
                            ],
                            &env,
                        )
                        .failed();
                    if let Some(f) = &step.check_errors {
                        f(&run.error_diagnostics(), &run);
                    }
                }
                Kind::Destroy => {
                    w.terraform_env(
                        &["destroy", "-auto-approve", "-no-color", "-input=false"],
                        &env,
                    )
                    .ok();
                    let state = w.state_json();
                    assert!(
                        state["values"]["root_module"]["resources"]
                            .as_array()
                            .is_none_or(Vec::is_empty),
                        "{label}: resources left in state: {state}"
                    );
                }
            }
            if let Some(f) = &step.check {
                f(&ctx);
            }
            self.emu.assert_model_conformance(&label);
        }
    }

    fn workspace(&self, config: &str) -> Workspace {
        let w = Workspace::new(config);
        match &self.terraform {
            Some(bin) => w.with_terraform(bin.clone()),
            None => w,
        }
    }
}

/// With `expect_actions` or `check_plan`, saves a plan and checks it.
fn planned(ctx: &StepCtx, step: &Step, env: &[(&str, &str)], label: &str) {
    if step.expect.is_none() && step.check_plan.is_none() {
        return;
    }
    ctx.w
        .terraform_env(&["plan", "-no-color", "-input=false", "-out=tfplan"], env)
        .ok();
    let plan = ctx
        .w
        .terraform_env(&["show", "-json", "tfplan"], env)
        .ok()
        .json();
    if let Some(expect) = &step.expect {
        assert_eq!(&planned_actions(&plan), expect, "{label}: planned actions");
    }
    if let Some(f) = &step.check_plan {
        f(ctx, &plan);
    }
}

/// True when a saved plan has no resource change other than no-op (outputs only).
fn only_outputs_change(w: &Workspace, env: &[(&str, &str)]) -> bool {
    w.terraform_env(&["plan", "-no-color", "-input=false", "-out=tfplan"], env)
        .ok();
    let plan = w
        .terraform_env(&["show", "-json", "tfplan"], env)
        .ok()
        .json();
    let _ = std::fs::remove_file(w.path().join("tfplan"));
    plan["resource_changes"].as_array().is_none_or(|changes| {
        changes
            .iter()
            .all(|c| c["change"]["actions"] == serde_json::json!(["no-op"]))
    })
}

/// What produced the state a plan-empty check follows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum After {
    Apply,
    Import,
}

/// Whether output-only changes are expected: Terraform 1.0 keeps no outputs in the
/// state `terraform import` writes, so its next plan adds them. Nowhere else.
fn outputs_may_change(w: &Workspace, after: After) -> bool {
    after == After::Import
        && crate::terraform_version_of(&w.terraform_path()).is_some_and(|v| v.starts_with("1.0."))
}

fn assert_plan_empty(w: &Workspace, env: &[(&str, &str)], after: After, when: &str) {
    let r = w.terraform_env(
        &["plan", "-no-color", "-input=false", "-detailed-exitcode"],
        env,
    );
    match r.output.status.code() {
        Some(0) => {}
        Some(2) if outputs_may_change(w, after) && only_outputs_change(w, env) => {
            // No resource changes is what this step asserts on that version.
            eprintln!(
                "[harness] the plan {when} changes only outputs (Terraform 1.0 after import)"
            );
        }
        Some(2) => panic!("the plan {when} is not empty:\n{}", r.stdout()),
        _ => {
            r.ok();
        }
    }
}

/// Imports into a fresh working directory; the plan after must be empty, each state
/// equal to the applied one (minus `ignore`), and each identity the same.
fn import_verify(
    ctx: &StepCtx,
    fresh: &Workspace,
    targets: &[ImportTarget],
    ignore: &[&str],
    env: &[(&str, &str)],
    label: &str,
) {
    let state = ctx.state();
    let applied = |address: &str| {
        resource_in(&state, address)
            .unwrap_or_else(|| panic!("{label}: {address} is not in the applied state"))
    };
    // The fresh directory holds everything else the configuration manages, so only
    // the targets are imported and the plan after can be empty.
    if let Ok(applied_state) = std::fs::read_to_string(ctx.w.path().join("terraform.tfstate")) {
        fresh.write_file("terraform.tfstate", &applied_state);
        let mut args = vec!["state", "rm", "-no-color"];
        args.extend(targets.iter().map(|t| t.address.as_str()));
        fresh.terraform_env(&args, env).ok();
    }
    let mut blocks = Vec::new();
    for t in targets {
        let address = t.address.as_str();
        let applied = applied(address);
        match t
            .by
            .as_ref()
            .unwrap_or_else(|| panic!("{label}: say by_id or by_identity for {address}"))
        {
            ImportBy::Id(id_of) => {
                let id = id_of(&applied["values"]);
                let mut args = vec!["import", "-no-color", "-input=false"];
                args.extend([address, id.as_str()]);
                fresh.terraform_env(&args, env).ok();
            }
            ImportBy::Identity(attrs) => {
                let identity = &applied["identity"];
                assert!(
                    identity.is_object(),
                    "{label}: the applied {address} has no identity in state: {applied}"
                );
                let body: Vec<String> = attrs
                    .iter()
                    .map(|a| format!("    {a} = {}", identity[*a]))
                    .collect();
                blocks.push(format!(
                    "import {{\n  to = {address}\n  identity = {{\n{}\n  }}\n}}\n",
                    body.join("\n")
                ));
            }
        }
    }
    if !blocks.is_empty() {
        fresh.write_file("import.tf", &blocks.join("\n"));
        fresh
            .terraform_env(
                &["apply", "-auto-approve", "-no-color", "-input=false"],
                env,
            )
            .ok();
        std::fs::remove_file(fresh.path().join("import.tf")).expect("remove import.tf");
    }
    assert_plan_empty(fresh, env, After::Import, &format!("after {label}"));
    let imported_state = fresh.state_json();
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(m) = v.as_object_mut() {
            for k in ignore {
                m.remove(*k);
            }
        }
        v
    };
    for t in targets {
        let address = t.address.as_str();
        let applied = applied(address);
        let imported = resource_in(&imported_state, address)
            .unwrap_or_else(|| panic!("{label}: {address} was not imported"));
        assert_eq!(
            strip(&imported["values"]),
            strip(&applied["values"]),
            "{label}: imported state of {address} differs from the applied state"
        );
        assert_eq!(
            imported["identity"], applied["identity"],
            "{label}: imported identity of {address} differs"
        );
    }
}
