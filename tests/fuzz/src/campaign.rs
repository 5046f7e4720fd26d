//! One bounded fuzzing run of one target: replay the seeds and corpus, then mutate
//! until the time or exec budget is spent. Panics are caught, deduplicated by
//! location, and their first input saved for replay.

use crate::Target;
use crate::mutate::{self, Rng};
use std::cell::RefCell;
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::Once;
use std::time::{Duration, Instant};

/// Budget and reproducibility of a run.
#[derive(Clone, Debug)]
pub struct Options {
    pub duration: Duration,
    /// Stop after this many executions even if time remains (0: no limit).
    pub max_execs: u64,
    pub seed: u64,
    /// Write the first input of each distinct panic under [`crate::findings_dir`].
    pub save_findings: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            duration: Duration::from_secs(2),
            max_execs: 0,
            seed: 0x7457_6368_6169_6e21,
            save_findings: true,
        }
    }
}

/// A distinct panic: where it happened, what it said, the input that caused it.
#[derive(Clone, Debug)]
pub struct Finding {
    pub location: String,
    pub message: String,
    pub input: Vec<u8>,
    pub saved: Option<PathBuf>,
    /// How many inputs hit this location.
    pub hits: u64,
}

/// What a run did, printed as one line by `Display`.
#[derive(Clone, Debug)]
pub struct Report {
    pub target: &'static str,
    pub execs: u64,
    pub elapsed: Duration,
    pub corpus: usize,
    pub findings: Vec<Finding>,
    pub slowest: Duration,
    pub slowest_len: usize,
}

impl Report {
    pub fn execs_per_sec(&self) -> f64 {
        self.execs as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    pub fn panics(&self) -> u64 {
        self.findings.iter().map(|f| f.hits).sum()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "fuzz {:<18} {:>8} execs in {:>5.1} s ({:>7.0}/s), corpus {:>3}, panics {} ({} distinct), slowest {} ms ({} bytes)",
            self.target,
            self.execs,
            self.elapsed.as_secs_f64(),
            self.execs_per_sec(),
            self.corpus,
            self.panics(),
            self.findings.len(),
            self.slowest.as_millis(),
            self.slowest_len,
        )?;
        for finding in &self.findings {
            write!(
                f,
                "\n  panic at {}: {} (input {} bytes{})",
                finding.location,
                finding.message,
                finding.input.len(),
                finding
                    .saved
                    .as_ref()
                    .map(|p| format!(
                        ", saved {}; replay: cargo run -p fuzz -- replay {} {}",
                        p.display(),
                        self.target,
                        p.display()
                    ))
                    .unwrap_or_default()
            )?;
        }
        Ok(())
    }
}

thread_local! {
    static LAST_PANIC: RefCell<Option<(String, String)>> = const { RefCell::new(None) };
}

/// A panic hook that records instead of printing, so a run with findings is not
/// buried in backtraces. Panics on other threads still print as usual.
fn install_quiet_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let recorded = LAST_PANIC.with(|slot| {
                let Ok(mut slot) = slot.try_borrow_mut() else {
                    return false;
                };
                if !IN_TARGET.with(|t| *t.borrow()) {
                    return false;
                }
                let location = info
                    .location()
                    .map(|l| format!("{}:{}", l.file(), l.line()))
                    .unwrap_or_else(|| "unknown location".into());
                let message = if let Some(s) = info.payload().downcast_ref::<&str>() {
                    (*s).to_string()
                } else if let Some(s) = info.payload().downcast_ref::<String>() {
                    s.clone()
                } else {
                    "non-string panic payload".into()
                };
                *slot = Some((location, message));
                true
            });
            if !recorded {
                default(info);
            }
        }));
    });
}

thread_local! {
    static IN_TARGET: RefCell<bool> = const { RefCell::new(false) };
}

/// Runs the target on one input; the panic's location and message if it panicked.
/// A panic the code under test catches itself counts too (as under libFuzzer, whose
/// hook aborts on any panic): catching is a safety net, not a fix.
pub fn exec(target: &Target, input: &[u8]) -> Option<(String, String)> {
    install_quiet_hook();
    IN_TARGET.with(|t| *t.borrow_mut() = true);
    let result = panic::catch_unwind(AssertUnwindSafe(|| (target.run)(input)));
    IN_TARGET.with(|t| *t.borrow_mut() = false);
    let recorded = LAST_PANIC.with(|slot| slot.borrow_mut().take());
    match (result, recorded) {
        (Ok(()), None) => None,
        (_, Some(panic)) => Some(panic),
        (Err(_), None) => Some(("unknown location".into(), "panic".into())),
    }
}

/// Inputs derived from the corpus by mutation are kept in a small pool, so runs
/// drift away from the seeds (a random walk; there is no coverage signal here).
const POOL: usize = 256;

pub fn run(target: &'static Target, options: &Options) -> std::io::Result<Report> {
    let corpus = crate::initial_inputs(target)?;
    let start = Instant::now();
    let mut report = Report {
        target: target.name,
        execs: 0,
        elapsed: Duration::ZERO,
        corpus: corpus.len(),
        findings: Vec::new(),
        slowest: Duration::ZERO,
        slowest_len: 0,
    };
    let one = |report: &mut Report, input: &[u8]| {
        let t = Instant::now();
        let outcome = exec(target, input);
        let took = t.elapsed();
        report.execs += 1;
        if took > report.slowest {
            report.slowest = took;
            report.slowest_len = input.len();
        }
        if let Some((location, message)) = outcome {
            record(report, target, options, location, message, input);
        }
    };
    for input in &corpus {
        one(&mut report, input);
    }
    let mut rng = Rng::new(options.seed);
    let mut pool: Vec<Vec<u8>> = Vec::new();
    let empty = Vec::new();
    let deadline = start + options.duration;
    while Instant::now() < deadline && (options.max_execs == 0 || report.execs < options.max_execs)
    {
        let pick = |rng: &mut Rng| -> &Vec<u8> {
            let n = corpus.len() + pool.len();
            if n == 0 {
                return &empty;
            }
            let i = rng.below(n);
            corpus.get(i).unwrap_or_else(|| &pool[i - corpus.len()])
        };
        let base = pick(&mut rng).clone();
        let other = pick(&mut rng).clone();
        let input = mutate::mutate(&mut rng, &base, &other, target.dictionary);
        one(&mut report, &input);
        if rng.chance(16) {
            if pool.len() < POOL {
                pool.push(input);
            } else {
                let i = rng.below(POOL);
                pool[i] = input;
            }
        }
    }
    report.elapsed = start.elapsed();
    Ok(report)
}

fn record(
    report: &mut Report,
    target: &Target,
    options: &Options,
    location: String,
    message: String,
    input: &[u8],
) {
    if let Some(f) = report.findings.iter_mut().find(|f| f.location == location) {
        f.hits += 1;
        if input.len() < f.input.len() {
            f.input = input.to_vec();
        }
        return;
    }
    let saved = options.save_findings.then(|| save(target, input)).flatten();
    report.findings.push(Finding {
        location,
        message,
        input: input.to_vec(),
        saved,
        hits: 1,
    });
}

fn save(target: &Target, input: &[u8]) -> Option<PathBuf> {
    let dir = crate::findings_dir(target.name);
    std::fs::create_dir_all(&dir).ok()?;
    // FNV-1a names the file, so the same input is saved once.
    let hash = input.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
    });
    let path = dir.join(format!("panic-{hash:016x}"));
    std::fs::write(&path, input).ok()?;
    Some(path)
}
