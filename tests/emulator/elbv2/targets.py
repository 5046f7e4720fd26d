"""Network Load Balancer target groups, as AWS serves them (their targets are in
registrations.py).

moto 5.2.5 refuses the QUIC and TCP_QUIC protocols, gives NLB target groups ALB
health-check defaults and attributes, validates none of the NLB health-check
rules and fails DescribeTargetGroups of a load balancer without target groups.
This module handles target groups whose protocol is an NLB protocol (TCP, TLS,
UDP, TCP_UDP, QUIC, TCP_QUIC); HTTP/HTTPS/GENEVE/lambda groups stay with moto.
"""

import re
from collections import OrderedDict

from moto.core.responses import ActionResult
from moto.elbv2.models import ELBv2Backend, FakeTargetGroup
from moto.elbv2.responses import ELBV2Response

from elbv2 import nlb as elbv2_nlb
from elbv2.common import (
    serialized,
    HEALTH_CHECK_PROTOCOLS,
    NLB_PROTOCOLS,
    UDP_CARRYING,
    UDP_FAMILY,
    bool_text,
    check_enum,
    check_new_tags,
    check_range,
    fail,
    paginate,
)

PROTOCOL_ENUM = ("HTTP", "HTTPS", "TCP", "TLS", "UDP", "TCP_UDP", "GENEVE", "QUIC", "TCP_QUIC")
TARGET_TYPES = ("instance", "ip", "lambda", "alb")
HTTP_CODES = re.compile(r"^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$")


def is_network_group(group) -> bool:
    return group is not None and group.protocol in NLB_PROTOCOLS and group.target_type != "lambda"


def get_target_group(backend: ELBv2Backend, arn: str):
    group = backend.target_groups.get(arn)
    if group is None:
        raise fail("TargetGroupNotFound", "One or more target groups not found")
    return group


def _check_name(name: str) -> None:
    if len(name) > 32:
        raise fail("ValidationError", f"Target group name '{name}' cannot be longer than '32' characters")
    if not re.fullmatch(r"[A-Za-z0-9-]+", name or "-"):
        raise fail(
            "ValidationError",
            f"Target group name '{name}' can only contain characters that are alphanumeric "
            "characters or hyphens(-)",
        )
    if name.startswith("-") or name.endswith("-"):
        raise fail("ValidationError", f"Target group name '{name}' cannot begin or end with '-'")


def _health_check(protocol: str, params: dict, current=None, target_type="instance") -> dict:
    """The health check a request asks for, completed with AWS's NLB defaults (or
    the group's current settings), checked against AWS's rules."""
    cur = current or {}
    # An Application Load Balancer target is health-checked over HTTP(S) only.
    allowed = ("HTTP", "HTTPS") if target_type == "alb" else HEALTH_CHECK_PROTOCOLS
    hc = params.get("HealthCheckProtocol") or cur.get("protocol") or allowed[0]
    check_enum(hc, "healthCheckProtocol", PROTOCOL_ENUM)
    if hc not in allowed:
        raise fail(
            "InvalidConfigurationRequest",
            f"Health check protocol '{hc}' is not supported for target groups with the "
            f"{protocol} protocol and target type '{target_type}'; use {', '.join(allowed)}",
        )
    http = hc in ("HTTP", "HTTPS")
    was_http = cur.get("protocol") in ("HTTP", "HTTPS")
    path, matcher = params.get("HealthCheckPath"), params.get("Matcher")
    if not http:
        if path:
            raise fail(
                "InvalidConfigurationRequest", "Health check paths are not supported for TCP health checks"
            )
        if matcher:
            raise fail(
                "InvalidConfigurationRequest", "Health check matchers are not supported for TCP health checks"
            )
    else:
        path = path or (cur.get("path") if was_http else None) or "/"
        if not path.startswith("/") or len(path) > 1024:
            raise fail(
                "ValidationError",
                f"Health check path '{path}' must begin with '/' and be at most 1024 characters",
            )
        matcher = matcher or (cur.get("matcher") if was_http else None) or {"HttpCode": "200-399"}
        if matcher.get("GrpcCode"):
            raise fail(
                "InvalidConfigurationRequest",
                "gRPC codes are not supported for Network Load Balancer health checks",
            )
        code = str(matcher.get("HttpCode") or "")
        numbers = [int(n) for n in re.findall(r"\d+", code)]
        if not HTTP_CODES.match(code) or any(n < 200 or n > 599 for n in numbers):
            raise fail(
                "InvalidConfigurationRequest",
                f"Health check matcher HTTP code '{code}' must be codes or ranges within 200-599, "
                "for example 200 or 200-399",
            )
        matcher = {"HttpCode": code}
    port = str(params.get("HealthCheckPort") or cur.get("port") or "traffic-port")
    if port != "traffic-port" and (not port.isdigit() or not 1 <= int(port) <= 65535):
        raise fail("ValidationError", f"Health check port '{port}' must be 'traffic-port' or 1-65535")
    interval = params.get("HealthCheckIntervalSeconds") or cur.get("interval") or 30
    timeout = params.get("HealthCheckTimeoutSeconds") or cur.get("timeout") or (6 if hc == "HTTP" else 10)
    healthy = params.get("HealthyThresholdCount") or cur.get("healthy") or 5
    unhealthy = params.get("UnhealthyThresholdCount") or cur.get("unhealthy") or 2
    check_range(interval, "healthCheckIntervalSeconds", 5, 300)
    check_range(timeout, "healthCheckTimeoutSeconds", 2, 120)
    check_range(healthy, "healthyThresholdCount", 2, 10)
    check_range(unhealthy, "unhealthyThresholdCount", 2, 10)
    if int(timeout) > int(interval):
        raise fail(
            "ValidationError",
            f"Health check timeout '{timeout}' must be smaller than or equal to the interval '{interval}'",
        )
    if params.get("HealthCheckEnabled") is False:
        raise fail(
            "InvalidConfigurationRequest",
            "Health checks cannot be disabled for target groups with target type instance, ip or alb",
        )
    return {
        "protocol": hc,
        "port": port,
        "path": path if http else None,
        "matcher": matcher if http else None,
        "interval": int(interval),
        "timeout": int(timeout),
        "healthy": int(healthy),
        "unhealthy": int(unhealthy),
    }


def _current_health_check(group) -> dict:
    return {
        "protocol": group.health_check_protocol,
        "port": group.health_check_port,
        "path": group.health_check_path,
        "matcher": getattr(group, "matcher", None),
        "interval": group.health_check_interval_seconds,
        "timeout": group.health_check_timeout_seconds,
        "healthy": group.healthy_threshold_count,
        "unhealthy": group.unhealthy_threshold_count,
    }


def _apply_health_check(group, hc: dict) -> None:
    group.health_check_protocol = hc["protocol"]
    group.health_check_port = hc["port"]
    group.health_check_path = hc["path"]
    group.matcher = hc["matcher"]
    group.health_check_interval_seconds = hc["interval"]
    group.health_check_timeout_seconds = hc["timeout"]
    group.healthy_threshold_count = hc["healthy"]
    group.unhealthy_threshold_count = hc["unhealthy"]
    group.health_check_enabled = True


def default_attributes(protocol: str, target_type: str) -> dict:
    # AWS's NLB target group attributes and defaults (ELBv2 API reference,
    # TargetGroupAttribute): UDP groups terminate connections at the end of
    # deregistration, client IP preservation is off only for TCP/TLS ip targets.
    udp = protocol in UDP_FAMILY
    return {
        "deregistration_delay.timeout_seconds": "300",
        "deregistration_delay.connection_termination.enabled": "true" if udp else "false",
        "preserve_client_ip.enabled": (
            "false" if target_type == "ip" and protocol in ("TCP", "TLS") else "true"
        ),
        "proxy_protocol_v2.enabled": "false",
        "stickiness.enabled": "false",
        "stickiness.type": "source_ip",
        "load_balancing.cross_zone.enabled": "use_load_balancer_configuration",
        "target_group_health.dns_failover.minimum_healthy_targets.count": "1",
        "target_group_health.dns_failover.minimum_healthy_targets.percentage": "off",
        "target_group_health.unhealthy_state_routing.minimum_healthy_targets.count": "1",
        "target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage": "off",
        "target_health_state.unhealthy.connection_termination.enabled": "false" if udp else "true",
        "target_health_state.unhealthy.draining_interval_seconds": "0",
    }


def create_network_target_group(backend: ELBv2Backend, params: dict):
    name = params.get("Name") or ""
    _check_name(name)
    protocol = params["Protocol"]
    target_type = params.get("TargetType") or "instance"
    check_enum(target_type, "targetType", TARGET_TYPES)
    for field, label in (("Port", "port"), ("VpcId", "VPC ID")):
        if not params.get(field):
            raise fail("ValidationError", f"A {label} must be specified")
    check_range(params["Port"], "port", 1, 65535)
    try:
        backend.ec2_backend.get_vpc(params["VpcId"])
    except Exception:
        raise fail("ValidationError", f"The VPC ID '{params['VpcId']}' is not found")
    if target_type == "alb" and protocol != "TCP":
        raise fail(
            "InvalidConfigurationRequest",
            f"Target type 'alb' is not supported for target groups with the {protocol} protocol",
        )
    ip_type = params.get("IpAddressType") or "ipv4"
    check_enum(ip_type, "ipAddressType", ("ipv4", "ipv6"))
    if ip_type == "ipv6" and target_type == "alb":
        raise fail(
            "InvalidConfigurationRequest", "Target type 'alb' does not support the 'ipv6' IP address type"
        )
    if params.get("ProtocolVersion"):
        raise fail(
            "InvalidConfigurationRequest",
            f"A protocol version is not supported for target groups with the {protocol} protocol",
        )
    hc = _health_check(protocol, params, target_type=target_type)
    tags = params.get("Tags") or []
    check_new_tags(tags)
    for existing in backend.target_groups.values():
        if existing.name == name:
            same = (
                existing.protocol,
                existing.port,
                existing.vpc_id,
                existing.target_type,
                existing.ip_address_type,
            )
            if same == (protocol, params["Port"], params["VpcId"], target_type, ip_type):
                return existing  # CreateTargetGroup is idempotent for identical settings
            raise fail(
                "DuplicateTargetGroupName",
                f"A target group with the same name '{name}' exists, but with different settings",
            )
    group = FakeTargetGroup(
        name=name,
        account_id=backend.account_id,
        region_name=backend.region_name,
        vpc_id=params["VpcId"],
        protocol=protocol,
        port=params["Port"],
        target_type=target_type,
        ip_address_type=ip_type,
    )
    group.protocol = protocol  # moto rewrites it for alb targets
    group.protocol_version = None
    _apply_health_check(group, hc)
    group.attributes = default_attributes(protocol, target_type)
    group.registrations = OrderedDict()
    backend.target_groups[group.arn] = group
    if tags:
        backend.tagging_service.tag_resource(group.arn, tags)
    return group


# ---- attributes ---------------------------------------------------------------


def _check_attribute(group, key: str, value: str) -> str:
    protocol = group.protocol
    if key not in group.attributes:
        raise fail("ValidationError", f"Target group attribute key '{key}' is not recognized")
    if key.endswith(".enabled") and key != "load_balancing.cross_zone.enabled":
        value = bool_text(value, key)
    if key == "deregistration_delay.timeout_seconds":
        if not value.isdigit() or int(value) > 3600:
            raise fail(
                "InvalidConfigurationRequest", f"'{key}' value '{value}' must be between '0-3600' inclusive"
            )
    if key == "preserve_client_ip.enabled" and value == "false" and protocol in UDP_CARRYING:
        raise fail(
            "InvalidConfigurationRequest",
            f"Client IP preservation cannot be disabled for target groups with the {protocol} protocol",
        )
    if (
        key == "target_health_state.unhealthy.connection_termination.enabled"
        and value == "true"
        and protocol in UDP_FAMILY
    ):
        raise fail(
            "InvalidConfigurationRequest",
            f"'{key}' cannot be enabled for target groups with the {protocol} protocol",
        )
    if key == "stickiness.type" and value != "source_ip":
        raise fail(
            "InvalidConfigurationRequest",
            f"Stickiness type '{value}' is not supported for target groups with the {protocol} protocol",
        )
    if key == "load_balancing.cross_zone.enabled" and value not in (
        "true",
        "false",
        "use_load_balancer_configuration",
    ):
        raise fail(
            "InvalidConfigurationRequest", f"'{key}' must be true, false or use_load_balancer_configuration"
        )
    if key == "target_health_state.unhealthy.draining_interval_seconds":
        if not value.isdigit() or int(value) > 360000:
            raise fail("InvalidConfigurationRequest", f"'{key}' must be 0-360000")
    if key.endswith(".count") and value != "off" and (not value.isdigit() or int(value) < 1):
        raise fail("InvalidConfigurationRequest", f"'{key}' must be 'off' or a positive integer")
    if key.endswith(".percentage") and value != "off" and (not value.isdigit() or not 1 <= int(value) <= 100):
        raise fail("InvalidConfigurationRequest", f"'{key}' must be 'off' or 1-100")
    return value


def _modify_target_group_attributes(self):
    group = get_target_group(self.elbv2_backend, self._get_param("TargetGroupArn"))
    if not is_network_group(group):
        return _original_modify_tg_attributes(self)
    changes = {
        a["Key"]: _check_attribute(group, a["Key"], str(a.get("Value", "")))
        for a in self._get_param("Attributes") or []
    }
    merged = dict(group.attributes, **changes)
    if (
        merged["target_health_state.unhealthy.connection_termination.enabled"] == "true"
        and merged["target_health_state.unhealthy.draining_interval_seconds"] != "0"
    ):
        raise fail(
            "InvalidConfigurationRequest",
            "target_health_state.unhealthy.draining_interval_seconds can be set only when "
            "target_health_state.unhealthy.connection_termination.enabled is false",
        )
    group.attributes = merged
    return ActionResult({"Attributes": group.attributes})


# ---- target groups: create, modify, describe ----------------------------------


def _create_target_group(self):
    params = self._get_params()
    if params.get("Protocol") not in NLB_PROTOCOLS or params.get("TargetType") == "lambda":
        return _original_create_target_group(self)
    group = create_network_target_group(self.elbv2_backend, params)
    return ActionResult({"TargetGroups": [group]})


def _modify_target_group(self):
    group = get_target_group(self.elbv2_backend, self._get_param("TargetGroupArn"))
    if not is_network_group(group):
        return _original_modify_target_group(self)
    hc = _health_check(group.protocol, self._get_params(), _current_health_check(group), group.target_type)
    _apply_health_check(group, hc)
    return ActionResult({"TargetGroups": [group]})


def _describe_target_groups(self):
    backend = self.elbv2_backend
    lb_arn = self._get_param("LoadBalancerArn")
    arns = self._get_param("TargetGroupArns") or []
    names = self._get_param("Names") or []
    if sum(bool(x) for x in (lb_arn, arns, names)) > 1:
        raise fail(
            "ValidationError",
            "Target group names, target group ARNs, and a load balancer ARN cannot be specified at the same time",
        )
    groups = list(backend.target_groups.values())
    if lb_arn:
        elbv2_nlb.get_load_balancer(backend, lb_arn)
        groups = [g for g in groups if lb_arn in g.load_balancer_arns]
    elif arns or names:
        selected = []
        for wanted, field in [(a, "arn") for a in arns] + [(n, "name") for n in names]:
            found = [g for g in groups if getattr(g, field) == wanted]
            if not found:
                raise fail("TargetGroupNotFound", "One or more target groups not found")
            selected.extend(g for g in found if g not in selected)
        groups = selected
    page, marker = paginate(groups, self._get_param("Marker"), self._get_param("PageSize"))
    return ActionResult({"TargetGroups": page, "NextMarker": marker})


_original_create_target_group = ELBV2Response.create_target_group
_original_modify_target_group = ELBV2Response.modify_target_group
_original_modify_tg_attributes = ELBV2Response.modify_target_group_attributes


def install() -> None:
    ELBV2Response.create_target_group = serialized(_create_target_group)
    ELBV2Response.modify_target_group = serialized(_modify_target_group)
    ELBV2Response.modify_target_group_attributes = serialized(_modify_target_group_attributes)
    ELBV2Response.describe_target_groups = serialized(_describe_target_groups)
