//! The classic protocol over UDP (`server_protocol = classic_udp`): one message per
//! datagram, the same texts and traffic kinds as the classic TCP server, and each part of the
//! reply (one per response) sent back as a datagram of its own to the sender.
//!
//! As in the reference: a datagram is stripped of surrounding ASCII white space before it is
//! read; `TERMINATE_SERVER` in a datagram stops the server; `CAPTUREMOCK_SERVER` is
//! `host:port`; with `broadcast = true` the server listens on every interface (port shared,
//! `SO_REUSEADDR`) but serves only datagrams from its own address, and record mode broadcasts
//! each message and records every reply until `connection_timeout` passes without one
//! ([`datagram`](crate::traffic::classic::datagram)).
//!
//! Beyond the reference: datagrams are served concurrently (unless `server_multithreaded` is
//! off) and recorded in arrival order; a datagram that is not UTF-8, or larger than
//! [`Limits::max_message_size`], is answered with a `CAPTUREMOCK ERROR: ...` datagram and
//! skipped, where the reference's record file stops for good; datagrams that arrive while the
//! server stops are answered with an error saying so.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::UdpSocket;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::connection::{take_turn, Context};
use super::protocol::is_terminate;
use super::{ConfigError, Limits, ServerConfig, ServerError, ServerReport};
use crate::exchange::{Exchange, ExchangeNo};
use crate::rc::RcConfig;
use crate::traffic::classic::datagram::{DatagramRoute, BROADCAST, MAX_DATAGRAM};
use crate::traffic::classic::Route;
use crate::traffic::wire::error_reply;

/// The `classic_udp` settings of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct UdpSettings {
    /// `connection_timeout` in `[general]` (default 0.2 s): how long without a datagram
    /// ends a real server's replies.
    pub connection_timeout: Duration,
    /// `broadcast = true`: the address record mode sends messages to, at the announced port
    /// (255.255.255.255); `None` sends them to the announced host.
    pub broadcast: Option<IpAddr>,
}

/// `connection_timeout`'s default, the reference's.
const DEFAULT_CONNECTION_TIMEOUT: f64 = 0.2;

impl UdpSettings {
    /// The settings in `rc`. A `connection_timeout` that is not a positive number of seconds
    /// is refused (the reference's socket would not wait at all, or fail).
    pub fn from_rc(rc: &RcConfig) -> Result<Self, ConfigError> {
        let seconds = rc.get_float(
            "connection_timeout",
            &["general"],
            DEFAULT_CONNECTION_TIMEOUT,
        )?;
        let connection_timeout = Duration::try_from_secs_f64(seconds)
            .ok()
            .filter(|d| !d.is_zero())
            .ok_or(ConfigError::BadConnectionTimeout(seconds))?;
        let broadcast = rc.get_bool("broadcast", &["general"], false)?;
        Ok(UdpSettings {
            connection_timeout,
            broadcast: broadcast.then_some(BROADCAST),
        })
    }

    /// How record mode reaches the announced server.
    pub fn route(&self) -> DatagramRoute {
        match self.broadcast {
            None => DatagramRoute::unicast(self.connection_timeout),
            Some(address) => DatagramRoute::broadcast(self.connection_timeout, address),
        }
    }
}

/// Binds the server's socket: `bind_ip:port`, or every interface with the port shared when
/// broadcasting.
pub(super) fn bind(
    config: &ServerConfig,
    settings: &UdpSettings,
    port: u16,
) -> Result<UdpSocket, ServerError> {
    let address = if settings.broadcast.is_some() {
        SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), port)
    } else {
        SocketAddr::new(config.bind_ip, port)
    };
    let listen = || {
        let socket = socket2::Socket::new(
            socket2::Domain::for_address(address),
            socket2::Type::DGRAM,
            Some(socket2::Protocol::UDP),
        )?;
        if settings.broadcast.is_some() {
            socket.set_reuse_address(true)?;
        }
        socket.set_nonblocking(true)?;
        socket.bind(&address.into())?;
        UdpSocket::from_std(socket.into())
    };
    listen().map_err(|source| ServerError::Listen {
        address: address.to_string(),
        source,
    })
}

/// The server's address as the program is told it: `bind_ip:port`, also when broadcasting
/// (the reference's too), since only datagrams from that address are served then.
pub(super) fn address_of(config: &ServerConfig, socket: &UdpSocket) -> Result<String, ServerError> {
    let port = socket
        .local_addr()
        .map_err(|source| ServerError::Listen {
            address: "the bound socket".into(),
            source,
        })?
        .port();
    Ok(SocketAddr::new(config.bind_ip, port).to_string())
}

/// Serves datagrams on `socket` until one says `TERMINATE_SERVER` or `shutdown` completes,
/// then finishes the exchanges in progress, writes what is left of the record file, and
/// reports. Datagrams are numbered in arrival order. With `server_multithreaded` off, a
/// datagram is served before the next is read.
pub(super) async fn run(
    socket: UdpSocket,
    mut config: ServerConfig,
    settings: UdpSettings,
    shutdown: impl Future<Output = ()>,
) -> Result<ServerReport, ServerError> {
    let address = address_of(&config, &socket)?;
    let context = Context::for_run(&mut config, &address, Route::Datagram(settings.route()))?;
    let limits = config.limits;
    // Only the server's own address is served when listening everywhere for broadcasts.
    let only_from = settings.broadcast.map(|_| config.bind_ip);
    tracing::debug!("capturemock UDP server listening on {address}");

    let socket = Arc::new(socket);
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(false);
    let mut exchanges = JoinSet::new();
    let mut report = ServerReport {
        address,
        ..ServerReport::default()
    };
    let mut buf = vec![0u8; MAX_DATAGRAM + 1];
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            _ = stop_rx.changed() => {
                report.terminated_by_client = true;
                break;
            }
            received = socket.recv_from(&mut buf) => {
                let Some((len, peer)) = received_datagram(received, only_from) else {
                    continue;
                };
                let datagram = buf[..len].to_vec();
                let Ok(permit) = Arc::clone(&slots).try_acquire_owned() else {
                    report.refused += 1;
                    tracing::error!(
                        "refused a datagram: {} exchanges at once is the limit",
                        limits.max_connections
                    );
                    let reason = format!(
                        "too many exchanges at once (the limit is {})",
                        limits.max_connections
                    );
                    send(&socket, error_reply(&reason).as_bytes(), peer).await;
                    continue;
                };
                report.exchanges += 1;
                let n = report.exchanges;
                let context = Arc::clone(&context);
                let socket = Arc::clone(&socket);
                let stop_tx = stop_tx.clone();
                let work = async move {
                    if serve(&context, &socket, &datagram, peer, n).await {
                        let _ = stop_tx.send(true);
                    }
                    drop(permit);
                };
                if config.multithreaded {
                    exchanges.spawn(work);
                    while exchanges.try_join_next().is_some() {}
                } else {
                    work.await;
                }
            }
        }
    }
    report.refused += stop(&socket, &mut exchanges, only_from, limits).await;

    report.add_engine_report(context.engine.finish());
    Ok(report)
}

/// The length and sender of a received datagram worth serving: a failed receive (an ICMP
/// error for an earlier reply, on some systems) is logged and skipped, and so is a datagram
/// from another address than `only_from`.
fn received_datagram(
    received: std::io::Result<(usize, SocketAddr)>,
    only_from: Option<IpAddr>,
) -> Option<(usize, SocketAddr)> {
    match received {
        Ok((len, peer)) => match only_from {
            Some(ip) if peer.ip() != ip => {
                tracing::debug!("ignored a datagram from {peer}: only {ip} is served");
                None
            }
            _ => Some((len, peer)),
        },
        Err(e) => {
            tracing::debug!("receiving a datagram failed: {e}");
            None
        }
    }
}

/// Serves exchange `n`, the datagram `datagram` from `peer`. Returns whether it asked the
/// server to stop. A datagram that cannot be read (not UTF-8, too large) is answered with an
/// error datagram, and its number is skipped in the sequencer and completed empty in the
/// recorder, so that later exchanges go on and nothing else is lost.
async fn serve(
    context: &Context,
    socket: &UdpSocket,
    datagram: &[u8],
    peer: SocketAddr,
    n: ExchangeNo,
) -> bool {
    let text = if datagram.len() > context.limits.max_message_size {
        Err(format!(
            "message larger than the limit of {} bytes",
            context.limits.max_message_size
        ))
    } else {
        std::str::from_utf8(strip_ascii_space(datagram)).map_err(|e| {
            format!(
                "request is not valid UTF-8 (invalid byte at offset {} of the stripped datagram)",
                e.valid_up_to()
            )
        })
    };
    let text = match text {
        Ok(text) => text,
        Err(reason) => {
            tracing::error!(exchange = n, "refused a datagram from {peer}: {reason}");
            context.sequencer.skip(n);
            context.engine.complete(n, Vec::new());
            send(socket, error_reply(&reason).as_bytes(), peer).await;
            return false;
        }
    };
    tracing::debug!(exchange = n, "received {text:?} from {peer}");
    let turn = take_turn(context, n).await;
    let mut exchange = Exchange::new(&context.engine, n, Some(turn));
    let terminate = is_terminate(text);
    if !terminate {
        context.kinds.serve(text, &mut exchange).await;
    }
    let reply = exchange.finish_parts();
    for part in reply.parts() {
        send(socket, part, peer).await;
    }
    terminate
}

/// Sends one datagram. The client may be gone already; that only matters to it.
async fn send(socket: &UdpSocket, datagram: &[u8], peer: SocketAddr) {
    if let Err(e) = socket.send_to(datagram, peer).await {
        tracing::debug!("could not answer {peer}: {e}");
    }
}

/// The reply to a datagram that arrives while the server stops.
const SHUTTING_DOWN: &str =
    "the capturemock server is shutting down (the datagram came after it was told to stop)";

/// Lets the exchanges in progress finish (at most the read timeout and the order wait),
/// answering datagrams that arrive meanwhile with [`SHUTTING_DOWN`]. Returns how many were
/// answered so.
async fn stop(
    socket: &UdpSocket,
    exchanges: &mut JoinSet<()>,
    only_from: Option<IpAddr>,
    limits: Limits,
) -> u64 {
    let mut refused = 0;
    let grace = limits.read_timeout + limits.order_wait;
    let mut buf = vec![0u8; MAX_DATAGRAM + 1];
    let finished = tokio::time::timeout(grace, async {
        loop {
            tokio::select! {
                joined = exchanges.join_next() => if joined.is_none() { break },
                received = socket.recv_from(&mut buf) => {
                    if let Some((_, peer)) = received_datagram(received, only_from) {
                        refused += 1;
                        send(socket, error_reply(SHUTTING_DOWN).as_bytes(), peer).await;
                    }
                }
            }
        }
    })
    .await;
    if finished.is_err() {
        tracing::warn!(
            "{} exchange(s) still in progress after {grace:?}; stopping without them",
            exchanges.len()
        );
        exchanges.abort_all();
    }
    if refused > 0 {
        tracing::warn!("refused {refused} datagram(s) that came while the server was stopping");
    }
    refused
}

/// `bytes` without the ASCII white space around it: Python's `bytes.strip()`, which the
/// reference applies to each datagram before decoding it.
fn strip_ascii_space(bytes: &[u8]) -> &[u8] {
    let is_space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c);
    let start = bytes
        .iter()
        .position(|b| !is_space(b))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !is_space(b))
        .map_or(start, |i| i + 1);
    &bytes[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datagrams_are_stripped_of_ascii_space_only() {
        assert_eq!(
            strip_ascii_space(b" \t\r\n\x0b\x0chello world \n"),
            b"hello world"
        );
        assert_eq!(strip_ascii_space(b"   "), b"");
        assert_eq!(strip_ascii_space(b""), b"");
        // Not ASCII white space: kept, as Python's bytes.strip keeps them.
        assert_eq!(strip_ascii_space(b"\x1cx\xa0"), b"\x1cx\xa0");
    }

    #[test]
    fn rc_settings_with_the_reference_defaults() {
        let none = UdpSettings::from_rc(&RcConfig::new()).unwrap();
        assert_eq!(none.connection_timeout, Duration::from_millis(200));
        assert_eq!(none.broadcast, None);
        let rc = RcConfig::from_str_named(
            "[general]\nbroadcast = yes\nconnection_timeout = 1.5\n",
            "u.rc",
        )
        .unwrap();
        let set = UdpSettings::from_rc(&rc).unwrap();
        assert_eq!(set.connection_timeout, Duration::from_millis(1500));
        assert_eq!(set.broadcast, Some(BROADCAST));
        assert_eq!(set.route().broadcast, Some(BROADCAST));
        for bad in ["0", "-1", "nan", "inf", "soon"] {
            let rc = RcConfig::from_str_named(
                &format!("[general]\nconnection_timeout = {bad}\n"),
                "u.rc",
            )
            .unwrap();
            let err = UdpSettings::from_rc(&rc).unwrap_err();
            assert!(
                err.to_string().contains("connection_timeout"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn broadcast_serves_only_its_own_address() {
        let own: IpAddr = Ipv4Addr::LOCALHOST.into();
        let from = |ip: [u8; 4]| Ok((3, SocketAddr::from((ip, 9))));
        assert!(received_datagram(from([127, 0, 0, 1]), Some(own)).is_some());
        assert!(received_datagram(from([127, 0, 0, 2]), Some(own)).is_none());
        assert!(received_datagram(from([127, 0, 0, 2]), None).is_some());
        let failed = Err(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        assert!(received_datagram(failed, None).is_none());
    }
}
