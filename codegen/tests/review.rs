//! `codegen review` over real git repositories: each test commits a base tree in a
//! temporary repository, changes the working tree (as a generator run or a hand edit
//! would), and checks the report for that kind of change.

mod review_repo;

use codegen::review::diff::{Bump, Change};
use codegen::review::{Report, markdown};
use review_repo::Repo;

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
        markdown(&r).contains("no module changes"),
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

#[test]
fn the_command_line_prints_markdown_and_writes_json() {
    let repo = app_repo();
    let cli = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_codegen"))
            .current_dir(repo.path())
            .arg("review")
            .args(args)
            .output()
            .expect("run codegen");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // No --base: the merge base with main, here main itself.
    let unchanged = cli(&["--no-policy"]);
    assert!(unchanged.contains("no module changes"), "{unchanged}");
    assert!(
        unchanged.contains("the merge base with main"),
        "{unchanged}"
    );
    repo.edit(
        "modules/demo/app/variables.tf",
        "type    = any",
        "type    = number",
    );
    let json_file = repo.path().join("review.json");
    let md = cli(&[
        "--base",
        "main",
        "--no-policy",
        "--json-out",
        json_file.to_str().expect("utf-8"),
    ]);
    assert!(md.starts_with("<!-- codegen-review -->"), "{md}");
    assert!(md.contains("type narrowed"), "{md}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_file).expect("json file"))
            .expect("JSON");
    assert_eq!(json["modules"][0]["path"], "modules/demo/app");
    assert_eq!(json["modules"][0]["bump"], "major");
    let only_json = cli(&["--base", "main", "--no-policy", "--format", "json"]);
    assert!(only_json.trim_start().starts_with('{'), "{only_json}");
}
