"""CKV_TC_4: DNS64 and NAT64 only work together.

AWS rule: with DNS64 on a subnet, the Route 53 Resolver answers IPv4-only names with
synthesized 64:ff9b::/96 addresses; packets to them are delivered only if the subnet's route
table sends 64:ff9b::/96 to a NAT gateway (NAT64), which in turn needs a dual-stack public
subnet to live in. DNS64 without NAT64 silently drops the traffic; NAT64 without a
dual-stack public tier cannot be created.
AWS documents it: Amazon VPC user guide, DNS64 and NAT64.
"""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


def _value(block, key):
    """The rendered value of an attribute, or None when checkov could not resolve it."""
    v = block.get(key)
    if isinstance(v, list):
        v = v[0] if v else None
    return v if isinstance(v, (bool, str)) and not (isinstance(v, str) and "." in v) else None


class Dns64NeedsNat64(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="trustchain_ipv6_network: tiers with DNS64 need enable_nat64, and NAT64 needs a dual-stack public tier",
            id="CKV_TC_4",
            categories=[CheckCategories.NETWORKING],
            supported_resources=["trustchain_ipv6_network"],
            guideline="https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-nat64-dns64.html",
        )

    def scan_resource_conf(self, conf):
        nat64 = _value(conf, "enable_nat64")
        tiers = [t for t in conf.get("tier") or [] if isinstance(t, dict)]
        dns64 = [t for t in tiers if _value(t, "enable_dns64") is True]
        if dns64 and nat64 is False:
            self.evaluated_keys = ["enable_nat64", "tier"]
            return CheckResult.FAILED
        if nat64 is True:
            hosts = [
                t
                for t in tiers
                if _value(t, "kind") == "public" and _value(t, "ipv6_native") is False
            ]
            unknown = any(_value(t, "kind") is None or _value(t, "ipv6_native") is None for t in tiers)
            if not hosts and not unknown:
                self.evaluated_keys = ["enable_nat64", "tier"]
                return CheckResult.FAILED
        return CheckResult.PASSED


check = Dns64NeedsNat64()
