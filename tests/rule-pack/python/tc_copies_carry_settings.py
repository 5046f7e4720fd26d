"""CKV_TC_9: cross-region copies carry the settings of what they copy.

AWS rule: a copy in another region gets only the settings its copy rule names, not those of
the source. S3 replication does not replicate objects encrypted with SSE-KMS unless the rule
opts in (source_selection_criteria.sse_kms_encrypted_objects) and names a key in the
destination region (replica_kms_key_id); without the key the replicas are not encrypted with a
customer-managed key. An AWS Backup copy action without its own lifecycle keeps the copies
forever (or not as long as the source): the retention of the source rule does not apply to the
copy. ECR replication copies images, not repository settings: an image lands in the destination
repository of the same name, and a repository ECR creates itself for it gets the default
settings (AES256 encryption, mutable tags, no scan on push, no lifecycle policy) unless a
repository creation template applies; so every replication rule names a repository_filter
(the prefix of the repositories the configuration creates, with their settings, in the
destination region) instead of copying every repository of the registry. A KMS replica key
shares key material with its primary but not the key policy: ReplicateKey without a policy
attaches the default key policy, which admits no AWS service (CloudWatch Logs, AWS Backup, ...)
in the destination region, so aws_kms_replica_key sets its policy.
AWS documents it: Amazon S3 user guide, Replicating objects created with server-side encryption
(SSE-KMS); AWS Backup developer guide, Creating backup copies across AWS Regions (the copy's
lifecycle is set on the copy action); Amazon ECR user guide, Private image replication and
Templates to control repositories created during a pull through cache, create on push, or
replication action; AWS KMS API reference, ReplicateKey (Policy).
"""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


def _blocks(conf, key):
    """Nested blocks (static and the content of dynamic blocks, left unexpanded)."""
    out = [b for b in conf.get(key) or [] if isinstance(b, dict)]
    for d in conf.get("dynamic") or []:
        if isinstance(d, dict) and isinstance(d.get(key), dict):
            out.extend(c for c in d[key].get("content") or [] if isinstance(c, dict))
    return out


def _set(value):
    while isinstance(value, list) and value:
        value = value[0]
    return value not in (None, "", [], {})


def _enabled(block, *path):
    for key in path[:-1]:
        inner = _blocks(block, key)
        if not inner:
            return False
        block = inner[0]
    v = block.get(path[-1])
    while isinstance(v, list) and v:
        v = v[0]
    return str(v) == "Enabled"


class CopiesCarrySettings(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="Cross-region copies carry encryption and retention: S3 replication of SSE-KMS objects with a replica key, AWS Backup copy actions with their own lifecycle, ECR replication only into pre-created repositories (repository_filter), KMS replica keys with their own policy",
            id="CKV_TC_9",
            categories=[CheckCategories.BACKUP_AND_RECOVERY],
            supported_resources=[
                "aws_s3_bucket_replication_configuration",
                "aws_backup_plan",
                "aws_ecr_replication_configuration",
                "aws_kms_replica_key",
            ],
            guideline="https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html",
        )

    def scan_resource_conf(self, conf):
        if self.entity_type == "aws_kms_replica_key":
            if not _set(conf.get("policy")):
                self.evaluated_keys = ["policy"]
                return CheckResult.FAILED
            return CheckResult.PASSED
        if self.entity_type == "aws_ecr_replication_configuration":
            for config in _blocks(conf, "replication_configuration"):
                for rule in _blocks(config, "rule"):
                    filters = [f for f in _blocks(rule, "repository_filter") if _set(f.get("filter"))]
                    if not filters:
                        self.evaluated_keys = ["replication_configuration/[0]/rule"]
                        return CheckResult.FAILED
            return CheckResult.PASSED
        if self.entity_type == "aws_s3_bucket_replication_configuration":
            for rule in _blocks(conf, "rule"):
                keys = [
                    e.get("replica_kms_key_id")
                    for d in _blocks(rule, "destination")
                    for e in _blocks(d, "encryption_configuration")
                ]
                if not _enabled(rule, "source_selection_criteria", "sse_kms_encrypted_objects", "status") or not any(_set(k) for k in keys):
                    self.evaluated_keys = ["rule"]
                    return CheckResult.FAILED
            return CheckResult.PASSED
        for rule in _blocks(conf, "rule"):
            for copy in _blocks(rule, "copy_action"):
                if not any(_set(l.get("delete_after")) for l in _blocks(copy, "lifecycle")):
                    self.evaluated_keys = ["rule"]
                    return CheckResult.FAILED
        return CheckResult.PASSED


check = CopiesCarrySettings()
