//! Property tests: whatever we write reads back exactly; whatever we read writes back exactly.

use std::string::String;
use std::vec::Vec;
use std::{format, vec};

use proptest::prelude::*;

use super::scan;
use super::tests::read;
use super::*;

/// Prefixes that start entries: the usual ones, indented ones, unknown type ids, and random
/// `…->XYZ` forms.
pub(crate) fn prefix() -> impl Strategy<Value = String> {
    let fixed = prop::sample::select(vec![
        "<-CAL",
        "->RET",
        "  ->RET",
        "<-CMD",
        "->OUT",
        "->ERR",
        "->EXC",
        "<-PYT",
        "--->PYT",
        "<---RET",
        "<-----PYT",
        "----->RET",
        "    ->RET",
        "<-CLI",
        "->SRV",
        "<-ZZZ",
        "->ZZZ",
        "<-",
        "xx->YYY",
        "é->RÉT",
    ])
    .prop_map(String::from);
    let type_char = prop::sample::select(vec!['A', 'Z', 'é', '-', '>', '<', ' ', '日', '\\']);
    let arrow = (
        prop::collection::vec(type_char.clone(), 0..5),
        prop::collection::vec(type_char, 3),
    )
        .prop_map(|(head, id)| format!("{}->{}", String::from_iter(head), String::from_iter(id)));
    let sut = prop::collection::vec(any::<char>(), 0..8)
        .prop_map(|tail| format!("<-{}", String::from_iter(tail)));
    prop_oneof![4 => fixed, 1 => arrow, 1 => sut].prop_filter("valid prefix", |p| {
        validate_entry(p, None, NewlineOptions::NONE).is_ok()
            && validate_entry(p, None, NewlineOptions::BOTH).is_ok()
    })
}

/// One text line: the tricky ones, short strings over a tricky alphabet, any string.
fn line() -> impl Strategy<Value = String> {
    let tricky = prop::sample::select(vec![
        "",
        "<-x",
        "<-",
        "xx->YYY:z",
        "  ->RET:x",
        "->AB",
        "->RET",
        "--TIM:2024",
        "\\:",
        "\\:a\\b",
        "\\",
        "\r",
        "a\rb",
        "<CR>",
        "<LF>",
        "a<CR>b<LF>c",
        "\u{feff}",
        "\u{2028}",
        "日本語",
        " ",
    ])
    .prop_map(String::from);
    let alphabet = prop::sample::select(vec![
        'a', '<', '>', '-', ':', '\\', '\r', 'é', '日', ' ', 'C', 'R', 'L', 'F', 'T', 'I', 'M',
        '\u{feff}',
    ]);
    let mixed = prop::collection::vec(alphabet, 0..14).prop_map(String::from_iter);
    prop_oneof![3 => tricky, 3 => mixed, 1 => any::<String>()]
}

/// A text: lines joined with LF (so empty last lines, i.e. trailing newlines, occur).
pub(crate) fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(line(), 1..5).prop_map(|lines| lines.join("\n"))
}

pub(crate) fn timestamp() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(prop_oneof![
        Just(String::from("2024-05-06T07:08:09.123456")),
        any::<String>().prop_map(|s| s.replace(['\r', '\n'], "")),
    ])
}

pub(crate) fn opts() -> impl Strategy<Value = NewlineOptions> {
    (any::<bool>(), any::<bool>()).prop_map(|(preserve_cr, preserve_lf)| NewlineOptions {
        preserve_cr,
        preserve_lf,
    })
}

/// Records as (entry, timestamp).
pub(crate) fn records() -> impl Strategy<Value = Vec<(String, Option<String>)>> {
    prop::collection::vec((prefix(), text(), timestamp()), 0..6).prop_map(|items| {
        items
            .into_iter()
            .map(|(prefix, text, ts)| (format!("{prefix}:{text}"), ts))
            .collect()
    })
}

pub(crate) fn write_all(records: &[(String, Option<String>)], opts: NewlineOptions) -> String {
    let mut out = String::new();
    for (entry, ts) in records {
        write_record(
            &mut out,
            &Record {
                entry,
                timestamp: ts.as_deref(),
            },
            opts,
        )
        .expect("writable");
    }
    out
}

proptest! {
    #[test]
    fn written_entries_read_back(prefix in prefix(), text in text(), ts in timestamp(), opts in opts()) {
        let mut out = String::new();
        write_entry(&mut out, &prefix, &text, ts.as_deref(), opts).unwrap();
        prop_assert_eq!(read(&out, opts), vec![Ok((format!("{prefix}:{text}"), ts))]);
    }

    #[test]
    fn written_files_read_back(records in records(), opts in opts()) {
        let out = write_all(&records, opts);
        let expected: Vec<_> = records.into_iter().map(Ok).collect();
        prop_assert_eq!(read(&out, opts), expected);
    }

    #[test]
    fn byte_and_char_entry_start_tests_agree(line in line(), terminated in any::<bool>()) {
        let line = line.replace(['\r', '\n'], "");
        let mut probe = scan::PrefixProbe::new();
        match line.split_once(':') {
            Some((prefix, _)) => probe.push_str(prefix),
            None => {
                probe.push_str(&line);
                if terminated {
                    probe.push('\n');
                }
            }
        }
        prop_assert_eq!(scan::starts_entry(line.as_bytes(), terminated), probe.starts_entry());
    }

    #[test]
    fn anything_read_writes_back(text in prop::collection::vec(line(), 0..12).prop_map(|l| l.join("\n")), opts in opts()) {
        // Whatever parses, decodes and is writable reads back the same.
        let decoded: Vec<_> = read(&text, opts).into_iter().filter_map(Result::ok).collect();
        let writable: Vec<_> = decoded
            .into_iter()
            .filter(|(entry, ts)| validate_record(&Record { entry, timestamp: ts.as_deref() }, opts).is_ok())
            .collect();
        let out = write_all(&writable, opts);
        let expected: Vec<_> = writable.into_iter().map(Ok).collect();
        prop_assert_eq!(read(&out, opts), expected);
    }
}
