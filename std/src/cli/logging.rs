//! Diagnostics on stderr through `tracing`.

use std::io::IsTerminal;
use std::str::FromStr;

use tracing_subscriber::filter::Targets;
use tracing_subscriber::prelude::*;

/// Environment variable read when `--log` is not given.
pub const LOG_ENV: &str = "CAPTUREMOCK_LOG";

/// Why the log filter was not understood.
#[derive(Debug, thiserror::Error)]
#[error(
    "bad log filter {filter:?} (use error, warn, info, debug, trace or target=level,...): {reason}"
)]
pub struct LogFilterError {
    /// The filter given.
    pub filter: String,
    /// What the parser said.
    pub reason: String,
}

/// Sends `tracing` events to stderr, filtered by `filter` (else `$CAPTUREMOCK_LOG`, else
/// `warn`): warnings and errors by default, which is where near misses and the replay summary
/// are reported.
/// Lines carry no time and no target: they are for a person reading a test run's output, in
/// which they sit among the program's own lines. Colours only on a terminal.
pub fn init(filter: Option<&str>) -> Result<(), LogFilterError> {
    let filter = filter
        .map(str::to_owned)
        .or_else(|| std::env::var(LOG_ENV).ok().filter(|f| !f.is_empty()))
        .unwrap_or_else(|| "warn".to_string());
    let targets = Targets::from_str(&filter).map_err(|e| LogFilterError {
        filter: filter.clone(),
        reason: e.to_string(),
    })?;
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .without_time();
    // A subscriber installed already (tests, an embedding program) wins.
    let _ = tracing_subscriber::registry()
        .with(layer.with_filter(targets))
        .try_init();
    Ok(())
}
