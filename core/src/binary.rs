//! The binary form of a record file, for flash and serial links: the same [`Record`]s as the
//! text form, encoded with postcard.
//!
//! Layout: a [`HEADER_LEN`]-byte header ([`MAGIC`], then the format [`VERSION`]), followed by
//! the records back to back, each the postcard encoding of a [`Record`] (entry as a varint
//! length and UTF-8 bytes, then the optional timestamp as a `0`/`1` tag and a string).
//! Records are already decoded (markers, escapes and line breaks resolved), so the binary form
//! does not depend on [`NewlineOptions`]; only the text conversions take them.
//!
//! Decoding is zero-copy: [`records`] yields `Record<'a>` borrowing from the bytes. There is no
//! record count or checksum: a stream cut exactly between two records reads as a shorter
//! stream, so a link that can lose data should frame it (e.g. postcard's COBS).
//!
//! Conversions in both directions need no allocation: [`text_to_binary`] (with a scratch buffer
//! for one decoded entry at a time, sized with [`text_to_binary_sizes`]) and [`binary_to_text`]
//! (sized with [`binary_to_text_len`]).

use core::fmt;

use crate::format::{self, NewlineOptions, ParseError, Record, WriteError};

/// First bytes of the binary form.
pub const MAGIC: [u8; 4] = *b"CMRB";
/// The format version this crate writes and reads.
pub const VERSION: u8 = 1;
/// Length of the header: [`MAGIC`] and [`VERSION`].
pub const HEADER_LEN: usize = MAGIC.len() + 1;

/// The bytes could not be read as the binary form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryError {
    /// Shorter than the header.
    TooShort,
    /// The bytes do not start with [`MAGIC`].
    BadMagic,
    /// A format version this crate does not read.
    UnsupportedVersion {
        /// The version found in the header.
        found: u8,
    },
    /// The bytes end in the middle of a record.
    Truncated {
        /// 0-based index of the record.
        index: u32,
    },
    /// A record is not a valid encoding (e.g. a string that is not UTF-8).
    Malformed {
        /// 0-based index of the record.
        index: u32,
    },
}

/// The output buffer is too small for the binary form of a header or a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BinaryEncodeError {
    /// Bytes needed for what was being written.
    pub needed: usize,
}

/// Why [`text_to_binary`] failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToBinaryError {
    /// The text is not a well-formed record file.
    Parse(ParseError),
    /// The scratch buffer cannot hold the decoded entry starting at `line`.
    ScratchTooSmall {
        /// 1-based line of the entry.
        line: u32,
        /// Bytes the decoded entry needs.
        needed: usize,
    },
    /// The output buffer is full; [`text_to_binary_sizes`] tells the size needed.
    OutputTooSmall {
        /// 1-based line of the first entry that did not fit (0: not even the header).
        line: u32,
    },
}

/// Why [`binary_to_text`] failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToTextError {
    /// The bytes are not a valid binary form.
    Binary(BinaryError),
    /// A record cannot be written as text that reads back unchanged.
    Unwritable {
        /// 0-based index of the record.
        index: u32,
        /// Why.
        reason: WriteError,
    },
    /// The `fmt::Write` sink failed.
    Fmt,
}

impl fmt::Display for BinaryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BinaryError::TooShort => write!(
                f,
                "binary record data shorter than its {HEADER_LEN}-byte header"
            ),
            BinaryError::BadMagic => f.write_str("not binary record data (bad magic)"),
            BinaryError::UnsupportedVersion { found } => {
                write!(
                    f,
                    "binary record format version {found} is not supported (expected {VERSION})"
                )
            }
            BinaryError::Truncated { index } => {
                write!(f, "binary record data ends inside record {index}")
            }
            BinaryError::Malformed { index } => write!(f, "binary record {index} is malformed"),
        }
    }
}

impl fmt::Display for BinaryEncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "output buffer too small: {} bytes needed", self.needed)
    }
}

impl fmt::Display for ToBinaryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ToBinaryError::Parse(e) => e.fmt(f),
            ToBinaryError::ScratchTooSmall { line, needed } => {
                write!(
                    f,
                    "line {line}: scratch buffer too small, the decoded entry needs {needed} bytes"
                )
            }
            ToBinaryError::OutputTooSmall { line: 0 } => {
                f.write_str("output buffer too small for the header")
            }
            ToBinaryError::OutputTooSmall { line } => write!(f, "line {line}: output buffer full"),
        }
    }
}

impl fmt::Display for ToTextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ToTextError::Binary(e) => e.fmt(f),
            ToTextError::Unwritable { index, reason } => {
                write!(f, "record {index} cannot be written as text: {reason}")
            }
            ToTextError::Fmt => f.write_str("the output sink failed"),
        }
    }
}

impl core::error::Error for BinaryError {}
impl core::error::Error for BinaryEncodeError {}
impl core::error::Error for ToBinaryError {}
impl core::error::Error for ToTextError {}

impl From<ParseError> for ToBinaryError {
    fn from(e: ParseError) -> Self {
        ToBinaryError::Parse(e)
    }
}

impl From<BinaryError> for ToTextError {
    fn from(e: BinaryError) -> Self {
        ToTextError::Binary(e)
    }
}

/// Writes the header into the front of `out`; returns [`HEADER_LEN`].
pub fn write_header(out: &mut [u8]) -> Result<usize, BinaryEncodeError> {
    let dst = out
        .get_mut(..HEADER_LEN)
        .ok_or(BinaryEncodeError { needed: HEADER_LEN })?;
    let (magic, version) = dst.split_at_mut(MAGIC.len());
    magic.copy_from_slice(&MAGIC);
    version.fill(VERSION);
    Ok(HEADER_LEN)
}

fn varint_len(n: usize) -> usize {
    let bits = usize::BITS - n.leading_zeros();
    (bits.max(1) as usize).div_ceil(7)
}

fn str_len(s: &str) -> usize {
    varint_len(s.len()) + s.len()
}

/// The encoded size of `record`, without header.
pub fn encoded_len(record: &Record<'_>) -> usize {
    str_len(record.entry) + 1 + record.timestamp.map_or(0, str_len)
}

/// Encodes `record` into the front of `out`; returns the bytes written.
pub fn encode_record(record: &Record<'_>, out: &mut [u8]) -> Result<usize, BinaryEncodeError> {
    let needed = encoded_len(record);
    let dst = out.get_mut(..needed).ok_or(BinaryEncodeError { needed })?;
    postcard::to_slice(record, dst)
        .map(|used| used.len())
        .map_err(|_| BinaryEncodeError { needed })
}

/// The records of binary data, after checking its header.
pub fn records(bytes: &[u8]) -> Result<Records<'_>, BinaryError> {
    let (header, rest) = bytes
        .split_at_checked(HEADER_LEN)
        .ok_or(BinaryError::TooShort)?;
    let (magic, version) = header.split_at(MAGIC.len());
    if magic != MAGIC {
        return Err(BinaryError::BadMagic);
    }
    match version {
        [VERSION] => Ok(Records { rest, index: 0 }),
        [found, ..] => Err(BinaryError::UnsupportedVersion { found: *found }),
        [] => Err(BinaryError::TooShort),
    }
}

/// Iterator over the records of binary data, borrowing from it. Stops after the first error.
#[derive(Debug, Clone)]
pub struct Records<'a> {
    rest: &'a [u8],
    index: u32,
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<Record<'a>, BinaryError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let index = self.index;
        self.index = self.index.saturating_add(1);
        match postcard::take_from_bytes::<Record<'a>>(self.rest) {
            Ok((record, rest)) => {
                self.rest = rest;
                Some(Ok(record))
            }
            Err(e) => {
                self.rest = &[];
                Some(Err(match e {
                    postcard::Error::DeserializeUnexpectedEnd => BinaryError::Truncated { index },
                    _ => BinaryError::Malformed { index },
                }))
            }
        }
    }
}

impl core::iter::FusedIterator for Records<'_> {}

/// What [`text_to_binary`] needs for a given text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BinarySizes {
    /// Length of the binary form, header included.
    pub binary_len: usize,
    /// Largest decoded entry that is not [plain](format::Entry::plain), i.e. the scratch needed.
    pub scratch_len: usize,
}

/// The output and scratch sizes [`text_to_binary`] needs for `text`.
pub fn text_to_binary_sizes(text: &str, opts: NewlineOptions) -> Result<BinarySizes, ParseError> {
    let mut sizes = BinarySizes {
        binary_len: HEADER_LEN,
        scratch_len: 0,
    };
    for entry in format::entries(text) {
        let entry = entry?;
        let entry_len = match entry.plain(opts) {
            Some(record) => record.entry.len(),
            None => {
                let len = entry.decoded_len(opts);
                sizes.scratch_len = sizes.scratch_len.max(len);
                len
            }
        };
        sizes.binary_len = sizes
            .binary_len
            .saturating_add(varint_len(entry_len) + entry_len + 1)
            .saturating_add(entry.raw_timestamp().map_or(0, str_len));
    }
    Ok(sizes)
}

/// Converts record-file text into the binary form in `out`; returns the bytes written.
/// `scratch` holds one decoded entry at a time (only entries that are not plain need it).
pub fn text_to_binary(
    text: &str,
    opts: NewlineOptions,
    out: &mut [u8],
    scratch: &mut [u8],
) -> Result<usize, ToBinaryError> {
    let mut pos = write_header(out).map_err(|_| ToBinaryError::OutputTooSmall { line: 0 })?;
    for entry in format::entries(text) {
        let entry = entry?;
        let line = entry.line();
        let decoded;
        let record = match entry.plain(opts) {
            Some(record) => record,
            None => {
                decoded = entry.decode(opts, scratch).map_err(
                    |format::DecodeError::BufferTooSmall { needed }| {
                        ToBinaryError::ScratchTooSmall { line, needed }
                    },
                )?;
                decoded
            }
        };
        // `pos` counts the bytes written into `out` so far: the fallback is never taken.
        let dst = out.get_mut(pos..).unwrap_or_default();
        pos += encode_record(&record, dst).map_err(|_| ToBinaryError::OutputTooSmall { line })?;
    }
    Ok(pos)
}

/// Writes the records of binary data as record-file text (see
/// [`write_record`](format::write_record)). On error, the records before the failing one have
/// been written.
pub fn binary_to_text<W: fmt::Write>(
    bytes: &[u8],
    out: &mut W,
    opts: NewlineOptions,
) -> Result<(), ToTextError> {
    for (index, record) in (0u32..).zip(records(bytes)?) {
        format::try_write_record(out, &record?, opts).map_err(|e| match e {
            WriteError::Fmt => ToTextError::Fmt,
            reason => ToTextError::Unwritable { index, reason },
        })?;
    }
    Ok(())
}

/// The length of the text [`binary_to_text`] writes for `bytes`.
pub fn binary_to_text_len(bytes: &[u8], opts: NewlineOptions) -> Result<usize, ToTextError> {
    let mut len = 0usize;
    for (index, record) in (0u32..).zip(records(bytes)?) {
        let record = record?;
        len = len.saturating_add(
            format::written_len(&record, opts)
                .map_err(|reason| ToTextError::Unwritable { index, reason })?,
        );
    }
    Ok(len)
}

#[cfg(test)]
mod tests {
    use std::string::String;
    use std::vec;
    use std::vec::Vec;

    use proptest::prelude::*;

    use super::*;
    use crate::format::proptests::{opts, records as arb_records, write_all};

    fn to_binary(text: &str, opts: NewlineOptions) -> Vec<u8> {
        let sizes = text_to_binary_sizes(text, opts).unwrap();
        let mut out = vec![0u8; sizes.binary_len];
        let mut scratch = vec![0u8; sizes.scratch_len];
        let len = text_to_binary(text, opts, &mut out, &mut scratch).unwrap();
        assert_eq!(len, sizes.binary_len);
        out
    }

    fn to_text(bytes: &[u8], opts: NewlineOptions) -> String {
        let mut out = String::new();
        binary_to_text(bytes, &mut out, opts).unwrap();
        assert_eq!(binary_to_text_len(bytes, opts), Ok(out.len()));
        out
    }

    #[test]
    fn header_and_layout() {
        let bin = to_binary("<-CAL:a\n->RET:b\n--TIM:t\n", NewlineOptions::NONE);
        assert_eq!(&bin[..HEADER_LEN], b"CMRB\x01");
        assert_eq!(&bin[HEADER_LEN..], b"\x07<-CAL:a\x00\x07->RET:b\x01\x01t");
        let all: Vec<_> = records(&bin).unwrap().collect();
        assert_eq!(
            all,
            [
                Ok(Record::new("<-CAL:a")),
                Ok(Record {
                    entry: "->RET:b",
                    timestamp: Some("t")
                })
            ]
        );
        assert_eq!(to_binary("", NewlineOptions::NONE), b"CMRB\x01");
        assert_eq!(records(b"CMRB\x01").unwrap().count(), 0);
    }

    #[test]
    fn records_borrow_from_the_bytes() {
        let bin = to_binary("<-CAL:abc\n", NewlineOptions::NONE);
        let record = records(&bin).unwrap().next().unwrap().unwrap();
        let range = bin.as_ptr_range();
        assert!(range.contains(&record.entry.as_ptr()));
    }

    #[test]
    fn bad_headers() {
        assert_eq!(records(b"CMR").err(), Some(BinaryError::TooShort));
        assert_eq!(records(b"XMRB\x01").err(), Some(BinaryError::BadMagic));
        assert_eq!(
            records(b"CMRB\x02").err(),
            Some(BinaryError::UnsupportedVersion { found: 2 })
        );
        let mut out = String::new();
        assert_eq!(
            binary_to_text(b"nope!", &mut out, NewlineOptions::NONE),
            Err(ToTextError::Binary(BinaryError::BadMagic))
        );
    }

    #[test]
    fn truncated_and_malformed_records() {
        let bin = to_binary("<-CAL:a\n->RET:b\n", NewlineOptions::NONE);
        let cut = &bin[..bin.len() - 2];
        let all: Vec<_> = records(cut).unwrap().collect();
        assert_eq!(
            all,
            [
                Ok(Record::new("<-CAL:a")),
                Err(BinaryError::Truncated { index: 1 })
            ]
        );
        let bad_utf8 = b"CMRB\x01\x02\xff\xfe\x00";
        assert_eq!(
            records(bad_utf8).unwrap().next(),
            Some(Err(BinaryError::Malformed { index: 0 }))
        );
        let bad_tag = b"CMRB\x01\x01a\x05";
        assert_eq!(
            records(bad_tag).unwrap().next(),
            Some(Err(BinaryError::Malformed { index: 0 }))
        );
    }

    #[test]
    fn conversion_errors() {
        let opts = NewlineOptions::NONE;
        let text = "<-CAL:a\n->RET:b\r\nc\n";
        let mut out = [0u8; 64];
        assert_eq!(
            text_to_binary(text, opts, &mut out, &mut [0u8; 3]),
            Err(ToBinaryError::ScratchTooSmall { line: 2, needed: 9 })
        );
        assert_eq!(
            text_to_binary(text, opts, &mut out[..16], &mut [0u8; 9]),
            Err(ToBinaryError::OutputTooSmall { line: 2 })
        );
        assert_eq!(
            text_to_binary(text, opts, &mut out[..4], &mut []),
            Err(ToBinaryError::OutputTooSmall { line: 0 })
        );
        let err = text_to_binary("x\n<-CAL:a", opts, &mut out, &mut []).unwrap_err();
        assert!(matches!(err, ToBinaryError::Parse(_)));
        assert!(std::format!("{err}").starts_with("line 1:"));

        let mut bin = [0u8; 32];
        let mut len = write_header(&mut bin).unwrap();
        len += encode_record(&Record::new("->RET"), &mut bin[len..]).unwrap();
        let mut text = String::new();
        assert_eq!(
            binary_to_text(&bin[..len], &mut text, opts),
            Err(ToTextError::Unwritable {
                index: 0,
                reason: WriteError::PrefixNotEntryStart
            })
        );
        assert_eq!(
            encode_record(&Record::new("<-CAL:abc"), &mut [0u8; 4]),
            Err(BinaryEncodeError { needed: 11 })
        );
        assert_eq!(
            write_header(&mut [0u8; 4]),
            Err(BinaryEncodeError { needed: HEADER_LEN })
        );
    }

    #[test]
    fn varint_lengths() {
        for n in [0usize, 1, 127, 128, 16383, 16384, usize::MAX] {
            let mut buf = [0u8; 16];
            let used = postcard::to_slice(&(n as u64), &mut buf).unwrap().len();
            assert_eq!(varint_len(n), used, "{n}");
        }
    }

    proptest! {
        #[test]
        fn encoded_len_is_postcards(records in arb_records()) {
            for (entry, ts) in &records {
                let record = Record { entry, timestamp: ts.as_deref() };
                prop_assert_eq!(Ok(encoded_len(&record)), postcard::experimental::serialized_size(&record));
            }
        }

        #[test]
        fn text_binary_text_is_identity(records in arb_records(), opts in opts()) {
            let text = write_all(&records, opts);
            let bin = to_binary(&text, opts);
            prop_assert_eq!(to_text(&bin, opts), text);
            let decoded: Vec<_> = super::records(&bin).unwrap().map(Result::unwrap).collect();
            let expected: Vec<_> = records.iter().map(|(e, t)| Record { entry: e, timestamp: t.as_deref() }).collect();
            prop_assert_eq!(decoded, expected);
        }

        #[test]
        fn binary_text_binary_is_identity(records in arb_records(), opts in opts()) {
            let mut bin = vec![0u8; HEADER_LEN];
            write_header(&mut bin).unwrap();
            for (entry, ts) in &records {
                let record = Record { entry, timestamp: ts.as_deref() };
                let start = bin.len();
                bin.resize(start + encoded_len(&record), 0);
                prop_assert_eq!(encode_record(&record, &mut bin[start..]), Ok(encoded_len(&record)));
            }
            let text = to_text(&bin, opts);
            prop_assert_eq!(to_binary(&text, opts), bin);
        }
    }
}
