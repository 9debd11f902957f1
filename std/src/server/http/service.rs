//! One HTTP request: the internal endpoints, or an exchange through the HTTP kind, and the
//! response written back.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderName, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};

use super::Context;
use crate::exchange::diagnostics::word_diff;
use crate::traffic::http::header_case::{latin1, HeadTap};
use crate::traffic::http::headers::Header;
use crate::traffic::http::{Answer, HttpRequest};

/// The internal endpoints (never recorded, never forwarded).
const SHUTDOWN: &str = "/capturemock/shutdownServer";
const SET_LOCATION: &str = "/capturemock/setServerLocation";
const ADD_ALTERATIONS: &str = "/capturemock/addAlterations";
const PATH_REDIRECT: &str = "/capturemock/sendPathRedirect/";

/// The response to `request`. Never an error: every failure is an HTTP status with a body
/// that says what went wrong.
pub(super) async fn handle(
    context: &Context,
    tap: &HeadTap,
    request: Request<Incoming>,
) -> Response<Full<Bytes>> {
    context
        .served
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    // The head as spelled on the wire, when the tap agrees with hyper about it.
    let spelled = tap.take();
    let (parts, body) = request.into_parts();
    let target = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.to_string(), |p| p.as_str().to_string());
    let headers = match spelled {
        Some(spelled) if same_names(&spelled, &parts.headers) => spelled,
        _ => parts
            .headers
            .iter()
            .map(|(n, v)| (n.as_str().to_string(), latin1(v.as_bytes())))
            .collect(),
    };
    let body = match read_body(body, &context.limits).await {
        Ok(body) => body,
        Err(refusal) => return refusal,
    };
    if let Some(xmlrpc) = &context.xmlrpc {
        return super::xmlrpc::handle(context, xmlrpc, &parts.method, &target, body).await;
    }
    let method = parts.method.as_str().to_string();
    match (&parts.method, target.as_str()) {
        (&Method::GET, SHUTDOWN) => {
            let _ = context.stop.send(true);
            return empty(StatusCode::OK);
        }
        (&Method::OPTIONS, _) => return options(),
        (&Method::POST, SET_LOCATION) => {
            let location = String::from_utf8_lossy(&body).into_owned();
            context.kind.set_location(&location, &context.engine);
            return empty(StatusCode::OK);
        }
        (&Method::POST, ADD_ALTERATIONS) => {
            return not_supported(
                "adding alterations at run time (put them in an rc file given with -R)",
            )
        }
        (_, path) if path.starts_with(PATH_REDIRECT) => {
            return not_supported("path redirects (sendPathRedirect)")
        }
        _ => {}
    }
    let has_body = HttpRequest::has_body(&method, &headers)
        || (!body.is_empty() && !matches!(method.as_str(), "POST" | "PUT" | "PATCH"));
    let request = HttpRequest {
        method,
        target,
        headers,
        body: has_body.then_some(body),
    };
    respond(context.kind.serve(&context.engine, request).await)
}

/// The whole request body, or the response refusing it.
///
/// A body over the limits' `max_message_size` is refused with `413`, but only after the rest
/// of it has been read and thrown away (within the drain bounds): closing a connection with
/// unread input makes the kernel reset it, and the client could lose the refusal (the
/// lingering close of the TCP server, `server::connection::linger`).
async fn read_body(
    mut body: Incoming,
    limits: &crate::server::Limits,
) -> Result<Bytes, Response<Full<Bytes>>> {
    let mut collected: Vec<u8> = Vec::new();
    let mut too_large = false;
    let mut drained: u64 = 0;
    let deadline = tokio::time::Instant::now() + limits.drain_timeout;
    loop {
        let frame = if too_large {
            match tokio::time::timeout_at(deadline, body.frame()).await {
                Ok(frame) => frame,
                Err(_) => break,
            }
        } else {
            body.frame().await
        };
        let data = match frame {
            None => break,
            Some(Ok(frame)) => match frame.into_data() {
                Ok(data) => data,
                Err(_) => continue,
            },
            Some(Err(e)) => {
                return Err(text(
                    StatusCode::BAD_REQUEST,
                    format!("capturemock: cannot read the request body: {e}\n"),
                ))
            }
        };
        if too_large {
            drained += data.len() as u64;
            if drained > limits.drain_limit {
                break;
            }
        } else if collected.len() + data.len() > limits.max_message_size {
            too_large = true;
            collected = Vec::new();
        } else {
            collected.extend_from_slice(&data);
        }
    }
    if too_large {
        tracing::error!(
            "refused a request body over {} bytes",
            limits.max_message_size
        );
        return Err(text(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "capturemock: the request body is larger than {} bytes\n",
                limits.max_message_size
            ),
        ));
    }
    Ok(Bytes::from(collected))
}

/// Whether the head read from the wire names the headers hyper parsed: as many, each known
/// to hyper (whose names are compared without case).
fn same_names(spelled: &[Header], parsed: &hyper::HeaderMap) -> bool {
    spelled.len() == parsed.len()
        && spelled
            .iter()
            .all(|(name, _)| parsed.contains_key(name.as_str()))
}

/// The HTTP response for the kind's answer.
///
/// A request nothing recorded answers gets `501 Not Implemented`: a status no test expects
/// from the service it recorded (a `404` could pass a test that checks for "not found"), a
/// server error that clients report, and what the reference answers for what it cannot
/// replay (`HEAD`). Its body names the request, the nearest recorded one and their word diff.
fn respond(answer: Answer) -> Response<Full<Bytes>> {
    match answer {
        Answer::Response(recorded) => {
            let status = StatusCode::from_u16(recorded.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut response = Response::new(Full::new(recorded.body));
            *response.status_mut() = status;
            let headers = response.headers_mut();
            for (name, value) in &recorded.headers {
                match (HeaderName::from_bytes(name.as_bytes()), header_value(value)) {
                    (Ok(name), Ok(value)) => {
                        headers.append(name, value);
                    }
                    _ => tracing::warn!("header {name:?} cannot be sent: not a valid HTTP header"),
                }
            }
            cors(headers);
            response
        }
        Answer::Unmatched { request, nearest } => {
            let mut body = format!("capturemock: no recorded request answers this one\n  request:  {request}\n");
            match nearest {
                Some(nearest) => {
                    body.push_str(&format!("  nearest:  {nearest}\n  word diff: {}\n", word_diff(&nearest, &request)));
                }
                None => body.push_str("  nothing recorded of this type shares a word with it\n"),
            }
            text(StatusCode::NOT_IMPLEMENTED, body)
        }
        Answer::NoUpstream => text(
            StatusCode::BAD_GATEWAY,
            "capturemock: record mode, but no upstream is known: POST its base URL to /capturemock/setServerLocation, or start capturemock with --upstream URL\n".into(),
        ),
        Answer::UpstreamFailed(reason) => text(
            StatusCode::BAD_GATEWAY,
            format!("capturemock: cannot forward to the upstream: {reason}\n"),
        ),
        Answer::BadRecord(reason) => text(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("capturemock: the recorded response cannot be sent: {reason}\n"),
        ),
    }
}

/// A recorded header value as sent: its characters as Latin-1 bytes, as they were read.
fn header_value(value: &str) -> Result<HeaderValue, hyper::header::InvalidHeaderValue> {
    if value.is_ascii() {
        return HeaderValue::from_str(value);
    }
    let bytes: Vec<u8> = value
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect();
    HeaderValue::from_bytes(&bytes)
}

/// The two headers the reference adds to every proxied response, so that browser code can
/// call the proxy from another origin.
fn cors(headers: &mut hyper::HeaderMap) {
    headers.append("access-control-allow-origin", HeaderValue::from_static("*"));
    headers.append(
        "access-control-expose-headers",
        HeaderValue::from_static("*"),
    );
}

/// The reference's canned answer to a CORS preflight: never recorded or forwarded.
fn options() -> Response<Full<Bytes>> {
    let mut response = empty(StatusCode::OK);
    let headers = response.headers_mut();
    headers.append("access-control-allow-origin", HeaderValue::from_static("*"));
    headers.append(
        "access-control-allow-headers",
        HeaderValue::from_static("*"),
    );
    headers.append(
        "access-control-allow-methods",
        HeaderValue::from_static("*"),
    );
    response
}

/// An internal endpoint of the reference that this server does not offer.
fn not_supported(what: &str) -> Response<Full<Bytes>> {
    tracing::warn!("a client asked for {what}, which this server does not support");
    text(
        StatusCode::NOT_IMPLEMENTED,
        format!("capturemock: {what} is not supported by this server\n"),
    )
}

fn empty(status: StatusCode) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    response
}

fn text(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
