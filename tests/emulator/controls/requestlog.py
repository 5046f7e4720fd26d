"""A log of the AWS calls the emulator served, for tests and the benchmark that
count API calls.

    GET /_trustchain/requests     {"total": 7, "retries": 1,
                                   "counts": {"cloudhsm": {"CreateHsm": 2, ...}, "ec2": {...}},
                                   "calls": [{"seq": 1, "service": "ec2",
                                              "action": "CreateVpc", "status": 200,
                                              "attempt": 1, "fault": null,
                                              "start": 0.0123, "end": 0.0581,
                                              "user_agent": "terraform-provider-trustchain/...",
                                              "caller_account": "123456789012"}, ...]}
    DELETE /_trustchain/requests  (start counting from zero)

`service` is the SigV4 signing name the client used (ec2, elasticloadbalancing,
sts, cloudhsm). Every call of the query and JSON protocols counts (REST services
such as S3 are not recognised), including those a fault made fail; a dropped
connection has status 0. `attempt` is the SDK's attempt number from its
`amz-sdk-request: attempt=N; max=M` header (1 without it), so `retries` counts the
calls an SDK repeated; `fault` is the kind of fault injected into the call
(faults.py), if any. Only these fields are kept, never a body or any other header:
InitializeCluster carries certificates and other calls may carry secrets. The
ordered list keeps the last CALLS_KEPT calls; the counts are never truncated. `start`
and `end` are seconds since the log was last cleared (monotonic clock): when the request
arrived and when its answer began, emulated latency included, so overlapping calls show
how many the client had in flight.

    POST /_trustchain/requests/watch  {"needles": ["piece of a secret", ...]}
    GET /_trustchain/requests/watch   {"watched": {"cloudhsm InitializeCluster": 1, ...}}
    DELETE /_trustchain/requests/watch

For secret tests: every later request (S3 included) whose body, query string or
headers hold a needle, as sent or URL-decoded, is counted by "service action" (S3:
"s3 METHOD"). The needles are kept in memory only; nothing of a request is stored.
"""

import threading
import time
from urllib.parse import unquote_plus
from collections import deque

from controls import aws_request

CALLS_KEPT = 100_000

_lock = threading.Lock()
_counts: dict[str, dict[str, int]] = {}
_calls: deque = deque(maxlen=CALLS_KEPT)
_seq = 0
_retries = 0
_epoch = time.monotonic()
_needles: list[str] = []
_watched: dict[str, int] = {}


def _attempt(environ) -> int:
    # amz-sdk-request: attempt=2; max=26
    for part in (environ.get("HTTP_AMZ_SDK_REQUEST") or "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == "attempt" and value.isdigit():
            return int(value)
    return 1


def _caller_account(environ) -> str | None:
    key = aws_request.access_key_id(environ)
    if not key:
        return None
    from moto.iam.models import get_account_id_from

    return get_account_id_from(key)


def _record(call: aws_request.Call, status: int, start: float, attempt: int, fault, who) -> None:
    global _seq, _retries
    end = time.monotonic()
    with _lock:
        _seq += 1
        _retries += attempt > 1
        per_service = _counts.setdefault(call.service, {})
        per_service[call.action] = per_service.get(call.action, 0) + 1
        _calls.append(
            {
                "seq": _seq,
                "service": call.service,
                "action": call.action,
                "status": status,
                "attempt": attempt,
                "fault": fault,
                "start": round(start - _epoch, 6),
                "end": round(end - _epoch, 6),
                **who,
            }
        )


def snapshot() -> dict:
    with _lock:
        return {
            "total": _seq,
            "retries": _retries,
            "counts": {s: dict(a) for s, a in _counts.items()},
            "calls": list(_calls),
        }


def reset() -> None:
    global _seq, _retries, _epoch
    with _lock:
        _counts.clear()
        _calls.clear()
        _seq = 0
        _epoch = time.monotonic()
        _retries = 0


def _watch_control(environ, start_response):
    method = environ["REQUEST_METHOD"]
    if method == "DELETE":
        with _lock:
            _needles.clear()
            _watched.clear()
        return aws_request.reply(start_response, "204 No Content")
    if method == "GET":
        with _lock:
            return aws_request.reply(start_response, "200 OK", {"watched": dict(_watched)})
    try:
        needles = aws_request.read_json(environ).get("needles")
        if not isinstance(needles, list) or not all(isinstance(n, str) and len(n) >= 8 for n in needles):
            raise ValueError('"needles" must be a list of strings of 8 characters or more')
    except (ValueError, TypeError, AttributeError) as e:
        return aws_request.reply(start_response, "400 Bad Request", {"error": str(e)})
    with _lock:
        _needles[:] = needles
        _watched.clear()
    return aws_request.reply(start_response, "204 No Content")


def _watch(environ, call) -> None:
    with _lock:
        needles = list(_needles)
    if not needles:
        return
    # A body without Content-Length (chunked) is left alone: reading it here would lose it.
    raw = aws_request.buffer_body(environ).decode("utf-8", "replace") if environ.get("CONTENT_LENGTH") else ""
    raw += "\n" + environ.get("QUERY_STRING", "") + "\n" + environ.get("PATH_INFO", "")
    raw += "".join(f"\n{v}" for k, v in environ.items() if k.startswith("HTTP_") and isinstance(v, str))
    text = raw + "\n" + unquote_plus(raw)
    if any(n in text for n in needles):
        name = f"{call.service} {call.action}" if call else f"s3 {environ.get('REQUEST_METHOD')}"
        with _lock:
            _watched[name] = _watched.get(name, 0) + 1


def middleware(app):
    def wrapped(environ, start_response):
        if environ.get("PATH_INFO", "") == "/_trustchain/requests/watch":
            return _watch_control(environ, start_response)
        if environ.get("PATH_INFO", "") == "/_trustchain/requests":
            method = environ["REQUEST_METHOD"]
            if method == "DELETE":
                reset()
                return aws_request.reply(start_response, "204 No Content")
            if method == "GET":
                return aws_request.reply(start_response, "200 OK", snapshot())
            return aws_request.reply(start_response, "405 Method Not Allowed", {"error": "use GET or DELETE"})
        start = time.monotonic()
        call = aws_request.identify(environ)
        _watch(environ, call)
        if call is None:
            return app(environ, start_response)

        attempt = _attempt(environ)
        who = {"user_agent": environ.get("HTTP_USER_AGENT"), "caller_account": _caller_account(environ)}

        def recording_start_response(status, headers, exc_info=None):
            fault = environ.get("trustchain.fault")
            _record(call, 0 if fault == "drop" else int(status.split()[0]), start, attempt, fault, who)
            return start_response(status, headers, exc_info)

        return app(environ, recording_start_response)

    return wrapped
