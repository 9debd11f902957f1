//! How a captured result becomes the text of its `->RET` entry, and back.
//!
//! [`Json`]: `serde_json`, pretty-printed (two-space indent), so that a recorded structure
//! reads (and diffs) line by line in the mock file. [`Text`]: a `String` as it is, for files
//! shared with custom clients in other languages.

use serde::de::DeserializeOwned;
use serde::Serialize;

/// A result's text form.
/// Chosen by type, not at run time: `capture` uses [`Json`] and `capture_text` uses [`Text`].
/// Both report `serde_json::Error`, which `Text` never returns.
pub(crate) trait Codec<T> {
    /// The text to record.
    fn encode(value: &T) -> Result<String, serde_json::Error>;
    /// The value a recorded text stands for.
    fn decode(text: &str) -> Result<T, serde_json::Error>;
}

/// JSON via serde.
pub(crate) struct Json;

impl<T: Serialize + DeserializeOwned> Codec<T> for Json {
    fn encode(value: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string_pretty(value)
    }

    fn decode(text: &str) -> Result<T, serde_json::Error> {
        serde_json::from_str(text)
    }
}

/// Plain text.
/// A `String` as it is, so that a custom client in another language reads and writes the
/// same entries with no JSON in between.
pub(crate) struct Text;

impl Codec<String> for Text {
    fn encode(value: &String) -> Result<String, serde_json::Error> {
        Ok(value.clone())
    }

    fn decode(text: &str) -> Result<String, serde_json::Error> {
        Ok(text.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_pretty_and_reads_back() {
        let value = (1u8, vec!["a".to_string()]);
        let text = <Json as Codec<(u8, Vec<String>)>>::encode(&value).unwrap();
        assert_eq!(text, "[\n  1,\n  [\n    \"a\"\n  ]\n]");
        assert_eq!(
            <Json as Codec<(u8, Vec<String>)>>::decode(&text).unwrap(),
            value
        );
    }

    #[test]
    fn text_is_kept_as_it_is() {
        let value = "two\nlines \n".to_string();
        assert_eq!(Text::encode(&value).unwrap(), value);
        assert_eq!(Text::decode(&value).unwrap(), value);
    }
}
