"""Starts a Terraform provider binary the way Terraform does (go-plugin handshake with
AutoMTLS) and measures one start: time to the handshake line, the first
GetProviderSchema (protocol 6) / GetSchema (protocol 5) call, steady-state schema
latency, the response size, and the process's RSS after the call.

The gRPC calls use raw bytes (no generated code): both schema requests are empty
messages, and the response is only measured, never parsed, so no tfplugin5 proto is
needed. The client is Python's ssl (OpenSSL) with a minimal gRPC-over-HTTP/2 unary
call (`h2`): grpcio's BoringSSL offers no ecdsa_secp521r1_sha512 signature, so it
cannot talk TLS 1.3 to a P-521 server certificate, which Terraform's Go client (and
OpenSSL) can. Only unix sockets in a private temp dir are used.
"""

import base64
import datetime
import os
import socket
import ssl
import subprocess
import tempfile
import time

import h2.config
import h2.connection
import h2.events
import h2.exceptions
import h2.settings
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
SCHEMA_METHOD = {
    5: "/tfplugin5.Provider/GetSchema",
    6: "/tfplugin6.Provider/GetProviderSchema",
}
SHUTDOWN = "/plugin.GRPCController/Shutdown"


class ClientIdentity:
    """A self-signed P-521 client certificate, as Terraform (go-plugin) makes one per run."""

    def __init__(self):
        key = ec.generate_private_key(ec.SECP521R1())
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "trustchain bench"),
                x509.NameAttribute(NameOID.COMMON_NAME, "localhost"),
            ]
        )
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True, key_encipherment=True, key_cert_sign=True,
                    content_commitment=False, data_encipherment=False, key_agreement=False,
                    crl_sign=False, encipher_only=False, decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
                critical=False,
            )
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .sign(key, hashes.SHA512())
        )
        self.cert_pem = cert.public_bytes(serialization.Encoding.PEM)
        self.key_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


def _rss_kib(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a live process, in KiB."""
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                fields[k] = int(v.split()[0])
    return fields["VmRSS"], fields["VmHWM"]


def _server_pem(cert_field: str) -> bytes:
    der = base64.b64decode(cert_field + "=" * (-len(cert_field) % 4))
    b64 = base64.encodebytes(der).decode().replace("\n", "")
    lines = [b64[i : i + 64] for i in range(0, len(b64), 64)]
    return ("-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n").encode()


class GrpcClient:
    """One mTLS HTTP/2 connection to a plugin's unix socket, unary calls with raw bytes."""

    def __init__(self, path: str, server_pem: bytes, identity: ClientIdentity):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(cadata=server_pem.decode())
        with tempfile.TemporaryDirectory() as d:
            cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
            with open(cert, "wb") as f:
                f.write(identity.cert_pem)
            with open(key, "wb") as f:
                f.write(identity.key_pem)
            ctx.load_cert_chain(cert, key)
        ctx.set_alpn_protocols(["h2"])
        raw = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        raw.settimeout(30)
        raw.connect(path)
        self.sock = ctx.wrap_socket(raw, server_hostname="localhost")
        self.conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
        self.conn.initiate_connection()
        # Room for a large schema without waiting on window updates.
        self.conn.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 1 << 30})
        self.conn.increment_flow_control_window(1 << 30)
        self.sock.sendall(self.conn.data_to_send())

    def unary(self, method: str, payload: bytes = b"") -> bytes:
        sid = self.conn.get_next_available_stream_id()
        self.conn.send_headers(
            sid,
            [
                (":method", "POST"),
                (":scheme", "https"),
                (":path", method),
                (":authority", "localhost"),
                ("content-type", "application/grpc"),
                ("te", "trailers"),
            ],
        )
        self.conn.send_data(sid, b"\x00" + len(payload).to_bytes(4, "big") + payload, end_stream=True)
        self.sock.sendall(self.conn.data_to_send())
        body, status = bytearray(), None
        while True:
            data = self.sock.recv(1 << 20)
            if not data:
                raise RuntimeError(f"{method}: connection closed")
            for ev in self.conn.receive_data(data):
                if isinstance(ev, (h2.events.ResponseReceived, h2.events.TrailersReceived)) and ev.stream_id == sid:
                    status = dict(ev.headers).get("grpc-status", status)
                elif isinstance(ev, h2.events.DataReceived) and ev.stream_id == sid:
                    body += ev.data
                    self.conn.acknowledge_received_data(ev.flow_controlled_length, sid)
                elif isinstance(ev, h2.events.StreamReset) and ev.stream_id == sid:
                    raise RuntimeError(f"{method}: stream reset")
                elif isinstance(ev, h2.events.StreamEnded) and ev.stream_id == sid:
                    self.sock.sendall(self.conn.data_to_send())
                    if status != "0":
                        raise RuntimeError(f"{method}: grpc-status {status}")
                    # One length-prefixed message: 1 byte flag, 4 bytes length.
                    return bytes(body[5:])
            self.sock.sendall(self.conn.data_to_send())

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.sock.close()


def start_once(binary: str, identity: ClientIdentity, tmpdir: str, steady_calls: int = 20) -> dict:
    """One start of `binary`; returns the measurements (seconds, bytes, KiB)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "TMPDIR": tmpdir,
        "TF_PLUGIN_MAGIC_COOKIE": COOKIE,
        # What Terraform 1.15 offers; the null provider answers 5, ours 6.
        "PLUGIN_PROTOCOL_VERSIONS": "5,6",
        "PLUGIN_CLIENT_CERT": identity.cert_pem.decode(),
    }
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [binary], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    try:
        line = proc.stdout.readline().decode().strip()
        t_handshake = time.perf_counter() - t0
        parts = line.split("|")
        if len(parts) != 6 or parts[2] != "unix" or not parts[5]:
            raise RuntimeError(f"{binary}: unexpected handshake line {line!r}")
        protocol = int(parts[1])
        t1 = time.perf_counter()
        with GrpcClient(parts[3], _server_pem(parts[5]), identity) as client:
            body = client.unary(SCHEMA_METHOD[protocol])
            t_first = time.perf_counter() - t1
            rss, hwm = _rss_kib(proc.pid)
            steady = []
            for _ in range(steady_calls):
                t2 = time.perf_counter()
                client.unary(SCHEMA_METHOD[protocol])
                steady.append(time.perf_counter() - t2)
            try:
                client.unary(SHUTDOWN)
            except (OSError, RuntimeError, h2.exceptions.H2Error):
                pass  # a plugin may close the connection while answering
        # wait4 for the child's own CPU time and peak RSS over its whole life.
        deadline = time.monotonic() + 10
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                proc.returncode = os.waitstatus_to_exitcode(status)
                break
            if time.monotonic() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                proc.returncode = os.waitstatus_to_exitcode(status)
                break
            time.sleep(0.005)
        return {
            "protocol": protocol,
            "handshake_s": t_handshake,
            "first_schema_s": t_first,
            "steady_schema_s": sorted(steady)[len(steady) // 2],
            "schema_bytes": len(body),
            "rss_kib": rss,
            "hwm_kib": hwm,
            "cpu_s": usage.ru_utime + usage.ru_stime,
            "maxrss_kib": usage.ru_maxrss,
            "exit": proc.returncode,
        }
    finally:
        if proc.returncode is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
