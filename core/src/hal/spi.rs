//! `SpiDevice` and `SpiBus` (blocking and async) answered from a recording. A device's
//! transaction (chip select asserted around several operations) is one exchange; on a bus,
//! each call is one.
//!
//! ```text
//! <-SPI:flash write [9f] read 3       the device's name, then its operations
//! ->SPI:[ef 40 18]                    one [..] per reading operation
//! <-SPI:bus transfer [01 02] 2        transfer: bytes written, then bytes read
//! ->SPI:[ff 00]
//! <-SPI:bus flush
//! ->SPI:ok
//! ```

use core::fmt::{self, Write};

use embedded_hal::spi::{ErrorType, Operation, SpiBus, SpiDevice};

use super::backend::{Backend, Transaction};
use super::error::HalError;
use super::text::{len, write_bytes, write_call, write_data, write_number, Kind, Response};

/// One SPI transaction of a named device or bus: `flash write [9f] read 3`.
pub struct SpiTransaction<'n, 'o, 'b> {
    name: &'n str,
    operations: &'o mut [Operation<'b, u8>],
}

impl<'n, 'o, 'b> SpiTransaction<'n, 'o, 'b> {
    /// The operations a driver asked for, on the device or bus called `name` (one word, as
    /// the record shows it).
    pub fn new(name: &'n str, operations: &'o mut [Operation<'b, u8>]) -> Self {
        SpiTransaction { name, operations }
    }

    /// The operations, for a recorder to hand to the real device or bus.
    pub fn operations(&mut self) -> &mut [Operation<'b, u8>] {
        self.operations
    }

    /// Makes the operations on a real bus, in order: a recorder's real call for one
    /// `SpiBus` method. A bus call never holds a delay (only device transactions do), so
    /// one would be skipped.
    pub fn run_on_bus<S: SpiBus<u8>>(&mut self, bus: &mut S) -> Result<(), S::Error> {
        self.operations.iter_mut().try_for_each(|op| match op {
            Operation::Read(words) => bus.read(words),
            Operation::Write(words) => bus.write(words),
            Operation::Transfer(read, write) => bus.transfer(read, write),
            Operation::TransferInPlace(words) => bus.transfer_in_place(words),
            Operation::DelayNs(_) => Ok(()),
        })
    }
}

/// The buffer an operation reads into, if it reads.
fn read_buf<'x>(op: &'x mut Operation<'_, u8>) -> Option<&'x mut [u8]> {
    match op {
        Operation::Read(buf) | Operation::TransferInPlace(buf) | Operation::Transfer(buf, _) => {
            Some(buf)
        }
        Operation::Write(_) | Operation::DelayNs(_) => None,
    }
}

impl Transaction for SpiTransaction<'_, '_, '_> {
    fn kind(&self) -> Kind {
        Kind::Spi
    }

    fn write_request(&self, w: &mut dyn Write) -> fmt::Result {
        w.write_str(self.name)?;
        for op in self.operations.iter() {
            match op {
                Operation::Read(buf) => {
                    w.write_str(" read ")?;
                    write_number(w, len(buf))?;
                }
                Operation::Write(bytes) => {
                    w.write_str(" write ")?;
                    write_bytes(w, bytes)?;
                }
                Operation::Transfer(read, write) => {
                    w.write_str(" transfer ")?;
                    write_bytes(w, write)?;
                    w.write_char(' ')?;
                    write_number(w, len(read))?;
                }
                Operation::TransferInPlace(buf) => {
                    w.write_str(" transfer_in_place ")?;
                    write_bytes(w, buf)?;
                }
                Operation::DelayNs(ns) => {
                    w.write_str(" delay_ns ")?;
                    write_number(w, *ns)?;
                }
            }
        }
        Ok(())
    }

    fn answer(&mut self, response: Response<'_>) -> Result<(), HalError> {
        let mut reads = self.operations.iter_mut().filter_map(read_buf);
        match response {
            Response::Error(e) => Err(HalError::Device(e)),
            Response::Done => match reads.next() {
                None => Ok(()),
                Some(_) => Err(HalError::Mismatch),
            },
            Response::Data(mut groups) => {
                for buf in reads {
                    groups.fill_next(buf)?;
                }
                groups.finish()
            }
            Response::Level(_) => Err(HalError::Mismatch),
        }
    }

    fn write_response(&self, w: &mut dyn Write) -> fmt::Result {
        let reads = self.operations.iter().filter_map(|op| match op {
            Operation::Read(buf)
            | Operation::TransferInPlace(buf)
            | Operation::Transfer(buf, _) => Some(&**buf),
            Operation::Write(_) | Operation::DelayNs(_) => None,
        });
        write_data(w, reads)
    }
}

/// `SpiBus::flush` of the bus called `name`: `bus flush`, answered `ok`.
pub struct SpiFlush<'n> {
    name: &'n str,
}

impl<'n> SpiFlush<'n> {
    /// A flush of the bus called `name`.
    pub fn new(name: &'n str) -> Self {
        SpiFlush { name }
    }
}

impl Transaction for SpiFlush<'_> {
    fn kind(&self) -> Kind {
        Kind::Spi
    }

    fn write_request(&self, w: &mut dyn Write) -> fmt::Result {
        write_call(w, self.name, "flush", None)
    }

    fn answer(&mut self, response: Response<'_>) -> Result<(), HalError> {
        match response {
            Response::Done => Ok(()),
            Response::Error(e) => Err(HalError::Device(e)),
            _ => Err(HalError::Mismatch),
        }
    }

    fn write_response(&self, w: &mut dyn Write) -> fmt::Result {
        w.write_str("ok")
    }
}

/// A `SpiDevice` (blocking and async, `u8` words) that answers from a recording: each
/// transaction, all its operations together, is one exchange.
pub struct SpiDeviceReplay<'n, B: Backend> {
    backend: B,
    name: &'n str,
}

impl<'n, B: Backend> SpiDeviceReplay<'n, B> {
    /// The device called `name` in the record, answering from `backend`.
    pub fn new(backend: B, name: &'n str) -> Self {
        SpiDeviceReplay { backend, name }
    }

    fn run(&self, operations: &mut [Operation<'_, u8>]) -> Result<(), HalError> {
        self.backend
            .exchange(&mut SpiTransaction::new(self.name, operations))
    }
}

impl<B: Backend> ErrorType for SpiDeviceReplay<'_, B> {
    type Error = HalError;
}

impl<B: Backend> SpiDevice<u8> for SpiDeviceReplay<'_, B> {
    fn transaction(&mut self, operations: &mut [Operation<'_, u8>]) -> Result<(), HalError> {
        self.run(operations)
    }
}

/// The async form answers at once: a replay has nothing to wait for.
impl<B: Backend> embedded_hal_async::spi::SpiDevice<u8> for SpiDeviceReplay<'_, B> {
    async fn transaction(&mut self, operations: &mut [Operation<'_, u8>]) -> Result<(), HalError> {
        self.run(operations)
    }
}

/// A `SpiBus` (blocking and async, `u8` words) that answers from a recording: each call is
/// one exchange.
pub struct SpiBusReplay<'n, B: Backend> {
    backend: B,
    name: &'n str,
}

impl<'n, B: Backend> SpiBusReplay<'n, B> {
    /// The bus called `name` in the record, answering from `backend`.
    pub fn new(backend: B, name: &'n str) -> Self {
        SpiBusReplay { backend, name }
    }

    fn run(&self, operation: Operation<'_, u8>) -> Result<(), HalError> {
        self.backend
            .exchange(&mut SpiTransaction::new(self.name, &mut [operation]))
    }

    fn flush_bus(&self) -> Result<(), HalError> {
        self.backend.exchange(&mut SpiFlush::new(self.name))
    }
}

impl<B: Backend> ErrorType for SpiBusReplay<'_, B> {
    type Error = HalError;
}

impl<B: Backend> SpiBus<u8> for SpiBusReplay<'_, B> {
    fn read(&mut self, words: &mut [u8]) -> Result<(), HalError> {
        self.run(Operation::Read(words))
    }

    fn write(&mut self, words: &[u8]) -> Result<(), HalError> {
        self.run(Operation::Write(words))
    }

    fn transfer(&mut self, read: &mut [u8], write: &[u8]) -> Result<(), HalError> {
        self.run(Operation::Transfer(read, write))
    }

    fn transfer_in_place(&mut self, words: &mut [u8]) -> Result<(), HalError> {
        self.run(Operation::TransferInPlace(words))
    }

    fn flush(&mut self) -> Result<(), HalError> {
        self.flush_bus()
    }
}

/// The async form answers at once: a replay has nothing to wait for.
impl<B: Backend> embedded_hal_async::spi::SpiBus<u8> for SpiBusReplay<'_, B> {
    async fn read(&mut self, words: &mut [u8]) -> Result<(), HalError> {
        self.run(Operation::Read(words))
    }

    async fn write(&mut self, words: &[u8]) -> Result<(), HalError> {
        self.run(Operation::Write(words))
    }

    async fn transfer(&mut self, read: &mut [u8], write: &[u8]) -> Result<(), HalError> {
        self.run(Operation::Transfer(read, write))
    }

    async fn transfer_in_place(&mut self, words: &mut [u8]) -> Result<(), HalError> {
        self.run(Operation::TransferInPlace(words))
    }

    async fn flush(&mut self) -> Result<(), HalError> {
        self.flush_bus()
    }
}
