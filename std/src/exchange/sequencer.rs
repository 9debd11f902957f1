//! Turns in accept order: exchange `n` does its ordered work (alterations, replay lookups)
//! only after every earlier exchange has done its own, so that concurrent clients get the
//! same answers and the same record file whatever the timing.
//!
//! The abandon rule: an exchange waits at most the wait limit given to [`Sequencer::new`] (the
//! server passes its [`Limits::order_wait`], 5 seconds unless configured) for the earlier ones.
//! When that runs out, every earlier exchange that has not taken its turn yet (typically a
//! client that connected but is slow to send) is *given up on*: later exchanges no longer wait
//! for it. A given-up exchange is still served when its message arrives, out of order, and
//! its record entries are appended where the file has got to then (see the recorder); it is
//! never dropped.
//!
//! [`Limits::order_wait`]: crate::server::Limits::order_wait

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use super::ExchangeNo;

/// Which exchanges have had their turn: a base below which all have, plus those above it
/// that have, rather than a flag per exchange, so the state stays as small as the number of
/// exchanges in flight however long the run.
#[derive(Debug)]
struct State {
    /// Every exchange below this one has had its turn or was given up on.
    base: ExchangeNo,
    /// Exchanges at or above `base` that have had their turn.
    done: BTreeSet<ExchangeNo>,
}

/// The turnstile shared by all connections.
#[derive(Debug)]
pub struct Sequencer {
    state: Mutex<State>,
    /// Woken whenever `base` may have moved, so that waiting exchanges look again.
    changed: Notify,
    /// How long an exchange waits for earlier ones before giving them up (see the module docs).
    wait_limit: Duration,
}

/// Whether a turn came in accept order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TurnOrder {
    /// Every earlier exchange had its turn first. `gave_up_on` lists the earlier exchanges
    /// that were given up on to get here (usually empty).
    InOrder {
        /// Exchanges given up on while waiting.
        gave_up_on: Vec<ExchangeNo>,
    },
    /// This exchange had been given up on by a later one: it runs out of order.
    Late,
}

impl Sequencer {
    /// A turnstile whose first exchange is number 1.
    pub fn new(wait_limit: Duration) -> Self {
        Sequencer {
            state: Mutex::new(State {
                base: 1,
                done: BTreeSet::new(),
            }),
            changed: Notify::new(),
            wait_limit,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every update leaves the state consistent, so a poisoned lock is still usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until it is exchange `n`'s turn (or the wait limit runs out). The turn lasts
    /// until the returned [`Turn`] is finished or dropped.
    /// The wake-up is armed before the state is checked, so a turn that ends between the check
    /// and the wait still wakes this one. When the wait limit runs out, every earlier exchange
    /// that has not had its turn is given up on and listed in the [`TurnOrder`].
    pub async fn turn(self: &Arc<Self>, n: ExchangeNo) -> (Turn, TurnOrder) {
        let deadline = Instant::now() + self.wait_limit;
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let state = self.lock();
                if state.base > n {
                    return (self.guard(n), TurnOrder::Late);
                }
                if state.base == n {
                    return (
                        self.guard(n),
                        TurnOrder::InOrder {
                            gave_up_on: Vec::new(),
                        },
                    );
                }
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let mut state = self.lock();
                if state.base >= n {
                    continue;
                }
                let gave_up_on: Vec<ExchangeNo> = (state.base..n)
                    .filter(|m| !state.done.contains(m))
                    .collect();
                state.base = n;
                state.done = state.done.split_off(&n);
                return (self.guard(n), TurnOrder::InOrder { gave_up_on });
            }
        }
    }

    /// Marks exchange `n` as having had its turn without waiting for one (a connection that
    /// ended before it could take its turn).
    pub fn skip(&self, n: ExchangeNo) {
        self.finish(n);
    }

    /// The turn of `n`, which ends when finished or dropped.
    fn guard(self: &Arc<Self>, n: ExchangeNo) -> Turn {
        Turn {
            sequencer: Some(Arc::clone(self)),
            n,
        }
    }

    /// Marks `n` as done, moves `base` past every done exchange that follows it, and wakes the
    /// waiters. An exchange below `base` (late, or given up on) changes nothing.
    fn finish(&self, n: ExchangeNo) {
        {
            let mut state = self.lock();
            if n >= state.base {
                state.done.insert(n);
                loop {
                    let base = state.base;
                    if !state.done.remove(&base) {
                        break;
                    }
                    state.base += 1;
                }
            }
        }
        self.changed.notify_waiters();
    }
}

/// Exchange `n`'s turn: later exchanges wait until it is finished or dropped.
#[derive(Debug)]
pub struct Turn {
    /// `None` once the turn has ended, so that `finish` and `Drop` end it only once.
    sequencer: Option<Arc<Sequencer>>,
    n: ExchangeNo,
}

impl Turn {
    /// Ends the turn early (the rest of the exchange needs no ordering).
    pub fn finish(mut self) {
        if let Some(s) = self.sequencer.take() {
            s.finish(self.n);
        }
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        if let Some(s) = self.sequencer.take() {
            s.finish(self.n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seq(ms: u64) -> Arc<Sequencer> {
        Arc::new(Sequencer::new(Duration::from_millis(ms)))
    }

    #[tokio::test]
    async fn later_exchanges_wait_for_earlier_ones() {
        let s = seq(10_000);
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for n in [3u64, 2, 1] {
            let (s, order) = (Arc::clone(&s), Arc::clone(&order));
            tasks.push(tokio::spawn(async move {
                let (turn, how) = s.turn(n).await;
                assert!(
                    matches!(how, TurnOrder::InOrder { ref gave_up_on } if gave_up_on.is_empty())
                );
                order.lock().unwrap().push(n);
                drop(turn);
            }));
            tokio::task::yield_now().await;
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(*order.lock().unwrap(), vec![1, 2, 3]);
    }

    #[tokio::test]
    async fn a_slow_exchange_is_given_up_on_and_later_runs_late() {
        let s = seq(50);
        let (turn, how) = s.turn(2).await;
        assert_eq!(
            how,
            TurnOrder::InOrder {
                gave_up_on: vec![1]
            }
        );
        drop(turn);
        let (_turn, how) = s.turn(3).await;
        assert_eq!(how, TurnOrder::InOrder { gave_up_on: vec![] });
        let (_late, how) = s.turn(1).await;
        assert_eq!(how, TurnOrder::Late);
    }

    #[tokio::test]
    async fn skipped_exchanges_do_not_hold_others_up() {
        let s = seq(10_000);
        s.skip(1);
        s.skip(3);
        let (turn, how) = s.turn(2).await;
        assert_eq!(how, TurnOrder::InOrder { gave_up_on: vec![] });
        turn.finish();
        let (_turn, how) = s.turn(4).await;
        assert_eq!(how, TurnOrder::InOrder { gave_up_on: vec![] });
    }
}
