//! The files a command edits: CaptureMock's `->FIL:` responses, `-F DIR` when recording and
//! `-f DIR` when replaying.
//!
//! A recorded command may change files as well as print. For each command the server works
//! out which paths it might edit ([`Candidates`]: its changed working directory, absolute
//! words of its recorded environment, the words of its arguments), notes what is under them
//! before the command runs ([`Snapshot`]) and looks again afterwards
//! ([`Snapshot::changes`]). Each candidate with changes is copied into the record edit
//! directory by an [`EditStore`] and recorded as one `->FIL:<name>` line, before the
//! command's output. On replay, [`restore`] finds the stored edit for each `->FIL:` line and
//! applies it to the candidate the reference would pick. Commands marked `asynchronous`
//! keep their candidates watched for the rest of the run ([`AsyncWatch`]).
//!
//! The layout of the edit directory is the reference's, so that either tool replays the
//! other's recordings. Where we depart from CaptureMock 2.10, each item says so: sibling
//! paths with a common prefix are both tracked, a rewrite that keeps the size within one
//! second is found, links are noted by their target and not followed, vanished paths never
//! climb above their candidate, and stale content in the edit directory is cleared.
//!
//! Everything here is plain `std` file system work, used by the command-line traffic kind.

mod candidates;
mod error;
mod fsops;
mod restore;
mod snapshot;
mod store;
mod walk;
mod watch;

pub use candidates::{Candidates, IgnoreList};
pub use error::EditError;
pub use fsops::{DELETION_SUFFIX, SYMLINK_SUFFIX};
pub use restore::restore;
pub use snapshot::{Change, ChangeKind, ChangedPath, Snapshot};
pub use store::EditStore;
pub use watch::AsyncWatch;
