//! The module generator's platform spec: TOML parse, typed deserialization with
//! located errors, the validation pass, and the view model. Input: spec text.
//! Invariant: every error names a line inside the file.

use crate::Target;
use codegen::model::Header;
use codegen::{SpecSource, platforms};

pub const TARGET: Target = Target {
    name: "codegen_spec",
    about: "codegen::platforms::build (spec parse, validation, view model)",
    run,
    seeds,
    dictionary: &[
        b"[platform]\nname = \"trustchain\"\n",
        b"name = \"solidity\"",
        b"[[",
        b"]]\n",
        b" = []\n",
        b" = {}\n",
        b" = \"\"\n",
        b" = -1\n",
        b" = 99999999999999999999\n",
        b" = 1e400\n",
        b"\"\"\"\n",
        b"'''",
        b".",
        b"cidr = \"10.0.0.0/33\"\n",
        b"\"::/129\"",
        b"\xc3\xa9",
    ],
};

fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data).into_owned();
    let lines = text.lines().count().max(1);
    let source = SpecSource {
        display_name: "fuzz.toml".into(),
        text,
    };
    let header = Header {
        spec: "fuzz.toml".into(),
        command: "fuzz".into(),
    };
    if let Err(errors) = platforms::build(&source, header) {
        assert!(!errors.0.is_empty(), "an error result without errors");
        for e in &errors.0 {
            // A trailing newline puts an end-of-file error on the line after the last.
            assert!(
                e.line >= 1 && e.line <= lines + 1,
                "error on line {} of a {lines}-line file: {e}",
                e.line
            );
        }
    }
}

fn seeds() -> Vec<Vec<u8>> {
    codegen::PLATFORMS
        .iter()
        .map(|b| b.text.as_bytes().to_vec())
        .collect()
}
