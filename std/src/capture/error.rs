//! What can go wrong capturing, replaying, or checking a test's mock file.

use std::path::PathBuf;

use capturemock_core::replay::LookupError;

use crate::alterations::AlterationError;
use crate::exchange::RecordError;
use crate::rc::RcError;
use crate::replay_file::ReplayFileError;

/// Why a capture, a session or a test's mock file failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CaptureError {
    /// The description is empty (it is the request that finds the recording).
    #[error("a capture needs a non-empty description: it is what finds the recording again")]
    EmptyDescription,
    /// Replay mode, and the replay file does not exist.
    #[error(
        "replay mode needs the mock file {}, which does not exist: record it first \
         (CAPTUREMOCK_RECORD_MODE=once or all, CAPTUREMOCK_MODE=1, or leave both unset)",
        path.display()
    )]
    MissingReplayFile {
        /// The file.
        path: PathBuf,
    },
    /// The record file is the replay file: recording would remove it before replaying it.
    #[error("the record file {} is the replay file it would replay; record elsewhere", path.display())]
    RecordOverReplay {
        /// The file.
        path: PathBuf,
    },
    /// The replay file could not be loaded.
    #[error(transparent)]
    Load(#[from] ReplayFileError),
    /// The record file could not be prepared.
    #[error(transparent)]
    Record(#[from] RecordError),
    /// Writing the record file failed.
    #[error("cannot write the record file {}", path.display())]
    RecordWrite {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::sync::Arc<std::io::Error>,
    },
    /// An rc file could not be read.
    #[error(transparent)]
    Rc(#[from] RcError),
    /// The rc file's alterations are broken.
    #[error(transparent)]
    Alterations(#[from] AlterationError),
    /// The replay engine ran out of room (cannot happen with the std storage).
    #[error("replay lookup failed")]
    Lookup(#[from] LookupError),
    /// Nothing recorded answers this description.
    #[error("nothing recorded in {} answers {description:?}: {reason}", path.display())]
    NotRecorded {
        /// The description (after alterations).
        description: String,
        /// The replay file.
        path: PathBuf,
        /// Why.
        reason: &'static str,
    },
    /// The recorded request that answers has no `->RET` response.
    #[error(
        "{description:?} is answered by the recorded request {key:?}, which has no ->RET response"
    )]
    NoResponse {
        /// The description.
        description: String,
        /// The recorded request chosen.
        key: String,
    },
    /// The real result cannot be written as JSON.
    #[error("cannot record the result of {description:?} as JSON")]
    Encode {
        /// The description.
        description: String,
        /// What serde_json said.
        source: serde_json::Error,
    },
    /// The real result was recorded, but its JSON does not read back as its type, so it could
    /// never be replayed (for instance a NaN, which JSON writes as `null`).
    #[error("the result of {description:?} was recorded as {json}, which does not read back as its type, so it could not be replayed")]
    NotReplayable {
        /// The description.
        description: String,
        /// The JSON written.
        json: String,
        /// What serde_json said reading it back.
        source: serde_json::Error,
    },
    /// The replayed response does not read as the type the caller expects.
    #[error("the response replayed for {description:?} (recorded for {key:?}), {response}, does not read as the expected type")]
    Decode {
        /// The description.
        description: String,
        /// The recorded request chosen.
        key: String,
        /// The response text.
        response: String,
        /// What serde_json said.
        source: serde_json::Error,
    },
    /// The test's name cannot be found from its thread.
    #[error(
        "cannot tell the test's name: the thread is {}; name it with \
         TestMock::builder().name(...) (the Rust test harness names each test's thread \
         after the test, doc tests and custom harnesses do not)",
        match thread { Some(name) => format!("{name:?}"), None => "unnamed".to_string() }
    )]
    NoTestName {
        /// The thread's name, if any.
        thread: Option<String>,
    },
    /// `CAPTUREMOCK_MODE` is set to something else than 0, 1 or 2.
    #[error(
        "CAPTUREMOCK_MODE={value:?} is not 0 (replay), 1 (record) or 2 (replay old, record new)"
    )]
    BadMode {
        /// The value found.
        value: String,
    },
    /// `CAPTUREMOCK_RECORD_MODE`, the rc option `record_mode` or `#[capture::test(record_mode
    /// = ...)]` names no record mode.
    #[error(transparent)]
    BadRecordMode(#[from] crate::record_mode::InvalidRecordMode),
    /// The run would record from the real thing, which is forbidden.
    #[error(
        "{what} would reach the real thing, which is forbidden (CAPTUREMOCK_FORBID_REAL=1, or \
         record mode none): record it in a run that may, or replay it"
    )]
    Forbidden {
        /// What would have reached it: a description, or the mock file to be recorded.
        what: String,
    },
    /// The run's result could not be put in place beside its mock file.
    #[error("cannot settle this run's recording of {}", mock.display())]
    Pending {
        /// The mock file.
        mock: PathBuf,
        /// What went wrong.
        source: crate::pending::PendingError,
    },
    /// A file operation failed.
    #[error("cannot {what} {}", path.display())]
    Io {
        /// What was being done.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// Replay mode, and the test's exchanges differ from its mock file.
    #[error(
        "the exchanges of this test differ from its mock file {} (- recorded, + this run):\n\
         {diff}\nThis run's exchanges are in {}. If the change is intended, record again \
         (CAPTUREMOCK_RECORD_MODE=all, then `capturemock review`) or move that file over the \
         mock file.",
        mock.display(), actual.display()
    )]
    Drift {
        /// The mock file.
        mock: PathBuf,
        /// Where this run's exchanges were written (`<mock file>.tmp`, as the reference does).
        actual: PathBuf,
        /// The unified diff.
        diff: String,
    },
    /// A test's HTTP server could not be configured.
    #[cfg(feature = "http")]
    #[error(transparent)]
    ServerConfig(#[from] crate::server::ConfigError),
    /// A test's HTTP server failed.
    #[cfg(feature = "http")]
    #[error(transparent)]
    Server(#[from] crate::server::ServerError),
    /// The test's server cannot serve TLS.
    #[cfg(feature = "http")]
    #[error(transparent)]
    ServeTls(#[from] crate::server::http::tls::ServeTlsError),
    /// Record mode, and nowhere to record from.
    #[cfg(feature = "http")]
    #[error(
        "no mock file {} to replay, and no upstream to record from: give the real service's \
         base URL with .upstream(\"https://...\") (or the rc option upstream)",
        mock.display()
    )]
    NoUpstream {
        /// The mock file that does not exist.
        mock: PathBuf,
    },
}
