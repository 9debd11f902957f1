//! An in-memory link for tests: a host played by `HostSession` over a simple store, noise
//! on either direction, and reads that time out when nothing is there.

use std::collections::{BTreeMap, VecDeque};
use std::string::{String, ToString};
use std::vec::Vec;

use super::*;
use crate::replay::Mode;

/// A tiny deterministic generator (xorshift), so noise is reproducible from a seed.
#[derive(Debug, Clone)]
pub(crate) struct Rng(pub u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        let mut x = self.0 | 1;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// What happens to the frames going one way.
#[derive(Debug, Clone, Default)]
pub(crate) struct Noise {
    /// Per frame, out of 1000: garbage bytes are written before it.
    pub garbage: u32,
    /// Per frame, out of 1000: one of its bytes is lost.
    pub drop: u32,
    /// Per frame, out of 1000: one bit of it flips.
    pub flip: u32,
    /// Per frame, out of 1000: the frame is lost entirely.
    pub lose: u32,
}

impl Noise {
    pub(crate) fn apply(&self, rng: &mut Rng, frame: &[u8], out: &mut Vec<u8>) -> bool {
        let mut hit = false;
        let roll = |per_mille: u32, rng: &mut Rng| (rng.below(1000) as u32) < per_mille;
        if roll(self.garbage, rng) {
            hit = true;
            for _ in 0..1 + rng.below(12) {
                out.push(rng.next() as u8);
            }
        }
        if roll(self.lose, rng) {
            return true;
        }
        let mut bytes = frame.to_vec();
        if roll(self.drop, rng) && !bytes.is_empty() {
            hit = true;
            let at = rng.below(bytes.len());
            bytes.remove(at);
        }
        if roll(self.flip, rng) && !bytes.is_empty() {
            hit = true;
            let at = rng.below(bytes.len());
            bytes[at] ^= 1 << rng.below(8);
        }
        out.extend_from_slice(&bytes);
        hit
    }
}

/// The host's side: records exchanges, replays from a map of request → responses.
pub(crate) struct SimHost {
    pub session: HostSession<512>,
    pub decoder: FrameDecoder<512>,
    pub recorded: Vec<(String, String)>,
    pub replays: BTreeMap<String, VecDeque<String>>,
    pub served: Vec<String>,
    pub events: Vec<HostEvent>,
}

impl SimHost {
    pub(crate) fn new(mode: Mode) -> Self {
        SimHost {
            session: HostSession::new(mode),
            decoder: FrameDecoder::new(),
            recorded: Vec::new(),
            replays: BTreeMap::new(),
            served: Vec::new(),
            events: Vec::new(),
        }
    }

    pub(crate) fn with_replays(mut self, pairs: &[(&str, &str)]) -> Self {
        for (request, response) in pairs {
            self.replays
                .entry(request.to_string())
                .or_default()
                .push_back(response.to_string());
        }
        self
    }

    /// Takes bytes from the device and returns the frames to send back, one per entry.
    pub(crate) fn receive(&mut self, mut input: &[u8]) -> Vec<Vec<u8>> {
        let mut replies = Vec::new();
        loop {
            match self.decoder.feed(input) {
                Feed::Consumed => return replies,
                Feed::Skipped { skip, remaining } => {
                    replies.push(self.session.on_skip(skip).to_vec());
                    input = remaining;
                }
                Feed::Frame { payload, remaining } => {
                    input = remaining;
                    match self.session.on_frame(payload) {
                        HostStep::Reply(event) => {
                            self.events.push(event);
                            replies.push(self.session.outgoing().to_vec());
                        }
                        HostStep::Serve(exchange) => {
                            let seq = exchange.seq();
                            self.served.push(exchange.request().to_string());
                            let answer = match exchange {
                                DeviceRequest::Record {
                                    request, response, ..
                                } => {
                                    self.recorded
                                        .push((request.to_string(), response.to_string()));
                                    HostAnswer::Recorded
                                }
                                DeviceRequest::Replay { request, .. } => {
                                    match self.replays.get_mut(request) {
                                        Some(list) => {
                                            let text = list.pop_front().unwrap_or_default();
                                            list.push_back(text.clone());
                                            replies.push(
                                                self.session
                                                    .answer(seq, HostAnswer::Response(&text))
                                                    .unwrap()
                                                    .to_vec(),
                                            );
                                            continue;
                                        }
                                        None => HostAnswer::NoMatch,
                                    }
                                }
                            };
                            replies.push(self.session.answer(seq, answer).unwrap().to_vec());
                        }
                    }
                }
            }
        }
    }
}

/// A device transport wired straight to a [`SimHost`]: writes are delivered when flushed,
/// answers queue up for reads, and a read with nothing queued times out.
pub(crate) struct Sim {
    pub host: SimHost,
    pub to_host: Noise,
    pub to_device: Noise,
    pub rng: Rng,
    pub written: Vec<u8>,
    pub inbox: VecDeque<u8>,
    pub hits: u32,
    /// Bytes read per call at most (small values exercise partial reads).
    pub chunk: usize,
    /// Forget the host's session before serving the frame with this index (a host restart).
    pub restart_at: Option<usize>,
    pub frames_from_device: usize,
    /// Timeouts left before reads fail with `Other` instead (guards against endless loops).
    pub timeouts_left: u32,
}

impl Sim {
    pub(crate) fn new(host: SimHost) -> Self {
        Sim {
            host,
            to_host: Noise::default(),
            to_device: Noise::default(),
            rng: Rng(0x5eed_1234),
            written: Vec::new(),
            inbox: VecDeque::new(),
            hits: 0,
            chunk: 64,
            restart_at: None,
            frames_from_device: 0,
            timeouts_left: 10_000,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SimError(pub embedded_io::ErrorKind);

impl embedded_io::Error for SimError {
    fn kind(&self) -> embedded_io::ErrorKind {
        self.0
    }
}

impl embedded_io::ErrorType for Sim {
    type Error = SimError;
}

impl embedded_io::Write for Sim {
    fn write(&mut self, buf: &[u8]) -> Result<usize, SimError> {
        self.written.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> Result<(), SimError> {
        let frame = std::mem::take(&mut self.written);
        if self.restart_at == Some(self.frames_from_device) {
            self.host.session.forget();
        }
        self.frames_from_device += 1;
        let mut noisy = Vec::new();
        if self.to_host.apply(&mut self.rng, &frame, &mut noisy) {
            self.hits += 1;
        }
        for reply in self.host.receive(&noisy) {
            let mut noisy = Vec::new();
            if self.to_device.apply(&mut self.rng, &reply, &mut noisy) {
                self.hits += 1;
            }
            self.inbox.extend(noisy);
        }
        Ok(())
    }
}

impl embedded_io::Read for Sim {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, SimError> {
        if self.inbox.is_empty() {
            if self.timeouts_left == 0 {
                return Err(SimError(embedded_io::ErrorKind::Other));
            }
            self.timeouts_left -= 1;
            return Err(SimError(embedded_io::ErrorKind::TimedOut));
        }
        let n = buf.len().min(self.chunk).min(self.inbox.len());
        for slot in buf.iter_mut().take(n) {
            *slot = self.inbox.pop_front().unwrap_or_default();
        }
        Ok(n)
    }
}

impl embedded_io_async::Write for Sim {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, SimError> {
        embedded_io::Write::write(self, buf)
    }

    async fn flush(&mut self) -> Result<(), SimError> {
        embedded_io::Write::flush(self)
    }
}

impl embedded_io_async::Read for Sim {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, SimError> {
        embedded_io::Read::read(self, buf)
    }
}

/// Runs a future that never waits on anything outside (the [`Sim`] is always ready).
pub(crate) fn block_on<F: core::future::Future>(future: F) -> F::Output {
    use core::task::{Context, Poll, Waker};
    let mut cx = Context::from_waker(Waker::noop());
    let mut future = core::pin::pin!(future);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}
