//! `capturemock [options] program [args...]`: see `capturemock --help` and
//! [`capturemock::cli`].

use std::process::ExitCode;

/// Exit status when capturemock itself cannot do its job (bad settings, missing files).
const SETUP_FAILED: u8 = 2;

fn main() -> ExitCode {
    let invocation = capturemock::cli::Invocation::parse();
    match run(invocation) {
        Ok(status) => ExitCode::from(status),
        Err(e) => {
            eprintln!("capturemock: error: {e:#}");
            ExitCode::from(SETUP_FAILED)
        }
    }
}

fn run(invocation: capturemock::cli::Invocation) -> anyhow::Result<u8> {
    capturemock::cli::logging::init(invocation.log())?;
    Ok(invocation.run()?)
}
