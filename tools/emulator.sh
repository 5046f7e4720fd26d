#!/usr/bin/env bash
# `make emulator`: the project's AWS emulator (moto + tests/emulator extensions) on a
# loopback port for your own configurations. Prints the provider block to paste;
# Ctrl-C stops it. EMULATOR_PORT picks the port (default: a free one).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
fifo=$(mktemp -u "${TMPDIR:-/tmp}/trustchain-emulator.XXXXXX")
mkfifo "$fifo"
trap 'kill "$pid" 2>/dev/null || true; rm -f "$fifo"' EXIT INT TERM
sleep infinity | "$root/.venv/bin/python" "$root/tests/emulator/server.py" >"$fifo" &
pid=$!
read -r ready port <"$fifo"
[ "$ready" = READY ] || { echo "emulator failed to start" >&2; exit 1; }
url="http://127.0.0.1:$port"
cat <<TXT
AWS emulator on $url (EC2, ELBv2 with QUIC, CloudHSM v2 with HSMs and InitializeCluster, STS).
Paste into your configuration; any access key works:

provider "trustchain" {
  region = "us-east-1"
  endpoints {
    ec2        = "$url"
    elbv2      = "$url"
    cloudhsmv2 = "$url"
    sts        = "$url"
  }
}

  export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
  test controls: $url/_trustchain/requests (API call counts), /_trustchain/faults, /_trustchain/delays

Ctrl-C stops the emulator.
TXT
wait "$pid"
