"""Certificates for the Rust acceptance tests, made with the `cryptography` package
(independent of the provider's own X.509 code): `testca_cli.py JSON`, one request,
prints one JSON answer.

    {"op": "root", "name": "..."}                      -> {"cert", "key", "key_pkcs1"}
    {"op": "intermediate", "name", "issuer": {"cert", "key"}} -> {"cert", "key"}
    {"op": "sign_csr", "csr", "issuer": {"cert", "key"}}      -> {"cert"}
    {"op": "server", "hosts": ["127.0.0.1"], "issuer": {...}}  -> {"cert", "key"}  (TLS server)
    {"op": "kms_root", "endpoint", "key_id", "name"}          -> {"cert"}
        a self-signed root whose key is an RSA KMS key of the emulator: the TBS
        certificate built here, its SHA-256 digest signed by KMS Sign (MessageType
        DIGEST), as a CA keeping its root in KMS makes it; no private key exists here.
"""

import datetime
import hashlib
import json
import sys

import boto3

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from testing import testca


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


def _der(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        return bytes([tag, n]) + content
    length = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(length)]) + length + content


# AlgorithmIdentifier sha256WithRSAEncryption with NULL parameters (RFC 4055).
_SHA256_WITH_RSA = bytes.fromhex("300d06092a864886f70d01010b0500")


def kms_root(endpoint: str, key_id: str, name: str) -> str:
    if not endpoint.startswith(("http://127.", "http://localhost")):
        raise SystemExit(f"refusing non-loopback endpoint {endpoint}")
    kms = boto3.client(
        "kms",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    public = serialization.load_der_public_key(kms.get_public_key(KeyId=key_id)["PublicKey"])
    now = datetime.datetime.now(datetime.timezone.utc)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    # cryptography signs only with keys it holds: the draft's signature (by a
    # throwaway key) is dropped; its TBS part carries the KMS key and the algorithm.
    draft = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(rsa.generate_private_key(public_exponent=65537, key_size=2048), hashes.SHA256())
    )
    tbs = draft.tbs_certificate_bytes
    signature = kms.sign(
        KeyId=key_id,
        Message=hashlib.sha256(tbs).digest(),
        MessageType="DIGEST",
        SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256",
    )["Signature"]
    der = _der(0x30, tbs + _SHA256_WITH_RSA + _der(0x03, b"\x00" + signature))
    cert = x509.load_der_x509_certificate(der)
    public.verify(cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(), hashes.SHA256())
    return cert.public_bytes(serialization.Encoding.PEM).decode()


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
    elif op == "kms_root":
        out = {"cert": kms_root(req["endpoint"], req["key_id"], req.get("name", "Test KMS Root CA"))}
    else:
        print(f"unknown op {op!r}", file=sys.stderr)
        return 2
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
