//! The temporary world of one pipeline run and the Terraform work done in it.

use super::*;

/// The temporary world of one pipeline run: copies of the targets (so Terraform's
/// `.terraform` never lands in the checkout), plugin directories and a CLI config.
pub(crate) struct Env {
    pub(crate) _tmp: tempfile::TempDir,
    /// Copy of the targets (and of `modules/`, which examples call) Terraform runs in.
    pub(crate) tree: PathBuf,
    /// A second, untouched copy for checkov, so it never sees `.terraform`.
    pub(crate) checkov_root: PathBuf,
    pub(crate) tfrc: PathBuf,
    pub(crate) work: PathBuf,
    pub(crate) overrides: Vec<String>,
}

impl Env {
    pub(crate) fn new(root: &Path, targets: &[Target]) -> Self {
        let tmp = tempfile::Builder::new()
            .prefix("tc-validate-modules-")
            .tempdir()
            .expect("create temp dir");
        let tree = tmp.path().join("tree");
        let checkov_root = tmp.path().join("checkov");
        let mut dirs: BTreeSet<String> = targets.iter().map(|t| t.name.clone()).collect();
        if targets
            .iter()
            .any(|t| t.plan || t.name.starts_with("usage/"))
        {
            // Examples call ../../modules/<platform>/<module>, README Usage blocks (see
            // tests/tests/module_usage.rs) ../../../modules/<platform>/<module>.
            dirs.insert("modules".into());
        }
        for d in &dirs {
            copy_tree(&root.join(d), &tree.join(d)).expect("copy target");
        }
        for d in &dirs {
            copy_tree(&root.join(d), &checkov_root.join(d)).expect("copy target");
        }
        // Each provider in its own directory, alone, under the name Terraform looks for.
        let plugins = tmp.path().join("plugins");
        let aws = plugins.join("aws");
        let helm = plugins.join("helm");
        let kubernetes = plugins.join("kubernetes");
        let own = plugins.join("trustchain");
        let mirror = plugins.join("empty-mirror");
        for d in [&aws, &helm, &kubernetes, &own, &mirror] {
            std::fs::create_dir_all(d).expect("plugins dir");
        }
        // One schema-only binary; the name it is started under picks the schema
        // (hashicorp/aws, or hashicorp/helm and hashicorp/kubernetes for the addons module).
        for (dir, name) in [(&aws, "aws"), (&helm, "helm"), (&kubernetes, "kubernetes")] {
            std::os::unix::fs::symlink(
                built_binary("terraform-provider-aws-schema-only"),
                dir.join(format!("terraform-provider-{name}")),
            )
            .expect("link schema-only provider");
        }
        std::os::unix::fs::symlink(
            built_binary("terraform-provider-trustchain"),
            own.join("terraform-provider-trustchain"),
        )
        .expect("link provider");
        // No `direct {}`: a provider without an override must fail init at once, naming
        // itself, instead of trying the registry.
        let tfrc = tmp.path().join("terraformrc");
        std::fs::write(
            &tfrc,
            format!(
                "provider_installation {{\n  dev_overrides {{\n    \"hashicorp/aws\" = \"{}\"\n    \"hashicorp/helm\" = \"{}\"\n    \"hashicorp/kubernetes\" = \"{}\"\n    \"trustchain/trustchain\" = \"{}\"\n  }}\n  filesystem_mirror {{\n    path = \"{}\"\n  }}\n}}\n",
                aws.display(),
                helm.display(),
                kubernetes.display(),
                own.display(),
                mirror.display()
            ),
        )
        .expect("write tfrc");
        let work = tmp.path().join("work");
        std::fs::create_dir_all(&work).expect("work dir");
        Self {
            _tmp: tmp,
            tree,
            checkov_root,
            tfrc,
            work,
            overrides: vec![
                "hashicorp/aws".into(),
                "hashicorp/helm".into(),
                "hashicorp/kubernetes".into(),
                "trustchain/trustchain".into(),
            ],
        }
    }

    pub(crate) fn terraform(&self, dir: &Path, args: &[&str], vars: &[(String, String)]) -> Output {
        let mut cmd = Command::new(terraform_bin());
        cmd.args(args).current_dir(dir);
        for var in [
            "TF_LOG",
            "TF_LOG_PROVIDER",
            "TF_LOG_CORE",
            "TF_LOG_PATH",
            "TF_DATA_DIR",
            "TF_PLUGIN_CACHE_DIR",
            "TF_REATTACH_PROVIDERS",
            "TF_WORKSPACE",
        ] {
            cmd.env_remove(var);
        }
        cmd.env("TF_CLI_CONFIG_FILE", &self.tfrc)
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_INPUT", "0");
        for (k, v) in vars {
            cmd.env(format!("TF_VAR_{k}"), v);
        }
        cmd.output().expect("run terraform")
    }

    /// The types the real provider serves, from `terraform providers schema -json`.
    pub(crate) fn provider_types(&self) -> BTreeSet<String> {
        let probe = self.work.join("schema-probe");
        std::fs::create_dir_all(&probe).expect("probe dir");
        std::fs::write(
            probe.join("main.tf"),
            "terraform {\n  required_providers {\n    trustchain = {\n      source = \"trustchain/trustchain\"\n    }\n  }\n}\n",
        )
        .expect("write probe");
        let out = self.terraform(&probe, &["providers", "schema", "-json"], &[]);
        assert!(
            out.status.success(),
            "terraform providers schema -json failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let json: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("providers schema JSON");
        let p = &json["provider_schemas"][OWN_PROVIDER];
        let mut types = BTreeSet::new();
        for key in ["resource_schemas", "data_source_schemas"] {
            if let Some(m) = p[key].as_object() {
                types.extend(m.keys().cloned());
            }
        }
        types
    }

    pub(crate) fn check(
        &self,
        target: &Target,
        provider_types: &BTreeSet<String>,
    ) -> (TargetResult, Vec<PlannedChange>) {
        let dir = self.tree.join(&target.name);
        let mut r = TargetResult {
            name: target.name.clone(),
            ..Default::default()
        };
        let fail = |r: &mut TargetResult, stage: &str, file: String, line: u64, msg: String| {
            r.failures.push(Failure {
                target: target.name.clone(),
                stage: stage.into(),
                envs: String::new(),
                file,
                line,
                message: msg,
            })
        };

        // fmt: the files Terraform would rewrite.
        let out = self.terraform(&dir, &["fmt", "-check", "-list=true", "-no-color"], &[]);
        r.fmt = if out.status.success() {
            Stage::Ok
        } else {
            let listed = String::from_utf8_lossy(&out.stdout).into_owned();
            for file in listed.lines().filter(|l| !l.trim().is_empty()) {
                let path = self.repo_path(&dir, file.trim());
                fail(
                    &mut r,
                    "fmt",
                    path,
                    0,
                    "not formatted (terraform fmt)".into(),
                );
            }
            if listed.trim().is_empty() {
                fail(&mut r, "fmt", String::new(), 0, stderr_errors(&out));
            }
            Stage::Failed
        };

        // init: local modules only; both providers come from dev_overrides. Examples
        // get their S3 backend replaced by a local one so `plan` can run offline.
        let planned_backend = target.plan && declares_backend(&dir);
        if planned_backend {
            let state = self
                .work
                .join(format!("{}.tfstate", target.name.replace('/', "-")));
            std::fs::write(
                dir.join("zz_validate_modules_override.tf"),
                format!(
                    "terraform {{\n  backend \"local\" {{\n    path = \"{}\"\n  }}\n}}\n",
                    state.display()
                ),
            )
            .expect("write backend override");
        }
        let init_args: &[&str] = if planned_backend {
            &["init", "-input=false", "-no-color"]
        } else {
            &["init", "-backend=false", "-input=false", "-no-color"]
        };
        if !target.plan {
            write_alias_configurations(&dir);
        }
        let out = self.terraform(&dir, init_args, &[]);
        if !out.status.success() {
            let msg = format!(
                "{} (every provider must come from dev_overrides: {})",
                stderr_errors(&out),
                self.overrides.join(", ")
            );
            fail(&mut r, "init", String::new(), 0, msg);
            r.validate = Stage::Failed;
            return (r, Vec::new());
        }

        // Pending: own-provider types used here or in called modules, not served.
        let modules = module_dirs(&dir);
        r.calls = modules
            .iter()
            .filter(|(k, _)| !k.is_empty())
            .map(|(_, d)| self.repo_path(&dir, d))
            .collect();
        for m in modules.values() {
            for t in own_types_used(&dir.join(m)) {
                if !provider_types.contains(&t) {
                    r.pending.insert(t);
                }
            }
        }

        // validate
        let out = self.terraform(&dir, &["validate", "-json", "-no-color"], &[]);
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        let mut errors = 0;
        let diags: Vec<&serde_json::Value> = json["diagnostics"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|d| d["severity"] == "error")
            .collect();
        // When one error stops the walk, Terraform cancels the provider calls still in
        // flight and reports each as "Request cancelled": a consequence, not a finding.
        let cancelled_only = |d: &serde_json::Value| d["summary"] == "Request cancelled";
        let has_cause = diags.iter().any(|d| !cancelled_only(d));
        for d in diags {
            if self.is_pending_diag(d, &r.pending) || (has_cause && cancelled_only(d)) {
                continue;
            }
            errors += 1;
            let (file, line) = self.diag_location(&dir, d);
            fail(&mut r, "validate", file, line, diag_message(d));
        }
        if json.is_null() {
            errors += 1;
            fail(&mut r, "validate", String::new(), 0, stderr_errors(&out));
        }
        r.validate = if errors > 0 {
            Stage::Failed
        } else if !r.pending.is_empty() {
            Stage::Pending
        } else {
            Stage::Ok
        };

        let mut planned = Vec::new();
        if target.plan {
            for (env, var_file) in var_files(&dir) {
                let stage = match r.validate {
                    Stage::Ok => {
                        let (stage, changes) =
                            self.plan(target, &dir, &env, var_file.as_deref(), &modules, &mut r);
                        planned.extend(changes);
                        stage
                    }
                    Stage::Pending => Stage::Pending,
                    _ => Stage::NotRun,
                };
                let n = planned.iter().filter(|c| c.env == env).count();
                r.plans.push((env, stage, n));
            }
        }
        (r, planned)
    }

    pub(crate) fn plan(
        &self,
        target: &Target,
        dir: &Path,
        env: &str,
        var_file: Option<&str>,
        modules: &BTreeMap<String, String>,
        r: &mut TargetResult,
    ) -> (Stage, Vec<PlannedChange>) {
        let mut vars: Vec<(String, String)> = EXTRA_INPUTS
            .iter()
            .filter(|(t, _, _)| *t == target.name)
            .map(|(_, k, v)| (k.to_string(), v.to_string()))
            .collect();
        if target.name == "examples/quickstart" {
            vars.extend(demo_ca());
        }
        let var_arg = var_file.map(|f| format!("-var-file={f}"));
        let mut args = vec!["plan", "-json", "-input=false", "-lock=false", "-no-color"];
        if let Some(a) = &var_arg {
            args.push(a);
        }
        let out = self.terraform(dir, &args, &vars);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let mut changes = Vec::new();
        let mut errors = 0;
        let envs = if env == "-" {
            String::new()
        } else {
            env.to_string()
        };
        for line in stdout.lines() {
            let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            match msg["type"].as_str() {
                Some("planned_change") => {
                    let action = msg["change"]["action"].as_str().unwrap_or("");
                    if matches!(action, "create" | "update" | "delete" | "replace") {
                        let module = msg["change"]["resource"]["module"].as_str().unwrap_or("");
                        let key = module_key(module);
                        let module_dir = modules
                            .get(&key)
                            .map(|d| self.repo_path(dir, d))
                            .unwrap_or_else(|| target.name.clone());
                        changes.push(PlannedChange {
                            env: env.to_string(),
                            module_dir,
                        });
                    }
                }
                Some("diagnostic") if msg["diagnostic"]["severity"] == "error" => {
                    errors += 1;
                    let d = &msg["diagnostic"];
                    let (file, line) = self.diag_location(dir, d);
                    r.failures.push(Failure {
                        target: target.name.clone(),
                        stage: "plan".into(),
                        envs: envs.clone(),
                        file,
                        line,
                        message: diag_message(d),
                    });
                }
                _ => {}
            }
        }
        if !out.status.success() && errors == 0 {
            r.failures.push(Failure {
                target: target.name.clone(),
                stage: "plan".into(),
                envs,
                file: String::new(),
                line: 0,
                message: stderr_errors(&out),
            });
            errors = 1;
        }
        if errors > 0 {
            (Stage::Failed, Vec::new())
        } else {
            (Stage::Ok, changes)
        }
    }

    /// "Invalid resource type" for a type we know is pending.
    pub(crate) fn is_pending_diag(
        &self,
        d: &serde_json::Value,
        pending: &BTreeSet<String>,
    ) -> bool {
        let summary = d["summary"].as_str().unwrap_or("");
        let detail = d["detail"].as_str().unwrap_or("");
        summary.starts_with("Invalid")
            && pending.iter().any(|t| detail.contains(&format!("\"{t}\"")))
    }

    pub(crate) fn diag_location(&self, dir: &Path, d: &serde_json::Value) -> (String, u64) {
        match d["range"]["filename"].as_str() {
            Some(f) => (
                self.repo_path(dir, f),
                d["range"]["start"]["line"].as_u64().unwrap_or(0),
            ),
            None => (String::new(), 0),
        }
    }

    /// A path Terraform printed relative to `dir` (or absolute inside the copy), as a
    /// repository-relative path.
    pub(crate) fn repo_path(&self, dir: &Path, file: &str) -> String {
        let p = normalize(&dir.join(file));
        let tree = normalize(&self.tree);
        p.strip_prefix(&tree)
            .map(|r| r.display().to_string())
            .unwrap_or_else(|_| p.display().to_string())
    }
}

pub(crate) fn diag_message(d: &serde_json::Value) -> String {
    let summary = d["summary"].as_str().unwrap_or("");
    let detail = d["detail"].as_str().unwrap_or("");
    let context = d["snippet"]["context"].as_str().unwrap_or("");
    let first = detail.split("\n\n").next().unwrap_or("").replace('\n', " ");
    let mut m = summary.to_string();
    if !context.is_empty() {
        m = format!("{m} (in {context})");
    }
    if !first.is_empty() {
        m = format!("{m}: {first}");
    }
    m
}

/// Each `Error:` of a failed command (summary and first paragraph of detail), or its
/// last stderr line.
pub(crate) fn stderr_errors(out: &Output) -> String {
    let text = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<String> = format!("\n{text}")
        .split("\nError: ")
        .skip(1)
        .map(|e| {
            let parts: Vec<&str> = e.split("\n\n").take(2).map(str::trim).collect();
            parts.join(": ").replace('\n', " ")
        })
        .collect();
    if errors.is_empty() {
        let last = text.lines().rev().find(|l| !l.trim().is_empty());
        format!(
            "terraform exited with {:?}: {}",
            out.status.code(),
            last.unwrap_or("")
        )
    } else {
        errors.join("; ")
    }
}
