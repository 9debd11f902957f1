//! A TCP relay between QEMU's UART socket and the bridge: passes bytes both ways, and can
//! hold them to a baud rate, damage them (random bytes in, bytes lost, bits flipped) and
//! reset the bridge's connection in the middle of a frame (the bridge then accepts the
//! relay's new connection, as it would a device's).

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Noise to inject.
#[derive(Debug, Clone)]
pub struct Noise {
    pub seed: u64,
    /// Chance that a chunk (one read) is damaged, in either direction.
    pub chance: f64,
    /// Most damaged chunks in all (the device gives up after 20 tries of one request).
    pub max_faults: usize,
    /// Reset the bridge's connection in the middle of these chunks from the device
    /// (counting from 0): half the chunk goes out, then the connection is closed and a new
    /// one opened.
    pub resets_at: Vec<usize>,
}

/// What the relay does to the bytes.
#[derive(Debug, Clone, Default)]
pub struct RelayOptions {
    /// Bytes per second each way (115200 baud, 8N1: 11,520).
    pub bytes_per_second: Option<u32>,
    pub noise: Option<Noise>,
}

impl RelayOptions {
    pub fn clean() -> Self {
        RelayOptions::default()
    }
}

/// What the relay did.
#[derive(Debug, Clone, Default)]
pub struct RelayStats {
    pub to_bridge: usize,
    pub to_device: usize,
    pub garbage: usize,
    pub dropped: usize,
    pub flipped: usize,
    pub resets: usize,
    /// From the first byte of the device to the last byte to the device.
    pub busy: Duration,
}

/// The bridge's side: the current connection, replaced on a reset.
struct BridgeSide {
    address: String,
    current: Mutex<(u64, TcpStream)>,
    changed: Condvar,
}

impl BridgeSide {
    fn connect(address: &str) -> TcpStream {
        let stream = TcpStream::connect(address)
            .unwrap_or_else(|e| panic!("relay: cannot connect to the bridge at {address}: {e}"));
        stream.set_nodelay(true).unwrap();
        stream
    }

    fn stream(&self) -> (u64, TcpStream) {
        let current = self.current.lock().unwrap();
        (current.0, current.1.try_clone().unwrap())
    }

    fn reset(&self) {
        let mut current = self.current.lock().unwrap();
        let _ = current.1.shutdown(Shutdown::Both);
        *current = (current.0 + 1, Self::connect(&self.address));
        self.changed.notify_all();
    }
}

pub struct Relay {
    up: JoinHandle<RelayStats>,
    down: JoinHandle<RelayStats>,
}

/// Holds bytes back to a rate: each chunk leaves when the line would have carried it.
struct Pace {
    rate: Option<u32>,
    free_at: Instant,
}

impl Pace {
    fn wait(&mut self, bytes: usize) {
        let Some(rate) = self.rate else { return };
        let now = Instant::now();
        let start = self.free_at.max(now);
        self.free_at = start + Duration::from_secs_f64(bytes as f64 / f64::from(rate));
        std::thread::sleep(self.free_at.saturating_duration_since(now));
    }
}

impl Relay {
    pub fn start(device: TcpStream, bridge_address: String, options: RelayOptions) -> Relay {
        device.set_nodelay(true).unwrap();
        let bridge = Arc::new(BridgeSide {
            current: Mutex::new((0, BridgeSide::connect(&bridge_address))),
            address: bridge_address,
            changed: Condvar::new(),
        });
        let done = Arc::new(AtomicBool::new(false));
        let started = Arc::new(Mutex::new(None));
        let faults = Arc::new(Mutex::new(0usize));
        let seed = options.noise.as_ref().map_or(0, |n| n.seed);

        let up = {
            let (bridge, done, started, faults) = (
                Arc::clone(&bridge),
                Arc::clone(&done),
                Arc::clone(&started),
                Arc::clone(&faults),
            );
            let mut device = device.try_clone().unwrap();
            let options = options.clone();
            std::thread::spawn(move || {
                let mut rng = StdRng::seed_from_u64(seed);
                let mut stats = RelayStats::default();
                let mut pace = Pace {
                    rate: options.bytes_per_second,
                    free_at: Instant::now(),
                };
                let mut buf = [0u8; 4096];
                let mut chunk_no = 0usize;
                loop {
                    let n = match device.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    started.lock().unwrap().get_or_insert_with(Instant::now);
                    let mut chunk = buf[..n].to_vec();
                    pace.wait(chunk.len());
                    let (_, mut out) = bridge.stream();
                    if let Some(noise) = &options.noise {
                        if noise.resets_at.contains(&chunk_no) {
                            // QEMU may send a byte at a time: then the byte goes, the rest of
                            // its frame is lost with the connection.
                            let half = chunk.len().div_ceil(2);
                            let _ = out.write_all(&chunk[..half]);
                            // Let the half arrive before the connection goes.
                            std::thread::sleep(Duration::from_millis(20));
                            bridge.reset();
                            stats.resets += 1;
                            chunk_no += 1;
                            continue;
                        }
                        damage(&mut chunk, noise, &mut rng, &faults, &mut stats);
                    }
                    chunk_no += 1;
                    stats.to_bridge += chunk.len();
                    let _ = out.write_all(&chunk);
                }
                // QEMU is gone: so is the device.
                done.store(true, Ordering::Relaxed);
                let (_, out) = bridge.stream();
                let _ = out.shutdown(Shutdown::Both);
                bridge.changed.notify_all();
                stats
            })
        };

        let down = {
            let (bridge, done, started, faults) = (
                Arc::clone(&bridge),
                Arc::clone(&done),
                Arc::clone(&started),
                Arc::clone(&faults),
            );
            let mut device = device;
            std::thread::spawn(move || {
                let mut rng = StdRng::seed_from_u64(seed ^ 0xD0_D0);
                let mut stats = RelayStats::default();
                let mut pace = Pace {
                    rate: options.bytes_per_second,
                    free_at: Instant::now(),
                };
                let mut buf = [0u8; 4096];
                let (mut generation, mut input) = bridge.stream();
                let mut last = None;
                loop {
                    let n = match input.read(&mut buf) {
                        Ok(n) if n > 0 => n,
                        result => {
                            if let Err(e) = &result {
                                if e.kind() == ErrorKind::Interrupted {
                                    continue;
                                }
                            }
                            // The connection ended: a reset (take the new one) or the end.
                            let guard = bridge.current.lock().unwrap();
                            let (guard, _) = bridge
                                .changed
                                .wait_timeout_while(guard, Duration::from_secs(5), |c| {
                                    c.0 == generation && !done.load(Ordering::Relaxed)
                                })
                                .unwrap();
                            if done.load(Ordering::Relaxed) || guard.0 == generation {
                                break;
                            }
                            generation = guard.0;
                            input = guard.1.try_clone().unwrap();
                            continue;
                        }
                    };
                    let mut chunk = buf[..n].to_vec();
                    pace.wait(chunk.len());
                    if let Some(noise) = &options.noise {
                        damage(&mut chunk, noise, &mut rng, &faults, &mut stats);
                    }
                    stats.to_device += chunk.len();
                    if device.write_all(&chunk).is_err() {
                        break;
                    }
                    last = Some(Instant::now());
                }
                if let (Some(first), Some(last)) = (*started.lock().unwrap(), last) {
                    stats.busy = last.saturating_duration_since(first);
                }
                stats
            })
        };
        Relay { up, down }
    }

    /// Waits until both directions end (the device's socket closed) and adds up.
    pub fn join(self) -> RelayStats {
        let up = self.up.join().expect("relay thread (device to bridge)");
        let down = self.down.join().expect("relay thread (bridge to device)");
        RelayStats {
            to_bridge: up.to_bridge,
            to_device: down.to_device,
            garbage: up.garbage + down.garbage,
            dropped: up.dropped + down.dropped,
            flipped: up.flipped + down.flipped,
            resets: up.resets,
            busy: down.busy,
        }
    }
}

/// Maybe damages one chunk: random bytes (zeros included) before it, a byte lost, or a bit
/// flipped.
fn damage(
    chunk: &mut Vec<u8>,
    noise: &Noise,
    rng: &mut StdRng,
    faults: &Mutex<usize>,
    stats: &mut RelayStats,
) {
    if chunk.is_empty() || !rng.gen_bool(noise.chance) {
        return;
    }
    let mut faults = faults.lock().unwrap();
    if *faults >= noise.max_faults {
        return;
    }
    *faults += 1;
    match rng.gen_range(0..3) {
        0 => {
            let len = rng.gen_range(1..24);
            let garbage: Vec<u8> = (0..len)
                .map(|_| if rng.gen_bool(0.2) { 0 } else { rng.gen() })
                .collect();
            chunk.splice(0..0, garbage);
            stats.garbage += 1;
        }
        1 => {
            let at = rng.gen_range(0..chunk.len());
            chunk.remove(at);
            stats.dropped += 1;
        }
        _ => {
            let at = rng.gen_range(0..chunk.len());
            chunk[at] ^= 1 << rng.gen_range(0..8);
            stats.flipped += 1;
        }
    }
}
