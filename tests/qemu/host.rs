//! A host played by the test: capturemock-core's `FrameDecoder` and `HostSession` on the
//! firmware's UART socket, serving exchanges from a closure, with faults injected on the line.

use std::collections::BTreeMap;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use capturemock_core::format::{write_entry, NewlineOptions};
use capturemock_core::link::{
    DeviceMessage, DeviceRequest, Feed, FrameDecoder, HostAnswer, HostEvent, HostSession, HostStep,
    Skip,
};
use capturemock_core::replay::Mode;

use super::{Finished, Qemu};

/// The host's frames can be this long.
const FRAME: usize = 4096;

/// How a served exchange is answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Served {
    Recorded,
    Response(String),
    NoMatch,
}

/// Damage done to one frame the host writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// These bytes go out before the frame.
    Garbage(Vec<u8>),
    /// A byte in the middle is lost.
    DropByte,
    /// A bit in the middle flips.
    FlipBit,
    /// The closing delimiter is lost.
    NoDelimiter,
    /// Only the first half goes out.
    Truncate,
}

/// Faults to inject, by frame index (counting from 0 in each direction).
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// On frames the host writes.
    pub to_device: BTreeMap<usize, Fault>,
    /// Lose the second byte of this frame from the device (noise on the way in).
    pub damage_from_device: Option<usize>,
    /// Forget the session (a host restart) just before handling the first request from the
    /// device whose frame index is at least this.
    pub restart_before: Option<usize>,
}

/// What the played host saw.
#[derive(Debug, Default)]
pub struct Seen {
    pub recorded: Vec<(String, String)>,
    pub events: Vec<HostEvent>,
    pub skips: Vec<Skip>,
    /// From the welcome to the last answer.
    pub busy: Duration,
    pub exchanges: usize,
}

pub struct PlayedHost {
    decoder: FrameDecoder<FRAME>,
    session: HostSession<FRAME>,
    faults: Faults,
    frames_in: usize,
    frames_out: usize,
    /// Position in the body of the frame being received, and that frame's index.
    body_pos: usize,
    bodies_in: usize,
    started: Option<Instant>,
    seen: Seen,
}

impl PlayedHost {
    pub fn new(mode: Mode, faults: Faults) -> Self {
        PlayedHost {
            decoder: FrameDecoder::new(),
            session: HostSession::new(mode),
            faults,
            frames_in: 0,
            frames_out: 0,
            body_pos: 0,
            bodies_in: 0,
            started: None,
            seen: Seen::default(),
        }
    }

    /// Serves the firmware until it exits; returns what the host saw and how the run ended.
    pub fn run(
        mut self,
        mut qemu: Qemu,
        mut serve: impl FnMut(&DeviceRequest<'_>) -> Served,
    ) -> (Seen, Finished) {
        let mut uart = qemu.uart.try_clone().unwrap();
        uart.set_read_timeout(Some(Duration::from_millis(20)))
            .unwrap();
        let mut buf = vec![0u8; 8192];
        loop {
            match uart.read(&mut buf) {
                Ok(0) => break, // QEMU closed the socket: the firmware exited
                Ok(n) => self.take(&buf[..n], &mut uart, &mut serve),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    if qemu.exited() || qemu.time_left().is_zero() {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
        let stats = self.session.stats();
        self.seen.exchanges = stats.served as usize;
        (self.seen, qemu.finish())
    }

    fn take(
        &mut self,
        bytes: &[u8],
        uart: &mut TcpStream,
        serve: &mut impl FnMut(&DeviceRequest<'_>) -> Served,
    ) {
        let input = self.damage_incoming(bytes);
        let mut input = &input[..];
        loop {
            let out = match self.decoder.feed(input) {
                Feed::Consumed => return,
                Feed::Skipped { skip, remaining } => {
                    self.seen.skips.push(skip);
                    input = remaining;
                    self.session.on_skip(skip).to_vec()
                }
                Feed::Frame { payload, remaining } => {
                    input = remaining;
                    let is_request = DeviceMessage::decode(payload)
                        .is_ok_and(|m| !matches!(m, DeviceMessage::Hello(_)));
                    if is_request
                        && self
                            .faults
                            .restart_before
                            .is_some_and(|k| self.frames_in >= k)
                    {
                        self.faults.restart_before = None;
                        self.session.forget();
                    }
                    self.frames_in += 1;
                    match self.session.on_frame(payload) {
                        HostStep::Reply(event) => {
                            if matches!(event, HostEvent::Opened { .. }) {
                                self.started.get_or_insert_with(Instant::now);
                            }
                            self.seen.events.push(event);
                            self.session.outgoing().to_vec()
                        }
                        HostStep::Serve(exchange) => {
                            let served = serve(&exchange);
                            if let (
                                DeviceRequest::Record {
                                    request, response, ..
                                },
                                Served::Recorded,
                            ) = (&exchange, &served)
                            {
                                self.seen
                                    .recorded
                                    .push((request.to_string(), response.to_string()));
                            }
                            let answer = match &served {
                                Served::Recorded => HostAnswer::Recorded,
                                Served::Response(text) => HostAnswer::Response(text),
                                Served::NoMatch => HostAnswer::NoMatch,
                            };
                            if let Some(started) = self.started {
                                self.seen.busy = started.elapsed();
                            }
                            self.session
                                .answer(exchange.seq(), answer)
                                .unwrap()
                                .to_vec()
                        }
                    }
                }
            };
            self.write(uart, out);
        }
    }

    /// Loses the second byte of the chosen incoming frame.
    fn damage_incoming(&mut self, bytes: &[u8]) -> Vec<u8> {
        let mut kept = Vec::with_capacity(bytes.len());
        for &b in bytes {
            if b == 0 {
                if self.body_pos > 0 {
                    self.bodies_in += 1;
                }
                self.body_pos = 0;
                kept.push(b);
                continue;
            }
            self.body_pos += 1;
            if self.faults.damage_from_device == Some(self.bodies_in) && self.body_pos == 2 {
                continue;
            }
            kept.push(b);
        }
        kept
    }

    fn write(&mut self, uart: &mut TcpStream, mut frame: Vec<u8>) {
        let index = self.frames_out;
        self.frames_out += 1;
        let middle = frame.len() / 2;
        match self.faults.to_device.get(&index) {
            None => {}
            Some(Fault::Garbage(bytes)) => uart.write_all(bytes).unwrap_or_default(),
            Some(Fault::DropByte) => {
                frame.remove(middle);
            }
            Some(Fault::FlipBit) => frame[middle] ^= 0x10,
            Some(Fault::NoDelimiter) => {
                frame.pop();
            }
            Some(Fault::Truncate) => frame.truncate(middle),
        }
        // The firmware may have exited already; the run's result tells.
        let _ = uart.write_all(&frame);
    }
}

/// The `.mock` text of recorded custom-client exchanges (as a capturemock server writes
/// them: an empty response is not written).
pub fn to_mock(recorded: &[(String, String)]) -> String {
    let mut text = String::new();
    for (request, response) in recorded {
        write_entry(&mut text, "<-CAL", request, None, NewlineOptions::NONE).unwrap();
        if !response.is_empty() {
            write_entry(&mut text, "->RET", response, None, NewlineOptions::NONE).unwrap();
        }
    }
    text
}
