"""`make demo`: the whole provider against the project's AWS emulator, start to finish.

Starts the emulator on 127.0.0.1, keeps Terraform's state in the emulator's S3 with a
lock file, makes a demo root CA in memory (its key reaches Terraform only through an
environment variable feeding an ephemeral variable: never a file, never state or plan),
applies examples/quickstart with real Terraform 1.15.5 and the provider built from this
checkout, prints what exists, proves the next plan is empty, destroys, stops the
emulator and checks that no process or port is left. Every command's full output goes
to the log file named at the start; the terminal gets one line per stage.

Run by the project venv's python (boto3 and cryptography come with moto).
"""

import datetime
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import urllib.request

import boto3

from democa import demo_ca

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.append(os.path.join(ROOT, "tests", "emulator"))
from launcher import Emulator  # noqa: E402  (tests/emulator/launcher.py)
# The Makefile exports TRUSTCHAIN_TERRAFORM; tests pass the binary they built.
TERRAFORM = os.environ.get("TRUSTCHAIN_TERRAFORM") or os.path.join(ROOT, ".venv", "bin", "terraform")
PROVIDER = os.environ.get("TRUSTCHAIN_PROVIDER") or os.path.join(
    os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target"),
    "debug", "terraform-provider-trustchain",
)
LOG_DIR = os.environ.get("TRUSTCHAIN_DEMO_LOG_DIR") or os.path.join(ROOT, ".tmp")
STAGES = 7


class DemoFailed(Exception):
    pass


class Log:
    """The full log, and the short lines for the terminal."""

    def __init__(self, path: str):
        self.path = path
        self.file = open(path, "w", encoding="utf-8")
        self.started = time.monotonic()

    def stage(self, n: int, text: str) -> None:
        line = f"[{n}/{STAGES}] {text}"
        print(line, flush=True)
        self.file.write(f"\n==== {line}\n")
        self.file.flush()

    def note(self, text: str) -> None:
        print(f"      {text}", flush=True)
        self.file.write(text + "\n")
        self.file.flush()



def _test_roots(endpoint: str) -> str:
    """The emulator's stand-ins for the AWS CloudHSM and manufacturer roots."""
    with urllib.request.urlopen(endpoint.rstrip("/") + "/_trustchain/cloudhsm/test-roots", timeout=10) as r:
        return json.loads(r.read())["Bundle"]

def start_emulator(log: Log) -> Emulator:
    try:
        return Emulator(stderr=log.file)
    except RuntimeError as e:
        raise DemoFailed(f"{e}; its output is in the log") from None


def stop_emulator(emulator: Emulator) -> None:
    emulator.stop()
    with socket.socket() as s:
        s.settimeout(1)
        if s.connect_ex(("127.0.0.1", emulator.port)) == 0:
            raise DemoFailed(f"port {emulator.port} still answers after the emulator stopped")


def terraform(log: Log, work: str, env: dict, *args: str, ok_codes=(0,)) -> subprocess.CompletedProcess:
    log.file.write(f"\n$ terraform {' '.join(args)}\n")
    log.file.flush()
    out = subprocess.run(
        [TERRAFORM, *args], cwd=work, env=env, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    log.file.write(out.stdout)
    log.file.flush()
    if out.returncode not in ok_codes:
        tail = "\n".join(out.stdout.strip().splitlines()[-15:])
        raise DemoFailed(f"terraform {args[0]} exited with {out.returncode}:\n{tail}")
    return out


def summary(log: Log, state: dict) -> None:
    """A short table of what exists, from `terraform show -json`."""
    rows = []
    for r in state.get("values", {}).get("root_module", {}).get("resources", []):
        if r.get("mode") != "managed":
            continue
        v = r["values"]
        t = r["type"]
        if t == "trustchain_ipv6_network":
            n = sum(len(s) for s in (v.get("subnets") or {}).values())
            detail = f"{v['vpc_id']}  {v['ipv6_cidr_block']}  {n} subnets in {len(v['tier'])} tiers"
        elif t == "trustchain_cloudhsm_cluster":
            detail = f"{v['cluster_id']}  {v['hsm_type']}  {v['network_type']}"
        elif t == "trustchain_cloudhsm_hsm":
            detail = f"{v['hsm_id']}  {v['availability_zone']}  {v['ip_address']}  {v['hsm_state']}"
        elif t == "trustchain_cloudhsm_cluster_initialization":
            detail = f"cluster {v['cluster_state']}, trust anchor: the demo CA"
        elif t == "trustchain_quic_load_balancer":
            ports = ", ".join(f"{l['protocol']} {l['port']}" for l in v["listener"])
            detail = f"{v['dns_name']}  {ports}"
        elif t == "trustchain_quic_target":
            detail = f"{v['target_id']}:{v['port']}  QUIC server ID {v['quic_server_id']}"
        else:
            detail = v.get("id") or ""
        rows.append((r["address"], detail))
    width = max(len(a) for a, _ in rows)
    log.note(f"{'resource'.ljust(width)}  what exists in the emulator")
    for address, detail in rows:
        log.note(f"{address.ljust(width)}  {detail}")


def leftovers(endpoint: str) -> list:
    """What the demo made that is still there after destroy (moto's default VPC aside)."""
    kw = dict(endpoint_url=endpoint, region_name="us-east-1",
              aws_access_key_id="demo", aws_secret_access_key="demo")
    ec2 = boto3.client("ec2", **kw)
    left = [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if not v.get("IsDefault")]
    left += [e["AllocationId"] for e in ec2.describe_addresses()["Addresses"]]
    left += [c["ClusterId"] for c in boto3.client("cloudhsmv2", **kw).describe_clusters()["Clusters"]
             if c.get("State") != "DELETED"]
    elb = boto3.client("elbv2", **kw)
    left += [lb["LoadBalancerName"] for lb in elb.describe_load_balancers()["LoadBalancers"]]
    left += [tg["TargetGroupName"] for tg in elb.describe_target_groups()["TargetGroups"]]
    return left


def main() -> int:
    started = time.monotonic()
    os.makedirs(LOG_DIR, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    log = Log(os.path.join(LOG_DIR, f"demo-{stamp}.log"))
    print(f"make demo: the trustchain provider end to end (full log: {log.path})", flush=True)
    if not os.path.exists(PROVIDER):
        print(f"{PROVIDER} is missing: build it first (make demo does)", file=sys.stderr)
        return 1
    work = tempfile.mkdtemp(prefix="trustchain-demo-")
    emulator = None
    stage = 0
    try:
        stage = 1
        log.stage(1, "Starting the AWS emulator on 127.0.0.1")
        emulator = start_emulator(log)
        endpoint = emulator.url
        log.note(f"EC2, ELBv2 (QUIC), CloudHSM v2, STS and S3 at {endpoint}")

        stage = 2
        log.stage(2, "Making the state bucket and a demo root CA (in memory only)")
        boto3.client(
            "s3", endpoint_url=endpoint, region_name="us-east-1",
            aws_access_key_id="demo", aws_secret_access_key="demo",
        ).create_bucket(Bucket="trustchain-demo-state")
        ca_cert, ca_key = demo_ca()

        for name in ("main.tf",):
            shutil.copy(os.path.join(ROOT, "examples", "quickstart", name), work)
        plugins = os.path.join(work, ".plugins")
        os.makedirs(plugins)
        os.symlink(PROVIDER, os.path.join(plugins, "terraform-provider-trustchain"))
        with open(os.path.join(work, ".terraformrc"), "w") as f:
            f.write(
                'provider_installation {\n  dev_overrides {\n'
                f'    "trustchain/trustchain" = "{plugins}"\n  }}\n  direct {{}}\n}}\n'
            )
        with open(os.path.join(work, "demo.s3.tfbackend"), "w") as f:
            f.write(
                'bucket                      = "trustchain-demo-state"\n'
                'region                      = "us-east-1"\n'
                f'endpoints                   = {{ s3 = "{endpoint}" }}\n'
                "use_path_style              = true\n"
                "skip_credentials_validation = true\n"
                "skip_requesting_account_id  = true\n"
            )
        env = {
            **os.environ,
            "TF_CLI_CONFIG_FILE": os.path.join(work, ".terraformrc"),
            "TF_IN_AUTOMATION": "1",
            "CHECKPOINT_DISABLE": "1",
            "TF_INPUT": "0",
            "AWS_ACCESS_KEY_ID": "demo",
            "AWS_SECRET_ACCESS_KEY": "demo",
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            "TF_VAR_endpoint": endpoint,
            "TF_VAR_demo_ca_certificate_pem": ca_cert,
            "TF_VAR_demo_ca_private_key_pem": ca_key,
            # The emulator's HSMs chain to its own test roots, not AWS's.
            "TF_VAR_demo_hsm_trust_roots_pem": _test_roots(endpoint),
        }
        for k in ("TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_CORE", "TF_LOG_PATH"):
            env.pop(k, None)
        del ca_key

        stage = 3
        log.stage(3, "terraform init (state in the emulator's S3, use_lockfile = true)")
        terraform(log, work, env, "init", "-no-color", "-input=false", "-backend-config=demo.s3.tfbackend")

        stage = 4
        log.stage(4, "terraform apply: IPv6 network, CloudHSM cluster with 2 HSMs initialized by the demo CA, QUIC load balancer with targets")
        t = time.monotonic()
        out = terraform(log, work, env, "apply", "-auto-approve", "-no-color", "-input=false")
        added = [l for l in out.stdout.splitlines() if l.startswith("Apply complete!")]
        log.note(f"{added[-1] if added else 'applied'} ({time.monotonic() - t:.0f} s)")

        stage = 5
        log.stage(5, "What exists")
        state = json.loads(terraform(log, work, env, "show", "-json", "-no-color").stdout)
        summary(log, state)

        stage = 6
        log.stage(6, "terraform plan again: it must show no changes")
        plan = terraform(log, work, env, "plan", "-detailed-exitcode", "-no-color", "-input=false", ok_codes=(0, 2))
        if plan.returncode != 0:
            raise DemoFailed("the plan after apply is not empty (see the log)")
        log.note("No changes: the infrastructure matches the configuration.")

        stage = 7
        log.stage(7, "terraform destroy, then stop the emulator")
        out = terraform(log, work, env, "destroy", "-auto-approve", "-no-color", "-input=false")
        done = [l for l in out.stdout.splitlines() if l.startswith("Destroy complete!")]
        log.note(done[-1] if done else "destroyed")
        left = leftovers(endpoint)
        if left:
            raise DemoFailed("the emulator still holds objects the demo made: " + ", ".join(left))
        log.note("the emulator holds nothing the demo made")
        stop_emulator(emulator)
        log.note(f"emulator stopped; port {emulator.port} closed")
        emulator = None
    except DemoFailed as e:
        print(f"\nmake demo failed at stage {stage}: {e}\nFull log: {log.path}", file=sys.stderr)
        return 1
    finally:
        if emulator is not None:
            try:
                stop_emulator(emulator)
            except DemoFailed as e:
                print(str(e), file=sys.stderr)
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nmake demo finished in {time.monotonic() - started:.0f} s. Full log: {log.path}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
