//! The CaptureMock server: the `classic` TCP protocol of the reference (compat spec
//! sections 3 and 7), on tokio, one task per connection; the same over UDP in [`udp`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use capturemock::rc::RcConfig;
//! use capturemock::server::{self, ServerConfig};
//! use capturemock_core::replay::Mode;
//!
//! let rc = RcConfig::load_default()?;
//! let (mut config, _warnings) = ServerConfig::from_rc(&rc, Mode::Replay)?;
//! config.load_replay("mocks/test.mock".as_ref())?;
//! config.record = Some("mocks/test.recorded.mock".into());
//! let handle = server::start(config, 0).await?;
//! println!("CAPTUREMOCK_SERVER={}", handle.address());
//! // ... run the code under test against it ...
//! let report = handle.stop().await?;
//! report.summary.log();
//! # Ok(()) }
//! ```
//!
//! What it guarantees beyond the reference:
//! - **Order.** Exchanges are numbered in accept order. Their ordered work (alterations, replay
//!   lookups) happens in that order and the record file is written in that order, so
//!   concurrent clients give the same answers and files whatever the timing. A client that
//!   connects but does not send holds the others up for at most [`Limits::order_wait`]
//!   (see [`sequencer`](crate::exchange::sequencer)).
//! - **Nothing completed is lost.** A mismatch, a request that is not UTF-8, an alteration
//!   that fails, a client that misbehaves: each affects its own exchange only.
//! - **Limits**, each with an error in the log and a `CAPTUREMOCK ERROR: ...` reply: connections
//!   at once, read timeout, message size ([`Limits`]). A refused client reads that reply even
//!   while it is still sending: the server drains its input before closing (a lingering close,
//!   bounded by [`Limits::drain_limit`] and [`Limits::drain_timeout`]), so that the kernel does
//!   not reset the connection. Connections that arrive while the server stops get a reply
//!   saying so, the same way.
//! - **Diagnostics.** Each request without an exact match is logged with the recorded request
//!   chosen and a word diff; the [`ServerReport`] summarises them and the recorded exchanges
//!   never used ([`diagnostics`](crate::exchange::diagnostics)).
//!
//! The record file is flushed to the operating system after every exchange (no `fsync`).
//!
//! Other deliberate differences from the reference's server:
//! - A request that fails exact matching is recorded (with no response), like a request with
//!   no candidate; the reference records nothing more for the rest of the run.
//! - An empty custom request is neither answered nor recorded, even with a response; the
//!   reference records that response as an entry without a request (which joins the previous
//!   exchange's responses on replay) and echoes it.
//! - Under `use_exact_matching` a request's surrounding white space is ignored for the exact
//!   lookup ([`ServerConfig::trim_requests`]); in the reference such a request can only
//!   mismatch, although it was recorded from the same text.
//! - A real server's reply that is not UTF-8 is recorded with replacement characters (and a
//!   warning); the reference's handler thread dies. An announcement without a usable
//!   `host:port` announces nothing (the reference crashes on some).
//! - A played-back client session (a server under test that announced itself) is processed
//!   without recursion, so its length is not limited by a recursion limit.
//! - Not supported, each with a clear message: `SUT_COMMAND_LINE:` / `SUT_COMMAND_KILL:`
//!   traffic (answered `CAPTUREMOCK ERROR: ...`), replayed responses other than `RET`, `SRV`
//!   and `CLI` (skipped with a warning), protocols other than `classic`, `classic_udp` (the
//!   datagram server is [`udp`]), `ftp` (the FTP proxy is [`ftp`]), `http` (the HTTP proxy is
//!   [`http`]), `tcp_header` (the binary TCP server is `tcp_header`) and `amqp` (a client of a
//!   RabbitMQ broker, `amqp`), `id_pattern_client`.

#[cfg(feature = "amqp")]
pub mod amqp;
mod config;
pub mod connection;
pub mod ftp;
mod handle;
#[cfg(feature = "http")]
pub mod http;
pub mod protocol;
#[cfg(feature = "http")]
pub mod tcp_header;
pub mod udp;

pub use config::{ConfigError, Limits, Protocol, ServerConfig};
pub use handle::{start, BackgroundServer, ServerHandle};

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::alterations::AlterationError;
use crate::exchange::{RecordError, RecordLoss, Summary};
use crate::traffic::classic::Route;
use connection::Context;

/// Why a server could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// Binding or querying the listening socket failed.
    #[error("cannot listen on {address}")]
    Listen {
        /// The address asked for.
        address: String,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The record file could not be prepared.
    #[error(transparent)]
    Record(#[from] RecordError),
    /// The server address could not be substituted into an alteration.
    #[error(transparent)]
    Alteration(#[from] AlterationError),
    /// The server task died.
    #[error("the server task failed: {0}")]
    Task(String),
    /// The AMQP broker could not be used (`server_protocol = amqp`).
    #[cfg(feature = "amqp")]
    #[error(transparent)]
    Amqp(#[from] amqp::AmqpError),
}

/// What a run did.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ServerReport {
    /// `host:port` the server listened on.
    pub address: String,
    /// Connections served (including `TERMINATE_SERVER` and refused messages).
    pub exchanges: u64,
    /// Exchanges that recorded at least one entry.
    pub recorded_exchanges: u64,
    /// Failed writes to the record file.
    pub record_failures: u64,
    /// The exchanges those writes lost, and why.
    pub record_loss: Option<RecordLoss>,
    /// Connections refused without being served: over the connection limit, or while the
    /// server was stopping.
    pub refused: u64,
    /// A client sent `TERMINATE_SERVER`.
    pub terminated_by_client: bool,
    /// Near misses and unused recorded exchanges.
    pub summary: Summary,
    /// Every replay decision, when [`ServerConfig::keep_matches`] is on.
    pub matches: Vec<crate::exchange::ReplayMatch>,
    /// The replay file's recorded requests with their use, when replaying with
    /// [`ServerConfig::keep_matches`] on.
    pub requests: Vec<crate::replay_file::OwnedRequestInfo>,
}

impl ServerReport {
    /// Takes what the exchange engine reports at the end of a run. Every protocol's server
    /// ends with this, so that a report field the engine gains reaches all of them.
    pub(crate) fn add_engine_report(&mut self, engine: crate::exchange::EngineReport) {
        self.recorded_exchanges = engine.recorded_exchanges;
        self.record_failures = engine.record_failures;
        self.record_loss = engine.record_loss;
        self.summary = engine.summary;
        self.matches = engine.matches;
        self.requests = engine.requests;
    }
}

/// The connection `accept` gave, or `None` after a failed accept, logged and followed by a
/// short pause.
///
/// Why the pause: a failed accept is usually the process out of file descriptors, and
/// accepting again at once would fail again at once; the pause gives connections time to
/// finish and free theirs.
async fn accepted_stream(
    accepted: std::io::Result<(tokio::net::TcpStream, SocketAddr)>,
) -> Option<tokio::net::TcpStream> {
    match accepted {
        Ok((stream, _peer)) => Some(stream),
        Err(e) => {
            tracing::error!("accepting a connection failed: {e}");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            None
        }
    }
}

/// Waits up to `grace` for the tasks serving connections to end, then aborts the rest,
/// saying how many `what`s (connections, sessions) were still open.
///
/// Why a bound: a client that keeps its connection open would otherwise hold the whole run,
/// and its record, forever.
async fn finish_tasks(tasks: &mut JoinSet<()>, grace: std::time::Duration, what: &str) {
    let finished =
        tokio::time::timeout(grace, async { while tasks.join_next().await.is_some() {} }).await;
    if finished.is_err() {
        tracing::warn!(
            "{} {what}(s) still open; stopping without them",
            tasks.len()
        );
        tasks.abort_all();
        while tasks.join_next().await.is_some() {}
    }
}

/// Period of a timer the accept loop always has pending.
///
/// Why: when tokio's driver parks with no timer pending, registering any timer wakes it (an
/// eventfd write, then a thread wake-up for nothing), and the connections' timers (read
/// timeout, order wait) are registered and dropped within microseconds, so under load the
/// driver nearly always parked with none: about one wake-up per exchange. With this timer
/// pending, the driver parks until at most this long from now, and registering a timer due
/// later (every limit of [`Limits`] is longer by default) does not wake it.
const TIMER_PENDING_PERIOD: std::time::Duration = std::time::Duration::from_secs(1);

/// A server's bound socket: a TCP listener, or a UDP socket for `classic_udp`; for `amqp`, a
/// connection to the broker instead.
#[derive(Debug)]
#[non_exhaustive]
pub enum Listener {
    /// TCP: `classic` and `http`.
    Stream(TcpListener),
    /// UDP: `classic_udp`.
    Datagram(tokio::net::UdpSocket),
    /// No socket: a connection to an AMQP broker (`amqp`).
    #[cfg(feature = "amqp")]
    Amqp(Box<amqp::Link>),
}

/// `host:port` of a server's socket for `config`, as exported in `CAPTUREMOCK_SERVER`
/// (before [`ServerConfig::client_address`] makes a URL of it for HTTP).
pub fn address_of(listener: &Listener, config: &ServerConfig) -> Result<String, ServerError> {
    match listener {
        Listener::Stream(listener) => tcp_address_of(listener),
        Listener::Datagram(socket) => udp::address_of(config, socket),
        #[cfg(feature = "amqp")]
        Listener::Amqp(link) => Ok(link.address()),
    }
}

/// `host:port` of a TCP listener.
pub(crate) fn tcp_address_of(listener: &TcpListener) -> Result<String, ServerError> {
    let addr: SocketAddr = listener
        .local_addr()
        .map_err(|source| ServerError::Listen {
            address: "the bound socket".into(),
            source,
        })?;
    Ok(addr.to_string())
}

/// Binds the server's socket for `config` (its `bind_ip` and protocol) on `port` (0: any
/// free port).
pub async fn bind(config: &ServerConfig, port: u16) -> Result<Listener, ServerError> {
    match &config.protocol {
        Protocol::ClassicUdp(settings) => udp::bind(config, settings, port).map(Listener::Datagram),
        #[cfg(feature = "amqp")]
        Protocol::Amqp(settings) => amqp::connect(config, settings)
            .await
            .map(|link| Listener::Amqp(Box::new(link))),
        _ => bind_tcp(config, port).await.map(Listener::Stream),
    }
}

/// Binds a TCP listener on `config`'s `bind_ip` and `port`.
async fn bind_tcp(config: &ServerConfig, port: u16) -> Result<TcpListener, ServerError> {
    let address = SocketAddr::new(config.bind_ip, port);
    let listen = || {
        let socket = match address {
            SocketAddr::V4(_) => tokio::net::TcpSocket::new_v4()?,
            SocketAddr::V6(_) => tokio::net::TcpSocket::new_v6()?,
        };
        // As tokio's own `bind` does on Unix, so that a restarted server gets its port back
        // (on Windows the option would let another socket take the port).
        if cfg!(unix) {
            socket.set_reuseaddr(true)?;
        }
        socket.bind(address)?;
        socket.listen(LISTEN_BACKLOG)
    };
    listen().map_err(|source| ServerError::Listen {
        address: address.to_string(),
        source,
    })
}

/// Connections the kernel completes and queues before the server accepts them (capped by
/// `net.core.somaxconn`).
///
/// Why not the usual 128: a test suite's clients connect in bursts, and when the queue is
/// full the kernel drops the handshake's last step. The client believes it is connected
/// while the server side waits for a retransmission, up to seconds later; every client of
/// the burst past the queue stalls that long.
const LISTEN_BACKLOG: u32 = 4096;

/// Serves on `listener` until a client sends `TERMINATE_SERVER` or `shutdown` completes,
/// then waits for the connections in progress (at most the read timeout, the order wait and a
/// refusal's drain: see `stop`), writes what is left of the record file, and reports.
/// Connections beyond [`Limits::max_connections`] at once are refused with a reply rather
/// than left in the kernel's queue, so a runaway client learns why at once. With
/// `multithreaded` off (`server_multithreaded = False`), a connection is served before the
/// next is accepted, one at a time. Each accepted connection gets the next exchange number
/// at once, so numbers follow accept order; a refused one gets none and holds no connection
/// slot, its refusal running in a task set of its own.
///
/// A UDP socket (`classic_udp`) is served by [`udp`], one datagram per exchange.
pub async fn run(
    listener: Listener,
    config: ServerConfig,
    shutdown: impl Future<Output = ()>,
) -> Result<ServerReport, ServerError> {
    let listener = match listener {
        Listener::Stream(listener) => listener,
        Listener::Datagram(socket) => {
            let Protocol::ClassicUdp(settings) = config.protocol else {
                return Err(ServerError::Task(
                    "a UDP socket can only serve server_protocol = classic_udp".into(),
                ));
            };
            return udp::run(socket, config, settings, shutdown).await;
        }
        #[cfg(feature = "amqp")]
        Listener::Amqp(link) => return amqp::run(*link, config, shutdown).await,
    };
    if let Protocol::Ftp = config.protocol {
        return ftp::run(listener, config, shutdown).await;
    }
    #[cfg(feature = "http")]
    if let Protocol::Http(settings) = &config.protocol {
        let settings = (**settings).clone();
        return http::run(listener, config, settings, shutdown).await;
    }
    #[cfg(feature = "http")]
    if let Protocol::TcpHeader(layout) = &config.protocol {
        let layout = (**layout).clone();
        return tcp_header::run(listener, config, layout, shutdown).await;
    }
    #[cfg(feature = "http")]
    if let Protocol::XmlRpc(settings) = &config.protocol {
        let settings = settings.clone();
        return http::run_xmlrpc(listener, config, settings, shutdown).await;
    }
    run_tcp(listener, config, shutdown).await
}

/// [`run`] on a TCP listener for the classic protocol.
async fn run_tcp(
    listener: TcpListener,
    mut config: ServerConfig,
    shutdown: impl Future<Output = ()>,
) -> Result<ServerReport, ServerError> {
    let address = tcp_address_of(&listener)?;
    let context = Context::for_run(&mut config, &address, Route::Stream)?;
    let limits = config.limits;
    let multithreaded = config.multithreaded;
    tracing::debug!("capturemock server listening on {address}");

    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(false);
    let mut connections = JoinSet::new();
    let mut refusals = JoinSet::new();
    let mut report = ServerReport {
        address,
        ..ServerReport::default()
    };
    tokio::pin!(shutdown);
    let mut timer_pending = tokio::time::interval(TIMER_PENDING_PERIOD);
    timer_pending.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            _ = timer_pending.tick() => {}
            _ = stop_rx.changed() => {
                report.terminated_by_client = true;
                break;
            }
            accepted = listener.accept() => {
                let Some(stream) = accepted_stream(accepted).await else { continue };
                let Ok(permit) = Arc::clone(&slots).try_acquire_owned() else {
                    report.refused += 1;
                    tracing::error!(
                        "refused a connection: {} connections at once is the limit",
                        limits.max_connections
                    );
                    let reason = format!(
                        "too many connections at once (the limit is {})",
                        limits.max_connections
                    );
                    refusals.spawn(async move { connection::refuse(stream, &reason, limits).await });
                    continue;
                };
                report.exchanges += 1;
                let n = report.exchanges;
                let context = Arc::clone(&context);
                let stop_tx = stop_tx.clone();
                let work = async move {
                    if connection::serve(&context, stream, n).await {
                        let _ = stop_tx.send(true);
                    }
                    drop(permit);
                };
                if multithreaded {
                    connections.spawn(work);
                    // Reaped here rather than in a select branch: waiting on `join_next`
                    // would wake this loop once more for every connection that ends.
                    while connections.try_join_next().is_some() {}
                } else {
                    work.await;
                }
            }
            Some(_) = refusals.join_next(), if !refusals.is_empty() => {}
        }
    }
    report.refused += stop(listener, &mut connections, &mut refusals, limits).await;

    report.add_engine_report(context.engine.finish());
    Ok(report)
}

/// The reply to a connection that arrives while the server stops.
const SHUTTING_DOWN: &str =
    "the capturemock server is shutting down (the connection came after it was told to stop)";

/// Stops serving: lets the connections in progress finish (at most the read timeout, the
/// order wait and a refusal's drain), then closes the listener. Returns how many connections
/// were refused meanwhile.
///
/// Why the listener stays open until then: connections that arrive late (a straggling client
/// of the program under test) are answered with [`SHUTTING_DOWN`] and a lingering close
/// rather than reset, and so are those still in the listen queue when it closes.
async fn stop(
    listener: TcpListener,
    connections: &mut JoinSet<()>,
    refusals: &mut JoinSet<()>,
    limits: Limits,
) -> u64 {
    let mut refused = 0;
    let grace = limits.read_timeout + limits.order_wait + limits.drain_timeout;
    let finished = tokio::time::timeout(grace, async {
        loop {
            tokio::select! {
                joined = connections.join_next() => if joined.is_none() { break },
                accepted = listener.accept() => {
                    if let Some(stream) = accepted_stream(accepted).await {
                        refused += 1;
                        refusals.spawn(connection::refuse(stream, SHUTTING_DOWN, limits));
                    }
                }
                Some(_) = refusals.join_next(), if !refusals.is_empty() => {}
            }
        }
    })
    .await;
    if finished.is_err() {
        tracing::warn!(
            "{} connection(s) still open after {grace:?}; stopping without them",
            connections.len()
        );
        connections.abort_all();
    }
    // What is still queued was accepted by the kernel: answer it too, then stop listening.
    match listener.into_std() {
        Ok(listener) => {
            // The std listener is still non-blocking (`into_std` keeps it so): the loop ends
            // when the queue is empty instead of waiting for the next client.
            while let Ok((stream, _peer)) = listener.accept() {
                match stream
                    .set_nonblocking(true)
                    .and_then(|()| tokio::net::TcpStream::from_std(stream))
                {
                    Ok(stream) => {
                        refused += 1;
                        refusals.spawn(connection::refuse(stream, SHUTTING_DOWN, limits));
                    }
                    Err(e) => tracing::debug!("could not refuse a queued connection: {e}"),
                }
            }
        }
        Err(e) => tracing::debug!("could not look at the listen queue: {e}"),
    }
    if refused > 0 {
        tracing::warn!("refused {refused} connection(s) that came while the server was stopping");
    }
    // Every refusal ends within its drain timeout; the margin covers writing the reply.
    let margin = std::time::Duration::from_secs(1);
    if tokio::time::timeout(limits.drain_timeout + margin, async {
        while refusals.join_next().await.is_some() {}
    })
    .await
    .is_err()
    {
        refusals.abort_all();
    }
    refused
}

#[cfg(test)]
mod tests;
