//! The one assertion for what the project promises every bad input: an error
//! diagnostic with its summary, pointing at the configuration line to change (the
//! `snippet` Terraform prints under it), with a detail that says what to do.

use serde_json::Value;

/// The error diagnostic `summary` that points at a configuration line containing
/// `line` and has a detail (there may be several with one summary: one per bad
/// value); returned for further checks. Panics listing what there was.
pub fn diagnostic_at<'d>(diags: &'d [Value], summary: &str, line: &str) -> &'d Value {
    let same: Vec<&Value> = diags.iter().filter(|d| d["summary"] == summary).collect();
    assert!(!same.is_empty(), "no {summary:?} diagnostic in {diags:#?}");
    let at = same
        .iter()
        .find(|d| d["snippet"]["code"].as_str().unwrap_or("").contains(line))
        .unwrap_or_else(|| {
            let codes: Vec<&str> = same
                .iter()
                .map(|d| d["snippet"]["code"].as_str().unwrap_or("<no snippet>"))
                .collect();
            panic!("{summary:?} points at {codes:?}, expected a line with {line:?}")
        });
    assert!(
        !at["detail"].as_str().unwrap_or("").trim().is_empty(),
        "{summary:?} at {line:?} has no detail saying what to do: {at:#}"
    );
    at
}

/// [`diagnostic_at`] as an assertion.
pub fn assert_diagnostic_at(diags: &[Value], summary: &str, line: &str) {
    diagnostic_at(diags, summary, line);
}

/// As [`diagnostic_at`], and its detail says `fix` (the change to make, or the rule it
/// names).
pub fn assert_diagnostic(diags: &[Value], summary: &str, line: &str, fix: &str) {
    let same: Vec<&Value> = diags
        .iter()
        .filter(|d| {
            d["summary"] == summary && d["snippet"]["code"].as_str().unwrap_or("").contains(line)
        })
        .collect();
    if same.is_empty() {
        diagnostic_at(diags, summary, line);
    }
    assert!(
        same.iter()
            .any(|d| d["detail"].as_str().unwrap_or("").contains(fix)),
        "{summary:?} at {line:?} does not say {fix:?}: {:?}",
        same.iter().map(|d| &d["detail"]).collect::<Vec<_>>()
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn diags() -> Vec<Value> {
        vec![
            json!({"summary": "Invalid tag", "detail": "Tag keys are at most 128 characters (EC2). Shorten it.",
                   "snippet": {"code": "    kkkk = \"v\""}}),
            json!({"summary": "Invalid tag", "detail": "Tag values are at most 256 characters. Shorten it.",
                   "snippet": {"code": "    k = \"vvvv\""}}),
            json!({"summary": "No detail", "detail": "", "snippet": {"code": "  name = \"x\""}}),
        ]
    }

    #[test]
    fn finds_the_diagnostic_of_that_line_among_several_with_one_summary() {
        let all = diags();
        let d = diagnostic_at(&all, "Invalid tag", "\"vvvv\"");
        assert!(d["detail"].as_str().unwrap().contains("values"));
        assert_diagnostic(&diags(), "Invalid tag", "kkkk", "128 characters");
        assert_diagnostic(&diags(), "Invalid tag", "vvvv", "256 characters");
    }

    #[test]
    #[should_panic(expected = "expected a line with \"name\"")]
    fn another_line_fails() {
        diagnostic_at(&diags(), "Invalid tag", "name");
    }

    #[test]
    #[should_panic(expected = "does not say \"128 characters\"")]
    fn a_fix_said_at_another_line_fails() {
        assert_diagnostic(&diags(), "Invalid tag", "vvvv", "128 characters");
    }

    #[test]
    #[should_panic(expected = "no \"Missing\" diagnostic")]
    fn another_summary_fails() {
        diagnostic_at(&diags(), "Missing", "name");
    }

    #[test]
    #[should_panic(expected = "has no detail")]
    fn a_diagnostic_without_detail_fails() {
        diagnostic_at(&diags(), "No detail", "name");
    }
}
