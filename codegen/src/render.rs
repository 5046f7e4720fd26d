//! View model -> file contents, through the embedded handlebars templates.

use std::collections::BTreeMap;

use handlebars::{Context, Handlebars};
use serde::Serialize;

use crate::Error;
use crate::hcl;
use crate::model::{ModuleView, PlatformView, ResourceRef};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/templates.rs"));
}

/// Rendered files of one platform, keyed by path relative to the platform
/// directory (`networking/main.tf`, `README.md`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tree {
    pub platform: String,
    pub files: BTreeMap<String, String>,
}

pub struct Renderer {
    hb: Handlebars<'static>,
}

#[derive(Serialize)]
struct ModuleCtx<'a> {
    platform: &'a PlatformView,
    module: &'a ModuleView,
}

#[derive(Serialize)]
struct PlatformCtx<'a> {
    platform: &'a PlatformView,
    /// How a consumer addresses the modules (`codegen::usage`).
    repository: &'static str,
    release_tag: &'static str,
    aws_floor: &'static str,
    trustchain_range: &'static str,
}

impl Renderer {
    pub fn new() -> Result<Self, Error> {
        let mut hb = Handlebars::new();
        crate::helpers::register(&mut hb);
        for (name, src) in embedded::TEMPLATES {
            // Every template is also a partial ({{> shared/...}}): handlebars looks
            // partials up among the templates, so each is parsed once.
            hb.register_template_string(name, *src)
                .map_err(|e| Error::Template {
                    template: name.to_string(),
                    message: e.to_string(),
                })?;
        }
        Ok(Self { hb })
    }

    /// Names of all embedded templates (for `list` and tests).
    pub fn template_names() -> Vec<&'static str> {
        embedded::TEMPLATES.iter().map(|(n, _)| *n).collect()
    }

    fn render<T: Serialize>(&self, template: &str, ctx: &T) -> Result<String, Error> {
        self.render_in(template, &Self::context(template, ctx)?)
    }

    /// The view model as handlebars' JSON context, built once for the templates that
    /// share it (building it is most of a render: the platform view is large).
    fn context<T: Serialize>(template: &str, ctx: &T) -> Result<Context, Error> {
        Context::wraps(ctx).map_err(|e| Error::Template {
            template: template.to_string(),
            message: e.to_string(),
        })
    }

    fn render_in(&self, template: &str, ctx: &Context) -> Result<String, Error> {
        self.hb
            .render_with_context(template, ctx)
            .map_err(|e| Error::Template {
                template: template.to_string(),
                message: e.to_string(),
            })
    }

    pub fn render_platform(&self, platform: &PlatformView) -> Result<Tree, Error> {
        let mut files = BTreeMap::new();
        let mut rendered_modules = Vec::new();
        for module in &platform.modules {
            let mut module = module.clone();
            let mut hcl_files: Vec<(String, String)> = Vec::new();
            let ctx = Self::context(
                &module.name,
                &ModuleCtx {
                    platform,
                    module: &module,
                },
            )?;
            for file in &module.files {
                let text = self.render_in(&file.template, &ctx)?;
                hcl_files.push((file.name.clone(), text));
            }
            for (name, template) in [
                ("variables.tf", "common/variables.tf"),
                ("outputs.tf", "common/outputs.tf"),
                ("versions.tf", "common/versions.tf"),
            ] {
                let text = self.render_in(template, &ctx)?;
                hcl_files.push((name.to_string(), text));
            }
            let mut resources = Vec::new();
            for (name, text) in hcl_files {
                let body = hcl::format(&text);
                resources.extend(scan_resources(&body));
                files.insert(
                    format!("{}/{}", module.name, name),
                    format!("{}{}", platform.header.hcl(), body),
                );
            }
            resources.sort();
            resources.dedup();
            module.resources = resources;
            let usage =
                crate::usage::view(platform, &module).map_err(|message| Error::Template {
                    template: "common/usage.tf".into(),
                    message,
                })?;
            module.usage = hcl::format(&self.render("common/usage.tf", &usage)?);
            let readme = self.render(
                "common/README.md",
                &ModuleCtx {
                    platform,
                    module: &module,
                },
            )?;
            files.insert(
                format!("{}/README.md", module.name),
                format!("{}{}", platform.header.markdown(), tidy_markdown(&readme)),
            );
            rendered_modules.push(module);
        }
        let platform_with_resources = PlatformView {
            modules: rendered_modules,
            ..platform.clone()
        };
        let readme = self.render(
            "common/PLATFORM.md",
            &PlatformCtx {
                platform: &platform_with_resources,
                repository: crate::usage::REPOSITORY,
                release_tag: crate::usage::RELEASE_TAG,
                aws_floor: crate::platforms::AWS_PROVIDER_FLOOR,
                trustchain_range: crate::platforms::TRUSTCHAIN_PROVIDER_RANGE,
            },
        )?;
        files.insert(
            "README.md".into(),
            format!("{}{}", platform.header.markdown(), tidy_markdown(&readme)),
        );
        Ok(Tree {
            platform: platform.name.clone(),
            files,
        })
    }
}

/// `resource "type" "name"` and `data "type" "name"` headers at column 0.
fn scan_resources(text: &str) -> Vec<ResourceRef> {
    let mut out = Vec::new();
    for line in text.lines() {
        let kind = if line.starts_with("resource \"") {
            "resource"
        } else if line.starts_with("data \"") {
            "data source"
        } else {
            continue;
        };
        let parts: Vec<&str> = line.split('"').collect();
        if parts.len() >= 4 {
            out.push(ResourceRef {
                kind: kind.into(),
                resource_type: parts[1].into(),
                name: parts[3].into(),
            });
        }
    }
    out
}

/// Collapses blank-line runs left by template control blocks; one trailing newline.
fn tidy_markdown(text: &str) -> String {
    let mut out = String::new();
    let mut blank = true;
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            if !blank {
                out.push('\n');
            }
            blank = true;
        } else {
            out.push_str(line);
            out.push('\n');
            blank = false;
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_use_no_heredocs_because_the_layout_pass_does_not_model_them() {
        for (name, src) in embedded::TEMPLATES {
            assert!(
                !src.contains("<<EOT") && !src.contains("<<-"),
                "{name} uses a heredoc"
            );
        }
    }

    #[test]
    fn scan_resources_finds_resource_and_data_headers_only() {
        let text = "resource \"aws_vpc\" \"this\" {\n}\n\ndata \"aws_region\" \"current\" {}\n  resource \"nested\" \"no\" {\n";
        let found = scan_resources(text);
        assert_eq!(found.len(), 2);
        assert_eq!(
            (found[0].kind.as_str(), found[0].resource_type.as_str()),
            ("resource", "aws_vpc")
        );
        assert_eq!(
            (found[1].kind.as_str(), found[1].name.as_str()),
            ("data source", "current")
        );
    }
}
