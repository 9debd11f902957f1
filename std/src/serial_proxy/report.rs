//! What a serial proxy run did.

use std::fmt;

/// Running totals of a serial proxy run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProxyReport {
    /// Requests from the device (complete messages).
    pub requests: u64,
    /// Requests passed on to the peripheral.
    pub forwarded: u64,
    /// Requests answered from the replay file.
    pub replayed: u64,
    /// Of those, answered by the nearest recorded request rather than an exact match.
    pub nearest: u64,
    /// Requests nothing recorded answers (no answer was sent).
    pub unmatched: u64,
    /// Bytes from the peripheral that answered no request (before the first request, or
    /// during a replayed exchange): passed on, not recorded.
    pub unsolicited_bytes: u64,
    /// Requests or responses that were not UTF-8 (recorded with replacement characters).
    pub not_text: u64,
    /// Requests cut because they grew past the longest message kept.
    pub cut: u64,
    /// Exchanges written to the record file.
    pub recorded_exchanges: u64,
    /// Failed writes to the record file.
    pub record_failures: u64,
}

/// One line, for stderr at the end of a run: the counts that always mean something, then
/// whatever went wrong, only if something did.
impl fmt::Display for ProxyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "serial proxy: {} request(s): {} passed to the peripheral, {} replayed ({} by nearest \
             match), {} unanswered; {} exchange(s) recorded",
            self.requests,
            self.forwarded,
            self.replayed,
            self.nearest,
            self.unmatched,
            self.recorded_exchanges
        )?;
        if self.unsolicited_bytes > 0 {
            write!(
                f,
                "; {} unsolicited byte(s) from the peripheral not recorded",
                self.unsolicited_bytes
            )?;
        }
        if self.not_text > 0 {
            write!(f, "; {} message(s) not UTF-8", self.not_text)?;
        }
        if self.cut > 0 {
            write!(f, "; {} over-long request(s) cut", self.cut)?;
        }
        if self.record_failures > 0 {
            write!(
                f,
                "; {} failed write(s) to the record file",
                self.record_failures
            )?;
        }
        Ok(())
    }
}
