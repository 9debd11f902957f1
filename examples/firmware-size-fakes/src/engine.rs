//! With the engine: the sensor is a fake with 8 declared calls, verified after the driver ran.

use capturemock_core::fake::{Answered, Fakes, ValueRef};

use crate::{REGISTERS, VALUES};

/// One fake, 8 declared calls, 8 declared argument values: exactly what the test needs.
type Registry = Fakes<'static, ValueRef<'static>, 1, 8, 8>;

pub struct Sensor {
    fakes: &'static mut Registry,
}

impl Sensor {
    pub fn new() -> Self {
        // In .bss, so that `cargo size` counts it.
        let fakes = cortex_m::singleton!(: Registry = Registry::new()).unwrap_or_else(|| panic!());
        Sensor { fakes }
    }

    /// Declares the fake, runs the driver against it, verifies. Failures go to the UART.
    pub fn session(
        &mut self,
        seed: u32,
        driver: impl FnOnce(&mut dyn FnMut(u8) -> u8) -> u32,
    ) -> u32 {
        let fakes = &mut *self.fakes;
        fakes.clear();
        let Ok(imu) = fakes.fake("imu") else {
            return 0;
        };
        // The test: the driver reads each register once, in this order, and gets this value.
        let mut declare = fakes.on(imu).remember_order();
        for k in 0..REGISTERS.len() {
            let index = (k + seed as usize) % REGISTERS.len();
            declare = declare.and_then(|d| {
                d.expects("read_reg")?
                    .with_args([ValueRef::UInt(u64::from(REGISTERS[index]))])?
                    .returns(ValueRef::UInt(u64::from(VALUES[index])))
            });
        }
        if let Err(e) = declare {
            report(&e, 1);
            return 0;
        }
        let mut read = |register: u8| {
            let args = [ValueRef::UInt(u64::from(register))];
            match fakes.call(imu, "read_reg", &args, &[]) {
                Ok(outcome) => match outcome.answer {
                    Answered::Value(ValueRef::UInt(v)) => *v as u8,
                    _ => 0,
                },
                Err(failure) => {
                    report(&failure, 2);
                    0
                }
            }
        };
        let sum = driver(&mut read);
        if let Err(failure) = fakes.verify() {
            report(&failure, 3);
        }
        sum
    }
}

/// Tells the host what failed: Fudge's message, or (without the `messages` feature) a code.
#[cfg(feature = "messages")]
fn report<T: core::fmt::Display>(failure: &T, _code: u8) {
    use core::fmt::Write;
    let _ = write!(crate::Uart, "{failure}");
}

#[cfg(not(feature = "messages"))]
fn report<T: core::fmt::Display>(_failure: &T, code: u8) {
    crate::emit(&[0xEE, code]);
}
