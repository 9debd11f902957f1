//! The record file, written in accept order whatever order exchanges complete in.
//!
//! A completed exchange whose predecessors are all written (or given up on) is written at
//! once; otherwise it waits in memory. Each exchange's entries go out in one write followed by
//! a flush to the operating system (no `fsync`): a crash of this process loses nothing that
//! was written, a crash of the machine may. The file is removed when the recorder is made and
//! created on the first write, so a run that records nothing leaves no file, like the
//! reference.
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
use std::io::Write;
use std::path::{Path, PathBuf};

use capturemock_core::format::{try_write_entry, validate_entry, NewlineOptions, WriteError};

use super::sequencer::ExchangeNo;

/// One entry to record: `<prefix>:<text>` and an optional `--TIM:` timestamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordEntry {
    /// `<-CAL`, `->RET`, `<-CLI`, `->SRV`, ...
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
    Keep,
}

/// Why the record file could not be prepared or written.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// An existing record file could not be removed before the run.
    #[error("cannot remove old record file {}: {source}", path.display())]
    Remove {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// Writing failed.
    #[error("cannot write record file {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
}

/// Writes exchanges to the record file in exchange-number order.
#[derive(Debug)]
pub struct Recorder {
    path: Option<PathBuf>,
    file: Option<File>,
    newlines: NewlineOptions,
    trailing: TrailingNewlines,
    /// The next exchange to write.
    next: ExchangeNo,
    pending: BTreeMap<ExchangeNo, Vec<RecordEntry>>,
    gave_up_on: BTreeSet<ExchangeNo>,
    written_exchanges: u64,
    failures: u64,
}

impl Recorder {
    /// A recorder for `path` (none: record nothing). Removes an existing file.
    pub fn new(
        path: Option<&Path>,
        newlines: NewlineOptions,
        trailing: TrailingNewlines,
    ) -> Result<Self, RecordError> {
        if let Some(path) = path {
            match std::fs::remove_file(path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => {
                    return Err(RecordError::Remove {
                        path: path.to_path_buf(),
                        source,
                    })
                }
            }
        }
        Ok(Recorder {
            path: path.map(Path::to_path_buf),
            file: None,
            newlines,
            trailing,
            next: 1,
            pending: BTreeMap::new(),
            gave_up_on: BTreeSet::new(),
            written_exchanges: 0,
            failures: 0,
        })
    }

    /// Exchange `n` is complete with these entries (possibly none).
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
                self.fail(source);
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

    fn write(&mut self, n: ExchangeNo, entries: &[RecordEntry]) {
        let Some(path) = &self.path else {
            return;
        };
        if entries.is_empty() {
            return;
        }
        let mut text = String::new();
        for entry in entries {
            if let Err(e) = self.format(&mut text, entry) {
                // Our prefixes are fixed and valid, and timestamps have no line breaks, so
                // this is a bug rather than bad input; say so and keep the rest.
                tracing::error!(
                    exchange = n,
                    prefix = entry.prefix,
                    "cannot record entry: {e}"
                );
            }
        }
        if self.file.is_none() {
            match OpenOptions::new().create(true).append(true).open(path) {
                Ok(file) => self.file = Some(file),
                Err(source) => return self.fail(source),
            }
        }
        let result = match &mut self.file {
            Some(file) => file.write_all(text.as_bytes()).and_then(|()| file.flush()),
            None => Ok(()),
        };
        match result {
            Ok(()) => self.written_exchanges += 1,
            Err(source) => self.fail(source),
        }
    }

    /// One entry as text, trailing newlines handled per [`TrailingNewlines`].
    fn format(&self, out: &mut String, entry: &RecordEntry) -> Result<(), WriteError> {
        let body = entry.text.trim_end_matches('\n');
        let extra = entry.text.len() - body.len();
        // With preserve_lf every LF is written `<LF>`, so there is nothing to decide.
        if extra == 0 || self.trailing == TrailingNewlines::Keep || self.newlines.preserve_lf {
            return try_write_entry(
                out,
                entry.prefix,
                &entry.text,
                entry.timestamp.as_deref(),
                self.newlines,
            );
        }
        validate_entry(entry.prefix, entry.timestamp.as_deref(), self.newlines)?;
        try_write_entry(out, entry.prefix, body, None, self.newlines)?;
        for _ in 1..extra {
            out.push('\n');
        }
        if let Some(timestamp) = &entry.timestamp {
            out.push_str("--TIM:");
            out.push_str(timestamp);
            out.push('\n');
        }
        Ok(())
    }

    fn fail(&mut self, source: std::io::Error) {
        self.failures += 1;
        let error = RecordError::Write {
            path: self.path.clone().unwrap_or_default(),
            source,
        };
        tracing::error!("{error}");
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

    fn temp_path(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("capturemock-recorder-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join(name)
    }

    #[test]
    fn writes_in_exchange_order_whatever_the_completion_order() {
        let path = temp_path("order.mock");
        std::fs::write(&path, "old contents\n").unwrap();
        let mut r = Recorder::new(
            Some(&path),
            NewlineOptions::NONE,
            TrailingNewlines::Reference,
        )
        .unwrap();
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
        let path = temp_path("late.mock");
        let mut r = Recorder::new(
            Some(&path),
            NewlineOptions::NONE,
            TrailingNewlines::Reference,
        )
        .unwrap();
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
        let path = temp_path("finish.mock");
        let mut r = Recorder::new(
            Some(&path),
            NewlineOptions::NONE,
            TrailingNewlines::Reference,
        )
        .unwrap();
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
        let path = temp_path("none.mock");
        let mut r = Recorder::new(
            Some(&path),
            NewlineOptions::NONE,
            TrailingNewlines::Reference,
        )
        .unwrap();
        r.complete(1, vec![]);
        r.finish();
        assert!(!path.exists());
    }

    #[test]
    fn trailing_newlines_are_written_like_the_reference_unless_kept() {
        let one = |trailing, text: &str, ts: Option<&str>| {
            let r = Recorder::new(None, NewlineOptions::NONE, trailing).unwrap();
            let mut out = String::new();
            r.format(
                &mut out,
                &RecordEntry {
                    prefix: "->SRV",
                    text: text.into(),
                    timestamp: ts.map(str::to_owned),
                },
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
        let path = temp_path("tim.mock");
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
