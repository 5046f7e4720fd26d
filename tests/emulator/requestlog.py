"""A log of the AWS calls the emulator served, for tests and the benchmark that
count API calls.

    GET /_trustchain/requests     {"total": 7, "retries": 1,
                                   "counts": {"cloudhsm": {"CreateHsm": 2, ...}, "ec2": {...}},
                                   "calls": [{"seq": 1, "service": "ec2",
                                              "action": "CreateVpc", "status": 200,
                                              "attempt": 1, "fault": null}, ...]}
    DELETE /_trustchain/requests  (start counting from zero)

`service` is the SigV4 signing name the client used (ec2, elasticloadbalancing,
sts, cloudhsm). Every call of the query and JSON protocols counts (REST services
such as S3 are not recognised), including those a fault made fail; a dropped
connection has status 0. `attempt` is the SDK's attempt number from its
`amz-sdk-request: attempt=N; max=M` header (1 without it), so `retries` counts the
calls an SDK repeated; `fault` is the kind of fault injected into the call
(faults.py), if any. Only these fields are kept, never a body or any other header:
InitializeCluster carries certificates and other calls may carry secrets. The
ordered list keeps the last CALLS_KEPT calls; the counts are never truncated.
"""

import threading
from collections import deque

import aws_request

CALLS_KEPT = 100_000

_lock = threading.Lock()
_counts: dict[str, dict[str, int]] = {}
_calls: deque = deque(maxlen=CALLS_KEPT)
_seq = 0
_retries = 0


def _attempt(environ) -> int:
    # amz-sdk-request: attempt=2; max=26
    for part in (environ.get("HTTP_AMZ_SDK_REQUEST") or "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == "attempt" and value.isdigit():
            return int(value)
    return 1


def _record(call: aws_request.Call, status: int, attempt: int, fault) -> None:
    global _seq, _retries
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
    global _seq, _retries
    with _lock:
        _counts.clear()
        _calls.clear()
        _seq = 0
        _retries = 0


def middleware(app):
    def wrapped(environ, start_response):
        if environ.get("PATH_INFO", "") == "/_trustchain/requests":
            method = environ["REQUEST_METHOD"]
            if method == "DELETE":
                reset()
                return aws_request.reply(start_response, "204 No Content")
            if method == "GET":
                return aws_request.reply(start_response, "200 OK", snapshot())
            return aws_request.reply(start_response, "405 Method Not Allowed", {"error": "use GET or DELETE"})
        call = aws_request.identify(environ)
        if call is None:
            return app(environ, start_response)

        attempt = _attempt(environ)

        def recording_start_response(status, headers, exc_info=None):
            fault = environ.get("trustchain.fault")
            _record(call, 0 if fault == "drop" else int(status.split()[0]), attempt, fault)
            return start_response(status, headers, exc_info)

        return app(environ, recording_start_response)

    return wrapped
