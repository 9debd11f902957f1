//! The capture API in a test. The code under test wraps its call to the outside world in
//! `capture::capture`; its test carries `#[capture::test]`, which records the call the first
//! time (to `examples/mocks/capture_in_test/tests/converts_with_recorded_rates.mock`),
//! replays it after that without calling the real service, and fails with a diff when the
//! code's calls drift from the recording.
//!
//! ```text
//! cargo test --example capture_in_test                      # replay (the mock file exists)
//! CAPTUREMOCK_RECORD_MODE=all cargo test --example capture_in_test   # record it again
//!     (a recording that differs goes to its .mock.new: `capturemock review` shows it)
//! cargo run --example capture_in_test                       # the same steps, narrated
//! ```

use capturemock::capture::{self, Mode, TestMock};
use serde::{Deserialize, Serialize};

/// What the rate service answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    /// The currency converted from.
    pub from: String,
    /// The currency converted to.
    pub to: String,
    /// Units of `to` for one unit of `from`.
    pub rate: f64,
}

/// The real call: in a real program, a request to a rate service.
fn fetch_rate(from: &str, to: &str) -> Rate {
    eprintln!("(asking the real rate service for {from}->{to})");
    let rate = match (from, to) {
        ("EUR", "USD") => 1.08,
        ("GBP", "EUR") => 1.17,
        _ => 1.0,
    };
    Rate {
        from: from.into(),
        to: to.into(),
        rate,
    }
}

/// The code under test: outside a capture session, `capture` simply calls the real thing.
pub fn convert(amount: f64, from: &str, to: &str) -> f64 {
    let rate: Rate = capture::capture(format!("rates.get({from}, {to})"), || fetch_rate(from, to));
    (amount * rate.rate * 100.0).round() / 100.0
}

/// Record, replay and drift, narrated, in a temporary directory.
fn main() {
    let dir = std::env::temp_dir().join(format!("capture-in-test-{}", std::process::id()));
    let mock = |mode| {
        TestMock::builder()
            .dir(&dir)
            .name("demo::converts")
            .mode(mode)
            .start()
    };

    println!("record: the real service is asked");
    let m = mock(Mode::Record);
    println!("  100 EUR = {} USD", convert(100.0, "EUR", "USD"));
    let file = m.mock_path().to_path_buf();
    m.finish().expect("recorded");
    println!(
        "  {}:\n{}",
        file.display(),
        std::fs::read_to_string(&file).unwrap()
    );

    println!("replay: the recorded answer, the service is left alone");
    let m = mock(Mode::Replay);
    println!("  100 EUR = {} USD", convert(100.0, "EUR", "USD"));
    m.finish().expect("no drift");

    println!("replay after the code changed: the test would fail with this");
    let m = mock(Mode::Replay);
    convert(100.0, "GBP", "EUR");
    println!("{}", m.finish().unwrap_err());
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[capture::test(dir = "examples/mocks/capture_in_test")]
    fn converts_with_recorded_rates() {
        assert_eq!(convert(100.0, "EUR", "USD"), 108.0);
        assert_eq!(convert(10.0, "GBP", "EUR"), 11.7);
    }
}
