//! The proxy's loop: bytes from the device and the peripheral, requests cut by a [`Framer`],
//! exchanges recorded as classic client/server traffic, and answers replayed from a file.
//! Threads rather than tokio, since serial ports are blocking handles: each side has a
//! reader thread that sends what it reads over a channel, and the loop on the calling thread
//! is the only one that writes, decides and records, so events are handled in the order the
//! channel delivers them and exchanges complete in the order they happened.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use capturemock_core::format::NewlineOptions;
use capturemock_core::replay::{MatchKind, MatchOptions, Mode, NewRequestPolicy};

use super::framing::{FrameEvent, Framer, Framing};
use super::report::ProxyReport;
use super::ProxyError;
use crate::bridge::endpoint::{is_timeout, Port};
use crate::exchange::{Decision, Engine, RecordEntry, Recorder, Rules, TrailingNewlines};
use crate::replay_file::{ReplayFile, ReplayFileError, ReplayOptions};

/// Serial traffic keeps its line ends exactly: CR and LF are written `<CR>` and `<LF>`, so an
/// entry is one line and replays byte for byte.
pub const NEWLINES: NewlineOptions = NewlineOptions::BOTH;

/// The device's requests, as the reference's classic proxy records a client's messages.
pub const REQUEST_PREFIX: &str = "<-CLI";
/// The peripheral's answers, as the classic proxy records a server's replies.
pub const RESPONSE_PREFIX: &str = "->SRV";

/// What a proxy run does.
#[derive(Debug)]
#[non_exhaustive]
pub struct ProxyConfig {
    /// Record (the peripheral answers, everything is recorded), replay (the proxy answers
    /// from [`replay`](Self::replay)), or replay what the file has and pass the rest on to the
    /// peripheral and record it.
    pub mode: Mode,
    /// How the device's requests are delimited.
    pub framing: Framing,
    /// The recorded exchanges to answer from (load it with [`ProxyConfig::load_replay`]).
    pub replay: Option<ReplayFile>,
    /// Where to record (replaced; nothing recorded leaves no file).
    pub record: Option<PathBuf>,
    /// Mode 2's treatment of requests without an exact match (as the server's).
    pub new_requests: NewRequestPolicy,
    /// How often the loop looks at the stop flag.
    pub poll: Duration,
}

impl Default for ProxyConfig {
    fn default() -> Self {
        ProxyConfig {
            mode: Mode::Record,
            framing: Framing::default(),
            replay: None,
            record: None,
            new_requests: NewRequestPolicy::Reference,
            poll: Duration::from_millis(20),
        }
    }
}

impl ProxyConfig {
    /// How the proxy reads replay files: serial newlines, best match unless `exact`. Recorded
    /// requests are filed stripped of surrounding white space, and a request's delimiter
    /// (`\r`, `\n`) is white space, so requests are stripped before the exact lookup too.
    pub fn replay_options(exact: bool) -> ReplayOptions {
        ReplayOptions {
            newlines: NEWLINES,
            matching: MatchOptions {
                exact_only: exact,
                trim_request: true,
            },
            word_index: true,
        }
    }

    /// Loads `path` as the file to answer from.
    pub fn load_replay(
        &mut self,
        path: &std::path::Path,
        exact: bool,
    ) -> Result<(), ReplayFileError> {
        self.replay = Some(ReplayFile::load(path, Self::replay_options(exact))?);
        Ok(())
    }
}

/// Bytes from one side.
enum Event {
    /// Bytes from the device, with the time they were read: the idle gap is measured from there,
    /// not from when the loop got to them.
    Device(Vec<u8>, Instant),
    /// Bytes from the peripheral.
    Peripheral(Vec<u8>),
    /// A side closed its line (`None`) or failed reading: the run ends.
    Closed(&'static str, Option<std::io::Error>),
}

/// One request and what answered it.
struct Exchange {
    /// `None` until the framer completes the request; an exchange closed without one records
    /// nothing.
    request: Option<String>,
    /// Passed on to the peripheral: its bytes are this exchange's response.
    forwarded: bool,
    /// The peripheral's bytes while this exchange is current, when it was forwarded.
    response: Vec<u8>,
    /// Replayed responses, each recorded as it is in the file.
    replayed: Vec<String>,
}

/// Runs the proxy between `device` and `peripheral` until either closes or `stop` is set.
/// Ports must time out their reads now and then (see [`Port`]).
pub fn run(
    device: Box<dyn Port>,
    peripheral: Option<Box<dyn Port>>,
    mut config: ProxyConfig,
    stop: &AtomicBool,
) -> Result<ProxyReport, ProxyError> {
    if config.mode != Mode::Replay && peripheral.is_none() {
        return Err(ProxyError::NoPeripheral(config.mode));
    }
    if !config.framing.is_usable() {
        return Err(ProxyError::NoFraming);
    }
    let recorder = Recorder::new(config.record.as_deref(), NEWLINES, TrailingNewlines::Keep)?;
    let (tx, rx) = mpsc::channel();
    let done = Arc::new(AtomicBool::new(false));
    let mut readers = vec![reader(
        "device",
        device.try_clone_port()?,
        tx.clone(),
        &done,
    )?];
    let peripheral_writer = match &peripheral {
        Some(port) => {
            readers.push(reader("peripheral", port.try_clone_port()?, tx, &done)?);
            Some(port.try_clone_port()?)
        }
        None => {
            drop(tx);
            None
        }
    };
    let rules = Rules {
        mode: config.mode,
        new_requests: config.new_requests,
        ..Rules::default()
    };
    let replay = config.replay.take().map(|file| Arc::new(Mutex::new(file)));
    let mut state = Proxy {
        mode: config.mode,
        framer: Framer::new(config.framing.clone()),
        engine: Engine::new(rules, replay, Some(recorder)),
        device: device.try_clone_port()?,
        peripheral: peripheral_writer,
        current: None,
        exchanges: 0,
        report: ProxyReport::default(),
    };
    let result = state.serve(&rx, stop, config.poll);
    done.store(true, Ordering::Relaxed);
    for reader in readers {
        let _ = reader.join();
    }
    state.finish();
    result.map(|()| state.report)
}

/// A thread reading `port` for `side` and sending what it reads, until `done` is set, the
/// line closes, or the loop stops listening. Read timeouts are how it notices `done`, which
/// is why ports must time out their reads.
fn reader(
    side: &'static str,
    mut port: Box<dyn Port>,
    tx: Sender<Event>,
    done: &Arc<AtomicBool>,
) -> std::io::Result<JoinHandle<()>> {
    let done = Arc::clone(done);
    std::thread::Builder::new()
        .name(format!("capturemock-proxy-{side}"))
        .spawn(move || {
            let mut buf = vec![0u8; 4096];
            while !done.load(Ordering::Relaxed) {
                let event = match port.read(&mut buf) {
                    Ok(0) => Event::Closed(side, None),
                    Ok(n) => {
                        let bytes = buf.get(..n).unwrap_or_default().to_vec();
                        if side == "device" {
                            Event::Device(bytes, Instant::now())
                        } else {
                            Event::Peripheral(bytes)
                        }
                    }
                    Err(e) if is_timeout(&e) || e.kind() == std::io::ErrorKind::Interrupted => {
                        continue
                    }
                    Err(e) => Event::Closed(side, Some(e)),
                };
                let closed = matches!(event, Event::Closed(..));
                if tx.send(event).is_err() || closed {
                    return;
                }
            }
        })
}

/// The loop's state, owned by the calling thread.
struct Proxy {
    mode: Mode,
    framer: Framer,
    /// Decides and records, as for every other way into capturemock.
    engine: Engine,
    /// Written only by the loop (the reader thread has its own handle).
    device: Box<dyn Port>,
    /// `None` when replaying without a peripheral.
    peripheral: Option<Box<dyn Port>>,
    /// The exchange whose response is being collected: from the first byte of its request to
    /// the first byte of the next.
    current: Option<Exchange>,
    /// Exchanges closed so far; the next one is number `exchanges + 1` to the engine.
    exchanges: u64,
    report: ProxyReport,
}

impl Proxy {
    /// The loop: waits for the next event, but no longer than the framer's idle deadline, nor
    /// than `poll`, so that `stop` is seen. In record mode the device's bytes reach the
    /// peripheral before they are framed, so the device sees the peripheral's own timing.
    fn serve(
        &mut self,
        rx: &Receiver<Event>,
        stop: &AtomicBool,
        poll: Duration,
    ) -> Result<(), ProxyError> {
        let mut events = Vec::new();
        while !stop.load(Ordering::Relaxed) {
            let now = Instant::now();
            let wait = self
                .framer
                .deadline()
                .map_or(poll, |d| d.saturating_duration_since(now).min(poll));
            match rx.recv_timeout(wait) {
                Ok(Event::Device(bytes, at)) => {
                    if self.mode == Mode::Record {
                        // Transparent: the peripheral gets the bytes as they come.
                        self.send_peripheral(&bytes)?;
                    }
                    self.framer.push(&bytes, at, &mut events);
                    for event in events.drain(..) {
                        self.on_frame_event(event)?;
                    }
                }
                Ok(Event::Peripheral(bytes)) => {
                    self.send_device(&bytes)?;
                    match &mut self.current {
                        Some(exchange) if exchange.forwarded => {
                            exchange.response.extend_from_slice(&bytes)
                        }
                        _ => {
                            self.report.unsolicited_bytes += bytes.len() as u64;
                            tracing::warn!(
                                "serial proxy: {} bytes from the peripheral answer no request; passed on, not recorded",
                                bytes.len()
                            );
                        }
                    }
                }
                Ok(Event::Closed(side, error)) => {
                    match error {
                        Some(e) => {
                            tracing::warn!("serial proxy: reading from the {side} failed: {e}")
                        }
                        None => tracing::info!("serial proxy: the {side} closed the line"),
                    }
                    return Ok(());
                }
                Err(RecvTimeoutError::Timeout) => {
                    if let Some(message) = self.framer.poll(Instant::now()) {
                        self.on_frame_event(FrameEvent::Message(message))?;
                    }
                }
                Err(RecvTimeoutError::Disconnected) => return Ok(()),
            }
        }
        Ok(())
    }

    /// A request starting closes the previous exchange: what the peripheral sent until now was
    /// its response.
    fn on_frame_event(&mut self, event: FrameEvent) -> Result<(), ProxyError> {
        match event {
            FrameEvent::Started => {
                self.close_exchange();
                self.current = Some(Exchange {
                    request: None,
                    forwarded: self.mode == Mode::Record,
                    response: Vec::new(),
                    replayed: Vec::new(),
                });
                Ok(())
            }
            FrameEvent::Message(bytes) => self.on_request(&bytes),
        }
    }

    /// A complete request, decided by the engine: passed on to the peripheral (at once, except
    /// in record mode where its bytes already went), answered from the file (only `->SRV`
    /// responses, written to the device at once), or left unanswered, the engine having logged
    /// why.
    fn on_request(&mut self, bytes: &[u8]) -> Result<(), ProxyError> {
        self.report.requests += 1;
        let request = self.text(bytes, "request");
        let desc = format!("{REQUEST_PREFIX}:{request}");
        let mut replayed = Vec::new();
        let forwarded = match self.engine.decide(self.exchanges + 1, &desc) {
            Decision::Record => {
                self.report.forwarded += 1;
                if self.mode != Mode::Record {
                    // In record mode the bytes went to the peripheral as they came.
                    self.send_peripheral(bytes)?;
                }
                true
            }
            Decision::Replay(answer) => {
                if answer.kind != MatchKind::Exact {
                    self.report.nearest += 1;
                }
                self.report.replayed += 1;
                for response in answer.responses {
                    if response.type_id() != "SRV" {
                        tracing::warn!(
                            "serial proxy: recorded response {:?} is not a ->SRV entry; skipped",
                            response.entry().split(':').next().unwrap_or_default()
                        );
                        continue;
                    }
                    self.send_device(response.text().as_bytes())?;
                    replayed.push(response.text().to_string());
                }
                false
            }
            // The engine has logged the near miss; the device gets no answer.
            Decision::Mismatch | Decision::Unanswered | Decision::Forbidden => {
                self.report.unmatched += 1;
                false
            }
        };
        let exchange = self.current.get_or_insert(Exchange {
            request: None,
            forwarded,
            response: Vec::new(),
            replayed: Vec::new(),
        });
        exchange.request = Some(request);
        exchange.forwarded = forwarded;
        exchange.replayed = replayed;
        Ok(())
    }

    /// Bytes as text for the record, which holds text only: lossy, with a warning and a count
    /// in the report.
    fn text(&mut self, bytes: &[u8], what: &str) -> String {
        match String::from_utf8(bytes.to_vec()) {
            Ok(text) => text,
            Err(e) => {
                self.report.not_text += 1;
                tracing::warn!(
                    "serial proxy: a {what} is not UTF-8 text; recorded with replacement characters"
                );
                String::from_utf8_lossy(e.as_bytes()).into_owned()
            }
        }
    }

    /// Records the current exchange: the request, then the peripheral's response or the
    /// responses replayed, all as `->SRV`. The replayed ones are recorded as the file has them,
    /// so a replay run's record equals the replay file when the device behaves as it did.
    fn close_exchange(&mut self) {
        let Some(exchange) = self.current.take() else {
            return;
        };
        let Some(request) = exchange.request else {
            return;
        };
        let mut entries = vec![RecordEntry {
            prefix: REQUEST_PREFIX,
            text: request,
            timestamp: None,
        }];
        if exchange.forwarded && !exchange.response.is_empty() {
            let text = self.text(&exchange.response, "response");
            entries.push(RecordEntry {
                prefix: RESPONSE_PREFIX,
                text,
                timestamp: None,
            });
        }
        for text in exchange.replayed {
            entries.push(RecordEntry {
                prefix: RESPONSE_PREFIX,
                text,
                timestamp: None,
            });
        }
        self.exchanges += 1;
        self.engine.complete(self.exchanges, entries);
    }

    /// The end of the run: a request cut short by the line closing is recorded with no answer,
    /// then the engine writes the record file and reports.
    fn finish(&mut self) {
        if let Some(rest) = self.framer.flush() {
            tracing::info!(
                "serial proxy: the line ended in the middle of a request ({} bytes); recorded as it is",
                rest.len()
            );
            // Answering is pointless now; record it as a request that got no answer.
            let request = self.text(&rest, "request");
            self.report.requests += 1;
            let exchange = self.current.get_or_insert(Exchange {
                request: None,
                forwarded: false,
                response: Vec::new(),
                replayed: Vec::new(),
            });
            exchange.request = Some(request);
        }
        self.close_exchange();
        let engine = self.engine.finish();
        self.report.cut = self.framer.cut();
        self.report.recorded_exchanges = engine.recorded_exchanges;
        self.report.record_failures = engine.record_failures;
    }

    /// Writes and flushes at once: a serial peer reacts to bytes as they come.
    fn send_device(&mut self, bytes: &[u8]) -> Result<(), ProxyError> {
        self.device
            .write_all(bytes)
            .and_then(|()| self.device.flush())
            .map_err(|source| ProxyError::Write {
                side: "device",
                source,
            })
    }

    /// As [`send_device`](Self::send_device); nothing without a peripheral.
    fn send_peripheral(&mut self, bytes: &[u8]) -> Result<(), ProxyError> {
        match &mut self.peripheral {
            Some(port) => port
                .write_all(bytes)
                .and_then(|()| port.flush())
                .map_err(|source| ProxyError::Write {
                    side: "peripheral",
                    source,
                }),
            None => Ok(()),
        }
    }
}
