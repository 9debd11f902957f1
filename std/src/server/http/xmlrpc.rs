//! The XML-RPC endpoint (`server_protocol = xmlrpc`): each POST is a method call, answered
//! with a method response, on the HTTP transport's connections.
//!
//! `setServerLocation(url)` and `shutdownCaptureMockServer()` are the reference's own
//! methods and never reach the kind. Every failure is answered with a fault whose string
//! starts `capturemock:` and whose code is one of the XML-RPC interoperability codes
//! (`-32700` not XML, `-32600` not a call, `-32602` bad arguments, `-32400` for the rest:
//! nothing recorded answers, no or a failing real server, an unreadable record), so that
//! no client mistakes it for the service's own fault.

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::HeaderValue;
use hyper::{Method, Response, StatusCode};

use super::Context;
use crate::exchange::diagnostics::word_diff;
use crate::traffic::xmlrpc::xml::{read_call, write_response, XmlRpcError};
use crate::traffic::xmlrpc::{Answer, Fault, Outcome, Value, XmlRpc};

/// Parse error: the body is not well-formed XML.
const NOT_XML: i64 = -32700;
/// Invalid request: XML, but no method call.
const NOT_A_CALL: i64 = -32600;
/// Invalid method parameters.
const BAD_PARAMS: i64 = -32602;
/// System error: capturemock itself cannot answer.
const SYSTEM: i64 = -32400;

/// The response to one request on the XML-RPC endpoint.
pub(super) async fn handle(
    context: &Context,
    kind: &XmlRpc,
    method: &Method,
    target: &str,
    body: Bytes,
) -> Response<Full<Bytes>> {
    // The paths Python's XML-RPC server answers on, as the reference's does.
    let path = target.split_once('?').map_or(target, |(path, _)| path);
    if !matches!(path, "/" | "/RPC2") {
        let mut response = Response::new(Full::new(Bytes::from(format!(
            "capturemock: XML-RPC calls go to / or /RPC2, not {path}\n"
        ))));
        *response.status_mut() = StatusCode::NOT_FOUND;
        return response;
    }
    if method != Method::POST {
        let mut response = Response::new(Full::new(Bytes::from_static(
            b"capturemock: an XML-RPC server takes POST requests only\n",
        )));
        *response.status_mut() = StatusCode::NOT_IMPLEMENTED;
        return response;
    }
    let call = match read_call(&body) {
        Ok(call) => call,
        Err(e) => {
            tracing::error!("refused a request that is no XML-RPC call: {e}");
            let code = match e {
                XmlRpcError::NotXml(_) => NOT_XML,
                _ => NOT_A_CALL,
            };
            return fault(code, format!("capturemock: {e}"));
        }
    };
    match call.method.as_str() {
        "shutdownCaptureMockServer" => {
            let _ = context.stop.send(true);
            respond(&Outcome::Value(Value::Str(String::new())))
        }
        "setServerLocation" => match call.params.as_slice() {
            [Value::Str(location)] => {
                kind.set_location(location, &context.engine);
                respond(&Outcome::Value(Value::Str(String::new())))
            }
            _ => fault(
                BAD_PARAMS,
                "capturemock: setServerLocation takes one argument, the real server's URL".into(),
            ),
        },
        _ => answer(kind.serve(&context.engine, call).await),
    }
}

/// The method response for the kind's answer.
fn answer(answer: Answer) -> Response<Full<Bytes>> {
    match answer {
        Answer::Outcome(outcome) => respond(&outcome),
        Answer::Unmatched { request, nearest } => {
            let mut text =
                format!("capturemock: no recorded call answers this one\n  request:  {request}\n");
            match nearest {
                Some(nearest) => text.push_str(&format!(
                    "  nearest:  {nearest}\n  word diff: {}\n",
                    word_diff(&nearest, &request)
                )),
                None => text.push_str("  nothing recorded shares a word with it\n"),
            }
            fault(SYSTEM, text)
        }
        Answer::NoUpstream => fault(
            SYSTEM,
            "capturemock: record mode, but no real server is known: call setServerLocation(url) first".into(),
        ),
        Answer::UpstreamFailed(reason) => fault(
            SYSTEM,
            format!("capturemock: cannot call the real server: {reason}"),
        ),
        Answer::BadRecord(reason) => fault(
            SYSTEM,
            format!("capturemock: the recorded result cannot be read: {reason}"),
        ),
        Answer::BadArguments(reason) => fault(BAD_PARAMS, format!("capturemock: {reason}")),
    }
}

/// A result or the service's fault, sent as the reference's Python server sends it: a
/// result it cannot marshal (`None` with `allow_none` off, an int beyond 32 bits) becomes
/// the fault that server answers instead.
fn respond(outcome: &Outcome) -> Response<Full<Bytes>> {
    if let Outcome::Value(value) = outcome {
        if value.holds_nil() {
            return fault(
                1,
                "<class 'TypeError'>:cannot marshal None unless allow_none is enabled".into(),
            );
        }
        if value.holds_big_int() {
            return fault(
                1,
                "<class 'OverflowError'>:int exceeds XML-RPC limits".into(),
            );
        }
    }
    xml_response(write_response(outcome))
}

fn fault(code: i64, message: String) -> Response<Full<Bytes>> {
    xml_response(write_response(&Outcome::Fault(Fault::new(code, message))))
}

fn xml_response(body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    response
        .headers_mut()
        .insert("content-type", HeaderValue::from_static("text/xml"));
    response
}
