//! Registers every `src/targets/*.rs` file as a fuzz target, so adding a target is
//! adding one file (its stem is the target's name).
#![forbid(unsafe_code)]

use std::fmt::Write;
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/targets");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    names.sort();
    let mut out = String::new();
    for name in &names {
        assert!(
            name.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
            "fuzz target file name {name:?}: use snake_case"
        );
        let path = dir.join(format!("{name}.rs"));
        let _ = writeln!(
            out,
            "#[path = {:?}]\nmod {name};",
            path.display().to_string()
        );
    }
    out.push_str("/// Every target, sorted by name.\npub const ALL: &[&crate::Target] = &[\n");
    for name in &names {
        let _ = writeln!(out, "    &{name}::TARGET,");
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("targets.rs");
    std::fs::write(&dest, out).unwrap_or_else(|e| panic!("{}: {e}", dest.display()));
}
