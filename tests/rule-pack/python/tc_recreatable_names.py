"""CKV_TC_8: names do not collide when an environment is destroyed and created again.

AWS rule: a final snapshot outlives the database it was taken from, and its identifier is
unique per account and region. When the environment is destroyed, created again and destroyed
a second time, a fixed final_snapshot_identifier names a snapshot that already exists: RDS
refuses DeleteDBInstance / DeleteDBCluster with DBSnapshotAlreadyExists /
DBClusterSnapshotAlreadyExistsFault, and the destroy stops with the database still running.
The identifier must carry something new per incarnation (the creation time kept by
terraform_data, a random_id), not only names and inputs that repeat. Likewise a deleted Secrets
Manager secret keeps its name for its recovery window (7 to 30 days): CreateSecret with that
name fails until then, so a secret with a recovery window is named by name_prefix.
AWS documents it: Amazon RDS API reference, DeleteDBInstance (FinalDBSnapshotIdentifier,
error DBSnapshotAlreadyExists); AWS Secrets Manager API reference, DeleteSecret
(RecoveryWindowInDays).
"""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

# What makes a name new per incarnation.
UNIQUE = ("terraform_data.", "random_", "timestamp(", "plantimestamp(", "uuid(")


def _first(value):
    while isinstance(value, list) and value:
        value = value[0]
    return value


class FinalSnapshotNameRecreatable(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="Final snapshot identifiers and Secrets Manager secret names are new per incarnation (terraform_data creation time, random_id, name_prefix)",
            id="CKV_TC_8",
            categories=[CheckCategories.BACKUP_AND_RECOVERY],
            supported_resources=[
                "aws_db_instance",
                "aws_rds_cluster",
                "aws_docdb_cluster",
                "aws_neptune_cluster",
                "aws_redshift_cluster",
                "aws_elasticache_replication_group",
                "aws_elasticache_cluster",
                "aws_secretsmanager_secret",
            ],
            guideline="https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBInstance.html",
        )

    def scan_resource_conf(self, conf):
        if self.entity_type == "aws_secretsmanager_secret":
            window = _first(conf.get("recovery_window_in_days"))
            if str(window) == "0" or _first(conf.get("name")) is None:
                return CheckResult.PASSED
            if any(u in str(_first(conf.get("name"))) for u in UNIQUE):
                return CheckResult.PASSED
            self.evaluated_keys = ["name"]
            return CheckResult.FAILED
        skip = _first(conf.get("skip_final_snapshot"))
        if skip is True or str(skip).lower() == "true":
            return CheckResult.PASSED
        for key in ("final_snapshot_identifier", "final_snapshot_name"):
            name = _first(conf.get(key))
            if name is None:
                continue
            if not any(u in str(name) for u in UNIQUE):
                self.evaluated_keys = [key]
                return CheckResult.FAILED
        return CheckResult.PASSED


check = FinalSnapshotNameRecreatable()
