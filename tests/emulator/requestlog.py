"""A log of the AWS calls the emulator served, for tests and the benchmark that
count API calls.

    GET /_trustchain/requests     {"total": 7,
                                   "counts": {"cloudhsm": {"CreateHsm": 2, ...}, "ec2": {...}},
                                   "calls": [{"seq": 1, "service": "ec2",
                                              "action": "CreateVpc", "status": 200,
                                              "start": 0.0123, "end": 0.0581}, ...]}
    DELETE /_trustchain/requests  (start counting from zero)

`service` is the SigV4 signing name the client used (ec2, elasticloadbalancing,
sts, cloudhsm). Every call of the query and JSON protocols counts (REST services
such as S3 are not recognised), including those a fault made fail. Only the
service, action and HTTP status are kept, never a body or header: InitializeCluster
carries certificates and other calls may carry secrets. The ordered list keeps
the last CALLS_KEPT calls; the counts are never truncated. `start` and `end` are
seconds since the log was last cleared (monotonic clock): when the request arrived and
when its answer began, emulated latency included, so overlapping calls show how many
the client had in flight.
"""

import threading
import time
from collections import deque

import aws_request

CALLS_KEPT = 100_000

_lock = threading.Lock()
_counts: dict[str, dict[str, int]] = {}
_calls: deque = deque(maxlen=CALLS_KEPT)
_seq = 0
_epoch = time.monotonic()


def _record(call: aws_request.Call, status: int, start: float) -> None:
    global _seq
    end = time.monotonic()
    with _lock:
        _seq += 1
        per_service = _counts.setdefault(call.service, {})
        per_service[call.action] = per_service.get(call.action, 0) + 1
        _calls.append(
            {
                "seq": _seq,
                "service": call.service,
                "action": call.action,
                "status": status,
                "start": round(start - _epoch, 6),
                "end": round(end - _epoch, 6),
            }
        )


def snapshot() -> dict:
    with _lock:
        return {
            "total": _seq,
            "counts": {s: dict(a) for s, a in _counts.items()},
            "calls": list(_calls),
        }


def reset() -> None:
    global _seq, _epoch
    with _lock:
        _counts.clear()
        _calls.clear()
        _seq = 0
        _epoch = time.monotonic()


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
        start = time.monotonic()
        call = aws_request.identify(environ)
        if call is None:
            return app(environ, start_response)

        def recording_start_response(status, headers, exc_info=None):
            _record(call, int(status.split()[0]), start)
            return start_response(status, headers, exc_info)

        return app(environ, recording_start_response)

    return wrapped
