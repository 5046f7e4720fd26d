"""CKV_TC_3: account-wide singletons must sit behind a create switch.

AWS rule: some resources exist once per account (and region): one GuardDuty detector, one
AWS Config configuration recorder and one delivery channel, one ECR replication
configuration (and scanning configuration, registry policy) per registry, one Cost Anomaly
Detection monitor of AWS services, one Security Hub / Macie enablement, one account-level
EBS encryption default, S3 account public access block and IAM password policy. A second
CreateDetector, PutConfigurationRecorder or PutDeliveryChannel fails or takes over the first,
so a module that always creates one breaks the second environment or platform in the
account. A switch (count / for_each, e.g. create_guardduty_detector) lets one configuration
per account own each.
AWS documents it: GuardDuty API reference, CreateDetector ("You can have only one detector per
account per Region"); AWS Config API reference, PutConfigurationRecorder and
PutDeliveryChannel; Amazon ECR API reference, PutReplicationConfiguration.
"""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

SINGLETONS = [
    "aws_config_configuration_recorder",
    "aws_config_configuration_recorder_status",
    "aws_config_delivery_channel",
    "aws_ebs_default_kms_key",
    "aws_ebs_encryption_by_default",
    "aws_ecr_registry_policy",
    "aws_ecr_registry_scanning_configuration",
    "aws_ecr_replication_configuration",
    "aws_guardduty_detector",
    "aws_iam_account_password_policy",
    "aws_macie2_account",
    "aws_s3_account_public_access_block",
    "aws_securityhub_account",
]


def _first(conf, key):
    v = conf.get(key)
    return v[0] if isinstance(v, list) and v else v


class AccountSingletonSwitch(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="Account-wide singletons (GuardDuty detector, Config recorder, ECR replication, ...) need a create switch (count/for_each)",
            id="CKV_TC_3",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=SINGLETONS + ["aws_ce_anomaly_monitor"],
            guideline="https://docs.aws.amazon.com/guardduty/latest/APIReference/API_CreateDetector.html",
        )

    def scan_resource_conf(self, conf):
        if self.entity_type == "aws_ce_anomaly_monitor" and not (
            _first(conf, "monitor_type") == "DIMENSIONAL" and _first(conf, "monitor_dimension") == "SERVICE"
        ):
            return CheckResult.PASSED
        # A count/for_each checkov could resolve shows in the address (`type.name[0]`);
        # one it could not (a caller's variable) stays in the configuration.
        address = str(conf.get("__address__", ""))
        switched = address.endswith("]") or "count" in conf or "for_each" in conf
        return CheckResult.PASSED if switched else CheckResult.FAILED


check = AccountSingletonSwitch()
