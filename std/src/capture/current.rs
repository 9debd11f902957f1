//! The session a thread captures into, and whether it is inside a real call.
//! Thread-local because `capture(...)` takes no session argument: the session comes from the
//! thread, as a logger's context does. A stack, so that a session entered inside another
//! gives the outer one back when its guard drops.

use std::cell::{Cell, RefCell};
use std::marker::PhantomData;

use super::Session;

thread_local! {
    /// Entered sessions, innermost last.
    static CURRENT: RefCell<Vec<Session>> = const { RefCell::new(Vec::new()) };
    /// How many real calls of captures are running on this thread.
    static REAL_CALLS: Cell<u32> = const { Cell::new(0) };
}

/// While this lives, [`Session::enter`]'s session is the thread's current one. Not `Send`:
/// it belongs to the thread that entered.
#[derive(Debug)]
#[must_use = "the session is current only while the guard lives"]
pub struct Entered {
    /// Which session to take off the stack when dropped (guards may drop out of order).
    session: Session,
    _not_send: PhantomData<*const ()>,
}

/// Pushes `session` on this thread's stack; the guard takes it off.
pub(super) fn enter(session: Session) -> Entered {
    CURRENT.with(|c| c.borrow_mut().push(session.clone()));
    Entered {
        session,
        _not_send: PhantomData,
    }
}

impl Drop for Entered {
    fn drop(&mut self) {
        // Guards are usually dropped innermost first; remove this one wherever it is.
        CURRENT.with(|c| {
            let mut stack = c.borrow_mut();
            if let Some(at) = stack.iter().rposition(|s| s.same_as(&self.session)) {
                stack.remove(at);
            }
        });
    }
}

/// The session this thread captures into, if any.
/// The innermost one entered and not yet left.
pub fn current() -> Option<Session> {
    CURRENT.with(|c| c.borrow().last().cloned())
}

/// Whether a capture's real call is running on this thread.
pub(super) fn in_real_call() -> bool {
    REAL_CALLS.with(Cell::get) > 0
}

/// Runs a capture's real call, marked as such (also when it unwinds).
/// A counter rather than a flag, so that nested real calls unmark correctly, and lowered by
/// a guard, so that a panicking real call does not leave the thread marked for good.
pub(super) fn real_call<T>(real: impl FnOnce() -> T) -> T {
    /// Lowers the count when dropped, unwinding included.
    struct Mark;
    impl Drop for Mark {
        fn drop(&mut self) {
            REAL_CALLS.with(|n| n.set(n.get().saturating_sub(1)));
        }
    }
    REAL_CALLS.with(|n| n.set(n.get().saturating_add(1)));
    let _mark = Mark;
    real()
}
