"""CKV_TC_1: secrets go through write-only arguments, not into the state.

AWS rule: an ElastiCache AUTH token, a database master password or a secret value is a
credential; AWS asks that it be kept secret and rotated. Terraform stores ordinary arguments
in plan and state in plain text, so hashicorp/aws 6.x (with Terraform >= 1.11) offers
write-only twins (auth_token_wo, password_wo, secret_string_wo, value_wo, ...) that reach AWS
but never the state; RDS can also keep the password itself (manage_master_user_password).
AWS documents it: Amazon ElastiCache user guide, authenticating with the Valkey and Redis
OSS AUTH command (the token is a password: keep it secret, rotate it).
"""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

# Resource type -> the arguments that would land in state, each with its write-only twin.
IN_STATE = {
    "aws_acm_certificate": ["private_key"],
    "aws_db_instance": ["password"],
    "aws_docdb_cluster": ["master_password"],
    "aws_elasticache_replication_group": ["auth_token"],
    "aws_elasticache_user": ["passwords"],
    "aws_rds_cluster": ["master_password"],
    "aws_redshift_cluster": ["master_password"],
    "aws_secretsmanager_secret_version": ["secret_string", "secret_binary"],
}


class SecretInState(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="Secrets (AUTH tokens, master passwords, secret values) must use the write-only *_wo arguments, not land in state",
            id="CKV_TC_1",
            categories=[CheckCategories.SECRETS],
            supported_resources=sorted(IN_STATE) + ["aws_ssm_parameter"],
            guideline="https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth.html",
        )

    def scan_resource_conf(self, conf):
        keys = IN_STATE.get(self.entity_type, [])
        if self.entity_type == "aws_ssm_parameter":
            kind = conf.get("type")
            kind = kind[0] if isinstance(kind, list) and kind else kind
            keys = ["value"] if kind == "SecureString" else []
        found = [k for k in keys if conf.get(k) not in (None, [None], [])]
        if found:
            self.evaluated_keys = found
            return CheckResult.FAILED
        return CheckResult.PASSED


check = SecretInState()
