//! Lets gRPC clients that send a unix socket path as `:authority` reach the server.
//!
//! grpcio (gRPC C-core since 1.57, so Python test tools), grpc-java over a domain
//! socket and others send the socket path, percent-encoded or not, as the HTTP/2
//! `:authority` (grpc/grpc#38142). The `http` crate refuses such an authority, so h2
//! resets every stream with PROTOCOL_ERROR and no such client can call anything
//! (hyperium/h2#487, open since 2020; grpc-go's server accepts it). A provider serves
//! exactly one client on a private socket, so the authority carries no meaning here.
//!
//! [`AuthorityRewriter`] sits between the connection (after TLS) and h2 and reads the
//! client's frames. While every `:authority` is valid it forwards the bytes
//! unchanged, only decoding header blocks to follow the client's HPACK table (so
//! Terraform's traffic is never altered). From the first invalid `:authority` on,
//! it re-encodes every header block of that connection as literals without
//! indexing, with `:authority: localhost` in place of the invalid value: h2's HPACK
//! table then only holds entries from the forwarded blocks, which nothing after
//! refers to. Anything it cannot follow (a bad preface, an oversized frame, an HPACK
//! error, a header list larger than h2 accepts) switches it to plain forwarding, so
//! h2 sees and reports the problem.
//!
//! The work per connection is bounded: at most one frame and one header block
//! ([`MAX_BLOCK`]) are buffered, and decoding stops keeping fields once the list
//! passes [`MAX_HEADER_LIST`], so a block of references to one large table entry
//! (an HPACK bomb: 64 KiB that would decode to 256 MB) costs no memory.

use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
/// h2's default SETTINGS_MAX_FRAME_SIZE, which the server advertises: a client may
/// send no larger frame, and every frame we write stays within it.
const MAX_FRAME: usize = 16_384;
/// The HPACK table size h2 advertises (the protocol default).
const TABLE_SIZE: usize = 4_096;
/// The largest header list h2 accepts from a client here: hyper's server default
/// SETTINGS_MAX_HEADER_LIST_SIZE (16 KiB), which tonic keeps. Sizes count as in
/// RFC 9113 6.5.2: name + value + 32 octets per field.
pub const MAX_HEADER_LIST: usize = 16 << 10;
/// A header block longer than this is not followed. A list h2 accepts cannot take
/// more octets than this to encode (Huffman codes are at most 30 bits an octet).
const MAX_BLOCK: usize = 4 * MAX_HEADER_LIST;

const HEADERS: u8 = 0x1;
const CONTINUATION: u8 = 0x9;
const END_STREAM: u8 = 0x1;
const END_HEADERS: u8 = 0x4;
const PADDED: u8 = 0x8;
const PRIORITY: u8 = 0x20;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Decode header blocks, forward bytes unchanged.
    Follow,
    /// Re-encode every header block (an invalid authority was seen).
    Rewrite,
    /// Forward everything unchanged, inspect nothing.
    Forward,
}

/// A header block being assembled from HEADERS + CONTINUATION frames.
struct Pending {
    stream: [u8; 4],
    flags: u8,
    priority: Option<[u8; 5]>,
    block: Vec<u8>,
    raw: Vec<u8>,
}

/// The synchronous core: feed client bytes in, get bytes for h2 out.
pub struct AuthorityRewriter {
    mode: Mode,
    preface_done: bool,
    input: Vec<u8>,
    decoder: loona_hpack::Decoder<'static>,
    pending: Option<Pending>,
    rewrites: u64,
}

impl Default for AuthorityRewriter {
    fn default() -> Self {
        let mut decoder = loona_hpack::Decoder::new();
        decoder.set_max_allowed_table_size(TABLE_SIZE);
        Self {
            mode: Mode::Follow,
            preface_done: false,
            input: Vec::new(),
            decoder,
            pending: None,
            rewrites: 0,
        }
    }
}

/// Whether h2 would accept this `:authority` value.
fn valid_authority(value: &[u8]) -> bool {
    http::uri::Authority::try_from(value).is_ok()
}

impl AuthorityRewriter {
    /// Header blocks whose `:authority` was replaced so far.
    pub fn rewrites(&self) -> u64 {
        self.rewrites
    }

    /// Takes bytes read from the client; appends what h2 should read to `out`.
    /// Incomplete frames wait for more input.
    pub fn feed(&mut self, bytes: &[u8], out: &mut Vec<u8>) {
        if self.mode == Mode::Forward {
            out.extend_from_slice(bytes);
            return;
        }
        self.input.extend_from_slice(bytes);
        if !self.preface_done {
            let n = self.input.len().min(PREFACE.len());
            if self.input[..n] != PREFACE[..n] {
                return self.give_up(out);
            }
            if n < PREFACE.len() {
                return;
            }
            out.extend_from_slice(PREFACE);
            self.input.drain(..PREFACE.len());
            self.preface_done = true;
        }
        let mut at = 0;
        while self.input.len() - at >= 9 {
            let h = &self.input[at..at + 9];
            let len = usize::from(h[0]) << 16 | usize::from(h[1]) << 8 | usize::from(h[2]);
            if len > MAX_FRAME {
                self.input.drain(..at);
                return self.give_up(out);
            }
            if self.input.len() - at < 9 + len {
                break;
            }
            let frame = self.input[at..at + 9 + len].to_vec();
            at += 9 + len;
            if !self.frame(&frame, out) {
                self.input.drain(..at);
                return self.give_up(out);
            }
        }
        self.input.drain(..at);
    }

    /// The client closed its side: whatever is buffered goes to h2 as it is.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        self.give_up(out);
    }

    /// Stop inspecting: forward what is buffered, and everything after, unchanged.
    fn give_up(&mut self, out: &mut Vec<u8>) {
        if let Some(p) = self.pending.take() {
            out.extend_from_slice(&p.raw);
        }
        out.append(&mut self.input);
        self.mode = Mode::Forward;
    }

    /// One complete frame; false when it cannot be followed. Either way the frame
    /// ends up in `out` or in the pending block, so `give_up` loses nothing.
    fn frame(&mut self, frame: &[u8], out: &mut Vec<u8>) -> bool {
        let (kind, flags) = (frame[3], frame[4]);
        let stream: [u8; 4] = [frame[5], frame[6], frame[7], frame[8]];
        let payload = &frame[9..];
        if let Some(p) = self.pending.as_mut() {
            p.raw.extend_from_slice(frame);
            // Anything but its CONTINUATION inside a header block is a protocol
            // error h2 reports; so is an oversized block.
            if kind != CONTINUATION
                || p.stream != stream
                || p.block.len() + payload.len() > MAX_BLOCK
            {
                return false;
            }
            p.block.extend_from_slice(payload);
            p.flags |= flags & END_HEADERS;
        } else if kind == HEADERS {
            let Some((priority, fragment)) = headers_fragment(flags, payload) else {
                out.extend_from_slice(frame);
                return false;
            };
            self.pending = Some(Pending {
                stream,
                flags,
                priority,
                block: fragment.to_vec(),
                raw: frame.to_vec(),
            });
        } else {
            out.extend_from_slice(frame);
            return true;
        }
        match self.pending.take() {
            Some(p) if p.flags & END_HEADERS != 0 => self.block(p, out),
            other => {
                self.pending = other;
                true
            }
        }
    }

    /// A complete header block: forward it, or re-encode it.
    fn block(&mut self, p: Pending, out: &mut Vec<u8>) -> bool {
        // fluke-hpack 0.3.1 (loona-hpack's former name) panicked on a malformed table
        // size update (found by the http2_authority fuzz target): only well-formed
        // blocks reach the decoder, and a panic it may still have is an undecodable
        // block, not a dead connection.
        let mut headers: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
        let mut list_size = 0usize;
        let decoded = hpack_well_formed(&p.block) && {
            let decoder = &mut self.decoder;
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                // Every field is decoded (the table must follow the client's), but
                // only the first MAX_HEADER_LIST octets of them are kept.
                decoder.decode_with_cb(&p.block, |name, value| {
                    list_size = list_size
                        .saturating_add(name.len())
                        .saturating_add(value.len())
                        .saturating_add(32);
                    if list_size <= MAX_HEADER_LIST {
                        headers.push((name.into_owned(), value.into_owned()));
                    }
                })
            }))
            .is_ok_and(|r| r.is_ok())
        };
        if !decoded || list_size > MAX_HEADER_LIST {
            if list_size > MAX_HEADER_LIST {
                tracing::debug!(
                    list_size,
                    "header list larger than h2 accepts; forwarding the connection unchanged"
                );
            }
            out.extend_from_slice(&p.raw);
            return false;
        }
        let mut replaced = false;
        for (name, value) in &mut headers {
            if name.as_slice() == b":authority" && !valid_authority(value) {
                tracing::debug!(
                    authority = %String::from_utf8_lossy(value),
                    "client sent an invalid :authority (a socket path?); serving it as localhost"
                );
                *value = b"localhost".to_vec();
                replaced = true;
            }
        }
        if replaced {
            self.rewrites += 1;
            self.mode = Mode::Rewrite;
        }
        if self.mode == Mode::Follow {
            out.extend_from_slice(&p.raw);
            return true;
        }
        let mut block = Vec::new();
        for (name, value) in &headers {
            // Literal header field without indexing, new name (RFC 7541 6.2.2).
            block.push(0x00);
            literal(&mut block, name);
            literal(&mut block, value);
        }
        write_headers(out, &p, &block);
        true
    }
}

/// An HPACK integer as a decoder reads it: the value and the octets it took, or
/// `None` when it is cut off or longer than 5 octets (RFC 7541 5.1; the limit is
/// loona-hpack's, so what passes here never makes it fail on an integer).
fn read_integer(buf: &[u8], prefix: u8) -> Option<(usize, usize)> {
    let max = (1usize << prefix) - 1;
    let first = usize::from(*buf.first()?) & max;
    if first < max {
        return Some((first, 1));
    }
    let mut value = first;
    for (i, b) in buf.iter().enumerate().skip(1).take(4) {
        value += usize::from(b & 0x7f) << (7 * (i - 1));
        if b & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

/// Whether every representation in `block` is complete: integers end, string
/// lengths stay inside the block. Strings are not decoded (Huffman or not).
fn hpack_well_formed(block: &[u8]) -> bool {
    let mut at = 0;
    let string = |at: usize| -> Option<usize> {
        let (len, n) = read_integer(&block[at..], 7)?;
        let end = at.checked_add(n)?.checked_add(len)?;
        (end <= block.len()).then_some(end)
    };
    while at < block.len() {
        let b = block[at];
        let next = if b & 0x80 != 0 {
            read_integer(&block[at..], 7).map(|(_, n)| at + n)
        } else if b & 0xe0 == 0x20 {
            read_integer(&block[at..], 5).map(|(_, n)| at + n)
        } else {
            let prefix = if b & 0x40 != 0 { 6 } else { 4 };
            read_integer(&block[at..], prefix).and_then(|(index, n)| {
                let name_end = if index == 0 { string(at + n)? } else { at + n };
                if name_end >= block.len() {
                    return None;
                }
                string(name_end)
            })
        };
        match next {
            Some(n) => at = n,
            None => return false,
        }
    }
    true
}

/// The header block fragment of a HEADERS payload, without padding and priority.
fn headers_fragment(flags: u8, payload: &[u8]) -> Option<(Option<[u8; 5]>, &[u8])> {
    let mut body = payload;
    let mut pad = 0;
    if flags & PADDED != 0 {
        let (&n, rest) = body.split_first()?;
        pad = usize::from(n);
        body = rest;
    }
    let mut priority = None;
    if flags & PRIORITY != 0 {
        let p: [u8; 5] = body.get(..5)?.try_into().ok()?;
        priority = Some(p);
        body = &body[5..];
    }
    let end = body.len().checked_sub(pad)?;
    Some((priority, &body[..end]))
}

/// An HPACK string literal, not Huffman coded.
fn literal(out: &mut Vec<u8>, bytes: &[u8]) {
    integer(out, bytes.len(), 7, 0x00);
    out.extend_from_slice(bytes);
}

/// An HPACK integer with an `prefix`-bit prefix (RFC 7541 5.1).
fn integer(out: &mut Vec<u8>, mut value: usize, prefix: u8, first: u8) {
    let max = (1usize << prefix) - 1;
    if value < max {
        out.push(first | value as u8);
        return;
    }
    out.push(first | max as u8);
    value -= max;
    while value >= 128 {
        out.push((value % 128 + 128) as u8);
        value /= 128;
    }
    out.push(value as u8);
}

/// Writes `block` as one HEADERS frame (keeping END_STREAM and the priority) plus
/// CONTINUATION frames as needed, none over [`MAX_FRAME`].
fn write_headers(out: &mut Vec<u8>, p: &Pending, block: &[u8]) {
    let prefix = p.priority.map_or(0, |_| 5);
    let first_len = block.len().min(MAX_FRAME - prefix);
    let (first, mut rest) = block.split_at(first_len);
    let mut flags = p.flags & END_STREAM;
    if p.priority.is_some() {
        flags |= PRIORITY;
    }
    if rest.is_empty() {
        flags |= END_HEADERS;
    }
    frame_header(out, prefix + first.len(), HEADERS, flags, p.stream);
    if let Some(priority) = p.priority {
        out.extend_from_slice(&priority);
    }
    out.extend_from_slice(first);
    while !rest.is_empty() {
        let (chunk, tail) = rest.split_at(rest.len().min(MAX_FRAME));
        rest = tail;
        let flags = if rest.is_empty() { END_HEADERS } else { 0 };
        frame_header(out, chunk.len(), CONTINUATION, flags, p.stream);
        out.extend_from_slice(chunk);
    }
}

fn frame_header(out: &mut Vec<u8>, len: usize, kind: u8, flags: u8, stream: [u8; 4]) {
    out.extend_from_slice(&[(len >> 16) as u8, (len >> 8) as u8, len as u8, kind, flags]);
    out.extend_from_slice(&stream);
}

/// A connection whose client-to-server bytes go through an [`AuthorityRewriter`].
pub(crate) struct FixAuthority<S> {
    inner: S,
    rewriter: AuthorityRewriter,
    ready: Vec<u8>,
    eof: bool,
}

impl<S> FixAuthority<S> {
    pub(crate) fn new(inner: S) -> Self {
        Self {
            inner,
            rewriter: AuthorityRewriter::default(),
            ready: Vec::new(),
            eof: false,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for FixAuthority<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        // Read until there is something for h2, the client is done, or it waits.
        while this.ready.is_empty() && !this.eof {
            let mut chunk = [0u8; 8192];
            let mut rb = ReadBuf::new(&mut chunk);
            match Pin::new(&mut this.inner).poll_read(cx, &mut rb) {
                Poll::Ready(Ok(())) if rb.filled().is_empty() => {
                    this.eof = true;
                    this.rewriter.finish(&mut this.ready);
                }
                Poll::Ready(Ok(())) => this.rewriter.feed(rb.filled(), &mut this.ready),
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        let n = this.ready.len().min(buf.remaining());
        buf.put_slice(&this.ready[..n]);
        this.ready.drain(..n);
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for FixAuthority<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
#[path = "authority_tests.rs"]
mod tests;
