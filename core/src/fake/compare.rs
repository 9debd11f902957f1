//! Equality and the inspectors' tests, over any two [`ArgValue`] types (declared values and
//! actual arguments need not be the same type: the core's actual arguments may borrow a buffer
//! that lives only for the call).

use super::value::{ArgValue, View};

/// Python-like equality: integers compare by value whatever their signedness, an integral float
/// equals the integer, bytes equal a list of the same numbers, struct fields compare in any
/// order.
pub fn same<A: ArgValue, B: ArgValue>(a: &A, b: &B) -> bool {
    same_view(a.view(), b.view())
}

#[derive(Clone, Copy)]
enum Num {
    I(i128),
    F(f64),
}

fn num<V: ArgValue>(v: &View<'_, V>) -> Option<Num> {
    match *v {
        View::Int(i) => Some(Num::I(i128::from(i))),
        View::UInt(u) => Some(Num::I(i128::from(u))),
        View::Float(x) => Some(Num::F(x)),
        _ => None,
    }
}

fn num_eq(a: Num, b: Num) -> bool {
    match (a, b) {
        (Num::I(x), Num::I(y)) => x == y,
        (Num::F(x), Num::F(y)) => x == y,
        // `as` saturates, so a fractional or huge float never round-trips.
        (Num::I(i), Num::F(x)) | (Num::F(x), Num::I(i)) => x as i128 == i && (i as f64) == x,
    }
}

fn bytes_eq_list<V: ArgValue>(bytes: &[u8], list: &[V]) -> bool {
    bytes.len() == list.len()
        && bytes
            .iter()
            .zip(list)
            .all(|(b, v)| num(&v.view()).is_some_and(|n| num_eq(n, Num::I(i128::from(*b)))))
}

fn same_view<A: ArgValue, B: ArgValue>(a: View<'_, A>, b: View<'_, B>) -> bool {
    if let (Some(x), Some(y)) = (num(&a), num(&b)) {
        return num_eq(x, y);
    }
    match (a, b) {
        (View::Unit, View::Unit) | (View::None, View::None) => true,
        (View::Bool(x), View::Bool(y)) => x == y,
        (View::Char(x), View::Char(y)) => x == y,
        (View::Str(x), View::Str(y)) => x == y,
        (View::Bytes(x), View::Bytes(y)) => x == y,
        (View::Bytes(x), View::List(ys)) => bytes_eq_list(x, ys),
        (View::List(xs), View::Bytes(y)) => bytes_eq_list(y, xs),
        (View::Some(x), View::Some(y)) => same(x, y),
        (View::List(xs), View::List(ys)) | (View::Tuple(xs), View::Tuple(ys)) => {
            xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| same(x, y))
        }
        (
            View::Struct {
                name: n1,
                fields: f1,
            },
            View::Struct {
                name: n2,
                fields: f2,
            },
        ) => n1 == n2 && f1.len() == f2.len() && has_fields(f2, f1),
        (View::Opaque { text: t1, .. }, View::Opaque { text: t2, .. }) => t1 == t2,
        _ => false,
    }
}

/// Whether every field in `want` is in `have` with an equal value.
fn has_fields<A: ArgValue, B: ArgValue>(have: &[(A::Field, A)], want: &[(B::Field, B)]) -> bool {
    want.iter().all(|(name, value)| {
        have.iter()
            .find(|(n, _)| n.as_ref() == name.as_ref())
            .is_some_and(|(_, v)| same(v, value))
    })
}

/// `arg.has_attr(...)`: `actual` is a struct with at least the fields of `want` (a struct
/// value; any other `want` matches nothing).
pub(crate) fn has_attrs<A: ArgValue, B: ArgValue>(want: &A, actual: &B) -> bool {
    match (want.view(), actual.view()) {
        (View::Struct { fields: w, .. }, View::Struct { fields: h, .. }) => has_fields(h, w),
        _ => false,
    }
}

/// `arg.contains(part)`: Python's `part in actual`.
pub(crate) fn contains<A: ArgValue, B: ArgValue>(part: &A, actual: &B) -> bool {
    match (actual.view(), part.view()) {
        (View::Str(s), View::Str(p)) => s.contains(p),
        (View::Str(s), View::Char(c)) => s.contains(c),
        (View::Opaque { text, .. }, View::Str(p)) => text.contains(p),
        (View::Bytes(b), View::Bytes(p)) => p.is_empty() || b.windows(p.len()).any(|w| w == p),
        (View::Bytes(b), p) => match num(&p) {
            Some(n) => b.iter().any(|x| num_eq(n, Num::I(i128::from(*x)))),
            None => false,
        },
        (View::List(items) | View::Tuple(items), _) => items.iter().any(|i| same(i, part)),
        (View::Struct { fields, .. }, View::Str(p)) => fields.iter().any(|(n, _)| n.as_ref() == p),
        (View::Some(inner), _) => contains(part, inner),
        _ => false,
    }
}

/// Where a `startswith` / `endswith` test is anchored.
#[derive(Clone, Copy)]
pub(crate) enum End {
    Start,
    Finish,
}

/// `arg.startswith(part)` / `arg.endswith(part)`. Like Python's `str(value)`, numbers and
/// booleans are tested through their text; byte strings are tested as bytes. Other values
/// (lists, structs, floats) match nothing: rendering them here would put Rust's whole
/// formatting machinery into every firmware that matches arguments.
pub(crate) fn anchored<A: ArgValue, B: ArgValue>(part: &A, actual: &B, end: End) -> bool {
    let view = actual.view();
    if let View::Bytes(p) = part.view() {
        return match view {
            View::Bytes(b) => match end {
                End::Start => b.starts_with(p),
                End::Finish => b.ends_with(p),
            },
            View::List(items) => {
                let Some(skip) = (match end {
                    End::Start => Some(0),
                    End::Finish => items.len().checked_sub(p.len()),
                }) else {
                    return false;
                };
                items
                    .get(skip..)
                    .and_then(|tail| tail.get(..p.len()))
                    .is_some_and(|window| bytes_eq_list(p, window))
            }
            _ => false,
        };
    }
    let mut part_buf = [0u8; 4];
    let part: &str = match part.view() {
        View::Str(s) => s,
        View::Char(c) => c.encode_utf8(&mut part_buf),
        _ => return false,
    };
    let mut text_buf = [0u8; 40];
    let text: &str = match view {
        View::Str(s) => s,
        View::Opaque { text, .. } => text,
        View::Char(c) => c.encode_utf8(&mut text_buf),
        View::Bool(true) => "true",
        View::Bool(false) => "false",
        View::Int(i) => decimal(i.unsigned_abs(), i < 0, &mut text_buf),
        View::UInt(u) => decimal(u, false, &mut text_buf),
        _ => return false,
    };
    match end {
        End::Start => text.starts_with(part),
        End::Finish => text.ends_with(part),
    }
}

/// The decimal text of a number, without `core::fmt`.
fn decimal(mut n: u64, negative: bool, buf: &mut [u8; 40]) -> &str {
    let mut at = buf.len();
    loop {
        at = at.saturating_sub(1);
        if let Some(slot) = buf.get_mut(at) {
            *slot = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if negative {
        at = at.saturating_sub(1);
        if let Some(slot) = buf.get_mut(at) {
            *slot = b'-';
        }
    }
    // A u64 takes at most 20 digits and a sign, so `at` stays inside the 40 bytes, and
    // digits and `-` are ASCII: the fallback is never taken.
    buf.get(at..)
        .and_then(|digits| core::str::from_utf8(digits).ok())
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::super::value::ValueRef;
    use super::*;

    #[test]
    fn numbers_compare_by_value() {
        assert!(same(&ValueRef::Int(5), &ValueRef::UInt(5)));
        assert!(same(&ValueRef::Float(5.0), &ValueRef::Int(5)));
        assert!(!same(&ValueRef::Float(5.5), &ValueRef::Int(5)));
        assert!(!same(&ValueRef::Int(-1), &ValueRef::UInt(u64::MAX)));
        assert!(!same(&ValueRef::Str("5"), &ValueRef::Int(5)));
    }

    #[test]
    fn bytes_equal_lists_of_numbers() {
        let list = [ValueRef::UInt(65), ValueRef::Int(84)];
        assert!(same(&ValueRef::Bytes(b"AT"), &ValueRef::List(&list)));
        assert!(same(&ValueRef::List(&list), &ValueRef::Bytes(b"AT")));
        assert!(!same(&ValueRef::Bytes(b"A"), &ValueRef::List(&list)));
    }

    #[test]
    fn structs_compare_fields_in_any_order() {
        let a = [("x", ValueRef::Int(1)), ("y", ValueRef::Int(2))];
        let b = [("y", ValueRef::Int(2)), ("x", ValueRef::Int(1))];
        assert!(same(&ValueRef::Struct("P", &a), &ValueRef::Struct("P", &b)));
        assert!(!same(
            &ValueRef::Struct("P", &a),
            &ValueRef::Struct("Q", &b)
        ));
        assert!(!same(
            &ValueRef::Struct("P", &a),
            &ValueRef::Struct("P", &b[..1])
        ));
        assert!(has_attrs(
            &ValueRef::Struct("", &b[..1]),
            &ValueRef::Struct("P", &a)
        ));
    }

    #[test]
    fn contains_like_python_in() {
        assert!(contains(
            &ValueRef::Str("Baba Brooks"),
            &ValueRef::Str("Bill Brooks; Baba Brooks; Henry Brooks;")
        ));
        let colors = [
            ValueRef::Str("green"),
            ValueRef::Str("red"),
            ValueRef::Str("blue"),
        ];
        assert!(contains(&ValueRef::Str("red"), &ValueRef::List(&colors)));
        assert!(!contains(&ValueRef::Str("pink"), &ValueRef::List(&colors)));
        assert!(contains(
            &ValueRef::Bytes(b"OK"),
            &ValueRef::Bytes(b"\r\nOK\r\n")
        ));
        assert!(contains(&ValueRef::UInt(13), &ValueRef::Bytes(b"\r\n")));
        assert!(!contains(&ValueRef::Str("x"), &ValueRef::Int(1)));
    }

    #[test]
    fn anchored_tests_use_text() {
        assert!(anchored(
            &ValueRef::Str("_key"),
            &ValueRef::Str("_key-1"),
            End::Start
        ));
        assert!(anchored(
            &ValueRef::Str(".tmp"),
            &ValueRef::Str("a.tmp"),
            End::Finish
        ));
        assert!(!anchored(
            &ValueRef::Str("Ringo"),
            &ValueRef::Str("John, Paul"),
            End::Finish
        ));
        assert!(anchored(
            &ValueRef::Str("31"),
            &ValueRef::Int(31337),
            End::Start
        ));
        assert!(anchored(
            &ValueRef::Str("-3"),
            &ValueRef::Int(-31337),
            End::Start
        ));
        assert!(anchored(
            &ValueRef::Str("615"),
            &ValueRef::UInt(u64::MAX),
            End::Finish
        ));
        assert!(anchored(
            &ValueRef::Str("tr"),
            &ValueRef::Bool(true),
            End::Start
        ));
        let list = [ValueRef::Str("a")];
        assert!(!anchored(
            &ValueRef::Str("["),
            &ValueRef::List(&list),
            End::Start
        ));
        assert!(anchored(
            &ValueRef::Str("37"),
            &ValueRef::Int(31337),
            End::Finish
        ));
        assert!(!anchored(
            &ValueRef::Str("313370"),
            &ValueRef::Int(31337),
            End::Finish
        ));
        assert!(anchored(
            &ValueRef::Bytes(b"\r\n"),
            &ValueRef::Bytes(b"OK\r\n"),
            End::Finish
        ));
        let list = [ValueRef::UInt(65), ValueRef::UInt(84)];
        assert!(anchored(
            &ValueRef::Bytes(b"T"),
            &ValueRef::List(&list),
            End::Finish
        ));
        assert!(!anchored(
            &ValueRef::Bytes(b"ATX"),
            &ValueRef::List(&list),
            End::Finish
        ));
        assert!(anchored(
            &ValueRef::Char('x'),
            &ValueRef::Str("xy"),
            End::Start
        ));
    }
}
