//! Cutting a device's byte stream into requests: at a delimiter (`\r` for AT commands, `\n`
//! for line protocols), after an idle gap, or whichever comes first.
//! The framer is sans-IO: it is handed bytes with the time they came and says what they start
//! and complete; the proxy's loop owns the clock and the waiting, so framing can be tested
//! with made-up times and no sleeping.

use std::time::{Duration, Instant};

/// Longest request kept; longer ones are cut here (a line with no delimiter must not grow
/// without bound).
pub const MAX_MESSAGE: usize = 64 * 1024;

/// How requests are delimited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Framing {
    /// A request ends with these bytes (kept in the request).
    /// Kept, so that the recorded request is byte for byte what the device sent.
    pub delimiter: Option<Vec<u8>>,
    /// A request ends when no byte has come for this long.
    pub idle_gap: Option<Duration>,
}

impl Framing {
    /// Whether this framing can end a request at all.
    /// An empty delimiter never matches, so it counts as none; the proxy refuses to start
    /// without a usable framing rather than cut every request at [`MAX_MESSAGE`].
    pub fn is_usable(&self) -> bool {
        self.delimiter.as_ref().is_some_and(|d| !d.is_empty()) || self.idle_gap.is_some()
    }
}

impl Default for Framing {
    /// Line protocols: each request ends with `\n`.
    fn default() -> Self {
        Framing {
            delimiter: Some(b"\n".to_vec()),
            idle_gap: None,
        }
    }
}

/// A delimiter written with escapes: `\r`, `\n`, `\t`, `\0`, `\\` and `\xHH`; other text
/// stands for itself.
/// For the command line, where a carriage return cannot be typed as such. Errors: an unknown
/// escape, `\x` without two hex digits, a trailing backslash, an empty delimiter.
pub fn parse_delimiter(text: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut utf8 = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
            continue;
        }
        match chars.next() {
            Some('r') => out.push(b'\r'),
            Some('n') => out.push(b'\n'),
            Some('t') => out.push(b'\t'),
            Some('0') => out.push(0),
            Some('\\') => out.push(b'\\'),
            Some('x') => {
                let hex: String = chars.by_ref().take(2).collect();
                let byte = u8::from_str_radix(&hex, 16)
                    .ok()
                    .filter(|_| hex.len() == 2)
                    .ok_or_else(|| format!("\\x{hex} is not a byte: use \\xHH"))?;
                out.push(byte);
            }
            Some(other) => {
                return Err(format!(
                    "unknown escape \\{other} (use \\r \\n \\t \\0 \\\\ \\xHH)"
                ))
            }
            None => return Err("a delimiter cannot end with a lone \\".into()),
        }
    }
    if out.is_empty() {
        return Err("the delimiter is empty".into());
    }
    Ok(out)
}

/// What the framer found in a piece of input, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameEvent {
    /// The first byte of a new request came (the previous exchange is over).
    /// It marks where the previous response ends: the peripheral's bytes up to here are the
    /// previous exchange's, whether or not its request is complete.
    Started,
    /// A request is complete.
    Message(Vec<u8>),
}

/// Cuts a byte stream into requests.
#[derive(Debug, Clone)]
pub struct Framer {
    framing: Framing,
    /// The pending request's bytes, a delimiter kept at its end.
    buf: Vec<u8>,
    /// When the latest byte came: the idle gap counts from there.
    last_byte: Option<Instant>,
    /// Requests cut at [`MAX_MESSAGE`], for the report.
    cut: u64,
}

impl Framer {
    /// A framer with nothing pending.
    pub fn new(framing: Framing) -> Framer {
        Framer {
            framing,
            buf: Vec::new(),
            last_byte: None,
            cut: 0,
        }
    }

    /// Takes bytes that came at `now`; appends what they start and complete to `events`.
    /// The delimiter is looked for at the end of the request so far, not in one read, since a
    /// serial read can split it anywhere.
    pub fn push(&mut self, bytes: &[u8], now: Instant, events: &mut Vec<FrameEvent>) {
        // A gap that passed before these bytes ends the pending request first.
        if let Some(message) = self.poll(now) {
            events.push(FrameEvent::Message(message));
        }
        for &byte in bytes {
            if self.buf.is_empty() {
                events.push(FrameEvent::Started);
            }
            self.buf.push(byte);
            let delimited = self
                .framing
                .delimiter
                .as_deref()
                .is_some_and(|d| !d.is_empty() && self.buf.ends_with(d));
            if delimited || self.buf.len() >= MAX_MESSAGE {
                if !delimited {
                    self.cut += 1;
                }
                events.push(FrameEvent::Message(std::mem::take(&mut self.buf)));
            }
        }
        if !bytes.is_empty() {
            self.last_byte = Some(now);
        }
    }

    /// When the idle gap will end the pending request, if it will.
    pub fn deadline(&self) -> Option<Instant> {
        if self.buf.is_empty() {
            return None;
        }
        Some(self.last_byte? + self.framing.idle_gap?)
    }

    /// The pending request, if the idle gap has passed at `now`.
    pub fn poll(&mut self, now: Instant) -> Option<Vec<u8>> {
        if self.deadline().is_some_and(|d| now >= d) {
            return Some(std::mem::take(&mut self.buf));
        }
        None
    }

    /// The pending request, whatever the time (the line closed).
    pub fn flush(&mut self) -> Option<Vec<u8>> {
        (!self.buf.is_empty()).then(|| std::mem::take(&mut self.buf))
    }

    /// Requests cut at [`MAX_MESSAGE`].
    pub fn cut(&self) -> u64 {
        self.cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(events: &[FrameEvent]) -> Vec<&[u8]> {
        events
            .iter()
            .filter_map(|e| match e {
                FrameEvent::Message(m) => Some(m.as_slice()),
                FrameEvent::Started => None,
            })
            .collect()
    }

    #[test]
    fn delimiters_end_requests_wherever_the_pieces_break() {
        let mut framer = Framer::new(Framing {
            delimiter: Some(b"\r\n".to_vec()),
            idle_gap: None,
        });
        let now = Instant::now();
        let mut events = Vec::new();
        framer.push(b"AT\r", now, &mut events);
        assert_eq!(events, [FrameEvent::Started]);
        framer.push(b"\nAT+CSQ\r\nATI", now, &mut events);
        assert_eq!(
            events,
            [
                FrameEvent::Started,
                FrameEvent::Message(b"AT\r\n".to_vec()),
                FrameEvent::Started,
                FrameEvent::Message(b"AT+CSQ\r\n".to_vec()),
                FrameEvent::Started,
            ]
        );
        // No gap configured: the rest waits, whatever the time.
        assert_eq!(framer.deadline(), None);
        assert_eq!(framer.flush().as_deref(), Some(&b"ATI"[..]));
    }

    #[test]
    fn an_idle_gap_ends_a_request() {
        let gap = Duration::from_millis(30);
        let mut framer = Framer::new(Framing {
            delimiter: None,
            idle_gap: Some(gap),
        });
        let t0 = Instant::now();
        let mut events = Vec::new();
        framer.push(b"\x02read", t0, &mut events);
        framer.push(b"\x03", t0 + gap / 2, &mut events);
        assert_eq!(framer.deadline(), Some(t0 + gap / 2 + gap));
        assert_eq!(framer.poll(t0 + gap), None);
        // The next bytes after the gap: the first request ends before they start another.
        framer.push(b"x", t0 + gap * 2, &mut events);
        assert_eq!(messages(&events), [&b"\x02read\x03"[..]]);
        assert_eq!(events.last(), Some(&FrameEvent::Started));
        assert_eq!(framer.poll(t0 + gap * 3).as_deref(), Some(&b"x"[..]));
        assert_eq!(framer.deadline(), None);
    }

    #[test]
    fn endless_requests_are_cut() {
        let mut framer = Framer::new(Framing::default());
        let mut events = Vec::new();
        framer.push(&vec![b'a'; MAX_MESSAGE + 3], Instant::now(), &mut events);
        assert_eq!(messages(&events).len(), 1);
        assert_eq!(framer.cut(), 1);
        assert_eq!(framer.flush().map(|m| m.len()), Some(3));
    }

    #[test]
    fn delimiters_are_written_with_escapes() {
        assert_eq!(parse_delimiter(r"\r\n").unwrap(), b"\r\n");
        assert_eq!(parse_delimiter(r"\x03").unwrap(), [3]);
        assert_eq!(parse_delimiter(r"OK\0\\").unwrap(), b"OK\0\\");
        for bad in ["", r"\q", r"\x4", r"\xZZ", "\\"] {
            assert!(parse_delimiter(bad).is_err(), "{bad:?}");
        }
    }
}
