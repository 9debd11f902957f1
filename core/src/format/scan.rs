//! Byte-level building blocks shared by the reader and the writer: line ends under universal
//! newlines, the reference's entry-start test, markers and escapes.
//!
//! The reader's hot path calls [`line_end`] and [`starts_entry`] once per line, so both work on
//! bytes and only look at code points inside the (at most 36-byte) prefix window.

use super::NewlineOptions;

/// A prefix of 10 or more code points never starts an entry. Nine code points take at most
/// 36 bytes, so a prefix of 37 bytes or more is too long whatever it holds.
const PREFIX_WINDOW: usize = 37;

/// The marker standing for a carriage return when `preserve_cr` is on.
pub(crate) const CR_MARKER: &[u8] = b"<CR>";
/// The marker standing for a line feed when `preserve_lf` is on.
pub(crate) const LF_MARKER: &[u8] = b"<LF>";
/// Start of an escaped line (or of an escaped first-line text).
pub(crate) const ESCAPE: &[u8] = b"\\:";
/// Start of the timestamp line the reference writes after an entry.
pub(crate) const TIMESTAMP: &[u8] = b"--TIM:";

/// End of the line starting at `pos`: `(content_end, next_line_start)`.
///
/// Lines end at LF, CR or CRLF (Python's universal newlines). `next_line_start == content_end`
/// only for a last line without terminator. `has_cr` lets CR-free input (the common case) use
/// the single-byte search.
#[inline]
pub(crate) fn line_end(bytes: &[u8], pos: usize, has_cr: bool) -> (usize, usize) {
    // Callers pass `pos <= bytes.len()`. Past the end there is no line: the empty rest then
    // says so (the end of the text), which is the right answer, not a hidden error.
    let rest = bytes.get(pos..).unwrap_or_default();
    let found = if has_cr {
        memchr::memchr2(b'\n', b'\r', rest)
    } else {
        memchr::memchr(b'\n', rest)
    };
    match found {
        None => (bytes.len(), bytes.len()),
        Some(i) => {
            let end = pos + i;
            let crlf = rest.get(i) == Some(&b'\r') && rest.get(i + 1) == Some(&b'\n');
            (end, end + 1 + usize::from(crlf))
        }
    }
}

#[inline]
fn is_continuation(b: u8) -> bool {
    b & 0xC0 == 0x80
}

/// The reference's entry-start test for one physical line (`line` without its terminator).
///
/// The reference takes `line.split(":")[0]` of the line as Python reads it, i.e. including
/// the translated `"\n"` when the line has no ':' at all; `terminated` says whether there is
/// such a newline (false only for a last line without terminator). The prefix must be
/// shorter than 10 code points and either start with `<-` or have `->` at `[-5:-3]`.
#[inline]
pub(crate) fn starts_entry(line: &[u8], terminated: bool) -> bool {
    // A line shorter than the window is its own window.
    let window = line.get(..PREFIX_WINDOW).unwrap_or(line);
    let (prefix, newline) = match memchr::memchr(b':', window) {
        // `i` was found in `window`: the fallback is never taken.
        Some(i) => (window.get(..i).unwrap_or_default(), false),
        None if line.len() >= PREFIX_WINDOW => return false,
        None => (line, terminated),
    };
    let code_points =
        prefix.iter().filter(|&&b| !is_continuation(b)).count() + usize::from(newline);
    if code_points >= 10 {
        return false;
    }
    if prefix.starts_with(b"<-") {
        return true;
    }
    if code_points < 5 {
        return false;
    }
    // `->` must be followed by exactly three code points, the newline counting as one.
    let mut end = prefix.len();
    for _ in 0..(3 - usize::from(newline)) {
        end = end.saturating_sub(1);
        while end > 0 && prefix.get(end).is_some_and(|&b| is_continuation(b)) {
            end -= 1;
        }
    }
    prefix.get(..end).is_some_and(|p| p.ends_with(b"->"))
}

/// Collects the first code points of a written prefix, to run the entry-start test on text
/// that is not laid out in memory as it will be written (markers expand, a newline follows).
pub(crate) struct PrefixProbe {
    chars: [char; 9],
    len: usize,
    too_long: bool,
}

impl PrefixProbe {
    pub(crate) fn new() -> Self {
        PrefixProbe {
            chars: ['\0'; 9],
            len: 0,
            too_long: false,
        }
    }

    pub(crate) fn push(&mut self, c: char) {
        match self.chars.get_mut(self.len) {
            Some(slot) => {
                *slot = c;
                self.len += 1;
            }
            None => self.too_long = true,
        }
    }

    pub(crate) fn push_str(&mut self, s: &str) {
        s.chars().for_each(|c| self.push(c));
    }

    pub(crate) fn is_full(&self) -> bool {
        self.too_long
    }

    /// The entry-start test on the collected prefix.
    pub(crate) fn starts_entry(&self) -> bool {
        if self.too_long {
            return false;
        }
        // `push` keeps `len` at most `chars.len()`: the fallback is never taken.
        let p = self.chars.get(..self.len).unwrap_or_default();
        let n = p.len();
        p.starts_with(&['<', '-'])
            || (n >= 5 && p.get(n - 5) == Some(&'-') && p.get(n - 4) == Some(&'>'))
    }
}

/// Whether a physical line, written as `line` (expanding CR / LF to markers as `opts` say),
/// would start an entry. `line` must not contain a CR or LF that is not expanded.
pub(crate) fn written_line_starts_entry(line: &str, opts: NewlineOptions) -> bool {
    let mut probe = PrefixProbe::new();
    let mut colon = false;
    for c in line.chars() {
        match c {
            ':' => {
                colon = true;
                break;
            }
            '\r' if opts.preserve_cr => probe.push_str("<CR>"),
            '\n' if opts.preserve_lf => probe.push_str("<LF>"),
            c => probe.push(c),
        }
        if probe.is_full() {
            return false;
        }
    }
    if !colon {
        probe.push('\n');
    }
    probe.starts_entry()
}

/// Whether the reader would turn some of `bytes` into CR or LF under `opts`.
#[inline]
pub(crate) fn has_marker(bytes: &[u8], opts: NewlineOptions) -> bool {
    (opts.preserve_cr && memchr::memmem::find(bytes, CR_MARKER).is_some())
        || (opts.preserve_lf && memchr::memmem::find(bytes, LF_MARKER).is_some())
}

/// Checks the body of an escaped line (after `\:`): every `\` must start `\\`, `\r` or `\n`.
/// On failure returns the byte offset of the bad `\` within `body`.
pub(crate) fn check_escapes(body: &[u8]) -> Result<(), usize> {
    // `pos` moves to `at + 2` only past a byte at `at + 1`, so `pos..` is in bounds and its
    // fallback is never taken.
    let mut pos = 0;
    while let Some(i) = memchr::memchr(b'\\', body.get(pos..).unwrap_or_default()) {
        let at = pos + i;
        match body.get(at + 1) {
            Some(b'\\' | b'r' | b'n') => pos = at + 2,
            _ => return Err(at),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn starts(line: &str) -> bool {
        starts_entry(line.as_bytes(), true)
    }

    #[test]
    fn line_ends_follow_universal_newlines() {
        let b = b"a\nb\r\nc\rd";
        assert_eq!(line_end(b, 0, true), (1, 2));
        assert_eq!(line_end(b, 2, true), (3, 5));
        assert_eq!(line_end(b, 5, true), (6, 7));
        assert_eq!(line_end(b, 7, true), (8, 8));
        assert_eq!(line_end(b, 8, true), (8, 8));
        // Without the CR hint only LF ends lines (the caller guarantees there is no CR).
        assert_eq!(line_end(b"ab\ncd", 0, false), (2, 3));
        assert_eq!(line_end(b"a\r", 0, true), (1, 2));
        assert_eq!(line_end(b"\r\r\n", 0, true), (0, 1));
        assert_eq!(line_end(b"\r\r\n", 1, true), (1, 3));
    }

    #[test]
    fn entry_starts_like_the_reference() {
        assert!(starts("<-CAL:foo"));
        assert!(starts("->RET:foo"));
        assert!(starts("  ->RET:foo"));
        assert!(starts("xx->YYY:foo"));
        assert!(starts("<-:x"));
        assert!(starts("<-"));
        assert!(starts("<-CMD"));
        assert!(starts("é->RET:x"));
        assert!(starts("éééé->RET:x"));
        assert!(!starts("ééééé->RET:x"), "10 code points");
        assert!(starts("1234->RET:x"));
        assert!(!starts("12345->RET:x"), "prefix of 10 code points");
        assert!(!starts("<-23456789:x"));
        assert!(starts("<-2345678:x"));
        assert!(!starts("->RETX:x"));
        assert!(!starts("->RE:x"));
        assert!(!starts("<:x"));
        assert!(!starts("plain text"));
        assert!(!starts(""));
        assert!(!starts("--TIM:2024"));
        assert!(!starts("\\:<-CAL:x"));
        // The reference nests Python call-backs by extending arrows, not by indenting them.
        assert!(starts("--->PYT:inner()"));
        assert!(starts("<---RET:x"));
        assert!(starts("<-----PYT:x"));
        assert!(starts("----->RET:x"));
        assert!(!starts("  <-PYT:x"));
    }

    #[test]
    fn lines_without_colon_count_their_newline() {
        // "->RET\n" has `>R` at [-5:-3]; without the newline (end of file) it is an entry.
        assert!(!starts_entry(b"->RET", true));
        assert!(starts_entry(b"->RET", false));
        assert!(starts_entry(b"->AB", true));
        assert!(!starts_entry(b"->AB", false));
        assert!(starts_entry(b"xx->AB", true));
        assert!(starts_entry("->éé".as_bytes(), true));
        assert!(!starts_entry("->ééé".as_bytes(), true));
        assert!(!starts_entry(b"<-2345678", true));
        assert!(starts_entry(b"<-234567", true));
        assert!(!starts_entry(
            b"<-34567890123456789012345678901234567890",
            true
        ));
    }

    #[test]
    fn written_prefix_test_matches_the_byte_test() {
        for line in [
            "<-CAL:x",
            "  ->RET:y",
            "->RET",
            "->AB",
            "ééééé->RET:x",
            "abc",
            "<-",
            "x:y",
        ] {
            assert_eq!(
                written_line_starts_entry(line, NewlineOptions::default()),
                starts_entry(line.as_bytes(), true),
                "{line}"
            );
        }
        let cr = NewlineOptions {
            preserve_cr: true,
            preserve_lf: false,
        };
        // "\r->RET" is written "<CR>->RET", which starts an entry.
        assert!(written_line_starts_entry("\r->RET:x", cr));
        assert!(!written_line_starts_entry("\r\r:x", cr));
    }

    #[test]
    fn escapes_are_checked() {
        assert_eq!(check_escapes(b"a\\\\b\\rc\\n"), Ok(()));
        assert_eq!(check_escapes(b"a\\x"), Err(1));
        assert_eq!(check_escapes(b"ab\\"), Err(2));
        assert_eq!(check_escapes(b""), Ok(()));
    }

    #[test]
    fn markers_depend_on_options() {
        let both = NewlineOptions {
            preserve_cr: true,
            preserve_lf: true,
        };
        assert!(!has_marker(b"a<CR>b", NewlineOptions::default()));
        assert!(has_marker(b"a<CR>b", both));
        assert!(has_marker(b"a<LF>b", both));
        assert!(!has_marker(b"a<CRb", both));
    }
}
