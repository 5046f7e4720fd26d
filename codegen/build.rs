//! Embeds every `templates/**/*.hbs` into the binary so generated output never
//! depends on the working directory. The list is sorted for stable builds.

use std::fs;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "hbs") {
            out.push(path);
        }
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    println!("cargo:rerun-if-changed=templates");
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    let mut src = String::from(
        "/// (template name, source), sorted by name.\npub const TEMPLATES: &[(&str, &str)] = &[\n",
    );
    for f in &files {
        let rel = f.strip_prefix(&root).expect("under templates/");
        let name = rel.to_string_lossy().replace('\\', "/");
        let name = name.trim_end_matches(".hbs");
        src.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            f.display().to_string()
        ));
    }
    src.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("templates.rs");
    fs::write(out, src).expect("write templates.rs");
}
