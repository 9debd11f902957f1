//! Which headers a record shows, in what order, and how they are written: `--HEA:Name=value`
//! lines after the body, sorted by lower-cased name (spec section 2).
//!
//! Dropping a header affects only the record file and matching, never what is forwarded:
//! the dropped names are those that change from run to run (`Date`, `User-Agent`, `Host`
//! with its port) or that describe the connection rather than the exchange.

use memchr::memmem;

/// Starts every header line of an HTTP entry.
pub const HEADER_MARK: &str = "--HEA:";

/// The names the reference never records, in either direction (compared lower-cased).
const DROPPED: &[&str] = &[
    "accept-charset",
    "accept-encoding",
    "access-control-request-headers",
    "access-control-request-method",
    "connection",
    "content-length",
    "cookie",
    "date",
    "dnt",
    "expect",
    "host",
    "keep-alive",
    "origin",
    "permissions-policy",
    "referer",
    "te",
    "trailer",
    "upgrade",
    "user-agent",
    "via",
];

/// Name prefixes the reference never records.
const DROPPED_PREFIXES: &[&str] = &["sec-", "proxy-", "x-forwarded"];

/// A header as it appears on the wire: its name spelled as sent, its value as text.
pub type Header = (String, String);

/// Decides which headers are recorded: the built-in drop list and `ignore_http_headers`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeaderFilter {
    /// `ignore_http_headers`, lower-cased.
    ignored: Vec<String>,
}

impl HeaderFilter {
    /// The built-in list plus the names in `ignore_http_headers`.
    pub fn new(ignored: &[String]) -> Self {
        HeaderFilter {
            ignored: ignored
                .iter()
                .map(|name| name.to_ascii_lowercase())
                .collect(),
        }
    }

    /// Whether a header is written to the record (and so takes part in matching).
    /// `Content-Type: application/x-www-form-urlencoded` is dropped too: it is the default
    /// a form post gets, so it says nothing.
    pub fn records(&self, name: &str, value: &str) -> bool {
        let starts_with = |prefix: &str| {
            name.get(..prefix.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
        };
        let dropped = DROPPED.iter().any(|d| name.eq_ignore_ascii_case(d))
            || DROPPED_PREFIXES.iter().any(|p| starts_with(p))
            || self.ignored.iter().any(|i| name.eq_ignore_ascii_case(i))
            || (name.eq_ignore_ascii_case("content-type")
                && value.eq_ignore_ascii_case("application/x-www-form-urlencoded"));
        !dropped
    }

    /// The header lines of an entry: `\n--HEA:name=value` for each recorded header, sorted
    /// by lower-cased name; headers with the same lower-cased name keep their order.
    pub fn lines<N, V>(&self, headers: impl IntoIterator<Item = (N, V)>) -> String
    where
        N: AsRef<str>,
        V: AsRef<str>,
    {
        let mut text = String::new();
        self.write_lines(&mut text, headers);
        text
    }

    /// [`lines`](Self::lines), appended to `text` (the request's own text, on every request's
    /// path: no header is copied to sort it).
    pub fn write_lines<N, V>(&self, text: &mut String, headers: impl IntoIterator<Item = (N, V)>)
    where
        N: AsRef<str>,
        V: AsRef<str>,
    {
        let mut kept: Vec<(N, V)> = headers
            .into_iter()
            .filter(|(name, value)| self.records(name.as_ref(), value.as_ref()))
            .collect();
        // Stable, so the same name in any case keeps its order.
        kept.sort_by(|(a, _), (b, _)| {
            let a = a.as_ref().bytes().map(|b| b.to_ascii_lowercase());
            a.cmp(b.as_ref().bytes().map(|b| b.to_ascii_lowercase()))
        });
        for (name, value) in kept {
            text.push('\n');
            text.push_str(HEADER_MARK);
            text.push_str(name.as_ref());
            text.push('=');
            text.push_str(value.as_ref());
        }
    }
}

/// Splits a recorded entry's text (after the method and target, or the status code) into
/// its body text and its headers, in file order.
///
/// The body ends at the first line that starts with `--HEA:`, and the one line break before
/// it is not part of the body. A header line is `name=value`, split at the first `=`; its
/// surrounding white space is dropped, as the reference drops it. (The reference splits at
/// `--HEA:` anywhere in the text; only a body containing that text mid-line reads
/// differently, and such a body cannot be replayed by the reference at all.)
pub fn split_recorded(text: &str) -> (&str, Vec<Header>) {
    let start = if text.starts_with(HEADER_MARK) {
        Some((0, 0))
    } else {
        memmem::find(text.as_bytes(), b"\n--HEA:").map(|at| (at, at + 1))
    };
    let Some((body_end, first_header)) = start else {
        return (text, Vec::new());
    };
    let rest = &text[first_header..];
    let mut marks = memmem::find_iter(rest.as_bytes(), HEADER_MARK.as_bytes()).peekable();
    let mut headers = Vec::new();
    while let Some(at) = marks.next() {
        let end = marks.peek().copied().unwrap_or(rest.len());
        if let Some((name, value)) = rest[at + HEADER_MARK.len()..end].trim().split_once('=') {
            headers.push((name.to_string(), value.to_string()));
        }
    }
    (&text[..body_end], headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(name: &str, value: &str) -> Header {
        (name.to_string(), value.to_string())
    }

    #[test]
    fn the_reference_drop_list_and_prefixes_apply_case_insensitively() {
        let filter = HeaderFilter::new(&["X-Request-Id".to_string()]);
        for name in [
            "Host",
            "USER-AGENT",
            "Sec-Fetch-Mode",
            "Proxy-Authorization",
            "X-Forwarded-For",
            "x-request-id",
            "Cookie",
        ] {
            assert!(!filter.records(name, "v"), "{name}");
        }
        for name in [
            "Accept",
            "Authorization",
            "X-Trace",
            "Transfer-Encoding",
            "Server",
            "Set-Cookie",
        ] {
            assert!(filter.records(name, "v"), "{name}");
        }
        assert!(!filter.records("content-type", "Application/X-WWW-Form-Urlencoded"));
        assert!(filter.records("Content-Type", "application/json"));
    }

    #[test]
    fn lines_are_sorted_by_lower_cased_name_and_stable() {
        let headers = [
            h("X-Trace", "t1"),
            h("accept", "a"),
            h("Accept", "b"),
            h("Host", "h"),
        ];
        assert_eq!(
            HeaderFilter::default().lines(headers.iter().map(|(n, v)| (n, v))),
            "\n--HEA:accept=a\n--HEA:Accept=b\n--HEA:X-Trace=t1"
        );
    }

    #[test]
    fn recorded_text_splits_into_body_and_headers() {
        let (body, headers) =
            split_recorded("{\n  \"a\": 1\n}\n\n--HEA:Content-Type=application/json\n--HEA:X=a=b");
        assert_eq!(body, "{\n  \"a\": 1\n}\n");
        assert_eq!(
            headers,
            vec![h("Content-Type", "application/json"), h("X", "a=b")]
        );
        assert_eq!(split_recorded("no headers"), ("no headers", vec![]));
        assert_eq!(split_recorded("--HEA:A=1"), ("", vec![h("A", "1")]));
        assert_eq!(split_recorded("\n--HEA:A=1"), ("", vec![h("A", "1")]));
        // Mid-line is body text.
        assert_eq!(split_recorded("a --HEA:b=c"), ("a --HEA:b=c", vec![]));
    }
}
