//! The `embedded-io` fake for host tests: the core's allocation-free [`ScriptedIo`], made to
//! panic with Fudge's message when the driver strays from the script and to verify itself when
//! dropped.
//!
//! ```
//! use capturemock::fake::io::IoFake;
//! use embedded_io::{Read, Write};
//!
//! let mut modem = IoFake::new("modem");
//! modem.expect_write(b"AT+CSQ\r\n").expect_read(b"+CSQ: 21,0\r\nOK\r\n");
//!
//! write!(modem, "AT+CSQ\r\n").unwrap();
//! let mut reply = [0u8; 16];
//! modem.read_exact(&mut reply).unwrap();
//! // dropping `modem` verifies the whole script was played
//! ```

use capturemock_core::fake::io::{IoFakeError, ScriptedIo};
use capturemock_core::fake::DeclarationError;
use embedded_io::ErrorKind;

pub use capturemock_core::fake::io::IoFakeError as Error;

/// An inspector for [`IoFake::expect_write_matching`]: the core's matcher in the family of
/// [`ScriptedIo`] (byte strings are borrowed), named apart from the std family's
/// [`Matcher`](super::Matcher).
pub type IoMatcher<'a> =
    capturemock_core::fake::arg::Matcher<capturemock_core::fake::io::IoFamily<'a>>;

/// A scripted `embedded_io::{Read, Write}` peer that panics on the first departure from the
/// script and verifies itself when dropped (unless the thread is already panicking).
///
/// Capacity: 64 transactions, writes up to 256 bytes, messages up to 1024 bytes.
pub struct IoFake<'a> {
    /// The core's fake with fixed capacities: the same engine a firmware test runs on target,
    /// so a script behaves the same on the host.
    inner: ScriptedIo<'a, 64, 256, 1024>,
    /// Whether the script was checked since it last changed: adding to the script clears it, so
    /// that a fake verified early is still checked again when dropped.
    verified: bool,
}

impl<'a> IoFake<'a> {
    /// A fake peer named `name` (`fake:<name>` in messages).
    pub fn new(name: &'a str) -> Self {
        IoFake {
            inner: ScriptedIo::new(name),
            verified: false,
        }
    }

    /// Adds to the script; a script beyond the fake's capacity is a mistake in the test, so it
    /// panics at once, with the core's reason.
    fn script(
        &mut self,
        f: impl FnOnce(&mut ScriptedIo<'a, 64, 256, 1024>) -> Result<(), DeclarationError>,
    ) -> &mut Self {
        if let Err(e) = f(&mut self.inner) {
            panic!("fake io script: {e}");
        }
        self.verified = false;
        self
    }

    /// The driver must write exactly `bytes` next (in one or several `write` calls).
    pub fn expect_write(&mut self, bytes: &'a [u8]) -> &mut Self {
        self.script(|f| f.expect_write(bytes).map(|_| ()))
    }

    /// The next `write` call must pass a buffer matching `matcher`.
    pub fn expect_write_matching(&mut self, matcher: IoMatcher<'a>) -> &mut Self {
        self.script(|f| f.expect_write_matching(matcher).map(|_| ()))
    }

    /// The next `write` fails with `kind`.
    pub fn expect_write_error(&mut self, kind: ErrorKind) -> &mut Self {
        self.script(|f| f.expect_write_error(kind).map(|_| ()))
    }

    /// The driver reads `bytes` next (in one or several `read` calls).
    pub fn expect_read(&mut self, bytes: &'a [u8]) -> &mut Self {
        self.script(|f| f.expect_read(bytes).map(|_| ()))
    }

    /// The next `read` fails with `kind`.
    pub fn expect_read_error(&mut self, kind: ErrorKind) -> &mut Self {
        self.script(|f| f.expect_read_error(kind).map(|_| ()))
    }

    /// The driver must flush next.
    pub fn expect_flush(&mut self) -> &mut Self {
        self.script(|f| f.expect_flush().map(|_| ()))
    }

    /// The next flush fails with `kind`.
    pub fn expect_flush_error(&mut self, kind: ErrorKind) -> &mut Self {
        self.script(|f| f.expect_flush_error(kind).map(|_| ()))
    }

    /// The driver may flush any time, any number of times.
    pub fn allow_flush(&mut self) -> &mut Self {
        self.script(|f| f.allow_flush().map(|_| ()))
    }

    /// Checks the whole script was played in order; panics with Fudge's message otherwise.
    pub fn verify(&mut self) {
        self.verified = true;
        if let Err(e) = self.inner.verify() {
            panic!("{e}");
        }
    }

    /// Turns the core's "the script was not followed" into a panic with its message, as a test
    /// wants it; other results (a scripted error) go to the driver under test. Marked verified,
    /// so the drop does not panic a second time.
    fn check<T>(&mut self, result: Result<T, IoFakeError>) -> Result<T, IoFakeError> {
        if let Err(IoFakeError::Unmet) = result {
            self.verified = true;
            let message = self.inner.failure().unwrap_or("").to_owned();
            panic!("{message}");
        }
        result
    }
}

/// Verifies a script that was not checked, unless the thread is already panicking, where a
/// second panic would abort and hide the first failure.
impl Drop for IoFake<'_> {
    fn drop(&mut self) {
        if !self.verified && !std::thread::panicking() {
            self.verify();
        }
    }
}

impl embedded_io::ErrorType for IoFake<'_> {
    type Error = IoFakeError;
}

impl embedded_io::Read for IoFake<'_> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, IoFakeError> {
        let result = self.inner.read(buf);
        self.check(result)
    }
}

impl embedded_io::Write for IoFake<'_> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, IoFakeError> {
        let result = self.inner.write(buf);
        self.check(result)
    }

    fn flush(&mut self) -> Result<(), IoFakeError> {
        let result = self.inner.flush();
        self.check(result)
    }
}
