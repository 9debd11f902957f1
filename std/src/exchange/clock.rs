//! Where `--TIM:` timestamps come from (`record_timestamps`).
//!
//! The reference writes Python's `datetime.now().isoformat()`: local time, no offset,
//! microseconds unless they are zero. The clock is a trait so tests can fix the time.

use std::fmt::Debug;

/// A source of record timestamps.
/// `Send + Sync` because one clock serves every exchange of a run, on any thread.
pub trait Clock: Send + Sync + Debug {
    /// The current time as the reference writes it after `--TIM:`.
    fn timestamp(&self) -> String;
}

/// The system's local time, formatted like Python's `datetime.now().isoformat()`.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn timestamp(&self) -> String {
        python_isoformat(chrono::Local::now().naive_local())
    }
}

/// Always the same timestamp: for tests and reproducible record files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixedClock(pub String);

impl Clock for FixedClock {
    fn timestamp(&self) -> String {
        self.0.clone()
    }
}

/// Python's `datetime.isoformat()`: `YYYY-MM-DDTHH:MM:SS[.ffffff]`.
/// Python's `datetime` holds microseconds, so finer digits are cut off, and the fraction is
/// left out when it is zero, as Python leaves it out.
pub fn python_isoformat(time: chrono::NaiveDateTime) -> String {
    use chrono::Timelike;
    let micros = time.nanosecond() / 1000 % 1_000_000;
    if micros == 0 {
        time.format("%Y-%m-%dT%H:%M:%S").to_string()
    } else {
        format!("{}.{micros:06}", time.format("%Y-%m-%dT%H:%M:%S"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_python_isoformat() {
        let date = chrono::NaiveDate::from_ymd_opt(2024, 5, 6).expect("date");
        let t = date.and_hms_micro_opt(7, 8, 9, 123).expect("time");
        assert_eq!(python_isoformat(t), "2024-05-06T07:08:09.000123");
        let t = date.and_hms_opt(7, 8, 9).expect("time");
        assert_eq!(python_isoformat(t), "2024-05-06T07:08:09");
    }

    #[test]
    fn system_clock_has_the_shape_of_a_python_timestamp() {
        let ts = SystemClock.timestamp();
        assert!(ts.len() == 19 || ts.len() == 26, "{ts}");
        assert_eq!(ts.as_bytes()[10], b'T');
    }
}
