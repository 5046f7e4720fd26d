"""Starts and stops the emulator (server.py): the one launcher of every Python caller.

The emulator's protocol: `python server.py` listens on 127.0.0.1 (a free port, or
EMULATOR_PORT), prints `READY <port>` on stdout once it accepts requests, and exits
when its stdin closes, so a crashed caller never leaves it running. Callers:

- the emulator's own suite (testing/harness.py, elbv2/testing.py),
- `make demo` (tools/demo.py), `make bench` (bench/stack.py),
- `make emulator` (this file run as a script: prints the provider block to paste),
- the Rust acceptance harness, tests/src/emulator.rs, speaks the same protocol
  (Rust cannot import this module); it names the same server.py.

Only the standard library is used here, so a caller outside the venv (bench) can
import it and still run the server with the venv's interpreter.
"""

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

SERVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "server.py")


class Emulator:
    """One emulator process on 127.0.0.1, ready when the constructor returns."""

    def __init__(self, env: dict | None = None, stderr=subprocess.DEVNULL, python: str = sys.executable):
        """`env` is added to this process's environment (EMULATOR_PORT is dropped
        unless `env` sets it: a caller asks for a port explicitly); `stderr` is where
        the server's log goes (a file, or DEVNULL); `python` runs server.py."""
        child_env = dict(os.environ)
        child_env.pop("EMULATOR_PORT", None)
        child_env.update(env or {})
        self.process = subprocess.Popen(
            [python, SERVER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=child_env,
            text=True,
        )
        line = self.process.stdout.readline()
        if not line.startswith("READY "):
            self.process.kill()
            self.process.wait()
            raise RuntimeError(f"the emulator did not start (printed {line!r})")
        self.port = int(line.split()[1])
        self.url = f"http://127.0.0.1:{self.port}"

    def control(self, method: str, path: str, payload=None) -> tuple[int, object]:
        """A /_trustchain/* request: (status, parsed JSON body or None)."""
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                body = response.read()
                return response.status, json.loads(body) if body else None
        except urllib.error.HTTPError as e:
            body = e.read()
            return e.code, json.loads(body) if body else None

    def stop(self) -> None:
        """Closes the server's stdin (it exits), killing it after 10 s."""
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()


PROVIDER_BLOCK = """\
AWS emulator on {url} (EC2, ELBv2 with QUIC, CloudHSM v2 with HSMs and InitializeCluster, STS).
Paste into your configuration; any access key works:

provider "trustchain" {{
  region = "us-east-1"
  endpoints {{
    ec2        = "{url}"
    elbv2      = "{url}"
    cloudhsmv2 = "{url}"
    sts        = "{url}"
  }}
}}

  export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
  test controls: {url}/_trustchain/requests (API call counts), /_trustchain/faults, /_trustchain/delays

Ctrl-C stops the emulator."""


def main() -> int:
    """`make emulator`: the emulator for your own configurations until Ctrl-C.
    EMULATOR_PORT picks the port (default: a free one)."""
    port = os.environ.get("EMULATOR_PORT")
    emulator = Emulator(env={"EMULATOR_PORT": port} if port else None, stderr=None)
    print(PROVIDER_BLOCK.format(url=emulator.url), flush=True)
    try:
        emulator.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
