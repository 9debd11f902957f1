//! Fakes of the embedded-hal 1.0 traits, with hand-written expectations (what embedded-hal-mock
//! is used for), built on the expectation engine: no allocator, no std, Fudge's messages.
//!
//! Each fake is one fake of the engine whose expected calls keep a remembered order. A method
//! of the trait is a call of that fake, with its arguments by value: the address, the bytes
//! written, the number of bytes read (`fake:lm75.write_read(72, [0], 2)`); an I2C or SPI
//! `transaction` is one call whose arguments name each operation
//! (`fake:flash.transaction("write", [159], "read", 3)`). So a driver that strays gets the
//! engine's verdict in Fudge's words: `... was called unexpectedly with args (...)`, `Call #2
//! was ...; Expected: ...`, `... was not called`.
//!
//! | trait (embedded-hal and embedded-hal-async) | fake |
//! |---|---|
//! | `i2c::I2c` | [`I2cFake`] |
//! | `spi::SpiDevice` | [`SpiDeviceFake`] |
//! | `spi::SpiBus` | [`SpiBusFake`] |
//! | `digital::{OutputPin, InputPin, StatefulOutputPin}`, async `digital::Wait` | [`PinFake`] |
//! | `delay::DelayNs` | [`DelayFake`] |
//!
//! Errors are the trait's own error kinds: `fails_with(i2c::ErrorKind::NoAcknowledge(..))`
//! makes the call declared last return [`HalFakeError::Injected`] with that kind. A call that
//! does not meet the expectations returns [`HalFakeError::Unmet`] (kind `Other`) and keeps
//! Fudge's message for `failure()` and `verify()`; nothing panics, so the same test runs on a
//! target. (`DelayNs` cannot fail: a wrong delay is only kept, and told by `verify()`.)
//!
//! Verification cannot be forgotten where it can be enforced: a fake dropped with calls or
//! expectations it has not verified is verified then. With the `std` feature (a host test) a
//! failure panics with the message; on a target, where a panic would only stop the firmware
//! without saying why, it goes to the hook given with `on_unverified` (write it to the UART,
//! exit QEMU with a failure, ...), and `verify()` is `#[must_use]`.
//!
//! ```
//! use capturemock_core::fake::hal::I2cFake;
//! use embedded_hal::i2c::I2c;
//!
//! let mut i2c: I2cFake<'_> = I2cFake::new("lm75");
//! i2c.expect_write_read(0x48, &[0x00], &[0x19, 0x80]).unwrap();
//!
//! let mut temperature = [0u8; 2];
//! i2c.write_read(0x48, &[0x00], &mut temperature).unwrap();
//! assert_eq!(temperature, [0x19, 0x80]);
//! i2c.verify().unwrap();
//! ```

mod asynch;
mod delay;
mod i2c;
mod pin;
mod script;
mod spi_bus;
mod spi_device;

use core::fmt;

pub use super::io::Unverified;
pub use delay::DelayFake;
pub use i2c::{I2cFake, I2cOp};
pub use pin::PinFake;
pub use spi_bus::SpiBusFake;
pub use spi_device::{SpiDeviceFake, SpiOp};

/// What a fake's method returns to the driver when it does not answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HalFakeError<K> {
    /// The error kind the test declared with `fails_with`: a NACK, a bus error, ...
    Injected(K),
    /// The call did not meet the expectations; the fake's `failure()` tells how, in Fudge's
    /// words. The trait's error kind is `Other`.
    Unmet,
}

impl<K: fmt::Debug> fmt::Display for HalFakeError<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HalFakeError::Injected(kind) => write!(f, "injected error: {kind:?}"),
            HalFakeError::Unmet => {
                f.write_str("the call did not meet the expectations; failure() tells how")
            }
        }
    }
}

impl<K: fmt::Debug> core::error::Error for HalFakeError<K> {}

impl embedded_hal::i2c::Error for HalFakeError<embedded_hal::i2c::ErrorKind> {
    fn kind(&self) -> embedded_hal::i2c::ErrorKind {
        match self {
            HalFakeError::Injected(kind) => *kind,
            HalFakeError::Unmet => embedded_hal::i2c::ErrorKind::Other,
        }
    }
}

impl embedded_hal::spi::Error for HalFakeError<embedded_hal::spi::ErrorKind> {
    fn kind(&self) -> embedded_hal::spi::ErrorKind {
        match self {
            HalFakeError::Injected(kind) => *kind,
            HalFakeError::Unmet => embedded_hal::spi::ErrorKind::Other,
        }
    }
}

impl embedded_hal::digital::Error for HalFakeError<embedded_hal::digital::ErrorKind> {
    fn kind(&self) -> embedded_hal::digital::ErrorKind {
        match self {
            HalFakeError::Injected(kind) => *kind,
            HalFakeError::Unmet => embedded_hal::digital::ErrorKind::Other,
        }
    }
}

#[cfg(test)]
mod tests;
