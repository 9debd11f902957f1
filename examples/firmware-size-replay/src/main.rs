//! Firmware that answers requests from a 64-entry `.mock` table, built twice so that the
//! difference in size is what capturemock-core's replay engine costs (issue 2, item 7):
//!
//! - feature `engine`: the table is parsed with `capturemock_core::format::entries` into a
//!   `ReplayTable` over `ArrayStorage` and every request goes through `ReplayTable::lookup`
//!   (exact key, else best match by scan);
//! - without it: the same loop answers by finding the request's line in the raw text.
//!
//! Both builds embed the same table text, build the same requests at run time (from a counter
//! and a word read with a volatile load, so the optimizer cannot precompute them) and write
//! every response byte to UART0's data register with volatile stores, so nothing is optimized
//! away. `measure.sh` builds both and prints the sizes.
//!
//! The image is built for measuring, not for running: memory.x is QEMU's lm3s6965evb, whose
//! Cortex-M3 lacks the FPU a thumbv7em-none-eabihf start-up enables.

#![no_std]
#![no_main]

use core::ptr;
use core::sync::atomic::AtomicU32;

use cortex_m_rt::entry;
use panic_halt as _;

#[cfg(feature = "engine")]
#[path = "engine.rs"]
mod responder;

#[cfg(not(feature = "engine"))]
#[path = "baseline.rs"]
mod responder;

/// The recorded exchanges: 32 `<-CAL:` requests, each followed by one `->RET:` response.
pub static TABLE_TEXT: &str = include_str!("../table.mock");

/// Number of recorded requests in [`TABLE_TEXT`].
const RECORDED_REQUESTS: u32 = 32;

/// UART0 data register of the lm3s6965 (a PL011): where every response byte goes.
const SINK: *mut u32 = 0x4000_C000 as *mut u32;

/// Changes which requests are sent; read with a volatile load so that it is not a constant
/// for the optimizer (a debugger could change it).
static SEED: AtomicU32 = AtomicU32::new(0x5eed);

/// Longest request the firmware builds, in bytes.
const REQUEST_BYTES: usize = 96;

/// Writes `bytes` to the sink, one volatile store each.
pub fn emit(bytes: &[u8]) {
    for &b in bytes {
        // SAFETY: SINK is the memory-mapped UART0 data register, valid for 32-bit writes.
        unsafe { ptr::write_volatile(SINK, u32::from(b)) };
    }
}

/// The `n`-th recorded request line of the table (wrapping around).
fn recorded_request(n: u32) -> &'static str {
    TABLE_TEXT
        .lines()
        .filter(|line| line.starts_with("<-"))
        .nth((n % RECORDED_REQUESTS) as usize)
        .unwrap_or("")
}

/// Builds request number `counter` in `buf`: a recorded request, with its last digit changed
/// in one request out of three so that it is no longer recorded as it is (inexact).
fn make_request(counter: u32, seed: u32, buf: &mut [u8; REQUEST_BYTES]) -> &str {
    let line = recorded_request(counter.wrapping_mul(7) ^ seed).as_bytes();
    let len = line.len().min(buf.len());
    let (request, _) = buf.split_at_mut(len);
    request.copy_from_slice(line.get(..len).unwrap_or_default());
    if counter.wrapping_add(seed) % 3 == 0 {
        if let Some(digit) = request.iter_mut().rev().find(|b| b.is_ascii_digit()) {
            *digit = b'0' + (*digit - b'0' + 1 + (counter % 9) as u8) % 10;
        }
    }
    core::str::from_utf8(request).unwrap_or("")
}

#[entry]
fn main() -> ! {
    static mut STATE: responder::State = responder::State::new();

    let mut responder = match responder::Responder::new(STATE) {
        Ok(responder) => responder,
        Err(code) => {
            emit(&[b'!', code]);
            #[allow(clippy::empty_loop)]
            loop {}
        }
    };
    let mut buf = [0u8; REQUEST_BYTES];
    let mut counter = 0u32;
    loop {
        // SAFETY: SEED is a valid, aligned static; the load only hides its value.
        let seed = unsafe { ptr::read_volatile(SEED.as_ptr()) };
        let request = make_request(counter, seed, &mut buf);
        responder.answer(request);
        emit(b"\n");
        counter = counter.wrapping_add(1);
    }
}
