"""Shared pieces of the ELBv2 (Network Load Balancer) extension: protocol
families, AWS error helpers, the emulator's timing knobs and paging.

Timing: AWS takes minutes to provision an NLB and to health-check a target; the
emulator keeps the same state sequence but compresses it to seconds. An NLB's
provisioning time is the `nlb_provisioning` delay (controls/delays.py, changeable at run
time; EMULATOR_NLB_PROVISIONING_SECONDS sets it at start); targets follow
environment variables read when a resource is created:

    EMULATOR_TARGET_INITIAL_SECONDS    target initial -> healthy      (default 1)
    EMULATOR_TARGET_DRAINING_SECONDS   longest draining after deregistration; the
                                       target group's deregistration delay wins
                                       when shorter                   (default 1)
"""

import base64
import functools
import os
import re
import threading
import time

from moto.elbv2.exceptions import ELBClientError

# Protocols of Network Load Balancer listeners and target groups.
NLB_PROTOCOLS = ("TCP", "TLS", "UDP", "TCP_UDP", "QUIC", "TCP_QUIC")
QUIC_FAMILY = ("QUIC", "TCP_QUIC")
UDP_FAMILY = ("UDP", "TCP_UDP")
# Protocols that carry UDP: client IP preservation cannot be turned off for them.
UDP_CARRYING = ("UDP", "TCP_UDP", "QUIC", "TCP_QUIC")
HEALTH_CHECK_PROTOCOLS = ("TCP", "HTTP", "HTTPS")
# Listener protocol -> target group protocols it may forward to (AWS's table in
# "Target groups for your Network Load Balancers"; a TCP_x listener needs a
# TCP_x target group, a plain listener also accepts the combined protocol).
COMPATIBLE_TARGET_PROTOCOLS = {
    "TCP": ("TCP", "TCP_UDP", "TCP_QUIC"),
    "TLS": ("TCP", "TLS"),
    "UDP": ("UDP", "TCP_UDP"),
    "TCP_UDP": ("TCP_UDP",),
    "QUIC": ("QUIC", "TCP_QUIC"),
    "TCP_QUIC": ("TCP_QUIC",),
}
MAX_TAGS = 50


def fail(code: str, message: str) -> ELBClientError:
    """An AWS error response: `raise fail("InvalidConfigurationRequest", ...)`."""
    return ELBClientError(code, message)


def constraint(value, field: str, rule: str) -> ELBClientError:
    # The wording AWS uses for model constraint violations.
    return fail(
        "ValidationError",
        f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy " f"constraint: {rule}",
    )


def check_range(value, field: str, low: int, high: int) -> None:
    if value is None:
        return
    if int(value) < low:
        raise constraint(value, field, f"Member must have value greater than or equal to {low}")
    if int(value) > high:
        raise constraint(value, field, f"Member must have value less than or equal to {high}")


def check_enum(value, field: str, allowed) -> None:
    if value is not None and value not in allowed:
        raise constraint(value, field, f"Member must satisfy enum value set: [{', '.join(allowed)}]")


def seconds(variable: str, default: float = 1.0) -> float:
    try:
        return max(0.0, float(os.environ.get(variable, default)))
    except ValueError:
        return default


def now() -> float:
    return time.monotonic()


def paginate(items: list, marker, page_size, limit: int = 400):
    """One page of `items` and the marker for the next (None on the last page).
    Markers are opaque to clients, as AWS's are."""
    check_range(page_size, "pageSize", 1, limit)
    size = int(page_size) if page_size else limit
    start = 0
    if marker:
        try:
            start = int(base64.urlsafe_b64decode(marker.encode()).decode())
        except (ValueError, UnicodeDecodeError):
            raise fail("ValidationError", "The marker is not valid.")
    page = items[start : start + size]
    following = start + size
    next_marker = (
        base64.urlsafe_b64encode(str(following).encode()).decode() if following < len(items) else None
    )
    return page, next_marker


def bool_text(value: str, key: str) -> str:
    if str(value).lower() not in ("true", "false"):
        raise fail(
            "InvalidConfigurationRequest",
            f"The value of '{key}' must be 'true' or 'false', not '{value}'.",
        )
    return str(value).lower()


def forwarded_target_groups(actions) -> list:
    """Target group ARNs that a listener's default actions forward to (moto keeps
    actions as FakeAction objects with `.data`, requests carry plain dicts)."""
    arns = []
    for action in actions or []:
        data = getattr(action, "data", action)
        if data.get("Type") != "forward":
            continue
        if data.get("TargetGroupArn"):
            arns.append(data["TargetGroupArn"])
        for group in (data.get("ForwardConfig") or {}).get("TargetGroups") or []:
            if group.get("TargetGroupArn") and group["TargetGroupArn"] not in arns:
                arns.append(group["TargetGroupArn"])
    return arns


# ELBv2 API reference, Tag: Key "Length Constraints: Minimum length of 1. Maximum
# length of 128. Pattern: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$"; Value "Maximum length
# of 256", same pattern. User guide (Tag a Network Load Balancer): "Do not use the
# aws: prefix in your tag names or values because it is reserved for AWS use."
_TAG_CHARACTERS = re.compile(r"^[\w\s.:/=+\-@]*$")


def _tag_characters_ok(text: str) -> bool:
    # \p{L}\p{N} are letters and numbers of any script, \p{Z} separators; Python's
    # \w adds "_" (allowed) and \s adds control whitespace, refused below.
    return bool(_TAG_CHARACTERS.match(text)) and not any(c in text for c in "\t\n\r\f\v")


def check_tag_rules(tags) -> None:
    for tag in tags or []:
        key, value = tag.get("Key") or "", tag.get("Value") or ""
        if key.lower().startswith("aws:"):
            raise fail("ValidationError", f"Tag key '{key}' starts with aws:, a prefix reserved for AWS use")
        if not 1 <= len(key) <= 128:
            raise fail(
                "ValidationError",
                f"1 validation error detected: Value '{key[:40]}' at 'tags.member.key' failed to "
                "satisfy constraint: Member must have length between 1 and 128",
            )
        if len(value) > 256:
            raise fail(
                "ValidationError",
                f"1 validation error detected: the value of tag '{key}' at 'tags.member.value' failed "
                "to satisfy constraint: Member must have length less than or equal to 256",
            )
        if not (_tag_characters_ok(key) and _tag_characters_ok(value)):
            raise fail(
                "ValidationError",
                f"1 validation error detected: tag '{key}' failed to satisfy constraint: Member must "
                "satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$",
            )


def check_new_tags(tags) -> None:
    check_tag_rules(tags)
    keys = [t.get("Key") for t in tags or []]
    for key in keys:
        if keys.count(key) > 1:
            raise fail("DuplicateTagKeys", f"Tag key was specified more than once: {key}")
    if len(keys) > MAX_TAGS:
        raise fail(
            "TooManyTags",
            f"The quota for the number of tags that can be assigned to a resource ({MAX_TAGS}) "
            "has been reached",
        )


_lock = threading.RLock()


def serialized(handler):
    """Runs a response handler under one lock: the server is threaded, and a rule
    checked then applied (one QUIC listener per NLB, unique server IDs) must not
    interleave with a concurrent request, as Terraform sends them in parallel."""

    @functools.wraps(handler)
    def wrapped(*args, **kwargs):
        with _lock:
            return handler(*args, **kwargs)

    return wrapped
