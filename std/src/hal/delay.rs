//! A real delay source, recorded or replayed (a replayed delay does not wait).

use capturemock_core::hal::DelayCall;
use embedded_hal::delay::DelayNs;

use super::Recorded;

impl<T: DelayNs> Recorded<T> {
    fn delay(&mut self, unit: &'static str, amount: u32, real: fn(&mut T, u32)) {
        let source = &mut self.real;
        let mut run = |_: &mut DelayCall<'_>| {
            real(source, amount);
            Ok(())
        };
        // A delay has no error to return: the session reported it.
        let _ = self.session.run(
            &mut DelayCall::new(&self.name, unit, amount),
            Some(&mut run),
        );
    }
}

impl<T: DelayNs> DelayNs for Recorded<T> {
    fn delay_ns(&mut self, ns: u32) {
        self.delay("delay_ns", ns, T::delay_ns)
    }

    fn delay_us(&mut self, us: u32) {
        self.delay("delay_us", us, T::delay_us)
    }

    fn delay_ms(&mut self, ms: u32) {
        self.delay("delay_ms", ms, T::delay_ms)
    }
}
