"""KMS Sign with MessageType DIGEST as AWS answers it (sign.py), plus the key
checks the provider makes at plan time (DescribeKey, GetPublicKey) as moto answers
them."""

import hashlib
import unittest

from botocore.exceptions import ClientError
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding

from testing.harness import emulator

MESSAGE = b"the to-be-signed part of a certificate"


class KmsSign(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.emu = emulator()
        cls.kms = cls.emu.client("kms")

    def key(self, spec: str) -> tuple[str, object]:
        key_id = self.kms.create_key(KeyUsage="SIGN_VERIFY", KeySpec=spec)["KeyMetadata"]["KeyId"]
        der = self.kms.get_public_key(KeyId=key_id)["PublicKey"]
        return key_id, serialization.load_der_public_key(der)

    def test_a_digest_is_signed_as_is_and_verifies_over_the_message(self) -> None:
        key_id, public = self.key("RSA_2048")
        signature = self.kms.sign(
            KeyId=key_id,
            Message=hashlib.sha256(MESSAGE).digest(),
            MessageType="DIGEST",
            SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256",
        )["Signature"]
        public.verify(signature, MESSAGE, padding.PKCS1v15(), hashes.SHA256())
        # RAW still hashes: the same bytes as a RAW message sign something else.
        raw = self.kms.sign(
            KeyId=key_id,
            Message=hashlib.sha256(MESSAGE).digest(),
            MessageType="RAW",
            SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256",
        )["Signature"]
        with self.assertRaises(InvalidSignature):
            public.verify(raw, MESSAGE, padding.PKCS1v15(), hashes.SHA256())

    def test_ecdsa_digests_too(self) -> None:
        key_id, public = self.key("ECC_NIST_P256")
        signature = self.kms.sign(
            KeyId=key_id,
            Message=hashlib.sha256(MESSAGE).digest(),
            MessageType="DIGEST",
            SigningAlgorithm="ECDSA_SHA_256",
        )["Signature"]
        public.verify(signature, MESSAGE, ec.ECDSA(hashes.SHA256()))

    def test_a_digest_of_the_wrong_length_is_refused(self) -> None:
        key_id, _ = self.key("RSA_2048")
        with self.assertRaises(ClientError) as caught:
            self.kms.sign(
                KeyId=key_id,
                Message=hashlib.sha384(MESSAGE).digest(),
                MessageType="DIGEST",
                SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256",
            )
        self.assertEqual(caught.exception.response["Error"]["Code"], "ValidationException")

    def test_a_disabled_key_and_a_key_pending_deletion_do_not_sign(self) -> None:
        for action, code in (
            (lambda k: self.kms.disable_key(KeyId=k), "DisabledException"),
            (lambda k: self.kms.schedule_key_deletion(KeyId=k, PendingWindowInDays=7), "KMSInvalidStateException"),
        ):
            key_id, _ = self.key("RSA_2048")
            action(key_id)
            with self.assertRaises(ClientError) as caught:
                self.kms.sign(
                    KeyId=key_id,
                    Message=hashlib.sha256(MESSAGE).digest(),
                    MessageType="DIGEST",
                    SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_256",
                )
            self.assertEqual(caught.exception.response["Error"]["Code"], code)

    def test_describe_key_shows_what_the_provider_checks(self) -> None:
        key_id, _ = self.key("RSA_4096")
        meta = self.kms.describe_key(KeyId=key_id)["KeyMetadata"]
        self.assertEqual(meta["KeyUsage"], "SIGN_VERIFY")
        self.assertEqual(meta["KeySpec"], "RSA_4096")
        self.assertEqual(meta["KeyState"], "Enabled")
        self.assertIn("RSASSA_PKCS1_V1_5_SHA_256", meta["SigningAlgorithms"])


if __name__ == "__main__":
    unittest.main()
