//! `capturemock [options] program [args...]`: see `capturemock --help` and
//! [`capturemock::cli`].

use std::process::ExitCode;

use capturemock::cli::{logging, CliError, Invocation};

/// Parses, sets up logging (a bad `--log` filter fails like any other setup error, exit
/// status 2), runs, and prints an error once, with its causes, on stderr.
fn main() -> ExitCode {
    // MEASUREMENT ONLY (form (a)): run as an intercepted command's shim when called under a
    // name that is not capturemock's.
    if let Some(argv0) = std::env::args_os().next() {
        let base = std::path::Path::new(&argv0)
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if !base.starts_with("capturemock") {
            return capturemock::shim::run(std::env::args_os().collect());
        }
    }
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
