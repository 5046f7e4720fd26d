"""ACM Private CA IssueCertificate/GetCertificate as AWS answers them
(issue.py): the requested signing algorithm and Not After, no issuing from
a CA that is not ACTIVE, RequestInProgressException until the certificate is issued."""

import time
import unittest

from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from testing.harness import emulator

ROOT_TEMPLATE = "arn:aws:acm-pca:::template/RootCACertificate/V1"
END_ENTITY = "arn:aws:acm-pca:::template/EndEntityCertificate/V1"


def wait_certificate(pca, ca_arn: str, cert_arn: str) -> tuple[str, int]:
    """GetCertificate until issued: the PEM and how many times it was in progress."""
    in_progress = 0
    while True:
        try:
            return pca.get_certificate(CertificateAuthorityArn=ca_arn, CertificateArn=cert_arn)["Certificate"], in_progress
        except ClientError as e:
            if e.response["Error"]["Code"] != "RequestInProgressException":
                raise
            in_progress += 1
            time.sleep(0.2)


def root_ca(pca, name: str) -> tuple[str, str]:
    """An ACTIVE ROOT private CA, installed as AWS's user guide does: its ARN and certificate."""
    arn = pca.create_certificate_authority(
        CertificateAuthorityType="ROOT",
        CertificateAuthorityConfiguration={
            "KeyAlgorithm": "RSA_2048",
            "SigningAlgorithm": "SHA256WITHRSA",
            "Subject": {"CommonName": name},
        },
    )["CertificateAuthorityArn"]
    csr = pca.get_certificate_authority_csr(CertificateAuthorityArn=arn)["Csr"]
    cert_arn = pca.issue_certificate(
        CertificateAuthorityArn=arn,
        Csr=csr.encode(),
        SigningAlgorithm="SHA256WITHRSA",
        TemplateArn=ROOT_TEMPLATE,
        Validity={"Type": "YEARS", "Value": 10},
    )["CertificateArn"]
    cert, _ = wait_certificate(pca, arn, cert_arn)
    pca.import_certificate_authority_certificate(CertificateAuthorityArn=arn, Certificate=cert.encode())
    return arn, cert


def csr_pem() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "HSM:cluster")]))
        .sign(key, hashes.SHA256())
    )
    return csr.public_bytes(serialization.Encoding.PEM)


class AcmPcaIssue(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.emu = emulator()
        cls.pca = cls.emu.client("acm-pca")

    def test_the_algorithm_and_not_after_asked_for_after_a_wait(self) -> None:
        arn, ca_pem = root_ca(self.pca, "Test PCA Root")
        not_after = int(time.time()) + 400 * 86_400
        cert_arn = self.pca.issue_certificate(
            CertificateAuthorityArn=arn,
            Csr=csr_pem(),
            SigningAlgorithm="SHA256WITHRSA",
            TemplateArn=END_ENTITY,
            Validity={"Type": "ABSOLUTE", "Value": not_after},
        )["CertificateArn"]
        pem, in_progress = wait_certificate(self.pca, arn, cert_arn)
        self.assertGreater(in_progress, 0, "issued at once: no waiter exercised")
        cert = x509.load_pem_x509_certificate(pem.encode())
        self.assertIsInstance(cert.signature_hash_algorithm, hashes.SHA256)
        self.assertEqual(int(cert.not_valid_after_utc.timestamp()), not_after)
        ca = x509.load_pem_x509_certificate(ca_pem.encode())
        ca.public_key().verify(cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(), hashes.SHA256())
        self.assertFalse(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)

    def test_a_disabled_ca_does_not_issue(self) -> None:
        arn, _ = root_ca(self.pca, "Disabled PCA Root")
        self.pca.update_certificate_authority(CertificateAuthorityArn=arn, Status="DISABLED")
        with self.assertRaises(ClientError) as caught:
            self.pca.issue_certificate(
                CertificateAuthorityArn=arn,
                Csr=csr_pem(),
                SigningAlgorithm="SHA256WITHRSA",
                TemplateArn=END_ENTITY,
                Validity={"Type": "DAYS", "Value": 30},
            )
        self.assertEqual(caught.exception.response["Error"]["Code"], "InvalidStateException")
        self.assertEqual(
            self.pca.describe_certificate_authority(CertificateAuthorityArn=arn)["CertificateAuthority"]["Status"],
            "DISABLED",
        )


if __name__ == "__main__":
    unittest.main()
