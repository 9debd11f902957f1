//! In-process capture: record what the outside world answered your Rust code, and replay it
//! in tests, without a server process. Replay goes straight to the core engine (through
//! [`ReplayFile`](crate::replay_file::ReplayFile)): the same best match, repeat counters and
//! mode 2 as the server.
//!
//! Wrap each call to the outside world in [`capture`]:
//!
//! ```
//! use capturemock::capture;
//!
//! fn price(ticker: &str) -> f64 {
//!     capture::capture(format!("price({ticker})"), || {
//!         // The real call: a web service, a database, a clock...
//!         12.25
//!     })
//! }
//! # assert_eq!(price("ACME"), 12.25);
//! ```
//!
//! Outside a session, `capture` just calls the real thing. Inside one (a test's
//! [`for_test`] guard, or any [`Session`] entered on the thread):
//! - **record** (mode 1): calls the real thing, records the exchange, returns the real result;
//! - **replay** (mode 0): returns the recorded result, without calling the real thing;
//! - **replay old, record new** (mode 2): as the reference: replays whenever the replay file
//!   has anything (nearest match included), records only when it is empty or missing;
//!   [`NewRequestPolicy::RecordUnmatched`] records what has no exact match instead.
//!
//! In a test:
//!
//! ```no_run
//! use capturemock::capture;
//!
//! # fn price(_: &str) -> f64 { 0.0 }
//! #[test]
//! fn prices_in_euro() {
//!     // mocks/prices_in_euro.mock: replayed when it exists, recorded when it does not;
//!     // CAPTUREMOCK_RECORD_MODE=none|once|new|all (or CAPTUREMOCK_MODE=0|1|2) decides
//!     // when set. Checked for drift when the test ends; a recording that differs from an
//!     // existing mock goes to prices_in_euro.mock.new, never over it.
//!     let _mock = capture::for_test();
//!     assert_eq!(price("ACME"), 12.25);
//! }
//! ```
//!
//! or `#[capture::test]` instead of `#[test]`, which does the same with the mock directory
//! `mocks/` of the crate (`CARGO_MANIFEST_DIR`).
//!
//! To capture every call of a trait, an impl block or a function without a description for
//! each, put [`#[capture]`](macro@crate::capture) on it: its wrapper records
//! `name.method(args)` through the same session ([`method`] has what the generated code
//! calls).
//!
//! # The record text
//! One exchange is two entries of the custom-client type, so capture files, custom-client
//! files and the server are interchangeable:
//!
//! ```text
//! <-CAL:price(ACME)
//! ->RET:12.25
//! <-CAL:quote(ACME)
//! ->RET:{
//!   "bid": 12.2,
//!   "ask": 12.3
//! }
//! ```
//!
//! The request is the description (after the rc file's alterations); the response is the
//! result as `serde_json` writes it pretty-printed (two-space indent), so a structure diffs
//! line by line. [`capture_text`] records a `String` as it is instead. The file is written in
//! the order the captures began, one flushed write per exchange, with the core writer's
//! escapes (any text reads back exactly). In replay mode the session writes the exchanges it
//! replayed the same way: comparing that with the replay file is the drift check.
//!
//! # Rules
//! - A capture inside the real call of another capture on the same thread is part of the
//!   outer one: it calls the real thing and records nothing (replay never reaches it).
//! - Results must read back from their JSON: record mode checks it at once
//!   ([`CaptureError::NotReplayable`]), rather than a replay failing later.
//! - [`capture`] panics on errors (it is meant for tests); [`try_capture`] returns them.
//! - Sessions are shared across threads by cloning a [`Session`] and entering it there.

mod codec;
mod current;
mod error;
mod for_test;
pub mod method;
mod session;

#[cfg(test)]
mod tests;

pub use crate::record_mode::RecordMode;
pub use capturemock_core::replay::{Mode, NewRequestPolicy};
pub use current::{current, Entered};
pub use error::CaptureError;
#[cfg(feature = "http")]
pub(crate) use for_test::TestFiles;
pub use for_test::{
    choose_mode, for_test, mock_file, test_mode, ModeChoice, TestBuilder, TestMock, TEST_RC_FILE,
};
pub use session::{Session, SessionBuilder};

/// `#[capture::test]`: a `#[test]` whose body runs with a [`TestMock`] for it, its mock file
/// in `mocks/` of the crate. See [`for_test`].
pub use capturemock_macros::capture_test as test;

use serde::{de::DeserializeOwned, Serialize};

/// Records or replays the result of `real` in the thread's current session (see the
/// [module docs](self)); without a session, calls `real`, so that code with captures in it
/// runs unchanged outside tests, where no session is entered.
///
/// # Panics
/// When the capture fails: nothing recorded answers in replay mode, the replayed text does not
/// read as `T`, the result cannot be written as JSON, the record file cannot be written. Use
/// [`try_capture`] to handle these.
#[track_caller]
pub fn capture<T>(description: impl AsRef<str>, real: impl FnOnce() -> T) -> T
where
    T: Serialize + DeserializeOwned,
{
    match current() {
        Some(session) => session.capture(description, real),
        None => real(),
    }
}

/// [`capture`], returning its errors.
pub fn try_capture<T>(
    description: impl AsRef<str>,
    real: impl FnOnce() -> T,
) -> Result<T, CaptureError>
where
    T: Serialize + DeserializeOwned,
{
    match current() {
        Some(session) => session.try_capture(description, real),
        None => Ok(real()),
    }
}

/// [`Session::try_capture_async`] in the session that is current on the thread that first
/// polls the future (the test's thread under `#[tokio::test]`); without one, awaits `real`.
pub async fn try_capture_async<T>(
    description: impl AsRef<str>,
    real: impl std::future::Future<Output = T>,
) -> Result<T, CaptureError>
where
    T: Serialize + DeserializeOwned,
{
    match current() {
        Some(session) => session.try_capture_async(description, real).await,
        None => Ok(real.await),
    }
}

/// [`capture`] for text recorded as it is (no JSON quoting), as custom clients record it.
#[track_caller]
pub fn capture_text(description: impl AsRef<str>, real: impl FnOnce() -> String) -> String {
    match current() {
        Some(session) => session.capture_text(description, real),
        None => real(),
    }
}

/// [`capture_text`], returning its errors.
pub fn try_capture_text(
    description: impl AsRef<str>,
    real: impl FnOnce() -> String,
) -> Result<String, CaptureError> {
    match current() {
        Some(session) => session.try_capture_text(description, real),
        None => Ok(real()),
    }
}
