//! The host's side of the link over a [`Port`]: capturemock-core's `FrameDecoder` and
//! `HostSession` wired to the port and to an [`Upstream`] server.
//!
//! Only complete frames with a good CRC reach the session, and only new requests reach the
//! server, so damage on the line costs repeats, never a wrong or half record. Everything the
//! decoder drops is logged (and counted in the [`BridgeReport`]).

use std::io::ErrorKind;
use std::sync::atomic::{AtomicBool, Ordering};

use capturemock_core::link::{Feed, FrameDecoder, HostEvent, HostSession, HostStep};

use super::endpoint::{is_timeout, Link, Port};
use super::report::BridgeReport;
use super::upstream::{Serve, Served};
use super::BridgeError;

/// The longest frame the bridge takes and sends: the protocol's limit (`max_frame` is a
/// `u16`). A device's own `max_frame` limits what it is sent.
pub const MAX_FRAME: usize = u16::MAX as usize;

/// How a connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortEnd {
    /// The other side closed it (QEMU exited, the relay hung up).
    Closed,
    /// Reading or writing failed.
    Failed,
    /// The stop flag was set.
    Stopped,
}

/// A bridge: serves the devices on a link's connections, one after another, keeping the
/// session across them (a reconnecting relay is the same device).
pub struct Bridge {
    /// Boxed: it holds a 64 KiB frame buffer, too much to move around on the stack.
    decoder: Box<FrameDecoder<MAX_FRAME>>,
    /// Boxed for the same reason: it keeps the last answer (up to 64 KiB) to send again when a
    /// device repeats a request whose answer was lost.
    session: Box<HostSession<MAX_FRAME>>,
    upstream: Box<dyn Serve>,
    /// The bridge's own counts; the session's and the decoder's statistics are added when
    /// [`report`](Bridge::report) is asked.
    report: BridgeReport,
}

/// The decoder and the session are left out: their buffers would flood the output.
impl std::fmt::Debug for Bridge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bridge")
            .field("upstream", &self.upstream)
            .field("report", &self.report)
            .finish_non_exhaustive()
    }
}

impl Bridge {
    /// A bridge to `upstream` (an [`Upstream`](super::Upstream) server, or a
    /// [`HalUpstream`](super::HalUpstream)), telling devices its mode.
    pub fn new(upstream: impl Serve + 'static) -> Bridge {
        Bridge {
            decoder: Box::new(FrameDecoder::new()),
            session: Box::new(HostSession::new(upstream.mode())),
            upstream: Box::new(upstream),
            report: BridgeReport::default(),
        }
    }

    /// The totals so far.
    pub fn report(&self) -> BridgeReport {
        let mut report = self.report;
        report.host = self.session.stats();
        report.decoder = self.decoder.stats();
        report
    }

    /// Serves the link's connections until `stop` is set, or (with `once`, or for a link
    /// that is not a listener) until the first connection ends.
    pub fn run(
        &mut self,
        link: &mut Link,
        stop: &AtomicBool,
        once: bool,
    ) -> Result<(), BridgeError> {
        while let Some(mut port) = link.next_port(stop)? {
            self.report.connections += 1;
            let name = port.name();
            tracing::info!("link: {name} connected");
            match self.serve_port(port.as_mut(), stop) {
                PortEnd::Stopped => break,
                PortEnd::Closed => tracing::info!("link: {name} closed the connection"),
                PortEnd::Failed => tracing::warn!("link: connection to {name} failed"),
            }
            if once || !link.is_listener() {
                break;
            }
        }
        Ok(())
    }

    /// Serves one connection until it ends or `stop` is set. Its reads must time out now
    /// and then (see [`Port`]) for `stop` to be seen.
    /// An unfinished frame is dropped when the connection ends (counted and logged): the device
    /// repeats its request on the next connection, so nothing half-received is ever served.
    pub fn serve_port(&mut self, port: &mut dyn Port, stop: &AtomicBool) -> PortEnd {
        let mut buf = vec![0u8; 4096];
        let end = loop {
            if stop.load(Ordering::Relaxed) {
                break PortEnd::Stopped;
            }
            match port.read(&mut buf) {
                Ok(0) => break PortEnd::Closed,
                Ok(n) => {
                    if let Err(e) = self.take(buf.get(..n).unwrap_or_default(), port) {
                        tracing::warn!("link: writing to {} failed: {e}", port.name());
                        break PortEnd::Failed;
                    }
                }
                Err(e) if is_timeout(&e) || e.kind() == ErrorKind::Interrupted => {}
                Err(e) => {
                    tracing::warn!("link: reading from {} failed: {e}", port.name());
                    break PortEnd::Failed;
                }
            }
        };
        let unfinished = self.decoder.reset();
        if unfinished > 0 {
            self.report.unfinished_bytes += unfinished as u64;
            tracing::warn!(
                bytes = unfinished,
                "link: dropped {unfinished} bytes of an unfinished frame when the connection ended"
            );
        }
        end
    }

    /// Feeds bytes from the device and writes what the session answers.
    /// One read may hold several frames, part of one, or damage: the loop feeds until the input
    /// is used up, asks for a repeat after damage, and answers each complete frame before it
    /// looks at the next, so a device's requests are served in order, one at a time.
    fn take(&mut self, mut input: &[u8], port: &mut dyn Port) -> std::io::Result<()> {
        let Bridge {
            decoder,
            session,
            upstream,
            report,
        } = self;
        loop {
            match decoder.feed(input) {
                Feed::Consumed => return Ok(()),
                Feed::Skipped { skip, remaining } => {
                    input = remaining;
                    tracing::warn!(
                        bytes = skip.bytes,
                        reason = %skip.reason,
                        "link: dropped {} damaged bytes ({}); asking the device to repeat",
                        skip.bytes,
                        skip.reason
                    );
                    write_frame(port, session.on_skip(skip))?;
                }
                Feed::Frame { payload, remaining } => {
                    input = remaining;
                    match session.on_frame(payload) {
                        HostStep::Reply(event) => {
                            log_event(event, report);
                            write_frame(port, session.outgoing())?;
                        }
                        HostStep::Serve(exchange) => {
                            let served = upstream.serve(&exchange);
                            match &served {
                                Served::Recorded => report.recorded += 1,
                                Served::Response(_) => report.replayed += 1,
                                Served::NoMatch => report.no_match += 1,
                                Served::Failed(_) => report.failed += 1,
                            }
                            tracing::debug!(
                                seq = exchange.seq(),
                                request = exchange.request(),
                                "served: {served:?}"
                            );
                            // `on_frame` handed out this seq, so the session is serving it.
                            let frame = session
                                .answer(exchange.seq(), served.answer())
                                .unwrap_or_default();
                            write_frame(port, frame)?;
                        }
                    }
                }
            }
        }
    }
}

/// Logs what the session did on its own, without the server, by its weight: routine events
/// (a session opened, a welcome or answer sent again) as information, a restart and damage
/// as warnings, a version mismatch as an error; and counts those the report shows.
fn log_event(event: HostEvent, report: &mut BridgeReport) {
    match event {
        HostEvent::Opened {
            session,
            previous: None,
            ..
        } => tracing::info!("link: device session {session:#010x} opened"),
        HostEvent::Opened {
            session,
            previous: Some(previous),
            last_seq,
        } => tracing::warn!(
            "link: the device restarted (session {previous:#010x}, last request {last_seq:?}, \
             is now {session:#010x})"
        ),
        HostEvent::Rewelcomed => tracing::info!("link: the device missed its welcome; sent again"),
        HostEvent::VersionMismatch { device } => {
            report.version_mismatches += 1;
            tracing::error!(
                "link: the device speaks link protocol version {device}, this bridge {}",
                capturemock_core::link::PROTOCOL_VERSION
            );
        }
        HostEvent::Repeated { seq } => tracing::info!(
            seq,
            "link: request {seq} repeated (an answer was lost); sent the kept answer again"
        ),
        HostEvent::NoSession => {
            tracing::info!("link: a request outside a session; the device is told to say hello")
        }
        HostEvent::Malformed => {
            report.malformed += 1;
            tracing::warn!("link: a frame that is not a device message; asking for a repeat")
        }
    }
}

/// Writes a whole frame. A port that takes part of one and then fails ends the connection;
/// the device repeats its request on the next.
fn write_frame(port: &mut dyn Port, frame: &[u8]) -> std::io::Result<()> {
    port.write_all(frame)?;
    port.flush()
}
