//! Spec sections and module builders both platforms use.

use serde::{Deserialize, Serialize};

use super::{
    ModuleBuilder, aws_provider, kms_key_var, log_retention_var, name_var, string_list, tags_var,
};
use crate::hcl::Hcl;
use crate::model::{ModuleView, Variable};
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

/// `[certificates]`: the ACM certificate of the platform domain.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificatesSection {
    pub key_algorithm: String,
    pub subject_alternative_names: Vec<String>,
}

impl CertificatesSection {
    pub fn validate(&self, v: &mut Validator) {
        v.one_of(
            "certificates.key_algorithm",
            &self.key_algorithm,
            &["EC_prime256v1", "EC_secp384r1", "RSA_2048"],
        );
    }

    /// The certificates module of `platform` for `domain`.
    pub fn module(&self, platform: &str, domain: &str) -> ModuleView {
        certificates_module(
            platform,
            domain,
            &self.subject_alternative_names,
            &self.key_algorithm,
        )
    }
}

/// `networking.flow_log_*`: the VPC flow logs (shared/flow_logs.tf) of either platform.
pub fn validate_flow_logs(v: &mut Validator, retention_days: u32, traffic_type: &str) {
    v.log_retention("networking.flow_log_retention_days", retention_days);
    v.one_of(
        "networking.flow_log_traffic_type",
        traffic_type,
        &["ACCEPT", "ALL", "REJECT"],
    );
}

/// `security.waf_*`, `security.guardduty_*`, `security.config_rules` and
/// `security.audit_*`: the WAF, GuardDuty, CloudTrail and AWS Config settings
/// (shared/waf.tf, guardduty.tf, audit_bucket.tf, cloudtrail.tf, config.tf) both
/// platforms' security sections carry.
pub struct SecurityCommon<'a> {
    pub waf_rate_limit: u64,
    pub waf_managed_rule_groups: &'a [String],
    pub waf_log_retention_days: u32,
    pub guardduty_finding_publishing_frequency: &'a str,
    pub guardduty_features: &'a [String],
    pub config_rules: &'a [String],
    pub audit_log_retention_days: u32,
    pub audit_bucket_retention_days: u32,
}

impl SecurityCommon<'_> {
    /// The shared topic files of a security module with their variables and outputs:
    /// `blocked_countries` turns on WAF geographic blocking with that default list;
    /// `runtime_agents` is where GuardDuty manages its Runtime Monitoring agent.
    pub fn module_parts(
        &self,
        b: ModuleBuilder,
        blocked_countries: Option<&[String]>,
        runtime_agents: &[&str],
    ) -> ModuleBuilder {
        let b = match blocked_countries {
            Some(_) => b.feature("waf_geo"),
            None => b,
        };
        b.file("waf.tf", "shared/waf.tf")
            .file("guardduty.tf", "shared/guardduty.tf")
            .file("audit_bucket.tf", "shared/audit_bucket.tf")
            .file("cloudtrail.tf", "shared/cloudtrail.tf")
            .file("config.tf", "shared/config.tf")
            .vars(waf_vars(
                self.waf_rate_limit,
                self.waf_managed_rule_groups,
                self.waf_log_retention_days,
                blocked_countries,
            ))
            .vars(guardduty_vars(
                self.guardduty_finding_publishing_frequency,
                self.guardduty_features,
                runtime_agents,
            ))
            .vars(audit_vars(
                self.config_rules,
                self.audit_log_retention_days,
                self.audit_bucket_retention_days,
            ))
            .var(kms_key_var(
                "log_kms_key_arn",
                "the WAF and CloudTrail log groups and the audit bucket",
            ))
            .with(audit_outputs)
            .out(
                "guardduty_detector_id",
                "one(aws_guardduty_detector.this[*].id)",
                "ID of the GuardDuty detector (null unless create_guardduty_detector).",
            )
    }

    pub fn validate(&self, v: &mut Validator) {
        v.range(
            "security.waf_rate_limit",
            self.waf_rate_limit as i64,
            10,
            2_000_000_000,
            "WAF rate limit",
        );
        v.log_retention(
            "security.waf_log_retention_days",
            self.waf_log_retention_days,
        );
        v.log_retention(
            "security.audit_log_retention_days",
            self.audit_log_retention_days,
        );
        v.range(
            "security.audit_bucket_retention_days",
            self.audit_bucket_retention_days.into(),
            1,
            36500,
            "audit file retention (days)",
        );
        v.one_of(
            "security.guardduty_finding_publishing_frequency",
            self.guardduty_finding_publishing_frequency,
            &["FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS"],
        );
    }
}

/// `hsm.key_*` and `hsm.kms_keys`: the customer-managed KMS keys (shared/kms.tf); the
/// modules expect a key of each name in `expected`.
pub fn validate_kms_keys(
    v: &mut Validator,
    keys: &[String],
    rotation_period_days: u32,
    deletion_window_days: u32,
    expected: &[&str],
) {
    v.range(
        "hsm.key_rotation_period_days",
        rotation_period_days.into(),
        90,
        2560,
        "KMS rotation period (days)",
    );
    v.range(
        "hsm.key_deletion_window_days",
        deletion_window_days.into(),
        7,
        30,
        "KMS deletion window (days)",
    );
    for key in expected {
        v.check(
            keys.iter().any(|k| k == key),
            "hsm.kms_keys",
            format!("the modules expect a KMS key named {key:?}"),
        );
    }
}

/// `restore_types`: the resource types the platform actually backs up (restore testing of a
/// type without recovery points tests nothing).
pub fn backup_module(
    platform: &str,
    b: &BackupSection,
    summary: &str,
    restore_types: &[&str],
) -> ModuleBuilder {
    ModuleBuilder::new(platform, "backup", "Backup and disaster recovery", summary)
        .prose("The vault is encrypted with a customer-managed KMS key; the plan's rules each copy their recovery points to a vault in the secondary region (provider alias `aws.replica`) with the same lifecycle. Resources are selected by tag (`Backup = \"true\"` by default) and by explicit ARNs. The AWS Backup service role gets the AWS managed backup and restore policies.")
        .prose("Both vaults carry an AWS Backup Vault Lock (`vault_lock_mode`): `governance` by default, so an environment can still be torn down; `compliance` for a legal retention, after which, once `vault_lock_changeable_for_days` have passed, no one can remove the lock or delete a recovery point early. Rules with `cold_storage_after_days` opt in to cold storage for the resource types that support it; AWS Backup ignores the transition for the others, so their recovery points stay in warm storage for their whole retention.")
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
        .var(
            Variable::new("vault_lock_mode", "string", "AWS Backup Vault Lock on both vaults: \"compliance\" (after vault_lock_changeable_for_days nobody, the root user included, can remove the lock or delete a recovery point before its retention ends: for legal retention, and irreversible), \"governance\" (principals allowed backup:DeleteBackupVaultLockConfiguration can remove it) or \"none\".")
                .default(Hcl::str("governance"))
                .validate("contains([\"compliance\", \"governance\", \"none\"], var.vault_lock_mode)", "vault_lock_mode is compliance, governance or none."),
        )
        .var(
            Variable::new("vault_lock_changeable_for_days", "number", "Compliance mode only: days the lock can still be changed or removed after it is set (AWS's grace time, at least 3).")
                .default(Hcl::num(3))
                .validate("var.vault_lock_changeable_for_days >= 3", "AWS Backup needs at least 3 days before a compliance lock takes effect."),
        )
        .var(
            Variable::new("vault_lock_min_retention_days", "number", "Shortest retention the vault lock admits: recovery points of every rule (and continuous backups) must be kept at least this long, or their backup jobs fail.")
                .default(Hcl::num(1))
                .validate("var.vault_lock_min_retention_days >= 1 && alltrue([for r in var.rules : r.delete_after_days >= var.vault_lock_min_retention_days]) && (var.continuous_backup_retention_days == 0 || var.continuous_backup_retention_days >= var.vault_lock_min_retention_days)", "vault_lock_min_retention_days must be at least 1 and no longer than any rule's delete_after_days or continuous_backup_retention_days."),
        )
        .var(Variable::new("selection_tags", "map(string)", "Back up every resource carrying all of these tags.").default(Hcl::object([("Backup", Hcl::str("true"))])))
        .var(Variable::new("resource_arns", "list(string)", "Additional resources to back up by ARN.").default(Hcl::List(Vec::new())))
        .var(Variable::new("enable_restore_testing", "bool", "Restore the latest recovery points on a schedule to prove they work.").default(Hcl::Bool(true)))
        .var(Variable::new("restore_testing_schedule", "string", "When restore tests run (AWS cron).").default(Hcl::str("cron(0 5 ? * SAT *)")))
        .var(Variable::new("restore_testing_resource_types", "list(string)", "Resource types restore testing covers: those the plan backs up.").default(Hcl::strs(restore_types)))
        .out("vault_arn", "aws_backup_vault.this.arn", "ARN of the primary backup vault.")
        .out("vault_name", "aws_backup_vault.this.name", "Name of the primary backup vault.")
        .out("replica_vault_arn", "one(aws_backup_vault.replica[*].arn)", "ARN of the copy vault in the secondary region.")
        .out("plan_id", "aws_backup_plan.this.id", "ID of the backup plan.")
        .out("plan_arn", "aws_backup_plan.this.arn", "ARN of the backup plan.")
        .out("role_arn", "aws_iam_role.backup.arn", "ARN of the AWS Backup service role.")
}

/// `blocked_countries`: with geographic blocking, the default country list.
pub fn waf_vars(
    rate_limit: u64,
    groups: &[String],
    retention: u32,
    blocked_countries: Option<&[String]>,
) -> Vec<Variable> {
    let mut v = vec![
        Variable::new(
            "waf_rate_limit",
            "number",
            "Requests one client address may send in a 5-minute window before WAF blocks it.",
        )
        .default(Hcl::num(rate_limit))
        .validate(
            "var.waf_rate_limit >= 10 && var.waf_rate_limit <= 2000000000",
            "WAF rate limits are 10 to 2,000,000,000.",
        ),
        string_list(
            "waf_managed_rule_groups",
            "AWS managed rule groups (vendor AWS) evaluated in this order after the rate limit.",
        )
        .default(Hcl::strs(groups)),
        log_retention_var("waf_log_retention_days", "WAF request logs", retention),
    ];
    if let Some(countries) = blocked_countries {
        v.push(
            string_list(
                "waf_blocked_country_codes",
                "ISO 3166 two-letter country codes WAF blocks; empty disables geographic blocking.",
            )
            .default(Hcl::strs(countries))
            .validate(
                "alltrue([for c in var.waf_blocked_country_codes : can(regex(\"^[A-Z]{2}$\", c))])",
                "Country codes are two capital letters.",
            ),
        );
    }
    v
}

pub fn guardduty_vars(frequency: &str, features: &[String], agents: &[&str]) -> Vec<Variable> {
    vec![
        string_list("guardduty_runtime_agent_management", "Where GuardDuty deploys and updates its Runtime Monitoring agent itself (EC2_AGENT_MANAGEMENT, EKS_ADDON_MANAGEMENT, ECS_FARGATE_AGENT_MANAGEMENT); without it RUNTIME_MONITORING covers only hosts where the agent was installed by hand.")
            .default(Hcl::strs(agents))
            .validate("alltrue([for a in var.guardduty_runtime_agent_management : contains([\"EC2_AGENT_MANAGEMENT\", \"EKS_ADDON_MANAGEMENT\", \"ECS_FARGATE_AGENT_MANAGEMENT\"], a)])", "Use EC2_AGENT_MANAGEMENT, EKS_ADDON_MANAGEMENT or ECS_FARGATE_AGENT_MANAGEMENT."),
        Variable::new("create_guardduty_detector", "bool", "Create the GuardDuty detector and its features. GuardDuty allows one detector per account and region: exactly one configuration per account sets this.").default(Hcl::Bool(true)),
        Variable::new("guardduty_finding_publishing_frequency", "string", "How often GuardDuty publishes updated findings.")
            .default(Hcl::str(frequency))
            .validate("contains([\"FIFTEEN_MINUTES\", \"ONE_HOUR\", \"SIX_HOURS\"], var.guardduty_finding_publishing_frequency)", "Use FIFTEEN_MINUTES, ONE_HOUR or SIX_HOURS."),
        string_list("guardduty_features", "GuardDuty protection features to enable on the detector.").default(Hcl::strs(features)),
        Variable::new("notify_findings", "bool", "Send GuardDuty findings of medium severity or higher to findings_sns_topic_arn in real time.").default(Hcl::Bool(false)),
        Variable::new("findings_sns_topic_arn", "string", "SNS topic that receives the findings when notify_findings is on.").default_null(),
    ]
}

/// CloudTrail, AWS Config and their audit bucket (shared/audit_bucket.tf, cloudtrail.tf, config.tf).
pub fn audit_vars(
    config_rules: &[String],
    log_retention: u32,
    bucket_retention: u32,
) -> Vec<Variable> {
    vec![
        Variable::new(
            "create_config_recorder",
            "bool",
            "Create the AWS Config recorder, delivery channel and rules. AWS Config allows one recorder and one delivery channel per account and region: exactly one configuration per account sets this.",
        )
        .default(Hcl::Bool(true)),
        Variable::new(
            "config_record_global_resources",
            "bool",
            "Record the global resource types (IAM users, groups, roles, policies) too. Their configuration items are the same in every region: AWS recommends recording them in one region only, so a recorder in a second region (a standby stack) sets this to false.",
        )
        .default(Hcl::Bool(true)),
        Variable::new(
            "create_cloudtrail",
            "bool",
            "Create the multi-region CloudTrail trail (with its log group and SNS topic). It records the whole account, so one configuration per account sets this.",
        )
        .default(Hcl::Bool(true)),
        string_list(
            "config_rules",
            "AWS Config managed rules (source identifiers) to evaluate.",
        )
        .default(Hcl::strs(config_rules)),
        log_retention_var(
            "audit_log_retention_days",
            "CloudTrail logs in CloudWatch",
            log_retention,
        ),
        Variable::new(
            "audit_bucket_retention_days",
            "number",
            "Days the audit bucket keeps CloudTrail and Config files.",
        )
        .default(Hcl::num(bucket_retention))
        .validate(
            "var.audit_bucket_retention_days >= 1",
            "audit_bucket_retention_days must be at least 1.",
        ),
    ]
}

pub fn audit_outputs(b: ModuleBuilder) -> ModuleBuilder {
    b.out(
        "cloudtrail_arn",
        "one(aws_cloudtrail.this[*].arn)",
        "ARN of the CloudTrail trail (null unless create_cloudtrail).",
    )
    .out(
        "audit_bucket_id",
        "one(aws_s3_bucket.audit[*].id)",
        "Bucket holding CloudTrail and Config files (null when this configuration creates neither).",
    )
    .out(
        "config_recorder_id",
        "one(aws_config_configuration_recorder.this[*].id)",
        "ID of the AWS Config recorder (null unless create_config_recorder).",
    )
}

/// Per key: AWS service principals and IAM role names (with path) allowed to use it.
pub type KmsUsers = Vec<(&'static str, Vec<&'static str>, Vec<&'static str>)>;

/// The Auto Scaling service-linked role launches instances with encrypted volumes.
pub const ASG_SERVICE_ROLE: &str =
    "aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling";

pub fn kms_vars(keys: &[String], rotation: u32, deletion: u32, users: &KmsUsers) -> Vec<Variable> {
    let keys_default = Hcl::object(keys.iter().map(|k| {
        let (svc, roles) = users
            .iter()
            .find(|(n, _, _)| *n == k.as_str())
            .map(|(_, s, r)| (s.clone(), r.clone()))
            .unwrap_or_default();
        let mut o = vec![("service_principals", Hcl::strs(&svc))];
        if !roles.is_empty() {
            o.push(("iam_role_names", Hcl::strs(&roles)));
        }
        (k.clone(), Hcl::object(o))
    }));
    vec![
        Variable::new("kms_keys", "map(object({\n  description        = optional(string)\n  service_principals = optional(list(string), [])\n  iam_role_names     = optional(list(string), [])\n}))", "Customer-managed KMS keys by data type; each may be used by the listed AWS service principals on behalf of this account ({region} stands for the key's region; logs.* principals are tied to this account's log groups) and IAM roles (name with path) of this account, matched by an aws:PrincipalArn condition so that they need not exist when the key is created (service-linked roles such as AWSServiceRoleForAutoScaling appear only once their service creates them).")
            .default(keys_default),
        Variable::new("key_rotation_period_days", "number", "Days between automatic KMS key rotations.")
            .default(Hcl::num(rotation))
            .validate("var.key_rotation_period_days >= 90 && var.key_rotation_period_days <= 2560", "KMS rotates every 90 to 2560 days."),
        Variable::new("key_deletion_window_days", "number", "Waiting period before a scheduled key deletion.")
            .default(Hcl::num(deletion))
            .validate("var.key_deletion_window_days >= 7 && var.key_deletion_window_days <= 30", "The KMS deletion window is 7 to 30 days."),
    ]
}

pub fn kms_outputs(b: ModuleBuilder) -> ModuleBuilder {
    b.out(
        "kms_key_arns",
        "{ for k, key in aws_kms_key.this : k => key.arn }",
        "KMS key ARNs by data type.",
    )
    .out(
        "kms_key_ids",
        "{ for k, key in aws_kms_key.this : k => key.key_id }",
        "KMS key IDs by data type.",
    )
    .out(
        "kms_alias_names",
        "{ for k, a in aws_kms_alias.this : k => a.name }",
        "KMS alias names by data type.",
    )
}

pub fn bucket_vars(buckets: Hcl, noncurrent: u32, replication: bool) -> Vec<Variable> {
    vec![
        Variable::new("buckets", "map(object({\n  retention_days             = optional(number)\n  transition_to_ia_days      = optional(number, 30)\n  transition_to_glacier_days = optional(number)\n  archive                    = optional(bool, false)\n}))", "Buckets by purpose: days until objects expire (null keeps them) and storage-class transitions in days. Objects move to Glacier Instant Retrieval (readable at once); archive buckets, read only after a restore, to Glacier Flexible Retrieval.")
            .default(buckets)
            .validate("alltrue([for b in values(var.buckets) : coalesce(b.retention_days, 1) >= 1 && b.transition_to_ia_days >= 30])", "retention_days must be at least 1 and transition_to_ia_days at least 30 (an S3 minimum for STANDARD_IA).")
            // S3 refuses a lifecycle configuration whose Glacier transition comes less than 30
            // days after the STANDARD_IA one ("Objects that are in the S3 Standard-IA storage
            // class must be in this class for 30 days before they transition to S3 Glacier",
            // AWS Knowledge Center, s3-lifecycle-rule-glacier-storage) or whose expiration does
            // not come after its transitions.
            .validate("alltrue([for b in values(var.buckets) : coalesce(b.transition_to_glacier_days, b.transition_to_ia_days + 30) >= b.transition_to_ia_days + 30 && coalesce(b.retention_days, 36500) > max(b.transition_to_ia_days, coalesce(b.transition_to_glacier_days, 0))])", "transition_to_glacier_days must be at least 30 days after transition_to_ia_days (S3 keeps objects 30 days in STANDARD_IA), and retention_days after both transitions."),
        Variable::new("noncurrent_version_expiration_days", "number", "Days S3 keeps noncurrent object versions.")
            .default(Hcl::num(noncurrent))
            .validate("var.noncurrent_version_expiration_days >= 1", "noncurrent_version_expiration_days must be at least 1."),
        Variable::new("enable_replication", "bool", "Replicate every bucket to the secondary region (provider aws.replica).").default(Hcl::Bool(replication)),
        Variable::new("replica_kms_key_arn", "string", "KMS key in the secondary region that encrypts the replicas; required with enable_replication.")
            .default_null(),
        Variable::new("access_log_retention_days", "number", "Days the access-log bucket keeps S3 and ALB access logs.")
            .default(Hcl::num(365))
            .validate("var.access_log_retention_days >= 1", "access_log_retention_days must be at least 1."),
        Variable::new("force_destroy", "bool", "Allow destroying buckets that still hold objects (keep false outside tests).").default(Hcl::Bool(false)),
    ]
}

pub fn storage_outputs(b: ModuleBuilder) -> ModuleBuilder {
    b.out(
        "bucket_ids",
        "{ for k, b in aws_s3_bucket.this : k => b.id }",
        "Bucket names by purpose.",
    )
    .out(
        "bucket_arns",
        "{ for k, b in aws_s3_bucket.this : k => b.arn }",
        "Bucket ARNs by purpose.",
    )
    .out(
        "replica_bucket_arns",
        "{ for k, b in aws_s3_bucket.replica : k => b.arn }",
        "Replica bucket ARNs by purpose (empty without replication).",
    )
    .out(
        "access_logs_bucket_id",
        "aws_s3_bucket_policy.access_logs.bucket",
        "Name of the access-log bucket (S3 server access logs, ALB access logs), known once its bucket policy grants the log writers: a load balancer given it turns logging on only then (ELB refuses a bucket it may not write to).",
    )
}

/// The VPC flow logs of a networking module (shared/flow_logs.tf): the topic file, its
/// variables and outputs.
pub fn flow_logs(b: ModuleBuilder, retention_days: u32, traffic_type: &str) -> ModuleBuilder {
    b.file("flow_logs.tf", "shared/flow_logs.tf")
        .var(log_retention_var(
            "flow_log_retention_days",
            "VPC flow logs",
            retention_days,
        ))
        .var(
            Variable::new(
                "flow_log_traffic_type",
                "string",
                "Which traffic flow logs record.",
            )
            .default(Hcl::str(traffic_type))
            .validate(
                "contains([\"ACCEPT\", \"REJECT\", \"ALL\"], var.flow_log_traffic_type)",
                "flow_log_traffic_type must be ACCEPT, REJECT or ALL.",
            ),
        )
        .var(kms_key_var("log_kms_key_arn", "the flow log group"))
        .out(
            "flow_log_id",
            "aws_flow_log.this.id",
            "ID of the VPC flow log.",
        )
        .out(
            "flow_log_group_name",
            "aws_cloudwatch_log_group.flow_logs.name",
            "CloudWatch log group receiving flow logs.",
        )
}

/// The S3 buckets of a storage module (shared/s3_buckets.tf, s3_replication.tf,
/// s3_access_logs.tf): the topic files, their variables and outputs.
pub fn s3_buckets(
    b: ModuleBuilder,
    buckets: Hcl,
    noncurrent: u32,
    replication: bool,
) -> ModuleBuilder {
    b.file("buckets.tf", "shared/s3_buckets.tf")
        .file("replication.tf", "shared/s3_replication.tf")
        .file("access_logs.tf", "shared/s3_access_logs.tf")
        .vars(bucket_vars(buckets, noncurrent, replication))
        .var(kms_key_var("kms_key_arn", "the buckets"))
        .with(storage_outputs)
}

/// One entry of a monitoring module's `alarms`.
pub fn alarm(
    namespace: &str,
    metric: &str,
    statistic: &str,
    threshold: impl ToString,
    comparison: &str,
    description: &str,
) -> Hcl {
    Hcl::object([
        ("namespace", Hcl::str(namespace)),
        ("metric_name", Hcl::str(metric)),
        ("statistic", Hcl::str(statistic)),
        ("threshold", Hcl::num(threshold)),
        ("comparison_operator", Hcl::str(comparison)),
        ("description", Hcl::str(description)),
    ])
}

pub fn trim_float(f: f64) -> String {
    if f.fract() == 0.0 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// Shared by both platforms: SNS topics, log groups, alarms, composite alarm, dashboard.
pub fn monitoring_module(
    platform: &str,
    title: &str,
    summary: &str,
    retention: u32,
    log_groups: &[String],
    alarms: Hcl,
    xray: Option<f64>,
) -> ModuleBuilder {
    let mut b = ModuleBuilder::new(platform, "monitoring", title, summary)
        .prose("Two SNS topics, `critical` and `warning`, encrypted with KMS, fan out to the e-mail and SMS subscribers. Their topic policy lets the AWS services that raise alerts publish (`sns_publisher_services`: CloudWatch alarms, EventBridge for GuardDuty findings and, on the Solidity platform, AWS Budgets and Cost Anomaly Detection), only on behalf of this account; the KMS key must grant them too (the hsm module's `sns` key does). Each alarm in `alarms` watches one metric (percentile statistics such as p99 are supported); all alarms feed the composite `platform-health` alarm that pages on `critical`. Log groups get the retention period and the KMS key. The dashboard shows every alarmed metric.")
        .provider(aws_provider(&[]))
        .file("sns.tf", "shared/monitoring/sns.tf")
        .file("logs.tf", "shared/monitoring/logs.tf")
        .file("alarms.tf", "shared/monitoring/alarms.tf")
        .file("dashboard.tf", "shared/monitoring/dashboard.tf")
        .var(name_var(32))
        .var(tags_var())
        .var(string_list("alert_email_addresses", "E-mail addresses subscribed to both topics (each must confirm).").default(Hcl::List(Vec::new())))
        .var(
            string_list("alert_sms_numbers", "Phone numbers in E.164 form (+15555550100) subscribed to the critical topic.")
                .default(Hcl::List(Vec::new()))
                .validate("alltrue([for n in var.alert_sms_numbers : can(regex(\"^\\\\+[1-9][0-9]{6,14}$\", n))])", "Phone numbers must be E.164, like +15555550100."),
        )
        .var(string_list("log_groups", "Application log groups to create, as /<name>/<entry>.").default(Hcl::strs(log_groups)))
        .var(log_retention_var("log_retention_days", "application logs", retention))
        .var(
            Variable::new("alarms", "map(object({\n  namespace           = string\n  metric_name         = string\n  statistic           = string\n  threshold           = number\n  comparison_operator = string\n  description         = string\n  dimensions          = optional(map(string), {})\n  period              = optional(number, 60)\n  evaluation_periods  = optional(number, 5)\n  datapoints_to_alarm = optional(number, 3)\n  treat_missing_data  = optional(string, \"notBreaching\")\n}))", "Metric alarms by name; statistic is a standard statistic (Average, Sum, Maximum...) or a percentile such as p99.")
                .default(alarms)
                .validate("alltrue([for a in values(var.alarms) : contains([10, 30], a.period) || (a.period >= 60 && a.period % 60 == 0)])", "Alarm periods are 10, 30 or a multiple of 60 seconds.")
                .validate("alltrue([for a in values(var.alarms) : a.datapoints_to_alarm <= a.evaluation_periods])", "datapoints_to_alarm cannot exceed evaluation_periods."),
        )
        .var(string_list("omit_alarms", "Names of alarms (keys of alarms) this configuration leaves out because it has no such resource, e.g. rds_replica_lag where no read replica runs.").default(Hcl::List(Vec::new())).validate("alltrue([for k in var.omit_alarms : contains(keys(var.alarms), k)])", "omit_alarms names an alarm that alarms does not have."))
        .var(Variable::new("alarm_dimensions", "map(map(string))", "Extra dimensions per alarm name, merged over the alarm's own (for values known only after apply, such as a DB instance ID).").default(Hcl::object(Vec::<(String, Hcl)>::new())))
        .var(kms_key_var("kms_key_arn", "the SNS topics; its key policy must let sns_publisher_services use it"))

        .var(kms_key_var("log_kms_key_arn", "the log groups"))
        .out("sns_topic_arns", "{ for k, t in aws_sns_topic.this : k => t.arn }", "SNS topic ARNs: critical and warning.")
        .out("log_group_names", "{ for k, g in aws_cloudwatch_log_group.this : k => g.name }", "Log group names by entry.")
        .out("alarm_arns", "{ for k, a in aws_cloudwatch_metric_alarm.this : k => a.arn }", "Metric alarm ARNs by name.")
        .out("composite_alarm_arn", "aws_cloudwatch_composite_alarm.platform_health.arn", "ARN of the composite platform-health alarm.")
        .out("dashboard_arn", "aws_cloudwatch_dashboard.this.dashboard_arn", "ARN of the CloudWatch dashboard.");
    if let Some(rate) = xray {
        b = b
            .file("xray.tf", "trustchain/monitoring/xray.tf")
            .var(
                Variable::new(
                    "xray_sampling_rate",
                    "number",
                    "Fraction of requests X-Ray traces beyond the one-per-second reservoir.",
                )
                .default(Hcl::num(trim_float(rate)))
                .validate(
                    "var.xray_sampling_rate >= 0 && var.xray_sampling_rate <= 1",
                    "The sampling rate is a fraction between 0 and 1.",
                ),
            )
            .out(
                "xray_sampling_rule_arn",
                "aws_xray_sampling_rule.this.arn",
                "ARN of the X-Ray sampling rule.",
            );
    }
    b
}

/// The monitoring module's `sns_publisher_services`: the AWS services that raise the
/// platform's alerts (every monitoring module needs it; its topic policy uses it).
pub fn sns_publishers_var(publishers: &[&str]) -> Variable {
    string_list("sns_publisher_services", "AWS service principals allowed to publish to the topics (for this account only); the topic policy replaces SNS's default, which admits no service.")
        .default(Hcl::strs(publishers))
        .validate("alltrue([for s in var.sns_publisher_services : endswith(s, \".amazonaws.com\")])", "sns_publisher_services are service principals such as events.amazonaws.com.")
}

pub fn certificates_module(
    platform: &str,
    domain: &str,
    sans: &[String],
    key_algorithm: &str,
) -> ModuleView {
    let wildcard = sans.iter().any(|s| s.starts_with("*."));
    let b = ModuleBuilder::new(platform, "certificates", "Certificates", "ACM certificate validated through Route 53 DNS records, renewed automatically by ACM.")
        .prose("Requests a public ACM certificate for the domain and its alternative names, publishes the DNS validation records in the hosted zone and waits for issuance. Certificate Transparency logging stays enabled. The certificate is replaced before the old one is destroyed so listeners never lose it.")
        .provider(aws_provider(&[]))
        .file("main.tf", "shared/acm.tf")
        .var(Variable::new("domain_name", "string", "Primary domain of the certificate.").default(Hcl::str(domain)))
        .var(string_list("subject_alternative_names", "Additional names, e.g. a wildcard for every service host.").default(Hcl::strs(sans)))
        .var(Variable::new("zone_id", "string", "Route 53 hosted zone holding the validation records."))
        .var(
            Variable::new("key_algorithm", "string", "Key algorithm of the certificate.")
                .default(Hcl::str(key_algorithm))
                .validate("contains([\"RSA_2048\", \"EC_prime256v1\", \"EC_secp384r1\"], var.key_algorithm)", "key_algorithm must be RSA_2048, EC_prime256v1 or EC_secp384r1 (those ALB supports)."),
        )
        .var(tags_var())
        .out("certificate_arn", "aws_acm_certificate_validation.this.certificate_arn", "ARN of the issued certificate (known once validation succeeded).")
        .out("domain_name", "aws_acm_certificate.this.domain_name", "Primary domain of the certificate.")
        .out("validation_record_fqdns", "[for r in aws_route53_record.validation : r.fqdn]", "FQDNs of the DNS validation records.");
    if wildcard {
        b.feature("wildcard_certificate").finish()
    } else {
        b.finish()
    }
}

#[cfg(test)]
#[path = "shared_tests.rs"]
mod tests;
