"""CKV_TC_2: grants to AWS service principals carry a source condition.

AWS rule: a key policy or topic policy statement that lets an AWS service principal use a KMS
key or publish to an SNS topic lets that service act for any account that asks it to (the
confused deputy), unless a condition ties the request to this account or resource:
aws:SourceAccount, aws:SourceArn, aws:SourceOrgID / aws:SourceOrgPaths, or for KMS the
encryption context (kms:EncryptionContext:*) or kms:ViaService.
AWS documents it: IAM user guide, the confused deputy problem (cross-service confused deputy
prevention with aws:SourceArn and aws:SourceAccount).
"""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.data.base_check import BaseDataCheck

SOURCE_KEYS = ("aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths", "kms:viaservice")


def _flat(value):
    """checkov wraps attribute values in lists; nested lists come from HCL lists."""
    out = []
    for v in value if isinstance(value, list) else [value]:
        out.extend(_flat(v) if isinstance(v, list) else [v])
    return out


def _guarded_actions(actions):
    return [a for a in actions if isinstance(a, str) and (a.lower().startswith("kms:") or a.lower() in ("sns:publish", "sns:*"))]


def _statements(conf):
    """Static statements and the content of `dynamic "statement"` blocks (left unexpanded)."""
    out = list(conf.get("statement") or [])
    for block in conf.get("dynamic") or []:
        if isinstance(block, dict) and isinstance(block.get("statement"), dict):
            out.extend(block["statement"].get("content") or [])
    return out


class ServicePrincipalSourceCondition(BaseDataCheck):
    def __init__(self):
        super().__init__(
            name="KMS and SNS grants to AWS service principals need aws:SourceAccount/aws:SourceArn (or a KMS encryption context) condition",
            id="CKV_TC_2",
            categories=[CheckCategories.IAM],
            supported_data=["aws_iam_policy_document"],
            guideline="https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html",
        )

    def scan_data_conf(self, conf):
        for statement in _statements(conf):
            if not isinstance(statement, dict):
                continue
            if "deny" in [str(e).lower() for e in _flat(statement.get("effect", ["Allow"]))]:
                continue
            services = [
                p
                for p in statement.get("principals") or []
                if isinstance(p, dict) and "Service" in _flat(p.get("type"))
            ]
            if not services or not _guarded_actions(_flat(statement.get("actions"))):
                continue
            variables = [
                str(v).lower()
                for c in statement.get("condition") or []
                if isinstance(c, dict)
                for v in _flat(c.get("variable"))
            ]
            if not any(v in SOURCE_KEYS or v.startswith("kms:encryptioncontext:") for v in variables):
                self.evaluated_keys = ["statement"]
                return CheckResult.FAILED
        return CheckResult.PASSED


check = ServicePrincipalSourceCondition()
