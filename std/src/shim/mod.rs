//! The shim: the program that runs in place of an intercepted command.
//!
//! `capturemock` intercepts the commands named in `[command line] intercepts` by putting a
//! directory first on the program's `PATH` that holds one entry per name, each running this
//! shim. When the program runs `git log`, the shim runs instead: it sends the command line,
//! the environment, the working directory and its pid to the capturemock server
//! (`CAPTUREMOCK_SERVER`), and then acts out the reply: it writes the stdout and stderr that
//! the server sends (recorded, or from the real `git`, which the server runs in record mode)
//! and ends as the real command did, with its exit status or by its signal. The protocol is
//! the reference's, byte for byte (compat spec `command-line.md`, sections 1, 2 and 7), so
//! this shim works against CaptureMock 2.10's server too.
//!
//! One exchange, from the shim's side:
//! 1. [`locate`]: its own path and directory, from argv\[0\] and `PATH` as the shell found it.
//! 2. [`request_text`]: `SUT_COMMAND_LINE:` + argv (element 0 is the shim's full path) +
//!    the environment, in `environ` order, with the shim's directory left out of `PATH`
//!    ([`filter_path`]), so that the server runs the real command and the real command's own
//!    children are not intercepted + the physical working directory + the pid. It is sent on
//!    one TCP connection, whose write side is then shut down; the reply is read to its end.
//! 3. SIGINT and SIGTERM that arrive after the request went out are passed on: a second
//!    connection sends [`kill_text`], and the server, when it runs the real command, sends it
//!    the signal; the real status then comes back on the first connection. A signal that
//!    arrives before the request went out is passed on as soon as it has. When the second
//!    connection fails (the server is gone, so nobody would answer), the shim dies by the
//!    signal at once.
//! 4. [`parse_reply`], then the output is written and the shim ends ([`End`]).
//!
//! Stdin is left alone: the server, when it runs the real command, gives it the shim's stdin
//! (through `/proc/<pid>/fd/0`).
//!
//! Where it differs from the reference's Python shim:
//! - A reply status of 129..160 is a plain exit status, and a negative status kills the shim
//!   by that signal even when no signal reached it. The reference takes both for "killed" and,
//!   when it caught no signal itself, waits for one forever (spec section 8).
//! - A server that cannot be reached, or a `CAPTUREMOCK_SERVER` that is unset, empty or not
//!   `host:port`, is said on one line, `capturemock shim 'git': cannot reach the capturemock
//!   server at 127.0.0.1:9: Connection refused (os error 111)`, exit status 1, where the
//!   reference prints a Python traceback (also exit 1). As there, the real command is never
//!   run instead.
//! - The reply's bytes are written as they are; the reference decodes them in its locale
//!   with universal newlines (a CR becomes LF, bytes that are not text crash it).
//! - A `:SUT_SEP:` inside an argument or a variable is escaped so that the server does not
//!   split the request there ([`request_text`]); the reference's request then fails.
//! - Under the C locale the reference's shim adds `LC_CTYPE=C.UTF-8` to the environment it
//!   sends (Python's locale coercion); this one sends the environment it was given.
//! - A name that `environ` holds twice is sent once, with its first value, as Python's
//!   `os.environ` does; a working directory that is not UTF-8 is an error (the reference's
//!   shim crashes on it).
//!
//! The executable is the dedicated `capturemock-shim` binary beside `capturemock`
//! ([`executable`]); `capturemock` links each intercepted name to it.

mod reply;
mod request;

pub use reply::{parse_reply, End, Reply, MISMATCH_PREFIX};
pub use request::{environment, filter_path, kill_text, locate, normpath, request_text, Location};

use std::ffi::{OsStr, OsString};
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use signal_hook::consts::{SIGINT, SIGTERM};

use crate::ErrorChain;

/// The variable that says where the server is, `host:port`.
pub const SERVER_VAR: &str = "CAPTUREMOCK_SERVER";

/// The status the shim exits with when it could not ask the server (nothing was run).
pub const FAILED_EXIT: u8 = 1;

/// The file name of the shim executable, which the `capturemock` command's package installs
/// beside `capturemock`.
pub const EXECUTABLE_NAME: &str = "capturemock-shim";

/// Why the shim could not ask the server. The real command is never run instead: a test
/// that silently called the real thing would pass for the wrong reason.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ShimError {
    /// No argv\[0\] at all.
    #[error("started without an argv[0], so it cannot tell which command it stands for")]
    NoArgv0,
    /// argv\[0\] has no `/` and no `PATH` entry holds it (a caller that chose an argv\[0\]
    /// of its own). Sending the request anyway would leave the shim's directory on the
    /// `PATH` the server runs the real command with, and the server would run the shim again.
    #[error("cannot tell which directory it was run from: argv[0] has no '/' and no PATH entry holds an executable '{name}'")]
    NotOnPath {
        /// argv\[0\].
        name: String,
    },
    /// `CAPTUREMOCK_SERVER` is not set.
    #[error(
        "{SERVER_VAR} is not set (intercepted commands run under `capturemock`, which sets it)"
    )]
    ServerUnset,
    /// `CAPTUREMOCK_SERVER` is set but is not `host:port`.
    #[error("{SERVER_VAR}={value:?} is not host:port")]
    BadServer {
        /// The value.
        value: String,
    },
    /// The working directory cannot be read (e.g. it was deleted).
    #[error("cannot read the working directory")]
    Cwd(#[source] std::io::Error),
    /// The working directory is not UTF-8, and the protocol sends it as text.
    #[error("the working directory {} is not UTF-8, which the protocol cannot send", .0.display())]
    CwdNotUtf8(PathBuf),
    /// SIGINT and SIGTERM could not be trapped.
    #[error("cannot trap SIGINT and SIGTERM")]
    Signals(#[source] std::io::Error),
    /// The server did not accept the connection.
    #[error("cannot reach the capturemock server at {address}")]
    Connect {
        /// `CAPTUREMOCK_SERVER`.
        address: String,
        /// Why.
        source: std::io::Error,
    },
    /// Sending the request or reading the reply failed.
    #[error("talking to the capturemock server at {address} failed")]
    Talk {
        /// `CAPTUREMOCK_SERVER`.
        address: String,
        /// Why.
        source: std::io::Error,
    },
}

/// Runs the shim with its command line `args` (argv\[0\] first) and the process's
/// environment: asks the server, writes the reply's output, and returns the status to exit
/// with. A reply that says the command died by a signal does not return: the shim dies by
/// that signal, so that its parent sees what it would have seen of the real command.
///
/// Errors are said on one line on stderr, `capturemock shim '<name>': <error and causes>`,
/// and give [`FAILED_EXIT`].
pub fn run(args: Vec<OsString>) -> ExitCode {
    let name = args
        .first()
        .map(|argv0| {
            let bytes = argv0.as_bytes();
            let base = bytes.rsplit(|&b| b == b'/').next().unwrap_or(bytes);
            String::from_utf8_lossy(base).into_owned()
        })
        .unwrap_or_default();
    match ask_server(args) {
        Ok(status) => ExitCode::from(status),
        Err(e) => {
            let _ = writeln!(
                std::io::stderr(),
                "capturemock shim '{name}': {}",
                ErrorChain(&e)
            );
            ExitCode::from(FAILED_EXIT)
        }
    }
}

/// Where the shim executable is, for the `capturemock` command that is running: the
/// [`EXECUTABLE_NAME`] file beside it (cargo builds and installs the two side by side).
/// `capturemock` makes each intercepted name a symbolic link to it.
///
/// A dedicated binary rather than `capturemock` under another name: it costs less to start
/// on every intercepted call (BENCHMARKS.md, "Command-line shim").
pub fn executable() -> std::io::Result<PathBuf> {
    let current = std::env::current_exe()?;
    let shim = current.with_file_name(EXECUTABLE_NAME);
    if shim.is_file() {
        Ok(shim)
    } else {
        Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!(
                "the shim executable {} is missing (it is installed beside {})",
                shim.display(),
                current.display()
            ),
        ))
    }
}

/// Everything up to the exit status; `Err` when the server could not be asked.
fn ask_server(args: Vec<OsString>) -> Result<u8, ShimError> {
    // Trapped first, so that a signal that comes while the request is being made is not
    // lost; it is passed on once the request is out.
    trap_signals().map_err(ShimError::Signals)?;
    let mut args = args.into_iter();
    let argv0 = args.next().ok_or(ShimError::NoArgv0)?;
    let path_var = std::env::var_os("PATH");
    let location = locate(&argv0, path_var.as_deref()).ok_or_else(|| ShimError::NotOnPath {
        name: argv0.to_string_lossy().into_owned(),
    })?;
    let address = server_address()?;
    let cwd = std::env::current_dir().map_err(ShimError::Cwd)?;
    let cwd = cwd
        .to_str()
        .ok_or_else(|| ShimError::CwdNotUtf8(cwd.clone()))?;
    let pid = std::process::id();

    let env = environment(std::env::vars_os(), &location.dir);
    let rest: Vec<OsString> = args.collect();
    let argv = std::iter::once(location.path.as_os_str())
        .chain(rest.iter().map(OsString::as_os_str))
        .map(OsStr::as_bytes);
    let text = request_text(
        argv,
        env.iter().map(|(n, v)| (n.as_bytes(), v.as_bytes())),
        cwd,
        pid,
    );

    let talk = |source| ShimError::Talk {
        address: address.clone(),
        source,
    };
    let mut stream = TcpStream::connect(&address).map_err(|source| ShimError::Connect {
        address: address.clone(),
        source,
    })?;
    stream.write_all(text.as_bytes()).map_err(talk)?;
    stream.shutdown(Shutdown::Write).map_err(talk)?;
    let reply = read_reply(&mut stream, &address, pid).map_err(talk)?;

    let reply = parse_reply(&reply);
    reply::write_output(&reply);
    Ok(match reply.end {
        End::Exit(status) => status,
        End::Signal(signal) => die_by(signal),
        End::Mismatch(_) => 1,
        End::Unexpected(_) => 0,
    })
}

/// Set by the handlers of SIGINT and SIGTERM; taken when the shim passes them on.
static GOT_SIGINT: AtomicBool = AtomicBool::new(false);
static GOT_SIGTERM: AtomicBool = AtomicBool::new(false);

/// The longest a signal can wait before it is passed on, if it comes just before the
/// reply's `recv` starts (see [`read_reply`]).
const SIGNAL_CHECK: Duration = Duration::from_millis(200);

fn trap_signals() -> std::io::Result<()> {
    signal_hook::flag::register(SIGINT, &GOT_SIGINT)?;
    signal_hook::flag::register(SIGTERM, &GOT_SIGTERM)?;
    Ok(())
}

/// Reads the reply to its end, passing on each SIGINT or SIGTERM that comes meanwhile
/// (and any that came while the request was sent) on a connection of its own.
///
/// No thread waits for the signals: with a receive timeout set, Linux never restarts a
/// socket's `recv` after a signal handler ran, whatever `SA_RESTART` says (`signal(7)`), so a
/// signal ends the wait at once with `EINTR` and is passed on here. The timeout only bounds
/// the wait of a signal that lands between the check and the `recv`. A thread that waited
/// for signals instead cost as much per call as the shim's own protocol work (BENCHMARKS.md,
/// "Command-line shim").
fn read_reply(stream: &mut TcpStream, address: &str, pid: u32) -> std::io::Result<Vec<u8>> {
    stream.set_read_timeout(Some(SIGNAL_CHECK))?;
    let mut reply = Vec::new();
    let mut buffer = [0u8; 16 * 1024];
    loop {
        for (flag, signal) in [(&GOT_SIGINT, SIGINT), (&GOT_SIGTERM, SIGTERM)] {
            if flag.swap(false, Ordering::SeqCst) && send_kill(address, signal, pid).is_err() {
                // Nobody will answer the request now: end as the signal would have.
                die_by(signal);
            }
        }
        match stream.read(&mut buffer) {
            Ok(0) => return Ok(reply),
            Ok(n) => reply.extend_from_slice(&buffer[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::Interrupted | ErrorKind::WouldBlock | ErrorKind::TimedOut
                ) => {}
            Err(e) => return Err(e),
        }
    }
}

/// `CAPTUREMOCK_SERVER`, checked as the reference splits it (one `:`, or an IPv6 address in
/// brackets): an empty or colon-less value is named in the error rather than found wanting
/// at connect time.
fn server_address() -> Result<String, ShimError> {
    let value = std::env::var_os(SERVER_VAR).ok_or(ShimError::ServerUnset)?;
    let bad = || ShimError::BadServer {
        value: value.to_string_lossy().into_owned(),
    };
    let text = value.to_str().ok_or_else(bad)?;
    match text.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => {
            Ok(text.to_string())
        }
        _ => Err(bad()),
    }
}

/// One kill message: connect, send, shut down the write side, read to the end (the server
/// sends nothing and closes).
fn send_kill(address: &str, signal: i32, pid: u32) -> std::io::Result<()> {
    let mut stream = TcpStream::connect(address)?;
    stream.write_all(kill_text(signal, pid).as_bytes())?;
    stream.shutdown(Shutdown::Write)?;
    stream.read_to_end(&mut Vec::new())?;
    Ok(())
}

/// Dies by `signal`, with its default action restored, so that the parent sees a death by
/// that signal (`WIFSIGNALED`). A signal whose default action does not end a process
/// (SIGCHLD, or SIGCONT after a stop) or that cannot be raised leaves the shim alive: it then
/// exits with 128 + the signal, as a shell reports a death by signal.
fn die_by(signal: i32) -> u8 {
    let _ = std::io::stdout().flush();
    match signal_hook::low_level::emulate_default_handler(signal) {
        Ok(()) => {}
        // Not in signal-hook's table (real-time signals, whose default action ends the
        // process): raised as it is, no handler of ours being installed for it.
        Err(_) => {
            let _ = signal_hook::low_level::raise(signal);
        }
    }
    (128 + signal.clamp(0, 127)) as u8
}
