//! Unknown and null values at any depth, through the real RPC path (the provider
//! binary, its tonic server, msgpack values), for every resource, data source and
//! the provider block, generated from the schemas the provider announces.
//!
//! Terraform validates with every input variable unknown and plans with other
//! resources' attributes unknown, at any depth: a map element, a list or set
//! element, an argument inside a nested block, a whole block. Starting from a valid
//! configuration of each type (`unknowns/fixtures.rs`), each leaf in turn becomes
//! unknown, and null where the schema allows it; then:
//! - no diagnostic claims a provider bug, and nothing panics;
//! - an unknown never makes a valid configuration invalid: validate and plan (create
//!   and update) answer without errors;
//! - a null is refused only with a diagnostic at an attribute;
//! - every plan keeps its configuration as Terraform requires (AssertPlanValid);
//! - a plan made with an unknown stays compatible with the plan made once the value
//!   is known again, as apply's final plan must (AssertObjectCompatible; an update
//!   never turns into a replacement).

mod common;
#[path = "unknowns/fixtures.rs"]
mod fixtures;
#[path = "unknowns/terraform.rs"]
mod terraform;

use common::{channel, runtime};
use std::collections::BTreeMap;
use std::process::{Child, Stdio};
use terraform::{Block, Leaf, incompatibilities, leaves, pb_path, plan_problems, proposed_new};
use tfplugin::testing::{ProviderClient, pb};
use tfplugin::value::{self, AttributePath, Type, Value};
use tonic::transport::Channel;

type Client = ProviderClient<Channel>;

struct Served {
    child: Child,
    socket: String,
    _home: tempfile::TempDir,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The provider as Terraform starts it, with static test credentials and no AWS
/// configuration files of the machine's.
fn serve() -> Served {
    use std::io::{BufRead, BufReader};
    let home = tempfile::tempdir().expect("home");
    let mut c = common::command();
    c.env("TF_PLUGIN_MAGIC_COOKIE", common::COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .env("HOME", home.path())
        .env("AWS_ACCESS_KEY_ID", "AKIAUNKNOWNSTEST0000")
        .env("AWS_SECRET_ACCESS_KEY", "unknowns-test-secret")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", home.path().join("config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            home.path().join("credentials"),
        )
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_REGION")
        .stderr(Stdio::null());
    let mut child = c.spawn().expect("spawn provider");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("handshake");
    let socket = line
        .trim_end()
        .split('|')
        .nth(3)
        .expect("socket")
        .to_string();
    Served {
        child,
        socket,
        _home: home,
    }
}

/// A URL nothing listens on: every AWS call fails at once.
fn closed_url() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    drop(l);
    format!("http://127.0.0.1:{port}")
}

fn dv(v: &Value, ty: &Type) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: value::encode_msgpack(v, ty).expect("encode"),
        json: Vec::new(),
    })
}

fn from_json(json: &serde_json::Value, block: &Block) -> Value {
    let mut v = value::decode_json_value_lenient(json, &block.value_type())
        .expect("fixture fits the schema");
    block.normalize(&mut v);
    v
}

fn caps() -> Option<pb::ClientCapabilities> {
    Some(pb::ClientCapabilities {
        deferral_allowed: false,
        write_only_attributes_allowed: true,
    })
}

/// Diagnostics as one line each, for failure messages.
fn lines(ds: &[pb::Diagnostic]) -> Vec<String> {
    ds.iter()
        .map(|d| {
            let sev = if d.severity == pb::diagnostic::Severity::Error as i32 {
                "error"
            } else {
                "warning"
            };
            format!(
                "{sev} at {:?}: {}: {}",
                pb_path(&d.attribute),
                d.summary,
                d.detail
            )
        })
        .collect()
}

fn errors(ds: &[pb::Diagnostic]) -> Vec<&pb::Diagnostic> {
    ds.iter()
        .filter(|d| d.severity == pb::diagnostic::Severity::Error as i32)
        .collect()
}

/// Collects what breaks the rules, with the case it broke in.
#[derive(Default)]
struct Findings {
    list: Vec<String>,
    calls: usize,
    cases: usize,
}

impl Findings {
    fn bugs(&mut self, case: &str, ds: &[pb::Diagnostic]) {
        for d in ds {
            let text = format!("{} {}", d.summary, d.detail).to_lowercase();
            if text.contains("bug in the provider")
                || text.contains("panicked")
                || text.contains("is a bug")
            {
                self.list.push(format!(
                    "{case}: claims a provider bug: {:?}",
                    lines(std::slice::from_ref(d))
                ));
            }
        }
    }

    /// An unknown never makes a valid configuration invalid.
    fn no_errors(&mut self, case: &str, ds: &[pb::Diagnostic]) {
        if !errors(ds).is_empty() {
            self.list.push(format!(
                "{case}: errors for a valid configuration: {:?}",
                lines(ds)
            ));
        }
    }

    /// A refusal points at an attribute.
    fn errors_at_attributes(&mut self, case: &str, ds: &[pb::Diagnostic]) {
        for d in errors(ds) {
            if d.attribute.as_ref().is_none_or(|p| p.steps.is_empty()) {
                self.list.push(format!(
                    "{case}: an error at no attribute: {:?}",
                    lines(std::slice::from_ref(d))
                ));
            }
        }
    }
}

struct Planned {
    diagnostics: Vec<pb::Diagnostic>,
    state: Option<Value>,
    replace: Vec<String>,
}

async fn plan(
    client: &mut Client,
    name: &str,
    block: &Block,
    prior: &Value,
    config: &Value,
) -> Planned {
    let ty = block.value_type();
    let proposed = proposed_new(block, prior, config);
    let r = client
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: name.into(),
            prior_state: dv(prior, &ty),
            proposed_new_state: dv(&proposed, &ty),
            config: dv(config, &ty),
            client_capabilities: caps(),
            ..Default::default()
        })
        .await
        .expect("PlanResourceChange answers")
        .into_inner();
    Planned {
        state: r
            .planned_state
            .filter(|d| !d.msgpack.is_empty())
            .map(|d| value::decode_msgpack(&d.msgpack, &ty).expect("planned state decodes")),
        replace: r
            .requires_replace
            .iter()
            .map(|p| pb_path(&Some(p.clone())))
            .collect(),
        diagnostics: r.diagnostics,
    }
}

async fn validate_resource(
    client: &mut Client,
    name: &str,
    block: &Block,
    config: &Value,
) -> Vec<pb::Diagnostic> {
    client
        .validate_resource_config(pb::validate_resource_config::Request {
            type_name: name.into(),
            config: dv(config, &block.value_type()),
            client_capabilities: caps(),
        })
        .await
        .expect("ValidateResourceConfig answers")
        .into_inner()
        .diagnostics
}

/// Each leaf unknown, then null where allowed; plus every top-level argument and
/// block unknown at once (a module whose every input is a variable).
fn variants(block: &Block, config: &Value) -> Vec<(String, Value, bool)> {
    let mut out = Vec::new();
    let mut ls: Vec<Leaf> = Vec::new();
    leaves(block, config, &AttributePath::root(), &mut ls);
    let mut all = config.clone();
    for leaf in &ls {
        let mut c = config.clone();
        c.set_at(&leaf.path, Value::unknown()).expect("leaf path");
        out.push((format!("{} unknown", leaf.path), c, true));
        if leaf.path.steps.len() == 1 {
            all.set_at(&leaf.path, Value::unknown()).expect("leaf path");
        }
        if leaf.null_allowed {
            let mut c = config.clone();
            c.set_at(&leaf.path, Value::Null).expect("leaf path");
            out.push((format!("{} null", leaf.path), c, false));
        }
    }
    out.push(("every argument unknown".into(), all, true));
    out
}

async fn check_resource(
    client: &mut Client,
    name: &str,
    block: &Block,
    ca: &fixtures::TestCa,
    f: &mut Findings,
) {
    let (config, state) = fixtures::resource(name, ca);
    let config = from_json(&config, block);
    let prior = from_json(&state, block);
    let base_validate = validate_resource(client, name, block, &config).await;
    let base_create = plan(client, name, block, &Value::Null, &config).await;
    let base_update = plan(client, name, block, &prior, &config).await;
    for (what, ds) in [
        ("validate", &base_validate),
        ("create plan", &base_create.diagnostics),
        ("update plan", &base_update.diagnostics),
    ] {
        assert!(
            errors(ds).is_empty(),
            "{name}: the fixture is not a valid configuration ({what}): {:?}",
            lines(ds)
        );
    }
    for (case, c, unknown) in variants(block, &config) {
        let case = format!("{name}: {case}");
        f.cases += 1;
        let v = validate_resource(client, name, block, &c).await;
        f.calls += 1;
        f.bugs(&format!("{case}, validate"), &v);
        if unknown {
            f.no_errors(&format!("{case}, validate"), &v);
        } else {
            f.errors_at_attributes(&format!("{case}, validate"), &v);
        }
        if !errors(&v).is_empty() {
            continue; // Terraform stops here.
        }
        for (how, prior, base) in [
            ("create", &Value::Null, &base_create),
            ("update", &prior, &base_update),
        ] {
            let case = format!("{case}, {how} plan");
            let p = plan(client, name, block, prior, &c).await;
            f.calls += 1;
            f.bugs(&case, &p.diagnostics);
            if unknown {
                f.no_errors(&case, &p.diagnostics);
            } else {
                f.errors_at_attributes(&case, &p.diagnostics);
            }
            if !errors(&p.diagnostics).is_empty() {
                continue;
            }
            let Some(planned) = &p.state else {
                f.list.push(format!("{case}: no planned state"));
                continue;
            };
            for problem in plan_problems(block, &c, planned, &AttributePath::root()) {
                f.list
                    .push(format!("{case}: Terraform refuses the plan: {problem}"));
            }
            if !unknown {
                continue;
            }
            // Apply's final plan, once the value is known: the base configuration's.
            let last = base.state.as_ref().expect("base plan");
            let mut incompatible = Vec::new();
            incompatibilities(planned, last, &AttributePath::root(), &mut incompatible);
            for i in incompatible {
                f.list.push(format!(
                    "{case}: the final plan breaks this plan's promise: {i}"
                ));
            }
            if p.replace.is_empty() && !base.replace.is_empty() {
                f.list.push(format!(
                    "{case}: planned an update, but the final plan replaces ({:?})",
                    base.replace
                ));
            }
        }
    }
}

async fn check_data_source(client: &mut Client, name: &str, block: &Block, f: &mut Findings) {
    let ty = block.value_type();
    let config = from_json(&fixtures::data_source(name), block);
    let validate = |client: &mut Client, c: Value| {
        let mut client = client.clone();
        let ty = ty.clone();
        let name = name.to_string();
        async move {
            client
                .validate_data_resource_config(pb::validate_data_resource_config::Request {
                    type_name: name,
                    config: dv(&c, &ty),
                })
                .await
                .expect("ValidateDataResourceConfig answers")
                .into_inner()
                .diagnostics
        }
    };
    let base = validate(client, config.clone()).await;
    assert!(
        errors(&base).is_empty(),
        "{name}: the fixture is not valid: {:?}",
        lines(&base)
    );
    for (case, c, unknown) in variants(block, &config) {
        let case = format!("data {name}: {case}");
        f.cases += 1;
        let v = validate(client, c.clone()).await;
        f.calls += 1;
        f.bugs(&format!("{case}, validate"), &v);
        if unknown {
            f.no_errors(&format!("{case}, validate"), &v);
            continue; // Terraform reads a data source only once it is wholly known.
        }
        f.errors_at_attributes(&format!("{case}, validate"), &v);
        if !errors(&v).is_empty() {
            continue;
        }
        let r = client
            .read_data_source(pb::read_data_source::Request {
                type_name: name.into(),
                config: dv(&c, &ty),
                ..Default::default()
            })
            .await
            .expect("ReadDataSource answers")
            .into_inner();
        f.calls += 1;
        f.bugs(&format!("{case}, read"), &r.diagnostics);
    }
}

async fn check_provider(client: &mut Client, block: &Block, url: &str, f: &mut Findings) {
    let ty = block.value_type();
    let config = from_json(&fixtures::provider(url), block);
    for (case, c, unknown) in variants(block, &config) {
        let case = format!("provider: {case}");
        f.cases += 1;
        let v = client
            .validate_provider_config(pb::validate_provider_config::Request {
                config: dv(&c, &ty),
            })
            .await
            .expect("ValidateProviderConfig answers")
            .into_inner()
            .diagnostics;
        f.calls += 1;
        f.bugs(&format!("{case}, validate"), &v);
        if unknown {
            f.no_errors(&format!("{case}, validate"), &v);
        } else {
            f.errors_at_attributes(&format!("{case}, validate"), &v);
        }
        if !errors(&v).is_empty() {
            continue;
        }
        // Terraform configures the provider with unknown values while planning.
        let r = client
            .configure_provider(pb::configure_provider::Request {
                terraform_version: "1.15.5".into(),
                config: dv(&c, &ty),
                client_capabilities: caps(),
            })
            .await
            .expect("ConfigureProvider answers")
            .into_inner();
        f.calls += 1;
        f.bugs(&format!("{case}, configure"), &r.diagnostics);
        if unknown && case.starts_with("provider: default_tags") {
            // tags_all waits for them (known after apply).
            f.no_errors(&format!("{case}, configure"), &r.diagnostics);
        } else {
            f.errors_at_attributes(&format!("{case}, configure"), &r.diagnostics);
        }
    }
}

#[test]
fn unknown_and_null_values_at_any_depth_never_claim_a_provider_bug() {
    let started = std::time::Instant::now();
    let served = serve();
    let url = closed_url();
    let ca = fixtures::test_ca();
    let mut f = Findings::default();
    let mut types = BTreeMap::new();
    runtime().block_on(async {
        let mut client = ProviderClient::new(channel(&served.socket, None).await.expect("connect"));
        let schema = client
            .get_provider_schema(pb::get_provider_schema::Request {})
            .await
            .expect("schema")
            .into_inner();
        let block = |s: &pb::Schema| Block::from_pb(s.block.as_ref().expect("schema block"));
        let provider = block(schema.provider.as_ref().expect("provider schema"));
        let pty = provider.value_type();
        let r = client
            .configure_provider(pb::configure_provider::Request {
                terraform_version: "1.15.5".into(),
                config: dv(&from_json(&fixtures::provider(&url), &provider), &pty),
                client_capabilities: caps(),
            })
            .await
            .expect("configure")
            .into_inner();
        assert!(
            errors(&r.diagnostics).is_empty(),
            "{:?}",
            lines(&r.diagnostics)
        );
        let resources: BTreeMap<_, _> = schema.resource_schemas.iter().collect();
        for (name, s) in resources {
            let before = f.cases;
            check_resource(&mut client, name, &block(s), &ca, &mut f).await;
            types.insert(name.clone(), f.cases - before);
        }
        let data: BTreeMap<_, _> = schema.data_source_schemas.iter().collect();
        for (name, s) in data {
            let before = f.cases;
            check_data_source(&mut client, name, &block(s), &mut f).await;
            types.insert(format!("data.{name}"), f.cases - before);
        }
        // Last: configuring changes the provider for every later call.
        let before = f.cases;
        check_provider(&mut client, &provider, &url, &mut f).await;
        types.insert("provider".into(), f.cases - before);
    });
    let summary = format!(
        "unknowns: {} cases ({}), {} RPCs, {:.1} s",
        f.cases,
        types
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", "),
        f.calls,
        started.elapsed().as_secs_f64()
    );
    println!("{summary}");
    common::write_report("unknowns", &summary);
    assert!(
        f.list.is_empty(),
        "{} findings:\n{}",
        f.list.len(),
        f.list.join("\n")
    );
}
