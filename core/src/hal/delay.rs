//! `DelayNs` (blocking and async) answered from a recording: each delay is one exchange, in
//! the unit the driver asked for, so that a replay checks the driver still waits as it did.
//!
//! ```text
//! <-DLY:delay delay_ms 10
//! ->DLY:ok
//! ```
//!
//! A delay has no error to return: one the record does not answer only goes to the report.

use core::fmt::{self, Write};

use embedded_hal::delay::DelayNs;

use super::backend::{Backend, Transaction};
use super::error::HalError;
use super::text::{write_call, Kind, Response};

/// One delay of the delay source called `name`: `delay delay_us 50`.
pub struct DelayCall<'n> {
    name: &'n str,
    unit: &'static str,
    amount: u32,
}

impl<'n> DelayCall<'n> {
    /// `delay_ns`, `delay_us` or `delay_ms` (`unit`) of `amount`.
    pub fn new(name: &'n str, unit: &'static str, amount: u32) -> Self {
        DelayCall { name, unit, amount }
    }
}

impl Transaction for DelayCall<'_> {
    fn kind(&self) -> Kind {
        Kind::Delay
    }

    fn write_request(&self, w: &mut dyn Write) -> fmt::Result {
        write_call(w, self.name, self.unit, Some(self.amount))
    }

    fn answer(&mut self, response: Response<'_>) -> Result<(), HalError> {
        match response {
            Response::Done => Ok(()),
            _ => Err(HalError::Mismatch),
        }
    }

    fn write_response(&self, w: &mut dyn Write) -> fmt::Result {
        w.write_str("ok")
    }
}

/// A delay source that does not wait: it checks each delay against the recording (and
/// reports the ones it does not find), so a replayed driver runs at full speed.
pub struct DelayReplay<'n, B: Backend> {
    backend: B,
    name: &'n str,
}

impl<'n, B: Backend> DelayReplay<'n, B> {
    /// The delay source called `name` in the record, answering from `backend`.
    pub fn new(backend: B, name: &'n str) -> Self {
        DelayReplay { backend, name }
    }

    fn delay(&self, unit: &'static str, amount: u32) {
        // Nothing to return it to: the backend has reported it.
        let _ = self
            .backend
            .exchange(&mut DelayCall::new(self.name, unit, amount));
    }
}

impl<B: Backend> DelayNs for DelayReplay<'_, B> {
    fn delay_ns(&mut self, ns: u32) {
        self.delay("delay_ns", ns)
    }

    fn delay_us(&mut self, us: u32) {
        self.delay("delay_us", us)
    }

    fn delay_ms(&mut self, ms: u32) {
        self.delay("delay_ms", ms)
    }
}

impl<B: Backend> embedded_hal_async::delay::DelayNs for DelayReplay<'_, B> {
    async fn delay_ns(&mut self, ns: u32) {
        self.delay("delay_ns", ns)
    }

    async fn delay_us(&mut self, us: u32) {
        self.delay("delay_us", us)
    }

    async fn delay_ms(&mut self, ms: u32) {
        self.delay("delay_ms", ms)
    }
}
