//! The base revision's `modules/`, `examples/` and rule pack, copied out of git into
//! a temporary directory (the checkout and its index are never touched).

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::Error;

/// The trees a review compares.
pub const PATHS: &[&str] = &["modules", "examples", "tests/rule-pack"];

fn git(repo: &Path, args: &[&str]) -> Result<String, Error> {
    let out = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(args)
        .output()
        .map_err(|e| Error::Usage(format!("could not run git: {e}")))?;
    if !out.status.success() {
        return Err(Error::Usage(format!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The repository's top directory.
pub fn toplevel(dir: &Path) -> Result<PathBuf, Error> {
    git(dir, &["rev-parse", "--show-toplevel"]).map(PathBuf::from)
}

/// The commit a revision names.
pub fn commit(repo: &Path, rev: &str) -> Result<String, Error> {
    git(
        repo,
        &["rev-parse", "--verify", &format!("{rev}^{{commit}}")],
    )
}

/// The default base: where HEAD left `main` (or `origin/main` in a CI clone), with a
/// label saying so.
pub fn default_base(repo: &Path) -> Result<(String, String), Error> {
    for main in ["main", "origin/main"] {
        if let Ok(c) = git(repo, &["merge-base", "HEAD", main]) {
            return Ok((format!("the merge base with {main}"), c));
        }
    }
    Err(Error::Usage(
        "no merge base with main or origin/main: pass --base <revision>".into(),
    ))
}

/// Writes the files of `paths` at `rev` under `dest` (same relative paths).
pub fn export(repo: &Path, rev: &str, dest: &Path) -> Result<usize, Error> {
    let mut args = vec!["ls-tree", "-r", "-z", "--full-tree", rev, "--"];
    args.extend(PATHS);
    let listing = git(repo, &args)?;
    let mut entries = Vec::new();
    for rec in listing.split('\0').filter(|r| !r.is_empty()) {
        // `<mode> blob <sha>\t<path>`; symlinks and submodules are skipped.
        let Some((meta, path)) = rec.split_once('\t') else {
            continue;
        };
        let parts: Vec<&str> = meta.split_whitespace().collect();
        if parts.len() == 3 && parts[1] == "blob" && parts[0] != "120000" {
            entries.push((parts[2].to_string(), path.to_string()));
        }
    }
    let mut child = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| Error::Usage(format!("could not run git cat-file: {e}")))?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    let shas: Vec<String> = entries.iter().map(|(s, _)| s.clone()).collect();
    let writer = std::thread::spawn(move || {
        for s in shas {
            if writeln!(stdin, "{s}").is_err() {
                break;
            }
        }
    });
    let mut out = BufReader::new(child.stdout.take().expect("piped stdout"));
    let io = |path: &Path, e: std::io::Error| Error::Io {
        path: path.display().to_string(),
        source: e,
    };
    for (_, path) in &entries {
        let mut header = String::new();
        out.read_line(&mut header).map_err(|e| io(dest, e))?;
        let size: usize = header
            .split_whitespace()
            .nth(2)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| Error::Usage(format!("git cat-file: unexpected {header:?}")))?;
        let mut buf = vec![0; size + 1];
        out.read_exact(&mut buf).map_err(|e| io(dest, e))?;
        buf.pop();
        let file = dest.join(path);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
        }
        std::fs::write(&file, &buf).map_err(|e| io(&file, e))?;
    }
    let _ = writer.join();
    let _ = child.wait();
    Ok(entries.len())
}

/// Copies the working tree's files of `paths` (tracked, or new and not ignored; as
/// they are on disk, uncommitted edits included) under `dest`.
pub fn export_worktree(repo: &Path, dest: &Path) -> Result<usize, Error> {
    let mut args = vec![
        "ls-files",
        "-z",
        "--cached",
        "--others",
        "--exclude-standard",
        "--",
    ];
    args.extend(PATHS);
    let listing = git(repo, &args)?;
    let mut n = 0;
    for path in listing.split('\0').filter(|r| !r.is_empty()) {
        let from = repo.join(path);
        // Deleted but not yet staged: absent from the head.
        if !from.is_file() || from.is_symlink() {
            continue;
        }
        let to = dest.join(path);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::Io {
                path: parent.display().to_string(),
                source: e,
            })?;
        }
        std::fs::copy(&from, &to).map_err(|e| Error::Io {
            path: from.display().to_string(),
            source: e,
        })?;
        n += 1;
    }
    Ok(n)
}

/// Module directories of a tree: `modules/<platform>/<module>` and every directory
/// under `examples/` holding `.tf` files, as relative paths.
pub fn module_dirs(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for platform in subdirs(&root.join("modules")) {
        for m in subdirs(&platform) {
            if has_tf(&m) {
                out.push(rel(root, &m));
            }
        }
    }
    let mut stack = subdirs(&root.join("examples"));
    while let Some(d) = stack.pop() {
        if has_tf(&d) {
            out.push(rel(root, &d));
        }
        stack.extend(subdirs(&d));
    }
    out.sort();
    out
}

fn subdirs(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir() && !p.ends_with(".terraform"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn has_tf(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .any(|e| e.path().extension().is_some_and(|x| x == "tf"))
        })
        .unwrap_or(false)
}

fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root)
        .unwrap_or(p)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}
