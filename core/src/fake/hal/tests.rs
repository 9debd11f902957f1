//! Unit tests of the embedded-hal fakes: every trait, its messages, errors and capacity, the
//! async forms, and the check on drop.

use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};
use std::string::{String, ToString};
use std::sync::Mutex;

use embedded_hal::delay::DelayNs;
use embedded_hal::digital::{InputPin, OutputPin, StatefulOutputPin};
use embedded_hal::i2c::{self, I2c, NoAcknowledgeSource, Operation};
use embedded_hal::spi::{self, SpiBus, SpiDevice};

use super::super::error::{DeclarationError, Table};
use super::*;

/// Polls a future of a fake once: a fake never waits, so it must be ready.
fn ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("a fake's future waited"),
    }
}

const LM75: u8 = 0x48;

#[test]
fn i2c_answers_every_method_in_order() {
    let ops = [I2cOp::Write(&[0x03]), I2cOp::Read(&[0x50, 0x00])];
    let mut i2c: I2cFake<'_> = I2cFake::new("lm75");
    i2c.expect_write(LM75, &[0x01, 0x00])
        .unwrap()
        .expect_read(LM75, &[0x19, 0x80])
        .unwrap()
        .expect_write_read(LM75, &[0x00], &[0x7f, 0x00])
        .unwrap()
        .expect_transaction(LM75, &ops)
        .unwrap();

    i2c.write(LM75, &[0x01, 0x00]).unwrap();
    let mut two = [0u8; 2];
    i2c.read(LM75, &mut two).unwrap();
    assert_eq!(two, [0x19, 0x80]);
    i2c.write_read(LM75, &[0x00], &mut two).unwrap();
    assert_eq!(two, [0x7f, 0x00]);
    let mut tos = [0u8; 2];
    i2c.transaction(
        LM75,
        &mut [Operation::Write(&[0x03]), Operation::Read(&mut tos)],
    )
    .unwrap();
    assert_eq!(tos, [0x50, 0x00]);
    assert_eq!(i2c.failure(), None);
    i2c.verify().unwrap();
}

#[test]
fn i2c_wrong_bytes_are_fudges_unexpected_args() {
    let mut i2c: I2cFake<'_> = I2cFake::new("lm75");
    i2c.expect_write_read(LM75, &[0x00], &[0x19, 0x80]).unwrap();
    let mut two = [0u8; 2];
    let err = i2c.write_read(LM75, &[0x01], &mut two).unwrap_err();
    assert_eq!(err, HalFakeError::Unmet);
    assert_eq!(i2c::Error::kind(&err), i2c::ErrorKind::Other);
    assert_eq!(two, [0, 0], "an unmet read leaves the buffer alone");
    let message = "fake:lm75.write_read(72, [0], 2) was called unexpectedly with args (72, [1], 2)";
    assert_eq!(i2c.failure(), Some(message));
    assert_eq!(i2c.verify(), Err(Unverified(message)));
}

#[test]
fn i2c_wrong_address_and_read_length_are_told() {
    let mut i2c: I2cFake<'_> = I2cFake::new("lm75");
    i2c.expect_read(LM75, &[0x19, 0x80]).unwrap();
    let mut three = [0u8; 3];
    assert_eq!(i2c.read(0x49, &mut three), Err(HalFakeError::Unmet));
    assert_eq!(
        i2c.failure(),
        Some("fake:lm75.read(72, 2) was called unexpectedly with args (73, 3)")
    );
    let _ = i2c.verify();
}

#[test]
fn i2c_order_is_fudges_call_was() {
    let mut i2c: I2cFake<'_> = I2cFake::new("lm75");
    i2c.expect_write(LM75, &[0x01, 0x00])
        .unwrap()
        .expect_write_read(LM75, &[0x00], &[0x19, 0x80])
        .unwrap();
    let mut two = [0u8; 2];
    assert_eq!(
        i2c.write_read(LM75, &[0x00], &mut two),
        Err(HalFakeError::Unmet)
    );
    assert_eq!(
        i2c.failure(),
        Some(
            "Call #1 was fake:lm75.write_read(72, [0], 2); Expected: #1 fake:lm75.write(72, [1, 0]), \
             #2 fake:lm75.write_read(72, [0], 2), end"
        )
    );
    let _ = i2c.verify();
}

#[test]
fn i2c_missing_call_is_fudges_not_called() {
    let mut i2c: I2cFake<'_> = I2cFake::new("lm75");
    i2c.expect_write(LM75, &[0x01, 0x00])
        .unwrap()
        .expect_write(LM75, &[0x01, 0x01])
        .unwrap();
    i2c.write(LM75, &[0x01, 0x00]).unwrap();
    assert_eq!(
        i2c.verify().unwrap_err().to_string(),
        "fake:lm75.write(72, [1, 1])[1] was not called"
    );
}

#[test]
fn i2c_call_beyond_the_expectations_is_unexpected() {
    let mut i2c: I2cFake<'_> = I2cFake::new("lm75");
    i2c.expect_write(LM75, &[0x01, 0x00]).unwrap();
    i2c.write(LM75, &[0x01, 0x00]).unwrap();
    assert_eq!(i2c.write(LM75, &[0x01, 0x00]), Err(HalFakeError::Unmet));
    assert_eq!(
        i2c.failure(),
        Some("#2 fake:lm75.write(72, [1, 0]) was unexpected; Expected: #1 fake:lm75.write(72, [1, 0]), end")
    );
    let _ = i2c.verify();
    let mut other: I2cFake<'_> = I2cFake::new("bus");
    assert_eq!(other.write(LM75, &[0]), Err(HalFakeError::Unmet));
    assert_eq!(
        other.failure(),
        Some("fake:bus object does not allow call or attribute 'write' (maybe you want Fake.is_a_stub() ?)")
    );
    let _ = other.verify();
}

#[test]
fn i2c_errors_are_the_traits_error_kinds() {
    let nack = i2c::ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address);
    let mut i2c: I2cFake<'_> = I2cFake::new("lm75");
    i2c.expect_read(LM75, &[0x19, 0x80])
        .unwrap()
        .fails_with(nack)
        .unwrap()
        .expect_write(LM75, &[0x01])
        .unwrap()
        .fails_with(i2c::ErrorKind::Bus)
        .unwrap();
    let mut two = [0u8; 2];
    let err = i2c.read(LM75, &mut two).unwrap_err();
    assert_eq!(err, HalFakeError::Injected(nack));
    assert_eq!(i2c::Error::kind(&err), nack);
    assert_eq!(two, [0, 0], "a failed read leaves the buffer alone");
    let err = i2c.write(LM75, &[0x01]).unwrap_err();
    assert_eq!(i2c::Error::kind(&err), i2c::ErrorKind::Bus);
    assert_eq!(err.to_string(), "injected error: Bus");
    i2c.verify().unwrap();
}

#[test]
fn i2c_transaction_shows_each_operation() {
    let ops = [I2cOp::Write(&[0x00]), I2cOp::Read(&[0x19, 0x80])];
    let mut i2c: I2cFake<'_> = I2cFake::new("lm75");
    i2c.expect_transaction(LM75, &ops).unwrap();
    let mut one = [0u8; 1];
    let result = i2c.transaction(
        LM75,
        &mut [Operation::Write(&[0x00]), Operation::Read(&mut one)],
    );
    assert_eq!(result, Err(HalFakeError::Unmet));
    assert_eq!(
        i2c.failure(),
        Some(
            "fake:lm75.transaction(72, \"write\", [0], \"read\", 2) was called unexpectedly \
             with args (72, \"write\", [0], \"read\", 1)"
        )
    );
    let _ = i2c.verify();
}

#[test]
fn i2c_transaction_longer_than_a_call_is_an_error_value() {
    let ops = [I2cOp::Write(&[0]); 16];
    let mut i2c: I2cFake<'_> = I2cFake::new("lm75");
    assert_eq!(
        i2c.expect_transaction(LM75, &ops).err(),
        Some(DeclarationError::Full(Table::Args))
    );
    let mut actual: [Operation<'_>; 16] = core::array::from_fn(|_| Operation::Write(&[0]));
    assert_eq!(i2c.transaction(LM75, &mut actual), Err(HalFakeError::Unmet));
    assert_eq!(
        i2c.failure(),
        Some("fake:lm75.transaction() has 16 operations; a fake checks at most 15")
    );
    let _ = i2c.verify();
}

#[test]
fn capacity_is_a_declaration_error() {
    let mut i2c: I2cFake<'_, 1, 8> = I2cFake::new("lm75");
    i2c.expect_write(LM75, &[1]).unwrap();
    assert_eq!(
        i2c.expect_write(LM75, &[2]).err(),
        Some(DeclarationError::Full(Table::Calls))
    );
    i2c.write(LM75, &[1]).unwrap();
    i2c.verify().unwrap();
    let mut i2c: I2cFake<'_, 4, 2> = I2cFake::new("lm75");
    assert_eq!(
        i2c.expect_write_read(LM75, &[0], &[0]).err(),
        Some(DeclarationError::Full(Table::Args))
    );
    assert_eq!(
        i2c.fails_with(i2c::ErrorKind::Bus).err(),
        Some(DeclarationError::NoCall),
        "a declaration that does not fit declares nothing"
    );
}

#[test]
fn verified_expectations_play_again() {
    let mut i2c: I2cFake<'_> = I2cFake::new("lm75");
    i2c.expect_write_read(LM75, &[0x00], &[0x19, 0x80]).unwrap();
    for _ in 0..2 {
        let mut two = [0u8; 2];
        i2c.write_read(LM75, &[0x00], &mut two).unwrap();
        assert_eq!(two, [0x19, 0x80]);
        i2c.verify().unwrap();
    }
}

#[test]
fn long_messages_are_cut() {
    let mut i2c: I2cFake<'_, 4, 8, 24> = I2cFake::new("lm75");
    i2c.expect_write(LM75, &[1, 2, 3]).unwrap();
    let _ = i2c.write(LM75, &[4, 5, 6]);
    assert_eq!(i2c.failure(), Some("fake:lm75.write(72, [..."));
    let _ = i2c.verify();
}

#[test]
fn spi_device_transaction_of_every_operation() {
    let ops = [
        SpiOp::Write(&[0x9f]),
        SpiOp::Read(&[0xef, 0x40]),
        SpiOp::Transfer {
            write: &[0x05, 0x00],
            read: &[0xff, 0x01],
        },
        SpiOp::TransferInPlace {
            write: &[0x06],
            read: &[0x07],
        },
        SpiOp::DelayNs(1000),
    ];
    let mut flash: SpiDeviceFake<'_> = SpiDeviceFake::new("flash");
    flash.expect_transaction(&ops).unwrap();
    let (mut id, mut status, mut in_place) = ([0u8; 2], [0u8; 2], [0x06u8]);
    flash
        .transaction(&mut [
            spi::Operation::Write(&[0x9f]),
            spi::Operation::Read(&mut id),
            spi::Operation::Transfer(&mut status, &[0x05, 0x00]),
            spi::Operation::TransferInPlace(&mut in_place),
            spi::Operation::DelayNs(1000),
        ])
        .unwrap();
    assert_eq!((id, status, in_place), ([0xef, 0x40], [0xff, 0x01], [0x07]));
    flash.verify().unwrap();
}

#[test]
fn spi_device_single_operations_and_messages() {
    let mut flash: SpiDeviceFake<'_> = SpiDeviceFake::new("flash");
    flash
        .expect_write(&[0x06])
        .unwrap()
        .expect_read(&[0x42])
        .unwrap()
        .expect_transfer(&[0x05, 0x00], &[0xff, 0x02])
        .unwrap()
        .expect_transfer_in_place(&[0x9f, 0, 0], &[0xff, 0xef, 0x40])
        .unwrap();
    SpiDevice::write(&mut flash, &[0x06]).unwrap();
    let mut one = [0u8];
    SpiDevice::read(&mut flash, &mut one).unwrap();
    assert_eq!(one, [0x42]);
    let mut two = [0u8; 2];
    SpiDevice::transfer(&mut flash, &mut two, &[0x05, 0x00]).unwrap();
    assert_eq!(two, [0xff, 0x02]);
    let mut buf = [0x9f, 0, 1];
    assert_eq!(
        SpiDevice::transfer_in_place(&mut flash, &mut buf),
        Err(HalFakeError::Unmet)
    );
    assert_eq!(
        flash.failure(),
        Some(
            "fake:flash.transfer_in_place([159, 0, 0]) was called unexpectedly with args \
             ([159, 0, 1])"
        )
    );
    let _ = flash.verify();
}

#[test]
fn spi_device_transaction_against_a_single_write_is_an_order_failure() {
    let mut flash: SpiDeviceFake<'_> = SpiDeviceFake::new("flash");
    flash.expect_transaction(&[SpiOp::Write(&[0x06])]).unwrap();
    assert_eq!(
        SpiDevice::write(&mut flash, &[0x06]),
        Err(HalFakeError::Unmet)
    );
    assert_eq!(
        flash.failure(),
        Some(
            "fake:flash object does not allow call or attribute 'write' \
             (maybe you want Fake.is_a_stub() ?)"
        )
    );
    let _ = flash.verify();
}

#[test]
fn spi_errors_are_the_traits_error_kinds() {
    let mut flash: SpiDeviceFake<'_> = SpiDeviceFake::new("flash");
    flash
        .expect_read(&[1])
        .unwrap()
        .fails_with(spi::ErrorKind::Overrun)
        .unwrap();
    let err = SpiDevice::read(&mut flash, &mut [0u8]).unwrap_err();
    assert_eq!(spi::Error::kind(&err), spi::ErrorKind::Overrun);
    flash.verify().unwrap();
    let mut bus: SpiBusFake<'_> = SpiBusFake::new("bus");
    let err = SpiBus::flush(&mut bus).unwrap_err();
    assert_eq!(spi::Error::kind(&err), spi::ErrorKind::Other);
    let _ = bus.verify();
}

#[test]
fn spi_bus_operations_and_flush() {
    let mut bus: SpiBusFake<'_> = SpiBusFake::new("bus");
    bus.expect_write(&[0x06])
        .unwrap()
        .expect_flush()
        .unwrap()
        .expect_read(&[0x01, 0x02])
        .unwrap()
        .expect_transfer(&[0x05], &[0x80])
        .unwrap()
        .expect_transfer_in_place(&[0x9f], &[0xef])
        .unwrap();
    SpiBus::write(&mut bus, &[0x06]).unwrap();
    SpiBus::flush(&mut bus).unwrap();
    let mut two = [0u8; 2];
    SpiBus::read(&mut bus, &mut two).unwrap();
    assert_eq!(two, [1, 2]);
    let mut one = [0u8];
    SpiBus::transfer(&mut bus, &mut one, &[0x05]).unwrap();
    assert_eq!(one, [0x80]);
    let mut in_place = [0x9f];
    SpiBus::transfer_in_place(&mut bus, &mut in_place).unwrap();
    assert_eq!(in_place, [0xef]);
    bus.verify().unwrap();
}

#[test]
fn spi_bus_allowed_flush_is_outside_the_order() {
    let mut bus: SpiBusFake<'_> = SpiBusFake::new("bus");
    bus.allow_flush().unwrap().expect_write(&[1]).unwrap();
    SpiBus::flush(&mut bus).unwrap();
    SpiBus::write(&mut bus, &[1]).unwrap();
    SpiBus::flush(&mut bus).unwrap();
    bus.verify().unwrap();
    bus.expect_write(&[2]).unwrap();
    SpiBus::write(&mut bus, &[1]).unwrap();
    assert_eq!(
        bus.verify().unwrap_err().to_string(),
        "fake:bus.write([2])[1] was not called"
    );
}

#[test]
fn pins_output_input_stateful() {
    let mut pin: PinFake<'_> = PinFake::new("cs");
    pin.expect_set_low()
        .unwrap()
        .expect_is_set_low(true)
        .unwrap()
        .expect_is_set_high(false)
        .unwrap()
        .expect_toggle()
        .unwrap()
        .expect_is_high(true)
        .unwrap()
        .expect_is_low(false)
        .unwrap()
        .expect_set_high()
        .unwrap();
    pin.set_low().unwrap();
    assert!(pin.is_set_low().unwrap());
    assert!(!pin.is_set_high().unwrap());
    pin.toggle().unwrap();
    assert!(pin.is_high().unwrap());
    assert!(!pin.is_low().unwrap());
    pin.set_high().unwrap();
    pin.verify().unwrap();
}

#[test]
fn pin_order_and_errors() {
    let mut pin: PinFake<'_> = PinFake::new("cs");
    pin.expect_set_low().unwrap().expect_set_high().unwrap();
    assert_eq!(pin.set_high(), Err(HalFakeError::Unmet));
    assert_eq!(
        pin.failure(),
        Some(
            "Call #1 was fake:cs.set_high(); Expected: #1 fake:cs.set_low(), \
             #2 fake:cs.set_high(), end"
        )
    );
    let _ = pin.verify();
    let mut ready_pin: PinFake<'_> = PinFake::new("drdy");
    ready_pin
        .expect_is_high(true)
        .unwrap()
        .fails_with(embedded_hal::digital::ErrorKind::Other)
        .unwrap();
    let err = ready_pin.is_high().unwrap_err();
    assert_eq!(
        err,
        HalFakeError::Injected(embedded_hal::digital::ErrorKind::Other)
    );
    assert_eq!(
        embedded_hal::digital::Error::kind(&err),
        embedded_hal::digital::ErrorKind::Other
    );
    ready_pin.verify().unwrap();
}

#[test]
fn delays_expected_or_allowed() {
    let mut delay: DelayFake<'_> = DelayFake::new("delay");
    delay
        .expect_delay_ms(10)
        .unwrap()
        .expect_delay_us(150)
        .unwrap()
        .expect_delay_ns(500)
        .unwrap();
    delay.delay_ms(10);
    delay.delay_us(150);
    delay.delay_ns(500);
    delay.verify().unwrap();

    delay.delay_ms(10);
    delay.delay_ns(500);
    assert_eq!(
        delay.verify().unwrap_err().to_string(),
        "Call #2 was fake:delay.delay_ns(500); Expected: #1 fake:delay.delay_ms(10), \
         #2 fake:delay.delay_us(150), #3 fake:delay.delay_ns(500), end"
    );

    let mut any: DelayFake<'_> = DelayFake::new("any");
    any.allow_delays().unwrap();
    any.delay_ms(1);
    any.delay_us(2);
    any.delay_ns(3);
    any.delay_ms(4);
    any.verify().unwrap();
}

#[test]
fn a_fake_that_expects_nothing_verifies_when_not_called() {
    let mut pin: PinFake<'_> = PinFake::new("unused");
    pin.verify().unwrap();
    let mut delay: DelayFake<'_> = DelayFake::new("unused");
    delay.allow_delays().unwrap();
    delay.verify().unwrap();
}

#[test]
fn async_forms_answer_the_same_expectations() {
    use embedded_hal_async::delay::DelayNs as AsyncDelay;
    use embedded_hal_async::digital::Wait as _;

    let mut i2c: I2cFake<'_> = I2cFake::new("lm75");
    i2c.expect_write(LM75, &[0x01, 0x00])
        .unwrap()
        .expect_read(LM75, &[0x01])
        .unwrap()
        .expect_write_read(LM75, &[0x00], &[0x19, 0x80])
        .unwrap()
        .expect_transaction(LM75, &[I2cOp::Write(&[0x02])])
        .unwrap();
    ready(embedded_hal_async::i2c::I2c::write(
        &mut i2c,
        LM75,
        &[0x01, 0x00],
    ))
    .unwrap();
    let mut one = [0u8];
    ready(embedded_hal_async::i2c::I2c::read(&mut i2c, LM75, &mut one)).unwrap();
    let mut two = [0u8; 2];
    ready(embedded_hal_async::i2c::I2c::write_read(
        &mut i2c,
        LM75,
        &[0x00],
        &mut two,
    ))
    .unwrap();
    assert_eq!((one, two), ([0x01], [0x19, 0x80]));
    ready(embedded_hal_async::i2c::I2c::transaction(
        &mut i2c,
        LM75,
        &mut [Operation::Write(&[0x02])],
    ))
    .unwrap();
    i2c.verify().unwrap();

    let mut flash: SpiDeviceFake<'_> = SpiDeviceFake::new("flash");
    flash
        .expect_transaction(&[SpiOp::Write(&[0x9f]), SpiOp::Read(&[0xef])])
        .unwrap()
        .expect_write(&[1])
        .unwrap()
        .expect_read(&[2])
        .unwrap()
        .expect_transfer(&[3], &[4])
        .unwrap()
        .expect_transfer_in_place(&[5], &[6])
        .unwrap();
    let mut id = [0u8];
    ready(embedded_hal_async::spi::SpiDevice::transaction(
        &mut flash,
        &mut [
            spi::Operation::Write(&[0x9f]),
            spi::Operation::Read(&mut id),
        ],
    ))
    .unwrap();
    ready(embedded_hal_async::spi::SpiDevice::write(&mut flash, &[1])).unwrap();
    let mut b = [0u8];
    ready(embedded_hal_async::spi::SpiDevice::read(&mut flash, &mut b)).unwrap();
    assert_eq!(b, [2]);
    ready(embedded_hal_async::spi::SpiDevice::transfer(
        &mut flash,
        &mut b,
        &[3],
    ))
    .unwrap();
    assert_eq!(b, [4]);
    let mut c = [5u8];
    ready(embedded_hal_async::spi::SpiDevice::transfer_in_place(
        &mut flash, &mut c,
    ))
    .unwrap();
    assert_eq!((id, c), ([0xef], [6]));
    flash.verify().unwrap();

    let mut bus: SpiBusFake<'_> = SpiBusFake::new("bus");
    bus.expect_write(&[1])
        .unwrap()
        .expect_read(&[2])
        .unwrap()
        .expect_transfer(&[3], &[4])
        .unwrap()
        .expect_transfer_in_place(&[5], &[6])
        .unwrap()
        .expect_flush()
        .unwrap();
    ready(embedded_hal_async::spi::SpiBus::write(&mut bus, &[1])).unwrap();
    let mut b = [0u8];
    ready(embedded_hal_async::spi::SpiBus::read(&mut bus, &mut b)).unwrap();
    assert_eq!(b, [2]);
    ready(embedded_hal_async::spi::SpiBus::transfer(
        &mut bus,
        &mut b,
        &[3],
    ))
    .unwrap();
    assert_eq!(b, [4]);
    let mut c = [5u8];
    ready(embedded_hal_async::spi::SpiBus::transfer_in_place(
        &mut bus, &mut c,
    ))
    .unwrap();
    assert_eq!(c, [6]);
    ready(embedded_hal_async::spi::SpiBus::flush(&mut bus)).unwrap();
    bus.verify().unwrap();

    let mut drdy: PinFake<'_> = PinFake::new("drdy");
    drdy.expect_wait_for_high()
        .unwrap()
        .expect_wait_for_low()
        .unwrap()
        .expect_wait_for_rising_edge()
        .unwrap()
        .expect_wait_for_falling_edge()
        .unwrap()
        .expect_wait_for_any_edge()
        .unwrap();
    ready(drdy.wait_for_high()).unwrap();
    ready(drdy.wait_for_low()).unwrap();
    ready(drdy.wait_for_rising_edge()).unwrap();
    ready(drdy.wait_for_falling_edge()).unwrap();
    assert_eq!(ready(drdy.wait_for_high()), Err(HalFakeError::Unmet));
    assert_eq!(
        drdy.failure(),
        Some(
            "Call #5 was fake:drdy.wait_for_high(); Expected: #1 fake:drdy.wait_for_high(), \
             #2 fake:drdy.wait_for_low(), #3 fake:drdy.wait_for_rising_edge(), \
             #4 fake:drdy.wait_for_falling_edge(), #5 fake:drdy.wait_for_any_edge(), end"
        )
    );
    let _ = drdy.verify();

    let mut delay: DelayFake<'_> = DelayFake::new("delay");
    delay
        .expect_delay_ms(1)
        .unwrap()
        .expect_delay_us(2)
        .unwrap()
        .expect_delay_ns(3)
        .unwrap();
    ready(AsyncDelay::delay_ms(&mut delay, 1));
    ready(AsyncDelay::delay_us(&mut delay, 2));
    ready(AsyncDelay::delay_ns(&mut delay, 3));
    delay.verify().unwrap();
}

/// What the hook of `dropped_unverified_calls_the_hook` was told.
static TOLD: Mutex<String> = Mutex::new(String::new());

fn tell(message: &str) {
    *TOLD.lock().unwrap() = message.to_string();
}

#[test]
fn dropped_unverified_calls_the_hook() {
    {
        let mut i2c: I2cFake<'_> = I2cFake::new("hooked");
        i2c.on_unverified(tell);
        i2c.expect_write(LM75, &[1]).unwrap();
    }
    assert_eq!(
        TOLD.lock().unwrap().as_str(),
        "fake:hooked.write(72, [1]) was not called"
    );
    TOLD.lock().unwrap().clear();
    {
        let mut i2c: I2cFake<'_> = I2cFake::new("hooked");
        i2c.on_unverified(tell);
        i2c.expect_write(LM75, &[1]).unwrap();
        i2c.write(LM75, &[1]).unwrap();
    }
    assert_eq!(
        TOLD.lock().unwrap().as_str(),
        "",
        "a met expectation is not told"
    );
    {
        let mut i2c: I2cFake<'_> = I2cFake::new("hooked");
        i2c.on_unverified(tell);
        i2c.expect_write(LM75, &[1]).unwrap();
        let _ = i2c.verify();
    }
    assert_eq!(
        TOLD.lock().unwrap().as_str(),
        "",
        "a verified fake is not told again"
    );
}

#[cfg(feature = "std")]
#[test]
fn dropped_unverified_panics_on_a_host() {
    let payload = std::panic::catch_unwind(|| {
        let mut pin: PinFake<'_> = PinFake::new("cs");
        pin.expect_set_low().unwrap();
    })
    .unwrap_err();
    assert_eq!(
        payload.downcast_ref::<String>().map(String::as_str),
        Some("fake:cs.set_low() was not called")
    );
    let payload = std::panic::catch_unwind(|| {
        let mut pin: PinFake<'_> = PinFake::new("cs");
        pin.expect_set_low().unwrap().expect_set_high().unwrap();
        let _ = pin.set_high();
    })
    .unwrap_err();
    assert_eq!(
        payload.downcast_ref::<String>().map(String::as_str),
        Some(
            "Call #1 was fake:cs.set_high(); Expected: #1 fake:cs.set_low(), \
             #2 fake:cs.set_high(), end"
        )
    );
}
