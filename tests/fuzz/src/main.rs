//! `cargo run -p fuzz -- <command>`:
//!
//! - `list`: the targets.
//! - `run [--seconds N] [--execs N] [--seed N] [TARGET...]`: a campaign per target
//!   (all when none is named); one report line each; exit 1 on any panic.
//! - `replay TARGET FILE...`: run saved inputs (a finding, a corpus file) and show
//!   the panic with its backtrace.
//! - `seeds TARGET DIR`: write the target's seeds and corpus into DIR (libFuzzer's
//!   working corpus).
#![forbid(unsafe_code)]

use fuzz::campaign::{self, Options};
use std::process::ExitCode;
use std::time::Duration;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("list") => {
            for t in fuzz::targets::ALL {
                println!("{:<20} {}", t.name, t.about);
            }
            Ok(true)
        }
        Some("run") => run(&args[1..]),
        Some("replay") => replay(&args[1..]),
        Some("seeds") => seeds(&args[1..]),
        _ => Err(
            "usage: fuzz list | run [--seconds N] [--execs N] [--seed N] [TARGET...] | replay TARGET FILE... | seeds TARGET DIR"
                .to_string(),
        ),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

fn target(name: &str) -> Result<&'static fuzz::Target, String> {
    fuzz::target(name).ok_or_else(|| {
        let names: Vec<&str> = fuzz::targets::ALL.iter().map(|t| t.name).collect();
        format!(
            "unknown fuzz target {name:?}; targets: {}",
            names.join(", ")
        )
    })
}

fn number(flag: &str, value: Option<&String>) -> Result<u64, String> {
    value
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("{flag} takes a whole number"))
}

fn run(args: &[String]) -> Result<bool, String> {
    let mut options = Options::default();
    let mut names = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--seconds" => options.duration = Duration::from_secs(number(arg, it.next())?),
            "--execs" => options.max_execs = number(arg, it.next())?,
            "--seed" => options.seed = number(arg, it.next())?,
            name => names.push(target(name)?),
        }
    }
    if names.is_empty() {
        names = fuzz::targets::ALL.to_vec();
    }
    let mut clean = true;
    for t in names {
        let report = campaign::run(t, &options).map_err(|e| format!("{}: {e}", t.name))?;
        println!("{report}");
        clean &= report.findings.is_empty();
    }
    Ok(clean)
}

fn replay(args: &[String]) -> Result<bool, String> {
    let [name, files @ ..] = args else {
        return Err("usage: fuzz replay TARGET FILE...".into());
    };
    let t = target(name)?;
    for file in files {
        let input = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
        println!("replaying {file} ({} bytes) on {}", input.len(), t.name);
        // Not caught: the panic prints with its backtrace (RUST_BACKTRACE=1).
        (t.run)(&input);
    }
    println!("no panic");
    Ok(true)
}

fn seeds(args: &[String]) -> Result<bool, String> {
    let [name, dir] = args else {
        return Err("usage: fuzz seeds TARGET DIR".into());
    };
    let t = target(name)?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{dir}: {e}"))?;
    let inputs = fuzz::initial_inputs(t).map_err(|e| e.to_string())?;
    for (i, input) in inputs.iter().enumerate() {
        let path = std::path::Path::new(dir).join(format!("seed-{i:03}"));
        std::fs::write(&path, input).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    println!("{} inputs for {} in {dir}", inputs.len(), t.name);
    Ok(true)
}
