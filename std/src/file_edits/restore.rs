//! Replaying a `->FIL:<name>` line: finding the stored edit, choosing which current
//! candidate it belongs to, and applying it.

use std::fs;
use std::path::{Path, PathBuf};

use capturemock_core::words::python_strip;

use super::candidates::Candidates;
use super::error::EditError;
use super::fsops::{
    make_link, remove_path, target_from_bytes, with_suffix, without_suffix, DELETION_SUFFIX,
    SYMLINK_SUFFIX,
};
use super::store::copy_into;
use super::walk::files_and_links;

/// What a stored edit is, which limits where it may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StoredKind {
    Directory,
    /// A file or a link marker.
    File,
    /// A deletion marker: it may remove anything.
    Deletion,
}

/// Applies the stored edit `name` (the text of a `->FIL:` line) from the replay edit
/// directory `dir` to one of `candidates`, the current command's (with those of an
/// asynchronous watch after them).
///
/// The stored edit is `dir/<name>`, else `dir/<name>.CAPTUREMOCK_SYMLINK`, else
/// `dir/<name>.CAPTUREMOCK_DELETION`; when none exists the line is dropped (`Ok(None)`),
/// as it is when no candidate may take it. The target is chosen by the reference's rule:
/// a stored directory never goes to an existing file nor a stored file to an existing
/// directory; the first candidate not yet in `used` whose base name equals `name` without
/// any `.edit_N` wins (and is added to `used`); otherwise the one with the best score, the
/// length of the common prefix plus that of the common suffix of the two names, a candidate
/// whose own name holds `.edit_` scoring -1, ties to the first. Keep one `used` per replayed
/// command.
///
/// Restoring overwrites files with the stored copies (permission bits included), creates
/// missing parent directories (removing a file or link where a directory must be),
/// recreates links (replacing what is there unless it is already that link; the reference
/// keeps any link already there) and removes paths that have deletion markers. Returns the
/// target. A name that is not a single file name in `dir` is an error rather than a read
/// outside it.
pub fn restore(
    dir: &Path,
    name: &str,
    candidates: &Candidates,
    used: &mut Vec<PathBuf>,
) -> Result<Option<PathBuf>, EditError> {
    let name = python_strip(name);
    // `""` and `.` are the directory itself: the reference stores `<cwd>/.` (and `out/`,
    // whose base name it takes as empty) straight into it.
    let bad = name == ".." || name.contains('/') || (cfg!(windows) && name.contains('\\'));
    if bad {
        return Err(EditError::BadName {
            name: name.to_string(),
            dir: dir.to_path_buf(),
        });
    }
    let Some((stored, kind)) = find_stored(dir, name) else {
        return Ok(None);
    };
    let Some(target) = choose_target(name, kind, candidates, used) else {
        return Ok(None);
    };
    for source in files_and_links(&stored, &candidates.ignore) {
        let destination = if source == stored {
            target.clone()
        } else {
            match source.strip_prefix(&stored) {
                Ok(relative) => target.join(relative),
                Err(_) => continue,
            }
        };
        apply(&source, &destination, &stored)?;
    }
    Ok(Some(target))
}

fn find_stored(dir: &Path, name: &str) -> Option<(PathBuf, StoredKind)> {
    let plain = dir.join(name);
    if plain.exists() {
        let kind = if plain.is_dir() {
            StoredKind::Directory
        } else {
            StoredKind::File
        };
        return Some((plain, kind));
    }
    let link = with_suffix(&plain, SYMLINK_SUFFIX);
    if link.exists() {
        return Some((link, StoredKind::File));
    }
    let deletion = with_suffix(&plain, DELETION_SUFFIX);
    if deletion.exists() {
        return Some((deletion, StoredKind::Deletion));
    }
    None
}

fn choose_target(
    name: &str,
    kind: StoredKind,
    candidates: &Candidates,
    used: &mut Vec<PathBuf>,
) -> Option<PathBuf> {
    // The `.edit_N` suffix is the store's, not the file's.
    let wanted = name.split(".edit_").next().unwrap_or(name);
    let mut best: Option<(&Path, i64)> = None;
    for candidate in &candidates.list {
        let path = candidate.path.as_path();
        let clash = match kind {
            StoredKind::Directory => path.is_file(),
            StoredKind::File => path.is_dir(),
            StoredKind::Deletion => false,
        };
        if clash {
            continue;
        }
        if candidate.name == wanted && !used.iter().any(|u| u.as_os_str() == path.as_os_str()) {
            used.push(path.to_path_buf());
            return Some(path.to_path_buf());
        }
        let score = match_score(wanted, &candidate.name);
        if best.is_none_or(|(_, best)| score > best) && score > -1 {
            best = Some((path, score));
        }
    }
    best.map(|(path, _)| path.to_path_buf())
}

/// Common prefix plus common suffix, in characters; -1 for a name that is itself a store
/// name (`.edit_`).
fn match_score(wanted: &str, actual: &str) -> i64 {
    if actual.contains(".edit_") {
        return -1;
    }
    let prefix = wanted
        .chars()
        .zip(actual.chars())
        .take_while(|(a, b)| a == b)
        .count();
    let suffix = wanted
        .chars()
        .rev()
        .zip(actual.chars().rev())
        .take_while(|(a, b)| a == b)
        .count();
    (prefix + suffix) as i64
}

/// Applies one stored file or marker to `destination` (the target, or a path under it).
fn apply(source: &Path, destination: &Path, stored: &Path) -> Result<(), EditError> {
    let fail = |target: &Path| {
        let target = target.to_path_buf();
        move |source_error| EditError::Restore {
            stored: source.to_path_buf(),
            target,
            source: source_error,
        }
    };
    // A marker at the top stands for the target itself; below it, for its own name.
    let marked = |suffix: &str| {
        if source == stored {
            without_suffix(stored, suffix).map(|_| destination.to_path_buf())
        } else {
            without_suffix(source, suffix).and_then(|_| without_suffix(destination, suffix))
        }
    };
    if let Some(link) = marked(SYMLINK_SUFFIX) {
        let text = fs::read(source).map_err(fail(&link))?;
        let target = target_from_bytes(&text);
        if fs::read_link(&link).is_ok_and(|t| t == target) {
            return Ok(());
        }
        if let Some(parent) = link.parent() {
            super::fsops::ensure_dir(parent).map_err(fail(&link))?;
        }
        remove_path(&link).map_err(fail(&link))?;
        make_link(&target, &link).map_err(fail(&link))
    } else if let Some(removed) = marked(DELETION_SUFFIX) {
        remove_path(&removed).map_err(fail(&removed))
    } else {
        copy_into(source, destination).map_err(fail(destination))
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::file_edits::{EditStore, IgnoreList, Snapshot};
    use std::os::unix::fs::symlink;

    fn candidates(cwd: &Path, words: &[&str]) -> Candidates {
        Candidates::for_words(cwd, words, &IgnoreList::default())
    }

    /// Every file and link under `dir`, relative, with its content or target.
    fn tree(dir: &Path) -> Vec<(String, String)> {
        files_and_links(dir, &IgnoreList::default())
            .into_iter()
            .map(|path| {
                let rel = path.strip_prefix(dir).unwrap().display().to_string();
                let what = match fs::read_link(&path) {
                    Ok(target) => format!("-> {}", target.display()),
                    Err(_) => fs::read_to_string(&path).unwrap(),
                };
                (rel, what)
            })
            .collect()
    }

    fn initial(w: &Path) {
        let _ = fs::remove_dir_all(w);
        fs::create_dir_all(w.join("tree/old/inner")).unwrap();
        fs::create_dir_all(w.join("tree/sub")).unwrap();
        fs::write(w.join("tree/old/inner/x"), "x").unwrap();
        fs::write(w.join("tree/gone"), "g").unwrap();
        fs::write(w.join("tree/a"), "a").unwrap();
        fs::write(w.join("tree/sub/b"), "b").unwrap();
        fs::write(w.join("file.txt"), "f").unwrap();
        fs::create_dir_all(w.join("doomed/d")).unwrap();
        fs::write(w.join("doomed/d/f"), "d").unwrap();
        symlink("a", w.join("tree/was_link")).unwrap();
    }

    fn edit(w: &Path) {
        fs::remove_dir_all(w.join("tree/old")).unwrap();
        fs::remove_file(w.join("tree/gone")).unwrap();
        fs::write(w.join("tree/a"), "a changed").unwrap();
        fs::create_dir_all(w.join("tree/new/deep")).unwrap();
        fs::write(w.join("tree/new/deep/n"), "new").unwrap();
        symlink("a", w.join("tree/rel")).unwrap();
        symlink(w.join("tree/sub"), w.join("tree/abs_inside")).unwrap();
        symlink("/etc/hostname", w.join("tree/abs_outside")).unwrap();
        fs::remove_file(w.join("tree/was_link")).unwrap();
        fs::write(w.join("tree/was_link"), "now a file").unwrap();
        fs::write(w.join("file.txt"), "f changed").unwrap();
        fs::remove_dir_all(w.join("doomed")).unwrap();
    }

    #[test]
    fn a_recorded_edit_restores_into_a_fresh_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let recorded = tmp.path().join("recorded");
        let words = ["tree", "file.txt", "doomed"];
        initial(&recorded);
        let mut snap = Snapshot::take(&candidates(&recorded, &words));
        edit(&recorded);
        let store_dir = tmp.path().join("store");
        let mut store = EditStore::new(Some(store_dir.clone()));
        let names: Vec<String> = snap
            .changes()
            .iter()
            .map(|c| store.store(c).unwrap())
            .collect();
        assert_eq!(names, ["doomed", "file.txt", "tree"]);

        let fresh = tmp.path().join("fresh");
        initial(&fresh);
        let now = candidates(&fresh, &words);
        let mut used = Vec::new();
        for name in &names {
            let target = restore(&store_dir, name, &now, &mut used).unwrap();
            assert_eq!(target, Some(fresh.join(name)));
        }
        let mut expected = tree(&recorded);
        // The absolute link inside its own directory comes back relative, as in the
        // reference.
        for (path, what) in &mut expected {
            if path == "tree/abs_inside" {
                *what = "-> sub".into();
            }
        }
        assert_eq!(tree(&fresh), expected);
        assert!(!fresh.join("doomed").exists());
    }

    fn stored_dir(tmp: &Path, entries: &[&str]) -> PathBuf {
        let dir = tmp.join("stored");
        for entry in entries {
            if let Some(name) = entry.strip_suffix('/') {
                fs::create_dir_all(dir.join(name)).unwrap();
                fs::write(dir.join(name).join("f"), "in dir").unwrap();
            } else {
                fs::create_dir_all(&dir).unwrap();
                fs::write(dir.join(entry), "file").unwrap();
            }
        }
        dir
    }

    #[test]
    fn targets_are_chosen_by_name_then_by_score() {
        let tmp = tempfile::tempdir().unwrap();
        let w = tmp.path().join("w");
        fs::create_dir_all(&w).unwrap();
        for f in ["report.txt", "out", "zzz", "data.edit_1"] {
            fs::write(w.join(f), "old").unwrap();
        }
        let store = stored_dir(tmp.path(), &["report", "out", "out.edit_2", "data"]);
        let c = candidates(&w, &["report.txt", "zzz", "out", "data.edit_1"]);
        let mut used = Vec::new();
        // Best score: "report" shares 6 leading characters with "report.txt".
        assert_eq!(
            restore(&store, "report", &c, &mut used).unwrap(),
            Some(w.join("report.txt"))
        );
        assert!(used.is_empty(), "only exact names are used up");
        assert_eq!(
            restore(&store, "out", &c, &mut used).unwrap(),
            Some(w.join("out"))
        );
        // `out` is used up, so it competes by score: 3 + 3 beats every other candidate.
        assert_eq!(
            restore(&store, "out.edit_2", &c, &mut used).unwrap(),
            Some(w.join("out"))
        );
        // A candidate whose own name holds `.edit_` scores -1, the others 0: the first wins.
        assert_eq!(
            restore(&store, "data", &c, &mut used).unwrap(),
            Some(w.join("out"))
        );
    }

    #[test]
    fn the_first_of_equal_scores_wins_and_unused_exact_names_beat_scores() {
        let tmp = tempfile::tempdir().unwrap();
        let w = tmp.path().join("w");
        fs::create_dir_all(w.join("b")).unwrap();
        fs::create_dir_all(w.join("x/out")).unwrap();
        fs::write(w.join("ab"), "").unwrap();
        fs::write(w.join("ba"), "").unwrap();
        let store = stored_dir(tmp.path(), &["a", "out/"]);
        // Candidates: ba, ab, out (most recent first). "ab" and "ba" both score 1.
        let c = candidates(&w, &["x/out", "ab", "ba"]);
        let mut used = Vec::new();
        assert_eq!(
            restore(&store, "a", &c, &mut used).unwrap(),
            Some(w.join("ba"))
        );
        assert_eq!(
            restore(&store, "out", &c, &mut used).unwrap(),
            Some(w.join("x/out"))
        );
        assert_eq!(used, [w.join("x/out")]);
    }

    #[test]
    fn a_directory_never_goes_to_a_file_nor_a_file_to_a_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let w = tmp.path().join("w");
        fs::create_dir_all(w.join("adir")).unwrap();
        fs::write(w.join("afile"), "").unwrap();
        let store = stored_dir(tmp.path(), &["afile/", "adir"]);
        let c = candidates(&w, &["afile", "adir"]);
        let mut used = Vec::new();
        // The exact names clash in kind: each goes to the other candidate.
        assert_eq!(
            restore(&store, "afile", &c, &mut used).unwrap(),
            Some(w.join("adir"))
        );
        assert_eq!(
            restore(&store, "adir", &c, &mut used).unwrap(),
            Some(w.join("afile"))
        );
        // Only a file candidate, a stored directory: dropped.
        let only_file = candidates(&w, &["afile"]);
        assert_eq!(
            restore(&store, "afile", &only_file, &mut used).unwrap(),
            None
        );
    }

    #[test]
    fn deletion_and_symlink_markers_at_the_top() {
        let tmp = tempfile::tempdir().unwrap();
        let w = tmp.path().join("w");
        fs::create_dir_all(w.join("victim/inner")).unwrap();
        fs::write(w.join("linked"), "a file now").unwrap();
        let store = tmp.path().join("stored");
        fs::create_dir_all(&store).unwrap();
        fs::write(store.join("victim.CAPTUREMOCK_DELETION"), "").unwrap();
        fs::write(store.join("linked.CAPTUREMOCK_SYMLINK"), "/etc/hostname\n").unwrap();
        let c = candidates(&w, &["victim", "linked"]);
        let mut used = Vec::new();
        assert_eq!(
            restore(&store, "victim", &c, &mut used).unwrap(),
            Some(w.join("victim"))
        );
        assert!(!w.join("victim").exists());
        assert_eq!(
            restore(&store, " linked\n", &c, &mut used).unwrap(),
            Some(w.join("linked"))
        );
        assert_eq!(
            fs::read_link(w.join("linked")).unwrap(),
            Path::new("/etc/hostname")
        );
    }

    #[test]
    fn missing_stored_edits_and_no_candidates_drop_the_line() {
        let tmp = tempfile::tempdir().unwrap();
        let w = tmp.path().join("w");
        fs::create_dir_all(&w).unwrap();
        fs::write(w.join("f"), "").unwrap();
        let store = stored_dir(tmp.path(), &["g"]);
        let mut used = Vec::new();
        let c = candidates(&w, &["f"]);
        assert_eq!(restore(&store, "nothing", &c, &mut used).unwrap(), None);
        let none = candidates(&w, &[]);
        assert_eq!(restore(&store, "g", &none, &mut used).unwrap(), None);
    }

    #[test]
    fn names_that_leave_the_directory_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let c = candidates(tmp.path(), &[]);
        for name in ["../etc", "a/b", ".."] {
            let error = restore(tmp.path(), name, &c, &mut Vec::new()).unwrap_err();
            assert!(matches!(error, EditError::BadName { .. }), "{name}");
        }
    }
}
