//! What a call answers, and how that answer becomes the Rust type the caller wants.
//!
//! Declared values are type-erased, so the conversion happens at the call: the exact type
//! first, then a few lenient ones that keep declarations short (`returns(64)` for a method
//! returning `u32`, `returns("x")` for `String`, `raises(ErrorKind::NotFound)` for
//! `io::Error`), and `Result` / `Option` wrapping.

use std::any::{type_name, Any};
use std::fmt;

use super::family::Produce;
use super::handle::Fake;

/// The answer of a call or attribute of a [`Fake`].
/// It owns what it needs (the declared answer, the call's label), so it is converted after
/// the registry's lock is let go, and a conversion that panics does so outside it.
///
/// A declared [`raises`](Fake::raises) shows only through [`get`](Reply::get),
/// [`result`](Reply::result), [`option`](Reply::option) or [`fake`](Reply::fake), where Fudge
/// raises at the call itself. So that the error cannot be lost, a `Reply` must be used
/// (`let _ = fake.call(...)` says an answer is not wanted), and a `Reply` carrying an error
/// that is dropped unread panics, naming the call and the error:
///
/// ```should_panic
/// use capturemock::{args, fake::Fake};
/// let db = Fake::new("db").provides("insert").raises("disk full");
/// // panics: fake:db.insert() raises "disk full", but its Reply was dropped unread; ...
/// let _ = db.call("insert", args![]);
/// ```
///
/// When the thread is already panicking (the test failed before the `Reply` was read), the
/// drop stays quiet: a second panic would abort the test run and hide the first message.
#[must_use = "a declared raises() shows only through get(), result() or option(); \
              `let _ =` discards an answer, and panics if it carries an error"]
pub struct Reply {
    /// What was declared for the call.
    pub(crate) answer: Answer,
    /// A declared error. It wins over any answer: the call raises.
    pub(crate) raised: Option<Produce>,
    /// What a `calls` function returned when the call was made, with its type's name for
    /// messages.
    pub(crate) replaced: Option<(Box<dyn Any>, &'static str)>,
    /// The call as messages show it, e.g. `fake:db.count()`.
    pub(crate) label: String,
}

/// A call's declared answer, before it becomes the caller's type.
pub(crate) enum Answer {
    /// No `returns`: `()`, or what a `calls` function returned.
    Nothing,
    /// A declared value, made anew for this call.
    Value(Produce),
    /// Another fake (`returns_fake`, a stub's attribute), handed out as it is.
    Fake(Fake),
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let answer = match &self.answer {
            Answer::Nothing => match &self.replaced {
                Some((_, t)) => format!("a {t} from calls()"),
                None => "nothing".to_owned(),
            },
            Answer::Value(p) => format!("a {}", p.type_name),
            Answer::Fake(fake) => format!("{fake}"),
        };
        match &self.raised {
            Some(p) => write!(f, "Reply({} raises a {})", self.label, p.type_name),
            None => write!(f, "Reply({} answers {answer})", self.label),
        }
    }
}

/// A declared error dropped unread fails the test, as Fudge's raise at the call would have.
impl Drop for Reply {
    fn drop(&mut self) {
        let Some(raised) = self.raised.take() else {
            return;
        };
        if std::thread::panicking() {
            return;
        }
        let error = match &raised.message {
            Some(m) => format!("{m:?}"),
            None => format!("a {}", raised.type_name),
        };
        panic!(
            "{} raises {error}, but its Reply was dropped unread; \
             read it with result(), get() or option()",
            self.label
        );
    }
}

impl Reply {
    /// Whether the call answers nothing (no `returns`, no `calls` function, no error).
    pub fn is_nothing(&self) -> bool {
        matches!(self.answer, Answer::Nothing) && self.replaced.is_none() && self.raised.is_none()
    }

    /// Whether the call raises an error. Asking does not read the error: a `Reply` that
    /// raises is still reported when dropped before [`result`](Reply::result),
    /// [`get`](Reply::get) or [`option`](Reply::option) took it.
    pub fn is_raised(&self) -> bool {
        self.raised.is_some()
    }

    /// The answer, boxed; `None` when there is nothing at all to give. The error (if any)
    /// was read before, so the `Reply` is used up.
    fn boxed(mut self) -> Option<Box<dyn Any>> {
        self.raised = None;
        match std::mem::replace(&mut self.answer, Answer::Nothing) {
            Answer::Value(p) => Some(p.make()),
            Answer::Fake(f) => Some(Box::new(f)),
            Answer::Nothing => self.replaced.take().map(|(b, _)| b),
        }
    }

    /// The declared answer's type name, for the message when it cannot become the caller's.
    fn declared_type(&self) -> &'static str {
        match &self.answer {
            Answer::Value(p) => p.type_name,
            Answer::Fake(_) => type_name::<Fake>(),
            Answer::Nothing => self.replaced.as_ref().map_or("()", |(_, t)| t),
        }
    }

    /// Panics with the declared error's `Display` text, or names its type when there is no
    /// text. This is what a method without a `Result` does with a declared error; a caller
    /// that wants the error as a value uses [`result`](Self::result).
    fn raise(&mut self) {
        if let Some(p) = self.raised.take() {
            match &p.message {
                Some(m) => panic!("{m}"),
                None => panic!("{} raises a {}", self.label, p.type_name),
            }
        }
    }

    /// The answer as an `R`. Panics if the call raises (with the error's message), or if the
    /// answer cannot become an `R`.
    ///
    /// ```
    /// use capturemock::{args, fake::Fake};
    /// let f = Fake::unnamed().provides("get_number").returns(64);
    /// assert_eq!(f.call("get_number", args![]).get::<u32>(), 64);
    /// ```
    pub fn get<R: 'static>(mut self) -> R {
        self.raise();
        let label = self.label.clone();
        let declared = self.declared_type();
        match self.boxed() {
            Some(b) => coerce::<R>(b).unwrap_or_else(|_| mismatch::<R>(&label, declared)),
            None => cast::<R, ()>(()).unwrap_or_else(|| nothing::<R>(&label)),
        }
    }

    /// The answer as a `Result`: `raises` gives `Err`, `returns` gives `Ok` (or the declared
    /// `Result` itself).
    ///
    /// ```
    /// use capturemock::{args, fake::Fake};
    /// let db = Fake::new("db").provides("insert").raises("not enough parameters for insert");
    /// let err = db.call("insert", args![]).result::<(), String>().unwrap_err();
    /// assert_eq!(err, "not enough parameters for insert");
    /// ```
    pub fn result<T: 'static, E: 'static>(mut self) -> Result<T, E> {
        let label = self.label.clone();
        if let Some(p) = self.raised.take() {
            let raised = p.type_name;
            return Err(coerce::<E>(p.make()).unwrap_or_else(|_| mismatch::<E>(&label, raised)));
        }
        let declared = self.declared_type();
        match self.boxed() {
            Some(b) => match b.downcast::<Result<T, E>>() {
                Ok(r) => *r,
                Err(b) => Ok(coerce::<T>(b).unwrap_or_else(|_| mismatch::<T>(&label, declared))),
            },
            None => Ok(cast::<T, ()>(()).unwrap_or_else(|| nothing::<T>(&label))),
        }
    }

    /// The answer as an `Option`: nothing declared gives `None`.
    pub fn option<T: 'static>(mut self) -> Option<T> {
        self.raise();
        let label = self.label.clone();
        let declared = self.declared_type();
        match self.boxed() {
            Some(b) => match b.downcast::<Option<T>>() {
                Ok(o) => *o,
                Err(b) => Some(coerce::<T>(b).unwrap_or_else(|_| mismatch::<T>(&label, declared))),
            },
            None => None,
        }
    }

    /// The fake the call answers (`returns_fake`, a stub, a constructor). Panics otherwise.
    pub fn fake(self) -> Fake {
        self.get()
    }
}

/// The panic when a declared answer cannot become the caller's type, naming both types: the
/// declaration is wrong, and the test should say where.
fn mismatch<R>(label: &str, declared: &str) -> ! {
    panic!(
        "{label} answers a {declared}, which cannot become the {} the caller expects",
        type_name::<R>()
    )
}

/// The panic when nothing was declared but the caller wants a value, saying how to fix it.
fn nothing<R>(label: &str) -> ! {
    panic!(
        "{label} answers nothing, but the caller expects a {}: declare returns(...)",
        type_name::<R>()
    )
}

/// `value` as an `R` if `R` is exactly its type; the building block of the conversions.
pub(crate) fn cast<R: 'static, T: 'static>(value: T) -> Option<R> {
    (Box::new(value) as Box<dyn Any>)
        .downcast::<R>()
        .ok()
        .map(|b| *b)
}

/// The exact type, else a lenient conversion, else the box back.
/// The lenient ones: an integer into any integer type it fits (or a float), between `f32`
/// and `f64`, a `&'static str` into `String` or `Box<str>`, a byte string into `Vec<u8>`,
/// an `io::ErrorKind` into an `io::Error`. An integer that does not fit is no conversion, so
/// the caller's panic names the types rather than a wrapped-around number.
pub(crate) fn coerce<R: 'static>(b: Box<dyn Any>) -> Result<R, Box<dyn Any>> {
    let b = match b.downcast::<R>() {
        Ok(r) => return Ok(*r),
        Err(b) => b,
    };
    let any: &dyn Any = &*b;
    let converted = if let Some(n) = int_of(any) {
        int_into::<R>(n)
    } else if let Some(x) = any.downcast_ref::<f64>() {
        cast::<R, f32>(*x as f32)
    } else if let Some(x) = any.downcast_ref::<f32>() {
        cast::<R, f64>(f64::from(*x))
    } else if let Some(s) = any.downcast_ref::<&'static str>() {
        cast::<R, String>((*s).to_owned()).or_else(|| cast::<R, Box<str>>((*s).into()))
    } else if let Some(s) = any.downcast_ref::<&'static [u8]>() {
        cast::<R, Vec<u8>>(s.to_vec())
    } else if let Some(k) = any.downcast_ref::<std::io::ErrorKind>() {
        cast::<R, std::io::Error>(std::io::Error::from(*k))
    } else {
        None
    };
    converted.ok_or(b)
}

/// The value of a boxed integer of any type, widened; `None` for a `u128` beyond `i128`.
fn int_of(any: &dyn Any) -> Option<i128> {
    macro_rules! try_int {
        ($($t:ty),*) => {$(
            if let Some(v) = any.downcast_ref::<$t>() {
                return i128::try_from(*v).ok();
            }
        )*};
    }
    try_int!(i32, i64, u8, u16, u32, u64, usize, i8, i16, isize, i128, u128);
    None
}

/// `n` as an `R`, for the integer types it fits and for floats.
fn int_into<R: 'static>(n: i128) -> Option<R> {
    macro_rules! try_into {
        ($($t:ty),*) => {$(
            if let Ok(v) = <$t>::try_from(n) {
                if let Some(r) = cast::<R, $t>(v) {
                    return Some(r);
                }
            }
        )*};
    }
    try_into!(i32, i64, u8, u16, u32, u64, usize, i8, i16, isize, u128);
    cast::<R, i128>(n)
        .or_else(|| cast::<R, f64>(n as f64))
        .or_else(|| cast::<R, f32>(n as f32))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args;
    use std::panic::{catch_unwind, AssertUnwindSafe};

    /// The message of the panic `f` must raise.
    fn panic_message(f: impl FnOnce()) -> String {
        let payload = catch_unwind(AssertUnwindSafe(f)).expect_err("expected a panic");
        match payload.downcast::<String>() {
            Ok(s) => *s,
            Err(p) => (*p.downcast::<&str>().expect("a text panic")).to_owned(),
        }
    }

    #[test]
    fn a_dropped_error_panics_with_the_call_and_the_error() {
        let db = Fake::new("db").provides("insert").raises("disk full");
        let message = panic_message(|| {
            let _ = db.call("insert", args![]);
        });
        assert_eq!(
            message,
            "fake:db.insert() raises \"disk full\", but its Reply was dropped unread; \
             read it with result(), get() or option()"
        );
    }

    #[test]
    fn an_error_read_or_checked_is_not_reported_again() {
        let db = Fake::new("db").provides("insert").raises("disk full");
        let err = db.call("insert", args![]).result::<(), String>();
        assert_eq!(err, Err("disk full".to_owned()));
        // get() panics with the error itself, once.
        let message = panic_message(|| db.call("insert", args![]).get::<()>());
        assert_eq!(message, "disk full");
        // A reply without an error may be dropped.
        let ok = Fake::new("ok").provides("ping");
        let _ = ok.call("ping", args![]);
    }

    #[test]
    fn a_dropped_error_during_a_panic_keeps_the_first_message() {
        let db = Fake::new("db").provides("insert").raises("disk full");
        let message = panic_message(|| {
            let _reply = db.call("insert", args![]);
            panic!("the test failed first");
        });
        assert_eq!(message, "the test failed first");
    }

    #[test]
    fn lenient_conversions() {
        assert_eq!(coerce::<u8>(Box::new(64i32)).ok(), Some(64u8));
        assert!(coerce::<u8>(Box::new(300i32)).is_err());
        assert_eq!(coerce::<f64>(Box::new(2i32)).ok(), Some(2.0));
        assert_eq!(coerce::<String>(Box::new("x")).ok(), Some("x".to_owned()));
        assert_eq!(
            coerce::<Vec<u8>>(Box::new(&b"ab"[..])).ok(),
            Some(b"ab".to_vec())
        );
        let e = coerce::<std::io::Error>(Box::new(std::io::ErrorKind::NotFound)).ok();
        assert_eq!(e.map(|e| e.kind()), Some(std::io::ErrorKind::NotFound));
        assert!(coerce::<String>(Box::new(5)).is_err());
    }
}
