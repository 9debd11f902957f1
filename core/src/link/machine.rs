//! The device's side of a link as a state machine, shared by the blocking and the async
//! client: it says what to write, takes what was read or why the read failed, decides when to
//! repeat, and what an exchange does in each mode. The two clients only move bytes: a
//! request runs as
//!
//! ```text
//! machine.begin_request(..) ─▶ step = Write
//! loop: Write ─▶ io.write_all(machine.outgoing()); flush ─▶ step = machine.wrote(result)
//!       Read  ─▶ io.read(machine.rx_space())              ─▶ step = machine.read(result)
//!       Done  ─▶ machine.recorded() / machine.replayed()
//! ```

use core::fmt;

use embedded_io::ErrorKind;

use super::decoder::{Feed, FrameDecoder};
use super::frame;
use super::message::{DeviceMessage, Hello, HostError, HostMessage, Welcome, PROTOCOL_VERSION};
use super::DecoderStats;
use crate::replay::Mode;

/// Room for a [`Hello`] frame (10 bytes of payload at most, 17 on the wire).
pub(super) const HELLO_FRAME: usize = 24;
/// Bytes taken from the transport per read.
const RX_CHUNK: usize = 32;

/// How a client identifies itself and how long it insists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LinkConfig {
    /// The session id of its [`Hello`]: new at each boot where the device can manage it, so
    /// that the host notices a restart.
    pub session: u32,
    /// How many times a frame is sent before giving up on an answer (at least 1).
    pub max_tries: u8,
}

impl LinkConfig {
    /// A config with `session` and 10 tries per request.
    pub const fn new(session: u32) -> Self {
        LinkConfig {
            session,
            max_tries: 10,
        }
    }
}

/// Running totals of a client (saturating).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct LinkStats {
    /// Frames written, repeats included.
    pub sent: u32,
    /// Frames written again (after a damaged or missing answer, a Nak or a restart).
    pub repeats: u32,
    /// Reads that timed out.
    pub timeouts: u32,
    /// Naks from the host.
    pub naks: u32,
    /// Host restarts (a [`HostMessage::Restart`] answered by a new hello).
    pub host_restarts: u32,
    /// Valid frames that answered nothing pending (late repeats of earlier answers).
    pub stale: u32,
    /// Valid frames that were not host messages.
    pub malformed: u32,
    /// What the frame decoder accepted and dropped.
    pub decoder: DecoderStats,
}

/// Why a client request failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkError<E> {
    /// The transport failed.
    Io(E),
    /// The transport reached its end (a read returned nothing).
    Closed,
    /// No answer after [`LinkConfig::max_tries`] sends.
    NoReply,
    /// The host speaks another protocol version.
    Version {
        /// The host's [`PROTOCOL_VERSION`].
        host: u8,
    },
    /// The request does not fit in a frame (the client's or the host's).
    TooLarge {
        /// Bytes its frame needs on the wire.
        needed: usize,
    },
    /// The host could not serve the request.
    Host(HostError),
    /// The host answered with the wrong kind of message.
    Unexpected,
    /// The caller's buffer cannot hold the response.
    BufferTooSmall {
        /// Bytes the response needs.
        needed: usize,
    },
    /// The real response is not UTF-8 text.
    NotText,
}

impl<E: fmt::Debug> fmt::Display for LinkError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkError::Io(e) => write!(f, "link transport error: {e:?}"),
            LinkError::Closed => f.write_str("link transport closed"),
            LinkError::NoReply => f.write_str("no answer from the host"),
            LinkError::Version { host } => write!(
                f,
                "the host speaks link protocol {host}, this device {PROTOCOL_VERSION}"
            ),
            LinkError::TooLarge { needed } => {
                write!(f, "request too large: its frame needs {needed} bytes")
            }
            LinkError::Host(e) => write!(f, "host failed: {e}"),
            LinkError::Unexpected => f.write_str("the host answered with the wrong message"),
            LinkError::BufferTooSmall { needed } => {
                write!(f, "response buffer too small: {needed} bytes needed")
            }
            LinkError::NotText => f.write_str("the real response is not UTF-8 text"),
        }
    }
}

impl<E: fmt::Debug> core::error::Error for LinkError<E> {}

/// Where the response of [`LinkClient::exchange`](super::LinkClient::exchange) came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// Replayed by the host.
    Replayed,
    /// From the real thing (and recorded by the host).
    Real,
    /// Replay mode and nothing recorded answers: the response is empty.
    NoMatch,
}

/// The response of [`LinkClient::exchange`](super::LinkClient::exchange), in the caller's buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Exchanged {
    /// Its length in the buffer.
    pub len: usize,
    /// Where it came from.
    pub source: Source,
}

/// Whether an exchange in `mode` asks the host before the real thing: in replay mode the host
/// answers everything, and in mode 2 a recorded response wins over the real thing. Only
/// record mode goes straight to the real thing.
pub(crate) fn asks_host_first(mode: Mode) -> bool {
    mode != Mode::Record
}

/// What the host's answer to the replay request of an exchange in `mode` means: the
/// recorded response, copied into `out`; in replay mode, an empty [`Source::NoMatch`]
/// response when nothing recorded answers; otherwise (mode 2) `None`, for the real thing
/// to answer and be recorded.
pub(crate) fn replay_answered<E>(
    mode: Mode,
    replayed: Option<&str>,
    out: &mut [u8],
) -> Result<Option<Exchanged>, LinkError<E>> {
    match replayed {
        Some(text) => {
            let len = text.len();
            out.get_mut(..len)
                .ok_or(LinkError::BufferTooSmall { needed: len })?
                .copy_from_slice(text.as_bytes());
            Ok(Some(Exchanged {
                len,
                source: Source::Replayed,
            }))
        }
        None if mode == Mode::Replay => Ok(Some(Exchanged {
            len: 0,
            source: Source::NoMatch,
        })),
        None => Ok(None),
    }
}

/// Asks the real thing: `real` writes its response into `out` and says how long it is (a
/// length past the end of `out` is cut to it). The response is recorded as text, so it must
/// be UTF-8.
pub(crate) fn real_response<'o, E>(
    request: &str,
    out: &'o mut [u8],
    real: impl FnOnce(&str, &mut [u8]) -> usize,
) -> Result<&'o str, LinkError<E>> {
    let len = real(request, out).min(out.len());
    // `len` was cut to `out`, so the fallback is never taken.
    let response = out.get(..len).unwrap_or_default();
    core::str::from_utf8(response).map_err(|_| LinkError::NotText)
}

/// What the driver does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// Read into [`Machine::rx_space`], then give the result to [`Machine::read`].
    Read,
    /// Write [`Machine::outgoing`] (again) and flush, then give the result to
    /// [`Machine::wrote`].
    Write,
    /// The answer is in; see [`Machine::reply`].
    Done,
}

impl Step {
    /// Where every request and every handshake starts: its frame goes out.
    pub(crate) const FIRST: Step = Step::Write;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Idle,
    Welcoming { then_request: bool },
    Awaiting { seq: u16 },
}

/// A received frame, reduced to what the state machine needs.
enum Incoming {
    Welcome(Welcome),
    Answer { seq: u16 },
    Nak,
    Restart,
    Malformed,
}

/// The device's link state with frames of up to `N` bytes.
pub(crate) struct Machine<const N: usize> {
    decoder: FrameDecoder<N>,
    tx: [u8; N],
    tx_len: usize,
    tx_seq: u16,
    hello: [u8; HELLO_FRAME],
    hello_len: usize,
    rx: [u8; RX_CHUNK],
    rx_start: usize,
    rx_end: usize,
    phase: Phase,
    welcome: Option<Welcome>,
    next_seq: u16,
    tries: u8,
    config: LinkConfig,
    stats: LinkStats,
}

impl<const N: usize> Machine<N> {
    pub(crate) const fn new(config: LinkConfig) -> Self {
        Machine {
            decoder: FrameDecoder::new(),
            tx: [0; N],
            tx_len: 0,
            tx_seq: 0,
            hello: [0; HELLO_FRAME],
            hello_len: 0,
            rx: [0; RX_CHUNK],
            rx_start: 0,
            rx_end: 0,
            phase: Phase::Idle,
            welcome: None,
            next_seq: 0,
            tries: 0,
            config,
            stats: LinkStats {
                sent: 0,
                repeats: 0,
                timeouts: 0,
                naks: 0,
                host_restarts: 0,
                stale: 0,
                malformed: 0,
                decoder: DecoderStats {
                    frames: 0,
                    skipped_bytes: 0,
                    checksum: 0,
                    cobs: 0,
                    too_short: 0,
                    overflow: 0,
                },
            },
        }
    }

    pub(crate) fn mode(&self) -> Option<Mode> {
        self.welcome.map(|w| w.mode)
    }

    pub(crate) fn stats(&self) -> LinkStats {
        LinkStats {
            decoder: self.decoder.stats(),
            ..self.stats
        }
    }

    /// Starts a handshake.
    pub(crate) fn begin_connect(&mut self) {
        self.welcome = None;
        self.encode_hello();
        self.phase = Phase::Welcoming {
            then_request: false,
        };
        self.tries = 0;
    }

    /// Starts a request; `make` builds it from its sequence number. Says hello first when
    /// there is no session.
    pub(crate) fn begin_request<'m, E>(
        &mut self,
        make: impl FnOnce(u16) -> DeviceMessage<'m>,
    ) -> Result<(), LinkError<E>> {
        let seq = self.next_seq;
        let message = make(seq);
        self.tx_len = frame::encode(&message, &mut self.tx)
            .map_err(|e| LinkError::TooLarge { needed: e.needed })?;
        self.next_seq = seq.wrapping_add(1);
        self.tx_seq = seq;
        self.tries = 0;
        match self.welcome {
            Some(welcome) => {
                self.check_host_room(welcome)?;
                self.phase = Phase::Awaiting { seq };
            }
            None => {
                self.encode_hello();
                self.phase = Phase::Welcoming { then_request: true };
            }
        }
        Ok(())
    }

    /// The frame to write now.
    pub(crate) fn outgoing(&self) -> &[u8] {
        // Both lengths are what `frame::encode` wrote into that buffer: the fallbacks are
        // never taken.
        match self.phase {
            Phase::Idle => &[],
            Phase::Welcoming { .. } => self.hello.get(..self.hello_len).unwrap_or_default(),
            Phase::Awaiting { .. } => self.tx.get(..self.tx_len).unwrap_or_default(),
        }
    }

    /// [`outgoing`](Self::outgoing) was written and flushed, or failed to be: counts the
    /// frame, and goes on with what was already read.
    pub(crate) fn wrote<E>(&mut self, written: Result<(), E>) -> Result<Step, LinkError<E>> {
        written.map_err(LinkError::Io)?;
        self.stats.sent = self.stats.sent.saturating_add(1);
        if self.tries > 0 {
            self.stats.repeats = self.stats.repeats.saturating_add(1);
        }
        self.tries = self.tries.saturating_add(1);
        self.process()
    }

    /// Where the next read goes (only asked for when all read bytes were processed).
    pub(crate) fn rx_space(&mut self) -> &mut [u8] {
        self.rx_start = 0;
        self.rx_end = 0;
        &mut self.rx
    }

    /// A read into [`rx_space`](Self::rx_space) came back: with `n` bytes, which are
    /// processed; with nothing, the transport's end; or with an error, where a timeout means
    /// the answer is lost and the frame goes out again (within [`LinkConfig::max_tries`]).
    pub(crate) fn read<E: embedded_io::Error>(
        &mut self,
        read: Result<usize, E>,
    ) -> Result<Step, LinkError<E>> {
        match read {
            Ok(0) => Err(LinkError::Closed),
            Ok(n) => {
                self.rx_start = 0;
                self.rx_end = n.min(RX_CHUNK);
                self.process()
            }
            Err(e) if e.kind() == ErrorKind::TimedOut => {
                self.stats.timeouts = self.stats.timeouts.saturating_add(1);
                self.may_repeat()?;
                Ok(Step::Write)
            }
            Err(e) => Err(LinkError::Io(e)),
        }
    }

    /// Processes the bytes read so far, up to the next thing to do.
    fn process<E>(&mut self) -> Result<Step, LinkError<E>> {
        loop {
            // `rx_start <= rx_end <= RX_CHUNK` (`read` caps the end, `rx_start` only
            // moves up to it): the fallback is never taken.
            let input = self.rx.get(self.rx_start..self.rx_end).unwrap_or_default();
            if input.is_empty() {
                return Ok(Step::Read);
            }
            let (outcome, rest) = match self.decoder.feed(input) {
                Feed::Consumed => (None, 0),
                Feed::Skipped { remaining, .. } => (Some(None), remaining.len()),
                Feed::Frame { payload, remaining } => {
                    (Some(Some(classify(payload))), remaining.len())
                }
            };
            self.rx_start = self.rx_end.saturating_sub(rest);
            let Some(frame) = outcome else { continue };
            let active = self.phase != Phase::Idle;
            let incoming = match frame {
                Some(incoming) => incoming,
                // A damaged frame while waiting was most likely the answer.
                None if active => return self.repeat(),
                None => continue,
            };
            match (self.phase, incoming) {
                (Phase::Welcoming { then_request }, Incoming::Welcome(welcome))
                    if welcome.session == self.config.session =>
                {
                    return self.welcomed(welcome, then_request);
                }
                (Phase::Awaiting { seq }, Incoming::Answer { seq: answered })
                    if seq == answered =>
                {
                    self.phase = Phase::Idle;
                    return Ok(Step::Done);
                }
                (Phase::Welcoming { then_request }, Incoming::Restart) => {
                    self.stats.host_restarts = self.stats.host_restarts.saturating_add(1);
                    self.phase = Phase::Welcoming { then_request };
                    return self.repeat();
                }
                (Phase::Awaiting { .. }, Incoming::Restart) => {
                    self.stats.host_restarts = self.stats.host_restarts.saturating_add(1);
                    self.welcome = None;
                    self.encode_hello();
                    self.phase = Phase::Welcoming { then_request: true };
                    return self.repeat();
                }
                (_, Incoming::Nak) if active => {
                    self.stats.naks = self.stats.naks.saturating_add(1);
                    return self.repeat();
                }
                (_, Incoming::Nak) => self.stats.naks = self.stats.naks.saturating_add(1),
                (_, Incoming::Malformed) => {
                    self.stats.malformed = self.stats.malformed.saturating_add(1);
                    if active {
                        return self.repeat();
                    }
                }
                _ => self.stats.stale = self.stats.stale.saturating_add(1),
            }
        }
    }

    /// The message that completed the last request (valid until the next read is processed).
    pub(crate) fn reply(&self) -> Option<HostMessage<'_>> {
        HostMessage::decode(self.decoder.frame()?).ok()
    }

    /// Interprets the reply to a `Record`.
    pub(crate) fn recorded<E>(&self) -> Result<(), LinkError<E>> {
        match self.reply() {
            Some(HostMessage::Recorded { .. }) => Ok(()),
            Some(HostMessage::Failed { error, .. }) => Err(LinkError::Host(error)),
            _ => Err(LinkError::Unexpected),
        }
    }

    /// Interprets the reply to a `Replay`.
    pub(crate) fn replayed<E>(&self) -> Result<Option<&str>, LinkError<E>> {
        match self.reply() {
            Some(HostMessage::Response { text, .. }) => Ok(Some(text)),
            Some(HostMessage::NoMatch { .. }) => Ok(None),
            Some(HostMessage::Failed { error, .. }) => Err(LinkError::Host(error)),
            _ => Err(LinkError::Unexpected),
        }
    }

    fn welcomed<E>(&mut self, welcome: Welcome, then_request: bool) -> Result<Step, LinkError<E>> {
        if welcome.version != PROTOCOL_VERSION {
            self.phase = Phase::Idle;
            return Err(LinkError::Version {
                host: welcome.version,
            });
        }
        self.welcome = Some(welcome);
        if !then_request {
            self.phase = Phase::Idle;
            return Ok(Step::Done);
        }
        if let Err(e) = self.check_host_room(welcome) {
            self.phase = Phase::Idle;
            return Err(e);
        }
        self.phase = Phase::Awaiting { seq: self.tx_seq };
        self.tries = 0;
        Ok(Step::Write)
    }

    fn check_host_room<E>(&self, welcome: Welcome) -> Result<(), LinkError<E>> {
        if self.tx_len > usize::from(welcome.max_frame) {
            return Err(LinkError::TooLarge {
                needed: self.tx_len,
            });
        }
        Ok(())
    }

    fn repeat<E>(&mut self) -> Result<Step, LinkError<E>> {
        self.may_repeat()?;
        Ok(Step::Write)
    }

    fn may_repeat<E>(&mut self) -> Result<(), LinkError<E>> {
        if self.tries >= self.config.max_tries.max(1) {
            self.phase = Phase::Idle;
            return Err(LinkError::NoReply);
        }
        Ok(())
    }

    fn encode_hello(&mut self) {
        let hello = DeviceMessage::Hello(Hello {
            version: PROTOCOL_VERSION,
            session: self.config.session,
            // A device with more room than a frame can announce still announces the most;
            // the host then sends no more than that, which the device takes.
            max_frame: u16::try_from(N).unwrap_or(u16::MAX),
        });
        // Any Hello fits in `HELLO_FRAME` (tested with the largest): the fallback is never
        // taken.
        self.hello_len = frame::encode(&hello, &mut self.hello).unwrap_or(0);
    }
}

fn classify(payload: &[u8]) -> Incoming {
    match HostMessage::decode(payload) {
        Ok(HostMessage::Welcome(welcome)) => Incoming::Welcome(welcome),
        Ok(HostMessage::Nak) => Incoming::Nak,
        Ok(HostMessage::Restart) => Incoming::Restart,
        Ok(answer) => match answer.seq() {
            Some(seq) => Incoming::Answer { seq },
            None => Incoming::Malformed,
        },
        Err(_) => Incoming::Malformed,
    }
}
