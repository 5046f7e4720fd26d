"""CKV_TC_19: trust and resource policies that let an AWS service act for this account carry the source condition the service documents.

AWS rule: a role trust policy or a bucket policy that names an AWS service principal lets that
service act for any account that asks it to (the cross-service confused deputy) unless a
condition ties the request to this account or resource. Where the service documents that it
sends aws:SourceAccount / aws:SourceArn with the request, the grant carries one of them (or
aws:SourceOrgID / aws:SourceOrgPaths). Only the services and actions below, whose pages say so,
are checked: a condition on a key the service does not send denies every request, so a service
missing from the table is not required to have one (S3 replication, EKS and the EC2 instance
role document plain trust policies; KMS key and SNS topic grants are CKV_TC_2).

AWS documents it, per service:
- vpc-flow-logs.amazonaws.com, sts:AssumeRole: Amazon VPC User Guide, IAM role for publishing
  flow logs to CloudWatch Logs ("We recommend that you use the aws:SourceAccount and
  aws:SourceArn condition keys to protect yourself against the confused deputy problem").
- config.amazonaws.com, sts:AssumeRole and S3: AWS Config Developer Guide, Permissions for the
  IAM Role Assigned to AWS Config (trust policy with AWS:SourceAccount; AWS:SourceArn is
  arn:aws:config:sourceRegion:sourceAccountID:*) and Permissions for the Amazon S3 Bucket.
- cloudtrail.amazonaws.com, S3: AWS CloudTrail User Guide, Amazon S3 bucket policy for
  CloudTrail (aws:SourceArn of the trail).
- logging.s3.amazonaws.com, S3: Amazon S3 User Guide, Enabling Amazon S3 server access logging
  (aws:SourceAccount and aws:SourceArn of the source bucket in the bucket policy).
- delivery.logs.amazonaws.com, S3 and CloudWatch Logs: Amazon CloudWatch Logs User Guide,
  Enabling logging from AWS services (aws:SourceAccount and aws:SourceArn).
- cloudfront.amazonaws.com, S3: Amazon CloudFront Developer Guide, Restrict access to an Amazon
  S3 origin (origin access control: AWS:SourceArn of the distribution).
"""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.data.base_check import BaseDataCheck

SOURCE_KEYS = ("aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths")

# Service principal -> action prefixes (lowercase) for which the service documents that its
# requests carry aws:SourceAccount / aws:SourceArn.
DOCUMENTED = {
    "vpc-flow-logs.amazonaws.com": ("sts:assumerole",),
    "config.amazonaws.com": ("sts:assumerole", "s3:"),
    "cloudtrail.amazonaws.com": ("s3:",),
    "logging.s3.amazonaws.com": ("s3:",),
    "delivery.logs.amazonaws.com": ("s3:", "logs:"),
    "cloudfront.amazonaws.com": ("s3:",),
}


def _flat(value):
    """checkov wraps attribute values in lists; nested lists come from HCL lists."""
    out = []
    for v in value if isinstance(value, list) else [value]:
        out.extend(_flat(v) if isinstance(v, list) else [v])
    return out


def _statements(conf):
    """Static statements and the content of `dynamic "statement"` blocks (left unexpanded)."""
    out = list(conf.get("statement") or [])
    for block in conf.get("dynamic") or []:
        if isinstance(block, dict) and isinstance(block.get("statement"), dict):
            out.extend(block["statement"].get("content") or [])
    return out


def _documented_grant(statement):
    """The statement lets a service in DOCUMENTED do an action that service sends the keys with."""
    services = [
        str(s).lower()
        for p in statement.get("principals") or []
        if isinstance(p, dict) and "Service" in _flat(p.get("type"))
        for s in _flat(p.get("identifiers"))
    ]
    actions = [str(a).lower() for a in _flat(statement.get("actions")) if isinstance(a, str)]
    for service in services:
        prefixes = DOCUMENTED.get(service, ())
        if any(a == p or (p.endswith(":") and a.startswith(p)) or a == "*" for a in actions for p in prefixes):
            return True
    return False


class ServiceGrantSourceCondition(BaseDataCheck):
    def __init__(self):
        super().__init__(
            name="Trust and resource policies granting an AWS service that sends aws:SourceAccount/aws:SourceArn carry that condition",
            id="CKV_TC_19",
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
            if not _documented_grant(statement):
                continue
            variables = [
                str(v).lower()
                for c in statement.get("condition") or []
                if isinstance(c, dict)
                for v in _flat(c.get("variable"))
            ]
            if not any(v in SOURCE_KEYS for v in variables):
                self.evaluated_keys = ["statement"]
                return CheckResult.FAILED
        return CheckResult.PASSED


check = ServiceGrantSourceCondition()
