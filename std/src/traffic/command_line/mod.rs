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

// The message format is here without the `server` feature too: the shim writes and reads
// it without serving it.
#[cfg(feature = "server")]
pub mod edits;
#[cfg(feature = "server")]
mod kind;
pub mod message;
pub mod names;
pub mod output;
#[cfg(feature = "server")]
pub mod real;
pub mod request_text;
pub mod settings;

#[cfg(feature = "server")]
pub use kind::CommandLine;

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
