//! Argument values as the expectation engine sees them.
//!
//! The engine never owns a particular value type: it only needs to *look* at values through
//! [`ArgValue::view`]. The core crate brings [`ValueRef`], which borrows everything it shows (so it
//! can live in a `static` or on a microcontroller's stack); the std crate brings an owned value
//! type. Both are compared, inspected and rendered by the same code.

use core::fmt;

/// A value that the engine can compare, inspect and render.
pub trait ArgValue {
    /// How a struct value names its fields.
    type Field: AsRef<str>;

    /// A borrowed view of this value.
    fn view(&self) -> View<'_, Self>
    where
        Self: Sized;
}

/// What a value looks like to the engine. Rendered the way Rust's `Debug` shows the same value.
pub enum View<'v, V: ArgValue> {
    /// `()`
    Unit,
    /// `true` / `false`
    Bool(bool),
    /// A signed integer.
    Int(i64),
    /// An unsigned integer.
    UInt(u64),
    /// A floating point number.
    Float(f64),
    /// A character.
    Char(char),
    /// A string, rendered with double quotes.
    Str(&'v str),
    /// A byte slice, rendered as a list of numbers like `&[u8]`'s `Debug`.
    Bytes(&'v [u8]),
    /// `None`
    None,
    /// `Some(..)`
    Some(&'v V),
    /// A list, rendered `[a, b]`.
    List(&'v [V]),
    /// A tuple, rendered `(a, b)`.
    Tuple(&'v [V]),
    /// A struct with named fields, rendered `Name { field: value }`.
    Struct {
        /// The type's name.
        name: &'v str,
        /// Field names and values.
        fields: &'v [(V::Field, V)],
    },
    /// A value known only by its `Debug` text (the std layer's fallback for arbitrary types).
    Opaque {
        /// The Rust type name (`core::any::type_name`).
        type_name: &'v str,
        /// The value's `Debug` text.
        text: &'v str,
    },
}

impl<V: ArgValue> Clone for View<'_, V> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<V: ArgValue> Copy for View<'_, V> {}

/// The kind of a value, for [`crate::fake::arg::isinstance`] (Python's `isinstance`). Named
/// for what it classifies, so that it is not taken for the traffic kinds of the std crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// `()`
    Unit,
    /// `bool`
    Bool,
    /// Any integer, signed or not.
    Int,
    /// A floating point number.
    Float,
    /// `char`
    Char,
    /// A string.
    Str,
    /// A byte slice.
    Bytes,
    /// `None` or `Some(..)`.
    Option,
    /// A list.
    List,
    /// A tuple.
    Tuple,
    /// A struct (or an opaque value) whose type is named like this; the last path segment of
    /// the type name is compared, so `"User"` matches `my_crate::model::User`.
    Named(&'static str),
}

impl ValueKind {
    /// The name shown in messages: `arg.isinstance("str")`.
    pub fn name(self) -> &'static str {
        match self {
            ValueKind::Unit => "()",
            ValueKind::Bool => "bool",
            ValueKind::Int => "int",
            ValueKind::Float => "float",
            ValueKind::Char => "char",
            ValueKind::Str => "str",
            ValueKind::Bytes => "bytes",
            ValueKind::Option => "Option",
            ValueKind::List => "list",
            ValueKind::Tuple => "tuple",
            ValueKind::Named(name) => name,
        }
    }

    /// Whether `value` is of this kind.
    pub fn matches<V: ArgValue>(self, value: &V) -> bool {
        match (self, value.view()) {
            (ValueKind::Unit, View::Unit)
            | (ValueKind::Bool, View::Bool(_))
            | (ValueKind::Int, View::Int(_) | View::UInt(_))
            | (ValueKind::Float, View::Float(_))
            | (ValueKind::Char, View::Char(_))
            | (ValueKind::Str, View::Str(_))
            | (ValueKind::Bytes, View::Bytes(_))
            | (ValueKind::Option, View::None | View::Some(_))
            | (ValueKind::List, View::List(_))
            | (ValueKind::Tuple, View::Tuple(_)) => true,
            (ValueKind::Named(want), View::Struct { name, .. }) => last_segment(name) == want,
            (ValueKind::Named(want), View::Opaque { type_name, .. }) => {
                last_segment(type_name) == want
            }
            _ => false,
        }
    }
}

/// `a::b::User<T>` -> `User`
fn last_segment(path: &str) -> &str {
    let base = path.split_once('<').map_or(path, |(base, _)| base);
    base.rsplit_once("::").map_or(base, |(_, last)| last)
}

/// Renders any [`ArgValue`] the way Rust's `Debug` renders the value it stands for.
pub struct Show<'v, V>(pub &'v V);

impl<V: ArgValue> fmt::Debug for Show<'_, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.view() {
            View::Unit => f.write_str("()"),
            View::Bool(b) => fmt::Debug::fmt(&b, f),
            View::Int(i) => fmt::Debug::fmt(&i, f),
            View::UInt(u) => fmt::Debug::fmt(&u, f),
            View::Float(x) => fmt::Debug::fmt(&x, f),
            View::Char(c) => fmt::Debug::fmt(&c, f),
            View::Str(s) => fmt::Debug::fmt(s, f),
            View::Bytes(b) => fmt::Debug::fmt(b, f),
            View::None => f.write_str("None"),
            View::Some(v) => f.debug_tuple("Some").field(&Show(v)).finish(),
            View::List(items) => f.debug_list().entries(items.iter().map(Show)).finish(),
            View::Tuple(items) => {
                let mut t = f.debug_tuple("");
                for item in items {
                    t.field(&Show(item));
                }
                t.finish()
            }
            View::Struct { name, fields } => {
                let mut s = f.debug_struct(name);
                for (field, value) in fields {
                    s.field(field.as_ref(), &Show(value));
                }
                s.finish()
            }
            View::Opaque { text, .. } => f.write_str(text),
        }
    }
}

/// An argument value that borrows what it shows: the core crate's [`ArgValue`].
///
/// It is `Copy` and allocates nothing, so declarations and calls on a device can use it
/// directly. The std crate's fakes use an owned `capturemock::fake::ValueRef` instead (strings,
/// lists and records it keeps after the call); `Ref` says which one this is.
///
/// ```
/// use capturemock_core::fake::ValueRef;
/// assert_eq!(format!("{:?}", ValueRef::from("hits")), "\"hits\"");
/// assert_eq!(format!("{:?}", ValueRef::Bytes(b"AT")), "[65, 84]");
/// assert_eq!(ValueRef::Int(5), ValueRef::UInt(5)); // numbers compare by value, as in Python
/// ```
#[derive(Clone, Copy)]
pub enum ValueRef<'a> {
    /// `()`
    Unit,
    /// A boolean.
    Bool(bool),
    /// A signed integer.
    Int(i64),
    /// An unsigned integer.
    UInt(u64),
    /// A floating point number.
    Float(f64),
    /// A character.
    Char(char),
    /// A string.
    Str(&'a str),
    /// Bytes.
    Bytes(&'a [u8]),
    /// `None`
    None,
    /// `Some(..)`
    Some(&'a ValueRef<'a>),
    /// A list of values.
    List(&'a [ValueRef<'a>]),
    /// A tuple of values.
    Tuple(&'a [ValueRef<'a>]),
    /// A struct: its name and its fields.
    Struct(&'a str, &'a [(&'a str, ValueRef<'a>)]),
}

impl<'a> ArgValue for ValueRef<'a> {
    type Field = &'a str;

    fn view(&self) -> View<'_, Self> {
        match *self {
            ValueRef::Unit => View::Unit,
            ValueRef::Bool(b) => View::Bool(b),
            ValueRef::Int(i) => View::Int(i),
            ValueRef::UInt(u) => View::UInt(u),
            ValueRef::Float(x) => View::Float(x),
            ValueRef::Char(c) => View::Char(c),
            ValueRef::Str(s) => View::Str(s),
            ValueRef::Bytes(b) => View::Bytes(b),
            ValueRef::None => View::None,
            ValueRef::Some(v) => View::Some(v),
            ValueRef::List(items) => View::List(items),
            ValueRef::Tuple(items) => View::Tuple(items),
            ValueRef::Struct(name, fields) => View::Struct { name, fields },
        }
    }
}

impl<'a> ValueRef<'a> {
    /// The string inside a [`ValueRef::Str`].
    pub fn as_str(&self) -> Option<&'a str> {
        match *self {
            ValueRef::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The bytes inside a [`ValueRef::Bytes`].
    pub fn as_bytes(&self) -> Option<&'a [u8]> {
        match *self {
            ValueRef::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// The number inside an integer value, if it fits an `i128` (it always does).
    pub fn as_int(&self) -> Option<i128> {
        match *self {
            ValueRef::Int(i) => Some(i128::from(i)),
            ValueRef::UInt(u) => Some(i128::from(u)),
            _ => None,
        }
    }

    /// The value of a [`ValueRef::Bool`].
    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            ValueRef::Bool(b) => Some(b),
            _ => None,
        }
    }
}

impl fmt::Debug for ValueRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&Show(self), f)
    }
}

impl PartialEq for ValueRef<'_> {
    fn eq(&self, other: &Self) -> bool {
        crate::fake::compare::same(self, other)
    }
}

macro_rules! from_signed {
    ($($t:ty),*) => {$(
        impl From<$t> for ValueRef<'_> {
            fn from(v: $t) -> Self {
                ValueRef::Int(i64::from(v))
            }
        }
    )*};
}
macro_rules! from_unsigned {
    ($($t:ty),*) => {$(
        impl From<$t> for ValueRef<'_> {
            fn from(v: $t) -> Self {
                ValueRef::UInt(u64::from(v))
            }
        }
    )*};
}
from_signed!(i8, i16, i32, i64);
from_unsigned!(u8, u16, u32, u64);

impl From<usize> for ValueRef<'_> {
    fn from(v: usize) -> Self {
        // usize is at most 64 bits on every target Rust supports.
        ValueRef::UInt(v as u64)
    }
}
impl From<isize> for ValueRef<'_> {
    fn from(v: isize) -> Self {
        ValueRef::Int(v as i64)
    }
}
impl From<bool> for ValueRef<'_> {
    fn from(v: bool) -> Self {
        ValueRef::Bool(v)
    }
}
impl From<char> for ValueRef<'_> {
    fn from(v: char) -> Self {
        ValueRef::Char(v)
    }
}
impl From<f64> for ValueRef<'_> {
    fn from(v: f64) -> Self {
        ValueRef::Float(v)
    }
}
impl From<f32> for ValueRef<'_> {
    fn from(v: f32) -> Self {
        ValueRef::Float(f64::from(v))
    }
}
impl From<()> for ValueRef<'_> {
    fn from((): ()) -> Self {
        ValueRef::Unit
    }
}
impl<'a> From<&'a str> for ValueRef<'a> {
    fn from(v: &'a str) -> Self {
        ValueRef::Str(v)
    }
}
impl<'a> From<&'a [u8]> for ValueRef<'a> {
    fn from(v: &'a [u8]) -> Self {
        ValueRef::Bytes(v)
    }
}
impl<'a, const N: usize> From<&'a [u8; N]> for ValueRef<'a> {
    fn from(v: &'a [u8; N]) -> Self {
        ValueRef::Bytes(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;

    #[test]
    fn renders_like_rust_debug() {
        assert_eq!(format!("{:?}", ValueRef::Int(-3)), "-3");
        assert_eq!(format!("{:?}", ValueRef::Float(1.0)), "1.0");
        assert_eq!(format!("{:?}", ValueRef::Str("a\"b")), "\"a\\\"b\"");
        assert_eq!(format!("{:?}", ValueRef::Char('x')), "'x'");
        assert_eq!(format!("{:?}", ValueRef::Bytes(&[1, 2])), "[1, 2]");
        assert_eq!(
            format!("{:?}", ValueRef::Some(&ValueRef::Int(1))),
            "Some(1)"
        );
        assert_eq!(format!("{:?}", ValueRef::None), "None");
        assert_eq!(format!("{:?}", ValueRef::Unit), "()");
        let items = [ValueRef::Str("red"), ValueRef::Str("blue")];
        assert_eq!(
            format!("{:?}", ValueRef::List(&items)),
            "[\"red\", \"blue\"]"
        );
        assert_eq!(
            format!("{:?}", ValueRef::Tuple(&items)),
            "(\"red\", \"blue\")"
        );
        assert_eq!(format!("{:?}", ValueRef::Tuple(&items[..1])), "(\"red\",)");
        let fields = [("first_name", ValueRef::Str("Bob"))];
        assert_eq!(
            format!("{:?}", ValueRef::Struct("User", &fields)),
            "User { first_name: \"Bob\" }"
        );
    }

    #[test]
    fn kinds() {
        assert!(ValueKind::Int.matches(&ValueRef::UInt(3)));
        assert!(ValueKind::Str.matches(&ValueRef::Str("x")));
        assert!(!ValueKind::Str.matches(&ValueRef::Int(31337)));
        assert!(ValueKind::Named("User").matches(&ValueRef::Struct("model::User", &[])));
        assert_eq!(ValueKind::Named("User").name(), "User");
        assert_eq!(last_segment("a::b::C<d::E>"), "C");
    }
}
