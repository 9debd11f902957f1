//! The SPI device fake: `embedded_hal::spi::SpiDevice` (a device on a shared bus, chip select
//! handled for each transaction) with expected reads, writes, transfers and transactions, in
//! order.
//!
//! A call shows what the driver passed: `write([159])`, `read(3)`, `transfer([159, 0], 2)`
//! (bytes written, number read), `transfer_in_place([159, 0])`, and for a transaction each
//! operation by name: `transaction("write", [159], "read", 3, "delay_ns", 1000)`.

use embedded_hal::spi::{ErrorKind, ErrorType, Operation, SpiDevice};

use super::super::error::{DeclarationError, Table};
use super::super::value::ValueRef;
use super::i2c::{fill, length, push_op};
use super::script::{Args, Script, MAX_ARGS};
use super::HalFakeError;

/// One operation of an expected SPI transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpiOp<'a> {
    /// The driver writes exactly these bytes.
    Write(&'a [u8]),
    /// The driver reads as many bytes as these, and gets these.
    Read(&'a [u8]),
    /// The driver writes `write` while reading `read.len()` bytes, and gets `read`.
    Transfer {
        /// What the driver must write.
        write: &'a [u8],
        /// What it reads.
        read: &'a [u8],
    },
    /// The driver sends its buffer, which must hold `write`, and gets `read` in its place.
    TransferInPlace {
        /// What the buffer must hold.
        write: &'a [u8],
        /// What the buffer holds afterwards.
        read: &'a [u8],
    },
    /// The driver waits this many nanoseconds with chip select asserted.
    DelayNs(u32),
}

/// What a declared SPI call answers.
#[derive(Debug, Clone, Copy, Default)]
pub(super) enum Answer<'a> {
    /// Nothing to read.
    #[default]
    Nothing,
    /// The bytes a read or transfer gets.
    Bytes(&'a [u8]),
    /// The operations of a transaction, whose reads get their bytes.
    Ops(&'a [SpiOp<'a>]),
}

/// Adds an operation as calls show it; whether it fits.
fn push_spi_op<'c>(args: &mut Args<'c>, op: SpiOpView<'c>) -> bool {
    match op {
        SpiOpView::Write(bytes) => push_op(args, "write", ValueRef::Bytes(bytes)),
        SpiOpView::Read(len) => push_op(args, "read", length(len)),
        SpiOpView::Transfer(write, len) => {
            push_op(args, "transfer", ValueRef::Bytes(write)) && args.push(length(len)).is_ok()
        }
        SpiOpView::TransferInPlace(bytes) => {
            push_op(args, "transfer_in_place", ValueRef::Bytes(bytes))
        }
        SpiOpView::DelayNs(ns) => push_op(args, "delay_ns", ValueRef::UInt(u64::from(ns))),
    }
}

/// An operation as the engine sees it, declared or actual.
#[derive(Clone, Copy)]
enum SpiOpView<'c> {
    Write(&'c [u8]),
    Read(usize),
    Transfer(&'c [u8], usize),
    TransferInPlace(&'c [u8]),
    DelayNs(u32),
}

impl<'a> From<&SpiOp<'a>> for SpiOpView<'a> {
    fn from(op: &SpiOp<'a>) -> Self {
        match *op {
            SpiOp::Write(bytes) => SpiOpView::Write(bytes),
            SpiOp::Read(bytes) => SpiOpView::Read(bytes.len()),
            SpiOp::Transfer { write, read } => SpiOpView::Transfer(write, read.len()),
            SpiOp::TransferInPlace { write, .. } => SpiOpView::TransferInPlace(write),
            SpiOp::DelayNs(ns) => SpiOpView::DelayNs(ns),
        }
    }
}

impl<'c> From<&'c Operation<'_, u8>> for SpiOpView<'c> {
    fn from(op: &'c Operation<'_, u8>) -> Self {
        match op {
            Operation::Write(bytes) => SpiOpView::Write(bytes),
            Operation::Read(buffer) => SpiOpView::Read(buffer.len()),
            Operation::Transfer(read, write) => SpiOpView::Transfer(write, read.len()),
            Operation::TransferInPlace(buffer) => SpiOpView::TransferInPlace(buffer),
            Operation::DelayNs(ns) => SpiOpView::DelayNs(*ns),
        }
    }
}

/// An SPI device with expected transactions, in order.
///
/// `CALLS`: expected calls; `ARGS`: declared argument values (one or two for a single
/// operation, two or three for each operation of a transaction); `MSG`: bytes kept of the
/// first failure message. Running out is a [`DeclarationError::Full`].
///
/// ```
/// use capturemock_core::fake::hal::{SpiDeviceFake, SpiOp};
/// use embedded_hal::spi::{Operation, SpiDevice};
///
/// let mut flash: SpiDeviceFake<'_> = SpiDeviceFake::new("flash");
/// flash.expect_transaction(&[SpiOp::Write(&[0x9f]), SpiOp::Read(&[0xef, 0x40, 0x18])]).unwrap();
///
/// let mut id = [0u8; 3];
/// flash.transaction(&mut [Operation::Write(&[0x9f]), Operation::Read(&mut id)]).unwrap();
/// assert_eq!(id, [0xef, 0x40, 0x18]);
/// flash.verify().unwrap();
/// ```
pub struct SpiDeviceFake<
    'a,
    const CALLS: usize = 16,
    const ARGS: usize = 48,
    const MSG: usize = 256,
> {
    script: Script<'a, ErrorKind, Answer<'a>, CALLS, ARGS, MSG>,
}

impl<'a, const CALLS: usize, const ARGS: usize, const MSG: usize>
    SpiDeviceFake<'a, CALLS, ARGS, MSG>
{
    /// A device named `name` (`fake:<name>` in messages) that expects nothing yet.
    pub fn new(name: &'a str) -> Self {
        SpiDeviceFake {
            script: Script::new(name),
        }
    }

    /// The driver calls `write` with exactly `bytes` next.
    pub fn expect_write(&mut self, bytes: &'a [u8]) -> Result<&mut Self, DeclarationError> {
        self.script
            .expect("write", &[ValueRef::Bytes(bytes)], Answer::Nothing)?;
        Ok(self)
    }

    /// The driver calls `read` for `bytes.len()` bytes next, and gets `bytes`.
    pub fn expect_read(&mut self, bytes: &'a [u8]) -> Result<&mut Self, DeclarationError> {
        self.script
            .expect("read", &[length(bytes.len())], Answer::Bytes(bytes))?;
        Ok(self)
    }

    /// The driver calls `transfer` writing exactly `write` and reading `read.len()` bytes
    /// next, and gets `read`.
    pub fn expect_transfer(
        &mut self,
        write: &'a [u8],
        read: &'a [u8],
    ) -> Result<&mut Self, DeclarationError> {
        let args = [ValueRef::Bytes(write), length(read.len())];
        self.script.expect("transfer", &args, Answer::Bytes(read))?;
        Ok(self)
    }

    /// The driver calls `transfer_in_place` with a buffer holding exactly `write` next, and
    /// gets `read` in its place.
    pub fn expect_transfer_in_place(
        &mut self,
        write: &'a [u8],
        read: &'a [u8],
    ) -> Result<&mut Self, DeclarationError> {
        self.script.expect(
            "transfer_in_place",
            &[ValueRef::Bytes(write)],
            Answer::Bytes(read),
        )?;
        Ok(self)
    }

    /// The driver calls `transaction` with exactly these operations next (at most 10: one
    /// call shows at most 32 values).
    pub fn expect_transaction(
        &mut self,
        ops: &'a [SpiOp<'a>],
    ) -> Result<&mut Self, DeclarationError> {
        let mut args = Args::new();
        let mut fits = true;
        for op in ops {
            fits &= push_spi_op(&mut args, op.into());
        }
        if !fits {
            return Err(DeclarationError::Full(Table::Args));
        }
        self.script.expect("transaction", &args, Answer::Ops(ops))?;
        Ok(self)
    }

    /// The call declared last fails with `kind` instead of answering; buffers are left as
    /// they were.
    pub fn fails_with(&mut self, kind: ErrorKind) -> Result<&mut Self, DeclarationError> {
        self.script.fail_last(kind)?;
        Ok(self)
    }

    super::script::verification_methods!();
}

impl<const CALLS: usize, const ARGS: usize, const MSG: usize> ErrorType
    for SpiDeviceFake<'_, CALLS, ARGS, MSG>
{
    type Error = HalFakeError<ErrorKind>;
}

impl<const CALLS: usize, const ARGS: usize, const MSG: usize> SpiDevice
    for SpiDeviceFake<'_, CALLS, ARGS, MSG>
{
    fn transaction(&mut self, operations: &mut [Operation<'_, u8>]) -> Result<(), Self::Error> {
        let answer = {
            let mut args = Args::new();
            let mut fits = true;
            for op in operations.iter() {
                fits &= push_spi_op(&mut args, op.into());
            }
            if !fits {
                let name = self.script.name();
                let count = operations.len();
                let most = MAX_ARGS / 3;
                return Err(self.script.fail(format_args!(
                    "fake:{name}.transaction() has {count} operations; a fake checks at most {most}"
                )));
            }
            self.script.play("transaction", &args)?
        };
        if let Answer::Ops(declared) = answer {
            for (op, want) in operations.iter_mut().zip(declared) {
                match (op, want) {
                    (Operation::Read(buffer), SpiOp::Read(bytes))
                    | (Operation::Transfer(buffer, _), SpiOp::Transfer { read: bytes, .. })
                    | (
                        Operation::TransferInPlace(buffer),
                        SpiOp::TransferInPlace { read: bytes, .. },
                    ) => fill(buffer, bytes),
                    _ => {}
                }
            }
        }
        Ok(())
    }

    fn read(&mut self, buf: &mut [u8]) -> Result<(), Self::Error> {
        play_read(&mut self.script, buf)
    }

    fn write(&mut self, buf: &[u8]) -> Result<(), Self::Error> {
        play_write(&mut self.script, buf)
    }

    fn transfer(&mut self, read: &mut [u8], write: &[u8]) -> Result<(), Self::Error> {
        play_transfer(&mut self.script, read, write)
    }

    fn transfer_in_place(&mut self, buf: &mut [u8]) -> Result<(), Self::Error> {
        play_transfer_in_place(&mut self.script, buf)
    }
}

/// The script of an SPI fake (device or bus): they answer single operations alike.
pub(super) type SpiScript<'a, const CALLS: usize, const ARGS: usize, const MSG: usize> =
    Script<'a, ErrorKind, Answer<'a>, CALLS, ARGS, MSG>;

/// `read(n)`: the driver's buffer gets the declared bytes.
pub(super) fn play_read<const C: usize, const A: usize, const M: usize>(
    script: &mut SpiScript<'_, C, A, M>,
    buf: &mut [u8],
) -> Result<(), HalFakeError<ErrorKind>> {
    if let Answer::Bytes(bytes) = script.play("read", &[length(buf.len())])? {
        fill(buf, bytes);
    }
    Ok(())
}

/// `write([..])`.
pub(super) fn play_write<const C: usize, const A: usize, const M: usize>(
    script: &mut SpiScript<'_, C, A, M>,
    buf: &[u8],
) -> Result<(), HalFakeError<ErrorKind>> {
    script.play("write", &[ValueRef::Bytes(buf)]).map(|_| ())
}

/// `transfer([written], n)`: the read buffer gets the declared bytes.
pub(super) fn play_transfer<const C: usize, const A: usize, const M: usize>(
    script: &mut SpiScript<'_, C, A, M>,
    read: &mut [u8],
    write: &[u8],
) -> Result<(), HalFakeError<ErrorKind>> {
    let args = [ValueRef::Bytes(write), length(read.len())];
    if let Answer::Bytes(bytes) = script.play("transfer", &args)? {
        fill(read, bytes);
    }
    Ok(())
}

/// `transfer_in_place([sent])`: the buffer gets the declared bytes.
pub(super) fn play_transfer_in_place<const C: usize, const A: usize, const M: usize>(
    script: &mut SpiScript<'_, C, A, M>,
    buf: &mut [u8],
) -> Result<(), HalFakeError<ErrorKind>> {
    let answer = script.play("transfer_in_place", &[ValueRef::Bytes(buf)])?;
    if let Answer::Bytes(bytes) = answer {
        fill(buf, bytes);
    }
    Ok(())
}
