//! A session of bus traffic on the host: the engine that decides each transaction (replay it,
//! or pass it to the real device and record it), over `.mock` files.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use capturemock_core::format::NewlineOptions;
use capturemock_core::hal::text::{parse_response, write_error, Kind};
use capturemock_core::hal::{Backend, DeviceError, HalError, Transaction};
use capturemock_core::replay::{MatchOptions, Mode, NewRequestPolicy, Unmatched};

use super::error::HalSessionError;
use crate::exchange::{
    Decision, Engine, EngineReport, ExchangeNo, RecordEntry, RecordError, Recorder, Rules,
    TrailingNewlines,
};
use crate::replay_file::{ReplayFile, ReplayOptions};

/// What runs a transaction on the real device when a session records it: it fills the
/// transaction's read buffers (or level) from the device, or says how the device failed.
pub type RealCall<'r, T> = &'r mut dyn FnMut(&mut T) -> Result<(), DeviceError>;

/// The bus traffic of one test or one recording run: every wrapped device
/// ([`HalSession::i2c`] and the like) and every core replay device over it
/// (`I2cReplay::new(&session)`) goes through its one [`Engine`], in the order the driver
/// calls them.
///
/// - **record** ([`HalSession::record`]): each transaction goes to the real device and is
///   recorded, with the device's answer (or its error), to the record file;
/// - **replay** ([`HalSession::replay`]): each transaction is answered from the replay file
///   (exact, else best match; repeats in order) and never reaches a device; it is still
///   written to the record file when there is one, so comparing the two files is the drift
///   check ([`crate::drift`]);
/// - **mode 2**: replay what the replay file has, record what it does not, as elsewhere.
///
/// Cloning gives another handle on the same session.
#[derive(Debug, Clone)]
pub struct HalSession {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    engine: Engine,
    /// Named in reports of transactions the replay file does not answer.
    replay_path: Option<PathBuf>,
    /// Every transaction that could not be answered, as reported.
    failures: Mutex<Vec<String>>,
}

/// The last handle is gone: whatever still waits is written.
impl Drop for Inner {
    fn drop(&mut self) {
        self.engine.flush();
    }
}

/// How a [`HalSession`] is set up; see [`HalSession::builder`].
#[derive(Debug)]
pub struct HalSessionBuilder {
    mode: Mode,
    replay: Option<PathBuf>,
    record: Option<PathBuf>,
    exact_matching: bool,
}

impl HalSessionBuilder {
    /// The replay file (read in replay mode and mode 2; in mode 2 it may be missing).
    pub fn replay_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.replay = Some(path.into());
        self
    }

    /// The record file: every transaction, recorded or replayed, in order. An existing file
    /// is replaced.
    pub fn record_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.record = Some(path.into());
        self
    }

    /// `use_exact_matching`: a transaction not recorded exactly as it is asked is not
    /// answered (off: the nearest recorded transaction of the same bus answers).
    pub fn exact_matching(mut self, on: bool) -> Self {
        self.exact_matching = on;
        self
    }

    /// Loads the replay file and prepares the record file.
    pub fn open(self) -> Result<HalSession, HalSessionError> {
        let replay = match (&self.replay, self.mode) {
            (Some(path), Mode::Replay | Mode::ReplayOldRecordNew) if path.exists() => {
                let options = ReplayOptions {
                    newlines: NewlineOptions::NONE,
                    matching: MatchOptions {
                        exact_only: false,
                        trim_request: true,
                    },
                    word_index: true,
                };
                Some(Arc::new(Mutex::new(ReplayFile::load(path, options)?)))
            }
            (Some(path), Mode::Replay) => {
                return Err(HalSessionError::MissingReplayFile { path: path.clone() })
            }
            (None, Mode::Replay) => return Err(HalSessionError::NoReplayFile),
            _ => None,
        };
        let recorder = Recorder::new(
            self.record.as_deref(),
            NewlineOptions::NONE,
            TrailingNewlines::Reference,
        )?;
        let rules = Rules {
            mode: self.mode,
            new_requests: NewRequestPolicy::Reference,
            exact_matching: self.exact_matching,
            ..Rules::default()
        };
        Ok(HalSession {
            inner: Arc::new(Inner {
                engine: Engine::new(rules, replay, Some(recorder)),
                replay_path: self.replay,
                failures: Mutex::new(Vec::new()),
            }),
        })
    }
}

impl HalSession {
    /// A session in `mode`; add files, then [`open`](HalSessionBuilder::open) it.
    pub fn builder(mode: Mode) -> HalSessionBuilder {
        HalSessionBuilder {
            mode,
            replay: None,
            record: None,
            exact_matching: false,
        }
    }

    /// Records every transaction of the wrapped devices to `path`.
    pub fn record(path: impl AsRef<Path>) -> Result<Self, HalSessionError> {
        Self::builder(Mode::Record)
            .record_file(path.as_ref())
            .open()
    }

    /// Answers every transaction from `path`, with no device at all: the host-side replay of
    /// a `.mock` file, for the core's replay devices (`I2cReplay::new(&session)`) or wrapped
    /// devices that are never called.
    pub fn replay(path: impl AsRef<Path>) -> Result<Self, HalSessionError> {
        Self::builder(Mode::Replay)
            .replay_file(path.as_ref())
            .open()
    }

    /// The replay file, if one was given.
    pub fn replay_path(&self) -> Option<&Path> {
        self.inner.replay_path.as_deref()
    }

    /// The mode.
    pub fn mode(&self) -> Mode {
        self.inner.engine.rules().mode
    }

    /// Every transaction that could not be answered so far (the request entry and why), as
    /// reported on stderr when it happened.
    pub fn failures(&self) -> Vec<String> {
        lock(&self.inner.failures).clone()
    }

    /// Writes whatever waits to the record file.
    pub fn flush(&self) {
        self.inner.engine.flush();
    }

    /// What the engine did: near misses (transactions without an exact match) and recorded
    /// transactions never replayed.
    pub fn finish(&self) -> EngineReport {
        self.inner.engine.finish()
    }

    /// Runs one transaction: replayed, or passed to `real` (which fills the transaction's
    /// buffers from the real device) and recorded. The request text is taken before `real`
    /// runs, since a transfer in place overwrites what it wrote.
    pub fn run<T: Transaction + ?Sized>(
        &self,
        transaction: &mut T,
        real: Option<RealCall<'_, T>>,
    ) -> Result<(), HalError> {
        self.run_as(transaction, real, |t, text| {
            parse_response(text).and_then(|r| t.answer(r))
        })
    }

    /// [`run`](Self::run), with `answer` taking a replayed transaction's recorded response
    /// text: what a bridge that passes the text on over a link uses.
    pub(crate) fn run_as<T: Transaction + ?Sized>(
        &self,
        transaction: &mut T,
        real: Option<RealCall<'_, T>>,
        answer: impl FnOnce(&mut T, &str) -> Result<(), HalError>,
    ) -> Result<(), HalError> {
        let kind = transaction.kind();
        let mut request = String::new();
        // Writing to a String cannot fail.
        let _ = transaction.write_request(&mut request);
        let key = format!("{}:{request}", kind.request_prefix());
        let engine = &self.inner.engine;
        let (n, decision) = engine.decide_next(&key);
        match decision {
            Decision::Record => {
                let Some(real) = real else {
                    self.complete(n, kind, &request, None)?;
                    return self.fail(&key, "nothing recorded answers it", HalError::Host);
                };
                let outcome = real(transaction);
                let mut response = String::new();
                let _ = match outcome {
                    Ok(()) => transaction.write_response(&mut response),
                    Err(e) => write_error(&mut response, e),
                };
                self.complete(n, kind, &request, Some(&response))?;
                outcome.map_err(HalError::Device)
            }
            Decision::Replay(replayed) => {
                let response = replayed
                    .responses
                    .into_iter()
                    .find(|r| r.type_id() == kind.type_id());
                self.complete(n, kind, &request, response.as_ref().map(|r| r.text()))?;
                let outcome = match &response {
                    None => Err(HalError::NoResponse),
                    Some(r) => answer(transaction, r.text()),
                };
                match outcome {
                    Err(error) if !matches!(error, HalError::Device(_)) => {
                        self.fail(&key, &error.to_string(), error)
                    }
                    outcome => outcome,
                }
            }
            Decision::Forbidden => {
                self.complete(n, kind, &request, None)?;
                self.fail(
                    &key,
                    "reaching the real device is forbidden",
                    HalError::Host,
                )
            }
            Decision::Mismatch => {
                self.complete(n, kind, &request, None)?;
                let error = HalError::Unmatched(Unmatched::ExactMatchingRequired);
                self.fail(&key, &error.to_string(), error)
            }
            Decision::Unanswered => {
                self.complete(n, kind, &request, None)?;
                let error = HalError::Unmatched(Unmatched::NoCandidate);
                self.fail(&key, &error.to_string(), error)
            }
        }
    }

    /// Whether, in mode 2, the session replays `key` (a whole request entry, e.g.
    /// `<-I2C:0x48 read 2`) rather than recording it; looks it up without using anything up,
    /// so that a bridge can tell a device whether to ask its real device first. Always false in
    /// record mode.
    pub fn would_replay(&self, key: &str) -> bool {
        self.inner.engine.would_replay(key)
    }

    /// Records exchange `n`: the request and, if there is one, the response.
    fn complete(
        &self,
        n: ExchangeNo,
        kind: Kind,
        request: &str,
        response: Option<&str>,
    ) -> Result<(), HalError> {
        let engine = &self.inner.engine;
        let mut entries = Vec::new();
        if engine.records() {
            entries.push(entry(kind.request_prefix(), request));
            entries.extend(response.map(|text| entry(kind.response_prefix(), text)));
        }
        match engine.complete(n, entries) {
            Some(RecordError::Write { path, source }) => {
                let why = format!("cannot write {}: {source}", path.display());
                self.fail(kind.request_prefix(), &why, HalError::Host)
            }
            _ => Ok(()),
        }
    }

    /// Reports a transaction that was not answered (the host's report hook) and returns its
    /// error.
    fn fail(&self, request: &str, why: &str, error: HalError) -> Result<(), HalError> {
        let line = match &self.inner.replay_path {
            Some(path) => format!("{request}: {why} (replay file {})", path.display()),
            None => format!("{request}: {why}"),
        };
        eprintln!("capturemock: {line}");
        lock(&self.inner.failures).push(line);
        Err(error)
    }
}

/// A session is the host's backend for the core's replay devices: they answer from its
/// replay file, and what they cannot answer is reported ([`HalSession::failures`]).
impl Backend for HalSession {
    fn exchange(&self, transaction: &mut dyn Transaction) -> Result<(), HalError> {
        self.run(transaction, None)
    }
}

fn entry(prefix: &'static str, text: &str) -> RecordEntry {
    RecordEntry {
        prefix,
        text: text.to_string(),
        timestamp: None,
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Only pushes and clones happen under it: a panic elsewhere leaves it consistent.
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
