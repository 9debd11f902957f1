//! Injection, Rust's answer to Fudge's `patch`: [`fake_impl!`](crate::fake_impl) implements a
//! trait by forwarding every method to a [`Fake`], so code under test receives the fake
//! wherever it would receive the real object.

use std::marker::PhantomData;

use super::handle::Fake;
use super::reply::Reply;

/// A type that forwards trait methods to a fake: [`Fake`] itself, or a newtype of yours
/// (needed for traits of other crates, which Rust lets you implement only for your own types).
///
/// ```
/// use capturemock::fake::{AsFake, Fake};
/// struct Uart(Fake);
/// impl AsFake for Uart {
///     fn as_fake(&self) -> &Fake { &self.0 }
/// }
/// ```
pub trait AsFake {
    /// The fake calls go to.
    fn as_fake(&self) -> &Fake;
}

impl AsFake for Fake {
    fn as_fake(&self) -> &Fake {
        self
    }
}

/// Implements a trait for a fake: each method records its arguments by value, calls the
/// method of the same name on the fake, and turns the declared answer into its return type
/// (`returns` gives the value, or `Ok(value)` for a `Result`; `raises` gives `Err(error)`, or
/// panics with the error for other return types; nothing declared gives `()`, `Ok(())` or
/// `None`).
///
/// List the trait's methods (`&self` or `&mut self`, no generics, owned return types) and its
/// associated types:
///
/// ```
/// use capturemock::{args, fake_impl, fake::{self, Fake}};
///
/// trait Session {
///     fn open(&mut self, url: &str) -> Result<(), String>;
///     fn count(&self) -> usize;
///     fn close(&self);
/// }
///
/// fake_impl! {
///     impl Session for Fake {
///         fn open(&mut self, url: &str) -> Result<(), String>;
///         fn count(&self) -> usize;
///         fn close(&self);
///     }
/// }
///
/// fn run(session: &mut impl Session) -> usize {
///     session.open("db://").unwrap();
///     let n = session.count();
///     session.close();
///     n
/// }
///
/// fake::test(|| {
///     let mut session = Fake::new("session")
///         .expects("open").with_args(args!["db://"])
///         .expects("count").returns(3)
///         .expects("close");
///     assert_eq!(run(&mut session), 3);
/// });
/// ```
#[macro_export]
macro_rules! fake_impl {
    ($(#[$attr:meta])* impl $($trait:ident)::+ for $ty:ty { $($body:tt)* }) => {
        $(#[$attr])*
        impl $($trait)::+ for $ty {
            $crate::__fake_items! { $($body)* }
        }
    };
}

/// One arm per item form: associated types are copied, `&self` and `&mut self` methods are
/// forwarded. Generic methods and methods taking `self` by value have no arm, so they fail
/// to match, with the compiler naming the item.
#[doc(hidden)]
#[macro_export]
macro_rules! __fake_items {
    () => {};
    ($(#[$m:meta])* type $name:ident = $t:ty; $($rest:tt)*) => {
        $(#[$m])* type $name = $t;
        $crate::__fake_items! { $($rest)* }
    };
    ($(#[$m:meta])* fn $name:ident(&self $(, $arg:ident : $argty:ty)* $(,)?) $(-> $ret:ty)?; $($rest:tt)*) => {
        $(#[$m])*
        fn $name(&self $(, $arg: $argty)*) $(-> $ret)? {
            $crate::__fake_forward!(self, $name, ($($arg),*) $(, $ret)?)
        }
        $crate::__fake_items! { $($rest)* }
    };
    ($(#[$m:meta])* fn $name:ident(&mut self $(, $arg:ident : $argty:ty)* $(,)?) $(-> $ret:ty)?; $($rest:tt)*) => {
        $(#[$m])*
        fn $name(&mut self $(, $arg: $argty)*) $(-> $ret)? {
            $crate::__fake_forward!(self, $name, ($($arg),*) $(, $ret)?)
        }
        $crate::__fake_items! { $($rest)* }
    };
}

/// The body of a forwarded method: each argument recorded with `args!`'s conversions, the
/// call made on the fake under the method's name, the answer turned into the return type
/// (see [`Want`]); no return type means `()`.
#[doc(hidden)]
#[macro_export]
macro_rules! __fake_forward {
    ($self:ident, $name:ident, ($($arg:ident),*)) => {
        $crate::__fake_forward!($self, $name, ($($arg),*), ())
    };
    ($self:ident, $name:ident, ($($arg:ident),*), $ret:ty) => {{
        #[allow(unused_mut)]
        let mut args = $crate::fake::Args::new();
        $( args.push($crate::__fake_arg!($arg)); )*
        let reply = $crate::fake::AsFake::as_fake(&*$self).call(stringify!($name), args);
        #[allow(unused_imports)]
        use $crate::fake::__private::{ViaOption as _, ViaPlain as _, ViaResult as _};
        (&&&$crate::fake::__private::Want::<$ret>::new()).__fake_convert(reply)
    }};
}

/// What `__fake_forward!` dispatches the return conversion on.
/// No value of the return type is at hand, so this zero-sized marker carries the type; the
/// `fn() -> R` keeps it `Send`, `Sync` and covariant whatever `R` is.
#[doc(hidden)]
pub struct Want<R>(PhantomData<fn() -> R>);

impl<R> Want<R> {
    #[doc(hidden)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Want(PhantomData)
    }
}

/// Tried first (`&&&Want` reaches `&&Want<Result<..>>` by one auto-deref): a `Result`
/// return takes [`Reply::result`], so a declared error becomes `Err`.
#[doc(hidden)]
pub trait ViaResult {
    type Out;
    fn __fake_convert(&self, reply: Reply) -> Self::Out;
}
impl<T: 'static, E: 'static> ViaResult for &&Want<Result<T, E>> {
    type Out = Result<T, E>;
    fn __fake_convert(&self, reply: Reply) -> Result<T, E> {
        reply.result()
    }
}

/// Tried second: an `Option` return takes [`Reply::option`], so nothing declared is `None`.
#[doc(hidden)]
pub trait ViaOption {
    type Out;
    fn __fake_convert(&self, reply: Reply) -> Self::Out;
}
impl<T: 'static> ViaOption for &Want<Option<T>> {
    type Out = Option<T>;
    fn __fake_convert(&self, reply: Reply) -> Option<T> {
        reply.option()
    }
}

/// Tried last, for any other type: [`Reply::get`], which panics with a declared error, since
/// the method has no way to return one.
#[doc(hidden)]
pub trait ViaPlain {
    type Out;
    fn __fake_convert(&self, reply: Reply) -> Self::Out;
}
impl<R: 'static> ViaPlain for Want<R> {
    type Out = R;
    fn __fake_convert(&self, reply: Reply) -> R {
        reply.get()
    }
}
