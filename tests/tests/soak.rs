//! Fault soak: the quickstart stack (examples/quickstart/main.tf) applied and
//! destroyed again and again while the emulator fails a seeded share of calls the
//! way AWS does under load (tests/emulator/controls/fault_rates.py: throttling, 500, 503,
//! dropped connections, slow answers, NotFound after create, stale reads after a
//! change).
//!
//! Every apply and destroy must converge, through the SDK's retries and the
//! provider's pollers, or fail with a clear diagnostic (an `Error:` summary, never a
//! crash) leaving a state that still records every object created so far; then it is
//! run again, up to TRUSTCHAIN_SOAK_ATTEMPTS times. After the final destroy the
//! emulator holds nothing the test created.
//!
//! Bounded in count and time: TRUSTCHAIN_SOAK_CYCLES apply/destroy cycles (default 1,
//! the short form in `make test`) and no new cycle after TRUSTCHAIN_SOAK_SECONDS
//! (default 150); `make soak` runs the long form. TRUSTCHAIN_SOAK_SEED replays a run.
//! The figures go to target/reports/soak.txt.

use acceptance::{Emulator, Workspace, quickstart, write_report};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The rate profile: every kind on every call, CloudHSM's InitializeCluster (one call
/// that must not be lost) included.
fn rates(seed: u64) -> Value {
    json!({
        "seed": seed,
        "rates": [{
            "service": "*", "action": "*",
            "throttle": 0.05, "error_500": 0.02, "error_503": 0.02, "drop": 0.01,
            "slow": 0.02, "not_found_after_create": 0.3, "stale_after_modify": 0.2
        }],
        "slow_seconds": 0.5,
        "consistency_reads": 2,
        "consistency_seconds": 5
    })
}

/// Kinds of objects the configuration owns by id: each must be in state while it
/// exists. The rest (route tables, security groups, network interfaces) belong to
/// one of these and go with it; the final check covers them too.
const OWNED: &[&str] = &[
    "vpc",
    "subnet",
    "internet_gateway",
    "egress_only_internet_gateway",
    "nat_gateway",
    "elastic_ip",
    "load_balancer",
    "target_group",
    "cloudhsm_cluster",
    "cloudhsm_hsm",
];

#[derive(Default)]
struct Figures {
    injected: BTreeMap<String, u64>,
    applies: u64,
    applies_failed: u64,
    destroys: u64,
    destroys_failed: u64,
    cycles: u64,
}

struct Soak<'a> {
    emu: &'a Emulator,
    w: Workspace,
    before: BTreeMap<String, Vec<String>>,
    seed: u64,
    attempts: u64,
    runs: u64,
    f: Figures,
}

impl Soak<'_> {
    /// Turns the rates off, adding what they injected to the figures.
    fn pause(&mut self) {
        let state = self.emu.faults();
        for (kind, n) in state["injected"]["by_kind"]
            .as_object()
            .into_iter()
            .flatten()
        {
            *self.f.injected.entry(kind.clone()).or_default() += n.as_u64().unwrap_or(0);
        }
        self.emu.clear_faults();
    }

    fn resume(&mut self) {
        self.runs += 1;
        self.emu
            .set_fault_rates(&rates(self.seed.wrapping_mul(1000) + self.runs));
    }

    /// What exists now that did not before the soak.
    fn created(&self) -> BTreeMap<String, BTreeSet<String>> {
        let now = self.emu.inventory();
        now.into_iter()
            .map(|(kind, ids)| {
                let old: BTreeSet<&String> = self.before.get(&kind).into_iter().flatten().collect();
                let new = ids.into_iter().filter(|i| !old.contains(i)).collect();
                (kind, new)
            })
            .filter(|(_, ids): &(String, BTreeSet<String>)| !ids.is_empty())
            .collect()
    }

    /// After a failed run (rates off): every owned object that exists is in state.
    fn assert_state_records_everything(&self, label: &str) {
        let state = self.w.terraform(&["state", "pull"]).ok().stdout();
        let mut missing = Vec::new();
        for (kind, ids) in self.created() {
            if !OWNED.contains(&kind.as_str()) {
                continue;
            }
            missing.extend(
                ids.into_iter()
                    .filter(|id| !state.contains(id.as_str()))
                    .map(|id| format!("{kind} {id}")),
            );
        }
        assert!(
            missing.is_empty(),
            "{label}: objects that exist but are not in state (orphans in the making): {missing:?}"
        );
    }

    /// Runs `terraform <args>` under the rates until it succeeds, at most `attempts`
    /// times; returns how many runs failed.
    fn converge(&mut self, what: &str, args: &[&str]) -> u64 {
        for attempt in 1..=self.attempts {
            self.resume();
            let run = self.w.terraform(args);
            self.pause();
            if run.success() {
                eprintln!("[soak] {what} converged on run {attempt}");
                return attempt - 1;
            }
            let out = format!("{}\n{}", run.stdout(), run.stderr());
            let label = format!("{what}, run {attempt}");
            for crash in [
                "panicked",
                "The plugin encountered an error",
                "Plugin did not respond",
                "unexpected EOF",
                "crash.log",
            ] {
                assert!(
                    !out.contains(crash),
                    "{label}: the provider crashed ({crash:?}):\n{out}"
                );
            }
            let errors: Vec<&str> = out
                .lines()
                .filter(|l| l.trim_start().starts_with("Error: "))
                .collect();
            assert!(
                !errors.is_empty(),
                "{label}: failed without an error diagnostic:\n{out}"
            );
            eprintln!("[soak] {label} failed: {}", errors.join(" | "));
            // The diagnostics in full, for whoever reads the log.
            let lines: Vec<&str> = out.lines().collect();
            for (i, l) in lines.iter().enumerate() {
                if l.trim_start().starts_with("Error: ") {
                    eprintln!(
                        "[soak]   {}",
                        lines[i..(i + 8).min(lines.len())].join("\n[soak]   ")
                    );
                }
            }
            self.assert_state_records_everything(&label);
        }
        panic!(
            "{what} did not converge in {} runs under the fault rates",
            self.attempts
        );
    }
}

#[test]
fn quickstart_soak_under_fault_rates_converges_and_orphans_nothing() {
    let cycles = env_u64("TRUSTCHAIN_SOAK_CYCLES", 1).max(1);
    let budget = Duration::from_secs(env_u64("TRUSTCHAIN_SOAK_SECONDS", 150));
    let seed = env_u64("TRUSTCHAIN_SOAK_SEED", 14);
    let emu = Emulator::start();
    let ca = quickstart::demo_ca("TrustChain Soak Root CA");
    let w = quickstart::workspace(&emu, &ca);
    let before = emu.inventory();
    emu.clear_requests();
    let mut soak = Soak {
        emu: &emu,
        w,
        before,
        seed,
        attempts: env_u64("TRUSTCHAIN_SOAK_ATTEMPTS", 4).max(1),
        runs: 0,
        f: Figures::default(),
    };
    let started = Instant::now();
    while soak.f.cycles < cycles && (soak.f.cycles == 0 || started.elapsed() < budget) {
        soak.f.cycles += 1;
        let n = soak.f.cycles;
        let failed = soak.converge(
            &format!("cycle {n}: apply"),
            &["apply", "-auto-approve", "-no-color", "-input=false"],
        );
        soak.f.applies += failed + 1;
        soak.f.applies_failed += failed;
        // With the rates off, the stack is what the configuration says.
        let plan = soak
            .w
            .terraform(&["plan", "-no-color", "-input=false", "-detailed-exitcode"]);
        assert_eq!(
            plan.output.status.code(),
            Some(0),
            "cycle {n}: the plan after the apply is not empty:\n{}\n{}",
            plan.stdout(),
            plan.stderr()
        );
        let failed = soak.converge(
            &format!("cycle {n}: destroy"),
            &["destroy", "-auto-approve", "-no-color", "-input=false"],
        );
        soak.f.destroys += failed + 1;
        soak.f.destroys_failed += failed;
    }
    let orphans = soak.created();
    let orphan_count: usize = orphans.values().map(BTreeSet::len).sum();
    let log = emu.requests();
    let f = &soak.f;
    let kinds: Vec<String> = f.injected.iter().map(|(k, n)| format!("{k} {n}")).collect();
    let lines = vec![
        format!(
            "fault soak (quickstart, seed {seed}): {} cycle(s) in {} s, {} AWS calls",
            f.cycles,
            started.elapsed().as_secs(),
            log["total"]
        ),
        format!(
            "  faults injected: {} ({})",
            f.injected.values().sum::<u64>(),
            kinds.join(", ")
        ),
        format!(
            "  applies: {} ({} failed with a diagnostic, then converged); destroys: {} ({} failed, then converged)",
            f.applies, f.applies_failed, f.destroys, f.destroys_failed
        ),
        format!(
            "  retries: {} SDK retries (calls with attempt > 1)",
            log["retries"]
        ),
        format!("  orphans: {orphan_count}"),
    ];
    for l in &lines {
        eprintln!("{l}");
    }
    write_report("soak", &lines);
    assert_eq!(
        orphan_count, 0,
        "the emulator still holds what the soak created: {orphans:?}"
    );
    assert!(
        f.injected.values().sum::<u64>() > 0,
        "no fault was injected: the soak proved nothing"
    );
}
