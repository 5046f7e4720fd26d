#!/usr/bin/env python3
"""`make mutants`: mutation testing (cargo-mutants) over the code whose mistakes cost
users most, each file with the tests that cover it, and bench/MUTANTS.md from the
outcomes.

Groups (GROUPS below) name the files, the package that owns them and the tests each
mutant is run against: the unit and property tests of that package; then, for the files
whose behaviour crosses Terraform (a resource's planning), the mutants that survived the
unit tests are run again against the acceptance tests that reach them. Every mutant is
built and tested in place (`--in-place`: the warm target dir is reused; never edit the
tree while it runs; cargo-mutants restores each file after its mutant).

Each surviving mutant needs a verdict in bench/mutants_verdicts.toml, keyed by the
mutant's name without line and column (stable while the code moves):
"equivalent: why no test can tell", or "test: <the test that kills it>" for a survivor
of an earlier run that a test added since kills. A survivor without a verdict is
UNEXPLAINED: the run lists it and exits 1.

    tools/mutants.py [--group NAME ...] [--only FILE ...] [--rest] [--list] [--recheck] [--acceptance] [--report-only]

--only narrows a group to some of its files (a subset on a busy machine; each subset
keeps its own outcomes; a planning file's acceptance phase then runs only the test
binaries of its resource). --recheck runs a group's survivors again, after tests were
added; --acceptance runs only the acceptance phase of the last unit run. --rest runs only
the mutants no earlier run of the group has an outcome for (a run stopped part way), into
a directory of its own (`<run>.rest`, then `.rest2`, ...); a mutant is matched by its whole
name, line included, so one whose code moved since runs again. --report-only rebuilds
bench/MUTANTS.md from the outcomes under .tmp/mutants/ (groups run on different
occasions, on a shared machine, each keep their own timing).
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / ".tmp" / "mutants"
CARGO_MUTANTS = Path(os.environ.get("CARGO_MUTANTS", ROOT / ".tmp" / "cargo-mutants" / "bin" / "cargo-mutants"))
VERDICTS = ROOT / "bench" / "mutants_verdicts.toml"
REPORT = ROOT / "bench" / "MUTANTS.md"

PROVIDER_UNIT = ["--lib"]  # the provider's unit tests live in its library (provider/src/lib.rs)

# name: (package, files, name filter or None, tests (nextest arguments), acceptance)
# `acceptance` (nextest filter expression) re-runs a group's unit-test survivors against
# the acceptance tests that reach them (the provider binary is rebuilt per mutant).
GROUPS = {
    "framework": (
        "tfplugin",
        [
            "provider/tfplugin/src/framework/plan.rs",
            "provider/tfplugin/src/value/de.rs",
            "provider/tfplugin/src/value/msgpack/decode.rs",
            "provider/tfplugin/src/value/json.rs",
            "provider/tfplugin/src/provider.rs",
        ],
        # json.rs: its decoding half, the text parser (Parser) included; the encoder
        # (encode, write_string, to_serde) is not in scope. provider.rs: only
        # PlanContext, the plan a resource refines (moved there from plan.rs).
        r"framework/plan\.rs|value/de\.rs|msgpack/decode\.rs|json\.rs:.*(decode|Decoder|parse|Parser|from_serde|Json::kind|mismatch|from_json|lenient|read)|tfplugin/src/provider\.rs:.*PlanContext",
        ["--lib"],
        None,
    ),
    # ipv6.rs against the unit tests whose names say they reach it (ipv6::, the
    # ipv6_network resource, the ipv6_plan data source, the ipv6 functions): 32 tests in
    # 0.3 s instead of all 175 in 18 s (the slowest wait for real seconds), so a mutant
    # costs its rebuild only. A narrower test set can only let more mutants survive.
    "ipv6": (
        "terraform-provider-trustchain",
        ["provider/src/ipv6.rs"],
        None,
        PROVIDER_UNIT + ["-E", "test(/ipv6/)"],
        None,
    ),
    "aws": (
        "terraform-provider-trustchain",
        ["provider/src/aws/tags.rs", "provider/src/aws/retry.rs", "provider/src/aws/error.rs"],
        None,
        PROVIDER_UNIT,
        None,
    ),
    "validate": (
        "terraform-provider-trustchain",
        ["provider/src/resources/*/validate.rs"],
        None,
        PROVIDER_UNIT,
        None,
    ),
    "plan": (
        "terraform-provider-trustchain",
        ["provider/src/resources/*/plan.rs"],
        None,
        PROVIDER_UNIT,
        "binary(quic_load_balancer) | binary(ipv6_network) | binary(cloudhsm)",
    ),
    # The CloudHSM initialization's PKI: the HSM identity check, the certificate checks,
    # signing the cluster CSR (with a key, through KMS or ACM PCA), against the unit
    # tests of the cloudhsm module and of the cluster initialization resource: 36 tests
    # instead of all ~200 (most of the rest generate no RSA keys, but the filter halves a
    # mutant's test time). Nothing else calls these files: outside provider/src/cloudhsm
    # only resources/cloudhsm_cluster_initialization uses them (`grep -rn
    # "cloudhsm::\(identity\|pki\|sign\|kms\|pca\)" provider/src`), so no other test
    # can catch a mutant of theirs.
    "cloudhsm-pki": (
        "terraform-provider-trustchain",
        [
            "provider/src/cloudhsm/identity.rs",
            "provider/src/cloudhsm/pki.rs",
            "provider/src/cloudhsm/sign.rs",
            "provider/src/cloudhsm/kms.rs",
            "provider/src/cloudhsm/pca.rs",
        ],
        None,
        PROVIDER_UNIT + ["-E", "test(/^cloudhsm::/) | test(/^resources::cloudhsm_cluster_initialization::/)"],
        None,
    ),
    "codegen-spec": (
        "codegen",
        ["codegen/src/spec.rs", "codegen/src/platforms/*.rs"],
        # spec.rs whole; in the platform files only the validation passes.
        r"spec\.rs|validate",
        ["--test", "spec_errors", "--lib"],
        None,
    ),
}


ONLY: list[str] = []  # --only: narrow the groups' files (subsets on a busy machine)
REST: list[bool] = []  # --rest: skip the mutants earlier runs of the group have outcomes for


def cargo_mutants_args(
    name: str, list_only: bool, survivors: list[str] | None = None, phase: str = "acceptance"
) -> list[str]:
    package, files, name_re, tests, acceptance = GROUPS[name]
    if ONLY:
        files = ONLY
    out = run_dir(name) if survivors is None else run_dir(name, phase)
    tests = narrowed(name, tests)
    args = [str(CARGO_MUTANTS), "mutants", "--in-place", "--no-shuffle", "--test-tool", "nextest", "--package", package]
    for f in files:
        args += ["--file", f]
    # Helpers of a test module that cargo-mutants does not recognize as one
    # (`#[cfg(all(test, not(trustchain_fuzz)))]`): test code, not code under test.
    args += ["--exclude-re", r"\btests::"]
    if name_re and survivors is None:
        args += ["--re", name_re]
    if REST and survivors is None:
        for d in group_dirs(name):
            if d != out:
                for o in raw_outcomes(d):
                    args += ["--exclude-re", "^" + re.escape(o["raw"]) + "$"]
    if list_only:
        return args + ["--list"]
    # A mutant that loops (`pos += 1` made `pos *= 1`) is a timeout: unit tests take
    # seconds (a minute for the RSA ones on a loaded machine), acceptance tests minutes.
    timeout = "600" if phase == "acceptance" and survivors is not None else "180"
    args += ["--output", str(out), "--timeout", timeout, "--build-timeout", "1800", "--baseline", "skip"]
    if survivors is not None:
        for s in survivors:
            if phase == "recheck":
                # Tests were added since: the code may have moved, so any line and column.
                file, rest = s.split(":", 1)[0], key_of(s).split(": ", 1)[1]
                args += ["--re", "^" + re.escape(file) + r":\d+:\d+: " + re.escape(rest) + "$"]
            else:
                args += ["--re", "^" + re.escape(s) + "$"]
        if phase == "acceptance":
            args += ["--test-workspace", "true", "--", "-E", acceptance_expr(name)]
        else:
            args += targets(tests)
    else:
        args += targets(tests)
    return args


def targets(tests: list[str]) -> list[str]:
    """The test targets (`--bin NAME`, `--test NAME`, `--lib`) as cargo arguments of both
    the build and the test phase, the rest (filters) for the test run: cargo-mutants
    otherwise builds every test target of the package for each mutant (for the provider,
    its binary a second time, for the integration tests no mutant run uses)."""
    cargo, rest = [], []
    it = iter(tests)
    for a in it:
        if a in ("--bin", "--test"):
            cargo.append(f"--cargo-arg={a}={next(it)}")
        elif a == "--lib":
            cargo.append("--cargo-arg=--lib")
        else:
            rest.append(a)
    return cargo + (["--"] + rest if rest else [])


# Groups whose files belong to one resource each: narrowed with --only to some of those
# files, a run tests each mutant against the unit tests of those resources only
# (`resources::<folder>::`), not all 175 (the slowest generate RSA keys for seconds), so a
# mutant costs little more than its rebuild. A narrower test set can only let more mutants
# survive, never hide one: a survivor is then rechecked or given a verdict like any other.
PER_RESOURCE = {"validate", "plan"}


def narrowed(name: str, tests: list[str]) -> list[str]:
    if name not in PER_RESOURCE or not ONLY:
        return tests
    folders = sorted({Path(f).parent.name for f in ONLY})
    expr = " | ".join(f"test(/^resources::{d}::/)" for d in folders)
    return tests + ["-E", expr]


def run_dir(name: str, phase: str = "") -> Path:
    """Where a run of a group (narrowed with --only) keeps its outcomes."""
    suffix = ""
    if ONLY:
        # A resource's validate.rs or plan.rs is named with its folder (validate@quic_target.validate).
        suffix = "@" + "+".join(
            f"{Path(f).parent.name}.{Path(f).stem}" if Path(f).stem in ("validate", "plan", "mod") else Path(f).stem
            for f in ONLY
        )
    if REST:
        suffix += rest_suffix(name + suffix)
    return OUT / (name + suffix + (f"-{phase}" if phase else ""))


REST_SUFFIX: dict[str, str] = {}


def rest_suffix(base: str) -> str:
    """`.rest`, or `.rest2`, `.rest3`, ... when earlier --rest runs kept theirs: chosen
    once per run, so every phase of this run uses the same directory."""
    if base not in REST_SUFFIX:
        n = 1
        while (OUT / f"{base}.rest{n if n > 1 else ''}").exists():
            n += 1
        REST_SUFFIX[base] = f".rest{n if n > 1 else ''}"
    return REST_SUFFIX[base]


def outcomes(dir: Path) -> list[dict]:
    """(file, name, outcome) of each mutant of a run."""
    path = dir / "mutants.out" / "outcomes.json"
    if not path.exists():
        return []
    data = json.loads(path.read_text())
    out = []
    for o in data.get("outcomes", []):
        scenario = o.get("scenario")
        if not isinstance(scenario, dict) or "Mutant" not in scenario:
            continue
        m = scenario["Mutant"]
        out.append({"file": m["file"], "name": stable_name(m), "summary": o.get("summary")})
    return out


def stable_name(m: dict) -> str:
    """`file: description` without line and column."""
    fn = m.get("function") or {}
    where = f" in {fn['function_name']}" if fn.get("function_name") else ""
    return f"{m['file']}: {describe(m)}{where}"


def describe(m: dict) -> str:
    genre = m.get("genre")
    repl = m.get("replacement")
    fn = m.get("function") or {}
    if genre == "FnValue":
        return f"replace {fn.get('function_name')} -> {fn.get('return_type', '').removeprefix('-> ').strip()} with {repl}"
    orig = m.get("original") or ""
    if genre == "BinaryOperator" or genre == "UnaryOperator":
        return f"replace {orig} with {repl}" if orig else f"replace with {repl}"
    if genre == "MatchArm":
        return "delete match arm " + orig if orig else "delete match arm"
    if genre == "MatchArmGuard":
        return f"replace match guard {orig} with {repl}"
    if genre == "StructField":
        return f"delete field {orig}"
    return f"{genre} {orig} -> {repl}"


def run_group(name: str, log) -> float:
    t0 = time.monotonic()
    out = run_dir(name)
    out.mkdir(parents=True, exist_ok=True)
    print(f"[mutants] {name}: unit and property tests", flush=True)
    subprocess.run(cargo_mutants_args(name, False), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    run_acceptance(name, log)
    seconds = time.monotonic() - t0
    (out / "seconds.txt").write_text(f"{seconds:.0f}\n")
    return seconds


def acceptance_expr(name: str) -> str:
    """The acceptance tests of a group; narrowed with --only to the test binaries named
    like the files' resources (`binary(cloudhsm)` for cloudhsm_cluster), when there are
    such (a narrower set can only let more mutants survive)."""
    expr = GROUPS[name][4] or ""
    if not ONLY:
        return expr
    folders = {Path(f).parent.name for f in ONLY}
    terms = [t.strip() for t in expr.split("|")]
    mine = [t for t in terms if (m := re.fullmatch(r"binary\((\w+)\)", t)) and any(f.startswith(m.group(1)) for f in folders)]
    return " | ".join(mine) if mine else expr


def run_acceptance(name: str, log) -> None:
    """The group's unit-test survivors against the acceptance tests that reach them."""
    acc_dir = run_dir(name, "acceptance")
    if acc_dir.exists():
        shutil.rmtree(acc_dir)
    if not GROUPS[name][4]:
        return
    missed = [o["raw"] for o in raw_outcomes(run_dir(name)) if o["summary"] == "MissedMutant"]
    if not missed:
        return
    print(f"[mutants] {name}: {len(missed)} survivors against the acceptance tests ({acceptance_expr(name)})", flush=True)
    acc_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    subprocess.run(cargo_mutants_args(name, False, survivors=missed), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    (acc_dir / "seconds.txt").write_text(f"{time.monotonic() - t0:.0f}\n")


def recheck(name: str, log) -> None:
    """Runs a group's survivors again (after tests were added): cheaper than the group."""
    out = run_dir(name)
    # The run and its --rest continuations (`<run>.rest`, `.rest2`, ...).
    runs = [d for d in group_dirs(name) if d.name == out.name or d.name.startswith(out.name + ".rest")]
    missed = [o["raw"] for d in runs for o in raw_outcomes(d) if o["summary"] == "MissedMutant"]
    if not missed:
        print(f"[mutants] {out.name}: no survivors to check again")
        return
    again = run_dir(name, "recheck")
    if again.exists():
        shutil.rmtree(again)
    again.mkdir(parents=True)
    print(f"[mutants] {out.name}: {len(missed)} survivors against the unit tests again", flush=True)
    t0 = time.monotonic()
    subprocess.run(cargo_mutants_args(name, False, survivors=missed, phase="recheck"), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    (again / "seconds.txt").write_text(f"{time.monotonic() - t0:.0f}\n")


def raw_outcomes(dir: Path) -> list[dict]:
    """Each mutant's cargo-mutants name (as --re matches it) and outcome."""
    path = dir / "mutants.out" / "outcomes.json"
    if not path.exists():
        return []
    data = json.loads(path.read_text())
    out = []
    for o in data.get("outcomes", []):
        scenario = o.get("scenario")
        if isinstance(scenario, dict) and "Mutant" in scenario:
            m = scenario["Mutant"]
            out.append({"raw": m.get("name") or raw_name(m), "mutant": m, "summary": o.get("summary")})
    return out


def raw_name(m: dict) -> str:
    span = m.get("span") or {}
    start = span.get("start") or {}
    return f"{m['file']}:{start.get('line')}:{start.get('column')}: {describe(m)}"


def load_verdicts() -> dict[str, str]:
    if not VERDICTS.exists():
        return {}
    return tomllib.loads(VERDICTS.read_text()).get("verdicts", {})


def group_dirs(name: str) -> list[Path]:
    """The unit-test run directories of a group: the whole group, or its --only subsets."""
    if not OUT.exists():
        return []
    return sorted(
        d
        for d in OUT.iterdir()
        if d.is_dir()
        and (d.name == name or d.name.startswith((name + "@", name + ".rest")))
        and not d.name.endswith(("-acceptance", "-recheck"))
    )


def final(name: str) -> list[dict]:
    """Each mutant of a group with its final outcome (an acceptance catch wins)."""
    unit = [o for d in group_dirs(name) for o in raw_outcomes(d)]
    later = {}
    for d in group_dirs(name):
        for o in raw_outcomes(d.with_name(f"{d.name}-acceptance")):
            if later.get(o["raw"], ("", ""))[0] != "CaughtMutant":
                later[o["raw"]] = (o["summary"], "acceptance")
    # A recheck runs after tests were added, when the code may have moved: its outcomes
    # are matched by name without line and column, and a survivor counts as caught only
    # when every mutant of that name the recheck ran was caught.
    # (By the whole name first, when the code has not moved.)
    rechecked: dict[str, list[str]] = {}
    # (A whole-group recheck, `<group>-recheck`, covers the group's --rest runs too.)
    recheck_dirs = {d.with_name(f"{d.name}-recheck") for d in group_dirs(name)} | {OUT / f"{name}-recheck"}
    for d in sorted(recheck_dirs):
        for o in raw_outcomes(d):
            rechecked.setdefault(o["raw"], []).append(o["summary"])
            rechecked.setdefault(key_of(o["raw"]), []).append(o["summary"])
    out = []
    for o in unit:
        summary = o["summary"]
        by = "unit"
        # An acceptance phase counts where it caught the mutant (or timed out on it); a
        # survivor there may still be caught by a recheck after tests were added.
        if summary == "MissedMutant" and later.get(o["raw"], ("", ""))[0] in ("CaughtMutant", "Timeout"):
            summary, by = later[o["raw"]][0], "acceptance"
        elif summary == "MissedMutant" and (o["raw"] in rechecked or key_of(o["raw"]) in rechecked):
            again = rechecked.get(o["raw"]) or rechecked[key_of(o["raw"])]
            summary = "CaughtMutant" if all(s == "CaughtMutant" for s in again) else "MissedMutant"
            by = "unit (tests added since)"
        m = o["mutant"]
        out.append({"file": m["file"], "raw": o["raw"], "key": key_of(o["raw"]), "summary": summary, "by": by})
    return out


def key_of(raw: str) -> str:
    """A cargo-mutants name without `:line:column`."""
    return re.sub(r"^([^:]+):\d+:\d+: ", r"\1: ", raw)


def report(groups: list[str]) -> int:
    verdicts = load_verdicts()
    rows = {}
    survivors = []
    killed_by_added = []
    seen_keys = set()
    timing = []
    for g in GROUPS:
        results = final(g)
        if not results:
            continue
        for d in group_dirs(g):
            for run in (d, d.with_name(d.name + "-recheck"), d.with_name(d.name + "-acceptance")):
                secs = run / "seconds.txt"
                if run.exists():
                    timing.append((run.name, secs.read_text().strip() if secs.exists() else "?", len(raw_outcomes(run))))
        for r in results:
            f = rows.setdefault(r["file"], {"caught": 0, "acceptance": 0, "missed": 0, "timeout": 0, "unviable": 0})
            s = r["summary"]
            if s == "CaughtMutant":
                f["caught"] += 1
                if r["by"] == "acceptance":
                    f["acceptance"] += 1
            elif s == "MissedMutant":
                f["missed"] += 1
                survivors.append(r)
            elif s == "Timeout":
                f["timeout"] += 1
            else:
                f["unviable"] += 1
            seen_keys.add(r["key"])
            v = verdicts.get(r["key"], "")
            # A survivor of a group's first run caught by its recheck. (Not every caught
            # mutant whose name has a "test:" verdict: names drop the line, so mutants of
            # the same function and operator share one, caught from the start.)
            if s == "CaughtMutant" and r["by"] != "unit" and r["by"] != "acceptance":
                if not v.startswith("test:"):
                    v = "killed by a test added since the first run (its verdict names the test)"
                killed_by_added.append((r, v))
    unexplained = [r for r in survivors if not verdicts.get(r["key"], "").startswith("equivalent:")]
    lines = [
        "# Mutation testing (`make mutants`)",
        "",
        "cargo-mutants over the code whose mistakes cost users most (groups in `tools/mutants.py`),",
        "each file against the unit and property tests of its package, and the resources' planning",
        "survivors again against the acceptance tests. Score = caught / (caught + missed + timeout);",
        "unviable mutants (they do not build) are not counted. Generated by `tools/mutants.py`;",
        "verdicts live in `bench/mutants_verdicts.toml`.",
        "",
        "| file | mutants | caught (by acceptance) | missed | timeout | unviable | score |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for file, f in sorted(rows.items()):
        counted = f["caught"] + f["missed"] + f["timeout"]
        score = f"{100 * f['caught'] / counted:.0f}%" if counted else "-"
        total = counted + f["unviable"]
        lines.append(
            f"| `{file}` | {total} | {f['caught']} ({f['acceptance']}) | {f['missed']} | {f['timeout']} | {f['unviable']} | {score} |"
        )
    tot = {k: sum(f[k] for f in rows.values()) for k in ("caught", "acceptance", "missed", "timeout", "unviable")}
    counted = tot["caught"] + tot["missed"] + tot["timeout"]
    if counted:
        lines.append(
            f"| **all** | {counted + tot['unviable']} | {tot['caught']} ({tot['acceptance']}) | {tot['missed']} | {tot['timeout']} | {tot['unviable']} | {100 * tot['caught'] / counted:.0f}% |"
        )
    lines += ["", "## Surviving mutants", ""]
    if not survivors:
        lines.append("None.")
    for r in sorted(survivors, key=lambda r: r["raw"]):
        v = verdicts.get(r["key"], "")
        verdict = v if v.startswith("equivalent:") else "**UNEXPLAINED** (add a test, or a verdict saying why no test can tell)"
        lines.append(f"- `{r['raw']}`: {verdict}")
    lines += ["", "## Survivors of earlier runs, killed by tests added since", ""]
    if not killed_by_added:
        lines.append("None.")
    for r, v in sorted(killed_by_added, key=lambda x: x[0]["raw"]):
        lines.append(f"- `{r['raw']}`: caught now ({r['by']}); {v}")
    stale = sorted(k for k in verdicts if k not in seen_keys and any(k.startswith(f + ":") for f in rows))
    if stale:
        lines += ["", "## Verdicts whose mutant no run generated (code changed?)", ""]
        lines += [f"- `{k}`" for k in stale]
    lines += ["", "## Run time", ""]
    lines.append("| group | seconds | mutants |")
    lines.append("|---|---:|---:|")
    lines += [f"| {g} | {s} | {n} |" for g, s, n in timing]
    notes = ROOT / "bench" / "MUTANTS.notes.md"
    if notes.exists():
        lines += ["", notes.read_text().strip()]
    REPORT.write_text("\n".join(lines) + "\n")
    print(f"[mutants] wrote {REPORT.relative_to(ROOT)}: {counted} mutants counted, {len(survivors)} survivors, {len(unexplained)} unexplained")
    for r in unexplained:
        print(f"  UNEXPLAINED {r['raw']}")
    return 1 if unexplained else 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--group", action="append", choices=sorted(GROUPS), help="run only these groups (repeatable)")
    p.add_argument("--list", action="store_true", help="list the mutants of the groups, run nothing")
    p.add_argument("--report-only", action="store_true", help="only rebuild bench/MUTANTS.md")
    p.add_argument("--recheck", action="store_true", help="run the groups' survivors again (after adding tests)")
    p.add_argument(
        "--acceptance",
        action="store_true",
        help="run only the acceptance phase: the last unit run's survivors against the acceptance tests",
    )
    p.add_argument(
        "--only",
        action="append",
        default=[],
        help="mutate only these files of the group (repeatable); outcomes of earlier runs of the group's other files are kept",
    )
    p.add_argument(
        "--rest",
        action="store_true",
        help="run only the mutants no earlier run of the group has an outcome for (a run stopped part way)",
    )
    a = p.parse_args()
    ONLY.extend(a.only)
    if a.rest:
        REST.append(True)
    groups = a.group or list(GROUPS)
    if a.report_only:
        return report(groups)
    if not CARGO_MUTANTS.exists():
        print(f"{CARGO_MUTANTS} is missing: `make mutants` installs it", file=sys.stderr)
        return 2
    if a.list:
        for g in groups:
            r = subprocess.run(cargo_mutants_args(g, True), cwd=ROOT, capture_output=True, text=True)
            names = [line for line in r.stdout.splitlines() if line.strip()]
            print(f"{g}: {len(names)} mutants")
            for n in names:
                print(f"  {n}")
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    if a.recheck:
        with open(OUT / "log.txt", "a") as log:
            for g in groups:
                recheck(g, log)
        return report(groups)
    if a.acceptance:
        with open(OUT / "log.txt", "a") as log:
            for g in groups:
                run_acceptance(g, log)
        return report(groups)
    total = 0.0
    with open(OUT / "log.txt", "a") as log:
        for g in groups:
            total += run_group(g, log)
    print(f"[mutants] {len(groups)} groups in {total:.0f} s (log: {(OUT / 'log.txt').relative_to(ROOT)})")
    return report(groups)


if __name__ == "__main__":
    sys.exit(main())
