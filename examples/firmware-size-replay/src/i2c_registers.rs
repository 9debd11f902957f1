//! The bus without capturemock: an I2C controller's address and data registers, written and
//! read with volatile accesses (a stand-in for a HAL's I2C driver of the same shape).

use core::ptr;

use embedded_hal::i2c::{ErrorKind, ErrorType, I2c, Operation};

/// An I2C controller: address register, data register, status register.
const ADDRESS: *mut u32 = 0x4002_0000 as *mut u32;
const DATA: *mut u32 = 0x4002_0008 as *mut u32;
const STATUS: *const u32 = 0x4002_0004 as *const u32;

pub struct Registers;

/// Nothing to keep in RAM.
pub struct State;

impl State {
    pub const fn new() -> Self {
        State
    }
}

pub fn open(_state: &'static mut State) -> Result<Registers, u8> {
    Ok(Registers)
}

impl ErrorType for Registers {
    type Error = ErrorKind;
}

impl I2c for Registers {
    fn transaction(
        &mut self,
        address: u8,
        operations: &mut [Operation<'_>],
    ) -> Result<(), ErrorKind> {
        // SAFETY (every access below): memory-mapped registers, valid for 32-bit accesses.
        unsafe { ptr::write_volatile(ADDRESS, u32::from(address)) };
        for op in operations {
            match op {
                Operation::Write(bytes) => {
                    for &b in bytes.iter() {
                        unsafe { ptr::write_volatile(DATA, u32::from(b)) };
                    }
                }
                Operation::Read(buf) => {
                    for b in buf.iter_mut() {
                        *b = unsafe { ptr::read_volatile(DATA) } as u8;
                    }
                }
            }
            if unsafe { ptr::read_volatile(STATUS) } & 1 != 0 {
                return Err(ErrorKind::NoAcknowledge(
                    embedded_hal::i2c::NoAcknowledgeSource::Unknown,
                ));
            }
        }
        Ok(())
    }
}
