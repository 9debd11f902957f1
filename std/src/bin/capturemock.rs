//! `capturemock [options] program [args...]`: see `capturemock --help` and
//! [`capturemock::cli`].

use std::process::ExitCode;

use clap::Parser;

/// Exit status when capturemock itself cannot do its job (bad settings, missing files).
const SETUP_FAILED: u8 = 2;

fn main() -> ExitCode {
    let cli = capturemock::cli::Cli::parse();
    match run(cli) {
        Ok(status) => ExitCode::from(status),
        Err(e) => {
            eprintln!("capturemock: error: {e:#}");
            ExitCode::from(SETUP_FAILED)
        }
    }
}

fn run(cli: capturemock::cli::Cli) -> anyhow::Result<u8> {
    capturemock::cli::logging::init(cli.log.as_deref())?;
    Ok(capturemock::cli::run(cli)?)
}
