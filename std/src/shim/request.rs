//! What the shim sends: where it was run from, the PATH without its own directory, and the
//! texts of the two messages (compat spec `command-line.md`, sections 1 and 2).

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::python_literal::{write_str_dict, write_str_list};
use crate::traffic::command_line::message::{CALL_PREFIX, KILL_PREFIX};
use crate::traffic::custom::SEPARATOR;

/// Where a shim was run from: the path the caller ran, and its directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The shim's full path, `<dir>/<name>`: argv\[0\] of the request, whose basename the
    /// server takes for the command's name (and runs, found on the filtered PATH).
    pub path: PathBuf,
    /// The directory that holds it, which is left out of the PATH that is sent, so that the
    /// server runs the real command rather than the shim again.
    pub dir: PathBuf,
}

/// Finds the shim's own path and directory from `argv0` and `PATH`, as the shell found it:
/// when `argv0` holds a `/` it is the path that was run (its directory is its parent, as
/// Python's `os.path.dirname` gives it); otherwise the command was found on `PATH`, and it is
/// the first entry that holds an executable file of that name (an empty entry is the working
/// directory). `None` when neither finds it, e.g. a caller that set an argv\[0\] of its own.
///
/// A Python shim is a `#!` script, which the kernel always hands the path it ran; a binary
/// only gets the argv\[0\] its caller chose, usually the bare name, hence the search.
pub fn locate(argv0: &OsStr, path_var: Option<&OsStr>) -> Option<Location> {
    let bytes = argv0.as_bytes();
    if bytes.contains(&b'/') {
        return Some(Location {
            path: PathBuf::from(argv0),
            dir: PathBuf::from(OsStr::from_bytes(dirname(bytes))),
        });
    }
    if bytes.is_empty() {
        return None;
    }
    path_var?
        .as_bytes()
        .split(|&b| b == b':')
        .find_map(|entry| {
            let dir = if entry.is_empty() { &b"."[..] } else { entry };
            let path = Path::new(OsStr::from_bytes(dir)).join(argv0);
            let executable = std::fs::metadata(&path)
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0);
            executable.then(|| Location {
                path,
                dir: PathBuf::from(OsStr::from_bytes(dir)),
            })
        })
}

/// Python's `os.path.dirname` on POSIX: everything before the last `/`, without trailing
/// slashes unless it is all slashes.
fn dirname(path: &[u8]) -> &[u8] {
    let head = match path.iter().rposition(|&b| b == b'/') {
        Some(i) => &path[..=i],
        None => return &[],
    };
    if head.iter().all(|&b| b == b'/') {
        head
    } else {
        let end = head.iter().rposition(|&b| b != b'/').map_or(0, |i| i + 1);
        &head[..end]
    }
}

/// Python's `posixpath.normpath`: repeated and trailing slashes, `.` and `..` resolved
/// lexically (symlinks are not followed), exactly two leading slashes kept, `.` for nothing.
pub fn normpath(path: &[u8]) -> Vec<u8> {
    if path.is_empty() {
        return b".".to_vec();
    }
    let leading = match path.iter().take_while(|&&b| b == b'/').count() {
        0 => 0,
        2 => 2,
        _ => 1,
    };
    let mut parts: Vec<&[u8]> = Vec::new();
    for part in path.split(|&b| b == b'/') {
        match part {
            b"" | b"." => {}
            b".." if leading == 0 && parts.last().is_none_or(|&p| p == b"..") => parts.push(part),
            b".." => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    let mut out = vec![b'/'; leading];
    out.extend_from_slice(&parts.join(&b'/'));
    if out.is_empty() {
        out.push(b'.');
    }
    out
}

/// `path_var` without the entries that are `dir` once both are normalised (see
/// [`normpath`]). The reference compares its shim's directory as it is with each normalised
/// entry; normalising both also drops `/tmp/x/./` for a shim run as `/tmp//x/mytool`.
pub fn filter_path(path_var: &OsStr, dir: &Path) -> OsString {
    let dir = normpath(dir.as_os_str().as_bytes());
    let kept: Vec<&[u8]> = path_var
        .as_bytes()
        .split(|&b| b == b':')
        .filter(|entry| normpath(entry) != dir)
        .collect();
    OsString::from_vec(kept.join(&b':'))
}

/// The environment to send: `vars` in their order, with `PATH` filtered of `dir`, and each
/// name once (the first, as Python's `os.environ` keeps it when `environ` repeats a name).
pub fn environment(
    vars: impl IntoIterator<Item = (OsString, OsString)>,
    dir: &Path,
) -> Vec<(OsString, OsString)> {
    let mut env: Vec<(OsString, OsString)> = Vec::new();
    for (name, value) in vars {
        // environ has some 10 to 100 entries: a scan beats hashing every name.
        if env.iter().any(|(n, _)| *n == name) {
            continue;
        }
        let value = if name == "PATH" {
            filter_path(&value, dir)
        } else {
            value
        };
        env.push((name, value));
    }
    env
}

/// The request, `SUT_COMMAND_LINE:` ARGV `:SUT_SEP:` ENV `:SUT_SEP:` CWD `:SUT_SEP:` PID, with
/// no newline. ARGV and ENV are Python literals ([`crate::python_literal`]); ARGV's first
/// element should be the shim's full path ([`Location::path`]).
///
/// A `:SUT_SEP:` inside an argument or a variable is written with its first colon as
/// `\x3a`, which Python reads back as `:`: the server splits the text at every `:SUT_SEP:`,
/// and the reference's server fails the request when it finds more than four parts. The
/// working directory is sent as it is.
///
/// ```
/// use capturemock::shim::request_text;
///
/// let text = request_text([&b"/tmp/s/mytool"[..], b"it's"], [(&b"A"[..], &b"1"[..])], "/w", 42);
/// assert_eq!(
///     text,
///     r#"SUT_COMMAND_LINE:['/tmp/s/mytool', 'it\'s']:SUT_SEP:{'A': '1'}:SUT_SEP:/w:SUT_SEP:42"#
/// );
/// ```
pub fn request_text<'a>(
    argv: impl IntoIterator<Item = &'a [u8]>,
    env: impl IntoIterator<Item = (&'a [u8], &'a [u8])>,
    cwd: &str,
    pid: u32,
) -> String {
    let mut argv_text = String::new();
    write_str_list(&mut argv_text, argv);
    let mut env_text = String::new();
    write_str_dict(&mut env_text, env);
    format!(
        "{CALL_PREFIX}{}{SEPARATOR}{}{SEPARATOR}{cwd}{SEPARATOR}{pid}",
        escape_separator(argv_text),
        escape_separator(env_text)
    )
}

/// Writes the first colon of each `:SUT_SEP:` in a literal as `\x3a`. The literals escape
/// every backslash, so a `:` in them never follows an escape's backslash.
fn escape_separator(literal: String) -> String {
    if literal.contains(SEPARATOR) {
        literal.replace(SEPARATOR, "\\x3aSUT_SEP:")
    } else {
        literal
    }
}

/// The message that passes a signal on, `SUT_COMMAND_KILL:<signal>:SUT_SEP:<pid>`, sent on a
/// connection of its own while the request's connection waits for its reply.
///
/// ```
/// assert_eq!(capturemock::shim::kill_text(15, 42), "SUT_COMMAND_KILL:15:SUT_SEP:42");
/// ```
pub fn kill_text(signal: i32, pid: u32) -> String {
    format!("{KILL_PREFIX}{signal}{SEPARATOR}{pid}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normpath_is_pythons() {
        // Expected values from Python's posixpath.normpath.
        let cases: &[(&str, &str)] = &[
            ("", "."),
            ("/", "/"),
            ("//", "//"),
            ("///", "/"),
            ("//a//b/", "//a/b"),
            ("///a/./b/../c", "/a/c"),
            ("a/../..", ".."),
            ("../a/..", ".."),
            ("/..", "/"),
            ("/../a", "/a"),
            ("./", "."),
            ("a/./b/", "a/b"),
            ("/tmp/x/", "/tmp/x"),
        ];
        for (path, expected) in cases {
            assert_eq!(
                normpath(path.as_bytes()),
                expected.as_bytes(),
                "normpath({path:?})"
            );
        }
    }

    #[test]
    fn dirname_is_pythons() {
        let cases: &[(&str, &str)] = &[
            ("/tmp/x/mytool", "/tmp/x"),
            ("/tmp/x//mytool", "/tmp/x"),
            ("./mytool", "."),
            ("/mytool", "/"),
            ("//mytool", "//"),
            ("a/", "a"),
            ("mytool", ""),
        ];
        for (path, expected) in cases {
            assert_eq!(dirname(path.as_bytes()), expected.as_bytes(), "{path:?}");
        }
    }

    #[test]
    fn path_loses_every_spelling_of_the_shim_dir() {
        let filtered = filter_path(
            OsStr::new("/tmp/s:/bin:/tmp/s/:/tmp//s/.:/usr/bin::/tmp/s/../s"),
            Path::new("/tmp/s"),
        );
        assert_eq!(filtered, "/bin:/usr/bin:");
        assert_eq!(filter_path(OsStr::new("/tmp/s"), Path::new("/tmp/s")), "");
    }

    #[test]
    fn locate_by_path_or_by_search() {
        let found = locate(OsStr::new("/tmp/s/mytool"), None).unwrap();
        assert_eq!(found.path, Path::new("/tmp/s/mytool"));
        assert_eq!(found.dir, Path::new("/tmp/s"));
        let found = locate(OsStr::new("./mytool"), None).unwrap();
        assert_eq!(found.dir, Path::new("."));

        let root = tempfile::tempdir().unwrap();
        let (plain, shims) = (root.path().join("plain"), root.path().join("shims"));
        for dir in [&plain, &shims] {
            std::fs::create_dir(dir).unwrap();
        }
        // Not executable: the shell would pass it by, so does the search.
        std::fs::write(plain.join("mytool"), "").unwrap();
        std::fs::write(shims.join("mytool"), "").unwrap();
        std::fs::set_permissions(shims.join("mytool"), std::fs::Permissions::from_mode(0o755))
            .unwrap();
        let path = std::env::join_paths([&plain, &shims]).unwrap();
        let found = locate(OsStr::new("mytool"), Some(&path)).unwrap();
        assert_eq!(found.path, shims.join("mytool"));
        assert_eq!(found.dir, shims);
        assert_eq!(locate(OsStr::new("other"), Some(&path)), None);
        assert_eq!(locate(OsStr::new("mytool"), None), None);
        assert_eq!(locate(OsStr::new(""), Some(&path)), None);
    }

    #[test]
    fn environment_keeps_order_and_first_of_repeats_and_filters_path() {
        let vars = [("B", "1"), ("PATH", "/s:/bin"), ("A", "2"), ("B", "3")]
            .map(|(n, v)| (OsString::from(n), OsString::from(v)));
        let env = environment(vars, Path::new("/s"));
        let env: Vec<(&str, &str)> = env
            .iter()
            .map(|(n, v)| (n.to_str().unwrap(), v.to_str().unwrap()))
            .collect();
        assert_eq!(env, [("B", "1"), ("PATH", "/bin"), ("A", "2")]);
    }

    #[test]
    fn request_matches_the_specs_worked_example() {
        let env = [
            ("CAPTUREMOCK_SERVER", "127.0.0.1:47113"),
            ("PATH", "/tmp/demo/bin:/bin"),
            ("LANG", "C.UTF-8"),
            ("MYTOOL_EXIT", "3"),
        ];
        let text = request_text(
            [&b"/tmp/tmp746g4f7j/mytool"[..], b"a b", b"it's"],
            env.iter().map(|(n, v)| (n.as_bytes(), v.as_bytes())),
            "/tmp/demo",
            27751,
        );
        // The reference's repr writes "it's" in double quotes; Python reads both the same.
        assert_eq!(
            text,
            "SUT_COMMAND_LINE:['/tmp/tmp746g4f7j/mytool', 'a b', 'it\\'s']:SUT_SEP:\
             {'CAPTUREMOCK_SERVER': '127.0.0.1:47113', 'PATH': '/tmp/demo/bin:/bin', \
             'LANG': 'C.UTF-8', 'MYTOOL_EXIT': '3'}:SUT_SEP:/tmp/demo:SUT_SEP:27751"
        );
    }

    #[test]
    fn separators_inside_values_are_escaped() {
        let text = request_text(
            [&b"/s/t"[..], b"a:SUT_SEP:b", b"\\:SUT_SEP:"],
            [(&b"V:SUT_SEP:"[..], &b":SUT_SEP:"[..])],
            "/w",
            1,
        );
        assert_eq!(text.matches(SEPARATOR).count(), 3, "{text}");
        let parts: Vec<&str> = text.split(SEPARATOR).collect();
        let argv = crate::python_literal::parse_str_list(
            parts[0].strip_prefix("SUT_COMMAND_LINE:").unwrap(),
        )
        .unwrap();
        assert_eq!(argv, [&b"/s/t"[..], b"a:SUT_SEP:b", b"\\:SUT_SEP:"]);
        let env = crate::python_literal::parse_str_dict(parts[1]).unwrap();
        assert_eq!(env, [(b"V:SUT_SEP:".to_vec(), b":SUT_SEP:".to_vec())]);
    }
}
