//! Load from client threads, one connection per exchange, and what it cost in CPU.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use socket2::{Domain, Socket, Type};

use crate::servers::Config;
use crate::workload::Message;
use crate::{Options, Paths, TICKS};

#[derive(Clone, Debug, Default)]
pub struct Measurement {
    /// Completed exchanges per second.
    pub rate: f64,
    /// Exchanges that failed (connection refused or reset, timeout).
    pub errors: u64,
    /// Exchanges answered with something else than the expected reply.
    pub wrong: u64,
    /// Exchanges answered in the whole run, warm-up and wind-down included.
    pub answered: u64,
    /// Record runs: answered exchanges missing from the record file.
    pub unrecorded: Option<u64>,
    /// CPU time of other processes during the window, in cores.
    pub other_cores: f64,
    /// CPU time of the server during the window, in cores.
    pub server_cores: f64,
    /// CPU time of the clients (this process) during the window, in cores.
    pub client_cores: f64,
    /// Idle CPU during the window, in cores.
    pub idle_cores: f64,
}

/// One connection, one exchange. The reply lands in `reply`.
pub fn exchange(address: SocketAddr, message: &[u8], reply: &mut Vec<u8>) -> std::io::Result<()> {
    exchange_from(None, address, message, reply)
}

/// [`exchange`] from a given loopback source address.
///
/// Why: the client shuts down its side first, so every exchange leaves a TIME_WAIT socket on
/// the client's side. From one source address, at over 10,000 connections a second to one
/// server port, every ephemeral port was used less than a second ago and `connect` spends
/// about a third of the client's CPU searching for a reusable one (`__inet_hash_connect`):
/// a cost of the load generator that grows with the rate, squeezes fast servers together and
/// made runs bimodal. Spreading connections over 127.0.0.2-254 keeps each address's ports
/// fresh.
pub fn exchange_from(
    source: Option<Ipv4Addr>,
    address: SocketAddr,
    message: &[u8],
    reply: &mut Vec<u8>,
) -> std::io::Result<()> {
    let mut stream = match source {
        None => TcpStream::connect(address)?,
        Some(ip) => {
            let socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
            socket.bind(&SocketAddr::from((ip, 0)).into())?;
            socket.connect(&address.into())?;
            TcpStream::from(socket)
        }
    };
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    stream.write_all(message)?;
    stream.shutdown(Shutdown::Write)?;
    reply.clear();
    stream.read_to_end(reply)?;
    Ok(())
}

pub struct Counters {
    pub stop: AtomicBool,
    pub done: AtomicU64,
    pub errors: AtomicU64,
    pub wrong: AtomicU64,
}

pub fn client(
    address: SocketAddr,
    messages: &[Message],
    start: usize,
    sources: u8,
    counters: &Counters,
) {
    let mut reply = Vec::new();
    let mut i = start;
    while !counters.stop.load(Ordering::Relaxed) {
        let message = &messages[i % messages.len()];
        let source =
            (sources > 1).then(|| Ipv4Addr::new(127, 0, 0, 2 + (i % sources as usize) as u8));
        i += 1;
        match exchange_from(source, address, &message.bytes, &mut reply) {
            Ok(()) => {
                if message.expected.as_ref().is_some_and(|e| *e != reply) || reply.is_empty() {
                    counters.wrong.fetch_add(1, Ordering::Relaxed);
                }
                counters.done.fetch_add(1, Ordering::Relaxed);
            }
            Err(_) => {
                counters.errors.fetch_add(1, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(1));
            }
        }
    }
}

pub fn measure(config: &Config, clients: usize, options: &Options, paths: &Paths) -> Measurement {
    let server = config.start(&paths.logs);
    let mut m = load(
        server.address,
        Some(server.pid()),
        &config.messages,
        clients,
        options,
    );
    server.shut_down();
    if let Some(file) = &config.record_file {
        // After TERMINATE_SERVER every answered exchange must be in the file.
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let recorded = text.lines().filter(|l| l.starts_with("<-CAL:")).count() as u64;
        m.unrecorded = Some(m.answered.saturating_sub(recorded));
    }
    m
}

/// Loads the server at `address` (process `pid`, when known, for its CPU time) from
/// `clients` threads: warm-up, then the measured window.
pub fn load(
    address: SocketAddr,
    pid: Option<u32>,
    messages: &Arc<Vec<Message>>,
    clients: usize,
    options: &Options,
) -> Measurement {
    let counters = Arc::new(Counters {
        stop: AtomicBool::new(false),
        done: AtomicU64::new(0),
        errors: AtomicU64::new(0),
        wrong: AtomicU64::new(0),
    });
    let threads: Vec<_> = (0..clients)
        .map(|t| {
            let counters = Arc::clone(&counters);
            let messages = Arc::clone(messages);
            let start = t * messages.len() / clients;
            let sources = options.sources;
            std::thread::spawn(move || client(address, &messages, start, sources, &counters))
        })
        .collect();
    std::thread::sleep(options.warmup);
    let before = (
        Instant::now(),
        counters.done.load(Ordering::Relaxed),
        counters.errors.load(Ordering::Relaxed),
        counters.wrong.load(Ordering::Relaxed),
        Cpu::sample(pid),
    );
    std::thread::sleep(options.duration);
    let after = (
        Instant::now(),
        counters.done.load(Ordering::Relaxed),
        counters.errors.load(Ordering::Relaxed),
        counters.wrong.load(Ordering::Relaxed),
        Cpu::sample(pid),
    );
    counters.stop.store(true, Ordering::Relaxed);
    for t in threads {
        t.join().expect("client thread");
    }
    let seconds = (after.0 - before.0).as_secs_f64();
    let [server_cores, client_cores, other_cores, idle_cores] =
        Cpu::usage(&before.4, &after.4, seconds);
    Measurement {
        rate: (after.1 - before.1) as f64 / seconds,
        errors: after.2 - before.2,
        wrong: after.3 - before.3,
        answered: counters.done.load(Ordering::Relaxed),
        unrecorded: None,
        other_cores,
        server_cores,
        client_cores,
        idle_cores,
    }
}

/// CPU ticks: the whole machine (busy), the server process, this process.
pub struct Cpu {
    pub total: u64,
    pub busy: u64,
    pub server: u64,
    pub own: u64,
}

impl Cpu {
    pub fn sample(server: Option<u32>) -> Self {
        let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
        let fields: Vec<u64> = stat
            .lines()
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .skip(1)
            .filter_map(|f| f.parse().ok())
            .collect();
        // user nice system idle iowait irq softirq steal
        let total: u64 = fields.iter().take(8).sum();
        let idle = fields.get(3).copied().unwrap_or(0) + fields.get(4).copied().unwrap_or(0);
        Cpu {
            total,
            busy: total.saturating_sub(idle),
            server: server.map_or(0, |pid| process_ticks(&format!("/proc/{pid}/stat"))),
            own: process_ticks("/proc/self/stat"),
        }
    }

    /// (server, others) in cores.
    /// Server, clients, other processes, idle; in cores.
    pub fn usage(before: &Cpu, after: &Cpu, seconds: f64) -> [f64; 4] {
        let cores = |ticks: u64| ticks as f64 / TICKS / seconds;
        let total = after.total.saturating_sub(before.total);
        let busy = after.busy.saturating_sub(before.busy);
        let server = after.server.saturating_sub(before.server);
        let own = after.own.saturating_sub(before.own);
        [
            cores(server),
            cores(own),
            cores(busy.saturating_sub(server + own)),
            cores(total.saturating_sub(busy)),
        ]
    }
}

/// utime + stime of a process, all threads.
pub fn process_ticks(stat_path: &str) -> u64 {
    let stat = std::fs::read_to_string(stat_path).unwrap_or_default();
    // The command name may hold spaces; the fields after it are fixed.
    let after_name = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let field = |n: usize| {
        fields
            .get(n - 3)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    field(14) + field(15)
}
