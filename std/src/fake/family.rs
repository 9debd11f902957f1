//! The std family of the core engine: owned names and values, closures behind `Rc`, and
//! return values kept as type-erased producers so that each call gets a fresh one.

use std::any::{type_name, Any};
use std::borrow::Cow;
use std::fmt;
use std::rc::Rc;

use capturemock_core::fake::{describe_fn, ArgTest, Family};

use super::value::Value;

/// The std crate's [`Family`]: used through [`Fake`](super::Fake), rarely named.
/// Closures are behind `Rc`, not `Arc`: a fake belongs to the thread that made it (the
/// registry is per thread), so nothing here needs to be `Send`.
pub struct StdFamily;

/// Owned names and values: names are `Cow` so a literal costs no allocation while a built
/// name is still possible; arguments are owned `Value`s so that a call's record outlives the
/// call's borrows; answers are `Produce`s, made anew for each call.
impl Family for StdFamily {
    type Name = Cow<'static, str>;
    type Value = Value;
    type Arg<'c> = Value;
    type Test = Test;
    type Return = Produce;
    type Raise = Produce;
    type Calls = Replacement;
}

/// A declared argument: a value or an inspector (see [`arg`](super::arg)).
pub type Matcher = capturemock_core::fake::arg::Matcher<StdFamily>;

/// The function of `arg::passes_test`.
#[derive(Clone)]
pub struct Test {
    /// The inspector.
    test: Rc<dyn Fn(&Value) -> bool>,
    /// The closure's type name: how an inspector function is described in messages (the core's
    /// `describe_fn`).
    type_name: &'static str,
}

impl Test {
    pub(crate) fn new<T: Fn(&Value) -> bool + 'static>(test: T) -> Self {
        Test {
            test: Rc::new(test),
            type_name: type_name::<T>(),
        }
    }
}

impl ArgTest<StdFamily> for Test {
    fn passes(&self, arg: &Value) -> bool {
        (self.test)(arg)
    }
    fn describe(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        describe_fn(self.type_name, f)
    }
}

/// A declared return value or error: made anew for every call, so that values need not be
/// `Clone` at the call site.
#[derive(Clone)]
pub struct Produce {
    /// Makes the value, boxed as `Any` because one family serves every return type; the call
    /// turns it into the type the caller asks for.
    make: Rc<dyn Fn() -> Box<dyn Any>>,
    /// The value's type, named when the caller asks for a type it cannot become.
    pub(crate) type_name: &'static str,
    /// For errors: their `Display` text, shown when a method that cannot return an error
    /// raises one.
    pub(crate) message: Option<Rc<str>>,
}

impl Produce {
    /// For `returns(value)` and `raises(error)`: each call gets a clone.
    pub(crate) fn clone_of<V: Clone + 'static>(value: V) -> Self {
        Produce {
            make: Rc::new(move || Box::new(value.clone())),
            type_name: type_name::<V>(),
            message: None,
        }
    }

    /// For `returns_with` and `raises_with`: values that are not `Clone`, made by `make`.
    pub(crate) fn from_fn<V: 'static>(make: impl Fn() -> V + 'static) -> Self {
        Produce {
            make: Rc::new(move || Box::new(make())),
            type_name: type_name::<V>(),
            message: None,
        }
    }

    pub(crate) fn with_message(mut self, message: String) -> Self {
        self.message = Some(message.into());
        self
    }

    /// A fresh value for this call.
    pub(crate) fn make(&self) -> Box<dyn Any> {
        (self.make)()
    }
}

/// The arguments a call received, as a `calls` function sees them.
#[derive(Debug, Clone, Default)]
pub struct Called {
    /// Positional arguments.
    pub args: Vec<Value>,
    /// Named arguments.
    pub kwargs: Vec<(&'static str, Value)>,
}

impl Called {
    /// The positional argument at `index`.
    pub fn arg(&self, index: usize) -> Option<&Value> {
        self.args.get(index)
    }

    /// The named argument `name`.
    pub fn kwarg(&self, name: &str) -> Option<&Value> {
        self.kwargs.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }
}

type RunFn = dyn Fn(&Called) -> Box<dyn Any>;

/// What `calls` stores: a function of the call's arguments.
#[derive(Clone)]
pub struct Replacement {
    /// The `calls` function, its result boxed as for [`Produce`].
    run: Rc<RunFn>,
    /// The function's result type, for messages.
    pub(crate) type_name: &'static str,
}

impl Replacement {
    pub(crate) fn new<R: 'static>(f: impl Fn(&Called) -> R + 'static) -> Self {
        Replacement {
            run: Rc::new(move |c| Box::new(f(c))),
            type_name: type_name::<R>(),
        }
    }

    /// Runs the `calls` function on this call's arguments.
    pub(crate) fn run(&self, called: &Called) -> Box<dyn Any> {
        (self.run)(called)
    }
}
