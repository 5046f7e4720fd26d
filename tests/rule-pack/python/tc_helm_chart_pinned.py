"""CKV_TC_10: Helm releases pin their chart to one exact version.

AWS rule: the Amazon EKS user guide installs each in-cluster controller's chart at a named
version (`helm install ... --version X.Y.Z`), and AWS publishes the controller's IAM policy
per release: the IAM role written for one release is the one that release needs. A missing
version or a range (`~> 1.2`, `>= 1`, `1.*`) lets the next plan pick a newer chart, whose
controller may call APIs the role does not allow or ship CRDs the cluster's objects do not
match. AWS documents it: Amazon EKS user guide, installing the AWS Load Balancer
Controller with Helm (the chart's version and the release's IAM policy).
"""

import re

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

EXACT = re.compile(r"^v?[0-9]+\.[0-9]+\.[0-9]+$")


def first(value):
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value


class HelmChartPinned(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="Helm releases pin their chart to one exact version (no range, wildcard or missing version)",
            id="CKV_TC_10",
            categories=[CheckCategories.SUPPLY_CHAIN],
            supported_resources=["helm_release"],
            guideline="https://docs.aws.amazon.com/eks/latest/userguide/lbc-helm.html",
        )

    def scan_resource_conf(self, conf):
        self.evaluated_keys = ["version"]
        version = first(conf.get("version"))
        if version in (None, [], ""):
            return CheckResult.FAILED
        if not isinstance(version, str):
            return CheckResult.FAILED
        if EXACT.match(version):
            return CheckResult.PASSED
        # An expression checkov could not resolve (a variable without a default, a
        # for_each value): the module's own variable validation is the guard there.
        if re.match(r"^(\$\{)?(var|local|each|module|data)\.", version):
            return CheckResult.PASSED
        return CheckResult.FAILED


check = HelmChartPinned()
