//! Replays of the embedded-hal 1.0 traits, answered from recorded bus traffic (feature
//! `embedded-hal`; `docs/embedded-hal.md` has the record text and a walk-through).
//!
//! A driver written against `I2c`, `SpiDevice`, `SpiBus`, `OutputPin`, `InputPin`,
//! `StatefulOutputPin` or `DelayNs` (or their embedded-hal-async forms) is handed one of the
//! replaying devices of this module instead of the real bus. Each call the driver makes is one
//! bus transaction, and each transaction is one exchange of the record:
//!
//! ```text
//! driver ─ transaction ─▶ I2cReplay ─ request text ─▶ Backend ─▶ ReplayTable (exact, else
//!        ◀─ read bytes ──            ◀─ response text ─          best match; repeats)
//! ```
//!
//! - The devices ([`I2cReplay`], [`SpiDeviceReplay`], [`SpiBusReplay`], [`PinReplay`],
//!   [`DelayReplay`]) only turn calls into [`Transaction`]s and back; they hold a
//!   [`Backend`], shared by reference, so every device of a board answers from one record in
//!   one order.
//! - [`HalReplay`] is the backend of a device: a [`ReplayTable`](crate::replay::ReplayTable)
//!   in flash (text or postcard form), the core's one lookup, a report hook for what it cannot
//!   answer. [`HalLink`] is the backend over the UART link: a host answers (`capturemock
//!   bridge --hal`), and [`LinkRecorded`] sends a real device's transactions to it to record.
//!   [`download_table`] fetches the host's replay table over the link at start-up, for a
//!   [`HalReplay`] in RAM. On the host, `capturemock::hal` has a backend over a `.mock` file and the
//!   recording wrappers around real devices, writing the same text.
//! - The text of a transaction is in [`text`]; the error every replayed trait returns is
//!   [`HalError`].

mod backend;
mod delay;
mod download;
mod error;
mod i2c;
mod link;
mod link_recorded;
mod pin;
mod spi;
mod table;
pub mod text;

pub use backend::{Backend, Report, ReportHook, Transaction};
pub use delay::{DelayCall, DelayReplay};
pub use download::{download_table, DownloadError, TABLE_REQUEST};
pub use error::{DeviceError, HalError, NoAck};
pub use i2c::{Address, I2cReplay, I2cTransaction};
pub use link::{HalLink, LinkRealCall};
pub use link_recorded::LinkRecorded;
pub use pin::{PinCall, PinReplay};
pub use spi::{SpiBusReplay, SpiDeviceReplay, SpiFlush, SpiTransaction};
pub use table::{ExactOnly, HalReplay, Matching};

#[cfg(test)]
mod link_tests;
#[cfg(test)]
mod tests;
