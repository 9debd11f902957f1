//! Bus transactions over an in-memory link to a host played by `HostSession`
//! (`crate::link::test_support`): replayed by the host, recorded through it from a real
//! device, mode 2, noise, and what cannot be answered.

use core::cell::RefCell;
use std::string::String;
use std::vec::Vec;

use embedded_hal::delay::DelayNs;
use embedded_hal::digital::{InputPin, OutputPin};
use embedded_hal::i2c::{self, I2c, NoAcknowledgeSource, Operation};
use embedded_hal::spi::SpiDevice;

use super::*;
use crate::link::test_support::{Noise, Sim, SimHost};
use crate::link::{LinkClient, LinkConfig};
use crate::replay::{Mode, Unmatched};

std::thread_local! {
    static REPORTS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

fn remember(report: &Report<'_>) {
    REPORTS.with(|r| {
        r.borrow_mut()
            .push(std::format!("{} ({})", report.request, report.error))
    });
}

fn reports() -> Vec<String> {
    REPORTS.with(|r| r.borrow_mut().drain(..).collect())
}

fn client(sim: Sim) -> LinkClient<Sim, 512> {
    LinkClient::new(
        sim,
        LinkConfig {
            session: 7,
            max_tries: 20,
        },
    )
}

/// Runs `f` on a link to `host`; returns what `f` returned and the host afterwards.
fn over_link<R>(sim: Sim, f: impl FnOnce(&HalLink<'_, Sim, 512>) -> R) -> (R, SimHost) {
    let mut request = [0u8; 64];
    let mut response = [0u8; 64];
    let link = HalLink::new(client(sim), &mut request, &mut response).with_report(remember);
    let out = f(&link);
    (out, link.into_client().into_inner().host)
}

/// A real I2C device at 0x48 whose registers read as their pointer repeated, counting its
/// calls; any other address is not acknowledged.
#[derive(Default)]
struct Chip {
    calls: u32,
}

#[derive(Debug)]
struct Nack;

impl i2c::Error for Nack {
    fn kind(&self) -> i2c::ErrorKind {
        i2c::ErrorKind::NoAcknowledge(NoAcknowledgeSource::Address)
    }
}

impl i2c::ErrorType for Chip {
    type Error = Nack;
}

impl I2c for Chip {
    fn transaction(&mut self, address: u8, ops: &mut [Operation<'_>]) -> Result<(), Nack> {
        self.calls += 1;
        if address != 0x48 {
            return Err(Nack);
        }
        let mut pointer = 0;
        for op in ops {
            match op {
                Operation::Write(bytes) => pointer = bytes.first().copied().unwrap_or(0),
                Operation::Read(buf) => buf.fill(pointer),
            }
        }
        Ok(())
    }
}

fn recorded(host: &SimHost) -> Vec<(&str, &str)> {
    host.recorded
        .iter()
        .map(|(q, a)| (q.as_str(), a.as_str()))
        .collect()
}

#[test]
fn the_host_replays_transactions_with_their_recorded_answers_and_errors() {
    let host = SimHost::new(Mode::Replay).with_replays(&[
        ("I2C:0x48 write [00] read 2", "[15 80]"),
        ("I2C:0x48 write [00] read 2", "[16 00]"),
        ("I2C:0x4f write [00] read 2", "error NoAcknowledge(Address)"),
    ]);
    let ((first, second, missing, stranger), host) = over_link(Sim::new(host), |link| {
        let mut bus = I2cReplay::new(link);
        let mut t = [0u8; 2];
        let first = bus.write_read(0x48u8, &[0], &mut t).map(|()| t);
        let second = bus.write_read(0x48u8, &[0], &mut t).map(|()| t);
        let missing = bus.write_read(0x4fu8, &[0], &mut t);
        let stranger = bus.write(0x20u8, &[1]);
        (first, second, missing, stranger)
    });
    assert_eq!(first, Ok([0x15, 0x80]));
    assert_eq!(second, Ok([0x16, 0x00]));
    assert_eq!(
        missing,
        Err(HalError::Device(DeviceError::NoAcknowledge(NoAck::Address)))
    );
    assert_eq!(stranger, Err(HalError::Unmatched(Unmatched::NoCandidate)));
    // The device's recorded error is an answer, not a failure: only the stranger is reported,
    // as its whole request entry.
    assert_eq!(reports().len(), 1);
    assert!(host.recorded.is_empty());
    assert_eq!(
        host.served,
        [
            "I2C:0x48 write [00] read 2",
            "I2C:0x48 write [00] read 2",
            "I2C:0x4f write [00] read 2",
            "I2C:0x20 write [01]"
        ]
    );
}

#[test]
fn an_answer_of_the_wrong_shape_is_reported_not_taken() {
    let host = SimHost::new(Mode::Replay).with_replays(&[("I2C:0x48 read 1", "[01 02]")]);
    let (outcome, _) = over_link(Sim::new(host), |link| {
        I2cReplay::new(link).read(0x48u8, &mut [0u8; 1])
    });
    assert_eq!(outcome, Err(HalError::Mismatch));
    let reported = reports();
    assert_eq!(reported.len(), 1);
    assert!(
        reported[0].starts_with("<-I2C:0x48 read 1 ("),
        "{reported:?}"
    );
}

#[test]
fn a_real_device_is_passed_through_and_recorded_in_the_host_text() {
    let (chip, host) = over_link(Sim::new(SimHost::new(Mode::Record)), |link| {
        let mut bus = LinkRecorded::new(link, "i2c", Chip::default());
        let mut t = [0u8; 2];
        assert_eq!(bus.write_read(0x48u8, &[3], &mut t), Ok(()));
        assert_eq!(t, [3, 3]);
        assert_eq!(
            bus.write(0x4fu8, &[1, 2]),
            Err(HalError::Device(DeviceError::NoAcknowledge(NoAck::Address)))
        );
        bus.into_inner()
    });
    assert_eq!(chip.calls, 2);
    assert_eq!(
        recorded(&host),
        [
            ("I2C:0x48 write [03] read 2", "[03 03]"),
            ("I2C:0x4f write [01 02]", "error NoAcknowledge(Address)")
        ]
    );
    assert!(reports().is_empty());
}

#[test]
fn mode_two_replays_what_the_host_has_and_records_the_rest() {
    let host = SimHost::new(Mode::ReplayOldRecordNew)
        .with_replays(&[("I2C:0x48 write [00] read 2", "[aa bb]")]);
    let (chip, host) = over_link(Sim::new(host), |link| {
        let mut bus = LinkRecorded::new(link, "i2c", Chip::default());
        let mut t = [0u8; 2];
        bus.write_read(0x48u8, &[0], &mut t).unwrap();
        assert_eq!(t, [0xaa, 0xbb], "replayed, not the chip's");
        bus.write_read(0x48u8, &[7], &mut t).unwrap();
        assert_eq!(t, [7, 7], "the chip's");
        bus.into_inner()
    });
    assert_eq!(chip.calls, 1);
    assert_eq!(recorded(&host), [("I2C:0x48 write [07] read 2", "[07 07]")]);
}

#[test]
fn a_replaying_device_on_a_recording_host_has_nothing_real_to_ask() {
    let (outcome, host) = over_link(Sim::new(SimHost::new(Mode::Record)), |link| {
        I2cReplay::new(link).write(0x48u8, &[1])
    });
    assert_eq!(outcome, Err(HalError::Host));
    assert_eq!(reports().len(), 1);
    assert!(host.recorded.is_empty());
}

/// Pins, SPI devices and delays go over the link in the text the host writes for them.
struct Level(bool);
struct Spi;
struct Wait;

impl embedded_hal::digital::ErrorType for Level {
    type Error = core::convert::Infallible;
}
impl InputPin for Level {
    fn is_high(&mut self) -> Result<bool, Self::Error> {
        Ok(self.0)
    }
    fn is_low(&mut self) -> Result<bool, Self::Error> {
        Ok(!self.0)
    }
}
impl OutputPin for Level {
    fn set_low(&mut self) -> Result<(), Self::Error> {
        self.0 = false;
        Ok(())
    }
    fn set_high(&mut self) -> Result<(), Self::Error> {
        self.0 = true;
        Ok(())
    }
}
impl embedded_hal::spi::ErrorType for Spi {
    type Error = core::convert::Infallible;
}
impl SpiDevice for Spi {
    fn transaction(
        &mut self,
        operations: &mut [embedded_hal::spi::Operation<'_, u8>],
    ) -> Result<(), Self::Error> {
        for op in operations {
            if let embedded_hal::spi::Operation::Read(buf) = op {
                buf.fill(0xef);
            }
        }
        Ok(())
    }
}
impl DelayNs for Wait {
    fn delay_ns(&mut self, _: u32) {}
}

#[test]
fn pins_spi_and_delays_are_recorded_in_the_host_text() {
    let ((), host) = over_link(Sim::new(SimHost::new(Mode::Record)), |link| {
        let mut led = LinkRecorded::new(link, "led", Level(false));
        led.set_high().unwrap();
        assert_eq!(led.is_high(), Ok(true));
        let mut flash = LinkRecorded::new(link, "flash", Spi);
        let mut id = [0u8; 2];
        SpiDevice::read(&mut flash, &mut id).unwrap();
        assert_eq!(id, [0xef, 0xef]);
        LinkRecorded::new(link, "delay", Wait).delay_ms(10);
    });
    assert_eq!(
        recorded(&host),
        [
            ("PIN:led set_high", "ok"),
            ("PIN:led is_high", "true"),
            ("SPI:flash read 2", "[ef ef]"),
            ("DLY:delay delay_ms 10", "ok")
        ]
    );
}

#[test]
fn noise_on_the_line_costs_repeats_never_a_wrong_answer_or_a_double_record() {
    let noise = Noise {
        garbage: 150,
        drop: 150,
        flip: 150,
        lose: 50,
    };
    let mut sim = Sim::new(SimHost::new(Mode::Record));
    sim.to_host = noise.clone();
    sim.to_device = noise;
    let mut request = [0u8; 64];
    let mut response = [0u8; 64];
    let link = HalLink::new(client(sim), &mut request, &mut response);
    let mut bus = LinkRecorded::new(&link, "i2c", Chip::default());
    for pointer in 0..20u8 {
        let mut t = [0u8; 1];
        bus.write_read(0x48u8, &[pointer], &mut t).unwrap();
        assert_eq!(t, [pointer]);
    }
    let _chip = bus.into_inner();
    let client = link.into_client();
    assert!(client.stats().repeats > 0, "{:?}", client.stats());
    let sim = client.into_inner();
    assert!(sim.hits > 5, "the noise hit {} frames", sim.hits);
    let host = sim.host;
    let expected: Vec<(String, String)> = (0..20u8)
        .map(|p| {
            (
                std::format!("I2C:0x48 write [{p:02x}] read 1"),
                std::format!("[{p:02x}]"),
            )
        })
        .collect();
    assert_eq!(host.recorded, expected);
}

#[test]
fn the_table_comes_over_the_link_piece_by_piece() {
    // What `capturemock bridge --hal -p` answers, in pieces of at most what the device's
    // frames carry (64-byte frames: 50 bytes of text), the last one empty.
    let first = "<-I2C:0x48 read 1\n->I2C:[01]\n<-DLY:d delay_ms 100\n";
    let second = "->DLY:ok\n";
    assert_eq!(first.len(), 50);
    let host = SimHost::new(Mode::Replay).with_replays(&[
        ("table 0 50", first),
        ("table 50 50", second),
        ("table 59 50", ""),
    ]);
    let config = LinkConfig {
        session: 7,
        max_tries: 20,
    };
    let mut client: LinkClient<Sim, 64> = LinkClient::new(Sim::new(host), config);
    let mut buf = [0u8; 80];
    let table = download_table(&mut client, &mut buf).map(String::from);
    assert_eq!(table, Ok(std::format!("{first}{second}")));
    let mut small = [0u8; 56];
    assert_eq!(
        download_table(&mut client, &mut small),
        Err(DownloadError::TooLarge { received: 50 })
    );
    let recording = SimHost::new(Mode::Record);
    let mut client: LinkClient<Sim, 64> = LinkClient::new(Sim::new(recording), config);
    assert_eq!(
        download_table(&mut client, &mut buf),
        Err(DownloadError::NoTable)
    );
}

/// A line to the host that goes dead after `frames` frames from the device: writes fail.
struct Dying {
    sim: Sim,
    frames: usize,
}

impl embedded_io::ErrorType for Dying {
    type Error = crate::link::test_support::SimError;
}

impl embedded_io::Write for Dying {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        if self.sim.frames_from_device >= self.frames {
            return Err(crate::link::test_support::SimError(
                embedded_io::ErrorKind::BrokenPipe,
            ));
        }
        embedded_io::Write::write(&mut self.sim, buf)
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        embedded_io::Write::flush(&mut self.sim)
    }
}

impl embedded_io::Read for Dying {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        embedded_io::Read::read(&mut self.sim, buf)
    }
}

#[test]
fn a_record_the_host_never_gets_is_reported_and_the_driver_keeps_the_real_answer() {
    // Mode 2: the hello and the replay request get through (nothing recorded answers it), then
    // the line dies before the record.
    let dying = Dying {
        sim: Sim::new(SimHost::new(Mode::ReplayOldRecordNew)),
        frames: 2,
    };
    let mut request = [0u8; 64];
    let mut response = [0u8; 64];
    let config = LinkConfig {
        session: 7,
        max_tries: 3,
    };
    let link = HalLink::new(
        LinkClient::<_, 512>::new(dying, config),
        &mut request,
        &mut response,
    )
    .with_report(remember);
    let mut bus = LinkRecorded::new(&link, "i2c", Chip::default());
    let mut t = [0u8; 1];
    assert_eq!(bus.write_read(0x48u8, &[9], &mut t), Ok(()));
    assert_eq!(t, [9]);
    assert_eq!(bus.into_inner().calls, 1);
    assert_eq!(
        reports(),
        ["<-I2C:0x48 write [09] read 1 (the host side failed)"]
    );
    let host = link.into_client().into_inner().sim.host;
    assert!(host.recorded.is_empty());
    assert_eq!(host.served, ["I2C:0x48 write [09] read 1"]);
}
