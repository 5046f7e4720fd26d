"""CKV_TC_17: data sources that only know some regions are read only there.

AWS rule: Elastic Load Balancing delivers access logs from a regional AWS account only in the
Regions opened before August 2022 (and the China Regions); in the Regions opened since, the
bucket policy grants the log delivery service principal
(logdelivery.elasticloadbalancing.amazonaws.com) instead, and there is no ELB account. The
aws_elb_service_account data source holds the table of those Regions and fails the plan
("unsupported AWS Region") anywhere else, so a module that reads it unconditionally cannot be
planned in eu-central-2, me-central-1, il-central-1 and every newer Region. Such a data source
is read through count/for_each, only in the Regions of tests/rule-pack/elb_accounts.csv (every
row checked against the AWS pages cited there), with the service-principal statement granted
everywhere: a Region code in its count/for_each or region that the table lacks fails. Amazon
Redshift delivers audit logs with service-principal credentials (redshift.amazonaws.com, or
redshift.<region>.amazonaws.com in opt-in Regions) and documents no per-Region account any
more: aws_redshift_service_account (deprecated in hashicorp/aws) is not read at all.
AWS documents it: Elastic Load Balancing user guide, Enable access logs for your Application
Load Balancer (Step 2: attach a policy to your S3 bucket, Regions available before August
2022); Getting Started with Amazon Web Services in China, Elastic Load Balancing; Amazon
Redshift management guide, Bucket permissions for Amazon Redshift audit logging.
"""

import csv
import os
import re

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.data.base_check import BaseDataCheck

TABLE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "elb_accounts.csv")

# A Region code: us-east-1, us-gov-west-1, cn-northwest-1, ap-southeast-3, ...
REGION = re.compile(r"\b[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d+\b")


def _elb_regions():
    with open(TABLE, encoding="utf-8") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        return {row["region"] for row in rows}


def _text(v):
    return " ".join(_text(x) for x in v) if isinstance(v, (list, tuple)) else str(v)


class RegionBoundDataSources(BaseDataCheck):
    def __init__(self):
        super().__init__(
            name="aws_elb_service_account is read only in the Regions that have the account (count/for_each over tests/rule-pack/elb_accounts.csv): elsewhere the plan fails; aws_redshift_service_account not at all (Redshift delivers with its service principal)",
            id="CKV_TC_17",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_data=["aws_elb_service_account", "aws_redshift_service_account"],
            guideline="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html",
        )

    def scan_data_conf(self, conf):
        if self.entity_type == "aws_redshift_service_account":
            self.details.append(
                "Redshift delivers audit logs with service-principal credentials: grant "
                "redshift.amazonaws.com (redshift.<region>.amazonaws.com in opt-in Regions) "
                "in the bucket policy instead of reading aws_redshift_service_account"
            )
            self.evaluated_keys = ["region"]
            return CheckResult.FAILED
        # The Regions the configuration reads the account in: those named in its count,
        # for_each (checkov inlines locals there) or region argument.
        named = set()
        for key in ("count", "for_each", "region"):
            if key in conf:
                named.update(REGION.findall(_text(conf[key])))
        unknown = sorted(named - _elb_regions())
        if unknown:
            self.details.append(
                "Regions without an Elastic Load Balancing account (not in "
                "tests/rule-pack/elb_accounts.csv): " + ", ".join(unknown)
            )
            self.evaluated_keys = [k for k in ("count", "for_each", "region") if k in conf]
            return CheckResult.FAILED
        # A count/for_each checkov could resolve shows in the address (`name[0]`); one it could
        # not stays in the configuration.
        address = str(conf.get("__address__", ""))
        if address.endswith("]") or "count" in conf or "for_each" in conf:
            return CheckResult.PASSED
        self.details.append(
            "read in every Region: read it through count/for_each over the Regions of "
            "tests/rule-pack/elb_accounts.csv"
        )
        self.evaluated_keys = ["count"]
        return CheckResult.FAILED


check = RegionBoundDataSources()
