//! The schema of `trustchain_cloudhsm_cluster` and its identity schema.

use super::model::{DEFAULT_RETENTION_DAYS, MAX_SUBNETS};
use tfplugin::schema::{Attribute, Block, IdentitySchema, Schema};
use tfplugin::value::{Type, Value};

pub fn certificates_type() -> Type {
    Type::object([
        ("cluster_certificate", Type::String),
        ("hsm_certificate", Type::String),
        ("aws_hardware_certificate", Type::String),
        ("manufacturer_hardware_certificate", Type::String),
    ])
}

pub fn schema() -> Schema {
    let strings = Type::set(Type::String);
    Schema::new(
        Block::new()
            .markdown_description("An AWS CloudHSM v2 cluster: its subnets (one per Availability Zone), HSM type, FIPS or non-FIPS mode, IPv4 or dual-stack networking and backup retention. `backup_retention_days` and the `hsm_type` migration from hsm1.medium to hsm2m.medium change in place; everything else replaces the cluster. Add HSMs with `trustchain_cloudhsm_hsm` and take ownership with `trustchain_cloudhsm_cluster_initialization`.")
            .attribute(Attribute::computed("id", Type::String).use_state_for_unknown().description("The cluster id."))
            .attribute(Attribute::computed("cluster_id", Type::String).use_state_for_unknown().description("The cluster id, e.g. cluster-igklspoyj5v."))
            .attribute(Attribute::required("hsm_type", Type::String).description("hsm1.medium or hsm2m.medium. Changing hsm1.medium to hsm2m.medium migrates the HSMs in place (ModifyCluster, about 30 minutes per HSM); any other change replaces the cluster."))
            .attribute(Attribute::optional_computed("mode", Type::String).use_state_for_unknown().description("FIPS (the default) or NON_FIPS (hsm2m.medium only). A restored cluster takes its backup's mode. Changing it replaces the cluster."))
            .attribute(Attribute::optional("network_type", Type::String).default_value(Value::String("IPV4".into())).description("IPV4 or DUALSTACK (every subnet needs an IPv6 CIDR block). Changing it replaces the cluster."))
            .attribute(Attribute::required("subnet_ids", strings).description(format!("Subnets for the HSMs' network interfaces: one per Availability Zone, all in one VPC, 1 to {MAX_SUBNETS}, each with an IPv4 block. Changing them replaces the cluster.")))
            .attribute(Attribute::optional("backup_retention_days", Type::Number).default_value(Value::Number(DEFAULT_RETENTION_DAYS.into())).description("Days AWS keeps the cluster's backups, 7 to 379 (default 90). Changes in place."))
            .attribute(Attribute::optional("source_backup_id", Type::String).description("Backup id or ARN to restore the cluster from; it then starts ACTIVE with the backup's users, keys and cluster certificate. Changing it replaces the cluster."))
            .attribute(Attribute::optional("tags", Type::map(Type::String)).description("Tags for the cluster."))
            .attribute(Attribute::computed("tags_all", Type::map(Type::String)).description("tags merged over the provider's default_tags."))
            .attribute(Attribute::computed("cluster_state", Type::String).description("CREATE_IN_PROGRESS, UNINITIALIZED, INITIALIZE_IN_PROGRESS, INITIALIZED, ACTIVE, MODIFY_IN_PROGRESS, ..."))
            .attribute(Attribute::computed("state_message", Type::String).description("AWS's description of the state."))
            .attribute(Attribute::computed("vpc_id", Type::String).use_state_for_unknown().description("The VPC of the subnets."))
            .attribute(Attribute::computed("security_group_id", Type::String).use_state_for_unknown().description("The security group AWS created for the HSMs' network interfaces (cloudhsm-cluster-<id>-sg, TCP 2223-2225 within itself). Add it to your clients' instances."))
            .attribute(Attribute::computed("subnet_mapping", Type::map(Type::String)).use_state_for_unknown().description("Availability Zone -> subnet id."))
            .attribute(Attribute::computed("cluster_csr", Type::String).description("The cluster's certificate signing request (PEM): present while the cluster is UNINITIALIZED and has an ACTIVE HSM. Sign it to initialize the cluster."))
            .attribute(Attribute::computed("certificates", certificates_type()).description("cluster_certificate once initialized; hsm_certificate, aws_hardware_certificate and manufacturer_hardware_certificate until then, to verify the HSM's identity."))
            .attribute(Attribute::computed("hsm_type_rollback_expiration", Type::String).description("Until when (RFC 3339) an hsm_type migration can be rolled back."))
            .timeouts(&["create", "update", "delete"]),
    )
}

pub fn identity_schema() -> IdentitySchema {
    IdentitySchema::new()
        .optional(
            "account_id",
            Type::String,
            "AWS account that owns the cluster (default: the provider's account).",
        )
        .optional(
            "region",
            Type::String,
            "Region of the cluster (default: the provider's region).",
        )
        .required(
            "cluster_id",
            Type::String,
            "The cluster id, e.g. cluster-igklspoyj5v.",
        )
}
