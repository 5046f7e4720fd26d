"""CKV_TC_5: lifecycle rules keep data the platform reads readable.

AWS rule: objects in S3 Glacier Flexible Retrieval (GLACIER) or S3 Glacier Deep Archive
(DEEP_ARCHIVE) cannot be read: GetObject answers InvalidObjectState (403) until the object is
restored, which takes minutes to hours. A lifecycle rule that moves the data an application,
CloudFront or a replica reader still reads into those classes breaks it silently months after
the apply; S3 Glacier Instant Retrieval (GLACIER_IR) and the IA classes stay readable. This pack
asks archive-only rules to say so: their rule id starts with "archive".
AWS documents it: Amazon S3 user guide, restoring an archived object ("you must first initiate
a restore request ... before you can access it").
"""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

ARCHIVE_CLASSES = ("GLACIER", "DEEP_ARCHIVE")


def _flat(value):
    out = []
    for v in value if isinstance(value, list) else [value]:
        out.extend(_flat(v) if isinstance(v, list) else [v])
    return out


def _blocks(rule, name):
    """Static blocks and the content of `dynamic "<name>"` blocks of a lifecycle rule."""
    out = [b for b in rule.get(name) or [] if isinstance(b, dict)]
    for d in rule.get("dynamic") or []:
        if isinstance(d, dict) and isinstance(d.get(name), dict):
            out.extend(b for b in d[name].get("content") or [] if isinstance(b, dict))
    return out


class LifecycleKeepsDataReadable(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="S3 lifecycle rules move objects to GLACIER/DEEP_ARCHIVE (unreadable until restored) only in archive rules (id \"archive*\")",
            id="CKV_TC_5",
            categories=[CheckCategories.BACKUP_AND_RECOVERY],
            supported_resources=["aws_s3_bucket_lifecycle_configuration"],
            guideline="https://docs.aws.amazon.com/AmazonS3/latest/userguide/restoring-objects.html",
        )

    def scan_resource_conf(self, conf):
        for rule in conf.get("rule") or []:
            if not isinstance(rule, dict):
                continue
            rule_id = str(next(iter(_flat(rule.get("id"))), ""))
            if rule_id.startswith("archive"):
                continue
            classes = [
                c
                for name in ("transition", "noncurrent_version_transition")
                for block in _blocks(rule, name)
                for c in _flat(block.get("storage_class"))
            ]
            if any(c in ARCHIVE_CLASSES for c in classes):
                self.evaluated_keys = ["rule"]
                return CheckResult.FAILED
        return CheckResult.PASSED


check = LifecycleKeepsDataReadable()
