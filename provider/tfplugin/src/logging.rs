//! Logs as JSON lines on stderr in the shape Terraform parses from plugins:
//! `@level`, `@message`, `@timestamp` (`2006-01-02T15:04:05.000000Z07:00`),
//! `@module`, plus the event's and its spans' fields. The level comes from
//! TF_LOG_PROVIDER, else TF_LOG; unset or OFF means no logs.
//!
//! Every line, and the text of a panic, is redacted first (`redact`): no level of
//! any crate can write an AWS credential, a signature or a session token.

use std::fmt::Write as _;
use std::io::Write as _;
use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

pub mod redact;
pub use redact::{redact, secret};

/// Level from the value of TF_LOG_PROVIDER / TF_LOG. Any value that is not a level
/// name means TRACE, as in Terraform (`JSON` included).
pub fn level_from(value: Option<&str>) -> LevelFilter {
    match value.map(|v| v.trim().to_ascii_uppercase()) {
        None => LevelFilter::OFF,
        Some(v) => match v.as_str() {
            "" | "OFF" => LevelFilter::OFF,
            "ERROR" => LevelFilter::ERROR,
            "WARN" => LevelFilter::WARN,
            "INFO" => LevelFilter::INFO,
            "DEBUG" => LevelFilter::DEBUG,
            _ => LevelFilter::TRACE,
        },
    }
}

/// The level from this process's environment.
pub fn level_from_env() -> LevelFilter {
    let provider = std::env::var("TF_LOG_PROVIDER")
        .ok()
        .filter(|v| !v.is_empty());
    let global = std::env::var("TF_LOG").ok().filter(|v| !v.is_empty());
    level_from(provider.or(global).as_deref())
}

/// Which targets log at `level`: everything, except that the transport crates'
/// per-frame chatter (h2, hyper, tonic, tower, rustls) is kept to warnings unless
/// TRACE is asked for.
pub fn targets(level: LevelFilter) -> tracing_subscriber::filter::Targets {
    let transport = if level == LevelFilter::TRACE {
        LevelFilter::TRACE
    } else {
        LevelFilter::WARN.min(level)
    };
    tracing_subscriber::filter::Targets::new()
        .with_default(level)
        .with_targets(
            ["h2", "hyper", "hyper_util", "tonic", "tower", "rustls"].map(|t| (t, transport)),
        )
}

/// Installs the JSON-lines subscriber for the process (once; later calls no-op),
/// registers the environment's AWS credentials for redaction, and replaces the
/// panic message printer with one that redacts (the default one would print a
/// panic's text, say an error holding a request, unfiltered to stderr, which
/// Terraform shows as crash output).
pub fn init() {
    redact::secrets_from_env();
    let level = level_from_env();
    let subscriber = tracing_subscriber::registry()
        .with(JsonLines::new(std::io::stderr).with_filter(targets(level)));
    let _ = tracing::subscriber::set_global_default(subscriber);
    std::panic::set_hook(Box::new(|info| {
        let text = panic_text(info);
        tracing::error!(panic = %text, "panic");
        let _ = writeln!(std::io::stderr().lock(), "{}", redact(&text));
    }));
}

/// What Rust's default hook prints (thread, location, message, and the backtrace
/// when RUST_BACKTRACE asks for it), before redaction.
pub fn panic_text(info: &std::panic::PanicHookInfo<'_>) -> String {
    let payload = info.payload();
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "Box<dyn Any>".to_string());
    let thread = std::thread::current();
    let name = thread.name().unwrap_or("<unnamed>");
    let location = info
        .location()
        .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
        .unwrap_or_default();
    let backtrace = std::backtrace::Backtrace::capture();
    let mut text = format!("thread '{name}' panicked at {location}:\n{message}");
    match backtrace.status() {
        std::backtrace::BacktraceStatus::Captured => {
            let _ = write!(text, "\nstack backtrace:\n{backtrace}");
        }
        _ => text.push_str(
            "\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
        ),
    }
    text
}

/// A layer writing one JSON object per event.
pub struct JsonLines<W> {
    make_writer: W,
}

impl<W> JsonLines<W> {
    pub fn new(make_writer: W) -> Self {
        Self { make_writer }
    }
}

struct SpanFields(serde_json::Map<String, serde_json::Value>);

struct Collect<'a> {
    fields: &'a mut serde_json::Map<String, serde_json::Value>,
    message: Option<String>,
}

impl Visit for Collect<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = Some(value.to_string());
        } else {
            self.fields.insert(field.name().to_string(), value.into());
        }
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.fields.insert(field.name().to_string(), value.into());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.fields.insert(field.name().to_string(), value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.fields.insert(field.name().to_string(), value.into());
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.fields.insert(field.name().to_string(), value.into());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let mut s = String::new();
        let _ = write!(s, "{value:?}");
        if field.name() == "message" {
            self.message = Some(s);
        } else {
            self.fields.insert(field.name().to_string(), s.into());
        }
    }
}

fn level_name(l: &Level) -> &'static str {
    match *l {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

impl<S, W> Layer<S> for JsonLines<W>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: MakeLineWriter + Send + Sync + 'static,
{
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        id: &tracing::span::Id,
        ctx: Context<'_, S>,
    ) {
        let mut fields = serde_json::Map::new();
        let mut c = Collect {
            fields: &mut fields,
            message: None,
        };
        attrs.record(&mut c);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(SpanFields(fields));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = serde_json::Map::new();
        if let Some(scope) = ctx.event_scope(event) {
            for span in scope.from_root() {
                if let Some(sf) = span.extensions().get::<SpanFields>() {
                    for (k, v) in &sf.0 {
                        fields.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        let mut c = Collect {
            fields: &mut fields,
            message: None,
        };
        event.record(&mut c);
        let message = c.message.take().unwrap_or_default();
        let line = render_line(
            level_name(event.metadata().level()),
            &message,
            event.metadata().target(),
            std::time::SystemTime::now(),
            fields,
        );
        self.make_writer.write_line(&line);
    }
}

/// Where finished lines go (stderr in the provider; a buffer in tests).
pub trait MakeLineWriter {
    fn write_line(&self, line: &str);
}

impl<F> MakeLineWriter for F
where
    F: Fn() -> std::io::Stderr,
{
    fn write_line(&self, line: &str) {
        let mut w = (self)().lock();
        let _ = writeln!(w, "{line}");
    }
}

/// Renders one log line. Terraform requires `@timestamp` in exactly Go's
/// `2006-01-02T15:04:05.000000Z07:00`; we always write UTC, so the zone is `Z`.
pub fn render_line(
    level: &str,
    message: &str,
    module: &str,
    at: std::time::SystemTime,
    fields: serde_json::Map<String, serde_json::Value>,
) -> String {
    let mut obj = serde_json::Map::new();
    obj.insert("@level".into(), level.into());
    obj.insert("@message".into(), redact(message).into());
    obj.insert(
        "@module".into(),
        format!("provider.{}", module.split("::").next().unwrap_or(module)).into(),
    );
    obj.insert("@timestamp".into(), go_timestamp(at).into());
    for (k, v) in fields {
        if k.starts_with('@') {
            continue;
        }
        let v = match v {
            serde_json::Value::String(_) if redact::sensitive_name(&k) => redact::REDACTED.into(),
            serde_json::Value::String(s) => redact(&s).into(),
            other => other,
        };
        obj.insert(k, v);
    }
    serde_json::Value::Object(obj).to_string()
}

/// `2006-01-02T15:04:05.000000Z` for a UTC instant.
pub fn go_timestamp(at: std::time::SystemTime) -> String {
    let d = at.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs() as i64;
    let micros = d.subsec_micros();
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, day) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{day:02}T{:02}:{:02}:{:02}.{micros:06}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn timestamp_has_go_layout_with_microseconds_and_utc_zone() {
        let at = UNIX_EPOCH + Duration::from_micros(1_795_369_602_123_456);
        assert_eq!(go_timestamp(at), "2026-11-22T17:46:42.123456Z");
        assert_eq!(go_timestamp(UNIX_EPOCH), "1970-01-01T00:00:00.000000Z");
        // Leap day.
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(go_timestamp(leap), "2000-02-29T00:00:00.000000Z");
    }

    #[test]
    fn line_carries_level_message_timestamp_and_fields() {
        let mut fields = serde_json::Map::new();
        fields.insert("tf_resource_type".into(), "trustchain_ipv6_network".into());
        let line = render_line(
            "debug",
            "planning",
            "terraform_provider_trustchain::x",
            UNIX_EPOCH,
            fields,
        );
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["@level"], "debug");
        assert_eq!(v["@message"], "planning");
        assert_eq!(v["@timestamp"], "1970-01-01T00:00:00.000000Z");
        assert_eq!(v["@module"], "provider.terraform_provider_trustchain");
        assert_eq!(v["tf_resource_type"], "trustchain_ipv6_network");
        assert!(!line.contains('\n'));
    }

    #[test]
    fn lines_carry_no_credential_in_message_fields_or_span_fields() {
        let mut fields = serde_json::Map::new();
        fields.insert("session_token".into(), "IQoJb3JpZ2luX2VjEHIaCXVz".into());
        fields.insert(
            "request".into(),
            "headers: {\"authorization\": \"AWS4-HMAC-SHA256 Credential=AKIAEXAMPLEKEY12345/20261207/us-east-1/sts/aws4_request, Signature=0a1b2c\"}".into(),
        );
        fields.insert(
            "request_id".into(),
            "c6104cbe-af31-11e0-8154-cbc7ccf896c7".into(),
        );
        fields.insert("attempt".into(), 2.into());
        let line = render_line(
            "trace",
            "x-amz-security-token:IQoJb3JpZ2luX2VjEHIaCXVz\nhost:sts.amazonaws.com",
            "aws_sigv4::http_request::sign",
            UNIX_EPOCH,
            fields,
        );
        assert!(!line.contains("IQoJb3JpZ2luX2VjEHIaCXVz"), "{line}");
        assert!(!line.contains("AKIAEXAMPLEKEY12345"), "{line}");
        assert!(!line.contains("0a1b2c"), "{line}");
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["session_token"], "[redacted]");
        assert_eq!(v["request_id"], "c6104cbe-af31-11e0-8154-cbc7ccf896c7");
        assert_eq!(v["attempt"], 2);
        assert!(
            v["@message"]
                .as_str()
                .unwrap()
                .contains("host:sts.amazonaws.com")
        );
    }

    #[test]
    fn transport_chatter_is_quiet_below_trace() {
        use tracing::Level;
        let debug = targets(LevelFilter::DEBUG);
        assert!(debug.would_enable("terraform_provider_trustchain", &Level::DEBUG));
        assert!(debug.would_enable("aws_smithy_runtime", &Level::DEBUG));
        assert!(!debug.would_enable("h2::codec", &Level::DEBUG));
        assert!(debug.would_enable("h2::codec", &Level::WARN));
        assert!(targets(LevelFilter::TRACE).would_enable("h2::codec", &Level::TRACE));
        assert!(!targets(LevelFilter::OFF).would_enable("tonic", &Level::ERROR));
    }

    #[test]
    fn level_follows_terraform_rules() {
        assert_eq!(level_from(None), LevelFilter::OFF);
        assert_eq!(level_from(Some("debug")), LevelFilter::DEBUG);
        assert_eq!(level_from(Some("WARN")), LevelFilter::WARN);
        assert_eq!(level_from(Some("JSON")), LevelFilter::TRACE);
        assert_eq!(level_from(Some("off")), LevelFilter::OFF);
    }
}
