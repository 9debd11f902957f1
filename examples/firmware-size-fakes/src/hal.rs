//! With the embedded-hal fake: the sensor is an I2C device with 8 expected `write_read`s,
//! verified after the driver ran.

use capturemock_core::fake::hal::I2cFake;
use embedded_hal::i2c::I2c;

use crate::{REGISTERS, VALUES};

/// The sensor's I2C address.
const ADDRESS: u8 = 0x68;

/// The registers and their values, in statics: the fake borrows its expectations.
static REGS: [u8; 8] = REGISTERS;
static VALS: [u8; 8] = VALUES;

/// 8 expected calls of 3 declared values each, messages up to 128 bytes.
type Bus = I2cFake<'static, 8, 24, 128>;

pub struct Sensor;

impl Sensor {
    pub fn new() -> Self {
        Sensor
    }

    /// Declares the expectations, runs the driver against the fake, verifies. Failures go to
    /// the UART with Fudge's message.
    pub fn session(
        &mut self,
        seed: u32,
        driver: impl FnOnce(&mut dyn FnMut(u8) -> u8) -> u32,
    ) -> u32 {
        // On the stack, new for each session (main's frame, which measure.sh prints, holds it).
        let mut i2c = Bus::new("imu");
        // The test: the driver reads each register once, in this order, and gets this value.
        for k in 0..REGS.len() {
            let index = (k + seed as usize) % REGS.len();
            let (Some(register), Some(value)) = (REGS.get(index..=index), VALS.get(index..=index))
            else {
                return 0;
            };
            if let Err(e) = i2c.expect_write_read(ADDRESS, register, value) {
                report(&e);
                return 0;
            }
        }
        let mut read = |register: u8| {
            let mut value = [0u8];
            match i2c.write_read(ADDRESS, &[register], &mut value) {
                Ok(()) => value[0],
                Err(_) => 0,
            }
        };
        let sum = driver(&mut read);
        if let Err(failure) = i2c.verify() {
            report(&failure);
        }
        sum
    }
}

/// Tells the host what failed, in Fudge's words.
fn report<T: core::fmt::Display>(failure: &T) {
    use core::fmt::Write;
    let _ = write!(crate::Uart, "{failure}");
}
