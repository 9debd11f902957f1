//! Recording real (simulated) devices to a file and replaying the file without them.

use std::cell::Cell;
use std::rc::Rc;

use capturemock_core::hal::{DeviceError, HalError, I2cReplay, NoAck, PinReplay, SpiDeviceReplay};
use capturemock_core::replay::Mode;
use embedded_hal::delay::DelayNs;
use embedded_hal::digital::{InputPin, OutputPin};
use embedded_hal::i2c::{self, I2c};
use embedded_hal::spi::{self, SpiDevice};

use super::HalSession;

/// A device at 0x48 with a pointer register and 2-byte registers; nothing answers elsewhere.
/// Counts the transactions that reach it.
struct Registers {
    pointer: u8,
    values: [[u8; 2]; 4],
    calls: Rc<Cell<u32>>,
}

#[derive(Debug)]
struct Nack;

impl i2c::Error for Nack {
    fn kind(&self) -> i2c::ErrorKind {
        i2c::ErrorKind::NoAcknowledge(i2c::NoAcknowledgeSource::Address)
    }
}

impl i2c::ErrorType for Registers {
    type Error = Nack;
}

impl I2c for Registers {
    fn transaction(&mut self, address: u8, ops: &mut [i2c::Operation<'_>]) -> Result<(), Nack> {
        self.calls.set(self.calls.get() + 1);
        if address != 0x48 {
            return Err(Nack);
        }
        for op in ops {
            match op {
                i2c::Operation::Write(bytes) => {
                    if let Some((&p, rest)) = bytes.split_first() {
                        self.pointer = p & 3;
                        if rest.len() == 2 {
                            self.values[self.pointer as usize] = [rest[0], rest[1]];
                        }
                    }
                }
                i2c::Operation::Read(buf) => {
                    let value = self.values[self.pointer as usize];
                    for (i, b) in buf.iter_mut().enumerate() {
                        *b = value[i % 2];
                    }
                }
            }
        }
        Ok(())
    }
}

fn registers() -> (Registers, Rc<Cell<u32>>) {
    let calls = Rc::new(Cell::new(0));
    let device = Registers {
        pointer: 0,
        values: [[0x19, 0x80], [0, 0], [0x4b, 0], [0x50, 0]],
        calls: calls.clone(),
    };
    (device, calls)
}

/// What a driver does: configure, read twice, and touch an absent device.
fn drive(bus: &mut impl I2c<Error = HalError>) -> (Vec<[u8; 2]>, HalError) {
    bus.write(0x48, &[0x01, 0x60]).unwrap();
    let mut reads = Vec::new();
    for _ in 0..2 {
        let mut t = [0u8; 2];
        bus.write_read(0x48, &[0x00], &mut t).unwrap();
        reads.push(t);
    }
    let error = bus.read(0x49, &mut [0u8; 1]).unwrap_err();
    (reads, error)
}

const RECORDED: &str = "\
<-I2C:0x48 write [01 60]
->I2C:ok
<-I2C:0x48 write [00] read 2
->I2C:[19 80]
<-I2C:0x48 write [00] read 2
->I2C:[19 80]
<-I2C:0x49 read 1
->I2C:error NoAcknowledge(Address)
";

#[test]
fn recording_passes_through_and_writes_one_exchange_per_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sensor.mock");
    let (device, calls) = registers();
    let session = HalSession::record(&file).unwrap();
    let (reads, error) = drive(&mut session.i2c(device));
    assert_eq!(reads, [[0x19, 0x80], [0x19, 0x80]]);
    assert_eq!(
        error,
        HalError::Device(DeviceError::NoAcknowledge(NoAck::Address))
    );
    assert_eq!(calls.get(), 4);
    drop(session);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), RECORDED);
}

#[test]
fn a_replay_answers_without_the_device_and_writes_the_same_text() {
    let dir = tempfile::tempdir().unwrap();
    let (replay, again) = (dir.path().join("r.mock"), dir.path().join("again.mock"));
    std::fs::write(&replay, RECORDED).unwrap();
    // The core's replay bus over the file.
    let session = HalSession::builder(Mode::Replay)
        .replay_file(&replay)
        .record_file(&again)
        .open()
        .unwrap();
    let (reads, error) = drive(&mut I2cReplay::new(&session));
    assert_eq!(reads, [[0x19, 0x80], [0x19, 0x80]]);
    assert_eq!(
        i2c::Error::kind(&error),
        i2c::ErrorKind::NoAcknowledge(i2c::NoAcknowledgeSource::Address)
    );
    drop(session);
    assert_eq!(std::fs::read_to_string(&again).unwrap(), RECORDED);

    // A wrapped device in replay mode is never called.
    let (device, calls) = registers();
    let session = HalSession::replay(&replay).unwrap();
    drive(&mut session.i2c(device));
    assert_eq!(calls.get(), 0);
    assert!(session.failures().is_empty());
}

#[test]
fn what_the_replay_cannot_answer_is_reported_and_is_the_traits_error() {
    let dir = tempfile::tempdir().unwrap();
    let replay = dir.path().join("r.mock");
    std::fs::write(&replay, RECORDED).unwrap();
    let session = HalSession::builder(Mode::Replay)
        .replay_file(&replay)
        .exact_matching(true)
        .open()
        .unwrap();
    let error = I2cReplay::new(&session)
        .write(0x48u8, &[0x01, 0x62])
        .unwrap_err();
    assert_eq!(i2c::Error::kind(&error), i2c::ErrorKind::Other);
    let failures = session.failures();
    assert_eq!(failures.len(), 1);
    assert!(
        failures[0].starts_with("<-I2C:0x48 write [01 62]: not recorded as it is"),
        "{failures:?}"
    );
}

#[test]
fn mode_2_replays_what_is_recorded_and_records_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let (replay, record) = (dir.path().join("r.mock"), dir.path().join("w.mock"));
    std::fs::write(&replay, "<-I2C:0x48 write [00] read 2\n->I2C:[7f 00]\n").unwrap();
    let (device, calls) = registers();
    let session = HalSession::builder(Mode::ReplayOldRecordNew)
        .replay_file(&replay)
        .record_file(&record)
        .open()
        .unwrap();
    let mut bus = session.i2c(device);
    let mut t = [0u8; 2];
    bus.write_read(0x48, &[0x00], &mut t).unwrap();
    assert_eq!((t, calls.get()), ([0x7f, 0], 0));
}

/// A flash chip's identification and status, and a pin.
struct Flash;

impl spi::ErrorType for Flash {
    type Error = spi::ErrorKind;
}

impl SpiDevice for Flash {
    fn transaction(&mut self, ops: &mut [spi::Operation<'_, u8>]) -> Result<(), spi::ErrorKind> {
        for op in ops {
            match op {
                spi::Operation::Read(buf) => buf.copy_from_slice(&[0xef, 0x40, 0x18][..buf.len()]),
                spi::Operation::TransferInPlace(buf) => buf.iter_mut().for_each(|b| *b = !*b),
                spi::Operation::Write(_) | spi::Operation::DelayNs(_) => {}
                spi::Operation::Transfer(..) => return Err(spi::ErrorKind::ModeFault),
            }
        }
        Ok(())
    }
}

struct Pin(bool);

impl embedded_hal::digital::ErrorType for Pin {
    type Error = core::convert::Infallible;
}

impl OutputPin for Pin {
    fn set_low(&mut self) -> Result<(), Self::Error> {
        self.0 = false;
        Ok(())
    }
    fn set_high(&mut self) -> Result<(), Self::Error> {
        self.0 = true;
        Ok(())
    }
}

impl InputPin for Pin {
    fn is_high(&mut self) -> Result<bool, Self::Error> {
        Ok(self.0)
    }
    fn is_low(&mut self) -> Result<bool, Self::Error> {
        Ok(!self.0)
    }
}

struct Sleep;

impl DelayNs for Sleep {
    fn delay_ns(&mut self, _: u32) {}
}

#[test]
fn spi_pins_and_delays_record_and_replay() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("board.mock");
    let session = HalSession::record(&file).unwrap();
    let (mut flash, mut cs) = (session.spi("flash", Flash), session.pin("cs", Pin(false)));
    let mut delay = session.delay("delay", Sleep);
    let mut id = [0u8; 3];
    flash
        .transaction(&mut [
            spi::Operation::Write(&[0x9f]),
            spi::Operation::Read(&mut id),
        ])
        .unwrap();
    let mut inverted = [0x0f, 0xf0];
    flash
        .transaction(&mut [spi::Operation::TransferInPlace(&mut inverted)])
        .unwrap();
    let error = flash
        .transaction(&mut [spi::Operation::Transfer(&mut [0u8], &[1])])
        .unwrap_err();
    cs.set_high().unwrap();
    assert!(cs.is_high().unwrap());
    delay.delay_us(20);
    assert_eq!(inverted, [0xf0, 0x0f]);
    assert_eq!(spi::Error::kind(&error), spi::ErrorKind::ModeFault);
    drop((flash, cs, delay, session));
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        text,
        "<-SPI:flash write [9f] read 3\n->SPI:[ef 40 18]\n\
         <-SPI:flash transfer_in_place [0f f0]\n->SPI:[f0 0f]\n\
         <-SPI:flash transfer [01] 1\n->SPI:error ModeFault\n\
         <-PIN:cs set_high\n->PIN:ok\n<-PIN:cs is_high\n->PIN:true\n\
         <-DLY:delay delay_us 20\n->DLY:ok\n"
    );

    let session = HalSession::replay(&file).unwrap();
    let mut flash = SpiDeviceReplay::new(&session, "flash");
    let mut cs = PinReplay::new(&session, "cs");
    let mut id = [0u8; 3];
    flash
        .transaction(&mut [
            spi::Operation::Write(&[0x9f]),
            spi::Operation::Read(&mut id),
        ])
        .unwrap();
    assert_eq!(id, [0xef, 0x40, 0x18]);
    let mut inverted = [0x0f, 0xf0];
    flash
        .transaction(&mut [spi::Operation::TransferInPlace(&mut inverted)])
        .unwrap();
    assert_eq!(inverted, [0xf0, 0x0f]);
    cs.set_high().unwrap();
    assert!(cs.is_high().unwrap());
    assert!(session.failures().is_empty());
}
