"""CKV_TC_14: AWS features that exclude each other are never turned on together.

AWS rule: some pairs of settings are each valid and refused together. RDS does not manage the
master user password in Secrets Manager (manage_master_user_password) for "Creating a read
replica when the source DB or DB cluster manages credentials with Secrets Manager" (all engines
but SQL Server) nor for "Amazon RDS Blue/Green Deployments"; Aurora not for "DB clusters that
are part of an Aurora global database" nor "Cross-Region read replicas". An instance or cluster
that is (or can be, through a variable) a replica, a global-database member or blue/green
updated must therefore not have RDS manage its password, even conditionally: a module whose
instance is a replica in one call is the replica's source in another (the standby region), and
RDS refuses CreateDBInstanceReadReplica there. (A source and its replica in one configuration:
CKV2_TC_10.) AWS KMS creates "only symmetric encryption KMS keys in a custom key store" and
refuses automatic rotation ("You cannot enable automatic rotation of ... KMS keys in a custom
key store") and multi-Region keys there: a key with custom_key_store_id needs
SYMMETRIC_DEFAULT, enable_key_rotation false and multi_region false.
AWS documents it: Amazon RDS user guide, Limitations for Secrets Manager integration with
Amazon RDS; Amazon Aurora user guide, Limitations for Secrets Manager integration with Amazon
Aurora; AWS KMS developer guide, Key type reference (special features table) and
EnableKeyRotation.
"""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

# Per resource type: the argument that turns the Secrets Manager integration on, and the
# arguments (or nested block.argument) of the features RDS does not support with it.
MANAGED_PASSWORD_EXCLUDES = {
    "aws_db_instance": ["replicate_source_db", "blue_green_update.enabled"],
    "aws_rds_cluster": ["replication_source_identifier", "global_cluster_identifier"],
}


def _value(conf, path):
    """The value at `key` or `block.key` (first element of checkov's lists), None when unset."""
    node = conf
    for key in path.split("."):
        if not isinstance(node, dict):
            return None
        v = node.get(key)
        while isinstance(v, list) and v:
            v = v[0]
        node = v
    return node


def _present(conf, path):
    """Whether the configuration names `key` or `block.key` at all, whatever its value: checkov
    renders a conditional on a variable with its default (`var.source == null ? ... : null`
    becomes null), while another call of the module sets it."""
    node = conf
    for key in path.split(".")[:-1]:
        v = node.get(key) if isinstance(node, dict) else None
        while isinstance(v, list) and v:
            v = v[0]
        node = v
    return isinstance(node, dict) and path.split(".")[-1] in node


def _maybe_on(v):
    """Whether a value can be true/set: literal true, or an expression checkov could not
    resolve (a variable or a conditional can be true in some call)."""
    if v is None or v is False or v in ("", [], {}):
        return False
    if isinstance(v, str):
        s = v.strip()
        return s.lower() not in ("false", "null", "none", "")
    return True


class ExclusiveFeatures(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="Features AWS refuses together: RDS-managed master passwords with replicas, global databases or blue/green; KMS custom key store keys with rotation, multi-Region or asymmetric specs",
            id="CKV_TC_14",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=list(MANAGED_PASSWORD_EXCLUDES) + ["aws_kms_key"],
            guideline="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html#rds-secrets-manager-limitations",
        )

    def scan_resource_conf(self, conf):
        if self.entity_type == "aws_kms_key":
            if not _present(conf, "custom_key_store_id"):
                return CheckResult.PASSED
            spec = _value(conf, "customer_master_key_spec")
            bad = [
                k
                for k in ("enable_key_rotation", "multi_region")
                if _maybe_on(_value(conf, k))
            ]
            if spec not in (None, "SYMMETRIC_DEFAULT"):
                bad.append("customer_master_key_spec")
            if bad:
                self.evaluated_keys = ["custom_key_store_id"] + bad
                return CheckResult.FAILED
            return CheckResult.PASSED
        # Named and not literally false: on in at least one call of the module.
        if not _present(conf, "manage_master_user_password") or _value(conf, "manage_master_user_password") is False:
            return CheckResult.PASSED
        bad = [
            p
            for p in MANAGED_PASSWORD_EXCLUDES[self.entity_type]
            if _present(conf, p) and _value(conf, p) is not False
        ]
        if bad:
            self.evaluated_keys = ["manage_master_user_password"] + [p.replace(".", "/[0]/") for p in bad]
            return CheckResult.FAILED
        return CheckResult.PASSED


check = ExclusiveFeatures()
