//! Every example in registry layout plans with real Terraform: the provider example
//! offline, resource examples against the emulator, data source and function examples
//! (evaluated at plan). Data-driven: a new example directory is picked up by itself.

use acceptance::{Emulator, Workspace, provider_block, workspace_root};
use std::path::{Path, PathBuf};

/// `examples/<kind>/<name>/<file>` for every name.
fn examples(kind: &str, file: &str) -> Vec<(String, PathBuf)> {
    let dir = workspace_root().join("examples").join(kind);
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, e.path().join(file))
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no examples under {}", dir.display());
    for (name, path) in &out {
        assert!(path.exists(), "examples/{kind}/{name} has no {file}");
    }
    out
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn the_provider_example_plans() {
    let w = Workspace::new(&read(
        &workspace_root().join("examples/provider/provider.tf"),
    ));
    w.terraform(&["init", "-no-color", "-input=false"]);
    w.terraform(&["plan", "-no-color", "-input=false"]).ok();
}

#[test]
fn every_resource_example_plans_against_the_emulator() {
    let emu = Emulator::start();
    for (name, path) in examples("resources", "resource.tf") {
        eprintln!("[examples] resources/{name}");
        let w = Workspace::new(&format!("{}\n{}", provider_block(&emu), read(&path)));
        w.terraform(&["plan", "-no-color", "-input=false"]).ok();
        for extra in ["import-by-identity.tf", "import.sh"] {
            assert!(
                path.with_file_name(extra).exists(),
                "examples/resources/{name} lacks {extra} (the docs' import section needs it)"
            );
        }
        // The import block must name the resource and identity attributes correctly.
        w.write_file(
            "import.tf",
            &read(&path.with_file_name("import-by-identity.tf")),
        );
        w.terraform(&["validate", "-no-color"]).ok();
    }
}

#[test]
fn every_data_source_and_function_example_plans() {
    let emu = Emulator::start();
    for (kind, file) in [
        ("data-sources", "data-source.tf"),
        ("functions", "function.tf"),
    ] {
        for (name, path) in examples(kind, file) {
            eprintln!("[examples] {kind}/{name}");
            let w = Workspace::new(&format!("{}\n{}", provider_block(&emu), read(&path)));
            w.terraform(&["plan", "-no-color", "-input=false"]).ok();
        }
    }
}
