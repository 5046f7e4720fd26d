//! `codegen review`'s cost estimate and policy diff over real git repositories: an
//! example with its environments calls small modules; the tests change a variable value
//! or a module and check the delta (sign and size, from the price table), and introduce a
//! rule-pack failure that real checkov reports as new.

mod review_repo;

use std::path::{Path, PathBuf};

use codegen::review::cost::prices::Prices;
use codegen::review::cost::reference::signed;
use codegen::review::{Report, markdown};
use review_repo::{Repo, workspace};

const COMPUTE: &str = r#"
variable "instance_type" {
  type    = string
  default = "c6g.xlarge"
}

variable "instances" {
  type    = number
  default = 1
}

variable "volume_size" {
  type    = number
  default = 100
}

resource "aws_launch_template" "this" {
  instance_type = var.instance_type

  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      volume_type = "gp3"
      volume_size = var.volume_size
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
fn a_module_default_change_reaches_every_environment_using_it() {
    let repo = cost_repo();
    // Neither environment sets the volume size: both take the module's default.
    repo.edit(
        "modules/demo/compute/main.tf",
        "variable \"volume_size\" {\n  type    = number\n  default = 100",
        "variable \"volume_size\" {\n  type    = number\n  default = 150",
    );
    let r = repo.review();
    let per_gb = price("ebs.gp3.storage");
    assert!(
        close(env(&r, "prod").delta(), 2.0 * 50.0 * per_gb),
        "{}",
        markdown(&r)
    );
    assert!(
        close(env(&r, "dev").delta(), 50.0 * per_gb),
        "{}",
        markdown(&r)
    );
    let c = r
        .modules
        .iter()
        .find(|m| m.path == "modules/demo/compute")
        .expect("compute module changed");
    assert!(
        c.interface
            .iter()
            .any(|i| i.name == "volume_size" && i.change.starts_with("default changed")),
        "{}",
        markdown(&r)
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

/// The project's rule pack, copied into test repositories.
fn rule_pack() -> PathBuf {
    workspace().join("tests/rule-pack")
}

/// Every file under `from` as (relative path, text).
fn read_tree(from: &Path, files: &mut Vec<(String, String)>, rel: &str) {
    for e in std::fs::read_dir(from).expect("read rule pack").flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let path = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        if e.path().is_dir() {
            if name != "__pycache__" {
                read_tree(&e.path(), files, &path);
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
    read_tree(&rule_pack(), &mut files, "");
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
