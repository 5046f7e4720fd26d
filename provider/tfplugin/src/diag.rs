//! Diagnostics: how users' problems travel back to Terraform.

use crate::value::AttributePath;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem to show the user: a one-line summary, a detail that says what to
/// change, and the attribute it is about when one applies.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub summary: String,
    pub detail: String,
    pub attribute: Option<AttributePath>,
}

impl Diagnostic {
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            summary: summary.into(),
            detail: detail.into(),
            attribute: None,
        }
    }

    pub fn warning(summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(summary, detail)
        }
    }

    /// Attaches the attribute the diagnostic is about.
    pub fn at(mut self, path: AttributePath) -> Self {
        self.attribute = Some(path);
        self
    }
}

/// An ordered collection of diagnostics.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    pub fn error(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Diagnostic::error(summary, detail));
    }

    pub fn error_at(
        &mut self,
        path: AttributePath,
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) {
        self.push(Diagnostic::error(summary, detail).at(path));
    }

    pub fn warning(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Diagnostic::warning(summary, detail));
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.0
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Self(vec![d])
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<I: IntoIterator<Item = Diagnostic>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// A fallible provider operation: the value, or the diagnostics that explain why not.
pub type DiagResult<T> = Result<T, Diagnostics>;

impl From<crate::value::ValueError> for Diagnostic {
    fn from(e: crate::value::ValueError) -> Self {
        let path = e.path().clone();
        // Terraform sends unknowns at any depth; one is never a provider bug.
        let d = if let crate::value::ValueError::Unknown { .. } = e {
            Diagnostic::error(
                "Value not known yet",
                format!(
                    "{e}, and this needs it now. Use a value known at plan time (a variable, a local, a data source), or apply what it comes from first (terraform apply -target=...)."
                ),
            )
        } else {
            Diagnostic::error(
                "Invalid value",
                format!(
                    "{e}. This is a bug in the provider if the value came from Terraform; please report it."
                ),
            )
        };
        if path.steps.is_empty() { d } else { d.at(path) }
    }
}

/// At most `max` characters of `text` for a message: the start, then `...` and the
/// full length, so a 40 KB import id does not make a 40 KB error.
pub fn shorten(text: &str, max: usize) -> String {
    let n = text.chars().count();
    if n <= max {
        return text.to_string();
    }
    let head: String = text.chars().take(max).collect();
    format!("{head}... ({n} characters)")
}

/// The diagnostics with every echo of `input` (as written or `{:?}`-quoted)
/// shortened to `max` characters.
pub fn shorten_echoes(d: Diagnostics, input: &str, max: usize) -> Diagnostics {
    if input.chars().count() <= max {
        return d;
    }
    let short = shorten(input, max);
    let quoted = format!("{input:?}");
    let short_quoted = format!("{:?}", shorten(input, max));
    d.into_iter()
        .map(|mut x| {
            for text in [&mut x.summary, &mut x.detail] {
                if text.contains(quoted.as_str()) {
                    *text = text.replace(quoted.as_str(), &short_quoted);
                }
                if text.contains(input) {
                    *text = text.replace(input, &short);
                }
            }
            x
        })
        .collect()
}

/// A value in Terraform's state that does not fit the resource's schema or model:
/// the state was edited by hand (`terraform state push`) or written by something
/// else. Said as such, with the way out, and at no attribute path (Terraform would
/// point the path at a configuration line that is not at fault).
pub fn unreadable_state(type_name: &str, what: &str, e: &crate::value::ValueError) -> Diagnostic {
    Diagnostic::error(
        format!("The stored {what} of this {type_name} cannot be read"),
        format!(
            "{e}. The {what} in Terraform's state does not match what this provider writes for {type_name}: it was probably edited by hand (terraform state push) or written by another program. Push back a good copy of the state, or remove the resource from the state (terraform state rm) and import it again (terraform import)."
        ),
    )
}

impl From<crate::value::ValueError> for Diagnostics {
    fn from(e: crate::value::ValueError) -> Self {
        Diagnostic::from(e).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_input_is_quoted_by_its_start_and_length() {
        let id = format!("vpc-{}", "a".repeat(40_000));
        let d: Diagnostics = Diagnostic::error(
            "Invalid import id",
            format!("{id:?} is not a VPC id; VPC {id} not found."),
        )
        .into();
        let d = shorten_echoes(d, &id, 80);
        let detail = &d.iter().next().unwrap().detail;
        assert!(detail.len() < 400, "{} bytes", detail.len());
        assert!(detail.contains("(40004 characters)"), "{detail}");
        assert!(detail.starts_with("\"vpc-aaa"), "{detail}");
        assert_eq!(shorten("short", 80), "short");
        // Multi-byte characters are cut at a character boundary.
        assert_eq!(shorten("ééé", 2), "éé... (3 characters)");
    }
}
