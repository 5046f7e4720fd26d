//! The server's `:authority` fix (tfplugin `authority.rs`): HTTP/2 client bytes
//! (preface, frames, HPACK blocks) from any client reach it before h2 does.
//! Input: one byte choosing how the bytes are split into reads, then the stream.
//! Invariants: the split never changes the output, and a stream that needed no
//! rewrite passes byte for byte.

use crate::Target;
use tfplugin::testing::AuthorityRewriter;

pub const TARGET: Target = Target {
    name: "http2_authority",
    about: "tfplugin :authority rewriter (HTTP/2 frames + HPACK) before h2",
    run,
    seeds,
    dictionary: &[
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        b"\x00\x00\x00\x04\x00\x00\x00\x00\x00",
        b"\x00\x00\x10\x01\x04\x00\x00\x00\x01",
        b"\x00\x00\x05\x09\x04\x00\x00\x00\x01",
        b"\x01\x0a:authority",
        b"\x0d%2Ftmp%2Fsock",
        b"\x09localhost",
        b"\x3f\xe1\x1f",
        b"\x82\x86\x84",
        b"\xbe",
    ],
};

fn rewrite(stream: &[u8], chunk: usize) -> (Vec<u8>, u64) {
    let mut r = AuthorityRewriter::default();
    let mut out = Vec::new();
    for piece in stream.chunks(chunk.max(1)) {
        r.feed(piece, &mut out);
    }
    r.finish(&mut out);
    (out, r.rewrites())
}

fn run(data: &[u8]) {
    let Some((&split, stream)) = data.split_first() else {
        return;
    };
    let (whole, rewrites) = rewrite(stream, stream.len());
    let (pieces, _) = rewrite(stream, usize::from(split % 32) + 1);
    assert_eq!(whole, pieces, "the output depends on how reads were split");
    if rewrites == 0 {
        assert_eq!(whole, stream, "bytes changed without a rewrite");
    }
}

/// Preface, SETTINGS, and one HEADERS frame of literal fields.
fn request(authority: &[u8]) -> Vec<u8> {
    let mut block = vec![0x83, 0x86]; // :method POST, :scheme http (static table)
    for (name, value) in [
        (&b":path"[..], &b"/grpc.health.v1.Health/Check"[..]),
        (b":authority", authority),
        (b"content-type", b"application/grpc"),
        (b"te", b"trailers"),
    ] {
        block.push(0x00);
        block.push(name.len() as u8);
        block.extend_from_slice(name);
        block.push(value.len() as u8);
        block.extend_from_slice(value);
    }
    let mut s = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
    s.extend_from_slice(&[0, 0, 0, 4, 0, 0, 0, 0, 0]);
    s.extend_from_slice(&[0, 0, block.len() as u8, 1, 0x05, 0, 0, 0, 1]);
    s.extend_from_slice(&block);
    s
}

fn seeds() -> Vec<Vec<u8>> {
    [&b"%2Ftmp%2Fplugin123"[..], b"localhost", b"/var/run/x.sock"]
        .iter()
        .map(|a| {
            let mut seed = vec![7u8];
            seed.extend_from_slice(&request(a));
            seed
        })
        .collect()
}
