//! The report as Markdown for a pull-request comment.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::Report;
use super::cost::EnvCost;
use super::cost::reference::{signed, usd};
use super::diff::{Change, ItemChange, ModuleDiff, short};

/// The marker a CI job finds its earlier comment by.
pub const MARKER: &str = "<!-- codegen-review -->";

fn code(s: &str) -> String {
    format!("`{}`", s.replace('`', "'").replace('|', "\\|"))
}

/// Text in a table cell: pipes and `*` (a splat would start emphasis) escaped.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('*', "\\*").replace('\n', " ")
}

pub fn markdown(r: &Report) -> String {
    let mut s = String::new();
    let base = &r.base_commit[..r.base_commit.len().min(12)];
    let _ = writeln!(s, "{MARKER}\n## Module review: `{base}` → {}\n", r.head);
    if r.modules.is_empty() {
        let _ = writeln!(
            s,
            "Nothing to review: no module changes (`modules/` and `examples/` are the same as at {}).",
            base_label(r)
        );
        return s;
    }
    summary(&mut s, r);
    for m in &r.modules {
        module(&mut s, m);
    }
    policy(&mut s, r);
    cost(&mut s, r);
    s
}

fn base_label(r: &Report) -> String {
    let short = &r.base_commit[..r.base_commit.len().min(12)];
    if r.base.starts_with(short) || short.starts_with(r.base.as_str()) {
        format!("`{short}`")
    } else if r.base.contains(' ') {
        format!("{} (`{short}`)", r.base)
    } else {
        format!("`{}` (`{short}`)", r.base)
    }
}

fn summary(s: &mut String, r: &Report) {
    let released: Vec<&ModuleDiff> = r.modules.iter().filter(|m| m.released).collect();
    let examples = r.modules.len() - released.len();
    let _ = write!(s, "**{} module(s) changed", released.len());
    if examples > 0 {
        let _ = write!(s, ", {examples} example(s)");
    }
    let _ = write!(s, ".**");
    if let Some(b) = r.bump() {
        let _ = write!(s, " Release needed: **{}**.", b.word());
    }
    if let Some(p) = &r.policy {
        match &p.error {
            Some(_) => {
                let _ = write!(s, " Policy: not run.");
            }
            None => {
                let _ = write!(
                    s,
                    " Policy: {} new failure(s), {} fixed.",
                    p.new_failures.len(),
                    p.fixed.len()
                );
            }
        }
    }
    let _ = writeln!(s, "\n");
    let _ = writeln!(
        s,
        "| Module | Release | Breaking | Resources + / − / ~ / moved | Interface changes |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|");
    for m in &r.modules {
        let count = |f: &dyn Fn(&Change) -> bool| m.items.iter().filter(|i| f(&i.change)).count();
        let breaking = m.interface.iter().filter(|i| i.breaking).count()
            + m.items
                .iter()
                .filter(|i| i.bump == super::diff::Bump::Major)
                .count();
        let release = if m.released {
            format!("**{}**", m.bump.word())
        } else {
            "(example)".into()
        };
        let _ = writeln!(
            s,
            "| {path}{status} | {release} | {breaking} | {} / {} / {} / {} | {} |",
            count(&|c| *c == Change::Added),
            count(&|c| *c == Change::Removed),
            count(&|c| *c == Change::Changed),
            count(&|c| matches!(c, Change::Moved { .. })),
            m.interface.len(),
            path = m.path,
            status = if matches!(m.status, super::diff::Status::Changed) {
                String::new()
            } else {
                format!(" ({})", m.status.word())
            },
        );
    }
    let _ = writeln!(s);
}

fn module(s: &mut String, m: &ModuleDiff) {
    let release = if m.released {
        format!(": {} release", m.bump.word())
    } else {
        String::new()
    };
    let _ = writeln!(s, "### {} ({}){release}\n", m.path, m.status.word());
    for e in &m.parse_errors {
        let _ = writeln!(s, "> **Does not parse:** {}\n", cell(e));
    }
    if !m.interface.is_empty() {
        let _ = writeln!(
            s,
            "| Interface | Change | Breaking | Bump |\n|---|---|---|---|"
        );
        let mut rows: Vec<_> = m.interface.iter().collect();
        rows.sort_by_key(|i| std::cmp::Reverse(i.bump));
        for i in rows {
            let _ = writeln!(
                s,
                "| {} {} | {} | {} | {} |",
                i.what,
                code(&i.name),
                cell(&i.change),
                if i.breaking { "**yes**" } else { "no" },
                i.bump.word()
            );
        }
        let _ = writeln!(s);
    }
    if !m.items.is_empty() {
        for i in &m.items {
            let _ = writeln!(s, "- {}", item(i));
        }
        let _ = writeln!(s);
    }
    if m.text_only {
        let _ = writeln!(
            s,
            "Only text changed ({}): comments, layout or documentation; no resource or interface change.\n",
            m.files.join(", ")
        );
    }
}

fn item(i: &ItemChange) -> String {
    let noun = i.kind.noun();
    let head = match &i.change {
        Change::Added => format!("**added** {noun} {}", code(&i.address)),
        Change::Removed => format!("**removed** {noun} {}", code(&i.address)),
        Change::Changed => format!("changed {noun} {}", code(&i.address)),
        Change::Moved { from } => {
            format!("**moved** {noun} {} → {}", code(from), code(&i.address))
        }
    };
    let mut parts = vec![head];
    if !i.args.is_empty() {
        let args: Vec<String> = i
            .args
            .iter()
            .take(12)
            .map(|a| match (&a.old, &a.new) {
                (Some(o), Some(n)) if o.len() <= 60 && n.len() <= 60 => {
                    format!("{} {} → {}", code(&a.name), code(o), code(n))
                }
                (None, Some(n)) => format!("{} added ({})", code(&a.name), code(&short(n))),
                (Some(_), None) => format!("{} removed", code(&a.name)),
                _ => code(&a.name),
            })
            .collect();
        let more = i.args.len().saturating_sub(12);
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        parts.push(format!("{}{more}", args.join(", ")));
    }
    if let Some(n) = &i.note {
        parts.push(format!("_{n}_"));
    }
    parts.join(": ")
}

fn policy(s: &mut String, r: &Report) {
    let Some(p) = &r.policy else {
        return;
    };
    let _ = writeln!(
        s,
        "### Policy: checkov and the rule pack over the changed modules\n"
    );
    if let Some(e) = &p.error {
        let _ = writeln!(s, "Not run: {}\n", cell(e));
        return;
    }
    let _ = writeln!(
        s,
        "{} module(s) checked at base and head ({:.0} s); {} failure(s) at both.\n",
        p.modules.len(),
        p.seconds,
        p.still_failing
    );
    for (title, list) in [("New failures", &p.new_failures), ("Fixed", &p.fixed)] {
        if list.is_empty() {
            let _ = writeln!(s, "{title}: none.\n");
            continue;
        }
        let _ = writeln!(
            s,
            "**{title}**\n\n| Check | Module | Resource | At |\n|---|---|---|---|"
        );
        for f in list {
            let pack = if f.rule_pack { " (rule pack)" } else { "" };
            let _ = writeln!(
                s,
                "| {}{pack} {} | {} | {} | {}:{} |",
                code(&f.check_id),
                cell(&f.check_name),
                f.module,
                code(&f.resource),
                f.file,
                f.line
            );
        }
        let _ = writeln!(s);
    }
}

fn cost(s: &mut String, r: &Report) {
    let Some(c) = &r.cost else {
        return;
    };
    let _ = writeln!(
        s,
        "### Cost: monthly estimate, {} on-demand ({}, prices dated {} to {})\n",
        c.region, c.price_table, c.dates.0, c.dates.1
    );
    let _ = writeln!(
        s,
        "| Environment | Base | Head | Difference |\n|---|---:|---:|---:|"
    );
    for e in &c.environments {
        let show = |x: &Option<_>| match x {
            Some(_) => usd(EnvCost::total(x)),
            None => "(none)".into(),
        };
        let d = e.delta();
        let d = if d.abs() >= 0.005 {
            format!("**{}**", signed(d))
        } else {
            signed(d)
        };
        let _ = writeln!(
            s,
            "| {} {} | {} | {} | {d} |",
            e.example,
            e.env,
            show(&e.base),
            show(&e.head)
        );
    }
    let _ = writeln!(s);
    line_changes(s, &c.environments, &r.modules);
    per_module(s, &c.environments);
    for cmp in &c.reference {
        let _ = writeln!(s, "#### {} beside {}\n", cmp.example, cmp.document);
        let mut head = "| Category |".to_string();
        let mut rule = "|---|".to_string();
        for (col, env) in &cmp.columns {
            let _ = write!(head, " Document {col} | Estimate {env} |");
            rule.push_str("---:|---:|");
        }
        let _ = writeln!(s, "{head} Why they differ |\n{rule}---|");
        for row in &cmp.rows {
            let cols: String = row
                .columns
                .iter()
                .map(|(_, d, o)| format!(" {} | {} |", usd(*d), usd(*o)))
                .collect();
            let _ = writeln!(
                s,
                "| {} |{cols} {} |",
                cell(&row.category),
                cell(&row.reason)
            );
        }
        let totals: String = cmp
            .totals
            .iter()
            .map(|(_, d, o)| format!(" **{}** | **{}** |", usd(*d), usd(*o)))
            .collect();
        let _ = writeln!(s, "| **Total** |{totals} |\n");
    }
    let _ = writeln!(
        s,
        "<details><summary>Usage assumptions and notes</summary>\n"
    );
    for u in &c.assumptions {
        let _ = writeln!(
            s,
            "- {}: {} {}: {}",
            code(&u.key),
            u.value,
            u.unit,
            u.assumption
        );
    }
    if !c.unconfirmed_prices.is_empty() {
        let _ = writeln!(
            s,
            "- Prices not confirmed from a readable AWS source (see the table's evidence): {}",
            c.unconfirmed_prices.join(", ")
        );
    }
    let notes: BTreeSet<&String> = c
        .environments
        .iter()
        .filter_map(|e| e.head.as_ref())
        .flat_map(|e| &e.notes)
        .collect();
    for n in notes {
        let _ = writeln!(s, "- {}", cell(n));
    }
    let unpriced: BTreeSet<&String> = c
        .environments
        .iter()
        .filter_map(|e| e.head.as_ref())
        .flat_map(|e| e.unpriced.keys())
        .collect();
    if !unpriced.is_empty() {
        let list: Vec<&str> = unpriced.iter().map(|s| s.as_str()).collect();
        let _ = writeln!(s, "- Not estimated (no rule): {}", list.join(", "));
    }
    for e in &c.errors {
        let _ = writeln!(s, "- **Could not estimate:** {}", cell(e));
    }
    let _ = writeln!(s, "\n</details>");
}

/// A base address under its head name when a `moved` block renamed it.
fn renamed(moves: &[(&str, &str, &str)], path: Option<&str>, address: &str) -> String {
    let (bare, key) = address.split_at(address.find('[').unwrap_or(address.len()));
    moves
        .iter()
        .find(|(p, from, _)| Some(*p) == path && *from == bare)
        .map(|(_, _, to)| format!("{to}{key}"))
        .unwrap_or_else(|| address.to_string())
}

/// The priced lines whose cost differs, per environment (a resource moved by a `moved`
/// block is one line, under its new address).
fn line_changes(s: &mut String, envs: &[EnvCost], modules: &[ModuleDiff]) {
    let moves: Vec<(&str, &str, &str)> = modules
        .iter()
        .flat_map(|m| {
            m.items.iter().filter_map(move |i| match &i.change {
                Change::Moved { from } => {
                    Some((m.path.as_str(), from.as_str(), i.address.as_str()))
                }
                _ => None,
            })
        })
        .collect();
    let mut rows = Vec::new();
    for e in envs {
        let mut sums: BTreeMap<(String, String, String), (f64, f64, String)> = BTreeMap::new();
        for (side, est) in [(0, &e.base), (1, &e.head)] {
            for l in est.iter().flat_map(|x| &x.lines) {
                let path = est
                    .as_ref()
                    .and_then(|x| x.modules.get(&l.module))
                    .map(|(p, _)| p.as_str());
                let address = if side == 0 {
                    renamed(&moves, path, &l.address)
                } else {
                    l.address.clone()
                };
                let k = (l.module.clone(), address, l.price.clone());
                let entry = sums.entry(k).or_insert((0.0, 0.0, String::new()));
                if side == 0 {
                    entry.0 += l.usd;
                } else {
                    entry.1 += l.usd;
                }
                entry.2 = l.what.clone();
            }
        }
        for ((module, address, price), (b, h, what)) in sums {
            if (h - b).abs() >= 0.005 {
                rows.push(format!(
                    "| {} {} | {module} | {} {} ({}) | {} | {} | {} |",
                    e.example,
                    e.env,
                    code(&address),
                    code(&price),
                    cell(&what),
                    usd(b),
                    usd(h),
                    signed(h - b)
                ));
            }
        }
    }
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "**What changes the cost**\n\n| Environment | Module | Item | Base | Head | Difference |\n|---|---|---|---:|---:|---:|"
    );
    for r in rows.iter().take(40) {
        let _ = writeln!(s, "{r}");
    }
    if rows.len() > 40 {
        let _ = writeln!(s, "\n_and {} more (see `--format json`)_", rows.len() - 40);
    }
    let _ = writeln!(s);
}

/// Per example: one row per module call, one column per environment.
fn per_module(s: &mut String, envs: &[EnvCost]) {
    let _ = writeln!(
        s,
        "<details><summary>Per module call and environment (head; the base in parentheses where it differs)</summary>\n"
    );
    let examples: BTreeSet<&String> = envs.iter().map(|e| &e.example).collect();
    for ex in examples {
        let cols: Vec<&EnvCost> = envs.iter().filter(|e| &e.example == ex).collect();
        let mut calls: BTreeMap<&String, &String> = BTreeMap::new();
        for e in &cols {
            for side in [&e.base, &e.head] {
                for (call, (path, _)) in side.iter().flat_map(|x| &x.modules) {
                    calls.insert(call, path);
                }
            }
        }
        let heads: String = cols.iter().map(|e| format!(" {} |", e.env)).collect();
        let rule: String = cols.iter().map(|_| "---:|").collect();
        let _ = writeln!(
            s,
            "**{ex}**\n\n| Module call | Module |{heads}\n|---|---|{rule}"
        );
        for (call, path) in calls {
            let cells: String = cols
                .iter()
                .map(|e| {
                    let get = |x: &Option<super::cost::Estimate>| {
                        x.as_ref()
                            .and_then(|x| x.modules.get(call))
                            .map(|(_, t)| *t)
                    };
                    match (get(&e.base), get(&e.head)) {
                        (Some(b), Some(h)) if (b - h).abs() >= 0.005 => {
                            format!(" {} ({}) |", usd(h), usd(b))
                        }
                        (_, Some(h)) => format!(" {} |", usd(h)),
                        (Some(b), None) => format!(" removed ({}) |", usd(b)),
                        (None, None) => " |".into(),
                    }
                })
                .collect();
            let _ = writeln!(s, "| {call} | {path} |{cells}");
        }
        let _ = writeln!(s);
    }
    let _ = writeln!(s, "</details>\n");
}
