//! The lm75 driver in QEMU firmware over the link to the bridge in embedded-hal mode
//! (`--hal`, issue 15 items 2 and 4c): recorded from the simulated LM75B on the target
//! through the bridge into the file a host recording writes, and replayed by the bridge
//! with no sensor at all.

use std::path::{Path, PathBuf};
use std::time::Duration;

use capturemock::bridge::Host;
use capturemock::hal::HalSession;

use super::relay::{Relay, RelayOptions};
use super::runs::BridgeProcess;
use super::{read, scratch, start_bridge_for};
use crate::qemu::{Finished, Qemu};

/// The host recording of the same driver against the same simulated sensor
/// (`tests/hal_replay/lm75.rs` checks that recording the host way gives exactly this file).
fn committed() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hal_replay/lm75.mock")
}

/// What the firmware prints for the driver: the four readings (repeat counters: three
/// distinct answers to one transaction), the missing second sensor's NACK, nothing reported.
const LINES: [&str; 6] = ["21500", "22000", "22500", "22500", "nack", "reported 0"];

/// The driver's lines from the console, after checking that the firmware succeeded.
fn lines(firmware: &Finished) -> Vec<String> {
    firmware.assert_success();
    firmware
        .console
        .lines()
        .filter(|l| !l.starts_with("stats: "))
        .map(str::to_owned)
        .collect()
}

/// Boots the firmware in `mode_byte` and relays its UART to the bridge at `address` until it
/// exits.
fn run_through(mode_byte: u8, address: &str) -> Option<Finished> {
    let qemu = Qemu::start(mode_byte)?;
    let relay = Relay::start(
        qemu.uart.try_clone().expect("clone the UART socket"),
        address.to_string(),
        RelayOptions::clean(),
    );
    let firmware = qemu.finish();
    relay.join();
    Some(firmware)
}

#[test]
fn recording_on_the_target_through_the_bridge_writes_the_host_recording() {
    let dir = scratch("hal-record");
    let file = dir.join("lm75.mock");
    let session = HalSession::record(&file).unwrap();
    let (bridge, address) = start_bridge_for(Host::Hal(session.clone()));
    let Some(firmware) = run_through(b'R', &address) else {
        return;
    };
    let run = bridge.stop().unwrap();
    assert_eq!(lines(&firmware), LINES, "bridge: {}", run.report);
    assert_eq!(run.report.recorded, 11, "{}", run.report);
    assert!(session.failures().is_empty(), "{:?}", session.failures());
    drop(session);
    // Byte for byte the file the host session wrote when the same driver ran against the
    // same sensor on the host.
    assert_eq!(read(&file), read(&committed()));
}

#[test]
fn the_bridge_command_replays_the_driver_with_no_sensor_and_no_drift() {
    let dir = scratch("hal-replay");
    let again = dir.join("again.mock");
    let bridge = BridgeProcess::start(&[
        "--hal",
        "-p",
        committed().to_str().unwrap(),
        "-r",
        again.to_str().unwrap(),
        "--fail-on-drift",
    ]);
    let Some(firmware) = run_through(b'H', &bridge.address) else {
        return;
    };
    let (status, stderr) = bridge.finish(Duration::from_secs(20));
    assert_eq!(lines(&firmware), LINES, "bridge stderr:\n{stderr}");
    assert!(
        status.success(),
        "capturemock bridge --hal: {status}\n{stderr}"
    );
    assert!(
        stderr.contains("11 exchange(s) served (0 recorded, 11 replayed"),
        "summary on stderr: {stderr}"
    );
    // The replayed run recorded again is the replay file: no drift.
    assert_eq!(read(&again), read(&committed()));
}

#[test]
fn the_replay_table_comes_over_the_link_at_start_up() {
    let session = HalSession::replay(committed()).unwrap();
    let (bridge, address) = start_bridge_for(Host::Hal(session));
    let Some(firmware) = run_through(b'D', &address) else {
        return;
    };
    let run = bridge.stop().unwrap();
    let lines = lines(&firmware);
    // Then the driver replays on its own from the fetched table, as mode T does from flash
    // (tests/qemu/hal.rs): the same readings, and the stray read reported by the hook.
    let size = std::fs::metadata(committed()).unwrap().len();
    assert_eq!(
        lines[..6],
        ["21500", "22000", "22500", "22500", "nack", "reported 1"],
        "bridge: {}",
        run.report
    );
    // The hello, then 446 bytes in two pieces of what a 256-byte frame carries (241 bytes of
    // text), and the empty piece that ends it.
    assert_eq!(lines[6], format!("table: {size} bytes, 4 frames sent"));
    // Fetching the table is no transaction: nothing recorded, nothing replayed from it.
    assert_eq!(run.report.replayed, 3, "{}", run.report);
}

#[test]
fn the_bridge_command_without_a_replay_file_records_the_target() {
    let dir = scratch("hal-cli-record");
    let file = dir.join("lm75.mock");
    // Mode 0 (the default) without -p records, as the main command does.
    let bridge = BridgeProcess::start(&["--hal", "-r", file.to_str().unwrap()]);
    let Some(firmware) = run_through(b'R', &bridge.address) else {
        return;
    };
    let (status, stderr) = bridge.finish(Duration::from_secs(20));
    assert_eq!(lines(&firmware), LINES, "bridge stderr:\n{stderr}");
    assert!(
        status.success(),
        "capturemock bridge --hal: {status}\n{stderr}"
    );
    assert!(
        stderr.contains("11 exchange(s) served (11 recorded, 0 replayed"),
        "summary on stderr: {stderr}"
    );
    assert_eq!(read(&file), read(&committed()));
}
