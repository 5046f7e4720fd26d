//! Every generated module's README `Usage` block is a root configuration a consumer can
//! copy: it is extracted, `terraform fmt`, `init` and `validate` run on it (the
//! `make validate-modules` pipeline, `acceptance::validate_modules`, without checkov), and it
//! names the module by its published address (`codegen::usage::address`:
//! `git::https://github.com/trustchain/terraform-provider-trustchain.git//modules/<platform>/<module>?ref=v<version>`).
//!
//! Why the test rewrites that address to the module's directory: Terraform has no override
//! for module sources (the CLI config's `dev_overrides` are for providers only), the tag
//! names a release that may not be published yet, and the test must check the modules of
//! this checkout, offline. It first asserts the block carries exactly the documented
//! address, then replaces only that string by `../../../modules/<platform>/<module>`.

use acceptance::validate_modules::{self, Options, Target};
use acceptance::workspace_root;

/// The fenced `hcl` block under `## Usage`.
fn usage_block(readme: &str) -> Option<String> {
    let after = readme.split_once("\n## Usage\n")?.1;
    let body = after.split_once("```hcl\n")?.1;
    Some(body.split_once("```")?.0.to_string())
}

#[test]
fn every_readme_usage_block_inits_and_validates_at_the_module_address() {
    let root = workspace_root();
    let tmp = tempfile::Builder::new()
        .prefix("tc-module-usage-")
        .tempdir()
        .expect("temp dir");
    validate_modules::copy_tree(&root.join("modules"), &tmp.path().join("modules"))
        .expect("copy modules");
    let mut targets = Vec::new();
    let mut problems = Vec::new();
    let mut platforms: Vec<_> = std::fs::read_dir(root.join("modules"))
        .expect("modules/")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    platforms.sort();
    for platform_dir in platforms {
        let platform = platform_dir
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let mut modules: Vec<_> = std::fs::read_dir(&platform_dir)
            .expect("platform dir")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.join("versions.tf").is_file())
            .collect();
        modules.sort();
        for module_dir in modules {
            let module = module_dir
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let readme = std::fs::read_to_string(module_dir.join("README.md")).expect("README");
            let Some(block) = usage_block(&readme) else {
                problems.push(format!(
                    "{platform}/{module}: README has no ```hcl Usage block"
                ));
                continue;
            };
            let address = codegen::usage::address(&platform, &module);
            let source = format!("source = \"{address}\"");
            if !block.contains(&source) {
                problems.push(format!(
                    "{platform}/{module}: the Usage block does not use the published address {address}:\n{block}"
                ));
                continue;
            }
            let local = block.replace(&address, &format!("../../../modules/{platform}/{module}"));
            let name = format!("usage/{platform}/{module}");
            let dir = tmp.path().join(&name);
            std::fs::create_dir_all(&dir).expect("usage dir");
            std::fs::write(dir.join("main.tf"), local).expect("write usage");
            targets.push(Target { name, plan: false });
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        targets.len() >= 20,
        "expected the generated modules: {targets:?}"
    );
    let report = validate_modules::run(
        &targets,
        &Options {
            checkov: false,
            root: tmp.path().to_path_buf(),
            ..Options::default()
        },
    );
    let table = report.table();
    println!("{table}");
    assert!(!report.failed(), "README Usage blocks failed:\n{table}");
}

#[test]
fn the_usage_block_is_read_from_the_readme() {
    let readme =
        "# x\n\n## Usage\n\n```hcl\nmodule \"a\" {}\n```\n\n## Inputs\n```hcl\nother\n```\n";
    assert_eq!(usage_block(readme).as_deref(), Some("module \"a\" {}\n"));
    assert_eq!(usage_block("# no usage\n"), None);
}
