//! Serial links: how a device records and replays through a host, and replays on its own.
//!
//! ```text
//! device                                         host (a bridge to a capturemock server)
//! LinkClient ─ DeviceMessage ─▶ frame ─▶ UART ─▶ FrameDecoder ─▶ HostSession ─▶ DeviceRequest ─┐
//!            ◀─ HostMessage ◀── frame ◀── UART ◀─────────────────────── HostAnswer ◀── server ◀┘
//! LocalReplay: the same answers from a table in flash, no host
//! ```
//!
//! # Frames
//! One message per frame: `0x00`, then COBS(postcard(message) ‖ CRC-32C(postcard bytes),
//! little-endian), then `0x00`. COBS keeps `0x00` out of the body, so a receiver finds frame
//! boundaries in any byte stream; the CRC rejects frames that noise damaged; the leading
//! delimiter ends whatever partial frame the line left behind. [`FrameDecoder`] reads such a
//! stream with a fixed buffer (its `N` is the longest frame it takes, on the wire) and reports
//! what it drops ([`Skip`]). `docs/link.md` describes the protocol byte by byte.
//!
//! # Conversation
//! The device says [`Hello`] (protocol version, session id, its frame size); the host answers
//! [`Welcome`] with the [`Mode`](crate::replay::Mode) the device is to work in. Then each
//! request carries a sequence number and is sent until its answer comes: on a damaged frame,
//! a [`HostMessage::Nak`], a read timeout, or a [`HostMessage::Restart`] (after a new hello).
//! The host answers a repeated sequence number with the answer it kept, so nothing is recorded
//! or consumed twice. A record request carries the whole exchange in one frame, so a host
//! never sees half of one.
//!
//! - [`LinkClient`] / [`AsyncLinkClient`]: the device side over `embedded_io` /
//!   `embedded_io_async` transports.
//! - [`HostSession`]: the host side, sans-IO, for bridges.
//! - [`LocalReplay`]: replay from a `.mock` text or its binary form in flash, no host.

mod async_client;
mod client;
mod decoder;
mod frame;
mod host;
mod local;
mod machine;
mod message;

pub use async_client::AsyncLinkClient;
pub use client::LinkClient;
pub use decoder::{DecoderStats, Feed, FrameDecoder, Skip, SkipReason};
pub use frame::{
    checksum, encode, encode_bytes, max_payload, wire_len, FrameEncodeError, CRC_LEN, DELIMITER,
};
pub use host::{
    DeviceRequest, HostAnswer, HostEvent, HostSession, HostStats, HostStep, NotServing,
};
#[cfg(feature = "embedded-hal")]
pub(crate) use local::plain_table;
pub use local::{LocalAnswer, LocalError, LocalReplay, REQUEST_PREFIX};
pub use machine::{Exchanged, LinkConfig, LinkError, LinkStats, Source};
pub use message::{
    decode, DeviceMessage, Hello, HostError, HostMessage, Malformed, Welcome, PROTOCOL_VERSION,
};

#[cfg(test)]
pub(crate) mod test_support;
#[cfg(test)]
mod tests;
