//! `capturemock review`, `accept` and `reject`: what happens to the pending mock files
//! (`X.mock.new`, see [`crate::pending`]) that record runs leave beside the mock files they
//! would not overwrite. `review` shows each one's unified diff against its mock file and asks;
//! `accept` and `reject` do it without asking.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::Parser;

use super::{CliError, FAILED_EXIT};
use crate::pending;

/// `capturemock review [PATHS]...`
#[derive(Debug, Clone, Parser)]
#[command(
    name = "capturemock review",
    override_usage = "capturemock review [PATHS]...",
    about = "Show each pending mock file (X.mock.new) as a unified diff against its mock file, and ask whether to accept it (it replaces X.mock), reject it (it is removed) or skip it.",
    after_help = "Pending files are found under the current directory, or under the PATHS given \
(directories are walked for *.mock.new, skipping hidden ones and target/; a file is taken as \
it is, and X.mock means its X.mock.new). The diff is coloured on a terminal unless NO_COLOR is \
set. Answers: a (accept), r (reject), s (skip), q (quit). Exit status: 0, or 2 when a file \
could not be read, accepted or rejected."
)]
pub struct ReviewCli {
    /// Directories to search, or pending files (default: the current directory).
    #[arg(value_name = "PATHS")]
    pub paths: Vec<PathBuf>,
}

/// `capturemock accept [FILES]...` and `capturemock reject [FILES]...`
#[derive(Debug, Clone, Parser)]
#[command(
    name = "capturemock accept|reject",
    override_usage = "capturemock accept [FILES]...\n       capturemock reject [FILES]...",
    about = "accept: each pending mock file (X.mock.new) replaces its mock file. reject: each is removed, the mock file left as it is.",
    after_help = "With no FILES, every pending file under the current directory (*.mock.new, \
hidden directories and target/ skipped). X.mock means its X.mock.new. Exit status: 0, or 2 \
when a file could not be accepted or rejected (the others still are)."
)]
pub struct DecideCli {
    /// Pending files, their mock files, or directories to search (default: the current
    /// directory).
    #[arg(value_name = "FILES")]
    pub files: Vec<PathBuf>,
}

/// What to do with a pending file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// It replaces its mock file.
    Accept,
    /// It is removed.
    Reject,
    /// It stays pending.
    Skip,
    /// It and every later one stay pending.
    Quit,
}

impl Verdict {
    /// An answer as typed: the first letter or the whole word, any case; `None` for anything
    /// else.
    pub fn parse(answer: &str) -> Option<Verdict> {
        match answer.trim().to_ascii_lowercase().as_str() {
            "a" | "accept" | "y" | "yes" => Some(Verdict::Accept),
            "r" | "reject" => Some(Verdict::Reject),
            "s" | "skip" | "n" | "no" | "" => Some(Verdict::Skip),
            "q" | "quit" => Some(Verdict::Quit),
            _ => None,
        }
    }
}

/// The pending files that `args` mean: under each directory, each file itself (or the
/// `X.new` of a mock file `X`), or under the current directory when there are none. Files
/// that cannot be found are errors, reported and left out.
fn gather(args: &[PathBuf], errors: &mut Vec<String>) -> Vec<PathBuf> {
    let roots = if args.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.to_vec()
    };
    let mut found = Vec::new();
    for root in roots {
        let result = if root.is_dir() {
            pending::find(&root)
        } else {
            pending::resolve(&root).map(|file| vec![file])
        };
        match result {
            // Shown as relative to the current directory when found under it.
            Ok(files) if args.is_empty() => found.extend(
                files
                    .into_iter()
                    .map(|f| f.strip_prefix(".").map(Path::to_path_buf).unwrap_or(f)),
            ),
            Ok(files) => found.extend(files),
            Err(e) => errors.push(crate::ErrorChain(&e).to_string()),
        }
    }
    found.dedup();
    found
}

/// Prints the errors on stderr; the exit status: 0 without any, else [`FAILED_EXIT`].
fn conclude(errors: &[String]) -> u8 {
    let mut stderr = std::io::stderr().lock();
    for error in errors {
        let _ = writeln!(stderr, "capturemock: error: {error}");
    }
    if errors.is_empty() {
        0
    } else {
        FAILED_EXIT
    }
}

/// Applies a verdict to one pending file; returns what to say.
fn apply(file: &Path, verdict: Verdict) -> Result<String, pending::PendingError> {
    match verdict {
        Verdict::Accept => pending::accept(file).map(|mock| format!("accepted {}", mock.display())),
        Verdict::Reject => pending::reject(file).map(|()| format!("rejected {}", file.display())),
        Verdict::Skip | Verdict::Quit => Ok(format!("skipped {}", file.display())),
    }
}

/// Runs `capturemock accept` (`verdict` [`Verdict::Accept`]) or `reject`.
pub fn decide(cli: DecideCli, verdict: Verdict) -> Result<u8, CliError> {
    let mut errors = Vec::new();
    let files = gather(&cli.files, &mut errors);
    let mut stdout = std::io::stdout().lock();
    if files.is_empty() && errors.is_empty() {
        let _ = writeln!(stdout, "no pending mock files");
    }
    for file in files {
        match apply(&file, verdict) {
            Ok(said) => {
                let _ = writeln!(stdout, "{said}");
            }
            Err(e) => errors.push(crate::ErrorChain(&e).to_string()),
        }
    }
    drop(stdout);
    Ok(conclude(&errors))
}

/// Whether to colour: stdout is a terminal and `NO_COLOR` is unset or empty (no-color.org).
fn colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// The unified diff from the mock file's text to the pending one's, three lines of context,
/// coloured with ANSI codes when `colour`: removed lines red, added green, hunk headers cyan,
/// file headers bold. A missing mock file diffs as empty.
pub fn render_diff(mock: &Path, old: &str, new: &str, colour: bool) -> String {
    let diff = similar::TextDiff::from_lines(old, new);
    let pending = pending::pending_path(mock);
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(&mock.display().to_string(), &pending.display().to_string())
        .to_string();
    let text = if text.is_empty() {
        format!("(no difference from {})\n", mock.display())
    } else {
        text
    };
    if !colour {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        let code = if line.starts_with("+++") || line.starts_with("---") {
            "1"
        } else if line.starts_with("@@") {
            "36"
        } else if line.starts_with('+') {
            "32"
        } else if line.starts_with('-') {
            "31"
        } else {
            ""
        };
        if code.is_empty() {
            out.push_str(line);
        } else {
            let body = line.strip_suffix('\n').unwrap_or(line);
            out.push_str(&format!("\x1b[{code}m{body}\x1b[0m"));
            if line.ends_with('\n') {
                out.push('\n');
            }
        }
    }
    out
}

/// Reads a file that may be missing (a mock file not recorded before) as empty text; not UTF-8
/// is read lossily, so that the diff still shows where it differs.
fn read_text(path: &Path, missing_is_empty: bool) -> Result<String, pending::PendingError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
        Err(e) if missing_is_empty && e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(source) => Err(pending::PendingError::Io {
            what: "read",
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Runs `capturemock review`: for each pending file, its diff and the question, answered
/// on stdin (asked again after an answer it does not understand; the end of stdin quits).
pub fn review(cli: ReviewCli) -> Result<u8, CliError> {
    let mut errors = Vec::new();
    let files = gather(&cli.paths, &mut errors);
    let colour = colour();
    let stdin = std::io::stdin();
    let mut answers = stdin.lock();
    let mut stdout = std::io::stdout().lock();
    let (mut accepted, mut rejected, mut skipped) = (0usize, 0usize, 0usize);
    if files.is_empty() && errors.is_empty() {
        let _ = writeln!(stdout, "no pending mock files");
    }
    let total = files.len();
    let mut quit = false;
    for (i, file) in files.iter().enumerate() {
        if quit {
            skipped += 1;
            continue;
        }
        let Some(mock) = pending::target_of(file) else {
            errors.push(format!("{} is not a pending file", file.display()));
            continue;
        };
        let texts = read_text(&mock, true).and_then(|old| Ok((old, read_text(file, false)?)));
        let (old, new) = match texts {
            Ok(texts) => texts,
            Err(e) => {
                errors.push(crate::ErrorChain(&e).to_string());
                continue;
            }
        };
        let _ = write!(
            stdout,
            "[{}/{total}] {}{}\n{}",
            i + 1,
            mock.display(),
            if mock.exists() { "" } else { " (new)" },
            render_diff(&mock, &old, &new, colour)
        );
        let verdict = loop {
            let _ = write!(stdout, "accept, reject, skip or quit? [a/r/s/q] ");
            let _ = stdout.flush();
            let mut line = String::new();
            match answers.read_line(&mut line) {
                Ok(0) | Err(_) => {
                    let _ = writeln!(stdout);
                    break Verdict::Quit;
                }
                Ok(_) => match Verdict::parse(&line) {
                    Some(verdict) => break verdict,
                    None => {
                        let _ = writeln!(
                            stdout,
                            "{:?} is not an answer: a accepts, r rejects, s skips, q quits",
                            line.trim()
                        );
                    }
                },
            }
        };
        match verdict {
            Verdict::Quit => {
                quit = true;
                skipped += 1;
                continue;
            }
            Verdict::Skip => skipped += 1,
            Verdict::Accept | Verdict::Reject => match apply(file, verdict) {
                Ok(said) => {
                    let _ = writeln!(stdout, "{said}");
                    if verdict == Verdict::Accept {
                        accepted += 1;
                    } else {
                        rejected += 1;
                    }
                }
                Err(e) => errors.push(crate::ErrorChain(&e).to_string()),
            },
        }
    }
    if total > 0 {
        let _ = writeln!(
            stdout,
            "{accepted} accepted, {rejected} rejected, {skipped} still pending"
        );
    }
    drop(stdout);
    Ok(conclude(&errors))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_definitions_are_consistent() {
        use clap::CommandFactory;
        ReviewCli::command().debug_assert();
        DecideCli::command().debug_assert();
    }

    #[test]
    fn answers() {
        assert_eq!(Verdict::parse("a\n"), Some(Verdict::Accept));
        assert_eq!(Verdict::parse(" Accept "), Some(Verdict::Accept));
        assert_eq!(Verdict::parse("r"), Some(Verdict::Reject));
        assert_eq!(Verdict::parse("\n"), Some(Verdict::Skip));
        assert_eq!(Verdict::parse("Q"), Some(Verdict::Quit));
        assert_eq!(Verdict::parse("x"), None);
        assert_eq!(Verdict::parse("ar"), None);
    }

    #[test]
    fn the_diff_is_coloured_only_when_asked() {
        let mock = Path::new("m/x.mock");
        let plain = render_diff(mock, "a\nb\n", "a\nc\n", false);
        assert!(
            plain.contains("--- m/x.mock\n+++ m/x.mock.new\n"),
            "{plain}"
        );
        assert!(plain.contains("-b\n+c\n"), "{plain}");
        assert!(!plain.contains('\x1b'));
        let coloured = render_diff(mock, "a\nb\n", "a\nc\n", true);
        assert!(
            coloured.contains("\x1b[31m-b\x1b[0m\n\x1b[32m+c\x1b[0m\n"),
            "{coloured}"
        );
        assert!(coloured.contains("\x1b[36m@@"), "{coloured}");
        assert_eq!(
            render_diff(mock, "a\n", "a\n", false),
            "(no difference from m/x.mock)\n"
        );
    }
}
