//! Beyond checkov, two rules every generated module keeps (read from the HCL in
//! `modules/`, every input at its default):
//!
//! - no IAM policy statement allows the `*` action on the `*` resource;
//! - no ingress from `0.0.0.0/0` or `::/0`, except on the platform's public listener
//!   ports (the ports of its `aws_lb_listener` and `trustchain_quic_load_balancer`
//!   listeners) and, for stateless network ACLs, replies on the ephemeral range.
//!
//! Data-driven: every `modules/<platform>/<module>/` is read, so added modules are
//! checked without a change here. A violation is reported with file and resource, to
//! be fixed in `codegen/` (the modules are generated). Figures go to
//! `target/reports/module-policies.txt`.

// The project's evaluator, shared with `codegen review`'s cost estimate.
use codegen::eval::{self, Module, Scope, V, attr, instances, label, nested};
use hcl::Body;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const OPEN: &[&str] = &["0.0.0.0/0", "::/0"];

struct Source {
    platform: String,
    files: Vec<(String, Body)>,
    module: Module,
}

fn load(platform: &str, name: &str, files: Vec<(String, String)>) -> Source {
    let mut bodies = Vec::new();
    let mut defaults = BTreeMap::new();
    let mut locals = BTreeMap::new();
    for (file, text) in files {
        let body: Body = hcl::parse(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        for b in body.blocks() {
            match b.identifier() {
                "variable" => {
                    let default = attr(&b.body, "default").cloned();
                    defaults.insert(label(b, 0), default);
                }
                "locals" => {
                    for a in b.body.attributes() {
                        locals.insert(a.key().to_string(), a.expr().clone());
                    }
                }
                _ => {}
            }
        }
        bodies.push((file, body));
    }
    Source {
        platform: format!("{platform}/{name}")
            .split('/')
            .next()
            .unwrap_or_default()
            .to_string(),
        files: bodies,
        module: Module {
            defaults,
            locals,
            cache: Default::default(),
        },
    }
}

fn load_tree(root: &Path) -> Vec<Source> {
    let mut out = Vec::new();
    let mut platforms: Vec<PathBuf> = dirs(root);
    platforms.sort();
    for p in platforms {
        let mut modules = dirs(&p);
        modules.sort();
        for m in modules {
            let mut files: Vec<(String, String)> = std::fs::read_dir(&m)
                .expect("read module")
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|f| f.extension().is_some_and(|x| x == "tf"))
                .map(|f| {
                    let rel = f.strip_prefix(root.parent().unwrap_or(root)).unwrap_or(&f);
                    (
                        rel.display().to_string(),
                        std::fs::read_to_string(&f).expect("read tf"),
                    )
                })
                .collect();
            if files.is_empty() {
                continue;
            }
            files.sort();
            let name = |d: &Path| d.file_name().map(|n| n.to_string_lossy().into_owned());
            out.push(load(
                &name(&p).unwrap_or_default(),
                &name(&m).unwrap_or_default(),
                files,
            ));
        }
    }
    out
}

fn dirs(p: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(p)
        .map(|r| {
            r.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|d| d.is_dir())
                .collect()
        })
        .unwrap_or_default()
}

/// Resource (or data source) blocks: (kind, type, name, file, body).
fn blocks_of<'a>(s: &'a Source, kind: &str) -> Vec<(String, String, &'a str, &'a Body)> {
    let mut out = Vec::new();
    for (file, body) in &s.files {
        for b in body.blocks().filter(|b| b.identifier() == kind) {
            out.push((label(b, 0), label(b, 1), file.as_str(), &b.body));
        }
    }
    out
}

fn eval_attr(m: &Module, body: &Body, name: &str, scope: &Scope) -> Option<V> {
    attr(body, name).map(|e| m.eval(e, scope))
}

#[path = "module_policies/checks.rs"]
mod checks;

#[test]
fn generated_modules_allow_no_star_on_star_and_no_open_ingress_off_the_listener_ports() {
    let root = acceptance::workspace_root().join("modules");
    let sources = load_tree(&root);
    assert!(
        sources.len() >= 10,
        "only {} modules under {}",
        sources.len(),
        root.display()
    );
    let report = checks::check(&sources);
    let text = report.to_string();
    println!("{text}");
    let dir = acceptance::target_dir().join("reports");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join("module-policies.txt"), format!("{text}\n"));
    assert!(
        report.violations.is_empty(),
        "generated modules break the policy rules (fix the templates or specs in codegen/, then `make modules`):\n{}",
        report.violations.join("\n")
    );
}

fn fixture(files: &[(&str, &str)]) -> Vec<Source> {
    vec![load(
        "fixture",
        "m",
        files
            .iter()
            .map(|(f, t)| (f.to_string(), t.to_string()))
            .collect(),
    )]
}

#[test]
fn a_star_on_star_allow_is_reported_in_documents_and_jsonencode() {
    let sources = fixture(&[(
        "m/iam.tf",
        r#"
variable "extra" {
  type    = list(string)
  default = ["*"]
}
data "aws_iam_policy_document" "bad" {
  statement {
    actions   = var.extra
    resources = ["*"]
  }
  statement {
    effect    = "Deny"
    actions   = ["*"]
    resources = ["*"]
  }
}
resource "aws_iam_policy" "inline" {
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}
data "aws_iam_policy_document" "key" {
  statement {
    actions   = ["kms:*"]
    resources = ["*"]
  }
}
"#,
    )]);
    let r = checks::check(&sources);
    assert_eq!(r.violations.len(), 2, "{r}");
    assert!(
        r.violations[0].contains("data.aws_iam_policy_document.bad"),
        "{r}"
    );
    assert!(r.violations[1].contains("aws_iam_policy.inline"), "{r}");
    assert_eq!(r.service_wildcards, 1, "{r}");
}

#[test]
fn open_ingress_is_allowed_only_on_listener_ports_and_nacl_replies() {
    let sources = fixture(&[(
        "m/net.tf",
        r#"
variable "ports" {
  type    = map(number)
  default = { web = 443, admin = 22 }
}
variable "clients" {
  type    = list(string)
  default = ["::/0"]
}
resource "aws_lb_listener" "https" {
  port = 443
}
resource "aws_vpc_security_group_ingress_rule" "svc" {
  for_each    = var.ports
  ip_protocol = "tcp"
  from_port   = each.value
  to_port     = each.value
  cidr_ipv6   = var.clients[0]
}
resource "aws_security_group" "legacy" {
  ingress {
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }
}
resource "aws_network_acl_rule" "replies" {
  egress          = false
  protocol        = "tcp"
  from_port       = 32768
  to_port         = 65535
  ipv6_cidr_block = "::/0"
}
"#,
    )]);
    let r = checks::check(&sources);
    assert_eq!(r.violations.len(), 2, "{r}");
    assert!(
        r.violations
            .iter()
            .any(|v| v.contains("svc[\"admin\"]") && v.contains("22")),
        "{r}"
    );
    assert!(
        r.violations
            .iter()
            .any(|v| v.contains("aws_security_group.legacy")),
        "{r}"
    );
    assert_eq!(r.open_on_listener_ports, 1, "{r}");
    assert_eq!(r.nacl_replies, 1, "{r}");
}
