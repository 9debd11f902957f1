//! Replays requests against a `.mock` file and shows which recorded exchange answers each one.
//!
//! ```text
//! cargo run --example replay_file -- examples/mocks/weather.mock \
//!     '<-CAL:weather.forecast(Paris, tomorrow)' '<-CAL:weather.forecast(Lyon, tomorrow)'
//! ```
//!
//! With no requests given, it replays a built-in list that shows repeats, best match and a
//! request that nothing answers.

use capturemock::replay_file::{ReplayFile, ReplayOptions};
use capturemock_core::replay::{MatchKind, Unmatched};

const DEMO: &[&str] = &[
    "<-CAL:weather.forecast(Paris, tomorrow)",
    "<-CAL:weather.forecast(Paris, tomorrow)",
    "<-CAL:weather.forecast(Paris, tomorrow)",
    "<-CAL:weather.forecast(Lyon, tomorrow)",
    "<-CAL:weather.station_report(Oslo)",
    "<-CAL:stock.price(ACME)",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/examples/mocks/weather.mock").to_owned()
    });
    let given: Vec<String> = args.collect();
    let requests: Vec<String> = if given.is_empty() {
        DEMO.iter().map(|r| r.to_string()).collect()
    } else {
        given
    };

    let mut file = ReplayFile::load(&path, ReplayOptions::default())?;
    println!("{path}: {} recorded requests", file.requests().len());
    for request in &requests {
        println!("\n{request}");
        match file.lookup(request)? {
            Ok(answer) => {
                match answer.kind {
                    MatchKind::Exact => println!("  exact match"),
                    MatchKind::Nearest(score) => println!(
                        "  nearest: {} ({} words in common, {} non-matching runs)",
                        answer.key, score.common, score.nonmatching_runs
                    ),
                }
                for response in &answer.responses {
                    println!("  {}", response.replace('\n', "\n  "));
                }
            }
            Err(Unmatched::NoCandidate) => {
                println!("  no recorded request shares a word: empty reply")
            }
            Err(other) => println!("  unmatched: {other:?}"),
        }
    }
    Ok(())
}
