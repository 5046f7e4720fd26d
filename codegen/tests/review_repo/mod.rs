//! A temporary git repository holding a base commit, for the `codegen review` tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use codegen::review::{Options, Report, run};

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    /// A repository whose first commit holds `files`.
    pub fn new(files: &[(&str, &str)]) -> Repo {
        let repo = Repo {
            dir: tempfile::tempdir().expect("tempdir"),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        for (k, v) in [
            ("user.email", "review@example.com"),
            ("user.name", "review test"),
            ("commit.gpgsign", "false"),
        ] {
            repo.git(&["config", k, v]);
        }
        for (path, text) in files {
            repo.write(path, text);
        }
        repo.git(&["add", "-A"]);
        repo.git(&["commit", "-q", "-m", "base"]);
        repo
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn git(&self, args: &[&str]) {
        let out = Command::new("git")
            .arg("-C")
            .arg(self.path())
            .args(args)
            .output()
            .expect("git");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn write(&self, path: &str, text: &str) {
        let p = self.path().join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }

    /// Replaces `from` by `to` in a file of the working tree.
    pub fn edit(&self, path: &str, from: &str, to: &str) {
        let p = self.path().join(path);
        let text = std::fs::read_to_string(&p).expect("read");
        assert!(text.contains(from), "{path} has no {from:?}");
        std::fs::write(p, text.replace(from, to)).expect("write");
    }

    pub fn review(&self) -> Report {
        self.review_with(false)
    }

    pub fn review_with(&self, policy: bool) -> Report {
        run(&Options {
            repo: self.path().to_path_buf(),
            base: Some("main".into()),
            policy,
            // The project's checkov (TRUSTCHAIN_CHECKOV, else its tools/checkov).
            checkov: Some(codegen::checkov::program(&workspace())),
            prices: None,
        })
        .unwrap_or_else(|e| panic!("review: {e}"))
    }
}
