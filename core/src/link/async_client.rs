//! The device's link client over `embedded_io_async` transports.

use embedded_io_async::{Read, Write};

use super::machine::{
    asks_host_first, real_response, replay_answered, Exchanged, LinkConfig, LinkError, LinkStats,
    Machine, Source, Step,
};
use super::message::DeviceMessage;
use crate::replay::Mode;

/// The async form of [`LinkClient`](super::LinkClient): the same protocol and state machine over an
/// `embedded_io_async` transport (an async UART, a USB CDC class, a socket).
///
/// Timeouts are the transport's: wrap reads in the executor's timer (e.g. a `select` with a
/// delay) and fail them with an error whose kind is [`ErrorKind::TimedOut`](embedded_io::ErrorKind::TimedOut).
pub struct AsyncLinkClient<T, const N: usize> {
    io: T,
    machine: Machine<N>,
}

impl<T: Read + Write, const N: usize> AsyncLinkClient<T, N> {
    /// A client that has not said hello yet.
    pub const fn new(io: T, config: LinkConfig) -> Self {
        AsyncLinkClient {
            io,
            machine: Machine::new(config),
        }
    }

    /// Says hello and returns the mode the host asks for.
    pub async fn connect(&mut self) -> Result<Mode, LinkError<T::Error>> {
        self.machine.begin_connect();
        self.run().await?;
        self.machine.mode().ok_or(LinkError::Unexpected)
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
    ) -> Result<(), LinkError<T::Error>> {
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
    pub async fn replay(&mut self, request: &str) -> Result<Option<&str>, LinkError<T::Error>> {
        self.machine
            .begin_request(|seq| DeviceMessage::Replay { seq, request })?;
        self.run().await?;
        self.machine.replayed()
    }

    /// One exchange as the host's mode wants it (see
    /// [`LinkClient::exchange`](super::LinkClient::exchange)); `real` is synchronous, as it
    /// only writes a response that the caller has already obtained or can compute.
    pub async fn exchange(
        &mut self,
        request: &str,
        out: &mut [u8],
        real: impl FnOnce(&str, &mut [u8]) -> usize,
    ) -> Result<Exchanged, LinkError<T::Error>> {
        let mode = match self.mode() {
            Some(mode) => mode,
            None => self.connect().await?,
        };
        if asks_host_first(mode) {
            let replayed = self.replay(request).await?;
            if let Some(done) = replay_answered(mode, replayed, out)? {
                return Ok(done);
            }
        }
        let response = real_response(request, out, real)?;
        self.record(request, response).await?;
        Ok(Exchanged {
            len: response.len(),
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

    /// Carries out the request the machine began: writes and reads as it says until it has
    /// the answer. Only I/O happens here; every decision is the machine's.
    async fn run(&mut self) -> Result<(), LinkError<T::Error>> {
        let mut step = Step::FIRST;
        loop {
            step = match step {
                Step::Done => return Ok(()),
                Step::Write => {
                    let written = match self.io.write_all(self.machine.outgoing()).await {
                        Ok(()) => self.io.flush().await,
                        Err(e) => Err(e),
                    };
                    self.machine.wrote(written)?
                }
                Step::Read => {
                    let read = self.io.read(self.machine.rx_space()).await;
                    self.machine.read(read)?
                }
            };
        }
    }
}
