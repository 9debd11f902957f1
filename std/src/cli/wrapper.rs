//! Running the program (or only the server) around a server, then the end-of-run checks.
//! The server stops only after the program has ended, and the program's exit status becomes
//! the command's, so `capturemock -- program` can stand in a script wherever `program` stood.

use std::io::Write;
use std::process::ExitStatus;

use tokio::process::Command;

use super::shims::ShimDir;
use super::{Cli, CliError, RunOutcome, Setup};
use crate::server::{self, ServerReport};

/// Exit status when the program could not be found (as a shell reports it).
const NOT_FOUND: u8 = 127;
/// Exit status when the program was found but could not be run.
/// Both as a shell reports them, so a calling script sees what it would see without us.
const CANNOT_RUN: u8 = 126;

/// The main command. The socket is bound first, so the address is known (and printed for
/// `--server-only` or `--print-address`) before anything runs. The server is then served in
/// a task while the program runs; with `--server-only`, until a signal, or until a client's
/// `TERMINATE_SERVER` ends the server, which closes the stop channel. Then the server is
/// stopped, its record file written, and the checks run.
pub(crate) async fn run(cli: &Cli, setup: Setup) -> Result<RunOutcome, CliError> {
    let mode = setup.config.mode;
    let forbid_real = setup.config.forbid_real;
    let mut config = setup.config;
    let shims = make_shims(cli, &config)?;
    config.shims = shims.as_ref().map(|dir| dir.path().to_path_buf());
    let listener = server::bind(&config, cli.port).await?;
    let address = config.client_address(&server::address_of(&listener, &config)?);
    if cli.server_only || cli.print_address {
        let mut stdout = std::io::stdout().lock();
        // A closed stdout is the caller's business; the address is in CAPTUREMOCK_SERVER.
        let _ = writeln!(stdout, "{address}").and_then(|()| stdout.flush());
    }
    let server_ca = config
        .serving_tls
        .as_ref()
        .and_then(|tls| tls.certificate_file.clone());
    let (mut stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server_task = tokio::spawn(server::run(listener, config, async {
        let _ = stop_rx.await;
    }));

    let program_status = if cli.server_only {
        let mut signals = Signals::new();
        tokio::select! {
            signal = signals.next() => tracing::info!("stopping on {signal:?}"),
            () = stop_tx.closed() => {}
        }
        0
    } else {
        let status = run_program(
            cli,
            &address,
            mode.number(),
            forbid_real,
            shims.as_ref(),
            server_ca.as_deref(),
        )
        .await;
        // Before the server stops, as the reference does: a background process that the
        // program left behind can no longer reach it through a shim.
        drop(shims);
        status
    };
    let _ = stop_tx.send(());
    let served = server_task.await;
    // The certificate was good only for that server: nothing else can use it.
    if let Some(ca) = &server_ca {
        let _ = std::fs::remove_file(ca);
    }
    let report = served.map_err(|e| server::ServerError::Task(e.to_string()))??;
    let finished = finish(
        cli,
        &report,
        setup.drift_baseline.as_ref(),
        setup.record.as_deref(),
        setup.strict,
        Ending {
            mode: mode.number(),
            program_status,
            replay_file: setup.replay_fingerprint,
        },
    )?;
    if let (Some(target), Some(record), false) =
        (&setup.pending_for, &setup.record, finished.record_lost)
    {
        if let crate::pending::Settled::Pending(new) = crate::pending::settle(target, record)? {
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(
                stderr,
                "capturemock: this run's recording differs from {}: it is in {} (see it with \
                 `capturemock review`)",
                target.display(),
                new.display()
            );
        }
    }
    Ok(RunOutcome {
        program_status,
        drift: finished.drift,
        record_lost: finished.record_lost,
        unmatched: finished.unmatched,
    })
}

/// What the end-of-run checks found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Finished {
    /// The record file differs from the replay file.
    pub drift: bool,
    /// Exchanges could not be written to the record file (reported on stderr).
    pub record_lost: bool,
    /// Requests were refused, or had no exact match under record mode `none` (reported on
    /// stderr).
    pub unmatched: bool,
}

/// What only the command knows at the end of a run, for its report.
#[derive(Debug)]
pub(crate) struct Ending {
    /// The mode number.
    pub mode: u8,
    /// The program's exit status.
    pub program_status: u8,
    /// The replay file as it was before the run, when a report is written.
    pub replay_file: Option<super::report::FileFingerprint>,
}

/// Reports exchanges lost from the record file (always: the run failed), checks for drift
/// (not when the record file is incomplete, or is not a regular file such as `/dev/null`),
/// shows the summary and the drift on stderr when asked ([`Cli::shows_summary`]; the drift
/// also with `--fail-on-drift`, where it fails the run), and writes the report when asked.
/// Requests that were refused (nothing real may be reached) or, when `strict` (record mode
/// `none`), had no exact match, fail the run; they are said on stderr whatever the log filter.
pub(crate) fn finish(
    cli: &Cli,
    report: &ServerReport,
    baseline: Option<&(std::path::PathBuf, String)>,
    record: Option<&std::path::Path>,
    strict: bool,
    ending: Ending,
) -> Result<Finished, CliError> {
    let loud = cli.shows_summary();
    let where_all = match &cli.report {
        Some(path) => path.display().to_string(),
        None => "--report FILE".to_string(),
    };
    if loud && !report.summary.is_clean() {
        let mut stderr = std::io::stderr().lock();
        let _ = write!(
            stderr,
            "capturemock: replay summary:\n{}",
            report
                .summary
                .render_limited(crate::exchange::diagnostics::SUMMARY_LINES, &where_all)
        );
    } else {
        report.summary.log();
    }
    let failing = report.summary.failing(strict);
    let mut finished = Finished {
        drift: false,
        record_lost: false,
        unmatched: failing > 0,
    };
    if failing > 0 {
        let mut stderr = std::io::stderr().lock();
        let why = if strict {
            "had no exact match in the replay file (record mode none) or would have reached \
             the real thing"
        } else {
            "would have reached the real thing, which is forbidden"
        };
        let _ = writeln!(stderr, "capturemock: error: {failing} request(s) {why}");
    }
    let mut drift = None;
    if let Some(loss) = &report.record_loss {
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(stderr, "capturemock: error: {}", crate::ErrorChain(loss));
        finished.record_lost = true;
    } else if let (Some((replay_path, replay_text)), Some(record_path)) = (baseline, record) {
        if std::fs::metadata(record_path).is_ok_and(|m| !m.is_file()) {
            tracing::info!(
                "{} is not a regular file: no drift check",
                record_path.display()
            );
        } else {
            drift = crate::drift::check(replay_text, replay_path, record_path)?;
        }
    }
    if let Some(diff) = &drift {
        finished.drift = true;
        if loud || cli.fail_on_drift {
            let mut stderr = std::io::stderr().lock();
            let _ = write!(
                stderr,
                "capturemock: the record file differs from the replay file (drift):\n{}",
                limit_lines(
                    diff,
                    crate::exchange::diagnostics::SUMMARY_LINES,
                    &where_all
                )
            );
        } else {
            tracing::info!("the record file differs from the replay file (drift)");
        }
    }
    if let Some(path) = &cli.report {
        let run = super::report::RunReport::new(
            report,
            super::report::RunFacts {
                mode: ending.mode,
                replay_file: ending.replay_file,
                record_file: record.map(std::path::Path::to_path_buf),
                program_status: ending.program_status,
                drift,
            },
        );
        run.write(path)?;
    }
    Ok(finished)
}

/// `text` cut after `limit` lines, the rest counted as `… and N more lines (see WHERE)`.
pub(crate) fn limit_lines(text: &str, limit: usize, where_all: &str) -> String {
    let total = text.lines().count();
    if total <= limit {
        let mut all = text.to_string();
        if !all.ends_with('\n') {
            all.push('\n');
        }
        return all;
    }
    let mut shown: String = text.lines().take(limit).flat_map(|l| [l, "\n"]).collect();
    shown.push_str(&format!(
        "\u{2026} and {} more lines (see {where_all})\n",
        total - limit
    ));
    shown
}

/// The program's shims, when it has a command to intercept (see [`ShimDir::names`]).
fn make_shims(cli: &Cli, config: &server::ServerConfig) -> Result<Option<ShimDir>, CliError> {
    let names = ShimDir::names(&config.command_lines, config.mode);
    if cli.program.is_empty() || names.is_empty() {
        return Ok(None);
    }
    let shim = crate::shim::executable().map_err(CliError::Shims)?;
    let dir = ShimDir::create(names, &shim).map_err(CliError::Shims)?;
    tracing::debug!("shims for {} in {}", names.join(", "), dir.path().display());
    Ok(Some(dir))
}

/// Runs the program with the server's address and the mode in its environment, and waits.
/// SIGINT reaches the program directly (same process group) and is otherwise ignored here, so
/// that the server outlives it; SIGTERM is passed on to it.
/// With shims, their directory comes first on its `PATH`.
async fn run_program(
    cli: &Cli,
    address: &str,
    mode: u8,
    forbid_real: bool,
    shims: Option<&ShimDir>,
    server_ca: Option<&std::path::Path>,
) -> u8 {
    let Some((program, args)) = cli.program.split_first() else {
        return 0;
    };
    let mut signals = Signals::new();
    let mut command = Command::new(program);
    command
        .args(args)
        .env("CAPTUREMOCK_SERVER", address)
        .env("CAPTUREMOCK_MODE", mode.to_string())
        .env_remove("CAPTUREMOCK_PROCESS_START");
    if forbid_real {
        // In-process captures in the program refuse the real thing too.
        command.env(crate::record_mode::FORBID_REAL_VAR, "1");
    }
    if let Some(shims) = shims {
        command.env("PATH", shims.path_variable());
    }
    if let Some(ca) = server_ca {
        command.env(crate::server::http::tls::SERVER_CA_VAR, ca);
    }
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => {
            let status = if e.kind() == std::io::ErrorKind::NotFound {
                NOT_FOUND
            } else {
                CANNOT_RUN
            };
            tracing::error!("cannot run {}: {e}", program.to_string_lossy());
            return status;
        }
    };
    loop {
        tokio::select! {
            status = child.wait() => {
                return match status {
                    Ok(status) => exit_code(status),
                    Err(e) => {
                        tracing::error!("waiting for {} failed: {e}", program.to_string_lossy());
                        CANNOT_RUN
                    }
                };
            }
            signal = signals.next() => {
                if signal == Signal::Terminate {
                    forward_terminate(&child);
                }
            }
        }
    }
}

/// The shell's reading of an exit status: the code, or 128 + the signal number.
/// The code is taken modulo 256, as the shell takes it; a status with neither (outside Unix)
/// is 1.
fn exit_code(status: ExitStatus) -> u8 {
    if let Some(code) = status.code() {
        return u8::try_from(code & 0xff).unwrap_or(1);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return u8::try_from(128 + signal).unwrap_or(255);
        }
    }
    1
}

/// Passes SIGTERM on to the program, so that `kill` on the wrapper ends the program first and
/// the server then stops cleanly, writing its record file.
#[cfg(unix)]
fn forward_terminate(child: &tokio::process::Child) {
    use nix::sys::signal::{kill, Signal};
    use nix::unistd::Pid;
    if let Some(pid) = child.id().and_then(|id| i32::try_from(id).ok()) {
        tracing::info!("passing SIGTERM on to the program");
        let _ = kill(Pid::from_raw(pid), Signal::SIGTERM);
    }
}

/// Outside Unix there is no SIGTERM to pass on.
#[cfg(not(unix))]
fn forward_terminate(_child: &tokio::process::Child) {}

/// A stop request from outside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signal {
    /// SIGINT (Ctrl-C).
    Interrupt,
    /// SIGTERM.
    Terminate,
}

/// SIGINT and SIGTERM, listened to from creation on (so that neither kills this process).
pub(crate) struct Signals {
    /// SIGINT's and SIGTERM's streams; `None` when they could not be set up (logged), and
    /// [`next`](Signals::next) then never returns.
    #[cfg(unix)]
    streams: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl Signals {
    /// Listens from now on: from here a SIGINT or SIGTERM no longer kills this process (and
    /// with it the server, before it wrote its record file).
    pub(crate) fn new() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let streams = signal(SignalKind::interrupt())
                .and_then(|int| Ok((int, signal(SignalKind::terminate())?)));
            if let Err(e) = &streams {
                tracing::warn!("cannot listen for signals: {e}");
            }
            Signals {
                streams: streams.ok(),
            }
        }
        #[cfg(not(unix))]
        Signals {}
    }

    /// Waits on a runtime of its own until `finished` says so (asked every `poll`) or a
    /// signal comes: how the commands that serve in the background (`bridge`,
    /// `serial-proxy`) wait for their end.
    /// The signals are listened to from the start of the wait (they need the runtime).
    pub(crate) fn wait_until(
        poll: std::time::Duration,
        finished: impl Fn() -> bool,
    ) -> std::io::Result<()> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        runtime.block_on(async {
            let mut signals = Signals::new();
            loop {
                tokio::select! {
                    signal = signals.next() => {
                        tracing::info!("stopping on {signal:?}");
                        break;
                    }
                    () = tokio::time::sleep(poll) => {
                        if finished() {
                            break;
                        }
                    }
                }
            }
        });
        Ok(())
    }

    /// The next SIGINT or SIGTERM; outside Unix, the next Ctrl-C.
    pub(crate) async fn next(&mut self) -> Signal {
        #[cfg(unix)]
        {
            match &mut self.streams {
                Some((int, term)) => tokio::select! {
                    _ = int.recv() => Signal::Interrupt,
                    _ = term.recv() => Signal::Terminate,
                },
                None => std::future::pending().await,
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            Signal::Interrupt
        }
    }
}
