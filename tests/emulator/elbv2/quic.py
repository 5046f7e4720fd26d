"""Network Load Balancer listeners with AWS's QUIC/UDP rules, and the entry point
of the ELBv2 extension (`install()`, called from server.py).

moto 5.2.5 accepts only TCP, TLS, UDP and TCP_UDP listeners, checks none of the
rules that come with QUIC passthrough (launched 2025-11) or with UDP on dualstack
load balancers, never detects a duplicate listener port, lets ModifyListener set
only HTTP/HTTPS/TCP, gives every listener an SSL policy, and keeps target groups
attached to deleted listeners. Enforced here, server-side, as AWS does:

- a QUIC or TCP_QUIC listener is refused on a `dualstack` load balancer, on a
  load balancer with security groups, beside another QUIC/TCP_QUIC listener and
  beside UDP/TCP_UDP listeners;
- listener and target group protocols must be compatible (a TCP_QUIC listener
  needs a TCP_QUIC target group, a QUIC listener a QUIC or TCP_QUIC one);
- a UDP/TCP_UDP listener on a dualstack load balancer needs IPv6 target groups
  and EnablePrefixForIpv6SourceNat `on`; IPv6 target groups need a dualstack one;
- a TLS listener needs a certificate that exists;
- a target group serves one load balancer;
- `tcp.idle_timeout.seconds` is 60-6000 and settable on TCP-carrying listeners.

The listener rules quote the NLB user guide, "Create a listener for your Network Load
Balancer", Prerequisites (README.md, "Network Load Balancers with QUIC and UDP").
"""

import re

from moto.core.responses import ActionResult, EmptyResult
from moto.elb.models import register_certificate
from moto.elbv2.models import FakeAction, FakeListener
from moto.elbv2.responses import ELBV2Response
from moto.elbv2.ssl_policies import SSL_POLICIES
from moto.moto_api._internal import mock_random

from elbv2 import nlb as elbv2_nlb
from elbv2 import registrations as elbv2_registrations
from elbv2 import targets as elbv2_targets
from elbv2.common import (
    serialized,
    COMPATIBLE_TARGET_PROTOCOLS,
    NLB_PROTOCOLS,
    QUIC_FAMILY,
    UDP_FAMILY,
    check_enum,
    check_new_tags,
    check_range,
    fail,
    forwarded_target_groups,
    now,
    paginate,
)
from elbv2.nlb import get_load_balancer, is_network
from elbv2.targets import PROTOCOL_ENUM

DEFAULT_SSL_POLICY = "ELBSecurityPolicy-2016-08"
# Listener protocols that carry TCP flows, whose idle timeout can be changed (TLS
# listeners keep 350 seconds).
IDLE_TIMEOUT_PROTOCOLS = ("TCP", "TCP_UDP", "TCP_QUIC")


def get_listener(backend, arn: str):
    for lb in backend.load_balancers.values():
        if arn in lb.listeners:
            return lb, lb.listeners[arn]
    raise fail("ListenerNotFound", "The specified listener does not exist.")


def _actions(backend, actions: list) -> list:
    """Default actions of an NLB listener: forward only, to existing target
    groups, completed with the ForwardConfig AWS returns."""
    if not actions:
        raise fail("ValidationError", "A default action must be specified for the listener")
    normalized = []
    for action in actions:
        data = dict(action)
        if data.get("Type") != "forward":
            raise fail(
                "InvalidLoadBalancerAction",
                f"The action type '{data.get('Type')}' is not supported by Network Load Balancers; use 'forward'",
            )
        arns = forwarded_target_groups([data])
        if not arns:
            raise fail("ValidationError", "A forward action must name a target group")
        for arn in arns:
            if arn not in backend.target_groups:
                raise fail("TargetGroupNotFound", f"Target group '{arn}' not found")
        if "ForwardConfig" not in data:
            data["ForwardConfig"] = {"TargetGroups": [{"TargetGroupArn": arns[0], "Weight": 1}]}
        if len(arns) == 1:
            data["TargetGroupArn"] = arns[0]
        normalized.append(FakeAction(data))
    return normalized


def check_listener(backend, lb, protocol: str, group_arns: list, exclude_arn=None) -> None:
    """AWS's rules for a listener of `protocol` forwarding to `group_arns` on `lb`."""
    groups = [backend.target_groups[a] for a in group_arns]
    for group in groups:
        allowed = COMPATIBLE_TARGET_PROTOCOLS[protocol]
        if group.protocol not in allowed:
            raise fail(
                "IncompatibleProtocols",
                f"The listener and its associated target group '{group.arn}' have incompatible "
                f"protocols: a {protocol} listener forwards to {' or '.join(allowed)} target groups, "
                f"not {group.protocol}",
            )
        if group.vpc_id != lb.vpc_id:
            raise fail(
                "InvalidConfigurationRequest",
                f"Target group '{group.arn}' is in VPC '{group.vpc_id}', the load balancer in '{lb.vpc_id}'",
            )
        if any(a != lb.arn for a in group.load_balancer_arns):
            raise fail(
                "TargetGroupAssociationLimit",
                f"The following target groups cannot be associated with more than one load balancer: {group.arn}",
            )
        if group.ip_address_type == "ipv6" and lb.ip_address_type == "ipv4":
            raise fail(
                "InvalidConfigurationRequest",
                "You cannot associate an IPv6 target group with a load balancer that has an 'ipv4' "
                "IP address type",
            )
    others = [l for l in lb.listeners.values() if l.arn != exclude_arn]
    if protocol in QUIC_FAMILY:
        if lb.ip_address_type == "dualstack":
            raise fail(
                "InvalidConfigurationRequest",
                f"{protocol} listeners are not supported on load balancers with the 'dualstack' IP "
                "address type; use an 'ipv4' load balancer",
            )
        if lb.security_groups:
            raise fail(
                "InvalidConfigurationRequest",
                f"{protocol} listeners are not supported on load balancers with security groups",
            )
        for other in others:
            if other.protocol in QUIC_FAMILY:
                raise fail(
                    "InvalidConfigurationRequest",
                    "Only one QUIC or TCP_QUIC listener is allowed per Network Load Balancer; the "
                    f"listener on port {other.port} is {other.protocol}",
                )
            if other.protocol in UDP_FAMILY:
                raise fail(
                    "InvalidConfigurationRequest",
                    f"{protocol} listeners are not allowed on a Network Load Balancer that has UDP or "
                    f"TCP_UDP listeners; the listener on port {other.port} is {other.protocol}",
                )
    if protocol in UDP_FAMILY:
        for other in others:
            if other.protocol in QUIC_FAMILY:
                raise fail(
                    "InvalidConfigurationRequest",
                    f"{protocol} listeners are not allowed on a Network Load Balancer that has a QUIC "
                    f"or TCP_QUIC listener; the listener on port {other.port} is {other.protocol}",
                )
        if lb.ip_address_type == "dualstack":
            for group in groups:
                if group.ip_address_type != "ipv6":
                    raise fail(
                        "InvalidConfigurationRequest",
                        f"You can't use an IPv4 target group with a {protocol} listener for a dualstack "
                        f"load balancer: target group '{group.arn}' must have the 'ipv6' IP address type",
                    )
            if getattr(lb, "enable_prefix_for_ipv6_source_nat", "off") != "on":
                raise fail(
                    "InvalidConfigurationRequest",
                    f"A {protocol} listener on a dualstack load balancer needs "
                    "EnablePrefixForIpv6SourceNat 'on'",
                )


def _check_protocol_and_port(protocol, port) -> None:
    if port is None:
        raise fail("ValidationError", "A listener port must be specified")
    if protocol is None:
        raise fail("ValidationError", "A listener protocol must be specified")
    check_enum(protocol, "protocol", PROTOCOL_ENUM)
    if protocol not in NLB_PROTOCOLS:
        raise fail(
            "ValidationError", f"Listener protocol '{protocol}' must be one of '{', '.join(NLB_PROTOCOLS)}'"
        )
    check_range(port, "port", 1, 65535)


def _check_tls(backend, protocol, certificates, ssl_policy):
    """(certificate ARNs, SSL policy) of a listener."""
    if protocol != "TLS":
        if certificates:
            raise fail("ValidationError", f"Certificates cannot be specified for {protocol} listeners")
        return [], None
    if not certificates:
        raise fail("ValidationError", "A certificate must be specified for TLS listeners")
    arns = []
    for cert in certificates:
        if cert.get("IsDefault") is not None:
            raise fail("ValidationError", "You cannot set the isDefault parameter for a certificate.")
        if not backend._certificate_exists(certificate_arn=cert.get("CertificateArn", "")):
            raise fail("CertificateNotFound", f"Certificate '{cert.get('CertificateArn')}' not found")
        arns.append(cert["CertificateArn"])
    policy = ssl_policy or DEFAULT_SSL_POLICY
    if policy not in SSL_POLICIES:
        raise fail("SSLPolicyNotFound", f"Policy '{policy}' not found")
    return arns, policy


def _attach(backend, lb, listener) -> None:
    for arn in forwarded_target_groups(listener.default_actions):
        group = backend.target_groups[arn]
        if lb.arn not in group.load_balancer_arns:
            group.load_balancer_arns.append(lb.arn)
            group.in_use_since = now()


def _detach_unused(backend, lb) -> None:
    used = {a for l in lb.listeners.values() for a in forwarded_target_groups(l.default_actions)}
    for group in backend.target_groups.values():
        if lb.arn in group.load_balancer_arns and group.arn not in used:
            group.load_balancer_arns.remove(lb.arn)


def _register_certificates(backend, listener) -> None:
    for cert in listener.certificates:
        if not re.search(r":iam:", cert):
            register_certificate(
                account_id=backend.account_id,
                region=backend.region_name,
                arn_certificate=cert,
                arn_user=listener.arn,
            )


def create_network_listener(backend, lb, params: dict):
    protocol, port = params.get("Protocol"), params.get("Port")
    _check_protocol_and_port(protocol, port)
    actions = _actions(backend, params.get("DefaultActions") or [])
    group_arns = forwarded_target_groups(actions)
    certificates, policy = _check_tls(backend, protocol, params.get("Certificates"), params.get("SslPolicy"))
    tags = params.get("Tags") or []
    check_new_tags(tags)
    for other in lb.listeners.values():
        if other.port == port:
            same = (
                other.protocol == protocol
                and forwarded_target_groups(other.default_actions) == group_arns
                and other.certificates == certificates
            )
            if same:  # CreateListener is idempotent for identical settings
                return other
            raise fail("DuplicateListener", "A listener with the specified port already exists.")
    check_listener(backend, lb, protocol, group_arns)
    arn = lb.arn.replace(":loadbalancer/", ":listener/") + "/" + mock_random.get_random_hex(16)
    listener = FakeListener(
        lb.arn, arn, protocol, port, policy, certificates[0] if certificates else None, actions, None
    )
    listener.certificates = certificates
    lb.listeners[arn] = listener
    _attach(backend, lb, listener)
    _register_certificates(backend, listener)
    if tags:
        backend.tagging_service.tag_resource(arn, tags)
    return listener


def modify_network_listener(backend, lb, listener, params: dict):
    protocol = params.get("Protocol") or listener.protocol
    port = params.get("Port") or listener.port
    _check_protocol_and_port(protocol, port)
    actions = (
        _actions(backend, params["DefaultActions"])
        if params.get("DefaultActions")
        else listener.default_actions
    )
    group_arns = forwarded_target_groups(actions)
    certificates = params.get("Certificates")
    if certificates is None and protocol == "TLS":
        certificates = [{"CertificateArn": c} for c in listener.certificates]
    policy = params.get("SslPolicy") or (listener.ssl_policy if protocol == "TLS" else None)
    certificate_arns, policy = _check_tls(backend, protocol, certificates, policy)
    for other in lb.listeners.values():
        if other.arn != listener.arn and other.port == port:
            raise fail("DuplicateListener", "A listener with the specified port already exists.")
    check_listener(backend, lb, protocol, group_arns, exclude_arn=listener.arn)
    listener.protocol, listener.port, listener.ssl_policy = protocol, port, policy
    listener.certificates = certificate_arns
    listener.certificate = certificate_arns[0] if certificate_arns else None
    listener.default_actions = actions
    listener._default_rule[0].actions = actions
    _attach(backend, lb, listener)
    _detach_unused(backend, lb)
    _register_certificates(backend, listener)
    return listener


# ---- responses ----------------------------------------------------------------


def _create_listener(self):
    backend = self.elbv2_backend
    params = self._get_params()
    lb = get_load_balancer(backend, params.get("LoadBalancerArn"))
    if not is_network(lb):
        return _original_create_listener(self)
    return ActionResult({"Listeners": [create_network_listener(backend, lb, params)]})


def _modify_listener(self):
    backend = self.elbv2_backend
    lb, listener = get_listener(backend, self._get_param("ListenerArn"))
    if not is_network(lb):
        return _original_modify_listener(self)
    return ActionResult({"Listeners": [modify_network_listener(backend, lb, listener, self._get_params())]})


def _delete_listener(self):
    backend = self.elbv2_backend
    lb, listener = get_listener(backend, self._get_param("ListenerArn"))
    backend.delete_listener(listener.arn)
    backend.tagging_service.delete_all_tags_for_resource(listener.arn)
    _detach_unused(backend, lb)
    return EmptyResult()


def _describe_listeners(self):
    backend = self.elbv2_backend
    lb_arn = self._get_param("LoadBalancerArn")
    arns = self._get_param("ListenerArns") or []
    if not lb_arn and not arns:
        raise fail("ValidationError", "You must specify either listener ARNs or a load balancer ARN")
    if lb_arn:
        listeners = list(get_load_balancer(backend, lb_arn).listeners.values())
    else:
        listeners = [get_listener(backend, arn)[1] for arn in arns]
    page, marker = paginate(listeners, self._get_param("Marker"), self._get_param("PageSize"))
    return ActionResult({"Listeners": page, "NextMarker": marker})


def _modify_listener_attributes(self):
    backend = self.elbv2_backend
    lb, listener = get_listener(backend, self._get_param("ListenerArn"))
    if not is_network(lb):
        return _original_modify_listener_attributes(self)
    changes = {a["Key"]: str(a.get("Value", "")) for a in self._get_param("Attributes") or []}
    for key, value in changes.items():
        if key != "tcp.idle_timeout.seconds":
            raise fail(
                "InvalidConfigurationRequest",
                f"Listener attribute '{key}' is not supported by Network Load Balancer listeners",
            )
        if listener.protocol == "TLS":
            raise fail(
                "InvalidConfigurationRequest",
                "The idle timeout of TLS listeners is 350 seconds and can't be modified",
            )
        if listener.protocol not in IDLE_TIMEOUT_PROTOCOLS:
            raise fail(
                "InvalidConfigurationRequest",
                f"'{key}' applies to TCP flows; it can't be set on {listener.protocol} listeners",
            )
        if not value.isdigit() or not 60 <= int(value) <= 6000:
            raise fail(
                "InvalidConfigurationRequest", f"'{key}' must be an integer from 60 to 6000, not '{value}'"
            )
    listener.attributes.update(changes)
    return ActionResult({"Attributes": listener.attributes})


_original_create_listener = ELBV2Response.create_listener
_original_modify_listener = ELBV2Response.modify_listener
_original_modify_listener_attributes = ELBV2Response.modify_listener_attributes


def install() -> None:
    elbv2_nlb.install()
    elbv2_targets.install()
    elbv2_registrations.install()
    ELBV2Response.create_listener = serialized(_create_listener)
    ELBV2Response.modify_listener = serialized(_modify_listener)
    ELBV2Response.delete_listener = serialized(_delete_listener)
    ELBV2Response.describe_listeners = serialized(_describe_listeners)
    ELBV2Response.modify_listener_attributes = serialized(_modify_listener_attributes)
