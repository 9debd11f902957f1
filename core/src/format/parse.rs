//! Splitting record-file text into entries.

use core::fmt;

use super::entry::Entry;
use super::scan::{self, ESCAPE, TIMESTAMP};

/// The entries of a record file's text, in file order. See [`Entries`].
pub fn entries(text: &str) -> Entries<'_> {
    let offset = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    Entries {
        text,
        pos: offset,
        line: 1,
        has_cr: memchr::memchr(b'\r', text.as_bytes()).is_some(),
        started: false,
    }
}

/// Iterator over the entries of a record file's text: `Ok(`[`Entry`]`)` or a [`ParseError`].
///
/// After an error the iteration goes on with the next entry, so a caller can report every
/// problem of a file at once or stop at the first.
#[derive(Debug, Clone)]
pub struct Entries<'a> {
    text: &'a str,
    pos: usize,
    line: u32,
    has_cr: bool,
    started: bool,
}

/// A problem in record-file text, with the 1-based line where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line number (a leading byte-order mark does not count).
    pub line: u32,
    /// What is wrong.
    pub kind: ParseErrorKind,
}

/// What is wrong in a [`ParseError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// A non-blank line before the first entry: every entry starts with a prefix such as
    /// `<-CAL:` or `->RET:`. (The reference would read such text as an entry of its own.)
    TextBeforeFirstEntry,
    /// In an escaped line (one starting with `\:`), a `\` that does not start `\\`, `\r` or
    /// `\n`.
    BadEscape {
        /// The character after the `\`, or `None` when the `\` ends the line.
        found: Option<char>,
    },
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: ", self.line)?;
        match self.kind {
            ParseErrorKind::TextBeforeFirstEntry => {
                f.write_str("text before the first entry (entries start with a prefix such as `<-CAL:` or `->RET:`)")
            }
            ParseErrorKind::BadEscape { found: Some(c) } => {
                write!(f, "bad escape `\\{}` in an escaped line (only `\\\\`, `\\r` and `\\n` are allowed)", c.escape_debug())
            }
            ParseErrorKind::BadEscape { found: None } => {
                f.write_str("escaped line ends with a lone `\\` (only `\\\\`, `\\r` and `\\n` are allowed)")
            }
        }
    }
}

impl core::error::Error for ParseError {}

impl<'a> Entries<'a> {
    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// Moves past the current line.
    #[inline]
    fn advance(&mut self, next: usize) {
        self.pos = next;
        self.line = self.line.saturating_add(1);
    }

    /// Skips blank lines up to the first entry; reports the first non-blank line that is not
    /// an entry start and then skips to the next entry start.
    fn find_first_entry(&mut self) -> Option<ParseError> {
        let bytes = self.bytes();
        while self.pos < bytes.len() {
            let (end, next) = scan::line_end(bytes, self.pos, self.has_cr);
            // `line_end` returns `pos <= end <= len`: the fallback is never taken.
            let line = bytes.get(self.pos..end).unwrap_or_default();
            if scan::starts_entry(line, next > end) {
                return None;
            }
            let blank = line
                .iter()
                .all(|b| matches!(b, b' ' | b'\t' | b'\x0c' | b'\x0b'));
            let line_no = self.line;
            self.advance(next);
            if !blank {
                self.skip_to_entry_start();
                return Some(ParseError {
                    line: line_no,
                    kind: ParseErrorKind::TextBeforeFirstEntry,
                });
            }
        }
        None
    }

    fn skip_to_entry_start(&mut self) {
        let bytes = self.bytes();
        while self.pos < bytes.len() {
            let (end, next) = scan::line_end(bytes, self.pos, self.has_cr);
            // `line_end` returns `pos <= end <= len`: the fallback is never taken.
            let line = bytes.get(self.pos..end).unwrap_or_default();
            if scan::starts_entry(line, next > end) {
                return;
            }
            self.advance(next);
        }
    }

    /// Checks an escaped line's body, turning a failure into a parse error.
    fn check_body(&self, body_start: usize, body_end: usize, line: u32) -> Option<ParseError> {
        // Both callers pass a line's end and a start just past the `\:` that line begins
        // with: in bounds, so the fallback is never taken.
        let body = self.bytes().get(body_start..body_end).unwrap_or_default();
        scan::check_escapes(body).err().map(|at| {
            let found = self
                .text
                .get(body_start + at + 1..)
                .and_then(|s| s.chars().next());
            ParseError {
                line,
                kind: ParseErrorKind::BadEscape { found },
            }
        })
    }

    /// Reads the entry whose first line starts at `self.pos`.
    fn read_entry(&mut self) -> Result<Entry<'a>, ParseError> {
        let bytes = self.bytes();
        let start = self.pos;
        let start_line = self.line;
        let mut error = None;
        let mut has_escape = false;

        let (first_end, next) = scan::line_end(bytes, start, self.has_cr);
        // `line_end` returns `start <= first_end <= len`: the fallback is never taken.
        let first = bytes.get(start..first_end).unwrap_or_default();
        if let Some(colon) = memchr::memchr(b':', first) {
            let tail = start + colon + 1;
            if bytes
                .get(tail..first_end)
                .is_some_and(|t| t.starts_with(ESCAPE))
            {
                has_escape = true;
                error = self.check_body(tail + ESCAPE.len(), first_end, start_line);
            }
        }
        self.advance(next);

        // The last two non-empty lines: the last may be the timestamp line, and then the
        // entry ends with the one before it.
        let mut last = (start, first_end);
        let mut before_last_end = first_end;
        while self.pos < bytes.len() {
            let (end, next) = scan::line_end(bytes, self.pos, self.has_cr);
            // `line_end` returns `pos <= end <= len`: the fallback is never taken.
            let line = bytes.get(self.pos..end).unwrap_or_default();
            if scan::starts_entry(line, next > end) {
                break;
            }
            if !line.is_empty() {
                if line.starts_with(ESCAPE) {
                    has_escape = true;
                    if error.is_none() {
                        error = self.check_body(self.pos + ESCAPE.len(), end, self.line);
                    }
                }
                before_last_end = last.1;
                last = (self.pos, end);
            }
            self.advance(next);
        }
        if let Some(error) = error {
            return Err(error);
        }

        let is_timestamp = last.0 != start
            && bytes
                .get(last.0..last.1)
                .is_some_and(|l| l.starts_with(TIMESTAMP));
        let (end, timestamp) = if is_timestamp {
            (
                before_last_end,
                self.text.get(last.0 + TIMESTAMP.len()..last.1),
            )
        } else {
            (last.1, None)
        };
        // `start` is where a line starts and `end` where a later line (or the same) ends, at a
        // CR, an LF or the end of the text: in bounds and on char boundaries, so the
        // fallbacks are never taken.
        let raw = bytes.get(start..end).unwrap_or_default();
        Ok(Entry {
            raw: self.text.get(start..end).unwrap_or_default(),
            timestamp,
            line: start_line,
            offset: start,
            has_cr: self.has_cr && memchr::memchr(b'\r', raw).is_some(),
            has_escape,
        })
    }
}

impl<'a> Iterator for Entries<'a> {
    type Item = Result<Entry<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        if !self.started {
            self.started = true;
            if let Some(error) = self.find_first_entry() {
                return Some(Err(error));
            }
        }
        if self.pos >= self.text.len() {
            return None;
        }
        Some(self.read_entry())
    }
}

impl core::iter::FusedIterator for Entries<'_> {}
