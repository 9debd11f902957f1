//! The real implementation behind a captured wrapper: given, made on first need, or absent.

use std::sync::{Mutex, OnceLock, PoisonError};

/// How to make the real implementation when a call first needs it.
type Make<T> = Box<dyn FnOnce() -> Box<T> + Send>;

/// The real implementation a wrapper calls in record mode (and outside a session).
///
/// Replay never calls it, so a test that only replays should not need it at all: no
/// database file, no device, no network. [`lazy`](Real::lazy) makes it the first time a call
/// needs it (never, in a replayed run), and [`absent`](Real::absent) has none, for instances
/// that replay made from the mock file. It is boxed, so that a wrapper can hold a trait object
/// (`CapturedConn<dyn Conn>`) as well as a concrete type.
pub struct Real<T: ?Sized> {
    value: OnceLock<Box<T>>,
    make: Mutex<Option<Make<T>>>,
}

impl<T> Real<T> {
    /// This implementation.
    pub fn new(value: T) -> Self {
        Self::from_box(Box::new(value))
    }

    /// The implementation `make` returns, made the first time a call needs it.
    pub fn lazy(make: impl FnOnce() -> T + Send + 'static) -> Self {
        Real {
            value: OnceLock::new(),
            make: Mutex::new(Some(Box::new(move || Box::new(make())))),
        }
    }
}

impl<T: ?Sized> Real<T> {
    /// A boxed implementation, such as the `Box<dyn Conn>` a real call returned.
    pub fn from_box(value: Box<T>) -> Self {
        Real {
            value: OnceLock::from(value),
            make: Mutex::new(None),
        }
    }

    /// No implementation: calls can only be replayed.
    pub fn absent() -> Self {
        Real {
            value: OnceLock::new(),
            make: Mutex::new(None),
        }
    }

    /// Makes the implementation if it is lazy and not made yet.
    ///
    /// # Panics
    /// When it is absent: `who` (the wrapper's record name) says which.
    fn make(&self, who: &str) -> Box<T> {
        let make = self
            .make
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        match make {
            Some(make) => make(),
            None => panic!(
                "capturemock: {who} has no real implementation (it was made absent, or \
                 replayed from a mock file), and this call needs one: the call is outside a \
                 capture session or in record mode, or making the real one panicked before"
            ),
        }
    }

    /// The implementation, made now if it is lazy.
    ///
    /// # Panics
    /// When it is absent.
    pub fn get(&self, who: &str) -> &T {
        self.value.get_or_init(|| self.make(who))
    }

    /// The implementation, mutably, made now if it is lazy.
    ///
    /// # Panics
    /// When it is absent.
    pub fn get_mut(&mut self, who: &str) -> &mut T {
        if self.value.get().is_none() {
            let made = self.make(who);
            // Nothing else can have set it: `self` is borrowed mutably.
            let _ = self.value.set(made);
        }
        match self.value.get_mut() {
            Some(value) => value,
            None => unreachable!("set just above"),
        }
    }

    /// Whether the implementation has been made (or was given).
    pub fn is_present(&self) -> bool {
        self.value.get().is_some()
    }
}

impl<T: ?Sized> std::fmt::Debug for Real<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.is_present() {
            "Real(present)"
        } else {
            "Real(not made)"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;

    #[test]
    fn a_lazy_implementation_is_made_once_and_only_when_needed() {
        let made = Arc::new(AtomicU32::new(0));
        let counter = made.clone();
        let mut real = Real::lazy(move || {
            counter.fetch_add(1, Ordering::Relaxed);
            vec![1u8]
        });
        assert!(!real.is_present());
        assert_eq!(made.load(Ordering::Relaxed), 0);
        assert_eq!(real.get("v"), &[1]);
        real.get_mut("v").push(2);
        assert_eq!(real.get("v"), &[1, 2]);
        assert_eq!(made.load(Ordering::Relaxed), 1);
    }

    #[test]
    #[should_panic(expected = "conn_1 has no real implementation")]
    fn an_absent_implementation_panics_naming_the_instance() {
        let real: Real<dyn Fn()> = Real::absent();
        real.get("conn_1");
    }
}
