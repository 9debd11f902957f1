//! Classic traffic: a client's text sent on to a real server (`<-CLI` / `->SRV`), and a server
//! under test announcing itself (`SUT_SERVER:`), after which the directions flip: the system
//! under test is played a client (`->CLI` / `<-SRV`). The reference's `ClientSocketTraffic`,
//! `ServerTraffic` and `ClassicServerStateTraffic`.
//!
//! Record mode gets the real response by sending the text to the announced server: over a
//! TCP connection of its own ([`forward`]) for `classic`, as a datagram ([`datagram`]) for
//! `classic_udp`.

pub mod datagram;
pub mod forward;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use capturemock_core::words::is_python_space;

use super::play::{play, Item, Role};
use super::{BoxFuture, Kind};
use crate::exchange::{Exchange, ExchangeNo};
use datagram::DatagramRoute;
use forward::ForwardLimits;

/// How record mode reaches the announced server: the transport's own kind of socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Route {
    /// A TCP connection per message (`classic`).
    #[default]
    Stream,
    /// Datagrams (`classic_udp`), to the server or broadcast.
    Datagram(DatagramRoute),
}

/// Marks a server under test announcing where it listens.
pub const SERVER_PREFIX: &str = "SUT_SERVER:";

/// A message of this kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClassicMessage<'a> {
    /// `SUT_SERVER:<text ending in host:port>`.
    ServerAnnounce {
        /// The text after the prefix (recorded as it is).
        text: &'a str,
        /// The address the text ends with, if it ends with `host:port`.
        destination: Option<(&'a str, u16)>,
    },
    /// Anything else: client text, recorded as `<-CLI:`.
    Client(&'a str),
}

/// What a message means. Classic traffic is the fallback: every text is a classic message.
pub fn parse(message: &str) -> ClassicMessage<'_> {
    match message.strip_prefix(SERVER_PREFIX) {
        Some(rest) => ClassicMessage::ServerAnnounce {
            text: rest,
            destination: announced_destination(rest),
        },
        None => ClassicMessage::Client(message),
    }
}

/// The reference's reading of an announcement: the last white-space separated word, when it
/// is `host:port` with one `:` and a decimal port. (The reference crashes on an empty text or
/// a word with two colons; both simply announce nothing here.)
pub fn announced_destination(text: &str) -> Option<(&str, u16)> {
    let last = text.split(is_python_space).rfind(|w| !w.is_empty())?;
    let (host, port) = last.split_once(':')?;
    if port.contains(':') || port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    port.parse().ok().map(|port| (host, port))
}

/// The state of a run's classic conversation: where client text goes, and which way round
/// traffic is recorded. Shared by every kind of the run, since any replayed `->CLI` response
/// is sent to the announced server.
#[derive(Debug)]
pub struct Conversation {
    /// The real server announced with `SUT_SERVER:`.
    destination: Mutex<Option<(String, u16)>>,
    /// A server under test announced itself: client text is recorded `->CLI`, server replies
    /// `<-SRV` (the reference flips its class attributes the same way, for good).
    flipped: AtomicBool,
    /// `record_for_client`: an announcement neither flips the directions nor is recorded.
    record_for_client: bool,
    /// The connect and read timeout, and the largest reply, of forwarding.
    limits: ForwardLimits,
    /// Over which kind of socket.
    route: Route,
}

impl Conversation {
    /// A conversation with no server announced yet, reaching servers by `route`.
    pub fn new(record_for_client: bool, limits: ForwardLimits, route: Route) -> Self {
        Conversation {
            destination: Mutex::new(None),
            flipped: AtomicBool::new(false),
            record_for_client,
            limits,
            route,
        }
    }

    /// Whether announcements are hidden from the record (`record_for_client`).
    pub fn record_for_client(&self) -> bool {
        self.record_for_client
    }

    /// The record prefix of an item in this role, in the conversation's current direction.
    /// `<-` marks what the system under test sends and `->` what it is given. Once a server
    /// under test has announced itself, capturemock plays its client: client text is what the
    /// server is given (`->CLI`) and its replies are what it sends (`<-SRV`).
    pub fn prefix(&self, role: &Role) -> &'static str {
        let flipped = self.flipped.load(Ordering::Relaxed);
        match (role, flipped) {
            (Role::Call { .. }, _) => "<-CAL",
            (Role::Client, false) => "<-CLI",
            (Role::Client, true) => "->CLI",
            (Role::ServerState | Role::ServerReply, false) => "->SRV",
            (Role::ServerState | Role::ServerReply, true) => "<-SRV",
        }
    }

    /// Whether a server has been announced.
    /// Without one, classic client text in record mode is recorded with no response: there is
    /// no real server to ask.
    pub fn has_destination(&self) -> bool {
        self.destination().is_some()
    }

    /// The announced server, copied out so that no lock is held while forwarding.
    fn destination(&self) -> Option<(String, u16)> {
        // Updates are single assignments, so a poisoned lock is still consistent.
        self.destination
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Remembers the announced server and, unless `record_for_client`, flips the directions for
    /// the rest of the run: a later announcement moves the destination but never flips back.
    fn announce(&self, host: &str, port: u16) {
        *self.destination.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((host.to_string(), port));
        if !self.record_for_client {
            self.flipped.store(true, Ordering::Relaxed);
        }
    }

    /// Sends `text` to the announced server and reads its replies: one from a TCP server;
    /// none, one or (broadcasting) several over UDP. `None` (with a warning) when there is
    /// no server or it cannot be reached.
    pub async fn forward(&self, n: ExchangeNo, text: &str) -> Option<Vec<String>> {
        let destination = self.destination()?;
        let replies = match self.route {
            Route::Stream => forward::forward(&destination, text, self.limits)
                .await
                .map(|reply| vec![reply]),
            Route::Datagram(route) => {
                datagram::forward(&destination, text, route, self.limits).await
            }
        };
        match replies {
            Ok(replies) => Some(replies),
            Err(e) => {
                tracing::warn!(
                    exchange = n,
                    "could not forward to server {}:{}: {}; not recorded: {text:?}",
                    destination.0,
                    destination.1,
                    crate::ErrorChain(&e)
                );
                None
            }
        }
    }
}

/// The classic kind. It claims every message, so it is listed last.
/// An announcement is recorded as it was written (not altered, no timestamp); client text
/// is altered and gets a timestamp when the rules record them.
#[derive(Debug)]
pub struct Classic {
    conversation: std::sync::Arc<Conversation>,
}

impl Classic {
    /// The kind, in the run's `conversation`.
    pub fn new(conversation: std::sync::Arc<Conversation>) -> Self {
        Classic { conversation }
    }
}

impl Kind for Classic {
    fn name(&self) -> &'static str {
        "classic"
    }

    fn claims(&self, _message: &str) -> bool {
        true
    }

    fn serve<'a, 'e: 'a>(
        &'a self,
        message: &'a str,
        exchange: &'a mut Exchange<'e>,
    ) -> BoxFuture<'a> {
        Box::pin(async move {
            let conversation = &*self.conversation;
            let item = match parse(message) {
                ClassicMessage::ServerAnnounce { text, destination } => {
                    if let Some((host, port)) = destination {
                        conversation.announce(host, port);
                    }
                    Item {
                        role: Role::ServerState,
                        text: text.to_string(),
                        timestamp: None,
                    }
                }
                ClassicMessage::Client(text) => Item {
                    role: Role::Client,
                    text: exchange.alter(text),
                    timestamp: exchange.timestamp(),
                },
            };
            play(exchange, conversation, item).await;
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn announcements_name_the_last_word_as_address() {
        assert_eq!(
            parse("SUT_SERVER:listening on 127.0.0.1:4000\n"),
            ClassicMessage::ServerAnnounce {
                text: "listening on 127.0.0.1:4000\n",
                destination: Some(("127.0.0.1", 4000))
            }
        );
        assert_eq!(announced_destination("host:12x"), None);
        assert_eq!(announced_destination("a:b:1"), None);
        assert_eq!(announced_destination(""), None);
        assert_eq!(announced_destination("   "), None);
        assert_eq!(announced_destination("port 99999 is localhost:99999"), None);
        assert_eq!(announced_destination(":80"), Some(("", 80)));
    }

    #[test]
    fn everything_else_is_client_text() {
        assert_eq!(parse("hello"), ClassicMessage::Client("hello"));
        assert_eq!(parse("SUT_CUSTOM"), ClassicMessage::Client("SUT_CUSTOM"));
        assert_eq!(parse(""), ClassicMessage::Client(""));
    }
}
