//! One entry as found in the raw text, and its decoding into a [`Record`].

use core::fmt;

use super::scan::{self, ESCAPE};
use super::{NewlineOptions, Record};

/// One entry as found in the raw text, borrowed from it (zero-copy).
///
/// Produced by [`entries`](super::entries). The text is not decoded yet: most entries decode to
/// exactly their raw text ([`plain`](Self::plain)); the others need a buffer
/// ([`decode`](Self::decode), [`record_in`](Self::record_in)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry<'a> {
    pub(crate) raw: &'a str,
    pub(crate) timestamp: Option<&'a str>,
    pub(crate) line: u32,
    pub(crate) offset: usize,
    pub(crate) has_cr: bool,
    pub(crate) has_escape: bool,
}

/// Why an [`Entry`] could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeError {
    /// The buffer holds fewer bytes than the decoded entry needs.
    BufferTooSmall {
        /// Bytes the decoded entry needs ([`Entry::decoded_len`]).
        needed: usize,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::BufferTooSmall { needed } => {
                write!(f, "decode buffer too small: the entry needs {needed} bytes")
            }
        }
    }
}

impl core::error::Error for DecodeError {}

impl<'a> Entry<'a> {
    /// The entry as written in the file, from the start of its first line to the end of its
    /// last non-empty line, without the trailing `--TIM:` line. Line breaks are as in the
    /// file (CR, LF or CRLF), markers and escapes are not decoded.
    pub fn raw(&self) -> &'a str {
        self.raw
    }

    /// The 1-based number of the entry's first line (a leading byte-order mark does not count).
    pub fn line(&self) -> u32 {
        self.line
    }

    /// Byte offset of the entry's first line in the text given to [`entries`](super::entries).
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The text of the entry's trailing `--TIM:` line (after `--TIM:`), taken as is.
    pub fn raw_timestamp(&self) -> Option<&'a str> {
        self.timestamp
    }

    /// The record, borrowing the source, when decoding is the identity under `opts`: no CR in
    /// the entry, no escaped line and no marker that `opts` would decode. This is the case
    /// for almost every entry; otherwise use [`decode`](Self::decode).
    #[inline]
    pub fn plain(&self, opts: NewlineOptions) -> Option<Record<'a>> {
        if self.has_cr || self.has_escape || scan::has_marker(self.raw.as_bytes(), opts) {
            None
        } else {
            Some(Record {
                entry: self.raw,
                timestamp: self.timestamp,
            })
        }
    }

    /// The length in bytes of the decoded entry text (what [`decode`](Self::decode) needs).
    pub fn decoded_len(&self, opts: NewlineOptions) -> usize {
        let mut len = 0usize;
        self.decode_with(opts, |piece| len += piece.len());
        len
    }

    /// Decodes the entry into the front of `buf`. The timestamp still borrows the source.
    pub fn decode<'b>(
        &self,
        opts: NewlineOptions,
        buf: &'b mut [u8],
    ) -> Result<Record<'b>, DecodeError>
    where
        'a: 'b,
    {
        self.decode_split(opts, buf).map(|(record, _)| record)
    }

    /// Decodes the entry into the front of `buf` and hands back the unused rest of `buf`,
    /// so that many entries can be decoded into consecutive parts of one arena.
    pub fn decode_split<'b>(
        &self,
        opts: NewlineOptions,
        buf: &'b mut [u8],
    ) -> Result<(Record<'b>, &'b mut [u8]), DecodeError>
    where
        'a: 'b,
    {
        let mut len = 0usize;
        let mut fits = true;
        self.decode_with(opts, |piece| {
            let end = len + piece.len();
            match buf.get_mut(len..end) {
                Some(dst) if fits => dst.copy_from_slice(piece),
                _ => fits = false,
            }
            len = end;
        });
        if !fits {
            return Err(DecodeError::BufferTooSmall { needed: len });
        }
        let (used, rest) = buf.split_at_mut(len);
        let used: &'b [u8] = used;
        // Decoding only removes or replaces ASCII sequences of a `str`, so the result is
        // valid UTF-8; the check cannot fail but keeps this free of `unsafe`.
        let entry = core::str::from_utf8(used).unwrap_or_default();
        Ok((
            Record {
                entry,
                timestamp: self.timestamp,
            },
            rest,
        ))
    }

    /// The record: borrowed from the source when [`plain`](Self::plain), otherwise decoded
    /// into the front of `*arena`, which is then advanced past the bytes used.
    pub fn record_in<'b>(
        &self,
        opts: NewlineOptions,
        arena: &mut &'b mut [u8],
    ) -> Result<Record<'b>, DecodeError>
    where
        'a: 'b,
    {
        if let Some(record) = self.plain(opts) {
            return Ok(record);
        }
        let buf = core::mem::take(arena);
        let needed = self.decoded_len(opts);
        if needed > buf.len() {
            *arena = buf;
            return Err(DecodeError::BufferTooSmall { needed });
        }
        let (record, rest) = self.decode_split(opts, buf)?;
        *arena = rest;
        Ok(record)
    }

    /// Feeds the decoded entry, piece by piece, to `put`.
    fn decode_with(&self, opts: NewlineOptions, mut put: impl FnMut(&[u8])) {
        let raw = self.raw.as_bytes();
        let mut pos = 0;
        let mut first = true;
        loop {
            let (end, next) = scan::line_end(raw, pos, self.has_cr);
            // `line_end` returns `pos <= end <= raw.len()`: the fallback is never taken.
            let line = raw.get(pos..end).unwrap_or_default();
            if first {
                let escaped_tail = memchr::memchr(b':', line).and_then(|c| {
                    let tail = line.get(c + 1..)?;
                    tail.starts_with(ESCAPE)
                        .then(|| (line.get(..=c), tail.get(ESCAPE.len()..)))
                });
                match escaped_tail {
                    Some((Some(head), Some(body))) => {
                        put_markers(head, opts, &mut put);
                        put_unescaped(body, &mut put);
                    }
                    _ => put_markers(line, opts, &mut put),
                }
                first = false;
            } else if let Some(body) = line.strip_prefix(ESCAPE) {
                put_unescaped(body, &mut put);
            } else {
                put_markers(line, opts, &mut put);
            }
            if next >= raw.len() || next == pos {
                break;
            }
            put(b"\n");
            pos = next;
        }
    }
}

/// Emits `line` with the markers `opts` asks for decoded, as the reference does.
///
/// The reference replaces all `<CR>` first, then all `<LF>`; the two markers cannot overlap
/// and a replacement cannot form a new marker, so one left-to-right pass is equivalent.
fn put_markers(line: &[u8], opts: NewlineOptions, put: &mut impl FnMut(&[u8])) {
    if !opts.preserve_cr && !opts.preserve_lf {
        put(line);
        return;
    }
    // Every slice below is in bounds, so their empty fallbacks are never taken: `at` is a
    // position memchr found in `line`, `search` is at most `at + 1`, and `done` at most
    // `at + 4` after a whole 4-byte marker at `at`.
    let mut done = 0;
    let mut search = 0;
    while let Some(i) = memchr::memchr(b'<', line.get(search..).unwrap_or_default()) {
        let at = search + i;
        let rest = line.get(at..).unwrap_or_default();
        let replacement: &[u8] = if opts.preserve_cr && rest.starts_with(scan::CR_MARKER) {
            b"\r"
        } else if opts.preserve_lf && rest.starts_with(scan::LF_MARKER) {
            b"\n"
        } else {
            search = at + 1;
            continue;
        };
        put(line.get(done..at).unwrap_or_default());
        put(replacement);
        done = at + 4;
        search = done;
    }
    put(line.get(done..).unwrap_or_default());
}

/// Emits the body of an escaped line decoded. The parser has checked the escapes; a stray `\`
/// (impossible here) is kept as is rather than failing.
fn put_unescaped(body: &[u8], put: &mut impl FnMut(&[u8])) {
    // Every slice below is in bounds, so their empty fallbacks are never taken: `at` is a
    // position memchr found in `body`, and `pos` moves to `at + 2` only past a byte at
    // `at + 1`.
    let mut pos = 0;
    while let Some(i) = memchr::memchr(b'\\', body.get(pos..).unwrap_or_default()) {
        let at = pos + i;
        put(body.get(pos..at).unwrap_or_default());
        let decoded: &[u8] = match body.get(at + 1) {
            Some(b'r') => b"\r",
            Some(b'n') => b"\n",
            Some(b'\\') => b"\\",
            _ => {
                put(b"\\");
                pos = at + 1;
                continue;
            }
        };
        put(decoded);
        pos = at + 2;
    }
    put(body.get(pos..).unwrap_or_default());
}
