//! The text of a request entry: `METHOD target[ body]` and its `--HEA:` lines (spec
//! section 2), the same in record and replay, so that a request finds its recording.

use super::attachments::Attachments;
use super::body;
use super::message::HttpRequest;
use super::multipart;
use super::secrets::Redactor;
use super::settings::HttpSettings;

/// The headers as the reference sees them: the `[default_http_headers]` first, then each
/// name the client sent, once per spelling, with the first value sent under that name in
/// any case. A client header spelled exactly as a default one replaces its value in place.
pub fn merged_headers<'r>(
    request: &'r HttpRequest,
    settings: &'r HttpSettings,
) -> Vec<(&'r str, &'r str)> {
    let mut merged: Vec<(&str, &str)> = settings
        .default_headers
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    for (name, _) in &request.headers {
        let first = request
            .headers
            .iter()
            .find(|(other, _)| other.eq_ignore_ascii_case(name))
            .map_or("", |(_, value)| value.as_str());
        match merged.iter_mut().find(|(other, _)| *other == name) {
            Some(slot) => slot.1 = first,
            None => merged.push((name, first)),
        }
    }
    merged
}

/// The request's record text (before alterations).
/// A body, even an empty one, follows the target after one space; a request without one
/// has no space. The file parts of a multipart body go to `attachments`. Secrets are
/// replaced by `secrets`, which keeps the values it replaced.
pub fn request_text(
    request: &HttpRequest,
    settings: &HttpSettings,
    attachments: &Attachments,
    secrets: &mut Redactor<'_>,
) -> String {
    let headers = merged_headers(request, settings);
    let target = secrets.target(&request.target);
    let mut text = String::with_capacity(request.method.len() + 1 + target.len() + 64);
    text.push_str(&request.method);
    text.push(' ');
    text.push_str(&target);
    if let Some(bytes) = &request.body {
        text.push(' ');
        // The reference looks for the header spelled exactly so.
        let boundary = headers
            .iter()
            .find(|(name, _)| *name == "Content-Type")
            .and_then(|(_, value)| multipart::boundary(value));
        match boundary {
            Some(boundary) => text.push_str(&multipart::record_text(bytes, &boundary, attachments)),
            None => text.push_str(&secrets.body(&body::record_text(bytes))),
        }
    }
    // Every value goes through the redactor, recorded or not: a secret in a header that is
    // not recorded (a cookie) is still scrubbed wherever else it shows.
    let headers: Vec<(&str, std::borrow::Cow<'_, str>)> = headers
        .into_iter()
        .map(|(name, value)| (name, secrets.header_value(name, value)))
        .collect();
    settings.filter.write_lines(&mut text, headers);
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rc::RcConfig;

    fn request(
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> HttpRequest {
        HttpRequest {
            method: method.into(),
            target: target.into(),
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: body.map(bytes::Bytes::copy_from_slice),
        }
    }

    #[test]
    fn the_spec_examples() {
        let s = HttpSettings::default();
        let none = Attachments::default();
        let get = request(
            "GET",
            "/hello?x=1&y=two%20words",
            &[
                ("Host", "127.0.0.1:1"),
                ("User-Agent", "curl"),
                ("Accept", "*/*"),
                ("X-Trace", "t1"),
            ],
            None,
        );
        assert_eq!(
            request_text(&get, &s, &none, &mut s.secrets.redactor()),
            "GET /hello?x=1&y=two%20words\n--HEA:Accept=*/*\n--HEA:X-Trace=t1"
        );
        let raw = request(
            "POST",
            "/raw-echo",
            &[
                ("Content-Type", "application/octet-stream"),
                ("Content-Length", "7"),
            ],
            Some(b"\x00\x01\x02\xff\xfe\n\r"),
        );
        assert_eq!(
            request_text(&raw, &s, &none, &mut s.secrets.redactor()),
            "POST /raw-echo 0x000102fffe0a0d\n--HEA:Content-Type=application/octet-stream"
        );
        let empty = request("POST", "/create", &[("Content-Length", "0")], Some(b""));
        assert_eq!(
            request_text(&empty, &s, &none, &mut s.secrets.redactor()),
            "POST /create "
        );
        let no_body = request("POST", "/create", &[], None);
        assert_eq!(
            request_text(&no_body, &s, &none, &mut s.secrets.redactor()),
            "POST /create"
        );
    }

    #[test]
    fn default_headers_come_first_and_repeated_client_headers_keep_the_first_value() {
        let rc = RcConfig::from_str_named("[default_http_headers]\nX-Api = k\n", "t").unwrap();
        let s = HttpSettings::from_rc(&rc).unwrap();
        let r = request(
            "GET",
            "/",
            &[("X-Api", "mine"), ("B", "1"), ("b", "2"), ("B", "3")],
            None,
        );
        assert_eq!(
            request_text(&r, &s, &Attachments::default(), &mut s.secrets.redactor()),
            "GET /\n--HEA:B=1\n--HEA:b=1\n--HEA:x-api=k\n--HEA:X-Api=mine"
        );
    }
}
