//! Tests of the platforms' own spec checks (`PlatformSpec::validate` of solidity.rs and
//! trustchain.rs): the built-in spec with one value changed, and the key paths the check
//! reports. Each case names the AWS or Kubernetes rule the check encodes.

use super::PlatformSpec;
use crate::spec::Validator;
use toml::Value;

const SOLIDITY: &str = include_str!("../../platforms/solidity.toml");
const TRUSTCHAIN: &str = include_str!("../../platforms/trustchain.toml");

/// The key paths `S::validate` reports for `text` with each (dotted path, value) set.
fn problems<S: PlatformSpec>(text: &str, edits: &[(&str, Value)]) -> Vec<String> {
    let mut doc: Value = toml::from_str(text).expect("built-in spec");
    for (path, value) in edits {
        let mut at = &mut doc;
        let keys: Vec<&str> = path.split('.').collect();
        for k in &keys[..keys.len() - 1] {
            at = at.get_mut(*k).unwrap_or_else(|| panic!("{path}: no {k}"));
        }
        at.as_table_mut()
            .expect("a table")
            .insert(keys[keys.len() - 1].to_string(), value.clone());
    }
    let spec: S = doc.try_into().expect("the edited spec still deserializes");
    let mut v = Validator::default();
    spec.validate(&mut v);
    v.paths().into_iter().map(String::from).collect()
}

fn solidity(edits: &[(&str, Value)]) -> Vec<String> {
    problems::<super::solidity::Spec>(SOLIDITY, edits)
}

fn trustchain(edits: &[(&str, Value)]) -> Vec<String> {
    problems::<super::trustchain::Spec>(TRUSTCHAIN, edits)
}

fn s(v: &str) -> Value {
    Value::String(v.into())
}

fn n(v: i64) -> Value {
    Value::Integer(v)
}

#[test]
fn the_built_in_specs_pass() {
    assert_eq!(solidity(&[]), Vec::<String>::new());
    assert_eq!(trustchain(&[]), Vec::<String>::new());
}

#[test]
fn a_secondary_vpc_block_may_not_overlap_the_primary_either_way() {
    // The node block holds the whole VPC block: the one direction that is not equality.
    let p = solidity(&[
        ("networking.vpc_cidr", s("10.0.0.0/20")),
        (
            "networking.public_subnet_cidrs",
            Value::Array(vec![s("10.0.0.0/24"), s("10.0.1.0/24")]),
        ),
        (
            "networking.private_subnet_cidrs",
            Value::Array(vec![s("10.0.2.0/24"), s("10.0.3.0/24")]),
        ),
        ("networking.node_ipv4_cidr", s("10.0.0.0/16")),
    ]);
    assert_eq!(p, ["networking.node_ipv4_cidr"]);
    let p = trustchain(&[
        ("networking.ipv4_cidr", s("10.0.0.0/20")),
        ("networking.load_balancer_ipv4_cidr", s("10.0.0.0/16")),
    ]);
    assert_eq!(p, ["networking.load_balancer_ipv4_cidr"]);
}

#[test]
fn waf_country_codes_are_two_capital_letters() {
    let codes = |c: &[&str]| {
        solidity(&[(
            "security.waf_blocked_country_codes",
            Value::Array(c.iter().map(|x| s(x)).collect()),
        )])
    };
    assert_eq!(codes(&["US", "KP"]), Vec::<String>::new());
    for bad in ["us", "USA", "U"] {
        assert_eq!(
            codes(&[bad]),
            ["security.waf_blocked_country_codes[0]"],
            "{bad}"
        );
    }
}

#[test]
fn the_kubernetes_version_is_a_minor_version() {
    for bad in ["1.35.1", "1", "1.x", "v1.35"] {
        assert_eq!(
            solidity(&[("compute.kubernetes_version", s(bad))]),
            ["compute.kubernetes_version"],
            "{bad}"
        );
    }
}

#[test]
fn a_node_group_wants_min_le_desired_le_max() {
    let sizes = |min, desired, max| {
        solidity(&[
            ("compute.node_groups.general.min_size", n(min)),
            ("compute.node_groups.general.desired_size", n(desired)),
            ("compute.node_groups.general.max_size", n(max)),
        ])
    };
    assert_eq!(sizes(1, 2, 3), Vec::<String>::new());
    assert_eq!(sizes(1, 5, 3), ["compute.node_groups.general.desired_size"]);
    assert_eq!(sizes(3, 2, 5), ["compute.node_groups.general.desired_size"]);
}

#[test]
fn performance_insights_keeps_7_days_multiples_of_31_up_to_713_or_731() {
    let days = |d| solidity(&[("database.performance_insights_retention_days", n(d))]);
    for ok in [7, 31, 62, 713, 731] {
        assert_eq!(days(ok), Vec::<String>::new(), "{ok}");
    }
    for bad in [10, 30, 744, 730] {
        assert_eq!(
            days(bad),
            ["database.performance_insights_retention_days"],
            "{bad}"
        );
    }
}

#[test]
fn bucket_lifecycles_are_ones_s3_accepts() {
    let bucket = |ia, glacier, retention: Option<i64>| {
        let mut e = vec![
            ("storage.buckets.contracts.transition_to_ia_days", n(ia)),
            (
                "storage.buckets.contracts.transition_to_glacier_days",
                n(glacier),
            ),
        ];
        if let Some(r) = retention {
            e.push(("storage.buckets.contracts.retention_days", n(r)));
        }
        solidity(&e)
    };
    assert_eq!(bucket(30, 60, Some(61)), Vec::<String>::new());
    // 30 days in STANDARD_IA before Glacier.
    assert_eq!(
        bucket(30, 45, None),
        ["storage.buckets.contracts.transition_to_glacier_days"]
    );
    // Expiration only after the last transition.
    assert_eq!(
        bucket(30, 60, Some(60)),
        ["storage.buckets.contracts.retention_days"]
    );
    assert_eq!(
        bucket(30, 60, Some(59)),
        ["storage.buckets.contracts.retention_days"]
    );
}

#[test]
fn addon_namespaces_are_dns_labels() {
    let ns = |v: &str| solidity(&[("addons.charts.cluster_autoscaler.namespace", s(v))]);
    assert_eq!(ns("kube-system"), Vec::<String>::new());
    assert_eq!(ns("monitoring-<env>"), Vec::<String>::new());
    let long = "a".repeat(64);
    for bad in [
        "",
        long.as_str(),
        "Kube-system",
        "kube_system",
        "-kube",
        "kube-",
    ] {
        assert_eq!(
            ns(bad),
            ["addons.charts.cluster_autoscaler.namespace"],
            "{bad:?}"
        );
    }
    assert_eq!(ns(&"a".repeat(63)), Vec::<String>::new());
}

#[test]
fn continuous_backup_retention_is_off_or_the_databases_own() {
    let days = |c| solidity(&[("backup.continuous_retention_days", n(c))]);
    assert_eq!(days(0), Vec::<String>::new());
    assert_eq!(
        days(30),
        Vec::<String>::new(),
        "database.backup_retention_days is 30"
    );
    assert_eq!(days(7), ["backup.continuous_retention_days"]);
}

/// The trustchain spec with its tiers renamed (`None` drops a tier), in order.
fn tiers(names: &[Option<&str>]) -> Vec<String> {
    let doc: Value = toml::from_str(TRUSTCHAIN).expect("built-in spec");
    let mut list = doc["networking"]["tiers"]
        .as_array()
        .expect("tiers")
        .clone();
    let mut kept = Vec::new();
    for (t, name) in list.iter_mut().zip(names) {
        if let Some(name) = name {
            t.as_table_mut()
                .expect("tier")
                .insert("name".into(), s(name));
            kept.push(t.clone());
        }
    }
    trustchain(&[("networking.tiers", Value::Array(kept))])
}

#[test]
fn tiers_have_snake_case_names_and_the_three_the_modules_use() {
    assert_eq!(
        tiers(&[Some("public"), Some("private"), Some("hsm")]),
        Vec::<String>::new()
    );
    // Renaming a tier both breaks its name rule and loses a tier the modules expect.
    for bad in ["", "Hsm", "hsm-tier"] {
        assert_eq!(
            tiers(&[Some("public"), Some("private"), Some(bad)]),
            ["networking.tiers[2].name", "networking.tiers"],
            "{bad:?}"
        );
    }
    assert_eq!(
        tiers(&[Some("public"), Some("private"), None]),
        ["networking.tiers"]
    );
    assert_eq!(
        tiers(&[Some("public"), Some("private"), Some("hsm_2")]),
        ["networking.tiers"]
    );
}

#[test]
fn the_instance_group_wants_min_le_desired_le_max() {
    let sizes = |min, desired, max| {
        trustchain(&[
            ("compute.min_size", n(min)),
            ("compute.desired_capacity", n(desired)),
            ("compute.max_size", n(max)),
        ])
    };
    assert_eq!(sizes(2, 2, 6), Vec::<String>::new());
    assert_eq!(sizes(2, 7, 6), ["compute.desired_capacity"]);
    assert_eq!(sizes(3, 2, 6), ["compute.desired_capacity"]);
}

#[test]
fn hsm_type_and_mode() {
    let hsm = |t: &str, m: &str| trustchain(&[("hsm.hsm_type", s(t)), ("hsm.mode", s(m))]);
    assert_eq!(hsm("hsm2m.medium", "FIPS"), Vec::<String>::new());
    assert_eq!(hsm("hsm2m.medium", "NON_FIPS"), Vec::<String>::new());
    assert_eq!(hsm("hsm1.medium", "FIPS"), ["hsm.hsm_type"]);
    assert_eq!(hsm("hsm1.medium", "NON_FIPS"), ["hsm.hsm_type", "hsm.mode"]);
}

#[test]
fn storage_transitions_keep_30_days_in_ia_and_expire_last() {
    let st = |ia, glacier, retention| {
        trustchain(&[
            ("storage.transition_to_ia_days", n(ia)),
            ("storage.transition_to_glacier_days", n(glacier)),
            ("storage.retention_days", n(retention)),
        ])
    };
    assert_eq!(st(30, 60, 61), Vec::<String>::new());
    assert_eq!(st(30, 45, 2557), ["storage.transition_to_glacier_days"]);
    assert_eq!(st(30, 60, 60), ["storage.transition_to_glacier_days"]);
}

#[test]
fn the_availability_target_is_a_percentage_above_0_up_to_100() {
    let pct = |p: f64| trustchain(&[("monitoring.availability_percent", Value::Float(p))]);
    for ok in [0.1, 99.9, 100.0] {
        assert_eq!(pct(ok), Vec::<String>::new(), "{ok}");
    }
    for bad in [0.0, -1.0, 100.5] {
        assert_eq!(pct(bad), ["monitoring.availability_percent"], "{bad}");
    }
}
