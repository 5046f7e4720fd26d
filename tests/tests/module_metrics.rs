//! Rule class "metrics that exist", where checkov cannot see it: the monitoring modules
//! create their alarms from the `alarms` input (`for_each`), with dimensions the root
//! configuration passes in `alarm_dimensions`. This reads every module's default alarms and
//! the dimensions each example passes, and checks each alarm on an `AWS/` namespace against
//! `tests/rule-pack/metrics.csv` (the table CKV_TC_7 reads, one row per metric and
//! dimension set AWS publishes, with the AWS page it comes from). An alarm on a metric or
//! dimension set AWS does not publish has no data and never fires.

use std::collections::{BTreeMap, BTreeSet};

use acceptance::workspace_root;
use hcl::{Body, Expression, ObjectKey};

type Published = BTreeSet<(String, String, BTreeSet<String>)>;

fn published() -> Published {
    let text = std::fs::read_to_string(workspace_root().join("tests/rule-pack/metrics.csv"))
        .expect("tests/rule-pack/metrics.csv");
    let mut out = BTreeSet::new();
    for line in text.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let cols: Vec<&str> = line.split(',').collect();
        assert_eq!(cols.len(), 4, "metrics.csv: {line}");
        assert!(
            cols[3].starts_with("https://docs.aws.amazon.com/"),
            "metrics.csv: every row names the AWS page it comes from: {line}"
        );
        let dims = cols[2]
            .split(';')
            .filter(|d| !d.is_empty())
            .map(str::to_string)
            .collect();
        out.insert((cols[0].to_string(), cols[1].to_string(), dims));
    }
    out
}

fn key(k: &ObjectKey) -> String {
    match k {
        ObjectKey::Identifier(i) => i.to_string(),
        ObjectKey::Expression(Expression::String(s)) => s.clone(),
        other => format!("{other:?}"),
    }
}

fn object(e: &Expression) -> BTreeMap<String, Expression> {
    match e {
        Expression::Object(o) => o.iter().map(|(k, v)| (key(k), v.clone())).collect(),
        _ => BTreeMap::new(),
    }
}

fn string(e: Option<&Expression>) -> Option<String> {
    match e {
        Some(Expression::String(s)) => Some(s.clone()),
        _ => None,
    }
}

/// `alarm name -> (namespace, metric, default dimension names)` from the module's `alarms`.
fn module_alarms(platform: &str) -> BTreeMap<String, (String, String, BTreeSet<String>)> {
    let path = workspace_root().join(format!("modules/{platform}/monitoring/variables.tf"));
    let body: Body = hcl::parse(&std::fs::read_to_string(&path).expect("variables.tf")).unwrap();
    let default = body
        .blocks()
        .find(|b| b.identifier() == "variable" && b.labels()[0].as_str() == "alarms")
        .and_then(|b| b.body.attributes().find(|a| a.key() == "default").cloned())
        .expect("variable alarms with a default");
    object(default.expr())
        .into_iter()
        .map(|(name, a)| {
            let a = object(&a);
            let dims = a.get("dimensions").map(object).unwrap_or_default();
            (
                name,
                (
                    string(a.get("namespace")).expect("namespace"),
                    string(a.get("metric_name")).expect("metric_name"),
                    dims.keys().cloned().collect(),
                ),
            )
        })
        .collect()
}

/// `module block name -> alarm name -> dimension names` for every call of the platform's
/// monitoring module in the example's `.tf` files (the primary's and, on solidity, the standby
/// region's in standby.tf).
fn example_dimensions(platform: &str) -> BTreeMap<String, BTreeMap<String, BTreeSet<String>>> {
    let dir = workspace_root().join(format!("examples/{platform}"));
    let source = format!("../../modules/{platform}/monitoring");
    let mut out = BTreeMap::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("example dir")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tf"))
        .collect();
    files.sort();
    for path in files {
        let body: Body = hcl::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for module in body.blocks().filter(|b| {
            b.identifier() == "module"
                && b.body.attributes().any(|a| {
                    a.key() == "source" && matches!(a.expr(), Expression::String(s) if *s == source)
                })
        }) {
            let dims = module
                .body
                .attributes()
                .find(|a| a.key() == "alarm_dimensions")
                .map(|a| {
                    object(a.expr())
                        .into_iter()
                        .map(|(k, v)| (k, object(&v).keys().cloned().collect()))
                        .collect()
                })
                .unwrap_or_default();
            out.insert(module.labels()[0].as_str().to_string(), dims);
        }
    }
    assert!(
        out.contains_key("monitoring"),
        "examples/{platform} calls no monitoring module named monitoring: {out:?}"
    );
    out
}

#[test]
fn every_module_alarm_names_a_metric_aws_publishes_with_the_dimensions_its_example_passes() {
    let table = published();
    let mut problems = Vec::new();
    let mut checked = 0;
    for platform in ["trustchain", "solidity"] {
        for (call, passed) in example_dimensions(platform) {
            for (name, (namespace, metric, mut dims)) in module_alarms(platform) {
                if !namespace.starts_with("AWS/") {
                    continue; // the application's own metrics
                }
                dims.extend(passed.get(&name).cloned().unwrap_or_default());
                checked += 1;
                if !table.contains(&(namespace.clone(), metric.clone(), dims.clone())) {
                    problems.push(format!(
                        "{platform} monitoring alarm {name} (module.{call}): {namespace} {metric} with dimensions {dims:?} (module default plus examples/{platform}) is not a metric AWS publishes per tests/rule-pack/metrics.csv"
                    ));
                }
            }
            for name in passed.keys() {
                if !module_alarms(platform).contains_key(name) {
                    problems.push(format!(
                        "examples/{platform} module.{call}: alarm_dimensions names {name}, which is no alarm of the module"
                    ));
                }
            }
        }
    }
    // trustchain's and solidity's primary monitoring and solidity's standby monitoring.
    assert!(checked >= 15, "only {checked} AWS/ alarms found");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The check above can fail: the dimension set ElastiCache does not publish is refused.
#[test]
fn a_replication_group_dimension_is_not_a_published_elasticache_metric() {
    let table = published();
    let by_group = BTreeSet::from(["ReplicationGroupId".to_string()]);
    let by_cluster = BTreeSet::from(["CacheClusterId".to_string()]);
    let m = |d: &BTreeSet<String>| {
        (
            "AWS/ElastiCache".to_string(),
            "EngineCPUUtilization".to_string(),
            d.clone(),
        )
    };
    assert!(!table.contains(&m(&by_group)));
    assert!(table.contains(&m(&by_cluster)));
}
