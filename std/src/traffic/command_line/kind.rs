//! The command-line kind: a call decided by the engine, replayed or run for real and
//! recorded; a kill passed on. See the [module docs](super) for the data path.

use std::path::PathBuf;

use capturemock_core::replay::Mode;

use super::edits::Edits;
use super::message::{self, Call, Message};
use super::output::{record_form, unescape, STDERR_BYTES_PREFIX, STDOUT_BYTES_PREFIX};
use super::real::{RunError, Running};
use super::request_text::{self, request_text, ServerSide};
use super::settings::CommandLineSettings;
use super::{EDIT_PREFIX, REQUEST_PREFIX, STATUS_PREFIX, STDERR_PREFIX, STDOUT_PREFIX};
use crate::exchange::{Decision, Exchange, ExchangeNo};
use crate::replay_file::RecordedResponse;
use crate::traffic::wire::{error_reply, mismatch_reply};
use crate::traffic::{BoxFuture, Kind};

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
    /// The files commands edit (`-F`, `-f`).
    edits: Edits,
}

impl CommandLine {
    /// The kind for a server in `mode`, whose shims are in `shims`.
    pub fn new(settings: CommandLineSettings, mode: Mode, shims: Option<PathBuf>) -> Self {
        let server = ServerSide::current();
        let edits = Edits::new(
            &settings.ignore_edits,
            settings.record_edits.clone(),
            settings.replay_edits.clone(),
            &server.cwd,
        );
        CommandLine {
            settings,
            mode,
            shims,
            server,
            running: Running::default(),
            edits,
        }
    }

    /// Serves one call.
    async fn serve_call(&self, call: Call, exchange: &mut Exchange<'_>) {
        let settings = self.settings.command(&request_name(&call));
        let request = request_text(&call, &settings.environment, &self.server);
        let key = format!("{REQUEST_PREFIX}:{}", request.text);
        let replays = match self.mode {
            Mode::Record => false,
            Mode::Replay => true,
            Mode::ReplayOldRecordNew => self.settings.replays(&request.name),
        };
        let decision = if replays {
            exchange.decide(&key)
        } else {
            exchange.engine().record_or_refuse(exchange.number(), &key)
        };
        if matches!(decision, Decision::Mismatch | Decision::Forbidden) {
            // Nothing recorded: the run no longer follows the file.
            exchange.reply(&mismatch_reply(&key));
            return;
        }
        let answer = match decision {
            Decision::Replay(replayed) => {
                exchange.record(REQUEST_PREFIX, &request.text, None);
                exchange.end_ordered_part();
                let mut answer = replay(replayed.responses);
                answer.edits =
                    self.edits
                        .replay(&call, &request, &answer.edits, settings.asynchronous);
                answer
            }
            Decision::Unanswered => {
                exchange.record(REQUEST_PREFIX, &request.text, None);
                exchange.end_ordered_part();
                Answer::default()
            }
            _ => {
                let (earlier, before) =
                    self.edits
                        .before_record(&call, &request, settings.asynchronous);
                // Edits that asynchronous commands made since the last call follow that
                // call's output, before this request.
                for name in &earlier {
                    exchange.record(EDIT_PREFIX, name, None);
                }
                exchange.record(REQUEST_PREFIX, &request.text, None);
                // Lookups are done: later calls need not wait for this one's program.
                exchange.end_ordered_part();
                let mut answer = self.run(&call, &request.name, exchange.number()).await;
                answer.edits = self.edits.after_record(before);
                answer
            }
        };
        for name in &answer.edits {
            exchange.record(EDIT_PREFIX, name, None);
        }
        let (prefix, stdout) = record_form(&answer.stdout, STDOUT_PREFIX, STDOUT_BYTES_PREFIX);
        exchange.record(prefix, &stdout, None);
        let (prefix, stderr) = record_form(&answer.stderr, STDERR_PREFIX, STDERR_BYTES_PREFIX);
        exchange.record(prefix, &stderr, None);
        if answer.status != 0 {
            exchange.record(STATUS_PREFIX, &answer.status.to_string(), None);
        }
        exchange.reply_bytes(&message::reply(
            &answer.stdout,
            &answer.stderr,
            answer.status,
        ));
    }

    /// Runs the real command; a command that cannot be found or started answers with the
    /// reference's error.
    async fn run(&self, call: &Call, name: &str, number: ExchangeNo) -> Answer {
        match self.running.run(call, name, self.shims.as_deref()).await {
            Ok(finished) => Answer {
                edits: Vec::new(),
                stdout: end_line(finished.stdout),
                stderr: end_line(finished.stderr),
                status: finished.status,
            },
            Err(e) => {
                if !matches!(e, RunError::NotFound(_)) {
                    tracing::warn!(exchange = number, "{}", crate::ErrorChain(&e));
                }
                Answer {
                    edits: Vec::new(),
                    stdout: Vec::new(),
                    stderr: format!(
                        "ERROR: CaptureMock Server could not find command '{name}' in PATH\n"
                    )
                    .into_bytes(),
                    status: 1,
                }
            }
        }
    }
}

/// What a call is answered with, and recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Answer {
    /// The names of the edits (`->FIL:`), stored or restored.
    edits: Vec<String>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    /// The exit status, or minus the signal.
    status: i32,
}

/// The name a call's command is known by in the settings.
fn request_name(call: &Call) -> String {
    request_text::command_name(&call.argv[0])
}

/// A command's output as recorded and replied: ending in a line break unless empty (the
/// reference's rule, in record and replay alike).
fn end_line(mut output: Vec<u8>) -> Vec<u8> {
    if output.last().is_some_and(|&last| last != b'\n') {
        output.push(b'\n');
    }
    output
}

/// The answer of recorded responses: every `->FIL` (restored before the reply, wherever it
/// stands; the reference restores those after the output once the reply is sent), then the
/// first `->OUT`, `->ERR` and `->EXC` in that order, each missing one empty (or 0), as the
/// reference fills the gaps.
fn replay(responses: Vec<RecordedResponse>) -> Answer {
    let mut answer = Answer::default();
    let mut rest = Vec::new();
    for response in responses {
        if response.type_id() == "FIL" {
            answer.edits.push(response.into_text());
        } else {
            rest.push(response);
        }
    }
    let mut rest = rest.into_iter().peekable();
    let mut take = |type_id: &str| {
        rest.next_if(|r| r.type_id() == type_id)
            .map(RecordedResponse::into_text)
    };
    let mut output = |text_type: &str, bytes_type: &str| {
        let text = take(text_type).map(String::into_bytes);
        let output = text.or_else(|| take(bytes_type).map(|escaped| unescape(&escaped)));
        end_line(output.unwrap_or_default())
    };
    answer.stdout = output("OUT", "OUB");
    answer.stderr = output("ERR", "ERB");
    answer.status = take("EXC")
        .map(|status| status.trim().parse().unwrap_or(1))
        .unwrap_or(0);
    answer
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
        let answer = |edits: &[&str], stdout: &str, stderr: &str, status| Answer {
            edits: edits.iter().map(|e| e.to_string()).collect(),
            stdout: stdout.as_bytes().to_vec(),
            stderr: stderr.as_bytes().to_vec(),
            status,
        };
        let out_err_exc = ["->OUT:out: a b it's", "->ERR:err: 2", "->EXC:3"];
        assert_eq!(
            replay(responses(&out_err_exc)),
            answer(&[], "out: a b it's\n", "err: 2\n", 3)
        );
        assert_eq!(replay(responses(&[])), answer(&[], "", "", 0));
        assert_eq!(
            replay(responses(&[
                "->FIL:notes.txt",
                "->OUT:stamped",
                "->FIL:late"
            ])),
            answer(&["notes.txt", "late"], "stamped\n", "", 0)
        );
        assert_eq!(
            replay(responses(&["->ERR:e", "->EXC:-15"])),
            answer(&[], "", "e\n", -15)
        );
    }
}
