//! The per-thread registry (Fudge's registry is per thread too), scoped verification, and the
//! check that runs when the last fake of a thread goes away unverified.

use std::cell::{Cell, RefCell};
use std::marker::PhantomData;
use std::rc::Rc;

use capturemock_core::fake::{FakeId, Registry};

use super::error::FakeError;
use super::family::StdFamily;
use super::growable::Growable;

/// The core's registry with growable storage: a test need not choose a capacity for its
/// fakes in advance (see `Growable`).
pub(crate) type StdRegistry = Registry<StdFamily, Growable>;

/// What the thread's registry cell holds.
pub(crate) struct State {
    /// Every fake made on this thread, with its declarations and calls.
    pub(crate) reg: StdRegistry,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State { reg: Registry::new() });
    /// Live fake handles on this thread. Kept outside the registry's cell so that a handle can
    /// always be counted out, even one dropped while the registry is busy.
    static LIVE: Cell<usize> = const { Cell::new(0) };
    /// Open scopes: they verify at their end, so the last dropped handle does not.
    static SCOPES: Cell<usize> = const { Cell::new(0) };
    /// The last handle went away while the registry was busy: check when it is free.
    static CHECK_LATER: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` on this thread's registry.
/// A `passes_test` function that uses a fake would borrow the registry again while it is
/// matching; that is refused with a message that says so, not with a borrow panic from
/// deep inside. A last-handle check put off because the registry was busy runs here, once
/// it is free.
pub(crate) fn with_state<R>(f: impl FnOnce(&mut State) -> R) -> R {
    let result = STATE.with(|cell| {
        let mut state = cell.try_borrow_mut().unwrap_or_else(|_| {
            panic!(
                "fakes cannot be used while the fake registry is busy \
                 (from an arg::passes_test function)"
            )
        });
        f(&mut state)
    });
    if CHECK_LATER.with(Cell::take) {
        last_handle_gone();
    }
    result
}

/// One live handle of a fake; cloning a [`Fake`](super::Fake) shares it.
/// Handles are counted per thread, not per fake, so that the last one to go, when no call
/// can reach any of the thread's fakes any more, triggers the check of them all.
pub(crate) struct Handle {
    pub(crate) id: FakeId,
}

impl Handle {
    pub(crate) fn new(id: FakeId) -> Rc<Handle> {
        LIVE.with(|l| l.set(l.get().saturating_add(1)));
        Rc::new(Handle { id })
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        // `try_with`: the thread may be tearing its locals down.
        let last = LIVE
            .try_with(|l| {
                l.set(l.get().saturating_sub(1));
                l.get() == 0
            })
            .unwrap_or(false);
        if last {
            last_handle_gone();
        }
    }
}

/// The thread's last fake went away: nobody can call its fakes any more, so check the ones
/// never verified (unless a scope will, or the thread is already panicking) and start afresh.
fn last_handle_gone() {
    if SCOPES.try_with(Cell::get).unwrap_or(0) > 0 {
        return;
    }
    let message = STATE
        .try_with(|cell| {
            let Ok(mut state) = cell.try_borrow_mut() else {
                CHECK_LATER.with(|c| c.set(true));
                return None;
            };
            let message = if std::thread::panicking() || !state.reg.has_pending() {
                None
            } else {
                state.reg.verify_pending().err().map(|e| e.to_string())
            };
            state.reg.clear();
            message
        })
        .ok()
        .flatten();
    if let Some(message) = message {
        panic!("{message}");
    }
}

/// Checks every expectation of every fake of this thread: each expected call was called (as
/// often as `times_called` says), each remembered order was kept. Calls are forgotten
/// afterwards. Panics with Fudge's message on the first failure.
///
/// ```
/// use capturemock::{args, fake::{self, Fake}};
///
/// let session = Fake::new("session").expects("open").expects("close");
/// let _ = session.call("open", args![]);
/// let err = fake::try_verify().unwrap_err();
/// assert_eq!(err.to_string(), "fake:session.close() was not called");
/// ```
pub fn verify() {
    if let Err(e) = try_verify() {
        panic!("{e}");
    }
}

/// Like [`verify`], returning the failure instead of panicking.
pub fn try_verify() -> Result<(), FakeError> {
    with_state(|s| s.reg.verify().map_err(|r| FakeError::from_report(&r)))
}

/// Forgets the calls made on this thread's fakes: nothing was called, sequences start over.
pub fn clear_calls() {
    with_state(|s| s.reg.clear_calls());
}

/// Forgets what [`verify`] checks on this thread: no call is expected any more. Fakes keep
/// answering as declared.
pub fn clear_expectations() {
    with_state(|s| s.reg.clear_expectations());
}

/// A verification scope (the guard behind [`test()`] and [`with_fakes()`]): it verifies every fake
/// of the thread when it ends, unless the thread is panicking.
///
/// ```
/// use capturemock::{args, fake::{self, Fake}};
///
/// let scope = fake::Scope::begin();
/// let db = Fake::new("db").expects("connect");
/// let _ = db.call("connect", args![]);
/// scope.finish(); // verifies; dropping the scope would too
/// ```
#[must_use = "a scope verifies when it ends; bind it to a variable"]
pub struct Scope {
    /// Fudge's `test` clears expectations before and after; `with_fakes` keeps them.
    own_expectations: bool,
    /// Set once ended by `finish` or `try_finish`, so that `Drop` does not end it again.
    done: bool,
    /// Not `Send`: a scope counts and verifies the fakes of the thread that opened it.
    _thread: PhantomData<Rc<()>>,
}

impl Scope {
    /// Fudge's `@fudge.test`: forgets earlier expectations and calls now, verifies at the end,
    /// then forgets the expectations again.
    pub fn begin() -> Scope {
        with_state(|s| {
            s.reg.clear_expectations();
            s.reg.clear_calls();
        });
        SCOPES.with(|c| c.set(c.get().saturating_add(1)));
        Scope {
            own_expectations: true,
            done: false,
            _thread: PhantomData,
        }
    }

    /// Fudge's `with_fakes`: forgets earlier calls now and verifies at the end; expectations
    /// declared before the scope stay and are verified too.
    pub fn with_fakes() -> Scope {
        with_state(|s| s.reg.clear_calls());
        SCOPES.with(|c| c.set(c.get().saturating_add(1)));
        Scope {
            own_expectations: false,
            done: false,
            _thread: PhantomData,
        }
    }

    /// Ends the scope: verifies (panicking with Fudge's message on failure).
    pub fn finish(mut self) {
        self.done = true;
        if let Err(e) = self.end(true) {
            panic!("{e}");
        }
    }

    /// Ends the scope, returning the failure instead of panicking.
    pub fn try_finish(mut self) -> Result<(), FakeError> {
        self.done = true;
        self.end(true)
    }

    /// Leaves the scope: verifies when `check`, forgets the expectations if the scope owns them,
    /// and, when neither a scope nor a handle is left on the thread, clears the registry so that
    /// the next test starts from nothing.
    fn end(&self, check: bool) -> Result<(), FakeError> {
        let scopes = SCOPES.with(|c| {
            c.set(c.get().saturating_sub(1));
            c.get()
        });
        let live = LIVE.with(Cell::get);
        with_state(|s| {
            let result = if check {
                s.reg.verify().map_err(|r| FakeError::from_report(&r))
            } else {
                Ok(())
            };
            if self.own_expectations {
                s.reg.clear_expectations();
            }
            if live == 0 && scopes == 0 {
                s.reg.clear();
            }
            result
        })
    }
}

/// A scope left by a panic ends without verifying: the test has failed already, and a
/// second panic while unwinding would abort the test binary.
impl Drop for Scope {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let panicking = std::thread::panicking();
        if let Err(e) = self.end(!panicking) {
            panic!("{e}");
        }
    }
}

/// Fudge's `@fudge.test` as a wrapper: forgets earlier expectations and calls, runs `body`,
/// verifies every fake (panicking with Fudge's message), forgets the expectations.
///
/// ```should_panic
/// use capturemock::fake::{self, Fake};
///
/// // panics: fake:db.connect() was not called
/// fake::test(|| {
///     let _db = Fake::new("db").expects("connect");
/// });
/// ```
pub fn test<R>(body: impl FnOnce() -> R) -> R {
    let scope = Scope::begin();
    let result = body();
    scope.finish();
    result
}

/// Fudge's `with_fakes`: forgets earlier calls, runs `body`, verifies every fake.
pub fn with_fakes<R>(body: impl FnOnce() -> R) -> R {
    let scope = Scope::with_fakes();
    let result = body();
    scope.finish();
    result
}
