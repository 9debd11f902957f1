//! The custom client on `std::net`: one connection per exchange, blocking.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use capturemock_core::replay::Mode;

use super::{message, ClientConfig, ClientError};

/// A blocking custom client. Cheap to clone; each exchange opens its own connection, so it
/// can be shared between threads.
#[derive(Debug, Clone)]
pub struct Client {
    /// Read only: each exchange opens its own connection, so clones share nothing mutable.
    config: ClientConfig,
}

impl Client {
    /// A client for the server `capturemock` started (`CAPTUREMOCK_SERVER`,
    /// `CAPTUREMOCK_MODE`).
    pub fn from_env() -> Result<Self, ClientError> {
        ClientConfig::from_env().map(Self::new)
    }

    /// A client with this configuration.
    pub fn new(config: ClientConfig) -> Self {
        Client { config }
    }

    /// Its configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The mode of the run.
    pub fn mode(&self) -> Mode {
        self.config.mode
    }

    /// Records one exchange: sends `SUT_CUSTOM:<request>:SUT_SEP:<response>` and returns the
    /// server's echo (the response as recorded, after alterations, trailing white space
    /// stripped; in replay mode, the replayed response instead).
    pub fn record(&self, request: &str, response: &str) -> Result<String, ClientError> {
        self.exchange(&message::record(request, response)?)
    }

    /// Asks for the recorded response to `request`: sends `SUT_CUSTOM:<request>`, shuts the
    /// write side and reads to the end. An empty text means nothing matched; the server's
    /// complaints (`CAPTUREMOCK MISMATCH: ...`) come back as they are.
    pub fn replay(&self, request: &str) -> Result<String, ClientError> {
        self.exchange(&message::replay(request)?)
    }

    /// Records or replays as the mode says, and returns what the server answers, so that the
    /// program sees the same text in every mode:
    /// - replay (`0`): the recorded response; `real` is not called;
    /// - record (`1`): calls `real` and records the exchange; the answer is the echo, the
    ///   real response as recorded (after alterations, trailing white space stripped, as a
    ///   replay will give it);
    /// - replay old, record new (`2`): calls `real` and sends the exchange for recording; the
    ///   answer is the replayed response when the server has one, the echo when it records.
    ///   The server decides, so the real thing must be reachable in this mode.
    ///
    /// A server complaint instead of a replayed response is an error here
    /// ([`ClientError::Server`]).
    pub fn call(
        &self,
        request: &str,
        real: impl FnOnce() -> String,
    ) -> Result<String, ClientError> {
        match self.config.mode {
            Mode::Replay => {
                let reply = self.replay(request)?;
                self.checked(request, reply)
            }
            Mode::Record | Mode::ReplayOldRecordNew => {
                let reply = self.record(request, &real())?;
                self.checked(request, reply)
            }
        }
    }

    /// Stops the server (`TERMINATE_SERVER`), waiting until it has taken the message.
    pub fn terminate_server(&self) -> Result<(), ClientError> {
        self.exchange(message::TERMINATE_MESSAGE).map(drop)
    }

    /// Turns a server's complaint into [`ClientError::Server`], so that `call` never hands a
    /// mismatch text to the program as if it were the recorded response.
    fn checked(&self, request: &str, reply: String) -> Result<String, ClientError> {
        if message::is_complaint(&reply) {
            return Err(ClientError::Server {
                address: self.config.address.clone(),
                request: request.to_string(),
                reply,
            });
        }
        Ok(reply)
    }

    /// One connection: send the message, shut the write side, read to the end.
    /// The write timeout bounds sending; [`read_to_end`] bounds the whole answer. A timeout names
    /// the phase that ran out.
    fn exchange(&self, message: &str) -> Result<String, ClientError> {
        let address = &self.config.address;
        let timeouts = self.config.timeouts;
        let mut stream = self.connect()?;
        let io_error = |source: std::io::Error, what| {
            if is_timeout(&source) {
                ClientError::Timeout {
                    address: address.clone(),
                    what,
                    after: timeouts.io.unwrap_or_default(),
                }
            } else {
                ClientError::Io {
                    address: address.clone(),
                    source,
                }
            }
        };
        stream
            .set_write_timeout(timeouts.io)
            .map_err(|e| io_error(e, "take the message"))?;
        stream
            .write_all(message.as_bytes())
            .and_then(|()| stream.shutdown(Shutdown::Write))
            .map_err(|e| io_error(e, "take the message"))?;
        let bytes = read_to_end(&mut stream, timeouts.io).map_err(|e| io_error(e, "answer"))?;
        String::from_utf8(bytes).map_err(|_| ClientError::ReplyNotUtf8 {
            address: address.clone(),
        })
    }

    /// Tries every address `host:port` resolves to (`localhost` may give IPv6 and IPv4), each
    /// within the connect timeout, and reports the last failure, as a timeout when it was one.
    fn connect(&self) -> Result<TcpStream, ClientError> {
        let address = &self.config.address;
        let resolved = address
            .to_socket_addrs()
            .map_err(|source| ClientError::Resolve {
                address: address.clone(),
                source,
            })?;
        let mut last = None;
        for candidate in resolved {
            let attempt = match self.config.timeouts.connect {
                Some(limit) => TcpStream::connect_timeout(&candidate, limit),
                None => TcpStream::connect(candidate),
            };
            match attempt {
                Ok(stream) => return Ok(stream),
                Err(e) => last = Some(e),
            }
        }
        let source = last.unwrap_or_else(|| ErrorKind::AddrNotAvailable.into());
        if is_timeout(&source) {
            return Err(ClientError::Timeout {
                address: address.clone(),
                what: "accept the connection",
                after: self.config.timeouts.connect.unwrap_or_default(),
            });
        }
        Err(ClientError::Connect {
            address: address.clone(),
            source,
        })
    }
}

/// Which error kinds a timed-out socket operation gives: `WouldBlock` on Unix, `TimedOut`
/// elsewhere and from `connect_timeout`.
fn is_timeout(e: &std::io::Error) -> bool {
    matches!(e.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock)
}

/// Reads to the end within `limit` in total (a socket read timeout alone bounds each read,
/// and a server trickling bytes could keep a client forever).
fn read_to_end(stream: &mut TcpStream, limit: Option<Duration>) -> std::io::Result<Vec<u8>> {
    let deadline = limit.map(|l| Instant::now() + l);
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        if let Some(deadline) = deadline {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(ErrorKind::TimedOut.into());
            }
            stream.set_read_timeout(Some(left))?;
        }
        match stream.read(&mut buf) {
            Ok(0) => return Ok(out),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}
