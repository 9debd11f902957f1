//! The lm75 driver (crates.io, embedded-hal 1.0) recorded against the simulated LM75B, and
//! replayed from the committed `lm75.mock` with no sensor: through the host session, and
//! through the core's no_std replay as firmware would.

use std::path::{Path, PathBuf};

use capturemock::hal::HalSession;
use capturemock_core::hal::{DeviceError, HalError, HalReplay, I2cReplay, NoAck};
use capturemock_core::replay::{ArrayStorage, LookupScratch, MatchOptions};
use embedded_hal::i2c::I2c;
use lm75::{FaultQueue, Lm75, OsPolarity};

use super::lm75_sensor::Lm75b;

/// The committed recording.
fn committed() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hal_replay/lm75.mock")
}

/// What the sensor converts while it is recorded: three readings, the last one twice.
const SAMPLES: [f32; 3] = [21.5, 22.0, 22.625];

/// What the driver reads from them (the LM75 driver keeps 9 bits: 0.5 °C steps).
const READINGS: [f32; 4] = [21.5, 22.0, 22.5, 22.5];

/// A thermostat's start-up and a few readings, through the lm75 driver: configure the
/// over-temperature output, read four times, shut the sensor down, then look for a second
/// sensor that is not fitted. Returns the readings and the error of the missing sensor.
fn thermostat<B: I2c<Error = HalError>>(bus: B) -> (Vec<f32>, lm75::Error<HalError>) {
    let mut sensor = Lm75::new(bus, lm75::Address::default());
    sensor.enable().unwrap();
    sensor.set_fault_queue(FaultQueue::_4).unwrap();
    sensor.set_os_polarity(OsPolarity::ActiveHigh).unwrap();
    sensor.set_os_temperature(80.0).unwrap();
    sensor.set_hysteresis_temperature(75.0).unwrap();
    let readings = (0..4).map(|_| sensor.read_temperature().unwrap()).collect();
    sensor.disable().unwrap();
    let mut second = Lm75::new(sensor.destroy(), 0x4f);
    let missing = second.read_temperature().unwrap_err();
    (readings, missing)
}

fn is_missing_sensor(error: &lm75::Error<HalError>) -> bool {
    matches!(
        error,
        lm75::Error::I2C(HalError::Device(DeviceError::NoAcknowledge(NoAck::Address)))
    )
}

/// Records the thermostat against a sensor converting `samples`, into `file`.
fn record(file: &Path, samples: &[f32]) -> Vec<f32> {
    let session = HalSession::record(file).unwrap();
    let (readings, missing) = thermostat(session.i2c(Lm75b::new(0x48, samples)));
    assert!(is_missing_sensor(&missing), "{missing:?}");
    readings
}

#[test]
fn recording_the_driver_against_the_simulated_sensor_gives_the_committed_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("lm75.mock");
    assert_eq!(record(&file, &SAMPLES), READINGS);
    let recorded = std::fs::read_to_string(&file).unwrap();
    let expected = std::fs::read_to_string(committed()).unwrap();
    if let Some(diff) =
        capturemock::drift::diff_texts(&expected, &recorded, "committed", "recorded")
    {
        // Left beside it for review, as a drifted test run leaves its `.tmp`; moving it over
        // the committed file is how a changed driver is re-recorded.
        let tmp = committed().with_extension("mock.tmp");
        std::fs::write(&tmp, &recorded).unwrap();
        panic!(
            "the recording differs from tests/hal_replay/lm75.mock (the new recording is in {}):\n{diff}",
            tmp.display()
        );
    }
}

#[test]
fn the_driver_replays_with_the_sensor_absent() {
    let dir = tempfile::tempdir().unwrap();
    let again = dir.path().join("again.mock");
    let session = HalSession::builder(capturemock_core::replay::Mode::Replay)
        .replay_file(committed())
        .record_file(&again)
        .open()
        .unwrap();
    let (readings, missing) = thermostat(I2cReplay::new(&session));
    assert_eq!(readings, READINGS);
    assert!(is_missing_sensor(&missing), "{missing:?}");
    assert!(session.failures().is_empty(), "{:?}", session.failures());
    drop(session);
    // The replayed run wrote what was recorded: no drift.
    let replay_text = std::fs::read_to_string(committed()).unwrap();
    assert_eq!(
        capturemock::drift::check(&replay_text, &committed(), &again).unwrap(),
        None
    );
}

#[test]
fn the_driver_replays_from_the_core_table_as_firmware_would() {
    const TEXT: &str = include_str!("lm75.mock");
    let mut scratch = [0u32; LookupScratch::required(16, 16, 0)];
    let mut request = [0u8; 64];
    let replay = HalReplay::from_mock(
        TEXT,
        ArrayStorage::<'static, 16, 16>::new(),
        LookupScratch::new(&mut scratch, 16, 16, 0).unwrap(),
        &mut request,
        MatchOptions::default(),
    )
    .unwrap();
    let (readings, missing) = thermostat(I2cReplay::new(&replay));
    assert_eq!(readings, READINGS);
    assert!(is_missing_sensor(&missing), "{missing:?}");
}

#[test]
fn a_chip_that_answers_differently_shows_up_as_drift() {
    // The same driver against a warmer sensor: re-recording differs from the committed file
    // exactly in the temperature answers.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("warmer.mock");
    let readings = record(&file, &[30.0, 30.5, 31.0]);
    assert_eq!(readings, [30.0, 30.5, 31.0, 31.0]);
    let replay_text = std::fs::read_to_string(committed()).unwrap();
    let diff = capturemock::drift::check(&replay_text, &committed(), &file)
        .unwrap()
        .expect("a changed chip answer must be drift");
    let lines = |sign: char| -> Vec<&str> {
        diff.lines()
            .filter(|l| l.starts_with(sign) && !l.starts_with("---") && !l.starts_with("+++"))
            .map(|l| &l[1..])
            .collect()
    };
    assert_eq!(
        lines('-'),
        [
            "->I2C:[15 80]",
            "->I2C:[16 00]",
            "->I2C:[16 a0]",
            "->I2C:[16 a0]"
        ],
        "{diff}"
    );
    assert_eq!(
        lines('+'),
        [
            "->I2C:[1e 00]",
            "->I2C:[1e 80]",
            "->I2C:[1f 00]",
            "->I2C:[1f 00]"
        ],
        "{diff}"
    );
}

#[test]
fn a_driver_that_changed_its_traffic_is_reported_under_exact_matching() {
    // A driver update that sets the over-temperature limit to 85 °C instead of 80 °C: under
    // exact matching the replay refuses the transaction, reports it, and the driver gets
    // the trait's error.
    let session = HalSession::builder(capturemock_core::replay::Mode::Replay)
        .replay_file(committed())
        .exact_matching(true)
        .open()
        .unwrap();
    let mut sensor = Lm75::new(I2cReplay::new(&session), lm75::Address::default());
    sensor.enable().unwrap();
    let error = sensor.set_os_temperature(85.0).unwrap_err();
    assert!(
        matches!(error, lm75::Error::I2C(HalError::Unmatched(_))),
        "{error:?}"
    );
    assert_eq!(session.failures().len(), 1);
    assert!(
        session.failures()[0].starts_with("<-I2C:0x48 write [03 55 00]: not recorded as it is"),
        "{:?}",
        session.failures()
    );
}
