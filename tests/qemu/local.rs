//! Local replay: the firmware answers from the table in its flash, with no host protocol.

use std::io::{BufRead, BufReader, Write};
use std::time::Duration;

use super::Qemu;

/// Requests and the answer lines the firmware's `table.mock` gives, as a capturemock server
/// would answer a custom client: exact matches (`=`) in recorded order, repeating from the
/// first once they run out; best match (`~`); no match (`?`).
const EXPECTED: &[(&str, &str)] = &[
    ("read temperature", "=21.5"),
    ("read temperature", "=21.7"),
    ("read temperature", "=21.5"),
    ("read humidity", "=40%"),
    ("sensor 3 read pressure", "~1013 hPa"),
    ("get firmware version", "=v1.2.3"),
    ("reset", "="),
    ("nothing like it", "?"),
    ("read humidity\r", "=40%"),
];

fn run_local(mode: u8) {
    let Some(mut qemu) = Qemu::start(mode) else {
        return;
    };
    qemu.uart
        .set_read_timeout(Some(qemu.time_left().max(Duration::from_secs(1))))
        .unwrap();
    let mut lines = BufReader::new(qemu.uart.try_clone().unwrap()).lines();
    assert_eq!(lines.next().unwrap().unwrap(), "ready");
    // One at a time, then all at once (the UART's FIFO and QEMU's socket buffer hold them).
    for (request, expected) in EXPECTED {
        writeln!(qemu.uart, "{request}").unwrap();
        assert_eq!(&lines.next().unwrap().unwrap(), expected, "{request:?}");
    }
    let batch: String = EXPECTED.iter().map(|(r, _)| format!("{r}\n")).collect();
    qemu.uart.write_all(batch.as_bytes()).unwrap();
    for (request, expected) in EXPECTED {
        // Its groups ran out in the first pass: the first group, forever.
        let expected = if *request == "read temperature" {
            "=21.5"
        } else {
            expected
        };
        assert_eq!(&lines.next().unwrap().unwrap(), expected, "{request:?}");
    }
    // A line longer than the firmware's buffer is refused, and the next one is fine.
    writeln!(qemu.uart, "{}", "x".repeat(300)).unwrap();
    assert_eq!(lines.next().unwrap().unwrap(), "!long");
    writeln!(qemu.uart, "read humidity").unwrap();
    assert_eq!(lines.next().unwrap().unwrap(), "=40%");
    // An empty line ends the run.
    writeln!(qemu.uart).unwrap();
    qemu.finish().assert_success();
}

#[test]
fn local_replay_from_the_mock_text_in_flash() {
    run_local(b'L');
}

#[test]
fn local_replay_from_the_binary_form_in_flash() {
    run_local(b'P');
}
