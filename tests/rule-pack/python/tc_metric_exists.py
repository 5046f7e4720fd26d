"""CKV_TC_7: CloudWatch alarms name metrics AWS publishes, under dimensions it publishes.

AWS rule: CloudWatch treats every combination of namespace, metric name and dimensions as a
separate metric; an alarm matches a metric only when all of them are equal. An alarm on an
AWS/ namespace with a metric name the service does not publish, or with a dimension set the
service does not publish that metric under (ElastiCache publishes per CacheClusterId /
CacheNodeId, never per ReplicationGroupId), has no data: it stays in INSUFFICIENT_DATA (or
OK with treat_missing_data = notBreaching) and never fires. The metrics the pack knows are in
tests/rule-pack/metrics.csv, one row per metric and dimension set, with the AWS page the row
comes from; an alarm on an AWS/ metric missing from it fails until the row is added.
AWS documents it: Amazon CloudWatch user guide, Metrics concepts: Dimensions ("CloudWatch treats
each unique combination of dimensions as a separate metric").
"""

import csv
import os

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

TABLE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "metrics.csv")


def published():
    """(namespace, metric, frozenset(dimension names)) rows of metrics.csv."""
    with open(TABLE, newline="") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        return {
            (r["namespace"], r["metric"], frozenset(d for d in r["dimensions"].split(";") if d))
            for r in rows
        }


def _first(value):
    while isinstance(value, list) and value:
        value = value[0]
    return value


def _literal(value):
    return isinstance(value, str) and "${" not in value and "." not in value.replace("AWS/", "")


def _metrics(conf):
    """(namespace, metric, dimension names) of the alarm and of each metric_query metric."""
    out = [(conf.get("namespace"), conf.get("metric_name"), conf.get("dimensions"))]
    for q in conf.get("metric_query") or []:
        for m in (q.get("metric") or []) if isinstance(q, dict) else []:
            if isinstance(m, dict):
                out.append((m.get("namespace"), m.get("metric_name"), m.get("dimensions")))
    return out


class MetricExists(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="CloudWatch alarms on AWS/ metrics name a metric and dimension set the service publishes (tests/rule-pack/metrics.csv)",
            id="CKV_TC_7",
            categories=[CheckCategories.LOGGING],
            supported_resources=["aws_cloudwatch_metric_alarm"],
            guideline="https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Dimension",
        )

    def scan_resource_conf(self, conf):
        table = published()
        for namespace, metric, dimensions in _metrics(conf):
            namespace, metric, dimensions = _first(namespace), _first(metric), _first(dimensions)
            # Custom namespaces (the application's own metrics) and values this graph cannot
            # evaluate (each.value...) are checked where they are known: the module policies
            # test evaluates the alarms of every module with the dimensions its example passes.
            if not _literal(namespace) or not namespace.startswith("AWS/") or not _literal(metric):
                continue
            if not isinstance(dimensions, dict):
                continue
            names = frozenset(dimensions)
            if (namespace, metric, names) not in table:
                self.evaluated_keys = ["metric_name", "dimensions"]
                return CheckResult.FAILED
        return CheckResult.PASSED


check = MetricExists()
