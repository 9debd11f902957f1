//! The files that commands edit, for one run: `->FIL:` lines recorded with `-F` and
//! restored with `-f`, through [`crate::file_edits`].
//!
//! Recording a command: edits that asynchronous commands made since the last call come first
//! (they follow the previous command's output in the file, as in the reference), then the
//! command's candidates are noted, it runs, and each candidate with changes is stored and
//! named. Replaying: each recorded name is restored into the candidate the reference would
//! pick. File walks are plain blocking file-system work; they are small next to running a
//! program.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use super::message::Call;
use super::request_text::RequestText;
use crate::file_edits::{
    restore, AsyncWatch, Candidates, EditError, EditStore, IgnoreList, Snapshot,
};

/// The run's edit state.
#[derive(Debug)]
pub struct Edits {
    /// `ignore_edits`.
    ignore: IgnoreList,
    /// `-f`: where recorded edits are restored from.
    replay_dir: Option<PathBuf>,
    /// The server's working directory: a call from another one names its own as a candidate.
    server_cwd: PathBuf,
    state: Mutex<State>,
}

/// What changes as the run goes on.
#[derive(Debug)]
struct State {
    /// `-F`, and the `.edit_N` counters of the run.
    store: EditStore,
    /// The candidates of asynchronous commands, watched to the end of the run.
    watch: AsyncWatch,
    /// Whether a run without `-F` has said once that it does not keep edits.
    said_no_store: bool,
}

/// A command being recorded: what was noted before it ran.
#[derive(Debug)]
pub struct Before {
    snapshot: Snapshot,
    asynchronous: bool,
}

impl Edits {
    /// The edit state of a run with these settings.
    pub fn new(
        ignore: &[String],
        record_dir: Option<PathBuf>,
        replay_dir: Option<PathBuf>,
        server_cwd: &str,
    ) -> Self {
        Edits {
            ignore: IgnoreList::new(ignore.iter().cloned()),
            replay_dir,
            server_cwd: PathBuf::from(server_cwd),
            state: Mutex::new(State {
                store: EditStore::new(record_dir),
                watch: AsyncWatch::new(),
                said_no_store: false,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The store's counters and the watch stay usable whatever panicked while held.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The paths `call` may edit.
    fn candidates(&self, call: &Call, request: &RequestText) -> Candidates {
        let values: Vec<&OsStr> = request
            .shown
            .iter()
            .map(|(_, value)| OsStr::new(value.as_str()))
            .collect();
        let args: Vec<OsString> = call.argv[1..]
            .iter()
            .map(|a| OsStr::from_bytes(a).to_owned())
            .collect();
        Candidates::for_command(
            Path::new(&call.cwd),
            &self.server_cwd,
            &values,
            &args,
            &self.ignore,
        )
    }

    /// Before a recorded command runs: the names of what asynchronous commands edited since
    /// the last call, and the notes to compare with afterwards.
    pub fn before_record(
        &self,
        call: &Call,
        request: &RequestText,
        asynchronous: bool,
    ) -> (Vec<String>, Before) {
        let own = self.candidates(call, request);
        let mut state = self.lock();
        let changes = state.watch.check();
        let names = state.store_all(changes);
        let snapshot = state.watch.snapshot(&own);
        (
            names,
            Before {
                snapshot,
                asynchronous,
            },
        )
    }

    /// After it ran: the names of what it edited, stored.
    pub fn after_record(&self, before: Before) -> Vec<String> {
        let Before {
            mut snapshot,
            asynchronous,
        } = before;
        let changes = if snapshot.candidates().is_empty() {
            Vec::new()
        } else {
            snapshot.changes()
        };
        let mut state = self.lock();
        let names = state.store_all(changes);
        state.watch.keep(asynchronous, snapshot);
        names
    }

    /// Restores the recorded edits `names` of a replayed command; returns those restored
    /// (a name with nothing stored, or a run without `-f`, is dropped, as in the reference).
    pub fn replay(
        &self,
        call: &Call,
        request: &RequestText,
        names: &[String],
        asynchronous: bool,
    ) -> Vec<String> {
        let own = self.candidates(call, request);
        let mut state = self.lock();
        let candidates = state.watch.candidates(&own);
        let mut restored = Vec::new();
        if let Some(dir) = &self.replay_dir {
            let mut used = Vec::new();
            for name in names {
                match restore(dir, name, &candidates, &mut used) {
                    Ok(Some(target)) => {
                        tracing::debug!("restored {name} to {}", target.display());
                        restored.push(name.clone());
                    }
                    Ok(None) => tracing::debug!("no stored edit {name} in {}", dir.display()),
                    Err(e) => tracing::warn!("{}", crate::ErrorChain(&e)),
                }
            }
        }
        state.watch.keep_candidates(asynchronous, own);
        restored
    }
}

impl State {
    /// Stores each change; returns the names stored. A change that cannot be stored (a copy
    /// that failed) is reported and left out of the record. Without `-F`, that is said once
    /// per run: commands such as `git` edit files on every call, and a user who does not
    /// want edits kept needs one hint, not one line per call.
    fn store_all(&mut self, changes: Vec<crate::file_edits::Change>) -> Vec<String> {
        let mut names = Vec::new();
        for change in changes {
            match self.store.store(&change) {
                Ok(name) => names.push(name),
                Err(e @ EditError::NoStoreDir { .. }) => {
                    if !std::mem::replace(&mut self.said_no_store, true) {
                        tracing::warn!(
                            "{} (said once; later edits are not kept either)",
                            crate::ErrorChain(&e)
                        );
                    }
                }
                Err(e) => tracing::warn!("{}", crate::ErrorChain(&e)),
            }
        }
        names
    }
}
