//! `codegen review` over real git repositories: each test commits a base tree in a
//! temporary repository, changes the working tree (as a generator run or a hand edit
//! would), and checks the report for that kind of change.

use std::path::{Path, PathBuf};
use std::process::Command;

use codegen::review::cost::prices::Prices;
use codegen::review::cost::reference::signed;
use codegen::review::diff::{Bump, Change};
use codegen::review::{Options, Report, markdown, run};

struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    /// A repository whose first commit holds `files`.
    fn new(files: &[(&str, &str)]) -> Repo {
        let repo = Repo {
            dir: tempfile::tempdir().expect("tempdir"),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        for (k, v) in [
            ("user.email", "review@example.com"),
            ("user.name", "review test"),
            ("commit.gpgsign", "false"),
        ] {
            repo.git(&["config", k, v]);
        }
        for (path, text) in files {
            repo.write(path, text);
        }
        repo.git(&["add", "-A"]);
        repo.git(&["commit", "-q", "-m", "base"]);
        repo
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn git(&self, args: &[&str]) {
        let out = Command::new("git")
            .arg("-C")
            .arg(self.path())
            .args(args)
            .output()
            .expect("git");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn write(&self, path: &str, text: &str) {
        let p = self.path().join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }

    /// Replaces `from` by `to` in a file of the working tree.
    fn edit(&self, path: &str, from: &str, to: &str) {
        let p = self.path().join(path);
        let text = std::fs::read_to_string(&p).expect("read");
        assert!(text.contains(from), "{path} has no {from:?}");
        std::fs::write(p, text.replace(from, to)).expect("write");
    }

    fn review(&self) -> Report {
        self.review_with(false)
    }

    fn review_with(&self, policy: bool) -> Report {
        run(&Options {
            repo: self.path().to_path_buf(),
            base: Some("main".into()),
            policy,
            // The project's checkov (TRUSTCHAIN_CHECKOV, else its tools/checkov).
            checkov: Some(codegen::checkov::program(&workspace())),
            prices: None,
        })
        .unwrap_or_else(|e| panic!("review: {e}"))
    }
}

const MAIN: &str = r#"
resource "aws_s3_bucket" "logs" {
  bucket        = "${var.name}-logs"
  force_destroy = false
}

resource "aws_sns_topic" "alerts" {
  name = "${var.name}-alerts"
}

resource "aws_cloudwatch_log_group" "app" {
  name              = "/app/${var.name}"
  retention_in_days = 30
}
"#;

const VARIABLES: &str = r#"
variable "name" {
  type = string
}

variable "tags" {
  type    = map(string)
  default = {}
}

variable "retention" {
  type    = any
  default = 30
}
"#;

const OUTPUTS: &str = r#"
output "bucket_id" {
  value = aws_s3_bucket.logs.id
}

output "topic_arn" {
  value = aws_sns_topic.alerts.arn
}
"#;

const VERSIONS: &str = r#"
terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.0" }
  }
}
"#;

const APP: &str = "modules/demo/app";

fn app_repo() -> Repo {
    Repo::new(&[
        ("modules/demo/app/main.tf", MAIN),
        ("modules/demo/app/variables.tf", VARIABLES),
        ("modules/demo/app/outputs.tf", OUTPUTS),
        ("modules/demo/app/versions.tf", VERSIONS),
    ])
}

fn app(r: &Report) -> &codegen::review::diff::ModuleDiff {
    r.modules
        .iter()
        .find(|m| m.path == APP)
        .unwrap_or_else(|| panic!("{APP} not in the report:\n{}", markdown(r)))
}

#[test]
fn an_unchanged_tree_says_no_module_changes() {
    let repo = app_repo();
    let r = repo.review();
    assert!(r.modules.is_empty());
    assert!(
        markdown(&r).contains("No module changes"),
        "{}",
        markdown(&r)
    );
}

#[test]
fn a_resource_added_is_listed_by_address_as_a_minor_change() {
    let repo = app_repo();
    repo.write(
        "modules/demo/app/queue.tf",
        "resource \"aws_sqs_queue\" \"jobs\" {\n  name = var.name\n}\n",
    );
    let r = repo.review();
    let m = app(&r);
    let added: Vec<_> = m
        .items
        .iter()
        .filter(|i| i.change == Change::Added)
        .collect();
    assert_eq!(added.len(), 1, "{}", markdown(&r));
    assert_eq!(added[0].address, "aws_sqs_queue.jobs");
    assert_eq!(m.bump, Bump::Minor);
    assert!(
        markdown(&r).contains("**added** resource `aws_sqs_queue.jobs`"),
        "{}",
        markdown(&r)
    );
}

#[test]
fn a_resource_removed_is_breaking_because_callers_destroy_it() {
    let repo = app_repo();
    repo.edit(
        "modules/demo/app/main.tf",
        "resource \"aws_sns_topic\" \"alerts\" {\n  name = \"${var.name}-alerts\"\n}\n",
        "",
    );
    repo.edit(
        "modules/demo/app/outputs.tf",
        "output \"topic_arn\" {\n  value = aws_sns_topic.alerts.arn\n}\n",
        "",
    );
    let r = repo.review();
    let m = app(&r);
    let removed: Vec<_> = m
        .items
        .iter()
        .filter(|i| i.change == Change::Removed)
        .collect();
    assert_eq!(removed.len(), 1, "{}", markdown(&r));
    assert_eq!(removed[0].address, "aws_sns_topic.alerts");
    assert_eq!(removed[0].bump, Bump::Major);
    assert_eq!(m.bump, Bump::Major);
    let md = markdown(&r);
    assert!(
        md.contains("**removed** resource `aws_sns_topic.alerts`"),
        "{md}"
    );
    assert!(md.contains("destroyed in every caller's state"), "{md}");
}

#[test]
fn a_rename_with_a_moved_block_is_a_move_not_a_removal() {
    let repo = app_repo();
    repo.edit(
        "modules/demo/app/main.tf",
        "\"aws_s3_bucket\" \"logs\"",
        "\"aws_s3_bucket\" \"access_logs\"",
    );
    repo.edit(
        "modules/demo/app/outputs.tf",
        "aws_s3_bucket.logs.id",
        "aws_s3_bucket.access_logs.id",
    );
    repo.write(
        "modules/demo/app/moved.tf",
        "moved {\n  from = aws_s3_bucket.logs\n  to   = aws_s3_bucket.access_logs\n}\n",
    );
    let r = repo.review();
    let m = app(&r);
    let moved: Vec<_> = m
        .items
        .iter()
        .filter(|i| matches!(i.change, Change::Moved { .. }))
        .collect();
    assert_eq!(moved.len(), 1, "{}", markdown(&r));
    assert_eq!(moved[0].address, "aws_s3_bucket.access_logs");
    assert_eq!(
        moved[0].change,
        Change::Moved {
            from: "aws_s3_bucket.logs".into()
        }
    );
    assert!(
        !m.items
            .iter()
            .any(|i| matches!(i.change, Change::Removed | Change::Added)),
        "{}",
        markdown(&r)
    );
    assert_eq!(m.bump, Bump::Patch, "{}", markdown(&r));
    assert!(
        markdown(&r)
            .contains("**moved** resource `aws_s3_bucket.logs` → `aws_s3_bucket.access_logs`"),
        "{}",
        markdown(&r)
    );
}

#[test]
fn a_rename_without_moved_is_a_removal_with_a_hint() {
    let repo = app_repo();
    repo.edit(
        "modules/demo/app/main.tf",
        "\"aws_s3_bucket\" \"logs\"",
        "\"aws_s3_bucket\" \"access_logs\"",
    );
    repo.edit(
        "modules/demo/app/outputs.tf",
        "aws_s3_bucket.logs.id",
        "aws_s3_bucket.access_logs.id",
    );
    let r = repo.review();
    let m = app(&r);
    assert_eq!(m.bump, Bump::Major);
    assert!(
        markdown(&r).contains("looks renamed to aws_s3_bucket.access_logs"),
        "{}",
        markdown(&r)
    );
}

#[test]
fn an_argument_changed_shows_its_name_and_old_and_new_values() {
    let repo = app_repo();
    repo.edit(
        "modules/demo/app/main.tf",
        "retention_in_days = 30",
        "retention_in_days = 90",
    );
    let r = repo.review();
    let m = app(&r);
    assert_eq!(m.items.len(), 1, "{}", markdown(&r));
    let i = &m.items[0];
    assert_eq!(
        (i.address.as_str(), &i.change),
        ("aws_cloudwatch_log_group.app", &Change::Changed)
    );
    assert_eq!(i.args.len(), 1);
    assert_eq!(i.args[0].name, "retention_in_days");
    assert_eq!(
        (i.args[0].old.as_deref(), i.args[0].new.as_deref()),
        (Some("30"), Some("90"))
    );
    assert_eq!(m.bump, Bump::Patch);
    assert!(
        markdown(&r).contains("`retention_in_days` `30` → `90`"),
        "{}",
        markdown(&r)
    );
}

#[test]
fn a_comment_only_change_is_text_only() {
    let repo = app_repo();
    repo.edit(
        "modules/demo/app/main.tf",
        "resource \"aws_sns_topic\"",
        "# Alerts.\nresource \"aws_sns_topic\"",
    );
    let r = repo.review();
    let m = app(&r);
    assert!(
        m.text_only && m.items.is_empty() && m.interface.is_empty(),
        "{}",
        markdown(&r)
    );
    assert_eq!(m.bump, Bump::Patch);
}

fn interface(r: &Report, what: &str, name: &str) -> codegen::review::diff::InterfaceChange {
    app(r)
        .interface
        .iter()
        .find(|i| i.what == what && i.name == name)
        .cloned()
        .unwrap_or_else(|| panic!("no {what} {name} change:\n{}", markdown(r)))
}

#[test]
fn a_variable_removed_is_breaking_and_needs_a_major_release() {
    let repo = app_repo();
    repo.edit(
        "modules/demo/app/variables.tf",
        "variable \"tags\" {\n  type    = map(string)\n  default = {}\n}\n",
        "",
    );
    let r = repo.review();
    let c = interface(&r, "variable", "tags");
    assert!(c.breaking && c.bump == Bump::Major, "{c:?}");
    assert!(c.change.starts_with("removed"), "{c:?}");
    assert_eq!(app(&r).bump, Bump::Major);
    let md = markdown(&r);
    assert!(md.contains("| variable `tags` | removed"), "{md}");
    assert!(md.contains("Release needed: **major**"), "{md}");
}

#[test]
fn a_variable_added_with_a_default_is_a_minor_change() {
    let repo = app_repo();
    repo.write(
        "modules/demo/app/variables_extra.tf",
        "variable \"kms_key_arn\" {\n  type    = string\n  default = null\n}\n",
    );
    let r = repo.review();
    let c = interface(&r, "variable", "kms_key_arn");
    assert!(!c.breaking && c.bump == Bump::Minor, "{c:?}");
    assert!(c.change.contains("added with default null"), "{c:?}");
    assert_eq!(app(&r).bump, Bump::Minor);
    assert!(
        markdown(&r).contains("Release needed: **minor**"),
        "{}",
        markdown(&r)
    );
}

#[test]
fn a_variable_added_without_a_default_is_breaking() {
    let repo = app_repo();
    repo.write(
        "modules/demo/app/variables_extra.tf",
        "variable \"vpc_id\" {\n  type = string\n}\n",
    );
    let r = repo.review();
    let c = interface(&r, "variable", "vpc_id");
    assert!(c.breaking && c.bump == Bump::Major, "{c:?}");
}

#[test]
fn a_variable_type_narrowed_is_breaking() {
    let repo = app_repo();
    repo.edit(
        "modules/demo/app/variables.tf",
        "type    = any",
        "type    = number",
    );
    let r = repo.review();
    let c = interface(&r, "variable", "retention");
    assert!(c.breaking && c.bump == Bump::Major, "{c:?}");
    assert!(
        c.change.starts_with("type narrowed: any -> number"),
        "{c:?}"
    );
    assert!(markdown(&r).contains("type narrowed"), "{}", markdown(&r));
}

#[test]
fn a_variable_type_widened_is_not_breaking() {
    let repo = app_repo();
    repo.edit(
        "modules/demo/app/variables.tf",
        "type    = map(string)",
        "type    = map(any)",
    );
    let r = repo.review();
    let c = interface(&r, "variable", "tags");
    assert!(!c.breaking && c.bump == Bump::Minor, "{c:?}");
}

#[test]
fn a_validation_tightened_is_breaking() {
    let repo = app_repo();
    repo.edit(
        "modules/demo/app/variables.tf",
        "variable \"name\" {\n  type = string\n}",
        "variable \"name\" {\n  type = string\n  validation {\n    condition     = length(var.name) <= 20\n    error_message = \"At most 20 characters.\"\n  }\n}",
    );
    let r = repo.review();
    let c = interface(&r, "variable", "name");
    assert!(
        c.breaking && c.change.starts_with("validation tightened"),
        "{c:?}"
    );
}

#[test]
fn an_output_removed_is_breaking() {
    let repo = app_repo();
    repo.edit(
        "modules/demo/app/outputs.tf",
        "output \"topic_arn\" {\n  value = aws_sns_topic.alerts.arn\n}\n",
        "",
    );
    let r = repo.review();
    let c = interface(&r, "output", "topic_arn");
    assert!(c.breaking && c.bump == Bump::Major, "{c:?}");
    assert!(
        markdown(&r).contains("| output `topic_arn` | removed"),
        "{}",
        markdown(&r)
    );
}

#[test]
fn a_provider_constraint_narrowed_is_breaking() {
    let repo = app_repo();
    repo.edit(
        "modules/demo/app/versions.tf",
        "version = \">= 5.0\"",
        "version = \">= 6.0\"",
    );
    let r = repo.review();
    let c = interface(&r, "provider", "aws");
    assert!(
        c.breaking && c.change.starts_with("version constraint narrowed"),
        "{c:?}"
    );
}

// --- Cost ---------------------------------------------------------------------------

const COMPUTE: &str = r#"
variable "instance_type" {
  type    = string
  default = "c6g.xlarge"
}

variable "instances" {
  type    = number
  default = 1
}

resource "aws_launch_template" "this" {
  instance_type = var.instance_type

  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      volume_type = "gp3"
      volume_size = 100
    }
  }
}

resource "aws_autoscaling_group" "this" {
  min_size         = var.instances
  max_size         = var.instances * 2
  desired_capacity = var.instances

  launch_template {
    id      = aws_launch_template.this.id
    version = aws_launch_template.this.latest_version
  }
}
"#;

const HSM: &str = r#"
variable "hsm_type" {
  type    = string
  default = "hsm2m.medium"
}

variable "hsm_availability_zones" {
  type    = list(string)
  default = []
}

resource "trustchain_cloudhsm_cluster" "this" {
  hsm_type   = var.hsm_type
  subnet_ids = ["subnet-a", "subnet-b"]
}

resource "trustchain_cloudhsm_hsm" "primary" {
  count             = length(var.hsm_availability_zones) > 0 ? 1 : 0
  cluster_id        = trustchain_cloudhsm_cluster.this.cluster_id
  availability_zone = var.hsm_availability_zones[0]
}

resource "trustchain_cloudhsm_hsm" "secondary" {
  for_each          = toset(length(var.hsm_availability_zones) > 1 ? slice(var.hsm_availability_zones, 1, length(var.hsm_availability_zones)) : [])
  cluster_id        = trustchain_cloudhsm_cluster.this.cluster_id
  availability_zone = each.value
}
"#;

const EXAMPLE: &str = r#"
variable "instance_type" {
  type = string
}

variable "min_size" {
  type    = number
  default = 2
}

variable "hsm_count" {
  type = number
}

variable "availability_zones" {
  type    = list(string)
  default = ["us-east-1a", "us-east-1b", "us-east-1c"]
}

module "compute" {
  source        = "../../modules/demo/compute"
  instance_type = var.instance_type
  instances     = var.min_size
}

module "hsm" {
  source                 = "../../modules/demo/hsm"
  hsm_availability_zones = slice(var.availability_zones, 0, min(var.hsm_count, length(var.availability_zones)))
}
"#;

fn cost_repo() -> Repo {
    Repo::new(&[
        ("modules/demo/compute/main.tf", COMPUTE),
        ("modules/demo/hsm/main.tf", HSM),
        ("examples/demo/main.tf", EXAMPLE),
        (
            "examples/demo/env/prod.tfvars",
            "instance_type = \"c6g.2xlarge\"\nhsm_count     = 3\n",
        ),
        (
            "examples/demo/env/dev.tfvars",
            "instance_type = \"c6g.xlarge\"\nmin_size      = 1\nhsm_count     = 0\n",
        ),
    ])
}

fn env<'a>(r: &'a Report, name: &str) -> &'a codegen::review::cost::EnvCost {
    r.cost
        .as_ref()
        .expect("cost section")
        .environments
        .iter()
        .find(|e| e.example == "examples/demo" && e.env == name)
        .unwrap_or_else(|| panic!("no examples/demo {name}:\n{}", markdown(r)))
}

fn price(key: &str) -> f64 {
    Prices::builtin()
        .expect("price table")
        .price(key)
        .expect("priced")
        .usd
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 0.005
}

#[test]
fn an_instance_type_change_raises_the_cost_by_the_price_difference() {
    let repo = cost_repo();
    repo.edit(
        "examples/demo/env/prod.tfvars",
        "c6g.2xlarge",
        "c6g.4xlarge",
    );
    let r = repo.review();
    let prod = env(&r, "prod");
    // Two instances (min_size default) for 730 hours, at the new minus the old rate.
    let expected = 2.0 * 730.0 * (price("ec2.c6g.4xlarge") - price("ec2.c6g.2xlarge"));
    assert!(expected > 0.0);
    assert!(
        close(prod.delta(), expected),
        "prod delta {} != {expected}:\n{}",
        prod.delta(),
        markdown(&r)
    );
    assert!(close(env(&r, "dev").delta(), 0.0), "dev must not change");
    let md = markdown(&r);
    assert!(md.contains(&format!("**{}**", signed(expected))), "{md}");
    assert!(md.contains("2 × c6g.4xlarge, on-demand"), "{md}");
}

#[test]
fn fewer_hsms_lower_the_cost_by_one_hsm_month_each() {
    let repo = cost_repo();
    repo.edit(
        "examples/demo/env/prod.tfvars",
        "hsm_count     = 3",
        "hsm_count     = 2",
    );
    let r = repo.review();
    let prod = env(&r, "prod");
    let expected = -730.0 * price("cloudhsm.hsm2m.medium");
    assert!(
        close(prod.delta(), expected),
        "prod delta {} != {expected}:\n{}",
        prod.delta(),
        markdown(&r)
    );
    let hsm_lines = |e: &Option<codegen::review::cost::Estimate>| {
        e.as_ref()
            .map(|e| {
                e.lines
                    .iter()
                    .filter(|l| l.price.starts_with("cloudhsm."))
                    .count()
            })
            .unwrap_or(0)
    };
    assert_eq!((hsm_lines(&prod.base), hsm_lines(&prod.head)), (3, 2));
    assert!(
        markdown(&r).contains(&format!("**{}**", signed(expected))),
        "{}",
        markdown(&r)
    );
    assert!(expected < 0.0 && signed(expected).starts_with("-$"));
}

#[test]
fn a_module_default_change_reaches_the_environments_that_use_the_default() {
    let repo = cost_repo();
    // dev passes its own type; the module default matters nowhere here, so nothing moves.
    repo.edit(
        "modules/demo/hsm/main.tf",
        "default = \"hsm2m.medium\"",
        "default = \"hsm1.medium\"",
    );
    let r = repo.review();
    let expected = 3.0 * 730.0 * (price("cloudhsm.hsm1.medium") - price("cloudhsm.hsm2m.medium"));
    assert!(close(env(&r, "prod").delta(), expected), "{}", markdown(&r));
    let c = r
        .modules
        .iter()
        .find(|m| m.path == "modules/demo/hsm")
        .expect("hsm module changed");
    assert!(
        c.interface
            .iter()
            .any(|i| i.name == "hsm_type" && i.change.starts_with("default changed"))
    );
}

#[test]
fn json_output_carries_the_same_report() {
    let repo = cost_repo();
    repo.edit(
        "examples/demo/env/prod.tfvars",
        "hsm_count     = 3",
        "hsm_count     = 2",
    );
    let r = repo.review();
    let json: serde_json::Value = serde_json::to_value(&r).expect("json");
    assert_eq!(json["modules"][0]["path"], "examples/demo");
    let envs = json["cost"]["environments"]
        .as_array()
        .expect("environments");
    assert_eq!(envs.len(), 2);
    assert_eq!(envs[0]["env"], "dev");
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The project's rule pack, copied into test repositories.
fn rule_pack() -> PathBuf {
    workspace().join("tests/rule-pack")
}

fn copy_dir(from: &Path, to: &Path, files: &mut Vec<(String, String)>, rel: &str) {
    for e in std::fs::read_dir(from).expect("read rule pack").flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let path = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        if e.path().is_dir() {
            if name != "__pycache__" {
                copy_dir(&e.path(), to, files, &path);
            }
        } else {
            files.push((path, std::fs::read_to_string(e.path()).expect("read")));
        }
    }
}

const DB: &str = r#"
variable "password" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "aws_db_instance" "this" {
  identifier          = "demo"
  engine              = "postgres"
  instance_class      = "db.r5.large"
  allocated_storage   = 20
  username            = "demo_admin"
  password_wo         = var.password
  password_wo_version = 1
}
"#;

#[test]
fn a_rule_pack_failure_introduced_is_shown_as_new() {
    let mut files = Vec::new();
    copy_dir(&rule_pack(), Path::new(""), &mut files, "");
    let mut all: Vec<(String, String)> = files
        .into_iter()
        .map(|(p, t)| (format!("tests/rule-pack/{p}"), t))
        .collect();
    all.push(("modules/demo/db/main.tf".into(), DB.into()));
    let refs: Vec<(&str, &str)> = all.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let repo = Repo::new(&refs);
    // The hand edit a reviewer must catch: the password back in an argument kept in state.
    repo.edit(
        "modules/demo/db/main.tf",
        "  password_wo         = var.password\n  password_wo_version = 1\n",
        "  password            = var.password\n",
    );
    let r = repo.review_with(true);
    let p = r.policy.as_ref().expect("policy section");
    assert!(p.error.is_none(), "checkov did not run: {:?}", p.error);
    assert_eq!(p.modules, vec!["modules/demo/db".to_string()]);
    let new: Vec<_> = p
        .new_failures
        .iter()
        .map(|f| (f.check_id.as_str(), f.resource.as_str()))
        .collect();
    assert!(
        new.contains(&("CKV_TC_1", "aws_db_instance.this")),
        "{new:?}\n{}",
        markdown(&r)
    );
    assert!(
        p.new_failures[0].rule_pack,
        "rule-pack failures come first: {new:?}"
    );
    assert!(p.fixed.is_empty(), "{:?}", p.fixed);
    let md = markdown(&r);
    let table = md
        .split("**New failures**")
        .nth(1)
        .expect("a New failures table");
    assert!(
        table.contains("`CKV_TC_1` (rule pack)") && table.contains("`aws_db_instance.this`"),
        "{md}"
    );
}
