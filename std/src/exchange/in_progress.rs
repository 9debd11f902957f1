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
    /// Where each part of the reply ends in `reply`: one part per [`reply`](Self::reply)
    /// call, the reference's one write per response. A stream transport sends the parts
    /// back to back; a datagram transport sends each as a datagram of its own.
    part_ends: Vec<usize>,
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
            part_ends: Vec::new(),
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

    /// Appends `text` to the reply as one part (one response: see [`finish_parts`](Self::finish_parts)).
    pub fn reply(&mut self, text: &str) {
        self.reply_bytes(text.as_bytes());
    }

    /// Appends bytes that need not be text to the reply as one part (a command's output).
    pub fn reply_bytes(&mut self, bytes: &[u8]) {
        self.reply.extend_from_slice(bytes);
        self.part_ends.push(self.reply.len());
    }

    /// The ordered part of the exchange is over (lookups and alterations are done): later
    /// exchanges may go ahead while this one waits for the real thing.
    pub fn end_ordered_part(&mut self) {
        if let Some(turn) = self.turn.take() {
            turn.finish();
        }
    }

    /// Hands the entries to the record file and returns the reply, its parts back to back
    /// (what a stream transport sends).
    pub fn finish(self) -> Vec<u8> {
        self.finish_parts().bytes
    }

    /// Hands the entries to the record file and returns the reply with its parts told
    /// apart (what a datagram transport sends, one datagram per part).
    pub fn finish_parts(mut self) -> Reply {
        self.end_ordered_part();
        self.finished = true;
        let entries = std::mem::take(&mut self.entries);
        self.engine.complete(self.number, entries);
        Reply {
            bytes: std::mem::take(&mut self.reply),
            part_ends: std::mem::take(&mut self.part_ends),
        }
    }
}

/// A finished exchange's reply: its bytes, cut into parts.
/// Each part is one response as the reference writes it (one `write` per response), so that
/// a datagram transport can send one datagram per response, empty ones included, as the
/// reference does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reply {
    /// Every part, back to back.
    pub bytes: Vec<u8>,
    /// Where each part ends in `bytes`, in order.
    part_ends: Vec<usize>,
}

impl Reply {
    /// The parts, in order (none when nothing was replied).
    pub fn parts(&self) -> impl Iterator<Item = &[u8]> {
        let starts = std::iter::once(0).chain(self.part_ends.iter().copied());
        starts
            .zip(self.part_ends.iter().copied())
            .map(|(start, end)| &self.bytes[start..end])
    }
}

impl Drop for Exchange<'_> {
    fn drop(&mut self) {
        if !self.finished {
            self.engine.complete(self.number, Vec::new());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::Rules;

    #[test]
    fn a_reply_keeps_one_part_per_response_empty_ones_included() {
        let engine = Engine::new(Rules::default(), None, None);
        let mut exchange = Exchange::new(&engine, 1, None);
        exchange.reply("first");
        exchange.reply("");
        exchange.reply_bytes(b"\xffthird");
        let reply = exchange.finish_parts();
        assert_eq!(reply.bytes, b"first\xffthird");
        let parts: Vec<&[u8]> = reply.parts().collect();
        assert_eq!(parts, [&b"first"[..], b"", b"\xffthird"]);

        let silent = Exchange::new(&engine, 2, None).finish_parts();
        assert_eq!(silent.parts().count(), 0);
    }
}
