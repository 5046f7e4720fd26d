//! One Terraform module directory read for review: its resources, data sources,
//! module calls, locals, variables, outputs, required providers and `moved` blocks,
//! each with its arguments as canonical text (comments and layout do not count).

use hcl::expr::ObjectKey;
use hcl::{Block, Body, Expression};
use std::collections::BTreeMap;
use std::path::Path;

use crate::eval::{attr, label};

/// What a block declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Resource,
    Data,
    Module,
    Local,
    /// An example's `env/*.tfvars`.
    Values,
}

impl Kind {
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Resource => "resource",
            Kind::Data => "data source",
            Kind::Module => "module call",
            Kind::Local => "local",
            Kind::Values => "variable values",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Item {
    pub kind: Kind,
    pub file: String,
    /// Argument path (`ebs.volume_size`, `ingress[1].from_port`) -> canonical text.
    pub args: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Default)]
pub struct Variable {
    pub ty: Option<String>,
    pub default: Option<String>,
    pub nullable: Option<String>,
    pub sensitive: bool,
    /// The conditions of the validation blocks.
    pub validations: Vec<String>,
    /// The `contains([...], var.x)` lists of the conditions, for comparing them.
    pub allowed: Vec<Option<Vec<String>>>,
}

#[derive(Clone, Debug, Default)]
pub struct Output {
    pub value: String,
    pub sensitive: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Provider {
    pub source: Option<String>,
    pub version: Option<String>,
    pub aliases: Vec<String>,
}

/// One module directory.
#[derive(Default)]
pub struct Config {
    /// (file name, parsed body) in file-name order.
    pub files: Vec<(String, Body)>,
    /// Raw text per file (all files, `.tf` or not), for "only text changed".
    pub texts: BTreeMap<String, String>,
    /// By address: `aws_x.y`, `data.aws_x.y`, `module.x`, `local.x`.
    pub items: BTreeMap<String, Item>,
    pub variables: BTreeMap<String, Variable>,
    pub outputs: BTreeMap<String, Output>,
    pub providers: BTreeMap<String, Provider>,
    pub required_version: Option<String>,
    /// (from, to) of `moved` blocks.
    pub moved: Vec<(String, String)>,
    /// Files that did not parse.
    pub errors: Vec<String>,
}

/// An expression as one line of canonical HCL.
pub fn text(e: &Expression) -> String {
    let s = hcl::format::to_string(e).unwrap_or_else(|_| format!("{e:?}"));
    one_line(&s)
}

fn one_line(s: &str) -> String {
    let mut out = String::new();
    for line in s.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let joins = out.ends_with(['[', '{', '(']) || line.starts_with([']', '}', ')']);
        if !out.is_empty() && !joins {
            out.push(if out.ends_with(',') { ' ' } else { ';' });
            if out.ends_with(';') {
                out.push(' ');
            }
        }
        out.push_str(line);
    }
    out
}

impl Config {
    /// Reads `dir`: its `.tf` files parsed, every file (and `env/*`, an example's
    /// variable files) as text.
    pub fn read(dir: &Path) -> Config {
        let mut files = Vec::new();
        for (sub, prefix) in [(dir.to_path_buf(), ""), (dir.join("env"), "env/")] {
            for e in std::fs::read_dir(&sub).into_iter().flatten().flatten() {
                if !e.path().is_file() {
                    continue;
                }
                let name = format!("{prefix}{}", e.file_name().to_string_lossy());
                if let Ok(t) = std::fs::read_to_string(e.path()) {
                    files.push((name, t));
                }
            }
        }
        files.sort();
        Config::parse(files)
    }

    pub fn parse(files: Vec<(String, String)>) -> Config {
        let mut c = Config::default();
        for (name, text) in files {
            if name.ends_with(".tf") {
                match hcl::parse(&text) {
                    Ok(body) => c.files.push((name.clone(), body)),
                    Err(e) => c.errors.push(format!("{name}: {e}")),
                }
            }
            c.texts.insert(name, text);
        }
        let files = std::mem::take(&mut c.files);
        for (file, body) in &files {
            for b in body.blocks() {
                c.block(file, b);
            }
        }
        c.files = files;
        c
    }

    fn block(&mut self, file: &str, b: &Block) {
        let item = |kind, body: &Body| Item {
            kind,
            file: file.to_string(),
            args: args(body),
        };
        match b.identifier() {
            "resource" => {
                let addr = format!("{}.{}", label(b, 0), label(b, 1));
                self.items.insert(addr, item(Kind::Resource, &b.body));
            }
            "data" => {
                let addr = format!("data.{}.{}", label(b, 0), label(b, 1));
                self.items.insert(addr, item(Kind::Data, &b.body));
            }
            "module" => {
                let addr = format!("module.{}", label(b, 0));
                self.items.insert(addr, item(Kind::Module, &b.body));
            }
            "locals" => {
                for a in b.body.attributes() {
                    let args = BTreeMap::from([("value".to_string(), text(a.expr()))]);
                    self.items.insert(
                        format!("local.{}", a.key()),
                        Item {
                            kind: Kind::Local,
                            file: file.to_string(),
                            args,
                        },
                    );
                }
            }
            "variable" => {
                let get = |n: &str| attr(&b.body, n).map(text);
                let mut v = Variable {
                    ty: get("type"),
                    default: get("default"),
                    nullable: get("nullable"),
                    sensitive: get("sensitive").as_deref() == Some("true"),
                    ..Variable::default()
                };
                for val in b.body.blocks().filter(|x| x.identifier() == "validation") {
                    if let Some(cond) = attr(&val.body, "condition") {
                        v.validations.push(text(cond));
                        v.allowed.push(allowed_values(cond));
                    }
                }
                self.variables.insert(label(b, 0), v);
            }
            "output" => {
                let o = Output {
                    value: attr(&b.body, "value").map(text).unwrap_or_default(),
                    sensitive: attr(&b.body, "sensitive").map(text).as_deref() == Some("true"),
                };
                self.outputs.insert(label(b, 0), o);
            }
            "terraform" => {
                if let Some(v) = attr(&b.body, "required_version") {
                    self.required_version = Some(string_or_text(v));
                }
                for rp in b
                    .body
                    .blocks()
                    .filter(|x| x.identifier() == "required_providers")
                {
                    for a in rp.body.attributes() {
                        self.providers
                            .insert(a.key().to_string(), provider(a.expr()));
                    }
                }
            }
            "moved" => {
                let from = attr(&b.body, "from").map(text).unwrap_or_default();
                let to = attr(&b.body, "to").map(text).unwrap_or_default();
                self.moved.push((from, to));
            }
            _ => {}
        }
    }
}

fn string_or_text(e: &Expression) -> String {
    match e {
        Expression::String(s) => s.clone(),
        other => text(other),
    }
}

fn provider(e: &Expression) -> Provider {
    let mut p = Provider::default();
    match e {
        Expression::Object(o) => {
            for (k, v) in o {
                let key = match k {
                    ObjectKey::Identifier(i) => i.to_string(),
                    ObjectKey::Expression(e) => string_or_text(e),
                    _ => continue,
                };
                match key.as_str() {
                    "source" => p.source = Some(string_or_text(v)),
                    "version" => p.version = Some(string_or_text(v)),
                    "configuration_aliases" => {
                        if let Expression::Array(items) = v {
                            p.aliases = items.iter().map(text).collect();
                        }
                    }
                    _ => {}
                }
            }
        }
        // The legacy form `aws = "~> 5.0"`.
        Expression::String(s) => p.version = Some(s.clone()),
        _ => {}
    }
    p
}

/// `contains(["a", "b"], var.x)` (anywhere in the condition): the allowed strings.
fn allowed_values(cond: &Expression) -> Option<Vec<String>> {
    match cond {
        Expression::FuncCall(f) if f.name.name.as_str() == "contains" => match f.args.first() {
            Some(Expression::Array(items)) => {
                let mut v: Vec<String> = items.iter().map(string_or_text).collect();
                v.sort();
                Some(v)
            }
            _ => None,
        },
        Expression::Parenthesis(e) => allowed_values(e),
        _ => None,
    }
}

/// Every argument of a block body, nested blocks flattened into dotted paths.
/// Repeated blocks are numbered (`ingress[0]`, `ingress[1]`); `dynamic "x"` becomes
/// `dynamic.x`.
pub fn args(body: &Body) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    flatten(body, "", &mut out);
    out
}

fn flatten(body: &Body, prefix: &str, out: &mut BTreeMap<String, String>) {
    for a in body.attributes() {
        out.insert(format!("{prefix}{}", a.key()), text(a.expr()));
    }
    let mut names: BTreeMap<String, usize> = BTreeMap::new();
    let named = |b: &Block| {
        let mut n = b.identifier().to_string();
        for l in b.labels() {
            n.push('.');
            n.push_str(l.as_str());
        }
        n
    };
    for b in body.blocks() {
        *names.entry(named(b)).or_default() += 1;
    }
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for b in body.blocks() {
        let n = named(b);
        let i = seen.entry(n.clone()).or_default();
        let key = if names[&n] > 1 {
            format!("{prefix}{n}[{i}]")
        } else {
            format!("{prefix}{n}")
        };
        *i += 1;
        if b.body.attributes().next().is_none() && b.body.blocks().next().is_none() {
            out.insert(key, "{}".into());
        } else {
            flatten(&b.body, &format!("{key}."), out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_and_arguments_are_read_by_address() {
        let c = Config::parse(vec![(
            "main.tf".into(),
            r#"
resource "aws_lb" "this" {
  name = "x" # comment
  access_logs {
    bucket  = var.bucket
    enabled = true
  }
}
data "aws_region" "current" {}
module "net" {
  source = "../net"
}
locals { a = [1, 2] }
moved {
  from = aws_lb.old
  to   = aws_lb.this
}
variable "v" {
  type = string
  validation {
    condition     = contains(["b", "a"], var.v)
    error_message = "x"
  }
}
terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.0", configuration_aliases = [aws.replica] }
  }
}
"#
            .into(),
        )]);
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        let lb = &c.items["aws_lb.this"];
        assert_eq!(lb.args["name"], "\"x\"");
        assert_eq!(lb.args["access_logs.bucket"], "var.bucket");
        assert!(c.items.contains_key("data.aws_region.current"));
        assert_eq!(c.items["module.net"].args["source"], "\"../net\"");
        assert!(c.items.contains_key("local.a"));
        assert_eq!(c.moved, vec![("aws_lb.old".into(), "aws_lb.this".into())]);
        assert_eq!(c.variables["v"].ty.as_deref(), Some("string"));
        assert_eq!(
            c.variables["v"].allowed,
            vec![Some(vec!["a".into(), "b".into()])]
        );
        assert_eq!(c.required_version.as_deref(), Some(">= 1.5"));
        let aws = &c.providers["aws"];
        assert_eq!(aws.version.as_deref(), Some(">= 5.0"));
        assert_eq!(aws.aliases, vec!["aws.replica".to_string()]);
    }
}
