//! The engine: the decisions every exchange needs, made in one place for every transport and
//! traffic kind.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use capturemock_core::replay::{Action, MatchKind, Mode, NewRequestPolicy, RequestId, Unmatched};

use super::clock::{Clock, SystemClock};
use super::diagnostics::{NearMiss, NearMissKind, Summary};
use super::recorder::{RecordEntry, RecordError, RecordLoss, Recorder};
use super::ExchangeNo;
use crate::alterations::Alterations;
use crate::replay_file::{RecordedResponse, ReplayFile};

/// The settings that decide exchanges: what the rc file and the command line say.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Rules {
    /// Replay, record, or replay old and record new.
    pub mode: Mode,
    /// Mode 2's treatment of requests without an exact match.
    pub new_requests: NewRequestPolicy,
    /// `use_exact_matching`: a request without an exact match is not replayed (the engine
    /// says [`Decision::Mismatch`], and names the nearest recorded request in its log).
    pub exact_matching: bool,
    /// The rc file's alterations, applied to requests in every mode and to responses
    /// recorded from the real thing.
    pub alterations: Alterations,
    /// `record_timestamps`: whether traffic kinds that carry one get a `--TIM:` line.
    pub record_timestamps: bool,
    /// Where those timestamps come from.
    pub clock: Arc<dyn Clock>,
    /// Keep every replay decision ([`ReplayMatch`]) for the run's report. Off by default: a
    /// long-running server would otherwise grow by one entry per exchange for nothing.
    pub keep_matches: bool,
    /// `CAPTUREMOCK_FORBID_REAL`, `--forbid-real`, record mode `none`: nothing real may be
    /// reached, so where a request would be recorded from the real thing the engine says
    /// [`Decision::Forbidden`] instead (and keeps it as a near miss, which fails the run).
    pub forbid_real: bool,
}

/// Record mode, no alterations, no exact matching, no timestamps: what a run without any
/// settings does.
impl Default for Rules {
    fn default() -> Self {
        Rules {
            mode: Mode::Record,
            new_requests: NewRequestPolicy::Reference,
            exact_matching: false,
            alterations: Alterations::empty(),
            record_timestamps: false,
            clock: Arc::new(SystemClock),
            keep_matches: false,
            forbid_real: false,
        }
    }
}

/// How a request counts for the reference's `check_repeated_calls` (HTTP traffic): a
/// request that cannot have changed anything, asked again with nothing in between that could
/// have, gets the same response again rather than the next recorded one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RepeatRule {
    /// The request may change the service (anything but `GET`, or every request under
    /// `assume_all_can_modify`): earlier requests no longer count as seen.
    pub may_modify: bool,
    /// `check_repeated_calls` for its method: when off, a request already seen gets the
    /// same response again.
    pub counts_repeats: bool,
}

/// What to do with one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Answer with these recorded responses (their repeat counter has moved on).
    Replay(Replayed),
    /// Get the real response (the client's own, a real server's, a real program's) and record
    /// it.
    Record,
    /// Exact matching is on and nothing is recorded exactly so: the kind answers with its
    /// mismatch reply.
    Mismatch,
    /// Nothing recorded answers it and the mode does not record: the kind answers with
    /// nothing.
    Unanswered,
    /// It would be recorded from the real thing, and [`Rules::forbid_real`] forbids that: the
    /// kind answers as for [`Decision::Mismatch`], and never reaches the real thing.
    Forbidden,
}

/// The recorded answer to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replayed {
    /// The recorded request chosen.
    pub request: RequestId,
    /// Whether it was recorded exactly as asked.
    pub kind: MatchKind,
    /// Its next response group, in file order.
    pub responses: Vec<RecordedResponse>,
}

/// One request answered from the replay file: which recorded request answered exchange
/// `exchange`, and whether exactly. Kept when [`Rules::keep_matches`] is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplayMatch {
    /// The exchange.
    pub exchange: ExchangeNo,
    /// The recorded request that answered it.
    pub request: RequestId,
    /// Whether the request was recorded exactly as asked.
    pub exact: bool,
}

/// What the engine did in a run, for the run's report.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct EngineReport {
    /// Exchanges that wrote at least one entry to the record file.
    pub recorded_exchanges: u64,
    /// Failed writes to the record file.
    pub record_failures: u64,
    /// The exchanges those writes lost, and why.
    pub record_loss: Option<RecordLoss>,
    /// Near misses, and the recorded exchanges never used.
    pub summary: Summary,
    /// Every replay decision, in the order made, when [`Rules::keep_matches`] is on.
    pub matches: Vec<ReplayMatch>,
    /// The replay file's recorded requests with their use, when replaying with
    /// [`Rules::keep_matches`] on (for reports).
    pub requests: Vec<crate::replay_file::OwnedRequestInfo>,
}

/// The one exchange engine: alterations, the core's lookup and mode decision, repeat
/// counters, near-miss diagnostics and the record file in exchange order.
///
/// Transports (the socket server, the serial proxy, the in-process capture session; the
/// serial bridge through the server) only move bytes, and traffic kinds only know their protocol; everything that decides lives
/// here, so that every way into capturemock decides alike (house rule 3).
///
/// Locks: the replay file's lock is taken once per lookup (find, decide and take together);
/// the record file has a lock of its own, taken once when an exchange completes, and not at
/// all when nothing is recorded.
#[derive(Debug)]
pub struct Engine {
    rules: Rules,
    /// The replay file, when it has at least one request: without one every mode records,
    /// as in the reference.
    replay: Option<Arc<Mutex<ReplayFile>>>,
    /// The record file, when there is one.
    recorder: Option<Mutex<Recorder>>,
    /// Every near miss of the run, for the end-of-run summary; each is also logged as it
    /// happens, since a run that is killed never gets to its summary.
    near_misses: Mutex<Vec<NearMiss>>,
    /// Every replay decision, when [`Rules::keep_matches`] is on; locked only while the
    /// replay file is, so never contended.
    matches: Mutex<Vec<ReplayMatch>>,
    /// The next exchange number handed out in call order ([`Engine::decide_next`]).
    next: AtomicU64,
    /// The recorded requests answered since the last request that may have changed the
    /// service ([`RepeatRule`]); locked only while the replay file is.
    seen: Mutex<HashSet<RequestId>>,
}

/// Locks `mutex`, using it even if a panic poisoned it (see the comment inside for why that
/// is sound here).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every update under these locks leaves the state consistent (single assignments,
    // pushes, a table's counters), so a panic elsewhere does not spoil it.
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Engine {
    /// An engine deciding by `rules`, answering from `replay` and recording with `recorder`
    /// (none, or one without a path: nothing is recorded).
    ///
    /// A replay file with no request is dropped here: without one every mode records, as in the
    /// reference, and no lookup then takes its lock. A recorder without a path is dropped too, so
    /// [`records`](Self::records) is a single test that traffic kinds can ask on every entry.
    pub fn new(
        rules: Rules,
        replay: Option<Arc<Mutex<ReplayFile>>>,
        recorder: Option<Recorder>,
    ) -> Self {
        let replay = replay.filter(|file| !lock(file).is_empty());
        Engine {
            rules,
            replay,
            recorder: recorder.filter(Recorder::records).map(Mutex::new),
            near_misses: Mutex::new(Vec::new()),
            matches: Mutex::new(Vec::new()),
            next: AtomicU64::new(1),
            seen: Mutex::new(HashSet::new()),
        }
    }

    /// The rules it decides by.
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// Whether exchanges are written to a record file; when not, traffic kinds need not build
    /// record entries at all.
    pub fn records(&self) -> bool {
        self.recorder.is_some()
    }

    /// `text` with the alterations applied; an alteration that fails is logged (with the
    /// exchange's number, when it has one yet) and skipped.
    pub fn alter(&self, n: Option<ExchangeNo>, text: &str) -> String {
        self.alter_borrowed(n, text).into_owned()
    }

    /// [`alter`](Self::alter) without a copy when there is nothing to alter: what a kind
    /// whose texts can be large (an HTTP body) uses.
    pub fn alter_borrowed<'t>(&self, n: Option<ExchangeNo>, text: &'t str) -> Cow<'t, str> {
        if self.rules.alterations.is_empty() {
            return Cow::Borrowed(text);
        }
        let (altered, errors) = self.rules.alterations.apply_report(text);
        for error in errors {
            tracing::warn!(exchange = n, "{}", crate::ErrorChain(&error));
        }
        Cow::Owned(altered)
    }

    /// The text of a recorded request, for messages about it.
    pub fn request_key(&self, request: RequestId) -> Option<String> {
        lock(self.replay.as_ref()?).request_key(request)
    }

    /// A `--TIM:` timestamp, when the rules record them.
    pub fn timestamp(&self) -> Option<String> {
        self.rules
            .record_timestamps
            .then(|| self.rules.clock.timestamp())
    }

    /// Decides exchange `n`'s request, whose lookup key is `key` (`<-CAL:get(1)`), under one
    /// lock of the replay file. The caller keeps exchanges in order (a server's accept-order
    /// turns), so that repeat counters move in that order.
    pub fn decide(&self, n: ExchangeNo, key: &str) -> Decision {
        match &self.replay {
            Some(replay) if self.rules.mode != Mode::Record => {
                self.decide_locked(&mut lock(replay), n, key, None)
            }
            _ => self.record_or_refuse(n, key),
        }
    }

    /// [`decide`](Self::decide) for callers without an order of their own (threads capturing
    /// in process): the exchange is numbered under the same lock, so numbers, repeat counters
    /// and the record file follow one order.
    pub fn decide_next(&self, key: &str) -> (ExchangeNo, Decision) {
        self.decide_next_with(key, None)
    }

    /// [`decide_next`](Self::decide_next) under the reference's `check_repeated_calls`
    /// ([`RepeatRule`]): what the HTTP transport uses, which numbers a request once it has
    /// all of it, so that no request waits for another's turn.
    pub fn decide_next_repeatable(&self, key: &str, rule: RepeatRule) -> (ExchangeNo, Decision) {
        self.decide_next_with(key, Some(rule))
    }

    fn decide_next_with(&self, key: &str, rule: Option<RepeatRule>) -> (ExchangeNo, Decision) {
        match &self.replay {
            Some(replay) if self.rules.mode != Mode::Record => {
                let mut file = lock(replay);
                let n = self.next.fetch_add(1, Ordering::Relaxed);
                (n, self.decide_locked(&mut file, n, key, rule))
            }
            _ => {
                let n = self.next_number();
                (n, self.record_or_refuse(n, key))
            }
        }
    }

    /// [`Decision::Record`], unless the rules forbid reaching the real thing: then
    /// [`Decision::Forbidden`], said at once (as an error: the run will fail) and kept as a
    /// near miss for the end of the run. Kinds that decide to record without a lookup (a
    /// command the replay file does not hold) ask this too.
    pub fn record_or_refuse(&self, n: ExchangeNo, key: &str) -> Decision {
        if !self.rules.forbid_real {
            return Decision::Record;
        }
        tracing::error!(
            exchange = n,
            "request {key:?} would reach the real thing, which is forbidden \
             (CAPTUREMOCK_FORBID_REAL, --forbid-real or record mode none)"
        );
        lock(&self.near_misses).push(NearMiss {
            exchange: n,
            request: key.to_string(),
            nearest: None,
            kind: NearMissKind::Forbidden,
        });
        Decision::Forbidden
    }

    /// A number for an exchange that asks no decision (an HTTP `setServerLocation`, which is
    /// recorded), from the same count as [`decide_next`](Self::decide_next).
    pub fn next_number(&self) -> ExchangeNo {
        self.next.fetch_add(1, Ordering::Relaxed)
    }

    /// Whether a request would be replayed rather than recorded, without using anything up:
    /// what a bridge asks before it tells a device to call the real thing (mode 2).
    /// It takes the replay file's lock but leaves the repeat counters alone, so asking twice
    /// gives the same answer.
    pub fn would_replay(&self, key: &str) -> bool {
        let Some(replay) = &self.replay else {
            return false;
        };
        if self.rules.mode == Mode::Record {
            return false;
        }
        let exact = matches!(lock(replay).find(key), Ok(Ok((_, MatchKind::Exact))));
        self.rules.mode.action(true, exact, self.rules.new_requests) == Action::Replay
    }

    /// The decision proper, with the replay file locked by the caller: the core's lookup, the
    /// mode's action ([`Mode::action`], told that the table has entries since the engine keeps
    /// no empty replay file), the near miss to report and, when replaying, the next response
    /// group taken, all under that one lock. A request with no text is left unanswered (the
    /// reference neither answers nor records it), never reported as a near miss. A failed
    /// lookup is logged and treated as finding nothing.
    fn decide_locked(
        &self,
        replay: &mut ReplayFile,
        n: ExchangeNo,
        key: &str,
        repeats: Option<RepeatRule>,
    ) -> Decision {
        let found = replay.find(key).unwrap_or_else(|e| {
            tracing::error!(exchange = n, "replay lookup failed: {e}");
            Err(Unmatched::NoCandidate)
        });
        let exact = matches!(found, Ok((_, MatchKind::Exact)));
        let action = self.rules.mode.action(true, exact, self.rules.new_requests);
        let nearest = |id: RequestId| replay.request_key(id);
        match (action, found) {
            (Action::Record, found) => {
                // Only mode 2 recording what has no exact match gets here.
                if self.rules.forbid_real {
                    return self.record_or_refuse(n, key);
                }
                let nearest = found.ok().and_then(|(id, _)| nearest(id));
                self.near_miss(n, key, nearest, NearMissKind::Recorded);
                Decision::Record
            }
            (Action::Replay, Err(Unmatched::EmptyRequest)) => Decision::Unanswered,
            (Action::Replay, Err(_)) if self.rules.exact_matching => {
                self.near_miss(n, key, None, NearMissKind::Mismatch);
                Decision::Mismatch
            }
            (Action::Replay, Err(_)) => {
                self.near_miss(n, key, None, NearMissKind::NoCandidate);
                Decision::Unanswered
            }
            (Action::Replay, Ok((id, kind))) => {
                if kind != MatchKind::Exact {
                    let miss = if self.rules.exact_matching {
                        NearMissKind::Mismatch
                    } else {
                        NearMissKind::Nearest
                    };
                    self.near_miss(n, key, nearest(id), miss.clone());
                    if miss == NearMissKind::Mismatch {
                        return Decision::Mismatch;
                    }
                }
                if self.rules.keep_matches {
                    lock(&self.matches).push(ReplayMatch {
                        exchange: n,
                        request: id,
                        exact: kind == MatchKind::Exact,
                    });
                }
                let again = repeats.is_some_and(|rule| self.seen_again(id, rule));
                let responses = if again {
                    replay.take_responses_again(id, kind)
                } else {
                    replay.take_responses(id, kind)
                };
                Decision::Replay(Replayed {
                    request: id,
                    kind,
                    responses,
                })
            }
        }
    }

    /// Whether recorded request `id`, chosen under `rule`, is a repeat to answer as before:
    /// the reference's bookkeeping, done in its order (a request that may modify forgets
    /// what was seen before it, then every chosen request counts as seen).
    fn seen_again(&self, id: RequestId, rule: RepeatRule) -> bool {
        let mut seen = lock(&self.seen);
        if rule.may_modify {
            seen.clear();
        }
        let again = !rule.counts_repeats && seen.contains(&id);
        seen.insert(id);
        again
    }

    /// The near miss of exchange `n`, if it had one: what a kind that answers a miss with a
    /// diagnosis of its own (an HTTP error page) shows.
    pub fn near_miss_of(&self, n: ExchangeNo) -> Option<NearMiss> {
        lock(&self.near_misses)
            .iter()
            .rev()
            .find(|miss| miss.exchange == n)
            .cloned()
    }

    /// Logs a near miss now and keeps it for the summary.
    fn near_miss(&self, n: ExchangeNo, key: &str, nearest: Option<String>, kind: NearMissKind) {
        let miss = NearMiss {
            exchange: n,
            request: key.to_string(),
            nearest,
            kind,
        };
        miss.log();
        lock(&self.near_misses).push(miss);
    }

    /// Exchange `n` is over, with these entries (possibly none, which lets later exchanges be
    /// written). Returns the write error, if writing failed during this call.
    /// The record file's lock is taken once; with no record file nothing is done at all.
    pub fn complete(&self, n: ExchangeNo, entries: Vec<RecordEntry>) -> Option<RecordError> {
        let recorder = self.recorder.as_ref()?;
        let mut recorder = lock(recorder);
        let failures = recorder.failures();
        recorder.complete(n, entries);
        (recorder.failures() > failures)
            .then(|| recorder.last_error())
            .flatten()
    }

    /// Later exchanges no longer wait for these (a server's order wait ran out).
    pub fn give_up_on(&self, numbers: &[ExchangeNo]) {
        if let Some(recorder) = &self.recorder {
            lock(recorder).give_up_on(numbers);
        }
    }

    /// Writes whatever waits and flushes the record file.
    pub fn flush(&self) {
        if let Some(recorder) = &self.recorder {
            lock(recorder).finish();
        }
    }

    /// Flushes, and reports what the run did: record file, near misses, and (when replaying)
    /// the recorded exchanges never used.
    /// The near misses are moved into the report, so a second call reports none: call it once,
    /// at the end of the run.
    pub fn finish(&self) -> EngineReport {
        let mut report = EngineReport::default();
        if let Some(recorder) = &self.recorder {
            let mut recorder = lock(recorder);
            recorder.finish();
            report.recorded_exchanges = recorder.written_exchanges();
            report.record_failures = recorder.failures();
            report.record_loss = recorder.loss();
        }
        report.summary.near_misses = std::mem::take(&mut *lock(&self.near_misses));
        report.matches = std::mem::take(&mut *lock(&self.matches));
        if let Some(replay) = &self.replay {
            if self.rules.mode != Mode::Record {
                let requests = lock(replay).requests();
                if self.rules.keep_matches {
                    report.requests = requests.clone();
                }
                report.summary.unused = Summary::unused_from(requests);
            }
        }
        report
    }
}
