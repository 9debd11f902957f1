//! How a body is written in a record, and read back: text as it is, bytes that are not
//! text as `0x` and lowercase hex (spec section 2).
//!
//! The reference writes a body's text with CRLF turned into LF, and reads any body text that
//! starts with `0x` as hex, so a text body such as `0xcafe is hex` cannot be replayed by it
//! (spec pitfall 2). We write such a text with one `\` before it, and read a `\` followed by
//! `0x` (or by more `\` and `0x`) back without its first `\`.

use std::borrow::Cow;

/// A body's record text: its UTF-8 text with CRLF written LF, or `0x` and hex when it is
/// not UTF-8. Empty for an empty body. Borrowed when the text is recorded as it is (a large
/// body is not copied for nothing).
pub fn record_text(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            let text = if text.contains("\r\n") {
                Cow::Owned(text.replace("\r\n", "\n"))
            } else {
                Cow::Borrowed(text)
            };
            if needs_escape(&text) {
                Cow::Owned(format!("\\{text}"))
            } else {
                text
            }
        }
        Err(_) => Cow::Owned(hex(bytes)),
    }
}

/// Whether a text body would be read as hex, or as one of our escapes: it starts with any
/// number of `\` and then `0x`.
fn needs_escape(text: &str) -> bool {
    text.trim_start_matches('\\').starts_with("0x")
}

/// `0x` and the lowercase hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(2 + bytes.len() * 2);
    text.push_str("0x");
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0xf)]));
    }
    text
}

/// A recorded `0x` body that is not hex.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("recorded body starts with 0x but is not hex (at character {at})")]
pub struct BadHex {
    /// Where the first character that is not a hex digit pair is.
    pub at: usize,
}

/// The bytes of a recorded body text: hex decoded for `0x…`, our escape removed, any other
/// text as it is (LF stays LF: the reference sends CRLF for every LF, spec pitfall 3).
/// Borrowed when they are the text's own bytes.
pub fn bytes_of(text: &str) -> Result<Cow<'_, [u8]>, BadHex> {
    if let Some(digits) = text.strip_prefix("0x") {
        return unhex(digits).map(Cow::Owned);
    }
    if text.starts_with('\\') && needs_escape(text) {
        return Ok(Cow::Borrowed(&text.as_bytes()[1..]));
    }
    Ok(Cow::Borrowed(text.as_bytes()))
}

/// Hex digits to bytes. Surrounding white space is allowed, as Python's `bytes.fromhex`
/// allows it.
fn unhex(digits: &str) -> Result<Vec<u8>, BadHex> {
    let trimmed = digits.trim();
    let offset = 2 + (digits.len() - digits.trim_start().len());
    if trimmed.len() % 2 != 0 {
        return Err(BadHex {
            at: offset + trimmed.len(),
        });
    }
    let value = |b: u8| char::from(b).to_digit(16);
    trimmed
        .as_bytes()
        .chunks(2)
        .enumerate()
        .map(|(i, pair)| match (value(pair[0]), value(pair[1])) {
            (Some(hi), Some(lo)) => Ok((hi * 16 + lo) as u8),
            _ => Err(BadHex { at: offset + 2 * i }),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_bodies_are_written_with_lf_and_binary_ones_in_hex() {
        assert_eq!(
            record_text(b"line1\nline2\r\nline3\n"),
            "line1\nline2\nline3\n"
        );
        assert_eq!(record_text(b"lone\rcr"), "lone\rcr");
        assert_eq!(record_text(b"\x00\x01\x02\xff\xfe\n\r"), "0x000102fffe0a0d");
        assert_eq!(record_text(b""), "");
    }

    #[test]
    fn a_text_that_looks_like_hex_is_escaped_and_reads_back() {
        for body in ["0xcafe is hex", "\\0x", "\\\\0xzz", "0x"] {
            let written = record_text(body.as_bytes());
            assert_eq!(written, format!("\\{body}"));
            assert_eq!(bytes_of(&written).unwrap(), body.as_bytes());
        }
        // Other backslashes are plain text.
        assert_eq!(record_text(b"\\d+"), "\\d+");
        assert_eq!(&*bytes_of("\\d+").unwrap(), b"\\d+");
    }

    #[test]
    fn every_body_survives_a_round_trip_except_crlf() {
        for body in [&b"plain"[..], b"\x80\x81", b"{\"a\": 1}\n", b"0x12", b"\\"] {
            assert_eq!(&*bytes_of(&record_text(body)).unwrap(), body);
        }
    }

    #[test]
    fn bad_hex_is_an_error_not_a_panic() {
        assert_eq!(bytes_of("0xabc"), Err(BadHex { at: 5 }));
        assert_eq!(bytes_of("0xzz"), Err(BadHex { at: 2 }));
        assert_eq!(bytes_of("0x 0a0b ").unwrap(), &[10u8, 11][..]);
        assert!(bytes_of("0xé1").is_err());
    }
}
