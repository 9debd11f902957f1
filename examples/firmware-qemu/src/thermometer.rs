//! Mode `T`: the lm75 driver (crates.io) runs a thermostat's start-up against capturemock-core's
//! I2C replay of `tests/hal_replay/lm75.mock`, embedded in flash: the recording the host tests
//! made against a simulated LM75B, replayed with no sensor and no host (issue 15, item 4b).
//!
//! Writes one line per reading (milli-degrees Celsius), `nack` when the missing second sensor
//! is not acknowledged, then `reported N`: the transactions the report hook was given (one,
//! a read of a device that was never recorded).

use core::sync::atomic::{AtomicU32, Ordering};

use capturemock_core::hal::{DeviceError, HalError, HalReplay, I2cReplay, NoAck, Report};
use capturemock_core::replay::{ArrayStorage, LookupScratch, MatchOptions};
use embedded_hal::i2c::I2c;
use lm75::{FaultQueue, Lm75, OsPolarity};

use crate::uart::Uart;

static RECORDING: &str = include_str!("../../../tests/hal_replay/lm75.mock");

/// Room for the recording: 11 transactions, 8 of them distinct.
const TRANSACTIONS: usize = 16;
const WORDS: usize = 8;
const SCRATCH_WORDS: usize = LookupScratch::required(WORDS, WORDS, 0);

/// What the replay keeps in RAM: all zero, so it lands in .bss.
pub struct State {
    storage: ArrayStorage<'static, TRANSACTIONS, TRANSACTIONS>,
    scratch: [u32; SCRATCH_WORDS],
    request: [u8; 64],
}

impl State {
    pub const fn new() -> Self {
        State {
            storage: ArrayStorage::new(),
            scratch: [0; SCRATCH_WORDS],
            request: [0; 64],
        }
    }
}

/// Transactions the replay could not answer.
static REPORTED: AtomicU32 = AtomicU32::new(0);

/// The report hook: counts (a firmware could also write `report.request` to a debug UART).
fn report(_: &Report<'_>) {
    REPORTED.fetch_add(1, Ordering::Relaxed);
}

/// Runs the thermostat; false when the table could not be built or the driver failed.
pub fn run(uart: &mut Uart, state: &'static mut State) -> bool {
    replay(&mut |bytes| uart.send(bytes), state, RECORDING)
}

/// Runs the thermostat on the replay of `recording` (in flash, or fetched from the host into
/// RAM: mode `D`), writing to `out`.
pub fn replay(
    out: &mut dyn FnMut(&[u8]),
    state: &'static mut State,
    recording: &'static str,
) -> bool {
    let State {
        storage,
        scratch,
        request,
    } = state;
    let Ok(scratch) = LookupScratch::new(scratch, WORDS, WORDS, 0) else {
        out(b"!scratch\n");
        return false;
    };
    let Ok(replay) = HalReplay::from_mock(
        recording,
        storage,
        scratch,
        request,
        MatchOptions::default(),
    ) else {
        out(b"!table\n");
        return false;
    };
    let replay = replay.with_report(report);
    let ok = thermostat(out, I2cReplay::new(&replay));
    // A device that was never recorded: the nearest recorded transaction reads two bytes,
    // not one, so the replay cannot answer it and reports it.
    let stray = I2cReplay::new(&replay).read(0x20u8, &mut [0u8; 1]);
    let reported = REPORTED.load(Ordering::Relaxed);
    out(b"reported ");
    send_number(out, reported as i32);
    out(b"\n");
    ok && stray == Err(HalError::Mismatch)
}

/// What tests/hal_replay/lm75.rs's thermostat does, with the readings written to `out` (the
/// UART in mode `T`, the semihosting console when the UART carries the link).
pub fn thermostat(out: &mut dyn FnMut(&[u8]), bus: impl I2c<Error = HalError>) -> bool {
    let mut sensor = Lm75::new(bus, lm75::Address::default());
    let configured = sensor.enable().is_ok()
        && sensor.set_fault_queue(FaultQueue::_4).is_ok()
        && sensor.set_os_polarity(OsPolarity::ActiveHigh).is_ok()
        && sensor.set_os_temperature(80.0).is_ok()
        && sensor.set_hysteresis_temperature(75.0).is_ok();
    if !configured {
        out(b"!configure\n");
        return false;
    }
    for _ in 0..4 {
        match sensor.read_temperature() {
            Ok(celsius) => send_number(out, (celsius * 1000.0) as i32),
            Err(_) => out(b"!read"),
        }
        out(b"\n");
    }
    if sensor.disable().is_err() {
        return false;
    }
    let mut second = Lm75::new(sensor.destroy(), 0x4f);
    match second.read_temperature() {
        Err(lm75::Error::I2C(HalError::Device(DeviceError::NoAcknowledge(NoAck::Address)))) => {
            out(b"nack\n")
        }
        _ => out(b"!second\n"),
    }
    true
}

/// Writes `n` in decimal (core::fmt's float and integer formatting cost flash).
fn send_number(out: &mut dyn FnMut(&[u8]), n: i32) {
    if n < 0 {
        out(b"-");
    }
    let mut digits = [0u8; 10];
    let mut start = digits.len();
    let mut rest = n.unsigned_abs();
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    out(&digits[start..]);
}
