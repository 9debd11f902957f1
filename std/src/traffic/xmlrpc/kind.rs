//! The XML-RPC kind: a method call becomes `<-CLI:method(args)`, the engine decides, and the
//! result comes from the record (`->SRV:` read back as a Python literal) or from the real
//! XML-RPC server (written as `pprint.pformat` writes it).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use bytes::Bytes;

use super::literal::parse_outcome;
use super::pformat::pformat;
use super::repr::{call_text, parse_date, repr, Side};
use super::value::{Fault, Outcome, Value};
use super::xml::{read_response, write_call, MethodCall};
use crate::exchange::{Decision, Engine, Exchange};
use crate::traffic::classic::forward::ForwardLimits;
use crate::traffic::http::upstream;
use crate::traffic::http::HttpRequest;

/// What the reference records for a `setServerLocation` when the system under test is taken
/// to be the server (`record_for_client` off): `<address>` is literal text.
pub const SERVER_LOCATION_ENTRY: &str = "setServerLocation(<address>)";

/// The rc settings XML-RPC traffic uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct XmlRpcSettings {
    /// `record_for_client`: a `setServerLocation` neither flips the directions nor is
    /// recorded.
    pub record_for_client: bool,
}

/// What the kind answers a call with; the transport turns each into an XML-RPC response.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// The service's result or fault, recorded or real.
    Outcome(Outcome),
    /// Nothing recorded answers the call: the call as looked up, and the nearest recorded
    /// one.
    Unmatched {
        /// The lookup key.
        request: String,
        /// The nearest recorded request.
        nearest: Option<String>,
    },
    /// Record mode, but no `setServerLocation` came yet.
    NoUpstream,
    /// The real server could not be reached or did not answer in XML-RPC.
    UpstreamFailed(String),
    /// The recorded result is no Python literal this kind reads.
    BadRecord(String),
    /// The call's arguments cannot be read as the reference reads them (a top-level binary
    /// that is not UTF-8, a date that is no date).
    BadArguments(String),
}

/// The XML-RPC traffic of one run.
#[derive(Debug)]
pub struct XmlRpc {
    settings: XmlRpcSettings,
    /// The real server's URL, from the latest `setServerLocation`.
    location: Mutex<Option<String>>,
    /// A `setServerLocation` arrived without `record_for_client`: calls are recorded `->CLI`,
    /// results `<-SRV`, as the reference does.
    flipped: AtomicBool,
    limits: ForwardLimits,
}

impl XmlRpc {
    /// The kind for a run with these settings.
    pub fn new(settings: XmlRpcSettings, limits: ForwardLimits) -> Self {
        XmlRpc {
            settings,
            location: Mutex::new(None),
            flipped: AtomicBool::new(false),
            limits,
        }
    }

    /// A `setServerLocation(url)`: later calls in record mode go to `url`. Unless
    /// `record_for_client` is on, the directions flip for the rest of the run and the call is
    /// recorded as the reference records it.
    pub fn set_location(&self, location: &str, engine: &Engine) {
        *self.location.lock().unwrap_or_else(|e| e.into_inner()) =
            Some(location.trim().to_string());
        if !self.settings.record_for_client {
            self.flipped.store(true, Ordering::Relaxed);
            let mut exchange = Exchange::new(engine, engine.next_number(), None);
            exchange.record("<-SRV", SERVER_LOCATION_ENTRY, None);
            exchange.finish();
        }
    }

    fn prefixes(&self) -> (&'static str, &'static str) {
        if self.flipped.load(Ordering::Relaxed) {
            ("->CLI", "<-SRV")
        } else {
            ("<-CLI", "->SRV")
        }
    }

    /// Serves one call: its text, the engine's decision (which numbers the exchange), and
    /// the answer; the exchange's entries go to the record file before this returns.
    pub async fn serve(&self, engine: &Engine, call: MethodCall) -> Answer {
        let params = match as_the_reference_reads(call.params) {
            Ok(params) => params,
            Err(reason) => return Answer::BadArguments(reason),
        };
        let text = engine.alter(None, &call_text(&call.method, &params));
        let timestamp = engine.timestamp();
        let (request_prefix, response_prefix) = self.prefixes();
        let key = format!("{request_prefix}:{text}");
        let (n, decision) = engine.decide_next(&key);
        let mut exchange = Exchange::new(engine, n, None);
        let answer = match decision {
            Decision::Replay(replayed) => {
                exchange.record_owned(request_prefix, text, timestamp);
                let mut answer = None;
                for recorded in replayed.responses {
                    if recorded.type_id() != "SRV" {
                        tracing::warn!(
                            exchange = n,
                            "recorded response of type {} ignored: XML-RPC replays SRV responses only",
                            recorded.type_id()
                        );
                        continue;
                    }
                    if answer.is_none() {
                        answer = Some(match parse_outcome(recorded.text()) {
                            Ok(outcome) => Answer::Outcome(outcome),
                            Err(e) => {
                                let reason =
                                    format!("{:?}: {}", recorded.text(), crate::ErrorChain(&e));
                                tracing::error!(
                                    exchange = n,
                                    "recorded XML-RPC result cannot be read: {reason}"
                                );
                                Answer::BadRecord(reason)
                            }
                        });
                    }
                    exchange.record_owned(response_prefix, recorded.into_text(), None);
                }
                answer.unwrap_or_else(|| Answer::Unmatched {
                    request: key,
                    nearest: engine.request_key(replayed.request),
                })
            }
            Decision::Mismatch | Decision::Unanswered | Decision::Forbidden => {
                exchange.record_owned(request_prefix, text, timestamp);
                let nearest = engine.near_miss_of(n).and_then(|miss| miss.nearest);
                Answer::Unmatched {
                    request: key,
                    nearest,
                }
            }
            Decision::Record => {
                exchange.record_owned(request_prefix, text, timestamp);
                self.record(&mut exchange, &call.method, &params, response_prefix)
                    .await
            }
        };
        exchange.finish();
        answer
    }

    /// Record mode: calls the real server, records its result (altered) or fault, and
    /// answers with what it sent.
    async fn record(
        &self,
        exchange: &mut Exchange<'_>,
        method: &str,
        params: &[Value],
        response_prefix: &'static str,
    ) -> Answer {
        let location = self
            .location
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let Some(location) = location else {
            return Answer::NoUpstream;
        };
        let outcome = match self.call_real(&location, method, params).await {
            Ok(outcome) => outcome,
            Err(reason) => {
                tracing::warn!(
                    exchange = exchange.number(),
                    "failed to forward XML-RPC traffic to {location}: {reason}; recorded without a response"
                );
                return Answer::UpstreamFailed(format!("{location}: {reason}"));
            }
        };
        let text = match &outcome {
            Outcome::Value(value) => exchange.alter(&pformat(value)),
            Outcome::Fault(fault) => fault_text(fault),
        };
        exchange.record_owned(response_prefix, text, None);
        Answer::Outcome(outcome)
    }

    /// The real server's answer to the call, as Python's `ServerProxy` would get it.
    async fn call_real(
        &self,
        location: &str,
        method: &str,
        params: &[Value],
    ) -> Result<Outcome, String> {
        let (base, target) = split_location(location);
        let request = HttpRequest {
            method: "POST".into(),
            target,
            headers: vec![("Content-Type".into(), "text/xml".into())],
            body: Some(Bytes::from(write_call(method, params))),
        };
        // An https:// server is reached with the system's roots, as Python's client does.
        let tls = || crate::traffic::http::tls::client_config(None);
        let response = upstream::forward(base, &request, &[], self.limits, tls)
            .await
            .map_err(|e| crate::ErrorChain(&e).to_string())?;
        if response.status != 200 {
            return Err(format!("the server answered HTTP {}", response.status));
        }
        read_response(&response.body).map_err(|e| e.to_string())
    }
}

/// The recorded text of a fault, as the reference writes it.
pub fn fault_text(fault: &Fault) -> String {
    format!(
        "raise xmlrpclib.Fault({}, {})",
        repr(&fault.code, Side::Result, false),
        repr(&fault.string, Side::Result, false)
    )
}

/// The arguments as the reference's server reads them: a top-level binary becomes the
/// `str` of its UTF-8 text, and dates must be dates (`datetime.strptime`).
fn as_the_reference_reads(params: Vec<Value>) -> Result<Vec<Value>, String> {
    fn check_dates(value: &Value) -> Result<(), String> {
        match value {
            Value::DateTime(text) if parse_date(text).is_none() => Err(format!(
                "the date {text:?} is not of the form YYYYMMDDTHH:MM:SS"
            )),
            Value::Array(items) => items.iter().try_for_each(check_dates),
            Value::Struct(members) => members.iter().try_for_each(|(_, v)| check_dates(v)),
            _ => Ok(()),
        }
    }
    params
        .into_iter()
        .enumerate()
        .map(|(i, param)| {
            check_dates(&param)?;
            match param {
                Value::Binary(bytes) => String::from_utf8(bytes).map(Value::Str).map_err(|e| {
                    format!(
                        "argument {} is a binary that is not UTF-8 text (byte {}), which the reference cannot read",
                        i + 1,
                        e.utf8_error().valid_up_to()
                    )
                }),
                other => Ok(other),
            }
        })
        .collect()
}

/// The base URL and the path to post to, as Python's `ServerProxy` has it: the URL's own
/// path, or `/RPC2` when it has none.
fn split_location(location: &str) -> (&str, String) {
    let after_scheme = location.find("://").map_or(0, |i| i + 3);
    match location[after_scheme..].find('/') {
        Some(slash) => (
            &location[..after_scheme + slash],
            location[after_scheme + slash..].to_string(),
        ),
        None => (location, "/RPC2".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_post_where_python_posts() {
        assert_eq!(
            split_location("http://h:1"),
            ("http://h:1", "/RPC2".to_string())
        );
        assert_eq!(
            split_location("http://h:1/x/y"),
            ("http://h:1", "/x/y".to_string())
        );
    }

    #[test]
    fn faults_are_written_as_the_reference_writes_them() {
        assert_eq!(
            fault_text(&Fault::new(7, "it's")),
            "raise xmlrpclib.Fault(7, \"it's\")"
        );
    }

    #[test]
    fn top_level_binaries_become_text_as_the_reference_reads_them() {
        let read = as_the_reference_reads(vec![
            Value::Binary("café".into()),
            Value::Array(vec![Value::Binary(vec![0xff])]),
        ]);
        assert_eq!(
            read,
            Ok(vec![
                Value::Str("café".into()),
                Value::Array(vec![Value::Binary(vec![0xff])])
            ])
        );
        assert!(
            as_the_reference_reads(vec![Value::Binary(vec![b'a', 0xff])])
                .unwrap_err()
                .contains("byte 1")
        );
        assert!(as_the_reference_reads(vec![Value::DateTime("x".into())]).is_err());
    }
}
