//! One exchange on its way through the engine: what a traffic kind works with.

use super::engine::{Decision, Engine};
use super::recorder::RecordEntry;
use super::sequencer::Turn;
use super::ExchangeNo;

/// One exchange in progress: its number, its turn in the transport's order, the entries it
/// will record and the reply it builds.
///
/// A traffic kind serves a message through it: [`decide`](Self::decide) asks the engine,
/// [`record`](Self::record) and [`reply`](Self::reply) say what the exchange recorded and
/// answers, and the transport [`finish`](Self::finish)es it. The reply is built here and
/// nowhere else. An exchange dropped unfinished (its task cancelled, a panic) completes with
/// nothing recorded, so that later exchanges are not held back.
#[derive(Debug)]
pub struct Exchange<'e> {
    engine: &'e Engine,
    number: ExchangeNo,
    /// Held until the ordered part ends; `None` after that, or when the transport keeps no
    /// order.
    turn: Option<Turn>,
    /// What the exchange records, handed to the recorder by `finish`. Left empty when the
    /// engine records nothing (see [`record`](Self::record)).
    entries: Vec<RecordEntry>,
    /// The reply; `finish` hands it to the transport. Bytes: a command's output need not be
    /// text.
    reply: Vec<u8>,
    /// Set by `finish`, so that `Drop` can tell an abandoned exchange, which must still be
    /// completed (with nothing) for later ones to be written.
    finished: bool,
}

impl<'e> Exchange<'e> {
    /// Exchange `number` of `engine`, holding its `turn` in the transport's order (none when
    /// the transport keeps no order).
    pub fn new(engine: &'e Engine, number: ExchangeNo, turn: Option<Turn>) -> Self {
        Exchange {
            engine,
            number,
            turn,
            entries: Vec::new(),
            reply: Vec::new(),
            finished: false,
        }
    }

    /// Its number, for logs.
    pub fn number(&self) -> ExchangeNo {
        self.number
    }

    /// The engine it runs in (for its rules).
    pub fn engine(&self) -> &'e Engine {
        self.engine
    }

    /// `text` with the alterations applied.
    pub fn alter(&self, text: &str) -> String {
        self.engine.alter(Some(self.number), text)
    }

    /// [`alter`](Self::alter), borrowing `text` when there is nothing to alter.
    pub fn alter_borrowed<'t>(&self, text: &'t str) -> std::borrow::Cow<'t, str> {
        self.engine.alter_borrowed(Some(self.number), text)
    }

    /// A `--TIM:` timestamp, when the rules record them.
    pub fn timestamp(&self) -> Option<String> {
        self.engine.timestamp()
    }

    /// The engine's decision for a request whose lookup key is `key`.
    /// Call it while the turn is held, so that repeat counters move in the transport's order.
    pub fn decide(&mut self, key: &str) -> Decision {
        self.engine.decide(self.number, key)
    }

    /// Records `prefix:text` (and its timestamp). A text that is empty is not recorded, as
    /// the reference records nothing without text.
    /// Entries are kept only when the engine records, so a replay without a record file builds
    /// none: this is on every replayed exchange's path.
    pub fn record(&mut self, prefix: &'static str, text: &str, timestamp: Option<String>) {
        if !text.is_empty() && self.engine.records() {
            self.entries.push(RecordEntry {
                prefix,
                text: text.to_owned(),
                timestamp,
            });
        }
    }

    /// [`record`](Self::record) for a text the caller owns and no longer needs: it is kept
    /// without a copy (an HTTP body can be large).
    pub fn record_owned(&mut self, prefix: &'static str, text: String, timestamp: Option<String>) {
        if !text.is_empty() && self.engine.records() {
            self.entries.push(RecordEntry {
                prefix,
                text,
                timestamp,
            });
        }
    }

    /// Appends to the reply.
    pub fn reply(&mut self, text: &str) {
        self.reply.extend_from_slice(text.as_bytes());
    }

    /// Appends bytes that need not be text to the reply (a command's output).
    pub fn reply_bytes(&mut self, bytes: &[u8]) {
        self.reply.extend_from_slice(bytes);
    }

    /// The ordered part of the exchange is over (lookups and alterations are done): later
    /// exchanges may go ahead while this one waits for the real thing.
    pub fn end_ordered_part(&mut self) {
        if let Some(turn) = self.turn.take() {
            turn.finish();
        }
    }

    /// Hands the entries to the record file and returns the reply.
    pub fn finish(mut self) -> Vec<u8> {
        self.end_ordered_part();
        self.finished = true;
        let entries = std::mem::take(&mut self.entries);
        self.engine.complete(self.number, entries);
        std::mem::take(&mut self.reply)
    }
}

impl Drop for Exchange<'_> {
    fn drop(&mut self) {
        if !self.finished {
            self.engine.complete(self.number, Vec::new());
        }
    }
}
