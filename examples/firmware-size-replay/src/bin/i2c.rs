//! Firmware whose sensor driver makes 64 I2C transactions through embedded-hal's `I2c`, built
//! twice so that the difference in size is what replaying them costs (issue 15, item 5):
//!
//! - feature `i2c-replay`: the bus is capturemock-core's `I2cReplay` over a `HalReplay` built
//!   at start-up from the 64-transaction `i2c.mock` in flash (exact match, else best match by
//!   scan; repeat counters);
//! - without it: the same driver talks to an I2C controller's registers (volatile stores and
//!   loads), as the firmware would on the board.
//!
//! The driver, its start-up and the output are the same in both builds: every byte read
//! goes to UART0's data register with a volatile store, so nothing is optimized away.
//! `measure.sh --i2c` builds both and prints the sizes.

#![no_std]
#![no_main]

use core::ptr;
use core::sync::atomic::AtomicU32;

use cortex_m_rt::entry;
use embedded_hal::i2c::I2c;
use panic_halt as _;

#[cfg(feature = "i2c-replay")]
#[path = "../i2c_replay.rs"]
mod bus;

#[cfg(not(feature = "i2c-replay"))]
#[path = "../i2c_registers.rs"]
mod bus;

/// UART0 data register of the lm3s6965 (a PL011): where every byte read goes.
const SINK: *mut u32 = 0x4000_C000 as *mut u32;

/// Changes which sensor is read first; read with a volatile load so that it is not a constant
/// for the optimizer.
static SEED: AtomicU32 = AtomicU32::new(0);

/// Writes `bytes` to the sink, one volatile store each.
pub fn emit(bytes: &[u8]) {
    for &b in bytes {
        // SAFETY: SINK is the memory-mapped UART0 data register, valid for 32-bit writes.
        unsafe { ptr::write_volatile(SINK, u32::from(b)) };
    }
}

/// A sensor driver: configure two sensors, then poll each one's status register and read its
/// result, 29 times, then look for a third sensor that is not fitted: 64 transactions.
fn drive<B: I2c>(bus: &mut B, first: u8) {
    let sensors = [first, first ^ 1];
    for &address in &sensors {
        let _ = bus.write(address, &[0x01, 0x60]);
    }
    for &address in &sensors {
        let _ = bus.write(address, &[0x03, 0x50, 0x00]);
    }
    for round in 0..59u32 {
        let address = sensors[(round / 2 % 2) as usize];
        if round % 2 == 0 {
            let mut status = [0u8];
            if bus.write_read(address, &[0x07], &mut status).is_ok() {
                emit(&status);
            }
        } else {
            let mut value = [0u8; 2];
            if bus.write_read(address, &[0x00], &mut value).is_ok() {
                emit(&value);
            }
        }
    }
    let missing = bus.read(first + 2, &mut [0u8; 2]);
    emit(if missing.is_ok() { b"+" } else { b"!" });
}

#[entry]
fn main() -> ! {
    static mut STATE: bus::State = bus::State::new();

    let mut bus = match bus::open(STATE) {
        Ok(bus) => bus,
        Err(code) => {
            emit(&[b'!', code]);
            #[allow(clippy::empty_loop)]
            loop {}
        }
    };
    loop {
        // SAFETY: SEED is a valid, aligned static; the load only hides its value.
        let seed = unsafe { ptr::read_volatile(SEED.as_ptr()) };
        drive(&mut bus, 0x48 | (seed as u8 & 1));
        emit(b"\n");
    }
}
