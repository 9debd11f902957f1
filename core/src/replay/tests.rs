//! Behaviour of the replay engine on small hand-made tables, with and without word index.
//! The exhaustive comparison with the reference is the differential test in `tests/`.

use super::*;
use crate::format::Record;
use core::convert::Infallible;
use std::vec;
use std::vec::Vec;

/// Vectors that back one table (what the std crate's storage does, in miniature).
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
    fn for_records(records: &[Record<'a>]) -> Self {
        let needs = Requirements::measure(records.iter().map(|r| Ok::<_, Infallible>(*r))).unwrap();
        // Every record's words: an upper bound of the keys' words.
        let words: usize = records
            .iter()
            .map(|r| crate::words::words(r.entry).count())
            .sum();
        let index = IndexRequirements {
            requests: needs.requests,
            words,
            distinct_words: words,
        };
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

fn records(file: &str) -> Vec<Record<'_>> {
    let mut out = Vec::new();
    let mut current: Option<(usize, usize)> = None;
    let mut offset = 0;
    for line in file.split_inclusive('\n') {
        let prefix = line.split(':').next().unwrap_or("");
        let starts = prefix.chars().count() < 10
            && (prefix.starts_with("<-")
                || prefix.chars().rev().skip(3).take(2).collect::<Vec<_>>() == ['>', '-']);
        if starts {
            if let Some((s, e)) = current.take() {
                out.push(Record::new(file[s..e].trim_end_matches('\n')));
            }
            current = Some((offset, offset));
        }
        offset += line.len();
        if let Some((_, e)) = current.as_mut() {
            *e = offset;
        }
    }
    if let Some((s, e)) = current {
        out.push(Record::new(file[s..e].trim_end_matches('\n')));
    }
    out
}

/// The chosen key and the response texts, or `None` when nothing answers.
type Answer = Option<(String, Vec<String>)>;

/// Answers each request with (chosen key, response texts), on both engines, and checks they agree.
fn replay(file: &str, requests: &[&str], options: MatchOptions) -> Vec<Answer> {
    let recs = records(file);
    let mut answers: Vec<Vec<Answer>> = Vec::new();
    for indexed in [false, true] {
        let mut backing = Backing::for_records(&recs);
        let needs = Requirements::measure(recs.iter().map(|r| Ok::<_, Infallible>(*r))).unwrap();
        let mut table = ReplayTable::build(
            recs.iter().map(|r| Ok::<_, Infallible>(*r)),
            backing.parts(indexed),
            options,
        )
        .unwrap();
        let longest = requests
            .iter()
            .map(|r| crate::words::words(r).count())
            .max()
            .unwrap_or(0);
        let mut scratch_mem =
            vec![
                0u32;
                LookupScratch::required(longest, needs.max_request_words, table.request_count())
            ];
        let mut scratch = LookupScratch::new(
            &mut scratch_mem,
            longest,
            needs.max_request_words,
            table.request_count(),
        )
        .unwrap();
        let mut these = Vec::new();
        for request in requests {
            these.push(match table.lookup(request, &mut scratch).unwrap() {
                Ok(reply) => Some((
                    reply.key.to_string(),
                    reply.responses().map(|r| r.text().to_string()).collect(),
                )),
                Err(_) => None,
            });
        }
        answers.push(these);
    }
    assert_eq!(answers[0], answers[1], "scan and index disagree");
    assert_eq!(
        answers[0],
        replay_frozen(&recs, requests, options),
        "the frozen table disagrees"
    );
    answers.pop().unwrap()
}

/// The same answers from the table's frozen form ([`Frozen`], what `write_frozen` writes out
/// for a firmware's flash), with its request and hash slots in fresh memory. With exact
/// matching on, `find_exact` must agree with `find` on every request as well.
fn replay_frozen(recs: &[Record<'_>], requests: &[&str], options: MatchOptions) -> Vec<Answer> {
    let mut backing = Backing::for_records(recs);
    let table = ReplayTable::build(
        recs.iter().map(|r| Ok::<_, Infallible>(*r)),
        backing.parts(false),
        options,
    )
    .unwrap();
    let (n_requests, n_groups, n_responses) = (
        table.request_count(),
        table.group_count(),
        table.response_count(),
    );
    let frozen = Frozen {
        requests: &backing.requests[..n_requests],
        groups: &backing.groups[..n_groups],
        group_order: &backing.group_order[..n_groups],
        responses: &backing.responses[..n_responses],
    };
    let mut request_ram = vec![RequestSlot::EMPTY; frozen.request_slots()];
    let mut key_ram = vec![0u32; frozen.key_slots()];
    let mut table =
        ReplayTable::from_frozen(&frozen, &mut request_ram, &mut key_ram, options).unwrap();
    assert_eq!(
        (
            table.request_count(),
            table.group_count(),
            table.response_count()
        ),
        (n_requests, n_groups, n_responses)
    );
    let longest = requests
        .iter()
        .map(|r| crate::words::words(r).count())
        .max()
        .unwrap_or(0);
    let max_key_words = recs
        .iter()
        .map(|r| crate::words::words(r.entry).count())
        .max()
        .unwrap_or(0);
    let mut scratch_mem = vec![0u32; LookupScratch::required(longest, max_key_words, 0)];
    let mut scratch = LookupScratch::new(&mut scratch_mem, longest, max_key_words, 0).unwrap();
    let mut answers = Vec::new();
    for request in requests {
        let found = table.find(request, &mut scratch).unwrap();
        if options.exact_only {
            assert_eq!(
                found.map(|(id, _)| id),
                table.find_exact(request),
                "{request}"
            );
        }
        answers.push(match found {
            Ok((id, kind)) => {
                let reply = table.take(id, kind);
                Some((
                    reply.key.to_string(),
                    reply.responses().map(|r| r.text().to_string()).collect(),
                ))
            }
            Err(_) => None,
        });
    }
    answers
}

use std::string::{String, ToString};

fn answer(key: &str, responses: &[&str]) -> Answer {
    Some((
        key.to_string(),
        responses.iter().map(|r| r.to_string()).collect(),
    ))
}

#[test]
fn repeats_walk_through_groups_then_fall_back_to_the_first() {
    let file = "<-CAL:get(x)\n->RET:1\n<-CAL:get(x)\n->RET:2\n->RET:2b\n<-CAL:get(x)\n";
    let got = replay(file, &["<-CAL:get(x)"; 5], MatchOptions::default());
    assert_eq!(
        got,
        vec![
            answer("<-CAL:get(x)", &["1"]),
            answer("<-CAL:get(x)", &["2", "2b"]),
            answer("<-CAL:get(x)", &[]),
            answer("<-CAL:get(x)", &["1"]),
            answer("<-CAL:get(x)", &["1"]),
        ]
    );
}

#[test]
fn best_match_prefers_more_common_words_then_fewer_runs_then_unused_groups() {
    let file = "<-CAL:a b c d\n->RET:abcd\n<-CAL:a x c d\n->RET:axcd\n<-CAL:a b y d\n->RET:abyd\n";
    // "a b c z" shares 3 words with the first, 2 with the others.
    assert_eq!(
        replay(file, &["<-CAL:a b c z"], MatchOptions::default()),
        vec![answer("<-CAL:a b c d", &["abcd"])]
    );
    // "a q c d": 3 common with "a x c d" and with "a b c d"; both have 2 runs... first in file wins,
    // until it has been used more.
    let got = replay(
        file,
        &["<-CAL:a q c d", "<-CAL:a q c d", "<-CAL:a q c d"],
        MatchOptions::default(),
    );
    assert_eq!(
        got,
        vec![
            answer("<-CAL:a b c d", &["abcd"]),
            answer("<-CAL:a x c d", &["axcd"]),
            answer("<-CAL:a b c d", &["abcd"]),
        ]
    );
}

#[test]
fn only_requests_of_the_same_type_sharing_a_word_are_chosen() {
    let file = "<-CMD:ls /tmp\n->OUT:x\n<-CAL:ls(tmp)\n->RET:y\n";
    assert_eq!(
        replay(file, &["<-CAL:ls(tmp2)"], MatchOptions::default()),
        vec![answer("<-CAL:ls(tmp)", &["y"])]
    );
    assert_eq!(
        replay(file, &["<-CAL:nothing"], MatchOptions::default()),
        vec![None]
    );
    assert_eq!(
        replay(file, &["<-FOO:ls /tmp"], MatchOptions::default()),
        vec![None]
    );
}

#[test]
fn exact_matching_refuses_near_misses() {
    let file = "<-CAL:a b\n->RET:1\n";
    let exact = MatchOptions {
        exact_only: true,
        ..MatchOptions::default()
    };
    assert_eq!(
        replay(file, &["<-CAL:a b", "<-CAL:a c"], exact),
        vec![answer("<-CAL:a b", &["1"]), None]
    );
}

#[test]
fn trailing_white_space_defeats_exact_lookup_unless_trimming() {
    let file = "<-CAL:a b  \n->RET:1\n<-CAL:a b c\n->RET:2\n";
    let exact = MatchOptions {
        exact_only: true,
        ..MatchOptions::default()
    };
    assert_eq!(replay(file, &["<-CAL:a b  "], exact), vec![None]);
    let trimming = MatchOptions {
        exact_only: true,
        trim_request: true,
    };
    assert_eq!(
        replay(file, &["<-CAL:a b  "], trimming),
        vec![answer("<-CAL:a b", &["1"])]
    );
}

#[test]
fn server_requests_are_filed_together_and_replayed_in_order() {
    let file = "<-SRV:first\n->CLI:1\n<-SRV:second\n->CLI:2\n";
    let got = replay(
        file,
        &["<-SRV:anything", "<-SRV:else"],
        MatchOptions::default(),
    );
    assert_eq!(got, vec![answer("<-SRV", &["1"]), answer("<-SRV", &["2"])]);
}

#[test]
fn indented_call_backs_nest_like_the_reference() {
    // A call-back from the mocked code into the system under test (`--->`), answered by
    // the system under test (`<---`), one level deeper.
    let file = "<-PYT:run(cb)\n--->PYT:cb(1)\n<---PYT:ok\n->RET:done\n";
    let got = replay(file, &["<-PYT:run(cb)"], MatchOptions::default());
    assert_eq!(got, vec![answer("<-PYT:run(cb)", &["cb(1)", "done"])]);
}

#[test]
fn capacity_shortfalls_are_errors() {
    let recs = records("<-CAL:a\n->RET:1\n<-CAL:b\n->RET:2\n");
    let mut requests = [RequestSlot::EMPTY; 1];
    let mut groups = [GroupSlot::default(); 4];
    let mut group_order = [0u32; 4];
    let mut responses = [ResponseSlot::EMPTY; 4];
    let mut key_slots = [0u32; 8];
    let parts = Parts {
        requests: &mut requests,
        groups: &mut groups,
        group_order: &mut group_order,
        responses: &mut responses,
        key_slots: &mut key_slots,
        index: None,
    };
    let built = ReplayTable::build(
        recs.iter().map(|r| Ok::<_, Infallible>(*r)),
        parts,
        MatchOptions::default(),
    );
    assert_eq!(built.err(), Some(BuildError::Capacity(Resource::Requests)));
}

#[test]
fn array_storage_serves_a_small_table() {
    let recs = records("<-CAL:temp(1)\n->RET:21.5\n<-CAL:temp(2)\n->RET:19.0\n");
    let storage: ArrayStorage<'_, 4, 4> = ArrayStorage::new();
    let mut table = ReplayTable::build(
        recs.iter().map(|r| Ok::<_, Infallible>(*r)),
        storage,
        MatchOptions::default(),
    )
    .unwrap();
    let mut mem = [0u32; 256];
    assert!(LookupScratch::required(4, 4, 0) <= mem.len());
    let mut scratch = LookupScratch::new(&mut mem, 4, 4, 0).unwrap();
    let reply = table
        .lookup("<-CAL:temp(3)", &mut scratch)
        .unwrap()
        .unwrap();
    assert_eq!(reply.key, "<-CAL:temp(1)");
    assert_eq!(
        reply.kind,
        MatchKind::Nearest(crate::difflib::Score {
            common: 1,
            nonmatching_runs: 1
        })
    );
    assert!(
        table.lookup("<-CAL:a b c d e f g", &mut scratch).is_err(),
        "request longer than the scratch"
    );
}

#[test]
fn a_table_builds_from_the_binary_form_too() {
    let text = "<-CAL:temp(1)\n->RET:21.5\n<-CAL:temp(2)\n->RET:19.0\n";
    let sizes = crate::binary::text_to_binary_sizes(text, crate::format::NewlineOptions::default())
        .unwrap();
    let mut bytes = vec![0u8; sizes.binary_len];
    let mut scratch_bytes = vec![0u8; sizes.scratch_len];
    let len =
        crate::binary::text_to_binary(text, Default::default(), &mut bytes, &mut scratch_bytes)
            .unwrap();
    let records = crate::binary::records(&bytes[..len]).unwrap();
    let storage: ArrayStorage<'_, 4, 4> = ArrayStorage::new();
    let mut table = ReplayTable::build(records, storage, MatchOptions::default()).unwrap();
    let mut mem = [0u32; 256];
    let mut scratch = LookupScratch::new(&mut mem, 4, 4, 0).unwrap();
    let reply = table
        .lookup("<-CAL:temp(2)", &mut scratch)
        .unwrap()
        .unwrap();
    assert_eq!(reply.responses().next().unwrap().text(), "19.0");
}

#[test]
fn a_request_is_found_by_id_as_the_listing_shows_it() {
    let recs = records("<-CAL:a\n->RET:1\n<-CAL:b\n->RET:2\n<-CAL:a\n->RET:3\n");
    let mut backing = Backing::for_records(&recs);
    let table = ReplayTable::build(
        recs.iter().map(|r| Ok::<_, Infallible>(*r)),
        backing.parts(false),
        MatchOptions::default(),
    )
    .unwrap();
    let listed: Vec<RequestInfo<'_>> = table.requests().collect();
    assert_eq!(listed.len(), 2);
    for info in &listed {
        assert_eq!(table.request(info.id), Some(*info));
    }
    assert_eq!(table.request(RequestId(2)), None);
}

#[test]
fn taking_again_repeats_the_last_group_without_counting() {
    let recs = records("<-CLI:GET /s\n->SRV:busy\n<-CLI:GET /s\n->SRV:done\n");
    let storage: ArrayStorage<'_, 4, 4> = ArrayStorage::new();
    let mut table = ReplayTable::build(
        recs.iter().map(|r| Ok::<_, Infallible>(*r)),
        storage,
        MatchOptions::default(),
    )
    .unwrap();
    let mut mem = [0u32; 256];
    let mut scratch = LookupScratch::new(&mut mem, 4, 4, 0).unwrap();
    let (id, kind) = table.find("<-CLI:GET /s", &mut scratch).unwrap().unwrap();
    let text = |m: Matched<'_, '_>| m.responses().next().map(|r| r.text().to_string());
    // Never chosen yet: the first group, and the choice is not counted.
    assert_eq!(text(table.take_again(id, kind)).as_deref(), Some("busy"));
    assert_eq!(text(table.take(id, kind)).as_deref(), Some("busy"));
    assert_eq!(text(table.take_again(id, kind)).as_deref(), Some("busy"));
    assert_eq!(text(table.take_again(id, kind)).as_deref(), Some("busy"));
    assert_eq!(text(table.take(id, kind)).as_deref(), Some("done"));
    assert_eq!(text(table.take_again(id, kind)).as_deref(), Some("done"));
    // Past the last group: the first again, as `take` gives it.
    assert_eq!(text(table.take(id, kind)).as_deref(), Some("busy"));
    assert_eq!(text(table.take_again(id, kind)).as_deref(), Some("busy"));
}

#[test]
fn a_table_is_written_out_as_the_frozen_arrays_it_holds() {
    let file = "<-CAL:get(x)\n->RET:1\n<-CAL:put(\"y\")\n<-CAL:get(x)\n->RET:2\n->RET:2b\n";
    let recs = records(file);
    let mut backing = Backing::for_records(&recs);
    let mut table = ReplayTable::build(
        recs.iter().map(|r| Ok::<_, Infallible>(*r)),
        backing.parts(false),
        MatchOptions::default(),
    )
    .unwrap();
    // Counters after lookups are not written: a frozen table starts from zero.
    let id = table.find_exact("<-CAL:get(x)").unwrap();
    table.take(id, MatchKind::Exact);
    let mut source = String::new();
    table.write_frozen(&mut source).unwrap();
    let expected = "\
// Written by capturemock-core's ReplayTable::write_frozen: 2 distinct requests, 3 request entries, 3 response entries.
capturemock_core::replay::Frozen {
    requests: &[
        capturemock_core::replay::RequestSlot::frozen(\"<-CAL:get(x)\", 0, 2),
        capturemock_core::replay::RequestSlot::frozen(\"<-CAL:put(\\\"y\\\")\", 2, 1),
    ],
    groups: &[
        capturemock_core::replay::GroupSlot::frozen(0, 0, 0),
        capturemock_core::replay::GroupSlot::frozen(1, 4294967295, 4294967295),
        capturemock_core::replay::GroupSlot::frozen(0, 1, 2),
    ],
    responses: &[
        capturemock_core::replay::ResponseSlot::frozen(\"->RET:1\", 4294967295),
        capturemock_core::replay::ResponseSlot::frozen(\"->RET:2\", 2),
        capturemock_core::replay::ResponseSlot::frozen(\"->RET:2b\", 4294967295),
    ],
    group_order: &[
        0, 2, 1,
    ],
}
";
    assert_eq!(source, expected);
}

#[test]
fn a_frozen_table_needs_room_for_its_requests_and_refuses_a_rebuild() {
    let file = "<-CAL:a\n->RET:1\n<-CAL:b\n->RET:2\n";
    let recs = records(file);
    let mut backing = Backing::for_records(&recs);
    let table = ReplayTable::build(
        recs.iter().map(|r| Ok::<_, Infallible>(*r)),
        backing.parts(false),
        MatchOptions::default(),
    )
    .unwrap();
    assert_eq!((table.request_count(), table.group_count()), (2, 2));
    let frozen = Frozen {
        requests: &backing.requests[..2],
        groups: &backing.groups[..2],
        group_order: &backing.group_order[..2],
        responses: &backing.responses[..2],
    };
    assert_eq!(frozen.key_slots(), slots_for(2));
    let mut one = [RequestSlot::EMPTY; 1];
    let mut keys = [0u32; 4];
    assert!(matches!(
        ReplayTable::from_frozen(&frozen, &mut one, &mut keys, MatchOptions::default()),
        Err(BuildError::Capacity(Resource::Requests))
    ));
    let mut two = [RequestSlot::EMPTY; 2];
    let mut one_key = [0u32; 1];
    assert!(matches!(
        ReplayTable::from_frozen(&frozen, &mut two, &mut one_key, MatchOptions::default()),
        Err(BuildError::Capacity(Resource::KeySlots))
    ));
    let mut keys = [0u32; 4];
    let storage = FrozenStorage::new(&frozen, &mut two, &mut keys).unwrap();
    assert!(matches!(
        ReplayTable::build(
            recs.iter().map(|r| Ok::<_, Infallible>(*r)),
            storage,
            MatchOptions::default()
        ),
        Err(BuildError::Capacity(_))
    ));
}
