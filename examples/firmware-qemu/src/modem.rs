//! An AT-modem client with no capturemock in it: the device's own serial traffic, for the
//! serial proxy's tests (mode `A`). It sends each command, reads the modem's answer up to
//! its final result code (`OK` or `ERROR`) and prints it on the console.

use cortex_m_semihosting::{hprint, hprintln};
use embedded_io::Read;

use crate::uart::Uart;

/// What the firmware asks its modem, in order (AT commands end with a carriage return).
pub const COMMANDS: &[&str] = &[
    "AT\r",
    "ATI\r",
    "AT+CSQ\r",
    "AT+CREG?\r",
    "AT+CSQ\r",
    "AT+COPS?\r",
];

/// Milliseconds a command may wait for its answer.
const TIMEOUT_MS: u32 = 3000;

/// Runs [`COMMANDS`]; false when an answer does not come.
pub fn run(uart: &mut Uart) -> bool {
    uart.timeout_ms = TIMEOUT_MS;
    let mut answer = [0u8; 256];
    for command in COMMANDS {
        uart.send(command.as_bytes());
        let mut len = 0;
        loop {
            let mut byte = [0u8];
            match uart.read(&mut byte) {
                Ok(1) => {}
                _ => {
                    hprint!("modem: no final result code for ");
                    print_escaped(command.as_bytes());
                    hprintln!(" after {} bytes", len);
                    return false;
                }
            }
            if let Some(slot) = answer.get_mut(len) {
                *slot = byte[0];
                len += 1;
            }
            let got = answer.get(..len).unwrap_or_default();
            if got.ends_with(b"OK\r\n") || got.ends_with(b"ERROR\r\n") {
                break;
            }
        }
        hprint!("modem ");
        print_escaped(command.as_bytes());
        hprint!(" => \"");
        print_escaped(answer.get(..len).unwrap_or_default());
        hprintln!("\"");
    }
    hprintln!("modem: done");
    true
}

/// Prints with `\r`, `\n` and `\` escaped, so that each answer takes one console line.
fn print_escaped(bytes: &[u8]) {
    for piece in bytes.split_inclusive(|b| matches!(b, b'\r' | b'\n' | b'\\')) {
        let (head, escape) = match piece.split_last() {
            Some((b'\r', head)) => (head, "\\r"),
            Some((b'\n', head)) => (head, "\\n"),
            Some((b'\\', head)) => (head, "\\\\"),
            _ => (piece, ""),
        };
        hprint!("{}{}", core::str::from_utf8(head).unwrap_or("?"), escape);
    }
}
