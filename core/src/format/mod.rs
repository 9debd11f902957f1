//! The `.mock` record format: reading ([`entries`]) and writing ([`write_entry`]), byte-compatible
//! with the Python CaptureMock, plus an escape for the texts its reader cannot give back.
//!
//! # Reading
//! The text is read as the reference's `ReplayInfo.readIntoList` reads it:
//! - Universal newlines: LF, CRLF and a lone CR end a line; nothing else does.
//! - An entry starts at a line whose *prefix* — the text before the line's first `:`, or the
//!   whole line including its newline when it has no `:` — is shorter than 10 characters and
//!   either starts with `<-` or has `->` at Python's `[-5:-3]` (so `  ->RET:` and `xx->YYY:`
//!   start entries too). Every other line continues the current entry.
//! - An entry's trailing newlines are dropped; then, under [`NewlineOptions`], `<CR>` becomes
//!   CR and `<LF>` becomes LF (the rc file's `preserve_cr` / `preserve_lf`).
//!
//! [`entries`] yields each [`Entry`] zero-copy; [`Entry::plain`] gives its [`Record`] without
//! copying when decoding changes nothing (almost always), [`Entry::decode`] otherwise.
//!
//! Where we deliberately differ from the reference:
//! - **Timestamps.** The reference writes `--TIM:<timestamp>` after an entry when
//!   `record_timestamps` is on, and its reader simply keeps that line as part of the entry's
//!   text (so `<-CAL:foo\n--TIM:2024-…` is the lookup key). We take the entry's last non-empty
//!   line, when it is not the first line and starts with `--TIM:`, as the entry's timestamp
//!   ([`Record::timestamp`]) and leave it out of [`Record::entry`].
//! - **Byte-order mark.** A leading UTF-8 BOM is skipped (the reference keeps it, which hides
//!   the first entry behind a prefix that is not an entry start).
//! - **Text before the first entry** is a [`ParseError`] (the reference turns it into an entry
//!   of its own); blank lines there are skipped (the reference turns them into an empty entry,
//!   which its replay ignores).
//! - **Escaped lines** (below): a line starting with `\:` is decoded.
//!
//! # Escaping
//! The reference writes `<prefix>:<text>` and a newline, which its reader cannot always give
//! back: a text line that looks like an entry start (`<-x`, `xx->YYY:`) splits the entry, a CR
//! comes back as LF, trailing newlines are lost. Our writer keeps the reference's bytes for
//! ordinary text and escapes only the lines that would not survive:
//!
//! The text is cut into lines at LF (with `preserve_lf` LFs are written `<LF>` and the text is
//! one line). A line is written *escaped* — `\:`, then the line with `\` written `\\`, CR `\r`
//! and LF `\n` — when it
//! - would start an entry (continuation lines only; tested on the line as written),
//! - starts with `\:`,
//! - starts with `--TIM:` and is the last line of an entry without timestamp (continuation
//!   lines only: only an entry's last non-empty line is read as its timestamp),
//! - contains a CR (unless `preserve_cr` writes it as `<CR>`),
//! - contains `<CR>` / `<LF>` text that the reader would decode under the options,
//! - is the empty last line of a multi-line text (so that trailing newlines survive).
//!
//! The first line's text (after `prefix:`) follows the same rules except the entry-start test;
//! the prefix itself is never escaped. Markers are not decoded inside escaped lines.
//! With `preserve_lf`, a record whose entry has an LF before its first `:` (only possible when
//! it was read from `<LF>` or a multi-line start) may not start an entry once written as one
//! line; [`write_record`] then ends the first line with a real line break at one of the first
//! LFs, which the reader also reads as LF.
//!
//! ```text
//! text "a\n<-CAL:b"  →  <-CAL:a        text "x\r\ny\n"  →  ->RET:\:x\r
//!                       \:<-CAL:b                            y
//!                                                            \:
//! ```
//!
//! A line `\:…` has the prefix `\`, so it never starts an entry, and files without such lines
//! read exactly as before. The price is one ambiguity: a file written by the reference whose
//! text has a line beginning with `\:` is read differently by us (that line is decoded as an
//! escape, or is a [`ParseErrorKind::BadEscape`]).

mod entry;
mod parse;
mod record;
mod scan;
mod write;

#[cfg(test)]
pub(crate) mod proptests;
#[cfg(test)]
mod reference_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod throughput;

pub use entry::{DecodeError, Entry};
pub use parse::{entries, Entries, ParseError, ParseErrorKind};
pub use record::Record;
pub use write::{
    try_write_entry, try_write_record, validate_entry, validate_record, write_entry, write_record,
    written_len, WriteError,
};

/// How `<CR>` / `<LF>` markers are read and written: the rc file's `preserve_cr` and
/// `preserve_lf` (both off by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct NewlineOptions {
    /// Write CR as `<CR>` and read `<CR>` as CR.
    pub preserve_cr: bool,
    /// Write LF as `<LF>` and read `<LF>` as LF.
    pub preserve_lf: bool,
}

impl NewlineOptions {
    /// Both markers off (the reference's default).
    pub const NONE: Self = NewlineOptions {
        preserve_cr: false,
        preserve_lf: false,
    };
    /// Both markers on.
    pub const BOTH: Self = NewlineOptions {
        preserve_cr: true,
        preserve_lf: true,
    };
}
