"""CKV_TC_11: identity policies grant named actions, never `*` or `service:*`.

AWS rule: IAM evaluates an Allow for `*` (or `ec2:*`, or NotAction) as every action of
every service (or of the service), including the ones added after the policy was written;
AWS's IAM best practice is least privilege: grant only the actions a task needs, as the
controllers' published policies do (the AWS Load Balancer Controller's iam_policy.json lists
each action). A wildcard in a role an in-cluster controller assumes hands the whole
service to every pod that can use that service account. AWS documents it: IAM user guide,
security best practices, apply least-privilege permissions.
"""

import json

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


def policy_document(value):
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, dict) else None


def wildcard(action):
    return isinstance(action, str) and (action.strip() == "*" or action.strip().endswith(":*"))


class NoWildcardActions(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="IAM identity policies grant named actions, never * or service:* (nor Allow with NotAction)",
            id="CKV_TC_11",
            categories=[CheckCategories.IAM],
            supported_resources=["aws_iam_role_policy", "aws_iam_policy", "aws_iam_user_policy", "aws_iam_group_policy"],
            guideline="https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
        )

    def scan_resource_conf(self, conf):
        self.evaluated_keys = ["policy"]
        doc = policy_document(conf.get("policy"))
        if doc is None:
            # data.aws_iam_policy_document or an expression checkov did not resolve.
            return CheckResult.PASSED
        statements = doc.get("Statement", [])
        if isinstance(statements, dict):
            statements = [statements]
        for s in statements:
            if not isinstance(s, dict) or s.get("Effect", "Allow") != "Allow":
                continue
            if "NotAction" in s:
                return CheckResult.FAILED
            actions = s.get("Action", [])
            actions = [actions] if isinstance(actions, str) else actions
            if any(wildcard(a) for a in actions or []):
                return CheckResult.FAILED
        return CheckResult.PASSED


check = NoWildcardActions()
