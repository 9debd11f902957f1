//! Out-parameters: the bytes a real call wrote into `&mut [u8]` buffers, recorded with its
//! result and written into the caller's buffers again in replay.
//!
//! The recorded text is a JSON object with one string per buffer and the result under
//! `"return"`:
//!
//! ```text
//! ->RET:{
//!   "buf": "+CSQ: 21,0\r\nOK\r\n",
//!   "return": 16
//! }
//! ```
//!
//! Each byte is the character with the same number (ISO 8859-1), so text protocols read as
//! text, every byte value survives, and JSON escapes what is not printable. A result recorded
//! as an error (`raise ...`) is recorded alone: what the buffers hold after a failed call is
//! not the caller's to read.

use serde::de::Error as _;
use serde_json::{Map, Value};

use super::raises::RAISE;
use super::Codec;

/// The key of the result in the recorded object.
const RETURN: &str = "return";

/// A result with what the call wrote into its buffers.
pub(super) struct Filled<V> {
    pub(super) value: V,
    /// Per buffer, in parameter order; empty when the result was an error.
    pub(super) contents: Vec<Vec<u8>>,
}

/// The codec of a [`Filled`] result: the buffers' names, and the codec of the result itself.
pub(super) struct Buffers<'a, C, const N: usize> {
    pub(super) names: &'a [&'a str; N],
    pub(super) inner: &'a C,
}

/// Bytes as ISO 8859-1 text: byte `b` is `char::from(b)`.
fn to_text(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// The bytes of an ISO 8859-1 text, or the first character that is not one.
fn to_bytes(text: &str) -> Result<Vec<u8>, char> {
    text.chars()
        .map(|c| u8::try_from(c).map_err(|_| c))
        .collect()
}

impl<V, C: Codec<V>, const N: usize> Codec<Filled<V>> for Buffers<'_, C, N> {
    fn encode(&self, filled: &Filled<V>) -> Result<String, serde_json::Error> {
        let returned = self.inner.encode(&filled.value)?;
        if returned.starts_with(RAISE) {
            return Ok(returned);
        }
        let mut object = Map::new();
        for (name, bytes) in self.names.iter().zip(&filled.contents) {
            object.insert(name.to_string(), Value::String(to_text(bytes)));
        }
        object.insert(RETURN.into(), serde_json::from_str(&returned)?);
        serde_json::to_string_pretty(&object)
    }

    fn decode(&self, text: &str) -> Result<Filled<V>, serde_json::Error> {
        if text.starts_with(RAISE) {
            return Ok(Filled {
                value: self.inner.decode(text)?,
                contents: Vec::new(),
            });
        }
        let mut object: Map<String, Value> = serde_json::from_str(text)?;
        let returned = object
            .remove(RETURN)
            .ok_or_else(|| serde_json::Error::custom("no \"return\" in a call with buffers"))?;
        let value = self.inner.decode(&returned.to_string())?;
        let mut contents = Vec::with_capacity(N);
        for name in self.names {
            let bytes = match object.get(*name) {
                Some(Value::String(text)) => to_bytes(text).map_err(|c| {
                    serde_json::Error::custom(format!(
                        "the buffer {name:?} holds {c:?}, which is not a byte (U+0000 to U+00FF)"
                    ))
                })?,
                _ => {
                    return Err(serde_json::Error::custom(format!(
                        "no string for the buffer {name:?}"
                    )))
                }
            };
            contents.push(bytes);
        }
        Ok(Filled { value, contents })
    }
}

/// What a real call wrote into its buffers: the first `filled` bytes of each (all of it when
/// `None`), the part its result vouches for.
pub fn written<const N: usize>(buffers: [&[u8]; N], filled: Option<usize>) -> Vec<Vec<u8>> {
    buffers
        .iter()
        .map(|b| b[..filled.map_or(b.len(), |n| n.min(b.len()))].to_vec())
        .collect()
}

/// The result of a captured `async fn` with out-parameters, and what the buffers must hold:
/// see [`Call::run_filling_async`](super::Call::run_filling_async).
#[derive(Debug)]
pub struct Refill<V, const N: usize> {
    pub(super) request: String,
    pub(super) names: [&'static str; N],
    pub(super) value: V,
    pub(super) contents: Vec<Vec<u8>>,
}

impl<V, const N: usize> Refill<V, N> {
    /// Writes the recorded bytes into `buffers` (in replay; in record mode they are what the
    /// real call wrote) and gives the result.
    ///
    /// # Panics
    /// When a recorded content is longer than its buffer.
    pub fn into_value(self, mut buffers: [&mut [u8]; N]) -> V {
        copy_back(&self.request, &self.names, &self.contents, &mut buffers);
        self.value
    }
}

/// Writes replayed contents into the caller's buffers (empty contents, from an error, leave
/// them alone).
///
/// # Panics
/// When a recorded content is longer than the caller's buffer: the call is not the one that
/// was recorded, and truncating would hand the caller a different answer.
pub(super) fn copy_back<const N: usize>(
    request: &str,
    names: &[&str; N],
    contents: &[Vec<u8>],
    buffers: &mut [&mut [u8]; N],
) {
    for ((name, content), buffer) in names.iter().zip(contents).zip(buffers.iter_mut()) {
        let Some(target) = buffer.get_mut(..content.len()) else {
            panic!(
                "capturemock: {request} was recorded writing {} bytes into {name}, \
                 which holds only {}",
                content.len(),
                buffer.len()
            );
        };
        target.copy_from_slice(content);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::method::{IoError, Json, Raises};

    #[test]
    fn bytes_read_as_text_and_every_byte_comes_back() {
        let bytes: Vec<u8> = (0..=255).collect();
        assert_eq!(to_bytes(&to_text(&bytes)).unwrap(), bytes);
        assert_eq!(to_text(b"OK\r\n"), "OK\r\n");
        assert_eq!(to_bytes("\u{100}"), Err('\u{100}'));
    }

    #[test]
    fn a_result_is_recorded_with_its_buffers_and_an_error_alone() {
        let inner = Raises {
            ok: Json,
            err: IoError,
        };
        let codec = Buffers {
            names: &["buf"],
            inner: &inner,
        };
        let filled = Filled {
            value: Ok::<usize, std::io::Error>(4),
            contents: vec![b"OK\r\n".to_vec()],
        };
        let text = codec.encode(&filled).unwrap();
        assert_eq!(text, "{\n  \"buf\": \"OK\\r\\n\",\n  \"return\": 4\n}");
        let back: Filled<std::io::Result<usize>> = codec.decode(&text).unwrap();
        assert_eq!(back.value.unwrap(), 4);
        assert_eq!(back.contents, [b"OK\r\n".to_vec()]);

        let failed = Filled {
            value: Err::<usize, _>(std::io::Error::new(std::io::ErrorKind::TimedOut, "slow")),
            contents: vec![b"junk".to_vec()],
        };
        let text = codec.encode(&failed).unwrap();
        assert!(text.starts_with(RAISE), "{text}");
        let back: Filled<std::io::Result<usize>> = codec.decode(&text).unwrap();
        assert_eq!(back.value.unwrap_err().kind(), std::io::ErrorKind::TimedOut);
        assert!(back.contents.is_empty());
    }

    #[test]
    fn a_buffer_that_is_not_bytes_is_refused_by_name() {
        let codec = Buffers {
            names: &["buf"],
            inner: &Json,
        };
        let error =
            Codec::<Filled<usize>>::decode(&codec, "{\"buf\": \"\u{20ac}\", \"return\": 1}")
                .err()
                .unwrap();
        assert!(error.to_string().contains("\"buf\" holds '€'"), "{error}");
    }

    #[test]
    #[should_panic(expected = "t.read(buf=[u8; 2]) was recorded writing 3 bytes into buf")]
    fn replaying_more_than_the_buffer_holds_panics() {
        let mut buf = [0u8; 2];
        copy_back(
            "t.read(buf=[u8; 2])",
            &["buf"],
            &[b"abc".to_vec()],
            &mut [&mut buf],
        );
    }
}
