//! The module generator: platform spec (TOML) -> validated spec -> typed view
//! model -> handlebars templates -> `terraform fmt`-clean files under
//! `modules/<platform>/`.
#![forbid(unsafe_code)]

pub mod checkov;
pub mod docs;
pub mod eval;
pub mod hcl;
pub mod helpers;
pub mod model;
pub mod output;
pub mod platforms;
pub mod render;
pub mod review;
pub mod spec;
pub mod usage;

use std::path::Path;

pub use platforms::{PLATFORMS, Platform};
pub use render::Tree;
pub use spec::{SpecErrors, SpecSource};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Spec(#[from] SpecErrors),
    #[error("template {template}: {message}")]
    Template { template: String, message: String },
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Usage(String),
}

/// Where a spec came from; decides what the generated header says.
pub enum Origin {
    Builtin(&'static Platform),
    /// A user spec; only its file name appears in output (no absolute paths).
    File {
        file_name: String,
    },
}

impl Origin {
    pub fn header(&self) -> model::Header {
        match self {
            Origin::Builtin(b) => model::Header {
                spec: b.path.to_string(),
                command: format!(
                    "make modules (cargo run -p codegen -- generate --platform {})",
                    b.name
                ),
            },
            Origin::File { file_name } => model::Header {
                spec: file_name.clone(),
                command: format!("codegen generate --spec {file_name}"),
            },
        }
    }

    pub fn source(&self, text: String) -> SpecSource {
        let display_name = match self {
            Origin::Builtin(b) => b.path.to_string(),
            Origin::File { file_name } => file_name.clone(),
        };
        SpecSource { display_name, text }
    }
}

/// Reads a user spec from disk. Errors name the file as the user gave it.
pub fn read_spec_file(path: &Path) -> Result<(Origin, SpecSource), Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
        path: path.display().to_string(),
        source: e,
    })?;
    let file_name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().to_string(),
    );
    let origin = Origin::File { file_name };
    let mut source = origin.source(text);
    // Errors point at the path the user typed, which they can open.
    source.display_name = path.display().to_string();
    Ok((origin, source))
}

/// Validates one spec and renders its platform tree in memory.
pub fn generate(origin: &Origin, source: &SpecSource) -> Result<Tree, Error> {
    let view = platforms::build(source, origin.header())?;
    render::Renderer::new()?.render_platform(&view)
}
