"""What an incoming AWS request is (service, action, wire protocol), for the
emulator's middlewares (faults, request log), plus small helpers for the
`/_trustchain/*` control endpoints.

The body is read once and put back, so moto still sees it. Nothing here keeps a
body: InitializeCluster carries certificates and other calls may carry secrets.
"""

import io
import json
from dataclasses import dataclass
from urllib.parse import parse_qs

# Wire protocols, as the error format depends on them.
EC2 = "ec2"  # EC2 query: <Response><Errors><Error>...
QUERY = "query"  # ELBv2, STS, IAM...: <ErrorResponse><Error>...
JSON = "json"  # JSON 1.0/1.1 with X-Amz-Target (CloudHSM v2): {"__type", "message"}


@dataclass(frozen=True)
class Call:
    service: str  # the SigV4 signing name (ec2, elasticloadbalancing, sts, cloudhsm)
    action: str
    protocol: str


def buffer_body(environ) -> bytes:
    """Reads the request body and puts a fresh stream back for the next app."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body


def _credential_scope(environ) -> list[str] | None:
    auth = environ.get("HTTP_AUTHORIZATION") or ""
    # AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/ec2/aws4_request, ...
    for part in auth.replace(",", " ").split():
        if part.startswith("Credential="):
            scope = part[len("Credential=") :].split("/")
            if len(scope) == 5:
                return scope
    return None


def _signing_service(environ) -> str | None:
    scope = _credential_scope(environ)
    return scope[3] if scope else None


def access_key_id(environ) -> str | None:
    """The access key id that signed the request (an identifier, not a secret)."""
    scope = _credential_scope(environ)
    return scope[0] if scope else None


# STS calls that AWS takes unsigned (the token or assertion is the credential).
UNSIGNED_STS = {"AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"}


def identify(environ) -> Call | None:
    """The AWS call this request makes, or None for anything else (control
    endpoints, moto's own API, unsigned junk)."""
    path = environ.get("PATH_INFO", "")
    if path.startswith("/_trustchain/") or path.startswith("/moto-api"):
        return None
    service = _signing_service(environ)
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        # "BaldrApiService.CreateHsm"
        return Call(service or target.split(".")[0], target.split(".")[-1], JSON)
    body = buffer_body(environ)
    form = parse_qs(body.decode("utf-8", "replace"))
    query = parse_qs(environ.get("QUERY_STRING", ""))
    action = (form.get("Action") or query.get("Action") or [None])[0]
    if not action:
        return None
    service = service or ("sts" if action in UNSIGNED_STS else "unknown")
    return Call(service, action, EC2 if service == "ec2" else QUERY)


def read_json(environ):
    """The JSON body of a control request ({} when empty); ValueError if not JSON."""
    body = buffer_body(environ)
    if not body.strip():
        return {}
    value = json.loads(body)
    if not isinstance(value, dict):
        raise ValueError("expected a JSON object")
    return value


def reply(start_response, status: str, payload=None):
    """A JSON (or empty) response for a control endpoint."""
    if payload is None:
        start_response(status, [("Content-Length", "0")])
        return [b""]
    data = json.dumps(payload, indent=1, sort_keys=True).encode()
    start_response(
        status,
        [("Content-Type", "application/json"), ("Content-Length", str(len(data)))],
    )
    return [data]
