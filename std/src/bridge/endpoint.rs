//! Where a serial line's bytes come from: a serial device, or a socket standing in for one
//! (QEMU's `-serial tcp:...` or `-serial unix:...` chardev, a test's relay).
//!
//! A listening endpoint hands out one connection after another (QEMU, or a relay that
//! reconnects); the others give one [`Port`] and then end.
//! All of it is blocking std I/O with read timeouts, not tokio: the serialport crate is
//! blocking, and the sockets that stand in for a device are made to behave the same way, so
//! that the bridge and the serial proxy are written once, against [`Port`].

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
#[cfg(unix)]
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Why an endpoint could not be opened or read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EndpointError {
    /// The text is not an endpoint.
    #[error("{0:?} is not an endpoint: use HOST:PORT or unix:PATH")]
    Syntax(String),
    /// Opening the serial device failed.
    #[error("cannot open serial device {path}")]
    Serial {
        /// The device.
        path: String,
        /// What the serialport crate said.
        source: serialport::Error,
    },
    /// Binding, connecting or accepting failed.
    #[error("{what} {endpoint}")]
    Io {
        /// `cannot listen on`, `cannot connect to`, ...
        what: &'static str,
        /// The endpoint.
        endpoint: String,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// Unix sockets are not available on this platform.
    #[error("unix sockets are not supported on this platform")]
    NoUnixSockets,
}

/// Where to find the serial line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// A serial device (`/dev/ttyUSB0`, `COM3`) at a baud rate (8N1, no flow control).
    Serial {
        /// The device path.
        path: String,
        /// Bits per second.
        baud: u32,
    },
    /// Listen on `host:port` (port 0: any free port) and serve whoever connects (QEMU's
    /// `-serial tcp:host:port`).
    TcpListen(String),
    /// Connect to `host:port` (QEMU's `-serial tcp:host:port,server=on`).
    TcpConnect(String),
    /// Listen on a Unix socket (`-serial unix:PATH`); an existing socket file is replaced.
    UnixListen(PathBuf),
    /// Connect to a Unix socket (`-serial unix:PATH,server=on`).
    UnixConnect(PathBuf),
}

impl Endpoint {
    /// A socket endpoint from `host:port` or `unix:PATH`, listening or connecting.
    /// `host:port` is checked for shape only (a host, and a port that fits a `u16`); resolving
    /// the host is left to binding or connecting, whose errors name the endpoint as given.
    pub fn socket(text: &str, listen: bool) -> Result<Endpoint, EndpointError> {
        if let Some(path) = text.strip_prefix("unix:") {
            if path.is_empty() {
                return Err(EndpointError::Syntax(text.to_string()));
            }
            let path = PathBuf::from(path);
            return Ok(if listen {
                Endpoint::UnixListen(path)
            } else {
                Endpoint::UnixConnect(path)
            });
        }
        let valid = text
            .rsplit_once(':')
            .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
        if !valid {
            return Err(EndpointError::Syntax(text.to_string()));
        }
        let text = text.to_string();
        Ok(if listen {
            Endpoint::TcpListen(text)
        } else {
            Endpoint::TcpConnect(text)
        })
    }

    /// An endpoint from the command line's form: `listen:HOST:PORT`, `listen:unix:PATH`,
    /// `connect:HOST:PORT`, `connect:unix:PATH`, or else the path of a serial device at `baud`.
    pub fn parse(spec: &str, baud: u32) -> Result<Endpoint, EndpointError> {
        if let Some(address) = spec.strip_prefix("listen:") {
            return Endpoint::socket(address, true);
        }
        if let Some(address) = spec.strip_prefix("connect:") {
            return Endpoint::socket(address, false);
        }
        if spec.is_empty() {
            return Err(EndpointError::Syntax(spec.to_string()));
        }
        Ok(Endpoint::Serial {
            path: spec.to_string(),
            baud,
        })
    }

    /// Opens the endpoint: a listener binds (and is ready for [`Link::local_addr`]), the
    /// others connect or open the device. `poll` is the read timeout of the ports it gives,
    /// how often their users can look at a stop flag.
    /// Listeners are made non-blocking, so that [`Link::next_port`] can look at its stop flag
    /// between attempts. A Unix listener first removes the socket file an earlier run left,
    /// which would make binding fail.
    pub fn open(&self, poll: Duration) -> Result<Link, EndpointError> {
        let io = |what, source| EndpointError::Io {
            what,
            endpoint: self.to_string(),
            source,
        };
        let kind = match self {
            Endpoint::Serial { path, baud } => {
                let port = serialport::new(path, *baud)
                    .timeout(poll)
                    .open()
                    .map_err(|source| EndpointError::Serial {
                        path: path.clone(),
                        source,
                    })?;
                LinkKind::Once(Some(Box::new(SerialDevice {
                    port,
                    name: path.clone(),
                })))
            }
            Endpoint::TcpListen(address) => {
                let listener = TcpListener::bind(address).map_err(|e| io("cannot listen on", e))?;
                listener
                    .set_nonblocking(true)
                    .map_err(|e| io("cannot listen on", e))?;
                LinkKind::Tcp(listener)
            }
            Endpoint::TcpConnect(address) => {
                let stream = TcpStream::connect(address).map_err(|e| io("cannot connect to", e))?;
                LinkKind::Once(Some(
                    tcp_port(stream, poll).map_err(|e| io("cannot use", e))?,
                ))
            }
            #[cfg(unix)]
            Endpoint::UnixListen(path) => {
                match std::fs::remove_file(path) {
                    Ok(()) => {}
                    Err(e) if e.kind() == ErrorKind::NotFound => {}
                    Err(e) => return Err(io("cannot replace", e)),
                }
                let listener = UnixListener::bind(path).map_err(|e| io("cannot listen on", e))?;
                listener
                    .set_nonblocking(true)
                    .map_err(|e| io("cannot listen on", e))?;
                LinkKind::Unix(listener)
            }
            #[cfg(unix)]
            Endpoint::UnixConnect(path) => {
                let stream = UnixStream::connect(path).map_err(|e| io("cannot connect to", e))?;
                stream
                    .set_read_timeout(Some(poll))
                    .map_err(|e| io("cannot use", e))?;
                LinkKind::Once(Some(Box::new(stream)))
            }
            #[cfg(not(unix))]
            Endpoint::UnixListen(_) | Endpoint::UnixConnect(_) => {
                return Err(EndpointError::NoUnixSockets)
            }
        };
        Ok(Link {
            kind,
            poll,
            name: self.to_string(),
        })
    }
}

/// As the endpoint appears in messages: the device with its baud rate, the address, or
/// `unix:PATH`.
impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Endpoint::Serial { path, baud } => write!(f, "{path} at {baud} baud"),
            Endpoint::TcpListen(a) | Endpoint::TcpConnect(a) => f.write_str(a),
            Endpoint::UnixListen(p) | Endpoint::UnixConnect(p) => {
                write!(f, "unix:{}", p.display())
            }
        }
    }
}

/// One connection carrying a serial line's bytes.
///
/// Reads time out after the poll interval (an [`is_timeout`] error), so that a reader can
/// look at a stop flag; a read of 0 bytes means the other side closed.
pub trait Port: Read + Write + Send {
    /// A second handle on the same connection, for a reader and a writer on two threads.
    fn try_clone_port(&self) -> std::io::Result<Box<dyn Port>>;
    /// Sets how long a read waits for a first byte.
    fn set_poll(&mut self, poll: Duration) -> std::io::Result<()>;
    /// Names it in log messages.
    fn name(&self) -> String;
}

/// Whether a read error only means that no byte came in time. Both kinds occur: a socket's
/// read timeout gives `WouldBlock` on Unix (`TimedOut` on Windows), a serial port's gives
/// `TimedOut`.
pub fn is_timeout(e: &std::io::Error) -> bool {
    matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

/// A socket made into a port: blocking, with `poll` as its read timeout (it may come from a
/// non-blocking listener), and without Nagle's delay.
fn tcp_port(stream: TcpStream, poll: Duration) -> std::io::Result<Box<dyn Port>> {
    stream.set_nonblocking(false)?;
    // Each frame is written whole; Nagle would hold answers back by tens of milliseconds.
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(poll))?;
    Ok(Box::new(stream))
}

impl Port for TcpStream {
    fn try_clone_port(&self) -> std::io::Result<Box<dyn Port>> {
        Ok(Box::new(self.try_clone()?))
    }
    fn set_poll(&mut self, poll: Duration) -> std::io::Result<()> {
        self.set_read_timeout(Some(poll))
    }
    fn name(&self) -> String {
        self.peer_addr()
            .map_or_else(|_| "a TCP peer".into(), |a| a.to_string())
    }
}

/// Unix peers are usually unnamed sockets, so the name says only what it is.
#[cfg(unix)]
impl Port for UnixStream {
    fn try_clone_port(&self) -> std::io::Result<Box<dyn Port>> {
        Ok(Box::new(self.try_clone()?))
    }
    fn set_poll(&mut self, poll: Duration) -> std::io::Result<()> {
        self.set_read_timeout(Some(poll))
    }
    fn name(&self) -> String {
        "a unix socket peer".into()
    }
}

/// A serial device opened with the serialport crate.
pub struct SerialDevice {
    /// The serialport crate's handle, opened with `poll` as its timeout.
    port: Box<dyn serialport::SerialPort>,
    /// The device path, for logs.
    name: String,
}

impl Read for SerialDevice {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.port.read(buf)
    }
}

impl Write for SerialDevice {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.port.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.port.flush()
    }
}

impl Port for SerialDevice {
    fn try_clone_port(&self) -> std::io::Result<Box<dyn Port>> {
        let port = self.port.try_clone().map_err(std::io::Error::from)?;
        Ok(Box::new(SerialDevice {
            port,
            name: self.name.clone(),
        }))
    }
    fn set_poll(&mut self, poll: Duration) -> std::io::Result<()> {
        self.port.set_timeout(poll).map_err(std::io::Error::from)
    }
    fn name(&self) -> String {
        self.name.clone()
    }
}

/// What an opened endpoint holds.
enum LinkKind {
    /// A serial device or a connected socket: one port, given once (`None` after).
    Once(Option<Box<dyn Port>>),
    /// A TCP listener, non-blocking, accepting one connection after another.
    Tcp(TcpListener),
    #[cfg(unix)]
    Unix(UnixListener),
}

/// An opened [`Endpoint`]: the connections it gives, one after another.
pub struct Link {
    kind: LinkKind,
    /// The read timeout every accepted port gets.
    poll: Duration,
    /// The endpoint as written, for messages.
    name: String,
}

impl std::fmt::Debug for Link {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Link").field("name", &self.name).finish()
    }
}

impl Link {
    /// A link over a port that is already open (a test's socket, a pty): it gives that port
    /// once.
    pub fn from_port(mut port: Box<dyn Port>, poll: Duration) -> std::io::Result<Link> {
        port.set_poll(poll)?;
        let name = port.name();
        Ok(Link {
            kind: LinkKind::Once(Some(port)),
            poll,
            name,
        })
    }

    /// Where a listening link listens (`host:port`, or `unix:PATH`); `None` for the others.
    /// The same forms `connect:` takes, so a printed address can be handed straight to the
    /// other side.
    pub fn local_addr(&self) -> Option<String> {
        match &self.kind {
            LinkKind::Once(_) => None,
            LinkKind::Tcp(listener) => listener.local_addr().ok().map(|a| a.to_string()),
            #[cfg(unix)]
            LinkKind::Unix(listener) => listener
                .local_addr()
                .ok()
                .and_then(|a| a.as_pathname().map(|p| format!("unix:{}", p.display()))),
        }
    }

    /// Whether the link can give more than one connection.
    /// A bridge or proxy on a link that is not a listener ends with its one connection.
    pub fn is_listener(&self) -> bool {
        !matches!(self.kind, LinkKind::Once(_))
    }

    /// The link's name for log messages.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The next connection: waits for one on a listener (until `stop` is set), gives the one
    /// port of the others once. `None` when there is none (stopped, or already given).
    /// A listener is polled (a non-blocking accept, then a sleep of at most 20 ms) rather than
    /// waited on, so that `stop` is seen; a blocked `accept` could not be interrupted.
    pub fn next_port(&mut self, stop: &AtomicBool) -> Result<Option<Box<dyn Port>>, EndpointError> {
        let io = |source| EndpointError::Io {
            what: "cannot accept on",
            endpoint: self.name.clone(),
            source,
        };
        loop {
            if stop.load(Ordering::Relaxed) {
                return Ok(None);
            }
            let accepted: std::io::Result<Box<dyn Port>> = match &mut self.kind {
                LinkKind::Once(port) => return Ok(port.take()),
                LinkKind::Tcp(listener) => listener
                    .accept()
                    .and_then(|(stream, _)| tcp_port(stream, self.poll)),
                #[cfg(unix)]
                LinkKind::Unix(listener) => listener.accept().and_then(|(stream, _)| {
                    stream.set_nonblocking(false)?;
                    stream.set_read_timeout(Some(self.poll))?;
                    Ok(Box::new(stream) as Box<dyn Port>)
                }),
            };
            match accepted {
                Ok(port) => return Ok(Some(port)),
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    std::thread::sleep(self.poll.min(Duration::from_millis(20)));
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(io(e)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_endpoints_parse() {
        assert_eq!(
            Endpoint::socket("127.0.0.1:0", true).unwrap(),
            Endpoint::TcpListen("127.0.0.1:0".into())
        );
        assert_eq!(
            Endpoint::socket("localhost:5555", false).unwrap(),
            Endpoint::TcpConnect("localhost:5555".into())
        );
        assert_eq!(
            Endpoint::socket("unix:/tmp/uart", true).unwrap(),
            Endpoint::UnixListen("/tmp/uart".into())
        );
        for bad in ["", "5555", ":5555", "host:", "host:70000", "unix:"] {
            assert!(Endpoint::socket(bad, true).is_err(), "{bad:?}");
        }
        assert_eq!(
            Endpoint::parse("listen:unix:/tmp/u", 9600).unwrap(),
            Endpoint::UnixListen("/tmp/u".into())
        );
        assert_eq!(
            Endpoint::parse("connect:127.0.0.1:4000", 9600).unwrap(),
            Endpoint::TcpConnect("127.0.0.1:4000".into())
        );
        assert_eq!(
            Endpoint::parse("/dev/ttyUSB0", 9600).unwrap(),
            Endpoint::Serial {
                path: "/dev/ttyUSB0".into(),
                baud: 9600
            }
        );
        assert!(Endpoint::parse("listen:nowhere", 9600).is_err());
    }

    #[test]
    fn a_tcp_listener_gives_connections_one_after_another() {
        let mut link = Endpoint::TcpListen("127.0.0.1:0".into())
            .open(Duration::from_millis(10))
            .unwrap();
        let address = link.local_addr().unwrap();
        let stop = AtomicBool::new(false);
        for round in 0..2u8 {
            let mut peer = TcpStream::connect(&address).unwrap();
            let mut port = link.next_port(&stop).unwrap().unwrap();
            peer.write_all(&[round]).unwrap();
            let mut byte = [9u8];
            port.read_exact(&mut byte).unwrap();
            assert_eq!(byte, [round]);
            // Nothing more: the read times out instead of blocking.
            let err = port.read(&mut byte).unwrap_err();
            assert!(is_timeout(&err), "{err}");
        }
        stop.store(true, Ordering::Relaxed);
        assert!(link.next_port(&stop).unwrap().is_none());
    }

    #[cfg(unix)]
    #[test]
    fn a_unix_listener_replaces_a_stale_socket_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("uart");
        std::fs::write(&path, "stale").unwrap();
        let endpoint = Endpoint::UnixListen(path.clone());
        let mut link = endpoint.open(Duration::from_millis(10)).unwrap();
        assert_eq!(
            link.local_addr().unwrap(),
            format!("unix:{}", path.display())
        );
        let mut peer = UnixStream::connect(&path).unwrap();
        let mut port = link.next_port(&AtomicBool::new(false)).unwrap().unwrap();
        port.write_all(b"hi").unwrap();
        let mut got = [0u8; 2];
        peer.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"hi");
    }

    /// The path a real device takes: the serialport crate on a terminal device (a pty here).
    #[cfg(target_os = "linux")]
    #[test]
    fn a_serial_device_opens_through_the_serialport_crate() {
        let pty = nix::pty::openpty(None, None).unwrap();
        let path = nix::unistd::ttyname(&pty.slave).unwrap();
        let endpoint = Endpoint::Serial {
            path: path.to_string_lossy().into_owned(),
            baud: 115_200,
        };
        let mut link = endpoint.open(Duration::from_millis(20)).unwrap();
        assert!(!link.is_listener());
        let mut port = link.next_port(&AtomicBool::new(false)).unwrap().unwrap();
        let mut master = std::fs::File::from(pty.master);
        // Raw mode is the serialport crate's job: bytes pass as they are, zeros included.
        master.write_all(&[0x00, 0x41, 0x0d, 0x0a, 0x00]).unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 16];
        while got.len() < 5 {
            match port.read(&mut buf) {
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) if is_timeout(&e) => {}
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(got, [0x00, 0x41, 0x0d, 0x0a, 0x00]);
        port.write_all(b"ok\r\n").unwrap();
        let mut back = [0u8; 4];
        master.read_exact(&mut back).unwrap();
        assert_eq!(&back, b"ok\r\n");
        assert!(link.next_port(&AtomicBool::new(false)).unwrap().is_none());
    }
}
