"""Targets of Network Load Balancer target groups, as AWS registers them.

moto 5.2.5 has no QuicServerId, keys targets by id alone (AWS registers an id per
port) and reports every target `healthy` at once. Here, for NLB target groups:
QuicServerId is required for QUIC/TCP_QUIC groups and refused for others, is `0x`
+ 16 lowercase hex, unique per listener and immutable until the target is
deregistered; instance targets exist, run and sit in the group's VPC; ip targets
match the group's address family; targets are `unused`
(Target.NotInUse) while no listener uses the group, then `initial`, then
`healthy`, and `draining` for the deregistration delay (see elbv2_common for the
clocks) before they are gone.
"""

import ipaddress
import re

from moto.core.responses import EmptyResult, ActionResult
from moto.elbv2.models import ELBv2Backend
from moto.elbv2.responses import ELBV2Response

from elbv2.common import (
    QUIC_FAMILY,
    check_range,
    fail,
    forwarded_target_groups,
    now,
    seconds,
    serialized,
)
from elbv2.targets import get_target_group, is_network_group

QUIC_SERVER_ID = re.compile(r"0x[0-9a-f]{16}")


def _expire(group) -> None:
    for key, reg in list(group.registrations.items()):
        if reg["draining_until"] is not None and now() >= reg["draining_until"]:
            del group.registrations[key]


def _listener_peers(backend, group) -> list:
    """Target groups that share a listener with `group` (QUIC server IDs must be
    unique per listener), `group` first."""
    peers = [group]
    for lb in backend.load_balancers.values():
        for listener in lb.listeners.values():
            arns = forwarded_target_groups(listener.default_actions)
            if group.arn in arns:
                peers.extend(
                    backend.target_groups[a]
                    for a in arns
                    if a in backend.target_groups and backend.target_groups[a] not in peers
                )
    return peers


# CreateTargetGroup, TargetType ip: "You can specify IP addresses from the subnets
# of the virtual private cloud (VPC) for the target group, the RFC 1918 range
# (10.0.0.0/8, 172.16.0.0/12, and 192.168.0.0/16), and the RFC 6598 range
# (100.64.0.0/10). You can't specify publicly routable IP addresses."
PRIVATE_TARGET_RANGES = tuple(
    ipaddress.ip_network(c) for c in ("10.0.0.0/8", "100.64.0.0/10", "172.16.0.0/12", "192.168.0.0/16")
)


def _vpc_blocks(backend, vpc_id: str) -> list:
    """The IPv4 and IPv6 blocks of the VPC's subnets."""
    blocks = []
    for subnet in backend.ec2_backend.describe_subnets(filters={"vpc-id": vpc_id}):
        cidr = getattr(subnet, "cidr", None)
        if cidr is not None:
            blocks.append(ipaddress.ip_network(cidr))
        for assoc in getattr(subnet, "ipv6_cidr_block_associations", {}).values():
            if assoc.get("ipv6CidrBlockState", {}).get("State") == "associated":
                blocks.append(ipaddress.ip_network(assoc["ipv6CidrBlock"]))
    return blocks


def _registrable_ip(backend, group, address) -> bool:
    if address.version == 4 and any(address in r for r in PRIVATE_TARGET_RANGES):
        return True
    return any(address.version == b.version and address in b for b in _vpc_blocks(backend, group.vpc_id))


def _check_target(backend, group, target: dict) -> tuple:
    target_id = target.get("Id") or ""
    port = target.get("Port") or group.port
    check_range(port, "port", 1, 65535)
    if group.target_type == "ip":
        try:
            address = ipaddress.ip_address(target_id)
        except ValueError:
            raise fail("ValidationError", f"The IP address '{target_id}' is not a valid IP address")
        wanted = 6 if group.ip_address_type == "ipv6" else 4
        if address.version != wanted:
            raise fail(
                "ValidationError",
                f"The IP address '{target_id}' is not a valid IPv{wanted} address; target group "
                f"'{group.name}' has the '{group.ip_address_type}' IP address type",
            )
        if not _registrable_ip(backend, group, address):
            raise fail(
                "InvalidTarget",
                f"The IP address '{target_id}' cannot be registered: an ip target must be in a "
                f"subnet of the target group's VPC '{group.vpc_id}' or in 10.0.0.0/8, "
                "100.64.0.0/10, 172.16.0.0/12 or 192.168.0.0/16; publicly routable addresses "
                "outside the VPC are not allowed",
            )
    elif target.get("AvailabilityZone"):
        raise fail(
            "ValidationError",
            f"An Availability Zone cannot be specified for targets of target type '{group.target_type}'",
        )
    if group.target_type == "instance":
        instance = backend.ec2_backend.get_instance_by_id(target_id)
        if instance is None:
            raise fail("InvalidTarget", f"The following targets are not valid instances: '{target_id}'")
        if instance.vpc_id != group.vpc_id:
            raise fail(
                "InvalidTarget",
                f"The following targets are not in the target group's VPC '{group.vpc_id}': '{target_id}'",
            )
        if instance.state != "running":
            raise fail(
                "InvalidTarget",
                f"The following targets are not in a running state and cannot be registered: '{target_id}'",
            )
    server_id = target.get("QuicServerId")
    if group.protocol in QUIC_FAMILY:
        if not server_id:
            raise fail(
                "ValidationError",
                f"A QuicServerId must be specified for target '{target_id}': target group "
                f"'{group.name}' uses the {group.protocol} protocol",
            )
        if not QUIC_SERVER_ID.fullmatch(server_id):
            raise fail(
                "ValidationError",
                f"QuicServerId '{server_id}' is not valid: it must be 0x followed by 16 lowercase "
                "hexadecimal characters",
            )
    elif server_id:
        raise fail(
            "ValidationError",
            f"QuicServerId can be specified only for targets of QUIC or TCP_QUIC target groups; "
            f"target group '{group.name}' uses the {group.protocol} protocol",
        )
    return target_id, port, server_id


def register_targets(backend, group, targets: list) -> None:
    checked = [(_check_target(backend, group, t), t) for t in targets]
    _expire(group)
    in_use = {}  # server id -> (group, key) of its current registration
    for peer in _listener_peers(backend, group):
        _expire(peer)
        for key, reg in peer.registrations.items():
            if reg.get("QuicServerId"):
                in_use[reg["QuicServerId"]] = (peer, key)
    for (target_id, port, server_id), target in checked:
        key = (target_id, port)
        current = group.registrations.get(key)
        if current and current["draining_until"] is None and current.get("QuicServerId") != server_id:
            raise fail(
                "InvalidTarget",
                f"Target '{target_id}' on port {port} is registered with QuicServerId "
                f"'{current.get('QuicServerId')}'; deregister it before registering it with another server ID",
            )
        if server_id:
            owner = in_use.get(server_id)
            if owner is not None and owner != (group, key):
                raise fail(
                    "InvalidTarget",
                    f"QuicServerId '{server_id}' is already used by target '{owner[1][0]}' on port "
                    f"{owner[1][1]} behind the same listener; server IDs must be unique per listener",
                )
            in_use[server_id] = (group, key)
    for (target_id, port, server_id), target in checked:
        key = (target_id, port)
        current = group.registrations.get(key)
        if current and current["draining_until"] is None:
            continue  # registering a registered target again changes nothing
        reg = {"Id": target_id, "Port": port, "registered": now(), "draining_until": None}
        if target.get("AvailabilityZone"):
            reg["AvailabilityZone"] = target["AvailabilityZone"]
        if server_id:
            reg["QuicServerId"] = server_id
        group.registrations[key] = reg


def _start_draining(group, reg) -> None:
    if reg["draining_until"] is None:
        delay = int(group.attributes.get("deregistration_delay.timeout_seconds", "300"))
        reg["draining_until"] = now() + min(delay, seconds("EMULATOR_TARGET_DRAINING_SECONDS"))


def deregister_targets(group, targets: list) -> None:
    _expire(group)
    regs = []
    for target in targets:
        reg = group.registrations.get((target.get("Id"), target.get("Port") or group.port))
        if reg is None:
            raise fail(
                "InvalidTarget",
                f"The target '{target.get('Id')}' is not registered with target group '{group.name}'",
            )
        regs.append(reg)
    for reg in regs:
        _start_draining(group, reg)


def _health(backend, group, reg) -> dict:
    if reg["draining_until"] is not None:
        return {
            "State": "draining",
            "Reason": "Target.DeregistrationInProgress",
            "Description": "Target deregistration is in progress",
        }
    if not group.load_balancer_arns:
        return {
            "State": "unused",
            "Reason": "Target.NotInUse",
            "Description": "Target group is not configured to receive traffic from the load balancer",
        }
    if group.target_type == "instance":
        instance = backend.ec2_backend.get_instance_by_id(reg["Id"])
        if instance is not None and instance.state != "running":
            return {
                "State": "unused",
                "Reason": "Target.InvalidState",
                "Description": f"Target is in the {instance.state} state",
            }
    started = max(reg["registered"], getattr(group, "in_use_since", 0.0))
    if now() < started + seconds("EMULATOR_TARGET_INITIAL_SECONDS"):
        return {
            "State": "initial",
            "Reason": "Elb.RegistrationInProgress",
            "Description": "Target registration is in progress",
        }
    return {"State": "healthy"}


def describe_target_health(backend, group, targets: list) -> list:
    _expire(group)
    if targets:
        selected = []
        for target in targets:
            port = target.get("Port")
            found = [
                r for (i, p), r in group.registrations.items() if i == target.get("Id") and port in (None, p)
            ]
            selected.extend(
                found or [{"Id": target.get("Id"), "Port": port or group.port, "unregistered": True}]
            )
    else:
        selected = list(group.registrations.values())
    out = []
    for reg in selected:
        description = {k: reg[k] for k in ("Id", "Port", "AvailabilityZone", "QuicServerId") if reg.get(k)}
        port = group.health_check_port
        entry = {
            "Target": description,
            "HealthCheckPort": str(reg["Port"]) if port == "traffic-port" else port,
        }
        if reg.get("unregistered"):
            entry["TargetHealth"] = {
                "State": "unused",
                "Reason": "Target.NotRegistered",
                "Description": "Target is not registered to the target group",
            }
        else:
            entry["TargetHealth"] = _health(backend, group, reg)
        out.append(entry)
    return out


def _register_targets(self):
    backend = self.elbv2_backend
    group = get_target_group(backend, self._get_param("TargetGroupArn"))
    if not is_network_group(group):
        return _original_register_targets(self)
    register_targets(backend, group, self._get_param("Targets") or [])
    return EmptyResult()


def _deregister_targets(self):
    group = get_target_group(self.elbv2_backend, self._get_param("TargetGroupArn"))
    if not is_network_group(group):
        return _original_deregister_targets(self)
    deregister_targets(group, self._get_param("Targets") or [])
    return EmptyResult()


def _describe_target_health(self):
    backend = self.elbv2_backend
    group = get_target_group(backend, self._get_param("TargetGroupArn"))
    if not is_network_group(group):
        return _original_describe_target_health(self)
    entries = describe_target_health(backend, group, self._get_param("Targets") or [])
    return ActionResult({"TargetHealthDescriptions": entries})


_original_notify_terminate = ELBv2Backend.notify_terminate_instances


def _notify_terminate_instances(self, instance_ids):
    _original_notify_terminate(self, instance_ids)
    for group in self.target_groups.values():
        for (target_id, _), reg in getattr(group, "registrations", {}).items():
            if target_id in instance_ids:
                _start_draining(group, reg)


_original_register_targets = ELBV2Response.register_targets
_original_deregister_targets = ELBV2Response.deregister_targets
_original_describe_target_health = ELBV2Response.describe_target_health


def install() -> None:
    ELBv2Backend.notify_terminate_instances = _notify_terminate_instances
    ELBV2Response.register_targets = serialized(_register_targets)
    ELBV2Response.deregister_targets = serialized(_deregister_targets)
    ELBV2Response.describe_target_health = serialized(_describe_target_health)
