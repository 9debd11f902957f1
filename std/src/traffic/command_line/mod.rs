//! Command-line traffic (`SUT_COMMAND_LINE:`, `SUT_COMMAND_KILL:`): the programs that a
//! system under test runs, intercepted by shims on its `PATH` (spec: command-line.md).
//!
//! ```text
//! shim ── call ──▶ request text (cd, env, name, args) ─▶ engine decides
//!                   ├─ replay: recorded ->FIL (restored), ->OUT, ->ERR, ->EXC
//!                   └─ record: the real program runs with the call's argv, environment,
//!                        cwd and stdin; its edits, stdout, stderr and status are recorded
//! shim ◀── stdout |TT_CMD_SEP| stderr |TT_CMD_SEP| status
//! ```
//!
//! A kill names the shim's pid and is passed on to the real process running for it; it is
//! never recorded (a replayed death comes from the recorded status).
//!
//! Deliberate differences from the reference (also in docs/compatibility.md):
//! - Literals are parsed, never evaluated, and `:SUT_SEP:` inside an argument or a variable
//!   does not break the request.
//! - The real program reads the shim's stdin, not the server's.
//! - Output keeps its carriage returns (the reference's universal newlines turn them into LF
//!   even when recording).
//! - Mode 2 and replay mode's shims take a command as recorded only when a request ran it by
//!   that very name ([`names`]), not by the reference's loose regex.
//! - New `PATH` elements keep their order in the `env` prefix ([`mod@request_text`]).

pub mod message;
pub mod names;
pub mod real;
pub mod request_text;
pub mod settings;

use std::path::PathBuf;

use capturemock_core::replay::Mode;

use self::message::{Call, Message};
use self::real::{RunError, Running};
use self::request_text::{request_text, ServerSide};
use self::settings::CommandLineSettings;
use super::wire::{error_reply, mismatch_reply};
use super::{BoxFuture, Kind};
use crate::exchange::{Decision, Exchange};
use crate::replay_file::RecordedResponse;

/// The record prefix of a call.
pub const REQUEST_PREFIX: &str = "<-CMD";
/// The record prefix of what the command wrote to stdout.
pub const STDOUT_PREFIX: &str = "->OUT";
/// The record prefix of what it wrote to stderr.
pub const STDERR_PREFIX: &str = "->ERR";
/// The record prefix of its exit status (minus the signal that killed it), when not 0.
pub const STATUS_PREFIX: &str = "->EXC";
/// The record prefix of a file or directory it edited (stored with `-F`).
pub const EDIT_PREFIX: &str = "->FIL";

/// The command-line kind.
#[derive(Debug)]
pub struct CommandLine {
    /// The rc files' settings, with the run's edit directories and replayed commands.
    settings: CommandLineSettings,
    /// The server's mode: mode 2 replays only the commands the replay file holds.
    mode: Mode,
    /// The directory of the run's shims, which a real command is never looked up in.
    shims: Option<PathBuf>,
    /// The server's working directory and environment, which calls are shown relative to.
    server: ServerSide,
    /// The real processes running, for kills.
    running: Running,
}

impl CommandLine {
    /// The kind for a server in `mode`, whose shims are in `shims`.
    pub fn new(settings: CommandLineSettings, mode: Mode, shims: Option<PathBuf>) -> Self {
        CommandLine {
            settings,
            mode,
            shims,
            server: ServerSide::current(),
            running: Running::default(),
        }
    }

    /// Serves one call.
    async fn serve_call(&self, call: Call, exchange: &mut Exchange<'_>) {
        let variables = &self.settings.command(&request_name(&call)).environment;
        let request = request_text(&call, variables, &self.server);
        let key = format!("{REQUEST_PREFIX}:{}", request.text);
        let replays = match self.mode {
            Mode::Record => false,
            Mode::Replay => true,
            Mode::ReplayOldRecordNew => self.settings.replays(&request.name),
        };
        let decision = if replays {
            exchange.decide(&key)
        } else {
            Decision::Record
        };
        if decision == Decision::Mismatch {
            // Nothing recorded: the run no longer follows the file.
            exchange.reply(&mismatch_reply(&key));
            return;
        }
        exchange.record(REQUEST_PREFIX, &request.text, None);
        // Lookups are done: later calls need not wait for this one's program.
        exchange.end_ordered_part();
        let (stdout, stderr, status) = match decision {
            Decision::Replay(replayed) => replay(replayed.responses),
            Decision::Unanswered => (String::new(), String::new(), 0),
            _ => match self
                .running
                .run(&call, &request.name, self.shims.as_deref())
                .await
            {
                Ok(finished) => (
                    output_text(&finished.stdout),
                    output_text(&finished.stderr),
                    finished.status,
                ),
                Err(e) => {
                    if !matches!(e, RunError::NotFound(_)) {
                        tracing::warn!(exchange = exchange.number(), "{}", crate::ErrorChain(&e));
                    }
                    (
                        String::new(),
                        format!(
                            "ERROR: CaptureMock Server could not find command '{}' in PATH\n",
                            request.name
                        ),
                        1,
                    )
                }
            },
        };
        exchange.record(STDOUT_PREFIX, &stdout, None);
        exchange.record(STDERR_PREFIX, &stderr, None);
        if status != 0 {
            exchange.record(STATUS_PREFIX, &status.to_string(), None);
        }
        exchange.reply(&message::reply(&stdout, &stderr, status));
    }
}

/// The name a call's command is known by in the settings.
fn request_name(call: &Call) -> String {
    request_text::command_name(&call.argv[0])
}

/// A command's output as recorded and replied: text, ending in a line break unless empty
/// (the reference's rule, in record and replay alike).
fn output_text(bytes: &[u8]) -> String {
    let mut text = String::from_utf8_lossy(bytes).into_owned();
    end_line(&mut text);
    text
}

/// Adds a final line break to a text that has none, unless it is empty.
fn end_line(text: &mut String) {
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
}

/// The reply parts of recorded responses: the first `->OUT`, `->ERR` and `->EXC` in that
/// order (each missing one empty, or 0), as the reference fills the gaps.
fn replay(responses: Vec<RecordedResponse>) -> (String, String, i32) {
    let mut responses = responses.into_iter().peekable();
    // Leading edits come first (restored with `-f`, a later step).
    while responses.next_if(|r| r.type_id() == "FIL").is_some() {}
    let mut take = |type_id: &str| {
        responses
            .next_if(|r| r.type_id() == type_id)
            .map(RecordedResponse::into_text)
    };
    let mut stdout = take("OUT").unwrap_or_default();
    end_line(&mut stdout);
    let mut stderr = take("ERR").unwrap_or_default();
    end_line(&mut stderr);
    let status = take("EXC")
        .map(|status| status.trim().parse().unwrap_or(1))
        .unwrap_or(0);
    (stdout, stderr, status)
}

impl Kind for CommandLine {
    fn name(&self) -> &'static str {
        "command line"
    }

    fn claims(&self, message: &str) -> bool {
        message::is_command_line(message)
    }

    /// A call is answered with the command's output and status; a kill with nothing. A
    /// message that cannot be read gets an error reply, which a shim reports as an unexpected
    /// answer.
    fn serve<'a, 'e: 'a>(
        &'a self,
        message: &'a str,
        exchange: &'a mut Exchange<'e>,
    ) -> BoxFuture<'a> {
        Box::pin(async move {
            match message::parse(message) {
                Some(Ok(Message::Call(call))) => self.serve_call(call, exchange).await,
                Some(Ok(Message::Kill(kill))) => {
                    let killed = self.running.kill(&kill.pid, kill.signal);
                    tracing::debug!(
                        exchange = exchange.number(),
                        "signal {} for shim {}: {}",
                        kill.signal,
                        kill.pid,
                        if killed {
                            "passed on"
                        } else {
                            "no real process"
                        }
                    );
                }
                Some(Err(e)) => {
                    let why = crate::ErrorChain(&e).to_string();
                    tracing::warn!(exchange = exchange.number(), "{why}");
                    exchange.reply(&error_reply(&why));
                }
                None => {}
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replayed_responses_fill_the_gaps_as_the_reference_does() {
        let responses = |entries: &[&str]| {
            entries
                .iter()
                .map(|e| RecordedResponse::new(e))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            replay(responses(&[
                "->OUT:out: a b it's",
                "->ERR:err: 2",
                "->EXC:3"
            ])),
            ("out: a b it's\n".into(), "err: 2\n".into(), 3)
        );
        assert_eq!(replay(responses(&[])), (String::new(), String::new(), 0));
        assert_eq!(
            replay(responses(&["->FIL:notes.txt", "->OUT:stamped"])),
            ("stamped\n".into(), String::new(), 0)
        );
        assert_eq!(
            replay(responses(&["->ERR:e", "->EXC:-15"])),
            (String::new(), "e\n".into(), -15)
        );
    }
}
