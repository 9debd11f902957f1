//! `capturemock [options] program [args...]`: see `capturemock --help` and
//! [`capturemock::cli`].

use std::process::ExitCode;

use capturemock::cli::{logging, CliError, Invocation};

/// Parses, sets up logging (a bad `--log` filter fails like any other setup error, exit
/// status 2), runs, and prints an error once, with its causes, on stderr.
fn main() -> ExitCode {
    let invocation = Invocation::parse();
    let result = logging::init(invocation.log())
        .map_err(CliError::from)
        .and_then(|()| invocation.run());
    match result {
        Ok(status) => ExitCode::from(status),
        Err(e) => {
            eprintln!("{}", e.message());
            ExitCode::from(e.exit_status())
        }
    }
}
