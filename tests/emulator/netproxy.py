"""Two real network components on 127.0.0.1 for the provider's CA-bundle and proxy
tests (tests/tests/provider_network.rs), in front of the emulator:

- a TLS-terminating relay: TLS with a server certificate from the test's own CA
  (testca_cli.py "server"), then the plain bytes to the emulator;
- an HTTP proxy: `CONNECT host:port` tunnels (how clients reach https:// URLs
  through a proxy) and absolute-form requests (`POST http://host:port/ HTTP/1.1`,
  how they send http:// ones), forwarded with `Connection: close`.

    netproxy.py UPSTREAM_PORT CERT_PEM KEY_PEM LOG_PATH

prints `READY <tls_port> <proxy_port>`, appends one JSON line per connection it
serves to LOG_PATH ({"kind": "tls"} or {"kind": "connect"|"forward", "target":
"127.0.0.1:port"}), and exits when its stdin closes. Targets other than loopback
are refused (403): nothing here ever leaves the machine.
"""

import json
import socket
import socketserver
import ssl
import sys
import threading

LOG_LOCK = threading.Lock()


def log(path: str, event: dict) -> None:
    with LOG_LOCK, open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(event) + "\n")


def pipe(a: socket.socket, b: socket.socket) -> None:
    """Copies both directions until either side closes."""

    def one_way(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    t = threading.Thread(target=one_way, args=(b, a), daemon=True)
    t.start()
    one_way(a, b)
    t.join(timeout=30)


def loopback(host: str) -> bool:
    return host in ("127.0.0.1", "localhost", "::1", "[::1]")


def read_head(sock: socket.socket) -> tuple[bytes, bytes]:
    """The request head (up to the blank line) and whatever came after it."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            return b"", b""
        buf += chunk
        if len(buf) > 1 << 20:
            return b"", b""
    head, _, rest = buf.partition(b"\r\n\r\n")
    return head, rest


class Relay(socketserver.BaseRequestHandler):
    def handle(self):
        server = self.server
        log(server.log_path, {"kind": "tls"})
        with socket.create_connection(("127.0.0.1", server.upstream)) as up:
            pipe(self.request, up)


class Proxy(socketserver.BaseRequestHandler):
    def handle(self):
        server = self.server
        head, rest = read_head(self.request)
        if not head:
            return
        lines = head.decode("latin-1").split("\r\n")
        method, target, version = lines[0].split(" ", 2)
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            if not loopback(host):
                self.request.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                return
            log(server.log_path, {"kind": "connect", "target": target})
            with socket.create_connection((host.strip("[]"), int(port))) as up:
                self.request.sendall(b"HTTP/1.1 200 Connection Established\r\n\r\n")
                if rest:
                    up.sendall(rest)
                pipe(self.request, up)
            return
        if not target.startswith("http://"):
            self.request.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            return
        authority, _, path = target[len("http://") :].partition("/")
        host, _, port = authority.rpartition(":")
        if not loopback(host):
            self.request.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            return
        log(server.log_path, {"kind": "forward", "target": authority})
        headers = [h for h in lines[1:] if not h.lower().startswith(("connection:", "proxy-connection:"))]
        out = "\r\n".join([f"{method} /{path} {version}", *headers, "Connection: close", "", ""])
        with socket.create_connection((host.strip("[]"), int(port or 80))) as up:
            up.sendall(out.encode("latin-1") + rest)
            pipe(self.request, up)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class TlsServer(Server):
    def __init__(self, addr, handler, context):
        super().__init__(addr, handler)
        self.context = context

    def get_request(self):
        sock, addr = super().get_request()
        sock.settimeout(30)
        try:
            return self.context.wrap_socket(sock, server_side=True), addr
        except (ssl.SSLError, OSError):
            # A client that does not trust the certificate hangs up here: count it
            # as a TLS connection all the same, then drop it.
            log(self.log_path, {"kind": "tls-refused"})
            sock.close()
            raise


def main() -> int:
    upstream, cert, key, log_path = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    tls = TlsServer(("127.0.0.1", 0), Relay, ctx)
    proxy = Server(("127.0.0.1", 0), Proxy)
    for s in (tls, proxy):
        s.upstream = upstream
        s.log_path = log_path
        threading.Thread(target=s.serve_forever, daemon=True).start()
    print(f"READY {tls.server_address[1]} {proxy.server_address[1]}", flush=True)
    sys.stdin.read()
    return 0


if __name__ == "__main__":
    sys.exit(main())
