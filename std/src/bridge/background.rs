//! A bridge on a thread of its own, with the capturemock server it started or one already
//! running: what the `capturemock bridge` command and the tests use.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use capturemock_core::replay::Mode;

use super::endpoint::Link;
use super::host::Bridge;
use super::report::BridgeReport;
use super::upstream::{RecordedLookup, Serve, Upstream};
use super::BridgeError;
use crate::server::{BackgroundServer, ServerConfig, ServerReport};

/// The capturemock server the bridge talks to.
#[derive(Debug)]
// Made once per bridge, and moved once: the size of the large variant costs nothing.
#[allow(clippy::large_enum_variant)]
pub enum Host {
    /// Start one in this process, configured as `capturemock -m -p -r -R` would configure it
    /// ([`ServerConfig::from_rc`], [`ServerConfig::load_replay`]), listening on `port` (0:
    /// any free port).
    Start {
        /// The server's configuration; its mode is the mode devices are told.
        config: ServerConfig,
        /// Where it listens.
        port: u16,
    },
    /// Use one that is already running.
    Running {
        /// Its `host:port`.
        address: String,
        /// Its mode, which devices are told.
        mode: Mode,
        /// In mode 2, what decides whether it has a request (see [`RecordedLookup`]).
        lookup: Option<RecordedLookup>,
    },
    /// No server: the device's frames carry embedded-hal bus transactions, recorded and
    /// replayed by this session (its mode is the mode devices are told).
    #[cfg(feature = "embedded-hal")]
    Hal(crate::hal::HalSession),
}

/// How a run ended.
#[derive(Debug, Clone)]
pub struct BridgeRun {
    /// The bridge's totals.
    pub report: BridgeReport,
    /// The report of the server the bridge started (record file written and closed).
    pub server: Option<ServerReport>,
}

/// The bridge thread: it hands back the totals whether or not serving failed, so a failed
/// run still reports what it did.
type Worker = JoinHandle<(BridgeReport, Result<(), BridgeError>)>;

/// A bridge serving a link on a thread of its own.
#[derive(Debug)]
pub struct BackgroundBridge {
    /// Shared with the thread, which looks at it at least once per poll interval.
    stop: Arc<AtomicBool>,
    thread: Option<Worker>,
    link_address: Option<String>,
    server_address: String,
    /// The server the bridge started, stopped after the bridge so that every exchange the
    /// bridge served is in its record file; `None` for a server already running.
    server: Option<BackgroundServer>,
}

impl BackgroundBridge {
    /// Starts the server (for [`Host::Start`]) and serves `link` until [`stop`](Self::stop),
    /// or, with `once` or a link that is not a listener, until its first connection ends.
    pub fn start(link: Link, host: Host, once: bool) -> Result<BackgroundBridge, BridgeError> {
        let (server, upstream): (_, Box<dyn Serve>) = match host {
            Host::Start { config, port } => {
                let mode = config.mode;
                let lookup = RecordedLookup::from_config(&config);
                let server = BackgroundServer::start(config, port)?;
                let upstream = Upstream::new(server.address(), mode, Some(lookup))?;
                (Some(server), Box::new(upstream))
            }
            Host::Running {
                address,
                mode,
                lookup,
            } => (None, Box::new(Upstream::new(&address, mode, lookup)?)),
            #[cfg(feature = "embedded-hal")]
            Host::Hal(session) => (None, Box::new(super::HalUpstream::new(session))),
        };
        let server_address = upstream.address().to_string();
        let link_address = link.local_addr();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let mut link = link;
        let thread = std::thread::Builder::new()
            .name("capturemock-bridge".into())
            .spawn(move || {
                let mut bridge = Bridge::new(upstream);
                let result = bridge.run(&mut link, &flag, once);
                (bridge.report(), result)
            })
            .map_err(BridgeError::Thread)?;
        Ok(BackgroundBridge {
            stop,
            thread: Some(thread),
            link_address,
            server_address,
            server,
        })
    }

    /// Where the link listens (`host:port` or `unix:PATH`), for a listening endpoint.
    pub fn link_address(&self) -> Option<&str> {
        self.link_address.as_deref()
    }

    /// The capturemock server's `host:port` (`embedded-hal session` for [`Host::Hal`]).
    pub fn server_address(&self) -> &str {
        &self.server_address
    }

    /// Whether the bridge has stopped by itself (its link ended).
    pub fn is_finished(&self) -> bool {
        self.thread.as_ref().is_none_or(JoinHandle::is_finished)
    }

    /// Stops serving (within the link's poll interval), stops the server it started (which
    /// completes the record file) and reports.
    pub fn stop(mut self) -> Result<BridgeRun, BridgeError> {
        self.stop.store(true, Ordering::Relaxed);
        self.finish()
    }

    /// Waits until the bridge stops by itself, then stops the server and reports.
    /// (A listening link stops by itself only with `once`, or when accepting fails.)
    pub fn wait(mut self) -> Result<BridgeRun, BridgeError> {
        self.finish()
    }

    /// Joins the thread, then stops the server; the server is stopped even when serving
    /// failed, and serving's error is returned only after that.
    fn finish(&mut self) -> Result<BridgeRun, BridgeError> {
        let (report, result) = match self.thread.take() {
            Some(thread) => thread
                .join()
                .map_err(|_| BridgeError::Panicked("the bridge thread panicked"))?,
            None => return Err(BridgeError::Panicked("the bridge was already stopped")),
        };
        let server = self.server.take().map(BackgroundServer::stop).transpose()?;
        result?;
        Ok(BridgeRun { report, server })
    }
}

/// Dropping stops the bridge and waits for its thread. A server it started is stopped by
/// its own drop, which waits for the record file too.
impl Drop for BackgroundBridge {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
