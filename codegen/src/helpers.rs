//! Every handlebars helper and the escaper, registered in one place.

use handlebars::{Handlebars, handlebars_helper};

use crate::hcl;

handlebars_helper!(contains: |list: array, item: str| list.iter().any(|v| v.as_str() == Some(item)));
handlebars_helper!(md: |s: str| markdown_cell(s));
handlebars_helper!(hcl_quote: |s: str| hcl::quote(s));
handlebars_helper!(code: |s: str| if s.is_empty() { String::new() } else { format!("`{}`", s.replace('`', "'")) });

/// Text for one Markdown table cell: pipes escaped, newlines folded.
pub fn markdown_cell(s: &str) -> String {
    s.replace('|', "\\|")
        .replace("\r\n", " ")
        .replace('\n', " ")
}

/// Strict mode (a typo in a template is an error, not an empty string) and
/// HCL string escaping for `{{value}}`; HTML escaping would turn `"` into
/// `&quot;`. Markdown templates use `{{{md value}}}`.
pub fn register(hb: &mut Handlebars<'_>) {
    hb.set_strict_mode(true);
    hb.register_escape_fn(hcl::escape);
    hb.register_helper("md", Box::new(md));
    hb.register_helper("contains", Box::new(contains));
    hb.register_helper("hcl_quote", Box::new(hcl_quote));
    hb.register_helper("code", Box::new(code));
}
