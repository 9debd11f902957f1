//! Walking a candidate and noting what each file and symbolic link under it looks like.

use std::fs::{self, Metadata};
use std::hash::Hasher;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::candidates::IgnoreList;

/// The files and symbolic links at or under `path`, sorted by name within each directory.
///
/// A symbolic link is listed and never followed (a link to a directory is one entry, as in
/// the reference's `os.walk`), and a dangling one is listed too, where the reference lists a
/// dangling link given as the candidate itself as nothing. Directories are walked, not
/// listed: an edit is always to a file or a link (a directory that vanished is found through
/// its files). Fifos, sockets and devices are skipped (copying them would block or fail).
/// Entries named in `ignore` are skipped, the top itself never is. Unreadable directories
/// are walked as far as they can be, as `os.walk` does.
pub(super) fn files_and_links(path: &Path, ignore: &IgnoreList) -> Vec<PathBuf> {
    let mut found = Vec::new();
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => walk_dir(path, ignore, &mut found),
        Ok(meta) if meta.is_file() || meta.file_type().is_symlink() => {
            found.push(path.to_path_buf())
        }
        _ => {}
    }
    found
}

fn walk_dir(dir: &Path, ignore: &IgnoreList, found: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        if ignore.contains(&entry.file_name()) {
            continue;
        }
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if kind.is_dir() {
            walk_dir(&path, ignore, found);
        } else if kind.is_file() || kind.is_symlink() {
            found.push(path);
        }
    }
}

/// How long before a snapshot a file's modification time must lie for an unchanged
/// (time, size) pair to prove the file unchanged.
///
/// A write after the snapshot stamps the file with the clock at that moment, truncated to
/// the file system's granularity (nanoseconds on ext4, XFS, btrfs and APFS, but read from a
/// clock that moves in ticks of a few milliseconds; one second on ext3 and HFS+; two on
/// FAT). So a file last modified more than one granule before the snapshot cannot be
/// rewritten without its time changing; one modified within it can (git calls such entries
/// "racily clean"). The margin covers FAT's two seconds and a second of skew between the
/// clocks of a network file system and ours.
pub(super) const RACY_WINDOW: Duration = Duration::from_secs(3);

/// What a file or link looked like when it was noted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Seen {
    /// A regular file.
    File {
        modified: Option<SystemTime>,
        len: u64,
        /// The inode on Unix: a file replaced by rename with its time preserved still counts.
        inode: u64,
        /// A hash of the content, kept only for a file modified within [`RACY_WINDOW`] of
        /// the moment it was noted, whose time and size could survive a rewrite.
        hash: Option<u64>,
    },
    /// A symbolic link, by its target text (not what it points to).
    Link { target: PathBuf },
}

impl Seen {
    /// Notes `path` as it is now, `now` being when the walk started. `None` when it is gone
    /// or is neither a file nor a link.
    pub(super) fn note(path: &Path, now: SystemTime) -> Option<Seen> {
        let meta = fs::symlink_metadata(path).ok()?;
        if meta.file_type().is_symlink() {
            return Some(Seen::Link {
                target: fs::read_link(path).ok()?,
            });
        }
        if !meta.is_file() {
            return None;
        }
        let modified = meta.modified().ok();
        let racy = match modified {
            Some(time) => time + RACY_WINDOW > now,
            None => true,
        };
        Some(Seen::File {
            modified,
            len: meta.len(),
            inode: inode(&meta),
            hash: if racy { content_hash(path) } else { None },
        })
    }

    /// Whether `now` (noted after `self`) is a different file or link. Only a file whose
    /// time, size and inode are all unchanged and that was racy when first noted is compared
    /// by content; `now` carries that content's hash when it was taken for `now`'s own
    /// racy-ness, else it is taken here.
    pub(super) fn differs(&self, now: &Seen, path: &Path) -> bool {
        match (self, now) {
            (
                Seen::File {
                    modified: m0,
                    len: l0,
                    inode: i0,
                    hash: h0,
                },
                Seen::File {
                    modified: m1,
                    len: l1,
                    inode: i1,
                    hash: h1,
                },
            ) => {
                if (m0, l0, i0) != (m1, l1, i1) {
                    return true;
                }
                match h0 {
                    None => false,
                    Some(before) => {
                        let after = match h1 {
                            Some(h) => Some(*h),
                            None => content_hash(path),
                        };
                        after != Some(*before)
                    }
                }
            }
            (Seen::Link { target: t0 }, Seen::Link { target: t1 }) => t0 != t1,
            _ => true,
        }
    }
}

#[cfg(unix)]
fn inode(meta: &Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    meta.ino()
}

#[cfg(not(unix))]
fn inode(_meta: &Metadata) -> u64 {
    0
}

/// A hash of the file's bytes; `None` when it cannot be read (then a rewrite within the
/// window goes unseen, as it would in the reference).
fn content_hash(path: &Path) -> Option<u64> {
    // SipHash with fixed keys: stable within a run, which is all a before/after comparison
    // needs, and no dependency.
    let mut hasher = std::hash::DefaultHasher::new();
    let mut file = fs::File::open(path).ok()?;
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        match file.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => hasher.write(&buffer[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    Some(hasher.finish())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn walks_files_and_lists_links_without_following_them() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        fs::create_dir_all(d.join("a/b")).unwrap();
        fs::create_dir_all(d.join("elsewhere/deep")).unwrap();
        fs::write(d.join("a/b/f"), "x").unwrap();
        fs::write(d.join("a/top"), "x").unwrap();
        fs::write(d.join("elsewhere/deep/g"), "x").unwrap();
        symlink(d.join("elsewhere"), d.join("a/dirlink")).unwrap();
        symlink("nowhere", d.join("a/dangling")).unwrap();
        let found = files_and_links(&d.join("a"), &IgnoreList::default());
        let rel: Vec<_> = found.iter().map(|p| p.strip_prefix(d).unwrap()).collect();
        assert_eq!(
            rel,
            [
                Path::new("a/b/f"),
                Path::new("a/dangling"),
                Path::new("a/dirlink"),
                Path::new("a/top")
            ]
        );
    }

    #[test]
    fn ignored_names_are_skipped_inside_walks_but_not_at_the_top() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path().join("CVS");
        fs::create_dir_all(d.join("CVS")).unwrap();
        fs::write(d.join("CVS/f"), "x").unwrap();
        fs::write(d.join("keep"), "x").unwrap();
        let found = files_and_links(&d, &IgnoreList::new(["CVS"]));
        assert_eq!(found, [d.join("keep")]);
    }

    #[test]
    fn only_recent_files_are_hashed() {
        let tmp = tempfile::tempdir().unwrap();
        let old = tmp.path().join("old");
        let new = tmp.path().join("new");
        fs::write(&old, "x").unwrap();
        fs::write(&new, "x").unwrap();
        let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
        fs::File::options()
            .write(true)
            .open(&old)
            .unwrap()
            .set_modified(an_hour_ago)
            .unwrap();
        let now = SystemTime::now();
        assert!(matches!(
            Seen::note(&old, now),
            Some(Seen::File { hash: None, .. })
        ));
        assert!(matches!(
            Seen::note(&new, now),
            Some(Seen::File { hash: Some(_), .. })
        ));
    }
}
