//! Replay lookup: a table built from arbitrary records (requests and responses of a few
//! types, nested call-backs, repeats), then arbitrary requests looked up, on the plain scan
//! and on the word index.
//!
//! Checks: no panic; building needs no more than `Requirements` says; every answer is an entry
//! of the table (its key is a recorded request's key, its responses are recorded responses
//! of that request's occurrences); an exact answer has the request's own key, a nearest
//! one is of the same type; a request recorded as it is always matches exactly; exact-only
//! tables never answer with a nearest; scan and index choose the same.
//!
//! `cargo +nightly fuzz run replay_lookup` (run from `fuzz/`).

#![no_main]

use std::collections::HashSet;
use std::convert::Infallible;

use arbitrary::Arbitrary;
use capturemock_core::format::Record;
use capturemock_core::replay::{
    lookup_key, GroupSlot, IndexParts, IndexRequirements, LookupScratch, MatchKind, MatchOptions,
    Parts, Posting, ReplayTable, RequestSlot, Requirements, ResponseSlot, Unmatched, WordRange,
};
use capturemock_core::words::{same_type, words};
use libfuzzer_sys::fuzz_target;

const PREFIXES: [&str; 12] = [
    "<-CAL",
    "->RET",
    "<-SRV",
    "->SRV",
    "<-CLI",
    "->CLI",
    "<-CMD",
    "->OUT",
    "--->PYT",
    "<---PYT",
    "----->RET",
    "->",
];

#[derive(Arbitrary, Debug)]
struct Entry {
    /// Index into `PREFIXES`, or (out of range) the text is the whole entry.
    prefix: u8,
    text: String,
}

#[derive(Arbitrary, Debug)]
struct Input {
    exact_only: bool,
    trim_request: bool,
    records: Vec<Entry>,
    /// Requests to look up: `(Some(i), _)` is the key of record `i`'s text, as recorded;
    /// otherwise the text is the request.
    requests: Vec<(Option<u8>, Entry)>,
}

fn entry(e: &Entry) -> String {
    match PREFIXES.get(usize::from(e.prefix)) {
        Some(prefix) => format!("{prefix}:{}", e.text),
        None => e.text.clone(),
    }
}

/// Vectors backing one table.
struct Backing<'a> {
    requests: Vec<RequestSlot<'a>>,
    groups: Vec<GroupSlot>,
    group_order: Vec<u32>,
    responses: Vec<ResponseSlot<'a>>,
    key_slots: Vec<u32>,
    request_words: Vec<WordRange>,
    words: Vec<u32>,
    word_text: Vec<&'a str>,
    word_slots: Vec<u32>,
    word_cursor: Vec<u32>,
    postings: Vec<Posting>,
    posting_start: Vec<u32>,
}

impl<'a> Backing<'a> {
    fn new(needs: &Requirements, index: &IndexRequirements) -> Self {
        Backing {
            requests: vec![RequestSlot::EMPTY; needs.requests],
            groups: vec![GroupSlot::default(); needs.requests],
            group_order: vec![0; needs.requests],
            responses: vec![ResponseSlot::EMPTY; needs.responses],
            key_slots: vec![0; needs.key_slots()],
            request_words: vec![WordRange::default(); index.requests],
            words: vec![0; index.words],
            word_text: vec![""; index.distinct_words],
            word_slots: vec![0; index.word_slots()],
            word_cursor: vec![0; index.distinct_words],
            postings: vec![Posting::default(); index.words],
            posting_start: vec![0; index.distinct_words + 1],
        }
    }

    fn parts(&mut self, indexed: bool) -> Parts<'_, 'a> {
        Parts {
            requests: &mut self.requests,
            groups: &mut self.groups,
            group_order: &mut self.group_order,
            responses: &mut self.responses,
            key_slots: &mut self.key_slots,
            index: indexed.then(|| IndexParts {
                request_words: &mut self.request_words,
                words: &mut self.words,
                word_text: &mut self.word_text,
                word_slots: &mut self.word_slots,
                word_cursor: &mut self.word_cursor,
                postings: &mut self.postings,
                posting_start: &mut self.posting_start,
            }),
        }
    }
}

/// The chosen key, whether exact, and the response texts.
type Answer = Result<(String, bool, Vec<String>), Unmatched>;

fuzz_target!(|input: Input| {
    let texts: Vec<String> = input.records.iter().map(entry).collect();
    let records: Vec<Record<'_>> = texts.iter().map(|t| Record::new(t)).collect();
    let ok = || records.iter().map(|r| Ok::<_, Infallible>(*r));
    let Ok(needs) = Requirements::measure(ok()) else {
        // Nesting too deep: building must refuse it as well.
        let mut backing = Backing::new(&Requirements::default(), &IndexRequirements::default());
        assert!(ReplayTable::build(ok(), backing.parts(false), MatchOptions::default()).is_err());
        return;
    };
    let options = MatchOptions {
        exact_only: input.exact_only,
        trim_request: input.trim_request,
    };
    let requests: Vec<String> = input
        .requests
        .iter()
        .map(|(from, e)| match from.map(usize::from) {
            Some(i) if !texts.is_empty() => lookup_key(&texts[i % texts.len()]).to_string(),
            _ => entry(e),
        })
        .collect();

    // Every key and every response entry of the file: answers come from these.
    let keys: HashSet<&str> = records.iter().map(|r| lookup_key(r.entry)).collect();
    let responses: HashSet<&str> = records.iter().map(|r| r.entry).collect();

    let mut answers: Vec<Vec<Answer>> = Vec::new();
    for indexed in [false, true] {
        let words_upper: usize = records.iter().map(|r| words(r.entry).count()).sum();
        let index = IndexRequirements {
            requests: needs.requests,
            words: words_upper,
            distinct_words: words_upper,
        };
        let mut backing = Backing::new(&needs, &index);
        let mut table = ReplayTable::build(ok(), backing.parts(indexed), options)
            .expect("storage sized by Requirements");
        assert!(table.request_count() <= needs.requests);
        assert_eq!(table.group_count(), needs.requests);
        assert_eq!(table.response_count(), needs.responses);
        let infos: Vec<_> = table.requests().collect();
        for info in &infos {
            assert!(
                keys.contains(info.key),
                "table key {:?} not recorded",
                info.key
            );
        }
        let table_keys: HashSet<&str> = infos.iter().map(|i| i.key).collect();

        let longest = requests.iter().map(|r| words(r).count()).max().unwrap_or(0);
        let mut mem =
            vec![0u32; LookupScratch::required(longest, needs.max_request_words, infos.len())];
        let mut scratch =
            LookupScratch::new(&mut mem, longest, needs.max_request_words, infos.len())
                .expect("sized");
        let mut these = Vec::new();
        for request in &requests {
            let found = table.find(request, &mut scratch).expect("scratch sized");
            let answer = match table.lookup(request, &mut scratch).expect("scratch sized") {
                Err(unmatched) => {
                    assert_eq!(found, Err(unmatched));
                    if unmatched == Unmatched::ExactMatchingRequired {
                        assert!(options.exact_only);
                    }
                    Err(unmatched)
                }
                Ok(reply) => {
                    let (id, kind) = found.expect("find and lookup agree");
                    assert_eq!(reply.request, id);
                    assert_eq!(reply.kind, kind);
                    assert!(table_keys.contains(reply.key), "answer not in the table");
                    let desc = if options.trim_request {
                        capturemock_core::words::python_strip(request)
                    } else {
                        request.as_str()
                    };
                    match kind {
                        MatchKind::Exact => assert_eq!(reply.key, lookup_key(desc)),
                        MatchKind::Nearest(_) => {
                            assert!(!options.exact_only);
                            assert!(same_type(reply.key, desc), "{:?} for {desc:?}", reply.key);
                        }
                    }
                    let texts: Vec<String> = reply
                        .responses()
                        .map(|r| {
                            assert!(responses.contains(r.entry), "response not recorded");
                            r.entry.to_string()
                        })
                        .collect();
                    Ok((reply.key.to_string(), kind == MatchKind::Exact, texts))
                }
            };
            // A request recorded as it is matches exactly.
            let key = if options.trim_request {
                capturemock_core::words::python_strip(request)
            } else {
                request.as_str()
            };
            if table_keys.contains(key) && key == lookup_key(key) && key.contains(':') {
                let text = key.split_once(':').map_or("", |(_, t)| t);
                if !text.is_empty() {
                    assert!(matches!(answer, Ok((_, true, _))), "{key:?} not exact");
                }
            }
            these.push(answer);
        }
        answers.push(these);
    }
    assert_eq!(answers[0], answers[1], "scan and index disagree");
});
