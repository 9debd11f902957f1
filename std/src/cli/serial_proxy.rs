//! `capturemock serial-proxy`: record a device's exchanges with a peripheral on a serial
//! line, or answer as the peripheral from a recording (see [`crate::serial_proxy`]).

use std::path::PathBuf;
use std::time::Duration;

use capturemock_core::replay::{Mode, NewRequestPolicy};

use super::wrapper::Signals;
use super::{CliError, DRIFT_EXIT};
use crate::bridge::Endpoint;
use crate::serial_proxy::{parse_delimiter, BackgroundProxy, Framing, ProxyConfig};

/// How often the proxy looks at its stop flag.
/// It is also the read timeout of the lines' ports, and so bounds how long stopping takes.
const POLL: Duration = Duration::from_millis(20);

/// The help's closing text: the line syntax, how requests are cut, examples.
const AFTER_HELP: &str = "\
LINE is a serial device path (/dev/ttyUSB0, at --baud), or listen:HOST:PORT, listen:unix:PATH,
connect:HOST:PORT or connect:unix:PATH for a socket standing in for one (QEMU, tests).

Requests are the device's bytes cut at --delimiter (kept in the request) or after --idle-gap,
whichever comes first; everything the peripheral sends until the next request starts is the
response. They are recorded as classic client/server traffic: <-CLI:request, ->SRV:response,
with CR and LF written <CR> and <LF> so that answers replay byte for byte. In replay mode the
proxy answers each request at once from the replay file (best match, unless --exact).

With a listen: device line, the address is printed on stdout first. The proxy stops when a
line closes, or on SIGINT/SIGTERM; a summary goes to stderr.

Examples:
  Record a modem between a board and the real modem (AT commands end with CR):
    capturemock serial-proxy --device /dev/ttyUSB0 --peripheral /dev/ttyUSB1 --baud 115200 \\
      --delimiter '\\r' -m 1 -r modem.mock

  Be the modem, from the recording:
    capturemock serial-proxy --device /dev/ttyUSB0 --baud 115200 --delimiter '\\r' -p modem.mock";

/// `capturemock serial-proxy`: record or emulate a serial peripheral.
#[derive(Debug, Clone, clap::Parser)]
#[command(
    name = "capturemock serial-proxy",
    bin_name = "capturemock serial-proxy",
    about = "Record a device's exchanges with a serial peripheral (a modem, a sensor), or answer as the peripheral from the recording.",
    after_help = AFTER_HELP
)]
pub struct SerialProxyCli {
    /// The device's line.
    #[arg(long, value_name = "LINE")]
    pub device: String,

    /// The real peripheral's line (needed to record: modes 1 and 2).
    #[arg(long, value_name = "LINE")]
    pub peripheral: Option<String>,

    /// Baud rate of serial lines (8N1, no flow control).
    #[arg(long, value_name = "BAUD", default_value_t = 115_200)]
    pub baud: u32,

    /// Bytes that end a request, with escapes \r \n \t \0 \\ \xHH.
    #[arg(long, value_name = "BYTES", default_value = "\\n")]
    pub delimiter: String,

    /// Milliseconds of silence that end a request (with or instead of the delimiter).
    #[arg(long, value_name = "MS")]
    pub idle_gap: Option<u64>,

    /// Cut requests only by --idle-gap.
    #[arg(long, requires = "idle_gap")]
    pub no_delimiter: bool,

    /// 0 = answer from the replay file, 1 = record, 2 = answer what the replay file has and
    /// pass the rest on to the peripheral and record it. Default: 0 with -p, else 1.
    #[arg(short = 'm', long = "mode", value_name = "MODE",
          value_parser = clap::value_parser!(u8).range(0..=2))]
    pub mode: Option<u8>,

    /// Answer from the exchanges recorded in FILE.
    #[arg(short = 'p', long = "replay", value_name = "FILE")]
    pub replay: Option<PathBuf>,

    /// Record the exchanges to FILE (an existing file is replaced).
    #[arg(short = 'r', long = "record", value_name = "FILE")]
    pub record: Option<PathBuf>,

    /// Answer only requests recorded exactly (others get no answer); default: nearest match.
    #[arg(long)]
    pub exact: bool,

    /// In mode 2, pass on requests that have no exact match instead of answering them with
    /// the nearest recorded request.
    #[arg(long)]
    pub record_unmatched: bool,

    /// In replay mode, exit with status 1 when the record file differs from the replay file.
    #[arg(long)]
    pub fail_on_drift: bool,

    /// Reach nothing real: refuse a peripheral and any mode but replay before opening a
    /// line. Also CAPTUREMOCK_FORBID_REAL=1.
    #[arg(long)]
    pub forbid_real: bool,

    /// Log filter for stderr [default: $CAPTUREMOCK_LOG, else warn].
    #[arg(long, value_name = "FILTER")]
    pub log: Option<String>,
}

impl SerialProxyCli {
    /// `-m` if given (clap keeps it within 0..=2, so the fallback is never used); otherwise
    /// replay with a replay file, record without one.
    fn mode(&self) -> Mode {
        match (self.mode, &self.replay) {
            (Some(m), _) => Mode::parse(&m.to_string()).unwrap_or(Mode::Record),
            (None, Some(_)) => Mode::Replay,
            (None, None) => Mode::Record,
        }
    }

    /// `--no-delimiter` requires `--idle-gap` (clap checks it), so the framing can always end a
    /// request.
    fn framing(&self) -> Result<Framing, CliError> {
        let delimiter =
            if self.no_delimiter {
                None
            } else {
                Some(parse_delimiter(&self.delimiter).map_err(|e| {
                    CliError::Usage(format!("--delimiter {:?}: {e}", self.delimiter))
                })?)
            };
        Ok(Framing {
            delimiter,
            idle_gap: self.idle_gap.map(Duration::from_millis),
        })
    }
}

/// Runs `capturemock serial-proxy`; returns the exit status.
/// The replay file is read before the record file is prepared (they may be the same file:
/// replayed, then recorded again), and both before any line is opened, so a bad file fails
/// before a device sees anything. A failed record write exits 2, a drift under
/// `--fail-on-drift` 1.
pub fn run(args: SerialProxyCli) -> Result<u8, CliError> {
    let mode = args.mode();
    if args.forbid_real || crate::record_mode::forbid_real_from_env() {
        if let Some(line) = &args.peripheral {
            return Err(CliError::Forbidden(format!(
                "opening the peripheral {line}"
            )));
        }
        if mode != Mode::Replay {
            return Err(CliError::Forbidden(format!(
                "the serial proxy in mode {}",
                mode.number()
            )));
        }
    }
    let mut config = ProxyConfig {
        mode,
        framing: args.framing()?,
        record: args.record.clone(),
        new_requests: if args.record_unmatched {
            NewRequestPolicy::RecordUnmatched
        } else {
            NewRequestPolicy::Reference
        },
        poll: POLL,
        ..ProxyConfig::default()
    };
    let mut baseline = None;
    match (&args.replay, mode) {
        (Some(path), Mode::Replay | Mode::ReplayOldRecordNew) if path.exists() => {
            config.load_replay(path, args.exact)?;
            let text = crate::drift::read_replay_text(path)?;
            baseline = Some((path.clone(), text));
        }
        (Some(path), Mode::Replay) => return Err(CliError::MissingReplayFile(path.clone())),
        (None, Mode::Replay) => {
            return Err(CliError::Usage(
                "mode 0 answers from a replay file: give -p FILE".into(),
            ))
        }
        _ => {}
    }
    if let Some(path) = &args.record {
        // Before any line is opened; after the replay file is read (it may be the same).
        crate::exchange::recorder::prepare(path)?;
    }
    let device = Endpoint::parse(&args.device, args.baud)?.open(POLL)?;
    let peripheral = match &args.peripheral {
        Some(spec) => Some(Endpoint::parse(spec, args.baud)?.open(POLL)?),
        None => None,
    };
    if let Some(address) = device.local_addr() {
        super::print_line(&address);
    }
    let proxy = BackgroundProxy::start(device, peripheral, config)?;
    Signals::wait_until(POLL, || proxy.is_finished()).map_err(CliError::Runtime)?;
    let report = proxy.stop()?;
    eprintln!("capturemock {report}");
    if report.record_failures > 0 {
        // The first failure, with the operating system's reason, is in the log above.
        eprintln!(
            "capturemock: error: the record file {} is incomplete: {} write(s) failed",
            args.record
                .as_deref()
                .unwrap_or(std::path::Path::new(""))
                .display(),
            report.record_failures
        );
        return Ok(super::FAILED_EXIT);
    }
    let drift = match (mode, &baseline, &args.record) {
        (Mode::Replay, Some((replay_path, replay_text)), Some(record_path))
            if std::fs::metadata(record_path).is_ok_and(|m| m.is_file()) =>
        {
            match crate::drift::check(replay_text, replay_path, record_path)? {
                None => false,
                Some(diff) => {
                    eprintln!(
                        "capturemock: the record file differs from the replay file (drift):\n{diff}"
                    );
                    true
                }
            }
        }
        _ => false,
    };
    Ok(if drift && args.fail_on_drift {
        DRIFT_EXIT
    } else {
        0
    })
}
