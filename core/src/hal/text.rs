//! The text of one bus transaction in a `.mock` file (`docs/embedded-hal.md`): how a request
//! is written, and how a response is written and read back.
//!
//! ```text
//! <-I2C:0x48 write [00] read 2        a transaction: address, then its operations
//! ->I2C:[1a 80]                       one [..] per read operation, in order
//! <-I2C:0x48 write [01 60]
//! ->I2C:ok                            nothing read
//! <-I2C:0x49 read 1
//! ->I2C:error NoAcknowledge(Address)  the device's error
//! <-PIN:button is_high
//! ->PIN:true
//! ```
//!
//! Request and response share one type id per bus (`I2C`, `SPI`, `PIN`, `DLY`: three
//! letters, which is what the record format's response entries allow), so best match only
//! ever compares transactions of the same bus.

use core::fmt::{self, Write};

use super::error::{DeviceError, HalError};

/// Which traits a transaction belongs to; its record type id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `I2c`: `<-I2C` / `->I2C`.
    I2c,
    /// `SpiDevice` and `SpiBus`: `<-SPI` / `->SPI`.
    Spi,
    /// `OutputPin`, `InputPin`, `StatefulOutputPin`, async `Wait`: `<-PIN` / `->PIN`.
    Pin,
    /// `DelayNs`: `<-DLY` / `->DLY`.
    Delay,
}

impl Kind {
    /// The record type id (three letters).
    pub const fn type_id(self) -> &'static str {
        match self {
            Kind::I2c => "I2C",
            Kind::Spi => "SPI",
            Kind::Pin => "PIN",
            Kind::Delay => "DLY",
        }
    }

    /// The prefix of a request entry, without its `:`.
    pub const fn request_prefix(self) -> &'static str {
        match self {
            Kind::I2c => "<-I2C",
            Kind::Spi => "<-SPI",
            Kind::Pin => "<-PIN",
            Kind::Delay => "<-DLY",
        }
    }

    /// The prefix of a response entry, without its `:`.
    pub const fn response_prefix(self) -> &'static str {
        match self {
            Kind::I2c => "->I2C",
            Kind::Spi => "->SPI",
            Kind::Pin => "->PIN",
            Kind::Delay => "->DLY",
        }
    }
}

/// Bytes as the record shows them: `[1a 80]`, lower-case hex, `[]` when empty.
#[derive(Debug, Clone, Copy)]
pub struct Bytes<'b>(pub &'b [u8]);

impl fmt::Display for Bytes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_bytes(f, self.0)
    }
}

// The writers below work digit by digit rather than through `write!`: on a microcontroller
// the formatting machinery costs more flash than everything else the request text needs.

/// Writes `[1a 80]`: lower-case hex, `[]` when empty.
pub fn write_bytes(w: &mut dyn Write, bytes: &[u8]) -> fmt::Result {
    w.write_char('[')?;
    for (i, &b) in bytes.iter().enumerate() {
        if i > 0 {
            w.write_char(' ')?;
        }
        write_hex(w, b.into(), 2)?;
    }
    w.write_char(']')
}

/// Writes the last `digits` hex digits of `value`, lower case, without prefix.
pub fn write_hex(w: &mut dyn Write, value: u32, digits: u32) -> fmt::Result {
    for shift in (0..digits).rev() {
        let nibble = (value >> (shift * 4)) & 0xf;
        w.write_char(char::from_digit(nibble, 16).unwrap_or('0'))?;
    }
    Ok(())
}

/// Writes `n` in decimal.
pub fn write_number(w: &mut dyn Write, n: u32) -> fmt::Result {
    let mut digits = [0u8; 10];
    let mut start = digits.len();
    let mut rest = n;
    loop {
        start -= 1;
        if let Some(d) = digits.get_mut(start) {
            *d = b'0' + (rest % 10) as u8;
        }
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    for &d in digits.get(start..).unwrap_or_default() {
        w.write_char(char::from(d))?;
    }
    Ok(())
}

/// A buffer's length as recorded (`read 2`); a buffer of 4 GiB or more is written as the
/// largest `u32`, which no recorded transaction matches.
pub(crate) fn len(buf: &[u8]) -> u32 {
    u32::try_from(buf.len()).unwrap_or(u32::MAX)
}

/// Writes `name word` and, when given, ` number`: the request of a one-call transaction.
pub(crate) fn write_call(
    w: &mut dyn Write,
    name: &str,
    call: &str,
    number: Option<u32>,
) -> fmt::Result {
    w.write_str(name)?;
    w.write_char(' ')?;
    w.write_str(call)?;
    if let Some(n) = number {
        w.write_char(' ')?;
        write_number(w, n)?;
    }
    Ok(())
}

/// Text formatted into a caller's buffer. Never fails: text past the end is counted, not
/// written, so that the caller learns how much room it needed.
pub struct SliceWriter<'b> {
    buf: &'b mut [u8],
    needed: usize,
}

impl<'b> SliceWriter<'b> {
    /// Writes into `buf` from its start.
    pub fn new(buf: &'b mut [u8]) -> Self {
        SliceWriter { buf, needed: 0 }
    }

    /// Whether everything written fitted.
    pub fn fits(&self) -> bool {
        self.needed <= self.buf.len()
    }

    /// Bytes written so far, or needed when they did not fit.
    pub fn needed(&self) -> usize {
        self.needed
    }

    /// The text written, when it all fitted.
    pub fn text(&self) -> Option<&str> {
        // Only whole `&str`s are copied in, and only while they fit: always UTF-8.
        core::str::from_utf8(self.buf.get(..self.needed)?).ok()
    }
}

impl Write for SliceWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.needed.saturating_add(s.len());
        if self.fits() {
            if let Some(room) = self.buf.get_mut(self.needed..end) {
                room.copy_from_slice(s.as_bytes());
            }
        }
        self.needed = end;
        Ok(())
    }
}

/// A recorded response, read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Response<'t> {
    /// `ok`: done, nothing read.
    Done,
    /// `true` / `false`: a pin's answer.
    Level(bool),
    /// `error NAME`: the device's error.
    Error(DeviceError),
    /// `[..] [..]`: the bytes of each read operation, in order.
    Data(Groups<'t>),
}

/// Reads a response's text (the entry's text after `->I2C:`; white space around it is ignored).
pub fn parse_response(text: &str) -> Result<Response<'_>, HalError> {
    let text = text.trim_ascii();
    match text {
        "ok" => Ok(Response::Done),
        "true" => Ok(Response::Level(true)),
        "false" => Ok(Response::Level(false)),
        _ => {
            if let Some(name) = text.strip_prefix("error ") {
                DeviceError::from_name(name.trim_ascii())
                    .map(Response::Error)
                    .ok_or(HalError::BadResponse)
            } else if text.starts_with('[') {
                Ok(Response::Data(Groups { rest: text }))
            } else {
                Err(HalError::BadResponse)
            }
        }
    }
}

/// The `[..]` groups of a data response, handed out one per read operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Groups<'t> {
    rest: &'t str,
}

impl Groups<'_> {
    /// Fills `buf` from the next group, which must hold exactly `buf.len()` bytes
    /// ([`HalError::Mismatch`] otherwise, or when no group is left).
    pub fn fill_next(&mut self, buf: &mut [u8]) -> Result<(), HalError> {
        let rest = self.rest.trim_ascii_start();
        if rest.is_empty() {
            return Err(HalError::Mismatch);
        }
        let inner = rest.strip_prefix('[').ok_or(HalError::BadResponse)?;
        let (inner, after) = inner.split_once(']').ok_or(HalError::BadResponse)?;
        let mut slots = buf.iter_mut();
        for word in inner.split_ascii_whitespace() {
            let byte = parse_byte(word).ok_or(HalError::BadResponse)?;
            *slots.next().ok_or(HalError::Mismatch)? = byte;
        }
        if slots.next().is_some() {
            return Err(HalError::Mismatch);
        }
        self.rest = after;
        Ok(())
    }

    /// Checks that every group was used: a response with more reads than the transaction
    /// made does not fit it.
    pub fn finish(self) -> Result<(), HalError> {
        if self.rest.trim_ascii().is_empty() {
            Ok(())
        } else {
            Err(HalError::Mismatch)
        }
    }
}

/// Two hex digits.
fn parse_byte(word: &str) -> Option<u8> {
    let [high, low] = word.as_bytes() else {
        return None;
    };
    let digit = |c: &u8| char::from(*c).to_digit(16);
    Some((digit(high)? * 16 + digit(low)?) as u8)
}

/// Writes the response of a transaction that read the given buffers: `ok` when it read
/// nothing, else one `[..]` per buffer.
pub fn write_data<'b>(w: &mut dyn Write, mut reads: impl Iterator<Item = &'b [u8]>) -> fmt::Result {
    let Some(first) = reads.next() else {
        return w.write_str("ok");
    };
    write_bytes(w, first)?;
    for read in reads {
        w.write_char(' ')?;
        write_bytes(w, read)?;
    }
    Ok(())
}

/// Writes the response of a transaction the device failed: `error NAME`.
pub fn write_error(w: &mut dyn Write, error: DeviceError) -> fmt::Result {
    w.write_str("error ")?;
    w.write_str(error.name())
}

/// Writes a pin's answer: `true` or `false`.
pub fn write_level(w: &mut dyn Write, level: bool) -> fmt::Result {
    w.write_str(if level { "true" } else { "false" })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hal::error::NoAck;
    use std::string::String;

    #[test]
    fn bytes_are_lower_case_hex_in_brackets() {
        let mut s = String::new();
        write!(s, "{} {}", Bytes(&[0x1a, 0x80, 0]), Bytes(&[])).unwrap();
        assert_eq!(s, "[1a 80 00] []");
    }

    #[test]
    fn numbers_are_written_digit_by_digit() {
        for n in [0, 7, 10, 255, 1000, u32::MAX] {
            let mut s = String::new();
            write_number(&mut s, n).unwrap();
            assert_eq!(s, std::format!("{n}"));
        }
        let mut s = String::new();
        write_hex(&mut s, 0x348, 4).unwrap();
        assert_eq!(s, "0348");
    }

    #[test]
    fn a_slice_writer_counts_what_does_not_fit() {
        let mut buf = [0u8; 4];
        let mut w = SliceWriter::new(&mut buf);
        w.write_str("ab").unwrap();
        assert_eq!(w.text(), Some("ab"));
        w.write_str("cde").unwrap();
        assert!(!w.fits());
        assert_eq!(w.needed(), 5);
        assert_eq!(w.text(), None);
        w.write_str("f").unwrap();
        assert_eq!(w.needed(), 6);
        assert_eq!(buf, *b"ab\0\0");
    }

    #[test]
    fn responses_read_back_as_written() {
        let mut s = String::new();
        write_data(&mut s, [&[0x1au8, 0x80][..], &[][..]].into_iter()).unwrap();
        assert_eq!(s, "[1a 80] []");
        let Response::Data(mut groups) = parse_response(&s).unwrap() else {
            panic!("not data: {s}");
        };
        let (mut two, mut none) = ([0u8; 2], [0u8; 0]);
        groups.fill_next(&mut two).unwrap();
        groups.fill_next(&mut none).unwrap();
        groups.finish().unwrap();
        assert_eq!(two, [0x1a, 0x80]);

        s.clear();
        write_data(&mut s, core::iter::empty()).unwrap();
        assert_eq!(parse_response(&s), Ok(Response::Done));
        s.clear();
        write_error(&mut s, DeviceError::NoAcknowledge(NoAck::Address)).unwrap();
        assert_eq!(s, "error NoAcknowledge(Address)");
        assert_eq!(
            parse_response(&s),
            Ok(Response::Error(DeviceError::NoAcknowledge(NoAck::Address)))
        );
        s.clear();
        write_level(&mut s, false).unwrap();
        assert_eq!(parse_response(&s), Ok(Response::Level(false)));
        assert_eq!(parse_response(" true \n"), Ok(Response::Level(true)));
    }

    #[test]
    fn groups_must_fit_the_reads() {
        let fill = |text: &str, len: usize| {
            let Ok(Response::Data(mut groups)) = parse_response(text) else {
                return Err(HalError::BadResponse);
            };
            let mut buf = [0u8; 8];
            groups.fill_next(&mut buf[..len])?;
            groups.finish()
        };
        assert_eq!(fill("[01 02]", 2), Ok(()));
        assert_eq!(fill("[01 02]", 3), Err(HalError::Mismatch));
        assert_eq!(fill("[01 02]", 1), Err(HalError::Mismatch));
        assert_eq!(fill("[01] [02]", 1), Err(HalError::Mismatch));
        assert_eq!(fill("[1g]", 1), Err(HalError::BadResponse));
        assert_eq!(fill("[100]", 1), Err(HalError::BadResponse));
        assert_eq!(fill("[01", 1), Err(HalError::BadResponse));
        assert_eq!(parse_response("error Sideways"), Err(HalError::BadResponse));
        assert_eq!(parse_response("yes"), Err(HalError::BadResponse));
    }
}
