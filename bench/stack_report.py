"""The quickstart stack's figures (bench/stack.py) as table rows: AWS calls per phase
by service and action beside hashicorp/aws's refresh cost for the same topology
(bench/hashicorp_aws.py), and wall times with emulated latency with the calls in
flight."""

import json
import os
import sys

import hashicorp_aws
import stack as stack_mod
from stats import table

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "emulator"))
import delays  # noqa: E402  (the emulator's delay presets: the critical path's floor)

# Which of our services a topology group's calls go to.
GROUPS = [
    ("network", "ec2", "network", "network (IPv6-only: VPC, 6 subnets, IGW, EIGW, 2 route tables, 2 routes, 6 associations)", 5),
    ("cloudhsm", "cloudhsm", "CloudHSM cluster + 2 HSMs", "CloudHSM cluster + 2 HSMs", 1),
    ("load_balancer", "elasticloadbalancing", "load balancer set", "NLB + 2 listeners + 2 target groups + 4 attachments", 4),
]
LABEL = {"network": "network", "cloudhsm": "cluster + 2 HSMs (+ initialization)", "load_balancer": "QUIC load balancer + listener + targets"}


def service_total(phase: dict, service: str) -> int:
    return sum(phase["counts"].get(service, {}).values())


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b else "-"


def refresh_rows(stack: dict) -> list[list[str]]:
    """Per group: ours per refresh, hashicorp/aws for the quickstart's own topology and for
    the issue's reference topology, and the targets."""
    ref = stack["phases"]["refresh"]
    topo = stack["topology"] or {}
    rows = []
    for key, service, group, issue_group, target in GROUPS:
        ours = service_total(ref, service)
        theirs = sum(hashicorp_aws.refresh_calls_for(topo.get(key, {})).values())
        issue = sum(hashicorp_aws.refresh_calls(issue_group).values())
        shape = ", ".join(f"{n} {t.removeprefix('aws_')}" for t, n in topo.get(key, {}).items() if n)
        rows.append([f"refresh: {LABEL[key]}", str(ours), f"{theirs} ({shape})", ratio(ours, theirs),
                     f"<= {target} (1/5 of the issue's {issue})", verdict(ours <= target)])
    sts = service_total(ref, "sts")
    ours_all = ref["total"] - sts
    theirs_all = sum(sum(hashicorp_aws.refresh_calls_for(topo.get(k, {})).values()) for k, *_ in GROUPS)
    # STS apart: one GetCallerIdentity per provider start (the account for ARNs and
    # identities); hashicorp/aws asks STS at configure too unless skip_requesting_account_id.
    rows.append([f"refresh: whole stack, EC2 + CloudHSM + ELBv2 (STS apart: ours {sts})",
                 str(ours_all), str(theirs_all), ratio(ours_all, theirs_all), "<= 1/5",
                 verdict(ours_all * 5 <= theirs_all)])
    return rows


def calls_table(stack: dict) -> str:
    """Every call of every phase, by service and action."""
    phases = ["apply", "refresh", "plan", "destroy"]
    keys = sorted({(s, a) for p in phases for s, acts in stack["phases"][p]["counts"].items() for a in acts})
    rows = []
    for s, a in keys:
        rows.append([s, a] + [str(stack["phases"][p]["counts"].get(s, {}).get(a, "")) for p in phases])
    rows.append(["**all**", ""] + [f"**{stack['phases'][p]['total']}**" for p in phases])
    rows.append(["refused by AWS", "(waited out or retried)"] + [
        ", ".join(f"{a} {n}" for a, n in stack["phases"][p].get("errors_by_action", {}).items()) or "0"
        for p in phases])
    return table(["service", "action", "apply", "refresh-only plan", "plan", "destroy"], rows)


def timing_rows(stack: dict) -> list[list[str]]:
    rows = []
    for phase in ["apply", "refresh", "plan", "destroy"]:
        p = stack["phases"][phase]
        fl = p["in_flight"]
        per = ", ".join(f"{s} {n}" for s, n in fl.items() if s != "all")
        rows.append([phase, f"{p['wall_s']:.1f} s", str(p["total"]), str(fl["all"]), per])
    return rows


def critical_path_s(stack: dict) -> dict:
    """The state delays no provider can overlap, at the run's scale: the cluster, then the
    first HSM, the initialization, the second HSM (AWS takes one HSM before
    initialization); destroy: the HSMs (together), then the cluster, beside the targets'
    draining before their group and load balancer go (both before the network)."""
    scale = _spec(stack).get("scale", 1.0)
    d = delays.REALISTIC
    return {
        "apply": (d["cluster_create"] + 2 * d["hsm_create"] + d["cluster_initialize"]) * scale,
        "destroy": max(d["hsm_delete"] + d["cluster_delete"], stack_mod.TARGET_DRAINING_S) * scale,
    }


def summary_rows(fast: dict, slow: dict) -> list[list[str]]:
    """The stack's rows of the one summary table."""
    rows = refresh_rows(fast)
    if slow:
        floor = critical_path_s(slow)
        for phase in ["apply", "destroy"]:
            p = slow["phases"][phase]
            rows.append([f"{phase} wall time, {latency_ms(slow):.0f} ms/call + AWS state delays x{scale_of(slow)}",
                         f"{p['wall_s']:.1f} s", f"{floor[phase]:.1f} s (state delays on the critical path)",
                         ratio(p["wall_s"], floor[phase]), "", ""])
            rows.append([f"{phase}: most AWS calls in flight", str(p["in_flight"]["all"]), "", "", "bounded (<= 8 per service)",
                         verdict(all(n <= 8 for s, n in p["in_flight"].items() if s != "all"))])
    return rows


def _spec(stack: dict) -> dict:
    return json.loads(stack["delays"].get("TRUSTCHAIN_EMULATOR_DELAYS", "{}") or "{}")


def scale_of(stack: dict) -> str:
    return f"{_spec(stack).get('scale', 1.0):g}"


def latency_ms(stack: dict) -> float:
    return _spec(stack).get("api_call", 0.0) * 1000
