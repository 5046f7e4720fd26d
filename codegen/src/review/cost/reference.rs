//! The estimate beside a platform document's own cost table (TrustChain: production
//! $2,265, development $425 a month), category by category, with the reason for
//! each difference read from the lines that make up the estimate.

use serde::Serialize;

use super::prices::{Prices, Reference};
use super::rules::{Line, fmt_qty};
use super::{EnvCost, Estimate};

#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub category: String,
    /// Per column (`production`, `development`): (document, estimate).
    pub columns: Vec<(String, f64, f64)>,
    pub reason: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    pub example: String,
    pub document: String,
    /// Column -> environment.
    pub columns: Vec<(String, String)>,
    pub rows: Vec<Row>,
    /// Per column: (document total, estimate total).
    pub totals: Vec<(String, f64, f64)>,
}

fn matches(r: &[String], price: &str) -> bool {
    r.iter().any(|p| price.starts_with(p.as_str()))
}

/// What makes up a category's figure in one estimate, largest first.
fn parts(lines: &[&Line]) -> String {
    let mut by: Vec<(String, usize, f64)> = Vec::new();
    for l in lines {
        let label = match &l.assumption {
            Some(a) => format!("{} (assumed {a})", l.what),
            None => l.what.clone(),
        };
        match by.iter_mut().find(|(w, _, _)| *w == label) {
            Some(e) => {
                e.1 += 1;
                e.2 += l.usd;
            }
            None => by.push((label, 1, l.usd)),
        }
    }
    by.sort_by(|a, b| b.2.total_cmp(&a.2));
    by.iter()
        .take(4)
        .map(|(w, n, total)| {
            let times = if *n > 1 {
                format!("{n} × ")
            } else {
                String::new()
            };
            format!("{times}{w} {}", usd(*total))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// `prod: ...; dev: ...`, or once for all when every environment says the same.
fn say(reasons: Vec<(String, String)>) -> String {
    match reasons.as_slice() {
        [] => String::new(),
        [(_, first), rest @ ..] if !rest.is_empty() && rest.iter().all(|(_, w)| w == first) => {
            let envs: Vec<&str> = reasons.iter().map(|(e, _)| e.as_str()).collect();
            format!("{}: {first}", envs.join(" and "))
        }
        _ => reasons
            .iter()
            .map(|(e, w)| format!("{e}: {w}"))
            .collect::<Vec<_>>()
            .join(". "),
    }
}

pub fn compare(prices: &Prices, envs: &[EnvCost]) -> Vec<Comparison> {
    prices
        .references
        .iter()
        .filter_map(|r| one(r, envs))
        .collect()
}

fn one(r: &Reference, envs: &[EnvCost]) -> Option<Comparison> {
    let estimate = |env: &str| -> Option<&Estimate> {
        envs.iter()
            .find(|e| e.example == r.example && e.env == env)
            .and_then(|e| e.head.as_ref())
    };
    let columns: Vec<(String, String)> = r
        .columns
        .iter()
        .map(|c| (c.name.clone(), c.env.clone()))
        .collect();
    if columns.iter().all(|(_, env)| estimate(env).is_none()) {
        return None;
    }
    let mut rows = Vec::new();
    let mut claimed: Vec<String> = Vec::new();
    for row in &r.rows {
        claimed.extend(row.prices.iter().cloned());
        let mut cols = Vec::new();
        let mut reasons = Vec::new();
        for (col, env) in &columns {
            let lines: Vec<&Line> = estimate(env)
                .map(|e| {
                    e.lines
                        .iter()
                        .filter(|l| matches(&row.prices, &l.price))
                        .collect()
                })
                .unwrap_or_default();
            let ours: f64 = lines.iter().map(|l| l.usd).sum();
            let doc = row.usd.get(col).copied().unwrap_or(0.0);
            cols.push((col.clone(), doc, ours));
            if (ours - doc).abs() >= 0.5 {
                let what = if lines.is_empty() {
                    "nothing the modules create is priced here".to_string()
                } else {
                    parts(&lines)
                };
                reasons.push((env.clone(), what));
            }
        }
        let mut reason = say(reasons);
        if let Some(n) = &row.note {
            reason = if reason.is_empty() {
                n.clone()
            } else {
                format!("{reason}. {n}")
            };
        }
        rows.push(Row {
            category: row.category.clone(),
            columns: cols,
            reason,
        });
    }
    // What the modules create that the document's table has no row for.
    let mut cols = Vec::new();
    let mut reasons = Vec::new();
    for (col, env) in &columns {
        let lines: Vec<&Line> = estimate(env)
            .map(|e| {
                e.lines
                    .iter()
                    .filter(|l| !matches(&claimed, &l.price))
                    .collect()
            })
            .unwrap_or_default();
        let ours: f64 = lines.iter().map(|l| l.usd).sum();
        cols.push((col.clone(), 0.0, ours));
        if !lines.is_empty() {
            reasons.push((env.clone(), parts(&lines)));
        }
    }
    rows.push(Row {
        category: "Not in the document's table".into(),
        columns: cols,
        reason: say(reasons),
    });
    let totals = columns
        .iter()
        .map(|(col, env)| {
            (
                col.clone(),
                r.totals.get(col).copied().unwrap_or(0.0),
                estimate(env).map_or(0.0, |e| e.total),
            )
        })
        .collect();
    Some(Comparison {
        example: r.example.clone(),
        document: r.document.clone(),
        columns,
        rows,
        totals,
    })
}

/// `$1,234.56`.
pub fn usd(v: f64) -> String {
    let neg = v < -0.005;
    let cents = (v.abs() * 100.0).round() as u64;
    let (whole, frac) = (cents / 100, cents % 100);
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{}${grouped}.{frac:02}", if neg { "-" } else { "" })
}

/// `+$12.00`, `-$3.50`, `$0.00`.
pub fn signed(v: f64) -> String {
    if v >= 0.005 {
        format!("+{}", usd(v))
    } else {
        usd(v)
    }
}

pub fn qty(q: f64) -> String {
    fmt_qty(q)
}
