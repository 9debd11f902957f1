//! A record file cut into its exchanges, byte for byte, for the commands that look at or edit
//! whole files (`prune`, `stats`).
//!
//! An exchange is a top-level request and everything after it up to the next one: its
//! responses, its nested call-backs (`--->PYT`, `<---PYT`) and their responses. Which entries
//! are requests, and at which level, is decided by the core's [`Grouping`], the rule the
//! replay table is built with, so that an exchange here is what replay counts as one.

use std::collections::HashMap;

use capturemock_core::format::{entries, NewlineOptions, ParseError, Record};
use capturemock_core::replay::{lookup_key, Grouping};

/// One request occurrence inside an exchange: its key and which occurrence of that key it
/// is in the file (0 for the first), which is what the replay table's n-th choice answers
/// with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Occurrence {
    /// The lookup key (`<-CAL:get(1)`; every `<-SRV...` is filed under `<-SRV`).
    pub key: String,
    /// 0 for the key's first occurrence in the file.
    pub nth: u32,
}

/// One exchange of a record file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileExchange {
    /// Byte range of the exchange in the file's text, from its request's first line to the
    /// next exchange's (or the end of the file).
    pub bytes: std::ops::Range<usize>,
    /// The 1-based line of its request.
    pub line: u32,
    /// The type id of its request (`CAL`, `CLI`, `CMD`, `PYT`, ...).
    pub type_id: String,
    /// Its requests: the top-level one first, then the nested ones in file order.
    pub requests: Vec<Occurrence>,
    /// Its entries, requests included.
    pub entries: usize,
}

/// A record file's text cut into exchanges.
#[derive(Debug, Clone)]
pub(crate) struct MockExchanges {
    /// Bytes before the first exchange (blank lines, a byte-order mark), kept as they are.
    pub preamble: std::ops::Range<usize>,
    /// The exchanges in file order.
    pub exchanges: Vec<FileExchange>,
}

impl MockExchanges {
    /// Cuts `text` into exchanges, reading entries with `newlines` (the rc file's
    /// `preserve_cr` / `preserve_lf`, which change keys).
    pub fn cut(text: &str, newlines: NewlineOptions) -> Result<MockExchanges, ParseError> {
        let mut grouping = Grouping::default();
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut seen: Vec<u32> = Vec::new();
        let mut exchanges: Vec<FileExchange> = Vec::new();
        let mut first_entry = None;
        let mut buffer = Vec::new();
        for entry in entries(text) {
            let entry = entry?;
            first_entry.get_or_insert(entry.offset());
            let owned;
            let record = match entry.plain(newlines) {
                Some(record) => record,
                None => {
                    buffer.resize(entry.decoded_len(newlines), 0);
                    owned = entry
                        .decode(newlines, &mut buffer)
                        .map(|r| r.entry.to_string())
                        // The buffer is sized by the entry itself: never taken.
                        .unwrap_or_default();
                    Record {
                        entry: &owned,
                        timestamp: entry.raw_timestamp(),
                    }
                }
            };
            let role = grouping.classify(&record);
            if role.opens_request {
                let key = lookup_key(record.entry).to_string();
                let next = ids.len() as u32;
                let id = *ids.entry(key.clone()).or_insert(next);
                if id as usize == seen.len() {
                    seen.push(0);
                }
                let nth = seen[id as usize];
                seen[id as usize] += 1;
                // A request at the top level starts an exchange; a nested one (or an entry
                // before any request that the reference files as one) belongs to the
                // current exchange when there is one.
                let top_level = record.indent_level() <= 0 || exchanges.is_empty();
                // Nesting deeper than the table allows fails there with a clear error; here
                // the entry just stays in its exchange.
                let _ = grouping.open(id);
                if top_level {
                    exchanges.push(FileExchange {
                        bytes: entry.offset()..text.len(),
                        line: entry.line(),
                        type_id: record.type_id().to_string(),
                        requests: Vec::new(),
                        entries: 0,
                    });
                }
                if let Some(current) = exchanges.last_mut() {
                    current.requests.push(Occurrence { key, nth });
                }
            }
            if let Some(current) = exchanges.last_mut() {
                current.entries += 1;
            }
        }
        for i in 1..exchanges.len() {
            let next_start = exchanges[i].bytes.start;
            exchanges[i - 1].bytes.end = next_start;
        }
        let preamble_end = exchanges
            .first()
            .map(|e| e.bytes.start)
            .or(first_entry)
            .unwrap_or(text.len());
        Ok(MockExchanges {
            preamble: 0..preamble_end,
            exchanges,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(e: &FileExchange) -> Vec<(&str, u32)> {
        e.requests.iter().map(|o| (o.key.as_str(), o.nth)).collect()
    }

    #[test]
    fn exchanges_are_top_level_requests_with_what_follows_them() {
        let text =
            "\n<-CAL:a\n->RET:1\n<-PYT:f()\n--->PYT:cb()\n<---PYT:x\n->PYT:r\n<-CAL:a\n->RET:2\n";
        let cut = MockExchanges::cut(text, NewlineOptions::default()).unwrap();
        assert_eq!(&text[cut.preamble.clone()], "\n");
        assert_eq!(cut.exchanges.len(), 3);
        let slices: Vec<&str> = cut
            .exchanges
            .iter()
            .map(|e| &text[e.bytes.clone()])
            .collect();
        assert_eq!(
            slices,
            [
                "<-CAL:a\n->RET:1\n",
                "<-PYT:f()\n--->PYT:cb()\n<---PYT:x\n->PYT:r\n",
                "<-CAL:a\n->RET:2\n"
            ]
        );
        assert_eq!(keys(&cut.exchanges[0]), [("<-CAL:a", 0)]);
        assert_eq!(keys(&cut.exchanges[2]), [("<-CAL:a", 1)]);
        assert_eq!(cut.exchanges[1].requests[0].key, "<-PYT:f()");
        assert!(
            cut.exchanges[1].requests.len() > 1,
            "{:?}",
            cut.exchanges[1]
        );
        assert_eq!(cut.exchanges[1].type_id, "PYT");
        assert_eq!(cut.exchanges[1].line, 4);
        assert_eq!(cut.exchanges[1].entries, 4);
        // The whole text is the preamble and the exchanges, in order.
        let joined: String = std::iter::once(&text[cut.preamble.clone()])
            .chain(slices.iter().copied())
            .collect();
        assert_eq!(joined, text);
    }

    #[test]
    fn server_requests_share_one_key_and_timestamps_stay_with_their_entry() {
        let text = "<-SRV:x\n--TIM:1\n->CLI:y\n<-SRV:z\n";
        let cut = MockExchanges::cut(text, NewlineOptions::default()).unwrap();
        assert_eq!(keys(&cut.exchanges[0]), [("<-SRV", 0)]);
        assert_eq!(keys(&cut.exchanges[1]), [("<-SRV", 1)]);
        assert_eq!(
            &text[cut.exchanges[0].bytes.clone()],
            "<-SRV:x\n--TIM:1\n->CLI:y\n"
        );
    }

    #[test]
    fn an_empty_file_has_no_exchange_and_a_bad_one_is_an_error() {
        let cut = MockExchanges::cut("", NewlineOptions::default()).unwrap();
        assert!(cut.exchanges.is_empty());
        assert!(MockExchanges::cut("text before\n<-CAL:a\n", NewlineOptions::default()).is_err());
    }
}
