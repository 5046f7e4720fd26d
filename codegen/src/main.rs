//! `codegen`: generate, check and list the Terraform modules of each platform.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use codegen::{Error, Origin, PLATFORMS, SpecSource};

#[derive(Parser)]
#[command(
    name = "codegen",
    about = "Generates Terraform modules from platform specs",
    version
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Render modules into DIR/<platform>/, replacing each platform tree atomically.
    Generate(Target),
    /// Exit 1 and print a unified diff when DIR/<platform>/ differs from fresh output.
    Check(Target),
    /// List the built-in platforms and their modules.
    List,
    /// Report what changed in modules/ and examples/ since a base revision: resources,
    /// interface (breaking or not, semver bump), policy results, monthly cost.
    Review(ReviewArgs),
}

#[derive(clap::Args)]
struct ReviewArgs {
    /// Base revision [default: the merge base of HEAD with main].
    #[arg(long, value_name = "REV")]
    base: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "markdown")]
    format: Format,
    /// Skip checkov and the rule pack.
    #[arg(long)]
    no_policy: bool,
    /// The checkov program [default: $TRUSTCHAIN_CHECKOV, else tools/checkov].
    #[arg(long, value_name = "PATH")]
    checkov: Option<PathBuf>,
    /// A price table instead of the built-in codegen/prices/aws-us-east-1.toml.
    #[arg(long, value_name = "FILE")]
    prices: Option<PathBuf>,
    /// Also write the report to FILE.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Also write the report as JSON to FILE (one run for a comment and for tools).
    #[arg(long, value_name = "FILE")]
    json_out: Option<PathBuf>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Markdown,
    Json,
}

#[derive(clap::Args)]
struct Target {
    /// Only this platform (solidity or trustchain).
    #[arg(long, value_name = "NAME")]
    platform: Option<String>,
    /// Use this spec file instead of the built-in one (generates a variant).
    #[arg(long, value_name = "FILE")]
    spec: Option<PathBuf>,
    /// Output directory holding one directory per platform [default: modules; required
    /// with --spec, so a variant never replaces the committed modules by accident].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

impl Target {
    fn out_dir(&self) -> Result<PathBuf, Error> {
        match (&self.out, &self.spec) {
            (Some(out), _) => Ok(out.clone()),
            (None, None) => Ok(PathBuf::from("modules")),
            (None, Some(_)) => Err(Error::Usage(
                "--spec needs --out DIR: a variant must not replace the committed modules/".into(),
            )),
        }
    }
}

fn specs(target: &Target) -> Result<Vec<(Origin, SpecSource)>, Error> {
    if let Some(path) = &target.spec {
        return Ok(vec![codegen::read_spec_file(path)?]);
    }
    let selected: Vec<_> = PLATFORMS
        .iter()
        .filter(|b| target.platform.as_deref().is_none_or(|p| p == b.name))
        .map(|b| {
            let origin = Origin::Builtin(b);
            let source = origin.source(b.text.to_string());
            (origin, source)
        })
        .collect();
    if selected.is_empty() {
        let names: Vec<_> = PLATFORMS.iter().map(|b| b.name).collect();
        return Err(Error::Usage(format!(
            "unknown platform {:?}: use one of {}",
            target.platform.as_deref().unwrap_or_default(),
            names.join(", ")
        )));
    }
    Ok(selected)
}

/// Renders every selected platform before writing any, so one bad spec
/// leaves all output untouched.
fn render_all(target: &Target) -> Result<Vec<codegen::Tree>, Error> {
    let mut trees = Vec::new();
    for (origin, source) in specs(target)? {
        let tree = codegen::generate(&origin, &source)?;
        if let Some(p) = &target.platform
            && target.spec.is_some()
            && p != &tree.platform
        {
            return Err(Error::Usage(format!(
                "--platform {p} does not match the spec's platform {}",
                tree.platform
            )));
        }
        trees.push(tree);
    }
    Ok(trees)
}

fn run(cli: Cli) -> Result<ExitCode, Error> {
    match cli.command {
        Command::Generate(target) => {
            let out = target.out_dir()?;
            for tree in render_all(&target)? {
                codegen::output::write_tree(&out, &tree)?;
                println!(
                    "generated {} files in {}",
                    tree.files.len(),
                    out.join(&tree.platform).display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Check(target) => {
            let out = target.out_dir()?;
            let mut stale = false;
            for tree in render_all(&target)? {
                let diff = codegen::output::diff_tree(&out, &tree)?;
                if diff.is_empty() {
                    println!("{}: up to date", out.join(&tree.platform).display());
                } else {
                    stale = true;
                    print!("{diff}");
                    eprintln!(
                        "{} differs from the generator's output: run `make modules` and commit the result",
                        out.join(&tree.platform).display()
                    );
                }
            }
            Ok(if stale {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Review(args) => {
            let report = codegen::review::run(&codegen::review::Options {
                repo: PathBuf::from("."),
                base: args.base,
                policy: !args.no_policy,
                checkov: args.checkov,
                prices: args.prices,
            })?;
            let json = || {
                serde_json::to_string_pretty(&report)
                    .map_err(|e| Error::Usage(format!("JSON: {e}")))
            };
            let text = match args.format {
                Format::Markdown => codegen::review::markdown(&report),
                Format::Json => json()?,
            };
            let write = |path: &PathBuf, text: &str| {
                std::fs::write(path, text).map_err(|e| Error::Io {
                    path: path.display().to_string(),
                    source: e,
                })
            };
            if let Some(out) = &args.out {
                write(out, &text)?;
            }
            if let Some(out) = &args.json_out {
                write(out, &json()?)?;
            }
            println!("{text}");
            Ok(ExitCode::SUCCESS)
        }
        Command::List => {
            for b in PLATFORMS {
                let origin = Origin::Builtin(b);
                let tree = codegen::generate(&origin, &origin.source(b.text.to_string()))?;
                let mut modules: Vec<&str> = tree
                    .files
                    .keys()
                    .filter_map(|k| k.split_once('/').map(|(m, _)| m))
                    .collect();
                modules.dedup();
                println!("{} ({}): {}", b.name, b.path, modules.join(", "));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(Error::Spec(errors)) => {
            for e in &errors.0 {
                eprintln!("error: {e}");
            }
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
