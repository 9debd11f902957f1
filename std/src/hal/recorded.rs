//! A real device wrapped so that its traffic goes through a [`HalSession`]: passed through and
//! recorded, or replayed.

use super::HalSession;

/// A real `I2c`, `SpiDevice`, `SpiBus`, pin or delay (`T`) whose every call goes through a
/// [`HalSession`]: in record mode the call reaches `T` and is recorded with its answer; in
/// replay mode it is answered from the replay file and `T` is never called. It implements
/// each embedded-hal trait `T` implements, with [`HalError`](capturemock_core::hal::HalError)
/// as the error in every mode, so a driver sees the same errors recording and replaying (a
/// real device's error becomes `HalError::Device` with its kind).
///
/// Made by [`HalSession::i2c`], [`HalSession::spi`], [`HalSession::pin`],
/// [`HalSession::delay`].
#[derive(Debug)]
pub struct Recorded<T> {
    pub(super) session: HalSession,
    pub(super) name: String,
    pub(super) real: T,
}

impl<T> Recorded<T> {
    /// The real device back.
    pub fn into_inner(self) -> T {
        self.real
    }
}

impl HalSession {
    /// Wraps a real I2C bus; its transactions are named by their address.
    pub fn i2c<T>(&self, real: T) -> Recorded<T> {
        self.wrap("i2c", real)
    }

    /// Wraps a real SPI device or bus, called `name` in the record (one word).
    pub fn spi<T>(&self, name: &str, real: T) -> Recorded<T> {
        self.wrap(name, real)
    }

    /// Wraps a real pin, called `name` in the record (one word).
    pub fn pin<T>(&self, name: &str, real: T) -> Recorded<T> {
        self.wrap(name, real)
    }

    /// Wraps a real delay source, called `name` in the record (one word).
    pub fn delay<T>(&self, name: &str, real: T) -> Recorded<T> {
        self.wrap(name, real)
    }

    fn wrap<T>(&self, name: &str, real: T) -> Recorded<T> {
        Recorded {
            session: self.clone(),
            name: name.to_string(),
            real,
        }
    }
}
