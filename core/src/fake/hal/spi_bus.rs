//! The SPI bus fake: `embedded_hal::spi::SpiBus` (the bus itself, for drivers that manage chip
//! select or own the bus) with expected reads, writes, transfers and flushes, in order.
//!
//! A call shows what the driver passed: `write([159])`, `read(3)`, `transfer([159, 0], 2)`
//! (bytes written, number read), `transfer_in_place([159, 0])`, `flush()`.

use embedded_hal::spi::{ErrorKind, ErrorType, SpiBus};

use super::super::error::DeclarationError;
use super::super::value::ValueRef;
use super::i2c::length;
use super::script::Script;
use super::spi_device::{
    play_read, play_transfer, play_transfer_in_place, play_write, Answer, SpiScript,
};
use super::HalFakeError;

/// An SPI bus with expected operations, in order.
///
/// `CALLS`: expected calls; `ARGS`: declared argument values (one or two a call); `MSG`: bytes
/// kept of the first failure message. Running out is a [`DeclarationError::Full`].
///
/// ```
/// use capturemock_core::fake::hal::SpiBusFake;
/// use embedded_hal::spi::SpiBus;
///
/// let mut bus: SpiBusFake<'_> = SpiBusFake::new("bus");
/// bus.expect_transfer(&[0x9f, 0, 0], &[0xff, 0xef, 0x40]).unwrap().allow_flush().unwrap();
///
/// let mut reply = [0u8; 3];
/// bus.transfer(&mut reply, &[0x9f, 0, 0]).unwrap();
/// bus.flush().unwrap();
/// assert_eq!(reply, [0xff, 0xef, 0x40]);
/// bus.verify().unwrap();
/// ```
pub struct SpiBusFake<'a, const CALLS: usize = 16, const ARGS: usize = 32, const MSG: usize = 256> {
    script: SpiScript<'a, CALLS, ARGS, MSG>,
}

impl<'a, const CALLS: usize, const ARGS: usize, const MSG: usize> SpiBusFake<'a, CALLS, ARGS, MSG> {
    /// A bus named `name` (`fake:<name>` in messages) that expects nothing yet.
    pub fn new(name: &'a str) -> Self {
        SpiBusFake {
            script: Script::new(name),
        }
    }

    /// The driver calls `write` with exactly `bytes` next.
    pub fn expect_write(&mut self, bytes: &'a [u8]) -> Result<&mut Self, DeclarationError> {
        self.script
            .expect("write", &[ValueRef::Bytes(bytes)], Answer::Nothing)?;
        Ok(self)
    }

    /// The driver calls `read` for `bytes.len()` bytes next, and gets `bytes`.
    pub fn expect_read(&mut self, bytes: &'a [u8]) -> Result<&mut Self, DeclarationError> {
        self.script
            .expect("read", &[length(bytes.len())], Answer::Bytes(bytes))?;
        Ok(self)
    }

    /// The driver calls `transfer` writing exactly `write` and reading `read.len()` bytes
    /// next, and gets `read`.
    pub fn expect_transfer(
        &mut self,
        write: &'a [u8],
        read: &'a [u8],
    ) -> Result<&mut Self, DeclarationError> {
        let args = [ValueRef::Bytes(write), length(read.len())];
        self.script.expect("transfer", &args, Answer::Bytes(read))?;
        Ok(self)
    }

    /// The driver calls `transfer_in_place` with a buffer holding exactly `write` next, and
    /// gets `read` in its place.
    pub fn expect_transfer_in_place(
        &mut self,
        write: &'a [u8],
        read: &'a [u8],
    ) -> Result<&mut Self, DeclarationError> {
        self.script.expect(
            "transfer_in_place",
            &[ValueRef::Bytes(write)],
            Answer::Bytes(read),
        )?;
        Ok(self)
    }

    /// The driver flushes next.
    pub fn expect_flush(&mut self) -> Result<&mut Self, DeclarationError> {
        self.script.expect("flush", &[], Answer::Nothing)?;
        Ok(self)
    }

    /// The driver may flush at any time, any number of times (outside the order).
    pub fn allow_flush(&mut self) -> Result<&mut Self, DeclarationError> {
        self.script.allow("flush", Answer::Nothing)?;
        Ok(self)
    }

    /// The call declared last fails with `kind` instead of answering; buffers are left as
    /// they were.
    pub fn fails_with(&mut self, kind: ErrorKind) -> Result<&mut Self, DeclarationError> {
        self.script.fail_last(kind)?;
        Ok(self)
    }

    super::script::verification_methods!();
}

impl<const CALLS: usize, const ARGS: usize, const MSG: usize> ErrorType
    for SpiBusFake<'_, CALLS, ARGS, MSG>
{
    type Error = HalFakeError<ErrorKind>;
}

impl<const CALLS: usize, const ARGS: usize, const MSG: usize> SpiBus
    for SpiBusFake<'_, CALLS, ARGS, MSG>
{
    fn read(&mut self, words: &mut [u8]) -> Result<(), Self::Error> {
        play_read(&mut self.script, words)
    }

    fn write(&mut self, words: &[u8]) -> Result<(), Self::Error> {
        play_write(&mut self.script, words)
    }

    fn transfer(&mut self, read: &mut [u8], write: &[u8]) -> Result<(), Self::Error> {
        play_transfer(&mut self.script, read, write)
    }

    fn transfer_in_place(&mut self, words: &mut [u8]) -> Result<(), Self::Error> {
        play_transfer_in_place(&mut self.script, words)
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.script.play("flush", &[]).map(|_| ())
    }
}
