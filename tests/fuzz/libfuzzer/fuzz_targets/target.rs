//! One libFuzzer binary for every target: `TRUSTCHAIN_FUZZ_TARGET` names it, so a
//! new file in `tests/fuzz/src/targets/` needs no entry here.
#![no_main]

use std::sync::OnceLock;

fn selected() -> &'static fuzz::Target {
    static TARGET: OnceLock<&'static fuzz::Target> = OnceLock::new();
    TARGET.get_or_init(|| {
        let name = std::env::var("TRUSTCHAIN_FUZZ_TARGET").unwrap_or_default();
        fuzz::target(&name).unwrap_or_else(|| {
            let names: Vec<&str> = fuzz::targets::ALL.iter().map(|t| t.name).collect();
            panic!(
                "set TRUSTCHAIN_FUZZ_TARGET to one of: {} (got {name:?})",
                names.join(", ")
            )
        })
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| (selected().run)(data));
