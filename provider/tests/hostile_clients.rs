//! Clients that are not a well-behaved Terraform: broken handshakes, bytes that are
//! not HTTP/2, gRPC frames that lie about their length, requests for types that do
//! not exist, calls out of order, values of the wrong type. Each is refused or
//! answered with a diagnostic; the plugin never crashes or hangs (every wait here is
//! bounded), and it still serves a well-behaved client afterwards.
//!
//! The happy-path handshake, the missing cookie, protocol negotiation and the mTLS
//! certificate pinning are in `handshake.rs`.

mod common;

use bytes::Bytes;
use common::{COOKIE, Plugin, channel, command, health, output_within, pem_of, runtime};
use http_body_util::{BodyExt, Full};
use std::time::Duration;
use tfplugin::testing::{ProviderClient, pb};
use tfplugin::tls::Identity;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixStream;

const LIMIT: Duration = Duration::from_secs(10);

async fn bounded<T>(what: &str, fut: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(LIMIT, fut)
        .await
        .unwrap_or_else(|_| panic!("{what}: no answer within {LIMIT:?}"))
}

fn assert_still_serving(p: &mut Plugin) {
    assert!(
        p.child.try_wait().expect("wait").is_none(),
        "the plugin exited"
    );
    let status = runtime()
        .block_on(health(&p.socket(), None))
        .expect("health after hostile input");
    assert_eq!(status, 1, "health status SERVING");
}

#[test]
fn refuses_a_wrong_magic_cookie_and_garbage_protocol_lists() {
    for (cookie, versions, expect) in [
        ("not-the-cookie", "6", "This binary is a plugin"),
        (COOKIE, "six,,", "speaks only protocol 6"),
        (COOKIE, "60", "speaks only protocol 6"),
    ] {
        let mut c = command();
        c.env("TF_PLUGIN_MAGIC_COOKIE", cookie)
            .env("PLUGIN_PROTOCOL_VERSIONS", versions);
        let out = output_within(c, LIMIT);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{cookie} {versions}: {err}");
        assert!(err.contains(expect), "{cookie} {versions}: {err}");
        assert!(out.stdout.is_empty(), "printed a handshake line");
    }
}

#[test]
fn refuses_an_unparsable_client_certificate_with_a_message() {
    // Regression: this used to print a handshake and serve, refusing every client.
    let mut c = command();
    c.env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .env(
            "PLUGIN_CLIENT_CERT",
            "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n",
        );
    let out = output_within(c, LIMIT);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.to_lowercase().contains("certificate"), "{err}");
    assert!(err.contains("PLUGIN_CLIENT_CERT"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(out.stdout.is_empty(), "printed a handshake line");
}

#[test]
fn bytes_that_are_not_http2_close_that_connection_only() {
    let mut p = Plugin::start(None);
    runtime().block_on(async {
        for garbage in [
            &b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"[..],
            b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\xff\xff\xff\xff\xff\xff\xff\xff\xff",
            &[0u8; 64],
        ] {
            let mut s = UnixStream::connect(p.socket()).await.expect("connect");
            s.write_all(garbage).await.expect("write");
            let mut buf = vec![0u8; 4096];
            // The server answers with at most a GOAWAY and closes.
            bounded("close after garbage", async {
                while let Ok(n) = s.read(&mut buf).await {
                    if n == 0 {
                        break;
                    }
                }
            })
            .await;
        }
    });
    assert_still_serving(&mut p);
}

#[test]
fn a_stalled_client_does_not_block_others() {
    let client = Identity::generate().expect("identity");
    let mut tls = Plugin::start(Some(&pem_of(&client.cert)));
    let mut plain = Plugin::start(None);
    let rt = runtime();
    rt.block_on(async {
        // Half a preface on the plain server, nothing at all on the TLS one.
        let mut half = UnixStream::connect(plain.socket()).await.expect("connect");
        half.write_all(b"PRI * HTTP/2.0\r\n").await.expect("write");
        let _silent = UnixStream::connect(tls.socket()).await.expect("connect");
        bounded(
            "plain health beside a stalled connection",
            health(&plain.socket(), None),
        )
        .await
        .expect("plain health");
        bounded(
            "mTLS health beside a stalled handshake",
            health(&tls.socket(), Some((&client, tls.server_cert()))),
        )
        .await
        .expect("mTLS health");
    });
    assert!(tls.child.try_wait().expect("wait").is_none());
    assert_still_serving(&mut plain);
}

/// Sends one raw gRPC request body to `method`; returns (grpc-status, grpc-message).
async fn raw_grpc(socket: &str, method: &str, body: Vec<u8>) -> (String, String) {
    let stream = UnixStream::connect(socket).await.expect("connect");
    let (mut sender, conn) = hyper::client::conn::http2::handshake(
        hyper_util::rt::TokioExecutor::new(),
        hyper_util::rt::TokioIo::new(stream),
    )
    .await
    .expect("h2 handshake");
    tokio::spawn(conn);
    let request = hyper::Request::post(format!("http://localhost/tfplugin6.Provider/{method}"))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .body(Full::new(Bytes::from(body)))
        .expect("request");
    let response = sender.send_request(request).await.expect("response");
    let headers = response.headers().clone();
    let collected = response.into_body().collect().await.expect("body");
    let trailers = collected.trailers().cloned().unwrap_or_default();
    let get = |k: &str| {
        trailers
            .get(k)
            .or_else(|| headers.get(k))
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    (get("grpc-status"), get("grpc-message"))
}

fn frame(compressed: u8, declared_len: u32, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![compressed];
    f.extend_from_slice(&declared_len.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

#[test]
fn malformed_truncated_and_oversized_grpc_messages_get_an_error_status() {
    let mut p = Plugin::start(None);
    let socket = p.socket();
    let cases: [(&str, Vec<u8>, &str); 4] = [
        // Field 1 as a varint that never ends: not a protobuf message.
        (
            "malformed protobuf",
            frame(0, 5, &[0x0a, 0xff, 0xff, 0xff, 0xff]),
            "13",
        ),
        ("truncated message", frame(0, 100, b"\x0a\x05hello"), "13"),
        // Declares 512 MiB, over the 256 MiB limit: refused (OUT_OF_RANGE) before
        // anything is buffered.
        ("oversized message", frame(0, 512 << 20, b""), "11"),
        (
            "compressed without an encoding",
            frame(1, 2, b"\x0a\x00"),
            "13",
        ),
    ];
    let rt = runtime();
    let mut figures = Vec::new();
    for (what, body, code) in cases {
        let (status, message) =
            rt.block_on(bounded(what, raw_grpc(&socket, "GetProviderSchema", body)));
        let message = message.replace("%20", " ");
        figures.push(format!("hostile {what}: grpc-status {status} ({message})"));
        assert_eq!(status, code, "{what}: {message}");
    }
    common::write_report("hostile-clients-grpc", &figures.join("\n"));
    assert_still_serving(&mut p);
}

fn error_summaries(diagnostics: &[pb::Diagnostic]) -> Vec<String> {
    diagnostics
        .iter()
        .filter(|d| d.severity == pb::diagnostic::Severity::Error as i32)
        .map(|d| format!("{}: {}", d.summary, d.detail))
        .collect()
}

fn msgpack(bytes: &[u8]) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: bytes.to_vec(),
        json: Vec::new(),
    })
}

/// msgpack of an `trustchain_ipv6_plan` config whose `prefix` is a bool.
fn ipv6_plan_config_with_bool_prefix() -> Vec<u8> {
    let mut m = vec![0x87];
    let key = |m: &mut Vec<u8>, k: &str| {
        m.push(0xa0 | k.len() as u8);
        m.extend_from_slice(k.as_bytes());
    };
    key(&mut m, "prefix");
    m.push(0xc3);
    key(&mut m, "tiers");
    m.extend_from_slice(b"\x91\xa6public");
    key(&mut m, "availability_zones");
    m.extend_from_slice(b"\x91\xaaus-east-1a");
    for k in ["tier_indexes", "subnets", "cidr_blocks", "tier_capacity"] {
        key(&mut m, k);
        m.push(0xc0);
    }
    m
}

#[test]
fn unknown_types_early_calls_and_wrong_values_are_diagnosed() {
    let mut p = Plugin::start(None);
    let socket = p.socket();
    let rt = runtime();
    let mut figures = Vec::new();
    rt.block_on(async {
        let ch = channel(&socket, None).await.expect("connect");
        let mut client = ProviderClient::new(ch);

        let plan = bounded(
            "plan of an unknown resource type",
            client.plan_resource_change(pb::plan_resource_change::Request {
                type_name: "trustchain_no_such_thing".into(),
                config: msgpack(b"\xc0"),
                ..Default::default()
            }),
        )
        .await
        .expect("rpc")
        .into_inner();
        let errors = error_summaries(&plan.diagnostics);
        assert!(
            errors.iter().any(|e| e.starts_with("Unknown resource type")
                && e.contains("trustchain_no_such_thing")),
            "{errors:?}"
        );
        figures.push(format!("hostile unknown resource type: {errors:?}"));

        let read = bounded(
            "read of an unknown data source",
            client.read_data_source(pb::read_data_source::Request {
                type_name: "trustchain_nope".into(),
                config: msgpack(b"\xc0"),
                ..Default::default()
            }),
        )
        .await
        .expect("rpc")
        .into_inner();
        let errors = error_summaries(&read.diagnostics);
        assert!(
            errors.iter().any(|e| e.starts_with("Unknown data source")),
            "{errors:?}"
        );

        let call = bounded(
            "call of an unknown function",
            client.call_function(pb::call_function::Request {
                name: "no_such_function".into(),
                arguments: vec![],
            }),
        )
        .await
        .expect("rpc")
        .into_inner();
        let error = call.error.expect("a function error");
        assert!(error.text.contains("no_such_function"), "{error:?}");
        figures.push(format!("hostile unknown function: {:?}", error.text));

        // Terraform always configures the provider before touching AWS; a client
        // that does not gets a diagnostic instead of a crash.
        let import = bounded(
            "import before ConfigureProvider",
            client.import_resource_state(pb::import_resource_state::Request {
                type_name: "trustchain_ipv6_network".into(),
                id: "vpc-0123456789abcdef0".into(),
                ..Default::default()
            }),
        )
        .await
        .expect("rpc")
        .into_inner();
        let errors = error_summaries(&import.diagnostics);
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with("Provider not configured")),
            "{errors:?}"
        );
        assert!(import.imported_resources.is_empty());
        figures.push(format!(
            "hostile import before ConfigureProvider: {errors:?}"
        ));

        let validate = bounded(
            "config with a value of the wrong type",
            client.validate_data_resource_config(pb::validate_data_resource_config::Request {
                type_name: "trustchain_ipv6_plan".into(),
                config: msgpack(&ipv6_plan_config_with_bool_prefix()),
            }),
        )
        .await
        .expect("rpc")
        .into_inner();
        let wrong = validate
            .diagnostics
            .iter()
            .find(|d| d.severity == pb::diagnostic::Severity::Error as i32)
            .expect("an error diagnostic");
        let text = format!("{}: {}", wrong.summary, wrong.detail);
        assert!(text.contains("string") && text.contains("bool"), "{text}");
        let steps = wrong
            .attribute
            .as_ref()
            .map(|a| a.steps.len())
            .unwrap_or_default();
        assert!(
            steps > 0 || text.contains("prefix"),
            "the diagnostic names no attribute: {text}"
        );
        figures.push(format!("hostile wrong value type: {text:?}"));

        let garbage = bounded(
            "config that is not msgpack",
            client.validate_resource_config(pb::validate_resource_config::Request {
                type_name: "trustchain_ipv6_network".into(),
                config: msgpack(b"\xc1\xc1\xc1"),
                ..Default::default()
            }),
        )
        .await
        .expect("rpc")
        .into_inner();
        let errors = error_summaries(&garbage.diagnostics);
        assert!(!errors.is_empty(), "malformed msgpack accepted");
        assert!(
            !errors.iter().any(|e| e.contains("internal error")),
            "{errors:?}"
        );
        figures.push(format!("hostile malformed msgpack: {errors:?}"));
    });
    common::write_report("hostile-clients-rpc", &figures.join("\n"));
    assert_still_serving(&mut p);
}

/// Peak resident memory of a process (VmHWM), in bytes.
fn peak_rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .expect("VmHWM")
        * 1024
}

fn h2_frame(out: &mut Vec<u8>, kind: u8, flags: u8, stream: u32, payload: &[u8]) {
    let len = payload.len();
    out.extend_from_slice(&[(len >> 16) as u8, (len >> 8) as u8, len as u8, kind, flags]);
    out.extend_from_slice(&stream.to_be_bytes());
    out.extend_from_slice(payload);
}

/// An HTTP/2 client that sends one header block of `block_len` octets: a 4000-octet
/// table entry, then one-octet references to it, each decoding to 4 KB (a 64 KiB
/// block decodes to 256 MB).
fn hpack_bomb(block_len: usize) -> Vec<u8> {
    let mut block = vec![0x40, 0x06];
    block.extend_from_slice(b"x-bomb");
    block.extend_from_slice(&[0x7f, 0xa1, 0x1e]); // string length 4000 (127 + 3873)
    block.extend_from_slice(&[b'a'; 4000]);
    block.resize(block_len, 0xbe); // index 62: the entry above
    let mut out = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
    h2_frame(&mut out, 0x4, 0, 0, &[]);
    let chunks: Vec<&[u8]> = block.chunks(16_384).collect();
    for (i, c) in chunks.iter().enumerate() {
        let kind = if i == 0 { 0x1 } else { 0x9 };
        let flags = if i + 1 == chunks.len() { 0x4 } else { 0 };
        h2_frame(&mut out, kind, flags, 1, c);
    }
    out
}

/// Memory the plugin may grow by under the bombs (it idles at about 20 MB).
const BOMB_BUDGET: u64 = 32 << 20;

#[test]
fn an_hpack_bomb_leaves_the_plugin_alive_and_within_its_memory_budget() {
    let mut p = Plugin::start(None);
    assert_still_serving(&mut p);
    let before = peak_rss(p.child.id());
    let mut figures = Vec::new();
    runtime().block_on(async {
        // 64 KiB decoded to 256 MB and grew the plugin to 268 MB; 1 MiB aborted it.
        for block_len in [16 << 10, 64 << 10, 1 << 20] {
            let mut s = UnixStream::connect(p.socket()).await.expect("connect");
            let bytes = hpack_bomb(block_len);
            let _ = bounded("send the bomb", s.write_all(&bytes)).await;
            let mut buf = vec![0u8; 4096];
            // The server answers (GOAWAY, RST_STREAM or a 431) and may close.
            let _ = tokio::time::timeout(Duration::from_secs(2), async {
                while let Ok(n) = s.read(&mut buf).await {
                    if n == 0 {
                        break;
                    }
                }
            })
            .await;
            figures.push(format!(
                "hostile hpack bomb {} KiB: peak RSS {} MB",
                block_len >> 10,
                peak_rss(p.child.id()) >> 20
            ));
        }
    });
    assert_still_serving(&mut p);
    let after = peak_rss(p.child.id());
    common::write_report("hostile-clients-hpack", &figures.join("\n"));
    assert!(
        after.saturating_sub(before) < BOMB_BUDGET,
        "peak RSS grew from {} MB to {} MB: {figures:?}",
        before >> 20,
        after >> 20
    );
}

#[test]
fn idle_connections_do_not_keep_terraform_from_being_served() {
    let client = Identity::generate().expect("identity");
    let mut p = Plugin::start(Some(&pem_of(&client.cert)));
    let rt = runtime();
    rt.block_on(async {
        // 80 connections that never start the TLS handshake used to starve a
        // correctly certified client.
        let mut idle = Vec::new();
        for _ in 0..80 {
            idle.push(UnixStream::connect(p.socket()).await.expect("connect"));
        }
        let started = std::time::Instant::now();
        bounded(
            "mTLS health beside 80 idle connections",
            health(&p.socket(), Some((&client, p.server_cert()))),
        )
        .await
        .expect("mTLS health");
        let served_in = started.elapsed();
        // The oldest beyond the cap of pending handshakes are closed at once, the
        // rest when the handshake timeout (10 s) passes.
        let mut closed_at = Vec::new();
        for s in &mut idle {
            let mut b = [0u8; 64];
            let closed = tokio::time::timeout(Duration::from_secs(15), async {
                loop {
                    match s.read(&mut b).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                }
            })
            .await;
            assert!(closed.is_ok(), "an idle connection stayed open past the handshake timeout");
            closed_at.push(started.elapsed());
        }
        let promptly = closed_at.iter().filter(|t| **t < Duration::from_secs(5)).count();
        assert!(promptly >= 40, "only {promptly} of 80 idle connections closed at the cap");
        common::write_report(
            "hostile-clients-idle",
            &format!(
                "hostile 80 idle pre-handshake connections: Terraform's served in {} ms; {promptly} closed at the cap, all within {} s",
                served_in.as_millis(),
                closed_at.iter().max().map_or(0, |d| d.as_secs())
            ),
        );
    });
    assert!(
        p.child.try_wait().expect("wait").is_none(),
        "the plugin exited"
    );
}
