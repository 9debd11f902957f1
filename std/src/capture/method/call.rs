//! One captured call: its request text and its exchange in the current session.

use std::fmt::{Debug, Write};
use std::future::Future;

use super::buffers::{copy_back, Buffers, Filled, Refill};
use super::Codec;
use crate::capture::{current, CaptureError, Session};
use crate::ErrorChain;

/// A call of a captured method, begun in the thread's current session: the request text is
/// written argument by argument, then [`run`](Call::run) asks the session for the result.
///
/// The text is `receiver.method(arg, name=arg)`: each argument as `Debug` writes it
/// (strings quoted and escaped, structures as `Name { field: .. }`), so any argument type
/// with a `Debug` implementation can be captured and the text reads like the call.
/// `#[capture]` chooses [`arg`](Call::arg) or [`keyword`](Call::keyword) per parameter.
#[derive(Debug)]
pub struct Call {
    session: Session,
    text: String,
    /// Arguments written so far, for the separating commas.
    args: usize,
}

impl Call {
    /// Begins a call of `method` on `receiver` (an empty receiver writes `method(..)` alone,
    /// as for a free function), or `None` outside a capture session, where the caller
    /// simply calls the real thing and no text is written.
    pub fn begin(receiver: &str, method: &str) -> Option<Call> {
        let session = current()?;
        let mut text = String::with_capacity(receiver.len() + method.len() + 48);
        if !receiver.is_empty() {
            text.push_str(receiver);
            text.push('.');
        }
        text.push_str(method);
        text.push('(');
        Some(Call {
            session,
            text,
            args: 0,
        })
    }

    /// The separator before the next argument.
    fn next_arg(&mut self) {
        if self.args > 0 {
            self.text.push_str(", ");
        }
        self.args += 1;
    }

    /// A positional argument: its `Debug` form.
    pub fn arg<A: Debug + ?Sized>(&mut self, value: &A) {
        self.next_arg();
        // Writing to a String cannot fail.
        let _ = write!(self.text, "{value:?}");
    }

    /// A keyword argument, `name=value`, for values that mean little without their name
    /// (numbers, flags, options), as the reference writes Python's keyword arguments.
    pub fn keyword<A: Debug + ?Sized>(&mut self, name: &str, value: &A) {
        self.next_arg();
        let _ = write!(self.text, "{name}={value:?}");
    }

    /// Bytes (`&[u8]`), written as a byte string, `b"AT\r\n"`, rather than `Debug`'s list
    /// of numbers, so that a text protocol reads as text.
    pub fn bytes(&mut self, value: &[u8]) {
        self.next_arg();
        let _ = write!(self.text, "b\"{}\"", value.escape_ascii());
    }

    /// An out-parameter: only its size is part of the request, `name=[u8; len]`, since what
    /// it held before the call is not the caller's message.
    pub fn buffer(&mut self, name: &str, len: usize) {
        self.next_arg();
        let _ = write!(self.text, "{name}=[u8; {len}]");
    }

    /// The request text so far, closing parenthesis included once the call runs.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The failure of a captured method has nowhere to go in the method's own signature, so
    /// it is a panic, as with [`capture`](crate::capture::capture()).
    fn fail(error: CaptureError) -> ! {
        panic!("capturemock: {}", ErrorChain(&error))
    }

    /// Records or replays the call's result: `real` runs only when the mode needs the real
    /// thing; in replay the result comes from the mock file through `codec`.
    ///
    /// # Panics
    /// When the capture fails (see [`CaptureError`]).
    pub fn run<V, C: Codec<V>>(mut self, codec: &C, real: impl FnOnce() -> V) -> V {
        self.text.push(')');
        self.session
            .run(&self.text, codec, real)
            .unwrap_or_else(|e| Self::fail(e))
    }

    /// [`run`](Call::run) for an `async fn`: `real` is awaited only when the mode needs it.
    ///
    /// # Panics
    /// When the capture fails (see [`CaptureError`]).
    pub async fn run_async<V, C: Codec<V>>(
        mut self,
        codec: &C,
        real: impl Future<Output = V>,
    ) -> V {
        self.text.push(')');
        match self.session.run_async(&self.text, codec, real).await {
            Ok(value) => value,
            Err(e) => Self::fail(e),
        }
    }

    /// [`run_filling`](Call::run_filling) for an `async fn`. The real future borrows the
    /// caller's buffers until it is done, so the work is split: `real` makes the real call
    /// and returns its value with what it wrote into the buffers
    /// ([`written`](super::written)), and [`Refill::into_value`] writes the recorded bytes
    /// into the buffers once the exchange is over and the future gone.
    ///
    /// # Panics
    /// When the capture fails.
    pub async fn run_filling_async<const N: usize, V, C: Codec<V>>(
        mut self,
        names: [&'static str; N],
        codec: &C,
        real: impl Future<Output = (V, Vec<Vec<u8>>)>,
    ) -> Refill<V, N> {
        self.text.push(')');
        let codec = Buffers {
            names: &names,
            inner: codec,
        };
        let real = async {
            let (value, contents) = real.await;
            Filled { value, contents }
        };
        match self.session.run_async(&self.text, &codec, real).await {
            Ok(Filled { value, contents }) => Refill {
                request: self.text,
                names,
                value,
                contents,
            },
            Err(e) => Self::fail(e),
        }
    }

    /// [`run`](Call::run) for a method with out-parameters (`&mut [u8]` that the real call
    /// fills, like `Read::read`'s): the recorded result holds what the real call wrote into
    /// each buffer, and replay writes it there again.
    ///
    /// `filled` says how much of the buffers the result vouches for (`Ok(n)` of a read: the
    /// first `n` bytes), so that the record holds those bytes and not the rest of a large
    /// buffer; `None` records the whole buffers. An `Err` result records no buffers, and
    /// replaying it leaves them as they were.
    ///
    /// # Panics
    /// When the capture fails, or a replayed buffer is longer than the caller's.
    pub fn run_filling<const N: usize, V, C: Codec<V>>(
        mut self,
        names: [&str; N],
        mut buffers: [&mut [u8]; N],
        codec: &C,
        real: impl FnOnce(&mut [&mut [u8]; N]) -> V,
        filled: impl Fn(&V) -> Option<usize>,
    ) -> V {
        self.text.push(')');
        let codec = Buffers {
            names: &names,
            inner: codec,
        };
        let outcome = self.session.run(&self.text, &codec, || {
            let value = real(&mut buffers);
            let contents = super::written(buffers.each_ref().map(|b| &**b), filled(&value));
            Filled { value, contents }
        });
        match outcome {
            Ok(Filled { value, contents }) => {
                copy_back(&self.text, &names, &contents, &mut buffers);
                value
            }
            Err(e) => Self::fail(e),
        }
    }
}
