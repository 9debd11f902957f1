//! One way to show an error: its own message, then each cause once.
//!
//! The convention of this crate: the `Display` of an error says only its own layer (what
//! failed, where: a file and line when there is one, and a hint when the fix is obvious) and
//! never interpolates its cause; the cause is returned by `source()` (`#[source]`, `#[from]`
//! or a field named `source` with thiserror). A wrapper with nothing to add is
//! `#[error(transparent)]`. Whoever shows an error to a person shows the whole chain, once:
//! [`ErrorChain`] renders `outer: cause: root cause`, which is what the `capturemock` command
//! prints after `capturemock: error: ` and what this crate's log lines and panics show.
//! anyhow's `{:#}` renders the same text.

use std::error::Error;
use std::fmt;

/// Displays an error and its causes: `outer: cause: root cause`.
///
/// A cause whose message the text so far already ends with is not repeated (some foreign
/// errors interpolate their own source).
/// It borrows the error and formats lazily, so a log line or a panic message builds the
/// chain only when it is shown.
///
/// ```
/// use capturemock::ErrorChain;
///
/// let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
/// let error = capturemock::drift::DriftError::Read { path: "out.mock".into(), source: io };
/// assert_eq!(
///     ErrorChain(&error).to_string(),
///     "cannot read out.mock for the drift check: no such file"
/// );
/// ```
#[derive(Clone, Copy)]
pub struct ErrorChain<'a>(pub &'a (dyn Error + 'static));

impl fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = self.0.to_string();
        let mut cause = self.0.source();
        while let Some(error) = cause {
            let message = error.to_string();
            if !message.is_empty() && !text.ends_with(&message) {
                text.push_str(": ");
                text.push_str(&message);
            }
            cause = error.source();
        }
        f.write_str(&text)
    }
}

/// The same text as `Display`, so that wherever `Debug` is used (`{:?}`, an assertion's
/// message) the chain reads the same.
impl fmt::Debug for ErrorChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

// Its representatives come from every module, the server's and the serial links' included.
#[cfg(all(test, feature = "serial"))]
mod tests;
