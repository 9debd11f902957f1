//! Why a session of bus traffic could not open.

use std::path::PathBuf;

use crate::exchange::RecordError;
use crate::replay_file::ReplayFileError;

/// Why a [`HalSession`](super::HalSession) could not open.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HalSessionError {
    /// Replay mode, and the replay file is not there.
    #[error("replay file {} does not exist", path.display())]
    MissingReplayFile {
        /// The file.
        path: PathBuf,
    },
    /// Replay mode with no replay file given.
    #[error("replay mode needs a replay file")]
    NoReplayFile,
    /// The replay file does not load.
    #[error("cannot load the replay file")]
    Replay(#[from] ReplayFileError),
    /// The record file cannot be written.
    #[error("cannot prepare the record file")]
    Record(#[from] RecordError),
}
