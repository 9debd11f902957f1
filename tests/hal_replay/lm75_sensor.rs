//! A simulated LM75B on an I2C bus, written from NXP's LM75B data sheet (rev. 6.1), so that
//! the lm75 driver's traffic can be recorded with no sensor on the desk.
//!
//! What it models, from the data sheet:
//! - slave address `1001 A2 A1 A0` (0x48 with the address pins low); any other address is
//!   not acknowledged;
//! - the pointer register: the first byte of a write selects the register (pointer values
//!   0 to 3; others are not acknowledged), later reads read from it until it changes;
//! - Temp (0): read-only, 11-bit two's complement in D15..D5, 0.125 °C per step, MSB first;
//!   writes are ignored;
//! - Conf (1): one byte (shutdown bit 0, OS comparator/interrupt bit 1, OS polarity bit 2,
//!   fault queue bits 4:3), default 0; a longer read repeats it;
//! - Thyst (2) and Tos (3): 9-bit two's complement in D15..D7, 0.5 °C per step, defaults
//!   75 °C and 80 °C; the unused low bits read as 0;
//! - shutdown: the temperature register keeps the last conversion, no new sample is taken.
//!
//! No std (the QEMU firmware of examples/firmware-qemu records the driver against it too).
//!
//! The temperature the sensor converts is the next of a list of samples each time a
//! conversion is read (while not shut down), so a test sees the temperature change.

use embedded_hal::i2c::{self, ErrorKind, NoAcknowledgeSource, Operation};

/// LM75B registers and the bits the model uses.
const TEMP: u8 = 0;
const CONF: u8 = 1;
const THYST: u8 = 2;
const TOS: u8 = 3;
const SHUTDOWN: u8 = 0b1;

/// The simulated sensor (the only device on its bus).
pub struct Lm75b<'s> {
    address: u8,
    pointer: u8,
    conf: u8,
    thyst: [u8; 2],
    tos: [u8; 2],
    samples: &'s [f32],
    next_sample: usize,
    temp: [u8; 2],
}

impl<'s> Lm75b<'s> {
    /// A sensor at `address` that converts `samples` (°C) in turn, then the last one forever.
    pub fn new(address: u8, samples: &'s [f32]) -> Self {
        Lm75b {
            address,
            pointer: TEMP,
            conf: 0,
            thyst: [75, 0],
            tos: [80, 0],
            samples,
            next_sample: 0,
            temp: [0, 0],
        }
    }

    /// The Temp register for `celsius`: 11-bit two's complement, 0.125 °C per step, D15..D5.
    pub fn temp_register(celsius: f32) -> [u8; 2] {
        // Rounded half away from zero, as `f32::round` does (which no_std lacks: the firmware
        // of examples/firmware-qemu includes this file).
        let steps = celsius / 0.125;
        let steps = if steps < 0.0 {
            steps - 0.5
        } else {
            steps + 0.5
        } as i16;
        let raw = (steps << 5) as u16;
        raw.to_be_bytes()
    }

    /// A new conversion, unless shut down.
    fn convert(&mut self) {
        if self.conf & SHUTDOWN != 0 || self.samples.is_empty() {
            return;
        }
        let i = self.next_sample.min(self.samples.len() - 1);
        self.temp = Self::temp_register(self.samples[i]);
        self.next_sample += 1;
    }

    /// The register's bytes as a read returns them.
    fn register(&self) -> [u8; 2] {
        match self.pointer {
            TEMP => self.temp,
            CONF => [self.conf, self.conf],
            THYST => self.thyst,
            _ => self.tos,
        }
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), SensorError> {
        let Some((&pointer, data)) = bytes.split_first() else {
            return Ok(());
        };
        if pointer > TOS {
            return Err(SensorError(NoAcknowledgeSource::Data));
        }
        self.pointer = pointer;
        match (pointer, data) {
            (CONF, [conf, ..]) => self.conf = *conf,
            (THYST, [msb, lsb, ..]) => self.thyst = [*msb, lsb & 0x80],
            (TOS, [msb, lsb, ..]) => self.tos = [*msb, lsb & 0x80],
            _ => {} // Temp is read-only; a pointer alone only selects.
        }
        Ok(())
    }
}

/// The sensor's NACK.
#[derive(Debug)]
pub struct SensorError(NoAcknowledgeSource);

impl i2c::Error for SensorError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::NoAcknowledge(self.0)
    }
}

impl i2c::ErrorType for Lm75b<'_> {
    type Error = SensorError;
}

impl i2c::I2c for Lm75b<'_> {
    fn transaction(
        &mut self,
        address: u8,
        operations: &mut [Operation<'_>],
    ) -> Result<(), SensorError> {
        if address != self.address {
            return Err(SensorError(NoAcknowledgeSource::Address));
        }
        for op in operations {
            match op {
                Operation::Write(bytes) => self.write(bytes)?,
                Operation::Read(buf) => {
                    if self.pointer == TEMP {
                        self.convert();
                    }
                    let register = self.register();
                    for (i, b) in buf.iter_mut().enumerate() {
                        *b = register[i % 2];
                    }
                }
            }
        }
        Ok(())
    }
}

#[test]
fn the_temperature_encoding_follows_the_data_sheet() {
    // The data sheet's table of Temp register values.
    assert_eq!(Lm75b::temp_register(127.0), [0x7f, 0x00]);
    assert_eq!(Lm75b::temp_register(25.0), [0x19, 0x00]);
    assert_eq!(Lm75b::temp_register(0.125), [0x00, 0x20]);
    assert_eq!(Lm75b::temp_register(0.0), [0x00, 0x00]);
    assert_eq!(Lm75b::temp_register(-0.125), [0xff, 0xe0]);
    assert_eq!(Lm75b::temp_register(-25.0), [0xe7, 0x00]);
    assert_eq!(Lm75b::temp_register(-55.0), [0xc9, 0x00]);
}
