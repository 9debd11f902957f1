//! The whole command line as one clap [`Command`]: the main command with every subcommand
//! under it, for what describes the command rather than parses it (shell completions, the
//! man page).
//!
//! The parser does not use it: subcommands are recognised by hand on the first argument
//! ([`super::Invocation::try_parse_from`]), so that a program called `bridge` can still be
//! run. Completions and the man page still need to know every subcommand and its options,
//! and build them from the same definitions as the parser, so they cannot drift from it.

use clap::{Command, CommandFactory};

use super::{
    BridgeCli, Cli, CompletionsCli, DecideCli, ManCli, PruneCli, ReviewCli, SerialProxyCli,
    StatsCli,
};

/// `capturemock` with its subcommands. A subcommand's own definition is named
/// `capturemock NAME` (for its usage line, as its binary name stays); here it is named
/// `NAME` under `capturemock`.
pub fn command() -> Command {
    let sub = |command: Command, name: &'static str| command.name(name);
    Cli::command()
        // A subcommand stands instead of PROGRAM, and needs none.
        .subcommand_negates_reqs(true)
        .args_conflicts_with_subcommands(true)
        .subcommand(sub(BridgeCli::command(), "bridge"))
        .subcommand(sub(SerialProxyCli::command(), "serial-proxy"))
        .subcommand(sub(ReviewCli::command(), "review"))
        .subcommand(sub(DecideCli::command(), "accept"))
        .subcommand(sub(DecideCli::command(), "reject"))
        .subcommand(sub(PruneCli::command(), "prune"))
        .subcommand(sub(StatsCli::command(), "stats"))
        .subcommand(sub(CompletionsCli::command(), "completions"))
        .subcommand(sub(ManCli::command(), "man"))
        // `capturemock help [SUBCOMMAND]` is clap's own help subcommand in this tree.
        .disable_help_subcommand(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tree_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn every_subcommand_is_in_the_tree() {
        let mut command = command();
        // Building adds clap's `help` subcommand.
        command.build();
        let names: Vec<&str> = command.get_subcommands().map(Command::get_name).collect();
        for name in super::super::SUBCOMMANDS {
            assert!(names.contains(&name), "{name} missing from {names:?}");
        }
        for name in names {
            assert!(
                super::super::SUBCOMMANDS.contains(&name),
                "{name} not dispatched"
            );
        }
    }
}
