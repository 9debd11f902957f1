//! Drift: a replayed run that no longer does what was recorded.
//!
//! In replay mode the server still writes a record file: the requests it saw and the
//! responses it replayed. When the code under test still behaves as it did when the replay
//! file was recorded, the two files are the same; when they differ, the code has drifted
//! from its recording (new or changed requests, a different order, fewer calls). This is
//! the command-line analogue of the reference's decorator check.
//!
//! The comparison ignores what is expected to differ between runs: `--TIM:` timestamp
//! lines, and CRLF versus LF line ends. Everything else counts.

use std::path::{Path, PathBuf};

/// Why the comparison could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DriftError {
    /// A file could not be read.
    #[error("cannot read {} for the drift check", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
}

/// The text as compared: universal newlines, timestamp lines dropped.
/// Line ends are unified because a file recorded or edited on another system should not
/// count as drift, and timestamps differ in every run by nature.
fn normalise(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        if !line.starts_with("--TIM:") {
            out.push_str(line);
        }
    }
    out
}

/// How long the diff may search for the smallest edit before it settles for a larger one.
/// Without a bound, the diff of two large files that differ throughout (a replay of 100,000
/// exchanges that asked for none of them) takes minutes; with it, the diff is still a true
/// diff of the two texts, only not the shortest possible.
const DIFF_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(500);

/// A unified diff from `expected` (the replay file's text) to `actual` (the record file's),
/// or `None` when they agree. The names label the diff's `---` / `+++` lines.
/// Three lines of context, as `diff -u` shows by default; the diff is of the normalised
/// texts, so it never shows a timestamp or a line end.
pub fn diff_texts(
    expected: &str,
    actual: &str,
    expected_name: &str,
    actual_name: &str,
) -> Option<String> {
    let (expected, actual) = (normalise(expected), normalise(actual));
    if expected == actual {
        return None;
    }
    Some(
        similar::TextDiff::configure()
            .timeout(DIFF_TIMEOUT)
            .diff_lines(&expected, &actual)
            .unified_diff()
            .context_radius(3)
            .header(expected_name, actual_name)
            .to_string(),
    )
}

/// Compares the replay text (read before the run: the record file may be the same path) with
/// the record file written by the run; a record file that was never written counts as empty.
/// A record file that is not UTF-8 is read lossily, so the diff still shows where it
/// differs instead of failing.
pub fn check(
    replay_text: &str,
    replay_path: &Path,
    record_path: &Path,
) -> Result<Option<String>, DriftError> {
    let actual = match std::fs::read(record_path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => {
            return Err(DriftError::Read {
                path: record_path.to_path_buf(),
                source,
            })
        }
    };
    Ok(diff_texts(
        replay_text,
        &actual,
        &replay_path.display().to_string(),
        &record_path.display().to_string(),
    ))
}

/// Reads a replay file's text for a later [`check`] (lossy: drift is about what changed, and
/// the replay file was already checked to be UTF-8 when it was loaded).
pub fn read_replay_text(path: &Path) -> Result<String, DriftError> {
    std::fs::read(path)
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .map_err(|source| DriftError::Read {
            path: path.to_path_buf(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_text_is_no_drift_whatever_the_timestamps_and_line_ends() {
        let a = "<-CLI:x\n--TIM:2024-01-01T00:00:00\n->SRV:y\n";
        let b = "<-CLI:x\r\n--TIM:2025-02-02T00:00:00\r\n->SRV:y\r\n";
        assert_eq!(diff_texts(a, b, "a", "b"), None);
    }

    #[test]
    fn a_changed_request_shows_as_a_unified_diff() {
        let diff = diff_texts(
            "<-CAL:get(1)\n->RET:one\n",
            "<-CAL:get(2)\n->RET:one\n",
            "replay.mock",
            "record.mock",
        )
        .expect("drift");
        assert!(
            diff.starts_with("--- replay.mock\n+++ record.mock\n"),
            "{diff}"
        );
        assert!(diff.contains("-<-CAL:get(1)\n+<-CAL:get(2)\n"), "{diff}");
    }

    #[test]
    fn a_diff_of_large_files_that_differ_throughout_is_quick_and_true() {
        let expected: String = (0..50_000)
            .map(|n| format!("<-CAL:get {n}\n->RET:v{n}\n"))
            .collect();
        let actual = "<-CAL:get a\n->RET:v0\n";
        let started = std::time::Instant::now();
        let diff = diff_texts(&expected, actual, "r", "a").expect("drift");
        assert!(started.elapsed() < std::time::Duration::from_secs(30));
        // A true diff, if not the shortest: the replay text's lines are the removed and
        // context lines, the record's the added and context lines.
        let body = diff.lines().skip(2).filter(|l| !l.starts_with("@@"));
        let (mut old, mut new) = (0, 0);
        for line in body {
            match line.as_bytes().first() {
                Some(b'-') => old += 1,
                Some(b'+') => new += 1,
                _ => {
                    old += 1;
                    new += 1;
                }
            }
        }
        assert_eq!((old, new), (100_000, 2));
        assert!(diff.contains("\n+<-CAL:get a\n"), "{}", &diff[..200]);
    }

    #[test]
    fn a_record_file_never_written_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("never-written.mock");
        assert!(check("", Path::new("r"), &missing).unwrap().is_none());
        assert!(check("<-CAL:a\n", Path::new("r"), &missing)
            .unwrap()
            .is_some());
    }
}
