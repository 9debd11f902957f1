//! The custom-client protocol once, sans-IO, for both faces.
//!
//! [`Client`](super::Client) (`std::net`) and [`AsyncClient`](super::AsyncClient) (tokio)
//! only move bytes. Everything they decide is decided here, so the two cannot drift apart:
//! - which message each operation sends, and which texts are refused before anything is sent
//!   ([`Plan`]);
//! - in [`call`](super::Client::call), whether the real thing is asked, by mode ([`Call`]);
//! - how long each wait may last, and what a failed or timed-out wait is called
//!   ([`Wait`], [`Plan::failed`], [`Plan::timed_out`]);
//! - what the bytes read back mean ([`Plan::finish`]).
//!
//! The shape is postcard's accumulator and embedded-io's adapters: the protocol hands a face
//! a plan ("connect to this address, send these bytes and shut the write side, read to the
//! end, give me what you read") and the face carries it out with its own I/O.
//!
//! ```text
//! Call::new(config, request) ─┬─ Ready(plan) ──────────────────────────────────┐
//!                             └─ NeedsReal(pending) ─ real() ─ pending.with ──┤
//! Plan::record / replay / terminate ──────────────────────────────────────────┤
//!   face: connect(address)      within Wait::Connect                          ▼
//!         write(message), shut  within Wait::Send     ─ error ─▶ plan.failed / timed_out
//!         read to end           within Wait::Answer
//!   plan.finish(bytes) ─▶ the text, or ReplyNotUtf8 / Server
//! ```

use std::io::ErrorKind;
use std::time::Duration;

use capturemock_core::replay::Mode;

use super::{message, ClientConfig, ClientError};

/// The three waits of one exchange, in the order a face meets them.
///
/// Each wait has its own limit in [`Timeouts`](super::Timeouts) and its own words in a
/// [`ClientError::Timeout`], so that both faces report a slow server in the same terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wait {
    /// For the server to accept the connection (resolving the address included, where the
    /// face can bound it).
    Connect,
    /// For the server to take the whole message; the write side is then shut, which is how
    /// the server knows the message is complete.
    Send,
    /// For the whole answer, up to the server closing the connection. A server may hold an
    /// answer back while earlier exchanges finish (it answers in accept order).
    Answer,
}

impl Wait {
    /// What the server did not do in time, as a [`ClientError::Timeout`] says it.
    fn what(self) -> &'static str {
        match self {
            Wait::Connect => "accept the connection",
            Wait::Send => "take the message",
            Wait::Answer => "answer",
        }
    }
}

/// One exchange, planned and ready to be carried out: one connection, one message, one
/// answer.
///
/// A face connects to [`address`](Self::address) within [`Wait::Connect`], writes
/// [`message`](Self::message) and shuts its write side within [`Wait::Send`], reads to the
/// end within [`Wait::Answer`] (each limit from [`limit`](Self::limit)), and hands what it
/// read to [`finish`](Self::finish). A failed step becomes an error through
/// [`failed`](Self::failed) or [`timed_out`](Self::timed_out).
#[derive(Debug)]
pub(crate) struct Plan<'a> {
    config: &'a ClientConfig,
    message: String,
    /// `Some(request)` when a server complaint is an error ([`Call`]): the request, to name
    /// in [`ClientError::Server`]. `None` returns complaints as text, as
    /// [`replay`](super::Client::replay) documents.
    complaint_is_error: Option<&'a str>,
}

impl<'a> Plan<'a> {
    /// `SUT_CUSTOM:<request>:SUT_SEP:<response>`: record an exchange, answered by its echo.
    pub(crate) fn record(
        config: &'a ClientConfig,
        request: &str,
        response: &str,
    ) -> Result<Self, ClientError> {
        Ok(Self::new(config, message::record(request, response)?))
    }

    /// `SUT_CUSTOM:<request>`: ask for the recorded response.
    pub(crate) fn replay(config: &'a ClientConfig, request: &str) -> Result<Self, ClientError> {
        Ok(Self::new(config, message::replay(request)?))
    }

    /// `TERMINATE_SERVER`: stop the server; the answer is only awaited, so that the caller
    /// knows the server took the message.
    pub(crate) fn terminate(config: &'a ClientConfig) -> Self {
        Self::new(config, message::TERMINATE_MESSAGE.to_owned())
    }

    fn new(config: &'a ClientConfig, message: String) -> Self {
        Plan {
            config,
            message,
            complaint_is_error: None,
        }
    }

    /// Where to connect: `host:port`, checked when the configuration was made.
    pub(crate) fn address(&self) -> &'a str {
        &self.config.address
    }

    /// The bytes to write before shutting the write side.
    pub(crate) fn message(&self) -> &[u8] {
        self.message.as_bytes()
    }

    /// How long `wait` may last; `None` waits for ever.
    pub(crate) fn limit(&self, wait: Wait) -> Option<Duration> {
        let timeouts = self.config.timeouts;
        match wait {
            Wait::Connect => timeouts.connect,
            Wait::Send | Wait::Answer => timeouts.io,
        }
    }

    /// `wait` ran out of time (`after` is the limit that ran out).
    pub(crate) fn timed_out(&self, wait: Wait, after: Duration) -> ClientError {
        ClientError::Timeout {
            address: self.config.address.clone(),
            what: wait.what(),
            after,
        }
    }

    /// `wait` failed with `source`. A socket's own timeout (the blocking face bounds its
    /// waits that way) is reported as the [`timed_out`](Self::timed_out) of that wait, so
    /// that both faces say the same thing about the same server.
    pub(crate) fn failed(&self, wait: Wait, source: std::io::Error) -> ClientError {
        if let Some(after) = self.limit(wait).filter(|_| is_timeout(&source)) {
            return self.timed_out(wait, after);
        }
        let address = self.config.address.clone();
        match wait {
            Wait::Connect => ClientError::Connect { address, source },
            Wait::Send | Wait::Answer => ClientError::Io { address, source },
        }
    }

    /// The address did not resolve.
    pub(crate) fn unresolved(&self, source: std::io::Error) -> ClientError {
        ClientError::Resolve {
            address: self.config.address.clone(),
            source,
        }
    }

    /// What the server answered, read to the end: its text, or why it is not an answer.
    pub(crate) fn finish(self, reply: Vec<u8>) -> Result<String, ClientError> {
        let reply = String::from_utf8(reply).map_err(|_| ClientError::ReplyNotUtf8 {
            address: self.config.address.clone(),
        })?;
        match self.complaint_is_error {
            Some(request) if message::complaint(&reply).is_some() => Err(ClientError::Server {
                address: self.config.address.clone(),
                request: request.to_owned(),
                reply,
            }),
            _ => Ok(reply),
        }
    }
}

/// What [`call`](super::Client::call) does, decided from the mode before the real thing is
/// touched.
#[derive(Debug)]
pub(crate) enum Call<'a> {
    /// Replay: send this; the real thing is not asked.
    Ready(Plan<'a>),
    /// Record, or replay old and record new: ask the real thing, then
    /// [`with`](NeedsReal::with) its response.
    NeedsReal(NeedsReal<'a>),
}

impl<'a> Call<'a> {
    /// Plans a call of `request` in the configured mode. The request is checked first, so a
    /// request the server would mangle neither reaches the server nor calls the real thing.
    pub(crate) fn new(config: &'a ClientConfig, request: &'a str) -> Result<Self, ClientError> {
        message::check_request(request)?;
        Ok(match config.mode {
            Mode::Replay => Call::Ready(Plan::replay(config, request)?.complaint_is_error(request)),
            // In mode 2 the server decides between replaying and recording, so it is sent the
            // record form, and the real thing must be asked first.
            Mode::Record | Mode::ReplayOldRecordNew => {
                Call::NeedsReal(NeedsReal { config, request })
            }
        })
    }
}

/// A call in a recording mode, waiting for the real response.
#[derive(Debug)]
pub(crate) struct NeedsReal<'a> {
    config: &'a ClientConfig,
    request: &'a str,
}

impl<'a> NeedsReal<'a> {
    /// The plan that records the real `response`.
    pub(crate) fn with(self, response: &str) -> Result<Plan<'a>, ClientError> {
        Ok(Plan::record(self.config, self.request, response)?.complaint_is_error(self.request))
    }
}

impl<'a> Plan<'a> {
    /// The same plan, with a complaint reported as [`ClientError::Server`] naming
    /// `request`: `call` promises a response, so a mismatch must not pass for one.
    fn complaint_is_error(mut self, request: &'a str) -> Self {
        self.complaint_is_error = Some(request);
        self
    }
}

/// Whether an I/O error is a socket timeout running out: `WouldBlock` on Unix, `TimedOut`
/// elsewhere and from `connect_timeout`.
fn is_timeout(e: &std::io::Error) -> bool {
    matches!(e.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::Timeouts;

    fn config(mode: Mode) -> ClientConfig {
        ClientConfig::new("host:1", mode)
            .unwrap()
            .with_timeouts(Timeouts {
                connect: Some(Duration::from_secs(1)),
                io: None,
            })
    }

    #[test]
    fn call_asks_the_real_thing_only_when_recording() {
        let replay = config(Mode::Replay);
        match Call::new(&replay, "q").unwrap() {
            Call::Ready(plan) => assert_eq!(plan.message(), b"SUT_CUSTOM:q"),
            Call::NeedsReal(_) => panic!("replay must not ask the real thing"),
        }
        for mode in [Mode::Record, Mode::ReplayOldRecordNew] {
            let recording = config(mode);
            let Call::NeedsReal(pending) = Call::new(&recording, "q").unwrap() else {
                panic!("{mode:?} records the real response");
            };
            let plan = pending.with("real").unwrap();
            assert_eq!(plan.message(), b"SUT_CUSTOM:q:SUT_SEP:real");
        }
    }

    #[test]
    fn a_request_is_refused_before_the_real_thing_is_asked() {
        let recording = config(Mode::Record);
        assert!(matches!(
            Call::new(&recording, "a:SUT_SEP:b"),
            Err(ClientError::ContainsSeparator { what: "request" })
        ));
        assert!(matches!(
            Call::new(&recording, ""),
            Err(ClientError::EmptyRequest)
        ));
    }

    #[test]
    fn only_a_call_turns_a_complaint_into_an_error() {
        let replay = config(Mode::Replay);
        let complaint = b"CAPTUREMOCK MISMATCH: Could not find any replay request matching 'q'";
        let plain = Plan::replay(&replay, "q").unwrap();
        assert_eq!(
            plain.finish(complaint.to_vec()).unwrap().as_bytes(),
            complaint
        );
        let Call::Ready(called) = Call::new(&replay, "q").unwrap() else {
            unreachable!()
        };
        assert!(matches!(
            called.finish(complaint.to_vec()),
            Err(ClientError::Server { request, .. }) if request == "q"
        ));
        let Call::Ready(called) = Call::new(&replay, "q").unwrap() else {
            unreachable!()
        };
        assert_eq!(called.finish(b"answer".to_vec()).unwrap(), "answer");
        let plain = Plan::replay(&replay, "q").unwrap();
        assert!(matches!(
            plain.finish(vec![0xff]),
            Err(ClientError::ReplyNotUtf8 { .. })
        ));
    }

    #[test]
    fn waits_have_their_limits_and_their_words() {
        let c = config(Mode::Replay);
        let plan = Plan::terminate(&c);
        assert_eq!(plan.message(), b"TERMINATE_SERVER\n");
        assert_eq!(plan.limit(Wait::Connect), Some(Duration::from_secs(1)));
        assert_eq!(plan.limit(Wait::Answer), None);
        let timed_out = plan.failed(Wait::Connect, ErrorKind::TimedOut.into());
        assert!(
            matches!(timed_out, ClientError::Timeout { what: "accept the connection", after, .. } if after == Duration::from_secs(1)),
            "{timed_out}"
        );
        // No limit on the answer: a timeout the socket reports anyway is only an I/O error.
        let unlimited = plan.failed(Wait::Answer, ErrorKind::TimedOut.into());
        assert!(matches!(unlimited, ClientError::Io { .. }), "{unlimited}");
        let refused = plan.failed(Wait::Connect, ErrorKind::ConnectionRefused.into());
        assert!(matches!(refused, ClientError::Connect { .. }), "{refused}");
        let sent = plan.failed(Wait::Send, ErrorKind::BrokenPipe.into());
        assert!(matches!(sent, ClientError::Io { .. }), "{sent}");
    }
}
