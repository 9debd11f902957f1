//! The host's side of a link, sans-IO: sessions, repeated requests and the answers to keep.
//!
//! A bridge owns a [`FrameDecoder`](super::FrameDecoder) and a [`HostSession`] and wires them:
//!
//! ```text
//! bytes ─▶ decoder.feed ─▶ Frame(payload) ─▶ session.on_frame(payload) ─┬─ Reply(event)
//!                     │                                                 │   write session.outgoing()
//!                     │                                                 └─ Serve(exchange)
//!                     └──▶ Skipped(skip) ─▶ session.on_skip(skip) ─▶ write the Nak it returns
//!   serve the exchange (capturemock server, replay table...)
//!     ─▶ session.answer(seq, answer) ─▶ write the frame it returns
//! ```
//!
//! They are separate values, and [`HostStep`] does not borrow the session, so that an
//! [`DeviceRequest`] (borrowed from the decoder's buffer) can be held while the session writes
//! its answer.

use core::fmt;

use super::frame::{self, FrameEncodeError};
use super::message::{DeviceMessage, Hello, HostError, HostMessage, Welcome, PROTOCOL_VERSION};
use super::Skip;
use crate::replay::Mode;

/// Room for the host's small messages (Nak, Restart, Welcome): the longest, a Welcome, takes
/// at most 18 bytes (variant, version, session up to 5 bytes as a varint, mode, max_frame up
/// to 3, then CRC and framing).
pub(super) const SMALL_FRAME: usize = 32;

/// The longest `Failed` frame on the wire: variant, `seq` (up to 3 bytes), error variant,
/// `needed` (up to 5), then CRC and framing. A [`HostSession`] must be able to send it.
pub(super) const FAILED_FRAME: usize = frame::wire_len(1 + 3 + 1 + 5);

/// A request from the device, for the host to serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceRequest<'p> {
    /// Record this exchange; answer [`HostAnswer::Recorded`].
    Record {
        /// Sequence number, to pass to [`HostSession::answer`].
        seq: u16,
        /// The request text (`<-CAL:` in the record file).
        request: &'p str,
        /// The response the device got from the real thing (`->RET:`).
        response: &'p str,
    },
    /// Find the recorded response; answer [`HostAnswer::Response`] or [`HostAnswer::NoMatch`].
    Replay {
        /// Sequence number, to pass to [`HostSession::answer`].
        seq: u16,
        /// The request text.
        request: &'p str,
    },
}

impl DeviceRequest<'_> {
    /// The sequence number to answer with.
    pub fn seq(&self) -> u16 {
        match self {
            DeviceRequest::Record { seq, .. } | DeviceRequest::Replay { seq, .. } => *seq,
        }
    }

    /// The request text.
    pub fn request(&self) -> &str {
        match self {
            DeviceRequest::Record { request, .. } | DeviceRequest::Replay { request, .. } => {
                request
            }
        }
    }
}

/// How the host served an [`DeviceRequest`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostAnswer<'a> {
    /// Recorded.
    Recorded,
    /// The recorded response text.
    Response(&'a str),
    /// Nothing recorded answers it.
    NoMatch,
    /// Could not serve it.
    Failed(HostError),
}

/// What the host makes of one frame from the device.
#[derive(Debug, PartialEq, Eq)]
pub enum HostStep<'p> {
    /// Write [`HostSession::outgoing`] to the device; nothing else to do.
    Reply(HostEvent),
    /// A new request: serve it, then write what [`HostSession::answer`] returns.
    Serve(DeviceRequest<'p>),
}

/// What happened, for the bridge's log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HostEvent {
    /// A session opened. `previous` is the session it replaces when the device restarted
    /// (a `Hello` with a new session); `last_seq` the last request of that session.
    Opened {
        /// The new session.
        session: u32,
        /// The session before, when there was one and it differs.
        previous: Option<u32>,
        /// The last request answered in the previous session.
        last_seq: Option<u16>,
    },
    /// A repeated `Hello` of the current session (the device missed the welcome).
    Rewelcomed,
    /// The device speaks another protocol version; the host keeps no session.
    VersionMismatch {
        /// The device's version.
        device: u8,
    },
    /// A repeated request: the answer it had before was sent again.
    Repeated {
        /// Its sequence number.
        seq: u16,
    },
    /// A request outside a session: the device is told to say hello again.
    NoSession,
    /// The frame was not a device message: the device is told to repeat.
    Malformed,
}

/// Running totals of a [`HostSession`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct HostStats {
    /// Requests served (new, not repeated).
    pub served: u32,
    /// Repeated requests answered from the kept answer.
    pub repeats: u32,
    /// Sessions opened.
    pub sessions: u32,
    /// Sessions replaced by a device restart.
    pub device_restarts: u32,
    /// Requests outside a session.
    pub no_session: u32,
    /// Naks sent (damaged or malformed frames).
    pub naks: u32,
}

/// [`HostSession::answer`] was given an answer for a request it is not serving.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotServing {
    /// The sequence number given.
    pub seq: u16,
}

impl fmt::Display for NotServing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no request {} is being served", self.seq)
    }
}

impl core::error::Error for NotServing {}

/// The host's state for one link, keeping the last answer in a buffer of `N` bytes (the
/// longest answer frame it can send).
///
/// `N` must hold the longest `Failed` frame (17 bytes), which the host must always be able
/// to send; a smaller `N` does not build:
///
/// ```compile_fail
/// use capturemock_core::{link::HostSession, replay::Mode};
/// let host = HostSession::<16>::new(Mode::Replay);
/// ```
#[derive(Debug, Clone)]
pub struct HostSession<const N: usize> {
    mode: Mode,
    session: Option<u32>,
    device_max: usize,
    serving: Option<u16>,
    last_seq: Option<u16>,
    last: [u8; N],
    last_len: usize,
    small: [u8; SMALL_FRAME],
    small_len: usize,
    /// Whether [`HostSession::outgoing`] is the kept answer rather than `small`.
    outgoing_last: bool,
    stats: HostStats,
}

impl<const N: usize> HostSession<N> {
    /// A host with no session yet, telling devices to work in `mode`.
    pub const fn new(mode: Mode) -> Self {
        const {
            assert!(
                N >= FAILED_FRAME,
                "HostSession<N>: N must hold a Failed frame (17 bytes)"
            )
        };
        HostSession {
            mode,
            session: None,
            device_max: 0,
            serving: None,
            last_seq: None,
            last: [0; N],
            last_len: 0,
            small: [0; SMALL_FRAME],
            small_len: 0,
            outgoing_last: false,
            stats: HostStats {
                served: 0,
                repeats: 0,
                sessions: 0,
                device_restarts: 0,
                no_session: 0,
                naks: 0,
            },
        }
    }

    /// The mode devices are told.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The current session, if a device said hello.
    pub fn session(&self) -> Option<u32> {
        self.session
    }

    /// The running totals.
    pub fn stats(&self) -> HostStats {
        self.stats
    }

    /// Forgets the session and the kept answer, as a restarted host would: the device's next
    /// request is answered with [`HostMessage::Restart`].
    pub fn forget(&mut self) {
        self.session = None;
        self.serving = None;
        self.last_seq = None;
        self.last_len = 0;
    }

    /// The frame to write after [`on_frame`](Self::on_frame) returned [`HostStep::Reply`].
    pub fn outgoing(&self) -> &[u8] {
        // Both lengths are what `frame::encode` wrote into that buffer: the fallbacks are
        // never taken.
        if self.outgoing_last {
            self.last.get(..self.last_len).unwrap_or_default()
        } else {
            self.small.get(..self.small_len).unwrap_or_default()
        }
    }

    /// Handles one frame's payload from the device.
    pub fn on_frame<'p>(&mut self, payload: &'p [u8]) -> HostStep<'p> {
        let message = match DeviceMessage::decode(payload) {
            Ok(message) => message,
            Err(_) => return self.nak(HostEvent::Malformed),
        };
        match message {
            DeviceMessage::Hello(hello) => self.hello(hello),
            _ if self.session.is_none() => {
                self.stats.no_session = self.stats.no_session.saturating_add(1);
                self.small_frame(&HostMessage::Restart);
                HostStep::Reply(HostEvent::NoSession)
            }
            DeviceMessage::Record {
                seq,
                request,
                response,
            } => self.request(
                seq,
                DeviceRequest::Record {
                    seq,
                    request,
                    response,
                },
            ),
            DeviceMessage::Replay { seq, request } => {
                self.request(seq, DeviceRequest::Replay { seq, request })
            }
        }
    }

    /// Handles bytes the decoder dropped: returns a [`HostMessage::Nak`] frame to write, so
    /// that the device repeats its request without waiting for a timeout.
    pub fn on_skip(&mut self, _skip: Skip) -> &[u8] {
        self.stats.naks = self.stats.naks.saturating_add(1);
        self.small_frame(&HostMessage::Nak);
        self.outgoing()
    }

    /// The frame answering request `seq` (the one [`on_frame`](Self::on_frame) handed out to
    /// serve). It is kept, and sent again if the device repeats the request. An answer too
    /// large for the device (or for `N`) becomes [`HostError::TooLarge`].
    pub fn answer(&mut self, seq: u16, answer: HostAnswer<'_>) -> Result<&[u8], NotServing> {
        if self.serving != Some(seq) {
            return Err(NotServing { seq });
        }
        self.serving = None;
        let message = match answer {
            HostAnswer::Recorded => HostMessage::Recorded { seq },
            HostAnswer::Response(text) => HostMessage::Response { seq, text },
            HostAnswer::NoMatch => HostMessage::NoMatch { seq },
            HostAnswer::Failed(error) => HostMessage::Failed { seq, error },
        };
        let limit = self.device_max.min(N);
        // `limit` is at most `N`, the length of `last`: the fallback is never taken.
        let room = self.last.get_mut(..limit).unwrap_or_default();
        let len = match frame::encode(&message, room) {
            Ok(len) => len,
            Err(FrameEncodeError { needed }) => {
                let error = HostError::TooLarge {
                    // Past `u32::MAX` the answer is too large for any device all the same.
                    needed: u32::try_from(needed).unwrap_or(u32::MAX),
                };
                let failed = HostMessage::Failed { seq, error };
                match frame::encode(&failed, room) {
                    Ok(len) => len,
                    // The device's `max_frame` is below even this frame. It is sent all the
                    // same, as the Welcome is: a device that cannot take it drops it as an
                    // overflow and repeats until it gives up, instead of waiting for an
                    // answer that never comes. `new` makes sure it fits in `last`, so the
                    // fallback is never taken.
                    Err(_) => frame::encode(&failed, &mut self.last).unwrap_or(0),
                }
            }
        };
        self.last_seq = Some(seq);
        self.last_len = len;
        self.outgoing_last = true;
        Ok(self.outgoing())
    }

    fn hello(&mut self, hello: Hello) -> HostStep<'static> {
        if hello.version != PROTOCOL_VERSION {
            self.forget();
            let welcome = self.welcome(hello.session);
            self.small_frame(&HostMessage::Welcome(welcome));
            return HostStep::Reply(HostEvent::VersionMismatch {
                device: hello.version,
            });
        }
        let event = if self.session == Some(hello.session) {
            HostEvent::Rewelcomed
        } else {
            self.stats.sessions = self.stats.sessions.saturating_add(1);
            let previous = self.session;
            if previous.is_some() {
                self.stats.device_restarts = self.stats.device_restarts.saturating_add(1);
            }
            HostEvent::Opened {
                session: hello.session,
                previous,
                last_seq: self.last_seq,
            }
        };
        // A hello means no request is outstanding: the kept answer can never be asked for
        // again, and a restarted device may reuse its sequence numbers.
        self.forget();
        self.session = Some(hello.session);
        self.device_max = usize::from(hello.max_frame);
        let welcome = self.welcome(hello.session);
        self.small_frame(&HostMessage::Welcome(welcome));
        HostStep::Reply(event)
    }

    fn welcome(&self, session: u32) -> Welcome {
        Welcome {
            version: PROTOCOL_VERSION,
            session,
            mode: self.mode,
            // A host with more room than a frame can announce still announces the most: the
            // device never sends more than that, which the host takes.
            max_frame: u16::try_from(N).unwrap_or(u16::MAX),
        }
    }

    fn request<'p>(&mut self, seq: u16, exchange: DeviceRequest<'p>) -> HostStep<'p> {
        if self.last_seq == Some(seq) {
            self.stats.repeats = self.stats.repeats.saturating_add(1);
            self.outgoing_last = true;
            return HostStep::Reply(HostEvent::Repeated { seq });
        }
        self.stats.served = self.stats.served.saturating_add(1);
        self.serving = Some(seq);
        HostStep::Serve(exchange)
    }

    fn nak(&mut self, event: HostEvent) -> HostStep<'static> {
        self.stats.naks = self.stats.naks.saturating_add(1);
        self.small_frame(&HostMessage::Nak);
        HostStep::Reply(event)
    }

    fn small_frame(&mut self, message: &HostMessage<'_>) {
        // Small messages fit in `SMALL_FRAME` whatever their fields (tested with the
        // largest Welcome): the fallback is never taken.
        self.small_len = frame::encode(message, &mut self.small).unwrap_or(0);
        self.outgoing_last = false;
    }
}
