"""The slow, CPU-heavy measurements, taken on request and recorded in bench/cold.json
so `make bench` reports them without redoing them every run:

    python3 bench/cold.py release-build LABEL [--keep]
                                                cold `cargo build --release -p
                                                terraform-provider-trustchain` in a fresh
                                                target dir (LABEL: before / after tuning;
                                                --keep: in target/, for make bench)
    python3 bench/cold.py make-test             `make test` in a fresh clone of HEAD
                                                (no target/, no venvs)

Each record keeps the command, the commit, the date, GNU time's wall/user/sys/max RSS,
and the load average before and after (the 2 cores are shared: a busy machine makes
these slower, and the record says how busy it was).
"""

import datetime
import json
import os
import re
import shutil
import subprocess
import sys

import machine

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RECORD = os.path.join(ROOT, "bench", "cold.json")
TMP = os.path.join(ROOT, ".tmp", "bench")


def parse_time_v(path: str) -> dict:
    """The figures of a GNU `time -v` report."""
    text = open(path).read()

    def field(name: str) -> str:
        m = re.search(rf"^\s*{re.escape(name)}: (.*)$", text, re.M)
        return m.group(1).strip() if m else ""

    wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)")
    secs = 0.0
    for part in wall.split(":"):
        secs = secs * 60 + float(part or 0)
    return {
        "wall_s": round(secs, 1),
        "user_s": float(field("User time (seconds)") or 0),
        "sys_s": float(field("System time (seconds)") or 0),
        "max_rss_kib": int(field("Maximum resident set size (kbytes)") or 0),
        "exit": int(field("Exit status") or 0),
    }


def commit() -> str:
    return subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()


def save(key: str, record: dict) -> None:
    data = json.load(open(RECORD)) if os.path.exists(RECORD) else {}
    data[key] = record
    with open(RECORD, "w") as f:
        json.dump(data, f, indent=2, sort_keys=True)
        f.write("\n")
    print(json.dumps({key: record}, indent=2))


def timed(cmd: list[str], cwd: str, log: str, time_file: str) -> dict:
    load_before = machine.loadavg()
    started = datetime.datetime.now(datetime.timezone.utc)
    with open(log, "w") as out:
        subprocess.run(["/usr/bin/time", "-v", "-o", time_file] + cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    r = parse_time_v(time_file)
    r.update(
        command=" ".join(cmd),
        commit=commit(),
        started=started.strftime("%Y-%m-%d %H:%M UTC"),
        load_before=load_before,
        load_after=machine.loadavg(),
        log=os.path.relpath(log, ROOT),
    )
    return r


def release_build(label: str, keep: bool = False) -> None:
    """A cold release build in a fresh target dir; with `keep`, in the workspace's
    own target/ (its release/ removed first), so `make bench` can use the result."""
    target = os.path.join(ROOT, "target") if keep else os.path.join(TMP, f"cold-target-{label}")
    shutil.rmtree(os.path.join(target, "release") if keep else target, ignore_errors=True)
    os.makedirs(TMP, exist_ok=True)
    cmd = ["cargo", "build", "--release", "-p", "terraform-provider-trustchain", "--timings", "--target-dir", target]
    r = timed(cmd, ROOT, os.path.join(TMP, f"cold-build-{label}.log"), os.path.join(TMP, f"cold-build-{label}.time"))
    binary = os.path.join(target, "release", "terraform-provider-trustchain")
    if os.path.exists(binary):
        r["binary_bytes"] = os.path.getsize(binary)
        # Kept for start-up comparisons of profiles; the rest of the target dir goes.
        shutil.copy2(binary, os.path.join(TMP, f"terraform-provider-trustchain.{label}"))
    timings = os.path.join(target, "cargo-timings", "cargo-timing.html")
    if os.path.exists(timings):
        shutil.copy2(timings, os.path.join(TMP, f"cargo-timing-{label}.html"))
    if not keep:
        shutil.rmtree(target, ignore_errors=True)
    r["cold"] = "fresh target (no release/ artifacts); crates already downloaded (cargo fetch), nothing compiled"
    save(f"release_build_{label}", r)


def make_test() -> None:
    clone = os.path.join(TMP, "cold-clone")
    shutil.rmtree(clone, ignore_errors=True)
    os.makedirs(TMP, exist_ok=True)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    subprocess.run(["git", "clone", "--quiet", "--no-checkout", ROOT, clone], check=True)
    subprocess.run(["git", "checkout", "--quiet", head], cwd=clone, check=True)
    env_note = "fresh clone of HEAD: no target/, no .venv (make test runs make tools: pip installs from PyPI count)"
    r = timed(["make", "test"], clone, os.path.join(TMP, "cold-make-test.log"), os.path.join(TMP, "cold-make-test.time"))
    tail = open(os.path.join(TMP, "cold-make-test.log"), errors="replace").read().splitlines()
    summary = [l.strip() for l in tail if re.search(r"Summary \[|tests? run:|passed|failed", l)][-3:]
    r.update(cold=env_note, summary=summary)
    shutil.rmtree(clone, ignore_errors=True)
    save("make_test_cold_clone", r)


if __name__ == "__main__":
    if len(sys.argv) in (3, 4) and sys.argv[1] == "release-build":
        release_build(sys.argv[2], keep=sys.argv[3:] == ["--keep"])
    elif len(sys.argv) == 2 and sys.argv[1] == "make-test":
        make_test()
    else:
        sys.exit(__doc__)
