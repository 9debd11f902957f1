//! A capture session: the mode, the replay file loaded into the core engine, the record file
//! written in order. Shared by every thread that captures into it.
//! There is no transport and no sequencer: exchanges are numbered by the engine's
//! [`decide_next`](crate::exchange::Engine::decide_next) under the replay file's lock, so
//! numbers, repeat counters and the record file follow the order in which threads asked. The
//! real call runs outside every lock: a slow one holds back the writing of later exchanges
//! (they wait in memory for their turn in the file) but not their lookups.

use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use capturemock_core::format::NewlineOptions;
use capturemock_core::replay::{MatchOptions, Mode, NewRequestPolicy};

use super::codec::{Codec, Json, Text};
use super::current;
use super::CaptureError;
use crate::alterations::Alterations;
use crate::exchange::{
    Decision, Engine, ExchangeNo, RecordEntry, RecordError, Recorder, Rules, TrailingNewlines,
};
use crate::rc::RcConfig;
use crate::replay_file::{ReplayFile, ReplayOptions};

// A capture's entries are the custom-client type's, so that capture files and
// custom-client files are one format.
use crate::traffic::custom::{REQUEST_PREFIX, RESPONSE_PREFIX};

/// A capture session. Cloning gives another handle on the same session (for other threads:
/// [`enter`](Session::enter) it there).
/// A session is `Send` and `Sync`; what stays on one thread is the guard that makes it
/// current there.
#[derive(Debug, Clone)]
pub struct Session {
    inner: Arc<Inner>,
}

/// What every handle of a session shares; dropped with the last handle.
#[derive(Debug)]
struct Inner {
    /// Decides, counts repeats and records, as for every other way into capturemock.
    engine: Engine,
    /// For messages: a description that is not recorded names the file it is missing from.
    replay_path: Option<PathBuf>,
    /// Reported by [`Session::record_path`].
    record_path: Option<PathBuf>,
    /// How many instances of each captured trait were named (`conn` → 2: `conn_1`, `conn_2`),
    /// so that names follow the order of the session's calls and a recording reads the same
    /// every time it is made.
    instances: Mutex<HashMap<String, u32>>,
}

/// The last handle is gone: whatever still waits is written, so a session nobody flushed
/// still leaves a complete record file.
impl Drop for Inner {
    fn drop(&mut self) {
        self.engine.flush();
    }
}

/// How a [`Session`] is set up; see [`Session::builder`].
#[derive(Debug)]
pub struct SessionBuilder {
    mode: Mode,
    replay: Option<PathBuf>,
    record: Option<PathBuf>,
    /// `use_exact_matching`; the engine enforces it, so that its near-miss log can still name
    /// the nearest recorded description.
    exact_matching: bool,
    /// How CR and LF inside texts are written to the record file; the replay file is read the
    /// same way.
    newlines: NewlineOptions,
    /// Mode 2's treatment of descriptions with no exact match; the reference's by default.
    policy: NewRequestPolicy,
    /// Applied to descriptions before the lookup, and to results recorded from the real call.
    alterations: Alterations,
    /// Nothing real may be called (also when `CAPTUREMOCK_FORBID_REAL` says so).
    forbid_real: bool,
}

impl SessionBuilder {
    /// The replay file (read in replay mode and mode 2; in mode 2 it may be missing).
    pub fn replay_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.replay = Some(path.into());
        self
    }

    /// The record file: every exchange of the session, replayed or recorded, in the order the
    /// exchanges began. An existing file is removed when the session opens.
    pub fn record_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.record = Some(path.into());
        self
    }

    /// `use_exact_matching`: replay only requests recorded exactly as they are asked (off:
    /// the nearest recorded request answers, as in the reference).
    pub fn exact_matching(mut self, on: bool) -> Self {
        self.exact_matching = on;
        self
    }

    /// Never call the real thing: a capture that would record fails with
    /// [`CaptureError::Forbidden`] instead. On whatever this says when
    /// `CAPTUREMOCK_FORBID_REAL=1`; record mode (`Mode::Record`) then cannot open at all.
    pub fn forbid_real(mut self, on: bool) -> Self {
        self.forbid_real = on;
        self
    }

    /// `preserve_cr` / `preserve_lf`.
    pub fn newlines(mut self, newlines: NewlineOptions) -> Self {
        self.newlines = newlines;
        self
    }

    /// What mode 2 does with a request that has no exact match (default: the reference's).
    pub fn new_requests(mut self, policy: NewRequestPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Takes `use_exact_matching`, `preserve_cr`, `preserve_lf` and the alterations (applied to
    /// descriptions, and to recorded results) from the `[general]` section of an rc file.
    pub fn rc(mut self, rc: &RcConfig) -> Result<Self, CaptureError> {
        let general = rc.general()?;
        self.exact_matching = general.use_exact_matching;
        self.newlines = NewlineOptions {
            preserve_cr: general.preserve_cr,
            preserve_lf: general.preserve_lf,
        };
        let (alterations, warnings) = Alterations::from_rc(rc, &["general"])?;
        for warning in warnings {
            tracing::warn!("{warning}");
        }
        self.alterations = alterations;
        Ok(self)
    }

    /// Loads the replay file and prepares the record file.
    /// Errors: the record file is the replay file (recording would remove what is being
    /// replayed), the replay file is missing in replay mode (in mode 2 a missing file means
    /// recording everything), the replay file does not load, or the record file cannot be
    /// prepared.
    pub fn open(self) -> Result<Session, CaptureError> {
        let forbid_real = self.forbid_real || crate::record_mode::forbid_real_from_env();
        if forbid_real && self.mode == Mode::Record {
            return Err(CaptureError::Forbidden {
                what: match &self.record {
                    Some(path) => format!("recording {}", path.display()),
                    None => "a session in record mode".to_string(),
                },
            });
        }
        let replay = match (&self.replay, self.mode) {
            (Some(path), Mode::Replay | Mode::ReplayOldRecordNew) if path.exists() => {
                if self.record.as_deref().is_some_and(|r| same_file(r, path)) {
                    return Err(CaptureError::RecordOverReplay { path: path.clone() });
                }
                let options = ReplayOptions {
                    newlines: self.newlines,
                    matching: MatchOptions {
                        // The engine enforces exact matching itself, so that its near-miss
                        // log can name the nearest recorded description.
                        exact_only: false,
                        // Descriptions are ours, not the reference's wire text: a trailing
                        // space should not stop an exact match.
                        trim_request: true,
                    },
                    word_index: true,
                };
                Some(Arc::new(Mutex::new(ReplayFile::load(path, options)?)))
            }
            (Some(path), Mode::Replay) => {
                return Err(CaptureError::MissingReplayFile { path: path.clone() })
            }
            _ => None,
        };
        let recorder = Recorder::new(
            self.record.as_deref(),
            self.newlines,
            // In-process results must come back exactly, trailing newlines included.
            TrailingNewlines::Keep,
        )?;
        let rules = Rules {
            mode: self.mode,
            new_requests: self.policy,
            exact_matching: self.exact_matching,
            alterations: self.alterations,
            forbid_real,
            ..Rules::default()
        };
        Ok(Session {
            inner: Arc::new(Inner {
                engine: Engine::new(rules, replay, Some(recorder)),
                replay_path: self.replay,
                record_path: self.record,
                instances: Mutex::new(HashMap::new()),
            }),
        })
    }
}

/// Compares canonical paths when both files exist, so `./a.mock` and `a.mock` are one file;
/// otherwise the paths as given.
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Exchange `n` is being recorded; if the real call panics (or the future is dropped), the
/// exchange completes with nothing, so that later exchanges are not held back.
struct Pending<'s> {
    inner: &'s Inner,
    n: ExchangeNo,
}

impl Pending<'_> {
    /// The real call is over: the caller completes the exchange itself. `forget` skips the
    /// `Drop` that would complete it empty.
    fn disarm(self) -> ExchangeNo {
        let n = self.n;
        std::mem::forget(self);
        n
    }
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        self.inner.engine.complete(self.n, Vec::new());
    }
}

/// A record entry of a capture: captures, like custom-client traffic, carry no timestamp.
fn entry(prefix: &'static str, text: &str) -> RecordEntry {
    RecordEntry {
        prefix,
        text: text.to_string(),
        timestamp: None,
    }
}

impl Session {
    /// A session in `mode`; add files and options, then [`open`](SessionBuilder::open) it.
    pub fn builder(mode: Mode) -> SessionBuilder {
        SessionBuilder {
            mode,
            replay: None,
            record: None,
            exact_matching: false,
            newlines: NewlineOptions::NONE,
            policy: NewRequestPolicy::Reference,
            alterations: Alterations::empty(),
            forbid_real: false,
        }
    }

    /// The mode.
    pub fn mode(&self) -> Mode {
        self.inner.engine.rules().mode
    }

    /// The record file, if any.
    pub fn record_path(&self) -> Option<&Path> {
        self.inner.record_path.as_deref()
    }

    /// Makes this the session that [`capture`](super::capture) and friends use on this
    /// thread until the guard is dropped.
    pub fn enter(&self) -> current::Entered {
        current::enter(self.clone())
    }

    /// Writes whatever waits and flushes the record file. Exchanges still running keep
    /// their place only if they finish before the next flush.
    pub fn flush(&self) {
        self.inner.engine.flush();
    }

    /// A fresh name for an instance a captured call returned: `<kind>_<n>`, numbered from 1
    /// per kind in the order the session made them (`conn_1`, `conn_2`). Later calls on the
    /// instance are recorded under this name.
    pub fn instance_name(&self, kind: &str) -> String {
        let mut counts = self
            .inner
            .instances
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let n = counts.entry(kind.to_string()).or_insert(0);
        *n += 1;
        format!("{kind}_{n}")
    }

    /// An instance name met in a replayed result (`conn_7`): names made afterwards for the
    /// same kind are numbered past it, so that they never repeat one the replay file uses.
    pub(crate) fn instance_seen(&self, name: &str) {
        let Some((kind, n)) = name.rsplit_once('_') else {
            return;
        };
        let Ok(n) = n.parse::<u32>() else {
            return;
        };
        let mut counts = self
            .inner
            .instances
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let count = counts.entry(kind.to_string()).or_insert(0);
        *count = (*count).max(n);
    }

    /// Whether both handles are the same session.
    pub fn same_as(&self, other: &Session) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// [`super::try_capture`] in this session.
    pub fn try_capture<T>(
        &self,
        description: impl AsRef<str>,
        real: impl FnOnce() -> T,
    ) -> Result<T, CaptureError>
    where
        T: serde::Serialize + serde::de::DeserializeOwned,
    {
        self.run(description.as_ref(), &Json, real)
    }

    /// [`super::capture`] in this session.
    #[track_caller]
    pub fn capture<T>(&self, description: impl AsRef<str>, real: impl FnOnce() -> T) -> T
    where
        T: serde::Serialize + serde::de::DeserializeOwned,
    {
        self.try_capture(description, real)
            .unwrap_or_else(|e| panic!("capturemock: {}", crate::ErrorChain(&e)))
    }

    /// [`super::try_capture_text`] in this session.
    pub fn try_capture_text(
        &self,
        description: impl AsRef<str>,
        real: impl FnOnce() -> String,
    ) -> Result<String, CaptureError> {
        self.run(description.as_ref(), &Text, real)
    }

    /// [`super::capture_text`] in this session.
    #[track_caller]
    pub fn capture_text(
        &self,
        description: impl AsRef<str>,
        real: impl FnOnce() -> String,
    ) -> String {
        self.try_capture_text(description, real)
            .unwrap_or_else(|e| panic!("capturemock: {}", crate::ErrorChain(&e)))
    }

    /// [`try_capture`](Self::try_capture) for async code: `real` is awaited only when the
    /// mode needs the real thing. (Nested captures are not detected across tasks: a capture
    /// inside `real` is recorded too.)
    pub async fn try_capture_async<T>(
        &self,
        description: impl AsRef<str>,
        real: impl Future<Output = T>,
    ) -> Result<T, CaptureError>
    where
        T: serde::Serialize + serde::de::DeserializeOwned,
    {
        self.run_async(description.as_ref(), &Json, real).await
    }

    /// [`try_capture_async`](Self::try_capture_async) with any codec: what a captured
    /// `async fn` does.
    pub(crate) async fn run_async<C: Codec<T>, T>(
        &self,
        description: &str,
        codec: &C,
        real: impl Future<Output = T>,
    ) -> Result<T, CaptureError> {
        match self.begin(description, codec)? {
            Ok(value) => Ok(value),
            Err((desc, n)) => {
                let pending = Pending {
                    inner: &self.inner,
                    n,
                };
                let value = real.await;
                self.finish(pending, &desc, codec, value)
            }
        }
    }

    /// A synchronous capture: `begin`, then, if the mode needs the real thing, the real call
    /// (marked, so that captures inside it are recognised) and `finish`.
    pub(crate) fn run<C: Codec<T>, T>(
        &self,
        description: &str,
        codec: &C,
        real: impl FnOnce() -> T,
    ) -> Result<T, CaptureError> {
        // A capture inside the real call of another capture on this thread is part of it:
        // replay never makes it, so recording it would only make drift.
        if current::in_real_call() {
            return Ok(real());
        }
        match self.begin(description, codec)? {
            Ok(value) => Ok(value),
            Err((desc, n)) => {
                let pending = Pending {
                    inner: &self.inner,
                    n,
                };
                let value = current::real_call(real);
                self.finish(pending, &desc, codec, value)
            }
        }
    }

    /// Asks the engine: the replayed value, or the altered description and the number of the
    /// exchange to record.
    ///
    /// This is the hot path of a replayed test, so it allocates little: the lookup key is
    /// built once with the description in it, a single recorded response becomes the result
    /// text without a copy, and record entries are made only when there is a record file.
    #[allow(clippy::type_complexity)]
    fn begin<C: Codec<T>, T>(
        &self,
        description: &str,
        codec: &C,
    ) -> Result<Result<T, (String, ExchangeNo)>, CaptureError> {
        if description.is_empty() {
            return Err(CaptureError::EmptyDescription);
        }
        let engine = &self.inner.engine;
        let mut key = String::with_capacity(REQUEST_PREFIX.len() + 1 + description.len());
        key.push_str(REQUEST_PREFIX);
        key.push(':');
        if engine.rules().alterations.is_empty() {
            key.push_str(description);
        } else {
            key.push_str(&engine.alter(None, description));
        }
        let desc = &key[REQUEST_PREFIX.len() + 1..];
        if desc.is_empty() {
            return Err(CaptureError::EmptyDescription);
        }
        let (n, decision) = engine.decide_next(&key);
        let replayed = match decision {
            Decision::Record => return Ok(Err((desc.to_string(), n))),
            Decision::Replay(replayed) => replayed,
            Decision::Forbidden => {
                self.complete(n, desc, None)?;
                return Err(CaptureError::Forbidden {
                    what: format!("{desc:?}, which is not recorded,"),
                });
            }
            unanswered => {
                // Whatever went wrong, exchange `n` is over: later ones must not wait for it.
                self.complete(n, desc, None)?;
                let reason = match unanswered {
                    Decision::Mismatch => "exact matching is on and it is not recorded as it is",
                    _ if desc.trim().is_empty() => "it is empty",
                    _ => "no recorded description shares a word with it",
                };
                return Err(CaptureError::NotRecorded {
                    description: desc.to_string(),
                    path: self.inner.replay_path.clone().unwrap_or_default(),
                    reason,
                });
            }
        };
        let request = replayed.request;
        let mut returned = replayed
            .responses
            .into_iter()
            .filter(|r| r.type_id() == "RET");
        let text = match (returned.next(), returned.next()) {
            (None, _) => {
                self.complete(n, desc, None)?;
                return Err(CaptureError::NoResponse {
                    description: desc.to_string(),
                    key: engine.request_key(request).unwrap_or_default(),
                });
            }
            (Some(only), None) => only.into_text(),
            (Some(first), Some(second)) => {
                let mut text = first.into_text();
                text.push_str(second.text());
                returned.for_each(|r| text.push_str(r.text()));
                text
            }
        };
        self.complete(n, desc, Some(&text))?;
        codec
            .decode(&text)
            .map(Ok)
            .map_err(|source| CaptureError::Decode {
                description: desc.to_string(),
                key: engine.request_key(request).unwrap_or_default(),
                response: text,
                source,
            })
    }

    /// Records the real call's result: encoded, altered, recorded under the exchange's number,
    /// then decoded back once, so that a value the replay could not read is an error now
    /// ([`CaptureError::NotReplayable`]) rather than in the next run. The caller gets the real
    /// value, not the decoded copy.
    fn finish<C: Codec<T>, T>(
        &self,
        pending: Pending<'_>,
        desc: &str,
        codec: &C,
        value: T,
    ) -> Result<T, CaptureError> {
        let n = pending.disarm();
        let text = match codec.encode(&value) {
            Ok(text) => self.inner.engine.alter(Some(n), &text),
            Err(source) => {
                self.complete(n, desc, None)?;
                return Err(CaptureError::Encode {
                    description: desc.to_string(),
                    source,
                });
            }
        };
        self.complete(n, desc, Some(&text))?;
        // Found out now rather than when a replay cannot read it.
        codec
            .decode(&text)
            .map_err(|source| CaptureError::NotReplayable {
                description: desc.to_string(),
                json: text,
                source,
            })?;
        Ok(value)
    }

    /// Completes exchange `n`: its description and, if it has one, its result are recorded.
    /// A failed write of the record file is this capture's error.
    fn complete(
        &self,
        n: ExchangeNo,
        desc: &str,
        result: Option<&str>,
    ) -> Result<(), CaptureError> {
        let engine = &self.inner.engine;
        let mut entries = Vec::new();
        if engine.records() {
            entries.push(entry(REQUEST_PREFIX, desc));
            entries.extend(result.map(|text| entry(RESPONSE_PREFIX, text)));
        }
        match engine.complete(n, entries) {
            Some(RecordError::Write { path, source }) => {
                Err(CaptureError::RecordWrite { path, source })
            }
            _ => Ok(()),
        }
    }
}
