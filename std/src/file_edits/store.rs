//! Storing a command's edits in the record edit directory (`-F DIR`), in the reference's
//! layout, and naming them for `->FIL:` lines.

use std::collections::HashMap;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::error::EditError;
use super::fsops::{
    clear_for_file, ensure_dir, remove_path, target_bytes, with_suffix, DELETION_SUFFIX,
    SYMLINK_SUFFIX,
};
use super::snapshot::Change;

/// The record edit directory of one run, and how often each name was stored in it.
///
/// Layout (the reference's, so that each side replays the other's): a change under a
/// directory candidate copies each changed file to `DIR/<name>/<path relative to the
/// candidate>`; under a file candidate, to `DIR/<name>`. A removed path becomes an empty
/// `<path>.CAPTUREMOCK_DELETION`, a link `<path>.CAPTUREMOCK_SYMLINK` holding its target and
/// a newline; an absolute target inside the link's own directory is stored relative to it,
/// so that the tree can be restored elsewhere. `<name>` is the candidate's base name, and
/// from its second storage in the run on (counted per base name over every command)
/// `<name>.edit_2`, `<name>.edit_3`, ...
///
/// Where we differ: copies keep the permission bits (the reference copies content only, so
/// a generated script comes back not executable), and what an earlier run left under a name
/// is removed before the name is first written (the reference leaves it, and a stale
/// `DIR/<name>` then wins over a new `<name>.CAPTUREMOCK_DELETION` on replay).
#[derive(Debug, Default)]
pub struct EditStore {
    dir: Option<PathBuf>,
    uses: HashMap<String, u32>,
}

impl EditStore {
    /// A store for one run; `None` when the run was given no `-F`, in which case storing a
    /// change is an error.
    pub fn new(dir: Option<PathBuf>) -> Self {
        EditStore {
            dir,
            uses: HashMap::new(),
        }
    }

    /// The record edit directory.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// Copies the changed paths of `change` into the directory and returns the name to
    /// record as `->FIL:<name>`.
    ///
    /// Paths are stored as they are now; a path that changed kind since it was found (a
    /// file that became a directory) is stored as what it is. A failure names the path and
    /// stops this change; the name is used up all the same, so later names stay the
    /// reference's.
    pub fn store(&mut self, change: &Change) -> Result<String, EditError> {
        let Some(dir) = &self.dir else {
            return Err(EditError::NoStoreDir {
                candidate: change.candidate.clone(),
            });
        };
        let uses = self.uses.entry(change.name.clone()).or_insert(0);
        *uses += 1;
        let name = match *uses {
            1 => change.name.clone(),
            n => format!("{}.edit_{n}", change.name),
        };
        let root = dir.join(&name);
        clear_name(&root, &name, &change.candidate)?;
        for changed in &change.paths {
            let Ok(relative) = changed.path.strip_prefix(&change.candidate) else {
                continue;
            };
            let stored = if relative.as_os_str().is_empty() {
                root.clone()
            } else {
                root.join(relative)
            };
            store_path(&changed.path, &stored)?;
        }
        Ok(name)
    }
}

/// Removes what an earlier run stored under `name`. `.` is the edit directory itself and is
/// left alone.
fn clear_name(root: &Path, name: &str, candidate: &Path) -> Result<(), EditError> {
    let mut old = vec![
        with_suffix(root, SYMLINK_SUFFIX),
        with_suffix(root, DELETION_SUFFIX),
    ];
    if name != "." && name != ".." {
        old.push(root.to_path_buf());
    }
    for path in old {
        remove_path(&path).map_err(|source| EditError::Store {
            path: candidate.to_path_buf(),
            stored: path,
            source,
        })?;
    }
    Ok(())
}

/// Stores one changed path at `stored` (or its marker beside it).
fn store_path(path: &Path, stored: &Path) -> Result<(), EditError> {
    let fail = |at: &Path| {
        let at = at.to_path_buf();
        move |source| EditError::Store {
            path: path.to_path_buf(),
            stored: at,
            source,
        }
    };
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let marker = with_suffix(stored, DELETION_SUFFIX);
            return write_marker(&marker, b"").map_err(fail(&marker));
        }
        Err(e) => return Err(fail(stored)(e)),
    };
    if meta.file_type().is_symlink() {
        let marker = with_suffix(stored, SYMLINK_SUFFIX);
        let target = fs::read_link(path).map_err(fail(&marker))?;
        let mut text = target_bytes(&stored_target(path, &target));
        text.push(b'\n');
        write_marker(&marker, &text).map_err(fail(&marker))
    } else if meta.is_file() {
        copy_into(path, stored).map_err(fail(stored))
    } else {
        // A directory: its files are changes of their own.
        Ok(())
    }
}

/// A link's target as stored: relative when it is absolute and inside the link's own
/// directory. The reference replaces `<link dir>/` wherever it occurs in the target text;
/// we take it only as a leading path prefix.
fn stored_target(link: &Path, target: &Path) -> PathBuf {
    if target.is_absolute() {
        if let Some(rest) = link.parent().and_then(|dir| target.strip_prefix(dir).ok()) {
            if !rest.as_os_str().is_empty() {
                return rest.to_path_buf();
            }
        }
    }
    target.to_path_buf()
}

fn write_marker(marker: &Path, text: &[u8]) -> io::Result<()> {
    if let Some(parent) = marker.parent() {
        ensure_dir(parent)?;
    }
    clear_for_file(marker)?;
    fs::File::create(marker)?.write_all(text)
}

/// Copies a file's content and permission bits; shared with restoring.
pub(super) fn copy_into(from: &Path, to: &Path) -> io::Result<()> {
    if let Some(parent) = to.parent() {
        ensure_dir(parent)?;
    }
    clear_for_file(to)?;
    match fs::copy(from, to) {
        Ok(_) => Ok(()),
        // A read-only file in the way: the recorded command replaced it, so do we.
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied && to.is_file() => {
            fs::remove_file(to)?;
            fs::copy(from, to).map(drop)
        }
        Err(e) => Err(e),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::file_edits::{Candidates, IgnoreList, Snapshot};
    use std::os::unix::fs::symlink;

    fn candidates(cwd: &Path, words: &[&str]) -> Candidates {
        Candidates::for_words(cwd, words, &IgnoreList::default())
    }

    /// Every file under `dir`, relative, with its content.
    fn listing(dir: &Path) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for path in super::super::walk::files_and_links(dir, &IgnoreList::default()) {
            let rel = path.strip_prefix(dir).unwrap().display().to_string();
            out.push((rel, fs::read_to_string(&path).unwrap()));
        }
        out
    }

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn stores_the_reference_layout_with_markers() {
        let tmp = tempfile::tempdir().unwrap();
        let w = tmp.path().join("w");
        fs::create_dir_all(w.join("tree/old/inner")).unwrap();
        fs::write(w.join("tree/old/inner/x"), "x").unwrap();
        fs::write(w.join("tree/gone"), "g").unwrap();
        fs::write(w.join("tree/same"), "s").unwrap();
        fs::write(w.join("file.txt"), "f").unwrap();
        let mut snap = Snapshot::take(&candidates(&w, &["tree", "file.txt"]));
        fs::remove_dir_all(w.join("tree/old")).unwrap();
        fs::remove_file(w.join("tree/gone")).unwrap();
        fs::create_dir_all(w.join("tree/new/deep")).unwrap();
        fs::write(w.join("tree/new/deep/n"), "new").unwrap();
        symlink("same", w.join("tree/rel")).unwrap();
        symlink(w.join("tree/new"), w.join("tree/abs_inside")).unwrap();
        symlink("/etc/hostname", w.join("tree/abs_outside")).unwrap();
        fs::write(w.join("file.txt"), "f2").unwrap();

        let store_dir = tmp.path().join("store");
        let mut store = EditStore::new(Some(store_dir.clone()));
        let names: Vec<String> = snap
            .changes()
            .iter()
            .map(|c| store.store(c).unwrap())
            .collect();
        assert_eq!(names, ["file.txt", "tree"]);
        assert_eq!(
            listing(&store_dir),
            pairs(&[
                ("file.txt", "f2"),
                ("tree/abs_inside.CAPTUREMOCK_SYMLINK", "new\n"),
                ("tree/abs_outside.CAPTUREMOCK_SYMLINK", "/etc/hostname\n"),
                ("tree/gone.CAPTUREMOCK_DELETION", ""),
                ("tree/new/deep/n", "new"),
                ("tree/old.CAPTUREMOCK_DELETION", ""),
                ("tree/rel.CAPTUREMOCK_SYMLINK", "same\n"),
            ])
        );
    }

    #[test]
    fn names_count_per_base_name_across_commands() {
        let tmp = tempfile::tempdir().unwrap();
        let w = tmp.path().join("w");
        let other = tmp.path().join("other");
        fs::create_dir_all(w.join("out")).unwrap();
        fs::create_dir_all(other.join("out")).unwrap();
        fs::create_dir_all(w.join("log")).unwrap();
        let store_dir = tmp.path().join("store");
        let mut store = EditStore::new(Some(store_dir.clone()));
        let mut names = Vec::new();
        for (i, (cwd, words)) in [
            (&w, vec!["out"]),
            (&w, vec!["log", "out"]),
            (&other, vec!["out"]),
        ]
        .into_iter()
        .enumerate()
        {
            let mut snap = Snapshot::take(&candidates(cwd, &words));
            for word in &words {
                fs::write(cwd.join(word).join("f"), format!("{i}")).unwrap();
            }
            for change in snap.changes() {
                names.push(store.store(&change).unwrap());
            }
        }
        assert_eq!(names, ["out", "out.edit_2", "log", "out.edit_3"]);
        assert_eq!(
            listing(&store_dir),
            pairs(&[
                ("log/f", "1"),
                ("out/f", "0"),
                ("out.edit_2/f", "1"),
                ("out.edit_3/f", "2"),
            ])
        );
    }

    #[test]
    fn dot_is_stored_straight_into_the_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let w = tmp.path().join("w");
        fs::create_dir_all(&w).unwrap();
        let mut snap = Snapshot::take(&candidates(&w, &["."]));
        fs::write(w.join("made"), "m").unwrap();
        let store_dir = tmp.path().join("store");
        fs::create_dir_all(&store_dir).unwrap();
        fs::write(store_dir.join("unrelated"), "u").unwrap();
        let mut store = EditStore::new(Some(store_dir.clone()));
        let change = &snap.changes()[0];
        assert_eq!(store.store(change).unwrap(), ".");
        assert_eq!(
            listing(&store_dir),
            pairs(&[("made", "m"), ("unrelated", "u")])
        );
    }

    #[test]
    fn an_earlier_runs_leftovers_under_a_name_are_removed_first() {
        let tmp = tempfile::tempdir().unwrap();
        let w = tmp.path().join("w");
        fs::create_dir_all(w.join("out")).unwrap();
        fs::write(w.join("out/f"), "x").unwrap();
        let store_dir = tmp.path().join("store");
        fs::create_dir_all(store_dir.join("out")).unwrap();
        fs::write(store_dir.join("out/stale"), "s").unwrap();
        fs::write(store_dir.join("other"), "o").unwrap();
        let mut snap = Snapshot::take(&candidates(&w, &["out"]));
        fs::remove_dir_all(w.join("out")).unwrap();
        let mut store = EditStore::new(Some(store_dir.clone()));
        assert_eq!(store.store(&snap.changes()[0]).unwrap(), "out");
        assert_eq!(
            listing(&store_dir),
            pairs(&[("other", "o"), ("out.CAPTUREMOCK_DELETION", "")])
        );
    }

    #[test]
    fn copies_keep_permission_bits() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let w = tmp.path().join("w");
        fs::create_dir_all(&w).unwrap();
        let script = w.join("run.sh");
        let mut snap = Snapshot::take(&candidates(&w, &[script.to_str().unwrap()]));
        fs::write(&script, "#!/bin/sh\n").unwrap();
        fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
        let store_dir = tmp.path().join("store");
        let mut store = EditStore::new(Some(store_dir.clone()));
        store.store(&snap.changes()[0]).unwrap();
        let mode = fs::metadata(store_dir.join("run.sh"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755);
    }

    #[test]
    fn an_edit_without_a_directory_is_an_error_naming_the_path() {
        let tmp = tempfile::tempdir().unwrap();
        let w = tmp.path().to_path_buf();
        let f = w.join("f");
        let mut snap = Snapshot::take(&candidates(&w, &[f.to_str().unwrap()]));
        fs::write(&f, "x").unwrap();
        let mut store = EditStore::new(None);
        let error = store.store(&snap.changes()[0]).unwrap_err();
        assert!(matches!(error, EditError::NoStoreDir { .. }));
        let text = error.to_string();
        assert!(text.contains(&f.display().to_string()), "{text}");
        assert!(text.contains("-F DIR"), "{text}");
    }
}
