//! The `lm75` driver (embedded-hal 1.0) against the I2C fake: what it reads and writes, the
//! errors the bus returns, and the messages when the driver strays from the expectations.

use capturemock_core::fake::hal::{HalFakeError, I2cFake, I2cOp};
use embedded_hal::i2c::{ErrorKind, NoAcknowledgeSource};
use lm75::{Address, Error, FaultQueue, Lm75, OsMode, OsPolarity};

use super::panic_message;

/// The sensor's address with A2..A0 tied low.
const LM75: u8 = 0x48;

#[test]
fn reads_the_temperature_in_each_resolution() {
    let mut i2c: I2cFake<'_> = I2cFake::new("lm75");
    i2c.expect_write_read(LM75, &[0x00], &[0x19, 0x80])
        .unwrap()
        .expect_write_read(LM75, &[0x00], &[0xe7, 0x00])
        .unwrap();
    let mut sensor = Lm75::new(&mut i2c, Address::default());
    assert_eq!(sensor.read_temperature().unwrap(), 25.5);
    assert_eq!(sensor.read_temperature().unwrap(), -25.0);
    i2c.verify().unwrap();

    // The PCT2075 answers the same register with 11 bits: the driver reads the low bits too.
    let mut i2c: I2cFake<'_> = I2cFake::new("pct2075");
    i2c.expect_write_read(0x4f, &[0x00], &[0x19, 0xe0])
        .unwrap()
        .expect_write_read(0x4f, &[0x04], &[0x05])
        .unwrap();
    let mut sensor = Lm75::new_pct2075(&mut i2c, Address::from((true, true, true)));
    assert_eq!(sensor.read_temperature().unwrap(), 25.875);
    assert_eq!(sensor.read_sample_rate().unwrap(), 500);
    i2c.verify().unwrap();
}

#[test]
fn configuration_writes_keep_the_bits_already_set() {
    let mut i2c: I2cFake<'_> = I2cFake::new("lm75");
    i2c.expect_write(LM75, &[0x01, 0b0000_0001])
        .unwrap()
        .expect_write(LM75, &[0x01, 0b0001_1001])
        .unwrap()
        .expect_write(LM75, &[0x01, 0b0001_1101])
        .unwrap()
        .expect_write(LM75, &[0x01, 0b0001_1111])
        .unwrap()
        .expect_write(LM75, &[0x01, 0b0001_1110])
        .unwrap()
        .expect_write(LM75, &[0x03, 0x50, 0x00])
        .unwrap()
        .expect_write(LM75, &[0x02, 0x4b, 0x00])
        .unwrap();
    let mut sensor = Lm75::new(&mut i2c, Address::default());
    sensor.disable().unwrap();
    sensor.set_fault_queue(FaultQueue::_6).unwrap();
    sensor.set_os_polarity(OsPolarity::ActiveHigh).unwrap();
    sensor.set_os_mode(OsMode::Interrupt).unwrap();
    sensor.enable().unwrap();
    sensor.set_os_temperature(80.0).unwrap();
    sensor.set_hysteresis_temperature(75.0).unwrap();
    // Refused by the driver before it reaches the bus: the fake sees no call.
    assert!(matches!(
        sensor.set_os_temperature(130.0),
        Err(Error::InvalidInputData)
    ));
    i2c.verify().unwrap();
}

#[test]
fn a_nack_reaches_the_driver_as_the_bus_error() {
    let nack = ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address);
    let mut i2c: I2cFake<'_> = I2cFake::new("lm75");
    i2c.expect_write_read(LM75, &[0x00], &[0x19, 0x80])
        .unwrap()
        .fails_with(nack)
        .unwrap()
        .expect_write(LM75, &[0x01, 0x01])
        .unwrap()
        .fails_with(ErrorKind::ArbitrationLoss)
        .unwrap();
    let mut sensor = Lm75::new(&mut i2c, Address::default());
    match sensor.read_temperature() {
        Err(Error::I2C(e)) => {
            assert_eq!(e, HalFakeError::Injected(nack));
            assert_eq!(embedded_hal::i2c::Error::kind(&e), nack);
        }
        other => panic!("expected the NACK, got {other:?}"),
    }
    assert!(matches!(
        sensor.disable(),
        Err(Error::I2C(HalFakeError::Injected(
            ErrorKind::ArbitrationLoss
        )))
    ));
    i2c.verify().unwrap();
}

#[test]
fn a_transaction_expectation_is_checked_operation_by_operation() {
    // lm75 never runs `transaction` itself; a driver that does is checked the same way.
    let ops = [I2cOp::Write(&[0x00]), I2cOp::Read(&[0x19, 0x80])];
    let mut i2c: I2cFake<'_> = I2cFake::new("lm75");
    i2c.expect_transaction(LM75, &ops).unwrap();
    let mut sensor = Lm75::new(&mut i2c, Address::default());
    assert!(matches!(
        sensor.read_temperature(),
        Err(Error::I2C(HalFakeError::Unmet))
    ));
    assert_eq!(
        i2c.verify().unwrap_err().to_string(),
        "fake:lm75 object does not allow call or attribute 'write_read' \
         (maybe you want Fake.is_a_stub() ?)"
    );
}

#[test]
fn a_driver_that_writes_other_bytes_gets_fudges_message() {
    let mut i2c: I2cFake<'_> = I2cFake::new("lm75");
    i2c.expect_write(LM75, &[0x03, 0x50, 0x00]).unwrap();
    let mut sensor = Lm75::new(&mut i2c, Address::default());
    assert!(matches!(
        sensor.set_os_temperature(80.5),
        Err(Error::I2C(HalFakeError::Unmet))
    ));
    assert_eq!(
        i2c.failure(),
        Some(
            "fake:lm75.write(72, [3, 80, 0]) was called unexpectedly with args (72, [3, 80, 128])"
        )
    );
    let _ = i2c.verify();
}

#[test]
fn a_driver_that_skips_a_step_gets_fudges_order_message() {
    let mut i2c: I2cFake<'_> = I2cFake::new("lm75");
    i2c.expect_write(LM75, &[0x01, 0x00])
        .unwrap()
        .expect_write_read(LM75, &[0x00], &[0x19, 0x80])
        .unwrap();
    let mut sensor = Lm75::new(&mut i2c, Address::default());
    assert!(sensor.read_temperature().is_err());
    assert_eq!(
        i2c.verify().unwrap_err().to_string(),
        "Call #1 was fake:lm75.write_read(72, [0], 2); Expected: #1 fake:lm75.write(72, [1, 0]), \
         #2 fake:lm75.write_read(72, [0], 2), end"
    );
}

#[test]
fn a_forgotten_verification_panics_when_the_fake_is_dropped() {
    let message = panic_message(|| {
        let mut i2c: I2cFake<'_> = I2cFake::new("lm75");
        i2c.expect_write_read(LM75, &[0x00], &[0x19, 0x80])
            .unwrap()
            .expect_write(LM75, &[0x01, 0x01])
            .unwrap();
        let mut sensor = Lm75::new(&mut i2c, Address::default());
        assert_eq!(sensor.read_temperature().unwrap(), 25.5);
        // no disable(), no verify(): the drop checks
    });
    assert_eq!(message, "fake:lm75.write(72, [1, 1]) was not called");

    // A driver error that the test unwraps: the test's own panic wins, and the drop stays
    // quiet (a second panic would abort the test run) after printing the message to stderr.
    let message = panic_message(|| {
        let mut i2c: I2cFake<'_> = I2cFake::new("lm75");
        i2c.expect_write(LM75, &[0x01, 0x01]).unwrap();
        let mut sensor = Lm75::new(&mut i2c, Address::default());
        sensor.enable().unwrap();
    });
    assert!(message.contains("I2C(Unmet)"), "{message}");
}

#[test]
fn a_fake_owned_by_the_driver_is_checked_when_the_driver_is_dropped() {
    let message = panic_message(|| {
        let mut i2c: I2cFake<'static> = I2cFake::new("lm75");
        i2c.expect_write(LM75, &[0x01, 0x01]).unwrap();
        let mut sensor = Lm75::new(i2c, Address::default());
        let _ = sensor.enable();
    });
    assert_eq!(
        message,
        "fake:lm75.write(72, [1, 1]) was called unexpectedly with args (72, [1, 0])"
    );
}

/// The example of docs/embedded-hal-fakes.md.
#[test]
fn the_documented_example() -> Result<(), capturemock_core::fake::DeclarationError> {
    let mut i2c: I2cFake<'_> = I2cFake::new("lm75");
    i2c.expect_write_read(0x48, &[0x00], &[0x19, 0x80])?; // reads 25.5 °C
    i2c.expect_write(0x48, &[0x01, 0x01])? // shutdown ...
        .fails_with(ErrorKind::NoAcknowledge(NoAcknowledgeSource::Data))?; // ... NACKed
    let mut sensor = lm75::Lm75::new(&mut i2c, lm75::Address::default());
    assert_eq!(sensor.read_temperature().unwrap(), 25.5);
    assert!(sensor.disable().is_err());
    i2c.verify().unwrap();
    Ok(())
}
