//! What a replaying device asks, and who answers: one transaction in, its recorded response
//! out.

use core::fmt;

use super::error::HalError;
use super::text::{Kind, Response};

/// One bus transaction on its way through a backend: it writes its request text, and takes
/// the recorded response into its read buffers (or its level).
///
/// The devices of [`crate::hal`] make these; a recording wrapper on the host makes the same
/// ones around a real device, so the text is written by one piece of code.
pub trait Transaction {
    /// The bus, i.e. the record type id.
    fn kind(&self) -> Kind;
    /// The request text, after `<-I2C:`.
    fn write_request(&self, w: &mut dyn fmt::Write) -> fmt::Result;
    /// Takes a recorded response: fills the read buffers, or returns the recorded device error
    /// as [`HalError::Device`], or [`HalError::Mismatch`] when it does not fit.
    fn answer(&mut self, response: Response<'_>) -> Result<(), HalError>;
    /// The response text of a transaction that succeeded, from what its buffers (or level)
    /// hold now: what a recorder writes after the real device answered.
    fn write_response(&self, w: &mut dyn fmt::Write) -> fmt::Result;
}

/// Answers transactions: from a table in flash ([`super::HalReplay`]), or on the host from a
/// replay file.
pub trait Backend {
    /// Finds the recorded answer of `transaction` and hands it over
    /// ([`Transaction::answer`]). A backend reports its own failures (every error but
    /// [`HalError::Device`]) before returning them.
    fn exchange(&self, transaction: &mut dyn Transaction) -> Result<(), HalError>;
}

/// Devices share their backend by reference.
impl<B: Backend + ?Sized> Backend for &B {
    fn exchange(&self, transaction: &mut dyn Transaction) -> Result<(), HalError> {
        (**self).exchange(transaction)
    }
}

/// A transaction the replay could not answer, given to the [`ReportHook`].
#[derive(Debug, Clone, Copy)]
pub struct Report<'r> {
    /// The whole request entry, e.g. `<-I2C:0x48 write [07] read 2`.
    pub request: &'r str,
    /// Why it was not answered.
    pub error: HalError,
}

/// What the target does with a transaction the replay could not answer (write it to a debug
/// UART, count it, set a flag the test reads): a plain function, so no allocation or trait
/// object is needed. The driver gets the trait's error either way; the hook is how the person
/// reading the test's output learns which transaction it was.
pub type ReportHook = fn(&Report<'_>);
