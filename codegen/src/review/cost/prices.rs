//! The price table (`codegen/prices/aws-us-east-1.toml`): one region's on-demand
//! prices, each row with the date and AWS pricing page it comes from; the usage
//! assumptions of usage-driven items; the platform document's own cost table.
//!
//! A row without a date or a source is an error: the table is read by every review
//! and by the test suite, so such a row fails both.

use serde::Deserialize;
use std::collections::BTreeMap;

pub const BUILTIN_PATH: &str = "codegen/prices/aws-us-east-1.toml";
pub const BUILTIN: &str = include_str!("../../../prices/aws-us-east-1.toml");

#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Price {
    pub key: String,
    pub what: String,
    /// `hour`, `month`, `GB-month`, `IOPS-month`, `million events`, ...
    pub unit: String,
    pub usd: f64,
    /// When the figure was read or published (YYYY-MM-DD).
    #[serde(default)]
    pub date: String,
    /// The AWS pricing page the price belongs to.
    #[serde(default)]
    pub source: String,
    /// Where the figure was read and what it says.
    pub evidence: String,
    /// False when no readable source confirmed the figure; `evidence` says what is known.
    pub confirmed: bool,
}

#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Usage {
    pub key: String,
    pub value: f64,
    pub unit: String,
    /// The stated assumption, shown beside every line that uses it.
    pub assumption: String,
}

/// One row of a platform document's own cost table.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReferenceRow {
    pub category: String,
    /// Document figure per column (e.g. `production`, `development`).
    pub usd: BTreeMap<String, f64>,
    /// Price keys (prefixes) whose lines fall in this category.
    pub prices: Vec<String>,
    /// What the document's row covers, when it differs from what we estimate.
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    /// The document's column (`production`).
    pub name: String,
    /// The example environment (`prod`).
    pub env: String,
}

#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    /// Which example it compares with (`examples/trustchain`).
    pub example: String,
    pub document: String,
    /// The document's columns, in its order, with the environment each is compared with.
    pub columns: Vec<Column>,
    pub totals: BTreeMap<String, f64>,
    pub rows: Vec<ReferenceRow>,
}

#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Prices {
    pub region: String,
    pub currency: String,
    pub hours_per_month: f64,
    #[serde(rename = "price")]
    pub prices: Vec<Price>,
    #[serde(rename = "usage")]
    pub usages: Vec<Usage>,
    #[serde(default, rename = "reference")]
    pub references: Vec<Reference>,
}

impl Prices {
    pub fn builtin() -> Result<Prices, String> {
        Prices::parse(BUILTIN, BUILTIN_PATH)
    }

    /// Parses and checks a table: every row dated (YYYY-MM-DD) and sourced (an
    /// https URL), keys unique, prices not negative.
    pub fn parse(text: &str, name: &str) -> Result<Prices, String> {
        let p: Prices = toml::from_str(text).map_err(|e| format!("{name}: {e}"))?;
        let mut errors = Vec::new();
        let mut seen = BTreeMap::new();
        for r in &p.prices {
            if seen.insert(r.key.clone(), ()).is_some() {
                errors.push(format!("price {}: listed twice", r.key));
            }
            if !is_date(&r.date) {
                errors.push(format!(
                    "price {}: needs the date of its source as YYYY-MM-DD (date = {:?})",
                    r.key, r.date
                ));
            }
            if !r.source.starts_with("https://") {
                errors.push(format!(
                    "price {}: needs the AWS pricing page it comes from (source = {:?})",
                    r.key, r.source
                ));
            }
            if r.evidence.trim().is_empty() {
                errors.push(format!("price {}: evidence is empty", r.key));
            }
            if !(r.usd >= 0.0 && r.usd.is_finite()) {
                errors.push(format!("price {}: usd {} is not a price", r.key, r.usd));
            }
        }
        for u in &p.usages {
            if u.assumption.trim().is_empty() {
                errors.push(format!("usage {}: the assumption must be stated", u.key));
            }
        }
        if errors.is_empty() {
            Ok(p)
        } else {
            Err(format!("{name}:\n  {}", errors.join("\n  ")))
        }
    }

    pub fn price(&self, key: &str) -> Option<&Price> {
        self.prices.iter().find(|p| p.key == key)
    }

    pub fn usage(&self, key: &str) -> Option<&Usage> {
        self.usages.iter().find(|u| u.key == key)
    }

    /// The oldest and newest row dates.
    pub fn dates(&self) -> (String, String) {
        let mut d: Vec<&String> = self.prices.iter().map(|p| &p.date).collect();
        d.sort();
        (
            d.first().map(|s| s.to_string()).unwrap_or_default(),
            d.last().map(|s| s.to_string()).unwrap_or_default(),
        )
    }
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && s.chars()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROW: &str = r#"
region = "us-east-1"
currency = "USD"
hours_per_month = 730
usage = []
[[price]]
key = "x"
what = "x"
unit = "hour"
usd = 1.0
evidence = "read somewhere"
confirmed = true
"#;

    #[test]
    fn the_committed_table_is_dated_and_sourced() {
        let p = Prices::builtin().unwrap_or_else(|e| panic!("{e}"));
        assert!(p.prices.len() > 30, "{} rows", p.prices.len());
        assert!(
            p.prices
                .iter()
                .all(|r| is_date(&r.date) && r.source.starts_with("https://"))
        );
    }

    #[test]
    fn a_row_without_a_date_or_a_source_is_refused() {
        let no_date = ROW.replace(
            "usd = 1.0",
            "usd = 1.0\nsource = \"https://aws.amazon.com/x/pricing/\"",
        );
        let e = Prices::parse(&no_date, "t.toml").unwrap_err();
        assert!(e.contains("price x: needs the date"), "{e}");
        assert!(!e.contains("needs the AWS pricing page"), "{e}");
        let no_source = ROW.replace("usd = 1.0", "usd = 1.0\ndate = \"2024-07-01\"");
        let e = Prices::parse(&no_source, "t.toml").unwrap_err();
        assert!(e.contains("price x: needs the AWS pricing page"), "{e}");
        assert!(!e.contains("needs the date"), "{e}");
        let both = ROW.replace(
            "usd = 1.0",
            "usd = 1.0\ndate = \"2024-07-01\"\nsource = \"https://aws.amazon.com/x/pricing/\"",
        );
        assert!(Prices::parse(&both, "t.toml").is_ok());
        let bad_date = both.replace("2024-07-01", "July 2024");
        assert!(Prices::parse(&bad_date, "t.toml").is_err());
    }
}
