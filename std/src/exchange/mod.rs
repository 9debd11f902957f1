//! The one exchange pipeline: every way into capturemock feeds the same engine.
//!
//! ```text
//! transport (moves bytes)      traffic kind (knows a protocol)      engine (decides)
//! TCP server ─┐                crate::traffic::custom    <-CAL/->RET   alterations
//! bridge ─────┼─▶ message ─▶   crate::traffic::classic   <-CLI/->SRV ─▶ lookup + mode decision
//! capture ────┘                (capture: <-CAL/->RET)                  repeat counters
//!                                                                      near misses
//!                                                                      record file, in order
//! ```
//!
//! - [`Engine`]: the decisions. Given a request's lookup key it answers with a [`Decision`]:
//!   replay these recorded responses, get the real response and record it, or answer with a
//!   mismatch or nothing. It applies alterations, keeps the near misses and writes the
//!   record file in exchange order.
//! - [`Exchange`]: one exchange in progress, what a traffic kind works with: the engine's
//!   decision, the entries to record, the reply.
//! - [`sequencer`]: accept-order turns for transports that serve exchanges concurrently.
//! - [`recorder`]: the record file, written in exchange order whatever order exchanges
//!   complete in.
//! - [`diagnostics`]: near misses with word diffs, and the end-of-run summary.
//! - [`clock`]: where `--TIM:` timestamps come from.
//!
//! Traffic kinds never decide a mode, look anything up or write a file, and transports never
//! interpret a message: that is what makes a new kind one module (see [`crate::traffic`]).

pub mod clock;
pub mod diagnostics;
mod engine;
#[cfg(feature = "server")]
mod in_progress;
pub mod recorder;
#[cfg(feature = "server")]
pub mod sequencer;

pub use clock::{Clock, FixedClock, SystemClock};
pub use diagnostics::{NearMiss, NearMissKind, Summary};
pub use engine::{Decision, Engine, EngineReport, RepeatRule, ReplayMatch, Replayed, Rules};
#[cfg(feature = "server")]
pub use in_progress::{Exchange, Reply};
pub use recorder::{RecordEntry, RecordError, RecordLoss, Recorder, TrailingNewlines};
#[cfg(feature = "server")]
pub use sequencer::{Sequencer, Turn, TurnOrder};

/// Exchange numbers, in the order exchanges began: 1 for the first. The record file is
/// written in this order.
pub type ExchangeNo = u64;
