//! embedded-hal 1.0 on the host (feature `embedded-hal`): record a driver's bus traffic from
//! the real device once, replay it with the device absent (`docs/embedded-hal.md`).
//!
//! ```no_run
//! use capturemock::hal::HalSession;
//! use capturemock_core::hal::I2cReplay;
//! use embedded_hal::i2c::I2c;
//!
//! fn record(real_bus: impl I2c) -> Result<(), Box<dyn std::error::Error>> {
//!     // Every transaction goes to the real bus, and into sensor.mock.
//!     let session = HalSession::record("sensor.mock")?;
//!     let mut bus = session.i2c(real_bus);
//!     let mut t = [0u8; 2];
//!     bus.write_read(0x48, &[0x00], &mut t)?;
//!     Ok(())
//! }
//!
//! fn replay() -> Result<(), Box<dyn std::error::Error>> {
//!     // The same transactions, answered from sensor.mock: no device needed.
//!     let session = HalSession::replay("sensor.mock")?;
//!     let mut bus = I2cReplay::new(&session);
//!     let mut t = [0u8; 2];
//!     bus.write_read(0x48u8, &[0x00], &mut t)?;
//!     Ok(())
//! }
//! ```
//!
//! The text of each transaction is the core's ([`capturemock_core::hal::text`]), so a file
//! recorded here replays on a target from flash, and the other way round. Recording and
//! replay go through the one exchange engine ([`crate::exchange::Engine`]), like every other
//! kind of traffic.

mod delay;
mod error;
mod i2c;
mod pin;
mod recorded;
mod session;
mod spi;

pub use error::HalSessionError;
pub use recorded::Recorded;
pub use session::{HalSession, HalSessionBuilder, RealCall};

#[cfg(test)]
mod tests;
