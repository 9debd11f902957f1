//! The `capturemock` command: `capturemock [options] program [args...]` as the reference's
//! console script (compat spec section 2), plus `--server-only`, the drift check and
//! near-miss diagnostics. The binary only parses the arguments and calls [`run`].
//!
//! Deliberate differences from the reference's command line (the server's are listed in
//! [`crate::server`]):
//! - The exit status is the program's (128 + N when it was killed by signal N; 127 when it
//!   could not be started); the reference always exits 0. Our own failures (bad rc file,
//!   missing or non-UTF-8 replay file, a record file that cannot be created, ...) exit 2
//!   before the program runs; exchanges that could not be written to the record file during
//!   the run are reported at exit and exit 2 when the program succeeded; a drift found with
//!   `--fail-on-drift` exits 1 when the program succeeded.
//! - A program that is neither on `PATH` nor an existing path is said before anything starts,
//!   `capturemock: no program 'x' found` (with the nearest subcommand when it is the first
//!   argument and close to one), exit 127; after `--` a program is run as given.
//! - A missing `-R` rc file gives the reference's warning once (the reference repeats it at
//!   exit, relayed from its server process); record mode with no record file warns that
//!   nothing will be written (the reference says nothing).
//!
//! Errors are printed on one line, `capturemock: error: ` and the chain of causes, each once
//! ([`crate::ErrorChain`]; the convention is in [`crate::error_chain`]).
//! - A replay file given with `-m 0` that does not exist is an error; the reference then
//!   starts no server and runs the program unmocked. With `-m 2` it means "record
//!   everything" (the reference's server crashes).
//! - The replay file is read before the record file is removed, so `-p x.mock -r x.mock`
//!   replays and re-records `x.mock` (the reference removes it first and runs unmocked).
//! - The server address is printed on stdout only with `--server-only` or `--print-address`.
//!   The reference's command line does not print it either (its server process prints it to
//!   the command line, which reads it), although the compatibility spec says it does.
//! - SIGINT (Ctrl-C, which reaches the program too) does not stop the wrapper before the
//!   program has finished; SIGTERM is passed on to the program. Either way the record file is
//!   completed.
//! - Commands listed under `[command line] intercepts` get a link to `capturemock-shim` in a
//!   private directory first on the program's `PATH` (the reference writes a Python script per
//!   name); see `docs/command-line.md`.
//! - `PYTHONPATH` is not set for the program (the reference points it at its own package,
//!   which its shims import; ours are not Python).
//! - New: `--server-only`, `--fail-on-drift`, `--print-address`, `--record-unmatched` (mode 2
//!   records what has no exact match), the limits (`--max-connections`, `--read-timeout`,
//!   `--max-message-size`, `--order-wait`, `--drain-limit`, `--drain-timeout`), `--log`, and
//!   the end-of-run output: `--summary`, `-v` / `--verbose`, `--report FILE` ([`report`]).
//! - Quiet as the reference: a replay adds nothing to stderr unless asked (`--summary`, `-v`,
//!   `CAPTUREMOCK_SUMMARY=1`), so that harnesses comparing stderr (TextTest) see only the
//!   program's. Errors, and a drift that fails the run (`--fail-on-drift`), are always said.
//! - New subcommands, recognised only as the first argument (a program of that name runs as
//!   `capturemock -- bridge ...`): `capturemock bridge` ([`BridgeCli`], a device's serial
//!   link to a server), `capturemock serial-proxy` ([`SerialProxyCli`], record or emulate
//!   a serial peripheral), `capturemock review`, `accept` and `reject` (pending mock files,
//!   [`ReviewCli`], [`DecideCli`]), `capturemock prune` ([`PruneCli`], remove what no replay
//!   used), `capturemock stats` ([`StatsCli`], an overview of record files) and
//!   `capturemock help [SUBCOMMAND]`; `capturemock
//!   completions SHELL` ([`CompletionsCli`]) and `capturemock man` ([`ManCli`]) print a shell
//!   completion script and the man page, generated from the same definitions
//!   ([`command_tree`]).
//! - New: `--record-mode none|once|new|all` ([`crate::record_mode`]), `--forbid-real` and
//!   `--pending` ([`crate::pending`]).

mod args;
mod bridge;
pub mod command_tree;
mod completions;
pub mod logging;
mod man;
mod mock_exchanges;
mod prune;
pub mod report;
mod review;
mod serial_proxy;
mod shims;
mod stats;
mod wrapper;

pub use args::{Cli, SUMMARY_ENV};
pub use bridge::BridgeCli;
pub use completions::CompletionsCli;
pub use man::ManCli;
pub use prune::PruneCli;
pub use review::{DecideCli, ReviewCli, Verdict};
pub use serial_proxy::SerialProxyCli;
pub use stats::StatsCli;

use std::path::PathBuf;
use std::time::Duration;

use capturemock_core::replay::{Mode, NewRequestPolicy};

use crate::drift::DriftError;
use crate::rc::{RcConfig, RcError};
use crate::server::{ConfigError, Limits, ServerConfig, ServerError};

/// Exit status for a drift found with `--fail-on-drift`, when the program itself succeeded.
pub const DRIFT_EXIT: u8 = 1;

/// Exit status when the program succeeded but requests were refused (nothing real may be
/// reached) or, under `--record-mode none`, had no exact recorded match.
pub const UNMATCHED_EXIT: u8 = 1;

/// Exit status when capturemock itself failed: a setup failure (bad settings, missing files,
/// a record file that cannot be created) before the program ran, or exchanges that could not
/// be written to the record file during the run (when the program itself succeeded).
pub const FAILED_EXIT: u8 = 2;

/// Exit status when the program is not found (the shell's "command not found").
pub const NOT_FOUND_EXIT: u8 = 127;

/// The subcommands, recognised only as the first argument.
pub const SUBCOMMANDS: [&str; 10] = [
    "bridge",
    "serial-proxy",
    "review",
    "accept",
    "reject",
    "prune",
    "stats",
    "completions",
    "man",
    "help",
];

/// Applies the HTTP options (`--upstream`, `--upstream-ca`, `--tls`), which only an HTTP
/// server takes.
fn http_options(cli: &Cli, config: &mut ServerConfig) -> Result<(), CliError> {
    let crate::server::Protocol::Http(settings) = &mut config.protocol else {
        if cli.upstream.is_some() || cli.upstream_ca.is_some() || cli.tls {
            return Err(CliError::Usage(
                "--upstream, --upstream-ca and --tls are for HTTP traffic: set server_protocol = http in the rc file (-R)".into(),
            ));
        }
        return Ok(());
    };
    if let Some(upstream) = &cli.upstream {
        settings.upstream = Some(upstream.clone());
    }
    if let Some(ca) = &cli.upstream_ca {
        settings.upstream_ca = Some(ca.clone());
    }
    if cli.tls {
        let file =
            std::env::temp_dir().join(format!("capturemock-{}-server-ca.pem", std::process::id()));
        config.serving_tls = Some(crate::server::http::tls::ServingTls::generate(Some(&file))?);
    }
    Ok(())
}

/// Why the command could not do its job (as opposed to the program failing).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// An rc file could not be read.
    #[error(transparent)]
    Rc(#[from] RcError),
    /// The settings are unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The replay file given does not exist.
    #[error("replay file {} does not exist (mode 0 replays from it; use -m 1 to record it, or -m 2 to replay what it has and record the rest)", .0.display())]
    MissingReplayFile(PathBuf),
    /// The server failed.
    #[error(transparent)]
    Server(#[from] ServerError),
    /// The drift check could not read a file.
    #[error(transparent)]
    Drift(#[from] DriftError),
    /// A limit given on the command line is out of range.
    #[error("--{option} must be a positive number of seconds, not {value}")]
    BadDuration {
        /// The option.
        option: &'static str,
        /// The value.
        value: f64,
    },
    /// The tokio runtime could not start.
    #[error("cannot start the async runtime")]
    Runtime(#[source] std::io::Error),
    /// The proxy cannot serve TLS.
    #[error(transparent)]
    ServeTls(#[from] crate::server::http::tls::ServeTlsError),
    /// The arguments do not make sense together.
    #[error("{0}")]
    Usage(String),
    /// A serial line or socket could not be opened.
    #[error(transparent)]
    Endpoint(#[from] crate::bridge::EndpointError),
    /// The bridge failed.
    #[error(transparent)]
    Bridge(#[from] crate::bridge::BridgeError),
    /// The serial proxy failed.
    #[error(transparent)]
    SerialProxy(#[from] crate::serial_proxy::ProxyError),
    /// A replay file could not be loaded.
    #[error(transparent)]
    ReplayFile(#[from] crate::replay_file::ReplayFileError),
    /// The record file cannot be written.
    #[error(transparent)]
    Record(#[from] crate::exchange::RecordError),
    /// Something real would be reached, and that is forbidden (`--forbid-real`,
    /// `CAPTUREMOCK_FORBID_REAL=1`, `--record-mode none`).
    #[error("{0} would reach the real thing, which is forbidden (--forbid-real, CAPTUREMOCK_FORBID_REAL=1 or --record-mode none)")]
    Forbidden(String),
    /// `CAPTUREMOCK_RECORD_MODE` names no record mode.
    #[error("CAPTUREMOCK_RECORD_MODE")]
    RecordModeVar(#[source] crate::record_mode::InvalidRecordMode),
    /// The pending record file could not be settled beside the record file (`--pending`).
    #[error(transparent)]
    Pending(#[from] crate::pending::PendingError),
    /// The shims of the intercepted commands could not be made.
    #[error("cannot make the shims of the intercepted commands ([command line] intercepts)")]
    Shims(#[source] std::io::Error),
    /// The run report could not be written or read.
    #[error(transparent)]
    Report(#[from] report::ReportError),
    /// `capturemock prune` refused.
    #[error(transparent)]
    Prune(#[from] prune::PruneError),
    /// Standard output could not be written (a completion script, the man page).
    #[error("cannot write to standard output")]
    Output(#[source] std::io::Error),
    /// The log filter is not understood.
    #[error(transparent)]
    Log(#[from] logging::LogFilterError),
    /// The program is neither on `PATH` nor an existing file (and was not given after `--`).
    #[error("no program '{program}' found{}", match suggestion {
        Some(sub) => format!(" (did you mean 'capturemock {sub}'?)"),
        None => String::new(),
    })]
    ProgramNotFound {
        /// The program as given.
        program: String,
        /// The subcommand it is a near miss of, when it was the first argument.
        suggestion: Option<&'static str>,
    },
}

impl CliError {
    /// The status to exit with: [`NOT_FOUND_EXIT`] for a program that is not found, else
    /// [`FAILED_EXIT`].
    pub fn exit_status(&self) -> u8 {
        match self {
            CliError::ProgramNotFound { .. } => NOT_FOUND_EXIT,
            _ => FAILED_EXIT,
        }
    }

    /// The line to print on stderr: `capturemock: error: ` and the error with its causes,
    /// once each (see [`crate::error_chain`]); a program not found is said as a shell says
    /// it, `capturemock: no program 'x' found`.
    pub fn message(&self) -> String {
        match self {
            CliError::ProgramNotFound { .. } => format!("capturemock: {self}"),
            _ => format!("capturemock: error: {}", crate::ErrorChain(self)),
        }
    }
}

/// What the command line asks for: the main command, or a subcommand (recognised only as
/// the first argument, so that every program can still be run, after `--` if need be).
#[derive(Debug, Clone)]
pub enum Invocation {
    /// `capturemock [options] program [args...]` or `--server-only`.
    Main(Cli),
    /// `capturemock bridge ...`.
    Bridge(BridgeCli),
    /// `capturemock serial-proxy ...`.
    SerialProxy(SerialProxyCli),
    /// `capturemock prune X.mock --usage REPORT...`.
    Prune(PruneCli),
    /// `capturemock stats X.mock...`.
    Stats(StatsCli),
    /// `capturemock review [PATHS]`.
    Review(ReviewCli),
    /// `capturemock accept [FILES]`.
    Accept(DecideCli),
    /// `capturemock reject [FILES]`.
    Reject(DecideCli),
    /// `capturemock completions SHELL`.
    Completions(CompletionsCli),
    /// `capturemock man`.
    Man(ManCli),
}

impl Invocation {
    /// Parses the process's arguments; prints help or an error and exits on bad ones.
    pub fn parse() -> Invocation {
        Self::try_parse_from(std::env::args_os()).unwrap_or_else(|e| e.exit())
    }

    /// Parses `args` (the first is the program name).
    /// Subcommands are told apart by hand, on the first argument only, not with clap's
    /// subcommands: the reference's command line takes any program as its first argument, and a
    /// clap subcommand would hide a program called `bridge`. Where the program's arguments start
    /// (after `--`, or first of all) is worked out from their count, since clap does not say.
    pub fn try_parse_from<I, T>(args: I) -> Result<Invocation, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        use clap::Parser;
        let args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
        let sub = args.get(1).and_then(|a| a.to_str());
        let rest = || {
            let name = args.first().cloned().unwrap_or_default();
            std::iter::once(name).chain(args.iter().skip(2).cloned())
        };
        match sub {
            Some("bridge") => BridgeCli::try_parse_from(rest()).map(Invocation::Bridge),
            Some("serial-proxy") => {
                SerialProxyCli::try_parse_from(rest()).map(Invocation::SerialProxy)
            }
            Some("prune") => PruneCli::try_parse_from(rest()).map(Invocation::Prune),
            Some("stats") => StatsCli::try_parse_from(rest()).map(Invocation::Stats),
            Some("review") => ReviewCli::try_parse_from(rest()).map(Invocation::Review),
            Some("accept") => DecideCli::try_parse_from(rest()).map(Invocation::Accept),
            Some("reject") => DecideCli::try_parse_from(rest()).map(Invocation::Reject),
            Some("completions") => {
                CompletionsCli::try_parse_from(rest()).map(Invocation::Completions)
            }
            Some("man") => ManCli::try_parse_from(rest()).map(Invocation::Man),
            Some("help") => Err(help(args.get(2).map(|a| a.to_string_lossy()).as_deref())),
            _ => {
                let mut cli = Cli::try_parse_from(&args)?;
                // Where PROGRAM starts: it takes every argument to the end.
                let at = args.len().saturating_sub(cli.program.len());
                cli.program_as_given = !cli.program.is_empty()
                    && at >= 1
                    && args.get(at - 1).is_some_and(|a| a == "--");
                cli.program_first = !cli.program.is_empty() && at == 1;
                Ok(Invocation::Main(cli))
            }
        }
    }

    /// The `--log` filter given; with `-v` and neither `--log` nor `CAPTUREMOCK_LOG`,
    /// `info`, which shows each near miss as it happens.
    pub fn log(&self) -> Option<&str> {
        match self {
            Invocation::Main(cli) => cli.log.as_deref().or_else(|| {
                let from_env = std::env::var_os(logging::LOG_ENV).is_some_and(|f| !f.is_empty());
                (cli.verbose && !from_env).then_some("info")
            }),
            Invocation::Prune(_) | Invocation::Stats(_) => None,
            Invocation::Bridge(cli) => cli.log.as_deref(),
            Invocation::SerialProxy(cli) => cli.log.as_deref(),
            Invocation::Review(_)
            | Invocation::Accept(_)
            | Invocation::Reject(_)
            | Invocation::Completions(_)
            | Invocation::Man(_) => None,
        }
    }

    /// Runs it; returns the exit status.
    pub fn run(self) -> Result<u8, CliError> {
        match self {
            Invocation::Main(cli) => run(cli),
            Invocation::Bridge(cli) => bridge::run(cli),
            Invocation::SerialProxy(cli) => serial_proxy::run(cli),
            Invocation::Prune(cli) => prune::run(&cli),
            Invocation::Stats(cli) => stats::run(&cli),
            Invocation::Review(cli) => review::review(cli),
            Invocation::Accept(cli) => review::decide(cli, Verdict::Accept),
            Invocation::Reject(cli) => review::decide(cli, Verdict::Reject),
            Invocation::Completions(cli) => completions::run(cli),
            Invocation::Man(cli) => man::run(cli),
        }
    }
}

/// `capturemock help [SUBCOMMAND]`: clap's help display (printed on stdout, exit status 0,
/// by [`clap::Error::exit`]), or an error for an unknown subcommand.
fn help(subcommand: Option<&str>) -> clap::Error {
    use clap::{CommandFactory, Parser};
    let name = "capturemock";
    let shown = match subcommand {
        None | Some("help") => Cli::try_parse_from([name, "--help"]).err(),
        Some("bridge") => BridgeCli::try_parse_from([name, "--help"]).err(),
        Some("serial-proxy") => SerialProxyCli::try_parse_from([name, "--help"]).err(),
        Some("review") => ReviewCli::try_parse_from([name, "--help"]).err(),
        Some("accept" | "reject") => DecideCli::try_parse_from([name, "--help"]).err(),
        Some("prune") => PruneCli::try_parse_from([name, "--help"]).err(),
        Some("stats") => StatsCli::try_parse_from([name, "--help"]).err(),
        Some("completions") => CompletionsCli::try_parse_from([name, "--help"]).err(),
        Some("man") => ManCli::try_parse_from([name, "--help"]).err(),
        Some(other) => Some(Cli::command().error(
            clap::error::ErrorKind::InvalidSubcommand,
            format!(
                "no help for '{other}': the subcommands are {}",
                SUBCOMMANDS.join(", ")
            ),
        )),
    };
    shown.unwrap_or_else(|| clap::Error::new(clap::error::ErrorKind::DisplayHelp))
}

/// Whether `program` can be run: a name found on `PATH` (any file of that name: the system
/// decides whether it may be run), or a path to something that exists. Without `PATH`, the
/// system's default search applies, so the answer is yes.
fn program_exists(program: &std::ffi::OsStr) -> bool {
    let path = std::path::Path::new(program);
    if path.components().count() != 1 || program.to_string_lossy().contains('/') {
        return path.exists();
    }
    let Some(paths) = std::env::var_os("PATH") else {
        return true;
    };
    std::env::split_paths(&paths).any(|dir| {
        let dir = if dir.as_os_str().is_empty() {
            std::path::PathBuf::from(".")
        } else {
            dir
        };
        dir.join(program).is_file()
            || (cfg!(windows)
                && dir
                    .join(format!("{}.exe", program.to_string_lossy()))
                    .is_file())
    })
}

/// The subcommand `word` is a near miss of (ignoring case, optimal string alignment
/// distance: at most 1 for `help`, at most 2 for the longer names).
/// The bound is a third of the name's length (at most 2), so that short words that happen
/// to be near `help` are not taken for it; the word itself is not its own near miss.
pub fn nearest_subcommand(word: &str) -> Option<&'static str> {
    let lower = word.to_lowercase();
    SUBCOMMANDS
        .iter()
        .filter(|&&sub| sub != word)
        .map(|&sub| (edit_distance(&lower, sub), sub))
        .filter(|&(d, sub)| d <= 2 && d * 3 <= sub.len())
        .min_by_key(|&(d, _)| d)
        .map(|(_, sub)| sub)
}

/// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
/// neighbours each count 1.
/// Swaps count once because two swapped letters (`brdige`) are a common typing slip; the
/// full table is cheap, since subcommand names are short.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // d[i][j]: distance between the first i characters of a and the first j of b.
    let mut d: Vec<Vec<usize>> = (0..=a.len())
        .map(|i| (0..=b.len()).map(|j| if i == 0 { j } else { i }).collect())
        .collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// Fails with [`CliError::ProgramNotFound`] when `cli`'s program cannot be found, unless it
/// was given after `--` (then it is run as given, and the system says what is wrong).
fn check_program(cli: &Cli) -> Result<(), CliError> {
    let Some(program) = cli.program.first() else {
        return Ok(());
    };
    if cli.program_as_given || program_exists(program) {
        return Ok(());
    }
    let name = program.to_string_lossy().into_owned();
    let suggestion = if cli.program_first {
        nearest_subcommand(&name)
    } else {
        None
    };
    Err(CliError::ProgramNotFound {
        program: name,
        suggestion,
    })
}

/// Prints one line on stdout at once (an address a caller waits for).
/// Flushed at once, since a caller is waiting for it before it can connect.
fn print_line(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    // A closed stdout is the caller's business.
    let _ = writeln!(stdout, "{text}").and_then(|()| stdout.flush());
}

/// What the run found, for the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOutcome {
    /// The program's exit status (0 with `--server-only`).
    pub program_status: u8,
    /// The record file differs from the replay file.
    pub drift: bool,
    /// Exchanges could not be written to the record file.
    pub record_lost: bool,
    /// Requests were refused because nothing real may be reached, or had no exact match
    /// under record mode `none`.
    pub unmatched: bool,
}

impl RunOutcome {
    /// The status to exit with: the program's; else [`FAILED_EXIT`] when exchanges could
    /// not be recorded; else [`UNMATCHED_EXIT`] for refused or (under `none`) unmatched
    /// requests; else [`DRIFT_EXIT`] for a drift when `fail_on_drift`.
    pub fn exit_status(&self, fail_on_drift: bool) -> u8 {
        if self.program_status != 0 {
            self.program_status
        } else if self.record_lost {
            FAILED_EXIT
        } else if self.unmatched {
            UNMATCHED_EXIT
        } else if self.drift && fail_on_drift {
            DRIFT_EXIT
        } else {
            0
        }
    }
}

/// Runs the command; returns the exit status.
pub fn run(cli: Cli) -> Result<u8, CliError> {
    check_program(&cli)?;
    let setup = Setup::new(&cli)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(CliError::Runtime)?;
    let outcome = runtime.block_on(wrapper::run(&cli, setup))?;
    Ok(outcome.exit_status(cli.fail_on_drift))
}

/// Everything decided before the server starts.
#[derive(Debug)]
pub(crate) struct Setup {
    /// The server's settings: rc files, command-line options and limits combined, the replay
    /// file loaded, the record file prepared.
    pub config: ServerConfig,
    /// The replay file's path and text, kept for the drift check when replaying.
    pub drift_baseline: Option<(PathBuf, String)>,
    /// The replay file as read before the run, for `--report`.
    pub replay_fingerprint: Option<report::FileFingerprint>,
    /// The file the server records to (`FILE.new` with `--pending`).
    pub record: Option<PathBuf>,
    /// With `--pending`: the record file proper, which the recording is settled beside.
    pub pending_for: Option<PathBuf>,
    /// Record mode `none`: a request without an exact match fails the run.
    pub strict: bool,
}

/// The mode and files of a run, once `--record-mode`, `-m`, `CAPTUREMOCK_RECORD_MODE` and
/// the rc option `record_mode` are weighed (first found wins, in that order; `-m` and
/// `--record-mode` cannot both be given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RunFiles {
    /// The numbered mode.
    pub mode: Mode,
    /// Mode 2's treatment of new requests.
    pub new_requests: NewRequestPolicy,
    /// Record mode `none`.
    pub strict: bool,
    /// The replay file.
    pub replay: Option<PathBuf>,
    /// The record file.
    pub record: Option<PathBuf>,
}

impl RunFiles {
    /// Weighs the options (see the type). A record mode by name works on one file, the one
    /// `-p` names, else `-r`'s: it is replayed from when the mode replays, and recorded to
    /// when the mode records, unless `-r` names another beside `-p`. The numbered modes keep the
    /// reference's meaning of `-p` and `-r`.
    fn choose(
        cli: &Cli,
        env: Option<crate::record_mode::RecordMode>,
        rc: Option<crate::record_mode::RecordMode>,
    ) -> Result<RunFiles, CliError> {
        let named = cli
            .record_mode
            .or_else(|| cli.mode.is_none().then_some(env.or(rc)).flatten());
        let Some(named) = named else {
            let mode = Mode::parse(&cli.mode.unwrap_or(0).to_string()).unwrap_or(Mode::Replay);
            return Ok(RunFiles {
                mode,
                new_requests: if cli.record_unmatched {
                    NewRequestPolicy::RecordUnmatched
                } else {
                    NewRequestPolicy::Reference
                },
                strict: false,
                replay: cli.replay.clone(),
                record: cli.record.clone(),
            });
        };
        let Some(file) = cli.replay.clone().or_else(|| cli.record.clone()) else {
            return Err(CliError::Usage(format!(
                "record mode {named} needs a mock file: -p FILE (or -r FILE)"
            )));
        };
        let plan = named.plan(file.exists());
        // -r names another record file only beside -p; alone, it is the one file.
        let other_record = cli.replay.as_ref().and(cli.record.as_ref());
        let record = match (other_record, plan.mode) {
            (Some(record), _) => Some(record.clone()),
            (None, Mode::Replay) => None,
            (None, _) => Some(file.clone()),
        };
        Ok(RunFiles {
            mode: plan.mode,
            new_requests: plan.new_requests,
            strict: plan.strict,
            replay: (plan.mode != Mode::Record).then_some(file),
            record,
        })
    }
}

/// A duration option in seconds. Zero, negative, NaN and overflowing values are refused:
/// none of them is a usable limit.
fn seconds(option: &'static str, value: f64) -> Result<Duration, CliError> {
    Duration::try_from_secs_f64(value)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or(CliError::BadDuration { option, value })
}

impl Setup {
    /// Decides everything that can fail before the program runs, so that a mistake costs no
    /// run: the rc files, the mode (replay without `-p` means record), the
    /// limits, the replay file (loaded, and its text kept for the drift check), then the record
    /// file, prepared after the replay file is read since they may be the same file.
    fn new(cli: &Cli) -> Result<Self, CliError> {
        let rc = load_rc(cli.rcfiles.as_deref())?;
        let env_mode =
            crate::record_mode::RecordMode::from_env().map_err(CliError::RecordModeVar)?;
        let files = RunFiles::choose(cli, env_mode, rc.record_mode()?)?;
        let mut mode = files.mode;
        if mode == Mode::Replay && files.replay.is_none() {
            tracing::info!("no replay file given (-p): recording");
            mode = Mode::Record;
            if files.record.is_none() {
                tracing::warn!(
                    "neither a replay file (-p) nor a record file (-r) given: recording, but \
                     nothing will be written"
                );
            }
        } else if mode == Mode::Record && files.record.is_none() {
            tracing::warn!("record mode without a record file (-r): nothing will be written");
        }
        let forbid_real =
            cli.forbid_real || files.strict || crate::record_mode::forbid_real_from_env();
        if forbid_real && mode == Mode::Record {
            return Err(CliError::Forbidden(match &files.record {
                Some(path) => format!("recording {}", path.display()),
                None => "recording".to_string(),
            }));
        }
        let (mut config, warnings) = ServerConfig::from_rc(&rc, mode)?;
        for warning in warnings {
            tracing::warn!("{warning}");
        }
        for warning in config.command_lines.warnings() {
            eprintln!("{warning}");
        }
        http_options(cli, &mut config)?;
        config.command_lines.record_edits = cli.record_file_edits.clone();
        config.command_lines.replay_edits = cli.replay_file_edits.clone();
        config.limits = Limits {
            max_connections: cli.max_connections.max(1),
            read_timeout: seconds("read-timeout", cli.read_timeout)?,
            max_message_size: cli.max_message_size,
            order_wait: seconds("order-wait", cli.order_wait)?,
            drain_limit: cli.drain_limit,
            drain_timeout: seconds("drain-timeout", cli.drain_timeout)?,
        };
        config.new_requests = files.new_requests;
        config.forbid_real = forbid_real;
        if files.strict {
            config.exact_matching = true;
            config.trim_requests = true;
        }
        config.keep_matches = cli.report.is_some();
        let mut drift_baseline = None;
        let mut replay_fingerprint = None;
        match (&files.replay, mode) {
            (Some(path), Mode::Replay | Mode::ReplayOldRecordNew) => {
                if !path.exists() {
                    if mode == Mode::Replay {
                        return Err(CliError::MissingReplayFile(path.clone()));
                    }
                    tracing::info!(
                        "replay file {} does not exist yet: recording everything",
                        path.display()
                    );
                } else {
                    // Loaded first: its errors name the replay file (and the line). Read
                    // before the run: the record file may be the same file.
                    config.load_replay(path)?;
                    let text = crate::drift::read_replay_text(path)?;
                    if cli.report.is_some() {
                        replay_fingerprint = Some(report::fingerprint(path, config.newlines)?);
                    }
                    let empty = config
                        .replay
                        .as_ref()
                        .is_some_and(|r| r.lock().unwrap_or_else(|e| e.into_inner()).is_empty());
                    // An empty replay file means recording, as in the reference: no drift.
                    if mode == Mode::Replay && !empty {
                        drift_baseline = Some((path.clone(), text));
                    }
                }
            }
            (Some(path), Mode::Record) => {
                tracing::info!("record mode: replay file {} not used", path.display());
            }
            (None, _) => {}
        }
        let (record, pending_for) = match &files.record {
            Some(path) if cli.pending => {
                (Some(crate::pending::pending_path(path)), Some(path.clone()))
            }
            other => (other.clone(), None),
        };
        if let Some(path) = &record {
            // After the replay file is read: it may be the same file.
            crate::exchange::recorder::prepare(path)?;
        }
        if let Some(path) = &cli.report {
            report::prepare(path)?;
        }
        config.record = record.clone();
        Ok(Setup {
            config,
            drift_baseline,
            replay_fingerprint,
            record,
            pending_for,
            strict: files.strict,
        })
    }
}

/// The rc files of `-R` (comma-separated; missing files are skipped with the reference's
/// warning, word for word and whatever the log filter, as it writes it), or
/// `~/.capturemock/config`.
pub fn load_rc(rcfiles: Option<&str>) -> Result<RcConfig, RcError> {
    let paths: Vec<&str> = rcfiles
        .filter(|s| !s.is_empty())
        .map(|s| s.split(',').collect())
        .unwrap_or_default();
    let rc = if paths.is_empty() {
        RcConfig::load_default()?
    } else {
        RcConfig::load(&paths)?
    };
    for warning in rc.warnings() {
        match warning {
            crate::rc::RcWarning::MissingFile(_) => eprintln!("WARNING: {warning}"),
            _ => tracing::warn!("{warning}"),
        }
    }
    Ok(rc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_status_is_the_programs_then_drift() {
        let ok = RunOutcome {
            program_status: 0,
            drift: false,
            record_lost: false,
            unmatched: false,
        };
        assert_eq!(ok.exit_status(true), 0);
        let drift = RunOutcome { drift: true, ..ok };
        assert_eq!(drift.exit_status(false), 0);
        assert_eq!(drift.exit_status(true), DRIFT_EXIT);
        let unmatched = RunOutcome {
            unmatched: true,
            ..ok
        };
        assert_eq!(unmatched.exit_status(false), UNMATCHED_EXIT);
        let lost = RunOutcome {
            record_lost: true,
            ..drift
        };
        assert_eq!(lost.exit_status(true), FAILED_EXIT);
        let failed = RunOutcome {
            program_status: 7,
            ..lost
        };
        assert_eq!(failed.exit_status(true), 7);
    }

    #[test]
    fn record_modes_then_numbers_then_environment_then_rc() {
        use crate::record_mode::RecordMode;
        const ALL: RecordMode = RecordMode::All;
        const NONE: RecordMode = RecordMode::None;
        let dir = tempfile::tempdir().unwrap();
        let there = dir.path().join("there.mock");
        std::fs::write(&there, "<-CAL:x\n->RET:1\n").unwrap();
        let missing = dir.path().join("missing.mock");
        let cli = |args: Vec<std::ffi::OsString>| {
            use clap::Parser;
            Cli::try_parse_from(
                std::iter::once(std::ffi::OsString::from("capturemock"))
                    .chain(args)
                    .chain([std::ffi::OsString::from("prog")]),
            )
            .unwrap()
        };
        let choose = |args: Vec<std::ffi::OsString>, env: Option<RecordMode>, rc| {
            let f = RunFiles::choose(&cli(args), env, rc).unwrap();
            (f.mode.number(), f.strict, f.replay, f.record)
        };
        let p = |f: &PathBuf| vec!["-p".into(), f.clone().into_os_string()];
        let t = Some(there.clone());
        let m = Some(missing.clone());
        // The flag wins over the environment and the rc file.
        let flag = |name: &'static str, f: &PathBuf| {
            let mut args: Vec<std::ffi::OsString> = vec!["--record-mode".into(), name.into()];
            args.extend(p(f));
            args
        };
        assert_eq!(
            choose(flag("none", &there), Some(ALL), Some(ALL)),
            (0, true, t.clone(), None)
        );
        assert_eq!(
            choose(flag("once", &there), None, None),
            (0, false, t.clone(), None)
        );
        assert_eq!(
            choose(flag("once", &missing), None, None),
            (1, false, None, m.clone())
        );
        assert_eq!(
            choose(flag("new", &there), None, None),
            (2, false, t.clone(), t.clone())
        );
        assert_eq!(
            choose(flag("new", &missing), None, None),
            (1, false, None, m.clone())
        );
        assert_eq!(
            choose(flag("all", &there), Some(NONE), None),
            (1, false, None, t.clone())
        );
        // -m wins over the environment and the rc file; without either, -m 0.
        let mut numbered: Vec<std::ffi::OsString> = vec!["-m".into(), "2".into()];
        numbered.extend(p(&there));
        assert_eq!(
            choose(numbered, Some(ALL), Some(ALL)),
            (2, false, t.clone(), None)
        );
        assert_eq!(choose(p(&there), None, None), (0, false, t.clone(), None));
        // The environment wins over the rc file.
        assert_eq!(
            choose(p(&there), Some(ALL), Some(NONE)),
            (1, false, None, t.clone())
        );
        assert_eq!(
            choose(p(&there), None, Some(NONE)),
            (0, true, t.clone(), None)
        );
        // -r names the record file; alone, it is the one file.
        let mut both = flag("new", &there);
        both.extend(["-r".into(), missing.clone().into_os_string()]);
        assert_eq!(choose(both, None, None), (2, false, t.clone(), m.clone()));
        let only_r = vec![
            "--record-mode".into(),
            "once".into(),
            "-r".into(),
            there.clone().into_os_string(),
        ];
        assert_eq!(choose(only_r, None, None), (0, false, t.clone(), None));
        // A name needs a file.
        let err = RunFiles::choose(&cli(vec!["--record-mode".into(), "all".into()]), None, None)
            .unwrap_err();
        assert!(err.to_string().contains("needs a mock file"), "{err}");
    }

    #[test]
    fn near_misses_of_subcommands_only() {
        assert_eq!(nearest_subcommand("brdge"), Some("bridge"));
        assert_eq!(nearest_subcommand("birdge"), Some("bridge"));
        assert_eq!(nearest_subcommand("Bridge"), Some("bridge"));
        assert_eq!(nearest_subcommand("serialproxy"), Some("serial-proxy"));
        assert_eq!(nearest_subcommand("serial_prxy"), Some("serial-proxy"));
        assert_eq!(nearest_subcommand("hlep"), Some("help"));
        assert_eq!(nearest_subcommand("prnue"), Some("prune"));
        assert_eq!(nearest_subcommand("stat"), Some("stats"));
        assert_eq!(nearest_subcommand("bridge"), None, "not a miss");
        assert_eq!(nearest_subcommand("xyz"), None);
        assert_eq!(nearest_subcommand("ls"), None);
        assert_eq!(nearest_subcommand("he"), None);
        assert_eq!(nearest_subcommand("python3"), None);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("ab", "ba"), 1);
    }

    #[test]
    fn where_the_program_came_from() {
        let main = |args: &[&str]| match Invocation::try_parse_from(
            std::iter::once("capturemock").chain(args.iter().copied()),
        )
        .unwrap()
        {
            Invocation::Main(cli) => (cli.program_first, cli.program_as_given),
            other => panic!("{other:?}"),
        };
        assert_eq!(main(&["prog", "--", "x"]), (true, false));
        assert_eq!(main(&["-m", "1", "prog"]), (false, false));
        assert_eq!(main(&["--", "prog"]), (false, true));
        assert_eq!(main(&["-m", "1", "--", "prog", "x"]), (false, true));
        assert_eq!(main(&["--server-only"]), (false, false));
    }

    #[test]
    fn help_is_a_subcommand() {
        use clap::error::ErrorKind;
        let kind = |args: &[&str]| {
            Invocation::try_parse_from(std::iter::once("capturemock").chain(args.iter().copied()))
                .unwrap_err()
                .kind()
        };
        assert_eq!(kind(&["help"]), ErrorKind::DisplayHelp);
        assert_eq!(kind(&["help", "bridge"]), ErrorKind::DisplayHelp);
        assert_eq!(kind(&["help", "serial-proxy"]), ErrorKind::DisplayHelp);
        assert_eq!(kind(&["help", "prune"]), ErrorKind::DisplayHelp);
        assert_eq!(kind(&["help", "stats"]), ErrorKind::DisplayHelp);
        assert_eq!(kind(&["help", "review"]), ErrorKind::DisplayHelp);
        assert_eq!(kind(&["help", "accept"]), ErrorKind::DisplayHelp);
        assert_eq!(kind(&["review", "--help"]), ErrorKind::DisplayHelp);
        assert_eq!(kind(&["help", "completions"]), ErrorKind::DisplayHelp);
        assert_eq!(kind(&["help", "man"]), ErrorKind::DisplayHelp);
        assert_eq!(kind(&["help", "nope"]), ErrorKind::InvalidSubcommand);
    }

    #[test]
    fn a_program_is_a_path_that_exists_or_a_name_on_path() {
        assert!(program_exists("sh".as_ref()));
        assert!(!program_exists("no-such-program-capturemock-unit".as_ref()));
        assert!(!program_exists("./no-such-file".as_ref()));
        let here = std::env::current_exe().unwrap();
        assert!(program_exists(here.as_os_str()));
    }

    #[test]
    fn subcommands_only_as_the_first_argument() {
        let parse = |args: &[&str]| {
            Invocation::try_parse_from(std::iter::once("capturemock").chain(args.iter().copied()))
                .unwrap()
        };
        assert!(matches!(
            parse(&[
                "bridge",
                "--listen",
                "127.0.0.1:0",
                "-m",
                "1",
                "-r",
                "x.mock"
            ]),
            Invocation::Bridge(BridgeCli { mode: 1, .. })
        ));
        assert!(matches!(
            parse(&[
                "serial-proxy",
                "--device",
                "/dev/ttyUSB0",
                "--delimiter",
                "\\r"
            ]),
            Invocation::SerialProxy(_)
        ));
        // Anywhere else it is a program, as before.
        match parse(&["-m", "1", "bridge", "x"]) {
            Invocation::Main(cli) => assert_eq!(cli.program, ["bridge", "x"]),
            other => panic!("{other:?}"),
        }
        match parse(&["--", "bridge"]) {
            Invocation::Main(cli) => assert_eq!(cli.program, ["bridge"]),
            other => panic!("{other:?}"),
        }
        // The bridge needs exactly one line.
        let two = [
            "capturemock",
            "bridge",
            "--serial",
            "/dev/x",
            "--listen",
            "h:1",
        ];
        assert!(Invocation::try_parse_from(two).is_err());
        assert!(Invocation::try_parse_from(["capturemock", "bridge"]).is_err());
    }

    #[test]
    fn durations_must_be_positive() {
        assert!(seconds("x", 0.0).is_err());
        assert!(seconds("x", -1.0).is_err());
        assert!(seconds("x", f64::NAN).is_err());
        assert_eq!(seconds("x", 1.5).unwrap(), Duration::from_millis(1500));
    }
}
