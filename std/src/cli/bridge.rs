//! `capturemock bridge`: a device's serial link to a capturemock server (see
//! [`crate::bridge`]).

use std::path::PathBuf;
use std::time::Duration;

use capturemock_core::replay::{Mode, NewRequestPolicy};

use super::wrapper::{self, Signals};
use super::{load_rc, Cli, CliError, Setup, DRIFT_EXIT, FAILED_EXIT};
use crate::bridge::{BackgroundBridge, BridgeRun, Endpoint, Host, RecordedLookup};
use crate::server::ServerConfig;

/// How often the bridge looks at its stop flag.
/// It is also the read timeout of the line's ports, and so bounds how long stopping takes.
const POLL: Duration = Duration::from_millis(50);

/// The help's closing text: how frames become exchanges, when the bridge stops, examples.
const AFTER_HELP: &str = "\
The device speaks capturemock-core's link protocol (docs/link.md): its Record frames become
SUT_CUSTOM:request:SUT_SEP:response exchanges and its Replay frames SUT_CUSTOM:request, so
the record file is an ordinary .mock file. Damaged frames are dropped, reported and repeated
by the device; nothing damaged is ever recorded. A summary goes to stderr at the end.
With --hal the frames carry embedded-hal bus transactions (capturemock-core's HalLink,
LinkRecorded, download_table), recorded and replayed by the bridge itself as <-I2C:/->I2C:
entries: the file a host recording of the same transactions writes (docs/embedded-hal.md).

With --listen, the address listened on is printed on stdout first (useful with port 0).
The bridge serves until SIGINT/SIGTERM (or, with --once, until the first connection ends;
--serial and --connect end with their line).

Examples:
  Record a board on a USB serial adapter:
    capturemock bridge --serial /dev/ttyUSB0 --baud 115200 -m 1 -r board.mock

  Replay it to firmware under QEMU (-serial tcp:127.0.0.1:5555,nodelay=on):
    capturemock bridge --listen 127.0.0.1:5555 --once -p board.mock -r again.mock --fail-on-drift

  Replay a driver's bus traffic to firmware, or record it from the firmware's real bus:
    capturemock bridge --listen 127.0.0.1:5555 --once --hal -p lm75.mock
    capturemock bridge --listen 127.0.0.1:5555 --once --hal -r lm75.mock

  Through a server already running (capturemock --server-only ...):
    capturemock bridge --connect unix:/tmp/uart.sock --server 127.0.0.1:4000 -m 0

Mode 2 (replay old, record new) decides as the server does: with --record-unmatched the
device asks its real peripheral for what the replay file lacks and records it; without it
the server replays everything once the file has content, as CaptureMock does.";

/// `capturemock bridge`: serve a device's link frames through a capturemock server.
#[derive(Debug, Clone, clap::Parser)]
#[command(
    name = "capturemock bridge",
    bin_name = "capturemock bridge",
    about = "Connect a device's serial link (capturemock-core link protocol) to a capturemock server.",
    after_help = AFTER_HELP,
    group(clap::ArgGroup::new("line").required(true).args(["serial", "listen", "connect"]))
)]
pub struct BridgeCli {
    /// The device's serial port (/dev/ttyUSB0, COM3).
    #[arg(long, value_name = "PATH")]
    pub serial: Option<String>,

    /// Baud rate of --serial (8N1, no flow control).
    #[arg(long, value_name = "BAUD", default_value_t = 115_200)]
    pub baud: u32,

    /// Listen for the line on HOST:PORT or unix:PATH (QEMU's -serial tcp:HOST:PORT connects).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,

    /// Connect to the line at HOST:PORT or unix:PATH (QEMU's -serial ...,server=on).
    #[arg(long, value_name = "ADDR")]
    pub connect: Option<String>,

    /// Stop after the first connection ends (--listen).
    #[arg(long)]
    pub once: bool,

    /// 0 = replay from the replay file (recording instead when -p is not given), 1 = record,
    /// 2 = replay what the replay file has and record the rest.
    #[arg(short = 'm', long = "mode", value_name = "MODE", default_value_t = 0,
          value_parser = clap::value_parser!(u8).range(0..=2))]
    pub mode: u8,

    /// Replay traffic recorded in FILE.
    #[arg(short = 'p', long = "replay", value_name = "FILE")]
    pub replay: Option<PathBuf>,

    /// Record traffic to FILE (an existing file is replaced).
    #[arg(
        short = 'r',
        long = "record",
        value_name = "FILE",
        conflicts_with = "server"
    )]
    pub record: Option<PathBuf>,

    /// Read settings from these rc files, comma-separated [default: ~/.capturemock/config].
    #[arg(short = 'R', long = "rcfiles", value_name = "FILES")]
    pub rcfiles: Option<String>,

    /// Port of the server the bridge starts (0: any free port).
    #[arg(short = 'P', long = "port", value_name = "PORT", default_value_t = 0)]
    pub port: u16,

    /// Use the capturemock server already running at HOST:PORT instead of starting one; -m
    /// must be its mode, and in mode 2 -p its replay file.
    #[arg(long, value_name = "HOST:PORT")]
    pub server: Option<String>,

    /// In mode 2, record requests that have no exact match in the replay file instead of
    /// answering them with the nearest recorded request (as CaptureMock does).
    #[arg(long)]
    pub record_unmatched: bool,

    /// In replay mode, exit with status 1 when the record file differs from the replay file.
    #[arg(long)]
    pub fail_on_drift: bool,

    /// Reach nothing real: refuse modes 1 and 2 (there the device calls the real thing), and
    /// with --hal mode 0 without -p (it records), before opening the line. Also
    /// CAPTUREMOCK_FORBID_REAL=1.
    #[arg(long)]
    pub forbid_real: bool,

    /// The device's frames carry embedded-hal bus transactions (capturemock-core's HalLink and
    /// LinkRecorded), recorded and replayed as `<-I2C:`/`->I2C:` (SPI, PIN, DLY) entries by the
    /// bridge itself, the same file a host recording writes; no server. Takes -m, -p, -r and
    /// --fail-on-drift.
    #[arg(long, conflicts_with_all = ["server", "rcfiles", "record_unmatched"])]
    pub hal: bool,

    /// Log filter for stderr: error, warn, info, debug or trace [default: $CAPTUREMOCK_LOG,
    /// else warn]. `info` shows each connection and session, `warn` each damaged frame.
    #[arg(long, value_name = "FILTER")]
    pub log: Option<String>,
}

impl BridgeCli {
    /// The same settings as the main command's, for its setup and drift check.
    /// Going through the main command's `Setup` means the bridge's server reads rc files, replay
    /// and record files with the same checks and messages as `capturemock` itself, rather than
    /// through a second copy of that setup.
    fn as_server_cli(&self) -> Cli {
        // The bridge's server keeps the server's default limits.
        let limits = crate::server::Limits::default();
        Cli {
            mode: Some(self.mode),
            record_mode: None,
            forbid_real: false,
            pending: false,
            replay: self.replay.clone(),
            record: self.record.clone(),
            rcfiles: self.rcfiles.clone(),
            port: self.port,
            replay_file_edits: None,
            record_file_edits: None,
            server_only: true,
            fail_on_drift: self.fail_on_drift,
            print_address: false,
            upstream: None,
            upstream_ca: None,
            tls: false,
            record_unmatched: self.record_unmatched,
            max_connections: limits.max_connections,
            read_timeout: limits.read_timeout.as_secs_f64(),
            max_message_size: limits.max_message_size,
            order_wait: limits.order_wait.as_secs_f64(),
            drain_limit: limits.drain_limit,
            drain_timeout: limits.drain_timeout.as_secs_f64(),
            log: self.log.clone(),
            // The bridge ends with a summary of its own on stderr: the server's summary and
            // drift go with it, as they always have.
            summary: true,
            verbose: false,
            report: None,
            program: Vec::new(),
            program_as_given: false,
            program_first: false,
        }
    }

    /// The line from `--serial`, `--listen` or `--connect`; clap's argument group makes sure
    /// exactly one is given, so the last arm is only a safety net.
    fn endpoint(&self) -> Result<Endpoint, CliError> {
        Ok(match (&self.serial, &self.listen, &self.connect) {
            (Some(path), _, _) => Endpoint::Serial {
                path: path.clone(),
                baud: self.baud,
            },
            (_, Some(address), _) => Endpoint::socket(address, true)?,
            (_, _, Some(address)) => Endpoint::socket(address, false)?,
            (None, None, None) => {
                return Err(CliError::Usage(
                    "give the line: --serial, --listen or --connect".into(),
                ))
            }
        })
    }
}

/// Runs `capturemock bridge`; returns the exit status.
/// Files are set up before the line is opened, so a bad rc, replay or record file fails
/// before a device is connected. The drift check and the record-loss check apply only to a
/// server the bridge started: a server already running reports its own.
pub fn run(args: BridgeCli) -> Result<u8, CliError> {
    if args.mode != 0 && (args.forbid_real || crate::record_mode::forbid_real_from_env()) {
        // In modes 1 and 2 the device itself calls the real thing, past any server.
        return Err(CliError::Forbidden(format!(
            "the bridge in mode {} (the device calls the real thing)",
            args.mode
        )));
    }
    let endpoint = args.endpoint()?;
    if args.hal {
        return run_hal(&args, &endpoint);
    }
    let server_cli = args.as_server_cli();
    let mode = args.mode;
    let (host, baseline) = match &args.server {
        None => {
            let setup = Setup::new(&server_cli)?;
            let host = Host::Start {
                config: setup.config,
                port: args.port,
            };
            (host, setup.drift_baseline)
        }
        Some(address) => (running(&args, address)?, None),
    };
    let link = endpoint.open(POLL)?;
    if let Some(address) = link.local_addr() {
        super::print_line(&address);
    }
    let bridge = BackgroundBridge::start(link, host, args.once)?;
    tracing::info!(
        "bridge: {endpoint} <-> capturemock server {}",
        bridge.server_address()
    );
    Signals::wait_until(POLL, || bridge.is_finished()).map_err(CliError::Runtime)?;
    let BridgeRun { report, server } = bridge.stop()?;
    eprintln!("capturemock {report}");
    let finished = match &server {
        Some(server) => Some(wrapper::finish(
            &server_cli,
            server,
            baseline.as_ref(),
            server_cli.record.as_deref(),
            false,
            wrapper::Ending {
                mode,
                program_status: 0,
                replay_file: None,
            },
        )?),
        None => None,
    };
    Ok(match finished {
        Some(f) if f.record_lost => FAILED_EXIT,
        Some(f) if f.unmatched => super::UNMATCHED_EXIT,
        Some(f) if f.drift && args.fail_on_drift => DRIFT_EXIT,
        _ => 0,
    })
}

/// `--hal`: the bridge records and replays the device's bus transactions itself, through a
/// [`HalSession`](crate::hal::HalSession). As for the main command, mode 0 without `-p`
/// records. With `--fail-on-drift` in replay mode, a record file that differs from the replay
/// file ends with the drift status, the diff on stderr.
fn run_hal(args: &BridgeCli, endpoint: &Endpoint) -> Result<u8, CliError> {
    use crate::hal::{HalSession, HalSessionError};
    // clap keeps -m within 0..=2.
    let mode = match (Mode::parse(&args.mode.to_string()), &args.replay) {
        (Ok(Mode::Replay), None) | (Err(_), _) => Mode::Record,
        (Ok(mode), _) => mode,
    };
    if mode != Mode::Replay && (args.forbid_real || crate::record_mode::forbid_real_from_env()) {
        // Recording, the device calls its real devices.
        return Err(CliError::Forbidden(format!(
            "the bridge recording bus transactions (mode {mode})"
        )));
    }
    let mut builder = HalSession::builder(mode);
    if let Some(replay) = &args.replay {
        builder = builder.replay_file(replay);
    }
    if let Some(record) = &args.record {
        builder = builder.record_file(record);
    }
    let session = builder.open().map_err(|e| match e {
        HalSessionError::MissingReplayFile { path } => CliError::MissingReplayFile(path),
        e => CliError::Usage(crate::ErrorChain(&e).to_string()),
    })?;
    let link = endpoint.open(POLL)?;
    if let Some(address) = link.local_addr() {
        super::print_line(&address);
    }
    let bridge = BackgroundBridge::start(link, Host::Hal(session.clone()), args.once)?;
    tracing::info!("bridge: {endpoint} <-> embedded-hal session (mode {mode})");
    Signals::wait_until(POLL, || bridge.is_finished()).map_err(CliError::Runtime)?;
    let BridgeRun { report, .. } = bridge.stop()?;
    eprintln!("capturemock {report}");
    let engine = session.finish();
    if engine.record_loss.is_some() {
        return Ok(FAILED_EXIT);
    }
    let failed = session.failures();
    if mode == Mode::Replay && !failed.is_empty() {
        return Ok(super::UNMATCHED_EXIT);
    }
    if let (Mode::Replay, true, Some(replay), Some(record)) =
        (mode, args.fail_on_drift, &args.replay, &args.record)
    {
        let expected = crate::drift::read_replay_text(replay)?;
        let actual = std::fs::read_to_string(record).unwrap_or_default();
        let names = (replay.display().to_string(), record.display().to_string());
        if let Some(diff) = crate::drift::diff_texts(&expected, &actual, &names.0, &names.1) {
            eprintln!("capturemock: the record file drifted from the replay file:\n{diff}");
            return Ok(DRIFT_EXIT);
        }
    }
    Ok(0)
}

/// A server already running: the mode as given, and in mode 2 a lookup in the same replay
/// file with the same rc settings.
/// The mode cannot fail to parse (clap keeps `-m` within 0..=2). The lookup must decide as
/// the running server decides, so it is built from the same rc files and replay file as
/// that server was given.
fn running(args: &BridgeCli, address: &str) -> Result<Host, CliError> {
    let mode = Mode::parse(&args.mode.to_string()).unwrap_or(Mode::Replay);
    let lookup = match (&args.replay, mode) {
        (Some(path), Mode::ReplayOldRecordNew) => {
            let rc = load_rc(args.rcfiles.as_deref())?;
            let (mut config, _warnings) = ServerConfig::from_rc(&rc, mode)?;
            if args.record_unmatched {
                config.new_requests = NewRequestPolicy::RecordUnmatched;
            }
            if path.exists() {
                config.load_replay(path)?;
            }
            Some(RecordedLookup::from_config(&config))
        }
        _ => None,
    };
    Ok(Host::Running {
        address: address.to_string(),
        mode,
        lookup,
    })
}
