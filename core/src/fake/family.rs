//! What the engine is generic over: the types a fake stores ([`Family`]) and where it stores
//! them ([`RegistryStorage`]).
//!
//! The core brings [`Borrowed`] (values borrow from the caller, nothing is allocated) and
//! [`Fixed`] (every table is a `heapless::Vec` with its capacity in the type). The std crate
//! brings its own family (owned values) and its own [`RegistryStorage`], whose tables grow on
//! the heap: the core never allocates, so tables that do are not here.

use core::fmt;
use core::marker::PhantomData;

use super::value::{ArgValue, ValueRef};

/// The types one family of fakes works with.
pub trait Family {
    /// Names of fakes, methods and attributes.
    type Name: AsRef<str> + Clone;
    /// Values stored by declarations (`with_args`, inspectors).
    type Value: ArgValue;
    /// Actual arguments of a call; they may borrow data that lives only for the call.
    type Arg<'c>: ArgValue;
    /// The function behind `arg::passes_test`.
    type Test: ArgTest<Self>;
    /// What `returns` and `has_attr` store.
    type Return;
    /// What `raises` stores.
    type Raise;
    /// What `calls` stores. The engine never runs it: it hands it back to the caller.
    type Calls;
}

/// A test for `arg::passes_test`.
pub trait ArgTest<F: Family + ?Sized> {
    /// Whether the argument passes.
    fn passes(&self, arg: &F::Arg<'_>) -> bool;
    /// How the test is shown in messages, e.g. `<function is_valid>`.
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result;
}

/// Renders a function's type name the way messages show it: `<function is_valid>` for a
/// function item, `<closure in test_status>` for a closure.
pub fn describe_fn(type_name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let base = type_name
        .split_once('<')
        .map_or(type_name, |(base, _)| base);
    let mut parts = base.rsplit("::");
    // `rsplit` yields at least one piece (all of `base` when it has no `::`): the fallback
    // is never taken.
    let last = parts.next().unwrap_or(base);
    if last == "{{closure}}" {
        // A closure is named after the item it is in; `?` if only closures enclose it (no
        // type name the compiler gives looks like that, but it is no reason to fail).
        let outer = parts.find(|p| *p != "{{closure}}").unwrap_or("?");
        write!(f, "<closure in {outer}>")
    } else {
        write!(f, "<function {last}>")
    }
}

/// A growable or fixed table, the one operation set the engine needs.
pub trait Pool<X>: Default {
    /// Appends, or hands the item back when full.
    fn push(&mut self, item: X) -> Result<(), X>;
    /// All items, oldest first.
    fn as_slice(&self) -> &[X];
    /// All items, oldest first.
    fn as_mut_slice(&mut self) -> &mut [X];
    /// Removes everything.
    fn clear(&mut self);
}

impl<X, const N: usize> Pool<X> for heapless::Vec<X, N> {
    fn push(&mut self, item: X) -> Result<(), X> {
        heapless::Vec::push(self, item)
    }
    fn as_slice(&self) -> &[X] {
        heapless::Vec::as_slice(self)
    }
    fn as_mut_slice(&mut self) -> &mut [X] {
        heapless::Vec::as_mut_slice(self)
    }
    fn clear(&mut self) {
        heapless::Vec::clear(self)
    }
}

/// Where a registry keeps its tables: fixed arrays ([`Fixed`]) on a device, tables that grow
/// on the heap in the std crate. Named for the registry, beside the replay table's own
/// [`Storage`](crate::replay::Storage).
pub trait RegistryStorage {
    /// Fakes.
    type Fakes<X>: Pool<X>;
    /// Declared calls, methods and remembered orders.
    type Calls<X>: Pool<X>;
    /// Declared argument values and attributes.
    type Args<X>: Pool<X>;
}

/// Fixed capacity tables: at most `FAKES` fakes, `CALLS` declared calls (and as many methods),
/// `ARGS` declared argument values (and as many attributes). Running out is a
/// [`DeclarationError`](super::DeclarationError), never a panic.
pub struct Fixed<const FAKES: usize, const CALLS: usize, const ARGS: usize>;

impl<const FAKES: usize, const CALLS: usize, const ARGS: usize> RegistryStorage
    for Fixed<FAKES, CALLS, ARGS>
{
    type Fakes<X> = heapless::Vec<X, FAKES>;
    type Calls<X> = heapless::Vec<X, CALLS>;
    type Args<X> = heapless::Vec<X, ARGS>;
}

/// The core family: names and values borrow for `'a`, `raises` stores an `E`.
pub struct Borrowed<'a, E = ValueRef<'a>>(PhantomData<Marker<'a, E>>);

type Marker<'a, E> = (&'a (), fn() -> E);

/// What `calls` stores in the core family: it gets the actual positional and named arguments.
pub type CallsFn<'a> = &'a dyn Fn(&[ValueRef<'_>], &[(&str, ValueRef<'_>)]) -> ValueRef<'a>;

/// A borrowed test function and the name it is shown by.
pub struct TestFn<'a> {
    test: &'a dyn Fn(&ValueRef<'_>) -> bool,
    type_name: &'static str,
}

impl<'a> TestFn<'a> {
    /// Wraps a function or closure.
    pub fn new<T: Fn(&ValueRef<'_>) -> bool>(test: &'a T) -> Self {
        TestFn {
            test,
            type_name: core::any::type_name::<T>(),
        }
    }
}

impl Clone for TestFn<'_> {
    fn clone(&self) -> Self {
        *self
    }
}
impl Copy for TestFn<'_> {}

impl<'a, E> ArgTest<Borrowed<'a, E>> for TestFn<'a> {
    fn passes(&self, arg: &ValueRef<'_>) -> bool {
        (self.test)(arg)
    }
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        describe_fn(self.type_name, f)
    }
}

impl<'a, E> Family for Borrowed<'a, E> {
    type Name = &'a str;
    type Value = ValueRef<'a>;
    type Arg<'c> = ValueRef<'c>;
    type Test = TestFn<'a>;
    type Return = ValueRef<'a>;
    type Raise = E;
    type Calls = CallsFn<'a>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;

    struct Describe(&'static str);
    impl fmt::Display for Describe {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            describe_fn(self.0, f)
        }
    }

    #[test]
    fn function_names() {
        assert_eq!(
            format!("{}", Describe("my::mod::is_valid")),
            "<function is_valid>"
        );
        assert_eq!(
            format!("{}", Describe("my::mod::status::{{closure}}")),
            "<closure in status>"
        );
    }

    #[test]
    fn fixed_pools_refuse_when_full() {
        let mut pool: heapless::Vec<u8, 1> = Default::default();
        assert_eq!(Pool::push(&mut pool, 1), Ok(()));
        assert_eq!(Pool::push(&mut pool, 2), Err(2));
        assert_eq!(Pool::as_slice(&pool), &[1]);
    }
}
