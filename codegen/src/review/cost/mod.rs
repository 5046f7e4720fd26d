//! The monthly cost estimate: each example environment (`examples/<x>/env/<env>.tfvars`)
//! evaluated with the project's evaluator, inputs at the example's values, through
//! its module calls into the modules; every resource instance priced by
//! [`rules`] from the price table.

pub mod prices;
pub mod reference;
pub mod rules;

use hcl::expr::ObjectKey;
use hcl::{Body, Expression};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use crate::eval::{Module, Scope, V, attr, expand, label};
use crate::review::config::Config;
use prices::Prices;
use rules::{Ctx, Line, Out};

/// One environment's estimate.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Estimate {
    pub total: f64,
    /// Module call -> (module path, monthly total).
    pub modules: BTreeMap<String, (String, f64)>,
    pub lines: Vec<Line>,
    pub notes: Vec<String>,
    pub unpriced: BTreeMap<String, usize>,
}

/// An example environment at base and head.
#[derive(Clone, Debug, Serialize)]
pub struct EnvCost {
    pub example: String,
    pub env: String,
    pub base: Option<Estimate>,
    pub head: Option<Estimate>,
}

impl EnvCost {
    pub fn total(e: &Option<Estimate>) -> f64 {
        e.as_ref().map_or(0.0, |e| e.total)
    }
    pub fn delta(&self) -> f64 {
        Self::total(&self.head) - Self::total(&self.base)
    }
}

/// `examples/<x>` directories with `env/*.tfvars`: (example, env, tfvars path).
pub fn environments(root: &Path) -> Vec<(String, String, PathBuf)> {
    let mut out = Vec::new();
    let mut examples: Vec<PathBuf> = std::fs::read_dir(root.join("examples"))
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    examples.sort();
    for ex in examples {
        let mut envs: Vec<PathBuf> = std::fs::read_dir(ex.join("env"))
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "tfvars"))
                    .collect()
            })
            .unwrap_or_default();
        envs.sort_by_key(|p| env_order(&stem(p)));
        for env in envs {
            let name = format!(
                "examples/{}",
                ex.file_name().unwrap_or_default().to_string_lossy()
            );
            out.push((name, stem(&env), env));
        }
    }
    out
}

fn stem(p: &Path) -> String {
    p.file_stem()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

/// dev, staging, prod first, in that order; others after, by name.
pub fn env_order(env: &str) -> (usize, String) {
    let i = ["dev", "staging", "prod"]
        .iter()
        .position(|e| *e == env)
        .unwrap_or(3);
    (i, env.to_string())
}

/// Values of a `.tfvars` file (constants; anything else is unknown).
fn tfvars(path: &Path) -> Result<BTreeMap<String, V>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let body: Body = hcl::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let constants = Module::default();
    Ok(body
        .attributes()
        .map(|a| (a.key().to_string(), constants.eval(a.expr(), &Scope::new())))
        .collect())
}

/// Estimates one example environment of the tree at `root`.
pub fn estimate(
    root: &Path,
    example: &str,
    tfvars_path: &Path,
    prices: &Prices,
) -> Result<Estimate, String> {
    let inputs = tfvars(tfvars_path)?;
    let mut out = Out::default();
    let dir = root.join(example);
    out.calls.insert("(root)".into(), example.to_string());
    instance(root, &dir, "(root)", inputs, prices, &mut out, 0)?;
    let mut e = Estimate {
        modules: out
            .calls
            .iter()
            .map(|(c, p)| (c.clone(), (p.clone(), 0.0)))
            .collect(),
        notes: out.notes,
        unpriced: out.unpriced,
        ..Estimate::default()
    };
    for l in &out.lines {
        e.total += l.usd;
    }
    e.lines = out.lines;
    Ok(e)
}

/// Loads a module directory, evaluates it with `inputs`, prices its resources and
/// descends into its module calls.
fn instance(
    root: &Path,
    dir: &Path,
    call: &str,
    inputs: BTreeMap<String, V>,
    prices: &Prices,
    out: &mut Out,
    depth: usize,
) -> Result<(), String> {
    let config = Config::read(dir);
    if let Some(e) = config.errors.first() {
        return Err(format!("{}: {e}", dir.display()));
    }
    let types = variable_types(&config);
    let mut given = BTreeMap::new();
    for (k, v) in inputs {
        // A null input keeps the default of a `nullable = false` variable.
        let keeps_default = matches!(v, V::Null)
            && config
                .variables
                .get(&k)
                .is_some_and(|var| var.nullable.as_deref() == Some("false"));
        if !keeps_default {
            let v = match types.get(&k) {
                Some(t) => with_type_defaults(t, v),
                None => v,
            };
            given.insert(k, v);
        }
    }
    let module = Module::from_bodies(config.files.iter().map(|(_, b)| b));
    // Defaults convert to the variable's type too (optional attributes they leave out).
    for (k, t) in &types {
        if let (false, Some(Some(d))) = (given.contains_key(k), module.defaults.get(k)) {
            let v = module.eval(d, &Scope::new());
            given.insert(k.clone(), with_type_defaults(t, v));
        }
    }
    module.cache.borrow_mut().clear();
    let module = module.with_inputs(given);
    let ctx = Ctx {
        config: &config,
        module: &module,
        prices,
        call,
    };
    for (_, body) in &config.files {
        for b in body.blocks() {
            match b.identifier() {
                "resource" => {
                    let (ty, name) = (label(b, 0), label(b, 1));
                    let x = expand(&module, &b.body);
                    let priced = out.lines.len();
                    for scope in &x.instances {
                        let at = format!("{ty}.{name}{}", key_suffix(scope));
                        rules::resource(&ctx, &ty, &b.body, scope, &at, out);
                    }
                    if let (Some(why), true) = (&x.unknown, out.lines.len() > priced) {
                        out.notes.push(format!(
                            "{call}: {ty}.{name}: count unknown ({why}), priced as one instance"
                        ));
                    }
                }
                "module" if depth < 4 => {
                    let name = label(b, 0);
                    let Some(source) = attr(&b.body, "source")
                        .and_then(|e| module.eval(e, &Scope::new()).as_str().map(str::to_string))
                    else {
                        continue;
                    };
                    let Some(child) = local_source(root, dir, &source) else {
                        out.notes.push(format!("{call}: module.{name}: source {source} is not a local module, not priced"));
                        continue;
                    };
                    for scope in expand(&module, &b.body).instances {
                        let args: BTreeMap<String, V> = b
                            .body
                            .attributes()
                            .filter(|a| !META.contains(&a.key()))
                            .map(|a| (a.key().to_string(), module.eval(a.expr(), &scope)))
                            .collect();
                        let child_call = if call == "(root)" {
                            name.clone()
                        } else {
                            format!("{call}.{name}")
                        };
                        let rel = child.strip_prefix(root).unwrap_or(&child);
                        let rel = rel
                            .components()
                            .map(|c| c.as_os_str().to_string_lossy().into_owned())
                            .collect::<Vec<_>>()
                            .join("/");
                        out.calls.insert(child_call.clone(), rel);
                        instance(root, &child, &child_call, args, prices, out, depth + 1)?;
                    }
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// The type constraint of each variable.
fn variable_types(config: &Config) -> BTreeMap<String, Expression> {
    let mut out = BTreeMap::new();
    for (_, body) in &config.files {
        for b in body.blocks().filter(|b| b.identifier() == "variable") {
            if let Some(t) = attr(&b.body, "type") {
                out.insert(label(b, 0), t.clone());
            }
        }
    }
    out
}

/// A caller's value as Terraform converts it to the variable's type: attributes of
/// `optional(type, default)` the caller left out take their default.
fn with_type_defaults(ty: &Expression, v: V) -> V {
    let Expression::FuncCall(f) = ty else {
        return v;
    };
    let arg = f.args.first();
    match (f.name.name.as_str(), arg, v) {
        ("map", Some(t), V::Obj(m)) => V::Obj(
            m.into_iter()
                .map(|(k, x)| (k, with_type_defaults(t, x)))
                .collect(),
        ),
        ("list" | "set", Some(t), V::List(l)) => {
            V::List(l.into_iter().map(|x| with_type_defaults(t, x)).collect())
        }
        ("object", Some(Expression::Object(attrs)), V::Obj(mut m)) => {
            for (k, t) in attrs {
                let key = match k {
                    ObjectKey::Identifier(i) => i.to_string(),
                    ObjectKey::Expression(Expression::String(s)) => s.clone(),
                    _ => continue,
                };
                let (inner, default) = match t {
                    Expression::FuncCall(o) if o.name.name.as_str() == "optional" => {
                        (o.args.first(), o.args.get(1))
                    }
                    other => (Some(other), None),
                };
                let given = m.remove(&key).filter(|x| !matches!(x, V::Null));
                let value = match (given, default) {
                    (Some(x), _) => inner.map_or(x.clone(), |t| with_type_defaults(t, x)),
                    (None, Some(d)) => Module::default().eval(d, &Scope::new()),
                    (None, None) => V::Null,
                };
                m.insert(key, value);
            }
            V::Obj(m)
        }
        (_, _, v) => v,
    }
}

const META: &[&str] = &[
    "source",
    "version",
    "providers",
    "count",
    "for_each",
    "depends_on",
];

fn key_suffix(scope: &Scope) -> String {
    match (scope.get("each"), scope.get("count")) {
        (Some(V::Obj(e)), _) => match e.get("key") {
            Some(V::Str(k)) => format!("[{k:?}]"),
            _ => String::new(),
        },
        (_, Some(V::Obj(c))) => c
            .get("index")
            .and_then(V::as_num)
            .map(|i| format!("[{i}]"))
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// A `../../modules/x` source, resolved inside the tree.
fn local_source(root: &Path, dir: &Path, source: &str) -> Option<PathBuf> {
    if !(source.starts_with("./") || source.starts_with("../")) {
        return None;
    }
    let mut p = PathBuf::new();
    for c in dir.join(source).components() {
        match c {
            Component::ParentDir => {
                p.pop();
            }
            Component::CurDir => {}
            other => p.push(other),
        }
    }
    (p.starts_with(root) && p.is_dir()).then_some(p)
}

/// Totals per module call, filled from the lines.
pub fn by_module(e: &mut Estimate) {
    for l in &e.lines {
        let entry = e
            .modules
            .entry(l.module.clone())
            .or_insert((String::new(), 0.0));
        entry.1 += l.usd;
    }
}

/// Base and head estimates of every example environment of either tree.
pub fn compare(base_root: &Path, head_root: &Path, prices: &Prices) -> (Vec<EnvCost>, Vec<String>) {
    let mut errors = Vec::new();
    let mut envs: BTreeMap<(String, (usize, String)), EnvCost> = BTreeMap::new();
    for (side, root) in [(0, base_root), (1, head_root)] {
        for (example, env, path) in environments(root) {
            let key = (example.clone(), env_order(&env));
            let slot = envs.entry(key).or_insert_with(|| EnvCost {
                example: example.clone(),
                env: env.clone(),
                base: None,
                head: None,
            });
            match estimate(root, &example, &path, prices) {
                Ok(mut e) => {
                    by_module(&mut e);
                    if side == 0 {
                        slot.base = Some(e);
                    } else {
                        slot.head = Some(e);
                    }
                }
                Err(err) => errors.push(format!(
                    "{} {example} {env}: {err}",
                    if side == 0 { "base" } else { "head" }
                )),
            }
        }
    }
    (envs.into_values().collect(), errors)
}
