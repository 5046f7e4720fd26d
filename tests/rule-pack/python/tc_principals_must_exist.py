"""CKV_TC_6: principals named in a policy exist when the policy is created.

AWS rule: a key policy, bucket or topic policy, or role trust policy whose Principal names an IAM
role or user that does not exist yet is refused when it is created (KMS CreateKey and
PutKeyPolicy: MalformedPolicyDocumentException, "the principals in the key policy must exist and
be visible to KMS"; IAM CreateRole: "Invalid principal in policy"). A service-linked role such as
AWSServiceRoleForAutoScaling exists only once its service created it, so a fresh account does not
have it. A role ARN in a Principal must therefore come from a role this configuration creates
(aws_iam_role / aws_iam_service_linked_role ... .arn); a role that may not exist yet is named in
a condition (aws:PrincipalArn), which requires nothing to exist and still matches the role when it
is deleted and created again.
AWS documents it: AWS KMS API reference, CreateKey (Policy: "The principals in the key policy must
exist and be visible to KMS"); IAM user guide, AWS JSON policy elements: Principal (IAM roles).
"""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.data.base_check import BaseDataCheck
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

# What names an identity that must exist: a role or user ARN, a service-linked role's path.
NAMED = (":role/", ":user/", "aws-service-role/")
# A reference to an identity this configuration creates: it exists before the policy does.
CREATED = ("aws_iam_role.", "aws_iam_service_linked_role.", "aws_iam_user.")


def _flat(value):
    """checkov wraps attribute values in lists; nested lists come from HCL lists."""
    out = []
    for v in value if isinstance(value, list) else [value]:
        out.extend(_flat(v) if isinstance(v, list) else [v])
    return out


def _must_exist(identifier):
    text = str(identifier)
    return any(n in text for n in NAMED) and not any(c in text for c in CREATED)


def _statements(conf):
    """Static statements and the content of `dynamic "statement"` blocks (left unexpanded)."""
    out = list(conf.get("statement") or [])
    for block in conf.get("dynamic") or []:
        if isinstance(block, dict) and isinstance(block.get("statement"), dict):
            out.extend(block["statement"].get("content") or [])
    return out


class PolicyDocumentPrincipalsExist(BaseDataCheck):
    def __init__(self):
        super().__init__(
            name="IAM roles and service-linked roles named as principals must be created by this configuration (or named in an aws:PrincipalArn condition)",
            id="CKV_TC_6",
            categories=[CheckCategories.IAM],
            supported_data=["aws_iam_policy_document"],
            guideline="https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html",
        )

    def scan_data_conf(self, conf):
        for statement in _statements(conf):
            if not isinstance(statement, dict):
                continue
            for key in ("principals", "not_principals"):
                for p in statement.get(key) or []:
                    if not isinstance(p, dict) or "AWS" not in _flat(p.get("type")):
                        continue
                    if any(_must_exist(i) for i in _flat(p.get("identifiers"))):
                        self.evaluated_keys = ["statement"]
                        return CheckResult.FAILED
        return CheckResult.PASSED


def _json_principals(policy):
    """AWS principals of a policy given as JSON (jsonencode, which checkov parses)."""
    out = []
    for doc in _flat(policy):
        if not isinstance(doc, dict):
            continue
        for s in _flat(doc.get("Statement")):
            if not isinstance(s, dict):
                continue
            for key in ("Principal", "NotPrincipal"):
                p = s.get(key)
                if isinstance(p, dict):
                    out.extend(_flat(p.get("AWS")))
    return out


class JsonPolicyPrincipalsExist(BaseResourceCheck):
    """The same rule for policies written inline as JSON."""

    ATTRIBUTES = {
        "aws_kms_key": "policy",
        "aws_kms_replica_key": "policy",
        "aws_s3_bucket_policy": "policy",
        "aws_sns_topic_policy": "policy",
        "aws_sqs_queue_policy": "policy",
        "aws_iam_role": "assume_role_policy",
    }

    def __init__(self):
        super().__init__(
            name="IAM roles and service-linked roles named as principals must be created by this configuration (or named in an aws:PrincipalArn condition)",
            id="CKV_TC_6",
            categories=[CheckCategories.IAM],
            supported_resources=list(self.ATTRIBUTES),
            guideline="https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html",
        )

    def scan_resource_conf(self, conf):
        key = self.ATTRIBUTES.get(self.entity_type)
        if key and any(_must_exist(i) for i in _json_principals(conf.get(key))):
            self.evaluated_keys = [key]
            return CheckResult.FAILED
        return CheckResult.PASSED


check = PolicyDocumentPrincipalsExist()
json_check = JsonPolicyPrincipalsExist()
