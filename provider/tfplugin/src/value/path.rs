//! Attribute paths: where in a value something is, in the protocol's terms.

use std::fmt;

/// One step of an [`AttributePath`], as the protocol's `AttributePath.Step`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathStep {
    /// An object attribute: `.name`.
    Attribute(String),
    /// A map element: `["key"]`.
    ElementKeyString(String),
    /// A list or tuple element: `[0]`. The value model also uses it for the
    /// position of a set element, which Terraform cannot address; see
    /// [`crate::value::Value::walk`].
    ElementKeyInt(i64),
}

/// A path from the root of a value to one of its parts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AttributePath {
    pub steps: Vec<PathStep>,
}

impl AttributePath {
    /// The empty path: the value itself.
    pub fn root() -> Self {
        Self::default()
    }

    pub fn new(steps: Vec<PathStep>) -> Self {
        Self { steps }
    }

    /// Builder: append an attribute step.
    #[must_use]
    pub fn attr(mut self, name: impl Into<String>) -> Self {
        self.steps.push(PathStep::Attribute(name.into()));
        self
    }

    /// Builder: append a map key step.
    #[must_use]
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.steps.push(PathStep::ElementKeyString(key.into()));
        self
    }

    /// Builder: append a list/tuple index step.
    #[must_use]
    pub fn index(mut self, index: i64) -> Self {
        self.steps.push(PathStep::ElementKeyInt(index));
        self
    }

    /// A new path one step below this one (this one is left as it is).
    #[must_use]
    pub fn child(&self, step: PathStep) -> Self {
        let mut steps = Vec::with_capacity(self.steps.len() + 1);
        steps.extend(self.steps.iter().cloned());
        steps.push(step);
        Self { steps }
    }

    pub fn push(&mut self, step: PathStep) {
        self.steps.push(step);
    }

    pub fn pop(&mut self) -> Option<PathStep> {
        self.steps.pop()
    }

    pub fn is_root(&self) -> bool {
        self.steps.is_empty()
    }

    pub fn len(&self) -> usize {
        self.steps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    pub fn last(&self) -> Option<&PathStep> {
        self.steps.last()
    }

    /// The path without its last step; `None` for the root.
    pub fn parent(&self) -> Option<AttributePath> {
        let (_, rest) = self.steps.split_last()?;
        Some(AttributePath {
            steps: rest.to_vec(),
        })
    }

    /// Whether `prefix` is this path or one of its ancestors.
    pub fn starts_with(&self, prefix: &AttributePath) -> bool {
        self.steps.starts_with(&prefix.steps)
    }
}

impl From<Vec<PathStep>> for AttributePath {
    fn from(steps: Vec<PathStep>) -> Self {
        Self { steps }
    }
}

impl FromIterator<PathStep> for AttributePath {
    fn from_iter<I: IntoIterator<Item = PathStep>>(iter: I) -> Self {
        Self {
            steps: iter.into_iter().collect(),
        }
    }
}

/// Terraform's rendering: `tier["public"][0].name`. The root path renders as
/// the empty string.
impl fmt::Display for AttributePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.steps.iter().enumerate() {
            match step {
                PathStep::Attribute(name) if i == 0 => f.write_str(name)?,
                PathStep::Attribute(name) => write!(f, ".{name}")?,
                PathStep::ElementKeyString(key) => {
                    f.write_str("[")?;
                    write_quoted(f, key)?;
                    f.write_str("]")?;
                }
                PathStep::ElementKeyInt(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// A double-quoted string with the escapes HCL and JSON share.
fn write_quoted(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    f.write_str("\"")?;
    for c in s.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c if c.is_control() => write!(f, "\\u{:04x}", u32::from(c))?,
            c => write!(f, "{c}")?,
        }
    }
    f.write_str("\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_matches_terraform_style() {
        let path = AttributePath::root()
            .attr("tier")
            .key("public")
            .index(0)
            .attr("name");
        assert_eq!(path.to_string(), r#"tier["public"][0].name"#);
    }

    #[test]
    fn display_escapes_quotes_in_map_keys() {
        let path = AttributePath::root().attr("tags").key("a\"b\\c\n");
        assert_eq!(path.to_string(), r#"tags["a\"b\\c\n"]"#);
    }

    #[test]
    fn display_of_root_is_empty_and_leading_index_has_no_dot() {
        assert_eq!(AttributePath::root().to_string(), "");
        assert_eq!(
            AttributePath::root().index(3).attr("x").to_string(),
            "[3].x"
        );
    }

    #[test]
    fn parent_and_starts_with_follow_steps() {
        let path = AttributePath::root().attr("a").index(1);
        assert_eq!(path.parent(), Some(AttributePath::root().attr("a")));
        assert!(path.starts_with(&AttributePath::root().attr("a")));
        assert!(!path.starts_with(&AttributePath::root().attr("b")));
        assert_eq!(AttributePath::root().parent(), None);
    }
}
