//! Spec sections and module builders both platforms use.

use serde::{Deserialize, Serialize};

use super::{ModuleBuilder, aws_provider, kms_key_var, name_var, tags_var};
use crate::hcl::Hcl;
use crate::model::Variable;
use crate::spec::Validator;

/// `[backup]`: AWS Backup schedules.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupSection {
    pub copy_to_secondary_region: bool,
    /// Continuous backup (point-in-time restore) retention; 0 turns it off.
    pub continuous_retention_days: u32,
    pub rules: Vec<BackupRule>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BackupRule {
    pub name: String,
    pub schedule: String,
    pub delete_after_days: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cold_storage_after_days: Option<u32>,
}

impl BackupSection {
    pub fn validate(&self, v: &mut Validator) {
        v.range(
            "backup.continuous_retention_days",
            self.continuous_retention_days.into(),
            0,
            35,
            "continuous backup retention (days)",
        );
        v.check(
            !self.rules.is_empty(),
            "backup.rules",
            "at least one backup rule is needed",
        );
        for (i, r) in self.rules.iter().enumerate() {
            let p = format!("backup.rules[{i}]");
            v.check(
                !r.name.is_empty()
                    && r.name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
                format!("{p}.name"),
                "rule names use letters, digits, - and _",
            );
            v.check(
                r.schedule.starts_with("cron(")
                    && r.schedule.ends_with(')')
                    && r.schedule.split_whitespace().count() == 6,
                format!("{p}.schedule"),
                format!(
                    "{:?} is not an AWS cron expression with six fields, like cron(0 3 * * ? *)",
                    r.schedule
                ),
            );
            v.range(
                format!("{p}.delete_after_days"),
                r.delete_after_days.into(),
                1,
                36500,
                "backup retention (days)",
            );
            if let Some(cold) = r.cold_storage_after_days {
                v.check(
                    r.delete_after_days >= cold + 90,
                    format!("{p}.delete_after_days"),
                    format!("AWS Backup keeps cold-storage recovery points at least 90 days: delete_after_days must be >= {}", cold + 90),
                );
            }
        }
        let mut names: Vec<&str> = self.rules.iter().map(|r| r.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        v.check(
            names.len() == self.rules.len(),
            "backup.rules",
            "rule names must be unique",
        );
    }
}

pub fn backup_module(platform: &str, b: &BackupSection, summary: &str) -> ModuleBuilder {
    ModuleBuilder::new(platform, "backup", "Backup and disaster recovery", summary)
        .prose("The vault is encrypted with a customer-managed KMS key; the plan's rules each copy their recovery points to a vault in the secondary region (provider alias `aws.replica`) with the same lifecycle. Resources are selected by tag (`Backup = \"true\"` by default) and by explicit ARNs. The AWS Backup service role gets the AWS managed backup and restore policies.")
        .provider(aws_provider(&["aws.replica"]))
        .file("main.tf", "shared/backup.tf")
        .var(name_var(40))
        .var(tags_var())
        .var(kms_key_var("kms_key_arn", "the primary backup vault"))
        .var(Variable::new("replica_kms_key_arn", "string", "KMS key in the secondary region for the copy vault; required with copy_to_secondary_region.").default_null())
        .var(Variable::new("copy_to_secondary_region", "bool", "Copy every recovery point to a vault in the secondary region.").default(Hcl::Bool(b.copy_to_secondary_region)))
        .var(
            Variable::new("rules", "list(object({\n  name                    = string\n  schedule                = string\n  delete_after_days       = number\n  cold_storage_after_days = optional(number)\n}))", "Snapshot rules: AWS cron schedule, retention and optional move to cold storage.")
                .default(Hcl::from_serialize(&b.rules))
                .validate("alltrue([for r in var.rules : r.cold_storage_after_days == null || r.delete_after_days >= coalesce(r.cold_storage_after_days, 0) + 90])", "Recovery points in cold storage must be kept at least 90 days there.")
                .validate("alltrue([for r in var.rules : can(regex(\"^cron\\\\(.+\\\\)$\", r.schedule))])", "Schedules are AWS cron expressions, like cron(0 3 * * ? *)."),
        )
        .var(
            Variable::new("continuous_backup_retention_days", "number", "Retention of continuous backups (point-in-time restore for S3 and RDS); 0 turns continuous backup off.")
                .default(Hcl::num(b.continuous_retention_days))
                .validate("var.continuous_backup_retention_days >= 0 && var.continuous_backup_retention_days <= 35", "AWS keeps continuous backups at most 35 days."),
        )
        .var(Variable::new("selection_tags", "map(string)", "Back up every resource carrying all of these tags.").default(Hcl::object([("Backup", Hcl::str("true"))])))
        .var(Variable::new("resource_arns", "list(string)", "Additional resources to back up by ARN.").default(Hcl::List(Vec::new())))
        .var(Variable::new("enable_restore_testing", "bool", "Restore the latest recovery points on a schedule to prove they work.").default(Hcl::Bool(true)))
        .var(Variable::new("restore_testing_schedule", "string", "When restore tests run (AWS cron).").default(Hcl::str("cron(0 5 ? * SAT *)")))
        .var(Variable::new("restore_testing_resource_types", "list(string)", "Resource types restore testing covers.").default(Hcl::strs(&["EBS", "S3"])))
        .out("vault_arn", "aws_backup_vault.this.arn", "ARN of the primary backup vault.")
        .out("vault_name", "aws_backup_vault.this.name", "Name of the primary backup vault.")
        .out("replica_vault_arn", "one(aws_backup_vault.replica[*].arn)", "ARN of the copy vault in the secondary region.")
        .out("plan_id", "aws_backup_plan.this.id", "ID of the backup plan.")
        .out("plan_arn", "aws_backup_plan.this.arn", "ARN of the backup plan.")
        .out("role_arn", "aws_iam_role.backup.arn", "ARN of the AWS Backup service role.")
}
