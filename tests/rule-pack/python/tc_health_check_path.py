"""CKV_TC_16: HTTP(S) health checks name the path the service serves.

AWS rule: an HTTP or HTTPS health check requests one path and counts the target healthy only
on a success code. Elastic Load Balancing requests "/" when a target group's health check
names no path (HealthCheckPath, default "/"), Route 53 requests the root when an HTTP(S)
health check has no ResourcePath: a service that serves its health endpoint elsewhere (and
"/" not at all, or behind authentication) is marked unhealthy and every target is taken out,
or the health check stays red and DNS failover fails over for no reason. So every HTTP(S)
health check (an aws_route53_health_check of type HTTP/HTTPS/*_STR_MATCH, an HTTP(S) target
group or an HTTP(S) health check of one, a trustchain_quic_load_balancer listener's
health_check) names its path explicitly, and a path checkov can read is absolute ("/...",
at most 1024 characters for ELB, 255 for Route 53) without spaces or a query AWS would
take literally. A path from a variable passes here; the module validates it.
AWS documents it: Elastic Load Balancing, Health checks for Application Load Balancer
target groups (HealthCheckPath, default "/"); Amazon Route 53 API reference,
HealthCheckConfig (ResourcePath).
"""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

HTTP = ("HTTP", "HTTPS")
ROUTE53_HTTP = ("HTTP", "HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH")


def _first(v):
    while isinstance(v, list) and v:
        v = v[0]
    return v


def _blocks(conf, key):
    out = [b for b in conf.get(key) or [] if isinstance(b, dict)]
    for d in conf.get("dynamic") or []:
        if isinstance(d, dict) and isinstance(d.get(key), dict):
            out.extend(c for c in d[key].get("content") or [] if isinstance(c, dict))
    return out


def _path_problem(path, limit):
    """Why a health check path is wrong, or None. An unresolved expression passes."""
    if path is None or path == "":
        return "no path: AWS requests \"/\""
    p = str(path)
    if "${" in p or p.startswith(("var.", "each.", "local.", "listener.")):
        return None
    if not p.startswith("/"):
        return f"path {p!r} is not absolute"
    if len(p) > limit or any(c.isspace() for c in p):
        return f"path {p!r} is too long or has spaces"
    return None


class HealthCheckPath(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="HTTP(S) health checks (Route 53, target groups, QUIC listeners) name the service's health path explicitly",
            id="CKV_TC_16",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_route53_health_check", "aws_lb_target_group", "aws_alb_target_group", "trustchain_quic_load_balancer"],
            guideline="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html",
        )

    def _fail(self, key, why):
        self.evaluated_keys = [key]
        self.details.append(why)
        return CheckResult.FAILED

    def scan_resource_conf(self, conf):
        if self.entity_type == "aws_route53_health_check":
            if str(_first(conf.get("type"))).upper() not in ROUTE53_HTTP:
                return CheckResult.PASSED
            why = _path_problem(_first(conf.get("resource_path")), 255)
            return self._fail("resource_path", why) if why else CheckResult.PASSED
        if self.entity_type == "trustchain_quic_load_balancer":
            for listener in _blocks(conf, "listener"):
                for hc in _blocks(listener, "health_check"):
                    if str(_first(hc.get("protocol")) or "").upper() in HTTP:
                        why = _path_problem(_first(hc.get("path")), 1024)
                        if why:
                            return self._fail("listener/[0]/health_check/[0]/path", why)
            return CheckResult.PASSED
        if str(_first(conf.get("target_type")) or "") == "lambda":
            return CheckResult.PASSED
        checks = _blocks(conf, "health_check")
        hc = checks[0] if checks else {}
        protocol = _first(hc.get("protocol")) or _first(conf.get("protocol")) or ""
        if str(protocol).upper() not in HTTP:
            return CheckResult.PASSED
        if _first(hc.get("enabled")) is False:
            return CheckResult.PASSED
        why = _path_problem(_first(hc.get("path")), 1024)
        return self._fail("health_check/[0]/path", why) if why else CheckResult.PASSED


check = HealthCheckPath()
