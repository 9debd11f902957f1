//! The run report (`--report FILE`): the whole run as JSON, for machines (`capturemock
//! prune`, CI dashboards) and for the person who wants more than the end-of-run summary.
//! The schema is versioned ([`REPORT_VERSION`]) and described in `docs/reports.md`.
//!
//! The report describes the replay file by path, size and SHA-256, so that a tool reading it
//! later can tell whether the file it has is the one the run used.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::exchange::{NearMissKind, Summary};
use crate::server::ServerReport;

/// The schema version written in every report's `version` field. It changes when a field
/// changes meaning or goes away; new fields may appear within a version.
pub const REPORT_VERSION: u32 = 1;

/// The whole run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunReport {
    /// [`REPORT_VERSION`].
    pub version: u32,
    /// The program that wrote it, e.g. `capturemock 0.1.0`.
    pub tool: String,
    /// The mode the run used: 0 replay, 1 record, 2 replay old and record new.
    pub mode: u8,
    /// The replay file the run answered from, if any.
    pub replay_file: Option<FileFingerprint>,
    /// The record file, if any.
    pub record_file: Option<PathBuf>,
    /// The program's exit status (0 with `--server-only`).
    pub program_status: u8,
    /// What the server served.
    pub exchanges: ExchangeCounts,
    /// Every recorded request of the replay file, in file order of first appearance, with
    /// its use. Empty in record mode.
    pub requests: Vec<RequestUse>,
    /// Every request answered from the replay file, in the order decided.
    pub matches: Vec<MatchEntry>,
    /// Every request that had no exact match, with the nearest recorded request.
    pub inexact: Vec<Inexact>,
    /// The recorded requests not used up (a subset of `requests`).
    pub unused: Vec<RequestUse>,
    /// The unified diff from the replay file to the record file, when they differ (replay
    /// mode with a record file only).
    pub drift: Option<String>,
}

/// A file as the run saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileFingerprint {
    /// The path as given on the command line.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// The SHA-256 of its bytes, in lower-case hex.
    pub sha256: String,
    /// The rc file's `preserve_cr`, which changes how entries read (and so their keys).
    pub preserve_cr: bool,
    /// The rc file's `preserve_lf`.
    pub preserve_lf: bool,
}

/// Counts of the run's exchanges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeCounts {
    /// Connections or requests served.
    pub served: u64,
    /// Exchanges written to the record file.
    pub recorded: u64,
    /// Connections refused without being served.
    pub refused: u64,
    /// Failed writes to the record file.
    pub record_failures: u64,
}

/// One recorded request and how much of it the run used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestUse {
    /// Its index in `requests` (the order of first appearance in the file).
    pub id: u32,
    /// The recorded request, prefix included (`<-CAL:get(1)`).
    pub request: String,
    /// How many times it occurs in the replay file.
    pub occurrences: u32,
    /// How many times the run chose it (more than `occurrences` when the last answer was
    /// given again).
    pub used: u32,
}

/// One request answered from the replay file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchEntry {
    /// The exchange's number (1 for the first).
    pub exchange: u64,
    /// The `id` of the recorded request that answered.
    pub request: u32,
    /// Whether it was recorded exactly as asked.
    pub exact: bool,
}

/// One request without an exact match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inexact {
    /// The exchange's number.
    pub exchange: u64,
    /// The request as asked.
    pub request: String,
    /// The nearest recorded request, if any.
    pub nearest: Option<String>,
    /// What was done: `nearest` (answered from it), `mismatch` (`use_exact_matching`),
    /// `no-candidate` (answered with nothing), `recorded` (mode 2 recorded it), `forbidden`
    /// (it would have reached the real thing, which `--forbid-real` refuses).
    pub outcome: String,
    /// `[-recorded-]{+requested+}` word diff from the nearest, when there is one.
    pub word_diff: Option<String>,
}

/// Why a report could not be written or read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The report file could not be written.
    #[error("cannot write the run report {}", path.display())]
    Write {
        /// The report file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A file could not be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A report is not JSON of the report schema.
    #[error("{} is not a capturemock run report", path.display())]
    NotAReport {
        /// The file.
        path: PathBuf,
        /// What the JSON reader said.
        source: serde_json::Error,
    },
    /// A report of a schema version this build does not read.
    #[error("{} is a run report of version {found}; this capturemock reads version {REPORT_VERSION}", path.display())]
    Version {
        /// The file.
        path: PathBuf,
        /// Its version.
        found: u64,
    },
}

/// The SHA-256 of `bytes` in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, bytes);
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// The fingerprint of the replay file at `path`, read now (before the run: the record file
/// may be the same path).
pub fn fingerprint(
    path: &Path,
    newlines: capturemock_core::format::NewlineOptions,
) -> Result<FileFingerprint, ReportError> {
    let bytes = std::fs::read(path).map_err(|source| ReportError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(FileFingerprint {
        path: path.to_path_buf(),
        bytes: bytes.len() as u64,
        sha256: sha256_hex(&bytes),
        preserve_cr: newlines.preserve_cr,
        preserve_lf: newlines.preserve_lf,
    })
}

/// The outcome's name in the report.
fn outcome(kind: &NearMissKind) -> &'static str {
    match kind {
        NearMissKind::Nearest => "nearest",
        NearMissKind::Mismatch => "mismatch",
        NearMissKind::NoCandidate => "no-candidate",
        NearMissKind::Recorded => "recorded",
        NearMissKind::Forbidden => "forbidden",
    }
}

/// What the run did, as needed for a report besides the server's own report.
#[derive(Debug, Clone)]
pub struct RunFacts {
    /// The mode number.
    pub mode: u8,
    /// The replay file's fingerprint, taken before the run.
    pub replay_file: Option<FileFingerprint>,
    /// The record file.
    pub record_file: Option<PathBuf>,
    /// The program's exit status.
    pub program_status: u8,
    /// The drift diff, if any.
    pub drift: Option<String>,
}

impl RunReport {
    /// The report of a run: the server's report and the facts only the command knows.
    pub fn new(server: &ServerReport, facts: RunFacts) -> RunReport {
        let uses = |summary_requests: &[crate::replay_file::OwnedRequestInfo]| {
            summary_requests
                .iter()
                .map(|r| RequestUse {
                    id: r.id.0,
                    request: r.key.clone(),
                    occurrences: r.occurrences,
                    used: r.times_chosen,
                })
                .collect::<Vec<_>>()
        };
        let Summary {
            near_misses,
            unused,
        } = &server.summary;
        RunReport {
            version: REPORT_VERSION,
            tool: format!("capturemock {}", env!("CARGO_PKG_VERSION")),
            mode: facts.mode,
            replay_file: facts.replay_file,
            record_file: facts.record_file,
            program_status: facts.program_status,
            exchanges: ExchangeCounts {
                served: server.exchanges,
                recorded: server.recorded_exchanges,
                refused: server.refused,
                record_failures: server.record_failures,
            },
            requests: uses(&server.requests),
            matches: server
                .matches
                .iter()
                .map(|m| MatchEntry {
                    exchange: m.exchange,
                    request: m.request.0,
                    exact: m.exact,
                })
                .collect(),
            inexact: near_misses
                .iter()
                .map(|miss| Inexact {
                    exchange: miss.exchange,
                    request: miss.request.clone(),
                    nearest: miss.nearest.clone(),
                    outcome: outcome(&miss.kind).to_string(),
                    word_diff: miss.nearest.as_deref().map(|nearest| {
                        crate::exchange::diagnostics::word_diff(nearest, &miss.request)
                    }),
                })
                .collect(),
            unused: uses(unused),
            drift: facts.drift,
        }
    }

    /// Writes the report to `path` as pretty-printed JSON, replacing the file, in one write
    /// of a temporary file renamed into place, so that a reader never sees half a report.
    pub fn write(&self, path: &Path) -> Result<(), ReportError> {
        let error = |source| ReportError::Write {
            path: path.to_path_buf(),
            source,
        };
        let mut text = serde_json::to_string_pretty(self).map_err(|e| error(e.into()))?;
        text.push('\n');
        let mut temporary = path.as_os_str().to_owned();
        temporary.push(format!(".{}.tmp", std::process::id()));
        let temporary = PathBuf::from(temporary);
        std::fs::write(&temporary, text).map_err(error)?;
        std::fs::rename(&temporary, path).map_err(|e| {
            let _ = std::fs::remove_file(&temporary);
            error(e)
        })
    }

    /// Reads a report, refusing other schema versions with a clear error.
    pub fn read(path: &Path) -> Result<RunReport, ReportError> {
        let text = std::fs::read(path).map_err(|source| ReportError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let not_a_report = |source| ReportError::NotAReport {
            path: path.to_path_buf(),
            source,
        };
        // The version first, so that a report of another version says so rather than
        // failing on a field that changed.
        #[derive(Deserialize)]
        struct Versioned {
            version: u64,
        }
        let versioned: Versioned = serde_json::from_slice(&text).map_err(not_a_report)?;
        if versioned.version != u64::from(REPORT_VERSION) {
            return Err(ReportError::Version {
                path: path.to_path_buf(),
                found: versioned.version,
            });
        }
        serde_json::from_slice(&text).map_err(not_a_report)
    }
}

/// Checks before the run that the report can be written where asked, so that a mistake
/// costs no run: its directory exists and a file can be created there.
pub fn prepare(path: &Path) -> Result<(), ReportError> {
    let existed = path.exists();
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(|source| ReportError::Write {
            path: path.to_path_buf(),
            source,
        })?;
    if !existed {
        // Not left behind when the run never gets to write it.
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A directory of its own, removed with the returned guard.
    fn scratch() -> tempfile::TempDir {
        tempfile::tempdir().expect("scratch")
    }

    #[test]
    fn sha256_is_the_standard_digest() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn a_report_reads_back_and_other_versions_are_refused() {
        let tmp = scratch();
        let dir = tmp.path();
        let report = RunReport {
            version: REPORT_VERSION,
            tool: "capturemock test".into(),
            mode: 0,
            replay_file: None,
            record_file: None,
            program_status: 3,
            exchanges: ExchangeCounts {
                served: 1,
                recorded: 0,
                refused: 0,
                record_failures: 0,
            },
            requests: vec![],
            matches: vec![],
            inexact: vec![],
            unused: vec![],
            drift: Some("--- a\n+++ b\n".into()),
        };
        let path = dir.join("r.json");
        report.write(&path).expect("write");
        assert_eq!(RunReport::read(&path).expect("read"), report);

        std::fs::write(&path, r#"{"version": 99, "whatever": true}"#).unwrap();
        let error = RunReport::read(&path).unwrap_err().to_string();
        assert!(error.contains("version 99"), "{error}");
        std::fs::write(&path, "not json").unwrap();
        assert!(matches!(
            RunReport::read(&path),
            Err(ReportError::NotAReport { .. })
        ));
    }

    #[test]
    fn prepare_fails_in_a_missing_directory_and_leaves_nothing_behind() {
        let tmp = scratch();
        let dir = tmp.path();
        assert!(prepare(&dir.join("no/such/dir/r.json")).is_err());
        let path = dir.join("r.json");
        prepare(&path).expect("prepare");
        assert!(!path.exists());
    }
}
