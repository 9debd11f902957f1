//! File system steps shared by storing and restoring: markers, parents, removal, links.

use std::ffi::{OsStr, OsString};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Suffix of a file that stands for a symbolic link: it holds the target and a newline.
pub const SYMLINK_SUFFIX: &str = ".CAPTUREMOCK_SYMLINK";
/// Suffix of an empty file that stands for a removed path.
pub const DELETION_SUFFIX: &str = ".CAPTUREMOCK_DELETION";

/// `path` with `suffix` added to its last component.
pub(super) fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut text: OsString = path.as_os_str().to_os_string();
    text.push(suffix);
    PathBuf::from(text)
}

/// `path` without `suffix`, when its last component ends with it (and is more than it).
pub(super) fn without_suffix(path: &Path, suffix: &str) -> Option<PathBuf> {
    let name = path.file_name()?;
    let bytes = name.as_encoded_bytes();
    if bytes.len() <= suffix.len() || !bytes.ends_with(suffix.as_bytes()) {
        return None;
    }
    Some(path.with_file_name(strip_os_suffix(name, suffix.len())))
}

/// `name` without its last `len` bytes, which are an ASCII suffix.
#[cfg(unix)]
fn strip_os_suffix(name: &OsStr, len: usize) -> OsString {
    use std::os::unix::ffi::OsStrExt;
    let bytes = name.as_bytes();
    OsStr::from_bytes(&bytes[..bytes.len() - len]).to_os_string()
}

/// `name` without its last `len` bytes, which are an ASCII suffix.
#[cfg(not(unix))]
fn strip_os_suffix(name: &OsStr, len: usize) -> OsString {
    let text = name.to_string_lossy();
    OsString::from(&text[..text.len() - len])
}

/// Makes `dir` a directory, with its parents: whatever file or link stands in the way is
/// removed, as the recorded command must have done to put a directory there.
pub(super) fn ensure_dir(dir: &Path) -> io::Result<()> {
    match fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => return Ok(()),
        _ => {}
    }
    if let Some(parent) = dir.parent() {
        if !parent.as_os_str().is_empty() {
            ensure_dir(parent)?;
        }
    }
    if fs::symlink_metadata(dir).is_ok() {
        fs::remove_file(dir)?;
    }
    match fs::create_dir(dir) {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        other => other,
    }
}

/// Removes a file, a link (not what it points to) or a whole directory; a path that is not
/// there is already removed.
pub(super) fn remove_path(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => fs::remove_dir_all(path),
        Ok(_) => fs::remove_file(path),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Removes a directory or link at `path` so that a file can be written there, keeping a
/// regular file (overwriting it keeps its inode and hard links).
pub(super) fn clear_for_file(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_file() => Ok(()),
        Ok(_) => remove_path(path),
        Err(_) => Ok(()),
    }
}

/// The bytes of a link target as stored in a marker.
pub(super) fn target_bytes(target: &Path) -> Vec<u8> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        target.as_os_str().as_bytes().to_vec()
    }
    #[cfg(not(unix))]
    {
        target.to_string_lossy().into_owned().into_bytes()
    }
}

/// A link target read back from a marker's bytes (white space around it stripped, as the
/// reference does).
pub(super) fn target_from_bytes(bytes: &[u8]) -> PathBuf {
    let is_space = |b: &u8| matches!(b, b'\t'..=b'\r' | 0x1c..=0x1f | b' ');
    let start = bytes
        .iter()
        .position(|b| !is_space(b))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !is_space(b))
        .map_or(start, |i| i + 1);
    let bytes = &bytes[start..end];
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        PathBuf::from(OsStr::from_bytes(bytes))
    }
    #[cfg(not(unix))]
    {
        PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
    }
}

/// Creates the link `link` → `target`.
pub(super) fn make_link(target: &Path, link: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(target, link)
    }
    #[cfg(windows)]
    {
        let resolved = link.parent().unwrap_or(Path::new("")).join(target);
        if resolved.is_dir() {
            std::os::windows::fs::symlink_dir(target, link)
        } else {
            std::os::windows::fs::symlink_file(target, link)
        }
    }
    #[cfg(not(any(unix, windows)))]
    {
        let _ = (target, link);
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "symbolic links are not supported here",
        ))
    }
}
