//! The link client: the firmware's requests go to the host, which records or replays them.

use core::fmt::Write as _;

use capturemock_core::link::{LinkClient, LinkConfig, LinkStats, Source};
use capturemock_core::replay::Mode;
use cortex_m_semihosting::{hprint, hprintln};

use crate::uart::Uart;

/// Longest frame on the wire, both ways.
pub const FRAME: usize = 256;
/// Read timeout before a request is sent again, in milliseconds. Generous: a host on a busy
/// machine answers late, and a repeat costs little (the host answers it from what it kept).
const TIMEOUT_MS: u32 = 200;
const MAX_TRIES: u8 = 20;

/// What the firmware asks its "sensor", in order.
pub const SCRIPT: &[&str] = &[
    "read temperature",
    "read humidity",
    "read counter",
    "read counter",
    "get firmware version",
    "set led on",
    "read temperature",
    "read counter",
];

/// The real thing: a simulated sensor with some state, so that replayed answers (recorded
/// once) differ from what a second real run would say.
struct Sensor {
    counter: u32,
    temperature_tenths: u32,
}

impl Sensor {
    fn answer(&mut self, request: &str, out: &mut [u8]) -> usize {
        let mut w = SliceWriter { buf: out, len: 0 };
        let _ = match request {
            "read temperature" => {
                self.temperature_tenths += 3;
                let t = self.temperature_tenths;
                write!(w, "{}.{}", t / 10, t % 10)
            }
            "read humidity" => w.write_str("40%"),
            "read counter" => {
                self.counter += 1;
                write!(w, "{}", self.counter)
            }
            "get firmware version" => w.write_str("v1.2.3\nbuilt for qemu"),
            "set led on" => w.write_str("ok"),
            _ => w.write_str("error: unknown command"),
        };
        w.len
    }
}

/// `core::fmt` into a byte slice, cutting what does not fit.
struct SliceWriter<'b> {
    buf: &'b mut [u8],
    len: usize,
}

impl core::fmt::Write for SliceWriter<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        for &b in s.as_bytes() {
            let slot = self.buf.get_mut(self.len).ok_or(core::fmt::Error)?;
            *slot = b;
            self.len += 1;
        }
        Ok(())
    }
}

/// The link client of modes `B`, `S`, `H` and `R`.
pub fn client(uart: &mut Uart) -> LinkClient<&mut Uart, FRAME> {
    uart.timeout_ms = TIMEOUT_MS;
    // Differs between boots on real hardware (SysTick's phase when the host's byte came).
    let session = 0xB007_0000 | (uart.ticks() & 0xFFFF);
    LinkClient::new(
        uart,
        LinkConfig {
            session,
            max_tries: MAX_TRIES,
        },
    )
}

fn print_stats(stats: &LinkStats) {
    let d = stats.decoder;
    hprintln!(
        "stats: sent={} repeats={} timeouts={} naks={} host_restarts={} stale={} malformed={} frames={} skips={} skipped_bytes={}",
        stats.sent,
        stats.repeats,
        stats.timeouts,
        stats.naks,
        stats.host_restarts,
        stats.stale,
        stats.malformed,
        d.frames,
        d.skips(),
        d.skipped_bytes
    );
}

/// Runs [`SCRIPT`] in the host's mode and prints each answer and where it came from.
pub fn script(uart: &mut Uart) -> bool {
    let mut client = client(uart);
    let mode = match client.connect() {
        Ok(mode) => mode,
        Err(e) => {
            hprintln!("connect failed: {}", e);
            return false;
        }
    };
    hprintln!(
        "mode: {}",
        match mode {
            Mode::Replay => "replay",
            Mode::Record => "record",
            Mode::ReplayOldRecordNew => "replay-old-record-new",
        }
    );
    let mut sensor = Sensor {
        counter: 0,
        temperature_tenths: 212,
    };
    let mut out = [0u8; 128];
    for (i, request) in SCRIPT.iter().enumerate() {
        match client.exchange(request, &mut out, |req, buf| sensor.answer(req, buf)) {
            Ok(got) => {
                let text = core::str::from_utf8(out.get(..got.len).unwrap_or_default())
                    .unwrap_or("<not text>");
                hprint!("answer {}: {} => \"", i, request);
                crate::escaped(text.as_bytes(), |piece| {
                    hprint!("{}", core::str::from_utf8(piece).unwrap_or("?"))
                });
                hprintln!("\"");
                hprintln!(
                    "source {}: {}",
                    i,
                    match got.source {
                        Source::Replayed => "replayed",
                        Source::Real => "real",
                        Source::NoMatch => "no match",
                    }
                );
            }
            Err(e) => {
                hprintln!("exchange {} failed: {}", i, e);
                print_stats(&client.stats());
                return false;
            }
        }
    }
    print_stats(&client.stats());
    hprintln!("done");
    true
}

/// Asks for `ping N` until the host has no answer; checks each answer is `pong N`.
pub fn stress(uart: &mut Uart) -> bool {
    let mut client = client(uart);
    if let Err(e) = client.connect() {
        hprintln!("connect failed: {}", e);
        return false;
    }
    let mut n: u32 = 0;
    let mut request = [0u8; 24];
    let mut expected = [0u8; 24];
    loop {
        let req_len = numbered(&mut request, "ping ", n);
        let exp_len = numbered(&mut expected, "pong ", n);
        let req = core::str::from_utf8(request.get(..req_len).unwrap_or_default()).unwrap_or("");
        match client.replay(req) {
            Ok(Some(text)) if text.as_bytes() == expected.get(..exp_len).unwrap_or_default() => {
                n += 1
            }
            Ok(Some(text)) => {
                hprintln!("stress: wrong answer \"{}\" to \"{}\"", text, req);
                return false;
            }
            Ok(None) => break,
            Err(e) => {
                hprintln!("stress: exchange {} failed: {}", n, e);
                print_stats(&client.stats());
                return false;
            }
        }
    }
    hprintln!("stress: {} exchanges", n);
    print_stats(&client.stats());
    true
}

fn numbered(buf: &mut [u8], prefix: &str, n: u32) -> usize {
    let mut w = SliceWriter { buf, len: 0 };
    let _ = write!(w, "{prefix}{n}");
    w.len
}
