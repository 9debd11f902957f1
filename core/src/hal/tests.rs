//! The replaying devices against tables written as a recorder writes them.

use core::cell::RefCell;
use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};
use std::string::{String, ToString};
use std::vec::Vec;

use embedded_hal::delay::DelayNs;
use embedded_hal::digital::{InputPin, OutputPin, StatefulOutputPin};
use embedded_hal::i2c::{self, I2c};
use embedded_hal::spi::{self, SpiBus, SpiDevice};

use super::*;
use crate::replay::{ArrayStorage, LookupScratch, MatchOptions, Unmatched};

type Storage = ArrayStorage<'static, 32, 32>;

/// Room for the tests' requests and keys (in words).
const WORDS: usize = 24;
const SCRATCH: usize = LookupScratch::required(WORDS, WORDS, 0);

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

/// Runs `text` as a table through `f`, with the report hook on.
fn with_replay<R>(
    text: &'static str,
    options: MatchOptions,
    f: impl FnOnce(&HalReplay<'static, '_, Storage>) -> R,
) -> R {
    let mut scratch = [0u32; SCRATCH];
    let mut request = [0u8; 96];
    let scratch = LookupScratch::new(&mut scratch, WORDS, WORDS, 0).unwrap();
    let replay = HalReplay::from_mock(text, Storage::new(), scratch, &mut request, options)
        .unwrap()
        .with_report(remember);
    reports();
    f(&replay)
}

/// Drives a future that never waits (every replayed call answers at once).
fn now<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("a replayed call waited"),
    }
}

const SENSOR: &str = "\
<-I2C:0x48 write [01 60]
->I2C:ok
<-I2C:0x48 write [00] read 2
->I2C:[19 80]
<-I2C:0x48 write [00] read 2
->I2C:[1a 00]
<-I2C:0x49 read 1
->I2C:error NoAcknowledge(Address)
";

#[test]
fn i2c_transactions_replay_in_order_with_repeats() {
    with_replay(SENSOR, MatchOptions::default(), |replay| {
        let mut bus = I2cReplay::new(replay);
        bus.write(0x48u8, &[0x01, 0x60]).unwrap();
        let mut t = [0u8; 2];
        bus.write_read(0x48u8, &[0x00], &mut t).unwrap();
        assert_eq!(t, [0x19, 0x80]);
        bus.write_read(0x48u8, &[0x00], &mut t).unwrap();
        assert_eq!(t, [0x1a, 0x00]);
        // Recorded answers run out: the first again, as everywhere.
        bus.write_read(0x48u8, &[0x00], &mut t).unwrap();
        assert_eq!(t, [0x19, 0x80]);
        assert_eq!(
            replay.with_table(|t| t.requests().map(|r| r.times_chosen).collect::<Vec<_>>()),
            Some(std::vec![1, 3, 0])
        );
        assert!(reports().is_empty());
    });
}

#[test]
fn a_recorded_nack_is_the_traits_error_and_is_not_reported() {
    with_replay(SENSOR, MatchOptions::default(), |replay| {
        let mut bus = I2cReplay::new(replay);
        let error = bus.read(0x49u8, &mut [0u8; 1]).unwrap_err();
        assert_eq!(
            i2c::Error::kind(&error),
            i2c::ErrorKind::NoAcknowledge(i2c::NoAcknowledgeSource::Address)
        );
        assert_eq!(
            error,
            HalError::Device(DeviceError::NoAcknowledge(NoAck::Address))
        );
        assert!(reports().is_empty());
    });
}

#[test]
fn best_match_answers_a_near_transaction_and_exact_matching_refuses_it() {
    // Another configuration byte: the nearest recorded transaction answers, as everywhere.
    with_replay(SENSOR, MatchOptions::default(), |replay| {
        I2cReplay::new(replay).write(0x48u8, &[0x01, 0x62]).unwrap();
    });
    let exact = MatchOptions {
        exact_only: true,
        ..MatchOptions::default()
    };
    with_replay(SENSOR, exact, |replay| {
        let error = I2cReplay::new(replay)
            .write(0x48u8, &[0x01, 0x62])
            .unwrap_err();
        assert_eq!(error, HalError::Unmatched(Unmatched::ExactMatchingRequired));
        assert_eq!(i2c::Error::kind(&error), i2c::ErrorKind::Other);
        assert_eq!(
            reports(),
            ["<-I2C:0x48 write [01 62] (not recorded as it is, and exact matching is on)"]
        );
    });
}

/// Drives `SENSOR`'s transactions, then one it does not have (another configuration byte),
/// through a replay that matches exactly only.
fn exact_only_run<S: crate::replay::Storage<'static>>(
    replay: &HalReplay<'static, '_, S, ExactOnly>,
) {
    let mut bus = I2cReplay::new(replay);
    bus.write(0x48u8, &[0x01, 0x60]).unwrap();
    let mut t = [0u8; 2];
    for expected in [[0x19, 0x80], [0x1a, 0x00], [0x19, 0x80]] {
        bus.write_read(0x48u8, &[0x00], &mut t).unwrap();
        assert_eq!(t, expected);
    }
    assert_eq!(
        bus.read(0x49u8, &mut [0u8; 1]),
        Err(HalError::Device(DeviceError::NoAcknowledge(NoAck::Address)))
    );
    assert_eq!(
        bus.write(0x48u8, &[0x01, 0x62]),
        Err(HalError::Unmatched(Unmatched::ExactMatchingRequired))
    );
    assert_eq!(
        replay.with_table(|t| t.requests().map(|r| r.times_chosen).collect::<Vec<_>>()),
        Some(std::vec![1, 3, 1])
    );
    assert_eq!(
        reports(),
        ["<-I2C:0x48 write [01 62] (not recorded as it is, and exact matching is on)"]
    );
}

#[test]
fn exact_only_matching_refuses_a_near_transaction_whatever_the_options() {
    // Best match is on in the options; `ExactOnly` still answers as `exact_only` would.
    let mut request = [0u8; 96];
    let replay = HalReplay::from_mock(
        SENSOR,
        Storage::new(),
        ExactOnly,
        &mut request,
        MatchOptions::default(),
    )
    .unwrap()
    .with_report(remember);
    reports();
    exact_only_run(&replay);
}

#[test]
fn a_frozen_table_in_flash_replays_like_the_text() {
    use crate::replay::{Frozen, Parts, ReplayTable, Requirements};
    // What a build script does on the host (examples/firmware-size-replay/build.rs), with
    // the arrays leaked instead of written out as Rust source.
    let records = || {
        crate::format::entries(SENSOR).map(|e| {
            Ok::<_, crate::format::ParseError>(
                e.unwrap()
                    .plain(crate::format::NewlineOptions::NONE)
                    .unwrap(),
            )
        })
    };
    let needs = Requirements::measure(records()).unwrap();
    let requests = std::vec![crate::replay::RequestSlot::EMPTY; needs.requests].leak();
    let groups = std::vec![crate::replay::GroupSlot::EMPTY; needs.requests].leak();
    let group_order = std::vec![0u32; needs.requests].leak();
    let responses = std::vec![crate::replay::ResponseSlot::EMPTY; needs.responses].leak();
    let mut key_slots = std::vec![0u32; needs.key_slots()];
    let parts = Parts {
        requests: &mut *requests,
        groups: &mut *groups,
        group_order: &mut *group_order,
        responses: &mut *responses,
        key_slots: &mut key_slots,
        index: None,
    };
    let table = ReplayTable::build(records(), parts, MatchOptions::default()).unwrap();
    let (n, g, r) = (
        table.request_count(),
        table.group_count(),
        table.response_count(),
    );
    let frozen = Frozen {
        requests: &requests[..n],
        groups: &groups[..g],
        group_order: &group_order[..g],
        responses: &responses[..r],
    };

    let mut request_slots = [crate::replay::RequestSlot::EMPTY; 3];
    let mut hash_slots = [0u32; 4];
    let mut request = [0u8; 96];
    let table = ReplayTable::from_frozen(
        &frozen,
        &mut request_slots,
        &mut hash_slots,
        MatchOptions::default(),
    )
    .unwrap();
    let replay = HalReplay::new(table, ExactOnly, &mut request).with_report(remember);
    reports();
    exact_only_run(&replay);
}

#[test]
fn a_nearest_match_of_another_shape_is_a_reported_mismatch() {
    with_replay(SENSOR, MatchOptions::default(), |replay| {
        let mut bus = I2cReplay::new(replay);
        // Three bytes asked, two recorded.
        let error = bus.write_read(0x48u8, &[0x00], &mut [0u8; 3]).unwrap_err();
        assert_eq!(error, HalError::Mismatch);
        assert_eq!(
            reports(),
            [
                "<-I2C:0x48 write [00] read 3 (the recorded response does not fit the \
              transaction's operations)"
            ]
        );
    });
}

#[test]
fn an_unmatched_transaction_is_reported() {
    with_replay(SENSOR, MatchOptions::default(), |replay| {
        let mut led = PinReplay::new(replay, "led");
        assert_eq!(
            led.set_high(),
            Err(HalError::Unmatched(Unmatched::NoCandidate))
        );
        assert_eq!(reports().len(), 1);
    });
}

#[test]
fn a_request_longer_than_the_buffer_is_an_error_not_a_panic() {
    let mut scratch = [0u32; SCRATCH];
    let mut request = [0u8; 12];
    let scratch = LookupScratch::new(&mut scratch, WORDS, WORDS, 0).unwrap();
    let replay = HalReplay::from_mock(
        SENSOR,
        Storage::new(),
        scratch,
        &mut request,
        MatchOptions::default(),
    )
    .unwrap();
    let error = I2cReplay::new(&replay)
        .write(0x48u8, &[1, 0x60])
        .unwrap_err();
    assert_eq!(error, HalError::RequestTooLong { needed: 24 });
}

#[test]
fn polling_a_status_register_replays_the_recorded_sequence() {
    const POLL: &str = "\
<-SPI:flash write [05] read 1
->SPI:[03]
<-SPI:flash write [05] read 1
->SPI:[03]
<-SPI:flash write [05] read 1
->SPI:[00]
";
    with_replay(POLL, MatchOptions::default(), |replay| {
        let mut flash = SpiDeviceReplay::new(replay, "flash");
        let mut polls = 0;
        loop {
            let mut status = [0u8];
            flash
                .transaction(&mut [
                    spi::Operation::Write(&[0x05]),
                    spi::Operation::Read(&mut status),
                ])
                .unwrap();
            polls += 1;
            if status[0] & 1 == 0 {
                break;
            }
        }
        assert_eq!(polls, 3);
    });
}

const SPI: &str = "\
<-SPI:flash write [9f] read 3
->SPI:[ef 40 18]
<-SPI:flash write [06] delay_ns 100 transfer_in_place [02 00] transfer [03] 2
->SPI:[aa bb] [cc dd]
<-SPI:bus write [01 02]
->SPI:ok
<-SPI:bus flush
->SPI:ok
<-SPI:bus read 1
->SPI:error Overrun
";

#[test]
fn a_spi_device_transaction_is_one_exchange() {
    with_replay(SPI, MatchOptions::default(), |replay| {
        let mut flash = SpiDeviceReplay::new(replay, "flash");
        let mut id = [0u8; 3];
        flash
            .transaction(&mut [
                spi::Operation::Write(&[0x9f]),
                spi::Operation::Read(&mut id),
            ])
            .unwrap();
        assert_eq!(id, [0xef, 0x40, 0x18]);
        let (mut in_place, mut read) = ([0x02, 0x00], [0u8; 2]);
        flash
            .transaction(&mut [
                spi::Operation::Write(&[0x06]),
                spi::Operation::DelayNs(100),
                spi::Operation::TransferInPlace(&mut in_place),
                spi::Operation::Transfer(&mut read, &[0x03]),
            ])
            .unwrap();
        assert_eq!((in_place, read), ([0xaa, 0xbb], [0xcc, 0xdd]));
        assert!(reports().is_empty());
    });
}

#[test]
fn a_spi_bus_call_is_one_exchange_and_errors_come_back() {
    with_replay(SPI, MatchOptions::default(), |replay| {
        let mut bus = SpiBusReplay::new(replay, "bus");
        SpiBus::write(&mut bus, &[1, 2]).unwrap();
        SpiBus::flush(&mut bus).unwrap();
        let error = SpiBus::read(&mut bus, &mut [0u8]).unwrap_err();
        assert_eq!(spi::Error::kind(&error), spi::ErrorKind::Overrun);
    });
}

const PINS: &str = "\
<-PIN:led set_high
->PIN:ok
<-PIN:led is_set_high
->PIN:true
<-PIN:led toggle
->PIN:ok
<-PIN:button is_low
->PIN:false
<-PIN:button is_low
->PIN:true
<-PIN:button wait_for_falling_edge
->PIN:ok
<-DLY:delay delay_ms 10
->DLY:ok
<-DLY:delay delay_us 50
->DLY:ok
";

#[test]
fn pins_and_delays_replay() {
    with_replay(PINS, MatchOptions::default(), |replay| {
        let mut led = PinReplay::new(replay, "led");
        let mut button = PinReplay::new(replay, "button");
        let mut delay = DelayReplay::new(replay, "delay");
        led.set_high().unwrap();
        assert!(led.is_set_high().unwrap());
        led.toggle().unwrap();
        assert!(!button.is_low().unwrap());
        delay.delay_ms(10);
        assert!(button.is_low().unwrap());
        delay.delay_us(50);
        assert!(reports().is_empty());
        // A delay nothing recorded resembles is reported: there is no error to return.
        DelayReplay::new(replay, "timer").delay_ns(7);
        assert_eq!(reports(), ["<-DLY:timer delay_ns 7 (no recorded transaction of this bus shares a word with it)"]);
    });
}

#[test]
fn async_forms_answer_the_same() {
    use embedded_hal_async::delay::DelayNs as AsyncDelayNs;
    use embedded_hal_async::digital::Wait as _;
    use embedded_hal_async::i2c::I2c as AsyncI2c;
    use embedded_hal_async::spi::SpiDevice as AsyncSpiDevice;
    with_replay(SENSOR, MatchOptions::default(), |replay| {
        let mut bus = I2cReplay::new(replay);
        let mut t = [0u8; 2];
        now(AsyncI2c::write_read(&mut bus, 0x48u8, &[0x00], &mut t)).unwrap();
        assert_eq!(t, [0x19, 0x80]);
    });
    with_replay(SPI, MatchOptions::default(), |replay| {
        let mut id = [0u8; 3];
        let mut flash = SpiDeviceReplay::new(replay, "flash");
        now(AsyncSpiDevice::transaction(
            &mut flash,
            &mut [
                spi::Operation::Write(&[0x9f]),
                spi::Operation::Read(&mut id),
            ],
        ))
        .unwrap();
        assert_eq!(id, [0xef, 0x40, 0x18]);
    });
    with_replay(PINS, MatchOptions::default(), |replay| {
        now(PinReplay::new(replay, "button").wait_for_falling_edge()).unwrap();
        now(AsyncDelayNs::delay_ms(
            &mut DelayReplay::new(replay, "delay"),
            10,
        ));
        assert!(reports().is_empty());
    });
}

#[test]
fn ten_bit_addresses_have_four_digits() {
    const TEN: &str = "<-I2C:0x0348 read 1\n->I2C:[7f]\n";
    with_replay(TEN, MatchOptions::default(), |replay| {
        let mut byte = [0u8];
        I2c::<i2c::TenBitAddress>::read(&mut I2cReplay::new(replay), 0x348, &mut byte).unwrap();
        assert_eq!(byte, [0x7f]);
    });
}

#[test]
fn the_binary_form_answers_like_the_text() {
    let text = SENSOR.to_string();
    let sizes =
        crate::binary::text_to_binary_sizes(&text, crate::format::NewlineOptions::NONE).unwrap();
    let mut bytes = std::vec![0u8; sizes.binary_len];
    let mut decode = std::vec![0u8; sizes.scratch_len];
    let len = crate::binary::text_to_binary(
        &text,
        crate::format::NewlineOptions::NONE,
        &mut bytes,
        &mut decode,
    )
    .unwrap();
    let bytes: &'static [u8] = std::vec::Vec::leak(bytes[..len].to_vec());
    let mut scratch = [0u32; SCRATCH];
    let mut request = [0u8; 96];
    let scratch = LookupScratch::new(&mut scratch, WORDS, WORDS, 0).unwrap();
    let replay = HalReplay::from_binary(
        bytes,
        Storage::new(),
        scratch,
        &mut request,
        MatchOptions::default(),
    )
    .unwrap();
    let mut t = [0u8; 2];
    I2cReplay::new(&replay)
        .write_read(0x48u8, &[0x00], &mut t)
        .unwrap();
    assert_eq!(t, [0x19, 0x80]);
}

#[test]
fn recorded_text_is_what_a_transaction_writes() {
    let mut read = [0x19, 0x80];
    let mut ops = [
        i2c::Operation::Write(&[0x00]),
        i2c::Operation::Read(&mut read),
    ];
    let t = I2cTransaction::new(Address::Seven(0x48), &mut ops);
    let (mut request, mut response) = (String::new(), String::new());
    t.write_request(&mut request).unwrap();
    t.write_response(&mut response).unwrap();
    assert_eq!(request, "0x48 write [00] read 2");
    assert_eq!(response, "[19 80]");
}
