//! What every embedded-hal fake shares: one fake of the engine whose expected calls keep a
//! remembered order, the answer each declared call gives back, the first failure message, and
//! the check when the fake is dropped.
//!
//! A trait's fake only says how its methods become calls (`write_read(72, [0], 2)`) and what a
//! call's answer does to the driver's buffers; declaring, matching, counting, ordering and
//! Fudge's messages are the engine's.

use core::fmt;

use super::super::error::{DeclarationError, Table};
use super::super::family::{Borrowed, Fixed};
use super::super::io::{record, Unverified};
use super::super::registry::{FakeId, Registry};
use super::super::value::ValueRef;
use super::HalFakeError;

/// The methods every fake has, forwarded to its [`Script`] (a field named `script`): the
/// first failure, the verification and what a failed check on drop does.
///
/// A macro rather than a trait so that they stay inherent methods: a test calls
/// `fake.verify()` without importing anything, as with Fudge.
macro_rules! verification_methods {
    () => {
        /// The first failure met since the last verification, in Fudge's words.
        pub fn failure(&self) -> Option<&str> {
            self.script.failure()
        }

        /// Checks that every expected call was made, in order, and that no call failed; then
        /// forgets the calls, so that the expectations can be played again.
        #[must_use = "a failed verification is only told by this result (and, on a host, the drop)"]
        pub fn verify(&mut self) -> Result<(), $crate::fake::hal::Unverified<'_>> {
            self.script.verify()
        }

        /// What to do with the message when the fake is dropped unverified and its check
        /// fails (on a target: write it out, end the test run with a failure).
        pub fn on_unverified(&mut self, hook: fn(&str)) -> &mut Self {
            self.script.on_unverified(hook);
            self
        }
    };
}
pub(super) use verification_methods;

/// Most arguments one call of a fake can show: an SPI transaction of 10 operations, each a
/// tag and at most two values.
pub(super) const MAX_ARGS: usize = 32;

/// The arguments of one actual call, gathered on the stack.
pub(super) type Args<'c> = heapless::Vec<ValueRef<'c>, MAX_ARGS>;

/// One fake of the engine, its answers and its state of verification.
///
/// `K`: the trait's error kind that `fails_with` injects; `R`: what a declared call answers
/// (bytes to read, a pin level, the operations of a transaction); `CALLS` declared calls,
/// `ARGS` declared argument values, `MSG` bytes kept of the first failure message.
pub(super) struct Script<'a, K, R, const CALLS: usize, const ARGS: usize, const MSG: usize> {
    fakes: Registry<Borrowed<'a, K>, Fixed<1, CALLS, ARGS>>,
    id: FakeId,
    name: &'a str,
    /// Whether the fake remembers the order of its expected calls (from the first one on).
    ordered: bool,
    /// The answer of each declared call, at the call's index in the engine's table.
    answers: heapless::Vec<R, CALLS>,
    failure: heapless::String<MSG>,
    failed: bool,
    /// Whether `verify` ran since the script or its calls last changed.
    verified: bool,
    /// Called with the message when the fake is dropped unverified and its check fails.
    hook: Option<fn(&str)>,
}

impl<'a, K, R: Copy + Default, const CALLS: usize, const ARGS: usize, const MSG: usize>
    Script<'a, K, R, CALLS, ARGS, MSG>
{
    /// A fake named `name`, whose expected calls must come in the order they are declared.
    pub(super) fn new(name: &'a str) -> Self {
        let mut fakes = Registry::new();
        // One fake always fits in a `Fixed<1, ..>` table: the fallback id is never used.
        let id = fakes.fake(name).unwrap_or(FakeId(0));
        Script {
            fakes,
            id,
            name,
            ordered: false,
            answers: heapless::Vec::new(),
            failure: heapless::String::new(),
            failed: false,
            verified: true,
            hook: None,
        }
    }

    /// Keeps `answer` for every call declared since the last time (the engine adds one call
    /// for each `expects` or `provides`).
    fn keep(&mut self, answer: R) -> Result<(), DeclarationError> {
        let declared = self.fakes.call_count();
        while self.answers.len() < declared {
            self.answers
                .push(answer)
                .map_err(|_| DeclarationError::Full(Table::Calls))?;
        }
        self.verified = false;
        Ok(())
    }

    /// Room for one more call with `args` declared values, checked before anything is
    /// declared, so that a declaration that does not fit leaves the fake as it was.
    fn room(&self, args: usize) -> Result<(), DeclarationError> {
        if self.fakes.call_count() >= CALLS {
            return Err(DeclarationError::Full(Table::Calls));
        }
        if self.fakes.specs.as_slice().len().saturating_add(args) > ARGS {
            return Err(DeclarationError::Full(Table::Args));
        }
        Ok(())
    }

    /// The driver must call `method` with exactly `args` next; the call answers `answer`.
    pub(super) fn expect(
        &mut self,
        method: &'a str,
        args: &[ValueRef<'a>],
        answer: R,
    ) -> Result<(), DeclarationError> {
        self.room(args.len())?;
        if !self.ordered {
            // The order is remembered from the first expected call on: a fake that only
            // allows calls has no order to keep (Fudge would fail it with `Not enough calls
            // were made` when nothing is called).
            self.fakes.on(self.id).remember_order()?;
            self.ordered = true;
        }
        let d = self.fakes.on(self.id).expects(method)?;
        if args.is_empty() {
            d.with_arg_count(0)?;
        } else {
            d.with_args(args.iter().copied())?;
        }
        self.keep(answer)
    }

    /// The driver may call `method`, with any arguments, any number of times, at any point of
    /// the order; the call answers `answer`.
    pub(super) fn allow(&mut self, method: &'a str, answer: R) -> Result<(), DeclarationError> {
        self.room(0)?;
        self.fakes.on(self.id).provides(method)?;
        self.keep(answer)
    }

    /// The call declared last fails with `kind` instead of answering.
    pub(super) fn fail_last(&mut self, kind: K) -> Result<(), DeclarationError> {
        self.fakes.on(self.id).raises(kind)?;
        Ok(())
    }

    /// Plays one call of the driver against the script: its declared answer, the injected
    /// error, or `Unmet` with the message kept for [`failure`](Self::failure).
    pub(super) fn play(
        &mut self,
        method: &'a str,
        args: &[ValueRef<'_>],
    ) -> Result<R, HalFakeError<K>>
    where
        K: Copy,
    {
        self.verified = false;
        let outcome = self.fakes.call(self.id, method, args, &[]);
        match outcome {
            Err(report) => {
                record(&mut self.failure, &mut self.failed, report);
                Err(HalFakeError::Unmet)
            }
            Ok(accepted) => {
                if let Some(kind) = accepted.raises {
                    return Err(HalFakeError::Injected(*kind));
                }
                Ok(self
                    .answers
                    .get(accepted.call.index())
                    .copied()
                    .unwrap_or_default())
            }
        }
    }

    /// A failure the engine cannot see (in this crate's own words), kept like the engine's.
    pub(super) fn fail(&mut self, message: fmt::Arguments<'_>) -> HalFakeError<K> {
        self.verified = false;
        record(&mut self.failure, &mut self.failed, message);
        HalFakeError::Unmet
    }

    /// The fake's name, for messages in this crate's own words.
    pub(super) fn name(&self) -> &'a str {
        self.name
    }

    /// The first failure met since the last verification, as Fudge words it.
    pub(super) fn failure(&self) -> Option<&str> {
        self.failed.then_some(self.failure.as_str())
    }

    /// Every expected call was made, in order, and nothing failed on the way; then the calls
    /// are forgotten (Fudge's `verify`), so the same script can be played again.
    pub(super) fn verify(&mut self) -> Result<(), Unverified<'_>> {
        self.verified = true;
        if !self.failed {
            if let Err(report) = self.fakes.verify() {
                record(&mut self.failure, &mut self.failed, report);
            }
        } else {
            self.fakes.clear_calls();
        }
        if self.failed {
            self.failed = false;
            Err(Unverified(self.failure.as_str()))
        } else {
            Ok(())
        }
    }

    /// What happens when the fake is dropped unverified and its check fails.
    pub(super) fn on_unverified(&mut self, hook: fn(&str)) {
        self.hook = Some(hook);
    }
}

/// The check that cannot be forgotten: a fake dropped without a verification since its last
/// call is verified now. A failure goes to the hook given with `on_unverified`; without one,
/// with the `std` feature, it panics with Fudge's message (or, while the thread is already
/// panicking, where a second panic would abort the test run, prints it to stderr); without
/// `std` and without a hook nothing can be told, which is why `verify` is `#[must_use]`.
impl<K, R, const CALLS: usize, const ARGS: usize, const MSG: usize> Drop
    for Script<'_, K, R, CALLS, ARGS, MSG>
{
    fn drop(&mut self) {
        if self.verified {
            return;
        }
        self.verified = true;
        if !self.failed {
            if let Err(report) = self.fakes.verify() {
                record(&mut self.failure, &mut self.failed, report);
            }
        }
        if !self.failed {
            return;
        }
        let message = self.failure.as_str();
        match self.hook {
            Some(hook) => hook(message),
            None => unverified_without_hook(message),
        }
    }
}

/// A host test's fake dropped unverified, with a failure and no hook: panics with the message,
/// or, while the thread is already panicking, prints it to stderr.
#[cfg(feature = "std")]
fn unverified_without_hook(message: &str) {
    if std::thread::panicking() {
        std::eprintln!("{message}");
    } else {
        panic!("{message}");
    }
}

/// On a target without a hook nothing can be told (see the `Drop` of [`Script`]).
#[cfg(not(feature = "std"))]
fn unverified_without_hook(_message: &str) {}
