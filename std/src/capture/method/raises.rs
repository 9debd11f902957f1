//! A `Result`: `Ok` recorded as its value, `Err` recorded as an error, `raise <error>`, and
//! returned as `Err` again in replay, as the reference records and raises exceptions.

use super::Codec;

/// What starts the text of a recorded error. No JSON value and no recorded instance starts
/// with it, so a recorded text is an error exactly when it does.
pub const RAISE: &str = "raise ";

/// The codec of a `Result<T, E>`: `ok` writes `T`, `err` writes `E` after [`RAISE`].
/// `err` is [`Json`](super::Json) for any error type with serde, or
/// [`IoError`](super::IoError) for `std::io::Error`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Raises<C, D> {
    /// The codec of the value.
    pub ok: C,
    /// The codec of the error.
    pub err: D,
}

impl<T, E, C: Codec<T>, D: Codec<E>> Codec<Result<T, E>> for Raises<C, D> {
    fn encode(&self, value: &Result<T, E>) -> Result<String, serde_json::Error> {
        match value {
            Ok(value) => self.ok.encode(value),
            Err(error) => Ok(format!("{RAISE}{}", self.err.encode(error)?)),
        }
    }

    fn decode(&self, text: &str) -> Result<Result<T, E>, serde_json::Error> {
        match text.strip_prefix(RAISE) {
            Some(error) => self.err.decode(error).map(Err),
            None => self.ok.decode(text).map(Ok),
        }
    }
}
