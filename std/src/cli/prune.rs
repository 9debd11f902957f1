//! `capturemock prune X.mock --usage REPORT...`: removes from a record file the exchanges
//! that no replay run used, as their run reports (`--report`) tell.
//!
//! An exchange (a top-level request with its responses and call-backs, see
//! [`MockExchanges`]) is kept when any report used it: the n-th occurrence of a recorded
//! request is used when a run chose that request more than n times, since the n-th choice
//! answers with the n-th occurrence. Kept exchanges are copied byte for byte, so the file
//! stays in the format it was written in (escapes, timestamps, line ends), and the new file
//! replaces the old one in one rename.
//!
//! A report says which file it describes by its SHA-256: a report of another file, or of
//! this file before it changed, is refused, since its counts would remove the wrong
//! exchanges.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use capturemock_core::format::NewlineOptions;

use super::mock_exchanges::MockExchanges;
use super::report::{sha256_hex, ReportError, RunReport};

/// Remove the exchanges of a record file that no replay run used.
#[derive(Debug, Clone, clap::Parser)]
#[command(
    name = "capturemock prune",
    bin_name = "capturemock prune",
    about = "Remove the exchanges of a record file that no replay run used, as their run reports (--report) say.",
    after_help = "An exchange is kept when any report used it. The reports must be of this file as it is now \
(they carry its SHA-256): a report of another file, or of this file before it changed, is refused.

Example:
  capturemock -p calls.mock --report run1.json -- ./tests.sh unit
  capturemock -p calls.mock --report run2.json -- ./tests.sh integration
  capturemock prune calls.mock --usage run1.json run2.json"
)]
pub struct PruneCli {
    /// The record file to prune.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Run reports of replay runs of FILE (`capturemock --report`), one or more.
    #[arg(long = "usage", value_name = "REPORT", required = true, num_args = 1..)]
    pub usage: Vec<PathBuf>,

    /// Say what would be removed, and change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Why `prune` refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PruneError {
    /// The record file could not be read or written, or a report could not be read.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// The record file is missing, not UTF-8 or not a record file.
    #[error(transparent)]
    File(#[from] crate::replay_file::ReplayFileError),
    /// A report of a run that replayed nothing.
    #[error("{} is the report of a run without a replay file: it says nothing about {}", report.display(), file.display())]
    NoReplayFile {
        /// The report.
        report: PathBuf,
        /// The record file.
        file: PathBuf,
    },
    /// A report of another record file.
    #[error("{} is a report of {}, not of {}", report.display(), other.display(), file.display())]
    OtherFile {
        /// The report.
        report: PathBuf,
        /// The file it describes.
        other: PathBuf,
        /// The record file.
        file: PathBuf,
    },
    /// A report of this file before it changed.
    #[error("{} changed since {} was written (its SHA-256 differs): replay again with --report for a fresh one", file.display(), report.display())]
    Stale {
        /// The report.
        report: PathBuf,
        /// The record file.
        file: PathBuf,
    },
    /// Reports read with different newline settings, which read the file differently.
    #[error("{} and {} were made with different preserve_cr/preserve_lf settings", first.display(), second.display())]
    Settings {
        /// One report.
        first: PathBuf,
        /// Another.
        second: PathBuf,
    },
    /// A report's requests are not the file's (a report edited by hand, or of another build).
    #[error("{} does not describe {}: it lists {request:?} {times} time(s), which the file does not have", report.display(), file.display())]
    Mismatch {
        /// The report.
        report: PathBuf,
        /// The record file.
        file: PathBuf,
        /// The request.
        request: String,
        /// How often the report says it occurs.
        times: u32,
    },
}

/// What pruning found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pruned {
    /// Exchanges in the file before.
    pub exchanges: usize,
    /// Exchanges removed.
    pub removed: usize,
}

/// Whether two paths name the same file (canonical paths when both exist).
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Prunes `file` by `reports`; writes it unless `dry_run`.
pub fn prune(file: &Path, reports: &[PathBuf], dry_run: bool) -> Result<Pruned, PruneError> {
    use crate::replay_file::{ReplayFile, ReplayFileError, ReplayOptions};
    // Loaded as a replay would load it, for the same errors (missing, not UTF-8, file:line).
    drop(ReplayFile::load(
        file,
        ReplayOptions {
            word_index: false,
            ..ReplayOptions::default()
        },
    )?);
    let text = std::fs::read_to_string(file).map_err(|source| ReplayFileError::Read {
        path: file.to_path_buf(),
        source,
    })?;
    let digest = sha256_hex(text.as_bytes());
    let mut newlines: Option<(NewlineOptions, &Path)> = None;
    let mut runs = Vec::with_capacity(reports.len());
    for path in reports {
        let report = RunReport::read(path)?;
        let Some(replayed) = &report.replay_file else {
            return Err(PruneError::NoReplayFile {
                report: path.clone(),
                file: file.to_path_buf(),
            });
        };
        if replayed.sha256 != digest {
            return Err(if same_file(&replayed.path, file) {
                PruneError::Stale {
                    report: path.clone(),
                    file: file.to_path_buf(),
                }
            } else {
                PruneError::OtherFile {
                    report: path.clone(),
                    other: replayed.path.clone(),
                    file: file.to_path_buf(),
                }
            });
        }
        let options = NewlineOptions {
            preserve_cr: replayed.preserve_cr,
            preserve_lf: replayed.preserve_lf,
        };
        match newlines {
            Some((first, first_path)) if first != options => {
                return Err(PruneError::Settings {
                    first: first_path.to_path_buf(),
                    second: path.clone(),
                })
            }
            Some(_) => {}
            None => newlines = Some((options, path)),
        }
        runs.push((path, report));
    }
    let newlines = newlines.map(|(n, _)| n).unwrap_or_default();
    let cut = MockExchanges::cut(&text, newlines).map_err(|error| ReplayFileError::Parse {
        path: file.to_path_buf(),
        error,
    })?;

    // How many times each recorded request occurs in the file, and the most any run used it.
    let mut occurrences: HashMap<&str, u32> = HashMap::new();
    for exchange in &cut.exchanges {
        for request in &exchange.requests {
            *occurrences.entry(request.key.as_str()).or_default() += 1;
        }
    }
    let mut used: HashMap<&str, u32> = HashMap::new();
    for (path, report) in &runs {
        for request in &report.requests {
            let Some((&key, &times)) = occurrences.get_key_value(request.request.as_str()) else {
                return Err(PruneError::Mismatch {
                    report: (*path).clone(),
                    file: file.to_path_buf(),
                    request: request.request.clone(),
                    times: request.occurrences,
                });
            };
            if times != request.occurrences {
                return Err(PruneError::Mismatch {
                    report: (*path).clone(),
                    file: file.to_path_buf(),
                    request: request.request.clone(),
                    times: request.occurrences,
                });
            }
            let n = used.entry(key).or_default();
            *n = (*n).max(request.used.min(times));
        }
    }

    let kept: Vec<&super::mock_exchanges::FileExchange> = cut
        .exchanges
        .iter()
        .filter(|exchange| {
            exchange
                .requests
                .iter()
                .any(|r| r.nth < used.get(r.key.as_str()).copied().unwrap_or(0))
        })
        .collect();
    let pruned = Pruned {
        exchanges: cut.exchanges.len(),
        removed: cut.exchanges.len() - kept.len(),
    };
    if dry_run || pruned.removed == 0 {
        return Ok(pruned);
    }
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[cut.preamble.clone()]);
    for exchange in kept {
        out.push_str(&text[exchange.bytes.clone()]);
    }
    let write_error = |source| ReportError::Write {
        path: file.to_path_buf(),
        source,
    };
    let mut temporary = file.as_os_str().to_owned();
    temporary.push(format!(".prune-{}.tmp", std::process::id()));
    let temporary = PathBuf::from(temporary);
    std::fs::write(&temporary, out).map_err(write_error)?;
    std::fs::rename(&temporary, file).map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        write_error(e)
    })?;
    Ok(pruned)
}

/// Runs `capturemock prune`: prunes, and says how many exchanges it removed on stdout.
pub fn run(cli: &PruneCli) -> Result<u8, super::CliError> {
    let pruned = prune(&cli.file, &cli.usage, cli.dry_run)?;
    let kept = pruned.exchanges - pruned.removed;
    let verb = if cli.dry_run {
        "would remove"
    } else {
        "removed"
    };
    super::print_line(&format!(
        "{}: {verb} {} of {} exchange(s) that no run used; {kept} kept",
        cli.file.display(),
        pruned.removed,
        pruned.exchanges
    ));
    if kept == 0 && pruned.removed > 0 && !cli.dry_run {
        super::print_line(
            "note: no exchange is left; an empty replay file means record mode (-m 0 records)",
        );
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::report::{ExchangeCounts, FileFingerprint, RequestUse, REPORT_VERSION};

    /// A directory of its own, removed with the returned guard.
    fn scratch() -> tempfile::TempDir {
        tempfile::tempdir().expect("scratch")
    }

    /// A report of `file` (as it is now) that used each request as given.
    fn report_of(file: &Path, used: &[(&str, u32, u32)]) -> RunReport {
        let bytes = std::fs::read(file).expect("file");
        RunReport {
            version: REPORT_VERSION,
            tool: "test".into(),
            mode: 0,
            replay_file: Some(FileFingerprint {
                path: file.to_path_buf(),
                bytes: bytes.len() as u64,
                sha256: sha256_hex(&bytes),
                preserve_cr: false,
                preserve_lf: false,
            }),
            record_file: None,
            program_status: 0,
            exchanges: ExchangeCounts {
                served: 0,
                recorded: 0,
                refused: 0,
                record_failures: 0,
            },
            requests: used
                .iter()
                .enumerate()
                .map(|(id, (request, occurrences, used))| RequestUse {
                    id: id as u32,
                    request: (*request).into(),
                    occurrences: *occurrences,
                    used: *used,
                })
                .collect(),
            matches: vec![],
            inexact: vec![],
            unused: vec![],
            drift: None,
        }
    }

    #[test]
    fn occurrences_are_kept_in_file_order_up_to_the_most_any_run_used() {
        let tmp = scratch();
        let dir = tmp.path();
        let file = dir.join("x.mock");
        std::fs::write(
            &file,
            "<-CAL:t\n->RET:1\n<-CAL:u\n->RET:u\n<-CAL:t\n->RET:2\n<-CAL:t\n->RET:3\n",
        )
        .unwrap();
        let one = dir.join("one.json");
        report_of(&file, &[("<-CAL:t", 3, 1), ("<-CAL:u", 1, 0)])
            .write(&one)
            .unwrap();
        let two = dir.join("two.json");
        report_of(&file, &[("<-CAL:t", 3, 2), ("<-CAL:u", 1, 0)])
            .write(&two)
            .unwrap();
        let pruned = prune(&file, &[one, two.clone()], false).expect("prune");
        assert_eq!(
            pruned,
            Pruned {
                exchanges: 4,
                removed: 2
            }
        );
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            "<-CAL:t\n->RET:1\n<-CAL:t\n->RET:2\n"
        );

        // Chosen more often than recorded (the first answer given again): all are kept.
        std::fs::write(&file, "<-CAL:t\n->RET:1\n<-CAL:t\n->RET:2\n").unwrap();
        report_of(&file, &[("<-CAL:t", 2, 5)]).write(&two).unwrap();
        assert_eq!(
            prune(&file, std::slice::from_ref(&two), false)
                .unwrap()
                .removed,
            0
        );

        // A report whose counts are not the file's is refused.
        report_of(&file, &[("<-CAL:t", 3, 1)]).write(&two).unwrap();
        assert!(matches!(
            prune(&file, &[two], false),
            Err(PruneError::Mismatch { times: 3, .. })
        ));
    }
}
