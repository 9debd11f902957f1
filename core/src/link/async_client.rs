//! The device's link client over `embedded_io_async` transports.

use embedded_io_async::{Error as _, ErrorKind, Read, Write};

use super::client::copy_out;
use super::machine::{ClientConfig, ClientError, Exchanged, LinkStats, Machine, Source, Step};
use super::message::DeviceMessage;
use crate::replay::Mode;

/// The async form of [`Client`](super::Client): the same protocol and state machine over an
/// `embedded_io_async` transport (an async UART, a USB CDC class, a socket).
///
/// Timeouts are the transport's: wrap reads in the executor's timer (e.g. a `select` with a
/// delay) and fail them with an error whose kind is [`ErrorKind::TimedOut`].
pub struct AsyncClient<T, const N: usize> {
    io: T,
    machine: Machine<N>,
}

impl<T: Read + Write, const N: usize> AsyncClient<T, N> {
    /// A client that has not said hello yet.
    pub const fn new(io: T, config: ClientConfig) -> Self {
        AsyncClient {
            io,
            machine: Machine::new(config),
        }
    }

    /// Says hello and returns the mode the host asks for.
    pub async fn connect(&mut self) -> Result<Mode, ClientError<T::Error>> {
        self.machine.begin_connect();
        self.run().await?;
        self.machine.mode().ok_or(ClientError::Unexpected)
    }

    /// The host's mode, once connected.
    pub fn mode(&self) -> Option<Mode> {
        self.machine.mode()
    }

    /// Sends an exchange the device had with the real thing, for the host to record.
    pub async fn record(
        &mut self,
        request: &str,
        response: &str,
    ) -> Result<(), ClientError<T::Error>> {
        self.machine.begin_request(|seq| DeviceMessage::Record {
            seq,
            request,
            response,
        })?;
        self.run().await?;
        self.machine.recorded()
    }

    /// Asks the host for the recorded response to `request`; `None` when nothing recorded
    /// answers it.
    pub async fn replay(&mut self, request: &str) -> Result<Option<&str>, ClientError<T::Error>> {
        self.machine
            .begin_request(|seq| DeviceMessage::Replay { seq, request })?;
        self.run().await?;
        self.machine.replayed()
    }

    /// One exchange as the host's mode wants it (see
    /// [`Client::exchange`](super::Client::exchange)); `real` is synchronous, as it
    /// only writes a response that the caller has already obtained or can compute.
    pub async fn exchange(
        &mut self,
        request: &str,
        out: &mut [u8],
        real: impl FnOnce(&str, &mut [u8]) -> usize,
    ) -> Result<Exchanged, ClientError<T::Error>> {
        let mode = match self.mode() {
            Some(mode) => mode,
            None => self.connect().await?,
        };
        if mode != Mode::Record {
            match self.replay(request).await? {
                Some(text) => return copy_out(text, out, Source::Replayed),
                None if mode == Mode::Replay => {
                    return Ok(Exchanged {
                        len: 0,
                        source: Source::NoMatch,
                    })
                }
                None => {}
            }
        }
        let len = real(request, out).min(out.len());
        // `len` is capped at `out.len()`: the fallback is never taken.
        let response = out.get(..len).unwrap_or_default();
        let response = core::str::from_utf8(response).map_err(|_| ClientError::NotText)?;
        self.record(request, response).await?;
        Ok(Exchanged {
            len,
            source: Source::Real,
        })
    }

    /// The running totals.
    pub fn stats(&self) -> LinkStats {
        self.machine.stats()
    }

    /// The transport.
    pub fn transport(&mut self) -> &mut T {
        &mut self.io
    }

    /// Gives the transport back.
    pub fn into_inner(self) -> T {
        self.io
    }

    async fn send(&mut self) -> Result<(), ClientError<T::Error>> {
        self.io
            .write_all(self.machine.outgoing())
            .await
            .map_err(ClientError::Io)?;
        self.io.flush().await.map_err(ClientError::Io)?;
        self.machine.sent();
        Ok(())
    }

    async fn run(&mut self) -> Result<(), ClientError<T::Error>> {
        self.send().await?;
        loop {
            match self.machine.process()? {
                Step::Done => return Ok(()),
                Step::Write => self.send().await?,
                Step::Read => match self.io.read(self.machine.rx_space()).await {
                    Ok(0) => return Err(ClientError::Closed),
                    Ok(n) => self.machine.received(n),
                    Err(e) if e.kind() == ErrorKind::TimedOut => {
                        self.machine.timed_out()?;
                        self.send().await?;
                    }
                    Err(e) => return Err(ClientError::Io(e)),
                },
            }
        }
    }
}
