//! A capture session: the mode, the replay file loaded into the core engine, the record file
//! written in order. Shared by every thread that captures into it.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use capturemock_core::format::NewlineOptions;
use capturemock_core::replay::{
    Action, MatchKind, MatchOptions, Mode, NewRequestPolicy, Unmatched,
};

use super::codec::{Codec, Json, Text};
use super::current;
use super::CaptureError;
use crate::alterations::Alterations;
use crate::rc::RcConfig;
use crate::replay_file::{ReplayFile, ReplayOptions};
use crate::server::recorder::{RecordEntry, RecordError, Recorder, TrailingNewlines};

/// The prefix of a capture's request entry: the custom-client type, so that capture files
/// and custom-client files are one format.
const REQUEST_PREFIX: &str = "<-CAL";
/// The prefix of a capture's response entry.
const RESPONSE_PREFIX: &str = "->RET";

/// A capture session. Cloning gives another handle on the same session (for other threads:
/// [`enter`](Session::enter) it there).
#[derive(Debug, Clone)]
pub struct Session {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    mode: Mode,
    policy: NewRequestPolicy,
    alterations: Alterations,
    replay_path: Option<PathBuf>,
    record_path: Option<PathBuf>,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    replay: Option<ReplayFile>,
    recorder: Recorder,
    /// The next exchange number: exchanges are written in the order they began.
    next: u64,
    /// Write failures already reported.
    failures: u64,
}

impl Drop for Inner {
    fn drop(&mut self) {
        lock(&self.state).recorder.finish();
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    // Every update leaves the state consistent, so a panic elsewhere does not spoil it.
    state.lock().unwrap_or_else(|e| e.into_inner())
}

/// How a [`Session`] is set up; see [`Session::builder`].
#[derive(Debug)]
pub struct SessionBuilder {
    mode: Mode,
    replay: Option<PathBuf>,
    record: Option<PathBuf>,
    exact_matching: bool,
    newlines: NewlineOptions,
    policy: NewRequestPolicy,
    alterations: Alterations,
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
    pub fn open(self) -> Result<Session, CaptureError> {
        let replay = match (&self.replay, self.mode) {
            (Some(path), Mode::Replay | Mode::ReplayOldRecordNew) if path.exists() => {
                if self.record.as_deref().is_some_and(|r| same_file(r, path)) {
                    return Err(CaptureError::RecordOverReplay { path: path.clone() });
                }
                let options = ReplayOptions {
                    newlines: self.newlines,
                    matching: MatchOptions {
                        exact_only: self.exact_matching,
                        // Descriptions are ours, not the reference's wire text: a trailing
                        // space should not stop an exact match.
                        trim_request: true,
                    },
                    word_index: true,
                };
                Some(ReplayFile::load(path, options)?)
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
        Ok(Session {
            inner: Arc::new(Inner {
                mode: self.mode,
                policy: self.policy,
                alterations: self.alterations,
                replay_path: self.replay,
                record_path: self.record,
                state: Mutex::new(State {
                    replay,
                    recorder,
                    next: 1,
                    failures: 0,
                }),
            }),
        })
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// What to do for one capture, decided under the lock.
enum Step {
    /// The response text replayed.
    Replayed { key: String, text: String },
    /// Call the real thing and record exchange `n`.
    Record { n: u64 },
}

/// Exchange `n` is being recorded; if the real call panics (or the future is dropped), the
/// exchange completes with nothing, so that later exchanges are not held back.
struct Pending<'s> {
    inner: &'s Inner,
    n: u64,
}

impl Pending<'_> {
    /// The real call is over: the caller completes the exchange itself.
    fn disarm(self) -> u64 {
        let n = self.n;
        std::mem::forget(self);
        n
    }
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        lock(&self.inner.state)
            .recorder
            .complete(self.n, Vec::new());
    }
}

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
        }
    }

    /// The mode.
    pub fn mode(&self) -> Mode {
        self.inner.mode
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
        lock(&self.inner.state).recorder.finish();
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
        self.run::<Json, T>(description.as_ref(), real)
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
        self.run::<Text, String>(description.as_ref(), real)
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
        let description = description.as_ref();
        match self.begin::<Json, T>(description)? {
            Ok(value) => Ok(value),
            Err((desc, n)) => {
                let pending = Pending {
                    inner: &self.inner,
                    n,
                };
                let value = real.await;
                self.finish::<Json, T>(pending, &desc, value)
            }
        }
    }

    fn run<C: Codec<T>, T>(
        &self,
        description: &str,
        real: impl FnOnce() -> T,
    ) -> Result<T, CaptureError> {
        // A capture inside the real call of another capture on this thread is part of it:
        // replay never makes it, so recording it would only make drift.
        if current::in_real_call() {
            return Ok(real());
        }
        match self.begin::<C, T>(description)? {
            Ok(value) => Ok(value),
            Err((desc, n)) => {
                let pending = Pending {
                    inner: &self.inner,
                    n,
                };
                let value = current::real_call(real);
                self.finish::<C, T>(pending, &desc, value)
            }
        }
    }

    /// Decides under the lock: the replayed value, or the altered description and the number
    /// of the exchange to record.
    #[allow(clippy::type_complexity)]
    fn begin<C: Codec<T>, T>(
        &self,
        description: &str,
    ) -> Result<Result<T, (String, u64)>, CaptureError> {
        if description.is_empty() {
            return Err(CaptureError::EmptyDescription);
        }
        let inner = &*self.inner;
        let desc = inner.alterations.apply(description);
        if desc.is_empty() {
            return Err(CaptureError::EmptyDescription);
        }
        let mut state = lock(&inner.state);
        let n = state.next;
        state.next += 1;
        let step = self.decide(&mut state, &desc, n);
        let step = match step {
            Ok(step) => step,
            Err(e) => {
                // Whatever went wrong, exchange `n` is over: later ones must not wait for it.
                self.complete(&mut state, n, vec![entry(REQUEST_PREFIX, &desc)])?;
                return Err(e);
            }
        };
        match step {
            Step::Record { n } => Ok(Err((desc, n))),
            Step::Replayed { key, text } => {
                self.complete(
                    &mut state,
                    n,
                    vec![entry(REQUEST_PREFIX, &desc), entry(RESPONSE_PREFIX, &text)],
                )?;
                drop(state);
                C::decode(&text)
                    .map(Ok)
                    .map_err(|source| CaptureError::Decode {
                        description: desc,
                        key,
                        response: text,
                        source,
                    })
            }
        }
    }

    fn decide(&self, state: &mut State, desc: &str, n: u64) -> Result<Step, CaptureError> {
        let inner = &*self.inner;
        let key = format!("{REQUEST_PREFIX}:{desc}");
        let has_entries = state.replay.as_ref().is_some_and(|r| !r.is_empty());
        let exact = match (&mut state.replay, inner.policy) {
            (Some(replay), NewRequestPolicy::RecordUnmatched) if has_entries => {
                matches!(replay.find(&key)?, Ok((_, MatchKind::Exact)))
            }
            _ => false,
        };
        let (Action::Replay, Some(replay)) = (
            inner.mode.action(has_entries, exact, inner.policy),
            state.replay.as_mut(),
        ) else {
            return Ok(Step::Record { n });
        };
        let path = || inner.replay_path.clone().unwrap_or_default();
        let answer = match replay.lookup(&key)? {
            Ok(answer) => answer,
            Err(unmatched) => {
                return Err(CaptureError::NotRecorded {
                    description: desc.to_string(),
                    path: path(),
                    reason: match unmatched {
                        Unmatched::NoCandidate => "no recorded description shares a word with it",
                        Unmatched::ExactMatchingRequired => {
                            "exact matching is on and it is not recorded as it is"
                        }
                        Unmatched::EmptyRequest => "it is empty",
                    },
                })
            }
        };
        if let MatchKind::Nearest(_) = answer.kind {
            tracing::warn!(
                "capture {desc:?} is not recorded as it is; replaying the nearest recorded \
                 request {:?}",
                answer.key
            );
        }
        let responses: Vec<&str> = answer
            .responses
            .iter()
            .filter_map(|r| r.strip_prefix("->RET:"))
            .collect();
        if responses.is_empty() {
            return Err(CaptureError::NoResponse {
                description: desc.to_string(),
                key: answer.key,
            });
        }
        Ok(Step::Replayed {
            key: answer.key,
            text: responses.concat(),
        })
    }

    fn finish<C: Codec<T>, T>(
        &self,
        pending: Pending<'_>,
        desc: &str,
        value: T,
    ) -> Result<T, CaptureError> {
        let n = pending.disarm();
        let inner = &*self.inner;
        let mut state = lock(&inner.state);
        let text = match C::encode(&value) {
            Ok(text) => inner.alterations.apply(&text),
            Err(source) => {
                self.complete(&mut state, n, vec![entry(REQUEST_PREFIX, desc)])?;
                return Err(CaptureError::Encode {
                    description: desc.to_string(),
                    source,
                });
            }
        };
        let entries = vec![entry(REQUEST_PREFIX, desc), entry(RESPONSE_PREFIX, &text)];
        self.complete(&mut state, n, entries)?;
        drop(state);
        // Found out now rather than when a replay cannot read it.
        C::decode(&text).map_err(|source| CaptureError::NotReplayable {
            description: desc.to_string(),
            json: text,
            source,
        })?;
        Ok(value)
    }

    fn complete(
        &self,
        state: &mut State,
        n: u64,
        entries: Vec<RecordEntry>,
    ) -> Result<(), CaptureError> {
        state.recorder.complete(n, entries);
        let failures = state.recorder.failures();
        if failures > state.failures {
            state.failures = failures;
            if let Some(RecordError::Write { path, source }) = state.recorder.last_error() {
                return Err(CaptureError::RecordWrite { path, source });
            }
        }
        Ok(())
    }
}
