//! The device's link client over blocking `embedded_io` transports.

use embedded_io::{Error as _, ErrorKind, Read, Write};

use super::machine::{ClientConfig, ClientError, Exchanged, LinkStats, Machine, Source, Step};
use super::message::DeviceMessage;
use crate::replay::Mode;

/// A device's link to a capturemock host over a blocking transport (a UART), with frames of
/// up to `N` bytes on the wire.
///
/// Reads should time out (an error whose kind is [`ErrorKind::TimedOut`]): the client then
/// sends its request again, up to [`ClientConfig::max_tries`] times. A transport that never
/// times out still recovers from damaged answers (the client repeats at once), but not from
/// a lost delimiter or a lost frame.
///
/// RAM: two `N`-byte buffers (sending and receiving) and about 100 bytes.
pub struct Client<T, const N: usize> {
    io: T,
    machine: Machine<N>,
}

impl<T: Read + Write, const N: usize> Client<T, N> {
    /// A client that has not said hello yet (the first request does, or
    /// [`connect`](Self::connect)).
    pub const fn new(io: T, config: ClientConfig) -> Self {
        Client {
            io,
            machine: Machine::new(config),
        }
    }

    /// Says hello and returns the mode the host asks for.
    pub fn connect(&mut self) -> Result<Mode, ClientError<T::Error>> {
        self.machine.begin_connect();
        self.run()?;
        self.machine.mode().ok_or(ClientError::Unexpected)
    }

    /// The host's mode, once connected.
    pub fn mode(&self) -> Option<Mode> {
        self.machine.mode()
    }

    /// Sends an exchange the device had with the real thing, for the host to record.
    pub fn record(&mut self, request: &str, response: &str) -> Result<(), ClientError<T::Error>> {
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
    pub fn replay(&mut self, request: &str) -> Result<Option<&str>, ClientError<T::Error>> {
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
    ) -> Result<Exchanged, ClientError<T::Error>> {
        let mode = match self.mode() {
            Some(mode) => mode,
            None => self.connect()?,
        };
        if mode != Mode::Record {
            match self.replay(request)? {
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
        self.record(request, response)?;
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

    fn send(&mut self) -> Result<(), ClientError<T::Error>> {
        self.io
            .write_all(self.machine.outgoing())
            .map_err(ClientError::Io)?;
        self.io.flush().map_err(ClientError::Io)?;
        self.machine.sent();
        Ok(())
    }

    fn run(&mut self) -> Result<(), ClientError<T::Error>> {
        self.send()?;
        loop {
            match self.machine.process()? {
                Step::Done => return Ok(()),
                Step::Write => self.send()?,
                Step::Read => match self.io.read(self.machine.rx_space()) {
                    Ok(0) => return Err(ClientError::Closed),
                    Ok(n) => self.machine.received(n),
                    Err(e) if e.kind() == ErrorKind::TimedOut => {
                        self.machine.timed_out()?;
                        self.send()?;
                    }
                    Err(e) => return Err(ClientError::Io(e)),
                },
            }
        }
    }
}

/// Copies a replayed response into the caller's buffer.
pub(crate) fn copy_out<E>(
    text: &str,
    out: &mut [u8],
    source: Source,
) -> Result<Exchanged, ClientError<E>> {
    let len = text.len();
    out.get_mut(..len)
        .ok_or(ClientError::BufferTooSmall { needed: len })?
        .copy_from_slice(text.as_bytes());
    Ok(Exchanged { len, source })
}
