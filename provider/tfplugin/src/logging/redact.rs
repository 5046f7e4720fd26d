//! Credentials never reach a log line, whichever crate wrote it and at whatever
//! level. Every string a log line carries (message, event and span fields) and the
//! text of a panic passes through [`redact`] before it is written:
//!
//! - by name: the value after a credential-bearing header, query parameter or
//!   document key (`Authorization`, `X-Amz-Security-Token`, `X-Amz-Credential`,
//!   `X-Amz-Signature`, `SecretAccessKey`, `SessionToken`, `aws_secret_access_key`,
//!   ...), in the shapes the AWS SDK, hyper and the credential providers print them:
//!   `"authorization": "AWS4-HMAC-SHA256 ..."`, `HeaderValue { _private: H0("...") }`,
//!   `x-amz-security-token:...` (a canonical request line), `X-Amz-Signature=...&`,
//!   `<SessionToken>...</SessionToken>`, `"SecretAccessKey":"..."`;
//! - by value: every credential the process knows (the `AWS_*` variables, and what
//!   the provider registers with [`secret`] as credential providers resolve), raw and
//!   percent-encoded, wherever it appears.
//!
//! Request ids, operation names, URLs without signatures, timings and everything
//! else stay as they were.

use std::sync::RwLock;

/// What replaces a credential.
pub const REDACTED: &str = "[redacted]";

/// Names whose value is a credential, lowercase. Matched case-insensitively as a
/// whole word (not inside a longer name), followed by a separator (`:`, `=`, `>`).
const KEYS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "x-amz-security-token",
    "x-amz-credential",
    "x-amz-signature",
    "x-amz-sso_bearer_token",
    "x-aws-ec2-metadata-token",
    "credential",
    "signature",
    "secretaccesskey",
    "sessiontoken",
    "accesskeyid",
    "secret_access_key",
    "session_token",
    "access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "aws_access_key_id",
    "token",
    "accesstoken",
    "refreshtoken",
    "clientsecret",
    "access_token",
    "refresh_token",
    "client_secret",
    "password",
];

/// Whether a field called `name` (a tracing field, say `session_token`) holds a
/// credential as its whole value.
pub fn sensitive_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase().replace('_', "-");
    KEYS.iter().any(|k| k.replace('_', "-") == n)
}

/// Shortest value registered by [`secret`]: shorter strings (test dummies such as
/// `testing`) would redact ordinary words. Real access key ids are 16+ characters.
const MIN_SECRET_LEN: usize = 12;

static SECRETS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Registers a credential value: from now on it is replaced wherever it appears in
/// a log line or panic text, also percent-encoded. Values shorter than 12
/// characters are ignored (see above); registering twice is harmless.
pub fn secret(value: &str) {
    let value = value.trim();
    if value.len() < MIN_SECRET_LEN {
        return;
    }
    let mut forms = vec![value.to_string()];
    let encoded = percent_encode(value);
    if encoded != value {
        forms.push(encoded);
    }
    let Ok(mut secrets) = SECRETS.write() else {
        return;
    };
    for f in forms {
        if !secrets.contains(&f) {
            secrets.push(f);
        }
    }
    // Longest first, so a value is never half-replaced by a shorter one inside it.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
}

/// Registers the credentials of the process environment (`AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, and their older names).
pub fn secrets_from_env() {
    for var in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_ACCESS_KEY",
        "AWS_SECRET_KEY",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    ] {
        if let Ok(v) = std::env::var(var) {
            secret(&v);
        }
    }
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The text with every credential replaced by `[redacted]`.
pub fn redact(text: &str) -> String {
    redact_known(&redact_by_name(text))
}

/// The text with the registered credential values replaced (names are not looked
/// at): for diagnostics, whose wording is the provider's own.
pub fn redact_known(text: &str) -> String {
    let Ok(secrets) = SECRETS.read() else {
        return text.to_string();
    };
    let mut out = text.to_string();
    for s in secrets.iter() {
        if out.contains(s.as_str()) {
            out = out.replace(s.as_str(), REDACTED);
        }
    }
    out
}

fn is_name_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-' || c == b'_'
}

/// Where the key starting at `at` (already matched, `len` bytes) has its value: the
/// byte index after the separator and any quoting, or None when the name is only
/// mentioned (no `:`, `=` or `>` right after it).
fn value_start(b: &[u8], at: usize, len: usize) -> Option<usize> {
    let mut i = at + len;
    let mut separated = false;
    // Closing quote of the name, the separator, spaces, the opening quote. A few
    // bytes at most: `\": \"` in escaped JSON is the longest.
    let limit = (i + 8).min(b.len());
    while i < limit {
        match b[i] {
            b':' | b'=' | b'>' if !separated => separated = true,
            b'"' | b'\'' | b'\\' | b' ' | b'\t' => {}
            _ => break,
        }
        i += 1;
    }
    if !separated {
        return None;
    }
    // http's HeaderValue debug form: `HeaderValue { _private: H0("...") }` and older
    // `Sensitive`/`"..."` shapes: step to the first quote inside.
    let rest = &b[i..];
    for wrapper in [&b"HeaderValue {"[..], b"Some(", b"H0(", b"Secret("] {
        if rest.starts_with(wrapper) {
            let window = &rest[..rest.len().min(40)];
            if let Some(q) = window.iter().position(|&c| c == b'"') {
                i += q;
                while i < b.len() && (b[i] == b'"' || b[i] == b'\\') {
                    i += 1;
                }
            }
            break;
        }
    }
    Some(i)
}

/// Where a credential value that starts at `start` ends (exclusive).
fn value_end(b: &[u8], start: usize) -> usize {
    let rest = &b[start..];
    // A whole Authorization value (`AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
    // Signature=...`, `Bearer ...`, `Basic ...`) runs to the closing quote or line end.
    let scheme = [&b"AWS4-"[..], b"Bearer ", b"Basic ", b"bearer ", b"basic "]
        .iter()
        .any(|p| rest.starts_with(p));
    let mut i = start;
    while i < b.len() {
        let c = b[i];
        let stop = if scheme {
            matches!(c, b'"' | b'\'' | b'\\' | b'\n' | b'\r')
        } else {
            matches!(
                c,
                b'"' | b'\''
                    | b'\\'
                    | b'&'
                    | b'<'
                    | b','
                    | b';'
                    | b'}'
                    | b')'
                    | b']'
                    | b' '
                    | b'\t'
                    | b'\n'
                    | b'\r'
            )
        };
        if stop {
            break;
        }
        i += 1;
    }
    i
}

fn redact_by_name(text: &str) -> String {
    let b = text.as_bytes();
    let lower = text.to_ascii_lowercase();
    let lb = lower.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < b.len() {
        let boundary_before = i == 0 || !is_name_char(lb[i - 1]);
        let mut advanced = false;
        if boundary_before {
            for key in KEYS {
                let k = key.as_bytes();
                if !lb[i..].starts_with(k) {
                    continue;
                }
                let after = i + k.len();
                if after < lb.len() && is_name_char(lb[after]) {
                    continue;
                }
                let Some(start) = value_start(b, i, k.len()) else {
                    continue;
                };
                let end = value_end(b, start);
                if end > start && !text[start..end].starts_with(REDACTED) {
                    out.push_str(&text[copied..start]);
                    out.push_str(REDACTED);
                    copied = end;
                    i = end;
                    advanced = true;
                }
                break;
            }
        }
        if !advanced {
            i += 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const AKID: &str = "AKIAZZTESTKEYID4242";
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzSECRETzz";
    const TOKEN: &str = "FwoGZXIvYXdzEHoaDzzTOKEN+abc/def==";

    fn clean(line: &str) -> String {
        let out = redact(line);
        for needle in [AKID, SECRET, TOKEN, "deadbeef0123"] {
            assert!(!out.contains(needle), "{needle} left in {out}");
        }
        out
    }

    #[test]
    fn sdk_request_debug_output_loses_its_credentials_and_keeps_the_rest() {
        let line = format!(
            r#"transmitting request request=Request {{ body: SdkBody {{ inner: Once(Some(b"Action=DescribeVpcs&Version=2016-11-15")) }}, uri: Uri {{ as_string: "http://127.0.0.1:5000/" }}, method: POST, headers: Headers {{ headers: {{"content-type": HeaderValue {{ _private: H0("application/x-www-form-urlencoded") }}, "x-amz-security-token": HeaderValue {{ _private: H0("{TOKEN}") }}, "x-amz-date": HeaderValue {{ _private: H0("20261207T031000Z") }}, "authorization": HeaderValue {{ _private: H0("AWS4-HMAC-SHA256 Credential={AKID}/20261207/us-east-1/ec2/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=deadbeef0123") }}, "amz-sdk-invocation-id": HeaderValue {{ _private: H0("0b6c0f2e-1") }}}} }} }}"#
        );
        let out = clean(&line);
        assert!(out.contains("Action=DescribeVpcs"), "{out}");
        assert!(out.contains("x-amz-date"), "{out}");
        assert!(out.contains("20261207T031000Z"), "{out}");
        assert!(out.contains("amz-sdk-invocation-id"), "{out}");
        assert!(out.contains("0b6c0f2e-1"), "{out}");
    }

    #[test]
    fn canonical_requests_presigned_urls_and_documents_are_redacted() {
        clean(&format!(
            "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:127.0.0.1\nx-amz-date:20261207T031000Z\nx-amz-security-token:{TOKEN}\n\ncontent-type;host"
        ));
        let url = clean(&format!(
            "https://s3.amazonaws.com/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={AKID}%2F20261207%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261207T031000Z&X-Amz-Security-Token={TOKEN}&X-Amz-Signature=deadbeef0123&x-id=GetObject"
        ));
        assert!(url.contains("x-id=GetObject"), "{url}");
        assert!(url.contains("X-Amz-Date=20261207T031000Z"), "{url}");
        clean(&format!(
            "<AssumeRoleResult><Credentials><AccessKeyId>{AKID}</AccessKeyId><SecretAccessKey>{SECRET}</SecretAccessKey><SessionToken>{TOKEN}</SessionToken></Credentials></AssumeRoleResult><RequestId>c6104cbe-af31</RequestId>"
        ));
        clean(&format!(
            r#"{{"roleCredentials":{{"accessKeyId":"{AKID}","secretAccessKey":"{SECRET}","sessionToken":"{TOKEN}","expiration":1}}}}"#
        ));
        clean(&format!(
            r#"b"{{\"AccessKeyId\": \"{AKID}\", \"SecretAccessKey\": \"{SECRET}\", \"Token\": \"{TOKEN}\"}}""#
        ));
        clean(&format!(
            "[default]\naws_access_key_id = {AKID}\naws_secret_access_key={SECRET}\naws_session_token = {TOKEN}\n"
        ));
        clean(&format!(
            "Credentials {{ provider_name: \"Environment\", access_key_id: \"{AKID}\", secret_access_key: \"** redacted **\" }}"
        ));
    }

    #[test]
    fn mentions_of_a_name_without_a_value_stay() {
        for text in [
            "No valid AWS credentials: the security token included in the request is invalid",
            "signing request with SigV4 signature version",
            "authorization failed for DescribeVpcs (request id 1f0c)",
            "tokens refreshed",
        ] {
            assert_eq!(redact(text), text);
        }
    }

    #[test]
    fn registered_values_are_redacted_anywhere_also_percent_encoded() {
        secret(SECRET);
        secret(TOKEN);
        secret("short");
        let out = redact(&format!(
            "weird {SECRET} place; encoded {}",
            percent_encode(TOKEN)
        ));
        assert_eq!(out, "weird [redacted] place; encoded [redacted]");
        assert_eq!(redact("short words stay"), "short words stay");
    }
}
