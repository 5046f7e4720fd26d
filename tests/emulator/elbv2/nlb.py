"""Network Load Balancers as AWS serves them, where moto 5.2.5 treats every load
balancer as an Application Load Balancer.

moto gives NLBs `loadbalancer/app/` ARNs, ALB-style DNS names and hosted zone,
no scheme by default, activates every load balancer on the first Describe, knows
nothing of EnablePrefixForIpv6SourceNat, requires two Availability Zones in
SetSubnets, answers SetSecurityGroups with a field the model does not have, lets
DeleteLoadBalancer through deletion protection, caps tags at 10 and does not page
consistently. This module fixes those for `Type=network` and adds the IPv6
source-NAT prefix (`SubnetMapping.SourceNatIpv6Prefix` in,
`AvailabilityZone.SourceNatIpv6Prefixes` out, as the ELBv2 model names them).
"""

import ipaddress

from controls import delays
from moto.core.responses import ActionResult, EmptyResult
from moto.elbv2.models import ELBv2Backend, FakeLoadBalancer
from moto.elbv2.responses import ELBV2Response
from moto.moto_api._internal import mock_random

from elbv2.common import (
    serialized,
    MAX_TAGS,
    QUIC_FAMILY,
    UDP_FAMILY,
    check_enum,
    check_new_tags,
    constraint,
    fail,
    forwarded_target_groups,
    now,
    paginate,
)

# Route 53 hosted zones of NLBs per region (AWS's Elastic Load Balancing endpoints
# table; ALBs use other zones).
NLB_HOSTED_ZONES = {
    "us-east-1": "Z26RNL4JYFTOTI",
    "us-east-2": "ZLMOA37VPKANP",
    "us-west-1": "Z24FKFUX50B4VW",
    "us-west-2": "Z18D5FSROUN65G",
    "eu-west-1": "Z2IFOLAFXWLO4F",
    "eu-central-1": "Z3F0SRJ5LGBH90",
    "ap-northeast-1": "Z31USIVHYNEOWT",
    "ap-southeast-1": "ZKVM4W9LS7TM",
}
IP_ADDRESS_TYPES = ("ipv4", "dualstack", "dualstack-without-public-ipv4")
NLB_ATTRIBUTE_DEFAULTS = {
    "access_logs.s3.enabled": "false",
    "access_logs.s3.bucket": "",
    "access_logs.s3.prefix": "",
    "deletion_protection.enabled": "false",
    "load_balancing.cross_zone.enabled": "false",
    "ipv6.deny_all_igw_traffic": "false",
    "dns_record.client_routing_policy": "any_availability_zone",
    "zonal_shift.config.enabled": "false",
    "secondary_ips.auto_assigned.per_subnet": "0",
}
BOOLEAN_ATTRIBUTES = (
    "access_logs.s3.enabled",
    "deletion_protection.enabled",
    "load_balancing.cross_zone.enabled",
    "ipv6.deny_all_igw_traffic",
    "zonal_shift.config.enabled",
)
ROUTING_POLICIES = (
    "availability_zone_affinity",
    "partial_availability_zone_affinity",
    "any_availability_zone",
)


def is_network(lb) -> bool:
    return lb is not None and lb.type == "network"


def get_load_balancer(backend: ELBv2Backend, arn: str):
    lb = backend.load_balancers.get(arn)
    if lb is None:
        raise fail("LoadBalancerNotFound", f"Load balancer '{arn}' not found")
    return lb


# ---- model: state, zones ------------------------------------------------------


def _get_state(self):
    state = self.__dict__.get("_state")
    if state == "provisioning" and self.__dict__.get("type") == "network":
        if now() >= self.__dict__.get("_active_at", 0):
            state = self.__dict__["_state"] = "active"
    return state


def _set_state(self, value):
    self.__dict__["_state"] = value


_original_activate = FakeLoadBalancer.activate


def _activate(self):
    # moto activates every load balancer on any Describe; NLBs follow their clock.
    if self.type != "network":
        _original_activate(self)


class _Zone:
    """AvailabilityZone of an NLB: ZoneName, SubnetId, LoadBalancerAddresses and,
    with the source-NAT prefix on, SourceNatIpv6Prefixes."""

    def __init__(self, subnet, prefix):
        self.zone_name = subnet.availability_zone
        self.subnet_id = subnet.id
        self.load_balancer_addresses = []
        self.source_nat_ipv6_prefixes = [prefix] if prefix else None


_original_zones = FakeLoadBalancer.availability_zones


def _availability_zones(self):
    if self.type != "network":
        return _original_zones.fget(self)
    nat = getattr(self, "source_nat", {})
    return [_Zone(subnet, nat.get(subnet.id)) for subnet in self.subnets]


# ---- validation helpers -------------------------------------------------------


def subnet_ipv6_cidrs(subnet) -> list:
    cidrs = []
    for assoc in getattr(subnet, "ipv6_cidr_block_associations", {}).values():
        if assoc.get("ipv6CidrBlockState", {}).get("State") == "associated":
            cidrs.append(ipaddress.ip_network(assoc["ipv6CidrBlock"]))
    return cidrs


def _resolve_subnets(backend: ELBv2Backend, subnet_ids, mappings, vpc_id=None):
    """[(subnet, mapping)] for Subnets or SubnetMappings, with AWS's checks."""
    if subnet_ids and mappings:
        raise fail("ValidationError", "You can specify subnets or subnet mappings, not both.")
    if not subnet_ids and not mappings:
        raise fail("ValidationError", "You must specify subnets or subnet mappings.")
    wanted = [({"SubnetId": s}) for s in subnet_ids or []] + list(mappings or [])
    resolved, zones = [], {}
    for mapping in wanted:
        try:
            subnet = backend.ec2_backend.get_subnet(mapping.get("SubnetId"))
        except Exception:
            raise fail("SubnetNotFound", f"The subnet ID '{mapping.get('SubnetId')}' is not valid")
        if subnet.availability_zone in zones:
            raise fail(
                "InvalidConfigurationRequest",
                "More than 1 subnet cannot be specified for 1 availability zone",
            )
        zones[subnet.availability_zone] = subnet.id
        vpc_id = vpc_id or subnet.vpc_id
        if subnet.vpc_id != vpc_id:
            raise fail(
                "InvalidConfigurationRequest",
                f"Subnet '{subnet.id}' is not in VPC '{vpc_id}'; all subnets of a load balancer "
                "must be in one VPC",
            )
        resolved.append((subnet, mapping))
    return resolved


def _require_ipv6_subnets(subnets) -> None:
    for subnet in subnets:
        if not subnet_ipv6_cidrs(subnet):
            raise fail(
                "InvalidSubnet",
                f"Subnet '{subnet.id}' has no IPv6 CIDR block; the 'dualstack' IP address type "
                "needs subnets with IPv6 CIDR blocks",
            )


def _source_nat_prefixes(backend, lb_arn, resolved, nat: str, keep: dict) -> dict:
    """subnet id -> /80 source-NAT prefix. `auto_assigned` (or no value) picks a
    random /80 of the subnet's IPv6 block; given prefixes must be /80s inside it."""
    taken = {
        prefix
        for other in backend.load_balancers.values()
        if other.arn != lb_arn
        for prefix in getattr(other, "source_nat", {}).values()
    }
    chosen = {}
    for subnet, mapping in resolved:
        wanted = mapping.get("SourceNatIpv6Prefix")
        if nat != "on":
            if wanted:
                raise fail(
                    "InvalidConfigurationRequest",
                    f"SourceNatIpv6Prefix is set for subnet '{subnet.id}' but "
                    "EnablePrefixForIpv6SourceNat is not 'on'",
                )
            continue
        cidrs = subnet_ipv6_cidrs(subnet)
        if wanted and wanted != "auto_assigned":
            try:
                network = ipaddress.ip_network(wanted)
            except ValueError:
                network = None
            if (
                network is None
                or network.version != 6
                or network.prefixlen != 80
                or not any(network.subnet_of(c) for c in cidrs)
            ):
                raise fail(
                    "InvalidConfigurationRequest",
                    f"SourceNatIpv6Prefix '{wanted}' must be a /80 prefix inside an IPv6 CIDR "
                    f"block of subnet '{subnet.id}', or 'auto_assigned'",
                )
            prefix = str(network)
        elif subnet.id in keep:
            prefix = keep[subnet.id]
        else:
            base = cidrs[0]
            for _ in range(64):
                offset = mock_random.randint(0, 2 ** max(0, 80 - base.prefixlen) - 1)
                start = int(base.network_address) + (offset << 48)
                prefix = str(ipaddress.IPv6Network((start, 80)))
                if prefix not in taken:
                    break
        if prefix in taken or prefix in chosen.values():
            raise fail(
                "InvalidConfigurationRequest",
                f"SourceNatIpv6Prefix '{prefix}' is already used by another load balancer",
            )
        chosen[subnet.id] = prefix
    return chosen


def _listener_protocols(lb) -> list:
    return [listener.protocol for listener in lb.listeners.values()]


def _ipv6_target_groups(backend, lb) -> list:
    arns = []
    for listener in lb.listeners.values():
        for arn in forwarded_target_groups(listener.default_actions):
            group = backend.target_groups.get(arn)
            if group is not None and group.ip_address_type == "ipv6":
                arns.append(arn)
    return arns


def _check_ip_address_type(backend, lb, ip_type: str, subnets, nat: str) -> None:
    check_enum(ip_type, "ipAddressType", IP_ADDRESS_TYPES)
    if ip_type == "dualstack-without-public-ipv4":
        raise fail(
            "InvalidConfigurationRequest",
            "The IP address type 'dualstack-without-public-ipv4' is supported only by "
            "Application Load Balancers",
        )
    if ip_type == "dualstack":
        _require_ipv6_subnets(subnets)
        if lb is not None and any(p in QUIC_FAMILY for p in _listener_protocols(lb)):
            raise fail(
                "InvalidConfigurationRequest",
                "A load balancer with a QUIC or TCP_QUIC listener cannot use the 'dualstack' "
                "IP address type",
            )
    if nat == "on" and ip_type != "dualstack":
        raise fail(
            "InvalidConfigurationRequest",
            "EnablePrefixForIpv6SourceNat can be 'on' only when the IP address type is 'dualstack'",
        )
    if ip_type == "ipv4" and lb is not None and _ipv6_target_groups(backend, lb):
        raise fail(
            "InvalidConfigurationRequest",
            "You cannot associate an IPv6 target group with a load balancer that has an 'ipv4' "
            "IP address type",
        )
    if lb is not None and ip_type == "dualstack":
        for listener in lb.listeners.values():
            if listener.protocol not in UDP_FAMILY:
                continue
            for arn in forwarded_target_groups(listener.default_actions):
                group = backend.target_groups.get(arn)
                if group is not None and group.ip_address_type != "ipv6":
                    raise fail(
                        "InvalidConfigurationRequest",
                        f"The {listener.protocol} listener on port {listener.port} forwards to the IPv4 "
                        f"target group '{arn}'; a dualstack load balancer needs IPv6 target groups "
                        "behind UDP listeners",
                    )
    if lb is not None and nat != "on" and ip_type == "dualstack":
        if any(p in UDP_FAMILY for p in _listener_protocols(lb)):
            raise fail(
                "InvalidConfigurationRequest",
                "A dualstack load balancer with UDP or TCP_UDP listeners needs "
                "EnablePrefixForIpv6SourceNat 'on'",
            )


def _check_security_groups(backend, groups) -> None:
    for group_id in groups:
        if backend.ec2_backend.get_security_group_from_id(group_id) is None:
            raise fail("InvalidSecurityGroup", f"Security group '{group_id}' does not exist")


def _check_name(name: str) -> None:
    if not name or len(name) > 32:
        raise fail("ValidationError", f"Load balancer name '{name}' must be 1 to 32 characters long")
    if not all(c.isalnum() or c == "-" for c in name) or name[0] == "-" or name[-1] == "-":
        raise fail(
            "ValidationError",
            f"Load balancer name '{name}' can contain only alphanumeric characters and hyphens, "
            "and cannot begin or end with a hyphen",
        )
    if name.startswith("internal-"):
        raise fail("ValidationError", f"Load balancer name '{name}' cannot begin with 'internal-'")


# ---- actions ------------------------------------------------------------------


def create_network_load_balancer(backend: ELBv2Backend, params: dict):
    name = params.get("Name") or ""
    _check_name(name)
    scheme = params.get("Scheme") or "internet-facing"
    check_enum(scheme, "scheme", ("internet-facing", "internal"))
    ip_type = params.get("IpAddressType") or "ipv4"
    nat = params.get("EnablePrefixForIpv6SourceNat") or "off"
    check_enum(nat, "enablePrefixForIpv6SourceNat", ("on", "off"))
    groups = params.get("SecurityGroups") or []
    _check_security_groups(backend, groups)
    tags = params.get("Tags") or []
    check_new_tags(tags)
    resolved = _resolve_subnets(backend, params.get("Subnets"), params.get("SubnetMappings"))
    subnets = [s for s, _ in resolved]
    _check_ip_address_type(backend, None, ip_type, subnets, nat)

    for existing in backend.load_balancers.values():
        if existing.name == name:
            same = (
                existing.type == "network"
                and existing.scheme == scheme
                and existing.ip_address_type == ip_type
                and sorted(s.id for s in existing.subnets) == sorted(s.id for s in subnets)
                and sorted(existing.security_groups) == sorted(groups)
            )
            if same:  # CreateLoadBalancer is idempotent for identical settings
                return existing
            raise fail(
                "DuplicateLoadBalancerName",
                f"A load balancer with the same name '{name}' exists, but with different settings",
            )
    nat_prefixes = _source_nat_prefixes(backend, None, resolved, nat, {})

    lb = backend.create_load_balancer(
        name=name,
        security_groups=list(groups),
        subnet_ids=[s.id for s in subnets],
        scheme=scheme,
        loadbalancer_type="network",
        ip_address_type=ip_type,
        tags=None,
    )
    old_arn = lb.arn
    lb.arn = old_arn.replace(":loadbalancer/app/", ":loadbalancer/net/")
    backend.load_balancers.pop(old_arn)
    backend.load_balancers[lb.arn] = lb
    if tags:
        backend.tagging_service.tag_resource(lb.arn, tags)
    lb_id = lb.arn.rsplit("/", 1)[1]
    lb.dns_name = f"{name}-{lb_id}.elb.{backend.region_name}.amazonaws.com"
    lb.canonical_hosted_zone_id = NLB_HOSTED_ZONES.get(backend.region_name, NLB_HOSTED_ZONES["us-east-1"])
    lb.__dict__["_active_at"] = now() + delays.get("nlb_provisioning")
    lb.state = "provisioning"
    lb.enable_prefix_for_ipv6_source_nat = nat
    lb.source_nat = nat_prefixes
    lb.created_with_security_groups = bool(groups)
    if groups:
        lb.enforce_security_group_inbound_rules_on_private_link_traffic = "on"
    lb.attrs = dict(NLB_ATTRIBUTE_DEFAULTS)
    if scheme == "internal":
        lb.attrs["ipv6.deny_all_igw_traffic"] = "true"
    return lb


def _create_load_balancer(self):
    params = self._get_params()
    if params.get("Type") != "network":
        return _original_create_load_balancer(self)
    lb = create_network_load_balancer(self.elbv2_backend, params)
    return ActionResult({"LoadBalancers": [lb]})


def _set_subnets(self):
    backend = self.elbv2_backend
    lb = get_load_balancer(backend, self._get_param("LoadBalancerArn"))
    if not is_network(lb):
        return _original_set_subnets(self)
    resolved = _resolve_subnets(
        backend, self._get_param("Subnets"), self._get_param("SubnetMappings"), lb.vpc_id
    )
    subnets = [s for s, _ in resolved]
    # AWS: subnet changes within one Availability Zone are independent actions.
    for subnet in subnets:
        for current in lb.subnets:
            if current.availability_zone == subnet.availability_zone and current.id != subnet.id:
                raise fail(
                    "InvalidConfigurationRequest",
                    f"Subnet changes within the same Availability Zone must be independent actions: "
                    f"remove subnet '{current.id}' from {subnet.availability_zone} before adding '{subnet.id}'",
                )
    ip_type = self._get_param("IpAddressType") or lb.ip_address_type
    nat = self._get_param("EnablePrefixForIpv6SourceNat") or lb.enable_prefix_for_ipv6_source_nat
    check_enum(nat, "enablePrefixForIpv6SourceNat", ("on", "off"))
    _check_ip_address_type(backend, lb, ip_type, subnets, nat)
    lb.source_nat = _source_nat_prefixes(backend, lb.arn, resolved, nat, lb.source_nat)
    lb.subnets = subnets
    lb.ip_address_type = ip_type
    lb.enable_prefix_for_ipv6_source_nat = nat
    return ActionResult(
        {
            "AvailabilityZones": lb.availability_zones,
            "IpAddressType": ip_type,
            "EnablePrefixForIpv6SourceNat": nat,
        }
    )


def _set_ip_address_type(self):
    backend = self.elbv2_backend
    lb = get_load_balancer(backend, self._get_param("LoadBalancerArn"))
    if not is_network(lb):
        return _original_set_ip_address_type(self)
    ip_type = self._get_param("IpAddressType")
    _check_ip_address_type(backend, lb, ip_type, lb.subnets, lb.enable_prefix_for_ipv6_source_nat)
    lb.ip_address_type = ip_type
    return ActionResult({"IpAddressType": ip_type})


def _set_security_groups(self):
    backend = self.elbv2_backend
    lb = get_load_balancer(backend, self._get_param("LoadBalancerArn"))
    groups = self._get_param("SecurityGroups") or []
    enforce = self._get_param("EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic")
    if is_network(lb):
        if not getattr(lb, "created_with_security_groups", False):
            raise fail(
                "InvalidConfigurationRequest",
                "You can't associate security groups with a Network Load Balancer that was "
                "created without security groups",
            )
        if groups and any(p in QUIC_FAMILY for p in _listener_protocols(lb)):
            raise fail(
                "InvalidConfigurationRequest",
                "A load balancer with a QUIC or TCP_QUIC listener cannot have security groups",
            )
        check_enum(enforce, "enforceSecurityGroupInboundRulesOnPrivateLinkTraffic", ("on", "off"))
        if enforce:
            lb.enforce_security_group_inbound_rules_on_private_link_traffic = enforce
    backend.set_security_groups(lb.arn, groups)
    # moto answers `SecurityGroups`; the model's output member is SecurityGroupIds.
    return ActionResult(
        {
            "SecurityGroupIds": groups,
            "EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic": getattr(
                lb, "enforce_security_group_inbound_rules_on_private_link_traffic", None
            ),
        }
    )


def _modify_load_balancer_attributes(self):
    backend = self.elbv2_backend
    lb = get_load_balancer(backend, self._get_param("LoadBalancerArn"))
    if not is_network(lb):
        return _original_modify_lb_attributes(self)
    changes = {a["Key"]: str(a.get("Value", "")) for a in self._get_param("Attributes") or []}
    for key, value in changes.items():
        if key not in NLB_ATTRIBUTE_DEFAULTS:
            raise fail("InvalidConfigurationRequest", f"Key {key} not valid")
        if key in BOOLEAN_ATTRIBUTES and value.lower() not in ("true", "false"):
            raise fail(
                "InvalidConfigurationRequest",
                f"Load balancer attribute '{key}' must be 'true' or 'false', not '{value}'",
            )
        if key == "dns_record.client_routing_policy" and value not in ROUTING_POLICIES:
            raise fail(
                "InvalidConfigurationRequest",
                f"Load balancer attribute '{key}' must be one of {', '.join(ROUTING_POLICIES)}",
            )
        if key == "secondary_ips.auto_assigned.per_subnet":
            if not value.isdigit() or int(value) > 7:
                raise fail("InvalidConfigurationRequest", f"Load balancer attribute '{key}' must be 0 to 7")
            if int(value) < int(lb.attrs[key]):
                raise fail(
                    "InvalidConfigurationRequest", f"Load balancer attribute '{key}' cannot be decreased"
                )
    lb.attrs.update({k: v.lower() if k in BOOLEAN_ATTRIBUTES else v for k, v in changes.items()})
    return ActionResult({"Attributes": lb.attrs})


def _delete_load_balancer(self):
    backend = self.elbv2_backend
    arn = self._get_param("LoadBalancerArn")
    lb = backend.load_balancers.get(arn)
    if lb is None:  # AWS: deleting a load balancer that does not exist succeeds
        return EmptyResult()
    if lb.attrs.get("deletion_protection.enabled") == "true":
        raise fail(
            "OperationNotPermitted",
            f"Load balancer '{arn}' cannot be deleted because deletion protection is enabled",
        )
    for listener_arn in list(lb.listeners):
        backend.tagging_service.delete_all_tags_for_resource(listener_arn)
    backend.delete_load_balancer(arn)
    backend.tagging_service.delete_all_tags_for_resource(arn)
    for group in backend.target_groups.values():
        group.load_balancer_arns = [a for a in group.load_balancer_arns if a != arn]
    return EmptyResult()


def _describe_load_balancers(self):
    backend = self.elbv2_backend
    arns = self._get_param("LoadBalancerArns") or []
    names = self._get_param("Names") or []
    balancers = list(backend.load_balancers.values())
    if arns or names:
        selected = []
        for wanted, field in [(a, "arn") for a in arns] + [(n, "name") for n in names]:
            found = [lb for lb in balancers if getattr(lb, field) == wanted]
            if not found:
                raise fail("LoadBalancerNotFound", "One or more load balancers not found")
            selected.extend(lb for lb in found if lb not in selected)
        balancers = selected
    for lb in balancers:
        lb.activate()
    page, marker = paginate(balancers, self._get_param("Marker"), self._get_param("PageSize"))
    return ActionResult({"LoadBalancers": page, "NextMarker": marker})


def _add_tags(self, resource_arns, tags):
    check_new_tags(tags)
    for arn in resource_arns:
        self._get_resource_by_arn(arn)
        existing = self.tagging_service.get_tag_dict_for_resource(arn)
        keys = set(existing) | {t["Key"] for t in tags}
        if len(keys) > MAX_TAGS:
            raise fail(
                "TooManyTags",
                f"The quota for the number of tags that can be assigned to a resource ({MAX_TAGS}) "
                "has been reached",
            )
    for arn in resource_arns:
        self.tagging_service.tag_resource(arn, tags)


def _describe_tags(self):
    backend = self.elbv2_backend
    arns = self._get_param("ResourceArns") or []
    if len(arns) > 20:
        raise constraint(arns, "resourceArns", "Member must have length less than or equal to 20")
    for arn in arns:
        backend._get_resource_by_arn(arn)
    return _original_describe_tags(self)


_original_create_load_balancer = ELBV2Response.create_load_balancer
_original_set_subnets = ELBV2Response.set_subnets
_original_set_ip_address_type = ELBV2Response.set_ip_address_type
_original_modify_lb_attributes = ELBV2Response.modify_load_balancer_attributes
_original_describe_tags = ELBV2Response.describe_tags


def install() -> None:
    FakeLoadBalancer.state = property(_get_state, _set_state)
    FakeLoadBalancer.activate = _activate
    FakeLoadBalancer.availability_zones = property(_availability_zones)
    ELBv2Backend.add_tags = _add_tags
    ELBV2Response.create_load_balancer = serialized(_create_load_balancer)
    ELBV2Response.set_subnets = serialized(_set_subnets)
    ELBV2Response.set_ip_address_type = serialized(_set_ip_address_type)
    ELBV2Response.set_security_groups = serialized(_set_security_groups)
    ELBV2Response.modify_load_balancer_attributes = serialized(_modify_load_balancer_attributes)
    ELBV2Response.delete_load_balancer = serialized(_delete_load_balancer)
    ELBV2Response.describe_load_balancers = serialized(_describe_load_balancers)
    ELBV2Response.describe_tags = serialized(_describe_tags)
