//! The footprint firmware (examples/firmware-size-replay, `measure.sh --i2c`):
//!
//! - its frozen table, `src/i2c_table.rs`, is `i2c.mock` built and written out by the core
//!   (what a build script does; committed, so that the firmware's build needs no host build
//!   of the core);
//! - its driver (`src/bin/i2c.rs`), replayed on the host from the text of its recording with
//!   best match on, gives the bytes written down in `i2c.expected`. `measure.sh --i2c --check`
//!   runs the measured image (the frozen table in flash, exact matching only) under QEMU and
//!   compares its UART output with the same file: so the image that meets the size goals
//!   answers as the reference engine does.

use std::cell::RefCell;

use capturemock_core::format::{self, NewlineOptions};
use capturemock_core::hal::{HalReplay, I2cReplay, Report};
use capturemock_core::replay::{
    ArrayStorage, GroupSlot, LookupScratch, MatchOptions, Parts, ReplayTable, RequestSlot,
    Requirements, ResponseSlot,
};
use embedded_hal::i2c::I2c;

const RECORDING: &str = include_str!("../../examples/firmware-size-replay/i2c.mock");
const EXPECTED: &str = include_str!("../../examples/firmware-size-replay/i2c.expected");
const FROZEN: &str = "examples/firmware-size-replay/src/i2c_table.rs";

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

/// `text` built into a table and written out as Rust source: a build script's whole job.
fn freeze(text: &str) -> String {
    // Bus transactions always read as they are written (`HalReplay::from_mock` needs the same).
    let records: Vec<_> = format::entries(text)
        .map(|entry| {
            let entry = entry.unwrap();
            entry.plain(NewlineOptions::NONE).unwrap()
        })
        .collect();
    let records = || {
        records
            .iter()
            .map(|r| Ok::<_, std::convert::Infallible>(*r))
    };
    let needs = Requirements::measure(records()).unwrap();
    let mut requests = vec![RequestSlot::EMPTY; needs.requests];
    let mut groups = vec![GroupSlot::EMPTY; needs.requests];
    let mut group_order = vec![0; needs.requests];
    let mut responses = vec![ResponseSlot::EMPTY; needs.responses];
    let mut key_slots = vec![0; needs.key_slots()];
    let parts = Parts {
        requests: &mut requests,
        groups: &mut groups,
        group_order: &mut group_order,
        responses: &mut responses,
        key_slots: &mut key_slots,
        index: None,
    };
    let mut table = ReplayTable::build(records(), parts, MatchOptions::default()).unwrap();
    let mut source = String::new();
    table.write_frozen(&mut source).unwrap();
    source
}

#[test]
fn the_footprint_firmwares_frozen_table_is_its_recording_written_out() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(FROZEN);
    let written = freeze(RECORDING);
    // The first comment says what it holds: all 64 transactions, 9 distinct.
    assert!(
        written.starts_with("// Written by capturemock-core's ReplayTable::write_frozen: 9 distinct requests, 64 request entries, 64 response entries.\n"),
        "{written}"
    );
    let committed = std::fs::read_to_string(&path).unwrap();
    assert!(
        committed == written,
        "{FROZEN} is not i2c.mock written out by ReplayTable::write_frozen: write it again (from \
         this test's `freeze`) after changing the recording or the table's layout"
    );
}
