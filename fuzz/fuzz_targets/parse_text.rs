//! Parses arbitrary UTF-8 as a record file under every newline option, decodes every entry
//! (checking `plain`, `decoded_len`, `decode` and `record_in` agree), writes back what was
//! decoded and checks that it reads back the same, and that the binary form round-trips.
//!
//! `cargo +nightly fuzz run parse_text -- -dict=parse_text.dict` (run from `fuzz/`).

#![no_main]

use capturemock_core::binary;
use capturemock_core::format::{self, NewlineOptions, ParseError, Record, WriteError};
use libfuzzer_sys::fuzz_target;

const ALL_OPTS: [NewlineOptions; 4] = [
    NewlineOptions::NONE,
    NewlineOptions {
        preserve_cr: true,
        preserve_lf: false,
    },
    NewlineOptions {
        preserve_cr: false,
        preserve_lf: true,
    },
    NewlineOptions::BOTH,
];

type Item = (String, Option<String>);

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for opts in ALL_OPTS {
        check(text, opts);
    }
});

fn decode_all(text: &str, opts: NewlineOptions) -> Vec<Result<Item, ParseError>> {
    let mut items = Vec::new();
    for entry in format::entries(text) {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                items.push(Err(error));
                continue;
            }
        };
        let len = entry.decoded_len(opts);
        let mut buf = vec![0u8; len];
        let decoded = entry
            .decode(opts, &mut buf)
            .expect("decoded_len bytes are enough");
        assert_eq!(decoded.entry.len(), len);
        if let Some(plain) = entry.plain(opts) {
            assert_eq!(plain, decoded);
        }
        let mut arena_buf = vec![0u8; len];
        let mut arena: &mut [u8] = &mut arena_buf;
        assert_eq!(entry.record_in(opts, &mut arena).expect("fits"), decoded);
        items.push(Ok((
            decoded.entry.to_string(),
            decoded.timestamp.map(str::to_string),
        )));
    }
    items
}

fn record(item: &Item) -> Record<'_> {
    Record {
        entry: &item.0,
        timestamp: item.1.as_deref(),
    }
}

fn check(text: &str, opts: NewlineOptions) {
    let first = decode_all(text, opts);
    let mut writable = Vec::new();
    for item in first.iter().filter_map(|r| r.as_ref().ok()) {
        match format::validate_record(&record(item), opts) {
            Ok(()) => writable.push(item.clone()),
            // A first line without ':' that only starts an entry as the file's unterminated
            // last line, or a prefix starting with a byte-order mark (mid-file).
            Err(WriteError::PrefixNotEntryStart | WriteError::PrefixStartsWithBom) => {}
            Err(other) => panic!("decoded record not writable: {other:?} {item:?}"),
        }
    }

    let mut out = String::new();
    for item in &writable {
        format::write_record(&mut out, &record(item), opts).expect("validated");
    }
    let again = decode_all(&out, opts);
    let expected: Vec<_> = writable.iter().cloned().map(Ok).collect();
    assert_eq!(again, expected, "written text does not read back: {out:?}");

    // Text -> binary -> text is the identity on our own output.
    let sizes = binary::text_to_binary_sizes(&out, opts).expect("parses");
    let mut bin = vec![0u8; sizes.binary_len];
    let mut scratch = vec![0u8; sizes.scratch_len];
    let len = binary::text_to_binary(&out, opts, &mut bin, &mut scratch).expect("sized");
    assert_eq!(len, bin.len());
    let mut text_again = String::new();
    binary::binary_to_text(&bin, &mut text_again, opts).expect("writable");
    assert_eq!(text_again, out);

    // The binary form of the original text holds exactly the decoded records.
    if first.iter().all(Result::is_ok) {
        let sizes = binary::text_to_binary_sizes(text, opts).expect("parses");
        let mut bin = vec![0u8; sizes.binary_len];
        let mut scratch = vec![0u8; sizes.scratch_len];
        binary::text_to_binary(text, opts, &mut bin, &mut scratch).expect("sized");
        let decoded: Vec<_> = binary::records(&bin)
            .expect("header")
            .map(|r| r.map(|r| (r.entry.to_string(), r.timestamp.map(str::to_string))))
            .collect::<Result<_, _>>()
            .expect("valid binary");
        let expected: Vec<_> = first.into_iter().map(Result::unwrap).collect();
        assert_eq!(decoded, expected);
    }
}
