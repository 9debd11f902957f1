//! Header names as they were spelled on the wire.
//!
//! hyper lower-cases every header name it parses and keeps the original spelling only in a
//! private extension, but the record shows names as sent (`--HEA:X-Trace=t1`, as the
//! reference writes them). [`Tapped`] wraps a connection, reads along as hyper reads, and
//! parses each message head again with `httparse` (the parser hyper itself uses), so that a
//! [`HeadTap`] can hand out each head's headers, in order, as they were spelled.
//!
//! On a server connection it follows HTTP/1.1 framing (`Content-Length`, chunked bodies with
//! trailers) to find every request head of a keep-alive connection. Requests are served one
//! at a time per connection, so when hyper hands a request over, its head is the oldest one
//! not yet taken. On a client connection it keeps the first final response head. If the
//! bytes ever stop making sense (something hyper would refuse), the tap stops and says so,
//! and callers fall back to hyper's lower-case names.

use std::collections::VecDeque;
use std::io;
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::headers::Header;

/// The largest head the tap reads again; hyper's own default limit is about this size.
const MAX_HEAD: usize = 64 * 1024;
/// Headers per head, as hyper's default.
const MAX_HEADERS: usize = 100;

/// Which messages a connection carries to the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Requests, on a server's connection.
    Requests,
    /// Responses, on a client's connection: only the first final response is kept.
    Responses,
}

/// Where the reader is in the byte stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// In a head (or before one).
    Head,
    /// In a body of known length: this many bytes left.
    Fixed(u64),
    /// At a chunk-size line.
    ChunkSize,
    /// In a chunk: this many bytes left, then CRLF.
    ChunkData(u64),
    /// The CRLF after a chunk: this many bytes left.
    ChunkEnd(u8),
    /// In the trailers after the last chunk.
    Trailers,
    /// Nothing more to read: a response was found, or the stream stopped making sense.
    Done,
}

/// The heads found so far, shared by the connection and whoever takes them.
#[derive(Debug)]
struct Tracker {
    role: Role,
    state: State,
    /// Bytes of an unfinished head, chunk-size line or trailer section.
    pending: Vec<u8>,
    heads: VecDeque<Vec<Header>>,
    /// The stream stopped making sense: no more heads will come.
    lost: bool,
}

/// The heads of one connection, in order, for whoever serves its messages.
#[derive(Debug, Clone)]
pub struct HeadTap(Arc<Mutex<Tracker>>);

impl HeadTap {
    /// A tap for a connection in `role`.
    pub fn new(role: Role) -> Self {
        HeadTap(Arc::new(Mutex::new(Tracker {
            role,
            state: State::Head,
            pending: Vec::new(),
            heads: VecDeque::new(),
            lost: false,
        })))
    }

    /// `io`, read along by this tap.
    pub fn wrap<T>(&self, io: T) -> Tapped<T> {
        Tapped {
            io,
            tap: self.clone(),
        }
    }

    /// The oldest head not yet taken, with its names as sent; `None` if the tap lost track.
    pub fn take(&self) -> Option<Vec<Header>> {
        self.lock().heads.pop_front()
    }

    fn lock(&self) -> MutexGuard<'_, Tracker> {
        // Every update leaves the tracker consistent, so a poisoned lock is still usable.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A connection read along by a [`HeadTap`].
#[derive(Debug)]
pub struct Tapped<T> {
    io: T,
    tap: HeadTap,
}

impl<T: AsyncRead + Unpin> AsyncRead for Tapped<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.io).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = polled {
            let fresh = &buf.filled()[before..];
            if !fresh.is_empty() {
                self.tap.lock().feed(fresh);
            }
        }
        polled
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Tapped<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}

impl Tracker {
    /// Follows the stream through `data`.
    fn feed(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            match self.state {
                State::Done => return,
                State::Fixed(left) => {
                    let skip = usize::try_from(left).map_or(data.len(), |l| l.min(data.len()));
                    data = &data[skip..];
                    let left = left - skip as u64;
                    self.state = if left == 0 {
                        State::Head
                    } else {
                        State::Fixed(left)
                    };
                }
                State::ChunkData(left) => {
                    let skip = usize::try_from(left).map_or(data.len(), |l| l.min(data.len()));
                    data = &data[skip..];
                    let left = left - skip as u64;
                    self.state = if left == 0 {
                        State::ChunkEnd(2)
                    } else {
                        State::ChunkData(left)
                    };
                }
                State::ChunkEnd(left) => {
                    let skip = usize::from(left).min(data.len());
                    data = &data[skip..];
                    let left = left - skip as u8;
                    self.state = if left == 0 {
                        State::ChunkSize
                    } else {
                        State::ChunkEnd(left)
                    };
                }
                State::Head | State::ChunkSize | State::Trailers => {
                    let consumed = self.pending_part(data);
                    data = &data[consumed..];
                }
            }
        }
    }

    /// Adds bytes to the pending head, chunk-size line or trailers, and acts on them once
    /// complete. Returns how many bytes of `data` it used.
    fn pending_part(&mut self, data: &[u8]) -> usize {
        // The usual case: a whole part in one read, looked at where it is.
        if self.pending.is_empty() {
            if let Some(end) = part_end(self.state, data) {
                self.complete_part(&data[..end]);
                return end;
            }
        }
        let old = self.pending.len();
        self.pending.extend_from_slice(data);
        let Some(end) = part_end(self.state, &self.pending) else {
            if self.pending.len() > MAX_HEAD {
                self.lose();
            }
            return data.len();
        };
        let part = std::mem::take(&mut self.pending);
        self.complete_part(&part[..end]);
        end - old
    }

    /// Acts on a complete head, chunk-size line or trailer section.
    fn complete_part(&mut self, part: &[u8]) {
        match self.state {
            State::ChunkSize => match httparse::parse_chunk_size(part) {
                Ok(httparse::Status::Complete((_, 0))) => self.state = State::Trailers,
                Ok(httparse::Status::Complete((_, size))) => self.state = State::ChunkData(size),
                _ => self.lose(),
            },
            State::Trailers => self.state = State::Head,
            _ if part.len() == 2 => {}
            _ => self.head(part),
        }
    }

    /// A complete head: keeps its headers and follows its body's framing.
    fn head(&mut self, head: &[u8]) {
        let spelled = |headers: &[httparse::Header<'_>]| -> Vec<Header> {
            headers
                .iter()
                .map(|h| (h.name.to_string(), latin1(h.value)))
                .collect()
        };
        let parsed = match self.role {
            Role::Requests => {
                // Uninitialised slots: filling a hundred of them for every request costs more
                // than parsing a small head.
                let mut slots = [const { MaybeUninit::uninit() }; MAX_HEADERS];
                let mut request = httparse::Request::new(&mut []);
                request
                    .parse_with_uninit_headers(head, &mut slots)
                    .map(|s| (s.is_complete(), None, spelled(request.headers)))
            }
            Role::Responses => {
                let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
                let mut response = httparse::Response::new(&mut slots);
                response
                    .parse(head)
                    .map(|s| (s.is_complete(), response.code, spelled(response.headers)))
            }
        };
        let Ok((true, code, named)) = parsed else {
            self.lose();
            return;
        };
        if self.role == Role::Responses {
            // Interim responses (100 Continue) precede the final one.
            if code.is_some_and(|c| c >= 200) {
                self.heads.push_back(named);
                self.state = State::Done;
            }
            return;
        }
        let chunked = named.iter().any(|(n, v)| {
            n.eq_ignore_ascii_case("transfer-encoding")
                && v.to_ascii_lowercase().contains("chunked")
        });
        let length = named
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .map(|(_, v)| v.trim().parse::<u64>());
        self.state = match (chunked, length) {
            (true, _) => State::ChunkSize,
            (false, Some(Ok(0)) | None) => State::Head,
            (false, Some(Ok(n))) => State::Fixed(n),
            (false, Some(Err(_))) => {
                self.lose();
                return;
            }
        };
        self.heads.push_back(named);
    }

    fn lose(&mut self) {
        if !self.lost {
            tracing::debug!("lost track of the header spelling on a connection; names are recorded lower-cased from here on");
        }
        self.lost = true;
        self.state = State::Done;
        self.pending = Vec::new();
    }
}

/// Where the head, chunk-size line or trailer section that `bytes` start with ends (in
/// `state`), if it is all there.
fn part_end(state: State, bytes: &[u8]) -> Option<usize> {
    match state {
        State::ChunkSize => find(bytes, b"\r\n").map(|at| at + 2),
        State::Trailers if bytes.starts_with(b"\r\n") => Some(2),
        // Leading empty lines before a request line are allowed (and skipped by hyper).
        State::Head if bytes.starts_with(b"\r\n") => Some(2),
        _ => find(bytes, b"\r\n\r\n").map(|at| at + 4),
    }
}

/// A header value read as Latin-1, as Python's HTTP parser reads it.
pub fn latin1(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        // ASCII, as almost every value is, reads the same either way.
        Ok(text) if text.is_ascii() => text.to_owned(),
        _ => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

/// Where `needle` first occurs in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(tap: &HeadTap) -> Vec<String> {
        tap.take()
            .unwrap()
            .into_iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect()
    }

    #[test]
    fn every_request_of_a_keep_alive_connection_is_found_whatever_the_read_sizes() {
        let stream: &[u8] = b"GET /a HTTP/1.1\r\nX-Trace: t1\r\nHost: h\r\n\r\n\
            POST /b HTTP/1.1\r\nContent-Length: 26\r\n\r\nGET /fake HTTP/1.1\r\nX: y\r\n\r\n\
            PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\nTrailer-A: 1\r\n\r\n\
            \r\nDELETE /d HTTP/1.1\r\nAuthorization: Bearer \xe9\r\n\r\n";
        for size in [1, 2, 3, 7, 64, stream.len()] {
            let tap = HeadTap::new(Role::Requests);
            for piece in stream.chunks(size) {
                tap.lock().feed(piece);
            }
            assert_eq!(names(&tap), ["X-Trace=t1", "Host=h"], "size {size}");
            assert_eq!(names(&tap), ["Content-Length=26"]);
            assert_eq!(names(&tap), ["Transfer-Encoding=chunked"]);
            assert_eq!(names(&tap), ["Authorization=Bearer é"]);
            assert!(tap.take().is_none());
        }
    }

    #[test]
    fn a_response_connection_keeps_the_first_final_head() {
        let tap = HeadTap::new(Role::Responses);
        tap.lock().feed(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nSet-Cookie: a\r\n\r\nbody HTTP/1.1 200 OK\r\n\r\n");
        assert_eq!(names(&tap), ["Content-Type=text/plain", "Set-Cookie=a"]);
        assert!(tap.take().is_none());
    }

    #[test]
    fn nonsense_stops_the_tap_without_panicking() {
        let tap = HeadTap::new(Role::Requests);
        tap.lock()
            .feed(b"NOT HTTP AT ALL\r\n\r\nGET / HTTP/1.1\r\n\r\n");
        assert!(tap.take().is_none());
        let tap = HeadTap::new(Role::Requests);
        tap.lock().feed(&vec![b'x'; MAX_HEAD + 10]);
        assert!(tap.lock().lost);
    }
}
