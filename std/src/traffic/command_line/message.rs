//! The command-line messages on the wire (spec section 2) and the reply to a call.
//!
//! A call: `SUT_COMMAND_LINE:` ARGV `:SUT_SEP:` ENV `:SUT_SEP:` CWD `:SUT_SEP:` PID, where
//! ARGV and ENV are Python literals (a list of str, a dict of str to str), parsed and never
//! evaluated. A kill: `SUT_COMMAND_KILL:` SIGNAL `:SUT_SEP:` PID. The reply to a call is
//! STDOUT `|TT_CMD_SEP|` STDERR `|TT_CMD_SEP|` STATUS.

use crate::python_literal::{self, LiteralError};
use crate::traffic::custom::SEPARATOR;

/// Marks a call.
pub const CALL_PREFIX: &str = "SUT_COMMAND_LINE:";
/// Marks a kill.
pub const KILL_PREFIX: &str = "SUT_COMMAND_KILL:";
/// Separates the three parts of the reply to a call.
pub const REPLY_SEPARATOR: &str = "|TT_CMD_SEP|";

/// A call of an intercepted command, as its shim saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The arguments; the first is the shim's path (`/tmp/shims/git`). Bytes, as the operating
    /// system has them: an undecodable byte arrives as a lone surrogate and is a byte again.
    pub argv: Vec<Vec<u8>>,
    /// The shim's whole environment, in its order, with the shims' directory taken out of
    /// `PATH`.
    pub environment: Vec<(Vec<u8>, Vec<u8>)>,
    /// The shim's working directory.
    pub cwd: String,
    /// The shim's process id, as sent: the key a later kill names it by.
    pub pid: String,
}

/// A signal for the real process started for a shim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kill {
    /// The signal number.
    pub signal: i32,
    /// The shim's process id, as its call sent it.
    pub pid: String,
}

/// A command-line message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// `SUT_COMMAND_LINE:`.
    Call(Call),
    /// `SUT_COMMAND_KILL:`.
    Kill(Kill),
}

/// Why a command-line message could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MessageError {
    /// Not the number of `:SUT_SEP:`-separated parts the message needs. A separator inside an
    /// argument is escaped by the shim's literal, so only a broken shim gets here.
    #[error("{kind} message has {found} parts separated by `:SUT_SEP:`, not {expected}")]
    Parts {
        /// `SUT_COMMAND_LINE` or `SUT_COMMAND_KILL`.
        kind: &'static str,
        /// Parts found.
        found: usize,
        /// Parts needed.
        expected: usize,
    },
    /// The argument list is not a Python list of str.
    #[error("the argument list is not a Python list of strings")]
    Arguments(#[source] LiteralError),
    /// The argument list is empty: there is no command to name.
    #[error("the argument list is empty")]
    NoCommand,
    /// The environment is not a Python dict of str to str.
    #[error("the environment is not a Python dict of strings")]
    Environment(#[source] LiteralError),
    /// The signal of a kill is not a number.
    #[error("the signal `{0}` is not a number")]
    Signal(String),
}

/// Whether `message` is a command-line message.
pub fn is_command_line(message: &str) -> bool {
    message.starts_with(CALL_PREFIX) || message.starts_with(KILL_PREFIX)
}

/// Reads a command-line message; `None` for a message of another kind.
pub fn parse(message: &str) -> Option<Result<Message, MessageError>> {
    if let Some(rest) = message.strip_prefix(CALL_PREFIX) {
        return Some(parse_call(rest).map(Message::Call));
    }
    message
        .strip_prefix(KILL_PREFIX)
        .map(|rest| parse_kill(rest).map(Message::Kill))
}

/// The four parts of a call. The reference splits on every separator, so an argument or a
/// variable holding `:SUT_SEP:` broke its request. Here each literal ends at the first
/// separator before which the text is a whole literal: outside its strings a literal has no
/// `:`, so a cut inside a string never parses, and no shorter whole literal exists. The
/// working directory is sent raw and comes last but one, so the pid is split off the end.
fn parse_call(rest: &str) -> Result<Call, MessageError> {
    let parts_error = || MessageError::Parts {
        kind: "SUT_COMMAND_LINE",
        found: rest.split(SEPARATOR).count(),
        expected: 4,
    };
    let (argv, rest) =
        leading_literal(rest, python_literal::parse_str_list).map_err(|e| match e {
            Some(e) => MessageError::Arguments(e),
            None => parts_error(),
        })?;
    if argv.is_empty() {
        return Err(MessageError::NoCommand);
    }
    let (environment, rest) =
        leading_literal(rest, python_literal::parse_str_dict).map_err(|e| match e {
            Some(e) => MessageError::Environment(e),
            None => parts_error(),
        })?;
    let (cwd, pid) = rest.rsplit_once(SEPARATOR).ok_or_else(parts_error)?;
    Ok(Call {
        argv,
        environment,
        cwd: cwd.to_owned(),
        pid: pid.to_owned(),
    })
}

/// The literal that `text` starts with, up to a separator, and the text after that
/// separator. The error is the first cut's, or `None` when there is no separator at all.
fn leading_literal<T>(
    text: &str,
    parse: fn(&str) -> Result<T, LiteralError>,
) -> Result<(T, &str), Option<LiteralError>> {
    let mut first_error = None;
    for (at, _) in text.match_indices(SEPARATOR) {
        match parse(&text[..at]) {
            Ok(value) => return Ok((value, &text[at + SEPARATOR.len()..])),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error)
}

/// `SIGNAL:SUT_SEP:PID`.
fn parse_kill(rest: &str) -> Result<Kill, MessageError> {
    let parts: Vec<&str> = rest.split(SEPARATOR).collect();
    let [signal, pid] = parts[..] else {
        return Err(MessageError::Parts {
            kind: "SUT_COMMAND_KILL",
            found: parts.len(),
            expected: 2,
        });
    };
    let signal = signal
        .trim()
        .parse()
        .map_err(|_| MessageError::Signal(signal.to_owned()))?;
    Ok(Kill {
        signal,
        pid: pid.to_owned(),
    })
}

/// The reply to a call: what the shim writes to its stdout and stderr, and how it ends (an
/// exit status, or a death by signal as a negative number).
/// Bytes, since a command's output need not be text.
pub fn reply(stdout: &[u8], stderr: &[u8], status: i32) -> Vec<u8> {
    let mut reply = Vec::with_capacity(stdout.len() + stderr.len() + 32);
    reply.extend_from_slice(stdout);
    reply.extend_from_slice(REPLY_SEPARATOR.as_bytes());
    reply.extend_from_slice(stderr);
    reply.extend_from_slice(REPLY_SEPARATOR.as_bytes());
    reply.extend_from_slice(status.to_string().as_bytes());
    reply
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_specs_worked_example_parses() {
        let message = "SUT_COMMAND_LINE:['/tmp/tmp746g4f7j/mytool', 'a b', \"it's\"]:SUT_SEP:\
            {'CAPTUREMOCK_SERVER': '127.0.0.1:47113', 'PATH': '/tmp/demo/bin:/bin', 'LANG': \
            'C.UTF-8', 'MYTOOL_EXIT': '3'}:SUT_SEP:/tmp/demo:SUT_SEP:27751";
        let Some(Ok(Message::Call(call))) = parse(message) else {
            panic!("not a call: {:?}", parse(message));
        };
        assert_eq!(
            call.argv,
            [&b"/tmp/tmp746g4f7j/mytool"[..], b"a b", b"it's"]
        );
        assert_eq!(call.environment.len(), 4);
        assert_eq!(
            call.environment[1],
            (b"PATH".to_vec(), b"/tmp/demo/bin:/bin".to_vec())
        );
        assert_eq!(call.cwd, "/tmp/demo");
        assert_eq!(call.pid, "27751");
    }

    #[test]
    fn a_separator_inside_an_argument_is_part_of_the_literal() {
        let message = "SUT_COMMAND_LINE:['/s/t', 'x:SUT_SEP:y']:SUT_SEP:{}:SUT_SEP:/w:SUT_SEP:1";
        // The reference splits on every separator and fails; a literal cannot be cut there.
        let Some(Ok(Message::Call(call))) = parse(message) else {
            panic!("not a call: {:?}", parse(message));
        };
        assert_eq!(call.argv, [&b"/s/t"[..], b"x:SUT_SEP:y"]);
        let message =
            "SUT_COMMAND_LINE:['/s/t']:SUT_SEP:{'A': ':SUT_SEP:'}:SUT_SEP:/w:SUT_SEP:x:SUT_SEP:1";
        let Some(Ok(Message::Call(call))) = parse(message) else {
            panic!("not a call: {:?}", parse(message));
        };
        assert_eq!(call.environment, [(b"A".to_vec(), b":SUT_SEP:".to_vec())]);
        assert_eq!(
            (call.cwd.as_str(), call.pid.as_str()),
            ("/w:SUT_SEP:x", "1")
        );
    }

    #[test]
    fn kills_and_broken_messages() {
        assert_eq!(
            parse("SUT_COMMAND_KILL:15:SUT_SEP:30056").unwrap().unwrap(),
            Message::Kill(Kill {
                signal: 15,
                pid: "30056".into()
            })
        );
        assert!(parse("SUT_COMMAND_KILL:x:SUT_SEP:1").unwrap().is_err());
        assert!(parse("SUT_COMMAND_KILL:15").unwrap().is_err());
        assert!(parse("SUT_COMMAND_LINE:[]:SUT_SEP:{}:SUT_SEP:/:SUT_SEP:1")
            .unwrap()
            .is_err());
        assert!(
            parse("SUT_COMMAND_LINE:nope:SUT_SEP:{}:SUT_SEP:/:SUT_SEP:1")
                .unwrap()
                .is_err()
        );
        assert!(parse("SUT_CUSTOM:x").is_none());
    }

    #[test]
    fn replies_are_three_parts() {
        assert_eq!(
            reply(b"out: a b it's\n", b"err: 2\n", 3),
            b"out: a b it's\n|TT_CMD_SEP|err: 2\n|TT_CMD_SEP|3"
        );
        assert_eq!(reply(b"", b"", 0), b"|TT_CMD_SEP||TT_CMD_SEP|0");
        assert_eq!(
            reply(b"", b"\xff\n", -15),
            b"|TT_CMD_SEP|\xff\n|TT_CMD_SEP|-15"
        );
    }
}
