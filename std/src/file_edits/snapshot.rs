//! Noting the candidates' files before a command and finding what it changed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::candidates::{Candidate, Candidates};
use super::walk::{files_and_links, Seen};

/// What a path under a candidate went through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChangeKind {
    /// It was not there before.
    Created,
    /// It was there and is different now (content, size, time, or a link's target).
    Modified,
    /// It is gone. The path is the highest one that vanished, so removing a directory is
    /// one entry, not one per file.
    Removed,
}

/// One changed path.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChangedPath {
    /// The path, spelled under its candidate's spelling.
    pub path: PathBuf,
    /// What happened to it.
    pub kind: ChangeKind,
}

/// The edits found under one candidate: one `->FIL:` line once stored.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Change {
    /// The candidate as the command named it.
    pub candidate: PathBuf,
    /// Its base name: the `->FIL:` name before any `.edit_N`.
    pub name: String,
    /// The changed paths: files and links found new or modified, in walk order, then the
    /// removed ones.
    pub paths: Vec<ChangedPath>,
}

/// What every file and symbolic link under some candidates looked like at one moment.
///
/// Taken before a command runs; [`changes`](Snapshot::changes) after it tells what the
/// command did. Each file is noted by its modification time in nanoseconds, size and inode,
/// and, when it was modified within a few seconds of the moment it was noted, by a hash of
/// its content: only such a recent file could be rewritten without its time changing (see
/// `RACY_WINDOW` in `walk.rs`). A link is noted by its target text and never followed. The
/// reference notes whole seconds and size only, and misses an edit within the same second
/// that keeps the size; it also follows links, so it stores a link again when what the link
/// points to changes.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub(super) candidates: Candidates,
    pub(super) seen: BTreeMap<PathBuf, Seen>,
}

impl Snapshot {
    /// Walks every candidate and notes what is there now.
    pub fn take(candidates: &Candidates) -> Snapshot {
        let mut snapshot = Snapshot {
            candidates: candidates.clone(),
            seen: BTreeMap::new(),
        };
        snapshot.note(candidates);
        snapshot
    }

    /// Notes (again) what is under each of `candidates` now.
    pub(super) fn note(&mut self, candidates: &Candidates) {
        let now = SystemTime::now();
        for candidate in &candidates.list {
            for path in files_and_links(&candidate.path, &candidates.ignore) {
                if let Some(seen) = Seen::note(&path, now) {
                    self.seen.insert(path, seen);
                }
            }
        }
    }

    /// The candidates it covers, most recent first.
    pub fn candidates(&self) -> &Candidates {
        &self.candidates
    }

    /// What changed under each candidate since the snapshot (or since the last call), in the
    /// reference's order: one [`Change`] per candidate with changes, most recent candidate
    /// first. The snapshot then describes the present, so that an asynchronous watch
    /// reports each edit once.
    pub fn changes(&mut self) -> Vec<Change> {
        let now = SystemTime::now();
        let mut changes = Vec::new();
        // As in the reference, a vanished path is forgotten only after every candidate was
        // looked at, so candidates that overlap (an asynchronous watch's) all report it.
        let mut vanished = Vec::new();
        let candidates = self.candidates.list.clone();
        for candidate in &candidates {
            let (paths, gone) = self.changes_under(candidate, now);
            vanished.extend(gone);
            if !paths.is_empty() {
                changes.push(Change {
                    candidate: candidate.path.clone(),
                    name: candidate.name.clone(),
                    paths,
                });
            }
        }
        for path in vanished {
            self.seen.remove(&path);
        }
        changes
    }

    fn changes_under(
        &mut self,
        candidate: &Candidate,
        now: SystemTime,
    ) -> (Vec<ChangedPath>, Vec<PathBuf>) {
        let mut changed = Vec::new();
        let present = files_and_links(&candidate.path, &self.candidates.ignore);
        for path in &present {
            let Some(seen) = Seen::note(path, now) else {
                continue;
            };
            let kind = match self.seen.get(path) {
                None => ChangeKind::Created,
                Some(before) if before.differs(&seen, path) => ChangeKind::Modified,
                Some(_) => continue,
            };
            changed.push(ChangedPath {
                path: path.clone(),
                kind,
            });
            self.seen.insert(path.clone(), seen);
        }
        let present: BTreeSet<&PathBuf> = present.iter().collect();
        let gone: Vec<PathBuf> = self
            .seen
            .keys()
            .filter(|p| p.starts_with(&candidate.path) && !present.contains(p))
            .cloned()
            .collect();
        for path in &gone {
            let removed = highest_missing(path, &candidate.path);
            if !changed.iter().any(|c| c.path == removed) {
                changed.push(ChangedPath {
                    path: removed,
                    kind: ChangeKind::Removed,
                });
            }
        }
        (changed, gone)
    }
}

/// The highest ancestor of the vanished `path` that vanished too, stopping at the candidate
/// (the reference climbs past it and then writes its deletion marker outside the edit
/// directory). A parent that is now a file or a link counts as vanished: the directory that
/// held the path is gone.
fn highest_missing(path: &Path, candidate: &Path) -> PathBuf {
    let is_real_dir = |p: &Path| std::fs::symlink_metadata(p).is_ok_and(|m| m.is_dir());
    let mut removed = path;
    while removed != candidate {
        match removed.parent() {
            Some(parent) if !is_real_dir(parent) => removed = parent,
            _ => break,
        }
    }
    removed.to_path_buf()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::file_edits::IgnoreList;
    use std::fs;
    use std::os::unix::fs::symlink;

    fn candidates(cwd: &Path, words: &[&str], ignore: &IgnoreList) -> Candidates {
        Candidates::for_words(cwd, words, ignore)
    }

    fn summary(changes: &[Change], root: &Path) -> Vec<(String, Vec<(String, ChangeKind)>)> {
        changes
            .iter()
            .map(|c| {
                let paths = c
                    .paths
                    .iter()
                    .map(|p| {
                        let rel = p.path.strip_prefix(root).unwrap();
                        (rel.display().to_string(), p.kind)
                    })
                    .collect();
                (c.name.clone(), paths)
            })
            .collect()
    }

    fn set_mtime(path: &Path, time: SystemTime) {
        fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(time)
            .unwrap();
    }

    #[test]
    fn creates_modifies_and_nested_directories() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        fs::create_dir_all(d.join("out/sub")).unwrap();
        fs::write(d.join("out/a"), "a").unwrap();
        fs::write(d.join("out/same"), "s").unwrap();
        let mut snap = Snapshot::take(&candidates(d, &["out"], &IgnoreList::default()));
        fs::write(d.join("out/a"), "longer").unwrap();
        fs::create_dir_all(d.join("out/sub/deep/er")).unwrap();
        fs::write(d.join("out/sub/deep/er/new"), "n").unwrap();
        use ChangeKind::*;
        assert_eq!(
            summary(&snap.changes(), d),
            [(
                "out".into(),
                vec![
                    ("out/a".into(), Modified),
                    ("out/sub/deep/er/new".into(), Created)
                ]
            )]
        );
        // Reported once.
        assert!(snap.changes().is_empty());
    }

    #[test]
    fn a_rewrite_that_keeps_time_and_size_is_found_by_content() {
        let tmp = tempfile::tempdir().unwrap();
        let f = tmp.path().join("f");
        fs::write(&f, "aaaa").unwrap();
        let mut snap = Snapshot::take(&candidates(tmp.path(), &["f"], &IgnoreList::default()));
        let before = fs::metadata(&f).unwrap().modified().unwrap();
        // Same size, and the time put back to the nanosecond, as a coarse file system clock
        // or a rewrite within one tick would leave it.
        fs::write(&f, "bbbb").unwrap();
        set_mtime(&f, before);
        let changes = snap.changes();
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].paths[0].kind, ChangeKind::Modified);
    }

    #[test]
    fn an_untouched_recent_file_is_not_a_change() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("f"), "aaaa").unwrap();
        let mut snap = Snapshot::take(&candidates(tmp.path(), &["f"], &IgnoreList::default()));
        assert!(snap.changes().is_empty());
    }

    #[test]
    fn a_removed_directory_is_one_entry_at_its_highest_missing_ancestor() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        fs::create_dir_all(d.join("out/gone/deeper")).unwrap();
        fs::write(d.join("out/gone/deeper/f"), "x").unwrap();
        fs::write(d.join("out/gone/g"), "x").unwrap();
        fs::write(d.join("out/file"), "x").unwrap();
        let mut snap = Snapshot::take(&candidates(d, &["out"], &IgnoreList::default()));
        fs::remove_dir_all(d.join("out/gone")).unwrap();
        fs::remove_file(d.join("out/file")).unwrap();
        use ChangeKind::*;
        assert_eq!(
            summary(&snap.changes(), d),
            [(
                "out".into(),
                vec![("out/file".into(), Removed), ("out/gone".into(), Removed)]
            )]
        );
    }

    #[test]
    fn a_removed_candidate_is_removed_itself_and_never_its_parent() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        fs::create_dir_all(d.join("top/out/x")).unwrap();
        fs::write(d.join("top/out/x/f"), "x").unwrap();
        let abs = d.join("top/out");
        let mut snap = Snapshot::take(&candidates(
            d,
            &[abs.to_str().unwrap()],
            &IgnoreList::default(),
        ));
        fs::remove_dir_all(d.join("top")).unwrap();
        assert_eq!(
            summary(&snap.changes(), d),
            [("out".into(), vec![("top/out".into(), ChangeKind::Removed)])]
        );
    }

    #[test]
    fn links_are_noted_by_target_and_not_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        fs::create_dir_all(d.join("out")).unwrap();
        fs::create_dir_all(d.join("elsewhere")).unwrap();
        fs::write(d.join("elsewhere/f"), "x").unwrap();
        symlink(d.join("elsewhere"), d.join("out/dirlink")).unwrap();
        symlink("a", d.join("out/retarget")).unwrap();
        let mut snap = Snapshot::take(&candidates(d, &["out"], &IgnoreList::default()));
        // Edits behind a link are not under the candidate.
        fs::write(d.join("elsewhere/f"), "changed").unwrap();
        fs::write(d.join("elsewhere/new"), "n").unwrap();
        fs::remove_file(d.join("out/retarget")).unwrap();
        symlink("b", d.join("out/retarget")).unwrap();
        symlink("nowhere", d.join("out/dangling")).unwrap();
        use ChangeKind::*;
        assert_eq!(
            summary(&snap.changes(), d),
            [(
                "out".into(),
                vec![
                    ("out/dangling".into(), Created),
                    ("out/retarget".into(), Modified)
                ]
            )]
        );
    }

    #[test]
    fn ignored_names_are_not_watched() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        fs::create_dir_all(d.join("out/.git")).unwrap();
        let ignore = IgnoreList::new([".git", "tmp.log"]);
        let mut snap = Snapshot::take(&candidates(d, &["out"], &ignore));
        fs::write(d.join("out/.git/index"), "x").unwrap();
        fs::write(d.join("out/tmp.log"), "x").unwrap();
        fs::write(d.join("out/kept"), "x").unwrap();
        assert_eq!(
            summary(&snap.changes(), d),
            [("out".into(), vec![("out/kept".into(), ChangeKind::Created)])]
        );
    }

    #[test]
    fn candidates_with_a_common_prefix_are_both_tracked() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        fs::create_dir_all(d.join("out")).unwrap();
        fs::create_dir_all(d.join("out2")).unwrap();
        let mut snap = Snapshot::take(&candidates(d, &["out", "out2"], &IgnoreList::default()));
        fs::write(d.join("out/f"), "1").unwrap();
        fs::write(d.join("out2/f"), "2").unwrap();
        let names: Vec<String> = snap.changes().into_iter().map(|c| c.name).collect();
        assert_eq!(names, ["out2", "out"]);
    }

    #[test]
    fn an_absolute_path_created_by_the_command_is_found() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        let abs = d.join("made/by/it");
        let mut snap = Snapshot::take(&candidates(
            d,
            &[abs.to_str().unwrap()],
            &IgnoreList::default(),
        ));
        fs::create_dir_all(&abs).unwrap();
        fs::write(abs.join("f"), "x").unwrap();
        assert_eq!(
            summary(&snap.changes(), d),
            [(
                "it".into(),
                vec![("made/by/it/f".into(), ChangeKind::Created)]
            )]
        );
    }
}
