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

from werkzeug.serving import make_server

import acmpca_issue
import cloudhsm
import delays
import ec2_ipv6
import ec2_nat
import ec2_strict
import ec2_vpn_routes
import elbv2_quic
import faults
import kms_sign
import model_check
import requestlog
import s3_conditional
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)


def main() -> int:
    host = "127.0.0.1"  # loopback only, always
    port = int(os.environ.get("EMULATOR_PORT", "0"))
    delays.configure_from_environment()
    faults.configure_from_environment()
    ec2_ipv6.install()
    ec2_nat.install()
    ec2_strict.install()
    ec2_vpn_routes.install()
    elbv2_quic.install()
    cloudhsm.install()
    kms_sign.install()
    acmpca_issue.install()
    app = DomainDispatcherApplication(create_backend_app)
    app = cloudhsm.middleware(app)
    app = kms_sign.middleware(app)
    app = delays.middleware(app)
    app = s3_conditional.middleware(app)
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
