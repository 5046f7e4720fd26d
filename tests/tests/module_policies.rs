//! Beyond checkov, two rules every generated module keeps (read from the HCL in
//! `modules/`, every input at its default):
//!
//! - no IAM policy statement allows the `*` action on the `*` resource;
//! - ingress from the world (`0.0.0.0/0`, `::/0`) by the role of what it opens, not by
//!   port: only a load balancer's security group, on the platform's public listener
//!   ports (its `aws_lb_listener` and `trustchain_quic_load_balancer` listeners), and,
//!   by design, an instance group on the target port of a UDP, TCP_UDP, QUIC or
//!   TCP_QUIC listener: AWS keeps the client's address for those target groups (client
//!   IP preservation cannot be turned off), so the targets must admit the clients
//!   themselves. Never a database, cache, HSM, cluster or other group, nor an instance
//!   group on any other port. Network ACLs: listener ports, and replies on the
//!   ephemeral range (they are stateless).
//! - a source range that cannot be evaluated (an input without a default, another
//!   resource's attribute) fails unless each input it comes from has a validation that
//!   refuses `::/0` and `0.0.0.0/0` (tried by evaluating the validation with them), or
//!   the attribute is a VPC's own block.
//!
//! Data-driven: every `modules/<platform>/<module>/` is read, so added modules are
//! checked without a change here. A security group's role comes from its name or
//! `for_each` key (`alb`, `instances`, `rds`, `redis`, `hsm`, `eks_nodes`, ...) or from
//! the resource that owns it (a CloudHSM cluster's group is an HSM group). A violation
//! is reported with file and resource, to be fixed in `codegen/` (the modules are
//! generated). Figures go to `target/reports/module-policies.txt`.

// The project's evaluator, shared with `codegen review`'s cost estimate.
use codegen::eval::{self, Module, Scope, V, attr, instances, label, nested};
use hcl::{Body, Expression};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const OPEN: &[&str] = &["0.0.0.0/0", "::/0"];

struct Source {
    platform: String,
    files: Vec<(String, Body)>,
    module: Module,
    inputs: BTreeMap<String, Input>,
}

/// A module input: its default, type and validation conditions.
pub struct Input {
    default: Option<Expression>,
    ty: Option<Expression>,
    conditions: Vec<Expression>,
}

fn load(platform: &str, name: &str, files: Vec<(String, String)>) -> Source {
    let mut bodies = Vec::new();
    let mut defaults = BTreeMap::new();
    let mut locals = BTreeMap::new();
    let mut inputs = BTreeMap::new();
    for (file, text) in files {
        let body: Body = hcl::parse(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        for b in body.blocks() {
            match b.identifier() {
                "variable" => {
                    let default = attr(&b.body, "default").cloned();
                    defaults.insert(label(b, 0), default.clone());
                    let conditions = b
                        .body
                        .blocks()
                        .filter(|v| v.identifier() == "validation")
                        .filter_map(|v| attr(&v.body, "condition").cloned())
                        .collect();
                    inputs.insert(
                        label(b, 0),
                        Input {
                            default,
                            ty: attr(&b.body, "type").cloned(),
                            conditions,
                        },
                    );
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
        inputs,
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

/// One fixture per role: world-open ingress passes only on the load balancer's group
/// (on listener ports) and on the instance group at a UDP listener's target port;
/// instance (on a TCP listener port: the ALB bypassed), database, cache, cluster, HSM,
/// input-given and other groups fail wherever they open, as does a load balancer group
/// off its listener ports.
#[test]
fn world_open_ingress_is_judged_by_the_role_of_the_group_it_opens() {
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
variable "client_sg_id" {
  type    = string
  default = "sg-0123"
}
resource "aws_lb_listener" "https" {
  port     = 443
  protocol = "HTTPS"
}
resource "trustchain_quic_load_balancer" "doq" {
  listener {
    port        = 853
    protocol    = "UDP"
    target_port = 8853
  }
  listener {
    port     = 8443
    protocol = "TCP"
  }
}
resource "aws_security_group" "alb" {}
resource "aws_security_group" "instances" {}
resource "aws_security_group" "this" {
  for_each = toset(["rds", "redis", "eks_cluster", "endpoints"])
}
resource "trustchain_cloudhsm_cluster" "this" {}

resource "aws_vpc_security_group_ingress_rule" "lb" {
  for_each          = var.ports
  security_group_id = aws_security_group.alb.id
  ip_protocol       = "tcp"
  from_port         = each.value
  to_port           = each.value
  cidr_ipv6         = var.clients[0]
}
resource "aws_vpc_security_group_ingress_rule" "instances_tcp_listener_port" {
  security_group_id = aws_security_group.instances.id
  ip_protocol       = "tcp"
  from_port         = 8443
  to_port           = 8443
  cidr_ipv6         = "::/0"
}
resource "aws_vpc_security_group_ingress_rule" "instances_udp_target_port" {
  security_group_id = aws_security_group.instances.id
  ip_protocol       = "udp"
  from_port         = 8853
  to_port           = 8853
  cidr_ipv6         = "::/0"
}
resource "aws_vpc_security_group_ingress_rule" "instances_udp_listener_port" {
  security_group_id = aws_security_group.instances.id
  ip_protocol       = "udp"
  from_port         = 853
  to_port           = 853
  cidr_ipv6         = "::/0"
}
resource "aws_vpc_security_group_ingress_rule" "instances_tcp_on_udp_target_port" {
  security_group_id = aws_security_group.instances.id
  ip_protocol       = "tcp"
  from_port         = 8853
  to_port           = 8853
  cidr_ipv6         = "::/0"
}
resource "aws_vpc_security_group_ingress_rule" "private" {
  for_each          = toset(["rds", "redis", "eks_cluster", "endpoints"])
  security_group_id = aws_security_group.this[each.key].id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}
resource "aws_vpc_security_group_ingress_rule" "hsm" {
  security_group_id = trustchain_cloudhsm_cluster.this.security_group_id
  ip_protocol       = "tcp"
  from_port         = 2223
  to_port           = 2225
  cidr_ipv6         = "::/0"
}
resource "aws_security_group_rule" "given" {
  type              = "ingress"
  security_group_id = var.client_sg_id
  protocol          = "tcp"
  from_port         = 443
  to_port           = 443
  ipv6_cidr_blocks  = ["::/0"]
}
resource "aws_security_group" "legacy_app" {
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
resource "aws_network_acl_rule" "listener" {
  egress          = false
  protocol        = "tcp"
  from_port       = 443
  to_port         = 443
  ipv6_cidr_block = "::/0"
}
"#,
    )]);
    let r = checks::check(&sources);
    let failed = |address: &str, words: &str| {
        assert!(
            r.violations
                .iter()
                .any(|v| v.contains(address) && v.contains(words)),
            "no violation for {address} ({words}):\n{r}"
        );
    };
    failed(
        "aws_vpc_security_group_ingress_rule.lb[\"admin\"]",
        "tcp port 22 of the load balancer security group",
    );
    failed(
        "instances_tcp_listener_port",
        "tcp port 8443 of the instance security group",
    );
    failed(
        "instances_udp_listener_port",
        "udp port 853 of the instance",
    );
    failed(
        "instances_tcp_on_udp_target_port",
        "tcp port 8853 of the instance",
    );
    failed("private[\"rds\"]", "of the database security group");
    failed("private[\"redis\"]", "of the cache security group");
    failed("private[\"eks_cluster\"]", "of the cluster security group");
    failed(
        "private[\"endpoints\"]",
        "of the other (endpoints) security group",
    );
    failed(
        "aws_vpc_security_group_ingress_rule.hsm",
        "of the HSM security group",
    );
    failed("aws_security_group_rule.given", "input (var.client_sg_id)");
    failed(
        "aws_security_group.legacy_app",
        "all ports (protocol -1) of the instance",
    );
    assert_eq!(r.violations.len(), 11, "{r}");
    assert_eq!(r.open_on_listener_ports, 2, "ALB on 443, NACL on 443: {r}");
    assert_eq!(r.open_on_udp_targets, 1, "{r}");
    assert_eq!(r.nacl_replies, 1, "{r}");
    assert_eq!(r.roles.get("load balancer"), Some(&2), "{r}");
}

/// A source range the evaluator cannot know passes only when every input it comes
/// from refuses both world ranges in a validation (tried with `::/0` and `0.0.0.0/0`),
/// or it is a VPC's own block; anything else fails, listed with what was not shown.
#[test]
fn undetermined_source_ranges_fail_unless_a_validation_keeps_them_private() {
    let sources = fixture(&[(
        "m/net.tf",
        r#"
variable "vpc_block" {
  type = string
}
variable "validated_block" {
  type = string
  validation {
    condition     = can(cidrhost(var.validated_block, 0)) && tonumber(split("/", var.validated_block)[1]) >= 44
    error_message = "A VPC block: /44 or longer."
  }
}
variable "weak_block" {
  type = string
  validation {
    condition     = can(cidrhost(var.weak_block, 0))
    error_message = "Any CIDR block."
  }
}
variable "client_blocks" {
  type = list(string)
  validation {
    condition     = alltrue([for c in var.client_blocks : !contains(["::/0"], c)])
    error_message = "Not ::/0 (but 0.0.0.0/0 slips through)."
  }
}
locals {
  block = var.vpc_block
}
resource "trustchain_ipv6_network" "this" {}
resource "aws_security_group" "instances" {}

resource "aws_vpc_security_group_ingress_rule" "unvalidated" {
  security_group_id = aws_security_group.instances.id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv6         = var.vpc_block
}
resource "aws_vpc_security_group_ingress_rule" "through_a_local" {
  security_group_id = aws_security_group.instances.id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv6         = local.block
}
resource "aws_vpc_security_group_ingress_rule" "validated" {
  security_group_id = aws_security_group.instances.id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv6         = var.validated_block
}
resource "aws_vpc_security_group_ingress_rule" "weakly_validated" {
  security_group_id = aws_security_group.instances.id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv6         = var.weak_block
}
resource "aws_vpc_security_group_ingress_rule" "each_client" {
  for_each          = toset(var.client_blocks)
  security_group_id = aws_security_group.instances.id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = each.value
}
resource "aws_vpc_security_group_ingress_rule" "vpc" {
  security_group_id = aws_security_group.instances.id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv6         = trustchain_ipv6_network.this.ipv6_cidr_block
}
resource "aws_vpc_security_group_ingress_rule" "other_attribute" {
  security_group_id = aws_security_group.instances.id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv6         = aws_instance.peer.ipv6_addresses[0]
}
"#,
    )]);
    let r = checks::check(&sources);
    let failed = |address: &str, words: &str| {
        assert!(
            r.violations
                .iter()
                .any(|v| v.contains(address) && v.contains(words)),
            "no violation for {address} ({words}):\n{r}"
        );
    };
    failed("unvalidated", "var.vpc_block has no validation");
    failed("through_a_local", "var.vpc_block has no validation");
    failed(
        "weakly_validated",
        "var.weak_block's validation accepts \"0.0.0.0/0\" or \"::/0\"",
    );
    failed(
        "each_client",
        "var.client_blocks's validation accepts [\"0.0.0.0/0\"]",
    );
    failed(
        "other_attribute",
        "aws_instance.ipv6_addresses is not known offline",
    );
    assert_eq!(r.violations.len(), 5, "{r}");
    let listed = r.undetermined.join("\n");
    assert!(
        listed.contains("validated: var.validated_block validated private"),
        "{listed}"
    );
    assert!(
        listed.contains("vpc: trustchain_ipv6_network.ipv6_cidr_block is the VPC's own block"),
        "{listed}"
    );
}
