//! Pending mocks: a record run never overwrites a mock file that exists (the test helpers
//! always, the command line with `--pending`). When its result differs, it goes beside the
//! mock as `X.mock.new`, for a person to review, accept or reject (`capturemock review`,
//! `accept`, `reject`); when it is the same, nothing is written and a stale `X.mock.new` is
//! removed, since what it proposed is no longer what a run records.

use std::path::{Path, PathBuf};

/// What a pending file's name ends with, after its mock file's name.
pub const PENDING_SUFFIX: &str = ".new";

/// The suffix of the files `capturemock review` finds by walking directories: pending mock
/// files. A file given by name may be any `X.new`.
pub const PENDING_MOCK_SUFFIX: &str = ".mock.new";

/// What settling a run's result did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settled {
    /// There was no mock file: the result became it.
    Written,
    /// The result is what the mock file holds: nothing written.
    Same,
    /// The result differs: it is pending in this file, the mock file untouched.
    Pending(PathBuf),
}

/// A pending file could not be read, written, accepted or rejected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PendingError {
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
    /// The name does not end in `.new`, and no `X.new` beside it exists either.
    #[error("{} is not a pending file (X.new) and has none beside it", .0.display())]
    NotPending(PathBuf),
}

/// An error mapper naming what was being done to which file.
fn io(what: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> PendingError {
    let path = path.to_path_buf();
    move |source| PendingError::Io { what, path, source }
}

/// `X.mock` → `X.mock.new`.
pub fn pending_path(mock: &Path) -> PathBuf {
    let mut name = mock.as_os_str().to_owned();
    name.push(PENDING_SUFFIX);
    PathBuf::from(name)
}

/// `X.mock.new` → `X.mock`; `None` when the name does not end in `.new` (or is only that).
pub fn target_of(pending: &Path) -> Option<PathBuf> {
    let name = pending.file_name()?.to_str()?;
    let stem = name.strip_suffix(PENDING_SUFFIX)?;
    (!stem.is_empty()).then(|| pending.with_file_name(stem))
}

/// The pending file a command-line argument means: the file itself when it ends in `.new`,
/// else `X.new` beside the mock file `X` named.
pub fn resolve(arg: &Path) -> Result<PathBuf, PendingError> {
    if target_of(arg).is_some() {
        return Ok(arg.to_path_buf());
    }
    let beside = pending_path(arg);
    if beside.exists() {
        Ok(beside)
    } else {
        Err(PendingError::NotPending(arg.to_path_buf()))
    }
}

/// Removes `path`; a file that is already gone is no error.
fn remove_if_there(path: &Path) -> Result<(), PendingError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io("remove", path)(e)),
        _ => Ok(()),
    }
}

/// Moves `from` to `to`, copying when they are on different file systems (a test's record
/// file is in the temporary directory), creating `to`'s directories.
pub(crate) fn move_file(from: &Path, to: &Path) -> Result<(), PendingError> {
    if let Some(parent) = to.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io("create the directory", parent))?;
    }
    if std::fs::rename(from, to).is_err() {
        std::fs::copy(from, to).map_err(io("write", to))?;
        remove_if_there(from)?;
    }
    Ok(())
}

/// Puts a run's result, the file `produced`, in its place for the mock file `mock`: it
/// becomes `mock` when there is none, is dropped when `mock` holds the same text, and
/// otherwise moves to `mock.new` ([`Settled`]). `produced` is gone afterwards either way
/// (unless it *is* `mock.new`, which then stays when pending). A missing `produced` is an
/// empty result.
pub fn settle(mock: &Path, produced: &Path) -> Result<Settled, PendingError> {
    let new = pending_path(mock);
    let result = match std::fs::read(produced) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io("read", produced)(e)),
    };
    let existing = match std::fs::read(mock) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io("read", mock)(e)),
    };
    let same_file = produced == new;
    match (existing, result) {
        (None, None) => Ok(Settled::Same),
        (None, Some(_)) => {
            move_file(produced, mock)?;
            if !same_file {
                remove_if_there(&new)?;
            }
            Ok(Settled::Written)
        }
        (Some(old), result) if old == result.clone().unwrap_or_default() => {
            remove_if_there(produced)?;
            remove_if_there(&new)?;
            Ok(Settled::Same)
        }
        (Some(_), Some(_)) => {
            if !same_file {
                move_file(produced, &new)?;
            }
            Ok(Settled::Pending(new))
        }
        (Some(_), None) => {
            // Nothing recorded where something was: pending as an empty file.
            std::fs::write(&new, b"").map_err(io("write", &new))?;
            Ok(Settled::Pending(new))
        }
    }
}

/// The pending mock files (`*.mock.new`) under `root`, sorted; a file given as `root` is
/// itself. Hidden directories and `target` (cargo's build output) are not walked. A directory
/// that cannot be read is an error, so that nothing pending is silently missed.
pub fn find(root: &Path) -> Result<Vec<PathBuf>, PendingError> {
    let mut found = Vec::new();
    if root.is_file() {
        found.push(root.to_path_buf());
        return Ok(found);
    }
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = std::fs::read_dir(&dir).map_err(io("read the directory", &dir))?;
        for entry in entries {
            let entry = entry.map_err(io("read the directory", &dir))?;
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            // Not followed: a link to a directory could loop.
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                if !name.starts_with('.') && name != "target" {
                    dirs.push(path);
                }
            } else if name.ends_with(PENDING_MOCK_SUFFIX) && name.len() > PENDING_MOCK_SUFFIX.len()
            {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Accepts a pending file: it replaces its mock file. Returns the mock file.
pub fn accept(pending: &Path) -> Result<PathBuf, PendingError> {
    let target =
        target_of(pending).ok_or_else(|| PendingError::NotPending(pending.to_path_buf()))?;
    std::fs::rename(pending, &target).map_err(io("move into place", pending))?;
    Ok(target)
}

/// Rejects a pending file: it is removed, the mock file left as it is.
pub fn reject(pending: &Path) -> Result<(), PendingError> {
    if target_of(pending).is_none() {
        return Err(PendingError::NotPending(pending.to_path_buf()));
    }
    std::fs::remove_file(pending).map_err(io("remove", pending))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }

    #[test]
    fn names() {
        assert_eq!(
            pending_path(Path::new("a/x.mock")),
            PathBuf::from("a/x.mock.new")
        );
        assert_eq!(
            target_of(Path::new("a/x.mock.new")),
            Some(PathBuf::from("a/x.mock"))
        );
        assert_eq!(target_of(Path::new("a/x.mock")), None);
        assert_eq!(target_of(Path::new(".new")), None);
    }

    #[test]
    fn settle_writes_a_missing_mock_keeps_a_same_one_and_pends_a_different_one() {
        let d = dir();
        let mock = d.path().join("sub/x.mock");
        let run = d.path().join("run");
        std::fs::write(&run, "a\n").unwrap();
        assert_eq!(settle(&mock, &run).unwrap(), Settled::Written);
        assert_eq!(std::fs::read_to_string(&mock).unwrap(), "a\n");
        assert!(!run.exists());

        std::fs::write(&run, "b\n").unwrap();
        let new = pending_path(&mock);
        assert_eq!(settle(&mock, &run).unwrap(), Settled::Pending(new.clone()));
        assert_eq!(std::fs::read_to_string(&mock).unwrap(), "a\n");
        assert_eq!(std::fs::read_to_string(&new).unwrap(), "b\n");

        // The same result again: nothing written, the stale proposal gone.
        std::fs::write(&run, "a\n").unwrap();
        assert_eq!(settle(&mock, &run).unwrap(), Settled::Same);
        assert!(!new.exists());
        assert!(!run.exists());

        // Nothing recorded where something was: an empty proposal.
        assert_eq!(settle(&mock, &run).unwrap(), Settled::Pending(new.clone()));
        assert_eq!(std::fs::read_to_string(&new).unwrap(), "");
        assert_eq!(std::fs::read_to_string(&mock).unwrap(), "a\n");
    }

    #[test]
    fn settle_in_place_when_the_run_recorded_into_the_pending_file() {
        let d = dir();
        let mock = d.path().join("x.mock");
        let new = pending_path(&mock);
        std::fs::write(&mock, "a\n").unwrap();
        std::fs::write(&new, "b\n").unwrap();
        assert_eq!(settle(&mock, &new).unwrap(), Settled::Pending(new.clone()));
        assert_eq!(std::fs::read_to_string(&new).unwrap(), "b\n");
        std::fs::write(&new, "a\n").unwrap();
        assert_eq!(settle(&mock, &new).unwrap(), Settled::Same);
        assert!(!new.exists());
    }

    #[test]
    fn find_accept_reject_resolve() {
        let d = dir();
        for p in [
            "a.mock.new",
            "m/b.mock.new",
            "m/b.mock",
            "target/c.mock.new",
            ".git/d.mock.new",
            "e.txt.new",
        ] {
            let p = d.path().join(p);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, "x").unwrap();
        }
        let found = find(d.path()).unwrap();
        assert_eq!(
            found,
            [d.path().join("a.mock.new"), d.path().join("m/b.mock.new")]
        );
        assert_eq!(
            resolve(&d.path().join("m/b.mock")).unwrap(),
            d.path().join("m/b.mock.new")
        );
        assert!(matches!(
            resolve(&d.path().join("nothing.mock")),
            Err(PendingError::NotPending(_))
        ));
        assert_eq!(accept(&found[0]).unwrap(), d.path().join("a.mock"));
        assert!(!found[0].exists());
        reject(&found[1]).unwrap();
        assert!(!found[1].exists());
        assert!(d.path().join("m/b.mock").exists());
        assert!(matches!(
            accept(&found[1]),
            Err(PendingError::Io {
                what: "move into place",
                ..
            })
        ));
        assert!(find(&d.path().join("missing")).is_err());
    }
}
