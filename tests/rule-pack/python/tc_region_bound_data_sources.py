"""CKV_TC_17: data sources that only know some regions are read only there.

AWS rule: Elastic Load Balancing delivers access logs from a regional AWS account only in the
Regions opened before August 2022; in the Regions opened since, the bucket policy grants the
log delivery service principal (logdelivery.elasticloadbalancing.amazonaws.com) instead, and
there is no ELB account. The aws_elb_service_account data source (like
aws_redshift_service_account for Redshift audit logging) holds the table of the older
Regions and fails the plan with "Unknown region" anywhere else, so a module that reads it
unconditionally cannot be planned in eu-central-2, me-central-1, il-central-1 and every newer
Region. Such a data source is read through count/for_each (only in the Regions it knows),
with the service-principal statement granted everywhere.
AWS documents it: Elastic Load Balancing user guide, Enable access logs for your Application
Load Balancer (Step 2: attach a policy to your S3 bucket, Regions available before and after
August 2022).
"""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.data.base_check import BaseDataCheck


class RegionBoundDataSources(BaseDataCheck):
    def __init__(self):
        super().__init__(
            name="aws_elb_service_account / aws_redshift_service_account are read only in the Regions that have the account (count/for_each): elsewhere the plan fails with Unknown region",
            id="CKV_TC_17",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_data=["aws_elb_service_account", "aws_redshift_service_account"],
            guideline="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html",
        )

    def scan_data_conf(self, conf):
        # A count/for_each checkov could resolve shows in the address (`name[0]`); one it could
        # not stays in the configuration.
        address = str(conf.get("__address__", ""))
        if address.endswith("]") or "count" in conf or "for_each" in conf:
            return CheckResult.PASSED
        self.evaluated_keys = ["count"]
        return CheckResult.FAILED


check = RegionBoundDataSources()
