//! Arbitrary bytes as the binary (postcard) form of a record file: reading never panics,
//! `binary_to_text_len` agrees with `binary_to_text`, every record read encodes back to
//! itself, and whatever converts to text converts back to the canonical binary of the same
//! records.
//!
//! The first input byte picks the newline options and whether the header is put in front
//! (so that most inputs reach the records); the rest is the data.
//!
//! `cargo +nightly fuzz run binary` (run from `fuzz/`).

#![no_main]

use capturemock_core::binary::{self, BinaryError, ToTextError, HEADER_LEN};
use capturemock_core::format::{self, NewlineOptions, Record};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let opts = NewlineOptions {
        preserve_cr: flags & 1 != 0,
        preserve_lf: flags & 2 != 0,
    };
    let mut bytes = Vec::with_capacity(rest.len() + HEADER_LEN);
    if flags & 4 == 0 {
        bytes.extend_from_slice(&binary::MAGIC);
        bytes.push(binary::VERSION);
    }
    bytes.extend_from_slice(rest);
    check(&bytes, opts);
});

fn check(bytes: &[u8], opts: NewlineOptions) {
    let header = binary::records(bytes);
    let mut good: Vec<Record<'_>> = Vec::new();
    let mut failure: Option<BinaryError> = None;
    match &header {
        Err(e) => failure = Some(*e),
        Ok(records) => {
            for (i, record) in records.clone().enumerate() {
                match record {
                    Ok(record) => good.push(record),
                    Err(e) => {
                        match e {
                            BinaryError::Truncated { index } | BinaryError::Malformed { index } => {
                                assert_eq!(index as usize, i, "error index")
                            }
                            other => panic!("header error after the header: {other:?}"),
                        }
                        failure = Some(e);
                    }
                }
            }
            // Fused, and stops after the first error.
            let mut again = records.clone();
            for _ in again.by_ref() {}
            assert!(again.next().is_none());
        }
    }

    // Each record encodes to exactly `encoded_len` bytes and reads back as itself.
    let mut canonical = vec![0u8; HEADER_LEN];
    binary::write_header(&mut canonical).expect("header fits");
    for record in &good {
        let len = binary::encoded_len(record);
        let start = canonical.len();
        canonical.resize(start + len, 0);
        assert_eq!(
            binary::encode_record(record, &mut canonical[start..]),
            Ok(len)
        );
        if len > 0 {
            assert!(binary::encode_record(record, &mut vec![0u8; len - 1]).is_err());
        }
    }
    let reread: Vec<_> = binary::records(&canonical)
        .expect("our header")
        .collect::<Result<_, _>>()
        .expect("our encoding reads back");
    assert_eq!(reread, good);

    // Text conversion: the length agrees, and the records before a failure are written.
    let mut text = String::new();
    let converted = binary::binary_to_text(bytes, &mut text, opts);
    let len = binary::binary_to_text_len(bytes, opts);
    match (&converted, failure) {
        (Ok(()), None) => assert_eq!(len, Ok(text.len())),
        (Ok(()), Some(e)) => panic!("converted despite {e:?}"),
        (Err(ToTextError::Binary(e)), Some(f)) => assert_eq!(*e, f),
        (Err(ToTextError::Binary(e)), None) => panic!("binary error {e:?} not seen by records"),
        (Err(ToTextError::Unwritable { index, reason }), _) => {
            let record = good.get(*index as usize).expect("a record that was read");
            assert_eq!(format::validate_record(record, opts), Err(*reason));
            assert_eq!(
                len,
                Err(ToTextError::Unwritable {
                    index: *index,
                    reason: *reason
                })
            );
            good.truncate(*index as usize);
            canonical.truncate(HEADER_LEN + good.iter().map(binary::encoded_len).sum::<usize>());
        }
        (Err(ToTextError::Fmt), _) => panic!("String never fails"),
    }
    if converted.is_err() {
        // What was written before the failure is the records before it.
        assert_eq!(
            text.len(),
            good.iter()
                .map(|r| format::written_len(r, opts).expect("written"))
                .sum::<usize>()
        );
    }

    // Text -> binary gives the canonical encoding of the same records.
    let sizes = binary::text_to_binary_sizes(&text, opts).expect("our text parses");
    let mut bin = vec![0u8; sizes.binary_len];
    let mut scratch = vec![0u8; sizes.scratch_len];
    let n = binary::text_to_binary(&text, opts, &mut bin, &mut scratch).expect("sized");
    assert_eq!(n, bin.len());
    assert_eq!(bin, canonical, "text {text:?}");
}
