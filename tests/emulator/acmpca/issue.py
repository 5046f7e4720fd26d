"""ACM Private CA IssueCertificate and GetCertificate as AWS answers them, where
moto 5.2.5 does not.

moto's IssueCertificate ignores SigningAlgorithm and Validity (its docstring: "The
following parameters are not yet implemented: ApiPassthrough, SigningAlgorithm,
Validity, ValidityNotBefore, IdempotencyToken"): every certificate is signed with
SHA-512 and valid for 365 days, and it issues from a CA in any state. AWS Private CA
API reference, IssueCertificate: SigningAlgorithm "The name of the algorithm that
will be used to sign the certificate to be issued."; Validity "Information
describing the end of the validity period of the certificate. This parameter sets
the 'Not After' date for the certificate." (Type ABSOLUTE: "The specific date and
time when the validity of a certificate will expire, expressed in seconds since the
Unix Epoch."; DAYS, MONTHS, YEARS: from now; END_DATE: YYYYMMDDHHMMSS); errors:
InvalidStateException "The state of the private CA does not allow this action to
occur." Here the certificate moto made is re-signed by the CA with the requested
algorithm and Not After (subject, key, serial and the template's extensions kept),
and a CA that is not ACTIVE does not issue.

Issuance is asynchronous in AWS (the SDKs' CertificateIssued waiter polls
GetCertificate while it answers RequestInProgressException, "Your request is
already in progress."): here a certificate is in progress for ISSUE_SECONDS after
IssueCertificate, so a client's waiter is exercised.
"""

import datetime
import json
import threading
import time

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from moto.acmpca.exceptions import InvalidStateException, RequestInProgressException
from moto.acmpca.responses import ACMPCAResponse
from moto.core.exceptions import JsonRESTError

ISSUE_SECONDS = 1.0

_HASHES = {"SHA256": hashes.SHA256, "SHA384": hashes.SHA384, "SHA512": hashes.SHA512}
_issued_at: dict[str, float] = {}
_lock = threading.Lock()

_original_issue = ACMPCAResponse.issue_certificate
_original_get = ACMPCAResponse.get_certificate


class ValidationException(JsonRESTError):
    code = 400

    def __init__(self, message: str):
        super().__init__("ValidationException", message)


def _not_after(validity: dict, now: datetime.datetime) -> datetime.datetime:
    kind, value = validity.get("Type"), int(validity.get("Value", 0))
    if kind == "ABSOLUTE":
        return datetime.datetime.fromtimestamp(value, datetime.timezone.utc)
    if kind == "DAYS":
        return now + datetime.timedelta(days=value)
    if kind == "MONTHS":
        return now + datetime.timedelta(days=30 * value)
    if kind == "YEARS":
        return now + datetime.timedelta(days=365 * value)
    if kind == "END_DATE":
        return datetime.datetime.strptime(str(value), "%Y%m%d%H%M%S").replace(tzinfo=datetime.timezone.utc)
    raise ValidationException(f"Validity type {kind} is not valid.")


def _issue(self):
    params = json.loads(self.body)
    arn = params.get("CertificateAuthorityArn")
    ca = self.acmpca_backend.describe_certificate_authority(arn)
    template = params.get("TemplateArn") or ""
    # A root installing its own certificate is issued while PENDING_CERTIFICATE.
    if ca.status != "ACTIVE" and not template.endswith("template/RootCACertificate/V1"):
        raise InvalidStateException(arn)
    algorithm = params.get("SigningAlgorithm", "")
    hash_name = next((h for h in _HASHES if algorithm.startswith(h)), None)
    if hash_name is None or not algorithm.endswith("WITHRSA"):
        raise ValidationException(f"Signing algorithm {algorithm} is not valid for a CA with an RSA key.")
    body = _original_issue(self)
    cert_arn = json.loads(body)["CertificateArn"]
    drafted = x509.load_pem_x509_certificate(ca.issued_certificates[cert_arn])
    now = datetime.datetime.now(datetime.timezone.utc)
    not_after = _not_after(params.get("Validity") or {}, now)
    builder = (
        x509.CertificateBuilder()
        .subject_name(drafted.subject)
        .issuer_name(drafted.issuer)
        .public_key(drafted.public_key())
        .serial_number(drafted.serial_number)
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(not_after)
    )
    for ext in drafted.extensions:
        builder = builder.add_extension(ext.value, ext.critical)
    cert = builder.sign(ca.key, _HASHES[hash_name]())
    ca.issued_certificates[cert_arn] = cert.public_bytes(serialization.Encoding.PEM)
    with _lock:
        _issued_at[cert_arn] = time.monotonic()
    return body


def _get(self):
    params = json.loads(self.body)
    cert_arn = params.get("CertificateArn")
    with _lock:
        issued = _issued_at.get(cert_arn)
    if issued is not None and time.monotonic() - issued < ISSUE_SECONDS:
        raise RequestInProgressException("Your request is already in progress.")
    return _original_get(self)


def install() -> None:
    ACMPCAResponse.issue_certificate = _issue
    ACMPCAResponse.get_certificate = _get
