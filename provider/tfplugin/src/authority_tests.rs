use super::*;

type Headers = Vec<(Vec<u8>, Vec<u8>)>;

fn request(authority: &str, path: &str) -> Headers {
    [
        (":method", "POST"),
        (":scheme", "http"),
        (":path", path),
        (":authority", authority),
        ("content-type", "application/grpc"),
        ("te", "trailers"),
        (
            "user-agent",
            "grpc-python/1.85.3 grpc-c/52.0.0 (linux; chttp2)",
        ),
    ]
    .iter()
    .map(|(n, v)| (n.as_bytes().to_vec(), v.as_bytes().to_vec()))
    .collect()
}

/// A client: preface, SETTINGS, then one HEADERS frame per request (its encoder
/// indexes, so later requests refer to earlier ones' table entries).
fn client_bytes(requests: &[Headers], flags: u8) -> Vec<u8> {
    let mut enc = loona_hpack::Encoder::new();
    let mut out = PREFACE.to_vec();
    frame_header(&mut out, 0, 0x4, 0, [0, 0, 0, 0]);
    for (i, headers) in requests.iter().enumerate() {
        let block = enc.encode(headers.iter().map(|(n, v)| (n.as_slice(), v.as_slice())));
        let stream = (2 * i as u32 + 1).to_be_bytes();
        frame_header(&mut out, block.len(), HEADERS, END_HEADERS | flags, stream);
        out.extend_from_slice(&block);
    }
    out
}

/// What h2 would see: the header list of every block, decoded with one table.
fn server_view(bytes: &[u8]) -> Vec<Headers> {
    assert!(bytes.starts_with(PREFACE), "preface changed");
    let mut dec = loona_hpack::Decoder::new();
    let (mut at, mut block, mut lists) = (PREFACE.len(), Vec::new(), Vec::new());
    while at < bytes.len() {
        let h = &bytes[at..at + 9];
        let len = usize::from(h[0]) << 16 | usize::from(h[1]) << 8 | usize::from(h[2]);
        assert!(len <= MAX_FRAME, "frame of {len} bytes");
        let payload = &bytes[at + 9..at + 9 + len];
        if h[3] == HEADERS || h[3] == CONTINUATION {
            let fragment = if h[3] == HEADERS {
                headers_fragment(h[4], payload).expect("fragment").1
            } else {
                payload
            };
            block.extend_from_slice(fragment);
            if h[4] & END_HEADERS != 0 {
                lists.push(dec.decode(&block).expect("server decodes"));
                block.clear();
            }
        }
        at += 9 + len;
    }
    lists
}

fn through(bytes: &[u8], chunk: usize) -> (Vec<u8>, u64) {
    let mut r = AuthorityRewriter::default();
    let mut out = Vec::new();
    for piece in bytes.chunks(chunk) {
        r.feed(piece, &mut out);
    }
    r.finish(&mut out);
    (out, r.rewrites())
}

#[test]
fn terraform_like_traffic_passes_byte_for_byte() {
    let bytes = client_bytes(
        &[
            request("localhost", "/plugin.GRPCController/Shutdown"),
            request("localhost", "/tfplugin6.Provider/GetMetadata"),
        ],
        0,
    );
    for chunk in [1, 7, 4096] {
        assert_eq!(through(&bytes, chunk), (bytes.clone(), 0), "chunk {chunk}");
    }
}

#[test]
fn a_percent_encoded_socket_path_becomes_localhost_and_later_blocks_still_decode() {
    let sock = "%2Ftmp%2Fplugin1234";
    let requests = [
        request(sock, "/grpc.health.v1.Health/Check"),
        request(sock, "/tfplugin6.Provider/GetMetadata"),
        request(sock, "/tfplugin6.Provider/GetProviderSchema"),
    ];
    assert!(
        !valid_authority(sock.as_bytes()),
        "h2 would accept it anyway"
    );
    for chunk in [1, 13, 65536] {
        let (out, rewrites) = through(&client_bytes(&requests, END_STREAM), chunk);
        assert_eq!(rewrites, 3);
        let seen = server_view(&out);
        assert_eq!(seen.len(), 3);
        for (got, sent) in seen.iter().zip(&requests) {
            let mut want = sent.clone();
            want[3].1 = b"localhost".to_vec();
            assert_eq!(got, &want);
        }
    }
}

#[test]
fn rewriting_after_forwarded_blocks_keeps_the_server_table_consistent() {
    // Valid first (forwarded, the server indexes it), then invalid, then valid
    // again: the last refers to table entries, and must still decode right.
    let requests = [
        request("localhost", "/a"),
        request("/var/run/plugin.sock", "/b"),
        request("localhost", "/a"),
    ];
    let (out, rewrites) = through(&client_bytes(&requests, 0), 5);
    assert_eq!(rewrites, 1);
    let seen = server_view(&out);
    assert_eq!(seen[0], requests[0]);
    assert_eq!(seen[1][3].1, b"localhost");
    assert_eq!(seen[1][2].1, b"/b");
    assert_eq!(seen[2], requests[2]);
}

#[test]
fn a_list_over_h2s_limit_is_forwarded_and_one_within_is_rewritten() {
    let mut big = request("%2Fsock", "/x");
    big.push((b"x-big".to_vec(), vec![b'v'; 40_000]));
    let bytes = client_bytes(std::slice::from_ref(&big), END_STREAM);
    // The client's own frame is oversized, so send it split as a client would.
    let (preface_and_settings, rest) = bytes.split_at(PREFACE.len() + 9);
    let (header, block) = rest.split_at(9);
    assert_eq!(header[3], HEADERS);
    let mut split = preface_and_settings.to_vec();
    let chunks: Vec<&[u8]> = block.chunks(MAX_FRAME).collect();
    for (i, c) in chunks.iter().enumerate() {
        let kind = if i == 0 { HEADERS } else { CONTINUATION };
        let mut flags = if i == 0 { END_STREAM } else { 0 };
        if i + 1 == chunks.len() {
            flags |= END_HEADERS;
        }
        frame_header(&mut split, c.len(), kind, flags, [0, 0, 0, 1]);
        split.extend_from_slice(c);
    }
    // A 40 KB list is over what h2 accepts (16 KiB): it goes to h2 unchanged, for
    // h2 to refuse, and the rewriter keeps none of it.
    let (out, rewrites) = through(&split, 1000);
    assert_eq!(rewrites, 0);
    assert_eq!(out, split);
    // Within the limit, a rewritten block keeps END_STREAM on its HEADERS frame.
    let mut fits = request("%2Fsock", "/x");
    fits.push((b"x-big".to_vec(), vec![b'v'; 12_000]));
    let (out, rewrites) = through(&client_bytes(&[fits], END_STREAM), 1000);
    assert_eq!(rewrites, 1);
    let seen = server_view(&out);
    assert_eq!(seen[0][3].1, b"localhost");
    assert_eq!(seen[0][7].1.len(), 12_000);
    assert_eq!(out[PREFACE.len() + 9 + 3], HEADERS);
    assert_eq!(out[PREFACE.len() + 9 + 4] & END_STREAM, END_STREAM);
}

#[test]
fn padding_and_priority_are_handled() {
    let mut enc = loona_hpack::Encoder::new();
    let headers = request("%2Fs", "/p");
    let block = enc.encode(headers.iter().map(|(n, v)| (n.as_slice(), v.as_slice())));
    let mut bytes = PREFACE.to_vec();
    let mut payload = vec![3u8];
    payload.extend_from_slice(&[0, 0, 0, 0, 16]);
    payload.extend_from_slice(&block);
    payload.extend_from_slice(&[0, 0, 0]);
    frame_header(
        &mut bytes,
        payload.len(),
        HEADERS,
        END_HEADERS | PADDED | PRIORITY,
        [0, 0, 0, 1],
    );
    bytes.extend_from_slice(&payload);
    let (out, rewrites) = through(&bytes, 3);
    assert_eq!(rewrites, 1);
    assert_eq!(server_view(&out)[0][3].1, b"localhost");
    assert_eq!(out[PREFACE.len() + 4] & PRIORITY, PRIORITY);
}

#[test]
fn what_it_cannot_follow_reaches_h2_unchanged() {
    let not_h2 = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec();
    assert_eq!(through(&not_h2, 4), (not_h2.clone(), 0));
    // HEADERS whose block is no HPACK: forwarded so h2 reports it.
    let mut bad = PREFACE.to_vec();
    frame_header(&mut bad, 2, HEADERS, END_HEADERS, [0, 0, 0, 1]);
    bad.extend_from_slice(&[0xff, 0xff]);
    bad.extend_from_slice(b"trailing bytes");
    assert_eq!(through(&bad, 1), (bad.clone(), 0));
    // A truncated frame at the end of the connection.
    let mut cut = client_bytes(&[request("%2Fs", "/c")], 0);
    cut.truncate(cut.len() - 3);
    let (out, _) = through(&cut, 10);
    assert_eq!(out, cut);
}

#[tokio::test]
async fn the_async_wrapper_delivers_rewritten_bytes_and_writes_through() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (mut client, server) = tokio::io::duplex(64);
    let bytes = client_bytes(&[request("%2Fs", "/w")], END_STREAM);
    let sent = bytes.clone();
    let writer = tokio::spawn(async move {
        for c in sent.chunks(10) {
            client.write_all(c).await.expect("write");
        }
        client.shutdown().await.expect("shutdown");
        let mut reply = Vec::new();
        client.read_to_end(&mut reply).await.expect("read reply");
        reply
    });
    let mut fixed = FixAuthority::new(server);
    let mut seen = Vec::new();
    fixed.read_to_end(&mut seen).await.expect("read");
    fixed.write_all(b"reply").await.expect("write through");
    fixed.shutdown().await.expect("shutdown");
    drop(fixed);
    assert_eq!(writer.await.expect("join"), b"reply");
    assert_eq!(server_view(&seen)[0][3].1, b"localhost");
}

#[test]
fn a_malformed_table_size_update_is_forwarded_not_a_panic() {
    // Found by the http2_authority fuzz target: fluke-hpack 0.3.1 unwraps the
    // integer of a size update (0x3f + continuation octets that run past 5).
    for block in [
        &[0x3f, 0xff, 0xe4, 0x8b, 0x97, 0xe0, 0x2f][..],
        &[0x3f, 0xff],
        &[0x82, 0x3f],
    ] {
        let mut bytes = PREFACE.to_vec();
        frame_header(&mut bytes, block.len(), HEADERS, END_HEADERS, [0, 0, 0, 1]);
        bytes.extend_from_slice(block);
        assert!(!hpack_well_formed(block), "{block:02x?}");
        assert_eq!(through(&bytes, 3), (bytes.clone(), 0), "{block:02x?}");
    }
}

#[test]
fn well_formedness_agrees_with_the_decoder_on_good_blocks() {
    let mut enc = loona_hpack::Encoder::new();
    for headers in [request("localhost", "/a"), request("%2Fs", "/b")] {
        let block = enc.encode(headers.iter().map(|(n, v)| (n.as_slice(), v.as_slice())));
        assert!(hpack_well_formed(&block));
    }
    // A size update to 4096 (0x3f 0xe1 0x1f), then an indexed field.
    assert!(hpack_well_formed(&[0x3f, 0xe1, 0x1f, 0x82]));
    assert_eq!(read_integer(&[0x1f, 0x9a, 0x0a], 5), Some((1337, 3)));
    assert_eq!(read_integer(&[0x7f, 0x80, 0x80, 0x80, 0x80, 0x01], 7), None);
}

/// A header block that decodes to far more than it weighs: one 4 KiB table entry,
/// then `refs` one-octet references to it (each decodes to 4 KiB).
fn hpack_bomb(refs: usize) -> Vec<u8> {
    let mut block = vec![0x40]; // literal with incremental indexing, new name
    literal(&mut block, b"x-bomb");
    literal(&mut block, &[b'a'; 4000]);
    block.extend(std::iter::repeat_n(0xbe, refs)); // index 62: the entry above
    block
}

/// Splits a block into HEADERS + CONTINUATION frames after the preface.
fn framed(block: &[u8], authority_first: bool) -> Vec<u8> {
    let mut out = PREFACE.to_vec();
    if authority_first {
        // A first request with a socket path as :authority: Rewrite mode.
        let mut enc = loona_hpack::Encoder::new();
        let first = enc.encode(
            request("/tmp/plugin.sock", "/a")
                .iter()
                .map(|(n, v)| (n.as_slice(), v.as_slice())),
        );
        frame_header(&mut out, first.len(), HEADERS, END_HEADERS, [0, 0, 0, 1]);
        out.extend_from_slice(&first);
    }
    let chunks: Vec<&[u8]> = block.chunks(MAX_FRAME).collect();
    for (i, c) in chunks.iter().enumerate() {
        let kind = if i == 0 { HEADERS } else { CONTINUATION };
        let flags = if i + 1 == chunks.len() {
            END_HEADERS
        } else {
            0
        };
        frame_header(&mut out, c.len(), kind, flags, [0, 0, 0, 3]);
        out.extend_from_slice(c);
    }
    out
}

#[test]
fn an_hpack_bomb_is_forwarded_unchanged_without_decoding_it_into_memory() {
    // 16 000 references: 64 MB decoded from a 20 KB block; before the bound the
    // rewriter held all of it (a 64 KiB block grew the plugin by 250 MB).
    for rewrite_first in [false, true] {
        let bytes = framed(&hpack_bomb(16_000), rewrite_first);
        let mut r = AuthorityRewriter::default();
        let mut out = Vec::new();
        r.feed(&bytes, &mut out);
        assert_eq!(r.mode, Mode::Forward, "rewrite first: {rewrite_first}");
        if rewrite_first {
            // The first block was rewritten, the bomb forwarded as it came.
            assert_eq!(r.rewrites(), 1);
            assert!(out.ends_with(&bytes[bytes.len() - 100..]));
        } else {
            assert_eq!(out, bytes);
        }
    }
}

#[test]
fn a_list_within_h2s_limit_is_still_followed() {
    // Three references: 12 KB decoded, under the 16 KiB list limit.
    let bytes = framed(&hpack_bomb(3), false);
    let mut r = AuthorityRewriter::default();
    let mut out = Vec::new();
    r.feed(&bytes, &mut out);
    assert_eq!(r.mode, Mode::Follow);
    assert_eq!(out, bytes);
}

#[test]
fn a_block_longer_than_any_list_h2_accepts_is_not_buffered() {
    let bytes = framed(&vec![0x82; MAX_BLOCK + MAX_FRAME], false);
    let mut r = AuthorityRewriter::default();
    let mut out = Vec::new();
    r.feed(&bytes, &mut out);
    assert_eq!(r.mode, Mode::Forward);
    assert_eq!(out, bytes);
}
