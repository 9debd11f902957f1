//! What the server's reply means: `STDOUT|TT_CMD_SEP|STDERR|TT_CMD_SEP|EXIT`, or a text that
//! is not in that form (compat spec `command-line.md`, sections 2 and 7).

use std::io::Write;

/// The separator of the reply's three parts.
const REPLY_SEPARATOR: &[u8] = crate::traffic::command_line::message::REPLY_SEPARATOR.as_bytes();

/// The start of the reference server's reply to a request with no exact match under
/// `use_exact_matching`.
pub const MISMATCH_PREFIX: &[u8] = b"CAPTUREMOCK MISMATCH";

/// A reply, read: what to write, then how to end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply<'a> {
    /// Written to stdout first, then flushed.
    pub stdout: &'a [u8],
    /// Written to stderr after stdout.
    pub stderr: &'a [u8],
    /// How the shim ends once both are written.
    pub end: End<'a>,
}

/// How the shim ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End<'a> {
    /// Exit with this status: EXIT >= 0, its low 8 bits, as `exit(2)` keeps them. 129..160
    /// are plain statuses here: the reference takes them for a death by signal and waits for
    /// one forever (spec section 8).
    Exit(u8),
    /// Die by this signal: EXIT < 0, the real program's death by signal -EXIT.
    Signal(i32),
    /// The reference server's mismatch reply: its description, stripped; the shim says the
    /// calls do not match and exits 1.
    Mismatch(&'a [u8]),
    /// Anything else (the server crashed and sent nothing, a status that is not a number):
    /// the whole reply, which the shim shows; it then exits 0, as the reference does.
    Unexpected(&'a [u8]),
}

/// Reads a reply as the reference's shim does: exactly three parts and a decimal status;
/// otherwise a mismatch when the text starts with [`MISMATCH_PREFIX`], else an unexpected
/// reply. A status that is not a number still has its stdout and stderr written first.
///
/// ```
/// use capturemock::shim::{parse_reply, End};
///
/// let reply = parse_reply(b"out\n|TT_CMD_SEP|err\n|TT_CMD_SEP|3");
/// assert_eq!((reply.stdout, reply.stderr, reply.end), (&b"out\n"[..], &b"err\n"[..], End::Exit(3)));
/// assert_eq!(parse_reply(b"|TT_CMD_SEP||TT_CMD_SEP|-15").end, End::Signal(15));
/// assert_eq!(parse_reply(b"").end, End::Unexpected(b""));
/// ```
pub fn parse_reply(reply: &[u8]) -> Reply<'_> {
    let parts = split(reply);
    let (stdout, stderr, status) = match parts.as_slice() {
        [stdout, stderr, status] => (*stdout, *stderr, Some(*status)),
        _ => (&b""[..], &b""[..], None),
    };
    let end = match status.and_then(parse_status) {
        Some(status) if status < 0 => End::Signal(
            status
                .checked_neg()
                .and_then(|s| i32::try_from(s).ok())
                .unwrap_or(i32::MAX),
        ),
        Some(status) => End::Exit((status & 0xff) as u8),
        None if reply.starts_with(MISMATCH_PREFIX) => End::Mismatch(mismatch_description(reply)),
        None => End::Unexpected(reply),
    };
    Reply {
        stdout,
        stderr,
        end,
    }
}

fn split(reply: &[u8]) -> Vec<&[u8]> {
    let mut parts = Vec::with_capacity(3);
    let mut rest = reply;
    while let Some(at) = rest
        .windows(REPLY_SEPARATOR.len())
        .position(|w| w == REPLY_SEPARATOR)
    {
        parts.push(&rest[..at]);
        rest = &rest[at + REPLY_SEPARATOR.len()..];
    }
    parts.push(rest);
    parts
}

/// A status as Python's `int()` reads what a server sends: white space around, an optional
/// sign, decimal digits. (`int()` also takes `_` between digits and non-ASCII digits, which
/// no server writes.) `None` when it is not one, or is beyond `i64`.
fn parse_status(text: &[u8]) -> Option<i64> {
    let text = text.trim_ascii();
    let (negative, digits) = match text.first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let value: i64 = std::str::from_utf8(digits).ok()?.parse().ok()?;
    Some(if negative { -value } else { value })
}

/// The text after the first `:`, stripped of white space as Python's `str.strip()` does.
fn mismatch_description(reply: &[u8]) -> &[u8] {
    let after = match reply.iter().position(|&b| b == b':') {
        Some(at) => &reply[at + 1..],
        None => reply,
    };
    match std::str::from_utf8(after) {
        Ok(text) => capturemock_core::words::python_strip(text).as_bytes(),
        Err(_) => after.trim_ascii(),
    }
}

/// Writes what the reply says to write, stdout first (flushed) then stderr, as the reference
/// does, so their interleaving is lost. Write errors are ignored: a reader that has gone away
/// (`mytool | head -1`) should not change the status the program gets.
pub(super) fn write_output(reply: &Reply<'_>) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(reply.stdout);
    let _ = stdout.flush();
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(reply.stderr);
    match reply.end {
        End::Mismatch(description) => {
            let _ = stderr.write_all(b"Replayed calls do not match those recorded.\n");
            let _ = stderr.write_all(description);
            let _ = stderr.write_all(
                b"\nEither rerun with capturemock in record mode \
                  or update the stored mock file by hand.\n",
            );
        }
        End::Unexpected(text) => {
            let _ = stderr.write_all(b"Received unexpected communication from MIM server:\n '");
            let _ = stderr.write_all(text);
            let _ = stderr.write_all(b"'\n\n");
        }
        End::Exit(_) | End::Signal(_) => {}
    }
    let _ = stderr.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_parts_and_a_status() {
        let reply = parse_reply(b"out: a b it's\n|TT_CMD_SEP|err: 2\n|TT_CMD_SEP|3");
        assert_eq!(reply.stdout, b"out: a b it's\n");
        assert_eq!(reply.stderr, b"err: 2\n");
        assert_eq!(reply.end, End::Exit(3));
        assert_eq!(parse_reply(b"|TT_CMD_SEP||TT_CMD_SEP|0").end, End::Exit(0));
        // Statuses the reference hangs on are plain statuses.
        assert_eq!(
            parse_reply(b"|TT_CMD_SEP||TT_CMD_SEP|130").end,
            End::Exit(130)
        );
        assert_eq!(
            parse_reply(b"|TT_CMD_SEP||TT_CMD_SEP|160").end,
            End::Exit(160)
        );
        // exit(2) keeps the low 8 bits.
        assert_eq!(
            parse_reply(b"|TT_CMD_SEP||TT_CMD_SEP|256").end,
            End::Exit(0)
        );
        assert_eq!(
            parse_reply(b"|TT_CMD_SEP||TT_CMD_SEP| +7\n").end,
            End::Exit(7)
        );
        assert_eq!(parse_reply(b"|TT_CMD_SEP||TT_CMD_SEP|-0").end, End::Exit(0));
    }

    #[test]
    fn negative_status_is_a_signal() {
        let reply = parse_reply(b"sleeping 100\n|TT_CMD_SEP||TT_CMD_SEP|-15");
        assert_eq!(reply.stdout, b"sleeping 100\n");
        assert_eq!(reply.end, End::Signal(15));
        assert_eq!(
            parse_reply(b"|TT_CMD_SEP||TT_CMD_SEP|-9").end,
            End::Signal(9)
        );
    }

    #[test]
    fn other_replies_are_unexpected_and_keep_the_text() {
        for text in [
            &b""[..],
            b"garbage",
            b"a|TT_CMD_SEP|b",
            b"a|TT_CMD_SEP|b|TT_CMD_SEP|c|TT_CMD_SEP|0",
            b"|TT_CMD_SEP||TT_CMD_SEP|-99999999999999999999",
        ] {
            let reply = parse_reply(text);
            assert_eq!(reply.end, End::Unexpected(text), "{text:?}");
        }
        // Three parts with a bad status: the output is still written first.
        let reply = parse_reply(b"o|TT_CMD_SEP|e|TT_CMD_SEP|x");
        assert_eq!((reply.stdout, reply.stderr), (&b"o"[..], &b"e"[..]));
        assert_eq!(reply.end, End::Unexpected(b"o|TT_CMD_SEP|e|TT_CMD_SEP|x"));
    }

    #[test]
    fn mismatch_reply_gives_its_description() {
        let reply = parse_reply(
            b"CAPTUREMOCK MISMATCH: Could not find any replay request matching '<-CMD:mytool x y'",
        );
        assert_eq!(
            reply.end,
            End::Mismatch(b"Could not find any replay request matching '<-CMD:mytool x y'")
        );
    }
}
