//! The delay fake: `embedded_hal::delay::DelayNs` with expected delays, in order, or delays
//! allowed at any time.
//!
//! A call shows the method and its argument as the driver passed it: `delay_ms(10)`,
//! `delay_us(150)`, `delay_ns(500)`.

use core::convert::Infallible;

use embedded_hal::delay::DelayNs;

use super::super::error::DeclarationError;
use super::super::value::ValueRef;
use super::script::Script;

/// A delay provider with expected delays. It never waits.
///
/// `DelayNs` cannot fail, so a delay that does not meet the expectations is only kept: the
/// driver goes on, and [`verify`](Self::verify) (or the drop) tells the first failure.
///
/// ```
/// use capturemock_core::fake::hal::DelayFake;
/// use embedded_hal::delay::DelayNs;
///
/// let mut delay: DelayFake<'_> = DelayFake::new("delay");
/// delay.expect_delay_ms(10).unwrap();
/// delay.delay_ms(20);
/// assert_eq!(
///     delay.verify().unwrap_err().to_string(),
///     "fake:delay.delay_ms(10) was called unexpectedly with args (20)"
/// );
/// ```
pub struct DelayFake<'a, const CALLS: usize = 16, const MSG: usize = 256> {
    script: Script<'a, Infallible, (), CALLS, CALLS, MSG>,
}

impl<'a, const CALLS: usize, const MSG: usize> DelayFake<'a, CALLS, MSG> {
    /// A delay provider named `name` (`fake:<name>` in messages) that expects nothing yet.
    pub fn new(name: &'a str) -> Self {
        DelayFake {
            script: Script::new(name),
        }
    }

    fn expect(&mut self, method: &'a str, amount: u32) -> Result<&mut Self, DeclarationError> {
        self.script
            .expect(method, &[ValueRef::UInt(u64::from(amount))], ())?;
        Ok(self)
    }

    /// The driver calls `delay_ns(ns)` next.
    pub fn expect_delay_ns(&mut self, ns: u32) -> Result<&mut Self, DeclarationError> {
        self.expect("delay_ns", ns)
    }

    /// The driver calls `delay_us(us)` next.
    pub fn expect_delay_us(&mut self, us: u32) -> Result<&mut Self, DeclarationError> {
        self.expect("delay_us", us)
    }

    /// The driver calls `delay_ms(ms)` next.
    pub fn expect_delay_ms(&mut self, ms: u32) -> Result<&mut Self, DeclarationError> {
        self.expect("delay_ms", ms)
    }

    /// The driver may call any delay, any number of times, at any point: for tests that do
    /// not care how long a driver waits.
    pub fn allow_delays(&mut self) -> Result<&mut Self, DeclarationError> {
        for method in ["delay_ns", "delay_us", "delay_ms"] {
            self.script.allow(method, ())?;
        }
        Ok(self)
    }

    super::script::verification_methods!();

    /// Plays one delay; a failure is kept for `verify` (the trait has no error to return).
    pub(super) fn play(&mut self, method: &'a str, amount: u32) {
        let _ = self
            .script
            .play(method, &[ValueRef::UInt(u64::from(amount))]);
    }
}

impl<const CALLS: usize, const MSG: usize> DelayNs for DelayFake<'_, CALLS, MSG> {
    fn delay_ns(&mut self, ns: u32) {
        self.play("delay_ns", ns);
    }

    fn delay_us(&mut self, us: u32) {
        self.play("delay_us", us);
    }

    fn delay_ms(&mut self, ms: u32) {
        self.play("delay_ms", ms);
    }
}
