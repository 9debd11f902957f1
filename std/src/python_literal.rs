//! Python string, list and dict literals of OS data: parsed, never evaluated.
//!
//! The command-line protocol (`SUT_COMMAND_LINE:`) sends a program's argv as the Python
//! `repr` of a list of `str`, and its environment as the `repr` of a dict of `str` to `str`.
//! The reference's server `eval`s them, which runs whatever a local client sends; this module
//! reads the same text as data instead, and writes text that Python's `eval` (and so the
//! reference's server) reads back to the same values.
//!
//! Values are bytes, not `String`: argv and the environment are bytes on Unix, and Python
//! carries the bytes that are not UTF-8 as lone surrogates `\udc80`..`\udcff` (its
//! `surrogateescape` error handler, used by `os.environ` and `sys.argv`). A value here is
//! what the operating system saw: UTF-8 for characters, the raw byte for each `\udcXX`. Any
//! other lone surrogate has no bytes behind it and is an error.
//!
//! What the parser accepts is everything `repr` produces, plus the rest of the escapes of a
//! plain (unprefixed, single-line) Python string literal: both quote styles, `\\ \' \" \n \r
//! \t \a \b \f \v`, octal `\ooo`, `\xNN`, `\uNNNN`, `\UNNNNNNNN`, a backslash before a line
//! break (nothing), an unknown escape (kept as backslash and character, as Python keeps it),
//! raw non-ASCII characters, white space and line breaks between items, a trailing comma,
//! adjacent literals (`'a' 'b'` is `'ab'`, as `pprint.pformat` writes a long string). It
//! refuses what `repr` never writes and would take real work to get exactly right: prefixes
//! (`b''`, `r''`), triple quotes, `\N{name}`, comments.
//!
//! The writer always uses single quotes and ASCII only, so the text survives any locale
//! encoding on the way: `\\`, `\'`, `\n`, `\r`, `\t`, `\xNN` for the other control characters
//! and for U+0080..U+00FF, `\uNNNN`, `\UNNNNNNNN`, and `\udcXX` for each byte that is not part
//! of valid UTF-8.

use std::collections::HashMap;
use std::fmt::Write as _;

/// Why a literal could not be read; each variant says where (a byte offset in the text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LiteralError {
    /// Something else was found where the grammar needs a particular token.
    #[error("expected {expected} at byte {offset}")]
    Expected {
        /// What was expected, e.g. `"a string literal"`.
        expected: &'static str,
        /// Where.
        offset: usize,
    },
    /// A string literal has no closing quote before the end of its line or of the text.
    #[error("unterminated string literal starting at byte {offset}")]
    Unterminated {
        /// Where the literal starts (its opening quote).
        offset: usize,
    },
    /// A `\x`, `\u` or `\U` escape without its full number of hex digits.
    #[error("truncated \\{escape} escape at byte {offset}")]
    TruncatedEscape {
        /// The escape letter: `x`, `u` or `U`.
        escape: char,
        /// Where the backslash is.
        offset: usize,
    },
    /// `\N{...}`: `repr` never writes it, and it needs Unicode's name table.
    #[error("\\N{{...}} escape at byte {offset} is not supported")]
    NamedEscape {
        /// Where the backslash is.
        offset: usize,
    },
    /// A `\U` escape beyond U+10FFFF.
    #[error("\\U escape at byte {offset} is beyond U+10FFFF")]
    OutOfRange {
        /// Where the backslash is.
        offset: usize,
    },
    /// A lone surrogate that does not stand for an undecodable byte (only `\udc80`..`\udcff`
    /// do, in Python's `surrogateescape`).
    #[error("lone surrogate \\u{code:04x} at byte {offset} stands for no byte (only \\udc80..\\udcff do)")]
    Surrogate {
        /// The surrogate's code point.
        code: u32,
        /// Where its escape starts.
        offset: usize,
    },
    /// A string prefix (`b`, `r`, `u`, `f`...) or triple quotes, which `repr` of a `str`
    /// never writes.
    #[error("string prefixes and triple quotes are not supported (byte {offset})")]
    UnsupportedString {
        /// Where the literal starts.
        offset: usize,
    },
    /// Text after the closing bracket.
    #[error("unexpected text after the literal at byte {offset}")]
    Trailing {
        /// Where the extra text starts.
        offset: usize,
    },
}

impl LiteralError {
    /// The byte offset in the text that the error is about.
    pub fn offset(&self) -> usize {
        match *self {
            LiteralError::Expected { offset, .. }
            | LiteralError::Unterminated { offset }
            | LiteralError::TruncatedEscape { offset, .. }
            | LiteralError::NamedEscape { offset }
            | LiteralError::OutOfRange { offset }
            | LiteralError::Surrogate { offset, .. }
            | LiteralError::UnsupportedString { offset }
            | LiteralError::Trailing { offset } => offset,
        }
    }
}

/// Parses a list literal of strings, `['git', 'log', '-n', '3']`, into the bytes of each.
///
/// ```
/// use capturemock::python_literal::parse_str_list;
///
/// let argv = parse_str_list(r#"['/tmp/s/mytool', 'a b', "it's", 'caf\xe9', '\udcff']"#).unwrap();
/// assert_eq!(argv, [&b"/tmp/s/mytool"[..], b"a b", b"it's", "café".as_bytes(), b"\xff"]);
/// ```
pub fn parse_str_list(text: &str) -> Result<Vec<Vec<u8>>, LiteralError> {
    let mut p = Parser::new(text);
    p.expect(b'[', "'['")?;
    let mut items = Vec::new();
    while !p.next_item(b']', "a string literal or ']'", !items.is_empty())? {
        items.push(p.joined_string()?);
    }
    p.end()?;
    Ok(items)
}

/// Parses a dict literal of strings to strings, `{'HOME': '/root', 'LANG': 'C'}`, into its
/// pairs in text order.
///
/// A key given twice keeps Python's semantics: one entry, at the first key's position, with
/// the last value.
///
/// ```
/// use capturemock::python_literal::parse_str_dict;
///
/// let env = parse_str_dict("{'A': '1', 'B': '2', 'A': '3'}").unwrap();
/// assert_eq!(env, [(b"A".to_vec(), b"3".to_vec()), (b"B".to_vec(), b"2".to_vec())]);
/// ```
// The pairs' type is spelled out: it is the whole contract, and an alias would hide it.
#[allow(clippy::type_complexity)]
pub fn parse_str_dict(text: &str) -> Result<Vec<(Vec<u8>, Vec<u8>)>, LiteralError> {
    let mut p = Parser::new(text);
    p.expect(b'{', "'{'")?;
    let mut pairs = Vec::new();
    while !p.next_item(b'}', "a string literal or '}'", !pairs.is_empty())? {
        let key = p.joined_string()?;
        p.skip_space();
        p.expect(b':', "':'")?;
        p.skip_space();
        let value = p.joined_string()?;
        pairs.push((key, value));
    }
    p.end()?;
    Ok(merge_repeated_keys(pairs))
}

/// Python's dict semantics for a key given twice: the first position, the last value.
/// A hash map finds repeats, so that a long literal costs linear time.
fn merge_repeated_keys(mut pairs: Vec<(Vec<u8>, Vec<u8>)>) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut first: HashMap<&[u8], usize> = HashMap::with_capacity(pairs.len());
    // For each later repeat, the index of the first entry with its key.
    let mut repeats = Vec::new();
    for (index, (key, _)) in pairs.iter().enumerate() {
        if let Some(&at) = first.get(key.as_slice()) {
            repeats.push((index, at));
        } else {
            first.insert(key, index);
        }
    }
    drop(first);
    if repeats.is_empty() {
        return pairs;
    }
    for &(index, at) in &repeats {
        let value = std::mem::take(&mut pairs[index].1);
        pairs[at].1 = value;
    }
    let mut repeat = repeats.iter().map(|&(index, _)| index).peekable();
    let mut index = 0;
    pairs.retain(|_| {
        let keep = repeat.peek() != Some(&index);
        if !keep {
            repeat.next();
        }
        index += 1;
        keep
    });
    pairs
}

/// Appends a single-quoted, ASCII-only Python `str` literal that evaluates to the string
/// whose OS bytes are `value` (UTF-8 characters, and `\udcXX` for each byte that is not part
/// of valid UTF-8, as Python's `surrogateescape` decodes it).
///
/// ```
/// use capturemock::python_literal::write_str;
///
/// let mut out = String::new();
/// write_str(&mut out, b"it's caf\xc3\xa9\n\xff");
/// assert_eq!(out, r"'it\'s caf\xe9\n\udcff'");
/// ```
pub fn write_str(out: &mut String, value: &[u8]) {
    out.push('\'');
    for chunk in value.utf8_chunks() {
        for c in chunk.valid().chars() {
            write_char(out, c);
        }
        for &byte in chunk.invalid() {
            // Writing to a String cannot fail.
            let _ = write!(out, "\\udc{byte:02x}");
        }
    }
    out.push('\'');
}

fn write_char(out: &mut String, c: char) {
    let _ = match c {
        '\\' => out.write_str("\\\\"),
        '\'' => out.write_str("\\'"),
        '\n' => out.write_str("\\n"),
        '\r' => out.write_str("\\r"),
        '\t' => out.write_str("\\t"),
        ' '..='~' => out.write_char(c),
        '\0'..='\u{ff}' => write!(out, "\\x{:02x}", c as u32),
        '\u{100}'..='\u{ffff}' => write!(out, "\\u{:04x}", c as u32),
        _ => write!(out, "\\U{:08x}", c as u32),
    };
}

/// Appends a list literal of strings, with `repr`'s separators: `['a', 'b']`.
///
/// ```
/// use capturemock::python_literal::write_str_list;
///
/// let mut out = String::new();
/// write_str_list(&mut out, [&b"git"[..], b"log"]);
/// assert_eq!(out, "['git', 'log']");
/// ```
pub fn write_str_list<'a>(out: &mut String, items: impl IntoIterator<Item = &'a [u8]>) {
    out.push('[');
    for (index, item) in items.into_iter().enumerate() {
        if index > 0 {
            out.push_str(", ");
        }
        write_str(out, item);
    }
    out.push(']');
}

/// Appends a dict literal of strings to strings, with `repr`'s separators:
/// `{'A': '1', 'B': '2'}`.
///
/// ```
/// use capturemock::python_literal::write_str_dict;
///
/// let mut out = String::new();
/// write_str_dict(&mut out, [(&b"A"[..], &b"1"[..]), (b"B", b"2")]);
/// assert_eq!(out, "{'A': '1', 'B': '2'}");
/// ```
pub fn write_str_dict<'a>(out: &mut String, items: impl IntoIterator<Item = (&'a [u8], &'a [u8])>) {
    out.push('{');
    for (index, (key, value)) in items.into_iter().enumerate() {
        if index > 0 {
            out.push_str(", ");
        }
        write_str(out, key);
        out.push_str(": ");
        write_str(out, value);
    }
    out.push('}');
}

/// The quoted string literal that starts at byte `at` of `text` (no prefix, one line), as
/// its OS bytes, and the byte after its closing quote: for parsers of larger Python literals
/// (XML-RPC results) that meet strings among other tokens.
#[cfg(feature = "http")]
pub(crate) fn parse_string_at(text: &str, at: usize) -> Result<(Vec<u8>, usize), LiteralError> {
    let mut p = Parser { text, pos: at };
    let value = p.string()?;
    Ok((value, p.pos))
}

/// A cursor over the text. Offsets in errors are byte offsets into it.
struct Parser<'t> {
    text: &'t str,
    pos: usize,
}

impl<'t> Parser<'t> {
    fn new(text: &'t str) -> Self {
        let mut p = Parser { text, pos: 0 };
        p.skip_space();
        p
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    /// White space between tokens: Python's blanks, and line breaks, which brackets allow.
    fn skip_space(&mut self) {
        while let Some(b' ' | b'\t' | b'\x0c' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8, expected: &'static str) -> Result<(), LiteralError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(LiteralError::Expected {
                expected,
                offset: self.pos,
            })
        }
    }

    /// Between items: skips white space and a separating comma, and says whether `close`
    /// ends the container (then consumed) rather than an item following. `after_item` is
    /// whether an item came before, which makes a comma necessary before the next one (and
    /// allows a trailing one).
    fn next_item(
        &mut self,
        close: u8,
        expected: &'static str,
        after_item: bool,
    ) -> Result<bool, LiteralError> {
        self.skip_space();
        if after_item && self.peek() != Some(close) {
            self.expect(
                b',',
                if close == b']' {
                    "',' or ']'"
                } else {
                    "',' or '}'"
                },
            )?;
            self.skip_space();
        }
        match self.peek() {
            Some(b) if b == close => {
                self.pos += 1;
                Ok(true)
            }
            Some(b'\'' | b'"') => Ok(false),
            Some(b) if b.is_ascii_alphabetic() => {
                Err(LiteralError::UnsupportedString { offset: self.pos })
            }
            _ => Err(LiteralError::Expected {
                expected,
                offset: self.pos,
            }),
        }
    }

    fn end(&mut self) -> Result<(), LiteralError> {
        self.skip_space();
        if self.pos == self.text.len() {
            Ok(())
        } else {
            Err(LiteralError::Trailing { offset: self.pos })
        }
    }

    /// One or more adjacent string literals at the cursor, joined as Python joins them
    /// (`'a' 'b'` is `'ab'`): `pprint.pformat` cuts a long string into such pieces.
    fn joined_string(&mut self) -> Result<Vec<u8>, LiteralError> {
        let mut value = self.string()?;
        loop {
            let after = self.pos;
            self.skip_space();
            if !matches!(self.peek(), Some(b'\'' | b'"')) {
                self.pos = after;
                return Ok(value);
            }
            value.extend(self.string()?);
        }
    }

    /// One quoted string at the cursor, decoded to its OS bytes.
    fn string(&mut self) -> Result<Vec<u8>, LiteralError> {
        let start = self.pos;
        let quote = match self.peek() {
            Some(q @ (b'\'' | b'"')) => q,
            Some(b) if b.is_ascii_alphabetic() => {
                return Err(LiteralError::UnsupportedString { offset: start })
            }
            _ => {
                return Err(LiteralError::Expected {
                    expected: "a string literal",
                    offset: start,
                })
            }
        };
        let bytes = self.text.as_bytes();
        if bytes.get(start + 1) == Some(&quote) && bytes.get(start + 2) == Some(&quote) {
            return Err(LiteralError::UnsupportedString { offset: start });
        }
        self.pos += 1;
        let mut value = Vec::new();
        loop {
            // Copy the run of plain characters at once: a literal is mostly plain text.
            let run_end = bytes[self.pos..]
                .iter()
                .position(|&b| b == quote || b == b'\\' || b == b'\n' || b == b'\r')
                .map_or(bytes.len(), |n| self.pos + n);
            value.extend_from_slice(&bytes[self.pos..run_end]);
            self.pos = run_end;
            match self.peek() {
                Some(b) if b == quote => {
                    self.pos += 1;
                    return Ok(value);
                }
                Some(b'\\') => self.escape(&mut value)?,
                _ => return Err(LiteralError::Unterminated { offset: start }),
            }
        }
    }

    /// The escape at the cursor (a backslash), appended to `value`.
    fn escape(&mut self, value: &mut Vec<u8>) -> Result<(), LiteralError> {
        let at = self.pos;
        let bytes = self.text.as_bytes();
        let Some(&letter) = bytes.get(at + 1) else {
            return Err(LiteralError::Unterminated { offset: at });
        };
        self.pos = at + 2;
        let simple = match letter {
            b'\\' => Some(b'\\'),
            b'\'' => Some(b'\''),
            b'"' => Some(b'"'),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            b'a' => Some(0x07),
            b'b' => Some(0x08),
            b'f' => Some(0x0c),
            b'v' => Some(0x0b),
            _ => None,
        };
        if let Some(byte) = simple {
            value.push(byte);
            return Ok(());
        }
        match letter {
            // A backslash before a line break joins the lines.
            b'\n' => {}
            b'\r' => {
                if self.peek() == Some(b'\n') {
                    self.pos += 1;
                }
            }
            b'0'..=b'7' => {
                let mut code = u32::from(letter - b'0');
                for _ in 0..2 {
                    match self.peek() {
                        Some(d @ b'0'..=b'7') => {
                            code = code * 8 + u32::from(d - b'0');
                            self.pos += 1;
                        }
                        _ => break,
                    }
                }
                push_code(value, code, at)?;
            }
            b'x' | b'u' | b'U' => {
                let digits = match letter {
                    b'x' => 2,
                    b'u' => 4,
                    _ => 8,
                };
                let hex = bytes
                    .get(self.pos..self.pos + digits)
                    .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                    .ok_or(LiteralError::TruncatedEscape {
                        escape: char::from(letter),
                        offset: at,
                    })?;
                self.pos += digits;
                let code = hex.iter().fold(0u32, |n, &h| {
                    n * 16 + char::from(h).to_digit(16).unwrap_or(0)
                });
                if code > 0x10_ffff {
                    return Err(LiteralError::OutOfRange { offset: at });
                }
                push_code(value, code, at)?;
            }
            b'N' => return Err(LiteralError::NamedEscape { offset: at }),
            _ => {
                // Unknown escapes keep their backslash (Python warns, but keeps both).
                // The character after it may be non-ASCII: copy it whole.
                value.push(b'\\');
                self.pos = at + 1;
            }
        }
        Ok(())
    }
}

/// Appends the OS bytes of code point `code`: its UTF-8, or the byte a `surrogateescape`
/// surrogate stands for.
fn push_code(value: &mut Vec<u8>, code: u32, offset: usize) -> Result<(), LiteralError> {
    match code {
        0xdc80..=0xdcff => value.push((code - 0xdc00) as u8),
        0xd800..=0xdfff => return Err(LiteralError::Surrogate { code, offset }),
        _ => {
            let c = char::from_u32(code).ok_or(LiteralError::OutOfRange { offset })?;
            value.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(text: &str) -> Vec<Vec<u8>> {
        parse_str_list(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn one(literal: &str) -> Vec<u8> {
        let mut items = list(&format!("[{literal}]"));
        assert_eq!(items.len(), 1);
        items.remove(0)
    }

    fn written(value: &[u8]) -> String {
        let mut out = String::new();
        write_str(&mut out, value);
        out
    }

    #[test]
    fn lists_as_repr_writes_them_and_with_any_spacing() {
        assert_eq!(list("[]"), Vec::<Vec<u8>>::new());
        assert_eq!(list(" [ ] "), Vec::<Vec<u8>>::new());
        assert_eq!(list("['a', \"b\"]"), [b"a", b"b"]);
        assert_eq!(list("[\n 'a' ,\n\t'b',\r\n]"), [b"a", b"b"]);
        assert_eq!(list("['']"), [b""]);
    }

    #[test]
    fn escapes_of_both_quote_styles() {
        assert_eq!(one(r#""it's""#), b"it's");
        assert_eq!(one(r#"'say "hi"'"#), b"say \"hi\"");
        assert_eq!(one(r#"'\'\"\\'"#), b"'\"\\");
        assert_eq!(one(r#""\'\"""#), b"'\"");
        assert_eq!(one(r"'\n\r\t\a\b\f\v'"), b"\n\r\t\x07\x08\x0c\x0b");
        assert_eq!(one(r"'\0\01\012\1234'"), b"\0\x01\n\x534");
        assert_eq!(one(r"'\400'"), "\u{100}".as_bytes());
        assert_eq!(one(r"'\x41\xe9\xff'"), "Aéÿ".as_bytes());
        assert_eq!(one(r"'\u20ac\U0001f600'"), "€😀".as_bytes());
        assert_eq!(one("'a\\\nb'"), b"ab");
        assert_eq!(one("'a\\\r\nb'"), b"ab");
        // Unknown escapes keep their backslash, as Python does.
        assert_eq!(one(r"'\q\8\é'"), "\\q\\8\\é".as_bytes());
    }

    #[test]
    fn surrogates_are_undecodable_bytes_or_errors() {
        assert_eq!(one(r"'\udc80\udcff'"), b"\x80\xff");
        assert_eq!(one(r"'a\udcc3\udca9'"), "aé".as_bytes());
        assert_eq!(one(r"'\U0000dcfe'"), b"\xfe");
        assert_eq!(
            parse_str_list(r"['ok', '\ud83d']"),
            Err(LiteralError::Surrogate {
                code: 0xd83d,
                offset: 8
            })
        );
        assert!(matches!(
            parse_str_list(r"['\udc7f']"),
            Err(LiteralError::Surrogate { code: 0xdc7f, .. })
        ));
    }

    #[test]
    fn adjacent_literals_are_one_string_as_in_python() {
        // Python: eval("['a' 'b', 'c']") == ['ab', 'c']; line breaks inside brackets too.
        assert_eq!(
            parse_str_list("['a' 'b', 'c']").unwrap(),
            [&b"ab"[..], b"c"]
        );
        assert_eq!(parse_str_list("['a'\n 'b' \"c\"]").unwrap(), [b"abc"]);
        assert_eq!(
            parse_str_dict("{'k' '1': 'v' '2'}").unwrap(),
            [(b"k1".to_vec(), b"v2".to_vec())]
        );
        assert!(matches!(
            parse_str_list("['a' b'x']"),
            Err(LiteralError::Expected { offset: 5, .. })
        ));
    }

    #[test]
    fn raw_non_ascii_characters_are_their_utf8() {
        assert_eq!(one("'café 😀'"), "café 😀".as_bytes());
    }

    #[test]
    fn errors_say_what_and_where() {
        let cases: &[(&str, LiteralError)] = &[
            (
                "",
                LiteralError::Expected {
                    expected: "'['",
                    offset: 0,
                },
            ),
            (
                "['a' 1]",
                LiteralError::Expected {
                    expected: "',' or ']'",
                    offset: 5,
                },
            ),
            (
                "['a',,]",
                LiteralError::Expected {
                    expected: "a string literal or ']'",
                    offset: 5,
                },
            ),
            ("['a", LiteralError::Unterminated { offset: 1 }),
            ("['a\nb']", LiteralError::Unterminated { offset: 1 }),
            ("['a\\", LiteralError::Unterminated { offset: 3 }),
            (
                r"['\x4']",
                LiteralError::TruncatedEscape {
                    escape: 'x',
                    offset: 2,
                },
            ),
            (
                r"['\u12g4']",
                LiteralError::TruncatedEscape {
                    escape: 'u',
                    offset: 2,
                },
            ),
            (r"['\U00110000']", LiteralError::OutOfRange { offset: 2 }),
            (r"['\N{DASH}']", LiteralError::NamedEscape { offset: 2 }),
            ("[b'a']", LiteralError::UnsupportedString { offset: 1 }),
            ("['''a''']", LiteralError::UnsupportedString { offset: 1 }),
            ("['a'] x", LiteralError::Trailing { offset: 6 }),
            (
                "[1]",
                LiteralError::Expected {
                    expected: "a string literal or ']'",
                    offset: 1,
                },
            ),
        ];
        for (text, error) in cases {
            assert_eq!(parse_str_list(text).as_ref(), Err(error), "{text:?}");
            assert_eq!(error.offset(), parse_str_list(text).unwrap_err().offset());
        }
        assert_eq!(
            LiteralError::Surrogate {
                code: 0xd800,
                offset: 3
            }
            .to_string(),
            r"lone surrogate \ud800 at byte 3 stands for no byte (only \udc80..\udcff do)"
        );
    }

    #[test]
    fn dicts_in_text_order_with_python_repeat_semantics() {
        let pair = |k: &str, v: &str| (k.as_bytes().to_vec(), v.as_bytes().to_vec());
        assert_eq!(parse_str_dict("{}").unwrap(), []);
        assert_eq!(
            parse_str_dict("{'B': '1', \"A\" :'2',}").unwrap(),
            [pair("B", "1"), pair("A", "2")]
        );
        assert_eq!(
            parse_str_dict("{'A': '1', 'B': '2', 'A': '3', 'C': '4', 'B': '5', 'A': '6'}").unwrap(),
            [pair("A", "6"), pair("B", "5"), pair("C", "4")]
        );
        assert_eq!(
            parse_str_dict("{'A' 1}"),
            Err(LiteralError::Expected {
                expected: "':'",
                offset: 5
            })
        );
        assert_eq!(
            parse_str_dict("{'A': 1}"),
            Err(LiteralError::Expected {
                expected: "a string literal",
                offset: 6
            })
        );
    }

    #[test]
    fn writer_is_ascii_single_quoted_and_escapes_bytes_that_are_not_utf8() {
        assert_eq!(written(b""), "''");
        assert_eq!(written(b"a b"), "'a b'");
        assert_eq!(written(b"'\"\\"), r#"'\'"\\'"#);
        assert_eq!(written(b"\n\r\t\0\x1f\x7f"), r"'\n\r\t\x00\x1f\x7f'");
        assert_eq!(written("é€😀".as_bytes()), r"'\xe9\u20ac\U0001f600'");
        // Truncated and surrogate-encoding sequences are bytes, one escape each.
        assert_eq!(written(b"\xf0\x9f\x98A"), r"'\udcf0\udc9f\udc98A'");
        assert_eq!(written(b"\xed\xa0\x80"), r"'\udced\udca0\udc80'");
    }

    #[test]
    fn written_text_parses_back() {
        let values: [&[u8]; 5] = [
            b"",
            b"plain",
            b"\xff\xfe'\"\\",
            "é😀\u{7f}".as_bytes(),
            b"\0\n",
        ];
        let mut out = String::new();
        write_str_list(&mut out, values);
        assert_eq!(list(&out), values);
        let mut out = String::new();
        write_str_dict(&mut out, values.iter().map(|v| (*v, *v)));
        let pairs = parse_str_dict(&out).unwrap();
        assert_eq!(pairs.len(), values.len());
        for ((k, v), expected) in pairs.iter().zip(values) {
            assert_eq!((k.as_slice(), v.as_slice()), (expected, expected));
        }
    }
}
