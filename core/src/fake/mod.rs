//! Fakes with call expectations: Fudge's model, allocation-free.
//!
//! Some collaborators should not be recorded at all: the test says what must happen to them.
//! A [`Registry`] holds fakes; [`Declare`] says what each one expects, allows and answers
//! ([`Declare::expects`], [`Declare::provides`], [`Declare::returns`], [`Declare::with_args`],
//! [`Declare::times_called`], [`Declare::next_call`], [`Declare::remember_order`], ...);
//! [`Registry::call`] plays a call against the declarations and [`Registry::verify`] checks
//! what was expected. Failures are values: a [`Report`] renders Fudge's message word for
//! word into any `fmt::Write` and tells an expectation that was not met ([`Unmet`]) from a
//! declaration mistake ([`DeclarationError`]).
//!
//! Capacity is in the type ([`Fixed`]): running out is a [`DeclarationError::Full`], never a
//! panic. The [`io`] module builds an `embedded-io` fake on the same engine, so a driver can
//! check its conversation with a peripheral on the target itself.
//!
//! ```
//! use capturemock_core::fake::{Fakes, ValueRef};
//!
//! let mut fakes: Fakes<'_> = Fakes::new();
//! let auth = fakes.fake("auth").unwrap();
//! fakes.on(auth).provides("login").unwrap().times_called(1).unwrap();
//! fakes.call(auth, "login", &[], &[]).unwrap();
//! let err = fakes.call(auth, "login", &[], &[]).err().unwrap();
//! assert_eq!(err.to_string(), "fake:auth.login() was called 2 time(s). Expected 1.");
//! ```

pub mod arg;
mod call;
mod compare;
mod declare;
mod error;
mod family;
#[cfg(feature = "embedded-hal")]
pub mod hal;
pub mod io;
mod order;
mod registry;
mod report;
mod text;
mod value;
mod verify;

pub use call::{Accepted, Answered, CONSTRUCTOR};
pub use compare::same;
pub use declare::Declare;
pub use error::{DeclarationError, Failure, OrderProblem, Table, Unmet};
pub use family::{
    describe_fn, ArgTest, Borrowed, CallsFn, Family, Fixed, Pool, RegistryStorage, TestFn,
};
pub use registry::{CallId, FakeId, Registry};
pub use report::{CallLabel, FakeLabel, Report};
pub use value::{ArgValue, Show, ValueKind, ValueRef, View};

/// The core family's registry with fixed capacity: `FAKES` fakes, `CALLS` declared calls,
/// `ARGS` declared argument values; `raises` stores an `E`.
pub type Fakes<
    'a,
    E = ValueRef<'a>,
    const FAKES: usize = 4,
    const CALLS: usize = 16,
    const ARGS: usize = 16,
> = Registry<Borrowed<'a, E>, Fixed<FAKES, CALLS, ARGS>>;

/// What a core-family call answers once its `calls` function ran and `raises` / `returns`
/// were applied: an [`Accepted`] call, resolved. (The std crate's fakes answer with their own
/// `capturemock::fake::Reply`, which converts to the caller's Rust type.)
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Resolved<'a> {
    /// Nothing was declared.
    Nothing,
    /// A value.
    Value(ValueRef<'a>),
    /// A fake of the registry.
    Fake(FakeId),
}

impl<'r, 'a, E> Accepted<'r, Borrowed<'a, E>> {
    /// Fudge's answer of a call: runs the `calls` function (if any) with the arguments, then
    /// fails with the `raises` error (if any), else answers the `returns` value, else the
    /// function's result.
    ///
    /// ```
    /// use capturemock_core::fake::{Fakes, Resolved, ValueRef};
    ///
    /// let hello = |_: &[ValueRef<'_>], _: &[(&str, ValueRef<'_>)]| ValueRef::Str("Why, hello there");
    /// let mut fakes: Fakes<'_> = Fakes::new();
    /// let f = fakes.unnamed_fake().unwrap();
    /// fakes.on(f).provides("hello").unwrap().calls(&hello).unwrap();
    /// let outcome = fakes.call(f, "hello", &[], &[]).unwrap();
    /// assert_eq!(outcome.resolve(&[], &[]), Ok(Resolved::Value(ValueRef::Str("Why, hello there"))));
    /// ```
    pub fn resolve(
        &self,
        positional: &[ValueRef<'_>],
        named: &[(&str, ValueRef<'_>)],
    ) -> Result<Resolved<'a>, &'r E> {
        let replaced = self.calls.map(|f| f(positional, named));
        if let Some(e) = self.raises {
            return Err(e);
        }
        Ok(match self.answer {
            Answered::Value(v) => Resolved::Value(*v),
            Answered::Fake(f) => Resolved::Fake(f),
            Answered::Nothing => replaced.map_or(Resolved::Nothing, Resolved::Value),
        })
    }
}

#[cfg(test)]
mod tests;
