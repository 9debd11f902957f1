//! Asynchronous edits: commands that go on editing files after they return.

use super::candidates::Candidates;
use super::snapshot::{Change, Snapshot};

/// The run-long watch that `asynchronous = true` asks for.
///
/// From the first asynchronous command on, every command's candidates and what was noted
/// under them stay watched until the run ends: changes are looked for before each later
/// request that runs for real ([`check`](AsyncWatch::check)), and their `->FIL:` lines
/// follow the previous command's responses. Each command also sees the watched candidates
/// after its own ([`candidates`](AsyncWatch::candidates), [`snapshot`](AsyncWatch::snapshot)),
/// in record and in replay. Before the first asynchronous command it holds nothing and
/// costs nothing. One per run.
///
/// A command in record mode:
/// ```text
/// let fils = watch.check();                       // store these first
/// let mut snapshot = watch.snapshot(&own);        // own candidates, then the watched ones
/// /* run the command */
/// let changes = snapshot.changes();               // its ->FIL: lines
/// watch.keep(asynchronous, snapshot);
/// ```
/// In pure replay: restore into `watch.candidates(&own)`, then
/// `watch.keep_candidates(asynchronous, ...)` with them.
#[derive(Debug, Default)]
pub struct AsyncWatch {
    held: Option<Snapshot>,
}

impl AsyncWatch {
    /// A watch that holds nothing yet.
    pub fn new() -> Self {
        AsyncWatch::default()
    }

    /// True once an asynchronous command was kept.
    pub fn is_active(&self) -> bool {
        self.held.is_some()
    }

    /// What changed under the watched candidates since they were last looked at, in the
    /// reference's order (see [`Snapshot::changes`]); nothing before the watch is active.
    /// Call it before handling each request that will run for real.
    pub fn check(&mut self) -> Vec<Change> {
        match &mut self.held {
            Some(held) => held.changes(),
            None => Vec::new(),
        }
    }

    /// A command's own candidates (most recent first) followed by the watched ones it does
    /// not name: where its edits are looked for and where replayed edits may go.
    pub fn candidates(&self, own: &Candidates) -> Candidates {
        match &self.held {
            Some(held) => own.then(&held.candidates),
            None => own.clone(),
        }
    }

    /// The snapshot to take before a command runs: its own candidates walked now, the
    /// watched ones as last noted (so that nothing changed since the last check is lost),
    /// covering [`candidates`](AsyncWatch::candidates).
    pub fn snapshot(&self, own: &Candidates) -> Snapshot {
        match &self.held {
            Some(held) => {
                let mut snapshot = Snapshot {
                    candidates: own.then(&held.candidates),
                    seen: held.seen.clone(),
                };
                snapshot.note(own);
                snapshot
            }
            None => Snapshot::take(own),
        }
    }

    /// After a command whose changes were taken from `snapshot`: when the command is
    /// asynchronous or the watch already is active, its candidates join the watched ones
    /// (appended, in the reference's order) and the watch goes on from what the snapshot
    /// noted last.
    pub fn keep(&mut self, asynchronous: bool, snapshot: Snapshot) {
        if !asynchronous && self.held.is_none() {
            return;
        }
        let older = self.held.take().map(|h| h.candidates).unwrap_or_default();
        self.held = Some(Snapshot {
            candidates: snapshot.candidates.appended_to(&older),
            seen: snapshot.seen,
        });
    }

    /// [`keep`](AsyncWatch::keep) for a command replayed without a snapshot (pure replay,
    /// where nothing is checked): only its candidates join.
    pub fn keep_candidates(&mut self, asynchronous: bool, candidates: Candidates) {
        if !asynchronous && self.held.is_none() {
            return;
        }
        let held = self.held.take().unwrap_or_default();
        self.held = Some(Snapshot {
            candidates: candidates.appended_to(&held.candidates),
            seen: held.seen,
        });
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::file_edits::IgnoreList;
    use std::fs;
    use std::path::{Path, PathBuf};

    fn candidates(cwd: &Path, words: &[&str]) -> Candidates {
        Candidates::for_words(cwd, words, &IgnoreList::new(["skip"]))
    }

    fn names(changes: &[Change]) -> Vec<(String, Vec<PathBuf>)> {
        changes
            .iter()
            .map(|c| {
                let paths = c.paths.iter().map(|p| p.path.clone()).collect();
                (c.name.clone(), paths)
            })
            .collect()
    }

    #[test]
    fn watches_from_the_first_asynchronous_command_on() {
        let tmp = tempfile::tempdir().unwrap();
        let w = tmp.path();
        for d in ["early", "out", "log"] {
            fs::create_dir(w.join(d)).unwrap();
        }
        let mut watch = AsyncWatch::new();

        // A synchronous command first: not watched afterwards.
        let mut snapshot = watch.snapshot(&candidates(w, &["early"]));
        assert!(snapshot.changes().is_empty());
        watch.keep(false, snapshot);
        assert!(!watch.is_active());
        fs::write(w.join("early/late"), "x").unwrap();
        assert!(watch.check().is_empty());

        // An asynchronous one: its edits after it returned are found before the next
        // request, once.
        let mut snapshot = watch.snapshot(&candidates(w, &["out"]));
        assert!(snapshot.changes().is_empty());
        watch.keep(true, snapshot);
        fs::write(w.join("out/late"), "x").unwrap();
        fs::write(w.join("out/skip"), "ignored").unwrap();
        assert_eq!(
            names(&watch.check()),
            [("out".to_string(), vec![w.join("out/late")])]
        );
        assert!(watch.check().is_empty());

        // A later synchronous command sees its own candidates first, then the watched.
        let own = candidates(w, &["log"]);
        let all = watch.candidates(&own);
        assert_eq!(
            all.paths().collect::<Vec<_>>(),
            [w.join("log"), w.join("out")]
        );
        let mut snapshot = watch.snapshot(&own);
        fs::write(w.join("log/l"), "x").unwrap();
        fs::write(w.join("out/o"), "x").unwrap();
        assert_eq!(
            names(&snapshot.changes()),
            [
                ("log".to_string(), vec![w.join("log/l")]),
                ("out".to_string(), vec![w.join("out/o")])
            ]
        );
        watch.keep(false, snapshot);
        // Both are watched now, in the order they joined, and nothing is reported twice.
        assert!(watch.check().is_empty());
        fs::write(w.join("log/m"), "x").unwrap();
        fs::write(w.join("out/p"), "x").unwrap();
        let order: Vec<String> = watch.check().into_iter().map(|c| c.name).collect();
        assert_eq!(order, ["out", "log"]);
    }

    #[test]
    fn replayed_commands_add_their_candidates() {
        let tmp = tempfile::tempdir().unwrap();
        let w = tmp.path();
        fs::create_dir(w.join("a")).unwrap();
        fs::create_dir(w.join("b")).unwrap();
        let mut watch = AsyncWatch::new();
        watch.keep_candidates(false, watch.candidates(&candidates(w, &["a"])));
        assert!(!watch.is_active());
        watch.keep_candidates(true, watch.candidates(&candidates(w, &["b"])));
        let own = candidates(w, &["a"]);
        let all = watch.candidates(&own);
        assert_eq!(all.paths().collect::<Vec<_>>(), [w.join("a"), w.join("b")]);
    }
}
