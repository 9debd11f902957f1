//! A real device on the target wrapped so that its traffic goes over the link ([`HalLink`]):
//! passed through and sent to the host to record, or answered by the host in replay mode.
//! The same wrapper as the host's `capturemock::hal::Recorded`, without std.

use embedded_hal::delay::DelayNs;
use embedded_hal::digital::{self, InputPin, OutputPin, StatefulOutputPin};
use embedded_hal::i2c::{self, I2c, SevenBitAddress, TenBitAddress};
use embedded_hal::spi::{self, Operation, SpiBus, SpiDevice};

use super::delay::DelayCall;
use super::error::{DeviceError, HalError};
use super::i2c::{Address, I2cTransaction};
use super::link::HalLink;
use super::pin::PinCall;
use super::spi::{SpiFlush, SpiTransaction};

/// A real `I2c`, `SpiDevice`, `SpiBus`, pin or delay source (`D`) whose every call goes over
/// a [`HalLink`]: when the host records, the call reaches `D` and is sent with its answer;
/// when it replays, the host answers and `D` is never called. It implements each embedded-hal
/// trait `D` implements, with [`HalError`] as the error in every mode, so a driver sees the
/// same errors recording and replaying (a real device's error becomes [`HalError::Device`]
/// with its kind).
pub struct LinkRecorded<'l, 'b, 'n, T, const N: usize, D> {
    link: &'l HalLink<'b, T, N>,
    name: &'n str,
    real: D,
}

impl<'l, 'b, 'n, T, const N: usize, D> LinkRecorded<'l, 'b, 'n, T, N, D> {
    /// Wraps `real`, called `name` in the record (one word; I2C transactions are named by their
    /// address, so an I2C bus's name is not written).
    pub fn new(link: &'l HalLink<'b, T, N>, name: &'n str, real: D) -> Self {
        LinkRecorded { link, name, real }
    }

    /// The real device back.
    pub fn into_inner(self) -> D {
        self.real
    }
}

type Wrapped<'l, 'b, 'n, T, const N: usize, D> = LinkRecorded<'l, 'b, 'n, T, N, D>;

impl<T, const N: usize, D> i2c::ErrorType for Wrapped<'_, '_, '_, T, N, D> {
    type Error = HalError;
}

impl<T, const N: usize, D> spi::ErrorType for Wrapped<'_, '_, '_, T, N, D> {
    type Error = HalError;
}

impl<T, const N: usize, D> digital::ErrorType for Wrapped<'_, '_, '_, T, N, D> {
    type Error = HalError;
}

impl<T: embedded_io::Read + embedded_io::Write, const N: usize, D> Wrapped<'_, '_, '_, T, N, D> {
    /// One I2C transaction over the link; the real bus runs it when the host records.
    fn i2c_transaction<A>(
        &mut self,
        address: A,
        recorded_as: Address,
        operations: &mut [i2c::Operation<'_>],
    ) -> Result<(), HalError>
    where
        D: I2c<A>,
        A: i2c::AddressMode + Copy,
    {
        use embedded_hal::i2c::Error as _;
        let real = &mut self.real;
        let mut call = |t: &mut I2cTransaction<'_, '_>| {
            real.transaction(address, t.operations())
                .map_err(|e| DeviceError::from(e.kind()))
        };
        self.link.run(
            &mut I2cTransaction::new(recorded_as, operations),
            Some(&mut call),
        )
    }
}

impl<T: embedded_io::Read + embedded_io::Write, const N: usize, D: I2c<SevenBitAddress>>
    I2c<SevenBitAddress> for Wrapped<'_, '_, '_, T, N, D>
{
    fn transaction(
        &mut self,
        address: SevenBitAddress,
        operations: &mut [i2c::Operation<'_>],
    ) -> Result<(), HalError> {
        self.i2c_transaction(address, Address::Seven(address), operations)
    }
}

impl<T: embedded_io::Read + embedded_io::Write, const N: usize, D: I2c<TenBitAddress>>
    I2c<TenBitAddress> for Wrapped<'_, '_, '_, T, N, D>
{
    fn transaction(
        &mut self,
        address: TenBitAddress,
        operations: &mut [i2c::Operation<'_>],
    ) -> Result<(), HalError> {
        self.i2c_transaction(address, Address::Ten(address), operations)
    }
}

/// A real SPI bus's or pin's error, as recorded.
fn spi_device<E: spi::Error>(e: E) -> DeviceError {
    DeviceError::from(e.kind())
}

impl<T: embedded_io::Read + embedded_io::Write, const N: usize, D: SpiDevice<u8>> SpiDevice<u8>
    for Wrapped<'_, '_, '_, T, N, D>
{
    fn transaction(&mut self, operations: &mut [Operation<'_, u8>]) -> Result<(), HalError> {
        let real = &mut self.real;
        let mut call = |t: &mut SpiTransaction<'_, '_, '_>| {
            real.transaction(t.operations()).map_err(spi_device)
        };
        self.link.run(
            &mut SpiTransaction::new(self.name, operations),
            Some(&mut call),
        )
    }
}

impl<T: embedded_io::Read + embedded_io::Write, const N: usize, D: SpiBus<u8>>
    Wrapped<'_, '_, '_, T, N, D>
{
    /// One bus call over the link.
    fn bus_call(&mut self, operation: Operation<'_, u8>) -> Result<(), HalError> {
        let real = &mut self.real;
        let mut call = |t: &mut SpiTransaction<'_, '_, '_>| t.run_on_bus(real).map_err(spi_device);
        self.link.run(
            &mut SpiTransaction::new(self.name, &mut [operation]),
            Some(&mut call),
        )
    }
}

impl<T: embedded_io::Read + embedded_io::Write, const N: usize, D: SpiBus<u8>> SpiBus<u8>
    for Wrapped<'_, '_, '_, T, N, D>
{
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
        let mut call = |_: &mut SpiFlush<'_>| real.flush().map_err(spi_device);
        self.link
            .run(&mut SpiFlush::new(self.name), Some(&mut call))
    }
}

/// A real pin's error, as recorded.
fn pin_device<E: digital::Error>(e: E) -> DeviceError {
    DeviceError::from(e.kind())
}

impl<T: embedded_io::Read + embedded_io::Write, const N: usize, D> Wrapped<'_, '_, '_, T, N, D> {
    /// A call that changes the pin: `real` makes it on the wrapped pin when recording.
    fn act<E: digital::Error>(
        &mut self,
        call: &'static str,
        real: impl Fn(&mut D) -> Result<(), E>,
    ) -> Result<(), HalError> {
        let pin = &mut self.real;
        let mut run = |_: &mut PinCall<'_>| real(pin).map_err(pin_device);
        self.link
            .run(&mut PinCall::action(self.name, call), Some(&mut run))
    }

    /// A question: `real` asks the wrapped pin when recording.
    fn ask<E: digital::Error>(
        &mut self,
        call: &'static str,
        real: impl Fn(&mut D) -> Result<bool, E>,
    ) -> Result<bool, HalError> {
        let pin = &mut self.real;
        let mut run = |question: &mut PinCall<'_>| {
            question.set_level(real(pin).map_err(pin_device)?);
            Ok(())
        };
        let mut question = PinCall::question(self.name, call);
        self.link.run(&mut question, Some(&mut run))?;
        Ok(question.level())
    }
}

impl<T: embedded_io::Read + embedded_io::Write, const N: usize, D: OutputPin> OutputPin
    for Wrapped<'_, '_, '_, T, N, D>
{
    fn set_low(&mut self) -> Result<(), HalError> {
        self.act("set_low", D::set_low)
    }

    fn set_high(&mut self) -> Result<(), HalError> {
        self.act("set_high", D::set_high)
    }
}

impl<T: embedded_io::Read + embedded_io::Write, const N: usize, D: StatefulOutputPin>
    StatefulOutputPin for Wrapped<'_, '_, '_, T, N, D>
{
    fn is_set_high(&mut self) -> Result<bool, HalError> {
        self.ask("is_set_high", D::is_set_high)
    }

    fn is_set_low(&mut self) -> Result<bool, HalError> {
        self.ask("is_set_low", D::is_set_low)
    }

    /// One exchange, `toggle`, as the core's replay pin answers it.
    fn toggle(&mut self) -> Result<(), HalError> {
        self.act("toggle", D::toggle)
    }
}

impl<T: embedded_io::Read + embedded_io::Write, const N: usize, D: InputPin> InputPin
    for Wrapped<'_, '_, '_, T, N, D>
{
    fn is_high(&mut self) -> Result<bool, HalError> {
        self.ask("is_high", D::is_high)
    }

    fn is_low(&mut self) -> Result<bool, HalError> {
        self.ask("is_low", D::is_low)
    }
}

impl<T: embedded_io::Read + embedded_io::Write, const N: usize, D: DelayNs>
    Wrapped<'_, '_, '_, T, N, D>
{
    fn delay(&mut self, unit: &'static str, amount: u32, real: fn(&mut D, u32)) {
        let source = &mut self.real;
        let mut run = |_: &mut DelayCall<'_>| {
            real(source, amount);
            Ok(())
        };
        // A delay has no error to return: the link reported it.
        let _ = self
            .link
            .run(&mut DelayCall::new(self.name, unit, amount), Some(&mut run));
    }
}

impl<T: embedded_io::Read + embedded_io::Write, const N: usize, D: DelayNs> DelayNs
    for Wrapped<'_, '_, '_, T, N, D>
{
    fn delay_ns(&mut self, ns: u32) {
        self.delay("delay_ns", ns, D::delay_ns)
    }

    fn delay_us(&mut self, us: u32) {
        self.delay("delay_us", us, D::delay_us)
    }

    fn delay_ms(&mut self, ms: u32) {
        self.delay("delay_ms", ms, D::delay_ms)
    }
}
