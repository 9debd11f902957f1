//! Forwarding a request to the real service in record mode, and reading its response.
//!
//! Each request gets a connection of its own (as the reference's forwarder does), so that the
//! response head on it can be read again for its header spelling ([`header_case`](super::header_case)).
//! Redirects are not followed: a `3xx` goes back to the client and into the record as it is
//! (the reference follows them silently, spec pitfall 7).

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::client::conn::http1::SendRequest;
use hyper::Uri;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use super::header_case::{HeadTap, Role};
use super::headers::Header;
use super::message::{HttpRequest, HttpResponse};
use crate::traffic::classic::forward::ForwardLimits;

/// Why the real service gave no response.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UpstreamError {
    /// The location plus the target is not a URL.
    #[error("{0:?} is not a usable URL (the upstream location needs a scheme, e.g. http://127.0.0.1:8080)")]
    BadUrl(String),
    /// Neither `http://` nor `https://`.
    #[error("{0:?}: the upstream must be an http:// or https:// URL")]
    Scheme(String),
    /// An HTTPS upstream could not be reached securely.
    #[error(transparent)]
    Tls(#[from] super::tls::TlsError),
    /// Connecting failed.
    #[error("cannot connect to {0}")]
    Connect(String, #[source] std::io::Error),
    /// The exchange with the service failed.
    #[error("HTTP exchange with the upstream failed")]
    Http(#[source] hyper::Error),
    /// The response body was larger than the limit.
    #[error("the response body is larger than {0} bytes")]
    TooLarge(usize),
    /// No response within the timeout.
    #[error("no response within {0:?}")]
    Timeout(std::time::Duration),
}

/// Headers that belong to one connection and are never forwarded: the forwarder frames the
/// body itself and uses a connection of its own.
fn hop_by_hop(name: &str) -> bool {
    [
        "connection",
        "keep-alive",
        "te",
        "trailer",
        "upgrade",
        "transfer-encoding",
        "content-length",
        "host",
        "proxy-connection",
    ]
    .iter()
    .any(|hop| name.eq_ignore_ascii_case(hop))
}

/// Sends `request` to `location` (a base URL; the request's target is appended to it as
/// text, as the reference appends it) with `defaults` added where the client sent no header
/// of that name, and reads the whole response.
///
/// `Host` names the upstream (the reference sends the proxy's own address, which a real
/// service behind a virtual host would refuse).
///
/// An `https://` upstream is reached through TLS with `tls`, made when first needed.
pub async fn forward(
    location: &str,
    request: &HttpRequest,
    defaults: &[Header],
    limits: ForwardLimits,
    tls: impl FnOnce() -> Result<Arc<rustls::ClientConfig>, super::tls::TlsError>,
) -> Result<HttpResponse, UpstreamError> {
    let url = format!("{location}{}", request.target);
    let uri: Uri = url
        .parse()
        .map_err(|_| UpstreamError::BadUrl(url.clone()))?;
    let secure = match uri.scheme_str() {
        Some("http") => false,
        Some("https") => true,
        Some(_) => return Err(UpstreamError::Scheme(url)),
        None => return Err(UpstreamError::BadUrl(url)),
    };
    let tls = if secure { Some(tls()?) } else { None };
    let authority = uri
        .authority()
        .ok_or_else(|| UpstreamError::BadUrl(url.clone()))?
        .clone();
    let address = format!(
        "{}:{}",
        authority.host(),
        authority.port_u16().unwrap_or(80)
    );
    let exchange = async {
        let stream = TcpStream::connect(&address)
            .await
            .map_err(|e| UpstreamError::Connect(address.clone(), e))?;
        let _ = stream.set_nodelay(true);
        let tap = HeadTap::new(Role::Responses);
        let (mut sender, driver) = match tls {
            Some(config) => {
                let stream = super::tls::connect(config, authority.host(), stream).await?;
                handshake(tap.wrap(stream)).await?
            }
            None => handshake(tap.wrap(stream)).await?,
        };
        let mut builder = hyper::Request::builder()
            .method(request.method.as_str())
            .uri(uri.path_and_query().map_or("/", |p| p.as_str()))
            .header(hyper::header::HOST, authority.as_str());
        for (name, value) in &request.headers {
            if !hop_by_hop(name) {
                builder = builder.header(name.as_str(), latin1_bytes(value));
            }
        }
        for (name, value) in defaults {
            if !request
                .headers
                .iter()
                .any(|(sent, _)| sent.eq_ignore_ascii_case(name))
            {
                builder = builder.header(name.as_str(), latin1_bytes(value));
            }
        }
        let body = request.body.clone().unwrap_or_default();
        let outgoing = builder
            .body(Full::new(body))
            .map_err(|e| UpstreamError::BadUrl(format!("{url}: {e}")))?;
        let response = sender
            .send_request(outgoing)
            .await
            .map_err(UpstreamError::Http)?;
        let status = response.status().as_u16();
        let lower_cased: Vec<Header> = response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    super::header_case::latin1(v.as_bytes()),
                )
            })
            .collect();
        let body = Limited::new(response.into_body(), limits.max_reply_size)
            .collect()
            .await
            .map_err(|e| match e.downcast::<hyper::Error>() {
                Ok(e) => UpstreamError::Http(*e),
                Err(_) => UpstreamError::TooLarge(limits.max_reply_size),
            })?
            .to_bytes();
        driver.abort();
        let headers = tap.take().unwrap_or(lower_cased);
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    };
    tokio::time::timeout(limits.timeout, exchange)
        .await
        .map_err(|_| UpstreamError::Timeout(limits.timeout))?
}

/// An HTTP/1.1 client connection over `io`, driven by a task of its own (aborted with the
/// handle returned).
async fn handshake<IO>(
    io: IO,
) -> Result<(SendRequest<Full<Bytes>>, tokio::task::JoinHandle<()>), UpstreamError>
where
    IO: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(io))
        .await
        .map_err(UpstreamError::Http)?;
    let driver = tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!("upstream connection ended: {e}");
        }
    });
    Ok((sender, driver))
}

/// A header value as the bytes it was read from (values are held as Latin-1 text).
fn latin1_bytes(value: &str) -> Vec<u8> {
    value
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect()
}
