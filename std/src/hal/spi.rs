//! A real `SpiDevice` or `SpiBus`, recorded or replayed.

use capturemock_core::hal::{DeviceError, HalError, SpiFlush, SpiTransaction};
use embedded_hal::spi::{ErrorType, Operation, SpiBus, SpiDevice};

use super::Recorded;

impl<T> ErrorType for Recorded<T> {
    type Error = HalError;
}

/// A real bus's error, as recorded.
fn device<E: embedded_hal::spi::Error>(e: E) -> DeviceError {
    DeviceError::from(e.kind())
}

impl<T: SpiDevice<u8>> SpiDevice<u8> for Recorded<T> {
    fn transaction(&mut self, operations: &mut [Operation<'_, u8>]) -> Result<(), HalError> {
        let real = &mut self.real;
        let mut call =
            |t: &mut SpiTransaction<'_, '_, '_>| real.transaction(t.operations()).map_err(device);
        self.session.run(
            &mut SpiTransaction::new(&self.name, operations),
            Some(&mut call),
        )
    }
}

impl<T: SpiBus<u8>> Recorded<T> {
    /// One bus call through the session.
    fn bus_call(&mut self, operation: Operation<'_, u8>) -> Result<(), HalError> {
        let real = &mut self.real;
        let mut call = |t: &mut SpiTransaction<'_, '_, '_>| t.run_on_bus(real).map_err(device);
        self.session.run(
            &mut SpiTransaction::new(&self.name, &mut [operation]),
            Some(&mut call),
        )
    }
}

impl<T: SpiBus<u8>> SpiBus<u8> for Recorded<T> {
    fn read(&mut self, words: &mut [u8]) -> Result<(), HalError> {
        self.bus_call(Operation::Read(words))
    }

    fn write(&mut self, words: &[u8]) -> Result<(), HalError> {
        self.bus_call(Operation::Write(words))
    }

    fn transfer(&mut self, read: &mut [u8], write: &[u8]) -> Result<(), HalError> {
        self.bus_call(Operation::Transfer(read, write))
    }

    fn transfer_in_place(&mut self, words: &mut [u8]) -> Result<(), HalError> {
        self.bus_call(Operation::TransferInPlace(words))
    }

    fn flush(&mut self) -> Result<(), HalError> {
        let real = &mut self.real;
        let mut call = |_: &mut SpiFlush<'_>| real.flush().map_err(device);
        self.session
            .run(&mut SpiFlush::new(&self.name), Some(&mut call))
    }
}
