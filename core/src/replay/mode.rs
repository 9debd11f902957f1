//! The three modes of CaptureMock, and what each one decides, as plain data.
//!
//! The decisions live here rather than in the server so that the server, the in-process
//! capture API, the serial bridge and firmware all agree on them (house rule 3).

use core::fmt;

/// What a run does with the outside world (`CAPTUREMOCK_MODE`, `-m`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Mode {
    /// `0`: answer from the replay file.
    Replay,
    /// `1`: talk to the real thing and record every exchange.
    Record,
    /// `2`: replay what the replay file has, record what it lacks.
    ReplayOldRecordNew,
}

/// How mode 2 treats custom-client (`SUT_CUSTOM`) requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum NewRequestPolicy {
    /// The reference's behaviour: whenever the replay file has any entry, every request is
    /// answered from it, by best match if need be; nothing new is recorded from the real thing.
    #[default]
    Reference,
    /// Requests with an exact match are replayed; all others go to the real thing and are
    /// recorded. This is what "record what it lacks" suggests, offered as an option.
    RecordUnmatched,
}

/// The action for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Answer from the replay table.
    Replay,
    /// Forward to the real thing (or take the client's own response) and record it.
    Record,
}

/// The mode value was not `0`, `1` or `2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidMode;

impl fmt::Display for InvalidMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("capturemock mode must be 0 (replay), 1 (record) or 2 (replay old, record new)")
    }
}

impl core::error::Error for InvalidMode {}

impl Mode {
    /// Parses the number used by `CAPTUREMOCK_MODE` and `-m`, ignoring surrounding white space.
    pub fn parse(value: &str) -> Result<Self, InvalidMode> {
        match value.trim() {
            "0" => Ok(Mode::Replay),
            "1" => Ok(Mode::Record),
            "2" => Ok(Mode::ReplayOldRecordNew),
            _ => Err(InvalidMode),
        }
    }

    /// The number used by `CAPTUREMOCK_MODE` and `-m`.
    pub fn number(self) -> u8 {
        match self {
            Mode::Replay => 0,
            Mode::Record => 1,
            Mode::ReplayOldRecordNew => 2,
        }
    }

    /// What to do with a request, given whether the replay table has any entry and, for
    /// [`NewRequestPolicy::RecordUnmatched`], whether the request has an exact match.
    ///
    /// An empty (or absent) replay table means recording in every mode, as in the reference:
    /// a replay file that exists but is empty behaves like record mode.
    pub fn action(
        self,
        table_has_entries: bool,
        exact_match: bool,
        policy: NewRequestPolicy,
    ) -> Action {
        match self {
            Mode::Record => Action::Record,
            _ if !table_has_entries => Action::Record,
            Mode::Replay => Action::Replay,
            Mode::ReplayOldRecordNew => match policy {
                NewRequestPolicy::Reference => Action::Replay,
                NewRequestPolicy::RecordUnmatched if exact_match => Action::Replay,
                NewRequestPolicy::RecordUnmatched => Action::Record,
            },
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mode::Replay => "replay",
            Mode::Record => "record",
            Mode::ReplayOldRecordNew => "replay old, record new",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_numbers_and_nothing_else() {
        assert_eq!(Mode::parse("0"), Ok(Mode::Replay));
        assert_eq!(Mode::parse(" 1\n"), Ok(Mode::Record));
        assert_eq!(Mode::parse("2"), Ok(Mode::ReplayOldRecordNew));
        for bad in ["", "3", "-1", "01x", "replay"] {
            assert_eq!(Mode::parse(bad), Err(InvalidMode), "{bad:?}");
        }
        for mode in [Mode::Replay, Mode::Record, Mode::ReplayOldRecordNew] {
            assert_eq!(Mode::parse(&std::format!("{}", mode.number())), Ok(mode));
        }
    }

    #[test]
    fn an_empty_table_records_in_every_mode() {
        for mode in [Mode::Replay, Mode::Record, Mode::ReplayOldRecordNew] {
            for policy in [
                NewRequestPolicy::Reference,
                NewRequestPolicy::RecordUnmatched,
            ] {
                assert_eq!(mode.action(false, false, policy), Action::Record);
            }
        }
    }

    #[test]
    fn mode_two_replays_everything_like_the_reference_unless_asked() {
        let m = Mode::ReplayOldRecordNew;
        assert_eq!(
            m.action(true, false, NewRequestPolicy::Reference),
            Action::Replay
        );
        assert_eq!(
            m.action(true, true, NewRequestPolicy::RecordUnmatched),
            Action::Replay
        );
        assert_eq!(
            m.action(true, false, NewRequestPolicy::RecordUnmatched),
            Action::Record
        );
        assert_eq!(
            Mode::Replay.action(true, false, NewRequestPolicy::RecordUnmatched),
            Action::Replay
        );
        assert_eq!(
            Mode::Record.action(true, true, NewRequestPolicy::Reference),
            Action::Record
        );
    }
}
