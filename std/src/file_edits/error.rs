//! What can go wrong while storing or restoring file edits.

use std::io;
use std::path::PathBuf;

/// A file edit that could not be stored (record) or restored (replay).
///
/// Each message names the path and, where there is one, what to do; the operating system's
/// reason is the `source()` (see [`ErrorChain`](crate::ErrorChain)).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EditError {
    /// A command edited files but the run has no directory to store edits in. The reference
    /// crashes the request here; we return this so that the command's other responses can
    /// still be sent and recorded.
    #[error(
        "{} was edited, but there is no directory to store file edits in: \
         record with -F DIR to keep them",
        candidate.display()
    )]
    NoStoreDir {
        /// The edited file or directory (the candidate the edit was found under).
        candidate: PathBuf,
    },
    /// Copying an edited path (or writing its marker) into the store failed.
    #[error("cannot store the edit of {} as {}", path.display(), stored.display())]
    Store {
        /// The edited path.
        path: PathBuf,
        /// Where it was being stored.
        stored: PathBuf,
        /// What the file system said.
        source: io::Error,
    },
    /// Applying a stored edit to the file system failed.
    #[error("cannot restore {} from the stored edit {}", target.display(), stored.display())]
    Restore {
        /// The stored file or marker.
        stored: PathBuf,
        /// The path being written, linked or removed.
        target: PathBuf,
        /// What the file system said.
        source: io::Error,
    },
    /// A `->FIL:` name that is not one file name inside the edit directory (it holds a path
    /// separator or is `..`): restoring it would read outside that directory.
    #[error(
        "the recorded file edit name {name:?} is not a file name in {}: \
         fix the ->FIL line of the replay file",
        dir.display()
    )]
    BadName {
        /// The name as recorded.
        name: String,
        /// The edit directory (`-f DIR`).
        dir: PathBuf,
    },
}
