//! What changed in one module between base and head: its resources, data sources,
//! module calls and locals by address (with `moved` blocks), and its interface
//! (variables, outputs, providers), each change classified for a consumer with the
//! semver bump it needs.

use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

use super::compat::{self, Relation};
use super::config::{Config, Item, Kind, Provider, Variable};

/// The release a change needs, ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bump {
    Patch,
    Minor,
    Major,
}

impl Bump {
    pub fn word(self) -> &'static str {
        match self {
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Added,
    Removed,
    Changed,
    /// Renamed with a `moved` block: state follows, nothing is destroyed.
    Moved {
        from: String,
    },
}

#[derive(Clone, Debug, Serialize)]
pub struct ArgChange {
    pub name: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ItemChange {
    pub kind: Kind,
    pub address: String,
    pub change: Change,
    pub args: Vec<ArgChange>,
    pub bump: Bump,
    /// Why it needs that bump, or a hint (e.g. a likely rename without `moved`).
    pub note: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct InterfaceChange {
    /// `variable`, `output`, `provider`, `terraform`.
    pub what: &'static str,
    pub name: String,
    pub change: String,
    pub breaking: bool,
    pub bump: Bump,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Added,
    Removed,
    Changed,
}

#[derive(Clone, Debug, Serialize)]
pub struct ModuleDiff {
    /// `modules/trustchain/hsm`, `examples/solidity`.
    pub path: String,
    pub status: Status,
    /// Examples are root configurations: not released, no semver.
    pub released: bool,
    pub items: Vec<ItemChange>,
    pub interface: Vec<InterfaceChange>,
    /// Files whose text changed.
    pub files: Vec<String>,
    /// Set when no change above explains the changed files.
    pub text_only: bool,
    pub bump: Bump,
    pub parse_errors: Vec<String>,
}

/// Compares one module; `None` when nothing differs.
pub fn module(path: &str, base: Option<&Config>, head: Option<&Config>) -> Option<ModuleDiff> {
    let empty = Config::default();
    let (b, h) = (base.unwrap_or(&empty), head.unwrap_or(&empty));
    let names: BTreeSet<&String> = b.texts.keys().chain(h.texts.keys()).collect();
    let files: Vec<String> = names
        .into_iter()
        .filter(|n| b.texts.get(*n) != h.texts.get(*n))
        .cloned()
        .collect();
    if files.is_empty() {
        return None;
    }
    let released = path.starts_with("modules/");
    let status = match (base, head) {
        (None, _) => Status::Added,
        (_, None) => Status::Removed,
        _ => Status::Changed,
    };
    let mut items = items(b, h);
    items.extend(env_values(b, h));
    let mut interface = Vec::new();
    variables(b, h, &mut interface);
    outputs(b, h, &mut interface);
    providers(b, h, &mut interface);
    let text_only = items.is_empty() && interface.is_empty();
    let bump = match status {
        Status::Added => Bump::Minor,
        Status::Removed => Bump::Major,
        Status::Changed => items
            .iter()
            .map(|i| i.bump)
            .chain(interface.iter().map(|i| i.bump))
            .max()
            .unwrap_or(Bump::Patch),
    };
    let parse_errors = h.errors.clone();
    Some(ModuleDiff {
        path: path.to_string(),
        status,
        released,
        items,
        interface,
        files,
        text_only,
        bump,
        parse_errors,
    })
}

fn arg_changes(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> Vec<ArgChange> {
    let keys: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    keys.into_iter()
        .filter(|k| old.get(*k) != new.get(*k))
        .map(|k| ArgChange {
            name: k.clone(),
            old: old.get(k).cloned(),
            new: new.get(k).cloned(),
        })
        .collect()
}

fn items(b: &Config, h: &Config) -> Vec<ItemChange> {
    let mut out = Vec::new();
    // `moved` blocks of the head (those of the base were applied before).
    let moved: BTreeMap<&str, &str> = h
        .moved
        .iter()
        .filter(|(from, to)| b.items.contains_key(from) && h.items.contains_key(to))
        .filter(|(from, _)| !h.items.contains_key(from))
        .map(|(f, t)| (t.as_str(), f.as_str()))
        .collect();
    let moved_from: BTreeSet<&str> = moved.values().copied().collect();
    for (addr, item) in &h.items {
        match (b.items.get(addr), moved.get(addr.as_str())) {
            (Some(old), _) => {
                let args = arg_changes(&old.args, &item.args);
                if !args.is_empty() {
                    out.push(changed(addr, item, args));
                }
            }
            (None, Some(from)) => {
                let args = arg_changes(&b.items[*from].args, &item.args);
                out.push(ItemChange {
                    kind: item.kind,
                    address: addr.clone(),
                    change: Change::Moved {
                        from: from.to_string(),
                    },
                    args,
                    bump: Bump::Patch,
                    note: Some(
                        "renamed with a `moved` block: state follows, nothing is destroyed".into(),
                    ),
                });
            }
            (None, None) => out.push(added(addr, item)),
        }
    }
    for (addr, item) in &b.items {
        if h.items.contains_key(addr) || moved_from.contains(addr.as_str()) {
            continue;
        }
        out.push(removed(addr, item, h, b));
    }
    out.sort_by(|a, b| (a.kind, &a.address).cmp(&(b.kind, &b.address)));
    out
}

/// The values of an example's `env/*.tfvars` files, by variable.
fn env_values(b: &Config, h: &Config) -> Vec<ItemChange> {
    let names: BTreeSet<&String> = b
        .texts
        .keys()
        .chain(h.texts.keys())
        .filter(|n| n.starts_with("env/") && n.ends_with(".tfvars"))
        .collect();
    let values = |c: &Config, n: &str| -> Option<BTreeMap<String, String>> {
        let body: hcl::Body = hcl::parse(c.texts.get(n)?).ok()?;
        Some(
            body.attributes()
                .map(|a| (a.key().to_string(), super::config::text(a.expr())))
                .collect(),
        )
    };
    let mut out = Vec::new();
    for n in names {
        let (old, new) = (values(b, n), values(h, n));
        let change = match (&old, &new) {
            (None, Some(_)) => Change::Added,
            (Some(_), None) => Change::Removed,
            _ => Change::Changed,
        };
        let args = arg_changes(&old.unwrap_or_default(), &new.unwrap_or_default());
        if !args.is_empty() {
            out.push(ItemChange {
                kind: Kind::Values,
                address: n.clone(),
                change,
                args,
                bump: Bump::Patch,
                note: None,
            });
        }
    }
    out
}

fn changed(addr: &str, item: &Item, args: Vec<ArgChange>) -> ItemChange {
    let instances = args
        .iter()
        .any(|a| a.name == "count" || a.name == "for_each");
    ItemChange {
        kind: item.kind,
        address: addr.to_string(),
        change: Change::Changed,
        args,
        bump: Bump::Patch,
        note: instances
            .then(|| "count/for_each changed: instances may be created or destroyed".into()),
    }
}

fn added(addr: &str, item: &Item) -> ItemChange {
    let bump = match item.kind {
        Kind::Resource | Kind::Module => Bump::Minor,
        Kind::Data | Kind::Local | Kind::Values => Bump::Patch,
    };
    ItemChange {
        kind: item.kind,
        address: addr.to_string(),
        change: Change::Added,
        args: vec![],
        bump,
        note: None,
    }
}

fn removed(addr: &str, item: &Item, h: &Config, b: &Config) -> ItemChange {
    let destroys = matches!(item.kind, Kind::Resource | Kind::Module);
    // A new item of the same type with the same arguments looks like a rename.
    let rename = destroys
        .then(|| {
            let ty = addr.rsplit_once('.').map(|(t, _)| t).unwrap_or(addr);
            h.items.iter().find(|(a, i)| {
                !b.items.contains_key(*a)
                    && a.rsplit_once('.').map(|(t, _)| t) == Some(ty)
                    && i.args == item.args
            })
        })
        .flatten()
        .map(|(a, _)| a.clone());
    let note = match (&rename, destroys) {
        (Some(to), _) => Some(format!(
            "looks renamed to {to}: without a `moved {{ from = {addr}, to = {to} }}` block every caller destroys and recreates it"
        )),
        (None, true) => Some("destroyed in every caller's state on apply".into()),
        (None, false) => None,
    };
    ItemChange {
        kind: item.kind,
        address: addr.to_string(),
        change: Change::Removed,
        args: vec![],
        bump: if destroys { Bump::Major } else { Bump::Patch },
        note,
    }
}

fn iface(what: &'static str, name: &str, change: String, bump: Bump) -> InterfaceChange {
    InterfaceChange {
        what,
        name: name.to_string(),
        change,
        breaking: bump == Bump::Major,
        bump,
    }
}

fn variables(b: &Config, h: &Config, out: &mut Vec<InterfaceChange>) {
    for (name, v) in &h.variables {
        let Some(old) = b.variables.get(name) else {
            out.push(match &v.default {
                Some(d) => iface(
                    "variable",
                    name,
                    format!("added with default {}", short(d)),
                    Bump::Minor,
                ),
                None => iface(
                    "variable",
                    name,
                    "added without a default: every caller must now set it".into(),
                    Bump::Major,
                ),
            });
            continue;
        };
        variable(name, old, v, out);
    }
    for name in b.variables.keys().filter(|n| !h.variables.contains_key(*n)) {
        out.push(iface(
            "variable",
            name,
            "removed: callers that set it fail with \"Unsupported argument\"".into(),
            Bump::Major,
        ));
    }
}

fn variable(name: &str, old: &Variable, new: &Variable, out: &mut Vec<InterfaceChange>) {
    if old.ty != new.ty {
        let shown = format!(
            "{} -> {}",
            old.ty.as_deref().unwrap_or("(any)"),
            new.ty.as_deref().unwrap_or("(any)")
        );
        let (change, bump) = match compat::compare_types(old.ty.as_deref(), new.ty.as_deref()) {
            Some(Relation::Wider) => (format!("type widened: {shown}"), Bump::Minor),
            Some(Relation::Same) => (format!("type rewritten: {shown}"), Bump::Patch),
            Some(Relation::Narrower) => {
                let dropped = match (
                    old.ty.as_deref().and_then(compat::parse_type),
                    new.ty.as_deref().and_then(compat::parse_type),
                ) {
                    (Some(o), Some(n)) => compat::dropped_attributes(&n, &o),
                    _ => vec![],
                };
                let why = if dropped.is_empty() {
                    "values accepted before are rejected".to_string()
                } else {
                    format!(
                        "attributes {} are dropped: callers' values for them are silently ignored",
                        dropped.join(", ")
                    )
                };
                (format!("type narrowed: {shown} ({why})"), Bump::Major)
            }
            None => (
                format!("type changed: {shown} (cannot prove it accepts the old values)"),
                Bump::Major,
            ),
        };
        out.push(iface("variable", name, change, bump));
    }
    match (&old.default, &new.default) {
        (Some(_), None) => out.push(iface(
            "variable",
            name,
            "default removed: now required, every caller must set it".into(),
            Bump::Major,
        )),
        (None, Some(d)) => out.push(iface(
            "variable",
            name,
            format!("default added ({}): now optional", short(d)),
            Bump::Minor,
        )),
        (Some(o), Some(n)) if o != n => out.push(iface(
            "variable",
            name,
            format!(
                "default changed: {} -> {} (callers relying on the default get the new value)",
                short(o),
                short(n)
            ),
            Bump::Minor,
        )),
        _ => {}
    }
    if old.validations != new.validations {
        out.push(validation(name, old, new));
    }
    let non_null = |v: &Variable| v.nullable.as_deref() == Some("false");
    if !non_null(old) && non_null(new) {
        out.push(iface(
            "variable",
            name,
            "nullable = false: callers passing null fail".into(),
            Bump::Major,
        ));
    } else if non_null(old) && !non_null(new) {
        out.push(iface(
            "variable",
            name,
            "now accepts null".into(),
            Bump::Minor,
        ));
    }
    if old.sensitive != new.sensitive {
        let change = if new.sensitive {
            "marked sensitive"
        } else {
            "no longer sensitive"
        };
        out.push(iface("variable", name, change.into(), Bump::Patch));
    }
}

/// Tightened (rejects values accepted before), loosened, or changed.
fn validation(name: &str, old: &Variable, new: &Variable) -> InterfaceChange {
    let o: BTreeSet<&String> = old.validations.iter().collect();
    let n: BTreeSet<&String> = new.validations.iter().collect();
    let added: Vec<&&String> = n.difference(&o).collect();
    let removed: Vec<&&String> = o.difference(&n).collect();
    // One `contains([...], var.x)` list replaced by another: compare the lists.
    if let ([a], [r]) = (added.as_slice(), removed.as_slice()) {
        let list = |v: &Variable, c: &String| {
            v.validations
                .iter()
                .position(|x| x == c)
                .and_then(|i| v.allowed[i].clone())
        };
        if let (Some(nl), Some(ol)) = (list(new, a), list(old, r)) {
            let dropped: Vec<&String> = ol.iter().filter(|x| !nl.contains(x)).collect();
            let gained: Vec<&String> = nl.iter().filter(|x| !ol.contains(x)).collect();
            if dropped.is_empty() {
                return iface(
                    "variable",
                    name,
                    format!("validation loosened: also allows {}", join(&gained)),
                    Bump::Minor,
                );
            }
            return iface(
                "variable",
                name,
                format!("validation tightened: no longer allows {}", join(&dropped)),
                Bump::Major,
            );
        }
    }
    if removed.is_empty() {
        let conds: Vec<String> = added.iter().map(|c| format!("`{}`", short(c))).collect();
        iface(
            "variable",
            name,
            format!("validation tightened: adds {}", conds.join(", ")),
            Bump::Major,
        )
    } else if added.is_empty() {
        iface(
            "variable",
            name,
            "validation loosened: a condition removed".into(),
            Bump::Minor,
        )
    } else {
        let conds: Vec<String> = added.iter().map(|c| format!("`{}`", short(c))).collect();
        iface(
            "variable",
            name,
            format!(
                "validation changed to {} (may reject values accepted before)",
                conds.join(", ")
            ),
            Bump::Major,
        )
    }
}

fn join(v: &[&String]) -> String {
    v.iter()
        .map(|s| format!("{s:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn outputs(b: &Config, h: &Config, out: &mut Vec<InterfaceChange>) {
    for (name, o) in &h.outputs {
        match b.outputs.get(name) {
            None => out.push(iface("output", name, "added".into(), Bump::Minor)),
            Some(old) => {
                if old.value != o.value {
                    out.push(iface(
                        "output",
                        name,
                        format!(
                            "value changed: {} -> {}",
                            short(&old.value),
                            short(&o.value)
                        ),
                        Bump::Patch,
                    ));
                }
                if !old.sensitive && o.sensitive {
                    out.push(iface(
                        "output",
                        name,
                        "now sensitive: callers using it in non-sensitive places fail".into(),
                        Bump::Major,
                    ));
                } else if old.sensitive && !o.sensitive {
                    out.push(iface(
                        "output",
                        name,
                        "no longer sensitive".into(),
                        Bump::Minor,
                    ));
                }
            }
        }
    }
    for name in b.outputs.keys().filter(|n| !h.outputs.contains_key(*n)) {
        out.push(iface(
            "output",
            name,
            "removed: callers referring to it fail".into(),
            Bump::Major,
        ));
    }
}

fn providers(b: &Config, h: &Config, out: &mut Vec<InterfaceChange>) {
    for (name, p) in &h.providers {
        let Some(old) = b.providers.get(name) else {
            out.push(iface(
                "provider",
                name,
                format!(
                    "now required ({}{}): callers must install and configure it",
                    p.source.as_deref().unwrap_or(name),
                    p.version
                        .as_deref()
                        .map(|v| format!(" {v}"))
                        .unwrap_or_default()
                ),
                Bump::Major,
            ));
            continue;
        };
        provider(name, old, p, out);
    }
    for name in b.providers.keys().filter(|n| !h.providers.contains_key(*n)) {
        out.push(iface(
            "provider",
            name,
            "no longer required".into(),
            Bump::Minor,
        ));
    }
    if b.required_version != h.required_version {
        out.push(constraint(
            "terraform",
            "required_version",
            b.required_version.as_deref(),
            h.required_version.as_deref(),
        ));
    }
}

fn provider(name: &str, old: &Provider, new: &Provider, out: &mut Vec<InterfaceChange>) {
    if old.source != new.source {
        out.push(iface(
            "provider",
            name,
            format!(
                "source changed: {} -> {}",
                old.source.as_deref().unwrap_or("(default)"),
                new.source.as_deref().unwrap_or("(default)")
            ),
            Bump::Major,
        ));
    }
    if old.version != new.version {
        out.push(constraint(
            "provider",
            name,
            old.version.as_deref(),
            new.version.as_deref(),
        ));
    }
    let added: Vec<&String> = new
        .aliases
        .iter()
        .filter(|a| !old.aliases.contains(a))
        .collect();
    let removed: Vec<&String> = old
        .aliases
        .iter()
        .filter(|a| !new.aliases.contains(a))
        .collect();
    if !added.is_empty() {
        out.push(iface(
            "provider",
            name,
            format!(
                "configuration aliases added ({}): callers must pass them in `providers`",
                added
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Bump::Major,
        ));
    }
    if !removed.is_empty() {
        out.push(iface(
            "provider",
            name,
            format!(
                "configuration aliases removed ({})",
                removed
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Bump::Minor,
        ));
    }
}

fn constraint(
    what: &'static str,
    name: &str,
    old: Option<&str>,
    new: Option<&str>,
) -> InterfaceChange {
    let shown = format!(
        "`{}` -> `{}`",
        old.unwrap_or("(any)"),
        new.unwrap_or("(any)")
    );
    let (change, bump) = match compat::compare_versions(old, new) {
        Some(Relation::Narrower) => (
            format!(
                "version constraint narrowed: {shown} (callers on versions now excluded must upgrade)"
            ),
            Bump::Major,
        ),
        Some(Relation::Wider) => (format!("version constraint widened: {shown}"), Bump::Minor),
        Some(Relation::Same) => (
            format!("version constraint rewritten: {shown}"),
            Bump::Patch,
        ),
        None => (format!("version constraint changed: {shown}"), Bump::Major),
    };
    iface(what, name, change, bump)
}

/// A value short enough to show inline, or `…`.
pub fn short(s: &str) -> String {
    if s.chars().count() <= 60 {
        s.to_string()
    } else {
        let cut: String = s.chars().take(57).collect();
        format!("{cut}…")
    }
}
