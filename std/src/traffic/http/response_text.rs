//! The text of a response entry, `<code> <body>` and its `--HEA:` lines (spec section 2),
//! and the response a recorded entry replays as (section 3).

use std::borrow::Cow;

use bytes::Bytes;

use super::attachments::{placeholder_name, Attachments};
use super::body;
use super::headers::{split_recorded, Header, HEADER_MARK};
use super::message::HttpResponse;
use super::secrets::Redactor;
use super::settings::HttpSettings;

/// The record text of a real response whose body text is `body_text` (already altered, as
/// the reference alters a recorded body but not its header lines, and with its secrets
/// replaced). There is always one space after the code.
pub fn response_text(
    status: u16,
    body_text: &str,
    headers: &[Header],
    settings: &HttpSettings,
    secrets: &mut Redactor<'_>,
) -> String {
    let headers: Vec<(&str, Cow<'_, str>)> = headers
        .iter()
        .map(|(name, value)| (name.as_str(), secrets.header_value(name, value)))
        .collect();
    // Room for the header lines too: a large body is not moved to make room for them.
    let header_room: usize = headers
        .iter()
        .map(|(name, value)| HEADER_MARK.len() + name.len() + value.len() + 2)
        .sum();
    let mut text = String::with_capacity(4 + body_text.len() + header_room);
    text.push_str(&status.to_string());
    text.push(' ');
    text.push_str(body_text);
    settings.filter.write_lines(&mut text, headers);
    text
}

/// Why a recorded response cannot be sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadResponse {
    /// The text does not start with a status code from 100 to 999.
    #[error("recorded response does not start with a status code: {0:?}")]
    Status(String),
    /// The body is `0x` but not hex.
    #[error(transparent)]
    Body(#[from] body::BadHex),
}

/// The response a recorded `->SRV:` text replays as: its status, its headers in file order
/// (repeated ones kept, unlike the reference, which keeps the last), and its body byte for
/// byte (the reference sends CRLF for every LF).
///
/// Headers that describe the recorded connection rather than the response are left out:
/// the server frames the body itself and sets `Content-Length`.
/// A text with no space after the code is a response with no body (the reference cannot
/// replay `204` without the space, spec pitfall 5). A body that is a file placeholder is the
/// file, read from the replay edit directory of `files`.
pub fn recorded_response(text: &str, files: &Attachments) -> Result<HttpResponse, BadResponse> {
    recorded_response_owned(text.to_string(), files)
}

/// [`recorded_response`] of a text the caller no longer needs: a body sent as it is written
/// (neither hex, nor escaped, nor a file) is the text's own bytes, not a copy of them.
pub fn recorded_response_owned(
    text: String,
    files: &Attachments,
) -> Result<HttpResponse, BadResponse> {
    let (code, rest) = text.split_once(' ').unwrap_or((&text, ""));
    let status = code
        .parse::<u16>()
        .ok()
        .filter(|s| (100..=999).contains(s))
        .ok_or_else(|| BadResponse::Status(text.chars().take(40).collect()))?;
    let (body_text, headers) = split_recorded(rest);
    let headers = headers
        .into_iter()
        .filter(|(name, value)| !framing_header(name, value))
        .collect();
    let file = placeholder_name(body_text).and_then(|name| files.load(name));
    // Where the body's bytes are: their own, or (usually) a range of the text itself.
    let in_text = match file {
        Some(contents) => Err(contents),
        None => match body::bytes_of(body_text)? {
            Cow::Owned(bytes) => Err(bytes),
            Cow::Borrowed(slice) => {
                // An empty body may be a slice of nothing.
                let start = (slice.as_ptr() as usize).checked_sub(text.as_ptr() as usize);
                match start {
                    Some(start) if start + slice.len() <= text.len() => {
                        Ok(start..start + slice.len())
                    }
                    _ => Err(slice.to_vec()),
                }
            }
        },
    };
    let body = match in_text {
        Ok(range) => Bytes::from(text.into_bytes()).slice(range),
        Err(bytes) => Bytes::from(bytes),
    };
    Ok(HttpResponse {
        status,
        headers,
        body,
    })
}

/// Headers the server sets itself when it sends a response: its length and framing, and the
/// CORS header that every response gets anyway.
pub fn framing_header(name: &str, value: &str) -> bool {
    name.eq_ignore_ascii_case("content-length")
        || name.eq_ignore_ascii_case("connection")
        || name.eq_ignore_ascii_case("keep-alive")
        || name.eq_ignore_ascii_case("access-control-allow-origin")
        || (name.eq_ignore_ascii_case("transfer-encoding") && value.eq_ignore_ascii_case("chunked"))
}

#[cfg(test)]
mod tests {
    use super::super::secrets::Secrets;
    use super::*;

    fn h(name: &str, value: &str) -> Header {
        (name.to_string(), value.to_string())
    }

    #[test]
    fn responses_are_written_as_the_reference_writes_them() {
        let headers = [
            h("Server", "BaseHTTP/0.6 Python/3.11.7"),
            h("Date", "x"),
            h("Content-Type", "application/json"),
            h("Content-Length", "28"),
        ];
        assert_eq!(
            response_text(200, "{\n  \"a\": 1\n}\n", &headers, &HttpSettings::default(), &mut Secrets::default().redactor()),
            "200 {\n  \"a\": 1\n}\n\n--HEA:Content-Type=application/json\n--HEA:Server=BaseHTTP/0.6 Python/3.11.7"
        );
        assert_eq!(
            response_text(
                204,
                "",
                &[],
                &HttpSettings::default(),
                &mut Secrets::default().redactor()
            ),
            "204 "
        );
    }

    #[test]
    fn recorded_responses_replay_byte_for_byte_with_every_header() {
        let r = recorded_response("200 {\n  \"a\": 1\n}\n\n--HEA:Set-Cookie=a=1\n--HEA:Set-Cookie=b=2\n--HEA:Transfer-Encoding=chunked\n--HEA:Access-Control-Allow-Origin=x", &Attachments::default()).unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(&r.body[..], b"{\n  \"a\": 1\n}\n");
        assert_eq!(
            r.headers,
            vec![h("Set-Cookie", "a=1"), h("Set-Cookie", "b=2")]
        );
        let binary = recorded_response("200 0x000102fffe0a0d", &Attachments::default()).unwrap();
        assert_eq!(&binary.body[..], b"\x00\x01\x02\xff\xfe\n\r");
        assert_eq!(
            recorded_response("204", &Attachments::default())
                .unwrap()
                .body
                .len(),
            0
        );
        assert!(matches!(
            recorded_response("OK fine", &Attachments::default()),
            Err(BadResponse::Status(_))
        ));
        assert!(matches!(
            recorded_response("1000 x", &Attachments::default()),
            Err(BadResponse::Status(_))
        ));
        assert!(matches!(
            recorded_response("200 0xzz", &Attachments::default()),
            Err(BadResponse::Body(_))
        ));
    }
}
