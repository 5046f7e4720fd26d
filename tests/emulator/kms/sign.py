"""KMS Sign as AWS answers it, where moto 5.2.5 does not.

moto reads `MessageType` on Sign and then ignores it: a digest sent with
MessageType DIGEST is hashed again, so the signature is over SHA-256(digest), which
no verifier of the original message accepts. AWS KMS API reference, Sign,
MessageType: "When the value of MessageType is RAW, KMS uses the standard signing
algorithm, which begins with a hash function. When the value is DIGEST, KMS skips
the hashing step in the signing algorithm." and "When the value of MessageType is
DIGEST, the length of the Message value must match the length of hashed messages for
the specified signing algorithm." (RSASSA_*_SHA_256 and ECDSA_SHA_256: 32 bytes,
_SHA_384: 48, _SHA_512: 64.) EXTERNAL_MU is for ML-DSA keys only, which moto has not.

moto also signs with a key that is Disabled or PendingDeletion and answers a key of
the wrong usage with ValidationException. AWS, same page, Errors: DisabledException
"The request was rejected because the specified KMS key is not enabled.";
KMSInvalidStateException "The request was rejected because the state of the
specified resource is not valid for this request." (a key pending deletion);
InvalidKeyUsageException "... the KeyUsage value of the KMS key is incompatible
with the API operation." Those are answered here, on RAW and DIGEST alike.

moto answers members it has no value for as JSON null (CreateKey and DescribeKey
`EncryptionAlgorithms` of a signing key, ...); AWS leaves absent members out, and
the model check refuses nulls. They are dropped from the KMS answers below, and
moto's `null` body of DisableKey/EnableKey is the empty body AWS sends.

Test control, never an AWS API: `POST /_trustchain/kms/private-key {"KeyId"}` answers
the PKCS#8 PEM of an emulated key, which AWS never reveals, so the leak tests can
look for pieces of it in state, plan and logs of a configuration that only names
the key.

Everything else (key lookup by id, ARN, alias; the algorithm offered by the key;
the RAW path's signature) stays moto's.
"""

import base64
import json

from controls import aws_request

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from moto.kms.exceptions import InvalidKeyUsageException, ValidationException
from moto.core.exceptions import JsonRESTError
from moto.kms.responses import KmsResponse

_HASHES = {"SHA_256": hashes.SHA256, "SHA_384": hashes.SHA384, "SHA_512": hashes.SHA512}

_original_sign = KmsResponse.sign


class DisabledException(JsonRESTError):
    code = 400

    def __init__(self, message: str):
        super().__init__("DisabledException", message)


class KMSInvalidStateException(JsonRESTError):
    code = 400

    def __init__(self, message: str):
        super().__init__("KMSInvalidStateException", message)


def _hash_for(algorithm: str):
    for suffix, h in _HASHES.items():
        if algorithm.endswith(suffix):
            return h()
    raise ValidationException(f"Signing algorithm {algorithm} cannot sign a message digest.")


def _sign(self):
    key_id = self._get_param("KeyId")
    message_type = self._get_param("MessageType") or "RAW"
    algorithm = self._get_param("SigningAlgorithm")
    self._validate_key_id(key_id)
    key = self.kms_backend.describe_key(key_id)
    if key.key_state == "Disabled":
        raise DisabledException(f"{key.arn} is disabled.")
    if key.key_state != "Enabled":
        state = "pending deletion" if key.key_state == "PendingDeletion" else key.key_state
        raise KMSInvalidStateException(f"{key.arn} is {state}.")
    if key.key_usage != "SIGN_VERIFY":
        raise InvalidKeyUsageException()
    if message_type == "RAW":
        return _original_sign(self)
    if message_type != "DIGEST":
        raise ValidationException(f"MessageType {message_type} is not valid for a key with KeySpec {key.key_spec}.")
    if algorithm not in key.signing_algorithms:
        raise ValidationException(
            f"1 validation error detected: Value '{algorithm}' at 'SigningAlgorithm' failed to satisfy constraint: "
            f"Member must satisfy enum value set: {key.signing_algorithms}"
        )
    digest = self._get_param("Message")
    h = _hash_for(algorithm)
    if len(digest) != h.digest_size:
        raise ValidationException(f"Digest is invalid length for algorithm {algorithm}.")
    private = key.private_key.private_key
    if algorithm.startswith("ECDSA_"):
        signature = private.sign(digest, ec.ECDSA(Prehashed(h)))
    elif algorithm.startswith("RSASSA_PSS_"):
        # KMS PSS: MGF1 with the same hash, salt as long as the digest.
        signature = private.sign(
            digest, padding.PSS(mgf=padding.MGF1(h), salt_length=padding.PSS.DIGEST_LENGTH), Prehashed(h)
        )
    else:
        signature = private.sign(digest, padding.PKCS1v15(), Prehashed(h))
    return json.dumps(
        {"KeyId": key.arn, "Signature": base64.b64encode(signature).decode(), "SigningAlgorithm": algorithm}
    )


def _without_nulls(value):
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _answered_without_nulls(handler):
    def wrapped(self):
        body = handler(self)
        if body in (None, "null"):
            # DisableKey, EnableKey: "If the action is successful, the service sends
            # back an HTTP 200 response with an empty HTTP body." (API reference)
            return ""
        if not isinstance(body, str) or not body.startswith("{"):
            return body
        return json.dumps(_without_nulls(json.loads(body)))

    return wrapped


# The KMS operations the tests and the provider use.
_OPERATIONS = (
    "create_key", "describe_key", "get_public_key", "list_keys", "list_aliases", "schedule_key_deletion",
    "disable_key", "enable_key",
)


def _private_key(environ, start_response):
    from cryptography.hazmat.primitives import serialization
    from moto.kms.models import kms_backends

    try:
        spec = aws_request.read_json(environ)
    except ValueError as e:
        return aws_request.reply(start_response, "400 Bad Request", {"error": str(e)})
    key_id = spec.get("KeyId", "")
    for account in list(kms_backends.keys()):
        for region in list(kms_backends[account].keys()):
            try:
                key = kms_backends[account][region].describe_key(key_id)
            except Exception:  # noqa: BLE001 - not in this backend
                continue
            pem = key.private_key.private_key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            return aws_request.reply(start_response, "200 OK", {"KeyId": key.id, "Pem": pem.decode()})
    return aws_request.reply(start_response, "404 Not Found", {"error": f"no KMS key {key_id!r}"})


def middleware(app):
    def wrapped(environ, start_response):
        if environ.get("PATH_INFO", "") == "/_trustchain/kms/private-key":
            if environ["REQUEST_METHOD"] != "POST":
                return aws_request.reply(start_response, "405 Method Not Allowed", {"error": "use POST"})
            return _private_key(environ, start_response)
        return app(environ, start_response)

    return wrapped


def install() -> None:
    KmsResponse.sign = _sign
    for name in _OPERATIONS:
        setattr(KmsResponse, name, _answered_without_nulls(getattr(KmsResponse, name)))

