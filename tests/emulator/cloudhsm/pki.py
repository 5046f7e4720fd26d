"""The certificates of an emulated CloudHSM cluster, real ones made with the
`cryptography` package, and the checks InitializeCluster makes.

The first HSM of a cluster makes a key pair and a CSR (PKCS#10) for it; its HSM
certificate certifies that key, signed by the HSM hardware key; the hardware key
is certified twice, by an "AWS CloudHSM root" and by a "manufacturer root" (both
made once per emulator process). That is the chain AWS documents in "Verify the
identity and authenticity of your cluster's HSM".
"""

import datetime
import queue
import threading
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

# InitializeCluster's documented limit for SignedCert and TrustAnchor.
MAX_PEM_CHARS = 5000
# "you must use the RSA 2048 certificate or the RSA 4096 certificate" (user guide).
ANCHOR_RSA_BITS = (2048, 4096)


class CertificateRejected(ValueError):
    """Why InitializeCluster refuses the certificates (the API error's message)."""


@dataclass
class Identity:
    """What the first HSM of an uninitialized cluster generates."""

    csr_pem: str
    hsm_certificate: str
    aws_hardware_certificate: str
    manufacturer_hardware_certificate: str
    public_key_der: bytes


def _name(**parts: str) -> x509.Name:
    oids = {
        "C": NameOID.COUNTRY_NAME,
        "ST": NameOID.STATE_OR_PROVINCE_NAME,
        "L": NameOID.LOCALITY_NAME,
        "O": NameOID.ORGANIZATION_NAME,
        "OU": NameOID.ORGANIZATIONAL_UNIT_NAME,
        "CN": NameOID.COMMON_NAME,
    }
    return x509.Name([x509.NameAttribute(oids[k], v) for k, v in parts.items()])


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


# RSA keys take ~0.1 s each to make; a small pool made ahead on a daemon thread keeps
# that wait out of the request that finds the first HSM ACTIVE.
_POOL_SIZE = 2
_pool: "queue.Queue[rsa.RSAPrivateKey]" = queue.Queue(maxsize=_POOL_SIZE)
_pool_started = threading.Event()


def _fill_pool() -> None:
    while True:
        _pool.put(_key())  # blocks while the pool is full


def _cluster_key() -> rsa.RSAPrivateKey:
    if not _pool_started.is_set():
        _pool_started.set()
        threading.Thread(target=_fill_pool, name="rsa-key-pool", daemon=True).start()
    return _pool.get()


def _attestation_key() -> ec.EllipticCurvePrivateKey:
    # The roots and hardware keys only attest; EC keeps the emulator fast. The
    # cluster key, which the user's CA certifies, is RSA 2048 as on real HSMs.
    return ec.generate_private_key(ec.SECP256R1())


def _certificate(subject, public_key, issuer, signing_key, days, ca: bool) -> x509.Certificate:
    now = datetime.datetime.now(datetime.timezone.utc)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(signing_key, hashes.SHA256())
    )


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


_roots_lock = threading.Lock()
_roots: dict = {}


def _root(label: str, subject: x509.Name):
    with _roots_lock:
        if label not in _roots:
            key = _attestation_key()
            _roots[label] = (key, _certificate(subject, key.public_key(), subject, key, 3650, True))
        return _roots[label]


def _aws_root():
    return _root("aws", _name(C="US", O="Amazon Web Services", CN="AWS CloudHSM Root-G1 (emulator)"))


def _mfr_root():
    return _root("mfr", _name(C="US", O="Marvell", CN="LiquidSecurity Root (emulator)"))


def test_roots() -> dict:
    """The emulator's stand-ins for the AWS CloudHSM root and the manufacturer root.
    A client verifying an emulated HSM (as the user guide's "Verify the identity and
    authenticity of your cluster's HSM" does) trusts these instead of AWS's."""
    aws, mfr = _pem(_aws_root()[1]), _pem(_mfr_root()[1])
    return {"AwsRoot": aws, "ManufacturerRoot": mfr, "Bundle": aws + mfr}


# Test control: when set, DescribeClusters serves, for every uninitialized cluster, a
# CSR for a key that is not the HSM's (the HSM certificate stays the real one). This
# is what an attacker on the network path would do to have the customer's CA certify
# the attacker's key; no AWS setting does this.
INTERCEPT = {"csr": False}
_attacker: dict = {}


def attacker_csr(subject_of: str) -> str:
    """A CSR with the cluster CSR's subject for the attacker's (one per process) key."""
    with _roots_lock:
        if "key" not in _attacker:
            _attacker["key"] = _key()
        key = _attacker["key"]
    subject = x509.load_pem_x509_csr(subject_of.encode()).subject
    csr = x509.CertificateSigningRequestBuilder().subject_name(subject).sign(key, hashes.SHA256())
    return csr.public_bytes(serialization.Encoding.PEM).decode()


def new_identity(hsm_id: str, mode: str) -> Identity:
    """A fresh cluster key, its CSR and the HSM's attestation certificates."""
    aws_key, aws_root = _aws_root()
    mfr_key, mfr_root = _mfr_root()
    hardware_key = _attestation_key()
    serial = hsm_id.split("-", 1)[-1].upper()
    hardware = _name(C="US", O="Marvell", OU="LiquidSecurity", CN=f"HSM:{serial}")
    aws_hw = _certificate(hardware, hardware_key.public_key(), aws_root.subject, aws_key, 3650, True)
    mfr_hw = _certificate(hardware, hardware_key.public_key(), mfr_root.subject, mfr_key, 3650, True)
    cluster_key = _cluster_key()
    mode_text = "for FIPS mode" if mode == "FIPS" else "for NON-FIPS mode"
    subject = _name(
        C="US", ST="CA", O="Cavium", OU="N3FIPS", L="SanJose", CN=f"HSM:{serial}:PARTN:1, {mode_text}"
    )
    csr = x509.CertificateSigningRequestBuilder().subject_name(subject).sign(cluster_key, hashes.SHA256())
    hsm_cert = _certificate(subject, cluster_key.public_key(), hardware, hardware_key, 3650, False)
    return Identity(
        csr_pem=csr.public_bytes(serialization.Encoding.PEM).decode(),
        hsm_certificate=_pem(hsm_cert),
        aws_hardware_certificate=_pem(aws_hw),
        manufacturer_hardware_certificate=_pem(mfr_hw),
        public_key_der=_spki(cluster_key.public_key()),
    )


def _spki(public_key) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _one_certificate(field: str, pem: str) -> x509.Certificate:
    if not isinstance(pem, str) or not pem.strip():
        raise CertificateRejected(f"{field} is empty: pass a PEM-encoded X.509 certificate.")
    if len(pem) > MAX_PEM_CHARS:
        raise CertificateRejected(f"{field} has {len(pem)} characters; the maximum is {MAX_PEM_CHARS}.")
    try:
        certs = x509.load_pem_x509_certificates(pem.encode())
    except ValueError:
        raise CertificateRejected(
            f"{field} is not a PEM-encoded X.509 certificate "
            "(expected -----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)."
        ) from None
    if len(certs) != 1:
        raise CertificateRejected(
            f"{field} holds {len(certs)} certificates; pass exactly one PEM certificate."
        )
    return certs[0]


def _directly_issued(child: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        child.verify_directly_issued_by(issuer)
        return True
    except (ValueError, TypeError, InvalidSignature):
        return False


def _check_validity(field: str, cert: x509.Certificate, now) -> None:
    if cert.not_valid_after_utc < now:
        raise CertificateRejected(f"{field} expired on {cert.not_valid_after_utc:%Y-%m-%d %H:%M:%S} UTC.")
    if cert.not_valid_before_utc > now + datetime.timedelta(minutes=5):
        raise CertificateRejected(
            f"{field} is not valid before {cert.not_valid_before_utc:%Y-%m-%d %H:%M:%S} UTC."
        )


def check_initialization(signed_cert: str, trust_anchor: str, csr_public_key_der: bytes) -> None:
    """Raises CertificateRejected unless the pair may initialize the cluster.

    AWS's API reference for InitializeCluster: the TrustAnchor is "the issuing
    certificate of the issuing certificate authority (CA) that issued (signed) the
    cluster certificate. You must use a self-signed certificate. The certificate used
    to sign the HSM CSR must be directly available, and thus must be the root
    certificate." So the anchor must be self-signed and must itself have signed the
    SignedCert (no intermediate in between).
    """
    anchor = _one_certificate("TrustAnchor", trust_anchor)
    signed = _one_certificate("SignedCert", signed_cert)
    if anchor.issuer != anchor.subject or not _directly_issued(anchor, anchor):
        raise CertificateRejected(
            "TrustAnchor is not a self-signed certificate (its issuer "
            f"{anchor.issuer.rfc4514_string()!r} is not its subject or its signature does "
            "not verify with its own key); pass your root CA certificate."
        )
    key = anchor.public_key()
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size not in ANCHOR_RSA_BITS:
        kind = f"RSA {key.key_size}" if isinstance(key, rsa.RSAPublicKey) else type(key).__name__
        raise CertificateRejected(
            f"TrustAnchor has a {kind} key; CloudHSM needs an RSA 2048 or RSA 4096 root certificate."
        )
    if len(anchor.extensions) > 0:
        try:
            constraints = anchor.extensions.get_extension_for_class(x509.BasicConstraints).value
        except x509.ExtensionNotFound:
            raise CertificateRejected(
                "TrustAnchor has X509v3 extensions but no Basic Constraints extension; "
                "add basicConstraints=critical,CA:TRUE."
            ) from None
        if not constraints.ca:
            raise CertificateRejected("TrustAnchor's Basic Constraints say CA:FALSE; it must be a CA.")
    now = datetime.datetime.now(datetime.timezone.utc)
    _check_validity("TrustAnchor", anchor, now)
    _check_validity("SignedCert", signed, now)
    if _spki(signed.public_key()) != csr_public_key_der:
        raise CertificateRejected(
            "SignedCert does not certify the cluster's key: its public key is not the one in the "
            "cluster's current CSR (Certificates.ClusterCsr). Sign the current CSR."
        )
    if not _directly_issued(signed, anchor):
        raise CertificateRejected(
            "SignedCert was not signed by the TrustAnchor: its issuer "
            f"{signed.issuer.rfc4514_string()!r} is not the anchor "
            f"{anchor.subject.rfc4514_string()!r} or its signature does not verify with the "
            "anchor's key. Sign the CSR with the root CA whose certificate you pass as TrustAnchor."
        )
