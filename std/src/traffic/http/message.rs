//! An HTTP request and response as the transport hands them over and takes them back.

use bytes::Bytes;

use super::headers::Header;

/// A request as it arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// `GET`, `POST`, … as sent.
    pub method: String,
    /// The path and query as received, percent-encoding untouched (an absolute-form target
    /// keeps only these).
    pub target: String,
    /// Every header in wire order, names spelled as sent, values read as Latin-1 (as the
    /// reference's HTTP parser reads them).
    pub headers: Vec<Header>,
    /// The body, for the requests the reference reads one for: `POST`, `PUT` and `PATCH`
    /// with a `Content-Length` or chunked transfer encoding. `None` otherwise (an empty body
    /// is `Some` and empty: the record shows the difference).
    pub body: Option<Bytes>,
}

impl HttpRequest {
    /// Whether the reference would read this request's body: only `POST`, `PUT` and
    /// `PATCH` with a `Content-Length` or chunked encoding have one.
    pub fn has_body(method: &str, headers: &[Header]) -> bool {
        matches!(method, "POST" | "PUT" | "PATCH")
            && headers.iter().any(|(name, value)| {
                name.eq_ignore_ascii_case("content-length")
                    || (name.eq_ignore_ascii_case("transfer-encoding")
                        && value.to_ascii_lowercase().contains("chunked"))
            })
    }
}

/// A response to send back: from the real server in record mode, from the record in replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Headers in order, repeated ones kept.
    pub headers: Vec<Header>,
    /// The body, byte for byte.
    pub body: Bytes,
}

/// What the kind answers a request with. The transport turns each outcome into an HTTP
/// response; only [`Response`](Self::Response) came from the recorded or real service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The service's response.
    Response(HttpResponse),
    /// Nothing recorded answers the request: the request as looked up, and the nearest
    /// recorded request, if any.
    Unmatched {
        /// The lookup key.
        request: String,
        /// The nearest recorded request.
        nearest: Option<String>,
    },
    /// Record mode, but no upstream location is known yet.
    NoUpstream,
    /// The upstream could not be reached or answered with something that is not HTTP.
    UpstreamFailed(String),
    /// The recorded response cannot be sent (a bad status line or `0x` body).
    BadRecord(String),
}
