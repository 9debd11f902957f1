//! Command-line traffic (`SUT_COMMAND_LINE:`, `SUT_COMMAND_KILL:`): the reference's
//! interception of the programs a system under test runs. Not served yet: such messages are
//! recognised, so that they are not taken for classic client text, and answered with an
//! error that says so.

use super::wire::error_reply;
use super::{BoxFuture, Kind};
use crate::exchange::Exchange;

/// The prefixes of command-line messages.
pub const PREFIXES: [&str; 2] = ["SUT_COMMAND_LINE:", "SUT_COMMAND_KILL:"];

/// The command-line kind, as far as it goes: it refuses.
#[derive(Debug, Default)]
pub struct CommandLine;

impl Kind for CommandLine {
    fn name(&self) -> &'static str {
        "command line"
    }

    fn claims(&self, message: &str) -> bool {
        PREFIXES.iter().any(|prefix| message.starts_with(prefix))
    }

    /// Answered with an error reply rather than nothing, so that a client can tell "not
    /// supported" from "nothing recorded answers this", which an empty reply means.
    fn serve<'a, 'e: 'a>(
        &'a self,
        message: &'a str,
        exchange: &'a mut Exchange<'e>,
    ) -> BoxFuture<'a> {
        Box::pin(async move {
            let prefix = PREFIXES
                .iter()
                .find(|prefix| message.starts_with(*prefix))
                .copied()
                .unwrap_or(PREFIXES[0]);
            let why = format!(
                "{prefix} traffic (command-line interception) is not supported by this server"
            );
            tracing::warn!(exchange = exchange.number(), "{why}");
            exchange.reply(&error_reply(&why));
        })
    }
}
