//! The device's link client over blocking `embedded_io` transports.

use embedded_io::{Read, Write};

use super::machine::{
    asks_host_first, real_response, replay_answered, Exchanged, LinkConfig, LinkError, LinkStats,
    Machine, Source, Step,
};
use super::message::DeviceMessage;
use crate::replay::Mode;

/// A device's link to a capturemock host over a blocking transport (a UART), with frames of
/// up to `N` bytes on the wire.
///
/// Reads should time out (an error whose kind is [`ErrorKind::TimedOut`](embedded_io::ErrorKind::TimedOut)): the client then
/// sends its request again, up to [`LinkConfig::max_tries`] times. A transport that never
/// times out still recovers from damaged answers (the client repeats at once), but not from
/// a lost delimiter or a lost frame.
///
/// RAM: two `N`-byte buffers (sending and receiving) and about 100 bytes.
pub struct LinkClient<T, const N: usize> {
    io: T,
    machine: Machine<N>,
}

impl<T: Read + Write, const N: usize> LinkClient<T, N> {
    /// A client that has not said hello yet (the first request does, or
    /// [`connect`](Self::connect)).
    pub const fn new(io: T, config: LinkConfig) -> Self {
        LinkClient {
            io,
            machine: Machine::new(config),
        }
    }

    /// Says hello and returns the mode the host asks for.
    pub fn connect(&mut self) -> Result<Mode, LinkError<T::Error>> {
        self.machine.begin_connect();
        self.run()?;
        self.machine.mode().ok_or(LinkError::Unexpected)
    }

    /// The host's mode, once connected.
    pub fn mode(&self) -> Option<Mode> {
        self.machine.mode()
    }

    /// Sends an exchange the device had with the real thing, for the host to record.
    pub fn record(&mut self, request: &str, response: &str) -> Result<(), LinkError<T::Error>> {
        self.machine.begin_request(|seq| DeviceMessage::Record {
            seq,
            request,
            response,
        })?;
        self.run()?;
        self.machine.recorded()
    }

    /// Asks the host for the recorded response to `request`; `None` when nothing recorded
    /// answers it.
    pub fn replay(&mut self, request: &str) -> Result<Option<&str>, LinkError<T::Error>> {
        self.machine
            .begin_request(|seq| DeviceMessage::Replay { seq, request })?;
        self.run()?;
        self.machine.replayed()
    }

    /// One exchange as the host's mode wants it, with the response in `out`:
    /// - record: `real` writes the real response into its buffer and returns its length;
    ///   the exchange is sent to the host;
    /// - replay: the host's recorded response (empty, [`Source::NoMatch`], when none);
    /// - replay old, record new: the host's recorded response, else as in record mode.
    pub fn exchange(
        &mut self,
        request: &str,
        out: &mut [u8],
        real: impl FnOnce(&str, &mut [u8]) -> usize,
    ) -> Result<Exchanged, LinkError<T::Error>> {
        let mode = match self.mode() {
            Some(mode) => mode,
            None => self.connect()?,
        };
        if asks_host_first(mode) {
            let replayed = self.replay(request)?;
            if let Some(done) = replay_answered(mode, replayed, out)? {
                return Ok(done);
            }
        }
        let response = real_response(request, out, real)?;
        self.record(request, response)?;
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
    fn run(&mut self) -> Result<(), LinkError<T::Error>> {
        let mut step = Step::FIRST;
        loop {
            step = match step {
                Step::Done => return Ok(()),
                Step::Write => {
                    let written = match self.io.write_all(self.machine.outgoing()) {
                        Ok(()) => self.io.flush(),
                        Err(e) => Err(e),
                    };
                    self.machine.wrote(written)?
                }
                Step::Read => {
                    let read = self.io.read(self.machine.rx_space());
                    self.machine.read(read)?
                }
            };
        }
    }
}
