//! Verification: every registered expectation of every fake, in declaration order, then every
//! remembered order, in the order they were remembered. Calls are forgotten afterwards,
//! whatever the outcome (Fudge's `finally: clear_calls()`).

use super::error::Unmet;
use super::family::{Family, Pool, RegistryStorage};
use super::registry::{CallId, FakeId, Registry};
use super::report::Report;

impl<F: Family, S: RegistryStorage> Registry<F, S> {
    /// Checks that every expected call was called (as often as `times_called` says) and that
    /// every remembered order was kept; then forgets the calls made.
    ///
    /// ```
    /// use capturemock_core::fake::Fakes;
    ///
    /// let mut fakes: Fakes<'_> = Fakes::new();
    /// let db = fakes.fake("db").unwrap();
    /// fakes.on(db).expects("connect").unwrap();
    /// assert_eq!(fakes.verify().unwrap_err().to_string(), "fake:db.connect() was not called");
    /// ```
    pub fn verify(&mut self) -> Result<(), Report<'_, F, S>> {
        self.verify_where(false)
    }

    /// Like [`verify`](Self::verify), but only for fakes that were never verified before: what
    /// a scope or a guard checks when it is dropped without an explicit verification.
    pub fn verify_pending(&mut self) -> Result<(), Report<'_, F, S>> {
        self.verify_where(true)
    }

    /// Whether some fake was never verified.
    pub fn has_pending(&self) -> bool {
        self.fakes.as_slice().iter().any(|f| !f.verified)
    }

    fn verify_where(&mut self, pending_only: bool) -> Result<(), Report<'_, F, S>> {
        let unmet = self.first_unmet(pending_only);
        self.clear_calls();
        for fake in self.fakes.as_mut_slice() {
            fake.verified = true;
        }
        match unmet {
            Some(u) => Err(Report::new(self, u.into())),
            None => Ok(()),
        }
    }

    fn first_unmet(&self, pending_only: bool) -> Option<Unmet> {
        let fakes = self.fakes.as_slice();
        let considered =
            |fake: FakeId| !pending_only || fakes.get(fake.index()).is_some_and(|f| !f.verified);
        for (i, call) in self.calls.as_slice().iter().enumerate() {
            if !call.registered || !considered(call.fake) {
                continue;
            }
            // `next_id` keeps every table at `MAX_ITEMS` items or fewer, so an index always
            // fits in a `u16`: the fallback is never taken.
            let id = CallId(u16::try_from(i).unwrap_or(u16::MAX));
            if !call.was_called {
                return Some(Unmet::NotCalled { call: id });
            }
            if let Some(expected) = call.times {
                if call.actual != expected {
                    return Some(Unmet::CalledTimes {
                        call: id,
                        actual: call.actual,
                        expected,
                    });
                }
            }
        }
        // Remembered orders, oldest first: pick the next smallest sequence number each time.
        let mut after: Option<u16> = None;
        loop {
            let next = fakes
                .iter()
                .enumerate()
                .filter_map(|(i, f)| f.order.map(|o| (i, o.seq)))
                .filter(|(_, seq)| after.is_none_or(|a| *seq > a))
                .min_by_key(|(_, seq)| *seq);
            let (index, seq) = next?;
            after = Some(seq);
            // An index below `MAX_ITEMS` (see `next_id`): the fallback is never taken.
            let fake = FakeId(u16::try_from(index).unwrap_or(u16::MAX));
            if !considered(fake) {
                continue;
            }
            if let Some(problem) = self.check_order(fake) {
                return Some(Unmet::Order { fake, problem });
            }
        }
    }
}
