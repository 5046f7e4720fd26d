//! Files and directories the pipeline reads: module keys, module directories, the
//! trustchain types a target uses, tfvars, copies.

use super::*;

/// `module.a[0].module.b["x"]` -> `a.b` (the key in .terraform/modules/modules.json).
pub(crate) fn module_key(module: &str) -> String {
    module
        .split("module.")
        .filter(|s| !s.is_empty())
        .map(|s| {
            let s = s.trim_end_matches('.');
            s.split('[').next().unwrap_or(s).to_string()
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// Module key -> directory relative to `dir`, from `terraform init`'s manifest
/// (the root module has key "" and directory ".").
pub(crate) fn module_dirs(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::from([(String::new(), ".".to_string())]);
    let Ok(text) = std::fs::read(dir.join(".terraform/modules/modules.json")) else {
        return out;
    };
    let json: serde_json::Value = serde_json::from_slice(&text).unwrap_or_default();
    for m in json["Modules"].as_array().into_iter().flatten() {
        if let (Some(k), Some(d)) = (m["Key"].as_str(), m["Dir"].as_str()) {
            out.insert(k.to_string(), d.to_string());
        }
    }
    out
}

/// `resource "trustchain_x"` / `data "trustchain_x"` blocks in a directory's .tf files.
pub(crate) fn own_types_used(dir: &Path) -> BTreeSet<String> {
    let mut types = BTreeSet::new();
    for file in tf_files(dir) {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for line in text.lines() {
            let mut words = line.split_whitespace();
            if let (Some("resource" | "data"), Some(ty)) = (words.next(), words.next()) {
                let ty = ty.trim_matches('"');
                if ty.starts_with(OWN_PREFIX) {
                    types.insert(ty.to_string());
                }
            }
        }
    }
    types
}

/// A module that declares `configuration_aliases` expects its caller to pass those
/// provider configurations; validated on its own, Terraform reports each resource using
/// one as "Provider configuration not present". An empty provider block per alias (in
/// the copy only) stands in for the caller.
pub(crate) fn write_alias_configurations(dir: &Path) {
    let mut blocks = String::new();
    for file in tf_files(dir) {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        for (i, _) in text.match_indices("configuration_aliases") {
            let Some(list) = text[i..]
                .split_once('[')
                .and_then(|(_, r)| r.split_once(']'))
                .map(|(l, _)| l)
            else {
                continue;
            };
            for alias in list.split(',').map(str::trim).filter(|a| !a.is_empty()) {
                if let Some((provider, name)) = alias.split_once('.') {
                    let _ = write!(
                        blocks,
                        "provider \"{provider}\" {{\n  alias = \"{name}\"\n}}\n\n"
                    );
                }
            }
        }
    }
    if !blocks.is_empty() {
        let _ = std::fs::write(dir.join("zz_validate_modules_aliases.tf"), blocks);
    }
}

pub(crate) fn declares_backend(dir: &Path) -> bool {
    tf_files(dir).iter().any(|f| {
        std::fs::read_to_string(f)
            .map(|t| t.lines().any(|l| l.trim_start().starts_with("backend \"")))
            .unwrap_or(false)
    })
}

/// (environment, -var-file argument) per `env/*.tfvars`, dev/staging/prod first; one
/// run without a var file when there are none.
pub(crate) fn var_files(dir: &Path) -> Vec<(String, Option<String>)> {
    let mut envs: BTreeSet<String> = BTreeSet::new();
    if let Ok(entries) = std::fs::read_dir(dir.join("env")) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(env) = name.strip_suffix(".tfvars") {
                envs.insert(env.to_string());
            }
        }
    }
    if envs.is_empty() {
        return vec![("-".into(), None)];
    }
    order_envs(envs)
        .into_iter()
        .map(|e| {
            let f = format!("env/{e}.tfvars");
            (e, Some(f))
        })
        .collect()
}

pub(crate) fn sorted_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

pub(crate) fn tf_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "tf") && p.is_file())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

pub(crate) fn has_tf_files(dir: &Path) -> bool {
    !tf_files(dir).is_empty()
}

pub(crate) fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root)
        .map(|r| r.display().to_string())
        .unwrap_or_else(|_| p.display().to_string())
}

/// Resolves `.` and `..` without touching the file system.
pub(crate) fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Copies a directory tree, leaving out Terraform's working files.
pub fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let name = e.file_name();
        let n = name.to_string_lossy();
        if n == ".terraform" || n == ".terraform.lock.hcl" || n.ends_with(".tfstate") {
            continue;
        }
        let ty = e.file_type()?;
        if ty.is_dir() {
            copy_tree(&e.path(), &to.join(&name))?;
        } else if ty.is_file() {
            std::fs::copy(e.path(), to.join(&name))?;
        }
    }
    Ok(())
}
