//! Owned argument values: what a call records "by value", and how Rust values become one.

use std::borrow::Cow;
use std::fmt;
use std::rc::Rc;
use std::sync::Arc;

use capturemock_core::fake::{same, ArgValue, Show, View};

/// An argument value recorded by value. Compared like Python compares (integers by value
/// whatever their type, struct fields in any order) and shown the way Rust's `Debug` shows the
/// original value.
///
/// ```
/// use capturemock::fake::{ToValue, Value};
/// assert_eq!(format!("{:?}", "hits".to_value()), "\"hits\"");
/// assert_eq!(5u8.to_value(), 5i64.to_value());
/// assert_eq!(format!("{:?}", vec![Some(1), None].to_value()), "[Some(1), None]");
/// ```
#[derive(Clone)]
pub enum Value {
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
    Str(String),
    /// Bytes (`Vec<u8>` and `&[u8]` arguments are recorded as lists of numbers, which compare
    /// equal to these).
    Bytes(Vec<u8>),
    /// `None`
    None,
    /// `Some(..)`
    Some(Box<Value>),
    /// A list.
    List(Vec<Value>),
    /// A tuple.
    Tuple(Vec<Value>),
    /// A struct: its name and fields (see [`Value::record`]).
    Struct(String, Vec<(String, Value)>),
    /// Any other `Debug` value, known by its type name and `Debug` text.
    Opaque {
        /// `core::any::type_name` of the original value.
        type_name: &'static str,
        /// Its `Debug` text.
        text: String,
    },
}

impl Value {
    /// A struct value, for [`ToValue`] implementations of your own types (so that
    /// `arg::has_attr` can see their fields).
    ///
    /// ```
    /// use capturemock::fake::{ToValue, Value};
    /// struct User { first_name: String }
    /// impl ToValue for User {
    ///     fn to_value(&self) -> Value {
    ///         Value::record("User", [("first_name", self.first_name.to_value())])
    ///     }
    /// }
    /// let bob = User { first_name: "Bob".into() };
    /// assert_eq!(format!("{:?}", bob.to_value()), "User { first_name: \"Bob\" }");
    /// ```
    pub fn record<N: Into<String>>(
        name: impl Into<String>,
        fields: impl IntoIterator<Item = (N, Value)>,
    ) -> Value {
        Value::Struct(
            name.into(),
            fields.into_iter().map(|(n, v)| (n.into(), v)).collect(),
        )
    }

    /// The string inside a [`Value::Str`].
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The number inside an integer value.
    pub fn as_int(&self) -> Option<i128> {
        match self {
            Value::Int(i) => Some(i128::from(*i)),
            Value::UInt(u) => Some(i128::from(*u)),
            _ => None,
        }
    }

    /// The value of a [`Value::Bool`].
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The value of a [`Value::Float`] (or an integer, converted).
    /// Integers convert because Python compares `1 == 1.0` as equal.
    pub fn as_float(&self) -> Option<f64> {
        match self {
            Value::Float(x) => Some(*x),
            Value::Int(i) => Some(*i as f64),
            Value::UInt(u) => Some(*u as f64),
            _ => None,
        }
    }

    /// The items of a list or tuple.
    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(items) | Value::Tuple(items) => Some(items),
            _ => None,
        }
    }
}

/// The core engine's inspectors look at values through this view, so that they are written
/// once for std and `no_std` values.
impl ArgValue for Value {
    type Field = String;

    fn view(&self) -> View<'_, Self> {
        match self {
            Value::Unit => View::Unit,
            Value::Bool(b) => View::Bool(*b),
            Value::Int(i) => View::Int(*i),
            Value::UInt(u) => View::UInt(*u),
            Value::Float(x) => View::Float(*x),
            Value::Char(c) => View::Char(*c),
            Value::Str(s) => View::Str(s),
            Value::Bytes(b) => View::Bytes(b),
            Value::None => View::None,
            Value::Some(v) => View::Some(v),
            Value::List(items) => View::List(items),
            Value::Tuple(items) => View::Tuple(items),
            Value::Struct(name, fields) => View::Struct { name, fields },
            Value::Opaque { type_name, text } => View::Opaque { type_name, text },
        }
    }
}

/// As Rust's `Debug` shows the original value (the core's `Show`), for messages.
impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&Show(self), f)
    }
}

/// Python's comparison (the core's `same`), not structural equality: integers by value
/// whatever their type, struct fields in any order. Floats make it partial, hence no `Eq`.
impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        same(self, other)
    }
}

/// How a Rust value is recorded as an argument [`Value`]. Implemented for the primitive types,
/// strings, slices, `Vec`, arrays, `Option`, tuples and references; implement it for your own
/// types to show them as structs. Other `Debug` types are recorded by their `Debug` text.
pub trait ToValue {
    /// The recorded value.
    fn to_value(&self) -> Value;
}

/// Integers are recorded widened to `i64` or `u64`, so that a declared `5` equals whatever
/// integer type the call passes, as Python compares integers by value.
macro_rules! signed {
    ($($t:ty),*) => {$(
        impl ToValue for $t {
            fn to_value(&self) -> Value {
                Value::Int(i64::from(*self))
            }
        }
    )*};
}
macro_rules! unsigned {
    ($($t:ty),*) => {$(
        impl ToValue for $t {
            fn to_value(&self) -> Value {
                Value::UInt(u64::from(*self))
            }
        }
    )*};
}
signed!(i8, i16, i32, i64);
unsigned!(u8, u16, u32, u64);

/// An integer wider than 64 bits: `Int` or `UInt` when it fits, so that it still equals
/// narrower integers, else its decimal text.
fn wide(n: i128) -> Value {
    if let Ok(i) = i64::try_from(n) {
        Value::Int(i)
    } else if let Ok(u) = u64::try_from(n) {
        Value::UInt(u)
    } else {
        Value::Opaque {
            type_name: "i128",
            text: n.to_string(),
        }
    }
}

impl ToValue for i128 {
    fn to_value(&self) -> Value {
        wide(*self)
    }
}
impl ToValue for u128 {
    fn to_value(&self) -> Value {
        match i128::try_from(*self) {
            Ok(n) => wide(n),
            Err(_) => Value::Opaque {
                type_name: "u128",
                text: self.to_string(),
            },
        }
    }
}
impl ToValue for isize {
    fn to_value(&self) -> Value {
        wide(*self as i128)
    }
}
impl ToValue for usize {
    fn to_value(&self) -> Value {
        wide(*self as i128)
    }
}
impl ToValue for bool {
    fn to_value(&self) -> Value {
        Value::Bool(*self)
    }
}
impl ToValue for char {
    fn to_value(&self) -> Value {
        Value::Char(*self)
    }
}
impl ToValue for f32 {
    fn to_value(&self) -> Value {
        Value::Float(f64::from(*self))
    }
}
impl ToValue for f64 {
    fn to_value(&self) -> Value {
        Value::Float(*self)
    }
}
impl ToValue for () {
    fn to_value(&self) -> Value {
        Value::Unit
    }
}
impl ToValue for str {
    fn to_value(&self) -> Value {
        Value::Str(self.to_owned())
    }
}
impl ToValue for String {
    fn to_value(&self) -> Value {
        Value::Str(self.clone())
    }
}
impl ToValue for Cow<'_, str> {
    fn to_value(&self) -> Value {
        Value::Str(self.to_string())
    }
}
impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}
impl<T: ToValue> ToValue for [T] {
    fn to_value(&self) -> Value {
        Value::List(self.iter().map(ToValue::to_value).collect())
    }
}
impl<T: ToValue> ToValue for Vec<T> {
    fn to_value(&self) -> Value {
        self.as_slice().to_value()
    }
}
impl<T: ToValue, const N: usize> ToValue for [T; N] {
    fn to_value(&self) -> Value {
        self.as_slice().to_value()
    }
}
impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value {
        match self {
            None => Value::None,
            Some(v) => Value::Some(Box::new(v.to_value())),
        }
    }
}
impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}
impl<T: ToValue + ?Sized> ToValue for &mut T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}
impl<T: ToValue + ?Sized> ToValue for Box<T> {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}
impl<T: ToValue + ?Sized> ToValue for Rc<T> {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}
impl<T: ToValue + ?Sized> ToValue for Arc<T> {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}

/// Tuples of up to six elements, recorded as `Tuple` and shown as `Debug` shows them.
macro_rules! tuples {
    ($(($($n:tt $t:ident),+)),*) => {$(
        impl<$($t: ToValue),+> ToValue for ($($t,)+) {
            fn to_value(&self) -> Value {
                Value::Tuple(vec![$(self.$n.to_value()),+])
            }
        }
    )*};
}
tuples!(
    (0 A),
    (0 A, 1 B),
    (0 A, 1 B, 2 C),
    (0 A, 1 B, 2 C, 3 D),
    (0 A, 1 B, 2 C, 3 D, 4 E),
    (0 A, 1 B, 2 C, 3 D, 4 E, 5 F)
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_like_debug_shows() {
        assert_eq!(format!("{:?}", (1u8, "a").to_value()), "(1, \"a\")");
        assert_eq!(format!("{:?}", b"AT".to_value()), "[65, 84]");
        assert_eq!(format!("{:?}", Some(2.5).to_value()), "Some(2.5)");
        let mut buf = [1u8, 2];
        let arg: &mut [u8] = &mut buf;
        assert_eq!(format!("{:?}", ToValue::to_value(&arg)), "[1, 2]");
        assert_eq!(format!("{:?}", u128::MAX.to_value()), u128::MAX.to_string());
    }

    #[test]
    fn compares_like_python() {
        assert_eq!(5u8.to_value(), 5i32.to_value());
        assert_eq!(Value::Bytes(b"AT".to_vec()), b"AT".to_value());
        assert_ne!("5".to_value(), 5.to_value());
    }
}
