//! The lm75 driver in QEMU firmware recorded through `capturemock bridge --hal` against one of
//! QEMU's own peripheral models (issue 15, item 4): the TMP105 sensor (LM75-compatible) on the
//! lm3s6965evb's I2C bus, reached through the board's real I2C controller registers (firmware
//! mode `Q`, `examples/firmware-qemu/src/stellaris_i2c.rs`). Then the bridge replays that
//! recording to the same driver with no sensor model on the board.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use capturemock::bridge::Host;
use capturemock::hal::HalSession;

use super::relay::{Relay, RelayOptions};
use super::runs::BridgeProcess;
use super::{read, scratch, start_bridge_for};
use crate::qemu::{Finished, Qemu};

/// The sensor model on I2C at the lm75 crate's default address.
const TMP105: &str = "tmp105,id=sensor,address=0x48";

/// What the test sets the model's temperature to, in milli-degrees (the model's reset clears
/// a `temperature=` given on the command line, so it is set through QMP). The TMP105 powers
/// up at 9-bit resolution, which the thermostat keeps, so the model itself rounds the reading
/// down to 23.5 °C: `[17 80]`, half-degrees in the second byte's top bit.
const MILLI_CELSIUS: i64 = 23_567;

/// Sets the sensor model's temperature through QEMU's QMP socket at `socket`.
fn set_temperature(socket: &Path, milli_celsius: i64) {
    let stream = UnixStream::connect(socket).expect("connect to QMP");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    // The next line that is not an event: QMP sends events (`RESUME` when the machine
    // starts, say) whenever they happen, between a command and its return.
    let mut answer = || loop {
        let mut line = String::new();
        reader.read_line(&mut line).expect("a QMP line");
        if !line.contains(r#""event":"#) {
            return line;
        }
    };
    assert!(answer().contains("\"QMP\""), "QMP greeting");
    for command in [
        r#"{"execute":"qmp_capabilities"}"#.to_string(),
        format!(
            r#"{{"execute":"qom-set","arguments":{{"path":"/machine/peripheral/sensor","property":"temperature","value":{milli_celsius}}}}}"#
        ),
    ] {
        writer.write_all(command.as_bytes()).unwrap();
        writer.write_all(b"\n").unwrap();
        let line = answer();
        assert!(line.starts_with(r#"{"return""#), "QMP {command}: {line}");
    }
}

/// What the firmware prints: four readings of the model, the NACK QEMU's controller gives for
/// 0x4f (no device there), nothing reported.
const LINES: [&str; 6] = ["23500", "23500", "23500", "23500", "nack", "reported 0"];

/// Boots the firmware in `mode_byte` with `qemu_args` and relays its UART to the bridge at
/// `address` until it exits; its console lines, checked to have succeeded.
fn run_through(
    mode_byte: u8,
    qemu_args: &[&str],
    prepare: impl FnOnce(),
    address: &str,
) -> Option<Vec<String>> {
    let qemu = Qemu::start_with(mode_byte, qemu_args, prepare)?;
    let relay = Relay::start(
        qemu.uart.try_clone().expect("clone the UART socket"),
        address.to_string(),
        RelayOptions::clean(),
    );
    let firmware: Finished = qemu.finish();
    relay.join();
    firmware.assert_success();
    Some(
        firmware
            .console
            .lines()
            .filter(|l| !l.starts_with("stats: "))
            .map(str::to_owned)
            .collect(),
    )
}

#[test]
fn the_driver_is_recorded_against_qemus_tmp105_model_and_replayed_without_it() {
    let dir = scratch("hal-model");
    let file = dir.join("tmp105.mock");
    let session = HalSession::record(&file).unwrap();
    let (bridge, address) = start_bridge_for(Host::Hal(session.clone()));
    let socket = dir.join("qmp.sock");
    let qmp = format!("unix:{},server=on,wait=off", socket.display());
    let args = ["-device", TMP105, "-qmp", &qmp];
    let Some(lines) = run_through(
        b'Q',
        &args,
        || set_temperature(&socket, MILLI_CELSIUS),
        &address,
    ) else {
        return;
    };
    let run = bridge.stop().unwrap();
    assert_eq!(lines, LINES, "bridge: {}", run.report);
    assert_eq!(run.report.recorded, 11, "{}", run.report);
    assert!(session.failures().is_empty(), "{:?}", session.failures());
    drop(session);
    let text = read(&file);
    // The model's answers: its reading of 23.567 °C at 9 bits, four times, and QEMU's bus
    // finding no device at 0x4f. The simulated sensor's recording answers differently.
    let reading = "<-I2C:0x48 write [00] read 2\n->I2C:[17 80]\n";
    assert_eq!(text.matches(reading).count(), 4, "{text}");
    assert!(
        text.ends_with("<-I2C:0x4f write [00] read 2\n->I2C:error NoAcknowledge(Address)\n"),
        "{text}"
    );
    // The thermostat's configuration writes, each acknowledged by the model.
    assert!(
        text.starts_with("<-I2C:0x48 write [01 00]\n->I2C:ok\n"),
        "{text}"
    );
    assert_eq!(text.matches("->I2C:ok\n").count(), 6, "{text}");

    // Replayed by the bridge to the same driver (mode H) on a board with no TMP105: the
    // answers come from the file, and recording the replay again gives the file back.
    let again = dir.join("again.mock");
    let bridge = BridgeProcess::start(&[
        "--hal",
        "-p",
        file.to_str().unwrap(),
        "-r",
        again.to_str().unwrap(),
        "--fail-on-drift",
    ]);
    let Some(lines) = run_through(b'H', &[], || (), &bridge.address) else {
        return;
    };
    let (status, stderr) = bridge.finish(Duration::from_secs(20));
    assert_eq!(lines, LINES, "bridge stderr:\n{stderr}");
    assert!(
        status.success(),
        "capturemock bridge --hal: {status}\n{stderr}"
    );
    assert!(
        stderr.contains("11 exchange(s) served (0 recorded, 11 replayed"),
        "summary on stderr: {stderr}"
    );
    assert_eq!(read(&again), text);
}
