//! Classic traffic over UDP (`server_protocol = classic_udp`): how record mode sends a message
//! to the announced server as a datagram and collects what comes back (the reference's
//! `ClientSocketTraffic.forwardToServer` with a datagram socket).
//!
//! - **To one server** (the default): the message goes to the announced `host:port`, and the
//!   datagrams that come back are joined into one reply, one `->SRV:` entry. The reply ends
//!   at an empty datagram, as in the reference (which reads the socket to its end, and an
//!   empty datagram is the only end a datagram socket has), or after
//!   [`DatagramRoute::silence`] without a datagram, where the reference waits for ever. The
//!   first datagram is waited for as long as a TCP server's reply (the read timeout): a real
//!   server may take its time to answer.
//! - **Broadcast** (`broadcast = true`): the message goes to the announced port at the
//!   broadcast address, from a socket bound to the announced host, and each datagram that
//!   comes back until [`DatagramRoute::silence`] passes without one is a reply of its own,
//!   one `->SRV:` entry each.

use std::net::IpAddr;
use std::time::Duration;

use tokio::net::UdpSocket;

use super::forward::{ForwardError, ForwardLimits};

/// The limited broadcast address, where `broadcast = true` sends (the reference's
/// `255.255.255.255`).
pub const BROADCAST: IpAddr = IpAddr::V4(std::net::Ipv4Addr::BROADCAST);

/// How messages travel to the announced server over UDP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct DatagramRoute {
    /// `connection_timeout` (default 0.2 s): how long without a datagram ends the replies.
    pub silence: Duration,
    /// `broadcast = true`: the address messages are sent to, at the announced port, instead
    /// of the announced host ([`BROADCAST`]; tests may name a loopback broadcast address).
    pub broadcast: Option<IpAddr>,
}

impl DatagramRoute {
    /// To the announced server, a reply ending after `silence` without a datagram.
    pub fn unicast(silence: Duration) -> Self {
        DatagramRoute {
            silence,
            broadcast: None,
        }
    }

    /// Broadcast to `address` at the announced port, replies collected until `silence`.
    pub fn broadcast(silence: Duration, address: IpAddr) -> Self {
        DatagramRoute {
            silence,
            broadcast: Some(address),
        }
    }
}

/// Largest datagram read: the largest a UDP datagram over IPv4 can carry.
pub const MAX_DATAGRAM: usize = 65_507;

/// Sends `text` to `host:port` by `route` and returns the replies (see the module docs):
/// at most one when sending to one server, any number when broadcasting, none when nothing
/// came back in time. A reply that is not UTF-8 is decoded with replacement characters (and
/// a warning), as a TCP server's reply is.
pub async fn forward(
    (host, port): &(String, u16),
    text: &str,
    route: DatagramRoute,
    limits: ForwardLimits,
) -> Result<Vec<String>, ForwardError> {
    let replies = match route.broadcast {
        None => unicast(host, *port, text, route.silence, limits).await?,
        Some(address) => broadcast(host, (address, *port), text, route.silence).await?,
    };
    Ok(replies
        .into_iter()
        .map(|bytes| match String::from_utf8(bytes) {
            Ok(reply) => reply,
            Err(e) => {
                tracing::warn!(
                    "reply from {host}:{port} is not valid UTF-8; recorded with replacement characters"
                );
                String::from_utf8_lossy(e.as_bytes()).into_owned()
            }
        })
        .collect())
}

/// To one server: one reply, the datagrams joined, ended by an empty datagram or by
/// `silence` after the last one; none when not even an empty datagram came within the
/// read timeout.
async fn unicast(
    host: &str,
    port: u16,
    text: &str,
    silence: Duration,
    limits: ForwardLimits,
) -> Result<Vec<Vec<u8>>, ForwardError> {
    let target = tokio::net::lookup_host((host, port))
        .await?
        .next()
        .ok_or_else(|| std::io::Error::other(format!("{host} has no address")))?;
    let local: std::net::SocketAddr = if target.is_ipv4() {
        (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let socket = UdpSocket::bind(local).await?;
    // Connected: datagrams from anyone else are not the reply, and a closed port is
    // reported (ECONNREFUSED) rather than waited out.
    socket.connect(target).await?;
    socket.send(text.as_bytes()).await?;
    let mut reply = Vec::new();
    let mut got_any = false;
    let mut buf = vec![0u8; MAX_DATAGRAM];
    loop {
        let wait = if got_any { silence } else { limits.timeout };
        let Ok(received) = tokio::time::timeout(wait, socket.recv(&mut buf)).await else {
            break;
        };
        let n = received?;
        got_any = true;
        if n == 0 {
            break;
        }
        if reply.len() + n > limits.max_reply_size {
            return Err(crate::traffic::wire::ReadError::TooLarge(limits.max_reply_size).into());
        }
        reply.extend_from_slice(&buf[..n]);
    }
    Ok(if got_any { vec![reply] } else { Vec::new() })
}

/// Broadcast: from a socket bound to the announced host (so that replies come back to an
/// address of it), to `target`; every datagram until `silence` is one reply.
async fn broadcast(
    host: &str,
    target: (IpAddr, u16),
    text: &str,
    silence: Duration,
) -> Result<Vec<Vec<u8>>, ForwardError> {
    let socket = UdpSocket::bind((host, 0)).await?;
    socket.set_broadcast(true)?;
    socket.send_to(text.as_bytes(), target).await?;
    let mut replies = Vec::new();
    let mut buf = vec![0u8; MAX_DATAGRAM];
    while let Ok(received) = tokio::time::timeout(silence, socket.recv_from(&mut buf)).await {
        let (n, _from) = received?;
        replies.push(buf[..n].to_vec());
    }
    Ok(replies)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, UdpSocket as StdUdp};

    const LIMITS: ForwardLimits = ForwardLimits {
        timeout: Duration::from_secs(5),
        max_reply_size: 1000,
    };

    /// A UDP server on loopback answering each datagram with `answers`, then stopping.
    fn answering(answers: Vec<Vec<u8>>) -> (u16, std::thread::JoinHandle<Vec<u8>>) {
        let socket = StdUdp::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = socket.local_addr().unwrap().port();
        let thread = std::thread::spawn(move || {
            let mut buf = [0u8; 2048];
            let (n, from) = socket.recv_from(&mut buf).unwrap();
            for answer in answers {
                socket.send_to(&answer, from).unwrap();
            }
            buf[..n].to_vec()
        });
        (port, thread)
    }

    fn destination(port: u16) -> (String, u16) {
        ("127.0.0.1".to_string(), port)
    }

    #[tokio::test]
    async fn datagrams_join_into_one_reply_ended_by_an_empty_one() {
        let (port, server) = answering(vec![
            b"one ".to_vec(),
            b"two".to_vec(),
            Vec::new(),
            b"late".to_vec(),
        ]);
        let route = DatagramRoute::unicast(Duration::from_secs(5));
        let started = std::time::Instant::now();
        let replies = forward(&destination(port), "hello", route, LIMITS)
            .await
            .unwrap();
        assert_eq!(replies, ["one two"]);
        assert_eq!(server.join().unwrap(), b"hello");
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "the empty datagram ends the reply, not the silence"
        );
    }

    #[tokio::test]
    async fn silence_ends_a_reply_without_an_end_marker() {
        let (port, server) = answering(vec![b"only".to_vec()]);
        let route = DatagramRoute::unicast(Duration::from_millis(100));
        let replies = forward(&destination(port), "x", route, LIMITS)
            .await
            .unwrap();
        assert_eq!(replies, ["only"]);
        server.join().unwrap();

        let (port, server) = answering(Vec::new());
        let patient = ForwardLimits {
            timeout: Duration::from_millis(300),
            ..LIMITS
        };
        let started = std::time::Instant::now();
        let replies = forward(&destination(port), "x", route, patient)
            .await
            .unwrap();
        assert!(replies.is_empty(), "no datagram: no reply");
        assert!(
            started.elapsed() >= Duration::from_millis(300),
            "the first datagram is waited for as long as the read timeout"
        );
        server.join().unwrap();

        let (port, server) = answering(vec![Vec::new()]);
        let replies = forward(&destination(port), "x", route, LIMITS)
            .await
            .unwrap();
        assert_eq!(replies, [""], "an empty datagram is an empty reply");
        server.join().unwrap();
    }

    #[tokio::test]
    async fn oversized_and_refused_replies_are_errors() {
        let (port, server) = answering(vec![vec![b'x'; 800], vec![b'y'; 800]]);
        let route = DatagramRoute::unicast(Duration::from_millis(200));
        let err = forward(&destination(port), "x", route, LIMITS)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("1000 bytes"), "{err}");
        server.join().unwrap();

        // Nobody listens there: the kernel reports the closed port.
        let closed = StdUdp::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = closed.local_addr().unwrap().port();
        drop(closed);
        let err = forward(&destination(port), "x", route, LIMITS)
            .await
            .unwrap_err();
        assert!(matches!(err, ForwardError::Io(_)), "{err}");
    }

    /// Broadcast, with the loopback network's broadcast address injected in place of
    /// 255.255.255.255 (which would leave the machine): two listeners on the same port both
    /// answer, and each answer is a reply of its own.
    #[tokio::test]
    async fn broadcast_collects_every_answer_until_silence() {
        let port = {
            let probe = StdUdp::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
            probe.local_addr().unwrap().port()
        };
        let listeners: Vec<_> = ["alpha", "beta"]
            .into_iter()
            .map(|name| {
                let socket = socket2::Socket::new(
                    socket2::Domain::IPV4,
                    socket2::Type::DGRAM,
                    Some(socket2::Protocol::UDP),
                )
                .unwrap();
                socket.set_reuse_address(true).unwrap();
                // The loopback broadcast address: broadcasts to it arrive, nothing else does.
                let address: std::net::SocketAddr =
                    (Ipv4Addr::new(127, 255, 255, 255), port).into();
                socket.bind(&address.into()).unwrap();
                let socket: StdUdp = socket.into();
                std::thread::spawn(move || {
                    let mut buf = [0u8; 100];
                    let (n, from) = socket.recv_from(&mut buf).unwrap();
                    let answer = format!("{name} heard {}", String::from_utf8_lossy(&buf[..n]));
                    socket.send_to(answer.as_bytes(), from).unwrap();
                })
            })
            .collect();
        let route = DatagramRoute::broadcast(
            Duration::from_millis(300),
            Ipv4Addr::new(127, 255, 255, 255).into(),
        );
        let mut replies = forward(&destination(port), "who is there", route, LIMITS)
            .await
            .unwrap();
        for listener in listeners {
            listener.join().unwrap();
        }
        replies.sort();
        assert_eq!(
            replies,
            ["alpha heard who is there", "beta heard who is there"]
        );
    }
}
