//! Firmware whose driver reads 8 registers of a sensor, built twice so that the difference in
//! size is what capturemock-core's fakes cost (issue 4):
//!
//! - feature `engine`: the sensor is a fake with 8 declared calls (`expects("read_reg")`
//!   with the register as argument and the value to return, in a remembered order); the
//!   driver calls it through `Registry::call`, then `Registry::verify` checks everything was
//!   called; a failure is reported to the UART as a code, or (feature `messages`) as Fudge's
//!   message rendered by the engine;
//! - feature `hal`: the sensor is an I2C device, the core's `fake::hal::I2cFake` with 8
//!   expected `write_read`s in order; the driver reads through `embedded_hal::i2c::I2c`, then
//!   `verify` checks everything was read; a failure is reported with Fudge's message (the fake
//!   keeps the message of a failure, so this build always has the formatting code);
//! - without them: the same driver reads the same values from a plain table.
//!
//! Both builds pick the register order at run time (from a word read with an atomic load, so
//! the optimizer cannot precompute it) and write the results to UART0's data register with
//! volatile stores, so nothing is optimized away. `measure.sh` builds both and prints the
//! sizes. The image is built for measuring, not for running.

#![no_std]
#![no_main]

use core::ptr;
use core::sync::atomic::{AtomicU32, Ordering};

use cortex_m_rt::entry;
use panic_halt as _;

#[cfg(all(feature = "engine", not(feature = "hal")))]
#[path = "engine.rs"]
mod sensor;

#[cfg(feature = "hal")]
#[path = "hal.rs"]
mod sensor;

#[cfg(not(any(feature = "engine", feature = "hal")))]
#[path = "baseline.rs"]
mod sensor;

/// UART0 data register of the lm3s6965 (a PL011): where every output byte goes.
const SINK: *mut u32 = 0x4000_C000 as *mut u32;

/// Changes the order the driver reads registers in; not a constant for the optimizer.
static SEED: AtomicU32 = AtomicU32::new(0x5eed);

/// The sensor's registers the driver reads, and the values the test says they hold.
pub const REGISTERS: [u8; 8] = [0x75, 0x6B, 0x1B, 0x1C, 0x3B, 0x41, 0x43, 0x47];
pub const VALUES: [u8; 8] = [0x68, 0x00, 0x18, 0x10, 0x7F, 0x0C, 0xFF, 0x02];

/// Writes `bytes` to the sink, one volatile store each.
pub fn emit(bytes: &[u8]) {
    for &b in bytes {
        // SAFETY: SINK is the memory-mapped UART0 data register, valid for 32-bit writes.
        unsafe { ptr::write_volatile(SINK, u32::from(b)) };
    }
}

/// `fmt::Write` onto the sink, for messages.
#[allow(dead_code)]
pub struct Uart;

impl core::fmt::Write for Uart {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        emit(s.as_bytes());
        Ok(())
    }
}

#[entry]
fn main() -> ! {
    let mut sensor = sensor::Sensor::new();
    loop {
        let seed = SEED.load(Ordering::Relaxed);
        // The driver: read the 8 registers, starting at a run-time offset, and sum them.
        let checksum = sensor.session(seed, |read| {
            let mut sum: u32 = 0;
            for k in 0..REGISTERS.len() {
                let index = (k + seed as usize) % REGISTERS.len();
                sum = sum.wrapping_add(u32::from(read(REGISTERS[index])));
            }
            sum
        });
        emit(&checksum.to_le_bytes());
    }
}
