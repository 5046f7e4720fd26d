"""Fault injection for the emulator: make the next N calls of an API action fail.

    POST /_trustchain/faults  {"action": "CreateNatGateway", "code": "InternalFailure",
                               "message": "...", "count": 1}
    DELETE /_trustchain/faults   (clear all)

Query-protocol services (EC2, ELBv2) name the action in the form body; JSON
services (CloudHSM v2) in the X-Amz-Target header. Injected errors use a
non-retryable code by default so SDK retries do not swallow them.
"""

import json
import threading
from urllib.parse import parse_qs

_lock = threading.Lock()
_faults: dict[str, dict] = {}

_EC2_ERROR = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    "<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors>"
    "<RequestID>injected-fault</RequestID></Response>"
)


def _action_of(environ) -> tuple[str | None, bytes]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return target.split(".")[-1], body
    form = parse_qs(body.decode("utf-8", "replace"))
    return (form.get("Action") or [None])[0], body


def middleware(app):
    def wrapped(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/_trustchain/faults":
            if environ["REQUEST_METHOD"] == "DELETE":
                with _lock:
                    _faults.clear()
            else:
                length = int(environ.get("CONTENT_LENGTH") or 0)
                spec = json.loads(environ["wsgi.input"].read(length) or b"{}")
                with _lock:
                    _faults[spec["action"]] = {
                        "code": spec.get("code", "UnauthorizedOperation"),
                        "message": spec.get("message", "injected fault"),
                        "count": int(spec.get("count", 1)),
                    }
            start_response("204 No Content", [])
            return [b""]
        action, body = _action_of(environ)
        fault = None
        with _lock:
            f = _faults.get(action or "")
            if f and f["count"] > 0:
                f["count"] -= 1
                fault = dict(f)
        if fault:
            payload = _EC2_ERROR.format(code=fault["code"], message=fault["message"]).encode()
            start_response("400 Bad Request", [("Content-Type", "text/xml"), ("Content-Length", str(len(payload)))])
            return [payload]
        # Hand the consumed body on to moto.
        import io

        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return app(environ, start_response)

    return wrapped
