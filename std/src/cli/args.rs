//! The command line: the reference's options (`-m -p -r -R -P -f -F`, long forms as its
//! optparse spells them) plus ours, long-only so that no short option can clash, except
//! `-v` (`--verbose`), which the reference does not have and every user expects.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::Parser;

/// The help's closing text: how the pieces fit together, the exit statuses and examples,
/// which the list of options alone does not tell.
const AFTER_HELP: &str = "\
How it works:
  capturemock starts a server, tells PROGRAM where it is through CAPTUREMOCK_SERVER=host:port
  and CAPTUREMOCK_MODE=0|1|2, runs PROGRAM, then stops the server. Clients in PROGRAM send each
  exchange to the server: in record mode it writes them to the record file (-r), in replay mode
  it answers from the replay file (-p). The exit status is PROGRAM's.
  Commands that PROGRAM runs are captured too when an rc file names them
  ([command line] intercepts = git, make): each gets a shim first on PROGRAM's PATH.

Exit status:
  PROGRAM's status (128 + N when signal N killed it). Otherwise: 127 when PROGRAM is not
  found (on PATH, or as a file; a PROGRAM given after -- is run as given), 2 when capturemock
  itself fails (bad settings, a missing replay file, a record file that cannot be created:
  before PROGRAM runs; exchanges that could not be written to the record file: at the end),
  1 for a drift with --fail-on-drift, or for requests refused by --forbid-real or without an
  exact match under --record-mode none.

Examples:
  Record a run; every exchange goes to calls.mock:
    capturemock -m 1 -r calls.mock python3 client.py

  Replay it. The run is recorded again to calls.new.mock; --summary prints what did not match,
  what was not used and a diff if it differs (a replay is quiet on stderr otherwise):
    capturemock -m 0 -p calls.mock -r calls.new.mock --summary python3 client.py

  The same in CI, failing when the code no longer does what was recorded:
    capturemock -p calls.mock -r calls.new.mock --fail-on-drift -- ./run-tests.sh --fast

  Write the run as JSON, then remove what no run used, and look at a file (docs/reports.md):
    capturemock -p calls.mock --report run.json python3 client.py
    capturemock prune calls.mock --usage run.json
    capturemock stats calls.mock

  Only the server, e.g. for clients started elsewhere; stop it with TERMINATE_SERVER or Ctrl-C:
    capturemock --server-only -m 1 -r calls.mock -P 4000

  The git calls of a script (git.rc: [command line] intercepts = git), with the files git
  edits; then the same script with no git at all (docs/command-line.md):
    capturemock -m 1 -r git.mock -F edits -R git.rc -- sh release.sh
    capturemock -m 0 -p git.mock -f edits -R git.rc -- sh release.sh

Record modes by name (instead of -m; also CAPTUREMOCK_RECORD_MODE, or record_mode in the rc):
  Replay only; a request without an exact match fails the run, nothing real is reached:
    capturemock --record-mode none -p calls.mock python3 client.py
  Record when calls.mock is missing, else replay; replay and record what is new; record all:
    capturemock --record-mode once -p calls.mock python3 client.py
    capturemock --record-mode new -p calls.mock python3 client.py
    capturemock --record-mode all -p calls.mock python3 client.py
  Prove a suite hermetic in CI (any attempt to reach something real fails, exit 1):
    CAPTUREMOCK_FORBID_REAL=1 capturemock -p calls.mock -- ./run-tests.sh

Pending mock files (--pending, and the test helpers, never overwrite a mock that exists;
a differing recording goes to X.mock.new):
    capturemock --record-mode all --pending -p calls.mock python3 client.py
    capturemock review            (each diff, then accept, reject or skip)
    capturemock accept [FILES]    capturemock reject [FILES]

Serial lines (see `capturemock bridge --help`, `capturemock serial-proxy --help`):
  A device speaking capturemock-core's link protocol, through a capturemock server:
    capturemock bridge --serial /dev/ttyUSB0 --baud 115200 -m 1 -r board.mock
  Record a serial peripheral (a modem, a sensor), then answer as it:
    capturemock serial-proxy --device /dev/ttyUSB0 --peripheral /dev/ttyUSB1 -m 1 -r modem.mock
    capturemock serial-proxy --device /dev/ttyUSB0 -p modem.mock
  These words (and review, accept, reject, prune, stats, completions, man, help: capturemock
  help [SUBCOMMAND]) are subcommands only as the first argument; run a program of that name
  as capturemock -- bridge ...

Shell completions and the man page (generated from these options):
    capturemock completions bash > ~/.local/share/bash-completion/completions/capturemock
    capturemock man | man -l -

Settings (matching, alterations, timestamps, ...) come from rc files: -R a.rc,b.rc, or
~/.capturemock/config when -R is not given. Log detail: --log debug (or CAPTUREMOCK_LOG).
stderr: errors always; the end-of-run summary and drift with --summary, -v or
CAPTUREMOCK_SUMMARY=1 (for harnesses that compare stderr, nothing else).";

/// Record and replay a program's traffic with the outside world (CaptureMock-compatible).
#[derive(Debug, Clone, Parser)]
#[command(
    name = "capturemock",
    version,
    about = "Record a program's traffic with the outside world, then replay it without the outside world.",
    long_about = None,
    after_help = AFTER_HELP,
    infer_long_args = true,
    override_usage = "capturemock [OPTIONS] [--] PROGRAM [ARGS]...\n       capturemock --server-only [OPTIONS]\n       capturemock bridge (--serial PATH | --listen ADDR | --connect ADDR) [OPTIONS]\n       capturemock serial-proxy --device LINE [--peripheral LINE] [OPTIONS]\n       capturemock review [PATHS]...\n       capturemock accept|reject [FILES]...\n       capturemock completions bash|zsh|fish|elvish|powershell\n       capturemock man\n       capturemock prune FILE --usage REPORT... [--dry-run]\n       capturemock stats FILE..."
)]
pub struct Cli {
    /// 0 = replay from the replay file (recording instead when -p is not given), 1 = record,
    /// 2 = replay what the replay file has and record the rest [default: 0, unless
    /// CAPTUREMOCK_RECORD_MODE or the rc option record_mode names a record mode].
    #[arg(short = 'm', long = "mode", value_name = "MODE",
          value_parser = clap::value_parser!(u8).range(0..=2))]
    pub mode: Option<u8>,

    /// The record mode by name, on the file given by -p (or -r when only it is given): none =
    /// replay only, a request without an exact match fails the run (exit 1) and nothing real
    /// is reached; once = record when the file is missing, else replay; new = replay exact
    /// matches, record what is new, both into the record file; all = record everything.
    /// Instead of -m; else CAPTUREMOCK_RECORD_MODE, else record_mode in the rc files.
    #[arg(long, value_name = "MODE", conflicts_with = "mode",
          value_parser = clap::builder::TypedValueParser::map(
              clap::builder::PossibleValuesParser::new(crate::record_mode::RecordMode::NAMES),
              |name: String| crate::record_mode::RecordMode::parse(&name)
                  .unwrap_or(crate::record_mode::RecordMode::Once)))]
    pub record_mode: Option<crate::record_mode::RecordMode>,

    /// Reach nothing real: no recording, no upstream, no real program or device; a request
    /// that would reach one is refused and fails the run (exit 1). Also
    /// CAPTUREMOCK_FORBID_REAL=1, which the program is given too.
    #[arg(long)]
    pub forbid_real: bool,

    /// Never overwrite a record file (-r) that exists: when this run's recording differs from
    /// it, write FILE.new beside it for `capturemock review`; when it is the same, write
    /// nothing (and remove a stale FILE.new).
    #[arg(long)]
    pub pending: bool,

    /// Replay traffic recorded in FILE.
    #[arg(short = 'p', long = "replay", value_name = "FILE")]
    pub replay: Option<PathBuf>,

    /// Record traffic to FILE (an existing file is replaced).
    #[arg(short = 'r', long = "record", value_name = "FILE")]
    pub record: Option<PathBuf>,

    /// Read settings from these rc files, comma-separated, later ones overriding earlier
    /// ones [default: ~/.capturemock/config].
    #[arg(short = 'R', long = "rcfiles", value_name = "FILES")]
    pub rcfiles: Option<String>,

    /// Listen on PORT (0: any free port).
    #[arg(short = 'P', long = "port", value_name = "PORT", default_value_t = 0)]
    pub port: u16,

    /// Restore the files that replayed commands edited (`->FIL:` lines) from DIR, as stored
    /// by -F.
    #[arg(short = 'f', long = "replay-file-edits", value_name = "DIR")]
    pub replay_file_edits: Option<PathBuf>,

    /// Store the files that recorded commands edit under DIR (`->FIL:` lines name them).
    #[arg(short = 'F', long = "record-file-edits", value_name = "DIR")]
    pub record_file_edits: Option<PathBuf>,

    /// Run only the server: print its address (host:port, or http://host:port for HTTP) on
    /// stdout and serve until a client sends TERMINATE_SERVER (HTTP: GET
    /// /capturemock/shutdownServer) or the process gets SIGINT or SIGTERM.
    #[arg(long, conflicts_with = "program")]
    pub server_only: bool,

    /// In replay mode, exit with status 1 when the record file differs from the replay file
    /// (the diff is printed either way).
    #[arg(long)]
    pub fail_on_drift: bool,

    /// Also print the server address on stdout before running PROGRAM (the reference does not).
    #[arg(long)]
    pub print_address: bool,

    /// With `server_protocol = http`: the base URL of the real web service that record mode
    /// forwards to (e.g. http://127.0.0.1:8080), before any POST to
    /// /capturemock/setServerLocation. Also the rc option `upstream` in `[general]`. The
    /// reference has neither: there, someone must POST the location.
    #[arg(long, value_name = "URL")]
    pub upstream: Option<String>,

    /// With `server_protocol = http`: a PEM file of certificate authorities to trust for an
    /// https:// upstream, besides the system's (rc option upstream_ca_file).
    #[arg(long, value_name = "FILE")]
    pub upstream_ca: Option<PathBuf>,

    /// With `server_protocol = http`: serve HTTPS, with a certificate for localhost and
    /// 127.0.0.1 made at start-up. CAPTUREMOCK_SERVER is then https://127.0.0.1:PORT, and
    /// CAPTUREMOCK_SERVER_CA names a PEM file of the certificate for the program to trust
    /// (removed when the server stops).
    #[arg(long)]
    pub tls: bool,

    /// In mode 2, record requests that have no exact match in the replay file instead of
    /// answering them with the nearest recorded request (as CaptureMock does).
    #[arg(long)]
    pub record_unmatched: bool,

    /// Most connections served at once; more are refused with an error reply.
    #[arg(long, value_name = "N", default_value_t = 512)]
    pub max_connections: usize,

    /// Seconds of silence after which a client's message (or a real server's reply) is given up.
    #[arg(long, value_name = "SECONDS", default_value_t = 60.0)]
    pub read_timeout: f64,

    /// Largest message accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 64 * 1024 * 1024)]
    pub max_message_size: usize,

    /// Seconds an exchange waits for earlier-accepted connections to send their messages,
    /// so that concurrent clients are answered and recorded in accept order.
    #[arg(long, value_name = "SECONDS", default_value_t = 5.0)]
    pub order_wait: f64,

    /// After refusing a message (too large, not UTF-8, too slow, too many connections, server
    /// stopping), read and discard up to this many more bytes from the client before closing,
    /// so that a client still sending reads the error reply rather than a connection reset.
    #[arg(long, value_name = "BYTES", default_value_t = 64 * 1024 * 1024)]
    pub drain_limit: u64,

    /// Longest, in seconds, a refused connection is drained (see --drain-limit).
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    pub drain_timeout: f64,

    /// Also print the end-of-run summary (requests without an exact match, recorded exchanges
    /// not used up) and the drift diff on stderr; by default a run adds nothing to stderr
    /// unless something failed, as the reference's. Also CAPTUREMOCK_SUMMARY=1.
    #[arg(long)]
    pub summary: bool,

    /// --summary, and each request without an exact match on stderr as it happens, with the
    /// nearest recorded request and a word diff (log level info unless --log or
    /// CAPTUREMOCK_LOG says otherwise).
    #[arg(short = 'v', long)]
    pub verbose: bool,

    /// Write the whole run as JSON to FILE: exchanges, matches, near misses with their
    /// nearest recorded request, recorded exchanges not used up, drift (docs/reports.md).
    /// `capturemock prune` reads it.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,

    /// Log filter for stderr: error, warn, info, debug or trace, or per-target directives
    /// such as capturemock=debug [default: $CAPTUREMOCK_LOG, else warn].
    #[arg(long, value_name = "FILTER")]
    pub log: Option<String>,

    /// The program to run, and its arguments.
    #[arg(
        value_name = "PROGRAM",
        trailing_var_arg = true,
        required_unless_present = "server_only"
    )]
    pub program: Vec<OsString>,

    /// PROGRAM came right after `--`: it is run as given, without looking for it first.
    #[arg(skip)]
    pub program_as_given: bool,

    /// PROGRAM is the first argument, where a subcommand would be.
    #[arg(skip)]
    pub program_first: bool,
}

/// The variable that asks for the end-of-run summary on stderr (as `--summary` does), for
/// harnesses that cannot add an option: set and neither empty nor `0`.
pub const SUMMARY_ENV: &str = "CAPTUREMOCK_SUMMARY";

impl Cli {
    /// Whether the summary and the drift go to stderr: `--summary`, `-v`, or
    /// [`SUMMARY_ENV`].
    pub fn shows_summary(&self) -> bool {
        self.summary
            || self.verbose
            || std::env::var_os(SUMMARY_ENV).is_some_and(|v| !v.is_empty() && v != "0")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(args: &[&str]) -> Cli {
        Cli::try_parse_from(std::iter::once("capturemock").chain(args.iter().copied()))
            .unwrap_or_else(|e| panic!("{args:?}: {e}"))
    }

    #[test]
    fn the_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn reference_short_options_then_the_program() {
        let cli = parse(&[
            "-m",
            "1",
            "-p",
            "in.mock",
            "-r",
            "out.mock",
            "-R",
            "a.rc,b.rc",
            "-P",
            "4000",
            "-f",
            "fd",
            "-F",
            "Fd",
            "prog",
            "-m",
            "x",
        ]);
        assert_eq!(cli.mode, Some(1));
        assert_eq!(cli.replay.as_deref(), Some("in.mock".as_ref()));
        assert_eq!(cli.record.as_deref(), Some("out.mock".as_ref()));
        assert_eq!(cli.rcfiles.as_deref(), Some("a.rc,b.rc"));
        assert_eq!(cli.port, 4000);
        assert_eq!(cli.program, ["prog", "-m", "x"]);
    }

    #[test]
    fn attached_values_long_forms_and_double_dash() {
        let cli = parse(&["-m2", "--record=o.mock", "--", "-prog", "--x"]);
        assert_eq!(cli.mode, Some(2));
        assert_eq!(cli.record.as_deref(), Some("o.mock".as_ref()));
        assert_eq!(cli.program, ["-prog", "--x"]);
        // optparse accepts unambiguous abbreviations of long options.
        let cli = parse(&["--rcf", "x.rc", "prog"]);
        assert_eq!(cli.rcfiles.as_deref(), Some("x.rc"));
    }

    #[test]
    fn verbose_summary_and_report() {
        let cli = parse(&["-v", "--report", "r.json", "prog"]);
        assert!(cli.verbose && !cli.summary);
        assert_eq!(cli.report.as_deref(), Some("r.json".as_ref()));
        assert!(parse(&["--summary", "prog"]).summary);
        // After PROGRAM, -v is the program's.
        let cli = parse(&["prog", "-v"]);
        assert!(!cli.verbose);
        assert_eq!(cli.program, ["prog", "-v"]);
    }

    #[test]
    fn a_program_or_server_only_is_required() {
        assert!(Cli::try_parse_from(["capturemock", "-m", "1"]).is_err());
        assert!(parse(&["--server-only", "-m", "1"]).server_only);
        assert!(Cli::try_parse_from(["capturemock", "-m", "3", "prog"]).is_err());
    }

    #[test]
    fn record_modes_by_name_instead_of_a_number() {
        use crate::record_mode::RecordMode;
        assert_eq!(parse(&["prog"]).mode, None);
        for name in RecordMode::NAMES {
            let cli = parse(&["--record-mode", name, "-p", "x.mock", "prog"]);
            assert_eq!(cli.record_mode.map(RecordMode::name), Some(name));
        }
        assert!(Cli::try_parse_from(["capturemock", "--record-mode", "some", "prog"]).is_err());
        assert!(
            Cli::try_parse_from(["capturemock", "--record-mode", "all", "-m", "1", "prog"])
                .is_err(),
            "one or the other"
        );
        let cli = parse(&["--forbid-real", "--pending", "prog"]);
        assert!(cli.forbid_real && cli.pending);
    }
}
