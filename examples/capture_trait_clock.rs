//! A clock and a random-number source captured as a trait, so that code reading the time and
//! rolling dice runs the same in every replay: the test asserts exact values, which no real
//! clock would give twice. Replays
//! `examples/mocks/capture_trait_clock/tests/issues_a_ticket.mock`.
//!
//! ```text
//! cargo test --example capture_trait_clock                      # replay: the same ticket every time
//! CAPTUREMOCK_RECORD_MODE=all cargo test --example capture_trait_clock   # record the real clock again
//!     (a recording that differs goes to its .mock.new: `capturemock review` shows it)
//! ```
//!
//! A new recording has a new time and new dice, so `RECORDED_TICKET` changes with it: the
//! replay after it says which ticket the file now gives.

use std::time::{SystemTime, UNIX_EPOCH};

use capturemock::capture;

/// Where time and chance come from.
#[capture(name = "env")]
pub trait Entropy {
    /// Milliseconds since the Unix epoch.
    fn now_millis(&self) -> u64;
    /// A number in `0..below`.
    fn random_below(&mut self, below: u32) -> u32;
}

/// The real thing: the system clock, and a generator seeded from it.
pub struct System {
    state: u64,
}

impl System {
    /// A generator seeded from the clock.
    pub fn new() -> Self {
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1);
        System { state: seed | 1 }
    }
}

impl Default for System {
    fn default() -> Self {
        Self::new()
    }
}

impl Entropy for System {
    fn now_millis(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0)
    }

    fn random_below(&mut self, below: u32) -> u32 {
        // xorshift64: plenty for an example; the point is that it differs every run.
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        (self.state % u64::from(below.max(1))) as u32
    }
}

/// The code under test: a ticket with a time stamp and a four-digit code.
pub fn ticket(source: &mut dyn Entropy) -> String {
    let issued = source.now_millis();
    let code: String = (0..4)
        .map(|_| char::from(b'0' + source.random_below(10) as u8))
        .collect();
    format!("T{issued}-{code}")
}

fn main() {
    let mut source = CapturedEntropy::new(System::new());
    println!("{}", ticket(&mut source));
    println!("{}", ticket(&mut source));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[capture::test(dir = "examples/mocks/capture_trait_clock")]
    fn issues_a_ticket() {
        let mut source = CapturedEntropy::lazy(System::new);
        let ticket = ticket(&mut source);
        let replaying = capture::current().is_some_and(|s| s.mode() == capture::Mode::Replay);
        if replaying {
            // The recorded clock and dice: the same ticket in every replay.
            assert_eq!(
                ticket, RECORDED_TICKET,
                "after recording again, RECORDED_TICKET is the new recording's ticket"
            );
        } else {
            assert!(ticket.starts_with('T') && ticket.len() > 6, "{ticket}");
        }
    }

    /// What the mock file's clock and dice make.
    const RECORDED_TICKET: &str = "T1796309024152-5490";
}
