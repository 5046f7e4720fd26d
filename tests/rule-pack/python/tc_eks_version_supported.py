"""CKV_TC_18: EKS clusters run a Kubernetes version EKS offers, under standard support.

AWS rule: EKS creates clusters only on the Kubernetes minor versions it offers
(DescribeClusterVersions); a version under standard support for 14 months after its EKS release,
then under extended support for 12 more "at an additional cost per cluster hour" (six times the
standard cluster price), and after that clusters are upgraded automatically. A module whose
default version has left standard support creates every new cluster in extended support, and a
version EKS never released (or retired) makes CreateCluster fail. The versions the pack knows are
in tests/rule-pack/eks_versions.csv with their dates; a version missing from it, or whose end of
standard support is past (today, UTC), fails. When a row's date passes, this policy fails the
modules still defaulting to that version (and this policy's fixed fixture): move the default and
the fixture to a version under standard support.
AWS documents it: Amazon EKS user guide, "Understand the Kubernetes version lifecycle on EKS"
(release calendar).
"""

import csv
import datetime
import os

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

TABLE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "eks_versions.csv")


def versions():
    """version -> end of standard support (date), from eks_versions.csv."""
    with open(TABLE, newline="") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        return {r["version"]: datetime.date.fromisoformat(r["end_of_standard_support"]) for r in rows}


def _first(value):
    while isinstance(value, list) and value:
        value = value[0]
    return value


class EksVersionSupported(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="EKS clusters run a Kubernetes version EKS offers under standard support (tests/rule-pack/eks_versions.csv)",
            id="CKV_TC_18",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_eks_cluster"],
            guideline="https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html",
        )

    def scan_resource_conf(self, conf):
        version = _first(conf.get("version"))
        self.evaluated_keys = ["version"]
        if version is None:
            # No version: EKS picks its current default, which is under standard support.
            return CheckResult.PASSED
        version = str(version)
        if "${" in version or "var." in version:
            return CheckResult.UNKNOWN
        end = versions().get(version)
        if end is None:
            return CheckResult.FAILED
        if end < datetime.datetime.now(datetime.timezone.utc).date():
            return CheckResult.FAILED
        return CheckResult.PASSED


check = EksVersionSupported()
