//! Record modes by name (`none`, `once`, `new`, `all`, as VCR and Polly call them), how each
//! maps onto the reference's numbered modes, and `CAPTUREMOCK_FORBID_REAL`.
//!
//! The numbers (`-m`, `CAPTUREMOCK_MODE`) stay what a program under the command line is told,
//! so that files and environments stay compatible; a name only chooses the number, the replay
//! and record files and two strictness switches:
//!
//! | name   | mock file exists                                   | mock file missing   |
//! |--------|----------------------------------------------------|---------------------|
//! | `none` | mode 0, exact matches only, nothing real           | error               |
//! | `once` | mode 0                                             | mode 1              |
//! | `new`  | mode 2, record what has no exact match             | mode 1              |
//! | `all`  | mode 1                                             | mode 1              |
//!
//! Where a name comes from, first found wins: the command line (`--record-mode`, or `-m`) or
//! the test helper's builder; then the environment (`CAPTUREMOCK_RECORD_MODE`, and for the
//! test helpers `CAPTUREMOCK_MODE` after it); then `record_mode` in the rc files' `[general]`
//! section; then the default (the command line: `-m 0`; the test helpers: `once`).

use std::fmt;

use capturemock_core::replay::{Mode, NewRequestPolicy};

/// The environment variable naming a record mode (`none`, `once`, `new`, `all`).
pub const RECORD_MODE_VAR: &str = "CAPTUREMOCK_RECORD_MODE";

/// The environment variable that forbids reaching anything real when set to `1` (or `true`,
/// `yes`, `on`).
pub const FORBID_REAL_VAR: &str = "CAPTUREMOCK_FORBID_REAL";

/// A record mode by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordMode {
    /// Replay only: a request with no exact recorded match fails the run, and nothing real is
    /// ever reached.
    None,
    /// Record when the mock file is missing, else replay.
    Once,
    /// Replay what matches exactly, record what is new (mode 2 with
    /// [`NewRequestPolicy::RecordUnmatched`]); the record file keeps both.
    New,
    /// Re-record everything.
    All,
}

/// The text is not one of the four names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("record mode must be none, once, new or all, not {0:?}")]
pub struct InvalidRecordMode(pub String);

impl RecordMode {
    /// The four names, in the order of the help text.
    pub const NAMES: [&'static str; 4] = ["none", "once", "new", "all"];

    /// Parses a name (case-insensitive, surrounding white space ignored).
    pub fn parse(text: &str) -> Result<RecordMode, InvalidRecordMode> {
        match text.trim().to_ascii_lowercase().as_str() {
            "none" => Ok(RecordMode::None),
            "once" => Ok(RecordMode::Once),
            "new" => Ok(RecordMode::New),
            "all" => Ok(RecordMode::All),
            _ => Err(InvalidRecordMode(text.to_string())),
        }
    }

    /// The name.
    pub fn name(self) -> &'static str {
        match self {
            RecordMode::None => "none",
            RecordMode::Once => "once",
            RecordMode::New => "new",
            RecordMode::All => "all",
        }
    }

    /// What the mode means for a run whose mock file exists or not.
    pub fn plan(self, mock_exists: bool) -> ModePlan {
        let (mode, new_requests) = match (self, mock_exists) {
            (RecordMode::None, _) => (Mode::Replay, NewRequestPolicy::Reference),
            (RecordMode::All, _) | (_, false) => (Mode::Record, NewRequestPolicy::Reference),
            (RecordMode::Once, true) => (Mode::Replay, NewRequestPolicy::Reference),
            (RecordMode::New, true) => {
                (Mode::ReplayOldRecordNew, NewRequestPolicy::RecordUnmatched)
            }
        };
        ModePlan {
            mode,
            new_requests,
            strict: self == RecordMode::None,
        }
    }

    /// The record mode named by `CAPTUREMOCK_RECORD_MODE`, if it is set and not empty.
    pub fn from_env() -> Result<Option<RecordMode>, InvalidRecordMode> {
        match std::env::var(RECORD_MODE_VAR) {
            Ok(value) if !value.trim().is_empty() => RecordMode::parse(&value).map(Some),
            _ => Ok(None),
        }
    }
}

impl fmt::Display for RecordMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for RecordMode {
    type Err = InvalidRecordMode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RecordMode::parse(s)
    }
}

/// What a record mode decided for one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModePlan {
    /// The numbered mode the engine runs in (and a program is told).
    pub mode: Mode,
    /// What mode 2 does with requests that have no exact match.
    pub new_requests: NewRequestPolicy,
    /// `none`: exact matching, nothing real, and a request without an exact match fails the run.
    pub strict: bool,
}

/// Whether `CAPTUREMOCK_FORBID_REAL` asks that nothing real be reached: `1`, `true`, `yes`
/// or `on` (any case). Anything else, or unset, does not.
pub fn forbid_real_from_env() -> bool {
    std::env::var(FORBID_REAL_VAR).is_ok_and(|v| is_true(&v))
}

/// ConfigParser's true words, which the rc files use too.
fn is_true(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "1" | "true" | "yes" | "on"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_print_back() {
        for name in RecordMode::NAMES {
            assert_eq!(RecordMode::parse(name).unwrap().name(), name);
        }
        assert_eq!(RecordMode::parse(" ALL\n"), Ok(RecordMode::All));
        for bad in ["", "0", "new_episodes", "record", "non"] {
            assert_eq!(
                RecordMode::parse(bad),
                Err(InvalidRecordMode(bad.to_string()))
            );
        }
    }

    #[test]
    fn each_name_maps_onto_a_numbered_mode() {
        use NewRequestPolicy::*;
        let plan = |m: RecordMode, exists| {
            let p = m.plan(exists);
            (p.mode.number(), p.new_requests, p.strict)
        };
        assert_eq!(plan(RecordMode::None, true), (0, Reference, true));
        assert_eq!(plan(RecordMode::None, false), (0, Reference, true));
        assert_eq!(plan(RecordMode::Once, true), (0, Reference, false));
        assert_eq!(plan(RecordMode::Once, false), (1, Reference, false));
        assert_eq!(plan(RecordMode::New, true), (2, RecordUnmatched, false));
        assert_eq!(plan(RecordMode::New, false), (1, Reference, false));
        assert_eq!(plan(RecordMode::All, true), (1, Reference, false));
        assert_eq!(plan(RecordMode::All, false), (1, Reference, false));
    }

    #[test]
    fn true_words() {
        for yes in ["1", "true", "YES", " on "] {
            assert!(is_true(yes), "{yes}");
        }
        for no in ["", "0", "false", "no", "2"] {
            assert!(!is_true(no), "{no}");
        }
    }
}
