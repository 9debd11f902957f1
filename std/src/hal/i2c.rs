//! A real `I2c` bus, recorded or replayed.

use capturemock_core::hal::{Address, DeviceError, HalError, I2cTransaction};
use embedded_hal::i2c::{Error as _, ErrorType, I2c, Operation, SevenBitAddress, TenBitAddress};

use super::Recorded;

impl<T> ErrorType for Recorded<T> {
    type Error = HalError;
}

impl<T> Recorded<T> {
    /// One transaction through the session; `real` runs it on the wrapped bus when the
    /// session records.
    fn i2c_transaction<A>(
        &mut self,
        address: A,
        recorded_as: Address,
        operations: &mut [Operation<'_>],
    ) -> Result<(), HalError>
    where
        T: I2c<A>,
        A: embedded_hal::i2c::AddressMode + Copy,
    {
        let real = &mut self.real;
        let mut call = |t: &mut I2cTransaction<'_, '_>| {
            real.transaction(address, t.operations())
                .map_err(|e| DeviceError::from(e.kind()))
        };
        self.session.run(
            &mut I2cTransaction::new(recorded_as, operations),
            Some(&mut call),
        )
    }
}

impl<T: I2c<SevenBitAddress>> I2c<SevenBitAddress> for Recorded<T> {
    fn transaction(
        &mut self,
        address: SevenBitAddress,
        operations: &mut [Operation<'_>],
    ) -> Result<(), HalError> {
        self.i2c_transaction(address, Address::Seven(address), operations)
    }
}

impl<T: I2c<TenBitAddress>> I2c<TenBitAddress> for Recorded<T> {
    fn transaction(
        &mut self,
        address: TenBitAddress,
        operations: &mut [Operation<'_>],
    ) -> Result<(), HalError> {
        self.i2c_transaction(address, Address::Ten(address), operations)
    }
}
