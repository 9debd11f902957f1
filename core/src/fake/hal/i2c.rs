//! The I2C fake: `embedded_hal::i2c::I2c` (seven-bit addresses) with expected writes, reads,
//! write-reads and transactions, in order.
//!
//! A call shows the address, the bytes written and the number of bytes read, as the driver
//! passed them: `write(72, [1, 0])`, `read(72, 2)`, `write_read(72, [0], 2)`, and for a
//! transaction each operation by name: `transaction(72, "write", [0], "read", 2)`.

use embedded_hal::i2c::{ErrorKind, ErrorType, I2c, Operation, SevenBitAddress};

use super::super::error::{DeclarationError, Table};
use super::super::value::ValueRef;
use super::script::{Args, Script, MAX_ARGS};
use super::HalFakeError;

/// One operation of an expected I2C transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum I2cOp<'a> {
    /// The driver writes exactly these bytes.
    Write(&'a [u8]),
    /// The driver reads as many bytes as these, and gets these.
    Read(&'a [u8]),
}

/// What a declared I2C call answers.
#[derive(Debug, Clone, Copy, Default)]
pub(super) enum Answer<'a> {
    /// Nothing to read.
    #[default]
    Nothing,
    /// The bytes a read gets.
    Bytes(&'a [u8]),
    /// The operations of a transaction, whose reads get their bytes.
    Ops(&'a [I2cOp<'a>]),
}

/// An I2C bus with expected transactions, in order.
///
/// `CALLS`: expected calls; `ARGS`: declared argument values (three for a `write_read`, one
/// and two for each operation of a transaction); `MSG`: bytes kept of the first failure
/// message. Running out is a [`DeclarationError::Full`].
///
/// ```
/// use capturemock_core::fake::hal::{HalFakeError, I2cFake};
/// use embedded_hal::i2c::{ErrorKind, I2c, NoAcknowledgeSource};
///
/// let mut i2c: I2cFake<'_> = I2cFake::new("lm75");
/// i2c.expect_write(0x48, &[0x01, 0x00]).unwrap();
/// i2c.expect_write(0x48, &[0x01, 0x01]).unwrap()
///     .fails_with(ErrorKind::NoAcknowledge(NoAcknowledgeSource::Data)).unwrap();
///
/// i2c.write(0x48, &[0x01, 0x00]).unwrap();
/// let nack = i2c.write(0x48, &[0x01, 0x01]).unwrap_err();
/// assert_eq!(nack, HalFakeError::Injected(ErrorKind::NoAcknowledge(NoAcknowledgeSource::Data)));
/// i2c.verify().unwrap();
/// ```
pub struct I2cFake<'a, const CALLS: usize = 16, const ARGS: usize = 48, const MSG: usize = 256> {
    script: Script<'a, ErrorKind, Answer<'a>, CALLS, ARGS, MSG>,
}

impl<'a, const CALLS: usize, const ARGS: usize, const MSG: usize> I2cFake<'a, CALLS, ARGS, MSG> {
    /// A bus named `name` (`fake:<name>` in messages) that expects nothing yet.
    pub fn new(name: &'a str) -> Self {
        I2cFake {
            script: Script::new(name),
        }
    }

    /// The driver writes exactly `bytes` to `address` next.
    pub fn expect_write(
        &mut self,
        address: SevenBitAddress,
        bytes: &'a [u8],
    ) -> Result<&mut Self, DeclarationError> {
        let args = [address_value(address), ValueRef::Bytes(bytes)];
        self.script.expect("write", &args, Answer::Nothing)?;
        Ok(self)
    }

    /// The driver reads `bytes.len()` bytes from `address` next, and gets `bytes`.
    pub fn expect_read(
        &mut self,
        address: SevenBitAddress,
        bytes: &'a [u8],
    ) -> Result<&mut Self, DeclarationError> {
        let args = [address_value(address), length(bytes.len())];
        self.script.expect("read", &args, Answer::Bytes(bytes))?;
        Ok(self)
    }

    /// The driver writes exactly `write` to `address` and then, without a stop, reads
    /// `read.len()` bytes, which are `read`.
    pub fn expect_write_read(
        &mut self,
        address: SevenBitAddress,
        write: &'a [u8],
        read: &'a [u8],
    ) -> Result<&mut Self, DeclarationError> {
        let args = [
            address_value(address),
            ValueRef::Bytes(write),
            length(read.len()),
        ];
        self.script
            .expect("write_read", &args, Answer::Bytes(read))?;
        Ok(self)
    }

    /// The driver runs a transaction of exactly these operations on `address` next.
    pub fn expect_transaction(
        &mut self,
        address: SevenBitAddress,
        ops: &'a [I2cOp<'a>],
    ) -> Result<&mut Self, DeclarationError> {
        let mut args = Args::new();
        let mut fits = args.push(address_value(address)).is_ok();
        for op in ops {
            fits &= match op {
                I2cOp::Write(bytes) => push_op(&mut args, "write", ValueRef::Bytes(bytes)),
                I2cOp::Read(bytes) => push_op(&mut args, "read", length(bytes.len())),
            };
        }
        if !fits {
            return Err(DeclarationError::Full(Table::Args));
        }
        self.script.expect("transaction", &args, Answer::Ops(ops))?;
        Ok(self)
    }

    /// The call declared last fails with `kind` (a NACK, a lost arbitration, a bus error)
    /// instead of answering; a read's buffer is left as it was.
    pub fn fails_with(&mut self, kind: ErrorKind) -> Result<&mut Self, DeclarationError> {
        self.script.fail_last(kind)?;
        Ok(self)
    }

    super::script::verification_methods!();
}

/// An address as calls show it.
fn address_value(address: SevenBitAddress) -> ValueRef<'static> {
    ValueRef::UInt(u64::from(address))
}

/// A number of bytes read, as calls show it.
pub(super) fn length(len: usize) -> ValueRef<'static> {
    ValueRef::UInt(u64::try_from(len).unwrap_or(u64::MAX))
}

/// Adds an operation's name and value; whether they fit.
pub(super) fn push_op<'c>(args: &mut Args<'c>, name: &'static str, value: ValueRef<'c>) -> bool {
    args.push(ValueRef::Str(name)).is_ok() && args.push(value).is_ok()
}

/// Copies what a read gets into the driver's buffer (as much as both hold: the engine has
/// already checked the lengths).
pub(super) fn fill(buffer: &mut [u8], bytes: &[u8]) {
    for (to, from) in buffer.iter_mut().zip(bytes) {
        *to = *from;
    }
}

impl<const CALLS: usize, const ARGS: usize, const MSG: usize> ErrorType
    for I2cFake<'_, CALLS, ARGS, MSG>
{
    type Error = HalFakeError<ErrorKind>;
}

impl<'a, const CALLS: usize, const ARGS: usize, const MSG: usize> I2c
    for I2cFake<'a, CALLS, ARGS, MSG>
{
    fn read(&mut self, address: SevenBitAddress, read: &mut [u8]) -> Result<(), Self::Error> {
        let args = [address_value(address), length(read.len())];
        if let Answer::Bytes(bytes) = self.script.play("read", &args)? {
            fill(read, bytes);
        }
        Ok(())
    }

    fn write(&mut self, address: SevenBitAddress, write: &[u8]) -> Result<(), Self::Error> {
        let args = [address_value(address), ValueRef::Bytes(write)];
        self.script.play("write", &args).map(|_| ())
    }

    fn write_read(
        &mut self,
        address: SevenBitAddress,
        write: &[u8],
        read: &mut [u8],
    ) -> Result<(), Self::Error> {
        let args = [
            address_value(address),
            ValueRef::Bytes(write),
            length(read.len()),
        ];
        if let Answer::Bytes(bytes) = self.script.play("write_read", &args)? {
            fill(read, bytes);
        }
        Ok(())
    }

    fn transaction(
        &mut self,
        address: SevenBitAddress,
        operations: &mut [Operation<'_>],
    ) -> Result<(), Self::Error> {
        let answer = {
            let mut args = Args::new();
            let mut fits = args.push(address_value(address)).is_ok();
            for op in operations.iter() {
                fits &= match op {
                    Operation::Write(bytes) => push_op(&mut args, "write", ValueRef::Bytes(bytes)),
                    Operation::Read(buffer) => push_op(&mut args, "read", length(buffer.len())),
                };
            }
            if !fits {
                let name = self.script.name();
                let count = operations.len();
                let most = (MAX_ARGS - 1) / 2;
                return Err(self.script.fail(format_args!(
                    "fake:{name}.transaction() has {count} operations; a fake checks at most {most}"
                )));
            }
            self.script.play("transaction", &args)?
        };
        if let Answer::Ops(declared) = answer {
            for (op, want) in operations.iter_mut().zip(declared) {
                if let (Operation::Read(buffer), I2cOp::Read(bytes)) = (op, want) {
                    fill(buffer, bytes);
                }
            }
        }
        Ok(())
    }
}
