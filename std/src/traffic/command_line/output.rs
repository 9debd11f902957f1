//! A command's stdout and stderr in the record: text as it is (`->OUT:`, `->ERR:`), or, when
//! the output is not UTF-8, its bytes written with an escape under a type of their own
//! (`->OUB:`, `->ERB:`), so that nothing is lost and ordinary output stays the reference's.
//!
//! The escape: a byte that is not part of valid UTF-8 is written `\xNN` (two lower-case hex
//! digits), and a backslash `\\`; everything else is the text as it is. The reference cannot
//! record such output at all (its server fails on the request); replaying our file, it does not
//! know these types and leaves the output out.

use std::borrow::Cow;

/// The record prefix of stdout that is not UTF-8.
pub const STDOUT_BYTES_PREFIX: &str = "->OUB";
/// The record prefix of stderr that is not UTF-8.
pub const STDERR_BYTES_PREFIX: &str = "->ERB";

/// The record form of `bytes`: `text_prefix` and the text when they are UTF-8, else
/// `bytes_prefix` and the escaped bytes.
pub fn record_form<'a>(
    bytes: &'a [u8],
    text_prefix: &'static str,
    bytes_prefix: &'static str,
) -> (&'static str, Cow<'a, str>) {
    match std::str::from_utf8(bytes) {
        Ok(text) => (text_prefix, Cow::Borrowed(text)),
        Err(_) => (bytes_prefix, Cow::Owned(escape(bytes))),
    }
}

/// `bytes` with each byte that is not part of valid UTF-8 written `\xNN` and `\` written `\\`.
pub fn escape(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len() + 16);
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c == '\\' {
                text.push_str("\\\\");
            } else {
                text.push(c);
            }
        }
        for byte in chunk.invalid() {
            text.push_str(&format!("\\x{byte:02x}"));
        }
    }
    text
}

/// The bytes [`escape`] wrote as `text`. A `\` that starts no escape is kept as it is, so
/// that a file edited by hand still replays.
pub fn unescape(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'\\' {
            if bytes.get(at + 1) == Some(&b'\\') {
                out.push(b'\\');
                at += 2;
                continue;
            }
            if bytes.get(at + 1) == Some(&b'x') {
                let hex = text
                    .get(at + 2..at + 4)
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                if let Some(byte) = hex {
                    out.push(byte);
                    at += 4;
                    continue;
                }
            }
        }
        out.push(bytes[at]);
        at += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_stays_text_and_bytes_are_escaped() {
        assert_eq!(
            record_form(b"caf\xc3\xa9 C:\\x\n", "->OUT", "->OUB"),
            ("->OUT", Cow::Borrowed("café C:\\x\n"))
        );
        let (prefix, text) = record_form(b"a\xffb\\x41\xc3\n", "->OUT", "->OUB");
        assert_eq!(prefix, "->OUB");
        assert_eq!(text, "a\\xffb\\\\x41\\xc3\n");
        assert_eq!(unescape(&text), b"a\xffb\\x41\xc3\n");
    }

    #[test]
    fn every_byte_string_survives_the_round_trip() {
        // Every single byte, every pair of bytes, and some longer mixes.
        let mut cases: Vec<Vec<u8>> = (0..=255u8).map(|b| vec![b]).collect();
        for a in [0u8, b'\\', b'x', b'a', 0x80, 0xc3, 0xe2, 0xff] {
            for b in 0..=255u8 {
                cases.push(vec![a, b]);
                cases.push(vec![b'\\', a, b]);
            }
        }
        cases.push("é€𝄞".as_bytes().to_vec());
        cases.push(b"\\x4g\\\\\\x".to_vec());
        for case in cases {
            assert_eq!(unescape(&escape(&case)), case, "{case:?}");
        }
    }

    #[test]
    fn a_stray_backslash_is_kept() {
        assert_eq!(unescape("a\\qb\\x4"), b"a\\qb\\x4");
    }
}
