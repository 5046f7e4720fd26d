"""Counts the API calls the emulator answers, per action, so tests can pin how many
calls a refresh costs:

    GET    /_trustchain/calls   {"DescribeListeners": 2, ...} since the last reset
    DELETE /_trustchain/calls   reset

Query-protocol services (EC2, ELBv2) name the action in the form body; JSON
services (CloudHSM v2) in the X-Amz-Target header (as in faults.py).
"""

import io
import json
import threading
from collections import Counter

from faults import _action_of

_lock = threading.Lock()
_calls: Counter = Counter()


def middleware(app):
    def wrapped(environ, start_response):
        if environ.get("PATH_INFO", "") == "/_trustchain/calls":
            with _lock:
                if environ["REQUEST_METHOD"] == "DELETE":
                    _calls.clear()
                body = json.dumps(dict(_calls), sort_keys=True).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        action, body = _action_of(environ)
        if action:
            with _lock:
                _calls[action] += 1
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return app(environ, start_response)

    return wrapped
