//! The custom client on `std::net`: one connection per exchange, blocking. The protocol is
//! [`machine`](super::machine)'s; this face only moves its bytes.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use capturemock_core::replay::Mode;

use super::machine::{Call, Plan, Wait};
use super::{ClientConfig, ClientError};

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
        self.run(Plan::record(&self.config, request, response)?)
    }

    /// Asks for the recorded response to `request`: sends `SUT_CUSTOM:<request>`, shuts the
    /// write side and reads to the end. An empty text means nothing matched; the server's
    /// complaints (`CAPTUREMOCK MISMATCH: ...`) come back as they are.
    pub fn replay(&self, request: &str) -> Result<String, ClientError> {
        self.run(Plan::replay(&self.config, request)?)
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
    /// ([`ClientError::Server`]). A request the server would mangle is refused before `real`
    /// is called.
    pub fn call(
        &self,
        request: &str,
        real: impl FnOnce() -> String,
    ) -> Result<String, ClientError> {
        let plan = match Call::new(&self.config, request)? {
            Call::Ready(plan) => plan,
            Call::NeedsReal(pending) => pending.with(&real())?,
        };
        self.run(plan)
    }

    /// Stops the server (`TERMINATE_SERVER`), waiting until it has taken the message.
    pub fn terminate_server(&self) -> Result<(), ClientError> {
        self.run(Plan::terminate(&self.config)).map(drop)
    }

    /// Carries out one exchange on its own connection: connect, send the message, shut the
    /// write side, read to the end. Each wait is bounded as a whole (a socket timeout alone
    /// bounds each read or write, and a server trickling bytes could keep a client for ever).
    fn run(&self, plan: Plan<'_>) -> Result<String, ClientError> {
        let mut stream = connect(&plan)?;
        let send = Deadline::new(plan.limit(Wait::Send));
        write_all(&mut stream, plan.message(), send)
            .and_then(|()| stream.shutdown(Shutdown::Write))
            .map_err(|e| plan.failed(Wait::Send, e))?;
        let answer = Deadline::new(plan.limit(Wait::Answer));
        let reply = read_to_end(&mut stream, answer).map_err(|e| plan.failed(Wait::Answer, e))?;
        plan.finish(reply)
    }
}

/// Connects to the first address the plan's `host:port` resolves to that accepts
/// (`localhost` may give IPv6 and IPv4), trying each within the connect limit; the last
/// failure is the error, a timeout when it was one.
fn connect(plan: &Plan<'_>) -> Result<TcpStream, ClientError> {
    let resolved = plan
        .address()
        .to_socket_addrs()
        .map_err(|e| plan.unresolved(e))?;
    let limit = plan.limit(Wait::Connect);
    let mut last = None;
    for candidate in resolved {
        let attempt = match limit {
            Some(limit) => TcpStream::connect_timeout(&candidate, limit),
            None => TcpStream::connect(candidate),
        };
        match attempt {
            Ok(stream) => return Ok(stream),
            Err(e) => last = Some(e),
        }
    }
    // A name that resolves to no address at all has nothing to connect to.
    let source = last.unwrap_or_else(|| ErrorKind::AddrNotAvailable.into());
    Err(plan.failed(Wait::Connect, source))
}

/// The end of one wait, so that a wait made of many reads or writes is bounded as a whole.
#[derive(Debug, Clone, Copy)]
struct Deadline(Option<Instant>);

impl Deadline {
    fn new(limit: Option<Duration>) -> Self {
        Deadline(limit.map(|l| Instant::now() + l))
    }

    /// The socket timeout for the next operation: what is left of the wait, `None` without
    /// a limit; a `TimedOut` error once the wait is over.
    fn left(self) -> std::io::Result<Option<Duration>> {
        let Some(deadline) = self.0 else {
            return Ok(None);
        };
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(ErrorKind::TimedOut.into());
        }
        Ok(Some(left))
    }
}

/// Writes all of `bytes` before `deadline`.
fn write_all(stream: &mut TcpStream, mut bytes: &[u8], deadline: Deadline) -> std::io::Result<()> {
    while !bytes.is_empty() {
        stream.set_write_timeout(deadline.left()?)?;
        match stream.write(bytes) {
            Ok(0) => return Err(ErrorKind::WriteZero.into()),
            Ok(n) => bytes = bytes.get(n..).unwrap_or_default(),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Reads to the end before `deadline`.
fn read_to_end(stream: &mut TcpStream, deadline: Deadline) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        stream.set_read_timeout(deadline.left()?)?;
        match stream.read(&mut buf) {
            Ok(0) => return Ok(out),
            Ok(n) => out.extend_from_slice(buf.get(..n).unwrap_or_default()),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}
