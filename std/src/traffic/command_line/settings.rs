//! What the rc files say about command lines (spec section 6): which commands are
//! intercepted, which environment variables their record shows, which of them edit files
//! asynchronously, and what directory walks skip.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::rc::{RcConfig, RcError};

/// The section every command falls back to.
pub const SECTION: &str = "command line";

/// One command's settings: its own `[<name>]` section first, then `[command line]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandSettings {
    /// `environment`: the variables whose differences from the server's environment the
    /// `<-CMD:` text shows, in the reference's order (the command's own section's list first).
    pub environment: Vec<String>,
    /// `asynchronous`: the command edits files after it has returned (a daemon, a batch job),
    /// so edits are looked for up to the end of the run.
    pub asynchronous: bool,
}

/// The command-line settings of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CommandLineSettings {
    /// `[command line] intercepts`: the command names that get a shim, in list order,
    /// without the absolute paths, which PATH cannot intercept (see [`Self::absolute`]).
    pub intercepts: Vec<String>,
    /// Absolute paths listed in `intercepts`, which are skipped with the reference's warning.
    pub absolute: Vec<String>,
    /// Each intercepted command's settings.
    commands: HashMap<String, CommandSettings>,
    /// The settings of a command that is not intercepted by name (the reference's own shim,
    /// or a shim made by hand, may send any name): `[command line]` alone.
    fallback: CommandSettings,
    /// `[command line] ignore_edits`: base names that file-edit walks skip.
    pub ignore_edits: Vec<String>,
    /// `-F`: where edited files are stored when recording.
    pub record_edits: Option<PathBuf>,
    /// `-f`: where edited files are restored from when replaying.
    pub replay_edits: Option<PathBuf>,
    /// The intercepted commands that the replay file holds (see
    /// [`super::names::recorded_commands`]), filled in when the server's configuration loads
    /// its replay file. Replay mode makes shims for these only; mode 2 replays these and runs
    /// and records the others.
    pub replayed: Vec<String>,
}

impl CommandLineSettings {
    /// The settings in `rc`.
    pub fn from_rc(rc: &RcConfig) -> Result<Self, RcError> {
        let listed = rc.get_list("intercepts", &[SECTION])?;
        let (absolute, intercepts): (Vec<String>, Vec<String>) = listed
            .into_iter()
            .filter(|name| !name.is_empty())
            .partition(|name| std::path::Path::new(name).is_absolute());
        let read = |sections: &[&str]| -> Result<CommandSettings, RcError> {
            Ok(CommandSettings {
                environment: rc.get_list("environment", sections)?,
                asynchronous: rc.get_bool("asynchronous", sections, false)?,
            })
        };
        let mut commands = HashMap::new();
        for name in &intercepts {
            commands.insert(name.clone(), read(&[name.as_str(), SECTION])?);
        }
        Ok(CommandLineSettings {
            intercepts,
            absolute,
            commands,
            fallback: read(&[SECTION])?,
            ignore_edits: rc.get_list("ignore_edits", &[SECTION])?,
            record_edits: None,
            replay_edits: None,
            replayed: Vec::new(),
        })
    }

    /// The settings of command `name`.
    pub fn command(&self, name: &str) -> &CommandSettings {
        self.commands.get(name).unwrap_or(&self.fallback)
    }

    /// The reference's warning for each absolute path in `intercepts`, word for word: such a
    /// command cannot be intercepted through `PATH`.
    pub fn warnings(&self) -> Vec<String> {
        self.absolute
            .iter()
            .map(|name| {
                let mut quoted = String::new();
                crate::python_literal::write_str(&mut quoted, name.as_bytes());
                format!(
                    "WARNING: Ignoring requested intercept of command {quoted}.\n\
                     CaptureMock intercepts commands via PATH and cannot do anything with \
                     absolute paths."
                )
            })
            .collect()
    }

    /// Whether mode 2 replays command `name` (rather than running and recording it).
    pub fn replays(&self, name: &str) -> bool {
        self.replayed.iter().any(|replayed| replayed == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(rc: &str) -> CommandLineSettings {
        CommandLineSettings::from_rc(&RcConfig::from_str_named(rc, "test.rc").unwrap()).unwrap()
    }

    #[test]
    fn intercepts_are_trimmed_and_absolute_ones_set_apart() {
        let s = settings("[command line]\nintercepts = git, /usr/bin/date ,, make\n");
        assert_eq!(s.intercepts, ["git", "make"]);
        assert_eq!(s.absolute, ["/usr/bin/date"]);
        assert_eq!(
            s.warnings(),
            [
                "WARNING: Ignoring requested intercept of command '/usr/bin/date'.\n\
              CaptureMock intercepts commands via PATH and cannot do anything with absolute paths."
            ]
        );
        assert!(settings("[command line]\nintercepts =\n")
            .intercepts
            .is_empty());
        assert!(settings("").intercepts.is_empty());
    }

    #[test]
    fn a_commands_own_section_comes_first_and_decides_asynchronous() {
        let s = settings(
            "[command line]\nintercepts = git, make\nenvironment = HOME, LANG\n\
             [git]\nenvironment = GIT_DIR\nasynchronous = true\n",
        );
        assert_eq!(s.command("git").environment, ["GIT_DIR", "HOME", "LANG"]);
        assert!(s.command("git").asynchronous);
        assert_eq!(s.command("make").environment, ["HOME", "LANG"]);
        assert!(!s.command("make").asynchronous);
        assert_eq!(s.command("other").environment, ["HOME", "LANG"]);
    }
}
