//! Local replay from a table in "flash" (text or binary form).

use std::borrow::ToOwned;
use std::vec::Vec;

use super::super::*;
use crate::binary::{text_to_binary, text_to_binary_sizes};
use crate::format::NewlineOptions;
use crate::replay::{ArrayStorage, LookupScratch, MatchKind, MatchOptions};

const TABLE: &str = "\
<-CAL:read temperature
->RET:21.5
<-CAL:read temperature
->RET:21.7
<-CAL:read humidity sensor 2
->RET:40%   \n
->RET:(calibrated)
<-CAL:reset
<-CAL:version
->OUT:ignored, not a RET
->RET:v1.2
";

const WORDS: usize = LookupScratch::required(8, 8, 0);
type Storage = ArrayStorage<'static, 8, 8>;

fn answers<S: crate::replay::Storage<'static>>(
    local: &mut LocalReplay<'static, '_, S>,
    requests: &[&str],
) -> Vec<Option<(std::string::String, MatchKind)>> {
    let mut out = [0u8; 128];
    requests
        .iter()
        .map(|request| {
            local.answer(request, &mut out).unwrap().map(|a| {
                let text = std::str::from_utf8(&out[..a.len]).unwrap().to_owned();
                (text, a.kind)
            })
        })
        .collect()
}

fn from_text(options: MatchOptions) -> LocalReplay<'static, 'static, Storage> {
    let scratch = std::boxed::Box::leak(std::boxed::Box::new([0u32; WORDS]));
    let scratch = LookupScratch::new(scratch, 8, 8, 0).unwrap();
    LocalReplay::from_mock(TABLE, Storage::new(), scratch, options).unwrap()
}

#[test]
fn answers_like_a_server_answers_a_custom_client() {
    let mut local = from_text(MatchOptions::default());
    assert_eq!(local.table().request_count(), 4);
    let got = answers(
        &mut local,
        &[
            "read temperature",
            "read temperature",
            "read temperature",
            "read humidity sensor 2",
            "read humidity sensor 3",
            "reset",
            "version",
            "nothing alike",
            "",
        ],
    );
    use MatchKind::Exact;
    let exact = |t: &str| Some((t.to_owned(), Exact));
    assert_eq!(got[0], exact("21.5"));
    assert_eq!(got[1], exact("21.7"));
    // Groups run out: the first group again.
    assert_eq!(got[2], exact("21.5"));
    // RET responses stripped at the end and put back to back.
    assert_eq!(got[3], exact("40%(calibrated)"));
    assert!(matches!(&got[4], Some((t, MatchKind::Nearest(_))) if t == "40%(calibrated)"));
    assert_eq!(got[5], exact(""));
    assert_eq!(got[6], exact("v1.2"));
    assert_eq!(got[7], None);
    assert_eq!(got[8], None, "an empty request is not answered");
}

#[test]
fn exact_matching_turns_best_match_off() {
    let mut local = from_text(MatchOptions {
        exact_only: true,
        ..MatchOptions::default()
    });
    let got = answers(&mut local, &["read humidity sensor 3", "reset"]);
    assert_eq!(
        got,
        [None, Some((std::string::String::new(), MatchKind::Exact))]
    );
}

#[test]
fn the_binary_form_answers_the_same_and_takes_any_text() {
    let text: &'static str = std::boxed::Box::leak(
        std::format!("{TABLE}<-CAL:escaped\n->RET:\\:<-CAL:not an entry\n").into_boxed_str(),
    );
    let sizes = text_to_binary_sizes(text, NewlineOptions::NONE).unwrap();
    let mut bytes = std::vec![0u8; sizes.binary_len];
    let mut scratch = std::vec![0u8; sizes.scratch_len.max(1)];
    text_to_binary(text, NewlineOptions::NONE, &mut bytes, &mut scratch).unwrap();
    let bytes: &'static [u8] = std::boxed::Box::leak(bytes.into_boxed_slice());

    let words = std::boxed::Box::leak(std::boxed::Box::new([0u32; WORDS]));
    let lookup = LookupScratch::new(words, 8, 8, 0).unwrap();
    let err = LocalReplay::from_mock(text, Storage::new(), lookup, MatchOptions::default());
    assert_eq!(err.err(), Some(LocalError::NeedsDecoding { line: 14 }));

    let words = std::boxed::Box::leak(std::boxed::Box::new([0u32; WORDS]));
    let lookup = LookupScratch::new(words, 8, 8, 0).unwrap();
    let mut binary =
        LocalReplay::from_binary(bytes, Storage::new(), lookup, MatchOptions::default()).unwrap();
    let mut plain = from_text(MatchOptions::default());
    let requests = [
        "read temperature",
        "read temperature",
        "read humidity sensor 3",
        "version",
        "zzz",
    ];
    assert_eq!(
        answers(&mut binary, &requests),
        answers(&mut plain, &requests)
    );
    assert_eq!(
        answers(&mut binary, &["escaped"]),
        [Some(("<-CAL:not an entry".into(), MatchKind::Exact))]
    );
}

#[test]
fn errors_are_values() {
    let mut local = from_text(MatchOptions::default());
    let mut small = [0u8; 10];
    assert_eq!(
        local.answer("read temperature", &mut small),
        Err(LocalError::BufferTooSmall { needed: 22 })
    );
    let mut fits_desc = [0u8; 22];
    assert_eq!(
        local.answer("read humidity sensor 2", &mut fits_desc[..]),
        Err(LocalError::BufferTooSmall { needed: 28 })
    );
    let words = std::boxed::Box::leak(std::boxed::Box::new([0u32; WORDS]));
    let lookup = LookupScratch::new(words, 8, 8, 0).unwrap();
    let tiny = LocalReplay::from_mock(
        TABLE,
        ArrayStorage::<'static, 2, 2>::new(),
        lookup,
        MatchOptions::default(),
    );
    assert!(matches!(tiny.err(), Some(LocalError::Build(_))));
    let words = std::boxed::Box::leak(std::boxed::Box::new([0u32; WORDS]));
    let lookup = LookupScratch::new(words, 8, 8, 0).unwrap();
    let bad = LocalReplay::from_binary(b"nope", Storage::new(), lookup, MatchOptions::default());
    assert!(matches!(bad.err(), Some(LocalError::Build(_))));
    // A request with more words than the scratch was made for.
    let long = "a b c d e f g h i j k l";
    assert!(matches!(
        local.answer(long, &mut [0u8; 64]),
        Err(LocalError::Lookup(_))
    ));
    for e in [
        LocalError::NeedsDecoding { line: 3 },
        LocalError::BufferTooSmall { needed: 9 },
    ] {
        assert!(!std::format!("{e}").is_empty());
    }
}
