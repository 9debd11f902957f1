//! A minimal embedded-hal 1.0 `I2c` master over the Stellaris I2C controller's registers
//! (LM3S6965 data sheet, "Inter-Integrated Circuit (I2C) Interface"), so that mode `Q` can
//! record a driver against a real peripheral model of QEMU's board rather than a simulated one
//! compiled into the firmware (issue 15, item 4).
//!
//! Written by hand: no well-kept peripheral access crate for this chip covers its I2C
//! registers (the `lm3s6965` crate has the interrupt vector only), and the master needs five. It polls (no interrupts) and is enough for QEMU's model
//! (`hw/arm/stellaris.c`), which has two limits the code follows:
//! - no repeated start: a START while the master holds the bus is ignored, so each run of
//!   operations in one direction ends with a STOP and the next starts afresh (the LM75-style
//!   sensors keep their register pointer across the STOP, so `write_read` reads the same);
//! - no timing: the controller is never busy, though the code waits on BUSY as silicon needs.
//!
//! On silicon, the pins' alternate function and the SCL clock (MTPR) would need setting too.

use core::ptr::{read_volatile, write_volatile};

use embedded_hal::i2c::{
    Error, ErrorKind, ErrorType, I2c, NoAcknowledgeSource, Operation, SevenBitAddress,
};

/// I2C1's master registers. QEMU 10 builds both controllers of the lm3s6965evb and puts a
/// device given on the command line (`-device tmp105,address=0x48`) on the bus it created
/// last, I2C1 (`info qtree` shows it there).
const BASE: usize = 0x4002_1000;
const MSA: *mut u32 = BASE as *mut u32;
const MCS: *mut u32 = (BASE + 0x04) as *mut u32;
const MDR: *mut u32 = (BASE + 0x08) as *mut u32;
const MCR: *mut u32 = (BASE + 0x20) as *mut u32;
/// Run Mode Clock Gating Control 1 of the system control block: bit 14 clocks I2C1.
const RCGC1: *mut u32 = 0x400F_E104 as *mut u32;
const RCGC1_I2C1: u32 = 1 << 14;

/// MCS written: the command.
const RUN: u32 = 1;
const START: u32 = 1 << 1;
const STOP: u32 = 1 << 2;
const ACK: u32 = 1 << 3;
/// MCS read: the status.
const BUSY: u32 = 1;
const ERROR: u32 = 1 << 1;
const ADRACK: u32 = 1 << 2;
const DATACK: u32 = 1 << 3;
const ARBLST: u32 = 1 << 4;
const BUSBSY: u32 = 1 << 6;
/// MCR: master function enable.
const MFE: u32 = 1 << 4;

/// What went wrong, as the status register said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BusError(ErrorKind);

impl Error for BusError {
    fn kind(&self) -> ErrorKind {
        self.0
    }
}

/// The I2C1 master. One per firmware: it owns the controller's registers.
pub struct StellarisI2c(());

impl StellarisI2c {
    /// Clocks I2C1 and enables its master function.
    pub fn new() -> Self {
        // SAFETY: the system control and I2C1 registers, valid for 32-bit volatile access;
        // only this driver touches them.
        unsafe {
            write_volatile(RCGC1, read_volatile(RCGC1) | RCGC1_I2C1);
            write_volatile(MCR, MFE);
        }
        StellarisI2c(())
    }

    /// Writes `command` to MCS, waits until the master is done and checks the status.
    fn command(&mut self, command: u32) -> Result<(), BusError> {
        // SAFETY: as in `new`.
        let status = unsafe {
            write_volatile(MCS, command);
            loop {
                let status = read_volatile(MCS);
                if status & BUSY == 0 {
                    break status;
                }
            }
        };
        if status & ERROR == 0 {
            return Ok(());
        }
        // The data sheet's status bits name the cause. QEMU's model raises ARBLST (its only
        // cause bit) when no device answers the address, and a single-master bus loses no
        // arbitration, so ARBLST without BUSBSY is read as the address not acknowledged.
        let kind = if status & ADRACK != 0 || status & (ARBLST | BUSBSY) == ARBLST {
            ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address)
        } else if status & DATACK != 0 {
            ErrorKind::NoAcknowledge(NoAcknowledgeSource::Data)
        } else if status & ARBLST != 0 {
            ErrorKind::ArbitrationLoss
        } else {
            ErrorKind::Bus
        };
        if status & BUSBSY != 0 {
            // Release the bus; its own status no longer matters.
            // SAFETY: as in `new`.
            unsafe { write_volatile(MCS, STOP) };
        }
        Err(BusError(kind))
    }
}

impl ErrorType for StellarisI2c {
    type Error = BusError;
}

impl I2c<SevenBitAddress> for StellarisI2c {
    fn transaction(
        &mut self,
        address: SevenBitAddress,
        operations: &mut [Operation<'_>],
    ) -> Result<(), Self::Error> {
        let count = operations.len();
        let mut i = 0;
        while i < count {
            // One run of operations in the same direction: a START, the bytes, a STOP.
            let reading = matches!(operations[i], Operation::Read(_));
            let mut end = i;
            while end < count && matches!(operations[end], Operation::Read(_)) == reading {
                end += 1;
            }
            let total: usize = operations[i..end]
                .iter()
                .map(|op| match op {
                    Operation::Read(b) => b.len(),
                    Operation::Write(b) => b.len(),
                })
                .sum();
            // SAFETY: as in `new`.
            unsafe { write_volatile(MSA, u32::from(address) << 1 | u32::from(reading)) };
            if total == 0 {
                // Address only: START and STOP with no byte moved.
                self.command(START | STOP)?;
                i = end;
                continue;
            }
            let mut done = 0;
            for op in &mut operations[i..end] {
                match op {
                    Operation::Write(bytes) => {
                        for &byte in bytes.iter() {
                            // SAFETY: as in `new`.
                            unsafe { write_volatile(MDR, u32::from(byte)) };
                            self.command(step(done, total, RUN))?;
                            done += 1;
                        }
                    }
                    Operation::Read(buffer) => {
                        for slot in buffer.iter_mut() {
                            // Acknowledge every byte but the run's last.
                            let ack = if done + 1 < total { ACK } else { 0 };
                            self.command(step(done, total, RUN | ack))?;
                            // SAFETY: as in `new`.
                            *slot = unsafe { read_volatile(MDR) } as u8;
                            done += 1;
                        }
                    }
                }
            }
            i = end;
        }
        Ok(())
    }
}

/// The command for byte `done` of `total`: START on the first, STOP on the last.
fn step(done: usize, total: usize, command: u32) -> u32 {
    let start = if done == 0 { START } else { 0 };
    let stop = if done + 1 == total { STOP } else { 0 };
    command | start | stop
}
