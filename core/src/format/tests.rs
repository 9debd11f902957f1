//! Unit tests of the reading, decoding and writing rules.

use std::string::{String, ToString};
use std::vec;
use std::vec::Vec;

use super::*;

const CR: NewlineOptions = NewlineOptions {
    preserve_cr: true,
    preserve_lf: false,
};
const LF: NewlineOptions = NewlineOptions {
    preserve_cr: false,
    preserve_lf: true,
};
const ALL_OPTS: [NewlineOptions; 4] = [NewlineOptions::NONE, CR, LF, NewlineOptions::BOTH];

type Item = (String, Option<String>);

/// Decodes every entry (checking `plain`, `decoded_len` and `decode` agree).
pub(super) fn read(text: &str, opts: NewlineOptions) -> Vec<Result<Item, ParseError>> {
    entries(text)
        .map(|entry| {
            entry.map(|entry| {
                let len = entry.decoded_len(opts);
                let mut buf = vec![0u8; len];
                let decoded = entry
                    .decode(opts, &mut buf)
                    .expect("buffer of decoded_len fits");
                assert_eq!(decoded.entry.len(), len);
                if let Some(plain) = entry.plain(opts) {
                    assert_eq!(plain, decoded, "plain and decoded differ");
                }
                (
                    decoded.entry.to_string(),
                    decoded.timestamp.map(str::to_string),
                )
            })
        })
        .collect()
}

fn ok_entries(text: &str, opts: NewlineOptions) -> Vec<String> {
    read(text, opts)
        .into_iter()
        .map(|r| r.expect("no parse error").0)
        .collect()
}

fn write(prefix: &str, text: &str, ts: Option<&str>, opts: NewlineOptions) -> String {
    let mut out = String::new();
    write_entry(&mut out, prefix, text, ts, opts).expect("writable");
    out
}

fn round_trip(prefix: &str, text: &str, ts: Option<&str>) {
    for opts in ALL_OPTS {
        let written = write(prefix, text, ts, opts);
        let back = read(&written, opts);
        let expected = (std::format!("{prefix}:{text}"), ts.map(str::to_string));
        assert_eq!(back, vec![Ok(expected)], "{opts:?}: {written:?}");
    }
}

#[test]
fn splits_entries_at_marker_lines() {
    let text = "<-CAL:foo(1)\nsecond line\n->RET:x\n  ->RET:nested\nxx->YYY:z\n<-PYT:a\nb->c:not a start\n";
    assert_eq!(
        ok_entries(text, NewlineOptions::NONE),
        [
            "<-CAL:foo(1)\nsecond line",
            "->RET:x",
            "  ->RET:nested",
            "xx->YYY:z",
            "<-PYT:a\nb->c:not a start"
        ]
    );
}

#[test]
fn entry_start_lines_without_colon() {
    // "<-" alone starts an entry; "->RET" with its newline does not, at end of file it does.
    assert_eq!(
        ok_entries("<-CAL:x\n<-\nabc\n->RET\n", NewlineOptions::NONE),
        ["<-CAL:x", "<-\nabc\n->RET"]
    );
    assert_eq!(
        ok_entries("<-CAL:x\n->RET", NewlineOptions::NONE),
        ["<-CAL:x", "->RET"]
    );
    assert_eq!(
        ok_entries("<-CAL:x\n->AB\n", NewlineOptions::NONE),
        ["<-CAL:x", "->AB"]
    );
}

#[test]
fn prefix_length_counts_code_points() {
    let text = "<-CAL:x\néééé->RET:y\nééééé->RET:w\n";
    assert_eq!(
        ok_entries(text, NewlineOptions::NONE),
        ["<-CAL:x", "éééé->RET:y\nééééé->RET:w"]
    );
}

#[test]
fn trailing_newlines_are_dropped_inner_blank_lines_kept() {
    assert_eq!(
        ok_entries("<-CAL:a\n\nb\n\n\n->RET:c\n\n", NewlineOptions::NONE),
        ["<-CAL:a\n\nb", "->RET:c"]
    );
}

#[test]
fn universal_newlines() {
    let text = "<-CAL:a\r\nb\rc\n->RET:d\r\r\n";
    for opts in ALL_OPTS {
        assert_eq!(ok_entries(text, opts), ["<-CAL:a\nb\nc", "->RET:d"]);
    }
    // Other Unicode line separators do not end lines.
    assert_eq!(
        ok_entries("<-CAL:a\u{2028}->RET:b\x0b\u{85}", NewlineOptions::NONE),
        ["<-CAL:a\u{2028}->RET:b\x0b\u{85}"]
    );
}

#[test]
fn crlf_entries_are_not_plain_unless_single_line() {
    let all: Vec<_> = entries("<-CAL:a\r\n->RET:b\r\nc\r\n")
        .map(Result::unwrap)
        .collect();
    assert!(all[0].plain(NewlineOptions::NONE).is_some());
    assert!(all[1].plain(NewlineOptions::NONE).is_none());
    assert_eq!(all[1].raw(), "->RET:b\r\nc");
}

#[test]
fn markers_follow_the_options() {
    let text = "<-CAL:a<CR>b<LF>c\n\n<LF>\n";
    assert_eq!(
        ok_entries(text, NewlineOptions::NONE),
        ["<-CAL:a<CR>b<LF>c\n\n<LF>"]
    );
    assert_eq!(ok_entries(text, CR), ["<-CAL:a\rb<LF>c\n\n<LF>"]);
    assert_eq!(ok_entries(text, LF), ["<-CAL:a<CR>b\nc\n\n\n"]);
    assert_eq!(
        ok_entries(text, NewlineOptions::BOTH),
        ["<-CAL:a\rb\nc\n\n\n"]
    );
    assert_eq!(
        ok_entries("<-CAL:<<CR>LF>", NewlineOptions::BOTH),
        ["<-CAL:<\rLF>"]
    );
}

#[test]
fn plain_depends_on_markers_in_options() {
    let entry = entries("<-CAL:a<CR>b\n").next().unwrap().unwrap();
    assert!(entry.plain(NewlineOptions::NONE).is_some());
    assert!(entry.plain(LF).is_some());
    assert!(entry.plain(CR).is_none());
    assert_eq!(entry.decoded_len(CR), "<-CAL:a\rb".len());
}

#[test]
fn timestamp_line_is_metadata() {
    let text = "<-CAL:foo\n--TIM:2024-01-01T00:00:00\n->RET:bar\nline2\n\n--TIM:ts2\n\n";
    let got = read(text, NewlineOptions::NONE);
    assert_eq!(
        got,
        vec![
            Ok((
                "<-CAL:foo".to_string(),
                Some("2024-01-01T00:00:00".to_string())
            )),
            Ok(("->RET:bar\nline2".to_string(), Some("ts2".to_string()))),
        ]
    );
    let entry = entries(text).nth(1).unwrap().unwrap();
    assert_eq!(entry.raw(), "->RET:bar\nline2");
    assert_eq!(entry.raw_timestamp(), Some("ts2"));
    assert_eq!(entry.line(), 3);
}

#[test]
fn only_a_trailing_timestamp_line_counts() {
    let got = read("<-CAL:a\n--TIM:1\nmore\n--TIM:2\n", NewlineOptions::NONE);
    assert_eq!(
        got,
        vec![Ok((
            "<-CAL:a\n--TIM:1\nmore".to_string(),
            Some("2".to_string())
        ))]
    );
    let got = read("<-CAL:a\n--TIM:1\nmore\n", NewlineOptions::NONE);
    assert_eq!(got, vec![Ok(("<-CAL:a\n--TIM:1\nmore".to_string(), None))]);
    // The timestamp is taken raw, without decoding markers.
    let got = read("<-CAL:a\n--TIM: x<CR> \n", NewlineOptions::BOTH);
    assert_eq!(
        got,
        vec![Ok(("<-CAL:a".to_string(), Some(" x<CR> ".to_string())))]
    );
}

#[test]
fn bom_is_skipped() {
    let text = "\u{feff}<-CAL:x\n->RET:y\n";
    assert_eq!(
        ok_entries(text, NewlineOptions::NONE),
        ["<-CAL:x", "->RET:y"]
    );
    let first = entries(text).next().unwrap().unwrap();
    assert_eq!((first.line(), first.offset()), (1, 3));
}

#[test]
fn blank_lines_before_the_first_entry_are_skipped() {
    let text = "\n  \n\t\r\n<-CAL:x\n";
    let first = entries(text).next().unwrap().unwrap();
    assert_eq!((first.raw(), first.line()), ("<-CAL:x", 4));
    assert_eq!(entries("").count(), 0);
    assert_eq!(entries("\n\n").count(), 0);
    assert_eq!(entries("\u{feff}").count(), 0);
}

#[test]
fn text_before_the_first_entry_is_an_error() {
    let got = read("\nhello\nworld\n<-CAL:x\n", NewlineOptions::NONE);
    assert_eq!(
        got,
        vec![
            Err(ParseError {
                line: 2,
                kind: ParseErrorKind::TextBeforeFirstEntry
            }),
            Ok(("<-CAL:x".to_string(), None)),
        ]
    );
    assert_eq!(
        got[0].clone().unwrap_err().to_string().split(':').next(),
        Some("line 2")
    );
    let got = read("only text", NewlineOptions::NONE);
    assert_eq!(
        got,
        vec![Err(ParseError {
            line: 1,
            kind: ParseErrorKind::TextBeforeFirstEntry
        })]
    );
}

#[test]
fn escaped_lines_are_decoded() {
    let text = "->RET:\\:x\\r\ny\n\\:<-CAL:b\\\\c\\n\n\\:\n";
    assert_eq!(
        ok_entries(text, NewlineOptions::NONE),
        ["->RET:x\r\ny\n<-CAL:b\\c\n\n"]
    );
    // Markers are not decoded inside escaped lines, but are elsewhere in the entry.
    let text = "<-CAL<LF>:\\:a<LF>\n<LF>\n\\:<CR>\n";
    assert_eq!(
        ok_entries(text, NewlineOptions::BOTH),
        ["<-CAL\n:a<LF>\n\n\n<CR>"]
    );
}

#[test]
fn bad_escapes_are_errors_with_their_line() {
    let text = "<-CAL:a\n->RET:b\nc\n\\:ok\\\\\n\\:bad\\t\n<-CAL:next\n";
    let got = read(text, NewlineOptions::NONE);
    assert_eq!(
        got,
        vec![
            Ok(("<-CAL:a".to_string(), None)),
            Err(ParseError {
                line: 5,
                kind: ParseErrorKind::BadEscape { found: Some('t') }
            }),
            Ok(("<-CAL:next".to_string(), None)),
        ]
    );
    let got = read("<-CAL:\\:x\\", NewlineOptions::NONE);
    assert_eq!(
        got,
        vec![Err(ParseError {
            line: 1,
            kind: ParseErrorKind::BadEscape { found: None }
        })]
    );
    let got = read("<-CAL:a\n\\:\\é\n", NewlineOptions::NONE);
    assert_eq!(
        got,
        vec![Err(ParseError {
            line: 2,
            kind: ParseErrorKind::BadEscape { found: Some('é') }
        })]
    );
    assert!(got[0]
        .clone()
        .unwrap_err()
        .to_string()
        .starts_with("line 2: bad escape `\\é`"));
}

#[test]
fn line_numbers_count_every_line_ending() {
    let text = "<-CAL:a\r\nb\rc\n\n->RET:d\n";
    let lines: Vec<u32> = entries(text).map(|e| e.unwrap().line()).collect();
    assert_eq!(lines, [1, 5]);
}

#[test]
fn decode_into_one_arena() {
    let text = "<-CAL:a\r\nb\n->RET:\\:c\\r\n<-CAL:plain\n";
    let mut storage = [0u8; 64];
    let mut arena: &mut [u8] = &mut storage;
    let mut got = Vec::new();
    for entry in entries(text) {
        got.push(
            entry
                .unwrap()
                .record_in(NewlineOptions::NONE, &mut arena)
                .unwrap(),
        );
    }
    assert_eq!(
        got.iter().map(|r| r.entry).collect::<Vec<_>>(),
        ["<-CAL:a\nb", "->RET:c\r", "<-CAL:plain"]
    );
    assert_eq!(arena.len(), 64 - "<-CAL:a\nb".len() - "->RET:c\r".len());

    let entry = entries("<-CAL:a\r\nb").next().unwrap().unwrap();
    let mut small = [0u8; 3];
    assert_eq!(
        entry.decode(NewlineOptions::NONE, &mut small),
        Err(DecodeError::BufferTooSmall { needed: 9 })
    );
    let mut arena: &mut [u8] = &mut small;
    assert!(entry.record_in(NewlineOptions::NONE, &mut arena).is_err());
    assert_eq!(arena.len(), 3, "a failed decode leaves the arena alone");
}

#[test]
fn decode_split_hands_back_the_rest() {
    let entry = entries("<-CAL:a\r\nb\n--TIM:t").next().unwrap().unwrap();
    let mut buf = [0u8; 20];
    let (record, rest) = entry.decode_split(NewlineOptions::NONE, &mut buf).unwrap();
    assert_eq!(
        record,
        Record {
            entry: "<-CAL:a\nb",
            timestamp: Some("t")
        }
    );
    assert_eq!(rest.len(), 11);
}

#[test]
fn writes_like_the_reference() {
    let none = NewlineOptions::NONE;
    assert_eq!(write("<-CAL", "foo(1)", None, none), "<-CAL:foo(1)\n");
    assert_eq!(
        write("->RET", "a\nb", Some("2024-01-01T00:00:00"), none),
        "->RET:a\nb\n--TIM:2024-01-01T00:00:00\n"
    );
    assert_eq!(write("->RET", "", None, none), "->RET:\n");
    assert_eq!(write("  ->RET", "x", None, none), "  ->RET:x\n");
    assert_eq!(write("->RET", "a\r\nb", None, CR), "->RET:a<CR>\nb\n");
    assert_eq!(
        write("->RET", "a\r\nb\n", None, NewlineOptions::BOTH),
        "->RET:a<CR><LF>b<LF>\n"
    );
    assert_eq!(write("->RET", "a\nb\n", None, LF), "->RET:a<LF>b<LF>\n");
}

#[test]
fn escapes_lines_that_would_start_entries() {
    let none = NewlineOptions::NONE;
    assert_eq!(
        write("->RET", "a\n<-x\nxx->YYY:z\n  ->RET:n", None, none),
        "->RET:a\n\\:<-x\n\\:xx->YYY:z\n\\:  ->RET:n\n"
    );
    // The first line's text never starts an entry.
    assert_eq!(write("->RET", "<-CAL:x", None, none), "->RET:<-CAL:x\n");
    // "->RET" alone (no colon) is not an entry start with its newline, so it stays plain.
    assert_eq!(write("->RET", "a\n->RET", None, none), "->RET:a\n->RET\n");
    round_trip("->RET", "a\n<-x\nxx->YYY:z\n  ->RET:n\n->AB\n<-", None);
}

#[test]
fn escapes_lines_that_would_read_as_a_timestamp() {
    assert_eq!(
        write("->RET", "a\n--TIM:x", None, NewlineOptions::NONE),
        "->RET:a\n\\:--TIM:x\n"
    );
    assert_eq!(
        write("->RET", "--TIM:x", None, NewlineOptions::NONE),
        "->RET:--TIM:x\n"
    );
    assert_eq!(
        write("->RET", "a\n--TIM:x\nb", None, NewlineOptions::NONE),
        "->RET:a\n--TIM:x\nb\n"
    );
    assert_eq!(
        write("->RET", "a\n--TIM:x\n", None, NewlineOptions::NONE),
        "->RET:a\n--TIM:x\n\\:\n"
    );
    assert_eq!(
        write("->RET", "a\n--TIM:x", Some("t"), NewlineOptions::NONE),
        "->RET:a\n--TIM:x\n--TIM:t\n"
    );
    round_trip("->RET", "a\n--TIM:x", Some("t"));
    round_trip("->RET", "--TIM:x\n--TIM:y\n", None);
}

#[test]
fn escapes_lines_starting_with_the_escape() {
    assert_eq!(
        write("<-CAL", "\\:a\\b", None, NewlineOptions::NONE),
        "<-CAL:\\:\\\\:a\\\\b\n"
    );
    assert_eq!(
        write("<-CAL", "x\n\\:y", None, NewlineOptions::NONE),
        "<-CAL:x\n\\:\\\\:y\n"
    );
    // A backslash elsewhere is ordinary text.
    assert_eq!(
        write("<-CAL", "a\\:b\n\\x", None, NewlineOptions::NONE),
        "<-CAL:a\\:b\n\\x\n"
    );
    round_trip("<-CAL", "\\:a\\b\n\\:\\\\", None);
}

#[test]
fn escapes_carriage_returns() {
    assert_eq!(
        write("->RET", "a\rb\nc\r\nd", None, NewlineOptions::NONE),
        "->RET:\\:a\\rb\n\\:c\\r\nd\n"
    );
    round_trip("->RET", "\r", None);
    round_trip("->RET", "a\rb\r\n\r\r\n", None);
}

#[test]
fn escapes_trailing_newlines() {
    assert_eq!(
        write("->RET", "a\n", None, NewlineOptions::NONE),
        "->RET:a\n\\:\n"
    );
    assert_eq!(
        write("->RET", "a\n\n", None, NewlineOptions::NONE),
        "->RET:a\n\n\\:\n"
    );
    assert_eq!(
        write("->RET", "\n", Some("t"), NewlineOptions::NONE),
        "->RET:\n\\:\n--TIM:t\n"
    );
    round_trip("->RET", "a\n", None);
    round_trip("->RET", "\n\n\n", Some("t"));
    round_trip("->RET", "", None);
}

#[test]
fn escapes_literal_markers_only_when_they_would_be_decoded() {
    assert_eq!(
        write("->RET", "a<CR>b", None, NewlineOptions::NONE),
        "->RET:a<CR>b\n"
    );
    assert_eq!(write("->RET", "a<CR>b", None, CR), "->RET:\\:a<CR>b\n");
    assert_eq!(
        write("->RET", "a<LF>b\nc", None, LF),
        "->RET:\\:a<LF>b\\nc\n"
    );
    assert_eq!(write("->RET", "x\na<LF>b", None, CR), "->RET:x\na<LF>b\n");
    round_trip("->RET", "<CR><LF>\r\n<LF>\n<CR>", None);
}

#[test]
fn continuation_lines_are_tested_as_written() {
    // With preserve_cr, "\r->RET:x" is written "<CR>->RET:x", which would start an entry.
    assert_eq!(
        write("<-CAL", "a\n\r->RET:x", None, CR),
        "<-CAL:a\n\\:\\r->RET:x\n"
    );
    round_trip("<-CAL", "a\n\r->RET:x", None);
}

#[test]
fn refuses_what_cannot_be_written_faithfully() {
    let none = NewlineOptions::NONE;
    let mut out = String::new();
    let mut check = |prefix: &str, ts: Option<&str>, opts, expected| {
        assert_eq!(
            try_write_entry(&mut out, prefix, "x", ts, opts),
            Err(expected),
            "{prefix:?}"
        );
        assert_eq!(validate_entry(prefix, ts, opts), Err(expected));
    };
    check("CAL", None, none, WriteError::PrefixNotEntryStart);
    check("<-CAL:x", None, none, WriteError::PrefixHasColon);
    check("<-C\nL", None, none, WriteError::PrefixHasLineBreak);
    check("<-C\rL", None, none, WriteError::PrefixHasLineBreak);
    check("<-<CR>", None, CR, WriteError::PrefixHasMarker);
    check("\u{feff}->RET", None, none, WriteError::PrefixStartsWithBom);
    check(
        "<-CAL",
        Some("a\nb"),
        none,
        WriteError::TimestampHasLineBreak,
    );
    check("<-23456789", None, none, WriteError::PrefixNotEntryStart);
    assert_eq!(out, "", "nothing is written on failure");
    assert_eq!(
        write_entry(&mut out, "CAL", "x", None, none),
        Err(core::fmt::Error)
    );
    // With preserve_lf a prefix LF is written as <LF>.
    round_trip_opts("<-\n", "x", LF);
    assert_eq!(validate_entry("<-C\rL", None, CR), Ok(()));
}

fn round_trip_opts(prefix: &str, text: &str, opts: NewlineOptions) {
    let written = write(prefix, text, None, opts);
    assert_eq!(
        ok_entries(&written, opts),
        [std::format!("{prefix}:{text}")],
        "{written:?}"
    );
}

#[test]
fn records_round_trip_including_entries_without_colon() {
    for entry in [
        "<-CAL:x",
        "<-",
        "<-\nabc",
        "<-\nabc:def\n<-x",
        "xx->AB",
        "  ->RET:a\n\n",
    ] {
        for opts in ALL_OPTS {
            let record = Record {
                entry,
                timestamp: Some("t"),
            };
            let mut out = String::new();
            write_record(&mut out, &record, opts).unwrap();
            assert_eq!(written_len(&record, opts), Ok(out.len()));
            assert_eq!(
                read(&out, opts),
                vec![Ok((entry.to_string(), Some("t".to_string())))],
                "{opts:?} {out:?}"
            );
        }
    }
    // With preserve_lf an entry whose LF-as-<LF> first line would not start an entry gets a
    // real line break where one works (the reference would write "<LF>->56<LF>x", not an entry).
    let record = Record::new("\n->56\nx:y");
    let mut out = String::new();
    write_record(&mut out, &record, LF).unwrap();
    assert_eq!(out, "<LF>->56\nx:y\n");
    assert_eq!(ok_entries(&out, LF), ["\n->56\nx:y"]);
    assert_eq!(
        validate_record(&record, NewlineOptions::NONE),
        Err(WriteError::PrefixNotEntryStart)
    );
    // "->RET" without colon only starts an entry as the file's unterminated last line.
    assert_eq!(
        validate_record(&Record::new("->RET"), NewlineOptions::NONE),
        Err(WriteError::PrefixNotEntryStart)
    );
}

#[test]
fn errors_display() {
    let e = ParseError {
        line: 3,
        kind: ParseErrorKind::TextBeforeFirstEntry,
    };
    assert!(e
        .to_string()
        .starts_with("line 3: text before the first entry"));
    assert!(WriteError::Fmt.to_string().contains("sink"));
    assert!(DecodeError::BufferTooSmall { needed: 4 }
        .to_string()
        .contains('4'));
}

#[test]
fn examples_of_docs_format_md() {
    let none = NewlineOptions::NONE;
    assert_eq!(
        write("->RET", "a\n<-CAL:b", None, none),
        "->RET:a\n\\:<-CAL:b\n"
    );
    assert_eq!(
        write("->RET", "x\r\ny\n", None, none),
        "->RET:\\:x\\r\ny\n\\:\n"
    );
    assert_eq!(write("->RET", "a\n\n", None, none), "->RET:a\n\n\\:\n");
    assert_eq!(write("->RET", "\\:q", None, none), "->RET:\\:\\\\:q\n");
    assert_eq!(write("->RET", "C:\\dir", None, none), "->RET:C:\\dir\n");
    assert_eq!(
        write("->RET", "a\r\nb", None, NewlineOptions::BOTH),
        "->RET:a<CR><LF>b\n"
    );
    assert_eq!(
        write("->RET", "x<LF>y\nz", None, NewlineOptions::BOTH),
        "->RET:\\:x<LF>y\\nz\n"
    );
}
