//! Writing entries: the reference's layout, plus our escapes where the reference's reader
//! would not give the text back.

use core::fmt::{self, Write};

use super::scan::{self, written_line_starts_entry, PrefixProbe};
use super::{NewlineOptions, Record};

/// Why an entry cannot be written so that it reads back unchanged, or the sink failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteError {
    /// The prefix (as written, markers expanded) would not start an entry when read back:
    /// it must be shorter than 10 characters and start with `<-` or end in `->` and three
    /// characters, e.g. `<-CAL`, `->RET`, `  ->RET`.
    PrefixNotEntryStart,
    /// The prefix passed to [`write_entry`] contains a `:`.
    PrefixHasColon,
    /// The prefix contains a line break that cannot be written inside a line (CR without
    /// `preserve_cr`, LF without `preserve_lf`).
    PrefixHasLineBreak,
    /// The prefix contains `<CR>` / `<LF>` text that the reader would decode under the options.
    PrefixHasMarker,
    /// The prefix starts with a byte-order mark, which the reader skips at the start of a file.
    PrefixStartsWithBom,
    /// The timestamp contains a CR or LF.
    TimestampHasLineBreak,
    /// The `fmt::Write` sink failed.
    Fmt,
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WriteError::PrefixNotEntryStart => {
                "prefix would not start an entry (e.g. `<-CAL`, `->RET`, `  ->RET`)"
            }
            WriteError::PrefixHasColon => "prefix contains ':'",
            WriteError::PrefixHasLineBreak => "prefix contains a line break that cannot be written",
            WriteError::PrefixHasMarker => {
                "prefix contains a <CR>/<LF> marker that would be decoded"
            }
            WriteError::PrefixStartsWithBom => "prefix starts with a byte-order mark",
            WriteError::TimestampHasLineBreak => "timestamp contains a line break",
            WriteError::Fmt => "the output sink failed",
        })
    }
}

impl core::error::Error for WriteError {}

impl From<fmt::Error> for WriteError {
    fn from(_: fmt::Error) -> Self {
        WriteError::Fmt
    }
}

/// Writes one entry: `<prefix>:<text>`, a newline unless the text ends with one (as the
/// reference does), then `--TIM:<timestamp>` and a newline when there is a timestamp.
///
/// Ordinary text is written byte for byte as the reference writes it (including its
/// `<CR>` / `<LF>` replacement under `opts`); text lines the reference's reader would not give
/// back are escaped (see the [module docs](super)), so that reading the output with
/// [`entries`](super::entries) yields `prefix:text` and `timestamp` exactly.
///
/// Fails with `fmt::Error` when the sink fails or when the entry cannot be written faithfully
/// (see [`try_write_entry`] for the reason); nothing is written in the latter case.
pub fn write_entry<W: Write>(
    out: &mut W,
    prefix: &str,
    text: &str,
    timestamp: Option<&str>,
    opts: NewlineOptions,
) -> fmt::Result {
    try_write_entry(out, prefix, text, timestamp, opts).map_err(|_| fmt::Error)
}

/// Writes a record (its whole `entry`, prefix included) like [`write_entry`].
pub fn write_record<W: Write>(
    out: &mut W,
    record: &Record<'_>,
    opts: NewlineOptions,
) -> fmt::Result {
    try_write_record(out, record, opts).map_err(|_| fmt::Error)
}

/// [`write_entry`] with the reason for a failure.
pub fn try_write_entry<W: Write>(
    out: &mut W,
    prefix: &str,
    text: &str,
    timestamp: Option<&str>,
    opts: NewlineOptions,
) -> Result<(), WriteError> {
    let layout = entry_layout(prefix, text, opts)?;
    check_timestamp(timestamp)?;
    emit(out, layout, timestamp, opts)
}

/// [`write_record`] with the reason for a failure.
pub fn try_write_record<W: Write>(
    out: &mut W,
    record: &Record<'_>,
    opts: NewlineOptions,
) -> Result<(), WriteError> {
    let layout = record_layout(record.entry, opts)?;
    check_timestamp(record.timestamp)?;
    emit(out, layout, record.timestamp, opts)
}

/// Checks that [`write_entry`] can write this entry faithfully (the text never matters).
pub fn validate_entry(
    prefix: &str,
    timestamp: Option<&str>,
    opts: NewlineOptions,
) -> Result<(), WriteError> {
    entry_layout(prefix, "", opts)?;
    check_timestamp(timestamp)
}

/// Checks that [`write_record`] can write this record faithfully.
pub fn validate_record(record: &Record<'_>, opts: NewlineOptions) -> Result<(), WriteError> {
    record_layout(record.entry, opts)?;
    check_timestamp(record.timestamp)
}

/// The number of bytes [`write_record`] writes for `record`.
pub fn written_len(record: &Record<'_>, opts: NewlineOptions) -> Result<usize, WriteError> {
    let mut counter = Counter(0);
    try_write_record(&mut counter, record, opts)?;
    Ok(counter.0)
}

/// A `fmt::Write` that only counts bytes.
struct Counter(usize);

impl Write for Counter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 = self.0.checked_add(s.len()).ok_or(fmt::Error)?;
        Ok(())
    }
}

/// An entry cut into the parts the writer treats differently.
#[derive(Clone, Copy)]
struct Layout<'s> {
    /// Written as is (markers expanded): starts the entry, so it can never be escaped.
    head: &'s str,
    /// The rest of the first line after `head:`, if the first line has a ':'.
    tail: Option<&'s str>,
    /// Everything after the first line's LF, when the entry is written as several lines
    /// (always without `preserve_lf`; with it the reference keeps all LFs in one line as
    /// `<LF>`).
    rest: Option<&'s str>,
}

fn entry_layout<'s>(
    prefix: &'s str,
    text: &'s str,
    opts: NewlineOptions,
) -> Result<Layout<'s>, WriteError> {
    if prefix.contains(':') {
        return Err(WriteError::PrefixHasColon);
    }
    let (tail, rest) = split_first_line(text, !opts.preserve_lf);
    let layout = Layout {
        head: prefix,
        tail: Some(tail),
        rest,
    };
    check_head(layout, opts)?;
    Ok(layout)
}

fn record_layout(entry: &str, opts: NewlineOptions) -> Result<Layout<'_>, WriteError> {
    let layout = |line, rest| first_line_layout(line, rest, opts);
    if !opts.preserve_lf {
        let (line, rest) = split_first_line(entry, true);
        return layout(line, rest);
    }
    // With `preserve_lf` the reference writes every LF as `<LF>`, all in one line. When that
    // line would not start an entry (an LF before the first ':'), a real line break, which
    // that reader also reads as LF, can end the first line at one of the first LFs instead.
    // Beyond FIRST_LINE_LIMIT bytes a first line without ':' is too long to start an entry.
    const FIRST_LINE_LIMIT: usize = 36;
    let single = match layout(entry, None) {
        Ok(single) => return Ok(single),
        Err(error) => error,
    };
    entry
        .match_indices('\n')
        .take_while(|&(i, _)| i <= FIRST_LINE_LIMIT)
        .find_map(|(i, _)| layout(entry.get(..i)?, entry.get(i + 1..)).ok())
        .ok_or(single)
}

/// The layout with `line` as the first line (its LFs written as `<LF>`), checked.
fn first_line_layout<'s>(
    line: &'s str,
    rest: Option<&'s str>,
    opts: NewlineOptions,
) -> Result<Layout<'s>, WriteError> {
    let layout = match line.split_once(':') {
        Some((head, tail)) => Layout {
            head,
            tail: Some(tail),
            rest,
        },
        None => Layout {
            head: line,
            tail: None,
            rest,
        },
    };
    check_head(layout, opts).map(|()| layout)
}

/// The first line and the rest after its LF, or the whole text when not `split`.
fn split_first_line(text: &str, split: bool) -> (&str, Option<&str>) {
    if !split {
        return (text, None);
    }
    match text.split_once('\n') {
        Some((first, rest)) => (first, Some(rest)),
        None => (text, None),
    }
}

fn check_head(layout: Layout<'_>, opts: NewlineOptions) -> Result<(), WriteError> {
    let head = layout.head;
    if head.starts_with('\u{feff}') {
        return Err(WriteError::PrefixStartsWithBom);
    }
    if (!opts.preserve_cr && head.contains('\r')) || (!opts.preserve_lf && head.contains('\n')) {
        return Err(WriteError::PrefixHasLineBreak);
    }
    if scan::has_marker(head.as_bytes(), opts) {
        return Err(WriteError::PrefixHasMarker);
    }
    let mut probe = PrefixProbe::new();
    for c in head.chars() {
        match c {
            '\r' => probe.push_str("<CR>"),
            '\n' => probe.push_str("<LF>"),
            c => probe.push(c),
        }
        if probe.is_full() {
            return Err(WriteError::PrefixNotEntryStart);
        }
    }
    if layout.tail.is_none() {
        probe.push('\n');
    }
    if probe.starts_entry() {
        Ok(())
    } else {
        Err(WriteError::PrefixNotEntryStart)
    }
}

fn check_timestamp(timestamp: Option<&str>) -> Result<(), WriteError> {
    match timestamp {
        Some(ts) if ts.contains(['\r', '\n']) => Err(WriteError::TimestampHasLineBreak),
        _ => Ok(()),
    }
}

fn emit<W: Write>(
    out: &mut W,
    layout: Layout<'_>,
    timestamp: Option<&str>,
    opts: NewlineOptions,
) -> Result<(), WriteError> {
    write_plain(out, layout.head, opts)?;
    if let Some(tail) = layout.tail {
        out.write_char(':')?;
        if first_text_needs_escape(tail, opts) {
            write_escaped(out, tail)?;
        } else {
            write_plain(out, tail, opts)?;
        }
    }
    if let Some(rest) = layout.rest {
        let mut lines = rest.split('\n').peekable();
        while let Some(line) = lines.next() {
            out.write_char('\n')?;
            let is_last = lines.peek().is_none();
            if continuation_needs_escape(line, is_last, timestamp.is_some(), opts) {
                write_escaped(out, line)?;
            } else {
                write_plain(out, line, opts)?;
            }
        }
    }
    // Every line is terminated; the reference adds the newline only when the text lacks one,
    // which gives the same bytes because a text ending in LF ends here in an escaped line.
    out.write_char('\n')?;
    if let Some(ts) = timestamp {
        out.write_str("--TIM:")?;
        out.write_str(ts)?;
        out.write_char('\n')?;
    }
    Ok(())
}

/// Whether the text after `prefix:` on the first line must be escaped.
fn first_text_needs_escape(text: &str, opts: NewlineOptions) -> bool {
    text.as_bytes().starts_with(scan::ESCAPE)
        || (!opts.preserve_cr && text.contains('\r'))
        || scan::has_marker(text.as_bytes(), opts)
}

/// Whether a continuation line (never holding an LF) must be escaped.
fn continuation_needs_escape(
    line: &str,
    is_last: bool,
    has_timestamp: bool,
    opts: NewlineOptions,
) -> bool {
    let bytes = line.as_bytes();
    // Trailing empty lines are dropped by the reader, timestamp line or not. Only the entry's
    // last non-empty line can be read as a timestamp: a `--TIM:` line followed by empty lines
    // is safe (the last of those is escaped, hence non-empty), and so is one followed by the
    // timestamp line.
    (is_last && (line.is_empty() || (!has_timestamp && bytes.starts_with(scan::TIMESTAMP))))
        || first_text_needs_escape(line, opts)
        || written_line_starts_entry(line, opts)
}

/// Writes `s` as the reference does: CR as `<CR>` / LF as `<LF>` when `opts` preserve them.
fn write_plain<W: Write>(out: &mut W, s: &str, opts: NewlineOptions) -> fmt::Result {
    // `i` is where memchr found an ASCII CR or LF in `rest`, so `..i` and `i + 1..` are in
    // bounds and on char boundaries: the empty fallbacks are never taken.
    let mut rest = s;
    loop {
        let found = match (opts.preserve_cr, opts.preserve_lf) {
            (false, false) => None,
            (true, false) => memchr::memchr(b'\r', rest.as_bytes()),
            (false, true) => memchr::memchr(b'\n', rest.as_bytes()),
            (true, true) => memchr::memchr2(b'\r', b'\n', rest.as_bytes()),
        };
        let Some(i) = found else {
            return out.write_str(rest);
        };
        out.write_str(rest.get(..i).unwrap_or_default())?;
        out.write_str(if rest.as_bytes().get(i) == Some(&b'\r') {
            "<CR>"
        } else {
            "<LF>"
        })?;
        rest = rest.get(i + 1..).unwrap_or_default();
    }
}

/// Writes `s` as an escaped line body: `\:`, then `s` with `\`, CR and LF escaped.
fn write_escaped<W: Write>(out: &mut W, s: &str) -> fmt::Result {
    out.write_str("\\:")?;
    // `i` is where memchr found an ASCII `\`, CR or LF in `rest`, so `..i` and `i + 1..` are
    // in bounds and on char boundaries: the empty fallbacks are never taken.
    let mut rest = s;
    while let Some(i) = memchr::memchr3(b'\\', b'\r', b'\n', rest.as_bytes()) {
        out.write_str(rest.get(..i).unwrap_or_default())?;
        out.write_str(match rest.as_bytes().get(i) {
            Some(b'\r') => "\\r",
            Some(b'\n') => "\\n",
            _ => "\\\\",
        })?;
        rest = rest.get(i + 1..).unwrap_or_default();
    }
    out.write_str(rest)
}
