//! `docs/` is generated from the provider's schema (as Terraform sees it), the
//! examples and `provider/docs/`: the suite fails when it is stale. `make docs`
//! (TRUSTCHAIN_UPDATE_DOCS=1) rewrites it.

use acceptance::{Workspace, workspace_root};
use codegen::docs::{Sources, render, stale, write};

#[test]
fn docs_match_the_provider_schema_and_examples() {
    let w = Workspace::new(
        "terraform {\n  required_providers {\n    trustchain = { source = \"trustchain/trustchain\" }\n  }\n}\n",
    );
    let schema = w.terraform(&["providers", "schema", "-json"]).ok().json();
    let root = workspace_root();
    let provider = &schema["provider_schemas"]["registry.terraform.io/trustchain/trustchain"];
    let pages = render(&Sources {
        schema: provider,
        provider_name: "trustchain",
        examples: &root.join("examples"),
        prose: &root.join("provider/docs"),
    })
    .unwrap_or_else(|e| panic!("docs cannot be generated: {e}"));
    let docs = root.join("docs");
    if std::env::var_os("TRUSTCHAIN_UPDATE_DOCS").is_some() {
        let changed = write(&docs, &pages).unwrap_or_else(|e| panic!("{e}"));
        eprintln!(
            "docs: {} pages, {} written: {changed:?}",
            pages.len(),
            changed.len()
        );
        return;
    }
    let stale = stale(&docs, &pages);
    assert!(
        stale.is_empty(),
        "docs/ is stale ({stale:?}): run `make docs` and commit docs/ with the schema or example change"
    );
    eprintln!("docs: {} pages up to date", pages.len());
}
