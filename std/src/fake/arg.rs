//! Argument inspectors, Fudge's `arg` and `arg_not`: use them inside
//! [`args!`](crate::args) in declarations.
//!
//! ```
//! use capturemock::{args, fake::{self, arg, Fake}};
//!
//! fake::test(|| {
//!     let counter = Fake::new("counter")
//!         .expects("increment")
//!         .with_args(args![arg::any(), table = arg::endswith("hits")]);
//!     let _ = counter.call("increment", args![999, table = "image_hits"]);
//! });
//! ```

use capturemock_core::fake::arg as core_arg;
pub use capturemock_core::fake::ValueKind;

use super::args::{Arg, Args};
use super::family::{Matcher, StdFamily, Test};
use super::value::{ToValue, Value};

/// Equal to `value`.
pub fn eq(value: impl ToValue) -> Matcher {
    core_arg::eq::<StdFamily>(value.to_value())
}

/// Any value (`arg.any()`).
pub fn any() -> Matcher {
    core_arg::any()
}

/// Any value: Fudge's deprecated spelling of [`any`].
pub fn any_value() -> Matcher {
    core_arg::any_value()
}

/// A value containing `part`: a substring, a list element, a sub-slice of bytes, a struct
/// field name (Python's `part in value`).
pub fn contains(part: impl ToValue) -> Matcher {
    core_arg::contains::<StdFamily>(part.to_value())
}

/// A string, number or boolean whose text starts with `part` (Fudge tests `str(value)`), a
/// value recorded by its `Debug` text starting with it, or bytes starting with the byte string
/// `part`.
pub fn startswith(part: impl ToValue) -> Matcher {
    core_arg::startswith::<StdFamily>(bytes_or_value(part))
}

/// A value whose text ends with `part`.
pub fn endswith(part: impl ToValue) -> Matcher {
    core_arg::endswith::<StdFamily>(bytes_or_value(part))
}

/// A struct value having at least these fields, given as named arguments:
/// `arg::has_attr(args![first_name = "Bob"])`.
pub fn has_attr(fields: Args) -> Matcher {
    core_arg::has_attr::<StdFamily>(record(fields))
}

/// A value for which `test` returns true.
/// The test runs while the thread's fake registry is in use, so it must not use fakes
/// itself: that panics with a message saying so rather than deadlocking or miscounting.
pub fn passes_test(test: impl Fn(&Value) -> bool + 'static) -> Matcher {
    core_arg::passes::<StdFamily>(Test::new(test))
}

/// A value of this kind (Python's `isinstance`); `ValueKind::Named("User")` matches a struct or
/// a `Debug`-recorded value of a type named `User`.
pub fn isinstance(kind: ValueKind) -> Matcher {
    core_arg::isinstance(kind)
}

/// A value of any of these kinds (Python's `isinstance(value, (int, str))`), shown as
/// `arg.isinstance(("int", "str"))`.
///
/// ```
/// use capturemock::{args, fake::{arg::{self, ValueKind}, Fake}};
/// let f = Fake::new("f").provides("put")
///     .with_args(args![arg::isinstance_of(&[ValueKind::Int, ValueKind::Str])]);
/// let _ = f.call("put", args![7]);
/// let _ = f.call("put", args!["seven"]);
/// assert_eq!(
///     f.try_call("put", args![7.5]).unwrap_err().to_string(),
///     "fake:f.put(arg.isinstance((\"int\", \"str\"))) was called unexpectedly with args (7.5)"
/// );
/// ```
pub fn isinstance_of(kinds: &'static [ValueKind]) -> Matcher {
    core_arg::isinstance_of(kinds)
}

/// `&[u8]` and `Vec<u8>` record as lists of numbers; anchored tests want them as bytes.
/// A list whose items all fit in a byte is read as a byte string; an empty list stays a
/// list, since nothing says it was meant as bytes.
fn bytes_or_value(part: impl ToValue) -> Value {
    let value = part.to_value();
    let bytes: Option<Vec<u8>> = value.as_list().and_then(|items| {
        items
            .iter()
            .map(|v| v.as_int().and_then(|i| u8::try_from(i).ok()))
            .collect()
    });
    match bytes {
        Some(b) if !b.is_empty() => Value::Bytes(b),
        _ => value,
    }
}

/// The expected attributes of `has_attr` as a struct without a name, which the core compares
/// field by field with the argument's; inspectors make no sense inside it, so they panic.
fn record(fields: Args) -> Value {
    let values = fields.named.into_iter().map(|(name, arg)| match arg {
        Arg::Value(v) => (name.to_owned(), v),
        Arg::Inspect(m) => panic!("arg::has_attr takes values, not the inspector {m:?}"),
    });
    Value::Struct(String::new(), values.collect())
}

/// Fudge's `arg_not`: the inverted inspectors.
pub mod not {
    use super::*;

    /// Any value other than `value` (Fudge's `arg_not(value)`).
    pub fn eq(value: impl ToValue) -> Matcher {
        core_arg::not::eq::<StdFamily>(value.to_value())
    }
    /// Matches nothing.
    pub fn any() -> Matcher {
        core_arg::not::any()
    }
    /// A value not containing `part`.
    pub fn contains(part: impl ToValue) -> Matcher {
        core_arg::not::contains::<StdFamily>(part.to_value())
    }
    /// A value not starting with `part`.
    pub fn startswith(part: impl ToValue) -> Matcher {
        core_arg::not::startswith::<StdFamily>(bytes_or_value(part))
    }
    /// A value not ending with `part`.
    pub fn endswith(part: impl ToValue) -> Matcher {
        core_arg::not::endswith::<StdFamily>(bytes_or_value(part))
    }
    /// A value lacking one of these fields (or their values).
    pub fn has_attr(fields: Args) -> Matcher {
        core_arg::not::has_attr::<StdFamily>(record(fields))
    }
    /// A value for which `test` returns false.
    pub fn passes_test(test: impl Fn(&Value) -> bool + 'static) -> Matcher {
        core_arg::not::passes::<StdFamily>(Test::new(test))
    }
    /// A value not of this kind.
    pub fn isinstance(kind: ValueKind) -> Matcher {
        core_arg::not::isinstance(kind)
    }
    /// A value of none of these kinds.
    pub fn isinstance_of(kinds: &'static [ValueKind]) -> Matcher {
        core_arg::not::isinstance_of(kinds)
    }
}
