//! One exchange: what a message means, what it is answered with and what is recorded, as
//! the reference's traffic classes decide it (`CustomTraffic`, `ClientSocketTraffic`,
//! `ServerTraffic`, `ClassicServerStateTraffic`).
//!
//! ```text
//! message ─parse─▶ traffic ─┬─ replaying? ─▶ replay file lookup ─▶ responses
//!                           └─ recording  ─▶ the client's own response (custom),
//!                                            the real server's reply (classic, forwarded)
//! record: traffic, then each response; answer: RET responses stripped, SRV ones as they are;
//! a replayed CLI response (the server under test being played a client) is sent to the
//! announced server and its reply is processed like new traffic, and so on.
//! ```
//!
//! Alterations: a request's text is altered in every mode; a response is altered when it is
//! recorded from the real thing; a replayed `->RET` is not altered, a replayed `->SRV` or
//! `->CLI` is (all as in the reference).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use capturemock_core::format::Record;
use capturemock_core::replay::{lookup_key, Action, MatchKind, Mode, RequestId, Unmatched};
use capturemock_core::words::python_trim_end;

use super::config::ServerConfig;
use super::diagnostics::{NearMiss, NearMissKind};
use super::protocol::{error_reply, mismatch_reply, Message};
use super::proxy;
use super::recorder::RecordEntry;
use super::sequencer::{ExchangeNo, Turn};

/// Where the classic traffic goes, and which way round it is recorded.
#[derive(Debug, Default, Clone)]
pub struct ClassicState {
    /// The real server announced with `SUT_SERVER:`.
    pub destination: Option<(String, u16)>,
    /// A server under test announced itself: client text is recorded `->CLI`, server
    /// replies `<-SRV` (the reference flips its class attributes the same way, for good).
    pub flipped: bool,
}

/// State shared by all connections of a run.
#[derive(Debug)]
pub struct Shared {
    /// The configuration (alterations already carry the server address).
    pub config: ServerConfig,
    /// Whether lookups are possible at all (a replay file with at least one request).
    pub replay_active: bool,
    /// Classic forwarding state.
    pub classic: Mutex<ClassicState>,
    /// Requests that had no exact match.
    pub near_misses: Mutex<Vec<NearMiss>>,
}

/// What an exchange produced.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Entries to record, in order.
    pub entries: Vec<RecordEntry>,
    /// The text to send back.
    pub reply: String,
    /// The message asked the server to stop.
    pub terminate: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// `SUT_CUSTOM:` request, with the client's own response.
    Custom { response: Option<String> },
    /// Classic client text.
    Client,
    /// `SUT_SERVER:` announcement.
    ServerState,
    /// A real server's reply processed as traffic of its own (server under test played a
    /// client).
    ServerReply,
}

#[derive(Debug, Clone)]
struct Traffic {
    kind: Kind,
    text: String,
    timestamp: Option<String>,
}

#[derive(Debug)]
enum Response {
    /// `->RET`: sent back with trailing white space stripped.
    Ret(String),
    /// `->SRV`: sent back as it is.
    Srv(String),
    /// `->CLI` (replayed while playing client): sent to the announced server.
    Cli(Traffic),
}

struct Frame {
    responses: VecDeque<Response>,
    record: bool,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Updates are single assignments or pushes, so a poisoned lock is still consistent.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Processes one message. `turn` is this exchange's place in the accept order: it is held
/// while the exchange alters text and looks things up, and given back before a recording
/// exchange waits for a real server.
pub async fn handle(shared: &Shared, n: ExchangeNo, text: &str, turn: Turn) -> Outcome {
    let mut run = Run {
        shared,
        n,
        turn: Some(turn),
        out: Outcome::default(),
    };
    match Message::parse(text) {
        Message::Terminate => run.out.terminate = true,
        Message::Unsupported { prefix } => {
            tracing::warn!(
                exchange = n,
                "{prefix} traffic (command-line interception) is not supported by this server"
            );
            run.out.reply = error_reply(&format!(
                "{prefix} traffic (command-line interception) is not supported by this server"
            ));
        }
        Message::Custom { request, response } => {
            let text = run.alter(request);
            run.process(Traffic {
                kind: Kind::Custom {
                    response: response.map(str::to_owned),
                },
                text,
                timestamp: None,
            })
            .await;
        }
        Message::ServerAnnounce { text, destination } => {
            if let Some((host, port)) = destination {
                let mut classic = lock(&shared.classic);
                classic.destination = Some((host.to_string(), port));
                if !shared.config.record_for_client {
                    classic.flipped = true;
                }
            }
            run.process(Traffic {
                kind: Kind::ServerState,
                text: text.to_string(),
                timestamp: None,
            })
            .await;
        }
        Message::Classic(text) => {
            let text = run.alter(text);
            let timestamp = run.timestamp();
            run.process(Traffic {
                kind: Kind::Client,
                text,
                timestamp,
            })
            .await;
        }
    }
    run.out
}

struct Run<'s> {
    shared: &'s Shared,
    n: ExchangeNo,
    turn: Option<Turn>,
    out: Outcome,
}

impl Run<'_> {
    fn config(&self) -> &ServerConfig {
        &self.shared.config
    }

    fn alter(&self, text: &str) -> String {
        let (altered, errors) = self.config().alterations.apply_report(text);
        for error in errors {
            tracing::warn!(exchange = self.n, "{}", crate::ErrorChain(&error));
        }
        altered
    }

    fn timestamp(&self) -> Option<String> {
        self.config()
            .record_timestamps
            .then(|| self.config().clock.timestamp())
    }

    fn release_turn(&mut self) {
        if let Some(turn) = self.turn.take() {
            turn.finish();
        }
    }

    fn prefix(&self, kind: &Kind) -> &'static str {
        let flipped = lock(&self.shared.classic).flipped;
        match (kind, flipped) {
            (Kind::Custom { .. }, _) => "<-CAL",
            (Kind::Client, false) => "<-CLI",
            (Kind::Client, true) => "->CLI",
            (Kind::ServerState | Kind::ServerReply, false) => "->SRV",
            (Kind::ServerState | Kind::ServerReply, true) => "<-SRV",
        }
    }

    fn record(&mut self, prefix: &'static str, text: &str, timestamp: Option<String>) {
        // The reference records nothing without text (`hasInfo`).
        if !text.is_empty() {
            self.out.entries.push(RecordEntry {
                prefix,
                text: text.to_string(),
                timestamp,
            });
        }
    }

    fn record_traffic(&mut self, traffic: &Traffic) {
        let prefix = self.prefix(&traffic.kind);
        self.record(prefix, &traffic.text, traffic.timestamp.clone());
    }

    /// The reference's `_process`, depth first, without recursion (a played-back client
    /// session nests one level per message).
    async fn process(&mut self, root: Traffic) {
        // An empty request is neither answered nor recorded. (The reference still records
        // and echoes a custom client's response to it, as an entry with no request, which
        // joins the previous exchange's responses when the file is replayed.)
        if root.text.is_empty() {
            return;
        }
        let mut stack = Vec::new();
        self.open(root, &mut stack).await;
        while let Some(frame) = stack.last_mut() {
            let record = frame.record;
            let Some(response) = frame.responses.pop_front() else {
                stack.pop();
                continue;
            };
            match response {
                Response::Ret(text) => {
                    if record {
                        self.record("->RET", &text, None);
                    }
                    self.out.reply.push_str(python_trim_end(&text));
                }
                Response::Srv(text) => {
                    if record {
                        let prefix = self.prefix(&Kind::ServerReply);
                        self.record(prefix, &text, None);
                    }
                    self.out.reply.push_str(&text);
                }
                Response::Cli(traffic) => {
                    if record {
                        self.record_traffic(&traffic);
                    }
                    if let Some(reply) = self.forward(&traffic.text).await {
                        let text = self.alter(&reply);
                        let chained = Traffic {
                            kind: Kind::ServerReply,
                            text,
                            timestamp: None,
                        };
                        self.open(chained, &mut stack).await;
                    }
                }
            }
        }
    }

    /// Finds a traffic item's responses, records it, and pushes its frame.
    async fn open(&mut self, traffic: Traffic, stack: &mut Vec<Frame>) {
        let (responses, record) = self.responses(&traffic).await;
        let announce_hidden = traffic.kind == Kind::ServerState && self.config().record_for_client;
        if record && !announce_hidden {
            self.record_traffic(&traffic);
        }
        stack.push(Frame { responses, record });
    }

    /// The responses to a traffic item, and whether it and they are recorded.
    async fn responses(&mut self, traffic: &Traffic) -> (VecDeque<Response>, bool) {
        if traffic.text.is_empty() {
            return (VecDeque::new(), false);
        }
        let desc = format!("{}:{}", self.prefix(&traffic.kind), traffic.text);
        let found = match self.config().mode {
            Mode::Record => None,
            _ => self.find(&desc),
        };
        let exact = matches!(found, Some(Ok((_, MatchKind::Exact))));
        let action = self
            .config()
            .mode
            .action(found.is_some(), exact, self.config().new_requests);
        match (action, found) {
            (Action::Replay, Some(found)) => (self.replay(&desc, found), true),
            (_, found) => {
                // Only mode 2 recording what has no exact match gets here with a lookup.
                if let Some(found) = found {
                    self.near_miss(&desc, found.ok().map(|(id, _)| id), NearMissKind::Recorded);
                }
                self.record_mode(traffic).await
            }
        }
    }

    /// Looks `desc` up without using anything up; `None` when there is nothing to replay.
    fn find(&self, desc: &str) -> Option<Result<(RequestId, MatchKind), Unmatched>> {
        if !self.shared.replay_active {
            return None;
        }
        let replay = self.config().replay.as_ref()?;
        match lock(replay).find(desc) {
            Ok(found) => Some(found),
            Err(e) => {
                tracing::error!(exchange = self.n, "replay lookup failed: {e}");
                Some(Err(Unmatched::NoCandidate))
            }
        }
    }

    fn replay(
        &mut self,
        desc: &str,
        found: Result<(RequestId, MatchKind), Unmatched>,
    ) -> VecDeque<Response> {
        let (id, kind) = match found {
            Ok(found) => found,
            Err(Unmatched::EmptyRequest) => return VecDeque::new(),
            Err(_) if self.config().exact_matching => {
                self.near_miss(desc, None, NearMissKind::Mismatch);
                self.out.reply.push_str(&mismatch_reply(reply_key(desc)));
                return VecDeque::new();
            }
            Err(_) => {
                self.near_miss(desc, None, NearMissKind::NoCandidate);
                return VecDeque::new();
            }
        };
        if kind != MatchKind::Exact {
            if self.config().exact_matching {
                self.near_miss(desc, Some(id), NearMissKind::Mismatch);
                self.out.reply.push_str(&mismatch_reply(reply_key(desc)));
                return VecDeque::new();
            }
            self.near_miss(desc, Some(id), NearMissKind::Nearest);
        }
        let Some(replay) = self.config().replay.as_ref() else {
            return VecDeque::new();
        };
        let answer = lock(replay).take(id, kind);
        let mut responses = VecDeque::new();
        for entry in &answer.responses {
            let record = Record::new(entry);
            let text = record.text();
            match record.type_id() {
                "RET" => responses.push_back(Response::Ret(text.to_string())),
                "SRV" => responses.push_back(Response::Srv(self.alter(text))),
                "CLI" => {
                    let text = self.alter(text);
                    let timestamp = self.timestamp();
                    responses.push_back(Response::Cli(Traffic {
                        kind: Kind::Client,
                        text,
                        timestamp,
                    }));
                }
                other => tracing::warn!(
                    exchange = self.n,
                    "replayed response of type {other} ignored: this server replays RET, SRV and CLI responses only"
                ),
            }
        }
        responses
    }

    async fn record_mode(&mut self, traffic: &Traffic) -> (VecDeque<Response>, bool) {
        let mut responses = VecDeque::new();
        match &traffic.kind {
            Kind::Custom { response } => {
                if let Some(response) = response.as_deref().filter(|r| !r.is_empty()) {
                    responses.push_back(Response::Ret(self.alter(response)));
                }
                (responses, true)
            }
            Kind::Client => {
                if lock(&self.shared.classic).destination.is_none() {
                    return (responses, true);
                }
                // The rest waits on a real server and needs no ordering.
                self.release_turn();
                match self.forward(&traffic.text).await {
                    Some(reply) => {
                        responses.push_back(Response::Srv(self.alter(&reply)));
                        (responses, true)
                    }
                    None => (responses, false),
                }
            }
            Kind::ServerState => (responses, true),
            Kind::ServerReply => {
                self.out.reply.push_str(&traffic.text);
                (responses, true)
            }
        }
    }

    /// Sends `text` to the announced server and reads its reply; `None` (with a warning)
    /// when there is no server or it cannot be reached.
    async fn forward(&mut self, text: &str) -> Option<String> {
        let destination = lock(&self.shared.classic).destination.clone()?;
        match proxy::forward(&destination, text, &self.config().limits).await {
            Ok(reply) => Some(reply),
            Err(e) => {
                tracing::warn!(
                    exchange = self.n,
                    "could not forward to server {}:{}: {}; not recorded: {text:?}",
                    destination.0,
                    destination.1,
                    crate::ErrorChain(&e)
                );
                None
            }
        }
    }

    fn near_miss(&self, desc: &str, nearest: Option<RequestId>, kind: NearMissKind) {
        let nearest = nearest.and_then(|id| {
            self.config()
                .replay
                .as_ref()
                .and_then(|r| lock(r).request_key(id))
        });
        let miss = NearMiss {
            exchange: self.n,
            request: desc.to_string(),
            nearest,
            kind,
        };
        miss.log();
        lock(&self.shared.near_misses).push(miss);
    }
}

/// The description as the reference quotes it in a mismatch reply: its lookup key, but not
/// stripped (the reference strips only recorded requests).
fn reply_key(desc: &str) -> &str {
    if lookup_key(desc) == "<-SRV" {
        "<-SRV"
    } else {
        desc
    }
}

/// Convenience for the server loop: the shared state for a configuration.
pub fn shared(config: ServerConfig) -> Arc<Shared> {
    let replay_active = config.replay.as_ref().is_some_and(|r| !lock(r).is_empty());
    Arc::new(Shared {
        config,
        replay_active,
        classic: Mutex::new(ClassicState::default()),
        near_misses: Mutex::new(Vec::new()),
    })
}
