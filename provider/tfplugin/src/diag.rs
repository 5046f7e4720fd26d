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

impl From<crate::value::ValueError> for Diagnostics {
    fn from(e: crate::value::ValueError) -> Self {
        Diagnostic::from(e).into()
    }
}
