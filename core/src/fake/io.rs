//! An `embedded-io` fake built on the expectation engine: scripted reads, expected writes and
//! injected errors, checked in order, with Fudge's messages.
//!
//! It lives in the core because it needs nothing but fixed tables: the script borrows its
//! bytes (`'a`), the engine holds `CALLS` transactions, a write in progress is gathered in a
//! `BUF`-byte buffer (so a driver may split one expected write over several `write` calls, as
//! `write_all` and `write!` do), and the first failure message is kept in `MSG` bytes. A
//! driver can therefore be checked on the target as well as on the host; the std crate wraps
//! it in a fake that panics with the message and verifies itself on drop.
//!
//! Each scripted transaction is an expected call of one fake (`fake:<name>.write(...)`,
//! `.read()`, `.flush()`) whose order is remembered.
//!
//! ```
//! use capturemock_core::fake::io::ScriptedIo;
//! use embedded_io::{Read, Write};
//!
//! let mut uart: ScriptedIo<'_> = ScriptedIo::new("uart");
//! uart.expect_write(b"AT\r\n").unwrap().expect_read(b"OK\r\n").unwrap();
//!
//! uart.write_all(b"AT\r\n").unwrap();
//! let mut reply = [0u8; 4];
//! uart.read_exact(&mut reply).unwrap();
//! assert_eq!(&reply, b"OK\r\n");
//! uart.verify().unwrap();
//! ```

use core::fmt::{self, Write as _};

use embedded_io::ErrorKind;

use super::arg::Matcher;
use super::call::Answered;
use super::error::{DeclarationError, Table};
use super::family::{Borrowed, Fixed};
use super::registry::{FakeId, Registry};
use super::value::ValueRef;

/// The engine family of a [`ScriptedIo`]: `raises` stores an `embedded_io::ErrorKind`.
pub type IoFamily<'a> = Borrowed<'a, ErrorKind>;

/// An error returned to the driver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IoFakeError {
    /// An error the script injected.
    Injected(ErrorKind),
    /// The call did not meet the script; [`ScriptedIo::failure`] tells how.
    Unmet,
}

impl embedded_io::Error for IoFakeError {
    fn kind(&self) -> ErrorKind {
        match self {
            IoFakeError::Injected(kind) => *kind,
            IoFakeError::Unmet => ErrorKind::Other,
        }
    }
}

impl fmt::Display for IoFakeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IoFakeError::Injected(kind) => write!(f, "injected error: {kind:?}"),
            IoFakeError::Unmet => f.write_str("the call did not meet the script"),
        }
    }
}

impl core::error::Error for IoFakeError {}

/// The script was not met: the message, as Fudge words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unverified<'f>(pub &'f str);

impl fmt::Display for Unverified<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl core::error::Error for Unverified<'_> {}

/// A scripted `embedded_io::{Read, Write}` peer.
///
/// A departure from the script is an error value (`IoFakeError::Unmet`, the message kept for
/// [`verify`](Self::verify)), never a panic, so it runs on a device. The std crate wraps it as
/// `capturemock::fake::io::IoFake`, which panics with the message and verifies itself when
/// dropped, as a host test wants.
///
/// `CALLS`: scripted transactions; `BUF`: longest expected write; `MSG`: bytes kept of the
/// first failure message (longer messages end in `...`).
pub struct ScriptedIo<'a, const CALLS: usize = 16, const BUF: usize = 64, const MSG: usize = 256> {
    fakes: Registry<IoFamily<'a>, Fixed<1, CALLS, CALLS>>,
    id: FakeId,
    written: heapless::Vec<u8, BUF>,
    unread: &'a [u8],
    failure: heapless::String<MSG>,
    failed: bool,
}

impl<'a, const CALLS: usize, const BUF: usize, const MSG: usize> ScriptedIo<'a, CALLS, BUF, MSG> {
    /// A fake peer named `name` (`fake:<name>` in messages), with an empty script.
    pub fn new(name: &'a str) -> Self {
        let mut fakes = Registry::new();
        // One fake always fits in a `Fixed<1, ..>` table; the fallback id is never used.
        let id = fakes.fake(name).unwrap_or(FakeId(0));
        let _ = fakes.on(id).remember_order();
        ScriptedIo {
            fakes,
            id,
            written: heapless::Vec::new(),
            unread: &[],
            failure: heapless::String::new(),
            failed: false,
        }
    }

    fn declare(
        &mut self,
        f: impl FnOnce(
            super::declare::Declare<'_, IoFamily<'a>, Fixed<1, CALLS, CALLS>>,
        ) -> Result<(), DeclarationError>,
    ) -> Result<&mut Self, DeclarationError> {
        f(self.fakes.on(self.id))?;
        Ok(self)
    }

    /// The driver must write exactly `bytes` next (in one or several `write` calls).
    pub fn expect_write(&mut self, bytes: &'a [u8]) -> Result<&mut Self, DeclarationError> {
        if bytes.len() > BUF {
            return Err(DeclarationError::Full(Table::Args));
        }
        self.declare(|d| {
            d.expects("write")?.with_args([ValueRef::Bytes(bytes)])?;
            Ok(())
        })
    }

    /// The driver's next `write` call must pass a buffer matching `matcher` (one call, no
    /// gathering), e.g. `arg::startswith(ValueRef::Bytes(b"AT+"))`.
    pub fn expect_write_matching(
        &mut self,
        matcher: Matcher<IoFamily<'a>>,
    ) -> Result<&mut Self, DeclarationError> {
        self.declare(|d| {
            d.expects("write")?.with_args([matcher])?;
            Ok(())
        })
    }

    /// The driver's next `write` fails with `kind`.
    pub fn expect_write_error(&mut self, kind: ErrorKind) -> Result<&mut Self, DeclarationError> {
        self.declare(|d| {
            d.expects("write")?.raises(kind)?;
            Ok(())
        })
    }

    /// The driver reads `bytes` next (in one or several `read` calls).
    pub fn expect_read(&mut self, bytes: &'a [u8]) -> Result<&mut Self, DeclarationError> {
        self.declare(|d| {
            d.expects("read")?.returns(ValueRef::Bytes(bytes))?;
            Ok(())
        })
    }

    /// The driver's next `read` fails with `kind`.
    pub fn expect_read_error(&mut self, kind: ErrorKind) -> Result<&mut Self, DeclarationError> {
        self.declare(|d| {
            d.expects("read")?.raises(kind)?;
            Ok(())
        })
    }

    /// The driver must flush next.
    pub fn expect_flush(&mut self) -> Result<&mut Self, DeclarationError> {
        self.declare(|d| {
            d.expects("flush")?;
            Ok(())
        })
    }

    /// The driver's next flush fails with `kind`.
    pub fn expect_flush_error(&mut self, kind: ErrorKind) -> Result<&mut Self, DeclarationError> {
        self.declare(|d| {
            d.expects("flush")?.raises(kind)?;
            Ok(())
        })
    }

    /// The driver may flush at any time, any number of times (outside the remembered order).
    pub fn allow_flush(&mut self) -> Result<&mut Self, DeclarationError> {
        self.declare(|d| {
            d.provides("flush")?;
            Ok(())
        })
    }

    /// The engine behind the fake, for declarations beyond the script helpers.
    pub fn registry(&mut self) -> (&mut Registry<IoFamily<'a>, Fixed<1, CALLS, CALLS>>, FakeId) {
        (&mut self.fakes, self.id)
    }

    /// The first failure met so far, as Fudge words it.
    pub fn failure(&self) -> Option<&str> {
        self.failed.then_some(self.failure.as_str())
    }

    /// Checks the whole script was played, in order, and that nothing failed on the way; then
    /// starts over (calls are forgotten, as by Fudge's `verify`).
    pub fn verify(&mut self) -> Result<(), Unverified<'_>> {
        let _ = self.finish_write();
        if !self.failed {
            if let Err(report) = self.fakes.verify() {
                record(&mut self.failure, &mut self.failed, report);
            }
        }
        self.unread = &[];
        if self.failed {
            self.failed = false;
            Err(Unverified(self.failure.as_str()))
        } else {
            Ok(())
        }
    }

    /// Plays one call of `method` against the engine and turns its answer into bytes.
    fn play(&mut self, method: &'a str, args: &[ValueRef<'_>]) -> Result<&'a [u8], IoFakeError> {
        let outcome = self.fakes.call(self.id, method, args, &[]);
        match outcome {
            Err(report) => {
                record(&mut self.failure, &mut self.failed, report);
                Err(IoFakeError::Unmet)
            }
            Ok(outcome) => {
                if let Some(kind) = outcome.raises {
                    return Err(IoFakeError::Injected(*kind));
                }
                match outcome.answer {
                    Answered::Value(ValueRef::Bytes(b)) => Ok(b),
                    _ => Ok(&[]),
                }
            }
        }
    }

    /// Hands a gathered write to the engine.
    fn finish_write(&mut self) -> Result<(), IoFakeError> {
        if self.written.is_empty() {
            return Ok(());
        }
        let written = core::mem::take(&mut self.written);
        self.play("write", &[ValueRef::Bytes(&written)]).map(|_| ())
    }

    /// The bytes the next `write` transaction expects, when it is a plain expected write.
    fn expected_write(&self) -> Option<&'a [u8]> {
        let call = self.fakes.upcoming(self.id, "write")?;
        if self.fakes.raises(call).is_some() {
            return None;
        }
        let mut args = self.fakes.declared_args(call);
        match (args.next(), args.next()) {
            (Some(Matcher::Eq(ValueRef::Bytes(b))), None) => Some(*b),
            _ => None,
        }
    }
}

/// Keeps the first failure message, cut to the buffer.
pub(super) fn record<const MSG: usize>(
    failure: &mut heapless::String<MSG>,
    failed: &mut bool,
    message: impl fmt::Display,
) {
    if *failed {
        return;
    }
    *failed = true;
    failure.clear();
    let mut out = Bounded {
        out: failure,
        cut: false,
    };
    let _ = write!(out, "{message}");
    if out.cut {
        while failure.len() > MSG.saturating_sub(3) {
            failure.pop();
        }
        let _ = failure.push_str("...");
    }
}

struct Bounded<'s, const N: usize> {
    out: &'s mut heapless::String<N>,
    cut: bool,
}

impl<const N: usize> fmt::Write for Bounded<'_, N> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for c in s.chars() {
            if self.out.push(c).is_err() {
                self.cut = true;
                return Ok(());
            }
        }
        Ok(())
    }
}

impl<const CALLS: usize, const BUF: usize, const MSG: usize> embedded_io::ErrorType
    for ScriptedIo<'_, CALLS, BUF, MSG>
{
    type Error = IoFakeError;
}

impl<const CALLS: usize, const BUF: usize, const MSG: usize> embedded_io::Read
    for ScriptedIo<'_, CALLS, BUF, MSG>
{
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        self.finish_write()?;
        if buf.is_empty() {
            return Ok(0);
        }
        if self.unread.is_empty() {
            self.unread = self.play("read", &[])?;
        }
        let n = buf.len().min(self.unread.len());
        let (now, later) = self.unread.split_at(n);
        if let Some(dest) = buf.get_mut(..n) {
            dest.copy_from_slice(now);
        }
        self.unread = later;
        Ok(n)
    }
}

impl<const CALLS: usize, const BUF: usize, const MSG: usize> embedded_io::Write
    for ScriptedIo<'_, CALLS, BUF, MSG>
{
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        if buf.is_empty() {
            return Ok(0);
        }
        let Some(expected) = self.expected_write() else {
            // Not a plain expected write (an error, an inspector, or nothing scripted):
            // the whole buffer is one call.
            self.finish_write()?;
            self.play("write", &[ValueRef::Bytes(buf)])?;
            return Ok(buf.len());
        };
        let done = self.written.len();
        let take = expected.len().saturating_sub(done).min(buf.len()).max(1);
        // `buf` is not empty, so `1 <= take <= buf.len()`: the fallback is never taken.
        let chunk = buf.get(..take).unwrap_or(buf);
        let fits = self.written.extend_from_slice(chunk).is_ok();
        let matches = expected.get(..self.written.len()) == Some(self.written.as_slice());
        if !fits || !matches || self.written.len() >= expected.len() {
            self.finish_write()?;
        }
        Ok(take)
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.finish_write()?;
        self.play("flush", &[]).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use embedded_io::{Read, Write};

    #[test]
    fn scripted_conversation() {
        let mut uart: ScriptedIo<'_> = ScriptedIo::new("uart");
        uart.expect_write(b"AT\r\n").unwrap();
        uart.expect_read(b"OK\r\n").unwrap();
        uart.expect_flush().unwrap();
        let command = 'T';
        write!(uart, "A{command}\r\n").unwrap();
        let mut two = [0u8; 2];
        uart.read_exact(&mut two).unwrap();
        assert_eq!(&two, b"OK");
        uart.read_exact(&mut two).unwrap();
        assert_eq!(&two, b"\r\n");
        uart.flush().unwrap();
        uart.verify().unwrap();
    }

    #[test]
    fn wrong_bytes_fail_with_fudges_message() {
        let mut uart: ScriptedIo<'_> = ScriptedIo::new("uart");
        uart.expect_write(b"AT\r\n").unwrap();
        assert_eq!(uart.write(b"AX"), Err(IoFakeError::Unmet));
        assert_eq!(
            uart.failure(),
            Some("fake:uart.write([65, 84, 13, 10]) was called unexpectedly with args ([65, 88])")
        );
        assert_eq!(
            uart.verify(),
            Err(Unverified(
                "fake:uart.write([65, 84, 13, 10]) was called unexpectedly with args ([65, 88])"
            ))
        );
    }

    #[test]
    fn short_write_is_reported_at_the_next_read() {
        let mut uart: ScriptedIo<'_> = ScriptedIo::new("uart");
        uart.expect_write(b"AT\r\n")
            .unwrap()
            .expect_read(b"OK")
            .unwrap();
        uart.write_all(b"AT").unwrap();
        let mut buf = [0u8; 2];
        assert_eq!(uart.read(&mut buf), Err(IoFakeError::Unmet));
        assert_eq!(
            uart.failure(),
            Some("fake:uart.write([65, 84, 13, 10]) was called unexpectedly with args ([65, 84])")
        );
    }

    #[test]
    fn order_is_checked() {
        let mut uart: ScriptedIo<'_> = ScriptedIo::new("uart");
        uart.expect_write(b"AT")
            .unwrap()
            .expect_read(b"OK")
            .unwrap();
        let mut buf = [0u8; 2];
        assert_eq!(uart.read(&mut buf), Err(IoFakeError::Unmet));
        assert_eq!(
            uart.failure(),
            Some(
                "Call #1 was fake:uart.read(); Expected: #1 fake:uart.write([65, 84]), \
                 #2 fake:uart.read(), end"
            )
        );
    }

    #[test]
    fn injected_errors() {
        let mut uart: ScriptedIo<'_> = ScriptedIo::new("uart");
        uart.expect_write_error(ErrorKind::TimedOut).unwrap();
        uart.expect_read_error(ErrorKind::BrokenPipe).unwrap();
        uart.expect_flush_error(ErrorKind::Interrupted).unwrap();
        assert_eq!(
            uart.write(b"AT"),
            Err(IoFakeError::Injected(ErrorKind::TimedOut))
        );
        assert_eq!(
            uart.read(&mut [0u8; 1]),
            Err(IoFakeError::Injected(ErrorKind::BrokenPipe))
        );
        assert_eq!(
            embedded_io::Error::kind(&uart.flush().unwrap_err()),
            ErrorKind::Interrupted
        );
        uart.verify().unwrap();
    }

    #[test]
    fn missing_transactions_fail_verification() {
        let mut uart: ScriptedIo<'_> = ScriptedIo::new("uart");
        uart.expect_write(b"AT")
            .unwrap()
            .expect_read(b"OK")
            .unwrap();
        uart.write_all(b"AT").unwrap();
        assert_eq!(
            uart.verify(),
            Err(Unverified("fake:uart.read() was not called"))
        );
    }

    #[test]
    fn unscripted_calls_fail() {
        let mut uart: ScriptedIo<'_> = ScriptedIo::new("uart");
        assert_eq!(uart.flush(), Err(IoFakeError::Unmet));
        assert_eq!(
            uart.failure(),
            Some(
                "fake:uart object does not allow call or attribute 'flush' \
                 (maybe you want Fake.is_a_stub() ?)"
            )
        );
        let mut uart: ScriptedIo<'_> = ScriptedIo::new("uart");
        uart.expect_read(b"x").unwrap();
        let mut buf = [0u8; 4];
        assert_eq!(uart.read(&mut buf), Ok(1));
        assert_eq!(uart.read(&mut buf), Err(IoFakeError::Unmet));
        assert_eq!(
            uart.failure(),
            Some("#2 fake:uart.read() was unexpected; Expected: #1 fake:uart.read(), end")
        );
    }

    #[test]
    fn inspectors_and_flush_allowed() {
        let mut uart: ScriptedIo<'_> = ScriptedIo::new("uart");
        uart.allow_flush().unwrap();
        uart.expect_write_matching(super::super::arg::startswith(ValueRef::Bytes(b"AT+")))
            .unwrap();
        uart.flush().unwrap();
        assert_eq!(uart.write(b"AT+CSQ\r\n"), Ok(8));
        uart.flush().unwrap();
        uart.verify().unwrap();
    }

    #[test]
    fn long_messages_are_cut() {
        let mut uart: ScriptedIo<'_, 4, 64, 20> = ScriptedIo::new("uart");
        uart.expect_write(b"AT").unwrap();
        let _ = uart.write(b"XY");
        let msg = uart.failure().unwrap();
        assert_eq!(msg, "fake:uart.write([...");
        assert_eq!(msg.len(), 20);
    }

    #[test]
    fn capacity_is_an_error() {
        let mut uart: ScriptedIo<'_, 1, 2> = ScriptedIo::new("uart");
        assert_eq!(
            uart.expect_write(b"ABC").err(),
            Some(DeclarationError::Full(Table::Args))
        );
        uart.expect_read(b"A").unwrap();
        assert_eq!(
            uart.expect_read(b"B").err(),
            Some(DeclarationError::Full(Table::Calls))
        );
    }
}
