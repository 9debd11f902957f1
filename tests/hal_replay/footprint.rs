//! The footprint firmware's driver (examples/firmware-size-replay/src/bin/i2c.rs), replayed on
//! the host from the text of its recording with best match on, gives the bytes written down
//! in `i2c.expected`. `measure.sh --i2c --check` runs the measured image (a frozen table in
//! flash, exact matching only) under QEMU and compares its UART output with the same file:
//! so the image that meets the size goals answers as the reference engine does.

use std::cell::RefCell;

use capturemock_core::hal::{HalReplay, I2cReplay, Report};
use capturemock_core::replay::{ArrayStorage, LookupScratch, MatchOptions};
use embedded_hal::i2c::I2c;

const RECORDING: &str = include_str!("../../examples/firmware-size-replay/i2c.mock");
const EXPECTED: &str = include_str!("../../examples/firmware-size-replay/i2c.expected");

thread_local! {
    static SINK: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    static REPORTS: RefCell<usize> = const { RefCell::new(0) };
}

fn emit(bytes: &[u8]) {
    SINK.with(|s| s.borrow_mut().extend_from_slice(bytes));
}

fn report(_: &Report<'_>) {
    REPORTS.with(|r| *r.borrow_mut() += 1);
    emit(b"?");
}

/// The firmware's `drive`, line for line.
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

#[test]
fn the_footprint_firmwares_driver_replays_the_expected_bytes() {
    const WORDS: usize = 8;
    let mut scratch = [0u32; LookupScratch::required(WORDS, WORDS, 0)];
    let mut request = [0u8; 40];
    let replay = HalReplay::from_mock(
        RECORDING,
        ArrayStorage::<'static, 64, 64>::new(),
        LookupScratch::new(&mut scratch, WORDS, WORDS, 0).unwrap(),
        &mut request,
        MatchOptions::default(),
    )
    .unwrap()
    .with_report(report);
    let mut bus = I2cReplay::new(&replay);
    let mut lines = Vec::new();
    // The firmware's first two passes: the recorded answers in order, then (counters run
    // out) each transaction's first answer.
    for _ in 0..2 {
        SINK.with(|s| s.borrow_mut().clear());
        drive(&mut bus, 0x48);
        emit(b"\n");
        let bytes = SINK.with(|s| s.borrow().clone());
        lines.push(
            bytes
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<Vec<_>>()
                .join(" "),
        );
    }
    // Every transaction was recorded as it is asked: nothing reported, the missing sensor's
    // NACK replayed (`!`).
    assert_eq!(REPORTS.with(|r| *r.borrow()), 0);
    assert!(lines.iter().all(|l| l.ends_with("21 0a")), "{lines:?}");
    assert_eq!(lines.join("\n") + "\n", EXPECTED);
}
