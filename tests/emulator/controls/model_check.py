"""Every AWS request the emulator receives, and every answer it gives, checked against
AWS's own model of the operation: botocore's service models (the JSON that AWS's SDKs
are generated from), as installed with moto.

A request is parsed back into parameters with the operation's input shape (the query
and EC2 protocols' flattened `Name.member.N` / `Name.N` keys, or the JSON body), then
checked as AWS checks it before any work: no parameter the operation does not have,
every required member present, values of the member's type, enum values, lengths and
ranges (`min`, `max`) and patterns. botocore's own ParamValidator does the required
members, types and minimums; the rest is here. A request AWS would refuse answers 400
with the error AWS gives (ELBv2 and STS `ValidationError`; EC2 `UnknownParameter`,
`MissingParameter` or `InvalidParameterValue`; CloudHSM v2
`CloudHsmInvalidRequestException`) and the reasons (never a value: bodies may carry
secrets), instead of the emulator accepting what AWS would refuse.

An answer (2xx) is read back with the operation's output shape: every element or
member must be one the shape has, of its type (integers in their 32/64-bit range,
booleans, timestamps, enum values). An answer that does not match is the emulator's
bug; it is replaced by a 400 `EmulatorModelViolation`.

    GET /_trustchain/model     {"checked": {"requests": 12, "answers": 11},
                                "violations": [{"service": "ec2", "action": "CreateVpc",
                                                "side": "request", "problems": [...]}]}
    DELETE /_trustchain/model  (start from zero)

Each violation names its `client` (`aws-sdk-rust` for the provider, `boto3` for a test's
own calls, which may be wrong on purpose). The acceptance harness reads them after each
step list and fails on any of the provider's and on any answer (tests/src/steps.rs), so
a refused call the provider tolerated (retried, or read as "not found") still fails
the test.
"""

import base64
import datetime
import json
import re
import threading
import xml.etree.ElementTree as ET
from urllib.parse import parse_qsl

from controls import aws_request
from controls import faults
from botocore.loaders import Loader
from botocore.model import ServiceModel
from botocore.validate import ParamValidator

# SigV4 signing name (or X-Amz-Target prefix) -> botocore service name.
SERVICES = {
    "ec2": "ec2",
    "elasticloadbalancing": "elbv2",
    "cloudhsm": "cloudhsmv2",
    "cloudhsmv2": "cloudhsmv2",
    "BaldrApiService": "cloudhsmv2",
    "sts": "sts",
    "kms": "kms",
    "TrentService": "kms",
    "acm-pca": "acm-pca",
    "ACMPrivateCA": "acm-pca",
}

CODE = "EmulatorModelViolation"

# Values AWS documents answering although its model's enum lacks them (so do moto's
# answers): EC2 API reference, InternetGatewayAttachment: "For an internet gateway, the
# state is available when attached to a VPC" (AttachmentStatus: attaching, attached,
# detaching, detached); Instance: "platform ... This value is windows for Windows
# instances" (PlatformValues: Windows). VpcEndpoint.State (shape State, enum
# PendingAcceptance, Pending, Available, ...): EC2 answers "available" in lower
# case; hashicorp/aws waits against real AWS for exactly that
# (internal/service/ec2, vpcEndpointStateAvailable = "available", citing the
# PrivateLink guide's vpce-interface-lifecycle section), as moto answers.
ANSWERED_OUTSIDE_ENUM = {
    "AttachmentStatus": ("available",),
    "PlatformValues": ("windows",),
    "State": ("available",),
}
INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)

_lock = threading.Lock()
_models: dict[str, ServiceModel] = {}
_patterns: dict[str, re.Pattern | None] = {}
_violations: list[dict] = []
_checked = {"requests": 0, "answers": 0}
_loader = Loader()


def model(service: str) -> ServiceModel | None:
    name = SERVICES.get(service)
    if name is None:
        return None
    with _lock:
        if name not in _models:
            _models[name] = ServiceModel(_loader.load_service_model(name, "service-2"), name)
        return _models[name]


def operation(service: str, action: str):
    m = model(service)
    if m is None or action not in m.operation_names:
        return None
    return m.operation_model(action)


# ---------------------------------------------------------------------------
# Requests
# ---------------------------------------------------------------------------


def _wire(member_name: str, shape, ec2: bool) -> str:
    """A member's name in a query request."""
    if ec2:
        query = shape.serialization.get("queryName")
        if query:
            return query
        name = shape.serialization.get("name", member_name)
        return name[:1].upper() + name[1:]
    return shape.serialization.get("name", member_name)


class _Flat:
    """The request's `name=value` pairs, with what the shape consumed."""

    def __init__(self, pairs):
        self.values: dict[str, str] = {}
        self.repeated: set[str] = set()
        for k, v in pairs:
            if k in self.values:
                self.repeated.add(k)
            self.values[k] = v
        self.used: set[str] = set()

    def has_prefix(self, prefix: str) -> bool:
        return any(k.startswith(prefix) for k in self.values)


def _scalar(shape, text: str, at: str, problems: list):
    t = shape.type_name
    try:
        if t in ("integer", "long"):
            return int(text)
        if t in ("float", "double"):
            return float(text)
        if t == "boolean":
            if text not in ("true", "false"):
                raise ValueError
            return text == "true"
        if t == "blob":
            return base64.b64decode(text, validate=True)
    except (ValueError, TypeError):
        problems.append(f"{at}: not a valid {t}")
        return None
    return text


def _from_query(shape, flat: _Flat, key: str, ec2: bool, problems: list):
    """The value of `shape` at `key` (None when absent)."""
    t = shape.type_name
    if t == "structure":
        if key and not flat.has_prefix(key + "."):
            if key in flat.values:
                flat.used.add(key)
                problems.append(f"{key}: a structure given as a single value")
            return None
        out = {}
        for name, member in shape.members.items():
            wire = _wire(name, member, ec2)
            value = _from_query(member, flat, f"{key}.{wire}" if key else wire, ec2, problems)
            if value is not None:
                out[name] = value
        return out
    if t == "list":
        if key in flat.values and flat.values[key] == "":
            flat.used.add(key)  # an empty list (query protocol)
            return []
        if ec2 or shape.serialization.get("flattened"):
            base = key
        else:
            base = f"{key}.{shape.member.serialization.get('name', 'member')}"
        items = []
        i = 1
        while f"{base}.{i}" in flat.values or flat.has_prefix(f"{base}.{i}."):
            items.append(_from_query(shape.member, flat, f"{base}.{i}", ec2, problems))
            i += 1
        return items if items else None
    if t == "map":
        base = key if shape.serialization.get("flattened") else f"{key}.entry"
        kname = shape.key.serialization.get("name", "key")
        vname = shape.value.serialization.get("name", "value")
        out = {}
        i = 1
        while flat.has_prefix(f"{base}.{i}."):
            k = _from_query(shape.key, flat, f"{base}.{i}.{kname}", ec2, problems)
            v = _from_query(shape.value, flat, f"{base}.{i}.{vname}", ec2, problems)
            out[k] = v
            i += 1
        return out if out else None
    if key not in flat.values:
        return None
    flat.used.add(key)
    if key in flat.repeated:
        problems.append(f"{key}: given more than once")
    return _scalar(shape, flat.values[key], key, problems)


def _pattern(p: str) -> re.Pattern | None:
    with _lock:
        if p not in _patterns:
            try:
                _patterns[p] = re.compile(p)
            except re.error:
                _patterns[p] = None  # a Java-only construct: not checked
        return _patterns[p]


def _constraints(shape, value, at: str, problems: list) -> None:
    """What botocore's validator leaves out: enums, maximums, patterns."""
    if value is None:
        return
    t = shape.type_name
    meta = shape.metadata
    if t == "structure" and isinstance(value, dict):
        for name, v in value.items():
            if name in shape.members:
                _constraints(shape.members[name], v, f"{at}.{name}" if at else name, problems)
        return
    if t == "list" and isinstance(value, list):
        if "max" in meta and len(value) > meta["max"]:
            problems.append(f"{at}: {len(value)} items, at most {meta['max']}")
        for i, v in enumerate(value):
            _constraints(shape.member, v, f"{at}[{i}]", problems)
        return
    if t == "map" and isinstance(value, dict):
        if "max" in meta and len(value) > meta["max"]:
            problems.append(f"{at}: {len(value)} entries, at most {meta['max']}")
        for k, v in value.items():
            _constraints(shape.key, k, f"{at} key", problems)
            _constraints(shape.value, v, f"{at}[{k!r}]", problems)
        return
    if t == "string" and isinstance(value, str):
        enum = getattr(shape, "enum", None) or []
        if enum and value not in enum:
            problems.append(f"{at}: not one of {shape.name}'s values ({', '.join(enum[:12])}{'...' if len(enum) > 12 else ''})")
        if "max" in meta and len(value) > meta["max"]:
            problems.append(f"{at}: longer than {meta['max']} characters")
        if "pattern" in meta:
            rx = _pattern(meta["pattern"])
            if rx is not None and not rx.search(value):
                problems.append(f"{at}: does not match the pattern {meta['pattern']!r} of {shape.name}")
        return
    if t in ("integer", "long") and isinstance(value, int) and not isinstance(value, bool):
        lo, hi = INT32 if t == "integer" else INT64
        if not lo <= value <= hi:
            problems.append(f"{at}: {value} outside the {t} range")
        if "max" in meta and value > meta["max"]:
            problems.append(f"{at}: {value} greater than {meta['max']}")


def request_problems(service: str, action: str, protocol: str, body: bytes, query: str) -> list[str] | None:
    """What AWS would refuse in this request (None: not a modeled operation)."""
    op = operation(service, action)
    if op is None:
        m = model(service)
        if m is None:
            return None
        return [f"{action} is not an operation of {m.service_name}"]
    shape = op.input_shape
    problems: list[str] = []
    if protocol == aws_request.JSON:
        try:
            params = json.loads(body or b"{}")
        except ValueError:
            return ["the body is not JSON"]
        if not isinstance(params, dict):
            return ["the body is not a JSON object"]
    else:
        pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        pairs += parse_qsl(query, keep_blank_values=True)
        flat = _Flat([(k, v) for k, v in pairs if k not in ("Action", "Version")])
        params = _from_query(shape, flat, "", protocol == aws_request.EC2, problems) if shape else {}
        unknown = sorted(set(flat.values) - flat.used)
        if unknown:
            problems.append(f"unknown parameters {unknown} (not in {action}'s input)")
        params = params or {}
    if shape is None:
        if params:
            problems.append(f"{action} takes no parameters")
        return problems
    report = ParamValidator().validate(params, shape)
    if report.has_errors():
        for line in report.generate_report().splitlines():
            line = line.strip()
            if line and not line.startswith("Parameter validation failed"):
                # botocore quotes the value: never repeat it (bodies may hold secrets).
                problems.append(re.sub(r"value: .*?, (type|valid)", r"\1", line))
    _constraints(shape, params, "", problems)
    return problems


# ---------------------------------------------------------------------------
# Answers
# ---------------------------------------------------------------------------


def _tag(e) -> str:
    return e.tag.split("}", 1)[-1]


def _check_text(shape, text: str, at: str, problems: list) -> None:
    t = shape.type_name
    text = text or ""
    if t in ("integer", "long"):
        try:
            v = int(text)
        except ValueError:
            problems.append(f"{at}: {t} expected")
            return
        lo, hi = INT32 if t == "integer" else INT64
        if not lo <= v <= hi:
            problems.append(f"{at}: {v} outside the {t} range (an SDK cannot read it)")
    elif t in ("float", "double"):
        try:
            float(text)
        except ValueError:
            problems.append(f"{at}: {t} expected")
    elif t == "boolean":
        if text not in ("true", "false"):
            problems.append(f"{at}: boolean expected")
    elif t == "timestamp":
        try:
            datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            problems.append(f"{at}: ISO 8601 timestamp expected")
    elif t == "string":
        enum = getattr(shape, "enum", None) or []
        if enum and text not in enum and text not in ANSWERED_OUTSIDE_ENUM.get(shape.name, ()):
            # An answer's value is the emulator's own (never a caller's secret).
            problems.append(f"{at}: {text[:40]!r} is not one of {shape.name}'s values")


def _check_xml(shape, e, at: str, ec2: bool, problems: list) -> None:
    t = shape.type_name
    if t == "structure":
        wires = {m.serialization.get("name", n): (n, m) for n, m in shape.members.items()}
        flattened = {w for w, (_, m) in wires.items() if m.type_name == "list" and m.serialization.get("flattened")}
        for child in e:
            tag = _tag(child)
            if tag not in wires:
                problems.append(f"{at}.{tag}: not a member of {shape.name}")
                continue
            name, member = wires[tag]
            if tag in flattened:
                _check_xml(member.member, child, f"{at}.{name}[]", ec2, problems)
            else:
                _check_xml(member, child, f"{at}.{name}", ec2, problems)
    elif t == "list":
        item = shape.member.serialization.get("name", "item" if ec2 else "member")
        for i, child in enumerate(e):
            if _tag(child) != item:
                problems.append(f"{at}: element {_tag(child)!r}, expected {item!r}")
                continue
            _check_xml(shape.member, child, f"{at}[{i}]", ec2, problems)
    elif t == "map":
        kname = shape.key.serialization.get("name", "key")
        vname = shape.value.serialization.get("name", "value")
        for entry in e:
            for part in entry:
                which = _tag(part)
                if which == kname:
                    _check_text(shape.key, part.text, f"{at} key", problems)
                elif which == vname:
                    _check_xml(shape.value, part, f"{at} value", ec2, problems)
                else:
                    problems.append(f"{at}: map entry element {which!r}")
    else:
        if len(e):
            problems.append(f"{at}: a {t} holding elements")
        else:
            _check_text(shape, e.text, at, problems)


def _check_json(shape, v, at: str, problems: list) -> None:
    if v is None:
        return
    t = shape.type_name
    if t == "structure":
        if not isinstance(v, dict):
            problems.append(f"{at}: object expected")
            return
        for k, x in v.items():
            if k not in shape.members:
                problems.append(f"{at}.{k}: not a member of {shape.name}")
            else:
                _check_json(shape.members[k], x, f"{at}.{k}", problems)
    elif t == "list":
        if not isinstance(v, list):
            problems.append(f"{at}: array expected")
            return
        for i, x in enumerate(v):
            _check_json(shape.member, x, f"{at}[{i}]", problems)
    elif t == "map":
        if not isinstance(v, dict):
            problems.append(f"{at}: object expected")
            return
        for k, x in v.items():
            _check_json(shape.value, x, f"{at}[{k!r}]", problems)
    elif t in ("integer", "long"):
        if not isinstance(v, int) or isinstance(v, bool):
            problems.append(f"{at}: {t} expected")
        else:
            lo, hi = INT32 if t == "integer" else INT64
            if not lo <= v <= hi:
                problems.append(f"{at}: {v} outside the {t} range (an SDK cannot read it)")
    elif t in ("float", "double"):
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            problems.append(f"{at}: number expected")
    elif t == "boolean":
        if not isinstance(v, bool):
            problems.append(f"{at}: boolean expected")
    elif t == "timestamp":
        if not isinstance(v, (int, float, str)) or isinstance(v, bool):
            problems.append(f"{at}: timestamp expected")
    elif t in ("string", "blob"):
        if not isinstance(v, str):
            problems.append(f"{at}: string expected")
        elif t == "string":
            _check_text(shape, v, at, problems)


def answer_problems(service: str, action: str, protocol: str, body: bytes) -> list[str]:
    op = operation(service, action)
    if op is None:
        return []
    shape = op.output_shape
    problems: list[str] = []
    if protocol == aws_request.JSON:
        try:
            v = json.loads(body or b"{}")
        except ValueError:
            return ["the answer is not JSON"]
        if shape is not None:
            _check_json(shape, v, action, problems)
        return problems
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return ["the answer is not XML"]
    if _tag(root) != f"{action}Response":
        return [f"the answer's root element is {_tag(root)}, not {action}Response"]
    if protocol == aws_request.EC2:
        result = root
        extra = {"requestId"}
    else:
        extra = {"ResponseMetadata"}
        result = next((c for c in root if _tag(c) == f"{action}Result"), None)
        others = [_tag(c) for c in root if _tag(c) not in extra and c is not result]
        if others:
            problems.append(f"{action}Response: unexpected elements {others}")
        if result is None:
            if shape is not None and shape.members:
                problems.append(f"no {action}Result element")
            return problems
    if shape is None:
        return problems
    members = ET.Element(result.tag)
    members.extend(c for c in result if _tag(c) not in extra)
    _check_xml(shape, members, action, protocol == aws_request.EC2, problems)
    return problems


# ---------------------------------------------------------------------------
# Middleware
# ---------------------------------------------------------------------------


def _client(environ) -> str:
    """Who sent the request: the provider (AWS SDK for Rust) or a test's boto3."""
    agent = environ.get("HTTP_USER_AGENT") or ""
    if "aws-sdk-rust" in agent:
        return "aws-sdk-rust"
    if "Boto3" in agent or "Botocore" in agent:
        return "boto3"
    return "other"


def _record(call, environ, side: str, problems: list[str]) -> None:
    with _lock:
        _violations.append(
            {
                "service": call.service,
                "action": call.action,
                "side": side,
                "client": _client(environ),
                "problems": problems,
            }
        )


def snapshot() -> dict:
    with _lock:
        return {"checked": dict(_checked), "violations": list(_violations)}


def reset() -> None:
    with _lock:
        _violations.clear()
        _checked.update(requests=0, answers=0)


def _request_code(call, problems: list[str]) -> str:
    """The error AWS answers a request its model refuses with."""
    if call.protocol == aws_request.JSON and call.service in ("kms", "TrentService", "acm-pca", "ACMPrivateCA"):
        # KMS and Private CA API references, Common Errors: ValidationException, "The
        # input fails to satisfy the constraints specified by an AWS service."
        return "ValidationException"
    if call.protocol == aws_request.JSON:
        # CloudHSM v2 declares no ValidationException: bad input is an invalid request.
        return "CloudHsmInvalidRequestException"
    if call.protocol == aws_request.EC2:
        first = problems[0]
        if first.startswith("unknown parameters"):
            return "UnknownParameter"
        if first.startswith("Missing required parameter"):
            return "MissingParameter"
        return "InvalidParameterValue"
    return "ValidationError"


def _refuse(call, environ, start_response, side: str, problems: list[str]):
    if side == "request":
        code = _request_code(call, problems)
        message = (
            f"{len(problems)} validation error(s) detected by the emulator's check against AWS's model of "
            f"{call.action}: " + "; ".join(problems)
        )
    else:
        code = CODE
        message = f"the emulator's answer to {call.action} does not match AWS's model (an emulator bug): " + "; ".join(
            problems
        )
    headers, body = faults.render(call, environ, code, message, 400)
    start_response("400 Bad Request", headers)
    return [body]


def middleware(app):
    def wrapped(environ, start_response):
        if environ.get("PATH_INFO", "") == "/_trustchain/model":
            if environ["REQUEST_METHOD"] == "DELETE":
                reset()
                return aws_request.reply(start_response, "204 No Content")
            return aws_request.reply(start_response, "200 OK", snapshot())
        call = aws_request.identify(environ)
        if call is None or model(call.service) is None:
            return app(environ, start_response)
        body = aws_request.buffer_body(environ)
        problems = request_problems(call.service, call.action, call.protocol, body, environ.get("QUERY_STRING", ""))
        with _lock:
            _checked["requests"] += 1
        if problems:
            _record(call, environ, "request", problems)
            return _refuse(call, environ, start_response, "request", problems)
        captured = {}
        chunks: list[bytes] = []

        def capture(status, headers, exc_info=None):
            captured.update(status=status, headers=headers)
            return chunks.append

        result = app(environ, capture)
        try:
            chunks.extend(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        out = b"".join(chunks)
        status = captured.get("status", "500 Internal Server Error")
        if status.startswith("2"):
            problems = answer_problems(call.service, call.action, call.protocol, out)
            with _lock:
                _checked["answers"] += 1
            if problems:
                _record(call, environ, "answer", problems)
                return _refuse(call, environ, start_response, "answer", problems)
        start_response(status, captured.get("headers", []))
        return [out]

    return wrapped
