//! The embedded-hal-async forms of the fakes: the same calls as the blocking forms, answered at
//! once (a fake never waits, so every future is ready when first polled), with the same
//! messages. A driver's async and blocking paths are checked by the same expectations.

use embedded_hal::i2c::{Operation as I2cOperation, SevenBitAddress};
use embedded_hal::spi::Operation as SpiOperation;
use embedded_hal_async::{delay, digital, i2c, spi};

use super::{DelayFake, I2cFake, PinFake, SpiBusFake, SpiDeviceFake};

impl<const CALLS: usize, const ARGS: usize, const MSG: usize> i2c::I2c
    for I2cFake<'_, CALLS, ARGS, MSG>
{
    async fn read(&mut self, address: SevenBitAddress, read: &mut [u8]) -> Result<(), Self::Error> {
        embedded_hal::i2c::I2c::read(self, address, read)
    }

    async fn write(&mut self, address: SevenBitAddress, write: &[u8]) -> Result<(), Self::Error> {
        embedded_hal::i2c::I2c::write(self, address, write)
    }

    async fn write_read(
        &mut self,
        address: SevenBitAddress,
        write: &[u8],
        read: &mut [u8],
    ) -> Result<(), Self::Error> {
        embedded_hal::i2c::I2c::write_read(self, address, write, read)
    }

    async fn transaction(
        &mut self,
        address: SevenBitAddress,
        operations: &mut [I2cOperation<'_>],
    ) -> Result<(), Self::Error> {
        embedded_hal::i2c::I2c::transaction(self, address, operations)
    }
}

impl<const CALLS: usize, const ARGS: usize, const MSG: usize> spi::SpiDevice
    for SpiDeviceFake<'_, CALLS, ARGS, MSG>
{
    async fn transaction(
        &mut self,
        operations: &mut [SpiOperation<'_, u8>],
    ) -> Result<(), Self::Error> {
        embedded_hal::spi::SpiDevice::transaction(self, operations)
    }

    async fn read(&mut self, buf: &mut [u8]) -> Result<(), Self::Error> {
        embedded_hal::spi::SpiDevice::read(self, buf)
    }

    async fn write(&mut self, buf: &[u8]) -> Result<(), Self::Error> {
        embedded_hal::spi::SpiDevice::write(self, buf)
    }

    async fn transfer(&mut self, read: &mut [u8], write: &[u8]) -> Result<(), Self::Error> {
        embedded_hal::spi::SpiDevice::transfer(self, read, write)
    }

    async fn transfer_in_place(&mut self, buf: &mut [u8]) -> Result<(), Self::Error> {
        embedded_hal::spi::SpiDevice::transfer_in_place(self, buf)
    }
}

impl<const CALLS: usize, const ARGS: usize, const MSG: usize> spi::SpiBus
    for SpiBusFake<'_, CALLS, ARGS, MSG>
{
    async fn read(&mut self, words: &mut [u8]) -> Result<(), Self::Error> {
        embedded_hal::spi::SpiBus::read(self, words)
    }

    async fn write(&mut self, words: &[u8]) -> Result<(), Self::Error> {
        embedded_hal::spi::SpiBus::write(self, words)
    }

    async fn transfer(&mut self, read: &mut [u8], write: &[u8]) -> Result<(), Self::Error> {
        embedded_hal::spi::SpiBus::transfer(self, read, write)
    }

    async fn transfer_in_place(&mut self, words: &mut [u8]) -> Result<(), Self::Error> {
        embedded_hal::spi::SpiBus::transfer_in_place(self, words)
    }

    async fn flush(&mut self) -> Result<(), Self::Error> {
        embedded_hal::spi::SpiBus::flush(self)
    }
}

impl<const CALLS: usize, const MSG: usize> digital::Wait for PinFake<'_, CALLS, MSG> {
    async fn wait_for_high(&mut self) -> Result<(), Self::Error> {
        self.play("wait_for_high").map(|_| ())
    }

    async fn wait_for_low(&mut self) -> Result<(), Self::Error> {
        self.play("wait_for_low").map(|_| ())
    }

    async fn wait_for_rising_edge(&mut self) -> Result<(), Self::Error> {
        self.play("wait_for_rising_edge").map(|_| ())
    }

    async fn wait_for_falling_edge(&mut self) -> Result<(), Self::Error> {
        self.play("wait_for_falling_edge").map(|_| ())
    }

    async fn wait_for_any_edge(&mut self) -> Result<(), Self::Error> {
        self.play("wait_for_any_edge").map(|_| ())
    }
}

impl<const CALLS: usize, const MSG: usize> delay::DelayNs for DelayFake<'_, CALLS, MSG> {
    async fn delay_ns(&mut self, ns: u32) {
        self.play("delay_ns", ns);
    }

    async fn delay_us(&mut self, us: u32) {
        self.play("delay_us", us);
    }

    async fn delay_ms(&mut self, ms: u32) {
        self.play("delay_ms", ms);
    }
}
