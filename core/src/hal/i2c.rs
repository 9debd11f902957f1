//! `I2c` (blocking and async) answered from a recording: one transaction, one exchange.
//!
//! ```text
//! <-I2C:0x48 write [00] read 2      seven-bit address, operations in order
//! ->I2C:[19 80]
//! <-I2C:0x0348 write [01 60]        ten-bit address: four hex digits
//! ->I2C:ok
//! ```

use core::fmt::{self, Write};

use embedded_hal::i2c::{ErrorType, I2c, Operation, SevenBitAddress, TenBitAddress};

use super::backend::{Backend, Transaction};
use super::error::HalError;
use super::text::{len, write_bytes, write_data, write_hex, write_number, Kind, Response};

/// An I2C address as recorded: `0x48` (seven-bit) or `0x0348` (ten-bit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Address {
    /// A seven-bit address.
    Seven(u8),
    /// A ten-bit address.
    Ten(u16),
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::Seven(a) => {
                f.write_str("0x")?;
                write_hex(f, (*a).into(), 2)
            }
            Address::Ten(a) => {
                f.write_str("0x")?;
                write_hex(f, (*a).into(), 4)
            }
        }
    }
}

/// One I2C transaction: `0x48 write [00] read 2`; its response has one `[..]` per read.
pub struct I2cTransaction<'o, 'b> {
    address: Address,
    operations: &'o mut [Operation<'b>],
}

impl<'o, 'b> I2cTransaction<'o, 'b> {
    /// The transaction a driver asked for (what `I2c::transaction` is given).
    pub fn new(address: Address, operations: &'o mut [Operation<'b>]) -> Self {
        I2cTransaction {
            address,
            operations,
        }
    }

    /// The operations, for a recorder to hand to the real bus.
    pub fn operations(&mut self) -> &mut [Operation<'b>] {
        self.operations
    }
}

impl Transaction for I2cTransaction<'_, '_> {
    fn kind(&self) -> Kind {
        Kind::I2c
    }

    fn write_request(&self, w: &mut dyn Write) -> fmt::Result {
        let (value, digits) = match self.address {
            Address::Seven(a) => (a.into(), 2),
            Address::Ten(a) => (a.into(), 4),
        };
        w.write_str("0x")?;
        write_hex(w, value, digits)?;
        for op in self.operations.iter() {
            match op {
                Operation::Write(bytes) => {
                    w.write_str(" write ")?;
                    write_bytes(w, bytes)?;
                }
                Operation::Read(buf) => {
                    w.write_str(" read ")?;
                    write_number(w, len(buf))?;
                }
            }
        }
        Ok(())
    }

    fn answer(&mut self, response: Response<'_>) -> Result<(), HalError> {
        let reads = self.operations.iter_mut().filter_map(|op| match op {
            Operation::Read(buf) => Some(buf),
            Operation::Write(_) => None,
        });
        match response {
            Response::Error(e) => Err(HalError::Device(e)),
            Response::Done => match reads.count() {
                0 => Ok(()),
                _ => Err(HalError::Mismatch),
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
            Operation::Read(buf) => Some(&**buf),
            Operation::Write(_) => None,
        });
        write_data(w, reads)
    }
}

/// An I2C bus that answers from a recording through its [`Backend`] (e.g.
/// `&`[`HalReplay`](super::HalReplay)). Implements `I2c` for seven- and ten-bit addresses,
/// blocking and async; every call is one transaction.
pub struct I2cReplay<B: Backend> {
    backend: B,
}

impl<B: Backend> I2cReplay<B> {
    /// A bus answering from `backend`.
    pub fn new(backend: B) -> Self {
        I2cReplay { backend }
    }

    fn run(&self, address: Address, operations: &mut [Operation<'_>]) -> Result<(), HalError> {
        self.backend
            .exchange(&mut I2cTransaction::new(address, operations))
    }
}

impl<B: Backend> ErrorType for I2cReplay<B> {
    type Error = HalError;
}

impl<B: Backend> I2c<SevenBitAddress> for I2cReplay<B> {
    fn transaction(
        &mut self,
        address: SevenBitAddress,
        operations: &mut [Operation<'_>],
    ) -> Result<(), HalError> {
        self.run(Address::Seven(address), operations)
    }
}

impl<B: Backend> I2c<TenBitAddress> for I2cReplay<B> {
    fn transaction(
        &mut self,
        address: TenBitAddress,
        operations: &mut [Operation<'_>],
    ) -> Result<(), HalError> {
        self.run(Address::Ten(address), operations)
    }
}

/// The async form answers at once: a replay has nothing to wait for.
impl<B: Backend> embedded_hal_async::i2c::I2c<SevenBitAddress> for I2cReplay<B> {
    async fn transaction(
        &mut self,
        address: SevenBitAddress,
        operations: &mut [Operation<'_>],
    ) -> Result<(), HalError> {
        self.run(Address::Seven(address), operations)
    }
}

/// The async form answers at once: a replay has nothing to wait for.
impl<B: Backend> embedded_hal_async::i2c::I2c<TenBitAddress> for I2cReplay<B> {
    async fn transaction(
        &mut self,
        address: TenBitAddress,
        operations: &mut [Operation<'_>],
    ) -> Result<(), HalError> {
        self.run(Address::Ten(address), operations)
    }
}
