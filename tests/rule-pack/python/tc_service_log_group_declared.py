"""CKV_TC_20: a service that writes to a log group it would create itself finds it declared and created first.

AWS rule: with logging on, EKS writes control-plane logs to /aws/eks/<cluster>/cluster, RDS
exports each log type to /aws/rds/instance/<instance>/<type> (/aws/rds/cluster/<cluster>/<type>
for clusters) and Lambda writes to /aws/lambda/<function>. When the group does not exist the
service creates it: unencrypted, with no retention ("never expire"), and outside the
configuration, so destroying the environment leaves it behind, and creating the environment
again then fails where the configuration declares that group (CreateLogGroup:
ResourceAlreadyExistsException). The configuration declares the group with that exact name and
the service resource depends on it (depends_on, or for Lambda logging_config.log_group): Terraform
then creates the group before the service can write and destroys it after the service stops.
AWS documents it: Amazon EKS User Guide, Send control plane logs to CloudWatch Logs (one log group
per cluster, /aws/eks/<cluster>/cluster); Amazon RDS User Guide, Publishing database logs to
Amazon CloudWatch Logs (/aws/rds/instance/<instance>/<log type>); AWS Lambda Developer Guide,
Sending Lambda function logs to CloudWatch Logs (/aws/lambda/<function name>).
Reach: that the dependency names a log group, not that the group's name matches (the templates
build both from the same name).
"""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

# Resource type -> the argument that turns on logs the service writes to a group of its own.
LOGGING = {
    "aws_eks_cluster": "enabled_cluster_log_types",
    "aws_db_instance": "enabled_cloudwatch_logs_exports",
    "aws_rds_cluster": "enabled_cloudwatch_logs_exports",
    "aws_docdb_cluster": "enabled_cloudwatch_logs_exports",
    "aws_neptune_cluster": "enabled_cloudwatch_logs_exports",
}


def _flat(value):
    out = []
    for v in value if isinstance(value, list) else [value]:
        out.extend(_flat(v) if isinstance(v, list) else [v])
    return out


def _logging_on(value):
    """A non-empty list (or an expression checkov left unresolved) turns logging on."""
    items = [v for v in _flat(value) if v not in (None, "", [])]
    return bool(items)


def _depends_on_log_group(conf):
    return any("aws_cloudwatch_log_group." in str(d) for d in _flat(conf.get("depends_on") or []))


class ServiceLogGroupDeclared(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="EKS, RDS and Lambda log groups the service would create are declared and created first (depends_on)",
            id="CKV_TC_20",
            categories=[CheckCategories.LOGGING],
            supported_resources=[*LOGGING, "aws_lambda_function"],
            guideline="https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html",
        )

    def scan_resource_conf(self, conf):
        if self.entity_type == "aws_lambda_function":
            for block in conf.get("logging_config") or []:
                if isinstance(block, dict) and _flat(block.get("log_group")) not in ([], [None], [""]):
                    return CheckResult.PASSED
        elif not _logging_on(conf.get(LOGGING[self.entity_type])):
            return CheckResult.PASSED
        if _depends_on_log_group(conf):
            return CheckResult.PASSED
        self.evaluated_keys = ["depends_on"]
        return CheckResult.FAILED


check = ServiceLogGroupDeclared()
