"""The AWS emulator for end-to-end tests: moto's server on 127.0.0.1.

Started by the Rust test harness (tests/src/emulator.rs) on a free port; prints
`READY <port>` on stdout once it accepts requests and serves until stdin closes or
the process is killed, so a crashed test never leaves it running.

moto is extended here with what it lacks (see README.md in this folder); the
`/_trustchain/*` endpoints (faults, request log, delays, CloudHSM activation) are
test controls, never AWS APIs.
"""

import os
import sys
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

import acmpca.issue
import cloudhsm.service
import ec2.ipv6
import ec2.nat
import ec2.strict
import ec2.vpn_routes
import elbv2.quic
import kms.sign
import s3.conditional
from controls import delays, faults, model_check, requestlog


def main() -> int:
    host = "127.0.0.1"  # loopback only, always
    port = int(os.environ.get("EMULATOR_PORT", "0"))
    delays.configure_from_environment()
    faults.configure_from_environment()
    ec2.ipv6.install()
    ec2.nat.install()
    ec2.strict.install()
    ec2.vpn_routes.install()
    elbv2.quic.install()
    cloudhsm.service.install()
    kms.sign.install()
    acmpca.issue.install()
    app = DomainDispatcherApplication(create_backend_app)
    app = cloudhsm.service.middleware(app)
    app = kms.sign.middleware(app)
    app = delays.middleware(app)
    app = s3.conditional.middleware(app)
    # Faulted calls are still calls: the log sits outside the fault injector. Every
    # request is checked against AWS's model before anything else serves it, and every
    # answer the client gets (consistency rewrites included) after.
    app = requestlog.middleware(model_check.middleware(faults.middleware(app)))
    server = make_server(host, port, app, threaded=True, request_handler=MotoRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    print(f"READY {server.server_address[1]}", flush=True)
    # Exit when the parent goes away (stdin closes).
    try:
        sys.stdin.read()
    except KeyboardInterrupt:
        pass
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
