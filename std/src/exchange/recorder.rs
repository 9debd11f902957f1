//! The record file, written in exchange-number order (the server's accept order, the capture
//! session's decision order) whatever order exchanges complete in.
//!
//! A completed exchange whose predecessors are all written (or given up on) is written at
//! once; otherwise it waits in memory. Each exchange's entries are written and then flushed to
//! the operating system (no `fsync`): a crash of this process loses nothing that was written,
//! a crash of the machine may. They are written as they are formatted, through a small buffer,
//! never formatted into one text first: an entry can be a large HTTP body, and the recorder
//! should not hold it twice. The file is removed when the recorder is made
//! (after checking that it can be created, see [`prepare`]) and created on the first write, so
//! a run that records nothing leaves no file, like the reference. A write that fails is
//! logged once and counted; [`Recorder::loss`] says at the end how many exchanges are missing.
//! A regular file never keeps part of an exchange: a write that fails part-way is cut back.
//!
//! Trailing newlines: the reference writes a text that ends with newlines as it is, and its
//! reader drops them again. The core writer can keep them (with an escape line `\:`), but
//! that makes files differ from the reference's for every reply that ends with a newline, and
//! makes every such live reply show as drift against a file the reference recorded. So by
//! default they are written the reference's way (and lost on reading, as there; a replayed
//! `->RET` is stripped of trailing white space anyway); [`TrailingNewlines::Keep`] keeps them.
//!
//! Nothing completed is ever dropped: an exchange that the sequencer gave up on (see
//! [`super::sequencer`]) is appended when it completes, out of order, and whatever still waits
//! at [`finish`](Recorder::finish) is written in order, skipping the exchanges that never
//! completed.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use capturemock_core::format::{try_write_entry, validate_entry, NewlineOptions, WriteError};

use super::ExchangeNo;

/// One entry to record: `<prefix>:<text>` and an optional `--TIM:` timestamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordEntry {
    /// `<-CAL`, `->RET`, `<-CLI`, `->SRV`, ...
    /// `'static`, since every prefix is a traffic kind's constant: an entry never allocates one.
    pub prefix: &'static str,
    /// The text after the prefix.
    pub text: String,
    /// The timestamp, when `record_timestamps` is on and the traffic type carries one.
    pub timestamp: Option<String>,
}

/// How newlines at the end of a recorded text are written (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TrailingNewlines {
    /// As the reference writes them; its reader (and ours) drops them.
    #[default]
    Reference,
    /// With the core writer's escape, so that they are read back.
    /// What in-process captures and the serial proxy use: their texts must come back exactly.
    Keep,
}

/// Why the record file could not be prepared or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// The record path is a directory.
    #[error("cannot record to {}: it is a directory", path.display())]
    IsADirectory {
        /// The path.
        path: PathBuf,
    },
    /// The directory the record file would go in does not exist.
    #[error("cannot record to {}: directory {} does not exist (create it first)", path.display(), dir.display())]
    MissingDirectory {
        /// The file.
        path: PathBuf,
        /// The directory.
        dir: PathBuf,
    },
    /// Something on the record file's path that should be a directory is not one.
    #[error("cannot record to {}: {} is not a directory", path.display(), parent.display())]
    NotADirectory {
        /// The file.
        path: PathBuf,
        /// The path that is not a directory.
        parent: PathBuf,
    },
    /// An existing record file could not be removed before the run.
    #[error("cannot remove old record file {}", path.display())]
    Remove {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The record file cannot be created (tried before the run).
    #[error("cannot create record file {}", path.display())]
    Create {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// Writing failed.
    #[error("cannot write record file {}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: Arc<std::io::Error>,
    },
}

/// Exchanges that could not be written to the record file during a run (see
/// [`Recorder::loss`]).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{exchanges} exchange(s) could not be written to the record file {}, which is incomplete", path.display())]
pub struct RecordLoss {
    /// The file.
    pub path: PathBuf,
    /// Exchanges that are missing from it.
    pub exchanges: u64,
    /// The first failure.
    #[source]
    pub cause: Arc<std::io::Error>,
}

/// Makes `path` ready to record to before anything is recorded, so that a file that cannot
/// be written fails a run before it starts: a regular file there is removed (as the
/// reference does); a directory, a missing or non-directory parent, or a file that cannot be
/// created is an error. Creating is tried for real (and the file removed again), so
/// permissions, read-only file systems and the privileges of the user all count. Anything
/// else already there (a device such as `/dev/null`, a pipe) is kept and written to as it is.
pub fn prepare(path: &Path) -> Result<(), RecordError> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => {
            return Err(RecordError::IsADirectory {
                path: path.to_path_buf(),
            })
        }
        Ok(meta) if meta.is_file() => {
            std::fs::remove_file(path).map_err(|source| RecordError::Remove {
                path: path.to_path_buf(),
                source,
            })?;
        }
        Ok(_) => return Ok(()),
        Err(_) => {}
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    match std::fs::metadata(parent) {
        Ok(meta) if !meta.is_dir() => {
            return Err(RecordError::NotADirectory {
                path: path.to_path_buf(),
                parent: parent.to_path_buf(),
            })
        }
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            // The nearest ancestor that exists says which it is.
            let existing = parent
                .ancestors()
                .find(|a| !a.as_os_str().is_empty() && std::fs::metadata(a).is_ok());
            return Err(match existing {
                Some(file) if !file.is_dir() => RecordError::NotADirectory {
                    path: path.to_path_buf(),
                    parent: file.to_path_buf(),
                },
                _ => RecordError::MissingDirectory {
                    path: path.to_path_buf(),
                    dir: parent.to_path_buf(),
                },
            });
        }
        // A directory, or something only creating the file will explain.
        _ => {}
    }
    match OpenOptions::new().write(true).create_new(true).open(path) {
        Ok(file) => {
            drop(file);
            // Left behind, it is appended to: no harm.
            let _ = std::fs::remove_file(path);
            Ok(())
        }
        // Created meanwhile by someone else: writable or not, the write will tell.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(source) => Err(RecordError::Create {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Writes exchanges to the record file in exchange-number order.
#[derive(Debug)]
pub struct Recorder {
    /// `None`: a recorder that records nothing (the engine does not keep one at all).
    path: Option<PathBuf>,
    /// Opened (append, created if missing) at the first write, so a run that records nothing
    /// leaves no file, as the reference leaves none.
    file: Option<BufWriter<File>>,
    /// The file's length after the last exchange written whole, when it is a regular file: a
    /// write that fails part-way is cut back to it, so the file never ends in part of an
    /// exchange (which the next exchange would be appended to).
    end: Option<u64>,
    /// How the core writer treats newlines inside a text.
    newlines: NewlineOptions,
    /// How newlines at the end of a text are written.
    trailing: TrailingNewlines,
    /// The next exchange to write.
    next: ExchangeNo,
    /// Completed exchanges waiting for an earlier one, by number. Exchanges that recorded
    /// nothing wait here too: they are the steps `next` moves over.
    pending: BTreeMap<ExchangeNo, Vec<RecordEntry>>,
    /// Exchanges from `next` on that later ones no longer wait for. An entry goes when `next`
    /// passes it, or when the exchange completes late and is appended out of order.
    gave_up_on: BTreeSet<ExchangeNo>,
    written_exchanges: u64,
    failures: u64,
    /// Exchanges missing from the file because their write failed. A failed final flush counts
    /// among `failures` but loses no exchange by itself.
    lost_exchanges: u64,
    /// The first failure: the cause [`RecordLoss`] names at the end of the run.
    first_error: Option<Arc<std::io::Error>>,
    /// The latest failure: what [`Engine::complete`](super::Engine::complete) reports for the
    /// exchange it was writing.
    last_error: Option<Arc<std::io::Error>>,
}

impl Recorder {
    /// A recorder for `path` (none: record nothing), made ready with [`prepare`].
    /// Preparing now means a record file that cannot be written fails the run before the first
    /// exchange; the file itself is created only by the first write.
    pub fn new(
        path: Option<&Path>,
        newlines: NewlineOptions,
        trailing: TrailingNewlines,
    ) -> Result<Self, RecordError> {
        if let Some(path) = path {
            prepare(path)?;
        }
        Ok(Recorder {
            path: path.map(Path::to_path_buf),
            file: None,
            end: None,
            newlines,
            trailing,
            next: 1,
            pending: BTreeMap::new(),
            gave_up_on: BTreeSet::new(),
            written_exchanges: 0,
            failures: 0,
            lost_exchanges: 0,
            first_error: None,
            last_error: None,
        })
    }

    /// Whether it writes a file at all.
    pub fn records(&self) -> bool {
        self.path.is_some()
    }

    /// Exchange `n` is complete with these entries (possibly none).
    /// If later exchanges are already written, or `n` was given up on, it is appended at once,
    /// out of order, with a warning (only if it has entries); otherwise it waits until every
    /// earlier exchange is written or given up on.
    pub fn complete(&mut self, n: ExchangeNo, entries: Vec<RecordEntry>) {
        if n < self.next || self.gave_up_on.remove(&n) {
            if !entries.is_empty() {
                tracing::warn!(
                    exchange = n,
                    "exchange #{n} completed after later exchanges were written; appending it out of accept order"
                );
                self.write(n, &entries);
            }
            return;
        }
        self.pending.insert(n, entries);
        self.drain();
    }

    /// Later exchanges no longer wait for these (see the module docs).
    /// An exchange already complete and waiting is not affected: it keeps its place.
    pub fn give_up_on(&mut self, numbers: &[ExchangeNo]) {
        for &n in numbers {
            if n >= self.next && !self.pending.contains_key(&n) {
                self.gave_up_on.insert(n);
            }
        }
        self.drain();
    }

    /// Writes whatever still waits, in order, and flushes. Exchanges that never completed are
    /// skipped.
    pub fn finish(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        for (n, entries) in pending {
            self.write(n, &entries);
            self.next = n + 1;
        }
        if let Some(file) = &mut self.file {
            if let Err(source) = file.flush() {
                self.fail(source, false);
            }
        }
    }

    /// Number of exchanges that wrote at least one entry.
    pub fn written_exchanges(&self) -> u64 {
        self.written_exchanges
    }

    /// Number of failed writes.
    pub fn failures(&self) -> u64 {
        self.failures
    }

    /// What the failed writes lost, if any failed.
    pub fn loss(&self) -> Option<RecordLoss> {
        let cause = self.first_error.clone()?;
        Some(RecordLoss {
            path: self.path.clone().unwrap_or_default(),
            exchanges: self.lost_exchanges,
            cause,
        })
    }

    /// The latest failed write, if any failed.
    pub fn last_error(&self) -> Option<RecordError> {
        Some(RecordError::Write {
            path: self.path.clone().unwrap_or_default(),
            source: self.last_error.clone()?,
        })
    }

    /// Writes waiting exchanges from `next` on for as long as they follow each other, stepping
    /// over those given up on, and stops at the first one not yet complete.
    fn drain(&mut self) {
        loop {
            if self.gave_up_on.remove(&self.next) {
                self.next += 1;
                continue;
            }
            let Some(entries) = self.pending.remove(&self.next) else {
                break;
            };
            let n = self.next;
            self.write(n, &entries);
            self.next += 1;
        }
    }

    /// Writes one exchange's entries and flushes them, so that an exchange counted as written
    /// is with the operating system. An entry the core writer refuses is logged and left out;
    /// the others still go. After a failed write the exchange counts as lost: what the buffer
    /// still held of it is dropped, and what reached the file is cut off again.
    fn write(&mut self, n: ExchangeNo, entries: &[RecordEntry]) {
        let Some(path) = &self.path else {
            return;
        };
        if entries.is_empty() {
            return;
        }
        let file = match &mut self.file {
            Some(file) => file,
            None => match OpenOptions::new().create(true).append(true).open(path) {
                Ok(file) => {
                    self.end = file
                        .metadata()
                        .ok()
                        .filter(|m| m.is_file())
                        .map(|m| m.len());
                    self.file
                        .insert(BufWriter::with_capacity(WRITE_BUFFER, file))
                }
                Err(source) => return self.fail(source, true),
            },
        };
        let mut sink = IoSink {
            out: file,
            written: 0,
            error: None,
        };
        for entry in entries {
            let formatted = format_entry(&mut sink, entry, self.newlines, self.trailing);
            if sink.error.is_some() {
                break;
            }
            if let Err(e) = formatted {
                // Our prefixes are fixed and valid, and timestamps have no line breaks, so
                // this is a bug rather than bad input; say so and keep the rest. The writer
                // checks an entry before it writes any of it.
                tracing::error!(
                    exchange = n,
                    prefix = entry.prefix,
                    "cannot record entry: {e}"
                );
            }
        }
        let (written, error) = (sink.written, sink.error.take());
        let result = match error {
            Some(source) => Err(source),
            None => file.flush(),
        };
        match result {
            Ok(()) => {
                self.written_exchanges += 1;
                if let Some(end) = &mut self.end {
                    *end += written;
                }
            }
            Err(source) => {
                if let Some(file) = self.file.take() {
                    let (file, _unwritten) = file.into_parts();
                    self.cut_back(&file);
                    self.file = Some(BufWriter::with_capacity(WRITE_BUFFER, file));
                }
                self.fail(source, true)
            }
        }
    }

    /// Takes back what a failed write left of its exchange (see `end`). Cutting a file
    /// shorter needs no space, so it works on a full disk too; if it fails all the same, the
    /// file's end is no longer known and later failures are not cut back.
    fn cut_back(&mut self, file: &File) {
        let Some(end) = self.end else {
            return;
        };
        if let Err(e) = file.set_len(end) {
            tracing::warn!(
                "cannot remove the part of an exchange left in {}: {e}",
                self.path.as_deref().unwrap_or(Path::new("")).display()
            );
            self.end = None;
        }
    }

    /// Counts a failed write (of an exchange: `lost`); the first one is logged, the rest
    /// are summed up by [`loss`](Self::loss).
    fn fail(&mut self, source: std::io::Error, lost: bool) {
        self.failures += 1;
        if lost {
            self.lost_exchanges += 1;
        }
        let source = Arc::new(source);
        self.last_error = Some(Arc::clone(&source));
        if self.first_error.is_none() {
            self.first_error = Some(source);
            if let Some(error) = self.last_error() {
                tracing::error!(
                    "{}; later failures are counted, not logged",
                    crate::ErrorChain(&error)
                );
            }
        }
    }
}

/// One entry as text, trailing newlines handled per [`TrailingNewlines`].
/// The reference's way: the text, and a line end only if the text has none, so a text
/// ending in `n` newlines leaves `n - 1` empty lines that every reader drops; the timestamp
/// follows them. The core writer's escape, used for `Keep`, would keep those newlines but
/// make the file differ from the reference's. Under `preserve_lf` each LF is a marker on the
/// entry's line, so there is nothing to decide.
fn format_entry(
    out: &mut impl std::fmt::Write,
    entry: &RecordEntry,
    newlines: NewlineOptions,
    trailing: TrailingNewlines,
) -> Result<(), WriteError> {
    let body = entry.text.trim_end_matches('\n');
    let extra = entry.text.len() - body.len();
    // With preserve_lf every LF is written `<LF>`, so there is nothing to decide.
    if extra == 0 || trailing == TrailingNewlines::Keep || newlines.preserve_lf {
        return try_write_entry(
            out,
            entry.prefix,
            &entry.text,
            entry.timestamp.as_deref(),
            newlines,
        );
    }
    validate_entry(entry.prefix, entry.timestamp.as_deref(), newlines)?;
    try_write_entry(out, entry.prefix, body, None, newlines)?;
    for _ in 1..extra {
        out.write_char('\n')?;
    }
    if let Some(timestamp) = &entry.timestamp {
        out.write_str("--TIM:")?;
        out.write_str(timestamp)?;
        out.write_char('\n')?;
    }
    Ok(())
}

/// The recorder's buffer: large enough that an exchange of small entries is one write, small
/// beside the bodies that are written through it.
const WRITE_BUFFER: usize = 64 * 1024;

/// The record file as a text sink for the core writer, which writes an entry piece by piece.
/// The first I/O failure is kept, and stops the writing (the formatter sees `fmt::Error`).
struct IoSink<'f> {
    out: &'f mut BufWriter<File>,
    /// Bytes handed to `out`: the exchange's length once it is flushed.
    written: u64,
    error: Option<std::io::Error>,
}

impl std::fmt::Write for IoSink<'_> {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        if self.error.is_some() {
            return Err(std::fmt::Error);
        }
        match self.out.write_all(text.as_bytes()) {
            Ok(()) => {
                self.written += text.len() as u64;
                Ok(())
            }
            Err(e) => {
                self.error = Some(e);
                Err(std::fmt::Error)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(prefix: &'static str, text: &str) -> RecordEntry {
        RecordEntry {
            prefix,
            text: text.to_string(),
            timestamp: None,
        }
    }

    fn exchange(req: &str, resp: &str) -> Vec<RecordEntry> {
        vec![entry("<-CAL", req), entry("->RET", resp)]
    }

    /// `name` in a directory of its own, removed with the returned guard.
    fn temp_path(name: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        (dir, path)
    }

    /// A recorder for `path` with the reference's newline handling.
    fn recorder(path: &Path) -> Recorder {
        Recorder::new(
            Some(path),
            NewlineOptions::NONE,
            TrailingNewlines::Reference,
        )
        .unwrap()
    }

    #[test]
    fn writes_in_exchange_order_whatever_the_completion_order() {
        let (_dir, path) = temp_path("order.mock");
        std::fs::write(&path, "old contents\n").unwrap();
        let mut r = recorder(&path);
        assert!(!path.exists(), "removed before the run");
        r.complete(3, exchange("c", "3"));
        r.complete(2, exchange("b", "2"));
        assert!(!path.exists(), "waits for exchange 1");
        r.complete(1, exchange("a", "1"));
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "<-CAL:a\n->RET:1\n<-CAL:b\n->RET:2\n<-CAL:c\n->RET:3\n"
        );
        assert_eq!(r.written_exchanges(), 3);
    }

    #[test]
    fn given_up_exchanges_are_appended_when_they_complete() {
        let (_dir, path) = temp_path("late.mock");
        let mut r = recorder(&path);
        r.complete(2, exchange("b", "2"));
        r.give_up_on(&[1]);
        r.complete(3, vec![]);
        r.complete(4, exchange("d", "4"));
        r.complete(1, exchange("a", "1"));
        r.finish();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "<-CAL:b\n->RET:2\n<-CAL:d\n->RET:4\n<-CAL:a\n->RET:1\n"
        );
    }

    #[test]
    fn finish_writes_what_waits_behind_an_exchange_that_never_completed() {
        let (_dir, path) = temp_path("finish.mock");
        let mut r = recorder(&path);
        r.complete(2, exchange("b", "2"));
        r.complete(4, exchange("d", "4"));
        r.finish();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "<-CAL:b\n->RET:2\n<-CAL:d\n->RET:4\n"
        );
    }

    #[test]
    fn nothing_recorded_leaves_no_file() {
        let (_dir, path) = temp_path("none.mock");
        let mut r = recorder(&path);
        r.complete(1, vec![]);
        r.finish();
        assert!(!path.exists());
    }

    #[test]
    fn prepare_fails_up_front_for_paths_that_cannot_be_recorded_to() {
        let (_tmp, dir) = temp_path("prepare");
        std::fs::create_dir_all(&dir).unwrap();
        let missing = dir.join("missing").join("x.mock");
        assert!(matches!(
            prepare(&missing),
            Err(RecordError::MissingDirectory { dir: d, .. }) if d == dir.join("missing")
        ));
        let plain = dir.join("plain");
        std::fs::write(&plain, "").unwrap();
        assert!(matches!(
            prepare(&plain.join("deeper").join("x.mock")),
            Err(RecordError::NotADirectory { parent, .. }) if parent == plain
        ));
        assert!(matches!(
            prepare(&dir),
            Err(RecordError::IsADirectory { .. })
        ));
        // A path that can be created is left as it was: absent.
        let fine = dir.join("fine.mock");
        prepare(&fine).unwrap();
        assert!(!fine.exists());
    }

    #[cfg(unix)]
    #[test]
    fn prepare_keeps_devices_and_a_failing_device_is_a_loss() {
        let null = Path::new("/dev/null");
        prepare(null).unwrap();
        assert!(null.exists(), "a device is never removed");
        let full = Path::new("/dev/full");
        if !full.exists() {
            return;
        }
        let mut r = Recorder::new(
            Some(full),
            NewlineOptions::NONE,
            TrailingNewlines::Reference,
        )
        .unwrap();
        assert!(r.loss().is_none());
        r.complete(1, exchange("a", "1"));
        r.complete(2, exchange("b", "2"));
        r.finish();
        let loss = r.loss().expect("a loss");
        assert_eq!(loss.exchanges, 2);
        assert_eq!(loss.path, full);
        assert_eq!(loss.cause.raw_os_error(), Some(28), "ENOSPC");
        assert!(matches!(r.last_error(), Some(RecordError::Write { .. })));
    }

    #[test]
    fn trailing_newlines_are_written_like_the_reference_unless_kept() {
        let one = |trailing, text: &str, ts: Option<&str>| {
            let mut out = String::new();
            format_entry(
                &mut out,
                &RecordEntry {
                    prefix: "->SRV",
                    text: text.into(),
                    timestamp: ts.map(str::to_owned),
                },
                NewlineOptions::NONE,
                trailing,
            )
            .unwrap();
            out
        };
        use TrailingNewlines::*;
        assert_eq!(one(Reference, "a\n", None), "->SRV:a\n");
        assert_eq!(one(Reference, "a\n\n", None), "->SRV:a\n\n");
        assert_eq!(one(Reference, "\n", None), "->SRV:\n");
        assert_eq!(one(Reference, "a\n", Some("T")), "->SRV:a\n--TIM:T\n");
        assert_eq!(
            one(Reference, "a\n<-CAL:x\n", None),
            "->SRV:a\n\\:<-CAL:x\n"
        );
        assert_eq!(one(Keep, "a\n", None), "->SRV:a\n\\:\n");
    }

    #[test]
    fn timestamps_and_markers_follow_the_format_writer() {
        let (_dir, path) = temp_path("tim.mock");
        let mut r = Recorder::new(
            Some(&path),
            NewlineOptions::BOTH,
            TrailingNewlines::Reference,
        )
        .unwrap();
        r.complete(
            1,
            vec![RecordEntry {
                prefix: "<-CLI",
                text: "a\r\nb".into(),
                timestamp: Some("2024-01-01T00:00:00".into()),
            }],
        );
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "<-CLI:a<CR><LF>b\n--TIM:2024-01-01T00:00:00\n"
        );
    }
}
