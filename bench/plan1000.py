"""`terraform plan` of 1,000 instances of a pure data source through real Terraform:
`trustchain_ipv6_plan` against hashicorp/null's `null_data_source`.

Both providers are wired in through `dev_overrides` (no registry, no `init`), each
behind a two-line shim that execs the real binary under GNU time, so every provider
process Terraform starts leaves its CPU time and peak RSS in a file. The shim's own
cost (sh + time, about a millisecond per launch) is the same for both.
"""

import os
import shutil
import subprocess
import time

INSTANCES = 1000

CONFIGS = {
    "trustchain": """terraform {
  required_providers {
    trustchain = { source = "trustchain/trustchain" }
  }
}

data "trustchain_ipv6_plan" "this" {
  count              = %(n)d
  prefix             = cidrsubnet("2001:db8::/32", 24, count.index)
  tiers              = ["public", "app", "data"]
  availability_zones = ["us-east-1a", "us-east-1b", "us-east-1c"]
}
""",
    "null": """terraform {
  required_providers {
    null = { source = "hashicorp/null" }
  }
}

data "null_data_source" "this" {
  count = %(n)d
  inputs = {
    prefix = cidrsubnet("2001:db8::/32", 24, count.index)
    tiers  = "public,app,data"
  }
}
""",
}

ADDRESS = {"trustchain": "trustchain/trustchain", "null": "hashicorp/null"}


def prepare(workdir: str, name: str, binary: str) -> dict:
    """A working directory for one provider; returns what `run` needs."""
    d = os.path.join(workdir, f"plan-{name}")
    shutil.rmtree(d, ignore_errors=True)
    plugins = os.path.join(d, ".plugins")
    os.makedirs(plugins)
    usage = os.path.join(d, "provider-usage.txt")
    shim = os.path.join(plugins, f"terraform-provider-{name}")
    with open(shim, "w") as f:
        f.write(f'#!/bin/sh\nexec /usr/bin/time -a -o "{usage}" -f "%e %U %S %M" "{os.path.abspath(binary)}" "$@"\n')
    os.chmod(shim, 0o755)
    rc = os.path.join(d, ".terraformrc")
    with open(rc, "w") as f:
        f.write(
            "provider_installation {\n  dev_overrides {\n"
            f'    "{ADDRESS[name]}" = "{plugins}"\n'
            "  }\n  direct {}\n}\n"
        )
    with open(os.path.join(d, "main.tf"), "w") as f:
        f.write(CONFIGS[name] % {"n": INSTANCES})
    return {"dir": d, "rc": rc, "usage": usage}


def run(terraform: str, ws: dict) -> dict:
    """One `terraform plan`: wall time, and the provider processes' CPU and peak RSS."""
    if os.path.exists(ws["usage"]):
        os.remove(ws["usage"])
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("TF_") and k not in ("CHECKPOINT_DISABLE",)
    }
    env.update(
        TF_CLI_CONFIG_FILE=ws["rc"],
        TF_IN_AUTOMATION="1",
        TF_INPUT="0",
        CHECKPOINT_DISABLE="1",
    )
    t0 = time.perf_counter()
    out = subprocess.run(
        [os.path.abspath(terraform), "plan", "-input=false", "-lock=false", "-no-color"],
        cwd=ws["dir"],
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        raise RuntimeError(f"terraform plan failed in {ws['dir']}:\n{out.stdout}\n{out.stderr}")
    launches = []
    with open(ws["usage"]) as f:
        for line in f:
            parts = line.split()
            # GNU time prints "Command exited with non-zero status N" before a line.
            if len(parts) == 4 and not line.startswith("Command"):
                e, u, s, m = parts
                launches.append({"wall_s": float(e), "cpu_s": float(u) + float(s), "maxrss_kib": int(m)})
    return {
        "wall_s": wall,
        "provider_launches": len(launches),
        "provider_cpu_s": sum(x["cpu_s"] for x in launches),
        "provider_peak_rss_kib": max((x["maxrss_kib"] for x in launches), default=0),
    }
