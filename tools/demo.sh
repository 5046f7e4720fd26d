#!/usr/bin/env bash
# `make demo`: run examples/quickstart with real Terraform 1.15.5 and the provider
# built from this checkout, against the AWS emulator on 127.0.0.1.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tf="$root/.venv/bin/terraform"
work=$(mktemp -d "${TMPDIR:-/tmp}/trustchain-demo.XXXXXX")
emulator_pid=
cleanup() {
  [ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The emulator prints "READY <port>" once it listens; it exits when its stdin closes.
mkfifo "$work/emulator.out"
sleep infinity | "$root/.venv/bin/python" "$root/tests/emulator/server.py" >"$work/emulator.out" 2>"$work/emulator.log" &
emulator_pid=$!
read -r ready port <"$work/emulator.out"
[ "$ready" = READY ] || { echo "emulator failed to start" >&2; cat "$work/emulator.log" >&2; exit 1; }
endpoint="http://127.0.0.1:$port"
echo "==> AWS emulator on $endpoint"

mkdir -p "$work/plugins"
ln -s "$root/target/debug/terraform-provider-trustchain" "$work/plugins/terraform-provider-trustchain"
cat >"$work/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "trustchain/trustchain" = "$work/plugins"
  }
  direct {}
}
RC
cp "$root/examples/quickstart/"*.tf "$work/"
export TF_CLI_CONFIG_FILE="$work/terraformrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
export AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo AWS_EC2_METADATA_DISABLED=true
cd "$work"
echo "==> terraform plan"
"$tf" plan -input=false -var "endpoint=$endpoint"
echo "==> terraform apply"
"$tf" apply -auto-approve -input=false -var "endpoint=$endpoint"
echo "==> terraform output"
"$tf" output
echo "==> terraform destroy"
"$tf" destroy -auto-approve -input=false -var "endpoint=$endpoint"
echo "==> demo finished"
