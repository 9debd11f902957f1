//! Errors as values: an expectation that was not met ([`Unmet`]) is a different thing from a
//! fake that was declared wrongly ([`DeclarationError`]).

use core::fmt;

use super::registry::{CallId, FakeId};

/// A table of a registry, named when it runs out of room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// Fakes.
    Fakes,
    /// Declared methods (and callables).
    Methods,
    /// Declared calls.
    Calls,
    /// Declared argument values.
    Args,
    /// Attributes.
    Attributes,
}

/// A mistake in how a fake was declared (Fudge's `FakeDeclarationError`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeclarationError {
    /// A call-level declaration (`returns`, `with_args`, ...) came before any call was declared.
    NoCall,
    /// `next_call_for(method)` names a method the fake has not declared.
    NextCallUnknownMethod,
    /// `next_call()` came before any call was declared.
    NextCallWithoutCall,
    /// `next_call()` on a call that has `times_called()`.
    NextCallWithTimesCalled,
    /// `times_called()` on a sequence started by `next_call()`.
    TimesCalledWithNextCall,
    /// `remember_order()` on a callable fake.
    OrderOnCallable,
    /// The fake id does not belong to this registry (or the registry was cleared).
    UnknownFake,
    /// A table is full: a fixed table at its capacity, or any table at 65,534 items (ids
    /// and counts are `u16`).
    Full(Table),
    /// `with_arg_count()` or `with_kwarg_count()` with a count above `u32::MAX`, which the
    /// engine cannot check (it would otherwise be taken as `u32::MAX`).
    CountTooLarge,
}

impl fmt::Display for DeclarationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // Fudge's FakeDeclarationError texts, with this library's names for its API.
            DeclarationError::NoCall => f.write_str(
                "Call to a method that expects a predefined call but no such call exists.  \
                 Maybe you forgot expects(\"method\") or provides(\"method\") ?",
            ),
            // The std crate names the method: next_call_for("m") is not possible; ...
            DeclarationError::NextCallUnknownMethod => f.write_str(
                "next_call_for() is not possible for a method not declared; \
                 declare expects() or provides() first",
            ),
            DeclarationError::NextCallWithoutCall => {
                f.write_str("next_call() must follow provides(), expects() or is_callable()")
            }
            DeclarationError::NextCallWithTimesCalled => {
                f.write_str("Cannot use next_call() in combination with times_called()")
            }
            DeclarationError::TimesCalledWithNextCall => {
                f.write_str("Cannot use times_called() in combination with next_call()")
            }
            DeclarationError::OrderOnCallable => f.write_str(
                "remember_order() cannot be used for Fake.is_callable() or Fake.expects_call()",
            ),
            // Fudge has no counterpart of these three: its tables grow and its ids are objects.
            DeclarationError::UnknownFake => f.write_str("no such fake in this registry"),
            DeclarationError::CountTooLarge => {
                f.write_str("with_arg_count() and with_kwarg_count() take counts up to 4294967295")
            }
            DeclarationError::Full(table) => {
                let what = match table {
                    Table::Fakes => "fake",
                    Table::Methods => "declared method",
                    Table::Calls => "declared call",
                    Table::Args => "declared argument",
                    Table::Attributes => "attribute",
                };
                write!(
                    f,
                    "no room for another {what}: the registry's capacity is reached"
                )
            }
        }
    }
}

impl core::error::Error for DeclarationError {}

/// What went wrong with a remembered order (the part before `; Expected: ...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderProblem {
    /// `Not enough calls were made`
    NotEnough,
    /// `Only N call(s) ... made`
    Only(u16),
    /// `Call #N was <call>`
    CallWas {
        /// 1-based position.
        position: u16,
        /// The call that was made there.
        call: CallId,
    },
    /// `#N <call> was unexpected`
    Unexpected {
        /// 1-based position.
        position: u16,
        /// The first call past the expected ones.
        call: CallId,
    },
}

/// An expectation that was not met. Rendered with Fudge's message templates by
/// [`Report`](super::Report).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unmet {
    /// `<call> was not called`
    NotCalled {
        /// The expected call.
        call: CallId,
    },
    /// `<call> was called N time(s). Expected M.`
    CalledTimes {
        /// The call.
        call: CallId,
        /// How often it was called.
        actual: u32,
        /// How often it should have been.
        expected: u32,
    },
    /// `<call> was called unexpectedly with args (...)`; when `kwarg` is set, only that named
    /// argument is shown after the positional ones (`with_matching_args`).
    UnexpectedArgs {
        /// The call.
        call: CallId,
        /// Index of the offending named argument, for `with_matching_args`.
        kwarg: Option<u16>,
    },
    /// `<call> was called with N arg(s) but expected M`
    ArgCount {
        /// The call.
        call: CallId,
        /// Positional arguments received.
        actual: u32,
        /// Positional arguments expected.
        expected: u32,
    },
    /// `<call> was called with N keyword arg(s) but expected M`
    KwargCount {
        /// The call.
        call: CallId,
        /// Named arguments received.
        actual: u32,
        /// Named arguments expected.
        expected: u32,
    },
    /// `<call> was called unexpectedly with arg <value>`
    UnwantedArg {
        /// The call.
        call: CallId,
        /// The `without_args` declaration that matched.
        spec: u16,
    },
    /// `<call> was called unexpectedly with kwarg <name>=<value>`
    UnwantedKwarg {
        /// The call.
        call: CallId,
        /// The `without_kwargs` declaration that matched.
        spec: u16,
    },
    /// `<problem>; Expected: #1 <call>, ..., end`
    Order {
        /// The fake whose order was broken.
        fake: FakeId,
        /// What happened.
        problem: OrderProblem,
    },
    /// `This attribute of <fake> can only be called N time(s).  Call reset() if necessary or
    /// fake::clear_calls().`
    Exhausted {
        /// The fake.
        fake: FakeId,
        /// Length of the declared sequence.
        calls: u16,
    },
    /// `<fake> object does not allow call or attribute '<name>' (maybe you want
    /// Fake.is_a_stub() ?)`
    NotAllowed {
        /// The fake.
        fake: FakeId,
    },
    /// `<fake> object cannot be called (maybe you want Fake.is_callable() ?)`
    NotCallable {
        /// The fake.
        fake: FakeId,
    },
    /// An attribute holding a plain value was called like a method.
    AttributeNotCallable {
        /// The fake.
        fake: FakeId,
    },
}

/// Either kind of failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// An expectation was not met (Fudge's `AssertionError`).
    Unmet(Unmet),
    /// The fake was declared wrongly (Fudge's `FakeDeclarationError`).
    Declaration(DeclarationError),
}

impl From<DeclarationError> for Failure {
    fn from(e: DeclarationError) -> Self {
        Failure::Declaration(e)
    }
}

impl From<Unmet> for Failure {
    fn from(u: Unmet) -> Self {
        Failure::Unmet(u)
    }
}
