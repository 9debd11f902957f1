//! Serving a device's exchanges through a capturemock server, as a custom client would: a
//! `Record` frame is `SUT_CUSTOM:request:SUT_SEP:response`, a `Replay` frame
//! `SUT_CUSTOM:request`, so the record file is an ordinary `.mock` file.

use std::sync::Arc;

use capturemock_core::link::{DeviceRequest, HostAnswer, HostError};
use capturemock_core::replay::Mode;

use crate::client::{
    check_exchange, complaint, Client, ClientConfig, ClientError, Complaint, Timeouts,
};
use crate::exchange::Engine;
use crate::server::ServerConfig;
use crate::traffic::custom::REQUEST_PREFIX;

/// How one exchange was served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Served {
    /// The server recorded it.
    Recorded,
    /// The recorded response.
    Response(String),
    /// Nothing recorded answers it (in mode 2 the device then asks the real thing and sends
    /// it for recording).
    NoMatch,
    /// It could not be served.
    Failed(HostError),
}

impl Served {
    /// The answer for [`HostSession::answer`](capturemock_core::link::HostSession::answer).
    pub fn answer(&self) -> HostAnswer<'_> {
        match self {
            Served::Recorded => HostAnswer::Recorded,
            Served::Response(text) => HostAnswer::Response(text),
            Served::NoMatch => HostAnswer::NoMatch,
            Served::Failed(error) => HostAnswer::Failed(*error),
        }
    }
}

/// What serves a device's requests for a [`Bridge`](super::Bridge): a capturemock server
/// ([`Upstream`]: custom-client exchanges), or with the feature `embedded-hal` a
/// [`HalUpstream`](super::HalUpstream) (bus transactions into a `.mock` file of their own).
pub trait Serve: std::fmt::Debug + Send {
    /// The mode devices are told.
    fn mode(&self) -> Mode;
    /// Where the requests go, for messages: a server's `host:port`.
    fn address(&self) -> &str;
    /// Serves one new request (the host session has already answered repeats).
    fn serve(&self, exchange: &DeviceRequest<'_>) -> Served;
}

/// A bridge can be handed whichever kind was chosen at run time.
impl<S: Serve + ?Sized> Serve for Box<S> {
    fn mode(&self) -> Mode {
        (**self).mode()
    }

    fn address(&self) -> &str {
        (**self).address()
    }

    fn serve(&self, exchange: &DeviceRequest<'_>) -> Served {
        (**self).serve(exchange)
    }
}

impl Serve for Upstream {
    fn mode(&self) -> Mode {
        Upstream::mode(self)
    }

    fn address(&self) -> &str {
        Upstream::address(self)
    }

    fn serve(&self, exchange: &DeviceRequest<'_>) -> Served {
        Upstream::serve(self, exchange)
    }
}

/// What decides, in mode 2, whether the server has a request: an [`Engine`] with the
/// server's own replay file (shared with it when the bridge started it), rules and
/// alterations, so that the bridge decides exactly as the server will (docs/link.md,
/// "Mode 2"). It looks requests up without using anything up and records nothing.
#[derive(Debug, Clone)]
pub struct RecordedLookup {
    /// An engine with no recorder, used only for [`Engine::would_replay`], which takes nothing
    /// from the replay file: the server's own lookups still find every repeat unused.
    engine: Arc<Engine>,
}

impl RecordedLookup {
    /// The lookup of a server configuration (its replay file, rules and alterations). For a
    /// server the bridge starts, pass a clone of its configuration: the replay file is
    /// shared. For a server already running, pass a configuration made from the same rc files
    /// and replay file.
    pub fn from_config(config: &ServerConfig) -> Self {
        RecordedLookup {
            engine: Arc::new(Engine::new(config.rules(), config.replay.clone(), None)),
        }
    }

    /// Whether a server in mode 2 replays `request` rather than recording it.
    /// The request is altered first, as the server alters it, so that the answer is the one the
    /// server's own lookup would give.
    pub fn replays(&self, request: &str) -> bool {
        let key = format!("{REQUEST_PREFIX}:{}", self.engine.alter(None, request));
        self.engine.would_replay(&key)
    }
}

/// A capturemock server seen as the device's host: serves [`DeviceRequest`]s as custom-client
/// exchanges.
#[derive(Debug, Clone)]
pub struct Upstream {
    /// A blocking client: the bridge serves from a thread of its own, not from a task.
    client: Client,
    /// The mode devices are told; it decides what a `Replay` frame does.
    mode: Mode,
    /// Mode 2's decider; `None` records everything.
    lookup: Option<RecordedLookup>,
}

impl Upstream {
    /// The server at `address` (`host:port`) in `mode` (which the device is told). In mode 2,
    /// `lookup` decides what is replayed; without it everything is recorded.
    pub fn new(
        address: &str,
        mode: Mode,
        lookup: Option<RecordedLookup>,
    ) -> Result<Upstream, ClientError> {
        let config = ClientConfig::new(address, mode)?.with_timeouts(Timeouts::default());
        if mode == Mode::ReplayOldRecordNew && lookup.is_none() {
            tracing::warn!(
                "mode 2 without the server's replay file: every request is recorded (give the bridge -p FILE)"
            );
        }
        Ok(Upstream {
            client: Client::new(config),
            mode,
            lookup,
        })
    }

    /// The mode devices are told.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The server's address.
    pub fn address(&self) -> &str {
        &self.client.config().address
    }

    /// Serves one exchange.
    /// In mode 2 the server is asked only about requests it would replay (see
    /// [`RecordedLookup`]); for the others the device hears `NoMatch`, calls the real thing, and
    /// sends the result in a `Record` frame. Texts the protocol cannot carry are refused before
    /// anything is sent, and a server's refusal reply is a failure, not a response.
    pub fn serve(&self, exchange: &DeviceRequest<'_>) -> Served {
        match *exchange {
            DeviceRequest::Record {
                seq,
                request,
                response,
            } => {
                if let Some(refused) = refuse(seq, request, Some(response)) {
                    return refused;
                }
                match self.client.record(request, response) {
                    Ok(echo) if complaint(&echo).is_some() => {
                        tracing::error!(seq, request, "the server refused to record: {echo}");
                        Served::Failed(HostError::Refused)
                    }
                    Ok(_) => Served::Recorded,
                    Err(e) => unavailable(seq, &e),
                }
            }
            DeviceRequest::Replay { seq, request } => {
                if let Some(refused) = refuse(seq, request, None) {
                    return refused;
                }
                let ask = match self.mode {
                    Mode::Replay => true,
                    Mode::Record => {
                        tracing::warn!(seq, request, "a replay request in record mode: no match");
                        false
                    }
                    Mode::ReplayOldRecordNew => self
                        .lookup
                        .as_ref()
                        .is_some_and(|lookup| lookup.replays(request)),
                };
                if !ask {
                    return Served::NoMatch;
                }
                match self.client.replay(request) {
                    Ok(reply) => match complaint(&reply) {
                        Some(Complaint::Mismatch) => Served::NoMatch,
                        Some(Complaint::Refused) => {
                            tracing::error!(seq, request, "the server refused to replay: {reply}");
                            Served::Failed(HostError::Refused)
                        }
                        None => Served::Response(reply),
                    },
                    Err(e) => unavailable(seq, &e),
                }
            }
        }
    }
}

/// Texts a server would mangle are refused before anything is sent, by the client's own
/// checks (see [`crate::client`]), and before the mode is considered: a device is told the
/// same whatever the mode.
fn refuse(seq: u16, request: &str, response: Option<&str>) -> Option<Served> {
    let why = check_exchange(request, response).err()?;
    tracing::error!(seq, request, "request refused: {why}");
    Some(Served::Failed(HostError::Refused))
}

/// The server could not be reached or did not answer: logged with its causes, reported to
/// the device as `Unavailable`.
fn unavailable(seq: u16, error: &ClientError) -> Served {
    tracing::error!(seq, "{}", crate::ErrorChain(error));
    Served::Failed(HostError::Unavailable)
}
