//! The HTTP kind: a request becomes a `<-CLI:` entry, the engine decides, and the response
//! comes from the record or from the real service (`->SRV:`).

use std::borrow::Cow;
use std::collections::HashMap;

use bytes::Bytes;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use super::attachments::{attachment_name, placeholder, Attachments};
use super::body;
use super::canonical::CanonicalIndex;
use super::message::{Answer, HttpRequest, HttpResponse};
use super::request_text::request_text;
use super::response_text::{framing_header, recorded_response_owned, response_text};
use super::secrets::{scrub, MIN_SCRUBBED, PLACEHOLDER};
use super::settings::HttpSettings;
use super::tls::client_config;
use super::upstream;
use crate::exchange::{Decision, Engine, Exchange, RepeatRule};
use crate::traffic::classic::forward::ForwardLimits;

/// What the reference records for a `setServerLocation` when the system under test is taken
/// to be the HTTP server (`record_for_client` off): `<address>` is literal text.
pub const SERVER_LOCATION_ENTRY: &str = "POST /capturemock/setServerLocation <address>";

/// The HTTP traffic of one run: its settings, where the real service is, and which way
/// round the record is written.
#[derive(Debug)]
pub struct Http {
    settings: HttpSettings,
    /// The real service's base URL: `--upstream`, then the latest `setServerLocation`.
    location: Mutex<Option<String>>,
    /// A `setServerLocation` arrived without `record_for_client`: requests are recorded
    /// `->CLI`, responses `<-SRV` (the reference's reading: the system under test is a server).
    flipped: AtomicBool,
    /// With `check_repeated_calls` off, the responses already recorded for each request
    /// text: the same pair is recorded once per run.
    recorded_pairs: Mutex<HashMap<String, Vec<String>>>,
    /// Timeout and largest body when forwarding.
    limits: ForwardLimits,
    /// Where uploaded files and attachments are stored and replayed from (`-F`, `-f`).
    files: Attachments,
    /// Every secret value seen in the run, longest first: scrubbed from every text recorded
    /// after it was seen (see [`secrets`](super::secrets)).
    known_secrets: Mutex<Vec<String>>,
    /// The replay file's requests by canonical form, when `canonical_matching` is on.
    canonical: Option<CanonicalIndex>,
    /// The TLS client for HTTPS upstreams, made when first needed (reading the system's
    /// certificates takes a while, and a plain-HTTP run never needs them).
    tls: OnceLock<Arc<rustls::ClientConfig>>,
    /// Where replay publishes recorded `->RMQ:` responses: the rc file's `[amqp]` exchange.
    #[cfg(feature = "amqp")]
    publisher: Option<crate::server::amqp::Publisher>,
}

impl Http {
    /// The kind for a run with these settings, storing files in `files`.
    pub fn new(settings: HttpSettings, limits: ForwardLimits, files: Attachments) -> Self {
        Http {
            location: Mutex::new(settings.upstream.clone()),
            flipped: AtomicBool::new(false),
            recorded_pairs: Mutex::new(HashMap::new()),
            limits,
            files,
            known_secrets: Mutex::new(Vec::new()),
            canonical: None,
            tls: OnceLock::new(),
            #[cfg(feature = "amqp")]
            publisher: settings
                .amqp
                .clone()
                .map(crate::server::amqp::Publisher::new),
            settings,
        }
    }

    /// Ends the run: closes the connection to the broker that `->RMQ:` responses were
    /// published to, if one was opened.
    pub async fn close(&self) {
        #[cfg(feature = "amqp")]
        if let Some(publisher) = &self.publisher {
            publisher.close().await;
        }
    }

    /// Tells the kind which requests the replay file holds (their lookup keys), so that a
    /// request can match one canonically ([`canonical`](super::canonical)).
    pub fn index_recorded<'k>(&mut self, keys: impl IntoIterator<Item = &'k str>) {
        if self.settings.canonical_matching {
            self.canonical = Some(CanonicalIndex::new(keys));
        }
    }

    /// Its settings.
    pub fn settings(&self) -> &HttpSettings {
        &self.settings
    }

    /// A `setServerLocation`: later requests in record mode go to `location`. Unless
    /// `record_for_client` is on, the directions flip for the rest of the run and the
    /// announcement is recorded as the reference records it, as an exchange of its own.
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

    /// The record prefix of requests, in the current direction.
    fn request_prefix(&self) -> &'static str {
        if self.flipped.load(Ordering::Relaxed) {
            "->CLI"
        } else {
            "<-CLI"
        }
    }

    /// The record prefix of responses, in the current direction.
    fn response_prefix(&self) -> &'static str {
        if self.flipped.load(Ordering::Relaxed) {
            "<-SRV"
        } else {
            "->SRV"
        }
    }

    /// Serves one request: its text, the engine's decision (which numbers the exchange, so
    /// that the record follows the order of the decisions), and the answer; the exchange's
    /// entries go to the record file before this returns.
    pub async fn serve(&self, engine: &Engine, request: HttpRequest) -> Answer {
        let mut secrets = self.settings.secrets.redactor();
        let text = request_text(&request, &self.settings, &self.files, &mut secrets);
        let text = changed(self.scrub(&text, secrets.found)).unwrap_or(text);
        let text = changed(engine.alter_borrowed(None, &text)).unwrap_or(text);
        let timestamp = engine.timestamp();
        let prefix = self.request_prefix();
        let mut key = format!("{prefix}:{text}");
        // A request recorded in another order is looked up, and recorded, as recorded.
        let text = match self
            .canonical
            .as_ref()
            .and_then(|index| index.recorded(&key))
        {
            Some(recorded) => {
                key = recorded.to_string();
                recorded[prefix.len() + 1..].to_string()
            }
            None => text,
        };
        let rule = RepeatRule {
            may_modify: self.settings.all_can_modify || request.method != "GET",
            counts_repeats: self.settings.checks_repeated_calls(&request.method),
        };
        let (n, decision) = engine.decide_next_repeatable(&key, rule);
        let mut exchange = Exchange::new(engine, n, None);
        let answer = self
            .answer(&mut exchange, &request, decision, key, text, timestamp)
            .await;
        exchange.finish();
        answer
    }

    /// The answer to a decided request, and what the exchange records.
    async fn answer(
        &self,
        exchange: &mut Exchange<'_>,
        request: &HttpRequest,
        decision: Decision,
        key: String,
        text: String,
        timestamp: Option<String>,
    ) -> Answer {
        let prefix = self.request_prefix();
        match decision {
            Decision::Replay(replayed) => {
                let recording = exchange.engine().records();
                let mut answer = None;
                let mut responses = Vec::new();
                for recorded in replayed.responses {
                    let published = recorded.type_id() == "RMQ";
                    if !published && recorded.type_id() != "SRV" {
                        tracing::warn!(
                            exchange = exchange.number(),
                            "recorded response of type {} ignored: HTTP replays SRV and RMQ responses only",
                            recorded.type_id()
                        );
                        continue;
                    }
                    let altered = match exchange.alter_borrowed(recorded.text()) {
                        Cow::Owned(altered) => Some(altered),
                        Cow::Borrowed(_) => None,
                    };
                    let response = altered.unwrap_or_else(|| recorded.into_text());
                    if published {
                        // Published again, and recorded as replayed, as the reference does.
                        self.publish(exchange.number(), &response).await;
                        responses.extend(recording.then_some(("->RMQ", response)));
                        continue;
                    }
                    // Kept only to be recorded; otherwise the answer takes the text itself.
                    let kept = recording.then(|| (self.response_prefix(), response.clone()));
                    // A request answers once: later responses of the group are recorded only,
                    // as the reference's first response closes the connection.
                    if answer.is_none() {
                        answer = Some(match recorded_response_owned(response, &self.files) {
                            Ok(response) => Answer::Response(response),
                            Err(e) => Answer::BadRecord(e.to_string()),
                        });
                    }
                    responses.extend(kept);
                }
                let texts = || responses.iter().map(|(_, text)| text.as_str()).collect();
                if recording && self.records_pair(&request.method, &text, texts) {
                    exchange.record_owned(prefix, text, timestamp);
                    for (response_prefix, response) in responses {
                        exchange.record_owned(response_prefix, response, None);
                    }
                }
                answer.unwrap_or_else(|| Answer::Unmatched {
                    request: key,
                    nearest: exchange.engine().request_key(replayed.request),
                })
            }
            Decision::Mismatch | Decision::Unanswered | Decision::Forbidden => {
                exchange.record(prefix, &text, timestamp);
                let nearest = exchange
                    .engine()
                    .near_miss_of(exchange.number())
                    .and_then(|miss| miss.nearest);
                Answer::Unmatched {
                    request: key,
                    nearest,
                }
            }
            Decision::Record => self.record(exchange, request, text, timestamp).await,
        }
    }

    /// Publishes a replayed `->RMQ:` response to the rc file's `[amqp]` exchange; a response
    /// that cannot be published is logged as an error, and the HTTP answer goes on.
    async fn publish(&self, number: crate::exchange::ExchangeNo, text: &str) {
        #[cfg(feature = "amqp")]
        if let Some(publisher) = &self.publisher {
            if let Err(why) = publisher.publish(text).await {
                tracing::error!(exchange = number, "->RMQ: response not published: {why}");
            }
            return;
        }
        let _ = text;
        tracing::warn!(
            exchange = number,
            "->RMQ: response not published: that needs an [amqp] section in the rc file{}",
            if cfg!(feature = "amqp") {
                ""
            } else {
                " and the `amqp` feature"
            }
        );
    }

    /// Record mode: forwards the request, records it and the response, and answers with the
    /// response (its body altered as recorded).
    async fn record(
        &self,
        exchange: &mut Exchange<'_>,
        request: &HttpRequest,
        text: String,
        timestamp: Option<String>,
    ) -> Answer {
        let prefix = self.request_prefix();
        let location = self
            .location
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let Some(location) = location else {
            exchange.record_owned(prefix, text, timestamp);
            return Answer::NoUpstream;
        };
        let tls = || match self.tls.get() {
            Some(config) => Ok(Arc::clone(config)),
            None => {
                let config = client_config(self.settings.upstream_ca.as_deref())?;
                Ok(Arc::clone(self.tls.get_or_init(|| config)))
            }
        };
        let mut real = match upstream::forward(
            &location,
            request,
            &self.settings.default_headers,
            self.limits,
            tls,
        )
        .await
        {
            Ok(real) => real,
            Err(e) => {
                let reason = crate::ErrorChain(&e).to_string();
                tracing::warn!(
                    exchange = exchange.number(),
                    "failed to forward HTTP traffic to {location}: {reason}; recorded without a response"
                );
                exchange.record_owned(prefix, text, timestamp);
                return Answer::UpstreamFailed(format!("{location}: {reason}"));
            }
        };
        let mut secrets = self.settings.secrets.redactor();
        let stored;
        let mut altered_body = None;
        let recorded_body = match attachment_name(&request.target, &real.headers) {
            // A file is stored as it is, never altered.
            Some(name) => {
                stored = placeholder(&self.files.store(name, &real.body));
                Cow::Borrowed(stored.as_str())
            }
            None => {
                let text = body::record_text(&real.body);
                let redacted = match secrets.body(&text) {
                    Cow::Borrowed(_) => text,
                    Cow::Owned(redacted) => Cow::Owned(redacted),
                };
                if redacted.starts_with("0x") {
                    redacted
                } else {
                    match exchange.alter_borrowed(&redacted) {
                        Cow::Borrowed(_) => redacted,
                        Cow::Owned(altered) => {
                            // Alterations are plain text edits; the altered text is what is
                            // recorded, so it is what the client gets, with its own length
                            // (the reference keeps the stale one).
                            altered_body = Some(
                                body::bytes_of(&altered)
                                    .map(|bytes| Bytes::from(bytes.into_owned()))
                                    .unwrap_or_else(|_| Bytes::from(altered.clone().into_bytes())),
                            );
                            Cow::Owned(altered)
                        }
                    }
                }
            }
        };
        let response = response_text(
            real.status,
            &recorded_body,
            &real.headers,
            &self.settings,
            &mut secrets,
        );
        drop(recorded_body);
        if let Some(body) = altered_body {
            real.body = body;
        }
        let response = changed(self.scrub(&response, secrets.found)).unwrap_or(response);
        if self.records_pair(&request.method, &text, || response.clone()) {
            exchange.record_owned(prefix, text, timestamp);
            exchange.record_owned(self.response_prefix(), response, None);
        }
        // A response to HEAD has no body but says how long the body would be.
        let head = request.method == "HEAD";
        Answer::Response(HttpResponse {
            status: real.status,
            headers: real
                .headers
                .into_iter()
                .filter(|(name, value)| {
                    !framing_header(name, value)
                        || (head && name.eq_ignore_ascii_case("content-length"))
                })
                .collect(),
            body: real.body,
        })
    }

    /// `text` with every secret value seen so far in the run, and the `found` ones (which
    /// are remembered from now on), replaced.
    fn scrub<'t>(&self, text: &'t str, found: Vec<String>) -> Cow<'t, str> {
        let mut known = self.known_secrets.lock().unwrap_or_else(|e| e.into_inner());
        let mut learned = false;
        for value in found {
            // A replayed placeholder sent back (`Bearer <secret>`) is no value to learn.
            if value.len() >= MIN_SCRUBBED
                && !value.contains(PLACEHOLDER)
                && !known.contains(&value)
            {
                known.push(value);
                learned = true;
            }
        }
        if learned {
            known.sort_by_key(|value| std::cmp::Reverse(value.len()));
        }
        scrub(text, &known)
    }

    /// Whether a request and its responses are recorded (in record mode, and in the record
    /// file of a replay): always, unless the method's `check_repeated_calls` is off and the
    /// same pair was recorded before in this run.
    /// `response` is asked for only then (its text can be large).
    fn records_pair(&self, method: &str, request: &str, response: impl FnOnce() -> String) -> bool {
        if self.settings.checks_repeated_calls(method) {
            return true;
        }
        let response = response();
        let mut pairs = self
            .recorded_pairs
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let seen = pairs.entry(request.to_string()).or_default();
        if seen.contains(&response) {
            false
        } else {
            seen.push(response);
            true
        }
    }
}

/// The text an edit made, if it changed anything: the caller keeps its own text otherwise,
/// rather than a copy of it (a text can be a large body). Both edits used here, secrets
/// scrubbed and alterations, borrow only when they changed nothing.
fn changed(edited: Cow<'_, str>) -> Option<String> {
    match edited {
        Cow::Owned(text) => Some(text),
        Cow::Borrowed(_) => None,
    }
}
