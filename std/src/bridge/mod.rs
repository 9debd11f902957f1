//! The serial bridge: a device's link frames (capturemock-core's [`link`] protocol) from a
//! serial device or a socket, served by a capturemock server as ordinary custom-client
//! exchanges, so that the record file is an ordinary `.mock` file.
//!
//! ```text
//! device ─UART─▶ Endpoint ─▶ Port ─▶ FrameDecoder ─▶ HostSession ─▶ Upstream ─▶ server
//!        ◀──────────────────────── answer frame ◀─┘                  (custom client)
//! ```
//!
//! - [`Endpoint`]: a serial device (the serialport crate), or a TCP or Unix socket,
//!   listening (QEMU's `-serial tcp:HOST:PORT` connects to it) or connecting (QEMU's
//!   `server=on`).
//! - [`Bridge`]: the decoder and the host session on a [`Port`]. Only complete frames with a
//!   good CRC reach the session and only new requests reach the server, so noise on the line
//!   costs repeats, never a wrong or half record. What it drops is logged as it happens and
//!   counted in the [`BridgeReport`].
//! - [`Upstream`]: a `Record` frame becomes `SUT_CUSTOM:request:SUT_SEP:response`, a
//!   `Replay` frame `SUT_CUSTOM:request`.
//! - `HalUpstream` (feature `embedded-hal`, `capturemock bridge --hal`): the frames carry
//!   embedded-hal bus transactions (capturemock-core's `HalLink`), recorded and replayed by a
//!   `HalSession` into the same `.mock` text a host recording writes.
//! - [`BackgroundBridge`]: a bridge on a thread with the server it started (configured as
//!   the `capturemock` command configures one) or one already running.
//!
//! Mode 2 (replay old, record new) is decided as the server decides it: the bridge looks the
//! request up in the server's own replay file (without using it up) and applies the server's
//! policy ([`RecordedLookup`]). What the server would replay is asked for; what it would
//! record is answered `NoMatch`, the device asks the real thing and sends the exchange for
//! recording. With the reference's policy a server replays everything once its replay file
//! has content, so a device records only with `--record-unmatched` (docs/link.md).
//!
//! ```no_run
//! use std::time::Duration;
//! use capturemock::bridge::{BackgroundBridge, Endpoint, Host};
//! use capturemock::server::ServerConfig;
//! use capturemock_core::replay::Mode;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut config = ServerConfig::default();
//! config.mode = Mode::Record;
//! config.record = Some("device.mock".into());
//! let link = Endpoint::socket("127.0.0.1:0", true)?.open(Duration::from_millis(50))?;
//! let bridge = BackgroundBridge::start(link, Host::Start { config, port: 0 }, false)?;
//! println!("start QEMU with -serial tcp:{},nodelay=on", bridge.link_address().unwrap());
//! // ... the device runs ...
//! let run = bridge.stop()?;
//! println!("{}", run.report);
//! # Ok(()) }
//! ```
//!
//! [`link`]: capturemock_core::link

mod background;
pub mod endpoint;
#[cfg(feature = "embedded-hal")]
mod hal;
mod host;
mod report;
mod upstream;

pub use background::{BackgroundBridge, BridgeRun, Host};
pub use endpoint::{Endpoint, EndpointError, Link, Port};
#[cfg(feature = "embedded-hal")]
pub use hal::HalUpstream;
pub use host::{Bridge, PortEnd, MAX_FRAME};
pub use report::BridgeReport;
pub use upstream::{RecordedLookup, Serve, Served, Upstream};

/// Why a bridge could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BridgeError {
    /// The link could not be opened or accepted on.
    #[error(transparent)]
    Endpoint(#[from] EndpointError),
    /// The server address is not usable.
    #[error(transparent)]
    Client(#[from] crate::client::ClientError),
    /// The server could not start or stop.
    #[error(transparent)]
    Server(#[from] crate::server::ServerError),
    /// The bridge thread could not start.
    #[error("cannot start the bridge thread")]
    Thread(#[source] std::io::Error),
    /// The bridge thread died.
    #[error("{0}")]
    Panicked(&'static str),
}

#[cfg(test)]
mod tests;
