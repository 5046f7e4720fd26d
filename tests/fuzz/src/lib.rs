//! Fuzzing without a nightly toolchain.
//!
//! A [`Target`] is one file in `src/targets/` (build.rs registers it): a function that
//! takes arbitrary bytes and must never panic, plus seeds and a dictionary of tokens
//! for the mutator. Two engines drive the same targets:
//!
//! - [`campaign`]: a stable-toolchain mutation fuzzer (seeds + committed corpus,
//!   byte and dictionary mutations, splicing, panics caught and saved). `make test`
//!   runs it for a few seconds, `make fuzz` for minutes.
//! - libFuzzer through cargo-fuzz (`tests/fuzz/libfuzzer/`, coverage guided), when
//!   `make fuzz FUZZ_ENGINE=libfuzzer` can build it.
//!
//! Each target keeps its committed corpus in `tests/fuzz/corpus/<name>/`.
#![forbid(unsafe_code)]

pub mod campaign;
pub mod mutate;

use std::path::{Path, PathBuf};

/// One fuzz target.
pub struct Target {
    /// The file stem in `src/targets/`; names the corpus directory too.
    pub name: &'static str,
    /// What the target exercises, for reports.
    pub about: &'static str,
    /// Feeds one input to the code under test. Panics (including failed invariant
    /// assertions) are the findings.
    pub run: fn(&[u8]),
    /// Inputs built in code (in addition to the corpus files), e.g. the shipped specs.
    pub seeds: fn() -> Vec<Vec<u8>>,
    /// Tokens the mutator inserts or overwrites with (format keywords, markers).
    pub dictionary: &'static [&'static [u8]],
}

pub mod targets {
    include!(concat!(env!("OUT_DIR"), "/targets.rs"));
}

/// A target by name.
pub fn target(name: &str) -> Option<&'static Target> {
    targets::ALL.iter().copied().find(|t| t.name == name)
}

/// `tests/fuzz/corpus/<name>`.
pub fn corpus_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(name)
}

/// The target's seeds followed by its committed corpus files (sorted by file name,
/// so runs are reproducible).
pub fn initial_inputs(target: &Target) -> std::io::Result<Vec<Vec<u8>>> {
    let mut inputs = (target.seeds)();
    let dir = corpus_dir(target.name);
    if dir.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        for f in files {
            inputs.push(std::fs::read(&f)?);
        }
    }
    Ok(inputs)
}

/// Where findings are saved: `<target dir>/fuzz-findings/<target>/`.
pub fn findings_dir(name: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("fuzz-findings").join(name)
}

/// Splits `<type constraint JSON> NUL <payload>`: targets that decode against a
/// type take it from the input, so the fuzzer explores types as well as values.
/// Without a NUL, or with a prefix that is no type, the whole input is the payload
/// of a `dynamic` value (which carries its own type on the wire).
pub fn typed_input(data: &[u8]) -> (tfplugin::value::Type, &[u8]) {
    use tfplugin::value::Type;
    if let Some(nul) = data.iter().position(|b| *b == 0)
        && let Ok(ty) = Type::from_json_bytes(&data[..nul])
    {
        return (ty, &data[nul + 1..]);
    }
    (Type::Dynamic, data)
}

/// Builds a `typed_input` seed.
pub fn typed_seed(ty: &tfplugin::value::Type, payload: &[u8]) -> Vec<u8> {
    let mut seed = ty.to_json_bytes();
    seed.push(0);
    seed.extend_from_slice(payload);
    seed
}
