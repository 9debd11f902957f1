//! How a request and its responses play out, by the types of the responses: the reference's
//! `_process`, shared by the kinds of the TCP transport.
//!
//! ```text
//! item ─▶ engine decides ─┬─ replay: each recorded response, by its type:
//!                         │    RET  the client's answer (trailing white space stripped)
//!                         │    SRV  a server's reply, sent as it is
//!                         │    CLI  a client message, sent to the announced server; its
//!                         │         reply is a new item, played the same way
//!                         └─ record: the kind's real response (the client's own, a real
//!                              server's reply), recorded after the request
//! ```
//!
//! A response's type decides how it is rendered, not the kind of the request: a custom
//! request whose recorded responses are `->SRV` gets them as a server's reply, as in the
//! reference. A played-back client session nests one item per message; it is played with a
//! stack rather than recursion, so its length has no limit. A message sent on can bring
//! several replies (a UDP broadcast): each is played out in turn.

use std::collections::VecDeque;

use capturemock_core::replay::lookup_key;
use capturemock_core::words::python_trim_end;

use super::classic::Conversation;
use super::wire::mismatch_reply;
use crate::exchange::{Decision, Exchange};
use crate::replay_file::RecordedResponse;

/// The role of a traffic item, which says its record prefix and its real response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// A custom client's call (`<-CAL`), with the response the client supplied, if any.
    Call {
        /// The client's own response (already split off the message, not yet altered).
        response: Option<String>,
    },
    /// Classic client text.
    Client,
    /// A server under test announcing itself (`SUT_SERVER:`).
    ServerState,
    /// A real server's reply played as traffic of its own (a server under test being played
    /// a client).
    ServerReply,
}

/// One traffic item: a request to decide, record and answer.
#[derive(Debug, Clone)]
pub struct Item {
    /// What it is.
    pub role: Role,
    /// Its text, altered.
    pub text: String,
    /// Its `--TIM:` timestamp, for the roles that carry one.
    pub timestamp: Option<String>,
}

/// A response waiting to be rendered.
enum Response {
    /// `->RET`, recorded or the client's own.
    Ret(RecordedResponse),
    /// The client's own response in record mode (altered).
    OwnRet(String),
    /// `->SRV`: sent back as it is.
    Srv(String),
    /// `->CLI`, replayed while playing client: sent to the announced server.
    Cli(Item),
    /// A real server's reply to such a `->CLI`: played as an item of its own.
    Chained(Item),
}

/// One item's responses still to be rendered, front first, and whether they (and the item)
/// are recorded. `record` is false when a forward to the real server failed: such an
/// exchange leaves nothing in the record file rather than a request without its reply.
struct Frame {
    responses: VecDeque<Response>,
    record: bool,
}

/// Plays `root` and everything it leads to in `exchange`.
/// Each frame's responses are rendered in file order; a `->CLI` response sends its text on
/// and pushes a frame for the reply it brings, which is played out before the next response
/// of the frame below.
pub async fn play(exchange: &mut Exchange<'_>, conversation: &Conversation, root: Item) {
    // An empty request is neither answered nor recorded. (The reference still records and
    // echoes a custom client's response to it, as an entry with no request, which joins the
    // previous exchange's responses when the file is replayed.)
    if root.text.is_empty() {
        return;
    }
    let mut stack = Vec::new();
    open(exchange, conversation, root, &mut stack).await;
    while let Some(frame) = stack.last_mut() {
        let record = frame.record;
        let Some(response) = frame.responses.pop_front() else {
            stack.pop();
            continue;
        };
        match response {
            Response::Ret(recorded) => {
                if record {
                    exchange.record("->RET", recorded.text(), None);
                }
                exchange.reply(python_trim_end(recorded.text()));
            }
            Response::OwnRet(text) => {
                if record {
                    exchange.record("->RET", &text, None);
                }
                exchange.reply(python_trim_end(&text));
            }
            Response::Srv(text) => {
                if record {
                    exchange.record(conversation.prefix(&Role::ServerReply), &text, None);
                }
                exchange.reply(&text);
            }
            Response::Cli(item) => {
                if record {
                    let prefix = conversation.prefix(&item.role);
                    exchange.record(prefix, &item.text, item.timestamp.clone());
                }
                let replies = conversation.forward(exchange.number(), &item.text).await;
                // Each reply is played out in turn, before the frame's next response: put
                // back at the front of this frame, the first reply foremost.
                if let Some(frame) = stack.last_mut() {
                    for reply in replies.unwrap_or_default().iter().rev() {
                        frame.responses.push_front(Response::Chained(Item {
                            role: Role::ServerReply,
                            text: exchange.alter(reply),
                            timestamp: None,
                        }));
                    }
                }
            }
            Response::Chained(item) => {
                open(exchange, conversation, item, &mut stack).await;
            }
        }
    }
}

/// Finds an item's responses, records it, and pushes its frame.
/// The item is recorded before any of its responses, so the record reads request then
/// responses; an announcement under `record_for_client` is never recorded.
async fn open(
    exchange: &mut Exchange<'_>,
    conversation: &Conversation,
    item: Item,
    stack: &mut Vec<Frame>,
) {
    let (responses, record) = responses(exchange, conversation, &item).await;
    let hidden = item.role == Role::ServerState && conversation.record_for_client();
    if record && !hidden {
        let prefix = conversation.prefix(&item.role);
        exchange.record(prefix, &item.text, item.timestamp);
    }
    stack.push(Frame { responses, record });
}

/// The responses to an item, and whether it and they are recorded.
/// The lookup key is the record prefix, in the conversation's current direction, and the
/// altered text: the request as the record file would hold it. A mismatch is answered with
/// the reference's mismatch text and the item is still recorded, so a replay run with a
/// record file shows what it was asked.
async fn responses(
    exchange: &mut Exchange<'_>,
    conversation: &Conversation,
    item: &Item,
) -> (VecDeque<Response>, bool) {
    if item.text.is_empty() {
        return (VecDeque::new(), false);
    }
    let key = format!("{}:{}", conversation.prefix(&item.role), item.text);
    match exchange.decide(&key) {
        Decision::Replay(replayed) => {
            let responses = replayed
                .responses
                .into_iter()
                .filter_map(|recorded| render(exchange, recorded))
                .collect();
            (responses, true)
        }
        Decision::Mismatch | Decision::Forbidden => {
            exchange.reply(&mismatch_reply(reply_key(&key)));
            (VecDeque::new(), true)
        }
        Decision::Unanswered => (VecDeque::new(), true),
        Decision::Record => real_responses(exchange, conversation, item).await,
    }
}

/// A replayed response, by its type. A replayed `->RET` is not altered, a replayed `->SRV`
/// or `->CLI` is (as in the reference).
fn render(exchange: &Exchange<'_>, recorded: RecordedResponse) -> Option<Response> {
    match recorded.type_id() {
        "RET" => Some(Response::Ret(recorded)),
        "SRV" => Some(Response::Srv(exchange.alter(recorded.text()))),
        "CLI" => Some(Response::Cli(Item {
            role: Role::Client,
            text: exchange.alter(recorded.text()),
            timestamp: exchange.timestamp(),
        })),
        other => {
            tracing::warn!(
                exchange = exchange.number(),
                "replayed response of type {other} ignored: this server replays RET, SRV and CLI responses only"
            );
            None
        }
    }
}

/// Record mode: the real response, as the item's role gets it.
/// A custom call's empty or missing response records nothing after the request. A classic
/// client's text is forwarded only when a server was announced, and waits for it outside
/// the ordered part. A `ServerReply` item (a server's reply to a client message played
/// from the record) has no real response to get: its own text goes into the reply.
async fn real_responses(
    exchange: &mut Exchange<'_>,
    conversation: &Conversation,
    item: &Item,
) -> (VecDeque<Response>, bool) {
    let mut responses = VecDeque::new();
    match &item.role {
        Role::Call { response } => {
            if let Some(response) = response.as_deref().filter(|r| !r.is_empty()) {
                responses.push_back(Response::OwnRet(exchange.alter(response)));
            }
            (responses, true)
        }
        Role::Client => {
            if !conversation.has_destination() {
                return (responses, true);
            }
            // The rest waits on a real server and needs no ordering.
            exchange.end_ordered_part();
            match conversation.forward(exchange.number(), &item.text).await {
                Some(replies) => {
                    for reply in replies {
                        responses.push_back(Response::Srv(exchange.alter(&reply)));
                    }
                    (responses, true)
                }
                None => (responses, false),
            }
        }
        Role::ServerState => (responses, true),
        Role::ServerReply => {
            exchange.reply(&item.text);
            (responses, true)
        }
    }
}

/// The description as the reference quotes it in a mismatch reply: its lookup key, but not
/// stripped (the reference strips only recorded requests).
fn reply_key(key: &str) -> &str {
    if lookup_key(key) == "<-SRV" {
        "<-SRV"
    } else {
        key
    }
}
