//! How a captured result becomes the text of its `->RET` entry, and back.
//!
//! [`Json`]: `serde_json`, pretty-printed (two-space indent), so that a recorded structure
//! reads (and diffs) line by line in the mock file. [`Text`]: a `String` as it is, for files
//! shared with custom clients in other languages. The codecs of captured methods (errors,
//! instances, out-parameters) are in [`method`](super::method) and build on these.

use serde::de::DeserializeOwned;
use serde::Serialize;

/// A result's text form: what a session records for a value and the value a recorded text
/// stands for. `capture` uses [`Json`], `capture_text` uses `Text` (as it is), and the code
/// `#[capture]` generates composes the codecs of [`method`](super::method) from these.
/// Errors are `serde_json::Error`s, which also carry a codec's own complaints
/// (`serde::de::Error::custom`), so that every failure is reported the same way.
pub trait Codec<T> {
    /// The text to record.
    fn encode(&self, value: &T) -> Result<String, serde_json::Error>;
    /// The value a recorded text stands for.
    fn decode(&self, text: &str) -> Result<T, serde_json::Error>;
}

/// JSON via serde, pretty-printed, so that a recorded structure diffs line by line.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json;

impl<T: Serialize + DeserializeOwned> Codec<T> for Json {
    fn encode(&self, value: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string_pretty(value)
    }

    fn decode(&self, text: &str) -> Result<T, serde_json::Error> {
        serde_json::from_str(text)
    }
}

/// Plain text.
/// A `String` as it is, so that a custom client in another language reads and writes the
/// same entries with no JSON in between.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Text;

impl Codec<String> for Text {
    fn encode(&self, value: &String) -> Result<String, serde_json::Error> {
        Ok(value.clone())
    }

    fn decode(&self, text: &str) -> Result<String, serde_json::Error> {
        Ok(text.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_pretty_and_reads_back() {
        let value = (1u8, vec!["a".to_string()]);
        let text = Codec::<(u8, Vec<String>)>::encode(&Json, &value).unwrap();
        assert_eq!(text, "[\n  1,\n  [\n    \"a\"\n  ]\n]");
        assert_eq!(
            Codec::<(u8, Vec<String>)>::decode(&Json, &text).unwrap(),
            value
        );
    }

    #[test]
    fn text_is_kept_as_it_is() {
        let value = "two\nlines \n".to_string();
        assert_eq!(Text.encode(&value).unwrap(), value);
        assert_eq!(Text.decode(&value).unwrap(), value);
    }
}
