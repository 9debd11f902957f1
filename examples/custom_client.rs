//! A custom client in Rust: the reference's documented custom-client example, for a program
//! that asks a weather service. Under `capturemock` (ours or the reference's) it records the
//! service's answers, then replays them without asking it.
//!
//! ```text
//! cargo build --example custom_client
//! capturemock -m 1 -r weather.mock -- target/debug/examples/custom_client   # record
//! capturemock -m 0 -p weather.mock -- target/debug/examples/custom_client   # replay
//! ```
//!
//! `capturemock` exports `CAPTUREMOCK_SERVER` and `CAPTUREMOCK_MODE`; run on its own, the
//! program says that they are missing. The real service is a function here that says on
//! stderr when it is asked, so a replay visibly leaves it alone.

use std::process::ExitCode;

use capturemock::client::{Client, ClientError};

/// The real thing. In a real program: an HTTP request.
fn forecast(city: &str) -> String {
    eprintln!("(asking the real weather service about {city})");
    let high = city.bytes().map(u32::from).sum::<u32>() % 30;
    format!("{{\"city\": \"{city}\", \"high\": {high}}}")
}

/// Another real call, with an answer of several lines.
fn stations() -> String {
    eprintln!("(asking the real weather service for its stations)");
    "Oslo Blindern\nLima Callao\n".to_string()
}

fn run() -> Result<(), ClientError> {
    let client = Client::from_env()?;
    for city in ["Oslo", "Lima", "Oslo"] {
        // Record mode: calls `forecast` and records request and answer. Replay mode: the
        // recorded answer, `forecast` is not called.
        let answer = client.call(&format!("weather.forecast('{city}')"), || forecast(city))?;
        println!("{answer}");
    }
    println!("{}", client.call("weather.stations()", stations)?);
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // The error and its cause (the operating system's reason, ...), once each.
            eprintln!("custom_client: {}", capturemock::ErrorChain(&e));
            ExitCode::FAILURE
        }
    }
}
