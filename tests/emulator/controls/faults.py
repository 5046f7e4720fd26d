"""Fault injection for the emulator: make the next N calls of an API action fail,
or (fault_rates.py) a seeded share of all calls fail the way AWS fails under load.

    POST /_trustchain/faults  {"action": "CreateNatGateway", "code": "InternalFailure",
                               "message": "...", "count": 1,
                               "service": "ec2", "status": 400}
    POST /_trustchain/faults  {"seed": 7, "rates": [...], ...}   (see fault_rates.py)
    GET /_trustchain/faults      (what is armed, the rates, what was injected)
    DELETE /_trustchain/faults   (clear all: armed faults, rates, counts)

`action`, `code`, `message` and `count` are as before; `service` (optional) is the
SigV4 signing name (ec2, elasticloadbalancing, sts, cloudhsm) for actions that
several services share (DescribeTags); `status` (optional, default 400) is the
HTTP status. TRUSTCHAIN_EMULATOR_FAULTS (the rates JSON) sets rates at start.

The error goes out in the protocol's own format, as AWS sends it, so SDKs parse
the code and message: EC2 query `<Response><Errors><Error>`, other query services
(ELBv2, STS) `<ErrorResponse><Error>`, JSON services (CloudHSM v2) `{"__type",
"message"}` with the `x-amzn-ErrorType` header. The default codes of armed faults
are not retryable, so SDK retries do not swallow them; the rates' codes are the
retryable ones AWS sends (throttling, 500, 503).

Each faulted call is marked in the WSGI environ (`trustchain.fault`) for the
request log, which sits outside this middleware.
"""

import json
import os
import socket
import threading
import time
from http import HTTPStatus
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from controls import aws_request
from controls import consistency
from controls import fault_rates
from controls.aws_request import EC2, JSON, QUERY

_lock = threading.Lock()
_faults: dict[tuple[str, str], dict] = {}  # (service or "*", action) -> fault

_DEFAULT_CODE = {EC2: "UnauthorizedOperation", QUERY: "AccessDenied", JSON: "AccessDeniedException"}
_REQUEST_ID = "00000000-0000-4000-8000-000000000000"


def _query_namespace(environ, service: str) -> str:
    body = aws_request.buffer_body(environ)
    version = (parse_qs(body.decode("utf-8", "replace")).get("Version") or [""])[0]
    return f"https://{service}.amazonaws.com/doc/{version}/"


def render(call: aws_request.Call, environ, code: str, message: str, status: int):
    """(headers, body) of an error response in the call's protocol."""
    if call.protocol == JSON:
        body = json.dumps({"__type": code, "message": message}).encode()
        content_type = environ.get("CONTENT_TYPE") or "application/x-amz-json-1.1"
        headers = [("Content-Type", content_type), ("x-amzn-ErrorType", code)]
    elif call.protocol == EC2:
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Response><Errors><Error><Code>{escape(code)}</Code>"
            f"<Message>{escape(message)}</Message></Error></Errors>"
            f"<RequestID>{_REQUEST_ID}</RequestID></Response>"
        ).encode()
        headers = [("Content-Type", "text/xml")]
    else:
        kind = "Receiver" if status >= 500 else "Sender"
        namespace = escape(_query_namespace(environ, call.service), {'"': "&quot;"})
        body = (
            f'<ErrorResponse xmlns="{namespace}"><Error><Type>{kind}</Type>'
            f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message></Error>"
            f"<RequestId>{_REQUEST_ID}</RequestId></ErrorResponse>"
        ).encode()
        headers = [("Content-Type", "text/xml")]
    headers += [("x-amzn-RequestId", _REQUEST_ID), ("Content-Length", str(len(body)))]
    return headers, body


def _arm(spec: dict) -> None:
    if not isinstance(spec.get("action"), str) or not spec["action"]:
        raise ValueError('"action" (the API action name, e.g. "CreateHsm") is required')
    status = int(spec.get("status", 400))
    if status not in {s.value for s in HTTPStatus} or not 400 <= status <= 599:
        raise ValueError(f'"status" must be an HTTP error status 400..599, got {status}')
    with _lock:
        _faults[(spec.get("service") or "*", spec["action"])] = {
            "code": spec.get("code"),
            "message": spec.get("message", "injected fault"),
            "count": int(spec.get("count", 1)),
            "status": status,
        }


def _take(call: aws_request.Call) -> dict | None:
    with _lock:
        for key in ((call.service, call.action), ("*", call.action)):
            fault = _faults.get(key)
            if fault and fault["count"] > 0:
                fault["count"] -= 1
                return dict(fault)
    return None


def configure_rates(spec) -> None:
    fault_rates.configure(spec)
    consistency.clear()


def configure_from_environment() -> None:
    raw = os.environ.get("TRUSTCHAIN_EMULATOR_FAULTS", "").strip()
    if not raw:
        return
    try:
        configure_rates(json.loads(raw))
    except (ValueError, TypeError) as e:
        raise SystemExit(f"TRUSTCHAIN_EMULATOR_FAULTS: {e}") from None


def _control(environ, start_response):
    method = environ["REQUEST_METHOD"]
    if method == "DELETE":
        with _lock:
            _faults.clear()
        fault_rates.clear()
        consistency.clear()
        return aws_request.reply(start_response, "204 No Content")
    if method == "GET":
        with _lock:
            armed = [{"service": s, "action": a, **f} for (s, a), f in _faults.items()]
        return aws_request.reply(start_response, "200 OK", {"faults": armed, **fault_rates.snapshot()})
    try:
        spec = aws_request.read_json(environ)
        if "rates" in spec:
            configure_rates(spec)
        else:
            _arm(spec)
    except (ValueError, TypeError) as e:
        return aws_request.reply(start_response, "400 Bad Request", {"error": str(e)})
    return aws_request.reply(start_response, "204 No Content")


def _error(call, environ, start_response, code: str, message: str, status: int):
    headers, body = render(call, environ, code, message, status)
    start_response(f"{status} {HTTPStatus(status).phrase}", headers)
    return [body]


def _drop(environ, start_response):
    """Closes the connection before answering: the client sees it reset."""
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    # The server's write then fails and it drops the connection quietly.
    start_response("500 Internal Server Error", [("Content-Length", "0")])
    return [b""]


def _serve(app, environ, start_response, call, decision):
    """Runs the call, then lets consistency.py rewrite what a read answers."""
    body_in = aws_request.buffer_body(environ)
    params = consistency.request_params(call, environ, body_in)
    refused = consistency.refusal(call.service, call.action, params)
    if refused:
        fault_rates.count("not_found_after_create", call.service, call.action)
        environ["trustchain.fault"] = "not_found_after_create"
        return _error(call, environ, start_response, refused[0], refused[1], 400)
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
    body = b"".join(chunks)
    status = captured.get("status", "500 Internal Server Error")
    headers = [h for h in captured.get("headers", []) if h[0].lower() != "content-length"]
    if status.startswith("200"):
        body, kinds = consistency.after(call.service, call.action, params, body, decision)
        for kind in kinds:
            fault_rates.count(kind, call.service, call.action)
        if kinds:
            environ["trustchain.fault"] = ",".join(sorted(set(kinds)))
    start_response(status, headers + [("Content-Length", str(len(body)))])
    return [body]


def middleware(app):
    def wrapped(environ, start_response):
        if environ.get("PATH_INFO", "") == "/_trustchain/faults":
            return _control(environ, start_response)
        call = aws_request.identify(environ)
        fault = _take(call) if call else None
        if fault:
            code = fault["code"] or _DEFAULT_CODE[call.protocol]
            environ["trustchain.fault"] = "armed"
            return _error(call, environ, start_response, code, fault["message"], fault["status"])
        decision = fault_rates.decide(call.service, call.action) if call else None
        if decision is None:
            return app(environ, start_response)
        if decision.fail:
            fault_rates.count(decision.fail, call.service, call.action)
            environ["trustchain.fault"] = decision.fail
            if decision.fail == "drop":
                return _drop(environ, start_response)
            code, status = fault_rates.CODES[decision.fail][call.protocol]
            return _error(call, environ, start_response, code, fault_rates.MESSAGES[decision.fail], status)
        if decision.slow:
            fault_rates.count("slow", call.service, call.action)
            time.sleep(decision.slow)
        return _serve(app, environ, start_response, call, decision)

    return wrapped
