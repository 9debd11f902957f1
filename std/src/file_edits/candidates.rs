//! Which paths a command might edit: its changed working directory, absolute words of the
//! environment it was recorded with, and the words of its arguments.

use std::ffi::{OsStr, OsString};
use std::path::{Component, Path, PathBuf};

use capturemock_core::words::is_python_space;

/// Base names that directory walks skip (`[command line] ignore_edits`).
///
/// It applies inside walks only: a candidate named on the command line is tracked even when
/// its own name is listed, as in the reference.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IgnoreList {
    names: Vec<OsString>,
}

impl IgnoreList {
    /// The list from its names (the entries of `ignore_edits`, already split and trimmed).
    pub fn new<I, S>(names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        IgnoreList {
            names: names.into_iter().map(Into::into).collect(),
        }
    }

    /// Whether a walk skips an entry with this base name.
    pub fn contains(&self, name: &OsStr) -> bool {
        self.names.iter().any(|n| n == name)
    }
}

/// One path a command might edit, with the name its edits are stored under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Candidate {
    /// As the reference spells it: an absolute word as given, a relative one joined to the
    /// cwd (`<cwd>/.` for `.`), never normalised.
    pub(super) path: PathBuf,
    /// The base name of that spelling (`.` for `<cwd>/.`), which is the `->FIL:` name before
    /// any `.edit_N`.
    pub(super) name: String,
}

impl Candidate {
    pub(super) fn new(path: PathBuf) -> Self {
        let name = base_name(&path);
        Candidate { path, name }
    }
}

/// The paths one command (or, through an [`AsyncWatch`](super::AsyncWatch), a run) might
/// edit, most recent first, and the [`IgnoreList`] their walks use.
///
/// The order matters twice: a command's `->FIL:` lines come in this order, and replay gives
/// a stored edit to the first candidate that fits best.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Candidates {
    pub(super) list: Vec<Candidate>,
    pub(super) ignore: IgnoreList,
}

impl Candidates {
    /// The candidates of one command.
    ///
    /// - `cwd`: the command's working directory (the shim's physical `getcwd()`);
    ///   `server_cwd`: the server's. When they differ, `cwd` is a candidate and relative words
    ///   count for nothing.
    /// - `env_values`: the values of the recorded `env` settings, as written in the request
    ///   (`$PATH:/new` compaction included); their whitespace-separated words that are
    ///   absolute and hold no `:` are candidates.
    /// - `args`: the arguments after the command name. For an argument starting with `-`,
    ///   the pieces after each `=` are words; for any other, its whitespace-separated words.
    ///   An absolute word always counts (the path may not exist yet); a relative one only when
    ///   the cwd is unchanged and `<cwd>/<word>` exists now.
    ///
    /// A candidate whose real path lies strictly inside another's (by path components; the
    /// home directory never counts as the outer one) is dropped, since the outer walk sees
    /// its edits. The reference compares real paths as plain strings and so drops `out2`
    /// beside `out`, losing its edits; we do not. The root directory is never a candidate:
    /// walking the whole file system around every command is never what was meant. Empty
    /// words (`--prefix=`) are skipped; the reference turns them into the cwd itself.
    ///
    /// The result is in the reference's order: the last word first, each path once.
    pub fn for_command(
        cwd: &Path,
        server_cwd: &Path,
        env_values: &[&OsStr],
        args: &[OsString],
        ignore: &IgnoreList,
    ) -> Candidates {
        let changed_cwd = cwd.as_os_str() != server_cwd.as_os_str();
        let mut found: Vec<PathBuf> = Vec::new();
        if changed_cwd {
            found.push(cwd.to_path_buf());
        }
        for value in env_values {
            for word in whitespace_words(value) {
                // `os.pathsep`: a word holding it is a path list, not a path.
                let separator = if cfg!(windows) { b';' } else { b':' };
                let is_list = word.as_encoded_bytes().contains(&separator);
                if !is_list && Path::new(&word).is_absolute() {
                    found.push(PathBuf::from(word));
                }
            }
        }
        for arg in args {
            for word in arg_words(arg) {
                if word.is_empty() {
                    continue;
                }
                let path = Path::new(&word);
                if path.is_absolute() {
                    found.push(path.to_path_buf());
                } else if !changed_cwd {
                    let full = cwd.join(path);
                    if full.exists() {
                        found.push(full);
                    }
                }
            }
        }
        let found = drop_descendants(found);
        let mut candidates = Candidates {
            list: Vec::new(),
            ignore: ignore.clone(),
        };
        for path in found {
            candidates.put_first(Candidate::new(path));
        }
        candidates
    }

    /// The candidate paths, most recent first, spelled as the command named them.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.list.iter().map(|c| c.path.as_path())
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// True when the command can edit nothing; the reference then skips the check after
    /// running it.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The walks' ignore list.
    pub fn ignore(&self) -> &IgnoreList {
        &self.ignore
    }

    /// Moves `candidate` to the front (adding it if new): the most recently named path is
    /// the most relevant.
    fn put_first(&mut self, candidate: Candidate) {
        self.list
            .retain(|c| c.path.as_os_str() != candidate.path.as_os_str());
        self.list.insert(0, candidate);
    }

    /// `self` (most recent first) followed by those of `older` it does not hold: what a
    /// command sees when an asynchronous watch already holds `older`.
    pub(super) fn then(&self, older: &Candidates) -> Candidates {
        let mut all = self.clone();
        for c in &older.list {
            if !all.contains(&c.path) {
                all.list.push(c.clone());
            }
        }
        all
    }

    /// `older` followed by those of `self` it does not hold, in `self`'s order: how the
    /// reference accumulates the candidates of an asynchronous run. The ignore list is
    /// `self`'s (it is the run's, the same for every command).
    pub(super) fn appended_to(&self, older: &Candidates) -> Candidates {
        let mut all = Candidates {
            list: older.list.clone(),
            ignore: self.ignore.clone(),
        };
        for c in &self.list {
            if !all.contains(&c.path) {
                all.list.push(c.clone());
            }
        }
        all
    }

    pub(super) fn contains(&self, path: &Path) -> bool {
        self.list
            .iter()
            .any(|c| c.path.as_os_str() == path.as_os_str())
    }
}

/// The words of one argument that may name paths.
fn arg_words(arg: &OsStr) -> Vec<OsString> {
    if arg.as_encoded_bytes().first() == Some(&b'-') {
        // `--logfile=/path`: the pieces after each `=`, spaces and all.
        split_os(arg, |b| b == b'=').into_iter().skip(1).collect()
    } else {
        whitespace_words(arg)
    }
}

/// Python's `str.split()`: runs of white space separate, none are kept.
fn whitespace_words(text: &OsStr) -> Vec<OsString> {
    match text.to_str() {
        Some(text) => text
            .split(is_python_space)
            .filter(|w| !w.is_empty())
            .map(OsString::from)
            .collect(),
        // Not UTF-8: the reference sees the undecodable bytes as lone surrogates, which are
        // not white space, so splitting on the ASCII white space bytes is the same split.
        None => split_os(text, |b| matches!(b, b'\t'..=b'\r' | 0x1c..=0x1f | b' '))
            .into_iter()
            .filter(|w| !w.is_empty())
            .collect(),
    }
}

/// Splits at every byte that `at` accepts (an ASCII byte, so the pieces stay well formed).
fn split_os(text: &OsStr, at: impl Fn(u8) -> bool) -> Vec<OsString> {
    let bytes = text.as_encoded_bytes();
    let mut pieces = Vec::new();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if at(b) {
            pieces.push(os_from_bytes(&bytes[start..i]));
            start = i + 1;
        }
    }
    pieces.push(os_from_bytes(&bytes[start..]));
    pieces
}

#[cfg(unix)]
fn os_from_bytes(bytes: &[u8]) -> OsString {
    use std::os::unix::ffi::OsStrExt;
    OsStr::from_bytes(bytes).to_os_string()
}

#[cfg(not(unix))]
fn os_from_bytes(bytes: &[u8]) -> OsString {
    // Only ASCII separators split the text, so valid Unicode stays valid; anything else is
    // shown as the replacement character, as everywhere else on such systems.
    OsString::from(String::from_utf8_lossy(bytes).into_owned())
}

/// Drops the root directory and every path whose real path lies strictly inside another's.
fn drop_descendants(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    let home = std::env::var_os("HOME").map(|h| (PathBuf::from(&h), real_path(Path::new(&h))));
    let real: Vec<PathBuf> = paths.iter().map(|p| real_path(p)).collect();
    let is_root = |p: &Path| p.parent().is_none();
    let is_home = |p: &Path| match &home {
        Some((raw, resolved)) => p == raw || p == resolved,
        None => false,
    };
    paths
        .iter()
        .zip(&real)
        .filter(|(_, inner)| !is_root(inner))
        .filter(|(_, inner)| {
            !real.iter().any(|outer| {
                outer != *inner && !is_root(outer) && !is_home(outer) && inner.starts_with(outer)
            })
        })
        .map(|(p, _)| p.clone())
        .collect()
}

/// `os.path.realpath`: links resolved as far as the path exists, the rest taken as text
/// (`..` removes the component before it), so paths that do not exist yet compare too.
pub(super) fn real_path(path: &Path) -> PathBuf {
    if let Ok(real) = std::fs::canonicalize(path) {
        return real;
    }
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => {
                out.push(other);
                if let Ok(real) = std::fs::canonicalize(&out) {
                    out = real;
                }
            }
        }
    }
    out
}

/// The reference's `os.path.basename` of a candidate, except that trailing separators are
/// ignored (`out/` is `out`, where the reference's empty name dumps the edits into the root
/// of the edit directory). `<cwd>/.` is `.`.
fn base_name(path: &Path) -> String {
    let text = path.to_string_lossy();
    let is_separator = |c: char| c == '/' || (cfg!(windows) && c == '\\');
    let trimmed = text.trim_end_matches(is_separator);
    if trimmed.is_empty() {
        return text.into_owned();
    }
    match trimmed.rfind(is_separator) {
        Some(i) => trimmed[i + 1..].to_string(),
        None => trimmed.to_string(),
    }
}

/// The tests' shorthand: the candidates of a command of `words`, run in `cwd` (which is
/// also the server's) with no environment.
#[cfg(test)]
impl Candidates {
    pub(super) fn for_words(cwd: &Path, words: &[&str], ignore: &IgnoreList) -> Candidates {
        let args: Vec<OsString> = words.iter().map(OsString::from).collect();
        Candidates::for_command(cwd, cwd, &[], &args, ignore)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn args(words: &[&str]) -> Vec<OsString> {
        words.iter().map(OsString::from).collect()
    }

    fn for_command(cwd: &Path, server_cwd: &Path, env: &[&str], words: &[&str]) -> Vec<PathBuf> {
        let env: Vec<&OsStr> = env.iter().map(OsStr::new).collect();
        Candidates::for_command(cwd, server_cwd, &env, &args(words), &IgnoreList::default())
            .paths()
            .map(Path::to_path_buf)
            .collect()
    }

    fn real_tmp() -> (tempfile::TempDir, PathBuf) {
        let tmp = tempfile::tempdir().unwrap();
        let dir = fs::canonicalize(tmp.path()).unwrap();
        (tmp, dir)
    }

    #[test]
    fn absolute_words_count_relative_ones_only_when_they_exist() {
        let (_tmp, dir) = real_tmp();
        fs::write(dir.join("there"), "x").unwrap();
        let abs = dir.join("not-yet").to_string_lossy().into_owned();
        let found = for_command(&dir, &dir, &[], &["there", "missing", &abs]);
        // Most recent first.
        assert_eq!(found, vec![PathBuf::from(&abs), dir.join("there")]);
    }

    #[test]
    fn option_arguments_give_the_pieces_after_each_equals_sign() {
        let (_tmp, dir) = real_tmp();
        let a = dir.join("a b");
        let arg = format!("--out=/nonexistent-x={}", a.display());
        let found = for_command(&dir, &dir, &[], &[&arg, "-v", "--empty="]);
        assert_eq!(found, vec![a, PathBuf::from("/nonexistent-x")]);
    }

    #[test]
    fn other_arguments_give_their_whitespace_separated_words() {
        let (_tmp, dir) = real_tmp();
        fs::create_dir(dir.join("out")).unwrap();
        let found = for_command(&dir, &dir, &[], &["a\u{a0}out /abs/x"]);
        assert_eq!(found, vec![PathBuf::from("/abs/x"), dir.join("out")]);
    }

    #[test]
    fn a_changed_cwd_is_a_candidate_and_relative_words_are_not() {
        let (_tmp, dir) = real_tmp();
        let sub = dir.join("sub");
        fs::create_dir(&sub).unwrap();
        fs::write(sub.join("f"), "x").unwrap();
        assert_eq!(for_command(&sub, &dir, &[], &["f"]), vec![sub.clone()]);
    }

    #[test]
    fn env_values_give_absolute_words_without_colons() {
        let (_tmp, dir) = real_tmp();
        let found = for_command(
            &dir,
            &dir,
            &["/opt/a $PATH:/x", "rel /var/log/app.log", "/p:/q"],
            &[],
        );
        assert_eq!(
            found,
            vec![PathBuf::from("/var/log/app.log"), PathBuf::from("/opt/a")]
        );
    }

    #[test]
    fn dot_is_the_cwd_and_is_named_dot() {
        let (_tmp, dir) = real_tmp();
        let env: [&OsStr; 0] = [];
        let c = Candidates::for_command(&dir, &dir, &env, &args(&["."]), &IgnoreList::default());
        assert_eq!(c.list.len(), 1);
        assert_eq!(c.list[0].path.as_os_str(), dir.join(".").as_os_str());
        assert_eq!(c.list[0].name, ".");
    }

    #[test]
    fn sibling_with_a_common_prefix_is_kept_but_a_descendant_is_dropped() {
        // The reference compares real paths as strings and tracks only `out` here.
        let (_tmp, dir) = real_tmp();
        for d in ["out", "out2", "out/inner"] {
            fs::create_dir(dir.join(d)).unwrap();
        }
        let found = for_command(&dir, &dir, &[], &["out", "out2", "out/inner"]);
        assert_eq!(found, vec![dir.join("out2"), dir.join("out")]);
    }

    #[test]
    fn descendants_are_found_through_symbolic_links() {
        let (_tmp, dir) = real_tmp();
        fs::create_dir(dir.join("real")).unwrap();
        fs::write(dir.join("real/f"), "x").unwrap();
        std::os::unix::fs::symlink(dir.join("real"), dir.join("link")).unwrap();
        let found = for_command(&dir, &dir, &[], &["real", "link/f"]);
        assert_eq!(found, vec![dir.join("real")]);
    }

    #[test]
    fn repeated_words_appear_once_in_their_latest_place_and_the_root_never() {
        let (_tmp, dir) = real_tmp();
        fs::write(dir.join("a"), "x").unwrap();
        fs::write(dir.join("b"), "x").unwrap();
        let found = for_command(&dir, &dir, &[], &["a", "b", "a", "/"]);
        assert_eq!(found, vec![dir.join("a"), dir.join("b")]);
    }

    #[test]
    fn names_are_base_names_and_trailing_separators_are_ignored() {
        assert_eq!(base_name(Path::new("/w/out/")), "out");
        assert_eq!(base_name(Path::new("/w/report.txt")), "report.txt");
        assert_eq!(base_name(Path::new("/w/.")), ".");
        assert_eq!(base_name(Path::new("/")), "/");
    }

    #[test]
    fn real_paths_of_missing_paths_resolve_what_exists() {
        let (_tmp, dir) = real_tmp();
        fs::create_dir(dir.join("real")).unwrap();
        std::os::unix::fs::symlink(dir.join("real"), dir.join("link")).unwrap();
        assert_eq!(
            real_path(&dir.join("link/new/../x")),
            dir.join("real").join("x")
        );
    }
}
