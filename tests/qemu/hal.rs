//! The lm75 driver in firmware, on the embedded-hal I2C replay of the recording the host made
//! (`tests/hal_replay/lm75.mock`), embedded in flash: no sensor, no host protocol.

use std::io::{BufRead, BufReader};
use std::time::Duration;

use super::Qemu;

#[test]
fn the_lm75_driver_replays_from_flash() {
    let Some(qemu) = Qemu::start(b'T') else {
        return;
    };
    qemu.uart
        .set_read_timeout(Some(qemu.time_left().max(Duration::from_secs(1))))
        .unwrap();
    let lines: Vec<String> = BufReader::new(qemu.uart.try_clone().unwrap())
        .lines()
        .take(6)
        .map(Result::unwrap)
        .collect();
    // The readings the host's replay gives (tests/hal_replay/lm75.rs), in milli-degrees: the
    // recorded answers to one transaction, in order (repeat counters). Then the missing
    // sensor's recorded NACK, and the one transaction the replay could not answer, reported.
    assert_eq!(
        lines,
        ["21500", "22000", "22500", "22500", "nack", "reported 1"]
    );
    qemu.finish().assert_success();
}
