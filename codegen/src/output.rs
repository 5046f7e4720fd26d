//! Writing a rendered platform tree atomically, and comparing it with what is on disk.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use similar::TextDiff;

use crate::Error;
use crate::render::Tree;

fn io(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Writes `tree` to `<out>/<platform>/`. Everything goes to a staging
/// directory beside the target first; only when all files are written is the
/// old tree renamed away and the new one renamed into place, so a failure
/// leaves the previous output as it was.
pub fn write_tree(out: &Path, tree: &Tree) -> Result<(), Error> {
    fs::create_dir_all(out).map_err(|e| io(out, e))?;
    let target = out.join(&tree.platform);
    let staging = out.join(format!(".{}.codegen-new", tree.platform));
    let old = out.join(format!(".{}.codegen-old", tree.platform));
    for leftover in [&staging, &old] {
        if leftover.exists() {
            fs::remove_dir_all(leftover).map_err(|e| io(leftover, e))?;
        }
    }
    let staged = (|| {
        for (rel, content) in &tree.files {
            let path = staging.join(rel);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
            }
            fs::write(&path, content).map_err(|e| io(&path, e))?;
        }
        Ok(())
    })();
    if let Err(e) = staged {
        let _ = fs::remove_dir_all(&staging);
        return Err(e);
    }
    let had_old = target.exists();
    if had_old {
        fs::rename(&target, &old).map_err(|e| io(&target, e))?;
    }
    if let Err(e) = fs::rename(&staging, &target) {
        if had_old {
            let _ = fs::rename(&old, &target);
        }
        let _ = fs::remove_dir_all(&staging);
        return Err(io(&target, e));
    }
    if had_old {
        fs::remove_dir_all(&old).map_err(|e| io(&old, e))?;
    }
    Ok(())
}

fn files_on_disk(root: &Path, dir: &Path, out: &mut BTreeSet<String>) -> Result<(), Error> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io(dir, e)),
    };
    for entry in entries {
        let entry = entry.map_err(|e| io(dir, e))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        // Terraform's own working files are not generator output.
        if name == ".terraform" || name == ".terraform.lock.hcl" {
            continue;
        }
        if path.is_dir() {
            files_on_disk(root, &path, out)?;
        } else if let Ok(rel) = path.strip_prefix(root) {
            out.insert(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}

/// A unified diff of `<out>/<platform>` against `tree`; empty when they match.
/// Files on disk that the generator would not write count as differences.
pub fn diff_tree(out: &Path, tree: &Tree) -> Result<String, Error> {
    let root: PathBuf = out.join(&tree.platform);
    let mut on_disk = BTreeSet::new();
    files_on_disk(&root, &root, &mut on_disk)?;
    let mut all: BTreeSet<String> = tree.files.keys().cloned().collect();
    all.extend(on_disk.iter().cloned());
    let mut diff = String::new();
    for rel in all {
        let committed = if on_disk.contains(&rel) {
            let path = root.join(&rel);
            Some(fs::read_to_string(&path).map_err(|e| io(&path, e))?)
        } else {
            None
        };
        let fresh = tree.files.get(&rel);
        if committed.as_ref() == fresh {
            continue;
        }
        let name = format!("{}/{}", tree.platform, rel);
        let old = committed.as_deref().unwrap_or("");
        let new = fresh.map(String::as_str).unwrap_or("");
        let a = if committed.is_some() {
            format!("a/{name}")
        } else {
            "/dev/null".into()
        };
        let b = if fresh.is_some() {
            format!("b/{name}")
        } else {
            "/dev/null".into()
        };
        diff.push_str(
            &TextDiff::from_lines(old, new)
                .unified_diff()
                .context_radius(3)
                .header(&a, &b)
                .to_string(),
        );
    }
    Ok(diff)
}
