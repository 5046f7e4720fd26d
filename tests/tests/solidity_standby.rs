//! The Solidity platform's standby region (issue 25; the document: "Each region contains a
//! complete EKS cluster with all microservices, RDS read replicas for disaster recovery, S3
//! buckets with cross-region replication, regional monitoring and logging"). `make
//! validate-modules` plans examples/solidity in both regions; this reads its module calls and
//! fails when the standby region loses its EKS cluster or its cross-region replica, when the
//! replica is encrypted with a key of the wrong region, when the DNS failover stops pointing at
//! the standby ALB, or when the replica lag alarm moves back to the primary, where RDS publishes
//! no ReplicaLag and the alarm never fires.

use std::collections::BTreeMap;

use acceptance::workspace_root;
use hcl::{Body, Expression, ObjectKey};

/// One `module` block of the example: its source, provider mapping and arguments as HCL text.
#[derive(Debug, Clone)]
struct Call {
    source: String,
    aws: String,
    args: BTreeMap<String, String>,
    exprs: BTreeMap<String, Expression>,
}

fn key(k: &ObjectKey) -> String {
    match k {
        ObjectKey::Identifier(i) => i.to_string(),
        ObjectKey::Expression(Expression::String(s)) => s.clone(),
        ObjectKey::Expression(e) => text(e),
        other => format!("{other:?}"),
    }
}

fn text(e: &Expression) -> String {
    hcl::format::to_string(e).unwrap_or_else(|_| format!("{e:?}"))
}

fn calls_in(dir: &std::path::Path) -> BTreeMap<String, Call> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("example dir")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tf"))
        .collect();
    files.sort();
    let mut out = BTreeMap::new();
    for path in files {
        let body: Body = hcl::parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for b in body.blocks().filter(|b| b.identifier() == "module") {
            let exprs: BTreeMap<String, Expression> = b
                .body
                .attributes()
                .map(|a| (a.key().to_string(), a.expr().clone()))
                .collect();
            let args = exprs.iter().map(|(k, v)| (k.clone(), text(v))).collect();
            let source = match exprs.get("source") {
                Some(Expression::String(s)) => s.clone(),
                _ => String::new(),
            };
            let aws = match exprs.get("providers") {
                Some(Expression::Object(o)) => o
                    .iter()
                    .find(|(k, _)| key(k) == "aws")
                    .map(|(_, v)| text(v))
                    .unwrap_or_default(),
                _ => String::new(),
            };
            out.insert(
                b.labels()[0].as_str().to_string(),
                Call {
                    source,
                    aws,
                    args,
                    exprs,
                },
            );
        }
    }
    out
}

fn example() -> BTreeMap<String, Call> {
    calls_in(&workspace_root().join("examples/solidity"))
}

/// The calls of `modules/solidity/<module>` in the given provider's region.
fn in_region<'a>(
    calls: &'a BTreeMap<String, Call>,
    module: &str,
    aws: &str,
) -> Vec<(&'a String, &'a Call)> {
    let source = format!("../../modules/solidity/{module}");
    calls
        .iter()
        .filter(|(_, c)| c.source == source && c.aws == aws)
        .collect()
}

fn one<'a>(
    calls: &'a BTreeMap<String, Call>,
    module: &str,
    aws: &str,
) -> Result<(&'a String, &'a Call), String> {
    match in_region(calls, module, aws).as_slice() {
        [c] => Ok(*c),
        other => Err(format!(
            "examples/solidity: expected one {module} module on {aws}, found {}",
            other.len()
        )),
    }
}

/// `alarm -> its dimensions` as HCL text, from a monitoring call's `alarm_dimensions`.
fn alarm_dimension(call: &Call, alarm: &str) -> Option<String> {
    match call.exprs.get("alarm_dimensions") {
        Some(Expression::Object(o)) => o
            .iter()
            .find(|(k, _)| key(k) == alarm)
            .map(|(_, v)| text(v)),
        _ => None,
    }
}

/// Every standby-region requirement, as a list of problems (empty: the standby is whole).
fn problems(calls: &BTreeMap<String, Call>) -> Vec<String> {
    let mut out = Vec::new();
    let (primary, secondary) = ("aws.primary", "aws.secondary");

    // A complete EKS cluster in the secondary region, in a VPC of that region.
    let networking = one(calls, "networking", secondary);
    match one(calls, "compute", secondary) {
        Ok((_, compute)) => {
            if let Ok((net, _)) = &networking
                && !compute
                    .args
                    .get("subnet_ids")
                    .is_some_and(|s| s.contains(&format!("module.{net}.")))
            {
                out.push(format!(
                    "the standby EKS cluster does not run in the standby VPC (module.{net}): {:?}",
                    compute.args.get("subnet_ids")
                ));
            }
            if !compute.args.contains_key("node_groups") {
                out.push("the standby EKS cluster takes the module's default (primary-sized) node groups".into());
            }
            if compute
                .args
                .get("create_ecr_replication_configuration")
                .map(String::as_str)
                != Some("false")
            {
                out.push("the standby compute module must not own the (one per account and region) ECR replication configuration".into());
            }
        }
        Err(e) => out.push(e),
    }
    if let Err(e) = networking {
        out.push(e);
    }
    for module in ["security", "load_balancer", "certificates", "monitoring"] {
        if let Err(e) = one(calls, module, secondary) {
            out.push(e);
        }
    }

    // The cross-region read replica of the primary database, encrypted with a key of the
    // secondary region.
    let primary_db = one(calls, "database", primary);
    match one(calls, "database", secondary) {
        Ok((replica_name, replica)) => {
            let source = replica
                .args
                .get("replica_source")
                .cloned()
                .unwrap_or_default();
            match &primary_db {
                Ok((db, _)) if source.contains(&format!("db_instance_arn = module.{db}.db_instance_arn")) => {}
                _ => out.push(format!("the standby database is no cross-region replica of the primary's ARN: replica_source = {source:?}")),
            }
            let key = replica
                .args
                .get("rds_kms_key_arn")
                .cloned()
                .unwrap_or_default();
            let key_module = key
                .strip_prefix("module.")
                .and_then(|k| k.split('.').next())
                .unwrap_or("");
            if calls.get(key_module).map(|c| c.aws.as_str()) != Some(secondary) {
                out.push(format!("the replica's rds_kms_key_arn ({key}) is not a key of the secondary region: KMS keys are regional and RDS refuses a cross-region replica without one of the destination"));
            }

            // The lag alarm sits on the replica, in the replica's region.
            // (A missing standby monitoring module is reported above.)
            if let Ok((_, mon)) = one(calls, "monitoring", secondary) {
                let lag = alarm_dimension(mon, "rds_replica_lag").unwrap_or_default();
                if !lag.contains(&format!("module.{replica_name}.db_instance_identifier")) {
                    out.push(format!("the standby monitoring's rds_replica_lag does not watch the cross-region replica (module.{replica_name}): {lag:?}"));
                }
            }
        }
        Err(e) => out.push(e),
    }
    // On the primary the alarm watches an in-region replica or is left out, never the primary.
    if let (Ok((_, mon)), Ok((db, _))) = (one(calls, "monitoring", primary), &primary_db) {
        let lag = alarm_dimension(mon, "rds_replica_lag").unwrap_or_default();
        if lag.contains(&format!("module.{db}.db_instance_identifier")) {
            out.push(format!("the primary's rds_replica_lag watches the primary instance, which publishes no ReplicaLag: {lag}"));
        }
        let omit = mon.args.get("omit_alarms").cloned().unwrap_or_default();
        if !lag.is_empty() && !omit.contains("rds_replica_lag") {
            out.push("the primary's rds_replica_lag is not left out when no in-region replica runs (omit_alarms)".into());
        }
    }

    // The addons run on the standby cluster too (issue 25: the standby stack has "the load
    // balancer, monitoring, and the addons"): helm and kubernetes reach the standby cluster,
    // and External Secrets reads the database secret's replica in the secondary region.
    match (
        one(calls, "addons", secondary),
        one(calls, "compute", secondary),
    ) {
        (Ok((_, addons)), Ok((compute, _))) => {
            let cluster = addons.args.get("cluster_name").cloned().unwrap_or_default();
            if cluster != format!("module.{compute}.cluster_name") {
                out.push(format!("the standby addons do not run on the standby EKS cluster (module.{compute}): cluster_name = {cluster:?}"));
            }
            for p in ["helm", "kubernetes"] {
                let given = match addons.exprs.get("providers") {
                    Some(Expression::Object(o)) => o
                        .iter()
                        .find(|(k, _)| key(k) == p)
                        .map(|(_, v)| text(v))
                        .unwrap_or_default(),
                    _ => String::new(),
                };
                if given != format!("{p}.secondary") {
                    out.push(format!("the standby addons do not take the {p}.secondary provider (configured from module.{compute}): {p} = {given:?}"));
                }
            }
            let secrets = addons
                .args
                .get("external_secrets_secret_arns")
                .cloned()
                .unwrap_or_default();
            if !secrets.contains("db_master_user_secret_replica_arns[var.secondary_region]") {
                out.push(format!("the standby External Secrets does not read the database secret's replica in the secondary region: external_secrets_secret_arns = {secrets:?}"));
            }
        }
        (Err(e), _) => out.push(e),
        _ => {}
    }

    // Route 53 fails over to the standby ALB.
    match (
        one(calls, "dns", primary),
        one(calls, "load_balancer", secondary),
    ) {
        (Ok((_, dns)), Ok((lb, _))) => {
            let alb = dns.args.get("secondary_alb").cloned().unwrap_or_default();
            if !alb.contains(&format!("module.{lb}.alb_dns_name")) {
                out.push(format!(
                    "the dns module's secondary_alb is not the standby ALB (module.{lb}): {alb:?}"
                ));
            }
        }
        (Err(e), _) => out.push(e),
        _ => {}
    }
    out
}

#[test]
fn the_standby_region_has_an_eks_cluster_a_cross_region_replica_and_the_lag_alarm() {
    let calls = example();
    let problems = problems(&calls);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The check above can fail: each way of breaking the standby is reported.
#[test]
fn a_standby_without_its_cluster_or_replica_or_with_the_lag_alarm_on_the_primary_is_refused() {
    let calls = example();
    let standby = |module: &str| {
        in_region(&calls, module, "aws.secondary")
            .first()
            .map(|(n, _)| n.to_string())
            .unwrap_or_else(|| panic!("no standby {module}"))
    };

    // No EKS cluster in the secondary region.
    let mut broken = calls.clone();
    broken.remove(&standby("compute"));
    let p = problems(&broken);
    assert!(
        p.iter()
            .any(|m| m.contains("compute module on aws.secondary")),
        "{p:?}"
    );

    // No addons on the standby cluster, or addons talking to the primary's.
    let mut broken = calls.clone();
    let addons = standby("addons");
    broken.remove(&addons);
    let p = problems(&broken);
    assert!(
        p.iter()
            .any(|m| m.contains("addons module on aws.secondary")),
        "{p:?}"
    );
    let mut broken = calls.clone();
    broken
        .get_mut(&addons)
        .unwrap()
        .args
        .insert("cluster_name".into(), "module.compute.cluster_name".into());
    let primary_providers: Body =
        hcl::parse("providers = { aws = aws.secondary, helm = helm, kubernetes = kubernetes }")
            .unwrap();
    broken.get_mut(&addons).unwrap().exprs.insert(
        "providers".into(),
        primary_providers
            .attributes()
            .next()
            .unwrap()
            .expr()
            .clone(),
    );
    let p = problems(&broken);
    assert!(
        p.iter()
            .any(|m| m.contains("do not run on the standby EKS cluster")),
        "{p:?}"
    );
    assert!(p.iter().any(|m| m.contains("helm.secondary")), "{p:?}");

    // The standby database is no replica.
    let mut broken = calls.clone();
    let db = standby("database");
    broken.get_mut(&db).unwrap().args.remove("replica_source");
    let p = problems(&broken);
    assert!(
        p.iter().any(|m| m.contains("no cross-region replica")),
        "{p:?}"
    );

    // The replica encrypted with the primary region's key.
    let mut broken = calls.clone();
    broken.get_mut(&db).unwrap().args.insert(
        "rds_kms_key_arn".into(),
        "module.hsm.kms_key_arns[\"rds\"]".into(),
    );
    let p = problems(&broken);
    assert!(
        p.iter()
            .any(|m| m.contains("not a key of the secondary region")),
        "{p:?}"
    );

    // The lag alarm back on the primary instance.
    let src = std::fs::read_to_string(workspace_root().join("examples/solidity/main.tf")).unwrap();
    let moved = src.replace(
        "try(module.database.db_replica_identifiers[0], null)",
        "module.database.db_instance_identifier",
    );
    assert_ne!(
        src, moved,
        "examples/solidity/main.tf no longer has the primary's lag dimension this test rewrites"
    );
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(workspace_root().join("examples/solidity")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "tf") {
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    std::fs::write(dir.path().join("main.tf"), moved).unwrap();
    let p = problems(&calls_in(dir.path()));
    assert!(
        p.iter().any(|m| m.contains("watches the primary instance")),
        "{p:?}"
    );

    // The standby's lag alarm off the replica.
    let mut broken = calls.clone();
    let mon = standby("monitoring");
    broken
        .get_mut(&mon)
        .unwrap()
        .exprs
        .remove("alarm_dimensions");
    let p = problems(&broken);
    assert!(
        p.iter()
            .any(|m| m.contains("does not watch the cross-region replica")),
        "{p:?}"
    );
}

/// `(module dir, resource name, attributes as HCL text)` of every `aws_db_instance` in the
/// generated modules.
fn db_instances() -> Vec<(String, String, BTreeMap<String, String>)> {
    let mut out = Vec::new();
    for platform in ["solidity", "trustchain"] {
        let root = workspace_root().join("modules").join(platform);
        let mut dirs: Vec<_> = std::fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        for dir in dirs {
            for file in std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()) {
                if file.extension().is_none_or(|e| e != "tf") {
                    continue;
                }
                let body: Body = hcl::parse(&std::fs::read_to_string(&file).unwrap()).unwrap();
                for b in body.blocks().filter(|b| {
                    b.identifier() == "resource" && b.labels()[0].as_str() == "aws_db_instance"
                }) {
                    let attrs = b
                        .body
                        .attributes()
                        .map(|a| (a.key().to_string(), text(a.expr())))
                        .collect();
                    out.push((
                        dir.strip_prefix(workspace_root())
                            .unwrap()
                            .display()
                            .to_string(),
                        b.labels()[1].as_str().to_string(),
                        attrs,
                    ));
                }
            }
        }
    }
    out
}

/// AWS rule, by class: RDS creates no read replica of an instance whose master password it
/// manages in Secrets Manager ("Managing master user passwords with Secrets Manager isn't
/// supported for ... Creating a read replica when the source DB or DB cluster manages
/// credentials with Secrets Manager", RDS user guide, Limitations for Secrets Manager
/// integration with Amazon RDS). A module that creates replicas (or can be a replica's
/// source, as the solidity database module is for the standby region) must not turn
/// manage_master_user_password on, and a replica takes no credentials of its own.
#[test]
fn no_module_makes_read_replicas_of_an_instance_whose_password_rds_manages() {
    let instances = db_instances();
    assert!(
        instances.len() >= 2,
        "expected the solidity database module's instances: {instances:?}"
    );
    let mut problems = Vec::new();
    for (dir, name, attrs) in &instances {
        let has_replicas = instances
            .iter()
            .any(|(d, _, a)| d == dir && a.contains_key("replicate_source_db"));
        if has_replicas
            && attrs
                .get("manage_master_user_password")
                .is_some_and(|v| v.contains("true"))
        {
            problems.push(format!(
                "{dir}: aws_db_instance.{name} has RDS manage its master password, and the module makes read replicas, which RDS then refuses"
            ));
        }
        if attrs.get("replicate_source_db").map(String::as_str)
            == Some(&*format!("aws_db_instance.{name}.identifier"))
        {
            problems.push(format!("{dir}: aws_db_instance.{name} replicates itself"));
        }
    }
    // The solidity database module is a cross-region replica when asked: it takes the source by
    // ARN and the key of its own region, and no credentials of its own.
    let this = instances
        .iter()
        .find(|(d, n, _)| d == "modules/solidity/database" && n == "this")
        .map(|(_, _, a)| a)
        .expect("modules/solidity/database aws_db_instance.this");
    for (attr, want) in [
        ("replicate_source_db", "var.replica_source.db_instance_arn"),
        ("kms_key_id", "var.rds_kms_key_arn"),
        ("username", "local.replica ? null"),
        ("password_wo", "local.replica ? null"),
        ("skip_final_snapshot", "local.replica"),
    ] {
        if !this.get(attr).is_some_and(|v| v.contains(want)) {
            problems.push(format!(
                "modules/solidity/database aws_db_instance.this: {attr} = {:?}, expected {want}",
                this.get(attr)
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
