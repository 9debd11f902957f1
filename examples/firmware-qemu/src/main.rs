//! capturemock-core on a Cortex-M3 (QEMU's lm3s6965evb), talking over UART0.
//!
//! The host's first byte on UART0 picks what the firmware does:
//! - `L`: local replay from `table.mock`, embedded with `include_str!`;
//! - `P`: local replay from the binary (postcard) form of the same table, written by build.rs
//!   and embedded with `include_bytes!`;
//!
//!   in both, each request line gets one answer line: `=text` (exact match), `~text` (best
//!   match), `?` (nothing recorded answers it) or `!reason`; line breaks and `\` in the text
//!   are written `\n` and `\\`; an empty line ends the run;
//! - `B`: the link client (docs/link.md) runs a fixed script of requests against a simulated
//!   sensor, recording or replaying through the host as its welcome says;
//! - `S`: the link client asks the host to replay `ping 0`, `ping 1`... until the host has no
//!   answer (a throughput run);
//! - `T`: the lm75 driver reads a sensor through capturemock-core's embedded-hal I2C replay of
//!   a recording in flash (`thermometer.rs`);
//! - `D`: the same, from the recording fetched from `capturemock bridge --hal` at start-up;
//! - `H`, `R`: the same driver over the link to `capturemock bridge --hal`: replayed by the
//!   host with no sensor (`H`), or recorded from a simulated LM75B through the host (`R`)
//!   (`hal_link.rs`);
//! - `Q`: the same driver recorded through the host from QEMU's own TMP105 sensor model on the
//!   board's real I2C controller (`stellaris_i2c.rs`; QEMU started with
//!   `-device tmp105,address=0x48`);
//! - `A`: an AT-modem client with no capturemock in it sends a few commands and prints the
//!   answers (the device's own traffic, for the serial proxy).
//!
//! Results and link statistics go to the host console by semihosting; the run ends with a
//! semihosting exit whose status says whether it succeeded. Features `local-text` (mode `L`),
//! `local-binary` (`P`), `local` (both) and `link` (`B`, `S`) bring capturemock-core in;
//! without either local feature, `L` answers from the raw text, exact matches only (the size
//! baseline, see measure.sh). Feature `modem` gives mode `A`.

#![no_std]
#![no_main]

use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};
use panic_semihosting as _;

mod uart;

#[cfg(feature = "link")]
mod bridge;
#[cfg(all(feature = "hal", feature = "link"))]
mod hal_link;
#[cfg(any(feature = "local-text", feature = "local-binary"))]
mod local;
#[cfg(not(any(feature = "local-text", feature = "local-binary")))]
#[path = "baseline.rs"]
mod local;
#[cfg(feature = "modem")]
mod modem;
#[cfg(all(feature = "hal", feature = "link"))]
mod stellaris_i2c;
#[cfg(feature = "hal")]
mod thermometer;

use uart::Uart;

/// The recorded exchanges (custom-client requests and responses).
#[cfg(any(
    feature = "local-text",
    not(any(feature = "local-text", feature = "local-binary"))
))]
pub static TABLE_TEXT: &str = include_str!("../table.mock");

/// The same, in the binary form.
#[cfg(feature = "local-binary")]
pub static TABLE_BINARY: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/table.cmrb"));

#[entry]
fn main() -> ! {
    static mut LOCAL: local::State = local::State::new();
    #[cfg(feature = "hal")]
    static mut THERMOMETER: thermometer::State = thermometer::State::new();
    #[cfg(all(feature = "hal", feature = "link"))]
    static mut TABLE: hal_link::Table = hal_link::Table::new();

    let Some(peripherals) = cortex_m::Peripherals::take() else {
        exit(false)
    };
    let mut uart = Uart::new(peripherals.SYST);
    let mode = uart.read_byte();
    // The host now waits for the firmware's first words (`ready`, or a hello frame).
    uart.enable_fifos();
    let ok = match mode {
        b'L' => local::run(&mut uart, local::Form::Text, LOCAL),
        b'P' => local::run(&mut uart, local::Form::Binary, LOCAL),
        #[cfg(feature = "link")]
        b'B' => bridge::script(&mut uart),
        #[cfg(feature = "link")]
        b'S' => bridge::stress(&mut uart),
        #[cfg(feature = "modem")]
        b'A' => modem::run(&mut uart),
        #[cfg(feature = "hal")]
        b'T' => thermometer::run(&mut uart, THERMOMETER),
        #[cfg(all(feature = "hal", feature = "link"))]
        b'H' => hal_link::run(&mut uart, hal_link::Device::Replayed),
        #[cfg(all(feature = "hal", feature = "link"))]
        b'R' => hal_link::run(&mut uart, hal_link::Device::Simulated),
        #[cfg(all(feature = "hal", feature = "link"))]
        b'Q' => hal_link::run(&mut uart, hal_link::Device::QemuModel),
        #[cfg(all(feature = "hal", feature = "link"))]
        b'D' => hal_link::download(&mut uart, TABLE, THERMOMETER),
        other => {
            hprintln!("mode byte {} not supported by this build", other);
            false
        }
    };
    exit(ok)
}

/// Ends the QEMU run with a status.
fn exit(ok: bool) -> ! {
    debug::exit(if ok {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    #[allow(clippy::empty_loop)]
    loop {}
}

/// Writes `text` with line breaks as `\n` and `\` as `\\`, so that it takes one line.
pub fn send_escaped(uart: &mut Uart, text: &[u8]) {
    escaped(text, |piece| uart.send(piece));
}

/// Hands `text` to `out` in pieces, line breaks as `\n` and `\` as `\\` (core::fmt's `{:?}`
/// would do, but costs 2 KB of Unicode tables).
pub fn escaped(text: &[u8], mut out: impl FnMut(&[u8])) {
    for piece in text.split_inclusive(|b| matches!(b, b'\n' | b'\\')) {
        match piece.split_last() {
            Some((b'\n', head)) => {
                out(head);
                out(b"\\n");
            }
            Some((b'\\', head)) => {
                out(head);
                out(b"\\\\");
            }
            _ => out(piece),
        }
    }
}

/// Reads one line (without its `\n`; a `\r` before it is dropped) into `buf`. `None` when it
/// is longer than `buf` (the rest of the line is skipped).
pub fn read_line<'b>(uart: &mut Uart, buf: &'b mut [u8]) -> Option<&'b [u8]> {
    let mut len = 0;
    let mut too_long = false;
    loop {
        match uart.read_byte() {
            b'\n' => break,
            b => match buf.get_mut(len) {
                Some(slot) if !too_long => {
                    *slot = b;
                    len += 1;
                }
                _ => too_long = true,
            },
        }
    }
    if too_long {
        return None;
    }
    let line = buf.get(..len)?;
    Some(line.strip_suffix(b"\r").unwrap_or(line))
}
