//! Argument inspectors (Fudge's `fudge.inspector`): what a declared argument may be besides a
//! plain value.
//!
//! `arg::endswith("hits")` matches any argument ending with `hits`; the `not` functions
//! (Fudge's `arg_not`) invert a test.
//!
//! ```
//! use capturemock_core::fake::{arg, Borrowed, Fakes, ValueRef};
//!
//! let mut fakes: Fakes<'_> = Fakes::new();
//! let counter = fakes.fake("counter").unwrap();
//! fakes.on(counter).expects("increment").unwrap()
//!     .with_args([arg::any()]).unwrap()
//!     .with_kwargs([("table", arg::endswith(ValueRef::Str("hits")))]).unwrap();
//! fakes.call(counter, "increment", &[ValueRef::Int(999)], &[("table", ValueRef::Str("image_hits"))])
//!     .unwrap();
//! fakes.verify().unwrap();
//! ```

use core::fmt;

use super::compare::{self, End};
use super::family::{ArgTest, Borrowed, Family, TestFn};
use super::text::Short;
use super::value::{ArgValue, Show, ValueKind, ValueRef, View};

/// One declared argument: a value it must equal, or an inspector.
pub enum Matcher<F: Family + ?Sized> {
    /// Equal to this value.
    Eq(F::Value),
    /// Not equal to this value (Fudge's `arg_not(value)`).
    NotEq(F::Value),
    /// Passes (or, when `negated`, fails) an inspector.
    Is {
        /// The test.
        inspector: Inspector<F>,
        /// Fudge's `arg_not.<inspector>`.
        negated: bool,
    },
}

/// The inspectors of Fudge's `arg` module.
pub enum Inspector<F: Family + ?Sized> {
    /// `arg.any()`: anything.
    Any,
    /// `arg.contains(part)`: a substring, sub-slice, list element or field name.
    Contains(F::Value),
    /// `arg.startswith(part)`.
    StartsWith(F::Value),
    /// `arg.endswith(part)`.
    EndsWith(F::Value),
    /// `arg.has_attr(...)`: a struct with at least these fields (given as a struct value).
    HasAttr(F::Value),
    /// `arg.passes_test(f)`.
    PassesTest(F::Test),
    /// `arg.isinstance(kind)`.
    IsInstance(ValueKind),
    /// `arg.isinstance((kind, ...))`: any of several kinds (Python's tuple of classes).
    IsInstanceOf(&'static [ValueKind]),
}

impl<F: Family + ?Sized> Clone for Inspector<F>
where
    F::Value: Clone,
    F::Test: Clone,
{
    fn clone(&self) -> Self {
        match self {
            Inspector::Any => Inspector::Any,
            Inspector::Contains(v) => Inspector::Contains(v.clone()),
            Inspector::StartsWith(v) => Inspector::StartsWith(v.clone()),
            Inspector::EndsWith(v) => Inspector::EndsWith(v.clone()),
            Inspector::HasAttr(v) => Inspector::HasAttr(v.clone()),
            Inspector::PassesTest(t) => Inspector::PassesTest(t.clone()),
            Inspector::IsInstance(k) => Inspector::IsInstance(*k),
            Inspector::IsInstanceOf(k) => Inspector::IsInstanceOf(k),
        }
    }
}

impl<F: Family + ?Sized> Clone for Matcher<F>
where
    F::Value: Clone,
    F::Test: Clone,
{
    fn clone(&self) -> Self {
        match self {
            Matcher::Eq(v) => Matcher::Eq(v.clone()),
            Matcher::NotEq(v) => Matcher::NotEq(v.clone()),
            Matcher::Is { inspector, negated } => Matcher::Is {
                inspector: inspector.clone(),
                negated: *negated,
            },
        }
    }
}

impl<F: Family + ?Sized> Inspector<F> {
    fn passes(&self, actual: &F::Arg<'_>) -> bool {
        match self {
            Inspector::Any => true,
            Inspector::Contains(part) => compare::contains(part, actual),
            Inspector::StartsWith(part) => compare::anchored(part, actual, End::Start),
            Inspector::EndsWith(part) => compare::anchored(part, actual, End::Finish),
            Inspector::HasAttr(want) => compare::has_attrs(want, actual),
            Inspector::PassesTest(test) => test.passes(actual),
            Inspector::IsInstance(kind) => kind.matches(actual),
            Inspector::IsInstanceOf(kinds) => kinds.iter().any(|k| k.matches(actual)),
        }
    }

    fn method(&self) -> &'static str {
        match self {
            Inspector::Any => "any",
            Inspector::Contains(_) => "contains",
            Inspector::StartsWith(_) => "startswith",
            Inspector::EndsWith(_) => "endswith",
            Inspector::HasAttr(_) => "has_attr",
            Inspector::PassesTest(_) => "passes_test",
            Inspector::IsInstance(_) | Inspector::IsInstanceOf(_) => "isinstance",
        }
    }
}

impl<F: Family + ?Sized> Matcher<F> {
    /// Whether an actual argument satisfies this declaration.
    pub fn matches(&self, actual: &F::Arg<'_>) -> bool {
        match self {
            Matcher::Eq(v) => compare::same(v, actual),
            Matcher::NotEq(v) => !compare::same(v, actual),
            Matcher::Is { inspector, negated } => inspector.passes(actual) != *negated,
        }
    }
}

impl<F: Family + ?Sized> fmt::Debug for Matcher<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Matcher::Eq(v) => fmt::Debug::fmt(&Show(v), f),
            Matcher::NotEq(v) => write!(f, "arg_not({:?})", Show(v)),
            Matcher::Is { inspector, negated } => {
                if *negated {
                    f.write_str("(NOT) ")?;
                }
                write!(f, "arg.{}(", inspector.method())?;
                match inspector {
                    Inspector::Any => {}
                    Inspector::Contains(v) | Inspector::StartsWith(v) | Inspector::EndsWith(v) => {
                        write!(f, "{}", Short(Show(v)))?
                    }
                    Inspector::HasAttr(v) => write_sorted_fields(v, f)?,
                    Inspector::PassesTest(t) => t.describe(f)?,
                    Inspector::IsInstance(k) => write!(f, "{:?}", k.name())?,
                    Inspector::IsInstanceOf(kinds) => write_kind_tuple(kinds, f)?,
                }
                f.write_str(")")
            }
        }
    }
}

/// `("int", "str")`: the names as a tuple, as Fudge shows its tuple of class names (a single
/// one with a trailing comma, `("int",)`).
fn write_kind_tuple(kinds: &[ValueKind], f: &mut fmt::Formatter<'_>) -> fmt::Result {
    f.write_str("(")?;
    for (i, kind) in kinds.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{:?}", kind.name())?;
    }
    if kinds.len() == 1 {
        f.write_str(",")?;
    }
    f.write_str(")")
}

/// `first_name="Bob", last_name="James"`, sorted like Fudge sorts its `key=value` strings.
fn write_sorted_fields<V: ArgValue>(v: &V, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let View::Struct { fields, .. } = v.view() else {
        return write!(f, "{:?}", Show(v));
    };
    // Selection by "smallest key above the previous one": no buffer, fields are few.
    let mut previous: Option<&str> = None;
    let mut first = true;
    loop {
        let next = fields
            .iter()
            .filter(|(k, _)| previous.is_none_or(|p| key_order(k.as_ref(), p).is_gt()))
            .min_by(|(a, _), (b, _)| key_order(a.as_ref(), b.as_ref()));
        let Some((key, value)) = next else {
            return Ok(());
        };
        if !first {
            f.write_str(", ")?;
        }
        first = false;
        write!(f, "{}={}", key.as_ref(), Short(Show(value)))?;
        previous = Some(key.as_ref());
    }
}

/// Orders keys as the strings `key=` would sort.
fn key_order(a: &str, b: &str) -> core::cmp::Ordering {
    a.bytes().chain(*b"=").cmp(b.bytes().chain(*b"="))
}

/// A plain value to compare with.
pub fn eq<F: Family + ?Sized>(value: impl Into<F::Value>) -> Matcher<F> {
    Matcher::Eq(value.into())
}

fn is<F: Family + ?Sized>(inspector: Inspector<F>) -> Matcher<F> {
    Matcher::Is {
        inspector,
        negated: false,
    }
}

/// Any value (`arg.any()`).
pub fn any<F: Family + ?Sized>() -> Matcher<F> {
    is(Inspector::Any)
}

/// Any value; Fudge's deprecated spelling of [`any`].
pub fn any_value<F: Family + ?Sized>() -> Matcher<F> {
    any()
}

/// A value containing `part`: a substring, a sub-slice of bytes, a byte, a list element, or a
/// struct's field name (Python's `part in value`).
pub fn contains<F: Family + ?Sized>(part: impl Into<F::Value>) -> Matcher<F> {
    is(Inspector::Contains(part.into()))
}

/// A string, character, number or boolean whose text starts with the string `part`, or bytes
/// starting with the byte string `part`.
pub fn startswith<F: Family + ?Sized>(part: impl Into<F::Value>) -> Matcher<F> {
    is(Inspector::StartsWith(part.into()))
}

/// Like [`startswith`], at the end.
pub fn endswith<F: Family + ?Sized>(part: impl Into<F::Value>) -> Matcher<F> {
    is(Inspector::EndsWith(part.into()))
}

/// A struct value having at least the fields of `fields` (itself a struct value) with equal
/// values.
pub fn has_attr<F: Family + ?Sized>(fields: impl Into<F::Value>) -> Matcher<F> {
    is(Inspector::HasAttr(fields.into()))
}

/// A value of this kind (Python's `isinstance`).
pub fn isinstance<F: Family + ?Sized>(kind: ValueKind) -> Matcher<F> {
    is(Inspector::IsInstance(kind))
}

/// A value of any of these kinds (Python's `isinstance(value, (int, str))`).
pub fn isinstance_of<F: Family + ?Sized>(kinds: &'static [ValueKind]) -> Matcher<F> {
    is(Inspector::IsInstanceOf(kinds))
}

/// A value for which `test` returns true (core family: a borrowed function or closure).
pub fn passes_test<'a, E, T: Fn(&ValueRef<'_>) -> bool>(test: &'a T) -> Matcher<Borrowed<'a, E>> {
    is(Inspector::PassesTest(TestFn::new(test)))
}

/// A test made by the family itself (the std crate's owned closures).
pub fn passes<F: Family + ?Sized>(test: F::Test) -> Matcher<F> {
    is(Inspector::PassesTest(test))
}

/// Fudge's `arg_not`: the same inspectors, inverted.
pub mod not {
    use super::*;

    fn not<F: Family + ?Sized>(inspector: Inspector<F>) -> Matcher<F> {
        Matcher::Is {
            inspector,
            negated: true,
        }
    }

    /// Any value other than `value` (Fudge's `arg_not(value)`).
    pub fn eq<F: Family + ?Sized>(value: impl Into<F::Value>) -> Matcher<F> {
        Matcher::NotEq(value.into())
    }
    /// Matches nothing (`arg_not.any()`).
    pub fn any<F: Family + ?Sized>() -> Matcher<F> {
        not(Inspector::Any)
    }
    /// A value not containing `part`.
    pub fn contains<F: Family + ?Sized>(part: impl Into<F::Value>) -> Matcher<F> {
        not(Inspector::Contains(part.into()))
    }
    /// A value not starting with `part`.
    pub fn startswith<F: Family + ?Sized>(part: impl Into<F::Value>) -> Matcher<F> {
        not(Inspector::StartsWith(part.into()))
    }
    /// A value not ending with `part`.
    pub fn endswith<F: Family + ?Sized>(part: impl Into<F::Value>) -> Matcher<F> {
        not(Inspector::EndsWith(part.into()))
    }
    /// A value lacking at least one of these fields (or values).
    pub fn has_attr<F: Family + ?Sized>(fields: impl Into<F::Value>) -> Matcher<F> {
        not(Inspector::HasAttr(fields.into()))
    }
    /// A value not of this kind.
    pub fn isinstance<F: Family + ?Sized>(kind: ValueKind) -> Matcher<F> {
        not(Inspector::IsInstance(kind))
    }
    /// A value of none of these kinds.
    pub fn isinstance_of<F: Family + ?Sized>(kinds: &'static [ValueKind]) -> Matcher<F> {
        not(Inspector::IsInstanceOf(kinds))
    }
    /// A value for which `test` returns false.
    pub fn passes_test<'a, E, T: Fn(&ValueRef<'_>) -> bool>(
        test: &'a T,
    ) -> Matcher<Borrowed<'a, E>> {
        not(Inspector::PassesTest(TestFn::new(test)))
    }
    /// A value failing a family-made test.
    pub fn passes<F: Family + ?Sized>(test: F::Test) -> Matcher<F> {
        not(Inspector::PassesTest(test))
    }
}

impl<'a, E> From<ValueRef<'a>> for Matcher<Borrowed<'a, E>> {
    fn from(value: ValueRef<'a>) -> Self {
        Matcher::Eq(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;

    type M<'a> = Matcher<Borrowed<'a>>;

    fn is_valid(v: &ValueRef<'_>) -> bool {
        matches!(v.as_str(), Some("active" | "deleted"))
    }

    #[test]
    fn renders_like_fudge() {
        assert_eq!(format!("{:?}", any::<Borrowed>()), "arg.any()");
        assert_eq!(format!("{:?}", not::any::<Borrowed>()), "(NOT) arg.any()");
        let m: M = contains(ValueRef::Str("red"));
        assert_eq!(format!("{m:?}"), "arg.contains(\"red\")");
        let m: M = not::contains(ValueRef::Str("blue"));
        assert_eq!(format!("{m:?}"), "(NOT) arg.contains(\"blue\")");
        let m: M = not::eq(ValueRef::Str("foobar"));
        assert_eq!(format!("{m:?}"), "arg_not(\"foobar\")");
        let m: M = isinstance(ValueKind::Str);
        assert_eq!(format!("{m:?}"), "arg.isinstance(\"str\")");
        let m: M = isinstance_of(&[ValueKind::Int, ValueKind::Str]);
        assert_eq!(format!("{m:?}"), "arg.isinstance((\"int\", \"str\"))");
        let m: M = not::isinstance_of(&[ValueKind::Int]);
        assert_eq!(format!("{m:?}"), "(NOT) arg.isinstance((\"int\",))");
        let fields = [
            ("last_name", ValueRef::Str("James")),
            ("first_name", ValueRef::Str("Bob")),
        ];
        let m: M = has_attr(ValueRef::Struct("", &fields));
        assert_eq!(
            format!("{m:?}"),
            "arg.has_attr(first_name=\"Bob\", last_name=\"James\")"
        );
        let m: M = passes_test(&is_valid);
        assert_eq!(format!("{m:?}"), "arg.passes_test(<function is_valid>)");
    }

    #[test]
    fn matching() {
        let m: M = passes_test(&is_valid);
        assert!(m.matches(&ValueRef::Str("active")));
        assert!(!m.matches(&ValueRef::Str("sleep")));
        let bigger = |v: &ValueRef<'_>| v.as_int().is_some_and(|i| i > 10);
        let m: M = not::passes_test(&bigger);
        assert!(m.matches(&ValueRef::Int(5)));
        assert!(!not::any::<Borrowed>().matches(&ValueRef::Str("asdf")));
        let m: M = isinstance_of(&[ValueKind::Int, ValueKind::Str]);
        assert!(m.matches(&ValueRef::Int(1)) && m.matches(&ValueRef::Str("a")));
        assert!(!m.matches(&ValueRef::Float(1.5)));
        let m: M = not::isinstance_of(&[ValueKind::Int, ValueKind::Str]);
        assert!(!m.matches(&ValueRef::Int(1)) && m.matches(&ValueRef::Float(1.5)));
        let m: M = not::eq(ValueRef::Str("foobar"));
        assert!(!m.matches(&ValueRef::Str("foobar")));
        assert!(m.matches(&ValueRef::Str("asdf")));
    }

    #[test]
    fn key_order_sorts_like_key_equals() {
        // "a1=" < "a=" because '1' < '='; plain key order would say the opposite.
        assert!(key_order("a1", "a").is_lt());
        assert!(key_order("a", "a_b").is_lt());
    }
}
