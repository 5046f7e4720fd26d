"""Items 4 and 5 of issue 12: the quickstart stack (examples/quickstart: network,
CloudHSM cluster + 2 HSMs + initialization, QUIC load balancer + listener + targets)
applied, refreshed, planned and destroyed by real Terraform with the provider's
release binary against the project's emulator (tests/emulator, 127.0.0.1 only).

Every phase starts from a cleared emulator request log and ends with a snapshot of it:
AWS calls by service and action, and each call's start and end (seconds), from which
the calls in flight at every moment follow. One run with the emulator's fast delays
and no latency gives the call counts; one with per-call latency and AWS's state
timeline scaled down gives wall times and the parallelism reached.

The quickstart keeps its state in S3 (`backend "s3"` with `use_lockfile`); the bench
copies the configuration into a temp dir and adds `backend_override.tf` with a local
backend, so only the provider's calls reach the log (the emulator's S3 is REST and the
log does not count it anyway). The resources are the quickstart's, unchanged.

`python bench/stack.py [fast|latency]` runs one mode alone and prints its JSON.
"""

import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUICKSTART = os.environ.get("BENCH_QUICKSTART", os.path.join(ROOT, "examples", "quickstart"))
EMULATOR_PYTHON = os.environ.get("TRUSTCHAIN_PYTHON", os.path.join(ROOT, ".venv", "bin", "python"))
sys.path.append(os.path.join(ROOT, "tests", "emulator"))
import launcher  # noqa: E402  (tests/emulator/launcher.py)

# The latency run: 50 ms per AWS call, AWS's state timeline (tests/emulator/controls/delays.py
# "realistic", NLB provisioning and target draining as below) STATE_SCALE times as long.
API_LATENCY_S = float(os.environ.get("BENCH_API_LATENCY", "0.05"))
STATE_SCALE = float(os.environ.get("BENCH_STATE_SCALE", "0.05"))
# AWS: an NLB provisions in about 3 minutes; a target drains for the target group's
# deregistration delay (300 s by default) and turns healthy after a few health checks.
NLB_PROVISIONING_S = 180.0
TARGET_INITIAL_S = 60.0
TARGET_DRAINING_S = 300.0


def demo_ca():
    """The demo root CA of tools/demo.py (tools/democa.py), named for the benchmark."""
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    from democa import demo_ca as make

    return make("TrustChain Bench Root CA")


class Emulator(launcher.Emulator):
    """The launcher's emulator run by the venv's python, plus boto3 calls."""

    def __init__(self, env: dict):
        super().__init__(env=env, python=EMULATOR_PYTHON)

    def control_ok(self, method: str, path: str):
        """A /_trustchain/* request that must succeed: its JSON body."""
        status, body = self.control(method, path)
        if status >= 400:
            raise RuntimeError(f"{method} {path}: {status} {body}")
        return body

    def aws(self, service: str, operation: str, params: dict) -> dict:
        out = subprocess.run(
            [EMULATOR_PYTHON, os.path.join(ROOT, "tests", "emulator", "aws_call.py"),
             self.url, service, operation, json.dumps(params)],
            capture_output=True, text=True, check=True,
        )
        return json.loads(out.stdout)


def in_flight(calls: list[dict]) -> dict:
    """Most calls open at one moment, overall and per service, from start/end times."""

    def peak(cs):
        events = sorted([(c["start"], 1) for c in cs] + [(c["end"], -1) for c in cs])
        n = best = 0
        for _, d in events:  # an end sorts before a start at the same instant
            n += d
            best = max(best, n)
        return best

    services = sorted({c["service"] for c in calls})
    return {"all": peak(calls), **{s: peak([c for c in calls if c["service"] == s]) for s in services}}


def topology(emu: Emulator) -> dict:
    """What the quickstart made, counted as hashicorp/aws resources (bench/hashicorp_aws.py)."""
    vpcs = [v for v in emu.aws("ec2", "describe_vpcs", {})["Vpcs"] if not v.get("IsDefault")]
    vpc = vpcs[0]["VpcId"]
    f = {"Filters": [{"Name": "vpc-id", "Values": [vpc]}]}
    subnets = emu.aws("ec2", "describe_subnets", f)["Subnets"]
    rts = emu.aws("ec2", "describe_route_tables", f)["RouteTables"]
    own_rts = [rt for rt in rts if not any(a.get("Main") for a in rt.get("Associations", []))]
    routes = sum(1 for rt in own_rts for r in rt.get("Routes", []) if r.get("GatewayId") != "local")
    assocs = sum(1 for rt in own_rts for a in rt.get("Associations", []) if a.get("SubnetId"))
    igws = emu.aws("ec2", "describe_internet_gateways",
                   {"Filters": [{"Name": "attachment.vpc-id", "Values": [vpc]}]})["InternetGateways"]
    eigws = [g for g in emu.aws("ec2", "describe_egress_only_internet_gateways", {})["EgressOnlyInternetGateways"]
             if any(a.get("VpcId") == vpc for a in g.get("Attachments", []))]
    nats = [n for n in emu.aws("ec2", "describe_nat_gateways", {"Filter": f["Filters"]})["NatGateways"]
            if n.get("State") not in ("deleted", "deleting")]
    clusters = emu.aws("cloudhsmv2", "describe_clusters", {})["Clusters"]
    hsms = sum(len(c.get("Hsms", [])) for c in clusters)
    lbs = emu.aws("elbv2", "describe_load_balancers", {})["LoadBalancers"]
    listeners = sum(len(emu.aws("elbv2", "describe_listeners", {"LoadBalancerArn": lb["LoadBalancerArn"]})["Listeners"])
                    for lb in lbs)
    groups = emu.aws("elbv2", "describe_target_groups", {})["TargetGroups"]
    targets = sum(len(emu.aws("elbv2", "describe_target_health", {"TargetGroupArn": g["TargetGroupArn"]})
                      ["TargetHealthDescriptions"]) for g in groups)
    return {
        "network": {
            "aws_vpc": 1, "aws_subnet": len(subnets), "aws_internet_gateway": len(igws),
            "aws_egress_only_internet_gateway": len(eigws), "aws_route_table": len(own_rts),
            "aws_route": routes, "aws_route_table_association": assocs,
            "aws_nat_gateway": len(nats), "aws_eip": len(nats),
        },
        "cloudhsm": {"aws_cloudhsm_v2_cluster": len(clusters), "aws_cloudhsm_v2_hsm": hsms},
        "load_balancer": {
            "aws_lb": len(lbs), "aws_lb_listener": listeners, "aws_lb_target_group": len(groups),
            "aws_lb_target_group_attachment": targets,
        },
    }


def run(terraform: str, provider: str, mode: str, log=print) -> dict:
    """One pass through the stack: init, apply, refresh-only plan, plan, destroy."""
    if mode == "fast":
        emu_env = {}
    else:
        emu_env = {
            "TRUSTCHAIN_EMULATOR_DELAYS": json.dumps(
                {"preset": "realistic", "scale": STATE_SCALE, "api_call": API_LATENCY_S}),
            "EMULATOR_NLB_PROVISIONING_SECONDS": str(NLB_PROVISIONING_S * STATE_SCALE),
            "EMULATOR_TARGET_INITIAL_SECONDS": str(TARGET_INITIAL_S * STATE_SCALE),
            "EMULATOR_TARGET_DRAINING_SECONDS": str(TARGET_DRAINING_S * STATE_SCALE),
        }
    work = tempfile.mkdtemp(prefix="tc-bench-stack-")
    emu = Emulator(emu_env)
    try:
        for name in os.listdir(QUICKSTART):
            if name.endswith(".tf"):
                shutil.copy(os.path.join(QUICKSTART, name), work)
        with open(os.path.join(work, "backend_override.tf"), "w") as f:
            f.write('terraform {\n  backend "local" {}\n}\n')
        plugins = os.path.join(work, ".plugins")
        os.makedirs(plugins)
        os.symlink(os.path.abspath(provider), os.path.join(plugins, "terraform-provider-trustchain"))
        with open(os.path.join(work, ".terraformrc"), "w") as f:
            f.write('provider_installation {\n  dev_overrides {\n'
                    f'    "trustchain/trustchain" = "{plugins}"\n  }}\n  direct {{}}\n}}\n')
        ca_cert, ca_key = demo_ca()
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("TF_LOG")},
            "TF_CLI_CONFIG_FILE": os.path.join(work, ".terraformrc"),
            "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1", "TF_INPUT": "0",
            "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            "TF_VAR_endpoint": emu.url,
            "TF_VAR_demo_ca_certificate_pem": ca_cert,
            "TF_VAR_demo_ca_private_key_pem": ca_key,
        }

        def tf(*args, ok=(0,)):
            out = subprocess.run([terraform, *args, "-no-color"], cwd=work, env=env, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if out.returncode not in ok:
                tail = "\n".join(out.stdout.strip().splitlines()[-30:])
                raise RuntimeError(f"terraform {args[0]} exited {out.returncode}:\n{tail}")
            return out

        tf("init", "-input=false")
        phases = {}
        topo = None
        for phase, args, ok in [
            ("apply", ("apply", "-auto-approve", "-input=false"), (0,)),
            ("refresh", ("plan", "-refresh-only", "-detailed-exitcode", "-input=false"), (0, 2)),
            ("plan", ("plan", "-detailed-exitcode", "-input=false"), (0, 2)),
            ("destroy", ("destroy", "-auto-approve", "-input=false"), (0,)),
        ]:
            if phase == "destroy":
                topo = topology(emu)
            emu.control_ok("DELETE", "/_trustchain/requests")
            t0 = time.perf_counter()
            out = tf(*args, ok=ok)
            wall = time.perf_counter() - t0
            reqs = emu.control_ok("GET", "/_trustchain/requests")
            calls = reqs["calls"]
            phases[phase] = {
                "wall_s": wall,
                "exit": out.returncode,
                "total": reqs["total"],
                "counts": reqs["counts"],
                "errors": sum(1 for c in calls if c["status"] >= 400),
                # Refusals the provider waits out or retries (the #7437 HSM, a
                # dependency still draining), by action.
                "errors_by_action": {
                    a: n for a in sorted({c["action"] for c in calls if c["status"] >= 400})
                    if (n := sum(1 for c in calls if c["status"] >= 400 and c["action"] == a))
                },
                "in_flight": in_flight(calls),
                "calls": [[c["service"], c["action"], c["start"], c["end"]] for c in calls],
            }
            log(f"stack {mode}: {phase} {wall:.1f} s, {reqs['total']} AWS calls, "
                f"at most {phases[phase]['in_flight']['all']} in flight")
        return {
            "mode": mode,
            "delays": emu_env,
            "phases": phases,
            "topology": topo,
        }
    finally:
        emu.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    tfbin = os.environ.get("TRUSTCHAIN_TERRAFORM", os.path.join(ROOT, ".venv", "bin", "terraform"))
    prov = os.environ.get("BENCH_PROVIDER", os.path.join(ROOT, "target", "release", "terraform-provider-trustchain"))
    r = run(tfbin, prov, sys.argv[1] if len(sys.argv) > 1 else "fast", log=lambda m: print(m, file=sys.stderr))
    for p in r["phases"].values():
        p.pop("calls")
    print(json.dumps(r, indent=1))
