//! `remember_order()`: the expected calls of a fake must happen in the order declared.
//!
//! Fudge keeps the list of actual calls; only its first mismatch and its first extra call ever
//! reach a message, so this keeps just those and a count, which needs no table.

use super::error::OrderProblem;
use super::family::{Family, Pool, RegistryStorage};
use super::registry::{CallId, FakeId, Registry};

#[derive(Clone, Copy)]
pub(crate) struct Order {
    /// When `remember_order()` was declared: orders are verified in that sequence.
    pub(crate) seq: u16,
    actual: u16,
    /// First position (0-based) where the actual call differed from the expected one.
    mismatch: Option<(u16, CallId)>,
    /// The actual call at the position just past the expected ones.
    extra: Option<CallId>,
}

impl Order {
    pub(crate) fn new(seq: u16) -> Self {
        Order {
            seq,
            actual: 0,
            mismatch: None,
            extra: None,
        }
    }

    pub(crate) fn reset(&mut self) {
        *self = Order::new(self.seq);
    }

    /// Records an actual call, given what was expected at its position (if anything).
    fn record(&mut self, call: CallId, expected_here: Option<CallId>, expected_len: u16) {
        let position = self.actual;
        if position < expected_len {
            if self.mismatch.is_none() && expected_here != Some(call) {
                self.mismatch = Some((position, call));
            }
        } else if position == expected_len {
            self.extra = Some(call);
        }
        self.actual = self.actual.saturating_add(1);
    }

    /// Fudge's `assert_order_met`: `finalize` is set by `verify`, when missing calls count.
    fn check(&self, expected_len: u16, finalize: bool) -> Option<OrderProblem> {
        if self.actual == 0 {
            return Some(OrderProblem::NotEnough);
        }
        if let Some((position, call)) = self.mismatch {
            return Some(OrderProblem::CallWas {
                position: position.saturating_add(1),
                call,
            });
        }
        if finalize && self.actual < expected_len {
            return Some(OrderProblem::Only(self.actual));
        }
        if self.actual > expected_len {
            return self.extra.map(|call| OrderProblem::Unexpected {
                position: expected_len.saturating_add(1),
                call,
            });
        }
        None
    }
}

impl<F: Family, S: RegistryStorage> Registry<F, S> {
    /// The calls in `fake`'s remembered order, as declared.
    pub(crate) fn ordered_calls(&self, fake: FakeId) -> impl Iterator<Item = CallId> + '_ {
        self.calls
            .as_slice()
            .iter()
            .enumerate()
            .filter(move |(_, c)| c.ordered && c.fake == fake)
            .filter_map(|(i, _)| u16::try_from(i).ok().map(CallId))
    }

    fn ordered_len(&self, fake: FakeId) -> u16 {
        // At most the calls table's length, which `next_id` keeps at `MAX_ITEMS` or less:
        // fits, so the fallback is never taken (and the order's saturating count of actual
        // calls can always exceed it).
        u16::try_from(self.ordered_calls(fake).count()).unwrap_or(u16::MAX)
    }

    /// Records an actual call of an ordered call and checks the order so far.
    pub(crate) fn record_order(&mut self, fake: FakeId, call: CallId) -> Option<OrderProblem> {
        let expected_len = self.ordered_len(fake);
        let position = self.fake_slot(fake).ok()?.order?.actual;
        let expected_here = self.ordered_calls(fake).nth(usize::from(position));
        let order = self.fake_slot_mut(fake).ok()?.order.as_mut()?;
        order.record(call, expected_here, expected_len);
        order.check(expected_len, false)
    }

    /// The final check of `fake`'s order, at verification.
    pub(crate) fn check_order(&self, fake: FakeId) -> Option<OrderProblem> {
        let order = self.fake_slot(fake).ok()?.order?;
        order.check(self.ordered_len(fake), true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: CallId = CallId(0);
    const B: CallId = CallId(1);

    #[test]
    fn no_calls_is_not_enough() {
        assert_eq!(Order::new(0).check(0, true), Some(OrderProblem::NotEnough));
    }

    #[test]
    fn first_mismatch_wins() {
        let mut o = Order::new(0);
        o.record(B, Some(A), 2);
        assert_eq!(
            o.check(2, false),
            Some(OrderProblem::CallWas {
                position: 1,
                call: B
            })
        );
        o.record(A, Some(B), 2);
        assert_eq!(
            o.check(2, true),
            Some(OrderProblem::CallWas {
                position: 1,
                call: B
            })
        );
    }

    #[test]
    fn missing_calls_count_only_when_final() {
        let mut o = Order::new(0);
        o.record(A, Some(A), 2);
        assert_eq!(o.check(2, false), None);
        assert_eq!(o.check(2, true), Some(OrderProblem::Only(1)));
    }

    #[test]
    fn extra_call_is_unexpected() {
        let mut o = Order::new(0);
        o.record(A, Some(A), 1);
        o.record(A, None, 1);
        o.record(B, None, 1);
        assert_eq!(
            o.check(1, false),
            Some(OrderProblem::Unexpected {
                position: 2,
                call: A
            })
        );
    }
}
