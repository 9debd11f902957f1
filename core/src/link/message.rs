//! What device and host say to each other, one message per frame.

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::replay::Mode;

/// The protocol version this crate speaks; a [`Hello`] and a [`Welcome`] carry it, and the
/// two sides must agree.
pub const PROTOCOL_VERSION: u8 = 1;

/// Opens (or reopens) a session: the device's first message, and its answer to
/// [`HostMessage::Restart`].
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Hello {
    /// [`PROTOCOL_VERSION`] of the device.
    pub version: u8,
    /// Chosen by the device, new at each boot where it can (a boot counter, a serial number
    /// mixed with a timer): a `Hello` with another session tells the host the device restarted.
    pub session: u32,
    /// Longest frame the device can receive, on the wire with delimiters.
    pub max_frame: u16,
}

/// The host's answer to a [`Hello`].
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Welcome {
    /// [`PROTOCOL_VERSION`] of the host.
    pub version: u8,
    /// The session of the `Hello` this answers.
    pub session: u32,
    /// What the device is to do with its exchanges: [`Mode::Record`] reports real exchanges,
    /// [`Mode::Replay`] asks for recorded responses, [`Mode::ReplayOldRecordNew`] asks and
    /// records what the host does not have.
    pub mode: Mode,
    /// Longest frame the host can receive, on the wire with delimiters.
    pub max_frame: u16,
}

/// From device to host.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceMessage<'a> {
    /// Opens a session.
    Hello(Hello),
    /// An exchange the device had with the real thing, to record: a custom-client request
    /// (`<-CAL:` in the record file) and its response (`->RET:`). Answered by
    /// [`HostMessage::Recorded`].
    Record {
        /// Sequence number of this request (see [`HostMessage`]).
        seq: u16,
        /// The request text.
        #[serde(borrow)]
        request: &'a str,
        /// The response text.
        #[serde(borrow)]
        response: &'a str,
    },
    /// Asks for the recorded response to a custom-client request. Answered by
    /// [`HostMessage::Response`] or [`HostMessage::NoMatch`].
    Replay {
        /// Sequence number of this request.
        seq: u16,
        /// The request text.
        #[serde(borrow)]
        request: &'a str,
    },
}

/// From host to device.
///
/// Answers carry the `seq` of the request they answer. The device sends each request until it
/// has its answer, with the same `seq`; the host answers a repeated `seq` with the answer it
/// gave before instead of serving the request again, so a repeat never records or consumes
/// twice.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HostMessage<'a> {
    /// Answers a [`Hello`].
    Welcome(Welcome),
    /// The exchange was recorded.
    Recorded {
        /// The request's sequence number.
        seq: u16,
    },
    /// The recorded response.
    Response {
        /// The request's sequence number.
        seq: u16,
        /// The response text (the responses of the request, trailing white space stripped,
        /// back to back, as a custom client gets them).
        #[serde(borrow)]
        text: &'a str,
    },
    /// Nothing recorded answers the request (exact matching is on, or nothing is near).
    NoMatch {
        /// The request's sequence number.
        seq: u16,
    },
    /// The host could not serve the request.
    Failed {
        /// The request's sequence number.
        seq: u16,
        /// Why.
        error: HostError,
    },
    /// The host received a damaged frame: the device repeats its request.
    Nak,
    /// The host has no session (it restarted): the device says [`Hello`] again, then repeats
    /// its request.
    Restart,
}

/// Why the host could not serve a request.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HostError {
    /// The answer does not fit in the device's frames.
    TooLarge {
        /// Bytes the answer's frame needs on the wire.
        needed: u32,
    },
    /// The host cannot reach what serves requests (its capturemock server).
    Unavailable,
    /// The request cannot be passed on (e.g. its text contains the custom-client separator
    /// `:SUT_SEP:`).
    Refused,
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostError::TooLarge { needed } => {
                write!(
                    f,
                    "the answer needs a {needed}-byte frame, more than the device takes"
                )
            }
            HostError::Unavailable => f.write_str("the host cannot reach its capturemock server"),
            HostError::Refused => f.write_str("the host cannot pass this request on"),
        }
    }
}

impl core::error::Error for HostError {}

/// A frame's payload is not a message of the expected kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Malformed;

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("frame payload is not a valid link message")
    }
}

impl core::error::Error for Malformed {}

/// Reads a message from a frame's payload, which it must fill exactly.
pub fn decode<'a, T: Deserialize<'a>>(payload: &'a [u8]) -> Result<T, Malformed> {
    match postcard::take_from_bytes::<T>(payload) {
        Ok((message, [])) => Ok(message),
        _ => Err(Malformed),
    }
}

impl<'a> DeviceMessage<'a> {
    /// Reads a device message from a frame's payload.
    pub fn decode(payload: &'a [u8]) -> Result<Self, Malformed> {
        decode(payload)
    }

    /// The sequence number, for requests.
    pub fn seq(&self) -> Option<u16> {
        match self {
            DeviceMessage::Hello(_) => None,
            DeviceMessage::Record { seq, .. } | DeviceMessage::Replay { seq, .. } => Some(*seq),
        }
    }
}

impl<'a> HostMessage<'a> {
    /// Reads a host message from a frame's payload.
    pub fn decode(payload: &'a [u8]) -> Result<Self, Malformed> {
        decode(payload)
    }

    /// The sequence number of the request this answers, for answers.
    pub fn seq(&self) -> Option<u16> {
        match self {
            HostMessage::Recorded { seq }
            | HostMessage::Response { seq, .. }
            | HostMessage::NoMatch { seq }
            | HostMessage::Failed { seq, .. } => Some(*seq),
            HostMessage::Welcome(_) | HostMessage::Nak | HostMessage::Restart => None,
        }
    }
}
