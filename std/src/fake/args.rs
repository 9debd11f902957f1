//! Argument lists: [`args!`](crate::args) builds one for a declaration (values and
//! inspectors) or for a call (values).

use std::any::type_name;
use std::fmt::Debug;

use super::family::{Called, Matcher};
use super::value::{ToValue, Value};

/// One argument of an [`Args`] list.
#[derive(Clone, Debug)]
pub enum Arg {
    /// A value.
    Value(Value),
    /// An inspector (only meaningful in declarations).
    Inspect(Matcher),
}

impl Arg {
    /// A declared argument as the core engine matches it: a value means equality (Python's, see
    /// [`Value`]).
    pub(crate) fn into_matcher(self) -> Matcher {
        match self {
            Arg::Value(v) => Matcher::Eq(v),
            Arg::Inspect(m) => m,
        }
    }
}

/// Positional and named arguments, built by [`args!`](crate::args).
///
/// ```
/// use capturemock::args;
/// use capturemock::fake::arg;
/// let declared = args![arg::any(), table = arg::endswith("hits")];
/// assert_eq!(declared.len(), 2);
/// let call = args![999, table = "image_hits"];
/// assert_eq!(format!("{call:?}"), "(999, table=\"image_hits\")");
/// ```
#[derive(Clone, Default)]
pub struct Args {
    /// In call order.
    pub(crate) positional: Vec<Arg>,
    /// `name = value` pairs, in the order written; names are `'static` because `args!` takes
    /// them from the source (`stringify!`).
    pub(crate) named: Vec<(&'static str, Arg)>,
}

impl Args {
    /// No arguments.
    pub fn new() -> Self {
        Args::default()
    }

    /// Adds a positional argument.
    pub fn push(&mut self, arg: Arg) {
        self.positional.push(arg);
    }

    /// Adds a named argument.
    pub fn push_named(&mut self, name: &'static str, arg: Arg) {
        self.named.push((name, arg));
    }

    /// How many arguments, positional and named.
    pub fn len(&self) -> usize {
        self.positional.len() + self.named.len()
    }

    /// Whether there are no arguments.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The values of a call; inspectors make no sense there.
    pub(crate) fn into_called(self) -> Result<Called, String> {
        let value = |arg: Arg| match arg {
            Arg::Value(v) => Ok(v),
            Arg::Inspect(m) => Err(format!(
                "{m:?} is an inspector: use it in declarations (with_args), not in calls"
            )),
        };
        Ok(Called {
            args: self
                .positional
                .into_iter()
                .map(value)
                .collect::<Result<_, _>>()?,
            kwargs: self
                .named
                .into_iter()
                .map(|(n, a)| value(a).map(|v| (n, v)))
                .collect::<Result<_, _>>()?,
        })
    }
}

/// As the arguments of a Python call read, `(999, table="image_hits")`, which is how Fudge's
/// messages show them.
impl Debug for Args {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("(")?;
        let mut sep = "";
        let show = |a: &Arg, f: &mut std::fmt::Formatter<'_>| match a {
            Arg::Value(v) => write!(f, "{v:?}"),
            Arg::Inspect(m) => write!(f, "{m:?}"),
        };
        for a in &self.positional {
            f.write_str(sep)?;
            show(a, f)?;
            sep = ", ";
        }
        for (n, a) in &self.named {
            write!(f, "{sep}{n}=")?;
            show(a, f)?;
            sep = ", ";
        }
        f.write_str(")")
    }
}

/// Builds an [`Args`](crate::fake::Args) list: positional values first, then `name = value`
/// pairs (Fudge's keyword arguments). Values are recorded with
/// [`ToValue`](crate::fake::ToValue) when they implement it, else by their `Debug` text;
/// inspectors from [`arg`](crate::fake::arg) are kept as they are.
///
/// ```
/// use capturemock::args;
/// assert!(args![].is_empty());
/// assert_eq!(format!("{:?}", args![25, table = "hits"]), "(25, table=\"hits\")");
/// ```
#[macro_export]
macro_rules! args {
    () => { $crate::fake::Args::new() };
    ($($tt:tt)+) => {{
        let mut args = $crate::fake::Args::new();
        $crate::__fake_args!(args; $($tt)+);
        args
    }};
}

#[doc(hidden)]
#[macro_export]
macro_rules! __fake_args {
    ($a:ident;) => {};
    ($a:ident; $name:ident = $value:expr $(, $($rest:tt)*)?) => {
        $a.push_named(stringify!($name), $crate::__fake_arg!($value));
        $($crate::__fake_args!($a; $($rest)*);)?
    };
    ($a:ident; $value:expr $(, $($rest:tt)*)?) => {
        $a.push($crate::__fake_arg!($value));
        $($crate::__fake_args!($a; $($rest)*);)?
    };
}

/// One argument, by the most specific conversion that applies (autoref specialization):
/// an inspector, a [`ToValue`], or any `Debug` value.
#[doc(hidden)]
#[macro_export]
macro_rules! __fake_arg {
    ($value:expr) => {{
        #[allow(unused_imports)]
        use $crate::fake::__private::{ViaDebug as _, ViaMatcher as _, ViaToValue as _};
        match &$value {
            value => (&&&$crate::fake::__private::Probe(value)).__fake_arg(),
        }
    }};
}

/// What `__fake_arg!` dispatches on.
#[doc(hidden)]
pub struct Probe<'a, T: ?Sized>(pub &'a T);

/// Tried first (`&&&Probe` reaches `&&Probe<Matcher>` by one auto-deref): an inspector is
/// kept as it is.
#[doc(hidden)]
pub trait ViaMatcher {
    fn __fake_arg(&self) -> Arg;
}
impl ViaMatcher for &&Probe<'_, Matcher> {
    fn __fake_arg(&self) -> Arg {
        Arg::Inspect(self.0.clone())
    }
}

/// Tried second: a value with [`ToValue`] is recorded by its structure, so it compares as
/// Python would compare it.
#[doc(hidden)]
pub trait ViaToValue {
    fn __fake_arg(&self) -> Arg;
}
impl<T: ToValue + ?Sized> ViaToValue for &Probe<'_, T> {
    fn __fake_arg(&self) -> Arg {
        Arg::Value(self.0.to_value())
    }
}

/// Tried last: any other `Debug` value, recorded by its type name and `Debug` text.
#[doc(hidden)]
pub trait ViaDebug {
    fn __fake_arg(&self) -> Arg;
}
impl<T: Debug + ?Sized> ViaDebug for Probe<'_, T> {
    fn __fake_arg(&self) -> Arg {
        Arg::Value(Value::Opaque {
            type_name: type_name::<T>(),
            text: format!("{:?}", self.0),
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::fake::arg;

    #[derive(Debug)]
    struct Point {
        x: i32,
    }

    #[test]
    fn picks_the_most_specific_conversion() {
        let p = Point { x: 1 };
        let a = args![1, "two", p, key = arg::any(), last = Some(3u8)];
        assert_eq!(
            format!("{a:?}"),
            "(1, \"two\", Point { x: 1 }, key=arg.any(), last=Some(3))"
        );
        assert_eq!(p.x, 1);
    }

    #[test]
    fn inspectors_are_refused_in_calls() {
        let err = args![arg::any()].into_called().unwrap_err();
        assert_eq!(
            err,
            "arg.any() is an inspector: use it in declarations (with_args), not in calls"
        );
    }
}
