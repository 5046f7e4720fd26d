"""Certificates for the Rust acceptance tests, made with the `cryptography` package
(independent of the provider's own X.509 code): `testca_cli.py JSON`, one request,
prints one JSON answer.

    {"op": "root", "name": "..."}                      -> {"cert", "key", "key_pkcs1"}
    {"op": "intermediate", "name", "issuer": {"cert", "key"}} -> {"cert", "key"}
    {"op": "sign_csr", "csr", "issuer": {"cert", "key"}}      -> {"cert"}
    {"op": "server", "hosts": ["127.0.0.1"], "issuer": {...}}  -> {"cert", "key"}  (TLS server)
"""

import json
import sys

from cryptography import x509
from cryptography.hazmat.primitives import serialization

import testca


def _load(issuer: dict) -> testca.CA:
    ca = testca.CA.__new__(testca.CA)
    ca.cert = x509.load_pem_x509_certificate(issuer["cert"].encode())
    ca.key = serialization.load_pem_private_key(issuer["key"].encode(), password=None)
    return ca


def _key_pem(ca: testca.CA, fmt) -> str:
    return ca.key.private_bytes(
        serialization.Encoding.PEM, fmt, serialization.NoEncryption()
    ).decode()


def _ca_out(ca: testca.CA) -> dict:
    return {
        "cert": ca.pem,
        "key": _key_pem(ca, serialization.PrivateFormat.PKCS8),
        "key_pkcs1": _key_pem(ca, serialization.PrivateFormat.TraditionalOpenSSL),
    }


def main() -> int:
    req = json.loads(sys.argv[1])
    op = req["op"]
    if op == "root":
        out = _ca_out(testca.CA(req.get("name", "Test Root CA")))
    elif op == "intermediate":
        out = _ca_out(testca.CA(req.get("name", "Test Intermediate CA"), issuer=_load(req["issuer"])))
    elif op == "sign_csr":
        out = {"cert": _load(req["issuer"]).sign_csr(req["csr"])}
    elif op == "server":
        cert, key = _load(req["issuer"]).server_cert(req["hosts"])
        out = {"cert": cert, "key": key}
    else:
        print(f"unknown op {op!r}", file=sys.stderr)
        return 2
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
